"""A crawl killed with SIGKILL resumes: nothing stored is fetched again, no article is doubled."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

from framing.runner import run
from framing.study.store import Study

from conftest import page, rss


def test_crawl_killed_with_sigkill_resumes_without_refetch_or_duplicates(serve, write_pipeline):
    paths = [f"/story/{i}" for i in range(30)]
    site = serve({p: page(f"Story number {p}") for p in paths})
    site.routes["/rss"] = rss(site.base_url, paths)
    spec = write_pipeline([{"feed": site.base_url + "/rss"}], collect={"per_host_delay_s": 0.1})

    proc = subprocess.Popen([sys.executable, "-m", "framing", "run", str(spec.path), "collect"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "100"})
    deadline = time.monotonic() + 60
    while len([r for r in site.log if r.path.startswith("/story/")]) < 10:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "crawler made no progress"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    with sqlite3.connect(Study(spec.workdir).state_db) as conn:
        stored = {u for (u,) in conn.execute("SELECT url FROM urls WHERE status = 'fetched' AND kind = 'page'")}
    assert 5 <= len(stored) < 30  # killed mid-crawl

    run(spec)  # resume in-process, then extract

    hits = Counter(r.path for r in site.log)
    refetched = [u for u in stored if hits[u.removeprefix(site.base_url)] > 1]
    assert refetched == [], f"stored pages fetched again: {refetched}"
    assert all(hits[p] >= 1 for p in paths)
    assert sum(hits[p] - 1 for p in paths) <= 1  # at most the one request in flight at the kill
    study = Study(spec.workdir)
    urls = [u for (u,) in study.query("SELECT url FROM articles").fetchall()]
    assert len(urls) == len(set(urls)) == 30
