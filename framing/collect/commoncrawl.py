"""Common Crawl's index (pywb) as a ``cdx:`` source: its crawl list, page counts and pages, and the
WARC records they point to.

Common Crawl's index server runs pywb, one collection (index) per crawl. What is asked and read
follows pywb's CDXJ server documentation (``docs/manual/cdxserver_api.rst``) and Common Crawl's
own listing:

- ``collinfo.json`` lists the crawls, newest first, as objects with ``id`` (``CC-MAIN-2024-10``),
  ``name``, ``timegate``, ``cdx-api`` (the crawl's index endpoint) and ``from``/``to`` (when the
  crawl ran, ISO 8601). A backfill asks every crawl whose span meets the source's since..until
  (or the ``crawls:`` it names), oldest first; the list is read again each run (Common Crawl asks
  that it be cached, not fetched many times a second), so new crawls and new sources are seen.
- a crawl's index is paged (its ZipNum pagination): ``showNumPages=true`` answers
  ``{"pages": N, "pageSize": ..., "blocks": ...}``, then ``page=0`` .. ``page=N-1`` are read; at
  most the source's ``max_index_pages`` requests are made, the rest held with a reason.
- ``output=json`` answers one JSON object a line: ``urlkey``, ``timestamp``, ``url``, ``mime``,
  ``mime-detected``, ``status``, ``digest``, ``length``, ``offset``, ``filename`` (and
  ``languages``, ``encoding``); ``from``/``to`` take 1 to 14 digits of ``yyyyMMddhhmmss``;
  ``filter=~field:regex`` matches from the start of a field (``re.match``), so the source's
  regular expressions are sent anchored at the end too. pywb has no ``collapse``: one capture
  per ``urlkey`` (the earliest, crawls being asked oldest first) is kept by the crawler.
- a query that matches nothing may answer 404 with ``{"message": "No Captures found for: ..."}``:
  an empty listing, not an error.

A capture is one gzip member in a WARC file at ``https://data.commoncrawl.org/{filename}``,
bytes ``offset`` to ``offset + length - 1``. Its frontier row keeps that place as its
``archive_url``: the file's URL with a ``#bytes=first-last`` fragment (the fragment never goes to
the server; the range is sent as a ``Range`` header). That same string is the ``WARC-Source-URI``
of the record the study writes, so the capture can be fetched again from it (``framing
rehydrate``). The record must be a WARC ``response`` of the URL the index listed; a revisit,
another record type, bytes that are not gzip, or a 200 answer carrying the whole file instead of
the range are recorded with their reason, never stored as the page.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zlib
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.recordloader import ArchiveLoadFailed

from framing.collect.cdx import IndexPage, capture_time, original_url
from framing.collect.codings import BodyError, decode_body
from framing.collect.discover import ListingError
from framing.collect.fetcher import FetchResult, accepts
from framing.collect.frontier import host_of, normalize
from framing.study.config import PYWB_LIST, Source

COUNT = "&showNumPages=true"  # the page-count query's last parameter; a page's is "&page=N"
_BYTES = re.compile(r"#bytes=(\d+)-(\d+)$")
_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
NO_CAPTURES = "No Captures found"


@dataclass(frozen=True)
class Crawl:
    """One crawl in the index server's list: its id, its index endpoint and when it ran."""

    id: str
    api: str
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class Capture:
    """One capture a crawl's index lists: the page's URL and time, and where its WARC record is."""

    original: str
    timestamp: str
    urlkey: str
    filename: str
    offset: int
    length: int


def is_crawl_list(url: str) -> bool:
    """Whether a frontier URL is a pywb server's list of collections (``.../collinfo.json``)."""
    return urlsplit(url).path.endswith(PYWB_LIST)


def is_page_count(url: str) -> bool:
    """Whether an index URL asks for the number of pages (``showNumPages=true``)."""
    return url.endswith(COUNT)


