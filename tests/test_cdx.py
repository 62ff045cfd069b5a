"""cdx: sources against a loopback stand-in for a web archive: its CDX index and its replays.

The stand-in answers as the Wayback Machine's CDX server is documented to (internetarchive/wayback,
wayback-cdx-server/README.md): ``output=json`` with the field names in the first row and one row a
line, ``from``/``to``, ``filter=field:regex``, ``collapse=urlkey``, ``limit`` with
``showResumeKey=true`` and a URL-encoded resumption key after an empty row; it serves captures at
``/web/<timestamp>id_/<url>`` with a ``Memento-Datetime`` header. The original URLs are on an
``.invalid`` host, which never resolves: a request to the original site would fail the test.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from framing.collect.cdx import FIELDS, next_page, read_index
from framing.collect.frontier import Frontier
from framing.demo.server import Response, SiteServer, politeness_problems
from framing.errors import ConfigError
from framing.runner import run
from framing.study.config import load_pipeline
from framing.study.store import Study

from conftest import article_html, long_text

ORIGIN = "http://example-news.invalid"
INDEX = "/cdx/search/cdx"


@dataclass
class Capture:
    original: str
    timestamp: str
    mimetype: str = "text/html"
    statuscode: str = "200"

    @property
    def urlkey(self) -> str:
        """SURT form, as the index sorts by: ``invalid,example-news)/world/story-001``."""
        parts = urlsplit(self.original)
        return ",".join(reversed(parts.hostname.split("."))) + ")" + parts.path

    @property
    def resume_key(self) -> str:
        """The key to the captures after this one, decoded (the server prints it URL-encoded)."""
        return f"{self.urlkey} {self.timestamp}!"


def http_date(timestamp: str) -> str:
    moment = dt.datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    return email.utils.format_datetime(moment, usegmt=True)


def undated(title: str) -> bytes:
    """An article page with no date anywhere: its publication date can only come from the archive."""
    page = article_html(title, long_text(title))
    return re.sub(r'<meta property="article:published_time" content="[^"]*">', "", page).encode()


def index_body(rows: list[list]) -> bytes:
    """JSON as the Wayback CDX server writes it: one array, one row a line."""
    return ("[" + ",\n".join(json.dumps(row) for row in rows) + "]\n").encode()


class Archive(dict):
    """The stand-in's routes (SiteServer looks every path up with ``.get``): ``/robots.txt`` and any
    fixed path as given, the index at ``/cdx/search/cdx``, replays at ``/web/<timestamp>id_/<url>``.

    ``indexes`` maps a query's ``url`` to its captures in index order; ``pages`` maps an original
    URL to its page; ``replays`` (``"<timestamp>/<url>"``) and ``index_faults`` (by ``url``) take
    the how-many-th request and answer in its place, or return None to answer as usual.
    """

    def __init__(self, indexes: dict[str, list[Capture]], pages: dict[str, bytes], robots: str | None = None):
        super().__init__({"/robots.txt": Response(body=robots.encode(), content_type="text/plain") if robots
                          else Response(404, b"not found")})
        self.indexes, self.pages = indexes, pages
        self.replays: dict[str, Callable[[int], Response | None]] = {}
        self.index_faults: dict[str, Callable[[int, dict], Response | None]] = {}
        self.queries: list[dict[str, list[str]]] = []
        self._hits: dict[str, int] = {}

    def get(self, path: str, default: object = None) -> object:
        if path in self:
            return super().get(path)
        parts = urlsplit(path)
        if parts.path == INDEX:
            return self._index(parse_qs(parts.query))
        if found := re.fullmatch(r"/web/(\d{14})id_/(.+)", path):
            return self._replay(found.group(1), found.group(2))
        return default

    def _count(self, key: str) -> int:
        self._hits[key] = self._hits.get(key, 0) + 1
        return self._hits[key]

    def _index(self, params: dict[str, list[str]]) -> Response:
        self.queries.append(params)
        match = params["url"][0]
        nth = self._count(INDEX + match)
        if (fault := self.index_faults.get(match)) and (answer := fault(nth, params)) is not None:
            return answer
        captures = self.select(match, params)
        start = 0
        if "resumeKey" in params:
            start = next(i + 1 for i, c in enumerate(captures) if c.resume_key == params["resumeKey"][0])
        limit = int(params["limit"][0])
        shown = captures[start:start + limit]
        rows = [list(FIELDS)] + [row(c) for c in shown]
        if start + limit < len(captures) and params.get("showResumeKey") == ["true"]:
            rows += [[], [quote_plus(shown[-1].resume_key)]]
        return Response(body=index_body(rows), content_type="application/json")

    def select(self, match: str, params: dict[str, list[str]]) -> list[Capture]:
        """What the server's from/to, filters and collapse leave of the captures of ``match``."""
        low = params.get("from", ["0"])[0].ljust(14, "0")
        high = params.get("to", ["9"])[0].ljust(14, "9")
        chosen = [c for c in self.indexes[match] if low <= c.timestamp <= high]
        for rule in params.get("filter", []):
            name, pattern = rule.split(":", 1)
            chosen = [c for c in chosen if re.fullmatch(pattern, getattr(c, name))]
        if params.get("collapse") == ["urlkey"]:
            chosen = [c for i, c in enumerate(chosen) if i == 0 or chosen[i - 1].urlkey != c.urlkey]
        return chosen

    def _replay(self, timestamp: str, original: str) -> Response:
        key = f"{timestamp}/{original}"
        nth = self._count(key)
        if (special := self.replays.get(key)) and (answer := special(nth)) is not None:
            return answer
        if original not in self.pages:
            return Response(404, b"not in the archive")
        return Response(body=self.pages[original], headers={"Memento-Datetime": http_date(timestamp)})


