"""cdx: commoncrawl sources against loopback stand-ins for Common Crawl's index server and its data host.

The index stand-in answers as pywb's CDXJ server is documented to (webrecorder/pywb,
docs/manual/cdxserver_api.rst) and as index.commoncrawl.org lists its crawls: ``/collinfo.json``
with ``id``, ``name``, ``timegate``, ``cdx-api``, ``from``, ``to``; per crawl ``/<id>-index``
with ``showNumPages=true`` (pages counted before filters, as ZipNum blocks are), ``page=N``,
``from``/``to``, ``filter=[!][=|~]field:expr`` and ``output=json`` (one object a line), and a 404
``{"message": "No Captures found for: ..."}`` when nothing matches. The data stand-in serves
WARC files built with warcio, with real byte ranges (206, 416). The original site is on an
``.invalid`` host, which never resolves.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import random
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pyarrow.parquet as pq
import pytest
from test_cdx import Archive, frontier_rows, outcome, start, undated, warc_responses
from test_cdx import Capture as WaybackCapture
from test_cdx import source as wayback_source
from test_cdx import write as config_problems
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from framing.api.exporting import export
from framing.api.rehydration import rehydrate
from framing.collect.commoncrawl import byte_range, read_captures, read_page_count
from framing.collect.discover import ListingError
from framing.demo.server import Response, SiteServer, politeness_problems
from framing.runner import run
from framing.study.config import load_pipeline
from framing.study.store import Study

ORIGIN = "http://example-news.invalid"
MATCH = "example-news.invalid/world/"


@dataclass
class Page:
    """One capture: what the index lists and what its WARC record holds."""

    url: str
    timestamp: str
    body: bytes = b""
    mime: str = "text/html"
    status: str = "200"
    kind: str = "response"  # or "revisit"
    record_url: str | None = None  # the record's WARC-Target-URI, when it is not ``url``
    offset: int = 0
    length: int = 0
    filename: str = ""

    @property
    def urlkey(self) -> str:
        parts = urlsplit(self.url)
        return ",".join(reversed(parts.hostname.split("."))) + ")" + parts.path

    def line(self) -> dict:
        return {"urlkey": self.urlkey, "timestamp": self.timestamp, "url": self.url, "mime": self.mime,
                "mime-detected": self.mime, "status": self.status, "digest": "SHA1DIGEST", "length": str(self.length),
                "offset": str(self.offset), "filename": self.filename, "languages": "eng", "encoding": "UTF-8"}


def warc_date(timestamp: str) -> str:
    t = timestamp
    return f"{t[:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:]}Z"


def build_warc(pages: list[Page], filename: str, padding: int = 0) -> bytes:
    """A gzipped WARC file of the pages' records (a warcinfo first), each page told its offset and length."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warcinfo_record(filename.rsplit("/", 1)[-1], {"software": "test"}))
    for page in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                           ("Content-Length", str(len(page.body)))], protocol="HTTP/1.1")
        target, date = page.record_url or page.url, {"WARC-Date": warc_date(page.timestamp)}
        if page.kind == "revisit":
            record = writer.create_revisit_record(target, "sha1:SHA1DIGEST", target, "2015-01-01T00:00:00Z",
                                                  http_headers=http, warc_headers_dict=date)
        else:
            record = writer.create_warc_record(target, "response", payload=io.BytesIO(page.body),
                                               length=len(page.body), http_headers=http, warc_headers_dict=date)
        page.offset, page.filename = buffer.tell(), filename
        writer.write_record(record)
        page.length = buffer.tell() - page.offset
    if padding:  # other sites' records: a real WARC file is about 1 GB
        noise = random.Random(0).randbytes(padding)  # does not compress: the file is as large as asked
        filler = writer.create_warc_record("http://other.invalid/", "resource", payload=io.BytesIO(noise),
                                           length=padding, warc_content_type="application/octet-stream")
        writer.write_record(filler)
    return buffer.getvalue()


@dataclass
class Crawl:
    id: str
    start: str  # ISO 8601, as collinfo.json gives it
    end: str
    pages: list[Page] = field(default_factory=list)


