"""The polite crawler: one worker per host, many hosts at once, state in the SQLite frontier.

Politeness: a host is asked at most one request at a time, and the next request starts no
earlier than ``delay`` after the previous answer ended (robots.txt's Crawl-delay raises the
delay, never lowers it). Retries on 429/5xx/timeouts back off exponentially, or wait as long as
``Retry-After`` says, and the wait holds that host alone.

No server can stop a crawl: a host whose robots.txt cannot be read is skipped for this run, a
feed or sitemap that is empty or broken is retried and then recorded, and everything a source
may cost is bounded (pages, sitemaps and their nesting, index pages, queued URLs), each limit
recorded as a status with its reason.

A web archive's index pages (``cdx:`` sources, see :mod:`framing.collect.cdx`) are fetched as
feeds are, and read by :mod:`framing.collect.indexing`, which queues what they list. The captures
listed are asked of the archive, at their replay URL: the archive's host is the host whose
robots.txt, delay (the source's ``per_host_delay_s`` when larger) and retries apply, the original
site is never contacted, and an archive's redirect (to the capture at another timestamp) is
followed on the archive's host without leaving the page's original URL. Common Crawl's captures
(:mod:`framing.collect.commoncrawl`) are records inside WARC files: each is asked for by its byte
range on the data host, under that host's robots.txt and delay, and the record's HTTP response is
stored as the page's capture.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import courlan
import httpx

from framing.collect import cdx, commoncrawl
from framing.collect.codings import ACCEPT_ENCODING
from framing.collect.discover import Link, ListingError, crawlable, feed_links, page_links, sitemap_links
from framing.collect.fetcher import FetchResult, fetch
from framing.collect.frontier import Candidate, Frontier, host_of, normalize, request_url
from framing.collect.htmltext import decode_html
from framing.collect.indexing import IndexReader
from framing.collect.robots import Robots
from framing.collect.warcfile import CaptureWriter, archived_headers, session_name, truncate_to
from framing.study.config import Collect, Source
from framing.study.tables import UNSPENT

ProgressFn = Callable[[int, int], None]
ROBOTS_REDIRECTS = 5  # RFC 9309 2.3.1.2: follow at least five; past that, treat the file as absent


@dataclass
class CrawlReport:
    """What one collect run did."""

    requests: int = 0
    captures: int = 0
    retries: int = 0
    robots: dict[str, str] = field(default_factory=dict)
    requeued: int = 0  # URLs an earlier run left for later, queued again
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
    host_delays
        Seconds between requests to hosts that no source names (archives asked again by rehydrate);
        the larger of this and the study's delay applies.
    """

    def __init__(self, frontier: Frontier, sources: list[Source], settings: Collect, captures_dir: Path,
                 progress: ProgressFn | None = None, host_delays: dict[str, float] | None = None):
        self.frontier = frontier
        self.sources = {s.label: s for s in sources}
        self.settings = settings
        self.captures_dir = captures_dir
        self.progress = progress or (lambda done, total: None)
        self.report = CrawlReport()
        self._writer: CaptureWriter | None = None
        self._not_before: dict[str, float] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}
        self._robots_known: dict[str, Robots] = {}
        self._pages_by_source: dict[str, int] = {}
        self._rows_by_source: dict[str, int] = {}
        self._sitemaps_by_source: dict[str, int] = {}
        self._index = IndexReader(frontier, self.sources, settings)
        self._archive_delays = {**(host_delays or {}), **archive_delays(sources)}
        self._archive_chains: dict[int, set[str]] = {}  # an archived row's replay URLs this run: loops
        self._last_progress = 0.0

    def run(self) -> CrawlReport:
        """Crawl until nothing is queued; safe to call again after a crash."""
        self._repair_tails()
        self.report.requeued = self.frontier.requeue_unfinished()
        self._pages_by_source = self.frontier.per_source(
            f"kind = 'page' AND status NOT IN ({', '.join('?' * len(UNSPENT))})", UNSPENT)
        self._sitemaps_by_source = self.frontier.per_source("kind = 'sitemap' AND status = 'fetched'")
        self._rows_by_source = self.frontier.per_source()
        self._index.resume(self._rows_by_source)  # one count of queued rows: index pages and links add to it
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
        headers = {"User-Agent": self.settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING}
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
        # read once per run: a host's worker restarts when another host's links queue it again
        if host not in self._robots_known:
            self._robots_known[host] = await self._robots(host)
            self.report.robots[host] = self._robots_known[host].summary
        robots = self._robots_known[host]
        if robots.host_invalid:
            self.frontier.hold_host(host, "invalid-url", f"host cannot be asked: {robots.problem}")
            return
        if not robots.available:
            self.frontier.hold_host(host, "robots-unavailable", robots.summary + "; retried next run")
            return
        delay = max(self.settings.per_host_delay_s, robots.crawl_delay() or 0.0)
        if delay > self.settings.max_crawl_delay_s:
            self.frontier.hold_host(host, "crawl-delay-too-long", f"robots.txt asks for Crawl-delay {delay:g} s, over "
                                    f"collect.max_crawl_delay_s {self.settings.max_crawl_delay_s:g}; retried next run")
            return
        delay = max(delay, self._archive_delays.get(host, 0.0))  # an archive's host: its cdx sources' delay
        while (row := self.frontier.next_queued(host)) is not None:
            if not robots.allowed(request_url(row)):  # an archived capture: the archive's rules, for its URL
                self.frontier.set_status(row["id"], "robots-disallowed", "robots.txt: " + robots.summary)
                self.frontier.conn.commit()
                continue
            if row["kind"] == "page" and self._hold_over_budget(row["source"]):
                continue
            if row["kind"] in ("sitemap", "cdx") and self._hold_listing(row):
                continue
            await self._fetch_row(host, row, delay)
            self._report_progress()

    async def _fetch_row(self, host: str, row, delay: float) -> None:
        """Fetch one queued URL. A page takes its share of the budget before the request, so that
        hosts fetching at the same time cannot overshoot it; a retry or a redirect gives it back."""
        source, is_page = row["source"], row["kind"] == "page"
        if is_page:
            self._pages_by_source[source] = self._pages_by_source.get(source, 0) + 1
        if record := commoncrawl.byte_range(row["archive_url"]):  # one record of a WARC file
            url, first, last = record
            result = await self._polite_fetch(host, url, row["kind"], delay, (first, last))
            result = commoncrawl.open_record(result, row["url"], first, last, self.settings.max_bytes)
        else:
            result = await self._polite_fetch(host, request_url(row), row["kind"], delay)
        settled = self._handle(row, result)
        if is_page and not settled:
            self._pages_by_source[source] -= 1

    async def _polite_fetch(self, host: str, url: str, kind: str, delay: float,
                            byte_range: tuple[int, int] | None = None) -> FetchResult:
        """One request, never two at a time to a host (robots.txt redirects reach other hosts)."""
        async with self._host_locks.setdefault(host, asyncio.Lock()):
            wait = self._not_before.get(host, 0.0) - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            async with self._semaphore:
                result = await fetch(self._client, url, kind, self.settings, byte_range)
            self.report.requests += 1
            self._not_before[host] = max(self._not_before.get(host, 0.0), time.monotonic() + delay)
        return result

    async def _robots(self, host: str) -> Robots:
        """Read a host's robots.txt: redirects followed (5 hops, RFC 9309), 429/5xx and network
        trouble retried as pages are; what still fails leaves the rules unknown."""
        scheme = self.frontier.conn.execute("SELECT coalesce(archive_url, url) FROM urls WHERE host = ? LIMIT 1",
                                            (host,)).fetchone()[0]
        url, hops, attempts = f"{scheme.split('://')[0]}://{host}/robots.txt", 0, 0
        agent = self.settings.user_agent
        while True:
            delay = max(self.settings.per_host_delay_s, self._archive_delays.get(host_of(url), 0.0))
            result = await self._polite_fetch(host_of(url), url, "robots", delay)
            if result.outcome == "ok":
                return Robots(agent, result.content.decode("utf-8", errors="replace"), result.http_status)
            if result.outcome == "redirect" and result.location:
                hops += 1
                if hops > ROBOTS_REDIRECTS:
                    return Robots(agent, None, None, problem=f"too-many-redirects: over {ROBOTS_REDIRECTS}")
                url = result.location
                continue
            if result.outcome == "retry":
                attempts += 1
                wait = self._retry_wait(result, attempts)
                if attempts <= self.settings.retries and wait <= self.settings.max_retry_after_s:
                    self._hold(host_of(url), wait)
                    continue
                return Robots(agent, None, result.http_status, problem=f"{result.reason}, {attempts} attempts")
            if result.outcome.startswith("http-4"):
                return Robots(agent, None, result.http_status)
            return Robots(agent, None, None, problem=f"{result.outcome}: {result.reason}")

    def _hold_over_budget(self, source: str) -> bool:
        """If the source's (or the study's) page budget is spent, hold all its queued pages at once."""
        spec = self.sources.get(source)
        if spec and spec.max_pages and self._pages_by_source.get(source, 0) >= spec.max_pages:
            self.frontier.hold_pages(source, f"page budget spent (max_pages {spec.max_pages} of {source})")
            return True
        cap = self.settings.max_pages
        if cap and sum(self._pages_by_source.values()) >= cap:
            self.frontier.hold_pages(None, f"page budget spent (collect.max_pages {cap})")
            return True
        return False

    def _hold_listing(self, row) -> bool:
        """Skip a sitemap or an index page the source cannot use: too many read, as many URLs queued
        as the source may queue, or enough pages listed already for its page budget."""
        source = row["source"]
        if row["kind"] == "sitemap" and self._sitemaps_by_source.get(source, 0) >= self.settings.max_sitemaps:
            status = "max-sitemaps"
            reason = f"collect.max_sitemaps {self.settings.max_sitemaps} sitemaps of this source fetched"
        elif row["kind"] == "cdx" and (reason := self._index.held(row)) is not None:
            status = "max-pages"
        elif (room := self._page_room(source)) is not None and room <= self.frontier.count(
                "id IN (SELECT id FROM urls WHERE source = ? AND kind = 'page' AND status = 'queued' LIMIT ?)",
                (source, room)):
            status, reason = "max-pages", f"page budget covered by {room}+ URLs already listed"
        else:
            return False
        self.frontier.set_status(row["id"], status, reason)
        self.frontier.conn.commit()
        return True

    def _page_room(self, source: str) -> int | None:
        """Pages the source may still fetch under its own and the study's budget; None: no budget."""
        rooms = []
        spec = self.sources.get(source)
        if spec and spec.max_pages:
            rooms.append(spec.max_pages - self._pages_by_source.get(source, 0))
        if self.settings.max_pages:
            rooms.append(self.settings.max_pages - sum(self._pages_by_source.values()))
        return max(0, min(rooms)) if rooms else None

    def _handle(self, row, result: FetchResult) -> bool:
        """Record what a fetch gave; True when the URL is settled (not queued again, not a redirect)."""
        settled = True
        if result.outcome == "ok":
            self._store(row, result)
        elif result.outcome == "redirect" and row["archive_url"]:
            self._archive_redirect(row, result)
            settled = False
        elif result.outcome == "redirect":
            self._redirect(row, result)
            settled = False
        elif result.outcome == "retry":
            settled = not self._retry(row, result)
        else:
            self.frontier.set_status(row["id"], result.outcome, result.reason, http_status=result.http_status,
                                     content_type=result.content_type or None)
        self.frontier.conn.commit()
        return settled

    def _store(self, row, result: FetchResult) -> None:
        """Write the capture as received, read the links of a listing, then record both at once."""
        if self._writer is None:
            self._writer = CaptureWriter(self.captures_dir / session_name())
            self.report.warc_file = self._writer.path.name
        archived: dict[str, object] = {}
        warc_headers = None
        if row["archive_url"]:  # the original URL is the record's; when and where the archive had it, beside
            # a WARC record's time is the index's (its WARC-Date); a replay's, what the archive says it served
            headers = [] if commoncrawl.byte_range(row["archive_url"]) else result.headers
            moment = cdx.served_at(headers, row["archive_url"], row["archived_at"])
            if moment is not None:
                archived["archived_at"] = cdx.iso(moment)
                warc_headers = archived_headers(moment, row["archive_url"])
        offset, length = self._writer.write_response(
            row["url"], result.http_status or 200, "OK", result.headers, result.body, result.protocol, warc_headers
        )
        self.report.captures += 1
        if row["kind"] == "sitemap":
            self._sitemaps_by_source[row["source"]] = self._sitemaps_by_source.get(row["source"], 0) + 1
        if row["kind"] == "cdx":
            self._store_index_page(row, result, offset, length)
            return
        problem, note = self._discover(row, result)
        if row["archive_url"] and row["redirect_hops"] and note is None:
            note = f"served after {row['redirect_hops']} archive redirect(s), at {row['archive_url']}"
        self.frontier.record_capture(row["id"], self._writer.path.name, offset, length,
                                     status="unreadable" if problem else "fetched",
                                     reason="; ".join(str(p) for p in (problem, note) if p) or None,
                                     http_status=result.http_status, content_type=result.content_type, **archived)
        if problem is not None and problem.transient:
            self._retry(row, FetchResult("retry", result.http_status, str(problem)), final="unreadable")

    def _store_index_page(self, row, result: FetchResult, offset: int, length: int) -> None:
        """Have the index reader queue what an index page lists; record the page (its WARC record
        written) with the status the reader gives, retried when its fault may pass."""
        status, reason, transient = self._index.read(row, result)
        self.frontier.record_capture(row["id"], self._writer.path.name, offset, length, status=status, reason=reason,
                                     http_status=result.http_status, content_type=result.content_type)
        if transient:
            self._retry(row, FetchResult("retry", result.http_status, reason), final="unreadable")

    def _discover(self, row, result: FetchResult) -> tuple[ListingError | None, str | None]:
        """Queue what a feed, sitemap or crawl page links to; the listing's problem and a note, if any."""
        kind, url = row["kind"], row["url"]
        try:
            if kind == "feed":
                return None, self._queue_links(row, feed_links(result.content, url))
            if kind == "sitemap":
                return None, self._queue_links(row, sitemap_links(result.content, url))
            if self._follows_links(row):
                self._add_crawl_links(row, result)
        except ListingError as exc:
            return exc, self._queue_links(row, exc.links)
        return None, None

    def _queue_links(self, row, links: list[Link]) -> str | None:
        """Add a listing's links, up to the source's ``collect.max_queued``; nested sitemaps below
        ``collect.max_sitemap_depth`` are recorded as ``sitemap-too-deep``, not fetched.
        Returns a note when links were left out."""
        source, limits = row["source"], self.settings
        common = {"outlet": row["outlet"], "source": source, "via": row["url"]}
        depth = row["depth"] + 1 if row["kind"] == "sitemap" else row["depth"]
        left_out = 0
        for link in links:
            if self._rows_by_source.get(source, 0) >= limits.max_queued:
                left_out += 1
                continue
            status, reason = "queued", None
            if link.is_sitemap and depth > limits.max_sitemap_depth:
                status = "sitemap-too-deep"
                reason = f"nested {depth} levels deep; collect.max_sitemap_depth is {limits.max_sitemap_depth}"
            added = self.frontier.add(Candidate(link.url, kind="sitemap" if link.is_sitemap else "page",
                                                listed_date=link.date, depth=depth if link.is_sitemap else row["depth"],
                                                status=status, reason=reason, **common))
            self._rows_by_source[source] = self._rows_by_source.get(source, 0) + added
        if not left_out:
            return None
        return (f"{left_out} of its {len(links)} links not queued: the source reached "
                f"collect.max_queued {limits.max_queued}")

    def _follows_links(self, row) -> bool:
        spec = self.sources.get(row["source"])
        return bool(spec and spec.kind == "crawl" and row["depth"] < spec.max_depth)

    def _add_crawl_links(self, row, result: FetchResult) -> None:
        # crawl sources are bounded by max_depth and their page budget, not by max_queued
        text = decode_html(result.content, result.content_type).text
        common = {"outlet": row["outlet"], "source": row["source"], "via": row["url"]}
        for link in page_links(text, row["url"]):
            if host_of(link) != row["host"] or not crawlable(link):
                continue
            kind = "listing" if courlan.is_navigation_page(link) else "page"
            self.frontier.add(Candidate(link, kind=kind, depth=row["depth"] + 1, **common))

    def _redirect_target(self, row, result: FetchResult, what: str) -> str | None:
        """Where a redirect points, normalized; None (the row marked ``invalid-url``) when nowhere sensible."""
        try:
            return normalize(result.location or "")
        except ValueError as exc:
            self.frontier.set_status(row["id"], "invalid-url", f"{what} to a broken URL: {exc}"[:200],
                                     http_status=result.http_status)
            return None

    def _redirect(self, row, result: FetchResult) -> None:
        if (target := self._redirect_target(row, result, "redirect")) is None:
            return
        hops = row["redirect_hops"] + 1
        if target in self._chain(row):
            self.frontier.set_status(row["id"], "redirect-loop", f"{result.http_status} → {target}",
                                     http_status=result.http_status)
        elif hops > self.settings.max_redirects:
            self.frontier.set_status(row["id"], "too-many-redirects", f"{hops} hops", http_status=result.http_status)
        else:
            self.frontier.set_status(row["id"], "redirected", f"{result.http_status} → {target}",
                                     http_status=result.http_status)
            added = self.frontier.add(Candidate(target, outlet=row["outlet"], kind=row["kind"], source=row["source"],
                                                via=row["url"], depth=row["depth"], listed_date=row["listed_date"],
                                                redirect_hops=hops))
            self._rows_by_source[row["source"]] = self._rows_by_source.get(row["source"], 0) + added

    def _archive_redirect(self, row, result: FetchResult) -> None:
        """Follow an archive's redirect (to the capture at another timestamp, or of the URL the page
        moved to) on the archive's host, as the same row: the page keeps its original URL."""
        if (target := self._redirect_target(row, result, "archive redirect")) is None:
            return
        hops = row["redirect_hops"] + 1
        chain = self._archive_chains.setdefault(row["id"], {row["archive_url"]})
        if host_of(target) != row["host"]:  # the archive sends us to the live site (or elsewhere): not fetched
            self.frontier.set_status(row["id"], "off-host", f"the archive redirected off its host: "
                                     f"{result.http_status} → {target}", http_status=result.http_status)
        elif target in chain:
            self.frontier.set_status(row["id"], "redirect-loop", f"archive {result.http_status} → {target}",
                                     http_status=result.http_status)
        elif hops > self.settings.max_redirects:
            self.frontier.set_status(row["id"], "too-many-redirects", f"{hops} archive hops",
                                     http_status=result.http_status)
        else:
            chain.add(target)
            self.frontier.set_status(row["id"], "queued", f"archive {result.http_status} → {target}",
                                     http_status=result.http_status, archive_url=target, redirect_hops=hops)

    def _chain(self, row) -> set[str]:
        chain, current = {row["url"]}, row
        while current is not None and current["redirect_hops"] > 0 and current["via"]:
            current = self.frontier.get(current["via"])
            if current is not None:
                chain.add(current["url"])
        return chain

    def _retry_wait(self, result: FetchResult, attempts: int) -> float:
        return result.retry_after if result.retry_after is not None else self.settings.backoff_s * 2 ** (attempts - 1)

    def _hold(self, host: str, wait: float) -> None:
        self._not_before[host] = max(self._not_before.get(host, 0.0), time.monotonic() + wait)

    def _retry(self, row, result: FetchResult, final: str | None = None) -> bool:
        """Queue the URL again after a backoff, or give up with ``final`` (default: from the reason).
        Returns whether it was queued again."""
        attempts = row["attempts"] + 1
        final = final or (result.reason.split(":")[0] if result.reason else "connection-error")
        wait = self._retry_wait(result, attempts)
        queued = False
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
            self._hold(row["host"], wait)
            queued = True
        self.frontier.conn.commit()
        return queued

    def _report_progress(self, force: bool = False) -> None:
        # two table scans: at most a few times a second, not once per URL (a large crawl is O(n) per scan)
        now = time.monotonic()
        if not force and now - self._last_progress < 0.25:
            return
        self._last_progress = now
        done = self.frontier.count("kind = 'page' AND status != 'queued'")
        self.progress(done, self.frontier.count("kind = 'page'"))


def archive_delays(sources: list[Source]) -> dict[str, float]:
    """Seconds between requests to each archive host of the ``cdx:`` sources (index and replay
    hosts), the largest where sources share a host."""
    delays: dict[str, float] = {}
    for source in sources:
        if source.kind != "cdx":
            continue
        if source.dialect == "pywb":
            replay = source.replay_template.format(filename="x")
        else:
            replay = cdx.replay_url(source.replay_template, cdx.IndexRow("http://example.org/", "20000101000000"))
        for host, delay in ((host_of(source.cdx), source.archive_delay_s), (host_of(replay), source.replay_delay_s)):
            delays[host] = max(delays.get(host, 0.0), delay)
    return delays