def row(capture: Capture) -> list[str]:
    return [capture.urlkey, capture.timestamp, capture.original, capture.mimetype, capture.statuscode,
            "SHA1DIGEST", "2048"]


def start(serve, archive: Archive) -> SiteServer:
    site = serve()
    site.routes = archive
    return site


def source(site: SiteServer, match: str, **keys: object) -> dict:
    return {"cdx": site.base_url + INDEX, "match": match, "replay": site.base_url + "/web/{timestamp}id_/{url}",
            "per_host_delay_s": 0.01, **keys}


def index_requests(site: SiteServer, match: str | None = None) -> list:
    return [r for r in site.log if r.path.startswith(INDEX)
            and (match is None or parse_qs(urlsplit(r.path).query)["url"] == [match])]


def frontier_rows(spec, where: str = "1=1") -> dict[str, sqlite3.Row]:
    with Study(spec.workdir).connect_state() as conn:
        conn.row_factory = sqlite3.Row
        return {r["url"]: r for r in conn.execute(f"SELECT * FROM urls WHERE {where}")}


def warc_responses(spec) -> list:
    """(target URI, WARC-Source-URI, WARC-Date, WARC-Creation-Date) of every response record."""
    found = []
    for path in sorted((spec.workdir / "captures").glob("*.warc.gz")):
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type == "response":
                    head = record.rec_headers
                    found.append((head.get_header("WARC-Target-URI"), head.get_header("WARC-Source-URI"),
                                  head.get_header("WARC-Date"), head.get_header("WARC-Creation-Date")))
    return found


def outcome(results, label_part: str) -> dict:
    collect = next(r for r in results if r.stage == "collect")
    return next(o for o in collect.counts["sources"] if label_part in o["source"])


# -- the whole path: index pages, captures, articles ----------------------------------------------

