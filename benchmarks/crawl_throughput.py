"""Crawl throughput on loopback against the politeness budget, in one run.

With H hosts and a per-host delay d, a polite crawler can make at most H/d requests per second.
This prints the measured request rate divided by that budget (target >= 0.9, also with the
servers compressing), and checks the servers' logs that no host saw two requests closer than d.

The servers compress as real hosts do (``--compression``, gzip by default; they cache each
compressed body, so every page here is compressed once, on its first and only request, in this
process) and the pages have a news page's size (``--page-kb``: demo articles grown to 50-150 KB
of HTML by default). The WARC records written are read back to show which content coding the
servers actually applied.

Run: python benchmarks/crawl_throughput.py [--hosts 8] [--pages 25] [--delay 0.2]
         [--compression gzip|br|none] [--page-kb 100]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from _news_pages import compression_ratio, news_sized, spread_kb

from framing.collect.warcfile import iter_responses
from framing.demo.server import LoggedRequest, Response, SiteServer, politeness_problems
from framing.runner.collect import run_collect
from framing.study.config import Pipeline
from framing.study.store import Study

from _pages import demo_article_pages


def page_bodies(hosts: int, pages: int, kb: float) -> list[list[bytes]]:
    """Distinct pages per host: demo articles grown to 0.5-1.5 x ``kb`` KiB (0: as they are)."""
    demo = [body for _, body, _ in demo_article_pages()]
    sizes = spread_kb(hosts * pages, kb)
    bodies = [news_sized(demo[k % len(demo)], size, seed=k) if kb else demo[k % len(demo)]
              for k, size in enumerate(sizes)]
    return [bodies[h * pages:(h + 1) * pages] for h in range(hosts)]


def start_servers(bodies: list[list[bytes]], compression: str) -> list[SiteServer]:
    servers = []
    for host_pages in bodies:
        server = SiteServer("127.0.0.1", 0, compression=() if compression == "none" else (compression,)).start()
        server.routes = {f"/story/{i}": Response(body=body) for i, body in enumerate(host_pages)}
        server.routes["/urls"] = Response(body=b"")
        servers.append(server)
    return servers


def stored_codings(study: Study) -> tuple[Counter[str], int]:
    """Content codings of the WARC response records (``identity`` for none) and their body bytes."""
    codings: Counter[str] = Counter()
    stored = 0
    for path in sorted(study.captures.glob("*.warc.gz")):
        for record in iter_responses(path):
            codings[record.content_encoding or "identity"] += 1
            stored += len(record.body)
    return codings, stored


def gaps_beyond_delay(log: list[LoggedRequest], delay: float) -> list[float]:
    """Gaps between one host's consecutive requests, less the delay: the time each request itself
    takes, as the crawler waits the delay after an answer is complete (seconds, all hosts)."""
    by_host: dict[str, list[float]] = {}
    for request in log:
        by_host.setdefault(request.host, []).append(request.t)
    gaps = []
    for times in by_host.values():
        times.sort()
        gaps += [b - a - delay for a, b in zip(times, times[1:], strict=False)]
    return gaps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--pages", type=int, default=25, help="pages per host")
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--compression", choices=["gzip", "br", "none"], default="gzip",
                        help="content coding the servers apply when the crawler accepts it")
    parser.add_argument("--page-kb", type=float, default=100,
                        help="mean page size in KiB (pages spread over 0.5-1.5 x this); 0: the ~6 KB demo pages")
    args = parser.parse_args()
    bodies = page_bodies(args.hosts, args.pages, args.page_kb)
    servers = start_servers(bodies, args.compression)
    # Building the pages leaves the collector due a full pass, which over the ~300 000 objects of
    # framing's imports takes ~0.2 s and stalls every host at once: run it here, not in the crawl.
    gc.collect()
    with tempfile.TemporaryDirectory() as tmp:
        urls = Path(tmp) / "urls.txt"
        urls.write_text("".join(f"{s.base_url}/story/{i}\n" for s in servers for i in range(args.pages)))
        spec = Pipeline(title="bench", workdir=Path(tmp) / "study", sources=[{"urls": str(urls)}],
                        collect={"per_host_delay_s": args.delay, "concurrency": args.hosts})
        started = time.perf_counter()
        run_collect(spec, Study(spec.workdir), lambda *a: None)
        elapsed = time.perf_counter() - started
        codings, stored = stored_codings(Study(spec.workdir))
    log = [r for s in servers for r in s.log]
    for server in servers:
        server.stop()
    # each host's schedule: robots.txt, then pages, each d apart -> (pages) gaps of d per host
    rate = len(log) / elapsed
    budget = args.hosts / args.delay
    plain = sum(len(b) for host_pages in bodies for b in host_pages)
    n_pages = args.hosts * args.pages
    print(f"hosts {args.hosts}, delay {args.delay}s, requests {len(log)}, elapsed {elapsed:.2f}s")
    print(f"pages {n_pages} of {plain / n_pages / 1024:.0f} KiB on average (gzip-6 ratio "
          f"{compression_ratio([b for host_pages in bodies for b in host_pages]):.1f}), servers compress: "
          f"{args.compression}")
    print(f"content codings stored (WARC records): {', '.join(f'{c} {n}' for c, n in sorted(codings.items()))}; "
          f"bytes stored / page bytes = {stored / plain:.2f}")
    extra = [gap * 1000 for gap in gaps_beyond_delay(log, args.delay)]
    print(f"request rate {rate:.1f}/s vs politeness budget {budget:.1f}/s; a host's requests further apart "
          f"than the delay by {statistics.median(extra):.1f} ms (median), {statistics.mean(extra):.1f} ms (mean), "
          f"{max(extra):.1f} ms (most)")
    print(f"(c) rate / budget = {rate / budget:.2f}  (target >= 0.9; coding {args.compression})")
    print(f"politeness violations: {politeness_problems(log, args.delay) or 'none'}")


if __name__ == "__main__":
    main()
