"""Loopback HTTP servers for the demo site and for tests, each keeping its own request log.

The log is the evidence for politeness: which paths were requested and when, per host. The
servers behave like ordinary news hosting when asked: they compress text by the client's
``Accept-Encoding`` (and then send it chunked, as nginx does), and single responses can drip,
stall, break off or come pre-encoded, so the fault-farm tests can play a hostile host.
"""

from __future__ import annotations

import gzip
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait before answering, to provoke client timeouts
    compress: bool = True  # may be compressed by Accept-Encoding (text types only, on servers that compress)
    chunked: bool | None = None  # Transfer-Encoding: chunked; None: when compressed on the fly
    drip_s: float = 0.0  # sleep between single bytes of the body: a server that drips
    cut_after: int | None = None  # close the connection after this many body bytes (Content-Length promised)
    ranges: bool = False  # answer a `Range: bytes=a-b` request with 206 and those bytes, as a static file server does


Route = Response | Callable[[int], Response]  # a callable gets the how-many-th request of its path (1, 2, ...)


@dataclass
class LoggedRequest:
    t: float  # time.monotonic() when the request arrived
    host: str
    path: str
    user_agent: str
    status: int
    range: str | None = None  # the request's Range header


class SiteServer:
    """One host: a threaded HTTP server bound to ``address:port`` serving a dict of routes.

    Parameters
    ----------
    address, port
        Where to listen; port 0 picks a free one (see ``base_url`` after ``start``).
    routes
        ``{path: Response or callable}``; unknown paths answer 404.
    compression
        Content codings the server may apply, in its order of preference (``"gzip"``, ``"br"``,
        ``"deflate"``, ``"zstd"``); the first one a request's ``Accept-Encoding`` names is used
        for text responses, which then go out chunked. Empty: never compresses.
    """

    def __init__(self, address: str = "127.0.0.1", port: int = 0, routes: dict[str, Route] | None = None,
                 compression: tuple[str, ...] = ()):
        self.routes: dict[str, Route] = routes or {}
        self.compression = compression  # codings it may use, in its order of preference, e.g. ("br", "gzip")
        self.log: list[LoggedRequest] = []
        self._hits: dict[str, int] = {}
        self._compressed: dict[tuple[bytes, str], bytes] = {}
        self._lock = threading.Lock()
        self.httpd = _QuietServer((address, port), self._handler())
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def netloc(self) -> str:
        return urlsplit(self.base_url).netloc

    def start(self) -> SiteServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests_for(self, path: str) -> list[LoggedRequest]:
        return [r for r in self.log if r.path == path]

    def _respond(self, path: str) -> Response:
        with self._lock:
            self._hits[path] = self._hits.get(path, 0) + 1
            nth = self._hits[path]
        route = self.routes.get(path)
        if route is None:
            return Response(404, b"<html><body><h1>Not found</h1></body></html>")
        return route(nth) if callable(route) else route

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # small chunk writes met delayed ACKs: 40 ms per compressed answer on a kept-alive connection
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                arrived = time.monotonic()
                path = self.path.split("#")[0]
                response = _ranged(server._respond(path), self.headers.get("Range"))
                with server._lock:
                    server.log.append(LoggedRequest(arrived, server.netloc, path, self.headers.get("User-Agent", ""),
                                                    response.status, self.headers.get("Range")))
                if response.delay_s:
                    time.sleep(response.delay_s)
                body, coding = server._encoded(response, self.headers.get("Accept-Encoding", ""))
                chunked = response.chunked if response.chunked is not None else coding is not None
                try:
                    self.send_response(response.status)
                    self.send_header("Content-Type", response.content_type)
                    if coding:
                        self.send_header("Content-Encoding", coding)
                        self.send_header("Vary", "Accept-Encoding")
                    self.send_header(*(("Transfer-Encoding", "chunked") if chunked
                                       else ("Content-Length", str(len(body)))))
                    for key, value in response.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    _send_body(self.wfile, body, response, chunked)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to do
                if response.cut_after is not None:
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        return Handler


    def _encoded(self, response: Response, accept_encoding: str) -> tuple[bytes, str | None]:
        """The body compressed with the first coding of ours the client accepts (text types only)."""
        ctype = response.content_type.lower()
        textual = ctype.startswith("text/") or any(t in ctype for t in ("xml", "json", "javascript"))
        if not (response.compress and textual and response.body and self.compression):
            return response.body, None
        offered = {part.split(";")[0].strip().lower() for part in accept_encoding.split(",")}
        coding = next((c for c in self.compression if c in offered), None)
        if coding is None:
            return response.body, None
        key = (response.body, coding)
        with self._lock:
            cached = self._compressed.get(key)
        if cached is None:
            cached = compress(response.body, coding)
            with self._lock:
                if len(self._compressed) > 4096:  # a site's worth; a test's dynamic bodies never fill it
                    self._compressed.clear()
                self._compressed[key] = cached
        return cached, coding


def _ranged(response: Response, asked: str | None) -> Response:
    """The part of a file a ``Range: bytes=first-last`` request asks (RFC 9110 14): 206 with those
    bytes, 416 when the file is shorter; the whole answer for anything else."""
    found = re.fullmatch(r"bytes=(\d+)-(\d*)", (asked or "").strip())
    if not (response.ranges and response.status == 200 and found):
        return response
    size = len(response.body)
    first = int(found.group(1))
    last = min(int(found.group(2)), size - 1) if found.group(2) else size - 1
    if first >= size or last < first:
        return Response(416, b"", "text/plain", {"Content-Range": f"bytes */{size}"}, compress=False)
    return replace(response, status=206, body=response.body[first:last + 1], compress=False,
                   headers={**response.headers, "Content-Range": f"bytes {first}-{last}/{size}"})


def compress(body: bytes, coding: str) -> bytes:
    """``body`` in one HTTP content coding: gzip, deflate (zlib-wrapped), br or zstd."""
    if coding == "gzip":
        return gzip.compress(body, 6, mtime=0)
    if coding == "deflate":
        return zlib.compress(body, 6)
    if coding == "br":
        import brotli

        return brotli.compress(body, quality=5)
    if coding == "zstd":
        import zstandard

        return zstandard.ZstdCompressor(level=3).compress(body)
    raise ValueError(f"unknown coding {coding!r}")


def _send_body(wfile, body: bytes, response: Response, chunked: bool) -> None:
    if response.cut_after is not None:
        body = body[:response.cut_after]
    if not (chunked or response.drip_s):
        wfile.write(body)
    else:
        size = 1 if response.drip_s else 4096
        for start in range(0, len(body), size):
            wfile.write(_frame(body[start:start + size], chunked))
            if response.drip_s:
                wfile.flush()
                time.sleep(response.drip_s)
    if chunked and response.cut_after is None:
        wfile.write(b"0\r\n\r\n")


def _frame(piece: bytes, chunked: bool) -> bytes:
    return b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up (timeouts, kills) are part of the tests, not server errors


def politeness_problems(log: list[LoggedRequest], delay_s: float, tolerance_s: float = 0.005) -> list[str]:
    """Hosts that saw two requests closer together than ``delay_s``, as readable strings."""
    problems = []
    by_host: dict[str, list[float]] = {}
    for request in log:
        by_host.setdefault(request.host, []).append(request.t)
    for host, times in sorted(by_host.items()):
        times.sort()
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        if gaps and min(gaps) < delay_s - tolerance_s:
            problems.append(f"{host} (closest {min(gaps):.3f}s)")
    return problems
