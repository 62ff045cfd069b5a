"""engine: dask — the same study on a Dask LocalCluster: the same tables, resumable partitions, clear failures."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from framing.errors import FramingError
from framing.runner import run
from framing.study.compare import compare_studies
from framing.study.config import load_pipeline

from conftest import long_text, page, rss

FRAMES = ["Orwellian surveillance of every citizen, critics warn, a Big Brother state.",
          "The system fights fraud and unpaid debts: courts list defaulters, trust in contracts grows.",
          "Western credit scores like FICO and Schufa work much the same, economists note."]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """A study of 48 pages (one feed) crawled and analysed locally, as the reference."""
    from framing.demo.server import SiteServer

    folder = tmp_path_factory.mktemp("dask")
    routes = {}
    for i in range(48):
        paragraphs = long_text(f"Story {i} on the social credit system. {FRAMES[i % 3]}", sentences=60)
        routes[f"/news/{i}"] = page(f"Story {i}", paragraphs, date=f"20{15 + i % 10}-0{1 + i % 9}-11")
    with SiteServer("127.0.0.1", 0, routes).start() as site:
        site.routes["/rss"] = rss(site.base_url, list(routes))
        spec = {"title": "dask test", "workdir": "study", "codebook": "social-credit",
                "sources": [{"feed": site.base_url + "/rss", "outlet": "Outlet"}],
                "collect": {"per_host_delay_s": 0.0, "timeout_s": 5}, "filter": {"keywords": ["social credit"]},
                "tag": {"min_hits": 1}}
        path = folder / "local.yml"
        path.write_text(yaml.safe_dump(spec), encoding="utf-8")
        local = load_pipeline(path)
        run(local, ["collect", "extract", "tag", "aggregate"])
    return folder, spec


def _copy(folder: Path, spec: dict, name: str, engine: dict) -> Path:
    """A copy of the crawled study (captures and frontier included) with another engine."""
    shutil.copytree(folder / "study", folder / name)
    path = folder / f"{name}.yml"
    path.write_text(yaml.safe_dump({**spec, "workdir": name, "engine": engine}), encoding="utf-8")
    return path


def test_dask_engine_writes_the_same_tables_as_local(crawled):
    folder, spec = crawled
    path = _copy(folder, spec, "on-dask", {"name": "dask", "workers": 2, "partition_size": 5})
    results = {r.stage: r for r in run(load_pipeline(path), ["extract", "tag", "aggregate"], force=True)}
    assert results["extract"].counts["engine"] == "dask" and results["extract"].counts["partitions"] == 10
    assert results["tag"].counts["engine"] == "dask" and results["tag"].counts["articles"] >= 40
    differences = compare_studies(folder / "study", folder / "on-dask")
    assert {name: d for name, d in differences.items() if d} == {}
    assert {"articles.parquet", "frame_hits.parquet", "article_frames.parquet",
            "prevalence_by_outlet.parquet"} <= set(differences)


def test_a_killed_dask_run_redoes_only_unfinished_partitions(crawled):
    folder, spec = crawled
    path = _copy(folder, spec, "killed", {"name": "dask", "workers": 2, "partition_size": 1})
    work = folder / "killed" / "tables" / "articles_raw.work"
    client = subprocess.Popen([sys.executable, "-m", "framing", "run", str(path), "extract", "--force"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not (work.is_dir() and len(list(work.glob("*.parquet"))) >= 3):
        assert client.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no partition finished"
        time.sleep(0.01)
    os.killpg(client.pid, signal.SIGKILL)  # the client, its LocalCluster and its workers, mid-run
    client.wait()
    finished = {p.name for p in work.glob("*.parquet")}
    assert 3 <= len(finished) < 48
    [extract] = run(load_pipeline(path), ["extract"], force=True)
    assert extract.counts["partitions"] == 48
    assert extract.counts["partitions_reused"] >= len(finished)       # finished partitions were not redone
    assert not work.exists()
    run(load_pipeline(path), ["tag", "aggregate"], force=True)
    differences = compare_studies(folder / "study", folder / "killed")
    assert {name: d for name, d in differences.items() if d} == {}     # nothing lost, nothing twice


def test_an_unreachable_scheduler_is_a_clear_error(crawled):
    folder, spec = crawled
    path = _copy(folder, spec, "nowhere", {"name": "dask", "scheduler": "tcp://127.0.0.1:9"})
    with pytest.raises(FramingError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run(load_pipeline(path), ["extract"], force=True)


def test_engine_is_checked_like_every_key(write_pipeline):
    from framing.errors import ConfigError

    with pytest.raises(ConfigError, match="engine.name"):
        write_pipeline([{"feed": "http://127.0.0.1:9/rss"}], engine="spark")
    assert write_pipeline([{"feed": "http://127.0.0.1:9/rss"}], engine="dask").engine.name == "dask"


def test_dask_tags_and_aggregates_20000_articles_as_local_does(write_pipeline, tmp_path):
    import datetime as dt

    from framing.demo.synthetic import news_articles
    from framing.study.store import Study
    from framing.study.tables import ARTICLE_SCHEMA

    spec = write_pipeline([{"feed": "http://127.0.0.1:9/rss"}], codebook="social-credit", tag={"min_hits": 2})
    blank = dict.fromkeys(ARTICLE_SCHEMA.names)
    rows = ({**blank, **a, "url": f"https://outlet{i % 8}.example/{a['article_id']}",
             "published": dt.date(2015 + i % 10, 1 + i % 12, 1)}
            for i, a in enumerate(news_articles(20_000, words_per_article=120, seed=7)))
    Study(spec.workdir).write_rows("articles", rows, ARTICLE_SCHEMA)
    local = {r.stage: r for r in run(spec, ["tag", "aggregate"])}
    assert local["tag"].counts["articles"] == 20_000 and local["tag"].counts["hits"] > 20_000
    shutil.copytree(spec.workdir, tmp_path / "on-dask")
    spread = spec.model_copy(update={"workdir": tmp_path / "on-dask", "engine": spec.engine.model_copy(
        update={"name": "dask", "workers": 2, "partition_size": 1500})})
    on_dask = {r.stage: r for r in run(spread, ["tag", "aggregate"], force=True)}
    assert on_dask["tag"].counts["engine"] == "dask"
    differences = compare_studies(spec.workdir, tmp_path / "on-dask")
    assert {name: d for name, d in differences.items() if d} == {}


def test_warc_files_import_on_dask_as_they_do_locally(crawled):
    """Each WARC file one task: the frontier, the articles and the funnel are the same as read here."""
    folder, _ = crawled
    archive = sorted((folder / "study" / "captures").glob("*.warc.gz"))
    spec = {"title": "warc", "codebook": "social-credit", "sources": [{"warc": str(archive[0].parent / "*.warc.gz")}],
            "filter": {"keywords": ["Story 1*"]}, "tag": {"min_hits": 1}}
    for name, engine in (("warc-local", "local"), ("warc-dask", {"name": "dask", "workers": 2})):
        path = folder / f"{name}.yml"
        path.write_text(yaml.safe_dump({**spec, "workdir": name, "engine": engine}), encoding="utf-8")
        stages = {r.stage: r for r in run(load_pipeline(path), ["collect", "extract"])}
        counts = stages["collect"].counts
        assert counts["new_source_urls"] + counts["prefiltered"] == 49     # the feed and 48 pages
    differences = compare_studies(folder / "warc-local", folder / "warc-dask")
    assert {name: d for name, d in differences.items() if d} == {}
    prefiltered = load_pipeline(folder / "warc-dask.yml")
    from framing.study.store import Study

    study = Study(prefiltered.workdir)
    statuses = dict(study.query("SELECT status, count(*) FROM urls GROUP BY 1").fetchall())
    [(aside,)] = study.query("SELECT count(*) FROM prefiltered").fetchall()
    assert aside >= 30 and statuses["fetched"] >= 10                       # "Story 1", "Story 10".."19" pass
    assert "prefiltered.parquet" in differences                            # compared like the other tables


def test_a_worker_killed_mid_run_loses_nothing(crawled):
    """Dask runs a dead worker's tasks again elsewhere: the tables are the local run's."""
    import threading

    from distributed import Client, LocalCluster

    folder, spec = crawled
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=50) as cluster, Client(cluster) as client:
        path = _copy(folder, spec, "worker-killed", {"name": "dask", "scheduler": cluster.scheduler_address,
                                                      "partition_size": 1})
        work = folder / "worker-killed" / "tables" / "articles_raw.work"
        outcome: dict = {}
        runner = threading.Thread(target=lambda: outcome.update(
            results=run(load_pipeline(path), ["extract", "tag", "aggregate"], force=True)))
        runner.start()
        deadline = time.monotonic() + 120
        while not (work.is_dir() and len(list(work.glob("*.parquet"))) >= 2):
            assert runner.is_alive() and time.monotonic() < deadline, "the run ended before a worker could die"
            time.sleep(0.01)
        pid = next(iter(client.run(os.getpid).values()))
        os.kill(pid, signal.SIGKILL)                                   # one worker process dies mid-extract
        runner.join(timeout=300)
    assert not runner.is_alive() and "results" in outcome
    differences = compare_studies(folder / "study", folder / "worker-killed")
    assert {name: d for name, d in differences.items() if d} == {}