class CCIndex(dict):
    """The index server's routes: ``/collinfo.json`` and ``/<crawl id>-index``, pywb's paged query API.

    ``per_page`` is the captures per index page (pywb's pages are blocks; counted before filters);
    ``faults`` maps ``(crawl id, "count" or page number)`` to a callable taking the how-many-th such
    request and answering in its place, or returning None to answer as usual.
    """

    def __init__(self, crawls: list[Crawl], per_page: int = 2):
        super().__init__({"/robots.txt": Response(404, b"not found")})
        self.crawls, self.per_page = {c.id: c for c in crawls}, per_page
        self.faults: dict[tuple[str, object], object] = {}
        self.queries: list[tuple[str, dict]] = []
        self._hits: dict[tuple[str, object], int] = {}
        self.base = ""

    def get(self, path: str, default: object = None) -> object:
        if path in self:
            return super().get(path)
        parts = urlsplit(path)
        if parts.path == "/collinfo.json":
            return Response(body=json.dumps([self._entry(c) for c in reversed(self.crawls.values())]).encode(),
                            content_type="application/json")
        if found := re.fullmatch(r"/(.+)-index", parts.path):
            return self._query(found.group(1), parse_qs(parts.query))
        return default

    def _entry(self, crawl: Crawl) -> dict:
        return {"id": crawl.id, "name": f"{crawl.id} Index", "timegate": f"{self.base}/{crawl.id}/",
                "cdx-api": f"{self.base}/{crawl.id}-index", "from": crawl.start, "to": crawl.end}

    def _query(self, crawl_id: str, params: dict) -> Response:
        self.queries.append((crawl_id, params))
        what = "count" if params.get("showNumPages") == ["true"] else int(params.get("page", ["0"])[0])
        key = (crawl_id, what)
        self._hits[key] = self._hits.get(key, 0) + 1
        if (fault := self.faults.get(key)) and (answer := fault(self._hits[key])) is not None:
            return answer
        matched = self._matched(self.crawls[crawl_id], params)
        pages = max(1, math.ceil(len(matched) / self.per_page)) if matched else 0
        if what == "count":
            return Response(body=json.dumps({"pages": pages, "pageSize": 5, "blocks": pages}).encode(),
                            content_type="text/x-ndjson")
        if what >= pages:
            return Response(404, b'{"message": "No Captures found for: ' + params["url"][0].encode() + b'"}',
                            content_type="text/x-ndjson")
        shown = [p for p in matched[what * self.per_page:(what + 1) * self.per_page] if self._passes(p, params)]
        return Response(body="".join(json.dumps(p.line()) + "\n" for p in shown).encode(),
                        content_type="text/x-ndjson")

    @staticmethod
    def _matched(crawl: Crawl, params: dict) -> list[Page]:
        prefix = params["url"][0]
        low = params.get("from", ["0"])[0].ljust(14, "0")
        high = params.get("to", ["9"])[0].ljust(14, "9")
        chosen = [p for p in crawl.pages if p.url.split("://", 1)[1].startswith(prefix) and low <= p.timestamp <= high]
        return sorted(chosen, key=lambda p: (p.urlkey, p.timestamp))

    @staticmethod
    def _passes(page: Page, params: dict) -> bool:
        for rule in params.get("filter", []):
            negate, rule = rule.startswith("!"), rule.lstrip("!")
            mode = rule[0] if rule[0] in "=~" else ""
            name, expression = rule[len(mode):].split(":", 1)
            value = page.line()[name]
            hit = (value == expression if mode == "=" else bool(re.match(expression, value)) if mode == "~"
                   else expression in value)
            if hit == negate:
                return False
        return True


