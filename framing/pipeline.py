"""The runner: stage order, skip of an unchanged extract, and the run manifest.

Stage functions (collect.crawler, extract) do no path handling of their own; this module wires
them to the study folder through ``store.Study``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from framing import __version__
from framing.collect.crawler import Crawler
from framing.collect.frontier import Frontier
from framing.collect.seed import seed_sources
from framing.collect.warcfile import iter_responses
from framing.config import STAGES, Pipeline
from framing.errors import FramingError
from framing.extract import LINK_DUPLICATES_SQL, Capture, extract_all
from framing.records import ARTICLE_SCHEMA
from framing.store import Study

Progress = Callable[[str, int, int | None], None]  # (stage, done, total)

URL_SCHEMA = pa.schema([
    ("url", pa.string()), ("host", pa.string()), ("outlet", pa.string()), ("kind", pa.string()),
    ("source", pa.string()), ("via", pa.string()), ("depth", pa.int64()), ("listed_date", pa.string()),
    ("status", pa.string()), ("reason", pa.string()), ("http_status", pa.int64()),
    ("content_type", pa.string()), ("attempts", pa.int64()), ("redirect_hops", pa.int64()), ("warc_file", pa.string()),
    ("warc_offset", pa.int64()), ("fetched_at", pa.string()),
])


@dataclass
class StageResult:
    stage: str
    skipped: bool = False
    seconds: float = 0.0
    counts: dict[str, Any] = field(default_factory=dict)


def run(spec: Pipeline, stages: list[str] | None = None, progress: Progress | None = None,
        force: bool = False) -> list[StageResult]:
    """Run the named stages (default: all) of a study in order.

    Parameters
    ----------
    spec
        The validated pipeline.
    stages
        A subset of ``("collect", "extract")``.
    progress
        Called as ``progress(stage, done, total)``.
    force
        Rerun extract even when its inputs and parameters are unchanged.
    """
    chosen = stages or list(STAGES)
    unknown = [s for s in chosen if s not in STAGES]
    if unknown:
        raise FramingError(f"unknown stage {unknown[0]!r}; stages are: {', '.join(STAGES)}")
    study = Study(spec.workdir)
    report = progress or (lambda stage, done, total: None)
    results = []
    for stage in STAGES:
        if stage in chosen:
            started = time.perf_counter()
            result = {"collect": run_collect, "extract": run_extract}[stage](spec, study, report, force)
            result.seconds = round(time.perf_counter() - started, 2)
            results.append(result)
            _record(study, spec, result)
    return results


def run_collect(spec: Pipeline, study: Study, progress: Progress, force: bool = False) -> StageResult:
    with study.connect_state() as conn:
        frontier = Frontier(conn)
        new = seed_sources(frontier, spec.sources)
        crawler = Crawler(frontier, spec.sources, spec.collect, study.captures,
                          progress=lambda done, total: progress("collect", done, total))
        report = crawler.run()
        export_urls(study, conn)
        counts = {"new_source_urls": new, "requests": report.requests, "captures": report.captures,
                  "retries": report.retries, "truncated_bytes": report.truncated_bytes,
                  "warc_file": report.warc_file, "robots": report.robots}
    return StageResult("collect", counts=counts)


def export_urls(study: Study, conn) -> int:
    """Write the frontier to ``tables/urls.parquet``: the coverage funnel's input."""
    cols = [f.name for f in URL_SCHEMA]
    rows = (dict(r) for r in conn.execute(f"SELECT {', '.join(cols)} FROM urls ORDER BY id"))
    return study.write_rows("urls", rows, URL_SCHEMA)


def iter_captures(study: Study, frontier: Frontier) -> Iterator[Capture]:
    """Read each fetched page's record from its WARC file, one file at a time, in file order."""
    wanted: dict[int, Any] = {}
    current: str | None = None
    for row in frontier.captures():
        if row["warc_file"] != current:
            yield from _read_file(study, current, wanted)
            current, wanted = row["warc_file"], {}
        wanted[row["warc_offset"]] = row
    yield from _read_file(study, current, wanted)


def _read_file(study: Study, name: str | None, wanted: dict[int, Any]) -> Iterator[Capture]:
    if not name or not wanted:
        return
    path = study.captures / name  # absolute for imported files, relative for our own crawls
    if not path.is_file():
        raise FramingError(f"capture file {path} is missing; rerun collect or restore the file")
    for record in iter_responses(path):
        row = wanted.get(record.offset)
        if row is not None:
            yield Capture(url=row["url"], outlet=row["outlet"], body=record.body,
                          content_type=record.content_type, listed_date=row["listed_date"],
                          warc_file=name, warc_offset=record.offset)


def run_extract(spec: Pipeline, study: Study, progress: Progress, force: bool = False) -> StageResult:
    with study.connect_state() as conn:
        frontier = Frontier(conn)
        total = frontier.count("status = 'fetched' AND kind = 'page'")
        key = _hash({"inputs": frontier.fingerprint(), "extract": spec.extract.model_dump(),
                     "filter": spec.filter.model_dump(mode="json"), "version": __version__})
        if not force and study.table("articles").is_file() and _last_key(study, "extract") == key:
            return StageResult("extract", skipped=True, counts={"key": key, "captures": total})
        captures = iter_captures(study, frontier)
        rows = extract_all(captures, spec.extract, spec.filter,
                           progress=lambda done: progress("extract", done, total))
        raw = study.tables / "articles_raw.parquet"
        study.write_rows("articles_raw", rows, ARTICLE_SCHEMA)
    _link_duplicates(raw, study.table("articles"))
    raw.unlink()
    counts = dict(study.query("SELECT status, count(*) FROM articles GROUP BY status").fetchall())
    return StageResult("extract", counts={"key": key, "captures": total, **counts})


def _link_duplicates(raw: Path, target: Path) -> None:
    con = duckdb.connect()
    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_parquet('{raw.as_posix()}')")
    partial = target.with_suffix(".parquet.partial")
    con.execute(f"COPY ({LINK_DUPLICATES_SQL}) TO '{partial.as_posix()}' (FORMAT parquet, COMPRESSION zstd)")
    partial.replace(target)


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _last_key(study: Study, stage: str) -> str | None:
    return study.read_manifest().get("stages", {}).get(stage, {}).get("counts", {}).get("key")


def _record(study: Study, spec: Pipeline, result: StageResult) -> None:
    """Update manifest.json: what ran, when, with which parameters and software, and what it made."""
    manifest = study.read_manifest()
    manifest.update(
        title=spec.title, pipeline=str(spec.path), framing=__version__, python=platform.python_version(),
        packages={p: _version(p) for p in ("trafilatura", "warcio", "httpx", "duckdb", "pyarrow", "py3langid")},
        parameters=spec.model_dump(mode="json", exclude={"path"}),
    )
    if not result.skipped:
        manifest.setdefault("stages", {})[result.stage] = {
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seconds": result.seconds, "counts": result.counts,
        }
    study.write_manifest(manifest)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
