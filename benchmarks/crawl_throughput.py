"""Crawl throughput on loopback against the politeness budget, in one run.

With H hosts and a per-host delay d, a polite crawler can make at most H/d requests per second.
This prints the measured request rate divided by that budget (target >= 0.9), and checks the
servers' logs that no host saw two requests closer than d.

Run: python benchmarks/crawl_throughput.py [--hosts 8] [--pages 25] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from framing.config import Pipeline
from framing.demo.server import Response, SiteServer, politeness_problems
from framing.pipeline import run_collect
from framing.store import Study

PAGE = ("<html><head><title>Story {i}</title></head><body><article><h1>Story {i}</h1>"
        + "<p>The social credit system was debated again by officials and researchers.</p>" * 30
        + "</article></body></html>")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--pages", type=int, default=25, help="pages per host")
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()
    servers = []
    for _ in range(args.hosts):
        server = SiteServer("127.0.0.1", 0).start()
        paths = [f"/story/{i}" for i in range(args.pages)]
        server.routes = {p: Response(body=PAGE.format(i=i).encode()) for i, p in enumerate(paths)}
        server.routes["/urls"] = Response(body=b"")
        servers.append(server)
    with tempfile.TemporaryDirectory() as tmp:
        urls = Path(tmp) / "urls.txt"
        urls.write_text("".join(f"{s.base_url}/story/{i}\n" for s in servers for i in range(args.pages)))
        spec = Pipeline(title="bench", workdir=Path(tmp) / "study", sources=[{"urls": str(urls)}],
                        collect={"per_host_delay_s": args.delay, "concurrency": args.hosts})
        started = time.perf_counter()
        run_collect(spec, Study(spec.workdir), lambda *a: None)
        elapsed = time.perf_counter() - started
    log = [r for s in servers for r in s.log]
    for server in servers:
        server.stop()
    # each host's schedule: robots.txt, then pages, each d apart -> (pages) gaps of d per host
    rate = len(log) / elapsed
    budget = args.hosts / args.delay
    print(f"hosts {args.hosts}, delay {args.delay}s, requests {len(log)}, elapsed {elapsed:.2f}s")
    print(f"request rate {rate:.1f}/s vs politeness budget {budget:.1f}/s")
    print(f"(c) rate / budget = {rate / budget:.2f}  (target >= 0.9)")
    print(f"politeness violations: {politeness_problems(log, args.delay) or 'none'}")


if __name__ == "__main__":
    main()