def serve_commoncrawl(serve, crawls: list[Crawl], per_page: int = 2, padding: dict[str, int] | None = None,
                      whole_files: tuple[str, ...] = ()) -> tuple[SiteServer, SiteServer, CCIndex]:
    """Start the index and the data host; each crawl's pages go in one WARC file (``whole_files``:
    crawls whose file is served without byte ranges, as a server that ignores ``Range``)."""
    data = serve()
    routes = {"/robots.txt": Response(404, b"not found")}
    for crawl in crawls:
        name = f"crawl-data/{crawl.id}/segments/1/warc/{crawl.id}-00000.warc.gz"
        body = build_warc(crawl.pages, name, (padding or {}).get(crawl.id, 0))
        routes["/" + name] = Response(body=body, content_type="application/octet-stream",
                                      ranges=crawl.id not in whole_files)
    data.routes = routes
    index = CCIndex(crawls, per_page)
    site = start(serve, index)
    index.base = site.base_url
    return site, data, index


def cc_source(site: SiteServer, data: SiteServer, **keys: object) -> dict:
    return {"cdx": site.base_url + "/collinfo.json", "replay": data.base_url + "/{filename}", "match": MATCH,
            "per_host_delay_s": 0.01, **keys}


def story(slug: str, timestamp: str, **keys: object) -> Page:
    return Page(f"{ORIGIN}/world/{slug}", timestamp, undated(f"Story {slug}"), **keys)


def index_queries(index: CCIndex, what: str | None = None) -> list[tuple[str, dict]]:
    return [(c, q) for c, q in index.queries if what is None or (what == "count") == ("showNumPages" in q)]


# -- the whole path: crawl list, page counts, pages, records ----------------------------------------

def test_commoncrawl_backfill_asks_the_crawls_in_range_pages_through_them_and_keeps_original_urls(
        serve, write_pipeline):
    early = Crawl("CC-MAIN-2013-20", "2013-05-18T05:48:59", "2013-05-25T21:32:51",
                  [story("too-early", "20130520000000")])
    first = Crawl("CC-MAIN-2015-48", "2015-11-24T21:35:07", "2015-12-02T11:09:02",
                  [story(f"a-{n}", f"2015112{n}080000") for n in range(5)]
                  + [story("report.pdf", "20151125000000", mime="application/pdf"),
                     story("gone", "20151126000000", status="404")])
    second = Crawl("CC-MAIN-2016-07", "2016-02-06T01:07:06", "2016-02-14T15:13:09",
                   [story("a-0", "20160207000000"),  # seen in the earlier crawl: that capture is kept
                    story("b-1", "20160208101010"), story("b-2", "20160209000000")])
    late = Crawl("CC-MAIN-2021-04", "2021-01-15T00:00:00", "2021-01-28T00:00:00", [story("too-late", "20210120000000")])
    site, data, index = serve_commoncrawl(serve, [early, first, second, late])
    spec = write_pipeline([cc_source(site, data, since="2014-06-14", until="2020-12-31", outlet="Example News")])

    results = run(spec, ["collect", "extract"])

    # the list once, a page count per crawl in range (oldest first), then its pages; the others never asked
    assert [r.path for r in site.log][:2] == ["/robots.txt", "/collinfo.json"]
    assert [c for c, _ in index_queries(index, "count")] == ["CC-MAIN-2015-48", "CC-MAIN-2016-07"]
    assert sorted((c, q["page"][0]) for c, q in index_queries(index, "page")) == [
        ("CC-MAIN-2015-48", "0"), ("CC-MAIN-2015-48", "1"), ("CC-MAIN-2015-48", "2"), ("CC-MAIN-2015-48", "3"),
        ("CC-MAIN-2016-07", "0"), ("CC-MAIN-2016-07", "1")]
    _, asked = index_queries(index, "page")[0]
    assert (asked["url"], asked["matchType"], asked["from"], asked["to"], asked["output"], asked["filter"]) == (
        [MATCH], ["prefix"], ["20140614000000"], ["20201231235959"], ["json"], ["~status:(?:200)$",
                                                                                 "~mime:(?:text/html)$"])
    fetched = [r for r in data.log if r.path != "/robots.txt"]
    assert len(fetched) == 7 and all(r.status == 206 and r.range.startswith("bytes=") for r in fetched)
    assert politeness_problems(site.log, 0.01) == [] and politeness_problems(data.log, 0.01) == []

    pages = frontier_rows(spec, "kind = 'page'")
    wanted = first.pages[:5] + second.pages[1:]
    assert set(pages) == {p.url for p in wanted}
    assert {r["status"] for r in pages.values()} == {"fetched"}
    kept = pages[first.pages[0].url]  # the 2015 capture, not the 2016 one
    assert kept["archived_at"] == "2015-11-20T08:00:00+00:00"
    assert kept["archive_url"] == (f"{data.base_url}/{first.pages[0].filename}#bytes={first.pages[0].offset}-"
                                   f"{first.pages[0].offset + first.pages[0].length - 1}")
    assert kept["host"] == data.netloc

    articles = {r[0]: r[1:] for r in Study(spec.workdir).query(
        "SELECT url, outlet, status, published, date_source FROM articles").fetchall()}
    assert set(articles) == {p.url for p in wanted}
    assert {a[:2] for a in articles.values()} == {("Example News", "ok")}
    assert articles[second.pages[1].url][2:] == (dt.date(2016, 2, 8), "archive")

    records = {r[0]: r[1:] for r in warc_responses(spec) if r[0].startswith(ORIGIN)}
    assert set(records) == {p.url for p in wanted}
    source_uri, warc_date_, _ = records[second.pages[1].url]
    assert source_uri == pages[second.pages[1].url]["archive_url"] and warc_date_ == "2016-02-08T10:10:10Z"
    summary = outcome(results, "cdx:")
    assert (summary["found"], summary["fetched"], summary["failed"], summary["problems"]) == (7, 7, 0, [])
    (listing,) = frontier_rows(spec, "url LIKE '%collinfo.json'").values()
    assert listing["reason"] == "4 crawls listed, 2 asked"

    again = run(spec, ["collect"])  # the list is read again (new crawls, new sources); nothing else is
    assert again[0].counts["requests"] == 1 + 1  # the index host's robots.txt, the list
    assert len(index_queries(index)) == 2 + 6


