"""Per-frame decision thresholds and the decodings that turn frame probabilities into labels.

A frame's threshold is the one that maximises F1 on out-of-fold probabilities, searched on a grid
inside ``bounds``. F1 is flat over ranges of thresholds (between two observed scores nothing
changes); of the best range nearest to 0.5 we take the middle, so the threshold sits as far from
the scores it separates as the data allow, and moves away from the 0.5 default only as far as
the evidence requires. A frame without any positive example keeps 0.5: there is nothing to tune.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Decodings: ``thresholds`` (each frame on its own), ``at_least_one`` (as thresholds, and the most
#: likely frame when none passes), ``one`` (exactly the most likely frame: multi-class data).
DECODINGS = ("thresholds", "at_least_one", "one")
DEFAULT_BOUNDS = (0.05, 0.95)
_STEP = 0.01


def threshold_grid(bounds: tuple[float, float] = DEFAULT_BOUNDS, step: float = _STEP) -> np.ndarray:
    """Candidate thresholds from ``bounds[0]`` to ``bounds[1]`` in steps of ``step``."""
    low, high = bounds
    if not 0 < low <= high < 1:
        raise ValueError(f"threshold bounds must satisfy 0 < low <= high < 1; got {bounds}")
    return np.round(np.arange(low, high + step / 2, step), 10)


def f1_curve(scores: np.ndarray, truth: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """F1 of ``scores >= t`` against boolean ``truth`` for every ``t`` in ``grid`` (0 where undefined)."""
    truth = np.asarray(truth, dtype=bool)
    predicted = np.asarray(scores)[None, :] >= grid[:, None]
    tp = (predicted & truth).sum(axis=1)
    fp = predicted.sum(axis=1) - tp
    fn = truth.sum() - tp
    denominator = 2 * tp + fp + fn
    return np.divide(2 * tp, denominator, out=np.zeros(len(grid)), where=denominator > 0)


def best_threshold(scores: np.ndarray, truth: np.ndarray, bounds: tuple[float, float] = DEFAULT_BOUNDS
                   ) -> tuple[float, float]:
    """The F1-maximising threshold for one frame and the F1 it reaches on these scores.

    Parameters
    ----------
    scores
        Out-of-fold probabilities of the frame, one per unit.
    truth
        Whether each unit carries the frame (gold).
    bounds
        The range the threshold is clipped to.

    Returns
    -------
    tuple
        ``(threshold, f1)``; ``(0.5, 0.0)`` when no threshold in range finds a single positive.

    Examples
    --------
    >>> best_threshold(np.array([0.1, 0.2, 0.3, 0.35]), np.array([0, 0, 1, 1]))
    (0.255, 1.0)
    """
    grid = threshold_grid(bounds)
    curve = f1_curve(scores, truth, grid)
    best = curve.max()
    if best <= 0:
        return float(np.clip(0.5, *bounds)), 0.0
    on_top = np.isclose(curve, best, rtol=0, atol=1e-12)
    runs = _runs(on_top)
    # the run nearest to the 0.5 default; its middle keeps the widest margin on both sides
    start, stop = min(runs, key=lambda r: (0 if grid[r[0]] <= 0.5 <= grid[r[1]] else
                                           min(abs(grid[r[0]] - 0.5), abs(grid[r[1]] - 0.5))))
    return float(round((grid[start] + grid[stop]) / 2, 6)), float(best)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of every run of True values."""
    edges = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True))


def tune_thresholds(proba: np.ndarray, truth: np.ndarray, bounds: tuple[float, float] = DEFAULT_BOUNDS
                    ) -> np.ndarray:
    """Per-column :func:`best_threshold` of a units x frames probability matrix."""
    truth = np.asarray(truth)
    return np.array([best_threshold(proba[:, j], truth[:, j], bounds)[0] for j in range(proba.shape[1])])


def decode(proba: np.ndarray, thresholds: Sequence[float] | np.ndarray, decoding: str = "thresholds"
           ) -> np.ndarray:
    """Units x frames 0/1 labels from probabilities.

    Parameters
    ----------
    proba
        Units x frames probabilities (or any scores on the thresholds' scale).
    thresholds
        One threshold per frame.
    decoding
        ``thresholds``, ``at_least_one`` or ``one`` (see :data:`DECODINGS`).

    Examples
    --------
    >>> decode(np.array([[0.2, 0.1], [0.7, 0.6]]), [0.5, 0.5], "at_least_one").tolist()
    [[1, 0], [1, 1]]
    """
    if decoding not in DECODINGS:
        raise ValueError(f"decoding must be one of {', '.join(DECODINGS)}; got {decoding!r}")
    proba = np.asarray(proba, dtype=float)
    if decoding == "one":
        labels = np.zeros(proba.shape, dtype=int)
        labels[np.arange(len(proba)), proba.argmax(axis=1)] = 1
        return labels
    labels = (proba >= np.asarray(thresholds)[None, :]).astype(int)
    if decoding == "at_least_one" and proba.shape[1]:
        empty = labels.sum(axis=1) == 0
        labels[np.flatnonzero(empty), proba[empty].argmax(axis=1)] = 1
    return labels


def cross_fitted(proba: np.ndarray, truth: np.ndarray, fold_of: np.ndarray, decoding: str,
                 bounds: tuple[float, float] = DEFAULT_BOUNDS) -> np.ndarray:
    """Decode out-of-fold probabilities with thresholds tuned on the *other* folds.

    Tuning thresholds on the same out-of-fold scores that are then scored would flatter the
    result; tuning on the other folds costs no refit and keeps the scores honest about the
    thresholds (the hyperparameters were still chosen on all folds).
    """
    labels = np.zeros(proba.shape, dtype=int)
    for fold in np.unique(fold_of):
        inside = fold_of == fold
        thresholds = tune_thresholds(proba[~inside], truth[~inside], bounds)
        labels[inside] = decode(proba[inside], thresholds, decoding)
    return labels


def tuned_f1_macro_from_proba(proba: np.ndarray, truth: np.ndarray) -> float:
    """Macro F1 that each frame reaches at its best threshold on these scores.

    The model-choice score. The final model decodes with tuned thresholds, so candidates are
    compared on what they reach after tuning, not at the 0.5 default (which would favour
    whichever model happens to push rare frames over 0.5). The level is optimistic (the threshold
    is fit on the scored fold), equally for every candidate.
    """
    truth = np.asarray(truth)
    return float(np.mean([best_threshold(proba[:, j], truth[:, j])[1] for j in range(truth.shape[1])]))