def test_cdx_pages_through_250_captures_by_resume_key_and_keeps_the_original_urls(serve, write_pipeline):
    days = [dt.date(2015, 1, 1) + dt.timedelta(days=i) for i in range(250)]
    stories = [Capture(f"{ORIGIN}/world/story-{i:03d}", f"{day:%Y%m%d}0600{i % 60:02d}") for i, day in enumerate(days)]
    others = [Capture(f"{ORIGIN}/world/aa-before", "20130101000000"),        # before since
              Capture(f"{ORIGIN}/world/zz-after", "20210105000000"),         # after until
              Capture(f"{ORIGIN}/world/gone", "20150301000000", statuscode="404"),
              Capture(f"{ORIGIN}/world/report.pdf", "20150301000000", mimetype="application/pdf"),
              Capture(stories[0].original, "20150101070000")]                # the same URL again: collapsed
    captures = sorted(stories + others, key=lambda c: (c.urlkey, c.timestamp))
    pages = {}
    for i, story in enumerate(stories):  # even stories say when they appeared; odd ones do not
        title = f"Story number {i}"
        pages[story.original] = (article_html(title, long_text(title), date=f"2014-12-{1 + i % 28:02d}").encode()
                                 if i % 2 == 0 else undated(title))
    archive = Archive({"example-news.invalid/world/": captures}, pages)
    site = start(serve, archive)
    spec = write_pipeline([source(site, "example-news.invalid/world/", since="2014-06-14", until="2020-12-31",
                                  outlet="Example News", page_size=100)],
                          collect={"per_host_delay_s": 0.01})

    results = run(spec, ["collect", "extract"])

    # three index pages: none, then the keys after the 100th and the 200th capture, verbatim
    asked = index_requests(site)
    assert len(asked) == 3
    first = archive.queries[0]
    assert first == {"url": ["example-news.invalid/world/"], "matchType": ["prefix"], "from": ["20140614000000"],
                     "to": ["20201231235959"], "output": ["json"], "fl": [",".join(FIELDS)],
                     "filter": ["statuscode:200", "mimetype:text/html"], "collapse": ["urlkey"], "limit": ["100"],
                     "showResumeKey": ["true"]}
    assert [q.get("resumeKey") for q in archive.queries] == [None, [stories[99].resume_key],
                                                             [stories[199].resume_key]]
    # one request for robots.txt, three index pages, 250 replays: the original site never asked
    assert len(site.log) == 1 + 3 + 250
    pages_in_frontier = frontier_rows(spec, "kind = 'page'")
    assert set(pages_in_frontier) == {s.original for s in stories}
    assert {r["status"] for r in pages_in_frontier.values()} == {"fetched"}
    assert {r["host"] for r in pages_in_frontier.values()} == {site.netloc}
    assert pages_in_frontier[stories[7].original]["archive_url"] == (
        f"{site.base_url}/web/{stories[7].timestamp}id_/{stories[7].original}")
    assert pages_in_frontier[stories[7].original]["archived_at"] == "2015-01-08T06:00:07+00:00"

    articles = Study(spec.workdir).query(
        "SELECT url, outlet, status, published, date_source, date_listed FROM articles ORDER BY url").fetchall()
    assert len(articles) == 250
    assert {(a[1], a[2]) for a in articles} == {("Example News", "ok")}
    by_url = {a[0]: a for a in articles}
    for i, story in enumerate(stories):
        captured = days[i]
        _, _, _, published, date_source, date_listed = by_url[story.original]
        assert date_listed == captured
        if i % 2 == 0:
            assert (published, date_source) == (dt.date(2014, 12, 1 + i % 28), "page"), story.original
        else:
            assert (published, date_source) == (captured, "archive"), story.original

    records = warc_responses(spec)
    archived = [r for r in records if r[0].startswith(ORIGIN)]
    assert len(archived) == 250 and len(records) == 250 + 3  # the index pages are kept as evidence too
    target, source_uri, warc_date, created = next(r for r in archived if r[0] == stories[7].original)
    assert source_uri == f"{site.base_url}/web/{stories[7].timestamp}id_/{stories[7].original}"
    assert warc_date == "2015-01-08T06:00:07Z" and created
    summary = outcome(results, "cdx:")
    assert (summary["found"], summary["fetched"], summary["failed"], summary["problems"]) == (250, 250, 0, [])


