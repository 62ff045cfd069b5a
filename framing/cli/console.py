"""The one rich Console that every command prints through (so tests can capture it in one place)."""

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console


def _width() -> int | None:
    """Rich's own width in a terminal or when COLUMNS is set; 120 when output goes to a file or a
    pipe, where rich would assume 80 and wrap the summary tables' outlet names and figures."""
    if getattr(sys.stdout, "isatty", lambda: False)() or os.environ.get("COLUMNS"):  # stdout may be None
        return None
    return 120


console = Console(width=_width())


@contextmanager
def steps(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar for work counted in steps (folds, fits); yields ``update(done, total)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
