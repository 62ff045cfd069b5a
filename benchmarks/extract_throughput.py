"""Extract-stage throughput, as ratios measured in one run.

(a) framing's extract stage (WARC read, decode, trafilatura, language id, filters, Parquet,
    duplicate linking) with 1 worker vs bare ``trafilatura.bare_extraction`` with the same
    settings on the same pages. Target >= 0.9.
(b) the same stage with 2 worker processes vs 1. Target >= 1.7.

Run: python benchmarks/extract_throughput.py [--repeat 4]

Instruction counts, which other load on the machine does not move: run each of
``--single setup``, ``--single bare`` and ``--single stage`` under
``valgrind --tool=callgrind`` and subtract the setup's total from the other two.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import trafilatura

from framing.collect.frontier import Candidate, Frontier
from framing.collect.warcfile import CaptureWriter
from framing.config import Pipeline
from framing.pipeline import run_extract
from framing.store import Study

from _pages import demo_article_pages


def build_study(folder: Path, pages: list[tuple[str, bytes, str]], repeat: int) -> Pipeline:
    study = Study(folder)
    writer = CaptureWriter(study.captures / "bench.warc.gz")
    with study.connect_state() as conn:
        frontier = Frontier(conn)
        for copy in range(repeat):
            for url, body, ctype in pages:
                url = f"{url}?copy={copy}"
                frontier.add(Candidate(url, outlet="bench", kind="page", source="bench"))
                offset, length = writer.write_response(url, 200, "OK", [("Content-Type", ctype)], body)
                frontier.record_capture(frontier.get(url)["id"], "bench.warc.gz", offset, length)
    writer.close()
    return Pipeline(title="bench", workdir=folder, sources=[{"urls": "x"}],
                    extract={"workers": 1}, filter={"keywords": ["social credit", "sozialkredit*"]})


def time_bare(pages: list[tuple[str, bytes, str]], repeat: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds of bare trafilatura on every page, ``repeat`` times."""
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for url, body, _ in pages:
            trafilatura.bare_extraction(body, url=url, include_comments=False, include_tables=True,
                                        with_metadata=True)
    return time.perf_counter() - started, time.process_time() - cpu


def time_stage(spec: Pipeline, workers: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the extract stage (CPU of this process only: with 1 worker,
    all of it, DuckDB's threads included)."""
    spec.extract.workers = workers
    started, cpu = time.perf_counter(), time.process_time()
    run_extract(spec, Study(spec.workdir), lambda *a: None)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=4, help="copies of the ~170 demo pages")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of bare, 1 worker, 2 workers")
    parser.add_argument("--single", choices=["setup", "bare", "stage"],
                        help="set up and warm, then run only this one pass (for callgrind), printing nothing")
    args = parser.parse_args()
    pages = demo_article_pages()
    n = len(pages) * args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        spec = build_study(Path(tmp), pages, args.repeat)
        time_stage(spec, 1)  # warm caches (imports, lxml, langid model) before measuring
        time_bare(pages[:20], 1)
        if args.single:
            {"setup": lambda: None, "bare": lambda: time_bare(pages, args.repeat),
             "stage": lambda: time_stage(spec, 1)}[args.single]()
            return
        # interleaved rounds, best of each: this shared machine's speed drifts between minutes
        rounds = [(time_bare(pages, args.repeat), time_stage(spec, 1), time_stage(spec, 2))
                  for _ in range(args.rounds)]
        (bare, bare_cpu), (one, one_cpu), (two, _) = (
            (min(r[i][0] for r in rounds), min(r[i][1] for r in rounds)) for i in range(3))
        # The headline ratios pair runs made back to back within one round, which see (nearly)
        # one machine state, and take the median over rounds, which a load spike in one round
        # does not move. The best-of figures below mix rounds; on this shared machine (CPU steal
        # from other tenants) they swing by +-15 % between invocations.
        paired = statistics.median(r[0][0] / r[1][0] for r in rounds)
        paired_workers = statistics.median(r[1][0] / r[2][0] for r in rounds)
    print(f"pages: {n}, rounds: {args.rounds}")
    print(f"bare trafilatura.bare_extraction: {n / bare:7.1f} pages/s (best round)")
    print(f"framing extract, 1 worker:        {n / one:7.1f} pages/s (best round)")
    print(f"framing extract, 2 workers:       {n / two:7.1f} pages/s (best round)")
    print(f"(a) stage / bare trafilatura = {paired:.2f}  (target >= 0.9; median of paired rounds)")
    print(f"    best times' ratio        = {bare / one:.2f}")
    print(f"    best CPU times' ratio    = {bare_cpu / one_cpu:.2f}")
    print(f"(b) 2 workers / 1 worker     = {paired_workers:.2f}  (target >= 1.7; median of paired rounds)")
    print(f"    best times' ratio        = {one / two:.2f}")


if __name__ == "__main__":
    main()
