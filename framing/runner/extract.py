"""The extract stage wired to the study folder: captures in, ``tables/articles`` out, duplicates linked."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Iterator
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
    extract_all,
    extract_article,
)
from framing.extract.near_duplicates import NearDuplicates, cluster_rows
from framing.iterate import chunks
from framing.runner.engine import Engine
from framing.study.config import Pipeline
from framing.study.keywords import keyword_pattern
from framing.study.stages import Progress
from framing.study.store import Study, write_atomically
from framing.study.tables import ARTICLES, CLUSTER_SCHEMA, RAW_ARTICLE_SCHEMA


def run_extract(spec: Pipeline, study: Study, progress: Progress, engine: Engine | None = None) -> dict[str, Any]:
    """Extract every fetched page; write the article table with each duplicate linked to its first copy.

    With ``engine: local`` the pages go through this machine's worker processes; with ``dask``,
    partitions of ``engine.partition_size`` captures are tasks on the cluster, each writing its
    rows to a file of its own that a rerun after a crash finds and keeps (see :func:`extract_partition`).
    """
    counts: dict[str, Any] = {}
    # fed as the rows arrive, so that the index is built while the workers still extract
    index = _near_duplicate_index(spec)
    with study.connect_state() as conn:
        frontier = Frontier(conn)
        total = frontier.count("status = 'fetched' AND kind = 'page'")
        if engine is None or engine.name == "local":
            rows = extract_all(iter_captures(study, frontier), spec.extract, spec.filter,
                               progress=lambda done: progress("extract", done, total),
                               max_bytes=spec.collect.max_bytes)
            study.write_rows("articles_raw", _indexed(rows, index), RAW_ARTICLE_SCHEMA)
        else:
            counts = _extract_partitions(spec, study, frontier.captures(), total, engine, progress, index)
    counts.update(write_articles(spec, study, index))
    study.remove_table("articles_raw")
    return {"captures": total, **counts}


def _near_duplicate_index(spec: Pipeline) -> NearDuplicates | None:
    options = spec.extract
    return None if options.near_duplicates is None else NearDuplicates(options.near_duplicates, options.shingle_words)


def _indexed(rows: Iterable[dict[str, Any]], index: NearDuplicates | None) -> Iterator[dict[str, Any]]:
    for row in rows:
        if index is not None:
            index.add([row])
        yield row


PARTITION_COLUMNS = ("url", "outlet", "listed_date", "archived_at", "warc_file", "warc_offset", "warc_length")


def _extract_partitions(spec: Pipeline, study: Study, captures: Iterable[Any], total: int, engine: Engine,
                        progress: Progress, index: NearDuplicates | None) -> dict[str, Any]:
    """Run extract as one task per partition; finished partitions of an interrupted run are kept.

    The captures are read from the frontier's cursor a partition at a time, as the engine takes
    tasks, so the driver never holds the list of a corpus's captures.
    """
    work = study.tables / "articles_raw.work"
    work.mkdir(exist_ok=True)
    settings = (str(study.workdir), spec.extract, spec.filter, spec.collect.max_bytes)
    outputs: list[Path] = []
    kept = {"partitions": 0, "captures": 0}

    def tasks() -> Iterator[tuple[list[dict[str, Any]], str]]:
        for chunk in chunks(captures, spec.engine.partition_size):
            part = [{k: row[k] for k in PARTITION_COLUMNS} for row in chunk]
            out = work / f"{_partition_key(part, settings)}.parquet"
            outputs.append(out)
            if out.is_file():  # finished by a run that was interrupted
                kept["partitions"] += 1
                kept["captures"] += len(part)
                _index_file(out, index)
            else:
                yield part, str(out)

    done = 0
    for out, extracted in engine.map(extract_partition, tasks(), settings):
        _index_file(Path(out), index)
        done += extracted
        progress("extract", done + kept["captures"], total)
    if outputs:
        study.install_parts("articles_raw", outputs)
    else:
        study.write_rows("articles_raw", [], RAW_ARTICLE_SCHEMA)
    shutil.rmtree(work)
    return {"engine": engine.name, "partitions": len(outputs), "partitions_reused": kept["partitions"]}


def _index_file(path: Path, index: NearDuplicates | None) -> None:
    if index is not None:
        index.add(pq.read_table(path, columns=list(NearDuplicates.COLUMNS)).to_pylist())


def extract_partition(task: tuple[list[dict[str, Any]], str], settings: tuple) -> tuple[str, int]:
    """One partition: read its captures, extract and filter each, write the rows to the task's file;
    returns the file and the number of rows.

    The file appears (by rename) only when complete, so a killed task leaves nothing and a finished
    one is never done twice. Runs on a Dask worker: needs the study folder at the same path there.
    """
    rows, out = task
    workdir, options, study_filter, max_bytes = settings
    target = Path(out)
    if target.is_file():
        return out, pq.read_metadata(target).num_rows
    topic = keyword_pattern(study_filter.keywords) if study_filter.keywords else None
    study = Study(Path(workdir))
    records = [extract_article(capture, options, study_filter, topic, max_bytes)
               for capture in captures_of(study, rows)]
    write_atomically(pa.Table.from_pylist(records, schema=RAW_ARTICLE_SCHEMA), target)
    return out, len(records)


def _partition_key(rows: list[dict[str, Any]], settings: tuple) -> str:
    """The same captures under the same settings, code and columns: the same file name."""
    _, options, study_filter, max_bytes = settings
    payload = json.dumps([[(r["url"], r["warc_file"], r["warc_offset"]) for r in rows], options.model_dump(),
                          study_filter.model_dump(mode="json"), max_bytes, EXTRACT_LOGIC, __version__,
                          RAW_ARTICLE_SCHEMA.names],
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def write_articles(spec: Pipeline, study: Study, index: NearDuplicates | None = None) -> dict[str, Any]:
    """Write ``tables/articles`` from ``articles_raw``: exact duplicates linked to their first copy,
    and (see :mod:`framing.extract.near_duplicates`) ``cluster_id`` and ``near_duplicate_of`` set.

    Parameters
    ----------
    spec, study
        The pipeline and its study folder.
    index
        The near-duplicate index already fed with every row of ``articles_raw`` (as the extract
        stage does while it writes them); None: built here from the table's signatures.

    Returns
    -------
    dict
        Articles per status, and the number of near (not exact) copies and of clusters of more
        than one article.
    """
    if index is None and (index := _near_duplicate_index(spec)) is not None:
        for batch in study.iter_batches("articles_raw", list(NearDuplicates.COLUMNS)):
            index.add(batch.to_pylist())
    # Every article is still "ok" in the index (exact copies are linked by the statement below):
    # their identical signatures put them in their original's cluster, as their duplicate_of would.
    study.write_rows("article_clusters", cluster_rows(index) if index is not None else [], CLUSTER_SCHEMA)
    study.write_query("articles", ARTICLES_SQL)
    study.remove_table("article_clusters")
    counts = study.query(
        "SELECT status, count(*), count(near_duplicate_of), (SELECT count(*) FROM (SELECT cluster_id FROM articles "
        "WHERE cluster_id IS NOT NULL GROUP BY cluster_id HAVING count(*) > 1)) FROM articles GROUP BY status"
    ).fetchall()
    return {**{status: n for status, n, _, _ in counts}, "near_duplicates": sum(near for _, _, near, _ in counts),
            "syndicated_clusters": counts[0][3] if counts else 0}


# Without near-duplicate clustering (or for an article nothing resembles), an article's cluster
# is its exact original's, or itself; an exact copy is never also a near one.
ARTICLES_SQL = f"""
SELECT a.* EXCLUDE (minhash),
    CASE WHEN a.status IN {ARTICLES} THEN coalesce(c.cluster_id, a.duplicate_of, a.article_id) END AS cluster_id,
    CASE WHEN a.status = 'ok' THEN c.near_duplicate_of END AS near_duplicate_of
FROM ({LINK_DUPLICATES_SQL}) a
LEFT JOIN article_clusters c USING (article_id)
ORDER BY a.outlet, a.published, a.url
"""
