"""Labelled texts for training from any CSV, TSV or JSONL file (a study's gold: :mod:`framing.classify.gold`).

Three ways a file can hold labels (the ``--labels`` forms of ``framing train --from``):

- several 0/1 columns, one per label (``--labels surveillance,trust``): multi-label;
- one column of labels joined by a separator (``--labels frames --sep ";"``): multi-label; in
  JSONL the cell may also be a list;
- one column with one label per row (``--labels frame --multiclass``): multi-class.

Every form ends as a units x labels 0/1 DataFrame. Problems are reported as :class:`FramingError`
naming the column (with a "did you mean"), the rows, or the label and its count.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from framing.errors import FramingError, TooFewExamplesError
from framing.study.schema import suggestion

FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_TRUE = {"1", "1.0", "true", "yes", "y", "t"}
_FALSE = {"0", "0.0", "false", "no", "n", "f"}
_SHOWN = 10  # rows listed in an error before "and N more"


@dataclass
class LabelledData:
    """Texts with their labels, ready for :class:`~framing.classify.model.FrameClassifier`.

    Attributes
    ----------
    texts
        One text per unit.
    labels
        Units x labels 0/1 ints; the columns name the labels.
    units
        Per unit: ``unit_id`` and, where known, ``language``, ``outlet``, ``url``.
    source
        How the data were read (file, format, columns, rows used and left out), for the model card.
    """

    texts: list[str]
    labels: pd.DataFrame
    units: pd.DataFrame
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Positive examples per label."""
        return {str(k): int(v) for k, v in self.labels.sum(axis=0).items()}