def test_cdx_waits_for_retry_after_on_a_429_from_the_index_and_from_a_replay(serve, write_pipeline):
    captures = [Capture(f"{ORIGIN}/world/{name}", f"2016010{n}000000") for n, name in enumerate("abc", 1)]
    archive = Archive({"example-news.invalid/world/": captures},
                      {c.original: undated(f"Story {c.original[-1]}") for c in captures})
    busy = Response(429, b"slow down", headers={"Retry-After": "1"})
    archive.index_faults["example-news.invalid/world/"] = lambda nth, params: busy if nth == 1 else None
    archive.replays[f"{captures[0].timestamp}/{captures[0].original}"] = lambda nth: busy if nth == 1 else None
    # an archive that asks for an hour: the capture ends with the reason, the run goes on
    archive.replays[f"{captures[2].timestamp}/{captures[2].original}"] = (
        lambda nth: Response(429, b"later", headers={"Retry-After": "3600"}))
    site = start(serve, archive)
    spec = write_pipeline([source(site, "example-news.invalid/world/", page_size=2)])

    results = run(spec, ["collect", "extract"])

    asked = index_requests(site)
    assert len(asked) == 3  # the 429, then both pages
    assert asked[1].t - asked[0].t >= 1.0
    replays_a = site.requests_for(f"/web/{captures[0].timestamp}id_/{captures[0].original}")
    assert [r.status for r in replays_a] == [429, 200] and replays_a[1].t - replays_a[0].t >= 1.0
    assert len(site.requests_for(f"/web/{captures[2].timestamp}id_/{captures[2].original}")) == 1
    rows = frontier_rows(spec, "kind = 'page'")
    assert {u: r["status"] for u, r in rows.items()} == {captures[0].original: "fetched",
                                                         captures[1].original: "fetched",
                                                         captures[2].original: "http-429"}
    assert rows[captures[2].original]["reason"] == "Retry-After 3600s exceeds collect.max_retry_after_s"
    assert next(r for r in results if r.stage == "collect").counts["retries"] == 2
    ok = Study(spec.workdir).query("SELECT url, published FROM articles WHERE status = 'ok' ORDER BY url").fetchall()
    assert ok == [(captures[0].original, dt.date(2016, 1, 1)), (captures[1].original, dt.date(2016, 1, 2))]
    assert outcome(results, "cdx:")["reasons"] == [("http-429", 1)]


