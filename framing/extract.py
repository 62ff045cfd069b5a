"""Extract: a capture (the bytes of a page) -> one Article row, with a status instead of a drop.

Settings follow the measurements in DESIGN.md: comments off, tables and the fallback
extractors on; metadata from ``bare_extraction``. A feed's or sitemap's date wins over the one
found in the page when both exist, and both are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import py3langid
import trafilatura

from framing.config import Extract, Filter
from framing.htmltext import decode_html

_TITLE_SEPARATORS = re.compile(r"\s+[|–—:·-]\s+|\s+::\s+")
_PAYWALL_WORDS = re.compile(
    r"subscribe to (continue|read)|subscribers only|for subscribers|premium article|already a subscriber"
    r"|abonnieren sie|nur für abonnenten|abo-artikel|weiterlesen mit|isAccessibleForFree\"?\s*:\s*\"?false",
    re.IGNORECASE,
)


@dataclass
class Capture:
    """One fetched page, as the extract stage receives it."""

    url: str
    outlet: str
    body: bytes
    content_type: str = ""
    listed_date: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None


def article_id(url: str) -> str:
    """A stable id: the first 16 hex digits of the URL's SHA-1."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def content_hash(text: str) -> str:
    """SHA-1 of the text with case and white space folded, so reformatted copies still match."""
    return hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def clean_title(title: str | None, *site_names: str | None) -> str | None:
    """Drop a leading or trailing site name: "Headline | The Daily" -> "Headline"; else keep the title."""
    if not title:
        return title
    title = title.strip()
    names = {n.strip().lower() for n in site_names if n}
    separators = list(_TITLE_SEPARATORS.finditer(title))
    if separators and title[separators[-1].end():].strip().lower() in names:
        return title[:separators[-1].start()].strip()
    if separators and title[:separators[0].start()].strip().lower() in names:
        return title[separators[0].end():].strip()
    return title


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def extract_page(capture: Capture, options: Extract) -> dict[str, Any]:
    """Turn one capture into an Article row (status ``ok`` or the reason it is not an article)."""
    row: dict[str, Any] = {
        "article_id": article_id(capture.url), "url": capture.url, "canonical_url": capture.url,
        "outlet": capture.outlet, "date_listed": _date(capture.listed_date), "warc_file": capture.warc_file,
        "warc_offset": capture.warc_offset, "status": "ok", "reason": None, "n_chars": 0,
    }
    try:
        page, _ = decode_html(capture.body, capture.content_type)
    except (LookupError, ValueError) as exc:
        return {**row, "status": "decode-error", "reason": str(exc)[:200]}
    doc = trafilatura.bare_extraction(
        page, url=capture.url, fast=options.fast, favor_precision=options.favor_precision,
        include_comments=False, include_tables=True, with_metadata=True,
    )
    if doc is None or not (doc.text or "").strip():
        return {**row, "status": "empty", "reason": "no main text found"}
    text = doc.text.strip()
    extracted = _date(doc.date)
    published = row["date_listed"] or extracted
    row.update(
        canonical_url=doc.url or capture.url, title=clean_title(doc.title, doc.sitename, capture.outlet),
        author=doc.author, text=text, n_chars=len(text), content_hash=content_hash(text),
        date_extracted=extracted, published=published,
        date_source="listing" if row["date_listed"] else ("page" if extracted else None),
        language=detect_language(text),
    )
    if len(text) < options.min_chars:
        paywalled = _PAYWALL_WORDS.search(page) is not None
        row["status"] = "paywall-suspected" if paywalled else "too-short"
        row["reason"] = f"{len(text)} characters < extract.min_chars {options.min_chars}"
    return row


def detect_language(text: str) -> str:
    """ISO 639-1 code from the first 400 characters (about 60 words).

    langid's cost grows with the text and was 12% of extraction at 1,000 characters; 60 words
    tell news languages apart reliably, and the demo test checks every article's language."""
    return py3langid.classify(text[:400])[0]


