"""Import foreign WARC files (CC-NEWS, another team's crawl) as captures, where they lie.

The files are read in place (no copy) and never modified. Each file is one task
(:func:`scan_warc`) for the engine's ``map``: files are read in parallel on a Dask cluster, one
after another here; the frontier takes their verdicts in file order, so the result does not
depend on where a file was read.

Only HTML responses become captures. With the study's ``filter.keywords``, a page whose text
mentions none of them is set aside at import and never extracted: on a news archive such as
CC-NEWS that is nearly every record, and the keyword test costs a fraction of an extraction.
Set-aside records are not frontier rows (a frontier of a hundred million URLs would make every
import insert them one by one, on one process): the task that read a file writes them to
``tables/prefiltered/<file key>.parquet`` (URL, outlet, file and offset, so each can be found
again) and the funnel counts them per outlet. The language filter waits for extraction:
``<html lang>`` is too often wrong to drop a page on.

A ledger in the frontier database (``warc_imports``) records each file read with its size,
modification time and the settings it was read under; a rerun reads only files that are new
or changed, or all of them when the keywords changed. A URL already in the frontier, from a
crawl or an earlier import, is left as it is, so importing twice adds nothing.

A file that leaves its source's glob (deleted, moved, or the glob changed), or whose source
leaves the study, leaves the ledger and its set-aside part with it.

A file with a corrupt or truncated record keeps what came before it; the rest of that file is
not read, the next files are, and the problem (file, offset, reason) is reported by every run.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from framing.collect.codings import BodyError, decode_body
from framing.collect.frontier import Frontier, checked_url
from framing.collect.htmltext import decode_html
from framing.collect.warcfile import WarcReadError, WarcResponse, iter_responses
from framing.study.config import Collect, Source
from framing.study.keywords import keyword_pattern, page_mentions
from framing.study.store import write_atomically
from framing.study.tables import PREFILTERED_SCHEMA

DEFAULT_MAX_BYTES = Collect.model_fields["max_bytes"].default
IMPORT_LOGIC = 1  # bumped when a file would be read differently: every file is then read again

Mapper = Callable[..., Iterator[Any]]


@dataclass
class ScannedFile:
    """What one task made of one WARC file."""

    path: str
    key: str
    pages: list[dict[str, Any]] = field(default_factory=list)  # frontier rows: captures and failures
    prefiltered: int = 0                                        # records set aside (written by the task)
    problem: str | None = None                                  # why reading stopped early


def import_warc(frontier: Frontier, source: Source, set_aside: Path, keywords: list[str] | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES, problems: list[str] | None = None,
                mapper: Mapper | None = None) -> tuple[int, int]:
    """Register the response records of a ``warc:`` source's files as captures.

    Parameters
    ----------
    frontier
        The study's frontier.
    source
        A ``warc:`` source (a glob, made absolute by the config loader).
    set_aside
        The folder of the ``prefiltered`` table (``tables/prefiltered``).
    keywords
        The study's ``filter.keywords``; none: nothing is set aside.
    max_bytes
        Largest decoded page.
    problems
        Gets a line per file with a corrupt or truncated record.
    mapper
        The engine's ``map``; default: one file after another in this process.

    Returns
    -------
    tuple of int
        New frontier rows, and records set aside, by the files read this time.
    """
    settings = (keywords or [], max_bytes, str(set_aside))
    read_before = frontier.warc_imports(source.label)
    paths = [str(Path(name).resolve()) for name in sorted(glob.glob(source.warc))]
    forget(frontier, set_aside, [path for path in read_before if path not in set(paths)])
    tasks = []
    for path in paths:
        key = _file_key(path, source.outlet, settings)
        if path in read_before and read_before[path][0] == key:
            if read_before[path][1] and problems is not None:
                problems.append(read_before[path][1])
            continue
        tasks.append((path, source.outlet, key))
    if tasks:
        # studies from before the ledger kept set-aside records as frontier rows; their files are
        # all read again now (none is in the ledger), and the records go to the table instead
        frontier.conn.execute("DELETE FROM urls WHERE source = ? AND status = 'prefiltered'", (source.label,))
    added = prefiltered = 0
    for scanned in (mapper or _in_turn)(scan_warc, tasks, settings):
        added += frontier.add_archived(scanned.pages, source.label)  # one statement per file
        frontier.record_import(scanned.path, source.label, scanned.key, scanned.problem)  # commits both
        prefiltered += scanned.prefiltered
        if scanned.problem and problems is not None:
            problems.append(scanned.problem)
    return added, prefiltered


def forget(frontier: Frontier, set_aside: Path, paths: list[str]) -> None:
    """Files no longer read (gone from their source's glob, or their source from the study): out of
    the ledger, and their set-aside records out of the funnel. Their captures stay in the frontier."""
    for path in paths:
        set_aside_file(set_aside, path).unlink(missing_ok=True)
    frontier.forget_imports(paths)


def _in_turn(func: Callable[..., Any], items: Iterable[Any], *args: Any) -> Iterator[Any]:
    return (func(item, *args) for item in items)


def _file_key(path: str, outlet: str | None, settings: tuple) -> str:
    """The same file (size and modification time) read under the same settings: the same key."""
    stat = os.stat(path)
    keywords, max_bytes, _ = settings
    payload = json.dumps([stat.st_size, stat.st_mtime_ns, outlet, sorted(keywords), max_bytes, IMPORT_LOGIC])
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def set_aside_file(folder: Path, path: str) -> Path:
    """Where the records of WARC file ``path`` that were set aside are listed."""
    return folder / f"{hashlib.sha1(path.encode()).hexdigest()[:16]}.parquet"


def scan_warc(task: tuple[str, str | None, str], settings: tuple[list[str], int, str]) -> ScannedFile:
    """Read one WARC file: frontier rows for its captures and failures; the records set aside
    are written to the file's part of the ``prefiltered`` table (replaced when complete).

    Runs wherever the engine puts it (a Dask worker reads the file at the same path).
    """
    path, outlet, key = task
    keywords, max_bytes, set_aside = settings
    topic = keyword_pattern(keywords) if keywords else None
    scanned = ScannedFile(path, key)
    aside: list[dict[str, Any]] = []
    try:
        for record in iter_responses(Path(path)):
            url, host, problem = checked_url(record.url or "")  # here, not in the frontier: in parallel
            verdict = {"status": "invalid-url", "reason": problem} if problem else \
                _verdict(record, path, topic, max_bytes)
            row = {"url": url, "host": host, "outlet": outlet or host or "(no host)", **verdict}
            if row["status"] == "prefiltered":
                aside.append({"url": url, "outlet": row["outlet"], "warc_file": path, "warc_offset": record.offset})
            else:
                scanned.pages.append(row)
    except WarcReadError as exc:
        scanned.problem = str(exc)
    _write_set_aside(set_aside_file(Path(set_aside), path), aside)
    scanned.prefiltered = len(aside)
    return scanned


def _write_set_aside(target: Path, rows: list[dict[str, Any]]) -> None:
    if not rows:
        target.unlink(missing_ok=True)  # a file read again under other keywords may set nothing aside
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(pa.Table.from_pylist(rows, schema=PREFILTERED_SCHEMA), target)


def _verdict(record: WarcResponse, path: str, topic: re.Pattern[str] | None, max_bytes: int) -> dict[str, Any]:
    ctype = record.content_type.split(";")[0].strip().lower()
    if record.status >= 400:
        return {"status": f"http-{record.status}", "reason": "as archived", "http_status": record.status}
    if 300 <= record.status < 400:
        return {"status": "redirected", "reason": "as archived", "http_status": record.status}
    if ctype not in ("text/html", "application/xhtml+xml", ""):
        return {"status": "not-html", "reason": ctype, "http_status": record.status}
    if topic is not None and not _mentions(record, topic, max_bytes):
        return {"status": "prefiltered", "reason": "none of filter.keywords in the page"}
    return {"status": "fetched", "reason": None, "warc_file": path, "warc_offset": record.offset,
            "http_status": record.status, "content_type": record.content_type, "fetched_at": record.date}


def _mentions(record: WarcResponse, topic: re.Pattern[str], max_bytes: int) -> bool:
    """Whether the record's page mentions the topic; a body that cannot be decoded goes on to extract,
    which records why."""
    try:
        body = decode_body(record.body, record.content_encoding, max_bytes)
    except BodyError:
        return True
    return page_mentions(decode_html(body, record.content_type).text, topic)