def test_cdx_follows_the_archives_redirects_on_its_host_under_its_robots_and_delay(serve, write_pipeline):
    moved = Capture(f"{ORIGIN}/world/moved-timestamp", "20150301000000")
    renamed = Capture(f"{ORIGIN}/world/old-slug", "20150401000000")
    live = Capture(f"{ORIGIN}/world/to-live-site", "20150501000000")
    loop = Capture(f"{ORIGIN}/world/loop", "20150601000000")
    excluded = Capture(f"{ORIGIN}/world/excluded", "20160101000000")
    captures = [moved, renamed, live, loop, excluded]
    pages = {moved.original: undated("Moved in time"), f"{ORIGIN}/world/new-slug": article_html(
        "Renamed story", long_text("Renamed story"), date="2015-03-30").encode()}
    archive = Archive({"example-news.invalid/world/": captures}, pages,
                      robots=f"User-agent: *\nDisallow: /web/{excluded.timestamp}id_/\n")
    site = start(serve, archive)
    later = "20150305120000"  # the capture the archive really has, four days on
    archive.replays[f"{moved.timestamp}/{moved.original}"] = lambda nth: Response(
        302, headers={"Location": f"/web/{later}id_/{moved.original}"})  # relative, as Wayback sends it
    archive.replays[f"{later}/{moved.original}"] = lambda nth: Response(body=pages[moved.original], headers={
        "Memento-Datetime": http_date(later)})
    archive.replays[f"{renamed.timestamp}/{renamed.original}"] = lambda nth: Response(
        301, headers={"Location": f"{site.base_url}/web/20150401000001id_/{ORIGIN}/world/new-slug"})
    archive.replays[f"{live.timestamp}/{live.original}"] = lambda nth: Response(
        302, headers={"Location": live.original})
    archive.replays[f"{loop.timestamp}/{loop.original}"] = lambda nth: Response(
        302, headers={"Location": f"/web/20150601000009id_/{loop.original}"})
    archive.replays[f"20150601000009/{loop.original}"] = lambda nth: Response(
        302, headers={"Location": f"/web/{loop.timestamp}id_/{loop.original}"})
    spec = write_pipeline([source(site, "example-news.invalid/world/", per_host_delay_s=0.3)],
                          collect={"per_host_delay_s": 0.01})

    results = run(spec, ["collect", "extract"])

    rows = frontier_rows(spec, "kind = 'page'")
    assert {u: r["status"] for u, r in rows.items()} == {
        moved.original: "fetched", renamed.original: "fetched", live.original: "off-host",
        loop.original: "redirect-loop", excluded.original: "robots-disallowed"}
    assert (rows[moved.original]["archive_url"], rows[moved.original]["archived_at"],
            rows[moved.original]["redirect_hops"]) == (f"{site.base_url}/web/{later}id_/{moved.original}",
                                                       "2015-03-05T12:00:00+00:00", 1)
    assert rows[live.original]["reason"] == f"the archive redirected off its host: 302 → {live.original}"
    assert site.requests_for(f"/web/{excluded.timestamp}id_/{excluded.original}") == []
    assert politeness_problems(site.log, 0.3) == []  # the source's delay, not the study's 0.01 s
    assert len(site.log) == 1 + 1 + 2 + 2 + 1 + 2  # robots, index, moved, renamed, live, loop (twice, then seen)

    articles = {r[0]: r[1:] for r in Study(spec.workdir).query(
        "SELECT url, status, published, date_source FROM articles").fetchall()}
    assert articles == {moved.original: ("ok", dt.date(2015, 3, 5), "archive"),
                        renamed.original: ("ok", dt.date(2015, 3, 30), "page")}  # its original URL, not new-slug
    records = {r[0]: r[1:] for r in warc_responses(spec)}
    source_uri, warc_date, created = records[moved.original]
    assert (source_uri, warc_date) == (f"{site.base_url}/web/{later}id_/{moved.original}", "2015-03-05T12:00:00Z")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created)  # when it was fetched from the archive
    assert records[renamed.original][0] == f"{site.base_url}/web/20150401000001id_/{ORIGIN}/world/new-slug"
    summary = outcome(results, "cdx:")
    assert (summary["found"], summary["fetched"], summary["failed"]) == (5, 2, 3)
    assert summary["reasons"] == [("off-host", 1), ("redirect-loop", 1), ("robots-disallowed", 1)]


# -- broken indexes: reasons recorded, the run goes on ---------------------------------------------

