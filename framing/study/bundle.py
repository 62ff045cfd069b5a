"""A study shared without its text (``framing export``): what the bundle holds, writing it, and reading it back.

Copyright keeps scholars from publishing the articles they analysed. The bundle holds
everything else that reproduces the analysis: per article its URL, outlet, capture (WARC record
id, payload digest, time), hashes of its text, language, status and dates; the labels; the
character offsets of frame hits, quotations and actor mentions; the codebook, the pipeline, the
run manifest and any model cards. ``framing rehydrate`` fetches the text again and checks it
against the hashes (:mod:`framing.api.rehydration`); a page the study took from a web archive is
fetched from the archive again (``archive_url``, ``archived_at``), not from the live site.

One zip file, the form data repositories (Zenodo, OSF) take::

    README.md                        what it is, how to rehydrate, what the columns mean
    export.json                      format, study, codebook, tables (rows, columns), each member's SHA-256
    pipeline.yml                     the study's YAML as written
    codebook.yml                     the codebook's file as the study used it
    manifest.json                    the study's run manifest: stages, parameters, software versions
    models/<name>/model.card.json    model cards, when the study trained classifiers
    tables/<name>.parquet            articles, frame_hits, article_frames, quotes, quote_frames, ...

Which columns leave the study is an allow-list (:data:`SHARED_COLUMNS`), not a list of what to
drop: a column added to a table later stays home until someone decides it carries no text (the
export names it in ``export.json`` under ``left_out``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from framing import __version__
from framing.errors import FramingError

FORMAT = "framing-export"
VERSION = 1

# The tables a bundle may hold, in the order they are written; articles is the one it must hold.
TABLES = ("articles", "frame_hits", "article_frames", "quotes", "quote_frames", "actor_mentions", "urls",
          "prefiltered", "validation_labels")

# What may leave the study when text must stay home. Titles are the outlet's writing and come back
# with the text (re-extraction finds them again); bylines come back the same way. Quoted words and
# actor names are spans of the text: their offsets stay and they are restored from the text.
# Kept as spans' neighbours are the speaker as written, the speech verb and the negating word of a
# hit: a name, a verb and a function word, which the analysis needs and offsets cannot restore.
SHARED_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id", "url", "canonical_url", "outlet", "published", "date_source", "date_extracted",
                 "date_listed", "language", "n_chars", "content_hash", "status", "reason", "duplicate_of",
                 "warc_file", "warc_offset", "encoding", "cluster_id", "near_duplicate_of"),
    "frame_hits": ("article_id", "outlet", "frame", "pattern", "sentence", "start", "end", "sentence_start",
                   "sentence_end", "negated", "negated_by"),
    "article_frames": ("article_id", "outlet", "published", "frame", "hits", "negated_hits", "sentences_hit",
                       "n_sentences", "sentence_share", "present", "dominant", "score"),
    "quotes": ("article_id", "outlet", "quote", "start", "end", "speaker", "resolved", "actor", "verb", "direct"),
    "quote_frames": ("article_id", "outlet", "quote", "actor", "frame", "hits", "negated_hits", "present",
                     "dominant", "score"),
    "actor_mentions": ("article_id", "outlet", "actor", "start", "end"),
    "urls": ("url", "host", "outlet", "kind", "source", "via", "depth", "listed_date", "status", "reason",
             "http_status", "content_type", "attempts", "redirect_hops", "warc_file", "warc_offset", "fetched_at",
             "archive_url", "archived_at"),
    "prefiltered": ("url", "outlet", "warc_file", "warc_offset"),
    "validation_labels": ("unit", "frame", "gold", "rules", "classifier", "ensemble"),
}
# The article's words, in whatever table they sit: never in a bundle made with --no-text.
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {"articles": ("text", "title", "author"), "quotes": ("text",),
                                            "actor_mentions": ("name",)}
# Columns that are a span of the article's text between ``start`` and ``end``: each leaves a hash of
# itself (``<column>_sha256``), by which rehydrate restores it exactly (see :func:`restore_span`).
SPANS = {"quotes": "text", "actor_mentions": "name"}
# Columns an export adds: what identifies the article's text and capture without holding either.
ADDED_FIELDS: dict[str, tuple[pa.Field, ...]] = {
    "articles": (pa.field("text_sha256", pa.string()), pa.field("warc_record_id", pa.string()),
                 pa.field("warc_payload_digest", pa.string()), pa.field("captured", pa.timestamp("us", tz="UTC")),
                 pa.field("archive_url", pa.string()), pa.field("archived_at", pa.string())),
    "quotes": (pa.field("text_sha256", pa.string()),),
    "actor_mentions": (pa.field("name_sha256", pa.string()),),
}
FILES = ("pipeline.yml", "codebook.yml", "manifest.json")  # besides tables and model cards
REQUIRED = ("export.json", "pipeline.yml", "tables/articles.parquet")


def text_sha256(text: str | None) -> str | None:
    """SHA-256 of the exact text (hex): what the offsets of hits, quotes and mentions count in.

    The study's ``content_hash`` folds case and white space so that reformatted copies match as
    duplicates; a text that matches it may still have its characters in other places, so rehydrate
    trusts offsets only when this hash matches too.
    """
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def restore_span(raw: str | None, digest: str | None) -> str | None:
    """A span's words from the article's text between its offsets, as the study wrote them, or None.

    The tag stage writes some spans as they stand in the text and others with their white space
    collapsed (reported speech); the hash the export kept tells which, so the span comes back
    character for character or not at all.

    Examples
    --------
    >>> restore_span("a  long\\nquote", text_sha256("a long quote"))
    'a long quote'
    >>> restore_span("other words", text_sha256("a long quote")) is None
    True
    """
    if raw is None or digest is None:
        return None
    for candidate in (raw, " ".join(raw.split())):
        if text_sha256(candidate) == digest:
            return candidate
    return None


def shared_schema(name: str, source: pa.Schema, text: bool) -> tuple[pa.Schema, list[str]]:
    """The schema a table has in a bundle, and the source columns left out of it.

    Without ``text``, only :data:`SHARED_COLUMNS` leave the study; with it, every column does.
    Either way the export's own columns (:data:`ADDED_FIELDS`) follow.
    """
    allowed = set(SHARED_COLUMNS.get(name, ())) if not text else set(source.names)
    kept = [f for f in source if f.name in allowed]
    added = [f for f in ADDED_FIELDS.get(name, ()) if f.name not in allowed]
    return pa.schema(kept + added), [n for n in source.names if n not in allowed]


# -- writing ----------------------------------------------------------------------------------------

@dataclass
class TableEntry:
    """One table as the bundle lists it."""

    file: str
    rows: int
    columns: list[str]
    left_out: list[str] = field(default_factory=list)


class BundleWriter:
    """Stages a bundle's members in a temporary folder and zips them into place when complete.

    Parameters
    ----------
    target
        The zip file to write. It must not exist: an export never replaces a file.
    """

    def __init__(self, target: Path):
        self.target = Path(target)
        if self.target.exists():
            raise FramingError(f"{self.target} exists; an export never replaces a file. Choose another name, or "
                               "move the old one away yourself")
        if self.target.suffix.lower() != ".zip":
            raise FramingError(f"{self.target}: the export is one zip file; give a name ending in .zip")
        self._staging = tempfile.TemporaryDirectory(prefix="framing-export-")
        self.root = Path(self._staging.name)
        self.tables: dict[str, TableEntry] = {}

    def add_file(self, name: str, data: bytes) -> None:
        """A member as bytes (``pipeline.yml``, ``models/x/model.card.json``, ...)."""
        path = self.root / _member(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    @contextmanager
    def table(self, name: str, schema: pa.Schema, left_out: list[str]) -> Iterator[_TableSink]:
        """Write a table in pieces (pyarrow tables of ``schema``); listed with its rows when closed."""
        file = f"tables/{name}.parquet"
        path = self.root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        sink = _TableSink(pq.ParquetWriter(path, schema, compression="zstd"), schema)
        try:
            yield sink
        finally:
            sink.writer.close()
        self.tables[name] = TableEntry(file, sink.rows, schema.names, left_out)

    def close(self, info: dict[str, Any], readme: str) -> Path:
        """Write ``export.json`` and ``README.md`` beside the staged members, zip them, and put the zip in place.

        Parameters
        ----------
        info
            What ``export.json`` says besides the format, the tables and the checksums.
        readme
            The bundle's README.
        """
        try:
            (self.root / "README.md").write_text(readme, encoding="utf-8")
            members = sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
            listing = {"format": f"{FORMAT}/{VERSION}", "created": _now(), "framing": __version__, **info,
                       "tables": {name: vars(entry) for name, entry in self.tables.items()},
                       "members": {name: _sha256_file(self.root / name) for name in members}}
            (self.root / "export.json").write_text(json.dumps(listing, indent=2, default=str), encoding="utf-8")
            partial = self.target.with_name(self.target.name + ".partial")
            self.target.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(partial, "w") as archive:
                for name in ["README.md", "export.json", *[m for m in members if m != "README.md"]]:
                    # Parquet is compressed already; the text members are deflated
                    kind = zipfile.ZIP_STORED if name.endswith(".parquet") else zipfile.ZIP_DEFLATED
                    archive.write(self.root / name, name, compress_type=kind)
            partial.replace(self.target)
        finally:
            self._staging.cleanup()
        return self.target

    def abandon(self) -> None:
        """Drop the staged members (an export that failed leaves nothing behind)."""
        self._staging.cleanup()
        self.target.with_name(self.target.name + ".partial").unlink(missing_ok=True)


class _TableSink:
    def __init__(self, writer: pq.ParquetWriter, schema: pa.Schema):
        self.writer = writer
        self.schema = schema
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table.select(self.schema.names).cast(self.schema))
        self.rows += table.num_rows


# -- reading ----------------------------------------------------------------------------------------

@dataclass
class Bundle:
    """A bundle checked and unpacked into ``folder``.

    Attributes
    ----------
    folder
        Where its members are (``tables/``, ``pipeline.yml``, ...).
    info
        ``export.json``.
    """

    source: Path
    folder: Path
    info: dict[str, Any]

    @property
    def has_text(self) -> bool:
        """Whether the articles' text travelled with the bundle (an export without ``--no-text``)."""
        return bool(self.info.get("text"))

    def table_path(self, name: str) -> Path | None:
        """The Parquet file of a table the bundle holds; None for one it does not."""
        entry = self.info.get("tables", {}).get(name)
        return self.folder / entry["file"] if entry else None

    def columns(self, name: str) -> list[str]:
        entry = self.info.get("tables", {}).get(name)
        return list(entry["columns"]) if entry else []

    def file(self, name: str) -> Path | None:
        path = self.folder / name
        return path if name in self.info.get("members", {}) and path.is_file() else None

    def model_cards(self) -> list[str]:
        return sorted(m for m in self.info.get("members", {}) if m.startswith("models/"))


