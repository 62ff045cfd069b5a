"""The one module that knows where a study's files live and how they are written."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import uuid
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


# The tables that grow with the corpus are partitioned datasets, tables/<name>/part-N.parquet,
# that DuckDB, pandas and R's arrow read as one table (one glob); the rest are single files.
# Studies from before kept single files for all: those are read as they are, and replaced by a
# dataset when their stage runs again.
DATASETS = ("articles_raw", "articles", "frame_hits", "article_frames", "quotes", "quote_frames", "actor_mentions")
PART_ROWS = 50_000  # rows per part file: a partition a worker tags in seconds and holds easily
GROUP_ROWS = 10_000  # rows held before they are written as one row group (fewer when they hold GROUP_BYTES)
GROUP_BYTES = 8 * 2**20  # the articles' texts

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
        self._migrated: list[str] = []

    @property
    def state_db(self) -> Path:
        return self.workdir / "state.sqlite"

    @property
    def manifest_path(self) -> Path:
        return self.workdir / "manifest.json"

    def table(self, name: str) -> Path:
        """Where ``tables/<name>`` is: its dataset folder when it has one, else its single file."""
        folder = self.tables / name
        return folder if folder.is_dir() else self.tables / f"{name}.parquet"

    def has_table(self, name: str) -> bool:
        """Whether the study has ``tables/<name>``, as a dataset or a single file."""
        return self.table(name).exists()

    def table_files(self, name: str) -> list[Path]:
        """The Parquet files of a table, part 0 first (one file for a single-file table)."""
        where = self.table(name)
        if not where.is_dir():
            return [where] if where.is_file() else []
        return sorted(where.glob("*.parquet"), key=_part_number)

    def table_glob(self, name: str) -> str:
        """What DuckDB's ``read_parquet`` (or arrow's ``open_dataset``) takes to read the table as one."""
        where = self.table(name)
        return f"{where.as_posix()}/*.parquet" if where.is_dir() else where.as_posix()

    def iter_batches(self, name: str, columns: list[str], batch_size: int = 1024) -> Iterator[pa.RecordBatch]:
        """Stream a table's rows in record batches, file by file, part 0 first."""
        for path in self.table_files(name):
            # pre_buffer=False: with pyarrow's default pre-buffering, iter_batches keeps the raw column
            # chunks of every row group read so far until the iterator ends (pyarrow 26), so memory
            # would grow with the corpus
            yield from pq.ParquetFile(path, pre_buffer=False).iter_batches(batch_size=batch_size, columns=columns)

    def migrated(self) -> list[str]:
        """Single-file tables replaced by datasets since this Study was opened (said in the stage's summary)."""
        return list(self._migrated)

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
            if path.name.startswith(HUMAN_TABLES):
                continue
            if path.is_dir():
                shutil.rmtree(path)
            else:
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
        """Write a table in pieces; it replaces ``tables/<name>`` only when complete."""
        if name not in DATASETS:
            target = self.tables / f"{name}.parquet"
            partial = target.with_suffix(".parquet.partial")
            writer = TableWriter(partial, schema, part_rows=None)
        else:
            partial = self._fresh_partial(name)
            writer = TableWriter(partial, schema, part_rows=PART_ROWS)
        try:
            yield writer
        except BaseException:
            writer.close(discard=True)  # the old table stays; a rerun starts a new partial
            raise
        writer.close()
        self._install(name, partial)

    def install_parts(self, name: str, parts: list[Path]) -> Path:
        """Make a dataset table of finished part files (moved, in the order given)."""
        partial = self._fresh_partial(name)
        for number, part in enumerate(parts):
            shutil.move(part, partial / f"part-{number}.parquet")
        self._install(name, partial)
        return self.table(name)

    def _fresh_partial(self, name: str) -> Path:
        partial = self.tables / f"{name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        return partial

    def _install(self, name: str, partial: Path) -> None:
        """Put a complete table in place of the old one, whichever form either has."""
        file, folder = self.tables / f"{name}.parquet", self.tables / name
        if partial.is_dir():
            if file.is_file():
                file.unlink()
                self._migrated.append(f"tables/{name}.parquet -> tables/{name}/")
            shutil.rmtree(folder, ignore_errors=True)
            partial.replace(folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)
            partial.replace(file)

    def write_frame(self, name: str, frame: Any, csv: bool = False) -> Path:
        """Write a pandas DataFrame as ``tables/<name>.parquet`` and, with ``csv``, ``<name>.csv`` beside it
        (for readers without a Parquet reader: spreadsheets, R without arrow). Each replaces the old
        file only when complete."""
        target = self.tables / f"{name}.parquet"
        partial = target.with_suffix(".parquet.partial")
        frame.to_parquet(partial, index=False)
        self._install(name, partial)
        if csv:
            self.write_csv(name, frame)
        return target

    def read_frame(self, name: str) -> Any:
        """``tables/<name>.parquet`` as a pandas DataFrame."""
        import pandas as pd

        return pd.concat([pd.read_parquet(path) for path in self.table_files(name)], ignore_index=True)

    def columns(self, name: str) -> list[str]:
        """The column names of ``tables/<name>.parquet``, read from its footer."""
        return pq.read_schema(self.table_files(name)[0]).names

    def remove_table(self, name: str) -> None:
        """Delete ``tables/<name>.parquet`` and its CSV, if there; for outputs the current settings no longer make."""
        for suffix in (".parquet", ".csv"):
            (self.tables / f"{name}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(self.tables / name, ignore_errors=True)

    def write_csv(self, name: str, frame: Any) -> Path:
        """Write a pandas DataFrame as ``tables/<name>.csv``, replacing the old file only when complete."""
        target = self.tables / f"{name}.csv"
        partial = target.with_suffix(".csv.partial")
        frame.to_csv(partial, index=False)
        partial.replace(target)
        return target

    def query(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyRelation:
        """Run DuckDB SQL with each table available as a view of its name."""
        return self._tables_connection().execute(sql, params or [])

    def query_batches(self, sql: str, rows: int) -> Iterator[pa.RecordBatch]:
        """Stream what DuckDB SQL over the tables returns, ``rows`` at a time, as Arrow record batches."""
        yield from self._tables_connection().sql(sql).to_arrow_reader(rows)

    def write_query(self, name: str, sql: str) -> Path:
        """Write what DuckDB SQL over the tables returns as ``tables/<name>``, replacing it when complete."""
        if name in DATASETS:
            partial = self._fresh_partial(name)
            options = (f"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {PART_ROWS}, ROW_GROUPS_PER_FILE 1, "
                       "FILENAME_PATTERN 'part-{i}', OVERWRITE_OR_IGNORE true")
        else:
            partial = self.tables / f"{name}.parquet.partial"
            options = "FORMAT parquet, COMPRESSION zstd"
        with self._tables_connection() as con:
            con.execute(f"COPY ({sql}) TO '{partial.as_posix()}' ({options})")
            if partial.is_dir() and not any(partial.iterdir()):  # no rows: DuckDB wrote no part; keep the columns
                con.execute(f"COPY (SELECT * FROM ({sql}) LIMIT 0) TO '{(partial / 'part-0.parquet').as_posix()}' "
                            "(FORMAT parquet)")
        self._install(name, partial)
        return self.table(name)

    def _tables_connection(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        for path in sorted(self.tables.iterdir()):
            if path.suffix == ".parquet" and path.is_file():
                con.execute(f"CREATE VIEW {path.stem} AS SELECT * FROM read_parquet('{path.as_posix()}')")
            elif path.is_dir() and path.suffix == "" and any(path.glob("*.parquet")):
                con.execute(f"CREATE VIEW {path.name} AS SELECT * FROM read_parquet('{path.as_posix()}/*.parquet')")
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
    """Appends rows to a Parquet file, or (``part_rows``) to a folder of part files of that many
    rows (the last one fewer).

    Rows are held until ``GROUP_ROWS`` of them or ``GROUP_BYTES`` of Arrow data have come, and
    then written as one row group: a stage writes a few hundred rows per task, and a row group
    per task made files larger and slower to write and read (each row group has its own
    dictionaries, statistics and compression frames). :meth:`Study.table_writer` puts the table
    in place only after the writer has closed without an error, so held rows are never half a
    table.
    """

    def __init__(self, target: Path, schema: pa.Schema, part_rows: int | None):
        self.target = target
        self.schema = schema
        self.part_rows = part_rows
        self.count = 0
        self._parquet: pq.ParquetWriter | None = None
        self._in_part = 0
        self._parts = 0
        self._held: list[pa.Table] = []
        self._held_rows = 0
        self._held_bytes = 0

    def write(self, rows: list[dict[str, Any]] | pa.Table) -> None:
        """Add dict rows, or a table of the writer's schema."""
        if isinstance(rows, pa.Table):
            if not rows.schema.equals(self.schema):
                raise ValueError(f"{self.target.name}: a table with columns {rows.schema} where {self.schema} "
                                 "was expected")
            table = rows
        else:
            table = pa.Table.from_pylist(rows, schema=self.schema)
        if not table.num_rows:
            return
        self._held.append(table)
        self._held_rows += table.num_rows
        self._held_bytes += table.nbytes
        self.count += table.num_rows
        if self._held_rows >= GROUP_ROWS or self._held_bytes >= GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        """Write the held rows, a part file's worth at a time."""
        table = pa.concat_tables(self._held) if self._held else None
        self._held, self._held_rows, self._held_bytes = [], 0, 0
        while table is not None and table.num_rows:
            if self._parquet is None:
                self._open()
            room = self.part_rows - self._in_part if self.part_rows else table.num_rows
            self._parquet.write_table(table.slice(0, room))
            self._in_part += min(room, table.num_rows)
            table = table.slice(room)
            if self.part_rows and self._in_part >= self.part_rows:
                self._parquet.close()
                self._parquet = None

    def _open(self) -> None:
        path = self.target / f"part-{self._parts}.parquet" if self.part_rows else self.target
        self._parquet = pq.ParquetWriter(path, self.schema, compression="zstd")
        self._parts += 1
        self._in_part = 0

    def close(self, discard: bool = False) -> None:
        """Write what is held (``discard``: drop it: the table will not be installed) and close."""
        if discard:
            self._held, self._held_rows, self._held_bytes = [], 0, 0
        self._flush()
        if self._parquet is None and self._parts == 0:
            self._open()  # an empty table is still a table, with its columns
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None


def write_atomically(table: pa.Table, target: Path) -> None:
    """Write a Parquet file that appears, by rename, only when complete.

    The partial file's name is the writer's own: two copies of one task (a Dask worker thought
    lost but still running) each finish theirs, and the target is always one whole file.
    """
    partial = target.with_name(f"{target.name}.{uuid.uuid4().hex[:12]}.partial")
    pq.write_table(table, partial, compression="zstd")
    partial.replace(target)


def _part_number(path: Path) -> tuple[int, str]:
    found = re.search(r"(\d+)", path.stem)
    return (int(found.group(1)) if found else -1, path.name)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Commit on success, roll back on error."""
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