def test_cdx_malformed_index_lines_are_skipped_and_reported_and_broken_answers_recorded(serve, write_pipeline):
    good = [Capture(f"{ORIGIN}/world/good-{n}", f"2017020{n}000000") for n in range(1, 4)]
    archive = Archive({"example-news.invalid/world/": good, "example-news.invalid/opinion/": [],
                       "example-news.invalid/sport/": []},
                      {c.original: undated(f"Good story {c.original[-1]}") for c in good})
    lines = [json.dumps(list(FIELDS)), json.dumps(row(good[0])), "<<garbage from a proxy>>",
             json.dumps(row(good[1])[:5]), json.dumps(row(good[1])), json.dumps(row(good[2])[:1] + ["2017-02-03"]
                                                                               + row(good[2])[2:]),
             json.dumps(row(good[2]))]
    broken = ("[" + ",\n".join(lines) + "]").encode()
    archive.index_faults["example-news.invalid/world/"] = lambda nth, params: Response(
        body=broken, content_type="application/json")
    archive.index_faults["example-news.invalid/opinion/"] = lambda nth, params: Response(
        body=b"<!DOCTYPE html><html><body><h1>Wayback Machine is down for maintenance</h1></body></html>")
    ndjson = (json.dumps({"urlkey": good[0].urlkey, "timestamp": good[0].timestamp, "url": good[0].original,
                          "mime": "text/html", "status": "200"}) + "\n").encode()
    archive.index_faults["example-news.invalid/sport/"] = lambda nth, params: Response(
        body=ndjson, content_type="text/x-ndjson")
    site = start(serve, archive)
    spec = write_pipeline([source(site, "example-news.invalid/world/"), source(site, "example-news.invalid/opinion/"),
                           source(site, "example-news.invalid/sport/")], collect={"retries": 1})

    results = run(spec, ["collect", "extract"])

    assert len(index_requests(site, "example-news.invalid/world/")) == 2  # retried once, as a broken feed is
    assert len(index_requests(site, "example-news.invalid/opinion/")) == 2
    assert len(index_requests(site, "example-news.invalid/sport/")) == 1  # another dialect: asking again won't help
    listings = {parse_qs(urlsplit(u).query)["url"][0]: r for u, r in frontier_rows(spec, "kind = 'cdx'").items()}
    world = listings["example-news.invalid/world/"]
    assert world["status"] == "unreadable"
    assert world["reason"].startswith(
        "3 of 6 index lines malformed and skipped: not JSON: '<<garbage from a proxy>>'; 5 fields, not 7: ")
    assert "no URL or no capture time: " in world["reason"]
    assert listings["example-news.invalid/opinion/"]["status"] == "unreadable"
    assert listings["example-news.invalid/opinion/"]["reason"].startswith(
        "not a CDX answer in JSON (no header row naming the fields): '<!DOCTYPE html>")
    assert "pywb's dialect" in listings["example-news.invalid/sport/"]["reason"]
    ok = Study(spec.workdir).query("SELECT url FROM articles WHERE status = 'ok' ORDER BY url").fetchall()
    assert [u for (u,) in ok] == [c.original for c in good]  # the good lines' captures, all three
    world_outcome = outcome(results, "url=example-news.invalid/world/")
    assert (world_outcome["fetched"], len(world_outcome["problems"])) == (3, 1)
    assert world_outcome["problems"][0].startswith("cdx: 3 of 6 index lines malformed and skipped")
    assert world_outcome["problems"][0].endswith(", will retry")
    assert outcome(results, "url=example-news.invalid/opinion/")["problems"][0].startswith(
        "cdx: not a CDX answer in JSON")


def test_cdx_a_repeating_or_endless_cursor_stops_with_its_reason(serve, write_pipeline):
    looping = [Capture(f"{ORIGIN}/world/loop-{n}", f"2018010{n}000000") for n in range(1, 5)]
    endless = [Capture(f"{ORIGIN}/opinion/page-{n}", f"2018020{n}000000") for n in range(1, 8)]
    archive = Archive({"example-news.invalid/world/": looping, "example-news.invalid/opinion/": endless},
                      {c.original: undated(f"Story {c.original.rsplit('/', 1)[1]}") for c in looping + endless})

    def repeating(nth: int, params: dict) -> Response | None:
        if nth < 2:
            return None  # the first page, with the key after its second capture
        rows = [list(FIELDS), row(looping[2]), row(looping[3]), [], [quote_plus(looping[1].resume_key)]]
        return Response(body=index_body(rows), content_type="application/json")  # that same key again

    def never_ending(nth: int, params: dict) -> Response:
        rows = [list(FIELDS), row(endless[nth - 1]), [], [quote_plus(f"key number {nth}")]]
        return Response(body=index_body(rows), content_type="application/json")

    archive.index_faults["example-news.invalid/world/"] = repeating
    archive.index_faults["example-news.invalid/opinion/"] = never_ending
    site = start(serve, archive)
    spec = write_pipeline([source(site, "example-news.invalid/world/", page_size=2),
                           source(site, "example-news.invalid/opinion/", max_index_pages=3)])

    results = run(spec, ["collect", "extract"])

    assert len(index_requests(site, "example-news.invalid/world/")) == 2
    assert len(index_requests(site, "example-news.invalid/opinion/")) == 3
    listings = sorted(frontier_rows(spec, "kind = 'cdx'").values(), key=lambda r: r["id"])
    world = [r for r in listings if "world" in r["url"]]
    assert [r["status"] for r in world] == ["fetched", "cursor-repeated"]
    assert world[1]["reason"] == (f"its resumption key {quote_plus(looping[1].resume_key)!r} was given before and "
                                  "leads back to this same page: a cursor that repeats would never end, so paging "
                                  "stopped here")
    opinion = [r for r in listings if "opinion" in r["url"]]
    assert [r["status"] for r in opinion] == ["fetched"] * 3 + ["max-pages"]
    assert opinion[3]["reason"] == ("index page 4 not read: max_index_pages 3 of this source read, and the index "
                                    "had more")
    assert opinion[3]["url"].endswith("&resumeKey=key+number+3")
    ok = Study(spec.workdir).query("SELECT count(*) FROM articles WHERE status = 'ok'").fetchone()[0]
    assert ok == 4 + 3
    assert outcome(results, "url=example-news.invalid/world/")["problems"] == [
        "cdx: " + world[1]["reason"]]  # a verdict: not retried
    assert outcome(results, "url=example-news.invalid/opinion/")["problems"] == [
        "cdx: " + opinion[3]["reason"] + ", will retry"]

    again = run(spec, ["collect"])  # resumes: nothing more to ask, the held page held again
    assert len(index_requests(site)) == 2 + 3
    assert frontier_rows(spec, "kind = 'cdx'")[opinion[3]["url"]]["status"] == "max-pages"
    assert again[0].counts["requests"] == 1  # robots.txt, read once a run