def keyword_pattern(keywords: list[str]) -> re.Pattern[str]:
    """Topic keywords as one case-insensitive regex; ``*`` matches any word characters."""
    alternatives = [r"\b" + re.escape(k.strip()).replace(r"\*", r"\w*").replace(r"\ ", r"\s+") for k in keywords]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def apply_filter(row: dict[str, Any], study_filter: Filter, topic: re.Pattern[str] | None) -> dict[str, Any]:
    """Give an ``ok`` row the first filter status it fails: language, date range, topic."""
    if row["status"] != "ok":
        return row
    published = row.get("published")
    if study_filter.languages and row["language"] not in study_filter.languages:
        return {**row, "status": "wrong-language", "reason": f"{row['language']} not in {study_filter.languages}"}
    if published and study_filter.since and published < study_filter.since:
        return {**row, "status": "out-of-range", "reason": f"published {published} before {study_filter.since}"}
    if published and study_filter.until and published > study_filter.until:
        return {**row, "status": "out-of-range", "reason": f"published {published} after {study_filter.until}"}
    if topic is not None and not topic.search(f"{row.get('title') or ''}\n{row['text']}"):
        return {**row, "status": "off-topic", "reason": "no filter.keywords match"}
    return row


# -- parallel map -------------------------------------------------------------------------------

_worker_options: Extract | None = None


def _init_worker(options: Extract) -> None:
    global _worker_options
    _worker_options = options


def _extract_in_worker(batch: list[Capture]) -> list[dict[str, Any]]:
    return [extract_page(capture, _worker_options) for capture in batch]


def worker_count(requested: int) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


def extract_all(captures: Iterable[Capture], options: Extract, study_filter: Filter,
                progress: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
    """Extract and filter captures, in order, on ``options.workers`` processes; streams rows.

    Parameters
    ----------
    captures
        Any iterable, consumed lazily; memory stays bounded by the pool's chunks.
    options, study_filter
        The pipeline's ``extract`` and ``filter`` blocks.
    progress
        Called with the number of captures done so far.
    """
    topic = keyword_pattern(study_filter.keywords) if study_filter.keywords else None
    workers = worker_count(options.workers)
    if workers == 1:
        rows: Iterable[dict[str, Any]] = (extract_page(c, options) for c in captures)
        yield from _finish(rows, study_filter, topic, progress)
        return
    # fork shares the already imported extractors and the loaded language model with the
    # workers; a fresh interpreter per worker costs about a second of imports each
    detect_language("warm up the language model before forking")
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(options,)) as pool:
        yield from _finish(_ordered_map(pool, captures, workers), study_filter, topic, progress)


def _ordered_map(pool: Any, captures: Iterable[Capture], workers: int, batch: int = 4) -> Iterator[dict[str, Any]]:
    """Like ``pool.imap`` but the captures are read in this thread (the frontier's SQLite cursor
    lives here) and at most a few batches per worker are in flight, so memory stays bounded."""
    pending: deque = deque()
    iterator = iter(captures)
    while True:
        while len(pending) < workers * 4 and (chunk := list(islice(iterator, batch))):
            pending.append(pool.apply_async(_extract_in_worker, (chunk,)))
        if not pending:
            return
        yield from pending.popleft().get()


def _finish(rows: Iterable[dict[str, Any]], study_filter: Filter, topic: re.Pattern[str] | None,
            progress: Callable[[int], None] | None) -> Iterator[dict[str, Any]]:
    for done, row in enumerate(rows, 1):
        yield apply_filter(row, study_filter, topic)
        if progress:
            progress(done)


# Exact duplicates among in-scope articles: the earliest published copy (then the smallest URL)
# is the original; every other copy keeps its row, outlet and text, with status "duplicate".
LINK_DUPLICATES_SQL = """
SELECT * EXCLUDE (rank_in_group, original) REPLACE (
    CASE WHEN status = 'ok' AND rank_in_group > 1 THEN 'duplicate' ELSE status END AS status,
    CASE WHEN status = 'ok' AND rank_in_group > 1 THEN 'same text as ' || original ELSE reason END AS reason,
    CASE WHEN status = 'ok' AND rank_in_group > 1 THEN original END AS duplicate_of
)
FROM (
    SELECT *,
        row_number() OVER w AS rank_in_group,
        first_value(article_id) OVER w AS original
    FROM raw
    WINDOW w AS (PARTITION BY CASE WHEN status = 'ok' THEN content_hash ELSE article_id END
                 ORDER BY published NULLS LAST, url)
)
ORDER BY outlet, published, url
"""
