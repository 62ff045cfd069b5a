"""``framing articles``: a study's articles by outlet and status, or a keyword in context."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from framing.aggregate.queries import KwicLine, keyword_in_context, status_counts
from framing.api.common import as_pipeline
from framing.errors import FramingError
from framing.study.config import Pipeline
from framing.study.keywords import keyword_pattern
from framing.study.store import Study
from framing.study.tables import ARTICLE_STATUSES


@dataclass
class ArticlesView:
    """What ``framing articles`` shows.

    Attributes
    ----------
    table
        Where the article table is.
    counts
        ``(outlet, status, articles)`` rows, without a search.
    lines
        Keyword-in-context lines, with a search (at most ``limit``).
    """

    table: Path
    counts: list[tuple[str, str, int]] = field(default_factory=list)
    lines: list[KwicLine] = field(default_factory=list)
    search: str | None = None
    limit: int = 40


def articles(pipeline: Pipeline | str | Path, search: str | None = None, limit: int = 40,
             all_statuses: bool = False) -> ArticlesView:
    """Counts per outlet and status, or, with ``search``, keyword-in-context lines.

    Parameters
    ----------
    search
        Keywords separated by ``|``; ``*`` globs (as ``filter.keywords``).
    limit
        Most lines returned.
    all_statuses
        Search every page with text (duplicates, off-topic, ...), not only the articles counted (``ok``).
    """
    spec = as_pipeline(pipeline)
    study = Study(spec.workdir)
    if not study.has_table("articles"):
        raise FramingError(f"no articles yet in {spec.workdir}; run `framing run {spec.path or 'PIPELINE'}` first")
    view = ArticlesView(study.table("articles"), search=search, limit=limit)
    if not search:
        view.counts = status_counts(study)
        return view
    pattern = keyword_pattern([k for k in search.split("|") if k.strip()])
    statuses = tuple(ARTICLE_STATUSES) if all_statuses else ("ok",)
    view.lines = list(keyword_in_context(study, pattern, limit=limit, statuses=statuses))
    return view
