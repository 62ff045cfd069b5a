"""Machine labels vs gold: per-frame precision, recall and F1 with Wilson intervals, micro and macro.

Gold is a CSV with a ``url`` or ``path`` column and a ``frames`` column (frame ids separated by
spaces, commas, semicolons or |). The demo corpus's ``intent.csv`` is such a file.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from framing.aggregate import wilson_interval
from framing.errors import FramingError

_SEPARATORS = re.compile(r"[\s,;|]+")


def load_gold(path: str | Path, frame_ids: list[str]) -> pd.DataFrame:
    """Gold labels as ``key, frame, gold`` rows (every unit x every frame), ``key`` a URL or path.

    Rows whose ``topic`` column is false, or whose ``expected_status`` is not ok, are left out:
    they are not units the tagger labels.
    """
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    key = "url" if "url" in table.columns else "path" if "path" in table.columns else None
    if key is None or "frames" not in table.columns:
        raise FramingError(f"{path}: a gold file needs a 'url' or 'path' column and a 'frames' column; "
                           f"columns are {list(table.columns)}")
    if "topic" in table.columns:
        table = table[table["topic"].str.lower().isin(["true", "1", "yes"])]
    if "expected_status" in table.columns:
        table = table[table["expected_status"].isin(["ok", "duplicate"])]
    unknown = sorted({f for cell in table["frames"] for f in _SEPARATORS.split(cell.strip()) if f} - set(frame_ids))
    if unknown:
        raise FramingError(f"{path}: frames {unknown} are not in the codebook ({', '.join(frame_ids)})")
    rows = [{"key": k, "frame": f, "gold": f in set(_SEPARATORS.split(cell.strip()))}
            for k, cell in zip(table[key], table["frames"], strict=True) for f in frame_ids]
    return pd.DataFrame(rows).assign(key_kind=key)


def unit_key(url: str, kind: str) -> str:
    if kind == "url":
        return url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def compare(predicted: pd.DataFrame, gold: pd.DataFrame, frame_ids: list[str]) -> pd.DataFrame:
    """Per-frame confusion counts and scores.

    Parameters
    ----------
    predicted
        ``url, frame, present`` for every tagged article x frame.
    gold
        From ``load_gold``.

    Returns
    -------
    DataFrame
        One row per frame plus ``micro`` and ``macro``: tp, fp, fn, support, precision (with
        interval), recall (with interval), f1.
    """
    kind = gold["key_kind"].iloc[0] if len(gold) else "url"
    machine = predicted.assign(key=[unit_key(u, kind) for u in predicted["url"]])[["key", "frame", "present"]]
    joined = gold.merge(machine, on=["key", "frame"], how="inner")
    if joined.empty:
        raise FramingError("no article of the study matches a gold unit: are the gold URLs or paths right?")
    rows = []
    for frame in frame_ids:
        part = joined[joined["frame"] == frame]
        rows.append(frame_scores(frame, int((part.gold & part.present).sum()),
                                 int((~part.gold & part.present).sum()),
                                 int((part.gold & ~part.present).sum())))
    table = pd.DataFrame(rows)
    micro = frame_scores("micro", int(table.tp.sum()), int(table.fp.sum()), int(table.fn.sum()))
    macro = {"frame": "macro", **{c: table[c].mean() for c in ("precision", "recall", "f1")},
             "support": int(table.support.sum())}
    result = pd.concat([table, pd.DataFrame([micro, macro])], ignore_index=True)
    result.attrs["units"] = joined["key"].nunique()
    return result


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
