"""The crawler against real loopback servers: sources, robots, politeness, retries, traps."""

from __future__ import annotations

import duckdb

from framing.demo.server import Response, politeness_problems
from framing.runner import run
from framing.study.store import Study

from conftest import page, rss


def url_statuses(spec) -> dict[str, str]:
    study = Study(spec.workdir)
    return dict(study.query("SELECT url, status FROM urls").fetchall())


def test_collect_rss_feed_fetches_items_and_keeps_feed_dates(serve, write_pipeline):
    site = serve({"/a": page("Alpha"), "/b": page("Beta")})
    site.routes["/rss"] = rss(site.base_url, ["/a", "/b"], ["Tue, 04 Jun 2019 08:00:00 GMT", ""])
    spec = write_pipeline([{"feed": site.base_url + "/rss", "outlet": "Gazette"}])
    run(spec, ["collect"])
    rows = Study(spec.workdir).query("SELECT url, status, outlet, listed_date FROM urls WHERE kind='page' "
                                     "ORDER BY url").fetchall()
    assert [(r[1], r[2]) for r in rows] == [("fetched", "Gazette")] * 2
    assert rows[0][3] == "2019-06-04"


def test_collect_atom_and_sitemap_index_are_followed(serve, write_pipeline):
    site = serve({"/x1": page("X1"), "/x2": page("X2"), "/x3": page("X3")})
    base = site.base_url
    site.routes["/atom.xml"] = Response(body=(
        f'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="{base}/x1"/><published>2020-02-03T00:00:00Z'
        "</published></entry></feed>").encode(), content_type="application/atom+xml")
    site.routes["/index.xml"] = Response(body=(
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{base}/s1.xml</loc>'
        "</sitemap></sitemapindex>").encode(), content_type="application/xml")
    site.routes["/s1.xml"] = Response(body=(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/x2</loc><lastmod>2021-01-05'
        f"</lastmod></url><url><loc>{base}/x3</loc></url></urlset>").encode(), content_type="text/xml")
    spec = write_pipeline([{"feed": base + "/atom.xml"}, {"sitemap": base + "/index.xml"}])
    run(spec, ["collect"])
    study = Study(spec.workdir)
    rows = dict(study.query("SELECT url, listed_date FROM urls WHERE kind='page' AND status='fetched'").fetchall())
    assert rows == {base + "/x1": "2020-02-03", base + "/x2": "2021-01-05", base + "/x3": None}
    outlets = {r[0] for r in study.query("SELECT DISTINCT outlet FROM urls").fetchall()}
    assert outlets == {site.netloc}  # no outlet given: the host names it


def test_collect_url_lists_txt_and_csv_with_outlet_column(serve, write_pipeline, tmp_path):
    site = serve({"/1": page("One"), "/2": page("Two"), "/3": page("Three")})
    (tmp_path / "list.txt").write_text(f"# my list\n{site.base_url}/1\n\n")
    (tmp_path / "list.csv").write_text(f"link,source\n{site.base_url}/2,Paper A\n{site.base_url}/3,Paper B\n")
    spec = write_pipeline([{"urls": "list.txt", "outlet": "Listed"},
                           {"urls": "list.csv", "url_column": "link", "outlet_column": "source"}])
    run(spec, ["collect"])
    got = dict(Study(spec.workdir).query("SELECT url, outlet FROM urls WHERE status='fetched'").fetchall())
    assert got == {site.base_url + "/1": "Listed", site.base_url + "/2": "Paper A", site.base_url + "/3": "Paper B"}


