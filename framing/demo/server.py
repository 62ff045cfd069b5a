"""Loopback HTTP servers for the demo site and for tests, each keeping its own request log.

The log is the evidence for politeness: which paths were requested and when, per host.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait before answering, to provoke client timeouts


Route = Response | Callable[[int], Response]  # a callable gets the how-many-th request of its path (1, 2, ...)


@dataclass
class LoggedRequest:
    t: float  # time.monotonic() when the request arrived
    host: str
    path: str
    user_agent: str
    status: int


class SiteServer:
    """One host: a threaded HTTP server bound to ``address:port`` serving a dict of routes.

    Parameters
    ----------
    address, port
        Where to listen; port 0 picks a free one (see ``base_url`` after ``start``).
    routes
        ``{path: Response or callable}``; unknown paths answer 404.
    """

    def __init__(self, address: str = "127.0.0.1", port: int = 0, routes: dict[str, Route] | None = None):
        self.routes: dict[str, Route] = routes or {}
        self.log: list[LoggedRequest] = []
        self._hits: dict[str, int] = {}
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

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                arrived = time.monotonic()
                path = self.path.split("#")[0]
                response = server._respond(path)
                with server._lock:
                    server.log.append(LoggedRequest(arrived, server.netloc, path,
                                                    self.headers.get("User-Agent", ""), response.status))
                if response.delay_s:
                    time.sleep(response.delay_s)
                try:
                    self.send_response(response.status)
                    self.send_header("Content-Type", response.content_type)
                    self.send_header("Content-Length", str(len(response.body)))
                    for key, value in response.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(response.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to do

            def log_message(self, *args: object) -> None:
                pass

        return Handler


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
