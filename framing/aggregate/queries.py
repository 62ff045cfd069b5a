"""Per-outlet counts of a study: the coverage funnel from discovered URL to article."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from framing.study.store import Study
from framing.study.tables import ARTICLES, HELD, NOT_FAILED

FUNNEL_SQL = """
WITH pages AS (SELECT * FROM urls WHERE kind = 'page'),
set_aside AS (  -- pages, not records: an archive may hold a URL twice, or a later import take it in
    SELECT outlet, count(DISTINCT url) AS n FROM {set_aside} WHERE url NOT IN (SELECT url FROM urls) GROUP BY outlet
),
url_counts AS (
    SELECT outlet,
        count(*) FILTER (WHERE redirect_hops = 0) AS discovered,
        count(*) FILTER (WHERE status = 'fetched') AS fetched,
        count(*) FILTER (WHERE status = 'robots-disallowed') AS robots_disallowed,
        count(*) FILTER (WHERE status = 'redirected') AS redirected,
        count(*) FILTER (WHERE status IN {waiting}) AS not_fetched,
        count(*) FILTER (WHERE status = 'prefiltered') AS prefiltered
    FROM pages GROUP BY outlet
),
failures AS (
    SELECT outlet, string_agg(status || ' ' || n, ', ' ORDER BY status) AS failed_by_reason, sum(n) AS failed
    FROM (SELECT outlet, status, count(*) AS n FROM pages WHERE status NOT IN {not_failed} GROUP BY ALL)
    GROUP BY outlet
),
article_counts AS (
    SELECT outlet,
        count(*) FILTER (WHERE status = 'ok') AS articles,
        count(*) FILTER (WHERE status = 'duplicate') AS duplicates,
        count(*) FILTER (WHERE status NOT IN {in_scope}) AS excluded
    FROM {articles} GROUP BY outlet
)
SELECT outlet, coalesce(u.discovered, 0) + coalesce(s.n, 0), coalesce(u.fetched, 0),
       coalesce(u.robots_disallowed, 0), coalesce(u.redirected, 0), coalesce(f.failed, 0) AS failed,
       coalesce(f.failed_by_reason, '') AS failed_by_reason, coalesce(u.not_fetched, 0),
       coalesce(a.articles, 0), coalesce(a.duplicates, 0), coalesce(a.excluded, 0), '',
       coalesce(u.prefiltered, 0) + coalesce(s.n, 0)
FROM url_counts u
FULL JOIN set_aside s USING (outlet)
LEFT JOIN failures f USING (outlet)
LEFT JOIN article_counts a USING (outlet)
ORDER BY outlet
"""


@dataclass
class FunnelRow:
    outlet: str
    discovered: int
    fetched: int
    robots_disallowed: int
    redirected: int
    failed: int
    failed_by_reason: str
    not_fetched: int
    articles: int
    duplicates: int
    excluded: int
    excluded_by_status: str
    prefiltered: int = 0  # WARC records set aside before extraction (no keyword in the page); in discovered


def funnel(study: Study) -> list[FunnelRow]:
    """One row per outlet: URLs discovered, fetched, disallowed, failed by reason, articles, duplicates."""
    if not study.has_table("urls"):
        return []
    has_articles = study.has_table("articles")
    articles = "articles" if has_articles else "(SELECT ''::VARCHAR AS outlet, ''::VARCHAR AS status WHERE false)"
    # WARC records set aside at import are counted from their own table; a study from before it
    # has them as URL rows (status prefiltered), counted there
    set_aside = "prefiltered" if study.table_files("prefiltered") else \
        "(SELECT ''::VARCHAR AS outlet, ''::VARCHAR AS url WHERE false)"
    sql = FUNNEL_SQL.format(not_failed=NOT_FAILED, waiting=("queued", *HELD), articles=articles, in_scope=ARTICLES,
                            set_aside=set_aside)
    rows = study.query(sql).fetchall()
    out = [FunnelRow(*row) for row in rows]
    if has_articles:
        detail = dict(study.query(
            "SELECT outlet, string_agg(status || ' ' || n, ', ' ORDER BY status) FROM "
            f"(SELECT outlet, status, count(*) n FROM articles WHERE status NOT IN {ARTICLES} GROUP BY ALL)"
            " GROUP BY outlet").fetchall())
        for row in out:
            row.excluded_by_status = detail.get(row.outlet, "")
    return out


def status_counts(study: Study) -> list[tuple[str, str, int]]:
    """``(outlet, status, n)`` for every article row."""
    return study.query("SELECT outlet, status, count(*) FROM articles GROUP BY ALL ORDER BY 1, 2").fetchall()


@dataclass
class KwicLine:
    outlet: str
    published: str | None
    url: str
    left: str
    match: str
    right: str


def keyword_in_context(study: Study, pattern: re.Pattern[str], width: int = 60, limit: int = 50,
                       statuses: tuple[str, ...] = ("ok",)) -> Iterator[KwicLine]:
    """Keyword-in-context lines over article texts, streamed from DuckDB in batches."""
    marks = ", ".join("?" for _ in statuses)
    cursor = study.query(
        f"SELECT outlet, CAST(published AS VARCHAR), url, text FROM articles WHERE status IN ({marks})"
        " ORDER BY outlet, published", list(statuses))
    shown = 0
    while batch := cursor.fetchmany(500):
        for outlet, published, url, text in batch:
            for match in pattern.finditer(text or ""):
                left = " ".join(text[max(0, match.start() - width):match.start()].split())
                right = " ".join(text[match.end():match.end() + width].split())
                yield KwicLine(outlet, published, url, left[-width:], match.group(0), right[:width])
                shown += 1
                if shown >= limit:
                    return


def story_key(study: Study) -> str:
    """SQL for an article's story: its ``cluster_id``, or, in an article table written before
    near-duplicate clusters (or by hand), its exact original's id or its own."""
    if "cluster_id" in study.columns("articles"):
        return "cluster_id"
    return "coalesce(duplicate_of, article_id)"