def test_commoncrawl_waits_for_retry_after_on_a_503_from_the_index_and_from_the_data_host(serve, write_pipeline):
    crawl = Crawl("CC-MAIN-2016-07", "2016-02-06T01:07:06", "2016-02-14T15:13:09",
                  [story("slow", "20160207000000"), story("busy", "20160208000000")])
    site, data, index = serve_commoncrawl(serve, [crawl], per_page=5)
    slow_down = Response(503, b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>",
                         content_type="application/xml", headers={"Retry-After": "1"})
    index.faults[(crawl.id, "count")] = lambda nth: slow_down if nth == 1 else None
    record_path = "/" + crawl.pages[0].filename
    whole = data.routes[record_path]
    data.routes[record_path] = lambda nth: slow_down if nth == 1 else whole
    spec = write_pipeline([cc_source(site, data)])

    results = run(spec, ["collect", "extract"])

    counts = [r for r in site.log if "showNumPages" in r.path]
    assert [r.status for r in counts] == [503, 200] and counts[1].t - counts[0].t >= 1.0
    records = [r for r in data.log if r.path == record_path]
    assert [r.status for r in records] == [503, 206, 206]
    assert records[1].t - records[0].t >= 1.0
    ok = Study(spec.workdir).query("SELECT url FROM articles WHERE status = 'ok' ORDER BY url").fetchall()
    assert [u for (u,) in ok] == sorted(p.url for p in crawl.pages)
    assert next(r for r in results if r.stage == "collect").counts["retries"] == 2


# -- bad input: a reason recorded, the run goes on ----------------------------------------------------

