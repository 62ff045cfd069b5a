"""How undefined numbers are recognised and printed, alike in the CLI, model cards and reports."""

from __future__ import annotations

from typing import Any

import numpy as np

DASH = "–"


def is_missing(value: Any) -> bool:
    """True for None and NaN (a score undefined for lack of cases)."""
    return value is None or (isinstance(value, (float, np.floating)) and bool(np.isnan(value)))


def fmt_score(value: Any, digits: int = 2) -> str:
    """A score with ``digits`` decimals, or a dash where it is undefined.

    Examples
    --------
    >>> fmt_score(0.8421), fmt_score(float("nan")), fmt_score(None), fmt_score(1, 3)
    ('0.84', '–', '–', '1.000')
    """
    return DASH if is_missing(value) else f"{value:.{digits}f}"
