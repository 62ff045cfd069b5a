"""A web archive's index answers, read into the frontier: what a ``cdx:`` source's index pages list.

The crawler fetches an index page (a frontier row of kind ``cdx``) as it fetches a feed, and hands
the answer to an :class:`IndexReader`, which queues what it lists and says what became of it:

- a Wayback CDX page (:mod:`framing.collect.cdx`): its captures, as pages under their original
  URLs fetched at the archive's replay URL, and the next page under the resumption key it printed
  (a key given before stops the paging, ``cursor-repeated``);
- Common Crawl's crawl list (:mod:`framing.collect.commoncrawl`): the page-count query of each
  crawl each pywb source asks; a page count: the crawl's first ``max_index_pages`` pages (the rest
  held, ``max-pages``); a page: its captures, as pages fetched by byte range from their WARC
  files, one per ``urlkey`` since pywb cannot collapse.

What an index may cost is bounded: the reader tells the crawler which index page not to read
(``max_index_pages`` read, or the source's ``collect.max_queued`` reached), and leaves out the
captures past ``collect.max_queued``, each limit named in the page's reason.
"""

from __future__ import annotations

import sqlite3

from framing.collect import cdx, commoncrawl
from framing.collect.discover import ListingError
from framing.collect.fetcher import FetchResult
from framing.collect.frontier import Candidate, Frontier, host_of, normalize
from framing.study.config import Collect, Source

Reading = tuple[str, str | None, bool]  # what an index page became: (status, reason, whether to retry it)