def read_crawls(body: bytes, list_url: str) -> tuple[list[Crawl], list[str]]:
    """The crawls of a ``collinfo.json`` answer, and why any entry was passed over.

    An entry without ``id`` or ``cdx-api``, or whose endpoint is not on the list's own host, is
    passed over (a list must not send the crawler to other hosts); a span that does not parse is
    left open, so the crawl is asked and the query's ``from``/``to`` decide.

    Raises
    ------
    ListingError
        For an answer that is not a JSON list (an error page, a cut-off body): transient.
    """
    try:
        items = json.loads(body.decode("utf-8", errors="replace"))
    except ValueError:
        items = None
    if not isinstance(items, list):
        raise ListingError(f"not a crawl list (a JSON array of collections): {_quoted(body)}", transient=True)
    crawls, notes, host = [], [], host_of(list_url)
    for item in items:
        api = item.get("cdx-api") if isinstance(item, dict) else None
        if not (isinstance(api, str) and isinstance(item.get("id"), str) and item["id"]):
            notes.append(f"an entry without id or cdx-api: {_quoted(json.dumps(item).encode())}")
        elif not _on_host(api, host):
            notes.append(f"{item['id']}: its index {api!r} is not on {host}")
        else:
            crawls.append(Crawl(item["id"], api, _day(item.get("from")), _day(item.get("to"))))
    return crawls, notes


def _on_host(url: str, host: str) -> bool:
    """Whether ``url`` is an http(s) URL on ``host`` (False for one that does not parse)."""
    try:
        return urlsplit(url).scheme in ("http", "https") and host_of(url) == host
    except ValueError:
        return False


def _day(value: object) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(str(value)).date()
    except ValueError:
        return None


def chosen_crawls(crawls: list[Crawl], source: Source) -> tuple[list[Crawl], list[str]]:
    """The crawls a source asks, oldest first, and a note for each crawl it names that is not listed.

    Without ``crawls:``, every crawl whose span meets since..until (a crawl with no span is asked).

    Examples
    --------
    >>> s = Source(cdx="commoncrawl", match="example.org/", since=dt.date(2015, 1, 1), until=dt.date(2015, 12, 31))
    >>> listed = [Crawl("CC-MAIN-2016-07", "a", dt.date(2016, 2, 6), dt.date(2016, 2, 14)),
    ...           Crawl("CC-MAIN-2015-48", "b", dt.date(2015, 11, 24), dt.date(2015, 12, 2)),
    ...           Crawl("CC-MAIN-2014-52", "c", dt.date(2014, 12, 17), dt.date(2014, 12, 29))]
    >>> [c.id for c in chosen_crawls(listed, s)[0]]
    ['CC-MAIN-2015-48']
    """
    if source.crawls:
        known = {c.id: c for c in crawls}
        chosen = [known[name] for name in source.crawls if name in known]
        notes = [f"{name}: not in the index's crawl list" for name in source.crawls if name not in known]
    else:
        chosen = [c for c in crawls if not (source.since and c.end and c.end < source.since)
                  and not (source.until and c.start and c.start > source.until)]
        notes = []
    return sorted(chosen, key=lambda c: (c.start or dt.date.min, c.id)), notes


def count_url(crawl: Crawl, source: Source) -> str:
    """The query for the number of index pages a source's captures fill in one crawl.

    Examples
    --------
    >>> s = Source(cdx="commoncrawl", match="example.org/world/", since=dt.date(2014, 6, 14))
    >>> print(count_url(Crawl("CC-MAIN-2024-10", "https://index.commoncrawl.org/CC-MAIN-2024-10-index"), s)
    ...       .replace("&", "\\n&"))
    https://index.commoncrawl.org/CC-MAIN-2024-10-index?url=example.org/world/
    &matchType=prefix
    &from=20140614000000
    &output=json
    &filter=~status:(?:200)$
    &filter=~mime:(?:text/html)$
    &showNumPages=true
    """
    params = [("url", source.match), ("matchType", source.match_type)]
    if source.since:
        params.append(("from", f"{source.since:%Y%m%d}000000"))
    if source.until:
        params.append(("to", f"{source.until:%Y%m%d}235959"))
    params.append(("output", "json"))
    for name, pattern in (("status", source.status), ("mime", source.mime)):
        if pattern:  # "~" matches from the field's start; "$" makes it the whole field, as Wayback's filter is
            params.append(("filter", f"~{name}:(?:{pattern})$"))
    query = "&".join(f"{key}={quote(str(value), safe=':/,~()?$')}" for key, value in params)
    return f"{crawl.api}{'&' if '?' in crawl.api else '?'}{query}{COUNT}"


def page_url(count: str, page: int) -> str:
    """Page ``page`` (from 0) of the query whose page count ``count`` asked."""
    return f"{count.removesuffix(COUNT)}&page={page}"


