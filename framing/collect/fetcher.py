"""One HTTP exchange, with the checks a polite crawler makes before it keeps a body.

Redirects are not followed here: the crawler queues the target as a URL of its own, so every
hop waits its host's delay and is recorded. Retrying is the caller's decision (see crawler.py),
because the wait belongs to the host's schedule.

``timeout_s`` bounds the whole exchange, not each read: a server that drips a byte a second
would otherwise hold its host for as long as it likes. Bodies are kept as they came (for the
WARC record) and decoded beside, within ``max_bytes`` of decoded size (see framing.collect.codings).

A byte range (one record of a WARC file, :mod:`framing.collect.commoncrawl`) is asked with a
``Range`` header and must come as a 206 of those bytes. A server that ignores the header answers
200 with the whole file (RFC 9110 14.2): the range is cut from it when the file is small, and a
body far over the range (a 1 GB WARC file) is refused unread, by its ``Content-Length``, or as
soon as it passes that size.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from dataclasses import dataclass, field

import httpx

from framing.collect.codings import BodyError, decode_body, sniff_compressed
from framing.study.config import Collect

HTML_TYPES = ("text/html", "application/xhtml+xml")
RETRYABLE = {429, 500, 502, 503, 504}
ROBOTS_LIMIT = 500 * 1024  # RFC 9309 2.5: parse at least the first 500 KiB; we parse exactly that
WHOLE_FILE_SLACK = 64 * 1024  # a 200 answer to a range request is read only up to the range's end plus this


@dataclass
class FetchResult:
    """What came back. ``outcome`` is ``ok``, ``redirect``, ``retry`` or a final URL status.

    ``body`` holds the bytes as received (content codings kept, for the WARC record), ``content``
    the same decoded: what parsers read.
    """

    outcome: str
    http_status: int | None = None
    reason: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    content: bytes = b""
    content_type: str = ""
    location: str | None = None
    retry_after: float | None = None
    protocol: str = "HTTP/1.1"


def accepts(kind: str, content_type: str) -> bool:
    """Pages must be HTML; feeds, sitemaps and robots.txt are judged by their parsers, since
    real hosts serve feeds as text/html, text/plain or octet-stream as often as XML."""
    ctype = content_type.split(";")[0].strip().lower()
    if kind in ("page", "listing"):
        return ctype in HTML_TYPES or ctype == ""
    return True


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


async def fetch(client: httpx.AsyncClient, url: str, kind: str, settings: Collect,
                byte_range: tuple[int, int] | None = None) -> FetchResult:
    """GET ``url`` and classify the answer; never raises for network trouble or a broken body.

    Parameters
    ----------
    client
        The crawl's shared client.
    url
        What to fetch.
    kind
        ``page``, ``listing``, ``feed``, ``sitemap`` or ``robots``: robots.txt is cut at
        500 KiB instead of refused, and gzip files (``sitemap.xml.gz``) are unpacked for feeds
        and sitemaps.
    settings
        The study's ``collect`` block: ``timeout_s`` for the whole exchange, ``max_bytes``.
    byte_range
        ``(first, last)``: ask for those bytes only (inclusive), as a WARC record is asked.

    Returns
    -------
    FetchResult
    """
    try:
        async with asyncio.timeout(settings.timeout_s):
            headers = {"Range": f"bytes={byte_range[0]}-{byte_range[1]}"} if byte_range else None
            async with client.stream("GET", url, follow_redirects=False, headers=headers) as resp:
                if byte_range:
                    return await _classify_range(resp, byte_range, settings)
                return await _classify(resp, kind, settings)
    except (TimeoutError, httpx.TimeoutException):
        return FetchResult("retry", reason=f"timeout: no complete answer within {settings.timeout_s:g} s")
    except httpx.RemoteProtocolError as exc:
        if str(exc).startswith("Invalid URL in location header"):  # httpx reads Location before we do
            return FetchResult("invalid-url", reason=f"redirect to a broken URL: {exc}"[:300])
        return FetchResult("retry", reason=f"connection-error: {type(exc).__name__}: {exc}"[:300])
    except httpx.TransportError as exc:
        return FetchResult("retry", reason=f"connection-error: {type(exc).__name__}: {exc}"[:300])
    except (httpx.InvalidURL, ValueError) as exc:  # what the URL check let through, e.g. a bad IDNA label
        return FetchResult("invalid-url", reason=f"{type(exc).__name__}: {exc}"[:300])


async def _classify(resp: httpx.Response, kind: str, settings: Collect) -> FetchResult:
    status = resp.status_code
    ctype = resp.headers.get("content-type", "")
    base = {"http_status": status, "headers": list(resp.headers.multi_items()), "content_type": ctype,
            "protocol": resp.http_version}
    if status in (301, 302, 303, 307, 308) and "location" in resp.headers:
        return FetchResult("redirect", location=str(resp.url.join(resp.headers["location"])), **base)
    if status in RETRYABLE:
        return FetchResult("retry", reason=f"http-{status}",
                           retry_after=retry_after_seconds(resp.headers.get("retry-after")), **base)
    if status >= 400 and not (kind == "cdx" and status == 404):  # an index's 404 may say "no captures": read it
        return FetchResult(f"http-{status}", reason=resp.reason_phrase or None, **base)
    if not accepts(kind, ctype):
        return FetchResult("not-html", reason=ctype.split(";")[0] or "no content type", **base)
    declared = resp.headers.get("content-length")
    if kind != "robots" and declared and declared.isdigit() and int(declared) > settings.max_bytes:
        return FetchResult("too-large", reason=f"Content-Length {declared} > collect.max_bytes {settings.max_bytes}",
                           **base)
    # robots.txt is read to 500 KiB whatever max_bytes says: its rules are not ours to cut short
    cap = max(settings.max_bytes, ROBOTS_LIMIT) if kind == "robots" else settings.max_bytes
    received = bytearray()
    async for chunk in resp.aiter_raw():  # as sent: content codings stay (chunked framing is undone)
        received.extend(chunk)
        if len(received) > cap:
            if kind == "robots":  # a long file is cut, not refused
                break
            return FetchResult("too-large", reason=f"body over collect.max_bytes {settings.max_bytes} bytes", **base)
    body = bytes(received)
    try:
        content = decode_for(kind, body, resp.headers.get("content-encoding"), settings.max_bytes)
    except BodyError as exc:
        return FetchResult(exc.status, reason=str(exc), body=body, **base)
    return FetchResult("ok", body=body, content=content, **base)


async def _classify_range(resp: httpx.Response, byte_range: tuple[int, int], settings: Collect) -> FetchResult:
    """A byte-range answer: the bytes asked (a 206 of them, or cut from a small whole file), or why not."""
    first, last = byte_range
    status, declared = resp.status_code, resp.headers.get("content-length", "")
    base = {"http_status": status, "headers": list(resp.headers.multi_items()),
            "content_type": resp.headers.get("content-type", ""), "protocol": resp.http_version}
    if status in RETRYABLE:
        return FetchResult("retry", reason=f"http-{status}",
                           retry_after=retry_after_seconds(resp.headers.get("retry-after")), **base)
    if status in (301, 302, 303, 307, 308) and "location" in resp.headers:
        return FetchResult("redirect", location=str(resp.url.join(resp.headers["location"])), **base)
    if status not in (200, 206):
        return FetchResult(f"http-{status}", reason=resp.reason_phrase or None, **base)
    size = last - first + 1
    # a record's gzip member is smaller than the page it holds: one over max_bytes is too large
    # to read, and a whole file is read only as far as a small one's end
    if size > settings.max_bytes:
        return FetchResult("too-large", reason=f"bytes {first}-{last}: the record is over collect.max_bytes "
                                               f"{settings.max_bytes}", **base)
    cap = size if status == 206 else last + 1 + WHOLE_FILE_SLACK
    if status == 200 and cap > settings.max_bytes + WHOLE_FILE_SLACK:
        return FetchResult("range-ignored", reason=f"asked for bytes {first}-{last}, the server answered 200 with "
                                                   f"the whole file, which would be read past collect.max_bytes "
                                                   f"to reach them: not downloaded", **base)
    if status == 200 and declared.isdigit() and int(declared) > cap:
        return FetchResult("range-ignored", reason=f"asked for bytes {first}-{last}, the server answered 200 with "
                                                   f"the whole file (Content-Length {declared}): not downloaded",
                           **base)
    if status == 206 and not resp.headers.get("content-range", "").startswith(f"bytes {first}-{last}/"):
        return FetchResult("record-unreadable", reason=f"asked for bytes {first}-{last}, the server sent "
                                                   f"{resp.headers.get('content-range') or 'no Content-Range'}",
                           **base)
    received = bytearray()
    async for chunk in resp.aiter_raw():
        received.extend(chunk)
        if len(received) > cap:
            what = "more bytes than asked" if status == 206 else "the whole file"
            return FetchResult("range-ignored", reason=f"asked for bytes {first}-{last}, the server sent {what} "
                                                       f"(over {cap} bytes): not downloaded", **base)
    body = bytes(received) if status == 206 else bytes(received[first:last + 1])
    if len(body) != size:
        return FetchResult("record-unreadable", reason=f"asked for bytes {first}-{last}, got {len(body)} bytes",
                           **base)
    return FetchResult("ok", body=body, content=body, **base)


def decode_for(kind: str, body: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """The body with its content codings undone; gzip files unpacked for feeds and sitemaps;
    robots.txt cut at 500 KiB. Raises ``BodyError`` (``.status`` says which) when it cannot be."""
    if kind == "robots":
        return decode_body(body, content_encoding, ROBOTS_LIMIT, truncate=True)
    content = decode_body(body, content_encoding, max_bytes)
    if kind in ("feed", "sitemap") and sniff_compressed(content) == "gzip":
        content = decode_body(content, "gzip", max_bytes)
    return content
