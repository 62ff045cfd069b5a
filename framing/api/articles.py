"""``framing articles``: a study's articles by outlet and status, a keyword in context, or a term's collocates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from framing.aggregate.collocates import ORDERS, count_collocates, node_words, score_collocates, stop_words
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


@dataclass
class CollocatesView:
    """What ``framing articles --collocates`` shows.

    Attributes
    ----------
    table
        Collocates, strongest first (at most ``limit`` rows; all with ``limit=None``), with the
        columns of :func:`framing.aggregate.collocates.score_collocates`.
    term
        The term as given; ``node`` is what was matched (its words, lower-cased).
    occurrences, articles, articles_with_term
        Occurrences of the term, articles read, articles where it occurs.
    tokens, window_tokens
        Tokens of the articles read (the term's own excepted), and those within a window of it.
    listed
        Collocates passing ``min_count`` and the stop list, before ``limit``.
    languages
        The languages of the articles read (their stop words were left out unless ``keep_stopwords``).
    """

    source: Path
    term: str
    node: tuple[str, ...]
    window: int
    min_count: int
    by: str
    table: pd.DataFrame
    occurrences: int
    articles: int
    articles_with_term: int
    tokens: int
    window_tokens: int
    listed: int
    statuses: tuple[str, ...]
    outlet: str | None = None
    language: str | None = None
    languages: list[str] = field(default_factory=list)
    keep_stopwords: bool = False


def collocates(pipeline: Pipeline | str | Path, term: str, window: int = 5, min_count: int = 3,
               by: Literal["ll", "pmi"] = "ll", limit: int | None = 40, outlet: str | None = None,
               language: str | None = None, keep_stopwords: bool = False,
               all_statuses: bool = False) -> CollocatesView:
    """The words that co-occur with ``term`` within ``window`` tokens, by log-likelihood (G2) or PMI.

    One table over every matching article: mixing languages mixes their words, so ``language``
    narrows it (a German term finds German collocates anyway). How tokens, windows, the 2x2 table,
    G2 and PMI are counted: :mod:`framing.aggregate.collocates`.

    Parameters
    ----------
    term
        One or more words matched as a phrase ("social credit"); ``*`` globs letters in a word
        ("sozialkredit*"). Case does not matter.
    window
        Tokens on each side of an occurrence.
    min_count
        Fewest co-occurrences a collocate needs to be listed.
    by
        ``ll`` (G2) or ``pmi``.
    limit
        Most collocates returned; ``None``: all.
    outlet, language
        Only the articles of this outlet, of this language (exact values of the article table).
    keep_stopwords
        List function words too. By default spaCy's stop words of the articles' languages are left
        out of the list (not out of the counts): otherwise "the", "of", "die" top it.
    all_statuses
        Read every page with text (duplicates, off-topic, ...), not only the articles counted (``ok``),
        whose words would otherwise count once per copy.

    Raises
    ------
    FramingError
        No article table, a bad option, or an outlet or language no article has.
    """
    if by not in ORDERS:
        raise FramingError(f"collocates are sorted by ll or pmi, not {by!r}")
    if window < 1 or min_count < 1:
        raise FramingError(f"the window and the minimum count are at least 1 (got {window} and {min_count})")
    try:
        node = node_words(term)
    except ValueError as exc:
        raise FramingError(str(exc)) from None
    spec = as_pipeline(pipeline)
    study = Study(spec.workdir)
    if not study.has_table("articles"):
        raise FramingError(f"no articles yet in {spec.workdir}; run `framing run {spec.path or 'PIPELINE'}` first")
    statuses = tuple(ARTICLE_STATUSES) if all_statuses else ("ok",)
    outlets: set[str] = set()
    languages: set[str] = set()
    read_languages: set[str] = set()

    def texts() -> Iterator[tuple[str | None, str | None]]:
        # streamed batch by batch, as the aggregate stage reads them: only counts are kept
        for batch in study.iter_batches("articles", ["outlet", "language", "text", "status"]):
            for row in batch.to_pylist():
                if row["status"] not in statuses:
                    continue
                outlets.add(row["outlet"])
                languages.add(row["language"] or "")
                if (outlet is None or row["outlet"] == outlet) and (language is None or row["language"] == language):
                    read_languages.add(row["language"] or "")
                    yield row["text"], row["language"]

    counts = count_collocates(texts(), term, window)
    if outlet is not None and outlet not in outlets:
        raise FramingError(f"no article of outlet {outlet!r}; outlets: {', '.join(sorted(outlets)) or 'none'}")
    if language is not None and language not in languages:
        raise FramingError(f"no article in language {language!r}; languages: "
                           f"{', '.join(sorted(x for x in languages if x)) or 'none'}")
    exclude = frozenset() if keep_stopwords else stop_words(read_languages)
    table = score_collocates(counts, min_count=min_count, by=by, exclude=exclude)
    return CollocatesView(
        study.table("articles"), term, node, window, min_count, by,
        table if limit is None else table.head(limit).reset_index(drop=True),
        counts.occurrences, counts.texts, counts.texts_with_node, counts.tokens, counts.window_tokens, len(table),
        statuses, outlet, language, sorted(x for x in read_languages if x), keep_stopwords)