def test_cdx_an_index_that_times_out_is_recorded_and_the_other_sources_are_collected(serve, write_pipeline):
    slow = Capture(f"{ORIGIN}/world/never-listed", "20190101000000")
    fine = [Capture(f"{ORIGIN}/opinion/fine-{n}", f"2019020{n}000000") for n in (1, 2)]
    archive = Archive({"example-news.invalid/world/": [slow], "example-news.invalid/opinion/": fine},
                      {c.original: undated(f"Fine story {c.original[-1]}") for c in fine})
    archive.index_faults["example-news.invalid/world/"] = lambda nth, params: Response(
        body=index_body([list(FIELDS), row(slow)]), content_type="application/json", delay_s=1.5)
    site = start(serve, archive)
    spec = write_pipeline([source(site, "example-news.invalid/world/"), source(site, "example-news.invalid/opinion/")],
                          collect={"timeout_s": 0.5, "retries": 1})

    results = run(spec, ["collect", "extract"])

    assert len(index_requests(site, "example-news.invalid/world/")) == 2
    (world,) = [r for r in frontier_rows(spec, "kind = 'cdx'").values() if "world" in r["url"]]
    assert (world["status"], world["reason"]) == ("timeout", "timeout: no complete answer within 0.5 s; gave up "
                                                             "after 2 attempts")
    assert outcome(results, "url=example-news.invalid/world/")["problems"] == [
        "cdx: timeout: no complete answer within 0.5 s, will retry"]
    ok = Study(spec.workdir).query("SELECT url FROM articles WHERE status = 'ok' ORDER BY url").fetchall()
    assert [u for (u,) in ok] == [c.original for c in fine]


# -- the pieces ------------------------------------------------------------------------------------

def test_cdx_read_index_keeps_the_rows_of_an_answer_cut_off_mid_line():
    rows = [list(FIELDS), row(Capture(f"{ORIGIN}/a", "20150101000000")), row(Capture(f"{ORIGIN}/b", "20150102000000"))]
    body = index_body(rows)
    page = read_index(body[:-30])  # the connection broke inside the last row
    assert [r.original for r in page.rows] == [f"{ORIGIN}/a"] and page.malformed == 1 and page.resume_key is None
    assert read_index(b"").rows == [] and read_index(b"[]").rows == []
    keyed = read_index(index_body(rows + [[], ["org%2Ca%29%2F+20150102000000%21"]]))
    assert (len(keyed.rows), keyed.resume_key, keyed.malformed) == (2, "org%2Ca%29%2F+20150102000000%21", 0)
    assert next_page("http://a/cdx?url=x&limit=2&showResumeKey=true", keyed.resume_key) == (
        "http://a/cdx?url=x&limit=2&showResumeKey=true&resumeKey=org%2Ca%29%2F+20150102000000%21")


