"""Put a pipeline's sources into the frontier, and import foreign WARC files as captures."""

from __future__ import annotations

import glob
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from framing.collect.codings import BodyError, decode_body
from framing.collect.discover import url_list
from framing.collect.frontier import Candidate, Frontier, host_of, normalize
from framing.collect.htmltext import decode_html
from framing.collect.warcfile import WarcReadError, WarcResponse, iter_responses
from framing.study.config import Collect, Filter, Source
from framing.study.keywords import keyword_pattern, page_mentions

DEFAULT_MAX_BYTES = Collect.model_fields["max_bytes"].default
_KIND = {"feed": "feed", "sitemap": "sitemap", "crawl": "listing"}


def seed_sources(frontier: Frontier, sources: list[Source], study_filter: Filter | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, problems: list[str] | None = None,
                 mapper: Mapper | None = None) -> int:
    """Insert each source's entry URLs; return how many were new. WARC sources are imported, and
    with ``study_filter.keywords`` their pages that mention none are set aside (see :func:`import_warc`)."""
    added = 0
    for source in sources:
        if source.kind in _KIND:
            outlet = source.outlet or host_of(source.location)
            added += frontier.add(Candidate(source.location, outlet=outlet, kind=_KIND[source.kind],
                                            source=source.label))
        elif source.kind == "urls":
            for url, outlet in url_list(source.urls, source.url_column, source.outlet_column):
                name = outlet or source.outlet or host_of(url)
                added += frontier.add(Candidate(url, outlet=name, kind="page", source=source.label))
        elif source.kind == "warc":
            keywords = list(study_filter.keywords or []) if study_filter else []
            added += import_warc(frontier, source, keywords, max_bytes, problems, mapper)
    frontier.conn.commit()
    return added


def import_warc(frontier: Frontier, source: Source, keywords: list[str] | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES, problems: list[str] | None = None,
                mapper: Mapper | None = None) -> int:
    """Register every response record of the matching WARC files as a capture, in place.

    The files are read where they are (no copy) and never modified. A URL already in the
    frontier, from a crawl or an earlier import, is skipped, so importing twice adds nothing.
    Only HTML responses become captures; with ``keywords`` (the study's), a page whose text
    mentions none of them is recorded as ``prefiltered`` and never extracted: on a news archive
    such as CC-NEWS that is nearly every record, and the keyword test costs a fraction of an
    extraction. The language filter waits for extraction: ``<html lang>`` is too often wrong to
    drop a page on.

    Each file is one task (:func:`scan_warc`) for ``mapper`` (the engine's ``map``: files read in
    parallel on a Dask cluster, or one after another here); the frontier takes their verdicts in
    file order, so the result does not depend on where the files were read.

    A file with a corrupt or truncated record keeps what came before it; the rest of that file
    is not read, the next files are, and ``problems`` gets the file, the offset and the reason
    (the collect stage's summary shows them).
    """
    mapper = mapper or _in_turn
    files = [(str(Path(name).resolve()), source.outlet) for name in sorted(glob.glob(source.warc))]
    settings = (keywords or [], max_bytes)
    added = 0
    for pages, problem in mapper(scan_warc, files, settings):
        added += frontier.add_archived(pages, source.label)  # one statement per file, not three per record
        frontier.conn.commit()
        if problem and problems is not None:
            problems.append(problem)
    return added


Mapper = Callable[..., Iterator[Any]]


def _in_turn(func: Callable[..., Any], items: Iterable[Any], *args: Any) -> Iterator[Any]:
    return (func(item, *args) for item in items)


def scan_warc(task: tuple[str, str | None], settings: tuple[list[str], int]
              ) -> tuple[list[dict[str, Any]], str | None]:
    """One WARC file's response records as frontier verdicts, and the reason it stopped early (or None).

    Runs wherever the engine puts it (a Dask worker reads the file at the same path).
    """
    path, outlet = task
    keywords, max_bytes = settings
    topic = keyword_pattern(keywords) if keywords else None
    pages: list[dict[str, Any]] = []
    try:
        for record in iter_responses(Path(path)):
            try:
                url = normalize(record.url)
                name = outlet or host_of(url)
            except ValueError:  # a URL no server could be asked for: the frontier records it as invalid-url
                url, name = record.url or "", outlet or "(no host)"
            pages.append({"url": url, "outlet": name,
                          **_verdict(record, path, topic, max_bytes)})
    except WarcReadError as exc:
        return pages, str(exc)
    return pages, None


def _verdict(record: WarcResponse, path: str, topic: re.Pattern[str] | None, max_bytes: int) -> dict[str, Any]:
    ctype = record.content_type.split(";")[0].strip().lower()
    if record.status >= 400:
        return {"status": f"http-{record.status}", "reason": "as archived", "http_status": record.status}
    if 300 <= record.status < 400:
        return {"status": "redirected", "reason": "as archived", "http_status": record.status}
    if ctype not in ("text/html", "application/xhtml+xml", ""):
        return {"status": "not-html", "reason": ctype, "http_status": record.status}
    if topic is not None and not _mentions(record, topic, max_bytes):
        return {"status": "prefiltered", "reason": "none of filter.keywords in the page",
                "http_status": record.status}
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
