"""Apply a trained frame classifier to any table of texts: a held-out test set, another corpus.

Reads CSV, TSV, JSONL (optionally gzipped) or Parquet; writes the input's columns followed by
one 0/1 column per frame, one ``p_<frame>`` probability column per frame and ``frames`` (the
assigned frames, space-separated), as CSV, TSV, JSONL or Parquet by the output's suffix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from framing.classify.data import read_table
from framing.classify.model import FrameClassifier
from framing.errors import FramingError


@dataclass
class Predicted:
    """What ``predict_table`` wrote: where, how many rows, and how many carry each frame."""

    path: Path
    rows: int
    per_frame: dict[str, int]


def predict_frame(model: FrameClassifier, table: pd.DataFrame, text: str = "text") -> pd.DataFrame:
    """The table with the model's labels and probabilities added (no IO).

    Parameters
    ----------
    model
        A fitted classifier.
    table
        Rows to label; ``text`` names the column holding their texts.
    text
        The text column.

    Returns
    -------
    DataFrame
        ``table``'s columns, then ``<frame>`` (0/1), ``p_<frame>`` and ``frames`` per row.
    """
    if text not in table.columns:
        raise FramingError(f"no column {text!r}; columns are {list(table.columns)}. Name the text column with --text")
    texts = table[text].fillna("").astype(str).tolist()
    empty = [i + 2 for i, t in enumerate(texts) if not t.strip()]
    if empty:
        raise FramingError(f"empty text in row(s) {empty[:10]} (line numbers as in a CSV with a header)")
    proba = model.predict_proba(texts)
    labels = model.predict(texts) if len(texts) else proba.astype(int)
    names = [str(c) for c in model.classes_]
    out = table.reset_index(drop=True).copy()
    for j, name in enumerate(names):
        out[name] = labels[:, j].astype(int)
    for j, name in enumerate(names):
        out[f"p_{name}"] = proba[:, j].round(4)
    out["frames"] = [" ".join(n for j, n in enumerate(names) if row[j]) for row in labels]
    return out


def read_any(path: str | Path) -> pd.DataFrame:
    """CSV, TSV, JSONL (``.gz`` too) through ``read_table``, or Parquet."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        if not path.is_file():
            raise FramingError(f"no such file: {path}")
        return pd.read_parquet(path)
    return read_table(path)[0]


def write_any(table: pd.DataFrame, path: str | Path) -> Path:
    """Write by suffix: .csv, .tsv, .jsonl or .parquet."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table.to_parquet(path, index=False)
    elif suffix in (".csv", ".tsv"):
        table.to_csv(path, index=False, sep="," if suffix == ".csv" else "\t")
    elif suffix == ".jsonl":
        table.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        allowed = ", ".join(sorted({".csv", ".tsv", ".jsonl", ".parquet"}))
        raise FramingError(f"{path}: unknown output type {suffix or '(none)'!r}; use one of {allowed}")
    return path


def predict_table(model: FrameClassifier, source: str | Path, out: str | Path, text: str = "text") -> Predicted:
    """Label every row of ``source`` with ``model`` and write the result to ``out``."""
    labelled = predict_frame(model, read_any(source), text)
    path = write_any(labelled, out)
    names = [str(c) for c in model.classes_]
    return Predicted(path, len(labelled), {n: int(labelled[n].sum()) for n in names})