def read_page_count(body: bytes) -> int:
    """The ``pages`` of a ``showNumPages=true`` answer.

    Raises
    ------
    ListingError
        For anything but an object with a whole, non-negative ``pages``: transient.
    """
    try:
        answer = json.loads(body.decode("utf-8", errors="replace"))
    except ValueError:
        answer = None
    pages = answer.get("pages") if isinstance(answer, dict) else None
    if isinstance(pages, bool) or not isinstance(pages, int) or pages < 0:
        raise ListingError(f"not a page count ({{\"pages\": N, ...}}): {_quoted(body)}", transient=True)
    return pages


def no_captures(body: bytes) -> bool:
    """Whether a 404 answer is pywb's "No Captures found" (an empty listing), not a missing index."""
    return NO_CAPTURES.lower().encode() in body[:2000].lower()


def read_captures(body: bytes) -> IndexPage:
    """The captures of one ``output=json`` page: one JSON object a line.

    A line that is not a JSON object, or lacks a URL, a 14-digit timestamp, a WARC file name or a
    whole offset and length, is skipped and counted.

    Examples
    --------
    >>> line = ('{"urlkey": "org,example)/a", "timestamp": "20240301120000", "url": "https://example.org/a", '
    ...         '"filename": "crawl-data/x.warc.gz", "offset": "100", "length": "20"}')
    >>> page = read_captures((line + "\\nnot json\\n").encode())
    >>> page.rows[0].offset, page.malformed
    (100, 1)
    """
    page = IndexPage()
    for line in body.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        capture = _capture(item) if isinstance(item, dict) else None
        if capture is None:
            page.skip(f"not a capture: {_quoted(line.encode())}")
        else:
            page.rows.append(capture)
    return page


def _capture(item: dict) -> Capture | None:
    url, stamp, name = item.get("url"), str(item.get("timestamp", "")), item.get("filename")
    offset, length = str(item.get("offset", "")), str(item.get("length", ""))
    if not (isinstance(url, str) and url and capture_time(stamp) and isinstance(name, str)
            and _FILENAME.fullmatch(name) and ".." not in name and offset.isascii() and offset.isdigit()
            and length.isascii() and length.isdigit() and int(length) > 0):
        return None
    return Capture(original_url(url), stamp, str(item.get("urlkey") or url), name, int(offset), int(length))


def record_url(template: str, capture: Capture) -> str:
    """Where a capture's record is: its WARC file's URL and the record's bytes, as a fragment.

    Examples
    --------
    >>> c = Capture("https://example.org/a", "20240301120000", "org,example)/a", "crawl-data/x.warc.gz", 100, 20)
    >>> record_url("https://data.commoncrawl.org/{filename}", c)
    'https://data.commoncrawl.org/crawl-data/x.warc.gz#bytes=100-119'
    """
    return f"{template.format(filename=capture.filename)}#bytes={capture.offset}-{capture.offset + capture.length - 1}"


def byte_range(archive_url: str | None) -> tuple[str, int, int] | None:
    """``(file URL, first, last)`` of an archive URL that names a record by its bytes; None otherwise.

    Examples
    --------
    >>> byte_range("https://data.commoncrawl.org/crawl-data/x.warc.gz#bytes=100-119")
    ('https://data.commoncrawl.org/crawl-data/x.warc.gz', 100, 119)
    >>> byte_range("https://web.archive.org/web/20150101000000id_/http://example.org/") is None
    True
    """
    found = _BYTES.search(archive_url or "")
    if not found or int(found.group(2)) < int(found.group(1)):
        return None
    return archive_url[:found.start()], int(found.group(1)), int(found.group(2))


def open_record(result: FetchResult, listed_url: str, first: int, last: int, max_bytes: int) -> FetchResult:
    """What a byte-range request for a capture gave, as the fetch of the page it holds.

    ``result`` is the answer to the range request; the page's answer comes back as an ``ok``
    result with the archived status, headers and body, or a final outcome with its reason:
    ``http-416`` (the file is shorter than the index says), ``record-unreadable`` (not one gzip
    member, not a response record (a revisit), another URL's record, a redirect), ``not-html``,
    ``too-large``, or ``http-NNN`` for an archived error answer. A retry stays a retry.
    """
    if result.outcome == "http-416":
        return FetchResult("http-416", 416, f"bytes {first}-{last} asked, past the end of the WARC file: the index "
                                            "and the file disagree")
    if result.outcome == "redirect":
        return FetchResult("record-unreadable", result.http_status, f"the WARC file's server redirected to "
                                                                    f"{result.location} instead of sending bytes")
    if result.outcome != "ok":
        return result
    try:
        record = _one_record(result.content, max_bytes)
        return _response(record, listed_url, max_bytes)
    except _RecordError as exc:
        return FetchResult(exc.status, result.http_status, str(exc))


