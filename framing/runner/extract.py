"""The extract stage wired to the study folder: captures in, ``tables/articles`` out, duplicates linked."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from framing import __version__
from framing.collect.captures import captures_of, iter_captures
from framing.collect.frontier import Frontier
from framing.extract.articles import (
    EXTRACT_LOGIC,
    LINK_DUPLICATES_SQL,
    apply_filter,
    extract_all,
    extract_page,
)
from framing.extract.near_duplicates import NearDuplicates, cluster_rows
from framing.runner.engine import Engine
from framing.study.config import Pipeline
from framing.study.keywords import keyword_pattern
from framing.study.stages import Progress
from framing.study.store import Study
from framing.study.tables import ARTICLE_SCHEMA, ARTICLES, CLUSTER_SCHEMA


def run_extract(spec: Pipeline, study: Study, progress: Progress, engine: Engine | None = None) -> dict[str, Any]:
    """Extract every fetched page; write the article table with each duplicate linked to its first copy.

    With ``engine: local`` the pages go through this machine's worker processes; with ``dask``,
    partitions of ``engine.partition_size`` captures are tasks on the cluster, each writing its
    rows to a file of its own that a rerun after a crash finds and keeps (see :func:`extract_partition`).
    """
    counts: dict[str, Any] = {}
    with study.connect_state() as conn:
        frontier = Frontier(conn)
        total = frontier.count("status = 'fetched' AND kind = 'page'")
        if engine is None or engine.name == "local":
            rows = extract_all(iter_captures(study, frontier), spec.extract, spec.filter,
                               progress=lambda done: progress("extract", done, total),
                               max_bytes=spec.collect.max_bytes)
            study.write_rows("articles_raw", rows, ARTICLE_SCHEMA)
        else:
            captured = [dict(row) for row in frontier.captures()]
            counts = _extract_partitions(spec, study, captured, engine, progress)
    study.write_query("articles", LINK_DUPLICATES_SQL)  # exact duplicates linked
    study.remove_table("articles_raw")
    clusters = link_near_duplicates(spec, study)
    statuses = dict(study.query("SELECT status, count(*) FROM articles GROUP BY status").fetchall())
    return {"captures": total, **statuses, **clusters, **counts}


PARTITION_COLUMNS = ("url", "outlet", "listed_date", "warc_file", "warc_offset", "warc_length")


def _extract_partitions(spec: Pipeline, study: Study, captured: list[dict[str, Any]], engine: Engine,
                        progress: Progress) -> dict[str, Any]:
    """Run extract as one task per partition; finished partitions of an interrupted run are kept."""
    work = study.tables / "articles_raw.work"
    work.mkdir(exist_ok=True)
    size = spec.engine.partition_size
    parts = [[{k: row[k] for k in PARTITION_COLUMNS} for row in captured[i:i + size]]
             for i in range(0, len(captured), size)]
    settings = (str(study.workdir), spec.extract, spec.filter, spec.collect.max_bytes)
    outputs = [work / f"{_partition_key(part, settings)}.parquet" for part in parts]
    reused = sum(out.is_file() for out in outputs)
    todo = [(part, str(out)) for part, out in zip(parts, outputs, strict=True) if not out.is_file()]
    done = sum(len(part) for part, out in zip(parts, outputs, strict=True) if out.is_file())
    for extracted in engine.map(extract_partition, todo, settings):
        done += extracted
        progress("extract", done, len(captured))
    if outputs:
        study.install_parts("articles_raw", outputs)
    else:
        study.write_rows("articles_raw", [], ARTICLE_SCHEMA)
    shutil.rmtree(work)
    return {"engine": engine.name, "partitions": len(parts), "partitions_reused": reused}


def extract_partition(task: tuple[list[dict[str, Any]], str], settings: tuple) -> int:
    """One partition: read its captures, extract and filter each, write the rows to the task's file.

    The file appears (by rename) only when complete, so a killed task leaves nothing and a finished
    one is never done twice. Runs on a Dask worker: needs the study folder at the same path there.
    """
    rows, out = task
    workdir, options, study_filter, max_bytes = settings
    target = Path(out)
    if target.is_file():
        return pq.read_metadata(target).num_rows
    topic = keyword_pattern(study_filter.keywords) if study_filter.keywords else None
    study = Study(Path(workdir))
    records = [apply_filter(extract_page(capture, options, max_bytes), study_filter, topic)
               for capture in captures_of(study, rows)]
    partial = target.with_suffix(".partial")
    pq.write_table(pa.Table.from_pylist(records, schema=ARTICLE_SCHEMA), partial, compression="zstd")
    partial.replace(target)
    return len(records)


def _partition_key(rows: list[dict[str, Any]], settings: tuple) -> str:
    """The same captures under the same settings and code: the same file name."""
    _, options, study_filter, max_bytes = settings
    payload = json.dumps([[(r["url"], r["warc_file"], r["warc_offset"]) for r in rows], options.model_dump(),
                          study_filter.model_dump(mode="json"), max_bytes, EXTRACT_LOGIC, __version__],
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def link_near_duplicates(spec: Pipeline, study: Study) -> dict[str, int]:
    """Add ``cluster_id`` and ``near_duplicate_of`` to the article table (see :mod:`framing.extract.near_duplicates`).

    Returns the number of articles that are near (not exact) copies and of clusters with more
    than one article.
    """
    options = spec.extract
    rows: list[dict[str, Any]] = []
    if options.near_duplicates is not None:
        index = NearDuplicates(options.near_duplicates, options.shingle_words)
        for batch in study.iter_batches("articles", list(NearDuplicates.COLUMNS)):
            index.add(batch.to_pylist())
        rows = cluster_rows(index)
    study.write_rows("article_clusters", rows, CLUSTER_SCHEMA)
    study.write_query("articles", CLUSTER_SQL)
    study.remove_table("article_clusters")
    near, clusters = study.query(
        "SELECT count(near_duplicate_of), (SELECT count(*) FROM (SELECT cluster_id FROM articles "
        "WHERE cluster_id IS NOT NULL GROUP BY cluster_id HAVING count(*) > 1)) FROM articles").fetchone()
    return {"near_duplicates": near, "syndicated_clusters": clusters}


# Without near-duplicate clustering (or for an article nothing resembles), an article's cluster
# is its exact original's, or itself.
CLUSTER_SQL = f"""
SELECT a.* EXCLUDE (cluster_id, near_duplicate_of),
    CASE WHEN a.status IN {ARTICLES} THEN coalesce(c.cluster_id, a.duplicate_of, a.article_id) END AS cluster_id,
    c.near_duplicate_of
FROM (SELECT *, NULL::VARCHAR AS cluster_id, NULL::VARCHAR AS near_duplicate_of FROM articles) a
LEFT JOIN article_clusters c USING (article_id)
ORDER BY a.outlet, a.published, a.url
"""