class IndexReader:
    """Queue what the index pages of the ``cdx:`` sources list, within their limits.

    Parameters
    ----------
    frontier
        The study's frontier, where index pages are and what they list goes.
    sources
        The pipeline's sources by label: each index page's source says how to read it.
    settings
        The pipeline's ``collect`` block (``max_queued``).

    Examples
    --------
    >>> import sqlite3
    >>> conn = sqlite3.connect(":memory:")
    >>> conn.row_factory = sqlite3.Row
    >>> frontier = Frontier(conn)
    >>> source = Source(cdx="https://web.archive.org/cdx/search/cdx", match="example.org/")
    >>> frontier.add(Candidate(cdx.first_page(source), outlet="example.org", kind="cdx", source=source.label))
    True
    >>> reader = IndexReader(frontier, {source.label: source}, Collect())
    >>> reader.resume(frontier.per_source())
    >>> answer = b'[["urlkey","timestamp","original"], ["org,example)/a","20150102030405","http://example.org/a"]]'
    >>> reader.read(frontier.get(cdx.first_page(source)), FetchResult("ok", 200, content=answer))
    ('fetched', None, False)
    >>> frontier.get("http://example.org/a")["archive_url"]
    'https://web.archive.org/web/20150102030405id_/http://example.org/a'
    """

    def __init__(self, frontier: Frontier, sources: dict[str, Source], settings: Collect):
        self.frontier = frontier
        self.sources = sources
        self.settings = settings
        self.queued: dict[str, int] = {}
        self.pages_read: dict[str, int] = {}
        self._urlkeys: dict[str, set[str]] = {}  # pywb sources: urlkeys listed this run (its collapse=urlkey)

    def resume(self, queued: dict[str, int]) -> None:
        """Start a run: count the index pages earlier runs read, and share the run's rows per source.

        Parameters
        ----------
        queued
            Frontier rows per source, kept up to date by the caller as it queues links too: the
            source's ``collect.max_queued`` bounds feeds, sitemaps, redirects and index pages together,
            so both add to this one count.
        """
        self.queued = queued
        self.pages_read = self.frontier.per_source("kind = 'cdx' AND warc_file IS NOT NULL")

    def held(self, row: sqlite3.Row) -> str | None:
        """Why an index page is not to be read (its status becomes ``max-pages``), or None.

        Parameters
        ----------
        row
            A queued frontier row of kind ``cdx``.

        Returns
        -------
        str or None
            The reason: ``max_index_pages`` pages of the source read (a new page only: one read
            before is read again), or its ``collect.max_queued`` URLs queued.
        """
        source, spec = row["source"], self.sources.get(row["source"])
        read = self.pages_read.get(source, 0)
        if spec is not None and row["warc_file"] is None and read >= spec.index_pages_limit:
            # a cursor that never ends stops here; raising max_index_pages reads on in the next run
            return (f"index page {read + 1} not read: max_index_pages {spec.index_pages_limit} of this source "
                    "read, and the index had more")
        if self.queued.get(source, 0) >= self.settings.max_queued:
            return f"index page not read: the source reached collect.max_queued {self.settings.max_queued}"
        return None

    def read(self, row: sqlite3.Row, result: FetchResult) -> Reading:
        """Queue what a fetched index page lists: its captures, its next page, a crawl's pages.

        Parameters
        ----------
        row
            The index page's frontier row (kind ``cdx``).
        result
            Its ``ok`` answer (a 404 too: pywb's "No Captures found" is an empty listing).

        Returns
        -------
        tuple
            ``(status, reason, retry)``: the page's status (``fetched``, ``unreadable``,
            ``cursor-repeated``, ``max-pages``, ``http-404``), why, and whether the fault may pass
            (the page is then asked again).
        """
        if row["warc_file"] is None:  # a page read again (a retry, a new run) is not another page
            self.pages_read[row["source"]] = self.pages_read.get(row["source"], 0) + 1
        spec = self.sources.get(row["source"])
        if result.http_status == 404:
            if not commoncrawl.no_captures(result.content):
                return "http-404", "the index answered 404 (Not Found)", False
            return "fetched", "no captures: the index answered 404, No Captures found", False
        if commoncrawl.is_crawl_list(row["url"]):
            return self._read_crawl_list(row, result)
        if spec is None or spec.kind != "cdx":
            return "fetched", "the source is no longer in the study: its captures are not queued", False
        if spec.dialect == "pywb":
            return self._read_pywb(row, spec, result)
        return self._read_wayback(row, spec, result)

    def _read_wayback(self, row: sqlite3.Row, spec: Source, result: FetchResult) -> Reading:
        """A Wayback CDX page: its captures, and its next page unless the cursor came back."""
        try:
            page = cdx.read_index(result.content)
        except ListingError as exc:
            return "unreadable", str(exc), exc.transient
        notes = [note for note in (page.problem, self._queue_captures(row, spec, page)) if note]
        status = "unreadable" if page.problem else "fetched"
        if page.resume_key is not None:
            target = cdx.next_page(row["url"], page.resume_key)
            known = self.frontier.get(target)
            if known is not None and known["via"] != row["url"]:  # not just this page's own next one, read again
                back = "this same page" if known["url"] == row["url"] else known["url"]
                notes.insert(0, f"its resumption key {page.resume_key!r} was given before and leads back to {back}: "
                             "a cursor that repeats would never end, so paging stopped here")
                status = "cursor-repeated" if status == "fetched" else status
            elif known is None:
                self._add(Candidate(target, outlet=row["outlet"], kind="cdx", source=row["source"], via=row["url"]))
        return status, "; ".join(notes) or None, page.problem is not None

    def _read_crawl_list(self, row: sqlite3.Row, result: FetchResult) -> Reading:
        """Queue the page-count query of each crawl each pywb source on this list asks."""
        try:
            crawls, notes = commoncrawl.read_crawls(result.content, row["url"])
        except ListingError as exc:
            return "unreadable", str(exc), exc.transient
        asked = 0
        for spec in self.sources.values():
            if spec.kind != "cdx" or spec.dialect != "pywb" or normalize(spec.cdx) != row["url"]:
                continue
            chosen, missing = commoncrawl.chosen_crawls(crawls, spec)
            notes += missing
            asked += len(chosen)
            self._add_index_pages(row, spec, [commoncrawl.count_url(crawl, spec) for crawl in chosen])
        notes.insert(0, f"{len(crawls)} crawls listed, {asked} asked")
        return "fetched", "; ".join(notes), False

    def _read_pywb(self, row: sqlite3.Row, spec: Source, result: FetchResult) -> Reading:
        """A crawl's page count (its pages queued, up to max_index_pages) or one of its pages (its captures)."""
        if not commoncrawl.is_page_count(row["url"]):
            page = commoncrawl.read_captures(result.content)
            notes = [note for note in (page.problem, self._queue_captures(row, spec, page)) if note]
            return ("unreadable" if page.problem else "fetched"), "; ".join(notes) or None, page.problem is not None
        try:
            pages = commoncrawl.read_page_count(result.content)
        except ListingError as exc:
            return "unreadable", str(exc), exc.transient
        limit = spec.index_pages_limit
        self._add_index_pages(row, spec, [commoncrawl.page_url(row["url"], n) for n in range(min(pages, limit))])
        if pages > limit:  # held: a raised max_index_pages queues the rest in the next run
            return "max-pages", (f"the index has {pages} pages for this query; the first {limit} queued "
                                 f"(max_index_pages {limit})"), False
        return "fetched", f"{pages} index pages", False

    def _add_index_pages(self, row: sqlite3.Row, spec: Source, urls: list[str]) -> None:
        for url in urls:
            self._add(Candidate(url, outlet=row["outlet"], kind="cdx", source=spec.label, via=row["url"]))

    def _queue_captures(self, row: sqlite3.Row, spec: Source, page: cdx.IndexPage) -> str | None:
        """Put an index page's captures in the frontier under their original URLs, up to the source's
        ``collect.max_queued``; a URL already known (another capture, another source) stays as it is.
        Returns a note when captures were left out."""
        source, limit, left_out, repeated = row["source"], self.settings.max_queued, 0, 0
        seen = self._urlkeys.setdefault(source, set())
        for entry in page.rows:
            if isinstance(entry, commoncrawl.Capture) and spec.collapse == "urlkey":
                if entry.urlkey in seen:  # pywb cannot collapse: the first capture listed of a URL is kept
                    repeated += 1
                    continue
                seen.add(entry.urlkey)
            if self.queued.get(source, 0) >= limit:
                left_out += 1
                continue
            moment = cdx.capture_time(entry.timestamp)
            where = (commoncrawl.record_url(spec.replay_template, entry) if isinstance(entry, commoncrawl.Capture)
                     else cdx.replay_url(spec.replay_template, entry))
            self._add(Candidate(entry.original, outlet=spec.outlet or host_of(entry.original), kind="page",
                                source=source, via=row["url"], archive_url=where,
                                archived_at=cdx.iso(moment) if moment else None))
        notes = []
        if repeated:
            notes.append(f"{repeated} later captures of URLs listed before left out (collapse: urlkey)")
        if left_out:
            notes.append(f"{left_out} of its {len(page.rows)} captures not queued: the source reached "
                         f"collect.max_queued {limit}")
        return "; ".join(notes) or None

    def _add(self, candidate: Candidate) -> None:
        added = self.frontier.add(candidate)
        self.queued[candidate.source] = self.queued.get(candidate.source, 0) + added