def test_collect_crawl_stays_on_host_and_respects_depth(serve, write_pipeline):
    other = serve({"/elsewhere": page("Elsewhere")})
    site = serve()
    site.routes.update({
        "/": Response(body=f'<a href="/one">1</a><a href="{other.base_url}/elsewhere">x</a><a href="/page/2/">more</a>'
                      .encode()),
        "/page/2/": Response(body=b'<a href="/two">2</a>'),
        "/one": page("One"), "/two": page("Two", extra_head=""),
    })
    deep_link = site.routes["/two"].body.replace(b"</article>", b'<a href="/deep">d</a></article>')
    site.routes["/two"] = Response(body=deep_link)
    site.routes["/deep"] = page("Deep")
    spec = write_pipeline([{"crawl": site.base_url + "/", "max_depth": 2}])
    run(spec, ["collect"])
    kinds = dict(Study(spec.workdir).query("SELECT url, kind FROM urls WHERE status='fetched'").fetchall())
    assert kinds == {site.base_url + "/": "listing", site.base_url + "/page/2/": "listing",
                     site.base_url + "/one": "page", site.base_url + "/two": "page"}
    assert other.log == []  # the off-host link was never requested
    assert site.requests_for("/deep") == []  # depth 3 > max_depth 2


def test_collect_robots_disallowed_urls_are_never_requested(serve, write_pipeline):
    site = serve({"/robots.txt": Response(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
                  "/ok": page("Fine"), "/private/secret": page("Secret")})
    site.routes["/rss"] = rss(site.base_url, ["/ok", "/private/secret"])
    spec = write_pipeline([{"feed": site.base_url + "/rss"}])
    run(spec, ["collect"])
    statuses = url_statuses(spec)
    assert statuses[site.base_url + "/private/secret"] == "robots-disallowed"
    assert statuses[site.base_url + "/ok"] == "fetched"
    assert site.requests_for("/private/secret") == []


def test_collect_robots_unreachable_skips_the_host_this_run_and_retries_next_run(serve, write_pipeline):
    site = serve({"/robots.txt": Response(500, b"oops"), "/a": page("A")})
    site.routes["/rss"] = rss(site.base_url, ["/a"])
    spec = write_pipeline([{"feed": site.base_url + "/rss"}], collect={"retries": 1})
    run(spec, ["collect"])
    assert url_statuses(spec)[site.base_url + "/rss"] == "robots-unavailable"
    assert [r.path for r in site.log] == ["/robots.txt", "/robots.txt"]  # one retry, then the host waits
    site.routes["/robots.txt"] = Response(404, b"none")
    run(spec, ["collect"])
    assert url_statuses(spec)[site.base_url + "/a"] == "fetched"


def test_collect_per_host_delay_holds_and_hosts_run_in_parallel(serve, write_pipeline):
    delay = 0.3
    hosts = [serve({f"/{i}": page(f"P{i}") for i in range(4)}) for _ in range(3)]
    for host in hosts:
        host.routes["/rss"] = rss(host.base_url, [f"/{i}" for i in range(4)])
    spec = write_pipeline([{"feed": h.base_url + "/rss"} for h in hosts], collect={"per_host_delay_s": delay})
    run(spec, ["collect"])
    log = [r for h in hosts for r in h.log]
    assert len(log) == 3 * 6  # robots, feed, 4 pages per host
    assert politeness_problems(log, delay, tolerance_s=0.0) == []
    # in parallel, every host's first request comes before any host's second (the servers' own
    # clocks, not the test's wall clock: a busy machine slows both orders alike)
    firsts = [min(r.t for r in h.log) for h in hosts]
    seconds = [sorted(r.t for r in h.log)[1] for h in hosts]
    assert max(firsts) < min(seconds)


def test_collect_retries_with_backoff_then_succeeds(serve, write_pipeline):
    good = page("Flaky")
    site = serve({"/flaky": lambda nth: Response(503, b"busy") if nth <= 2 else good})
    site.routes["/rss"] = rss(site.base_url, ["/flaky"])
    spec = write_pipeline([{"feed": site.base_url + "/rss"}], collect={"backoff_s": 0.2, "per_host_delay_s": 0.0})
    run(spec, ["collect"])
    times = [r.t for r in site.requests_for("/flaky")]
    assert len(times) == 3 and url_statuses(spec)[site.base_url + "/flaky"] == "fetched"
    assert times[1] - times[0] >= 0.2 and times[2] - times[1] >= 0.4  # exponential: 0.2 s, then 0.4 s


def test_collect_honours_retry_after(serve, write_pipeline):
    good = page("Later")
    busy = Response(429, b"slow down", headers={"Retry-After": "1"})
    site = serve({"/later": lambda nth: busy if nth == 1 else good})
    site.routes["/rss"] = rss(site.base_url, ["/later"])
    spec = write_pipeline([{"feed": site.base_url + "/rss"}], collect={"backoff_s": 0.01, "per_host_delay_s": 0.0})
    run(spec, ["collect"])
    first, second = [r.t for r in site.requests_for("/later")]
    assert second - first >= 1.0
    assert url_statuses(spec)[site.base_url + "/later"] == "fetched"


def test_collect_gives_up_with_reason_after_retries(serve, write_pipeline):
    site = serve({"/down": Response(503, b"down"), "/slow": Response(body=b"<p>x</p>", delay_s=1.5)})
    site.routes["/rss"] = rss(site.base_url, ["/down", "/slow"])
    spec = write_pipeline([{"feed": site.base_url + "/rss"}],
                          collect={"retries": 1, "timeout_s": 0.5, "per_host_delay_s": 0.0})
    run(spec, ["collect"])
    study = Study(spec.workdir)
    rows = {u: (s, r) for u, s, r in study.query("SELECT url, status, reason FROM urls").fetchall()}
    down_status, down_reason = rows[site.base_url + "/down"]
    assert down_status == "http-503" and "gave up after 2 attempts" in down_reason
    assert rows[site.base_url + "/slow"][0] == "timeout"
    assert len(site.requests_for("/down")) == 2


def test_collect_traps_pdf_404_too_large_redirects(serve, write_pipeline):
    site = serve({
        "/report.pdf": Response(body=b"%PDF-1.4 ...", content_type="application/pdf"),
        "/huge": Response(body=b"<p>" + b"x" * 50_000 + b"</p>"),
        "/old": Response(301, b"", headers={"Location": "/new"}),
        "/new": page("New home"),
        "/loop-a": Response(302, b"", headers={"Location": "/loop-b"}),
        "/loop-b": Response(302, b"", headers={"Location": "/loop-a"}),
    })
    site.routes["/rss"] = rss(site.base_url, ["/report.pdf", "/gone", "/huge", "/old", "/loop-a"])
    spec = write_pipeline([{"feed": site.base_url + "/rss"}], collect={"max_bytes": 20_000})
    run(spec, ["collect"])
    statuses = {u.removeprefix(site.base_url): s for u, s in url_statuses(spec).items()}
    assert statuses["/report.pdf"] == "not-html"
    assert statuses["/gone"] == "http-404"
    assert statuses["/huge"] == "too-large"
    assert statuses["/old"] == "redirected" and statuses["/new"] == "fetched"
    assert statuses["/loop-a"] == "redirected" and statuses["/loop-b"] == "redirect-loop"
    assert len(site.requests_for("/loop-a")) == 1  # the loop was detected, not walked again


def test_collect_sends_the_configured_user_agent_and_writes_warc(serve, write_pipeline):
    site = serve({"/a": page("A")})
    site.routes["/rss"] = rss(site.base_url, ["/a"])
    spec = write_pipeline([{"feed": site.base_url + "/rss"}], collect={"user_agent": "StudyBot/1.0 (+mailto:x@y.z)"})
    run(spec, ["collect"])
    assert {r.user_agent for r in site.log} == {"StudyBot/1.0 (+mailto:x@y.z)"}
    warcs = list(Study(spec.workdir).captures.glob("*.warc.gz"))
    assert len(warcs) == 1
    count = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{Study(spec.workdir).table('urls')}') "
                       "WHERE warc_offset IS NOT NULL").fetchone()[0]
    assert count == 2  # the feed and the page