def test_commoncrawl_malformed_lines_absurd_page_counts_and_empty_answers_are_recorded(serve, write_pipeline):
    good = [story(f"good-{n}", f"2017020{n}000000") for n in range(1, 4)]
    crawls = [Crawl("CC-MAIN-2017-09", "2017-02-01T00:00:00", "2017-02-28T00:00:00", good),
              Crawl("CC-MAIN-2017-13", "2017-03-22T00:00:00", "2017-03-30T00:00:00"),
              Crawl("CC-MAIN-2017-17", "2017-04-22T00:00:00", "2017-04-30T00:00:00"),
              Crawl("CC-MAIN-2017-22", "2017-05-22T00:00:00", "2017-05-30T00:00:00")]
    site, data, index = serve_commoncrawl(serve, crawls, per_page=10)
    lines = [json.dumps(good[0].line()), "<<garbage from a proxy>>", json.dumps({**good[1].line(), "offset": "-"}),
             json.dumps(good[1].line()), json.dumps({**good[2].line(), "timestamp": "2017-02-03"}),
             json.dumps(good[2].line())[:40], json.dumps(good[2].line())]
    index.faults[("CC-MAIN-2017-09", 0)] = lambda nth: Response(body="\n".join(lines).encode(),
                                                                content_type="text/x-ndjson")
    index.faults[("CC-MAIN-2017-13", "count")] = lambda nth: Response(body=b'{"pages": 1000000000, "pageSize": 5}')
    index.faults[("CC-MAIN-2017-17", "count")] = lambda nth: Response(body=b'{"pages": "many"}')
    spec = write_pipeline([cc_source(site, data, max_index_pages=8)], collect={"retries": 1})

    run(spec, ["collect", "extract"])

    rows = frontier_rows(spec, "kind = 'cdx'")
    by_crawl = {}
    for url, row in rows.items():
        found = re.search(r"/(CC-MAIN-[\d-]+)-index.*(showNumPages=true|page=\d+)$", url)
        if found:
            by_crawl[found.groups()] = row
    listed = by_crawl[("CC-MAIN-2017-09", "page=0")]
    assert listed["status"] == "unreadable"
    assert listed["reason"].startswith("4 of 7 index lines malformed and skipped: not a capture: "
                                       "'<<garbage from a proxy>>'; not a capture: ")
    absurd = by_crawl[("CC-MAIN-2017-13", "showNumPages=true")]
    assert (absurd["status"], absurd["reason"]) == ("max-pages", "the index has 1000000000 pages for this query; "
                                                                 "the first 8 queued (max_index_pages 8)")
    assert len([k for k in by_crawl if k[0] == "CC-MAIN-2017-13"]) == 1 + 8  # never a billion rows
    wordy = by_crawl[("CC-MAIN-2017-17", "showNumPages=true")]
    assert wordy["status"] == "unreadable" and wordy["reason"].startswith('not a page count ({"pages": N, ...}):')
    assert len([q for c, q in index.queries if c == "CC-MAIN-2017-17"]) == 2  # retried once, as a broken feed is
    empty = by_crawl[("CC-MAIN-2017-22", "showNumPages=true")]
    assert (empty["status"], empty["reason"]) == ("fetched", "0 index pages")
    # the source's index requests: the list, four counts, 2017-09's page, two of 2017-13's, then held
    held = [r for r in rows.values() if r["status"] == "max-pages" and "page=" in r["url"]]
    assert held and all(r["reason"].startswith("index page") for r in held)
    ok = Study(spec.workdir).query("SELECT url FROM articles WHERE status = 'ok' ORDER BY url").fetchall()
    assert [u for (u,) in ok] == [p.url for p in good]  # the good lines' captures, all three


def test_commoncrawl_no_captures_found_is_an_empty_listing(serve, write_pipeline):
    crawl = Crawl("CC-MAIN-2018-05", "2018-01-16T00:00:00", "2018-01-24T00:00:00", [story("x", "20180117000000")])
    site, data, index = serve_commoncrawl(serve, [crawl])
    spec = write_pipeline([cc_source(site, data, match="example-news.invalid/nothing-here/")])

    results = run(spec, ["collect"])

    (count,) = [r for u, r in frontier_rows(spec, "kind = 'cdx'").items() if "showNumPages" in u]
    assert (count["status"], count["reason"]) == ("fetched", "0 index pages")
    index.faults[(crawl.id, "count")] = lambda nth: Response(body=b'{"pages": 1}')  # the count says 1, the page 404s
    spec = write_pipeline([cc_source(site, data, match="example-news.invalid/nothing-here/")], name="again.yml",
                          workdir="again")
    results = run(spec, ["collect"])
    (page,) = [r for u, r in frontier_rows(spec, "kind = 'cdx'").items() if u.endswith("&page=0")]
    assert (page["status"], page["http_status"]) == ("fetched", 404)
    assert page["reason"] == "no captures: the index answered 404, No Captures found"
    assert outcome(results, "cdx:")["problems"] == [] and frontier_rows(spec, "kind = 'page'") == {}