class _RecordError(ValueError):
    def __init__(self, reason: str, status: str = "record-unreadable"):
        super().__init__(reason)
        self.status = status


def _one_record(data: bytes, max_bytes: int) -> bytes:
    """The WARC record a byte range holds, inflated: exactly one complete gzip member."""
    if data[:2] != b"\x1f\x8b":
        raise _RecordError(f"the bytes are not a gzip member (they begin {data[:16]!r})")
    inflater = zlib.decompressobj(wbits=31)
    try:
        record = inflater.decompress(data, max_bytes + 65536)  # the page plus its headers, never more
    except zlib.error as exc:
        raise _RecordError(f"the gzip member is corrupt: {exc}") from None
    if inflater.unconsumed_tail:
        raise _RecordError(f"the record inflates to more than collect.max_bytes {max_bytes}", "too-large")
    if not inflater.eof:
        raise _RecordError(f"the gzip member is cut off after {len(data)} bytes")
    if inflater.unused_data:
        raise _RecordError(f"{len(inflater.unused_data)} bytes after the gzip member: the range holds more than "
                           "one record")
    return record


def _response(record: bytes, listed_url: str, max_bytes: int) -> FetchResult:
    """The HTTP response inside a WARC record, checked against the URL the index listed."""
    try:
        warc = next(iter(ArchiveIterator(io.BytesIO(record))), None)
        if warc is None:
            raise _RecordError("no WARC record in the range")
        kind, target = warc.rec_type, warc.rec_headers.get_header("WARC-Target-URI") or ""
        if kind == "revisit":
            raise _RecordError(f"a revisit record (its payload is in an earlier capture, of "
                               f"{warc.rec_headers.get_header('WARC-Refers-To-Target-URI') or target}), not the page")
        if kind != "response" or warc.http_headers is None:
            raise _RecordError(f"a WARC {kind} record, not an HTTP response")
        if _same(target) != _same(listed_url):
            raise _RecordError(f"the record is of {target!r}, not of the listed {listed_url!r}")
        http = warc.http_headers
        stream = warc.raw_stream
        if (http.get_header("Transfer-Encoding") or "").lower() == "chunked":
            stream = ChunkedDataReader(stream)
        body = stream.read(max_bytes + 1)
    except (ArchiveLoadFailed, ValueError, KeyError) as exc:
        if isinstance(exc, _RecordError):
            raise
        raise _RecordError(f"not a WARC record: {exc}"[:200]) from None
    if len(body) > max_bytes:
        raise _RecordError(f"the archived body is over collect.max_bytes {max_bytes}", "too-large")
    code = http.get_statuscode() or ""
    if not code.isascii() or not code.isdigit():
        raise _RecordError(f"the archived answer's status line has no status code: {http.protocol} {code}"[:200])
    status, ctype = int(code), http.get_header("Content-Type") or ""
    base = {"http_status": status, "headers": list(http.headers), "content_type": ctype,
            "protocol": http.protocol or "HTTP/1.1"}
    if not 200 <= status < 300:
        # a crawled redirect: its target is a capture of its own, listed by the index (if crawled)
        # under the target's URL, which a source whose match covers it asks for
        moved = f" to {http.get_header('Location')}" if 300 <= status < 400 and http.get_header("Location") else ""
        return FetchResult(f"http-{status}", reason=f"the archived answer was HTTP {status}{moved}", **base)
    if not accepts("page", ctype):
        return FetchResult("not-html", reason=ctype.split(";")[0] or "no content type", **base)
    try:
        content = decode_body(body, http.get_header("Content-Encoding"), max_bytes)
    except BodyError as exc:
        return FetchResult(exc.status, reason=str(exc), body=body, **base)
    return FetchResult("ok", body=body, content=content, **base)


def _same(url: str) -> str:
    """A URL as compared with the index's: default port gone, scheme and host lower-cased."""
    try:
        return normalize(original_url(url.strip("<>")))
    except ValueError:
        return url


def _quoted(body: bytes, size: int = 60) -> str:
    text = " ".join(body.decode("utf-8", errors="replace").split())
    return repr(text if len(text) <= size else text[:size] + "...")
