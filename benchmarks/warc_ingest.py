"""CC-NEWS-sized WARC ingest: import + keyword pre-filter + extract, on Dask (2 workers) vs locally (1 process).

A synthetic CC-NEWS-like set is written first: ``--records`` HTML responses in ``--files`` gzip
WARC files (one gzip member per record, as Common Crawl stores them), about 1% on topic (news
paragraphs about the social credit system), the rest news-like pages without the keywords.
Then the same study (``warc:`` the set, ``filter.keywords`` the topic) runs collect and extract
in three ways, in an order that rotates each round:

- ``local``: ``engine: local`` with one extract process;
- ``dask``: ``engine: dask`` pointed at a 2-worker LocalCluster that is already running (started
  by this script before the clock, ``engine.scheduler`` its address), as a study uses the
  scheduler of a university cluster: each file one import task, each partition of captures one
  extract task;
- ``dask-own``: ``engine: dask`` without a scheduler, so that the run starts its own 2-worker
  LocalCluster and stops it at the end: what one ``framing run --engine dask`` costs on a laptop.

Round 1 warms every engine (this process's imports for ``local``, the running cluster's workers
importing extraction for ``dask``) and is printed but not counted; the ratios are over the rounds
after it. Printed: records per second of each, and the ratios against ``local`` (issue 13: >= 1.8
on this 2-core machine). All must find the same articles.

Run: python benchmarks/warc_ingest.py [--records 100000] [--files 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import gzip
import io
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from framing.demo.synthetic import news_articles, random_words

PAGE = ("<!DOCTYPE html><html lang=\"en\"><head><title>{title}</title></head><body><nav>Home World Business"
        "</nav><article><h1>{title}</h1><time datetime=\"2021-05-0{day}\">May {day}, 2021</time>{paragraphs}"
        "</article><footer>Contact Privacy</footer></body></html>")


def write_set(folder: Path, records: int, files: int, seed: int = 0) -> int:
    """The WARC files; returns how many records are on topic."""
    rng = np.random.default_rng(seed)
    topical = news_articles(records, words_per_article=400, seed=seed)  # drawn lazily, as many as needed
    on_topic = 0
    per_file = records // files
    for f in range(files):
        with (folder / f"CC-NEWS-{f:05d}.warc.gz").open("wb") as handle:
            writer = WARCWriter(handle, gzip=True)
            for i in range(per_file):
                if rng.random() < 0.01:
                    text = next(topical)["text"].replace(".", ". The social credit system was discussed.", 1)
                    on_topic += 1
                else:
                    text = " ".join(random_words(rng, 400))
                paragraphs = "".join(f"<p>{text[j:j + 400]}</p>" for j in range(0, len(text), 400))
                # a headline of words, as news has: a numbered title such as "Story 13-1995" reads as
                # a date to htmldate and sends each process into dateparser's 1.4 s locale set-up
                title = " ".join(text.split()[:8]).rstrip(".").capitalize()
                body = PAGE.format(title=title, day=1 + i % 9, paragraphs=paragraphs).encode()
                headers = [("Content-Type", "text/html; charset=utf-8")]
                if i % 2:
                    body, headers = gzip.compress(body), [*headers, ("Content-Encoding", "gzip")]
                http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(f"https://site{i % 200}.example/{f}/{i}", "response",
                                                              payload=io.BytesIO(body), http_headers=http))
    return on_topic


def study_file(folder: Path, name: str, engine: dict | str) -> Path:
    path = folder / f"{name}.yml"
    path.write_text(yaml.safe_dump({"title": name, "workdir": name, "sources": [{"warc": "warc/*.warc.gz"}],
                                    "filter": {"keywords": ["social credit"]}, "extract": {"workers": 1},
                                    "engine": engine}), encoding="utf-8")
    return path


def main() -> None:
    # Imported here, not at the top: Dask's LocalCluster spawns its workers, and a spawned process
    # re-imports the main module (as `framing run` re-imports its light CLI module); importing the
    # runner there would load every stage, spaCy and torch in each worker before its first task.
    from distributed import LocalCluster

    from framing.runner import run
    from framing.study.config import load_pipeline
    from framing.study.store import Study

    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="the first warms up and is not counted")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "warc").mkdir()
        started = time.perf_counter()
        on_topic = write_set(folder / "warc", args.records, args.files)
        size = sum(p.stat().st_size for p in (folder / "warc").iterdir()) / 2**20
        print(f"{args.records:,} records in {args.files} files ({size:,.0f} MB), {on_topic:,} on topic; "
              f"written in {time.perf_counter() - started:.0f} s")
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster:
            engines = {"local": "local",
                       "dask": {"name": "dask", "scheduler": cluster.scheduler_address, "partition_size": 100},
                       "dask-own": {"name": "dask", "workers": 2, "partition_size": 100}}
            seconds = dict.fromkeys(engines, 0.0)
            staged = dict.fromkeys(engines, 0.0)  # the stages alone, without dask-own's cluster start and stop
            articles = {}
            for round_ in range(args.rounds):
                names = list(engines)[round_ % 3:] + list(engines)[:round_ % 3]
                for name in names:
                    path = study_file(folder, f"{name}-{round_}", engines[name])
                    started = time.perf_counter()
                    results = run(load_pipeline(path), ["collect", "extract"])
                    spent = time.perf_counter() - started
                    if round_ > 0 or args.rounds == 1:
                        seconds[name] += spent
                        staged[name] += sum(r.seconds for r in results)
                    print(f"  round {round_ + 1}{' (warm-up)' if round_ == 0 < args.rounds - 1 else ''} {name}: "
                          f"{spent:.1f} s; " + ", ".join(f"{r.stage} {r.seconds:.1f} s" for r in results))
                    articles[name] = Study(folder / f"{name}-{round_}").query(
                        "SELECT count(*) FROM articles WHERE status = 'ok'").fetchone()[0]
        assert len(set(articles.values())) == 1, articles
        total = args.records * max(1, args.rounds - 1)
        for name, spent in seconds.items():
            print(f"{name:8} {total / spent:8,.0f} records/s ({spent:,.1f} s)")
        print(f"articles: {articles['local']:,}")
        ratio = {name: seconds["local"] / seconds[name] for name in engines}
        print(f"(a) dask on a running 2-worker cluster / local (1 process) = {ratio['dask']:.2f}x  (target >= 1.8)")
        print(f"    dask-own (the run starts and stops its cluster) / local = {ratio['dask-own']:.2f}x whole run, "
              f"{staged['local'] / staged['dask-own']:.2f}x the stages alone")

if __name__ == "__main__":
    main()
