"""``framing export``: a study as one zip file that reproduces its analysis, with or without the articles' text.

What the bundle holds and which columns may leave the study are :mod:`framing.study.bundle`'s;
this module reads the study's tables and WARC records and fills the bundle. It reads and never
writes the study: nothing of it is changed or removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from framing.api.common import as_pipeline
from framing.collect.warcfile import WarcReadError, response_at
from framing.errors import FramingError
from framing.study.bundle import (
    SPANS,
    TABLES,
    TEXT_COLUMNS,
    BundleWriter,
    TableEntry,
    readme,
    shared_schema,
    text_sha256,
)
from framing.study.codebook import load_codebook, resolve
from framing.study.config import DEFAULT_USER_AGENT, Pipeline
from framing.study.stages import Progress
from framing.study.store import Study


@dataclass
class Export:
    """What ``framing export`` wrote.

    Attributes
    ----------
    path
        The zip file.
    text
        Whether the articles' text is in it.
    tables
        Each table in it with its rows, columns and the columns left out.
    files
        The other members: pipeline, codebook, manifest, model cards, README.
    records
        Articles whose WARC record (id, digest, time) was found and named in the export.
    captures_missing
        Articles with a capture the study no longer has (a moved or deleted WARC file): rehydrate
        finds them by URL.
    """

    path: Path
    text: bool
    tables: dict[str, TableEntry]
    files: list[str]
    articles: int = 0
    records: int = 0
    captures_missing: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def export(pipeline: Pipeline | str | Path, out: str | Path, text: bool = True,
           progress: Progress | None = None) -> Export:
    """Write a study's tables, codebook, pipeline, manifest and model cards into one zip file.

    Parameters
    ----------
    pipeline
        The study's YAML file, or a loaded pipeline.
    out
        The zip file to write; it must not exist.
    text
        Include the articles' text (and titles, bylines, quoted words, actor names). False is
        ``--no-text``: what may be published where copyright forbids sharing the text.
    progress
        Called as ``progress("export", rows done, rows)`` while the tables are written.

    Raises
    ------
    FramingError
        The study has no article table yet, or ``out`` exists or is not a ``.zip`` name.
    """
    spec = as_pipeline(pipeline)
    if not (spec.workdir / "tables").is_dir():  # Study() would create the folder: an export must not
        raise FramingError(f"no study at {spec.workdir}; run `framing run {spec.path or 'PIPELINE'}` first")
    study = Study(spec.workdir)
    if not study.has_table("articles"):
        raise FramingError(f"no articles yet in {spec.workdir}; run `framing run {spec.path or 'PIPELINE'}` first")
    report = progress or (lambda stage, done, total: None)
    writer = BundleWriter(Path(out))
    result = Export(writer.target, text, {}, [])
    records = _Records(study)
    try:
        files = _files(spec, study)
        if spec.collect.user_agent != DEFAULT_USER_AGENT:
            result.notes.append(f"pipeline.yml travels as written, with collect.user_agent "
                                f"{spec.collect.user_agent!r}")
        for name, data in files.items():
            writer.add_file(name, data)
        present = [name for name in TABLES if study.has_table(name)]
        total = sum(pq.ParquetFile(p).metadata.num_rows for name in present for p in study.table_files(name))
        done = 0
        for name in present:
            schema, left_out = shared_schema(name, pq.read_schema(study.table_files(name)[0]), text)
            with writer.table(name, schema, left_out) as sink:
                for table in _shared(study, name, records if name == "articles" else None):
                    sink.write(table)
                    done += table.num_rows
                    report("export", done, total)
            unknown = [c for c in left_out if c not in TEXT_COLUMNS.get(name, ())]
            if unknown:
                result.notes.append(f"{name}: column(s) {', '.join(unknown)} left out: not on the list of columns "
                                    "known to carry no text (framing.study.bundle.SHARED_COLUMNS)")
        result.articles, result.records, result.captures_missing = records.articles, records.found, records.missing
        book = load_codebook(spec.codebook, base=_base(spec)) if spec.codebook else None
        info = {"name": writer.target.name, "text": text,
                "study": {"title": spec.title, "workdir": spec.workdir.name},
                "codebook": {"name": book.name, "version": book.version, "file": "codebook.yml"} if book else None,
                "articles": {"rows": records.articles, "with_warc_record": records.found,
                             "capture_missing": records.missing}}
        cards = [name for name in files if name.startswith("models/")]
        writer.close(info, readme(info, writer.tables, cards))
    except BaseException:
        writer.abandon()
        raise
    finally:
        records.close()
    result.tables = writer.tables
    result.files = ["README.md", *files]
    return result


def _base(spec: Pipeline) -> Path | None:
    return spec.path.parent if spec.path else None


def _files(spec: Pipeline, study: Study) -> dict[str, bytes]:
    """The bundle's members besides its tables: the pipeline as written, the codebook's file, the
    run manifest and the model cards (the models themselves stay: their vocabularies are the text's words)."""
    files = {"pipeline.yml": spec.path.read_bytes() if spec.path and spec.path.is_file() else
             yaml.safe_dump(spec.model_dump(mode="json", exclude={"path"}), sort_keys=False).encode()}
    if spec.codebook:
        files["codebook.yml"] = resolve(spec.codebook, _base(spec)).read_bytes()
    if study.manifest_path.is_file():
        files["manifest.json"] = study.manifest_path.read_bytes()
    for card in sorted((spec.workdir / "models").glob("*/model.card.json")):
        files[f"models/{card.parent.name}/model.card.json"] = card.read_bytes()
    return files


def _shared(study: Study, name: str, records: _Records | None) -> Iterator[pa.Table]:
    """A table's rows in pieces, with the export's own columns: the text's hash and the WARC record of
    each article, the hash of each quoted passage and named actor."""
    for batch in study.iter_batches(name, study.columns(name)):
        table = pa.Table.from_batches([batch])
        if name == "articles" and records is not None:
            rows = table.select(["text", "warc_file", "warc_offset"]).to_pylist()
            found = [records.of(row["warc_file"], row["warc_offset"]) for row in rows]
            archived = [records.archived.get(url, (None, None)) for url in table.column("url").to_pylist()]
            table = (table.append_column("text_sha256", pa.array([text_sha256(r["text"]) for r in rows], pa.string()))
                     .append_column("warc_record_id", pa.array([f[0] for f in found], pa.string()))
                     .append_column("warc_payload_digest", pa.array([f[1] for f in found], pa.string()))
                     .append_column("captured", pa.array([f[2] for f in found], pa.timestamp("us", tz="UTC")))
                     .append_column("archive_url", pa.array([a[0] for a in archived], pa.string()))
                     .append_column("archived_at", pa.array([a[1] for a in archived], pa.string())))
        if name in SPANS:
            span = SPANS[name]
            table = table.append_column(f"{span}_sha256", pa.array(
                [text_sha256(v) for v in table.column(span).to_pylist()], pa.string()))
        if "warc_file" in table.column_names:  # a file's name, not where it sat on the author's disk
            names = [Path(v).name if v else v for v in table.column("warc_file").to_pylist()]
            table = table.set_column(table.column_names.index("warc_file"), "warc_file", pa.array(names, pa.string()))
        yield table


class _Records:
    """Each article's WARC record identity (record id, payload digest, capture time), read from the
    study's captures one file at a time (the article table is in capture order); and for a page taken
    from a web archive where and when the archive had it (``archived``: URL -> (archive_url,
    archived_at)), so that rehydrate asks the archive again rather than the live site."""

    def __init__(self, study: Study):
        self.study = study
        self.articles = self.found = self.missing = 0
        self._name: str | None = None
        self._handle: BinaryIO | None = None
        self.archived: dict[str, tuple[str, str | None]] = {}
        if study.state_db.is_file():  # read where it exists: an export creates nothing in the study
            with closing(study.connect_state()) as conn:
                if {"archive_url", "archived_at"} <= {row[1] for row in conn.execute("PRAGMA table_info(urls)")}:
                    self.archived = {url: (where, when) for url, where, when in conn.execute(
                        "SELECT url, archive_url, archived_at FROM urls WHERE kind = 'page' "
                        "AND archive_url IS NOT NULL")}

    def of(self, name: str | None, offset: int | None) -> tuple[str | None, str | None, dt.datetime | None]:
        self.articles += 1
        if not name or offset is None:
            return None, None, None
        handle = self._open(name)
        record = None
        if handle is not None:
            try:
                record = response_at(handle, offset)
            except WarcReadError:
                record = None
        if record is None:
            self.missing += 1
            return None, None, None
        self.found += 1
        return record.record_id, record.payload_digest, _when(record.date)

    def _open(self, name: str) -> BinaryIO | None:
        if name != self._name:
            self.close()
            self._name = name
            try:
                self._handle = (self.study.captures / name).open("rb")
            except OSError:
                self._handle = None
        return self._handle

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle = None


def _when(date: str | None) -> dt.datetime | None:
    if not date:
        return None
    try:
        when = dt.datetime.fromisoformat(date)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
