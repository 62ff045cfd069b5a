"""WARC round trip: captures written by a crawl import into another study as a `warc:` source."""

from __future__ import annotations

import shutil

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