def test_commoncrawl_records_that_are_not_the_page_are_recorded_and_a_whole_file_is_not_downloaded(
        serve, write_pipeline):
    fine = story("fine", "20190101000000")
    revisit = story("revisited", "20190102000000", kind="revisit")
    other = story("listed-here", "20190103000000", record_url=f"{ORIGIN}/world/but-stored-as-this")
    past_end = story("past-end", "20190104000000")
    not_gzip = story("not-gzip", "20190105000000")
    crawl = Crawl("CC-MAIN-2019-04", "2019-01-01T00:00:00", "2019-01-31T00:00:00",
                  [not_gzip, revisit, other, past_end, fine])
    big = story("in-a-file-served-whole", "20190201000000")
    ignoring = Crawl("CC-MAIN-2019-09", "2019-02-01T00:00:00", "2019-02-28T00:00:00", [big])
    site, data, index = serve_commoncrawl(serve, [crawl, ignoring], per_page=10,
                                          padding={"CC-MAIN-2019-09": 3_000_000}, whole_files=("CC-MAIN-2019-09",))
    past_end.offset += 50_000_000  # the index and the file disagree
    not_gzip.offset += 7  # the middle of a gzip member
    spec = write_pipeline([cc_source(site, data)])

    run(spec, ["collect", "extract"])

    rows = frontier_rows(spec, "kind = 'page'")
    status = {u.rsplit("/", 1)[1]: (r["status"], r["reason"]) for u, r in rows.items()}
    assert status["fine"] == ("fetched", None)
    assert status["revisited"][0] == "record-unreadable" and status["revisited"][1].startswith("a revisit record")
    assert status["listed-here"] == ("record-unreadable", f"the record is of '{ORIGIN}/world/but-stored-as-this', "
                                                          f"not of the listed '{other.url}'")
    assert status["past-end"][0] == "http-416" and "past the end of the WARC file" in status["past-end"][1]
    assert status["not-gzip"][0] == "record-unreadable" and "not a gzip member" in status["not-gzip"][1]
    whole_status, whole_reason = status["in-a-file-served-whole"]
    assert whole_status == "range-ignored"
    assert whole_reason.startswith(f"asked for bytes {big.offset}-{big.offset + big.length - 1}, the server "
                                   "answered 200 with the whole file (Content-Length ")
    ok = Study(spec.workdir).query("SELECT url FROM articles WHERE status = 'ok'").fetchall()
    assert ok == [(fine.url,)]


def test_commoncrawl_a_record_that_times_out_is_recorded(serve, write_pipeline):
    slow, fine = story("slow", "20200101000000"), story("fine", "20200102000000")
    crawls = [Crawl("CC-MAIN-2020-05", "2020-01-17T00:00:00", "2020-01-29T00:00:00", [slow]),
              Crawl("CC-MAIN-2020-10", "2020-02-16T00:00:00", "2020-02-29T00:00:00", [fine])]
    site, data, index = serve_commoncrawl(serve, crawls)
    path = "/" + slow.filename
    data.routes[path] = Response(body=data.routes[path].body, content_type="application/octet-stream", ranges=True,
                                 delay_s=1.5)
    spec = write_pipeline([cc_source(site, data)], collect={"timeout_s": 0.5, "retries": 1})

    run(spec, ["collect", "extract"])

    rows = frontier_rows(spec, "kind = 'page'")
    assert (rows[slow.url]["status"], rows[slow.url]["reason"]) == (
        "timeout", "timeout: no complete answer within 0.5 s; gave up after 2 attempts")
    assert rows[fine.url]["status"] == "fetched"


