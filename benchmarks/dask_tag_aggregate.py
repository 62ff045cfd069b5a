"""Tag and aggregate on a Dask LocalCluster at corpus scale: throughput, and peak memory per worker.

For each size (default 100,000 and 1,000,000 synthetic articles with the demo corpus's word
frequencies), a study's article table is written in streamed parts, then the tag and aggregate
stages run with ``engine: dask`` on a fresh 2-worker LocalCluster (a cluster per size, so each
worker's peak is that size's). Printed: articles per second through both stages, and the largest
peak resident memory of a worker. Issue 13 asks the peak per worker to stay flat: the 1,000,000
peak at most 1.2x the 100,000 one.

Run: python benchmarks/dask_tag_aggregate.py [--sizes 100000 1000000] [--words 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import yaml

from framing.demo.synthetic import news_articles
from framing.runner.engine import open_engine
from framing.study.config import load_pipeline
from framing.study.store import Study
from framing.study.tables import ARTICLE_SCHEMA


def peak_rss_mib() -> float:
    """This process's peak resident memory since it started its program (``VmHWM``), in MiB.

    Not ``getrusage``'s ``ru_maxrss``: Linux carries that across ``exec``, so a Dask worker
    (spawned: the nanny forks, then execs Python) would report the RSS of the process it was
    forked from whenever that was larger, and the driver that has just written a million
    articles is.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def one_size(folder: Path, size: int, words: int) -> tuple[float, float]:
    path = folder / f"study-{size}.yml"
    path.write_text(yaml.safe_dump({"title": "scale", "workdir": f"study-{size}", "codebook": "social-credit",
                                    "sources": [{"feed": "http://127.0.0.1:9/rss"}], "tag": {"min_hits": 2},
                                    "engine": {"name": "dask", "workers": 2, "partition_size": 2000}}))
    spec = load_pipeline(path)
    blank = dict.fromkeys(ARTICLE_SCHEMA.names)
    rows = ({**blank, **a, "url": f"https://outlet{i % 8}.example/{a['article_id']}",
             "published": dt.date(2015 + i % 10, 1 + i % 12, 1)}
            for i, a in enumerate(news_articles(size, words_per_article=words, seed=3)))
    Study(spec.workdir).write_rows("articles", rows, ARTICLE_SCHEMA)
    with open_engine(spec.engine) as engine:
        started = time.perf_counter()
        from framing.runner.aggregate import aggregate_study
        from framing.runner.tag import tag_articles

        study = Study(spec.workdir)
        tag_articles(spec, study, lambda *a: None, engine)
        aggregate_study(spec, study, None, engine)
        seconds = time.perf_counter() - started
        peaks = engine.client.run(peak_rss_mib)
    return size / seconds, max(peaks.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--words", type=int, default=200)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            rate, peak = one_size(Path(tmp), size, args.words)
            results[size] = peak
            print(f"{size:>9,} articles of {args.words} words: {rate:,.0f} articles/s through tag + aggregate; "
                  f"peak worker RSS {peak:,.0f} MiB", flush=True)
    if len(results) > 1:
        small, large = min(results), max(results)
        print(f"peak per worker, {large:,} vs {small:,}: {results[large] / results[small]:.2f}x")


if __name__ == "__main__":
    main()
