"""The one module that knows where a study's files live and how they are written."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from framing.errors import FramingError
from framing.iterate import chunks

# What people made, and what is made from it alone: never removed by any command. The coding
# database (judgements, adjudications, coders), trained models, and the tables of gold labels,
# coder agreement and validation against gold.
HUMAN_WORK = ("annotation.sqlite", "models")
HUMAN_TABLES = ("gold", "agreement_", "validation_")
# What the pipeline makes and can make again: `--fresh` removes these and nothing else
MACHINE_OUTPUTS = ("captures", "state.sqlite", "state.sqlite-wal", "state.sqlite-shm", "report", "manifest.json",
                   "demo-requests.jsonl")


# any of these in a folder marks it as a framing study (an older one may lack some)
STUDY_MARKERS = ("manifest.json", "state.sqlite", "captures", "tables", "annotation.sqlite", "models")


def _check_workdir(workdir: Path) -> None:
    """Refuse a workdir that is a file, or a folder that holds other things and is no study:
    framing would write captures/, tables/ and state.sqlite among someone's files (or /etc)."""
    if workdir.exists() and not workdir.is_dir():
        raise FramingError(f"workdir {workdir} is a file, not a folder; set `workdir:` in the study file to a "
                           "new or empty folder")
    if workdir.is_dir() and not any((workdir / name).exists() for name in STUDY_MARKERS) \
            and next(workdir.iterdir(), None) is not None:
        raise FramingError(f"workdir {workdir} holds other files and is not a framing study; framing would write "
                           "captures/, tables/ and state.sqlite into it. Set `workdir:` in the study file to a new "
                           "or empty folder")


class Study:
    """A study folder: ``captures/*.warc.gz``, ``state.sqlite``, ``tables/*.parquet``, ``manifest.json``.

    Parameters
    ----------
    workdir
        The study folder; created if missing.
    """

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        _check_workdir(self.workdir)
        self.captures = self.workdir / "captures"
        self.tables = self.workdir / "tables"
        for folder in (self.workdir, self.captures, self.tables):
            folder.mkdir(parents=True, exist_ok=True)

    @property
    def state_db(self) -> Path:
        return self.workdir / "state.sqlite"

    @property
    def manifest_path(self) -> Path:
        return self.workdir / "manifest.json"

    def table(self, name: str) -> Path:
        return self.tables / f"{name}.parquet"

    def remove_machine_outputs(self) -> tuple[list[str], list[str]]:
        """Delete what the pipeline can make again; keep what people made.

        Removes captures, crawl state, the report, the manifest and every table except gold,
        agreement and validation tables. ``annotation.sqlite``, ``models/`` and any file this
        module does not know are left alone.

        Returns
        -------
        removed, kept
            Names (relative to the study folder) of what was removed and of the human work kept.
        """
        removed = []
        for name in MACHINE_OUTPUTS:
            path = self.workdir / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
            else:
                continue
            removed.append(name)
        for path in sorted(self.tables.iterdir()):
            if path.is_file() and not path.name.startswith(HUMAN_TABLES):
                path.unlink()
                removed.append(f"tables/{path.name}")
        kept = [name for name in HUMAN_WORK if (self.workdir / name).exists()]
        kept += [f"tables/{p.name}" for p in sorted(self.tables.iterdir()) if p.name.startswith(HUMAN_TABLES)]
        self.captures.mkdir(exist_ok=True)
        return removed, kept

    def connect_state(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.state_db, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.row_factory = sqlite3.Row
        return conn

    def write_rows(self, name: str, rows: Iterable[dict[str, Any]], schema: pa.Schema, batch: int = 2000) -> int:
        """Stream dict rows into ``tables/<name>.parquet`` in batches; return the row count."""
        with self.table_writer(name, schema) as writer:
            for chunk in chunks(rows, batch):
                writer.write(chunk)
        return writer.count

    @contextmanager
    def table_writer(self, name: str, schema: pa.Schema) -> Iterator[TableWriter]:
        """Write a table in pieces; it replaces ``tables/<name>.parquet`` only when complete."""
        target = self.table(name)
        partial = target.with_suffix(".parquet.partial")
        writer = TableWriter(pq.ParquetWriter(partial, schema, compression="zstd"), schema)
        try:
            yield writer
        finally:
            writer.parquet.close()
        partial.replace(target)

    def write_frame(self, name: str, frame: Any, csv: bool = False) -> Path:
        """Write a pandas DataFrame as ``tables/<name>.parquet`` and, with ``csv``, ``<name>.csv`` beside it
        (for readers without a Parquet reader: spreadsheets, R without arrow)."""
        target = self.table(name)
        frame.to_parquet(target, index=False)
        if csv:
            self.write_csv(name, frame)
        return target

    def read_frame(self, name: str) -> Any:
        """``tables/<name>.parquet`` as a pandas DataFrame."""
        import pandas as pd

        return pd.read_parquet(self.table(name))

    def columns(self, name: str) -> list[str]:
        """The column names of ``tables/<name>.parquet``, read from its footer."""
        return pq.read_schema(self.table(name)).names

    def remove_table(self, name: str) -> None:
        """Delete ``tables/<name>.parquet`` and its CSV, if there; for outputs the current settings no longer make."""
        for suffix in (".parquet", ".csv"):
            (self.tables / f"{name}{suffix}").unlink(missing_ok=True)

    def write_csv(self, name: str, frame: Any) -> Path:
        """Write a pandas DataFrame as ``tables/<name>.csv``."""
        target = self.tables / f"{name}.csv"
        frame.to_csv(target, index=False)
        return target

    def query(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyRelation:
        """Run DuckDB SQL with each table available as a view of its name."""
        return self._tables_connection().execute(sql, params or [])

    def write_query(self, name: str, sql: str) -> Path:
        """Write what DuckDB SQL over the tables returns as ``tables/<name>.parquet``, replacing it when complete."""
        target = self.table(name)
        partial = target.with_suffix(".parquet.partial")
        with self._tables_connection() as con:
            con.execute(f"COPY ({sql}) TO '{partial.as_posix()}' (FORMAT parquet, COMPRESSION zstd)")
        partial.replace(target)
        return target

    def _tables_connection(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        for path in self.tables.glob("*.parquet"):
            con.execute(f"CREATE VIEW {path.stem} AS SELECT * FROM read_parquet('{path.as_posix()}')")
        return con

    def read_manifest(self) -> dict[str, Any]:
        if self.manifest_path.is_file():
            return json.loads(self.manifest_path.read_text())
        return {}

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2, default=str))
        tmp.replace(self.manifest_path)


class TableWriter:
    """Appends lists of dict rows to an open Parquet file."""

    def __init__(self, parquet: pq.ParquetWriter, schema: pa.Schema):
        self.parquet = parquet
        self.schema = schema
        self.count = 0

    def write(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.parquet.write_table(pa.Table.from_pylist(rows, schema=self.schema))
            self.count += len(rows)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Commit on success, roll back on error."""
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
