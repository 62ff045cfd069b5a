"""CC-NEWS-sized WARC ingest: import + keyword pre-filter + extract, on Dask (2 workers) vs locally (1 process).

A synthetic CC-NEWS-like set is written first: ``--records`` HTML responses in ``--files`` gzip
WARC files (one gzip member per record, as Common Crawl stores them), about 1% on topic (news
paragraphs about the social credit system), the rest news-like pages without the keywords.
Then the same study (``warc:`` the set, ``filter.keywords`` the topic) runs collect and extract
twice, alternating which goes first in each round: ``engine: local`` with one extract process,
and ``engine: dask`` on a 2-worker LocalCluster (each file one import task, each partition of
captures one extract task). Printed: records per second of each, and the ratio (issue 13: >= 1.8
on this 2-core machine). Both must find the same articles.

Run: python benchmarks/warc_ingest.py [--records 100000] [--files 20] [--rounds 1]
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
from framing.runner import run
from framing.study.config import load_pipeline
from framing.study.store import Study

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
                body = PAGE.format(title=f"Story {f}-{i}", day=1 + i % 9, paragraphs=paragraphs).encode()
                headers = [("Content-Type", "text/html; charset=utf-8")]
                if i % 2:
                    body, headers = gzip.compress(body), [*headers, ("Content-Encoding", "gzip")]
                http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(f"https://site{i % 200}.example/{f}/{i}", "response",
                                                              payload=io.BytesIO(body), http_headers=http))
    return on_topic


def study(folder: Path, name: str, engine: dict | str) -> Path:
    path = folder / f"{name}.yml"
    path.write_text(yaml.safe_dump({"title": name, "workdir": name, "sources": [{"warc": "warc/*.warc.gz"}],
                                    "filter": {"keywords": ["social credit"]}, "extract": {"workers": 1},
                                    "engine": engine}), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "warc").mkdir()
        started = time.perf_counter()
        on_topic = write_set(folder / "warc", args.records, args.files)
        size = sum(p.stat().st_size for p in (folder / "warc").iterdir()) / 2**20
        print(f"{args.records:,} records in {args.files} files ({size:,.0f} MB), {on_topic:,} on topic; "
              f"written in {time.perf_counter() - started:.0f} s")
        engines = {"local": "local", "dask": {"name": "dask", "workers": 2, "partition_size": 100}}
        seconds = dict.fromkeys(engines, 0.0)
        staged = dict.fromkeys(engines, 0.0)  # the stages alone, without starting and stopping the cluster
        articles = {}
        for round_ in range(args.rounds):
            for name in (list(engines) if round_ % 2 == 0 else list(reversed(engines))):
                path = study(folder, f"{name}-{round_}", engines[name])
                started = time.perf_counter()
                results = run(load_pipeline(path), ["collect", "extract"])
                seconds[name] += time.perf_counter() - started
                staged[name] += sum(r.seconds for r in results)
                print(f"  {name}: " + ", ".join(f"{r.stage} {r.seconds:.1f} s" for r in results))
                articles[name] = Study(folder / f"{name}-{round_}").query(
                    "SELECT count(*) FROM articles WHERE status = 'ok'").fetchone()[0]
        assert articles["local"] == articles["dask"], articles
        total = args.records * args.rounds
        for name, spent in seconds.items():
            print(f"{name:6} {total / spent:8,.0f} records/s ({spent:,.1f} s)")
        print(f"articles: {articles['local']:,}; dask (2 workers) / local (1 process): "
              f"{seconds['local'] / seconds['dask']:.2f}x whole run, {staged['local'] / staged['dask']:.2f}x "
              "the stages alone (without the LocalCluster's start and stop)")


if __name__ == "__main__":
    main()
