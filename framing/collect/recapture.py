"""Articles' pages found again, for a study rehydrated from an export (``framing rehydrate``).

Two ways, in this order. In WARC files the user has (a copy of the study's own captures, an
archive's): by the record's ``WARC-Record-ID``, else by the URL with the same payload digest, else
by the URL captured closest to the study's capture time. Then, for what no file holds, by fetching
the URL again through the crawler itself (:class:`~framing.collect.crawler.Crawler`), so that
robots.txt, the per-host delay, retries, redirects and every size and time limit are the study's
own. A page the study took from a web archive is asked of that archive again (its replay URL, or
its WARC record's byte range on Common Crawl's data host), under the archive's robots.txt and its
delay, never of the live site: that is the text the study analysed. Each URL ends with a capture
(:class:`Found`) or a verdict with its reason (:class:`Lost`).
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import BinaryIO

from framing.collect.captures import Capture
from framing.collect.commoncrawl import byte_range
from framing.collect.crawler import Crawler, CrawlReport
from framing.collect.frontier import Candidate, Frontier, host_of, normalize
from framing.collect.warcfile import WarcReadError, WarcResponse, iter_responses, read_response, response_at
from framing.study.config import ARCHIVE_DELAY_S, COMMONCRAWL_DATA_DELAY_S, Collect
from framing.study.store import Study

SOURCE = "rehydrate"  # the frontier's source label of URLs fetched again
GONE = ("http-404", "http-410")
# a host name that does not exist (NXDOMAIN), as Linux, macOS and Windows word it. "Temporary failure
# in name resolution" is not among them: an offline machine says that of every host.
NO_SUCH_HOST = ("name or service not known", "nodename nor servname provided", "no such host is known",
                "no address associated with hostname")
Steps = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Wanted:
    """An article whose page is to be found again.

    Attributes
    ----------
    key
        The article's id in the export.
    url, outlet
        As the study recorded them.
    record_id, payload_digest, captured
        The study's WARC record of the page (``WARC-Record-ID``, ``WARC-Payload-Digest``, ``WARC-Date``), if known.
    archive_url, archived_at
        For a page taken from a web archive: where the archive serves it and when it captured it.
    """

    key: str
    url: str
    outlet: str
    record_id: str | None = None
    payload_digest: str | None = None
    captured: dt.datetime | None = None
    archive_url: str | None = None
    archived_at: str | None = None


@dataclass
class Found:
    """Where an article's page is now: a record in a given WARC file, or a capture fetched again.

    ``matched_by`` says how: ``record-id``, ``digest`` (URL and payload digest), ``url`` (URL and the
    nearest capture time) or ``fetch``. ``warc_file`` is the given file's absolute path, or the name
    of the study's own capture file; ``fetched_url`` is where redirects led.
    """

    key: str
    url: str
    outlet: str
    matched_by: str
    warc_file: str
    warc_offset: int
    warc_length: int | None = None
    fetched_url: str | None = None

    @property
    def source(self) -> str:
        return "fetch" if self.matched_by == "fetch" else "warc"


@dataclass
class Lost:
    """An article whose page was not found: ``vanished`` or ``not-fetched``, with the reason."""

    key: str
    url: str
    verdict: str
    reason: str
    fetched_url: str | None = None


@dataclass
class Refetch:
    """What fetching again gave: captures, verdicts, and the crawl's own report (requests, robots)."""

    found: dict[str, Found] = field(default_factory=dict)
    lost: dict[str, Lost] = field(default_factory=dict)
    crawl: CrawlReport = field(default_factory=CrawlReport)


def find_in_warcs(wanted: list[Wanted], paths: list[Path], progress: Steps | None = None
                  ) -> tuple[dict[str, Found], list[str]]:
    """Each wanted page's best record in the WARC files, and the files that broke off.

    A record with the article's record id wins; then a successful (2xx) response for its URL with
    its payload digest; then one for its URL captured nearest the study's time. A file that cannot
    be read to its end gives the records before the damage, and is named in the second value.
    """
    by_id = {w.record_id: w for w in wanted if w.record_id}
    by_url: dict[str, list[Wanted]] = {}
    for w in wanted:
        by_url.setdefault(w.url, []).append(w)
    best: dict[str, tuple[tuple[int, float], Found]] = {}
    problems = []
    for done, path in enumerate(paths, 1):
        try:
            for record in iter_responses(path):
                for w, rank in _matches(record, by_id, by_url):
                    score = (rank, _distance(record.date, w.captured))
                    if w.key not in best or score < best[w.key][0]:
                        best[w.key] = (score, Found(w.key, w.url, w.outlet, _MATCHES[rank], str(path.resolve()),
                                                   record.offset))
        except WarcReadError as exc:
            problems.append(str(exc))
        if progress:
            progress(done, len(paths))
    return {key: found for key, (_, found) in best.items()}, problems


_MATCHES = ("record-id", "digest", "url")


def _matches(record: WarcResponse, by_id: dict[str, Wanted], by_url: dict[str, list[Wanted]]
             ) -> Iterator[tuple[Wanted, int]]:
    if record.record_id and (w := by_id.get(record.record_id)) is not None:
        yield w, 0
        return
    if not 200 <= record.status < 300 or not record.url:
        return  # a redirect or an error page at the URL is not the article
    try:
        url = normalize(record.url)
    except ValueError:
        return
    for w in by_url.get(url, ()):
        yield w, 1 if w.payload_digest and w.payload_digest == record.payload_digest else 2


def _distance(date: str | None, captured: dt.datetime | None) -> float:
    """Seconds between a record's WARC-Date and the study's capture time; infinite when either is unknown."""
    if not date or captured is None:
        return math.inf
    try:
        when = dt.datetime.fromisoformat(date)
    except ValueError:
        return math.inf
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return abs((when - captured).total_seconds())


