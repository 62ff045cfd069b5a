"""Labels against gold: the one scoring table, per frame and pooled.

Per frame: confusion counts, precision and recall (each with a Wilson interval), F1 and
Krippendorff's alpha (nominal) with the machine and gold as two coders of each unit. Alpha asks
a different question than F1: it is chance-corrected agreement, on the scale the human coders'
agreement is reported on, so the two can be read side by side. Then a ``micro`` row (pooled
counts) and a ``macro`` row (mean over frames). Cross-validation (``framing evaluate``, ``framing
train``) and the tag stage's labels against a gold file (``framing evaluate --rules-only``) both
score with :func:`score_table`.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from framing.aggregate.statistics import wilson_interval
from framing.errors import FramingError
from framing.evaluate.reliability import pairwise_alpha


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
        One row per frame plus ``micro`` and ``macro``: frame, tp, fp, fn, support, precision (with
        interval), recall (with interval), f1, alpha. ``alpha`` of the micro row pools every
        unit x frame decision into one binary variable; of the macro row it is the mean of the
        frames' alphas (over frames where it is defined). ``attrs["units"]`` is the number of units.
    """
    truth = np.asarray(truth, dtype=bool)
    predicted = np.asarray(predicted, dtype=bool)
    rows = []
    for j, name in enumerate(names):
        t, p = truth[:, j], predicted[:, j]
        rows.append({**frame_scores(str(name), int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum()), level),
                     "alpha": pairwise_alpha(p.astype(int), t.astype(int))})
    table = pd.DataFrame(rows)
    micro = {**frame_scores("micro", int(table.tp.sum()), int(table.fp.sum()), int(table.fn.sum()), level),
             "alpha": pairwise_alpha(predicted.astype(int), truth.astype(int))}
    with np.errstate(all="ignore"):
        macro = {"frame": "macro", **{c: float(np.nanmean(table[c])) if table[c].notna().any() else float("nan")
                                      for c in ("precision", "recall", "f1", "alpha")},
                 "support": int(table.support.sum())}
    out = pd.concat([table, pd.DataFrame([micro, macro])], ignore_index=True)
    out.attrs["units"] = len(truth)
    return out


def compare(predicted: pd.DataFrame, gold: pd.DataFrame, frame_ids: Sequence[str], level: float = 0.95
            ) -> pd.DataFrame:
    """Score long machine labels against long gold labels, on the units both have.

    Parameters
    ----------
    predicted
        ``url, frame, present`` for every tagged article x frame.
    gold
        ``key, frame, gold, key_kind`` rows (:func:`framing.classify.gold.gold_rows` or
        :func:`~framing.classify.gold.load_gold`); ``key`` a URL, or a path when ``key_kind`` is ``path``.
    frame_ids
        The frames to score, in order.

    Returns
    -------
    DataFrame
        As :func:`score_table`.
    """
    kind = gold["key_kind"].iloc[0] if len(gold) else "url"
    machine = predicted.assign(key=[unit_key(u, kind) for u in predicted["url"]])[["key", "frame", "present"]]
    joined = gold.merge(machine, on=["key", "frame"], how="inner")
    if joined.empty:
        raise FramingError("no article of the study matches a gold unit: are the gold URLs or paths right?")
    frames = list(frame_ids)
    truth = joined.pivot_table(index="key", columns="frame", values="gold", aggfunc="max")
    labels = joined.pivot_table(index="key", columns="frame", values="present", aggfunc="max")
    truth = truth.reindex(columns=frames).fillna(False).astype(bool)
    labels = labels.reindex(index=truth.index, columns=frames).fillna(False).astype(bool)
    return score_table(truth.to_numpy(), labels.to_numpy(), frames, level)


def unit_key(url: str, kind: str) -> str:
    """How a gold file names an article: its URL, or (``kind`` ``path``) its path and query."""
    if kind == "url":
        return url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def frame_scores(frame: str, tp: int, fp: int, fn: int, level: float = 0.95) -> dict[str, object]:
    """Precision, recall (each with a Wilson interval) and F1 from one frame's confusion counts."""
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    p_low, p_high = wilson_interval(tp, tp + fp, level)
    r_low, r_high = wilson_interval(tp, tp + fn, level)
    return {"frame": frame, "tp": tp, "fp": fp, "fn": fn, "support": tp + fn, "precision": precision,
            "precision_low": float(p_low), "precision_high": float(p_high), "recall": recall,
            "recall_low": float(r_low), "recall_high": float(r_high), "f1": f1}
