"""WARC round trip: captures written by a crawl import into another study as a `warc:` source."""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path

from framing.collect.warcfile import iter_responses
from framing.demo.server import Response
from framing.runner import run
from framing.study.store import Study

from conftest import page, rss


def test_warc_written_by_a_crawl_imports_as_a_source_with_the_same_articles(serve, write_pipeline, tmp_path):
    site = serve({f"/s{i}": page(f"Story {i}") for i in range(4)})
    site.routes["/doc.pdf"] = Response(body=b"%PDF-1.4", content_type="application/pdf")
    site.routes["/rss"] = rss(site.base_url, [f"/s{i}" for i in range(4)])
    crawl = write_pipeline([{"feed": site.base_url + "/rss", "outlet": "Gazette"}])
    run(crawl)
    (warc,) = Study(crawl.workdir).captures.glob("*.warc.gz")
    records = list(iter_responses(warc))
    assert {r.url.removeprefix(site.base_url) for r in records} == {"/rss", "/s0", "/s1", "/s2", "/s3"}
    assert all(r.status == 200 and r.body for r in records)

    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.copy(warc, archive / "old-crawl.warc.gz")
    before = warc.read_bytes()
    imported = write_pipeline([{"warc": "archive/*.warc.gz", "outlet": "Gazette"}], name="imported.yml",
                              workdir="imported")
    requests_before = len(site.log)
    run(imported)
    assert len(site.log) == requests_before  # nothing fetched: the WARC is the input
    cols = "url, outlet, title, text, status, published"
    original = Study(crawl.workdir).query(f"SELECT {cols} FROM articles ORDER BY url").fetchall()
    again = Study(imported.workdir).query(f"SELECT {cols} FROM articles ORDER BY url").fetchall()
    assert again == original and len(original) == 4
    assert (archive / "old-crawl.warc.gz").read_bytes() == before  # imported files are never modified

    run(imported)  # importing the same file again adds nothing
    assert Study(imported.workdir).query("SELECT count(*) FROM articles").fetchone()[0] == 4


