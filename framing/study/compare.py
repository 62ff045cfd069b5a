"""Are two studies' results the same? Table-by-table comparison and digests of a study's tables.

The check that a change of code left the results alone: run the demo before and after and
compare (``scripts/compare_tables.py``), or pin a study's digest and check it later. Rows are
compared as sets (row order is not a result), floats to 10 significant digits, and the columns
that record when and where a crawl wrote its captures are left out: they differ between any two
runs of the same crawl.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

VOLATILE = ("warc_file", "warc_offset", "fetched_at")
TABLE_SUFFIXES = (".parquet", ".csv")


def tables_of(workdir: Path) -> dict[str, list[Path]]:
    """A study's tables by name (``articles.parquet``, ``evaluation.csv``) -> their files, whether a
    table is one file or a partitioned dataset (``tables/articles/part-N.parquet``)."""
    out: dict[str, list[Path]] = {}
    for path in sorted((Path(workdir) / "tables").iterdir()):
        if path.is_file() and path.suffix in TABLE_SUFFIXES:
            out[path.name] = [path]
        elif path.is_dir() and path.suffix == "" and (parts := sorted(path.glob("*.parquet"))):
            out[f"{path.name}.parquet"] = parts
    return out


def canonical_rows(paths: Path | list[Path], ignore: tuple[str, ...] = VOLATILE
                   ) -> tuple[list[str], list[tuple[str, ...]]]:
    """A table's columns (without ``ignore``) and its rows as sorted tuples of strings, floats rounded."""
    paths = [paths] if isinstance(paths, Path) else paths
    table = pd.concat([pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_csv(p) for p in paths],
                      ignore_index=True)
    columns = [c for c in table.columns if c not in ignore]
    cells = {}
    for column in columns:
        values = table[column]
        if pd.api.types.is_float_dtype(values):
            cells[column] = ["nan" if v != v else f"{v:.10g}" for v in values]
        else:
            cells[column] = values.astype(str).tolist()
    rows = sorted(zip(*(cells[c] for c in columns), strict=True)) if columns else []
    return columns, rows


def compare_tables(first: Path | list[Path], second: Path | list[Path], ignore: tuple[str, ...] = VOLATILE
                   ) -> list[str]:
    """How two tables differ, in sentences; empty when they hold the same rows."""
    columns_a, rows_a = canonical_rows(first, ignore)
    columns_b, rows_b = canonical_rows(second, ignore)
    if columns_a != columns_b:
        return [f"columns differ: {columns_a} vs {columns_b}"]
    problems = []
    if len(rows_a) != len(rows_b):
        problems.append(f"{len(rows_a)} rows vs {len(rows_b)}")
    only_a, only_b = set(rows_a) - set(rows_b), set(rows_b) - set(rows_a)
    if only_a or only_b:
        problems.append(f"{len(only_a)} rows only in the first, {len(only_b)} only in the second; e.g. "
                        f"{sorted(only_a)[:1]} vs {sorted(only_b)[:1]}")
    return problems


def compare_studies(first: Path, second: Path, ignore: tuple[str, ...] = VOLATILE) -> dict[str, list[str]]:
    """Every table in either study folder's ``tables/`` -> how it differs (empty list: the same)."""
    tables = tables_of(first), tables_of(second)
    out = {}
    for name in sorted(set(tables[0]) | set(tables[1])):
        if name not in tables[0] or name not in tables[1]:
            out[name] = [f"only in the {'first' if name in tables[0] else 'second'} study"]
        else:
            out[name] = compare_tables(tables[0][name], tables[1][name], ignore)
    return out


def table_digests(workdir: Path, names: list[str] | None = None, ignore: tuple[str, ...] = VOLATILE
                  ) -> dict[str, dict]:
    """Per table: columns, row count and a SHA-256 of its canonical rows.

    Parameters
    ----------
    workdir
        The study folder.
    names
        Table names as :func:`tables_of` gives them (e.g. ``articles.parquet``); default every table.
    """
    tables = tables_of(workdir)
    out = {}
    for name in names or sorted(tables):
        columns, rows = canonical_rows(tables[name], ignore)
        digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()
        out[name] = {"columns": columns, "rows": len(rows), "sha256": digest}
    return out