def test_cdx_frontier_of_an_older_study_gains_the_archive_columns(tmp_path):
    conn = sqlite3.connect(tmp_path / "state.sqlite")
    conn.execute("CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT UNIQUE NOT NULL, host TEXT NOT NULL, "
                 "outlet TEXT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, via TEXT, depth INTEGER NOT NULL "
                 "DEFAULT 0, listed_date TEXT, status TEXT NOT NULL DEFAULT 'queued', reason TEXT, http_status "
                 "INTEGER, content_type TEXT, attempts INTEGER NOT NULL DEFAULT 0, redirect_hops INTEGER NOT NULL "
                 "DEFAULT 0, warc_file TEXT, warc_offset INTEGER, warc_length INTEGER, fetched_at TEXT)")
    conn.execute("INSERT INTO urls (url, host, outlet, kind, source) VALUES ('http://a.example/1', 'a.example', "
                 "'A', 'page', 'feed:x')")
    conn.commit()
    Frontier(conn)
    assert conn.execute("SELECT url, archive_url, archived_at FROM urls").fetchall() == [("http://a.example/1", None,
                                                                                        None)]


def write(tmp_path, source_yaml: str) -> list[str]:
    path = tmp_path / "study.yml"
    path.write_text("title: t\nworkdir: w\nsources:\n" + source_yaml, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_pipeline(path)
    return info.value.problems


def test_cdx_config_is_checked_with_lines_and_did_you_mean(tmp_path):
    wayback = "  - cdx: https://web.archive.org/cdx/search/cdx\n"
    (message,) = write(tmp_path, wayback + "    match: example.org/\n    match_typ: domain\n")
    assert message.startswith("line 6: sources[0].match_typ: unknown key") and "did you mean 'match_type'" in message
    (message,) = write(tmp_path, wayback + "    since: 2020-01-01\n")
    assert message.startswith("line 4: sources[0]:") and "needs `match`" in message
    (message,) = write(tmp_path, wayback + "    match: example.org/\n    since: 2021-01-01\n    until: 2020-12-31\n")
    assert "since 2021-01-01 is after until 2020-12-31" in message
    (message,) = write(tmp_path, wayback + "    match: example.org/\n    match_type: subdomains\n")
    assert message.startswith("line 6: sources[0].match_type:") and "'domain'" in message
    (message,) = write(tmp_path, "  - cdx: https://archive.example/cdx\n    match: example.org/\n")
    assert "replay: needed for a CDX server other than web.archive.org" in message
    (message,) = write(tmp_path, "  - cdx: https://archive.example/cdx\n    match: example.org/\n"
                                 "    replay: https://archive.example/{ts}/{url}\n")
    assert "replay: only {timestamp} and {url} may be filled in" in message
    (message,) = write(tmp_path, "  - cdx: https://index.commoncrawl.org/CC-MAIN-2024-10-index\n"
                                 "    match: example.org/\n")
    assert "one crawl's index of Common Crawl; give `cdx: commoncrawl` and name the crawl in `crawls:" in message
    (message,) = write(tmp_path, "  - feed: https://example.org/rss\n    since: 2020-01-01\n    page_size: 10\n")
    assert message.startswith("line 4: sources[0]:") and "since, page_size: only for cdx sources" in message


def test_cdx_config_defaults_for_the_wayback_machine(tmp_path):
    path = tmp_path / "study.yml"
    path.write_text("title: t\nworkdir: w\nsources:\n  - cdx: https://web.archive.org/cdx/search/cdx\n"
                    "    match: example-news.com/world/\n    since: 2014-06-14\n    until: 2020-12-31\n"
                    "    status: 200\n", encoding="utf-8")
    (spec,) = load_pipeline(path).sources
    assert (spec.kind, spec.match_type, spec.mime, spec.status, spec.collapse) == ("cdx", "prefix", "text/html",
                                                                                  "200", "urlkey")
    assert spec.replay_template == "https://web.archive.org/web/{timestamp}id_/{url}"
    assert spec.archive_delay_s == 4.0
    assert spec.label == ("cdx:https://web.archive.org/cdx/search/cdx?url=example-news.com/world/&matchType=prefix"
                          "&from=20140614&to=20201231")
