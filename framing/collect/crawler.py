"""The polite crawler: one worker per host, many hosts at once, state in the SQLite frontier.

Politeness: a host is asked at most one request at a time, and the next request starts no
earlier than ``delay`` after the previous answer ended (robots.txt's Crawl-delay raises the
delay, never lowers it). Retries on 429/5xx/timeouts back off exponentially, or wait as long as
``Retry-After`` says, and the wait holds that host alone.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import courlan
import httpx

from framing.collect.discover import crawlable, feed_links, page_links, sitemap_links
from framing.collect.fetcher import FetchResult, fetch
from framing.collect.frontier import Candidate, Frontier, host_of, normalize
from framing.collect.robots import Robots
from framing.collect.warcfile import CaptureWriter, session_name, truncate_to
from framing.config import Collect, Source
from framing.htmltext import decode_html

ProgressFn = Callable[[int, int], None]


@dataclass
class CrawlReport:
    """What one collect run did."""

    requests: int = 0
    captures: int = 0
    retries: int = 0
    robots: dict[str, str] = field(default_factory=dict)
    truncated_bytes: int = 0
    warc_file: str | None = None


class Crawler:
    """Fetch every queued URL of the frontier, politely, writing captures to WARC.

    Parameters
    ----------
    frontier
        The study's frontier; sources must already be seeded (see ``framing.collect.seed``).
    sources
        The pipeline's sources, to know each crawl source's depth and page budget.
    settings
        The pipeline's ``collect`` block.
    captures_dir
        Where this session's WARC file goes.
    progress
        Called with ``(pages done, pages known)`` after each URL.
    """

    def __init__(self, frontier: Frontier, sources: list[Source], settings: Collect, captures_dir: Path,
                 progress: ProgressFn | None = None):
        self.frontier = frontier
        self.sources = {s.label: s for s in sources}
        self.settings = settings
        self.captures_dir = captures_dir
        self.progress = progress or (lambda done, total: None)
        self.report = CrawlReport()
        self._writer: CaptureWriter | None = None
        self._not_before: dict[str, float] = {}
        self._pages_by_source: dict[str, int] = {}
        self._last_progress = 0.0

    def run(self) -> CrawlReport:
        """Crawl until nothing is queued; safe to call again after a crash."""
        self._repair_tails()
        self.frontier.conn.execute("UPDATE urls SET status = 'queued', reason = NULL WHERE status = 'max-pages'")
        for label, count in self.frontier.conn.execute(
            "SELECT source, count(*) FROM urls WHERE kind = 'page' AND status NOT IN ('queued', 'robots-disallowed')"
            " GROUP BY source"
        ):
            self._pages_by_source[label] = count
        self.frontier.conn.commit()
        try:
            asyncio.run(self._crawl())
            self._report_progress(force=True)
        finally:
            if self._writer:
                self._writer.close()
        return self.report

    def _repair_tails(self) -> None:
        for name, end in self.frontier.committed_ends().items():
            path = self.captures_dir / name
            if path.is_file():
                self.report.truncated_bytes += truncate_to(path, end)

    async def _crawl(self) -> None:
        self._semaphore = asyncio.Semaphore(self.settings.concurrency)
        limits = httpx.Limits(max_connections=self.settings.concurrency * 2, max_keepalive_connections=64)
        headers = {"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip, deflate"}
        async with httpx.AsyncClient(headers=headers, limits=limits, trust_env=False) as client:
            self._client = client
            active: dict[str, asyncio.Task] = {}
            while True:
                for host in self.frontier.queued_hosts():
                    if host not in active:
                        active[host] = asyncio.create_task(self._work_host(host))
                if not active:
                    break
                done, _ = await asyncio.wait(active.values(), return_when=asyncio.FIRST_COMPLETED)
                for host in [h for h, t in active.items() if t in done]:
                    active.pop(host).result()  # re-raise a worker's bug instead of hiding it

    async def _work_host(self, host: str) -> None:
        robots = await self._robots(host)
        delay = max(self.settings.per_host_delay_s, robots.crawl_delay() or 0.0)
        while (row := self.frontier.next_queued(host)) is not None:
            if not robots.allowed(row["url"]):
                self.frontier.set_status(row["id"], "robots-disallowed", "robots.txt: " + robots.summary)
                self.frontier.conn.commit()
                continue
            if row["kind"] == "page" and self._over_budget(row["source"]):
                self.frontier.set_status(row["id"], "max-pages", "page budget spent")
                self.frontier.conn.commit()
                continue
            result = await self._polite_fetch(host, row["url"], row["kind"], delay)
            self._handle(row, result)
            self._report_progress()

    async def _polite_fetch(self, host: str, url: str, kind: str, delay: float) -> FetchResult:
        wait = self._not_before.get(host, 0.0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        async with self._semaphore:
            result = await fetch(self._client, url, kind, self.settings)
        self.report.requests += 1
        self._not_before[host] = max(self._not_before.get(host, 0.0), time.monotonic() + delay)
        return result

    async def _robots(self, host: str) -> Robots:
        scheme = self.frontier.conn.execute("SELECT url FROM urls WHERE host = ? LIMIT 1", (host,)).fetchone()[0]
        url = f"{scheme.split('://')[0]}://{host}/robots.txt"
        result = await self._polite_fetch(host, url, "robots", self.settings.per_host_delay_s)
        # RFC 9309: 4xx = no rules, 5xx or no answer = unreachable (nothing allowed)
        status = 404 if result.outcome == "redirect" else result.http_status
        text = result.body.decode("utf-8", errors="replace") if result.outcome == "ok" else None
        robots = Robots(self.settings.user_agent, text, status)
        self.report.robots[host] = robots.summary
        return robots

    def _over_budget(self, source: str) -> bool:
        spec = self.sources.get(source)
        if spec and spec.max_pages and self._pages_by_source.get(source, 0) >= spec.max_pages:
            return True
        cap = self.settings.max_pages
        return bool(cap and sum(self._pages_by_source.values()) >= cap)

    def _handle(self, row, result: FetchResult) -> None:
        if row["kind"] == "page" and result.outcome != "retry":
            self._pages_by_source[row["source"]] = self._pages_by_source.get(row["source"], 0) + 1
        if result.outcome == "ok":
            self._store(row, result)
        elif result.outcome == "redirect":
            self._redirect(row, result)
        elif result.outcome == "retry":
            self._retry(row, result)
        else:
            self.frontier.set_status(row["id"], result.outcome, result.reason, http_status=result.http_status,
                                     content_type=result.content_type or None)
        self.frontier.conn.commit()

    def _store(self, row, result: FetchResult) -> None:
        if self._writer is None:
            self._writer = CaptureWriter(self.captures_dir / session_name())
            self.report.warc_file = self._writer.path.name
        offset, length = self._writer.write_response(
            row["url"], result.http_status or 200, "OK", result.headers, result.body, result.protocol
        )
        self.report.captures += 1
        self._discover(row, result)
        self.frontier.record_capture(row["id"], self._writer.path.name, offset, length,
                                     http_status=result.http_status, content_type=result.content_type)

    def _discover(self, row, result: FetchResult) -> None:
        kind, url = row["kind"], row["url"]
        common = {"outlet": row["outlet"], "source": row["source"], "via": url}
        try:
            if kind == "feed":
                for link in feed_links(result.body, url):
                    self.frontier.add(Candidate(link.url, kind="page", listed_date=link.date, **common))
            elif kind == "sitemap":
                for link in sitemap_links(result.body, url):
                    self.frontier.add(Candidate(link.url, kind="sitemap" if link.is_sitemap else "page",
                                                listed_date=link.date, **common))
            elif self._follows_links(row):
                self._add_crawl_links(row, result, common)
        except ValueError as exc:
            self.frontier.set_status(row["id"], "fetched", f"unreadable listing: {exc}")

    def _follows_links(self, row) -> bool:
        spec = self.sources.get(row["source"])
        return bool(spec and spec.kind == "crawl" and row["depth"] < spec.max_depth)

    def _add_crawl_links(self, row, result: FetchResult, common: dict) -> None:
        text, _ = decode_html(result.body, result.content_type)
        for link in page_links(text, row["url"]):
            if host_of(link) != row["host"] or not crawlable(link):
                continue
            kind = "listing" if courlan.is_navigation_page(link) else "page"
            self.frontier.add(Candidate(link, kind=kind, depth=row["depth"] + 1, **common))

    def _redirect(self, row, result: FetchResult) -> None:
        target = normalize(result.location or "")
        hops = row["redirect_hops"] + 1
        if target in self._chain(row):
            self.frontier.set_status(row["id"], "redirect-loop", f"{result.http_status} → {target}",
                                     http_status=result.http_status)
        elif hops > self.settings.max_redirects:
            self.frontier.set_status(row["id"], "too-many-redirects", f"{hops} hops", http_status=result.http_status)
        else:
            self.frontier.set_status(row["id"], "redirected", f"{result.http_status} → {target}",
                                     http_status=result.http_status)
            self.frontier.add(Candidate(target, outlet=row["outlet"], kind=row["kind"], source=row["source"],
                                        via=row["url"], depth=row["depth"], listed_date=row["listed_date"],
                                        redirect_hops=hops))

    def _chain(self, row) -> set[str]:
        chain, current = {row["url"]}, row
        while current is not None and current["redirect_hops"] > 0 and current["via"]:
            current = self.frontier.get(current["via"])
            if current is not None:
                chain.add(current["url"])
        return chain

    def _retry(self, row, result: FetchResult) -> None:
        attempts = row["attempts"] + 1
        final = result.reason.split(":")[0] if result.reason else "connection-error"
        wait = result.retry_after if result.retry_after is not None else self.settings.backoff_s * 2 ** (attempts - 1)
        if attempts > self.settings.retries:
            self.frontier.set_status(row["id"], final, f"{result.reason}; gave up after {attempts} attempts",
                                     http_status=result.http_status, attempts=attempts)
        elif wait > self.settings.max_retry_after_s:
            self.frontier.set_status(row["id"], final, f"Retry-After {wait:.0f}s exceeds collect.max_retry_after_s",
                                     http_status=result.http_status, attempts=attempts)
        else:
            self.report.retries += 1
            self.frontier.set_status(row["id"], "queued", f"retrying: {result.reason}", attempts=attempts,
                                     http_status=result.http_status)
            host = row["host"]
            self._not_before[host] = max(self._not_before.get(host, 0.0), time.monotonic() + wait)

    def _report_progress(self, force: bool = False) -> None:
        # two table scans: at most a few times a second, not once per URL (a large crawl is O(n) per scan)
        now = time.monotonic()
        if not force and now - self._last_progress < 0.25:
            return
        self._last_progress = now
        done = self.frontier.count("kind = 'page' AND status != 'queued'")
        self.progress(done, self.frontier.count("kind = 'page'"))
