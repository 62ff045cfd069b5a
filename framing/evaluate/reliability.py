"""Krippendorff's alpha (nominal): the one implementation, for coders with coders and machine with gold.

Both read it the same way: undefined (NaN, with the reason) when no unit has two values or
when every value is the same, where the formula would divide 0 by 0. The arithmetic is the
``krippendorff`` package's.
"""

from __future__ import annotations

from collections.abc import Sequence

import krippendorff
import numpy as np
import pandas as pd


def alpha_from_counts(counts: np.ndarray, categories: Sequence[str] | None = None) -> tuple[float, str]:
    """Nominal alpha from a units x categories matrix of value counts, or NaN and why not.

    Examples
    --------
    >>> round(alpha_from_counts(np.array([[2, 0], [0, 2], [1, 1]]))[0], 4)
    0.4444
    >>> alpha_from_counts(np.array([[2, 0], [2, 0]]), ["absent", "present"])
    (nan, "alpha undefined: every value is 'absent' (no variation)")
    """
    counts = counts[counts.sum(axis=1) >= 2]
    if not len(counts):
        return float("nan"), "no unit has two values"
    used = np.flatnonzero(counts.sum(axis=0))
    if len(used) < 2:
        name = categories[used[0]] if categories is not None else used[0]
        return float("nan"), f"alpha undefined: every value is '{name}' (no variation)"
    return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")), ""


def pairwise_alpha(first: np.ndarray, second: np.ndarray) -> float:
    """Nominal alpha between two coders' labels of the same units (e.g. machine and gold); NaN
    when it is undefined.

    Examples
    --------
    >>> round(pairwise_alpha(np.array([0, 1, 0, 1]), np.array([0, 1, 1, 1])), 4)
    0.5333
    """
    first, second = np.ravel(first), np.ravel(second)
    values, codes = np.unique(np.concatenate([first, second]), return_inverse=True)
    counts = np.zeros((len(first), len(values)), dtype=int)
    np.add.at(counts, (np.arange(len(first)), codes[:len(first)]), 1)
    np.add.at(counts, (np.arange(len(first)), codes[len(first):]), 1)
    return alpha_from_counts(counts)[0]


def alpha_verdict(alpha: float | None, threshold: float) -> str:
    """How an alpha reads against the study's threshold: ``ok``, ``low`` or ``not estimable``.

    The one rule for flagging weak frames, for coders (``framing agree``), for the machine
    against gold (``framing evaluate``) and in the report.

    Examples
    --------
    >>> [alpha_verdict(a, 0.667) for a in (0.8, 0.5, float("nan"), None)]
    ['ok', 'low', 'not estimable', 'not estimable']
    """
    if alpha is None or np.isnan(alpha):
        return "not estimable"
    return "ok" if alpha >= threshold else "low"


def low_alpha_frames(scores: pd.DataFrame, threshold: float) -> dict[str, list[str]]:
    """Per method, the frames whose machine-gold alpha reads ``low`` or ``not estimable``.

    Parameters
    ----------
    scores
        Long scoring tables (:func:`framing.evaluate.scores.score_table` rows with a ``method``
        column; one method when there is none); the ``micro`` and ``macro`` rows are not frames.
    threshold
        The study's ``evaluate.alpha_threshold``.
    """
    methods = scores["method"] if "method" in scores.columns else pd.Series("", index=scores.index)
    flagged: dict[str, list[str]] = {str(m): [] for m in dict.fromkeys(methods)}
    for method, frame, alpha in zip(methods, scores["frame"], scores["alpha"], strict=True):
        if frame not in ("micro", "macro") and alpha_verdict(alpha, threshold) != "ok":
            flagged[str(method)].append(str(frame))
    return flagged
