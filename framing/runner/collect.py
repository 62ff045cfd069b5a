"""The collect stage wired to the study folder: sources in, WARC captures and ``tables/urls`` out."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict
from typing import Any

from framing.collect.crawler import Crawler
from framing.collect.frontier import Frontier
from framing.collect.outcome import source_outcomes
from framing.collect.seed import seed_sources
from framing.runner.engine import Engine
from framing.study.config import Pipeline
from framing.study.stages import Progress
from framing.study.store import Study
from framing.study.tables import URL_SCHEMA


def run_collect(spec: Pipeline, study: Study, progress: Progress, engine: Engine | None = None) -> dict[str, Any]:
    """Seed the sources (WARC files read as one task each on the engine) and crawl what is queued.

    The crawl itself stays one polite scheduler on this machine: politeness is per host.
    """
    with study.connect_state() as conn:
        frontier = Frontier(conn)
        unreadable: list[str] = []
        seeded: dict[str, Any] = {}
        new = seed_sources(frontier, spec.sources, spec.filter, spec.collect.max_bytes, unreadable,
                           engine.map if engine is not None else None, study.tables / "prefiltered", seeded)
        crawler = Crawler(frontier, spec.sources, spec.collect, study.captures,
                          progress=lambda done, total: progress("collect", done, total))
        report = crawler.run()
        export_urls(study, conn)
        counts = {"new_source_urls": new, "requeued": report.requeued, "requests": report.requests,
                  "captures": report.captures, "retries": report.retries, "truncated_bytes": report.truncated_bytes,
                  "warc_file": report.warc_file, "robots": report.robots,
                  "sources": [asdict(o) for o in source_outcomes(conn)], **seeded}
        if unreadable:  # corrupt WARC files: what came before the damage was imported
            counts["unreadable_warc"] = unreadable
        return counts


def export_urls(study: Study, conn: sqlite3.Connection) -> int:
    """Write the frontier to ``tables/urls.parquet``: the coverage funnel's input."""
    cols = [f.name for f in URL_SCHEMA]
    rows = (dict(r) for r in conn.execute(f"SELECT {', '.join(cols)} FROM urls ORDER BY id"))
    return study.write_rows("urls", rows, URL_SCHEMA)
