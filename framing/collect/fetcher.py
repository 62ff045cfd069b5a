"""One HTTP exchange, with the checks a polite crawler makes before it keeps a body.

Redirects are not followed here: the crawler queues the target as a URL of its own, so every
hop waits its host's delay and is recorded. Retrying is the caller's decision (see crawler.py),
because the wait belongs to the host's schedule.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field

import httpx

from framing.config import Collect

HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = ("xml", "rss", "atom", "text/plain", "gzip", "octet-stream")
RETRYABLE = {429, 500, 502, 503, 504}


@dataclass
class FetchResult:
    """What came back. ``outcome`` is ``ok``, ``redirect``, ``retry`` or a final URL status."""

    outcome: str
    http_status: int | None = None
    reason: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    content_type: str = ""
    location: str | None = None
    retry_after: float | None = None
    protocol: str = "HTTP/1.1"


def accepts(kind: str, content_type: str) -> bool:
    """Pages must be HTML; feeds and sitemaps may come as any XML or gzip flavour."""
    ctype = content_type.split(";")[0].strip().lower()
    if kind == "robots":
        return True
    if kind in ("page", "listing"):
        return ctype in HTML_TYPES or ctype == ""
    return any(t in ctype for t in XML_TYPES) or ctype == ""


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


async def fetch(client: httpx.AsyncClient, url: str, kind: str, settings: Collect) -> FetchResult:
    """GET ``url`` and classify the answer; never raises for network trouble."""
    try:
        async with client.stream("GET", url, follow_redirects=False, timeout=settings.timeout_s) as resp:
            return await _classify(resp, kind, settings)
    except httpx.TimeoutException as exc:
        return FetchResult("retry", reason=f"timeout: {type(exc).__name__}")
    except httpx.TransportError as exc:
        return FetchResult("retry", reason=f"connection-error: {type(exc).__name__}: {exc}"[:300])


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
    if status >= 400:
        return FetchResult(f"http-{status}", reason=resp.reason_phrase or None, **base)
    if not accepts(kind, ctype):
        return FetchResult("not-html", reason=ctype.split(";")[0] or "no content type", **base)
    declared = resp.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_bytes:
        return FetchResult("too-large", reason=f"Content-Length {declared} > {settings.max_bytes}", **base)
    body = bytearray()
    async for chunk in resp.aiter_raw():
        body.extend(chunk)
        if len(body) > settings.max_bytes:
            return FetchResult("too-large", reason=f"body over {settings.max_bytes} bytes", **base)
    return FetchResult("ok", body=bytes(body), **base)
