"""Machine labels against gold on the same units: P/R/F1 with Wilson intervals and Krippendorff's alpha.

The columns match :func:`framing.evaluate.compare` (frame, tp, fp, fn, support, precision with
interval, recall with interval, f1), plus ``alpha``: Krippendorff's alpha (nominal) with the
machine and gold as two coders of each unit. Alpha asks a different question than F1: it is
chance-corrected agreement, on the scale the human coders' agreement is reported on, so the two
can be read side by side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from framing.evaluate import frame_scores
from framing.reliability import pairwise_alpha


def nominal_alpha(machine: np.ndarray, gold: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) between machine and gold labels; NaN when there is no variation.

    Examples
    --------
    >>> round(nominal_alpha(np.array([0, 1, 0, 1]), np.array([0, 1, 1, 1])), 4)
    0.5333
    """
    return pairwise_alpha(machine, gold)


def score_table(truth: np.ndarray, predicted: np.ndarray, names: Sequence[str], level: float = 0.95
                ) -> pd.DataFrame:
    """Per-frame scores, then a ``micro`` row (pooled counts) and a ``macro`` row (mean over frames).

    Parameters
    ----------
    truth, predicted
        Units x frames 0/1 matrices (gold, machine), rows on the same units.
    names
        Frame names, one per column.
    level
        Confidence level of the Wilson intervals.

    Returns
    -------
    DataFrame
        One row per frame plus ``micro`` and ``macro``. ``alpha`` of the micro row pools every
        unit x frame decision into one binary variable; of the macro row it is the mean of the
        frames' alphas (over frames where it is defined).
    """
    truth = np.asarray(truth, dtype=bool)
    predicted = np.asarray(predicted, dtype=bool)
    rows = []
    for j, name in enumerate(names):
        t, p = truth[:, j], predicted[:, j]
        rows.append({**frame_scores(str(name), int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum()), level),
                     "alpha": nominal_alpha(p.astype(int), t.astype(int))})
    table = pd.DataFrame(rows)
    micro = {**frame_scores("micro", int(table.tp.sum()), int(table.fp.sum()), int(table.fn.sum()), level),
             "alpha": nominal_alpha(predicted.astype(int), truth.astype(int))}
    with np.errstate(all="ignore"):
        macro = {"frame": "macro", **{c: float(np.nanmean(table[c])) if table[c].notna().any() else float("nan")
                                      for c in ("precision", "recall", "f1", "alpha")},
                 "support": int(table.support.sum())}
    out = pd.concat([table, pd.DataFrame([micro, macro])], ignore_index=True)
    out.attrs["units"] = len(truth)
    return out