def fetch_again(wanted: list[Wanted], study: Study, settings: Collect, progress: Steps | None = None,
                host_delays: dict[str, float] | None = None) -> Refetch:
    """Fetch each wanted URL again into ``study``'s captures, through the crawler and its frontier.

    The URLs go into the study's frontier as pages of source ``rehydrate``; the crawler reads each
    host's robots.txt, keeps the per-host delay and follows redirects as separate URLs, so a loop
    or an endless chain ends with its reason. A rerun fetches nothing already stored, and tries
    again what failed.

    Parameters
    ----------
    settings
        The study's ``collect`` block (its page budget does not apply: every article is wanted).
    host_delays
        Seconds between requests to archive hosts, over the defaults of :func:`archive_host_delays`
        (the original study's cdx sources say theirs).
    """
    out = Refetch()
    if not wanted:
        return out
    with study.connect_state() as conn:
        frontier = Frontier(conn)
        for w in wanted:
            frontier.add(Candidate(w.url, outlet=w.outlet, kind="page", source=SOURCE, archive_url=w.archive_url,
                                   archived_at=w.archived_at))
        conn.execute("UPDATE urls SET status = 'queued', attempts = 0, reason = 'again after: ' || coalesce(reason, "
                     "status) WHERE source = ? AND status NOT IN ('fetched', 'redirected', 'queued', 'invalid-url')",
                     (SOURCE,))
        conn.commit()
        crawler = Crawler(frontier, [], settings.model_copy(update={"max_pages": None}), study.captures,
                          progress=progress,
                          host_delays={**archive_host_delays(w.archive_url for w in wanted), **(host_delays or {})})
        out.crawl = crawler.run()
        for w in wanted:
            row = _final(frontier, w.url)
            if row is not None and row["status"] == "fetched" and row["warc_file"]:
                out.found[w.key] = Found(w.key, w.url, w.outlet, "fetch", row["warc_file"], row["warc_offset"],
                                         row["warc_length"], fetched_url=row["url"])
                continue
            status = row["status"] if row is not None else "invalid-url"
            reason = f"{status}: {row['reason']}" if row is not None and row["reason"] else status
            if row is not None and row["url"] != w.url:
                reason += f" (after redirects to {row['url']})"
            out.lost[w.key] = Lost(w.key, w.url, verdict(status, reason), reason,
                                   row["url"] if row is not None else None)
    return out


def archive_host_delays(archive_urls: Iterable[str | None]) -> dict[str, float]:
    """Seconds between requests to each archive host the pages are asked of: a cdx source's defaults
    (the study's own sources do not travel with an export), Common Crawl's data host for byte ranges.

    Examples
    --------
    >>> archive_host_delays(["https://web.archive.org/web/20150101000000id_/http://a.example/",
    ...                      "https://data.commoncrawl.org/crawl-data/x.warc.gz#bytes=0-9", None])
    {'web.archive.org': 4.0, 'data.commoncrawl.org': 1.0}
    """
    delays: dict[str, float] = {}
    for url in archive_urls:
        if url:
            delays[host_of(url)] = COMMONCRAWL_DATA_DELAY_S if byte_range(url) else ARCHIVE_DELAY_S
    return delays


def _final(frontier: Frontier, url: str) -> sqlite3.Row | None:
    """The frontier row a URL's redirects end at (the URL's own row when it did not redirect)."""
    row, seen = frontier.get(url), set()
    while row is not None and row["status"] == "redirected" and row["url"] not in seen:
        seen.add(row["url"])
        # the crawler records a hop as "301 → target" (framing.collect.crawler._redirect)
        target = (row["reason"] or "").partition(" → ")[2]
        if not target:
            break
        row = frontier.get(target)
    return row


def verdict(status: str, reason: str | None) -> str:
    """``vanished`` for a page that is gone (404, 410, a host name that no longer exists), else ``not-fetched``.

    Examples
    --------
    >>> verdict("http-410", None), verdict("timeout", "no complete answer within 20 s")
    ('vanished', 'not-fetched')
    >>> verdict("robots-unavailable", "connection-error: ConnectError: [Errno -2] Name or service not known")
    'vanished'
    """
    if status in GONE:
        return "vanished"
    text = (reason or "").lower()
    if status in ("connection-error", "robots-unavailable") and any(sign in text for sign in NO_SUCH_HOST):
        return "vanished"
    return "not-fetched"


def read_found(study: Study, found: list[Found]) -> Iterator[tuple[Found, Capture | None]]:
    """Each found page's capture, read in file order; None for one that cannot be read any more."""
    ordered = sorted(found, key=lambda f: (f.warc_file, f.warc_offset))
    for name, items in groupby(ordered, key=lambda f: f.warc_file):
        path = study.captures / name  # absolute for given WARC files, a name for the study's own captures
        try:
            handle = path.open("rb")
        except OSError:
            for item in items:
                yield item, None
            continue
        with handle:
            for item in items:
                yield item, _capture(item, _record(handle, item))


def _record(handle: BinaryIO, item: Found) -> WarcResponse | None:
    try:
        if item.warc_length:
            return read_response(handle, item.warc_offset, item.warc_length)
        return response_at(handle, item.warc_offset)
    except (OSError, ValueError):
        return None


def _capture(item: Found, record: WarcResponse | None) -> Capture | None:
    if record is None:
        return None
    # the article's own URL, not where redirects led: the article keeps its id and row
    return Capture(url=item.url, outlet=item.outlet, body=record.body, content_type=record.content_type,
                   content_encoding=record.content_encoding, warc_file=item.warc_file, warc_offset=item.warc_offset)