def read_table(path: str | Path) -> tuple[pd.DataFrame, str]:
    """A CSV, TSV or JSONL file (optionally ``.gz``) as a DataFrame of strings, and its format.

    JSONL cells that are lists stay lists; other values become strings; missing values ``""``.
    """
    path = Path(path)
    if not path.is_file():
        raise FramingError(f"no such file: {path}")
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    suffix = suffixes[-2] if compressed and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    kind = FORMATS.get(suffix)
    if kind is None:
        raise FramingError(f"{path}: unknown file type {suffix or '(none)'!r}; labelled data can be "
                           f"{', '.join(sorted(FORMATS))} (optionally .gz)")
    if kind in ("csv", "tsv"):
        try:
            table = pd.read_csv(path, sep="," if kind == "csv" else "\t", dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise FramingError(f"{path}: not a readable {kind.upper()} file: {exc}") from None
        return table, kind
    return _read_jsonl(path, compressed), kind


def _read_jsonl(path: Path, compressed: bool) -> pd.DataFrame:
    records = []
    opener = gzip.open if compressed else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FramingError(f"{path}: line {number} is not JSON: {exc.msg}") from None
            if not isinstance(record, dict):
                raise FramingError(f"{path}: line {number} is not a JSON object")
            records.append({k: v if isinstance(v, list) else ("" if v is None else str(v))
                            for k, v in record.items()})
    if not records:
        raise FramingError(f"{path}: no records")
    return pd.DataFrame(records).fillna("")


def load_labelled(path: str | Path, text: str = "text", labels: str | Sequence[str] | None = None,
                  sep: str | None = None, multiclass: bool = False, min_examples: int = 5,
                  drop_rare: bool = False) -> LabelledData:
    """Read labelled texts from a CSV, TSV or JSONL file.

    Parameters
    ----------
    path
        The file.
    text
        The column holding the texts.
    labels
        Comma-separated column names (or a list): several 0/1 columns; or one column with ``sep``
        or ``multiclass``.
    sep
        Separator of the labels in one column (multi-label).
    multiclass
        One label per row in one column.
    min_examples
        Fewest positive (and negative) examples a label needs.
    drop_rare
        Leave out labels with too few examples (listed in ``source["dropped"]``) instead of failing.

    Returns
    -------
    LabelledData

    Raises
    ------
    FramingError
        For a missing column, empty texts, unreadable label values or a label with too few examples.
    """
    path = Path(path)
    table, kind = read_table(path)
    where = "line" if kind == "jsonl" else "row"
    names = _label_names(labels, table, path)
    require_columns(table, [text, *names], path)
    texts = _texts(table[text], path, text, where)
    if sep is None and not multiclass and len(names) == 1 and any(isinstance(v, list) for v in table[names[0]]):
        sep = ","  # a JSONL list of labels needs no separator; any will do for the record
    if multiclass or sep is not None:
        if len(names) != 1:
            mode = "--multiclass" if multiclass else "--sep"
            raise FramingError(f"{mode} takes one label column; got {len(names)}: {', '.join(names)}")
        matrix = (_one_label(table[names[0]], path, names[0], where) if multiclass
                  else _delimited(table[names[0]], sep))
    else:
        matrix = _binary_columns(table, names, path, where)
    matrix, dropped = check_counts(matrix, min_examples, drop_rare, str(path))
    units = pd.DataFrame({"unit_id": table["id"].astype(str) if "id" in table.columns
                          else [str(i) for i in range(1, len(table) + 1)]})
    for column in ("language", "outlet", "url"):
        if column in table.columns:
            units[column] = table[column].astype(str).to_numpy()
    mode = "multiclass" if multiclass else "delimited" if sep is not None else "binary columns"
    source = {"kind": "file", "path": str(path), "format": kind, "text_column": text, "label_columns": names,
              "label_format": mode, "separator": sep, "rows": len(table), "units": len(texts), "dropped": dropped}
    return LabelledData(texts, matrix, units, source)


def _label_names(labels: str | Sequence[str] | None, table: pd.DataFrame, path: Path) -> list[str]:
    if labels is None or (isinstance(labels, str) and not labels.strip()):
        raise FramingError(f"{path}: say which column(s) hold the labels: --labels a,b,c (0/1 columns), "
                           "--labels frames --sep ';' (one column of delimited labels) or --labels frame "
                           f"--multiclass (one label per row); columns are: {', '.join(map(str, table.columns))}")
    parts = labels.split(",") if isinstance(labels, str) else list(labels)
    names = [p.strip() for p in parts if p.strip()]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise FramingError(f"label column(s) named twice: {', '.join(repeated)}")
    return names


def require_columns(table: pd.DataFrame, names: list[str], path: Path) -> None:
    columns = [str(c) for c in table.columns]
    missing = [n for n in dict.fromkeys(names) if n not in columns]
    if missing:
        lines = [f"no column {n!r}{suggestion(n, columns)}" for n in missing]
        raise FramingError(f"{path}: " + "; ".join(lines) + f". Columns are: {', '.join(columns)}")


def _rows(positions: Sequence[int], where: str) -> str:
    """'rows 3, 7 and 2 more' (1-based; for CSV/TSV the first data row after the header is 1)."""
    shown = ", ".join(str(p + 1) for p in positions[:_SHOWN])
    more = f" and {len(positions) - _SHOWN} more" if len(positions) > _SHOWN else ""
    return f"{where}{'s' if len(positions) > 1 else ''} {shown}{more}"


def nonempty_texts(texts: pd.Series, ids: pd.Series, what: str) -> list[str]:
    """The texts as str; an error naming the units (by ``ids``) whose text is missing or blank."""
    values = ["" if not isinstance(t, str) else t for t in texts]
    empty = [str(u) for u, t in zip(ids, values, strict=True) if not t.strip()]
    if empty:
        more = f" and {len(empty) - _SHOWN} more" if len(empty) > _SHOWN else ""
        raise FramingError(f"{what} without text: {', '.join(empty[:_SHOWN])}{more}")
    return values


def _texts(column: pd.Series, path: Path, name: str, where: str) -> list[str]:
    values = ["" if not isinstance(v, str) else v for v in column]
    empty = [i for i, v in enumerate(values) if not v.strip()]
    if empty:
        counting = "" if where == "line" else " (counting data rows from 1 after the header)"
        raise FramingError(f"{path}: column {name!r} is empty in {_rows(empty, where)}{counting}; "
                           "fill in the texts or remove those rows")
    return values


def _binary_columns(table: pd.DataFrame, names: list[str], path: Path, where: str) -> pd.DataFrame:
    out = {}
    for name in names:
        cells = [str(v).strip().lower() for v in table[name]]
        bad = [i for i, v in enumerate(cells) if v not in _TRUE | _FALSE]
        if bad:
            examples = ", ".join(repr(table[name].iloc[i]) for i in bad[:3])
            hint = ""
            if len(names) == 1:
                hint = (" For one column of several labels give --sep (e.g. --sep ';'); for one label per "
                        "row give --multiclass.")
            raise FramingError(f"{path}: label column {name!r} holds {examples} in {_rows(bad, where)}; "
                               f"a 0/1 column takes 0 or 1 (also true/false, yes/no).{hint}")
        out[name] = [int(v in _TRUE) for v in cells]
    return pd.DataFrame(out)


def _delimited(column: pd.Series, sep: str | None) -> pd.DataFrame:
    rows = [[str(x).strip() for x in cell] if isinstance(cell, list) else
            [x.strip() for x in str(cell).split(sep)] for cell in column]
    rows = [[x for x in row if x] for row in rows]
    names = sorted({x for row in rows for x in row})
    return pd.DataFrame([[int(n in set(row)) for n in names] for row in rows], columns=names, dtype=int)


def _one_label(column: pd.Series, path: Path, name: str, where: str) -> pd.DataFrame:
    values = [str(v).strip() if not isinstance(v, list) else "" for v in column]
    empty = [i for i, v in enumerate(values) if not v]
    if empty:
        raise FramingError(f"{path}: --multiclass needs one label in every row; column {name!r} is empty or "
                           f"a list in {_rows(empty, where)}")
    names = sorted(set(values))
    return pd.DataFrame({n: [int(v == n) for v in values] for n in names})


def check_counts(matrix: pd.DataFrame, min_examples: int, drop_rare: bool, origin: str
                  ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Labels with fewer than ``min_examples`` positives (or negatives): fail, or drop when asked."""
    if matrix.shape[1] == 0:
        raise FramingError(f"{origin}: no labels found")
    n = len(matrix)
    problems = []
    for name in matrix.columns:
        positives = int(matrix[name].sum())
        if positives < min_examples:
            problems.append({"label": str(name), "examples": positives,
                             "why": f"label {name!r} has {positives} example(s); at least {min_examples} are needed"})
        elif n - positives < min_examples:
            problems.append({"label": str(name), "examples": positives,
                             "why": f"label {name!r} is missing from only {n - positives} of {n} units; at least "
                                    f"{min_examples} units without it are needed to learn what it is not"})
    if problems and not drop_rare:
        raise TooFewExamplesError(f"{origin}: " + "; ".join(p["why"] for p in problems)
                           + f". The minimum ({min_examples}) is the number of cross-validation folds "
                             "(at least 5): code more units, merge labels, or leave rare ones out (--drop-rare).")
    if problems:
        matrix = matrix.drop(columns=[p["label"] for p in problems])
        if matrix.shape[1] == 0:
            raise TooFewExamplesError(f"{origin}: every label has too few examples: "
                               + "; ".join(p["why"] for p in problems))
    return matrix.astype(int), problems
