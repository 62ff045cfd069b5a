"""The one rich Console that every command prints through (so tests can capture it in one place)."""

import os
import sys

from rich.console import Console


def _width() -> int | None:
    """Rich's own width in a terminal or when COLUMNS is set; 120 when output goes to a file or a
    pipe, where rich would assume 80 and wrap the summary tables' outlet names and figures."""
    if getattr(sys.stdout, "isatty", lambda: False)() or os.environ.get("COLUMNS"):  # stdout may be None
        return None
    return 120


console = Console(width=_width())