# -- sharing: an export keeps where the archive had each page, rehydrate asks the archive again ----

def test_commoncrawl_and_wayback_captures_travel_in_an_export_and_rehydrate_from_the_archives(
        serve, write_pipeline, tmp_path):
    cc_page = story("from-common-crawl", "20160207000000")
    site, data, index = serve_commoncrawl(serve, [Crawl("CC-MAIN-2016-07", "2016-02-06T01:07:06",
                                                        "2016-02-14T15:13:09", [cc_page])])
    wb_page = WaybackCapture(f"{ORIGIN}/opinion/from-the-wayback-machine", "20150301000000")
    wayback = start(serve, Archive({"example-news.invalid/opinion/": [wb_page]},
                                   {wb_page.original: undated("From the Wayback Machine")}))
    spec = write_pipeline([cc_source(site, data, outlet="Example News"),
                           wayback_source(wayback, "example-news.invalid/opinion/", outlet="Example News")])
    run(spec, ["collect", "extract"])
    cc_record = f"{data.base_url}/{cc_page.filename}#bytes={cc_page.offset}-{cc_page.offset + cc_page.length - 1}"
    wb_replay = f"{wayback.base_url}/web/{wb_page.timestamp}id_/{wb_page.original}"

    shared = export(spec, tmp_path / "shared.zip", text=False).path

    with zipfile.ZipFile(shared) as bundle:
        articles = pq.read_table(io.BytesIO(bundle.read("tables/articles.parquet"))).to_pylist()
    assert {a["url"]: (a["archive_url"], a["archived_at"]) for a in articles} == {
        cc_page.url: (cc_record, "2016-02-07T00:00:00+00:00"),
        wb_page.original: (wb_replay, "2015-03-01T00:00:00+00:00")}
    data.log.clear()
    wayback.log.clear()

    result = rehydrate(shared, tmp_path / "again")

    outcomes = result.articles.set_index("url")
    assert outcomes["status"].to_dict() == {cc_page.url: "same", wb_page.original: "same"}  # the hashes hold
    assert set(outcomes["matched_by"]) == {"fetch"}
    asked = [r for r in data.log if r.path != "/robots.txt"]
    assert [(r.path, r.status, r.range) for r in asked] == [
        ("/" + cc_page.filename, 206, f"bytes={cc_page.offset}-{cc_page.offset + cc_page.length - 1}")]
    assert [r.path for r in wayback.log if r.path != "/robots.txt"] == [urlsplit(wb_replay).path]
    assert result.requests == 4  # two robots.txt, two captures; the live site never asked
    robots, replay = (r.t for r in wayback.log)  # the study's delay for its archive (0.01 s), not a 4 s default
    assert replay - robots < 2.0


# -- the pieces -------------------------------------------------------------------------------------

def test_commoncrawl_readers_refuse_what_is_not_an_index_answer():
    assert read_page_count(b'{"pages": 3, "pageSize": 5, "blocks": 12}') == 3
    for bad in (b"", b"[]", b'{"pages": -1}', b'{"pages": true}', b"<html>busy</html>"):
        with pytest.raises(ListingError):
            read_page_count(bad)
    page = read_captures(b'{"url": "http://a.invalid/x", "timestamp": "20200101000000", "filename": "../etc/passwd", '
                         b'"offset": "1", "length": "2"}\n')
    assert (page.rows, page.malformed) == ([], 1)  # a file name that climbs out of the data host's tree
    assert byte_range("https://data.example/x.warc.gz#bytes=9-3") is None


