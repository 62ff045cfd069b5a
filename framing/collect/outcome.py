"""What each source found, fetched and failed: the crawl's answer to "why so few articles?"."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from framing.study.tables import HELD, LISTING_FINAL


@dataclass
class SourceOutcome:
    """One source's crawl, in numbers and in words.

    ``failed`` counts pages that did not become a capture (a redirect is not a failure: its
    target is a page of its own); ``waiting`` counts pages held for the next run (unknown
    robots rules, a spent budget); ``reasons`` are the commonest statuses of both, and
    ``problems`` name each feed or sitemap that failed.
    """

    source: str
    found: int = 0
    fetched: int = 0
    failed: int = 0
    waiting: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def source_outcomes(conn: sqlite3.Connection, top: int = 3) -> list[SourceOutcome]:
    """Per source, in the order sources first appeared in the frontier.

    Parameters
    ----------
    conn
        The study's state database, after a collect run.
    top
        How many statuses and listing problems to name per source.
    """
    outcomes: dict[str, SourceOutcome] = {}
    for source, found, fetched, waiting in conn.execute(
        "SELECT source, count(*) FILTER (WHERE kind = 'page'), count(*) FILTER (WHERE kind = 'page' AND status = "
        f"'fetched'), count(*) FILTER (WHERE kind = 'page' AND status IN ({', '.join('?' * len(HELD))})) "
        "FROM urls GROUP BY source "
        "ORDER BY min(id)", HELD,
    ):
        outcomes[source] = SourceOutcome(source, found, fetched, waiting=waiting)
    for source, status, count in conn.execute(
        "SELECT source, status, count(*) AS n FROM urls WHERE kind = 'page' "
        "AND status NOT IN ('fetched', 'queued', 'redirected') "
        "GROUP BY source, status ORDER BY source, n DESC, status"
    ):
        outcome = outcomes[source]
        if status not in HELD:
            outcome.failed += count
        if len(outcome.reasons) < top:
            outcome.reasons.append((status, count))
    for source, url, status, reason in conn.execute(
        "SELECT source, url, status, reason FROM urls WHERE kind != 'page' AND status NOT IN ('fetched', 'redirected') "
        "ORDER BY id"
    ):
        problems = outcomes[source].problems
        if len(problems) < top:
            problems.append(listing_problem(url, status, reason))
    return list(outcomes.values())


def listing_problem(url: str, status: str, reason: str | None) -> str:
    """``"feed.xml: empty body (HTTP 200), will retry"``: what went wrong with a feed or sitemap.

    Examples
    --------
    >>> listing_problem("https://example.org/news/feed.xml", "unreadable", "empty body (HTTP 200)")
    'feed.xml: empty body (HTTP 200), will retry'
    """
    name = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or urlsplit(url).netloc
    retried = status in HELD or status not in LISTING_FINAL
    what = (reason or status).split("; gave up")[0]
    return f"{name}: {what}" + (", will retry" if retried else "")