def open_bundle(path: Path, into: Path) -> Bundle:
    """Check a bundle and unpack it into the folder ``into``.

    Every member ``export.json`` lists must be there with its checksum, and the members a
    rehydration cannot do without (:data:`REQUIRED`) must be listed. Nothing outside the listing
    is unpacked, and no member may name a path outside ``into``.

    Raises
    ------
    FramingError
        Naming what is missing or damaged.
    """
    path = Path(path)
    if not path.is_file():
        raise FramingError(f"no export at {path}")
    if not zipfile.is_zipfile(path):
        raise FramingError(f"{path} is not a zip file, or a damaged one; an export made by `framing export` is one "
                           ".zip file")
    with zipfile.ZipFile(path) as archive:
        present = set(archive.namelist())
        if "export.json" not in present:
            raise FramingError(f"{path} is not a framing export: export.json is missing (it lists the tables and "
                               "their checksums)")
        try:
            info = json.loads(archive.read("export.json"))
            members: dict[str, str] = dict(info["members"])
            kind, _, version = str(info["format"]).partition("/")
            table_files = [str(entry["file"]) for entry in info.get("tables", {}).values()]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise FramingError(f"{path}: export.json is unreadable ({exc})") from exc
        if kind != FORMAT or not version.isdigit():
            raise FramingError(f"{path}: export.json names format {info.get('format')!r}, not {FORMAT}/N")
        if int(version) > VERSION:
            raise FramingError(f"{path} is a {kind}/{version} export, newer than this framing reads ({FORMAT}/"
                               f"{VERSION}); update framing")
        missing = [m for m in REQUIRED if m != "export.json" and m not in members]
        missing += [m for m in members if m not in present and m not in missing]
        missing += [file for file in table_files if file not in members and file not in missing]
        if missing:
            raise FramingError(f"{path} is incomplete: {', '.join(sorted(missing))} missing. Download the export "
                               "again, or ask its authors for a whole copy")
        into.mkdir(parents=True, exist_ok=True)
        damaged = []
        for name, digest in members.items():
            target = into / _member(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(name) as member, target.open("wb") as out:
                if _copy_hashing(member, out) != digest:
                    damaged.append(name)
        if damaged:
            raise FramingError(f"{path} is damaged: {', '.join(damaged)} do(es) not match the checksum export.json "
                               "gives. Download the export again")
    return Bundle(path, into, info)


def move_members(bundle: Bundle, folder: Path) -> Bundle:
    """Move an unpacked bundle's members into ``folder`` (replacing older copies of the same members only)."""
    for name in bundle.info["members"]:
        target = folder / _member(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(bundle.folder / name, target)
    listing = folder / "export.json"
    listing.write_text(json.dumps(bundle.info, indent=2, default=str), encoding="utf-8")
    return Bundle(bundle.source, folder, bundle.info)


def _member(name: str) -> str:
    """A member's name, refused when it would leave the bundle's folder (``../x``, ``/etc/x``)."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in Path(name).parts or not name:
        raise FramingError(f"the export names a member outside its folder: {name!r}")
    return name


def _copy_hashing(source: Any, out: Any) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(1 << 20):
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# -- the README inside ------------------------------------------------------------------------------

def readme(info: dict[str, Any], tables: dict[str, TableEntry], cards: Iterable[str]) -> str:
    """The README a bundle carries: what it is, what it holds, how to rehydrate it."""
    title = info.get("study", {}).get("title", "a study")
    book = info.get("codebook") or {}
    text = bool(info.get("text"))
    held = "\n".join(f"| `{e.file}` | {e.rows:,} | {TABLE_NOTES.get(name, '')} |" for name, e in tables.items())
    models = "".join(f"\n- `{c}`: a trained classifier's model card (the model itself is not shared)" for c in cards)
    warning = ("**This export holds the articles' text** (`text`, `title` and `author` of `articles`, quoted words "
               "in `quotes`, names in `actor_mentions`). Share it only where copyright allows.\n" if text else
               "**No article text is in this export**: no article text, title or byline, no quoted words, no "
               "sentence. What is left identifies each text (hashes) and points into it (character offsets).\n")
    codebook = (f"- `codebook.yml`: the codebook **{book.get('name')}**, version {book.get('version')}, as the study "
                "used it\n" if book else "")
    return f"""# {title}: a framing study, shared {"with" if text else "without"} its text

Made by `framing export` (framing {__version__}, https://pypi.org/project/framing/) on {_now()[:10]}.

{warning}
## Rehydrate it

```bash
pip install framing
framing rehydrate {info.get("name", "EXPORT.zip")} --workdir my-copy          # fetch every article again
framing rehydrate {info.get("name", "EXPORT.zip")} --workdir my-copy --warc 'archive/*.warc.gz'   # or from WARC files
framing run my-copy/study.yml aggregate report                       # the study's tables and report again
```

`rehydrate` looks for each article's capture in the WARC files given (by its WARC record id, else
its URL with the payload digest or the capture time), else fetches the URL again politely (the
study's per-host delay, robots.txt obeyed), extracts the text with the same code, and checks it
against `text_sha256`. Each article is reported `same` (the text is the study's, character for
character: every offset below points at the same words), `changed` (the page gives other text
now; the new text is kept and flagged), `vanished` (404, 410, host gone) or `not-fetched` (robots.txt,
timeout, redirect loop, error), in `my-copy/tables/rehydration.csv`.

## What it holds

| member | rows | what |
|---|---|---|
{held}

- `pipeline.yml`: the study's pipeline as written (sources, filters, crawl settings, tagging method)
{codebook}- `manifest.json`: what each stage of the original run did, with its parameters and software versions{models}
- `export.json`: the format ({FORMAT}/{VERSION}), the tables' rows and columns, and each file's SHA-256

The tables are Parquet: `pandas.read_parquet`, DuckDB `read_parquet`, R `arrow::read_parquet`.

## The hashes and offsets

- `articles.text_sha256`: SHA-256 (hex) of the article's text exactly as extracted (UTF-8).
- `articles.content_hash`: the study's own SHA-1 of the text lower-cased with white space collapsed
  (`" ".join(text.lower().split())`), used to find duplicates.
- `articles.warc_record_id`, `warc_payload_digest`, `captured`: the WARC record the text was extracted
  from (its `WARC-Record-ID`, `WARC-Payload-Digest` and `WARC-Date`); `warc_file` and `warc_offset` name the
  study's file and the record's place in it.
- `articles.archive_url`, `archived_at`: for a page captured from a web archive (`cdx:` sources), where
  the archive serves it (a replay URL, or a WARC file's URL with `#bytes=first-last`: one record of it)
  and when the archive captured it (ISO 8601, UTC); `framing rehydrate` fetches it there again.
- Offsets count Unicode characters (code points) from 0 in the article's text: in `frame_hits`,
  `text[start:end]` is the matched words and `text[sentence_start:sentence_end]` their sentence; in
  `quotes` and `actor_mentions`, `start`/`end` bound the quoted words and the actor's name, and
  `text_sha256` / `name_sha256` are hashes of those words as the study wrote them (reported speech
  with its white space collapsed).
"""


TABLE_NOTES = {
    "articles": "one row per page: URL, outlet, dates, language, status, hashes, WARC record",
    "frame_hits": "every match of a frame's pattern: offsets of the words and of their sentence, negation",
    "article_frames": "per article and frame: hits, share of sentences, present, dominant (the labels)",
    "quotes": "quotations: offsets, speaker as written, the actor linked, verb, direct or reported",
    "quote_frames": "per quotation and frame: present, dominant",
    "actor_mentions": "where articles name the codebook's actors (offsets)",
    "urls": "the crawl frontier: every URL with its status and reason (the coverage funnel)",
    "prefiltered": "WARC records set aside at import (no keyword)",
    "validation_labels": "out-of-fold labels of the gold units by method (for corrected shares)",
}