def test_commoncrawl_config_defaults_and_errors(tmp_path):
    path = tmp_path / "study.yml"
    path.write_text("title: t\nworkdir: w\nsources:\n  - cdx: commoncrawl\n    match: example-news.com/world/\n"
                    "    since: 2014-06-14\n    crawls: [CC-MAIN-2015-48]\n", encoding="utf-8")
    (spec,) = load_pipeline(path).sources
    assert (spec.cdx, spec.dialect, spec.replay_template) == ("https://index.commoncrawl.org/collinfo.json", "pywb",
                                                              "https://data.commoncrawl.org/{filename}")
    assert (spec.archive_delay_s, spec.replay_delay_s, spec.index_pages_limit) == (2.0, 1.0, 1000)
    assert spec.label.endswith("&from=20140614&crawls=CC-MAIN-2015-48")

    (message,) = config_problems(tmp_path, "  - cdx: https://index.commoncrawl.org/CC-MAIN-2024-10-index\n"
                                 "    match: example.org/\n")
    assert message.startswith("line 4: sources[0]:")
    assert "give `cdx: commoncrawl` and name the crawl in `crawls:" in message
    (message,) = config_problems(tmp_path, "  - cdx: commoncrawl\n    match: example.org/\n    page_size: 50\n")
    assert "page_size: Common Crawl's index pages are the server's" in message
    (message,) = config_problems(tmp_path, "  - cdx: commoncrawl\n    match: example.org/\n    collapse: digest\n")
    assert "does not collapse" in message
    (message,) = config_problems(tmp_path, "  - cdx: https://web.archive.org/cdx/search/cdx\n    match: example.org/\n"
                                 "    crawls: [CC-MAIN-2015-48]\n")
    assert "crawls: only for Common Crawl's index" in message
    common = "  - cdx: commoncrawl\n    match: example.org/\n"
    (message,) = config_problems(tmp_path, common + "    crawls: [CC MAIN 2015]\n")
    assert "crawls: crawl ids as Common Crawl's collinfo.json lists them" in message
    (message,) = config_problems(tmp_path, "  - cdx: https://pywb.example/collinfo.json\n    match: example.org/\n")
    assert "replay: needed for a pywb index other than Common Crawl's" in message
    (message,) = config_problems(tmp_path, common + "    craws: [CC-MAIN-2015-48]\n")
    assert "did you mean 'crawls'" in message


def _gzip_record(url: str, status_line: str, body: bytes) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    http = StatusAndHeaders(status_line, [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
    return out.getvalue()


def test_a_record_whose_status_line_has_no_code_is_recorded_not_a_crash():
    """An archived answer "HTTP/1.1 OK" (no status code) used to raise ValueError and stop the crawl."""
    from framing.collect.commoncrawl import open_record
    from framing.collect.fetcher import FetchResult

    url = "http://a.example/x"
    for line, expected in (("OK", "record-unreadable"), ("200 OK", "ok")):
        data = _gzip_record(url, line, b"<html><p>text</p></html>")
        found = open_record(FetchResult("ok", 206, content=data), url, 0, len(data) - 1, 1_000_000)
        assert found.outcome == expected, found.reason


def test_a_byte_range_over_max_bytes_or_deep_in_a_whole_file_is_not_read():
    """A record longer than collect.max_bytes is too large before a byte arrives; a server that
    ignores the range and sends the whole file is not read up to a record far into it."""
    import asyncio

    import httpx

    from framing.collect.fetcher import _classify_range
    from framing.study.config import Collect

    settings = Collect(max_bytes=1_000_000)

    def answer(status: int, size: int, byte_range: tuple[int, int], headers: dict | None = None):
        response = httpx.Response(status, headers=headers or {}, stream=httpx.ByteStream(b"x" * size))
        return asyncio.run(_classify_range(response, byte_range, settings))

    assert answer(206, 0, (0, 2_000_000)).outcome == "too-large"
    assert answer(200, 0, (50_000_000, 50_000_100)).outcome == "range-ignored"
    near = answer(200, 3_000, (1_000, 1_099))  # a small file sent whole: the record cut from it
    assert (near.outcome, len(near.body)) == ("ok", 100)
    exact = answer(206, 100, (1_000, 1_099), {"content-range": "bytes 1000-1099/5000"})
    assert (exact.outcome, len(exact.body)) == ("ok", 100)