def _warc(path, records):
    """A WARC file of HTTP responses: (url, status, content type, body, content encoding)."""
    import gzip as gz
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, status, ctype, body, coding in records:
            headers = [("Content-Type", ctype)] + ([("Content-Encoding", coding)] if coding else [])
            if coding == "gzip":
                body = gz.compress(body)
            http = StatusAndHeaders(f"{status} OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http))


def test_warc_import_sets_aside_pages_without_a_keyword_and_the_funnel_counts_them(write_pipeline, tmp_path):
    from framing.aggregate.queries import funnel

    from conftest import article_html, long_text

    def story(seed: str) -> list[str]:
        return [f"{seed} Paragraph {n} goes on about the week's news in the city, with quotes from residents "
                f"and officials who spoke to the paper about what comes next for them." for n in range(6)]

    on_topic = article_html("Credit plan", long_text("The social credit system expands."), date="2021-03-04")
    # the keywords split by markup and an entity: the page's text still says "social credit"
    split = article_html("Split", story("Officials explained SPLIT."), date="2021-03-05").replace(
        "SPLIT", "China's <em>social</em>&nbsp;credit rules")
    weather = article_html("Weather", story("Rain is expected over the weekend."), date="2021-03-06")
    # a keyword only in a script (a related-links widget) is not the page's text
    in_script = article_html("Sport", story("The match ended in a draw."), extra_head=(
        "<script>var related = 'social credit';</script>"))
    archive = tmp_path / "archive"
    archive.mkdir()
    _warc(archive / "cc-news-1.warc.gz", [
        ("https://news.example/credit", 200, "text/html; charset=utf-8", on_topic.encode(), None),
        ("https://news.example/credit-gz", 200, "text/html", on_topic.replace("Credit plan", "Plan two").encode(),
         "gzip"),
        ("https://news.example/split", 200, "text/html", split.encode(), None),
        ("https://news.example/weather", 200, "text/html", weather.encode(), None),
        ("https://news.example/sport", 200, "text/html", in_script.encode(), None),
        ("https://news.example/report.pdf", 200, "application/pdf", b"%PDF-1.4 social credit", None),
    ])
    spec = write_pipeline([{"warc": "archive/*.warc.gz", "outlet": "News"}], filter={"keywords": ["social credit"]})
    run(spec, ["collect", "extract"])
    study = Study(spec.workdir)
    statuses = dict(study.query("SELECT regexp_extract(url, '[^/]+$'), status FROM urls").fetchall())
    assert statuses == {"credit": "fetched", "credit-gz": "fetched", "split": "fetched", "report.pdf": "not-html"}
    aside = study.query("SELECT regexp_extract(url, '[^/]+$'), outlet, warc_offset > 0 FROM prefiltered").fetchall()
    assert sorted(aside) == [("sport", "News", True), ("weather", "News", True)]   # listed with where to find them
    extracted = {u.rsplit("/", 1)[1] for (u,) in study.query("SELECT url FROM articles").fetchall()}
    assert extracted == {"credit", "credit-gz", "split"}                    # the two set aside were never read
    [row] = funnel(study)
    assert (row.discovered, row.fetched, row.prefiltered, row.failed) == (6, 3, 2, 1)
    assert row.failed_by_reason == "not-html 1"


def test_a_rerun_reads_only_new_files_unless_the_keywords_changed(write_pipeline, tmp_path):
    from framing.aggregate.queries import funnel
    from framing.study.config import load_pipeline

    from conftest import article_html, long_text

    def page(title, text):
        paragraphs = long_text(text) if "credit" in text else [  # long_text's paragraphs mention social credit
            f"{text} Paragraph {n} goes on about the news in the city, with quotes from residents." for n in range(6)]
        return article_html(title, paragraphs, date="2021-03-04").encode()

    archive = tmp_path / "archive"
    archive.mkdir()
    _warc(archive / "a.warc.gz", [("https://n.example/credit-a", 200, "text/html", page("A", "Social credit A."), None),
                                  ("https://n.example/rain-a", 200, "text/html", page("R", "Rain all week."), None)])
    spec = write_pipeline([{"warc": "archive/*.warc.gz", "outlet": "N"}], filter={"keywords": ["social credit"]})
    study = Study(spec.workdir)
    first = run(spec, ["collect"])[0].counts
    assert (first["new_source_urls"], first["prefiltered"]) == (1, 1)
    _warc(archive / "b.warc.gz", [("https://n.example/credit-b", 200, "text/html", page("B", "Social credit B."), None),
                                  ("https://n.example/rain-b", 200, "text/html", page("S", "Sun all week."), None)])
    second = run(spec, ["collect"], force=True)[0].counts
    assert (second["new_source_urls"], second["prefiltered"]) == (1, 1)    # a.warc.gz was not read again
    [row] = funnel(study)
    assert (row.discovered, row.fetched, row.prefiltered) == (4, 2, 2)

    # an old study kept set-aside records as URL rows: they go when the files are read again
    with study.connect_state() as conn:
        conn.execute("INSERT INTO urls (url, host, outlet, kind, source, status) VALUES "
                     "('https://n.example/old', 'n.example', 'N', 'page', ?, 'prefiltered')", (spec.sources[0].label,))
    text = spec.path.read_text(encoding="utf-8").replace("social credit", "all week")
    spec.path.write_text(text, encoding="utf-8")
    third = run(load_pipeline(spec.path), ["collect"], force=True)[0].counts
    assert (third["new_source_urls"], third["prefiltered"]) == (2, 2)      # both files read again
    statuses = dict(study.query("SELECT regexp_extract(url, '[^/]+$'), status FROM urls").fetchall())
    assert statuses == dict.fromkeys(["credit-a", "rain-a", "credit-b", "rain-b"], "fetched")
    [row] = funnel(study)                       # the credit pages, set aside now, were fetched before: no double count
    assert (row.discovered, row.fetched, row.prefiltered) == (4, 4, 0)

    # a file that leaves the glob leaves the ledger and the set-aside table with it
    (archive / "b.warc.gz").unlink()
    run(load_pipeline(spec.path), ["collect"], force=True)
    assert [Path(p).name for (p,) in study.query("SELECT DISTINCT warc_file FROM prefiltered").fetchall()] \
        == ["a.warc.gz"]
    with study.connect_state() as conn:
        assert [Path(p).name for (p,) in conn.execute("SELECT path FROM warc_imports")] == ["a.warc.gz"]


def test_a_corrupt_warc_record_keeps_what_came_before_and_says_where(write_pipeline, tmp_path):
    from conftest import article_html, long_text

    pages = [(f"https://news.example/{i}", 200, "text/html",
              article_html(f"Story {i}", long_text(f"Social credit story {i}."), date="2021-03-04").encode(), None)
             for i in range(4)]
    archive = tmp_path / "archive"
    archive.mkdir()
    _warc(archive / "a-good.warc.gz", pages[:2])
    _warc(archive / "b-damaged.warc.gz", pages[2:])
    damaged = archive / "b-damaged.warc.gz"
    data = damaged.read_bytes()
    first = zlib.decompressobj(31)                                # one gzip member per record
    first.decompress(data)
    second = len(data) - len(first.unused_data)                   # where the second record's member starts
    damaged.write_bytes(data[:second + 40] + b"\x00" * 200 + data[second + 240:])
    spec = write_pipeline([{"warc": "archive/*.warc.gz", "outlet": "News"}])
    [collect, extract] = run(spec, ["collect", "extract"])
    problems = collect.counts["unreadable_warc"]
    assert len(problems) == 1 and "b-damaged.warc.gz" in problems[0] and "offset" in problems[0]
    urls = {u for (u,) in Study(spec.workdir).query("SELECT url FROM articles").fetchall()}
    # the good file whole, and the damaged one up to the damage
    assert urls == {"https://news.example/0", "https://news.example/1", "https://news.example/2"}
