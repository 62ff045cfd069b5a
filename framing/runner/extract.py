"""The extract stage wired to the study folder: captures in, ``tables/articles`` out, duplicates linked."""

from __future__ import annotations

from typing import Any

from framing.collect.captures import iter_captures
from framing.collect.frontier import Frontier
from framing.extract.articles import LINK_DUPLICATES_SQL, extract_all
from framing.study.config import Pipeline
from framing.study.stages import Progress
from framing.study.store import Study
from framing.study.tables import ARTICLE_SCHEMA


def run_extract(spec: Pipeline, study: Study, progress: Progress) -> dict[str, Any]:
    """Extract every fetched page; write the article table with each duplicate linked to its first copy."""
    with study.connect_state() as conn:
        frontier = Frontier(conn)
        total = frontier.count("status = 'fetched' AND kind = 'page'")
        rows = extract_all(iter_captures(study, frontier), spec.extract, spec.filter,
                           progress=lambda done: progress("extract", done, total), max_bytes=spec.collect.max_bytes)
        study.write_rows("articles_raw", rows, ARTICLE_SCHEMA)
    study.write_query("articles", LINK_DUPLICATES_SQL)  # duplicates linked
    study.remove_table("articles_raw")
    counts = dict(study.query("SELECT status, count(*) FROM articles GROUP BY status").fetchall())
    return {"captures": total, **counts}
