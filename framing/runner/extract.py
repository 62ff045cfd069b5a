"""The extract stage wired to the study folder: captures in, ``tables/articles`` out, duplicates linked."""

from __future__ import annotations

from typing import Any

from framing.collect.captures import iter_captures
from framing.collect.frontier import Frontier
from framing.extract.articles import LINK_DUPLICATES_SQL, extract_all
from framing.extract.near_duplicates import NearDuplicates, cluster_rows
from framing.study.config import Pipeline
from framing.study.stages import Progress
from framing.study.store import Study
from framing.study.tables import ARTICLE_SCHEMA, ARTICLES, CLUSTER_SCHEMA


def run_extract(spec: Pipeline, study: Study, progress: Progress) -> dict[str, Any]:
    """Extract every fetched page; write the article table with each duplicate linked to its first copy."""
    with study.connect_state() as conn:
        frontier = Frontier(conn)
        total = frontier.count("status = 'fetched' AND kind = 'page'")
        rows = extract_all(iter_captures(study, frontier), spec.extract, spec.filter,
                           progress=lambda done: progress("extract", done, total), max_bytes=spec.collect.max_bytes)
        study.write_rows("articles_raw", rows, ARTICLE_SCHEMA)
    study.write_query("articles", LINK_DUPLICATES_SQL)  # exact duplicates linked
    study.remove_table("articles_raw")
    clusters = link_near_duplicates(spec, study)
    counts = dict(study.query("SELECT status, count(*) FROM articles GROUP BY status").fetchall())
    return {"captures": total, **counts, **clusters}


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
