"""The frames a quotation carries, by the rule tagger's hits inside it.

A quote is a span of its article, so the article's hits (found once, with the article's
sentences and negation around them) tell which frames the quoted words use: a hit counts for a
quote when it lies wholly inside the quote's offsets. A quote carries a frame with one
non-negated hit. The article threshold ``tag.min_hits`` is not applied: it weighs a whole
article, and a quote is a sentence or a few.

With ``tag.method: classifier`` or ``ensemble`` the tag stage hands these rows to the model
(:meth:`framing.classify.machine.MachineTagger.relabel`) with each quote's text as the text, as
it does for articles; the rows here are then the rule side of the ensemble.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from framing.study.tables import QUOTE_FRAME_SCHEMA

QUOTE_FRAME_COLUMNS = tuple(QUOTE_FRAME_SCHEMA.names)


def quote_frame_columns(quotes: list[dict[str, Any]], hits: Sequence[dict[str, Any]], frame_ids: list[str],
                        columns: dict[str, list[Any]] | None = None) -> dict[str, list[Any]]:
    """One entry per quote and codebook frame, in columns: the quote's hits of the frame and whether it carries it.

    Columns, not dict rows: a quote gives a row per frame, and the tag stage writes them as a
    table (``pyarrow.Table.from_pydict``), which takes lists at a fraction of what rows cost to
    build and convert.

    Parameters
    ----------
    quotes
        One article's ``quotes`` rows (``article_id``, ``outlet``, ``quote``, ``start``, ``end``, ``actor``).
    hits
        The same article's ``frame_hits`` rows (``frame``, ``start``, ``end``, ``negated``).
    frame_ids
        The codebook's frames, in its order.
    columns
        Lists to append to (another article's, say); None: new ones.

    Returns
    -------
    dict of list
        ``article_id``, ``outlet``, ``quote``, ``actor``, ``frame``, ``hits``, ``negated_hits``,
        ``present``, ``dominant`` (the frame with most hits, codebook order breaking ties) and
        ``score`` (None: the rules give no probability): :data:`QUOTE_FRAME_COLUMNS`.
    """
    if columns is None:
        columns = {name: [] for name in QUOTE_FRAME_COLUMNS}
    if not quotes:
        return columns
    ordered = sorted(hits, key=itemgetter("start"))  # the tagger's are in text order: a quick sort
    starts = [hit["start"] for hit in ordered]
    index = {frame: k for k, frame in enumerate(frame_ids)}
    per_quote = len(frame_ids)
    for quote in quotes:
        start, end = quote["start"], quote["end"]
        counts, negated = [0] * per_quote, [0] * per_quote
        for at in range(bisect_left(starts, start), len(ordered)):
            hit = ordered[at]
            if hit["start"] >= end:
                break
            if hit["end"] <= end and (k := index.get(hit["frame"])) is not None:
                (negated if hit["negated"] else counts)[k] += 1
        dominant = [False] * per_quote
        if most := max(counts, default=0):
            dominant[counts.index(most)] = True  # the first of equals: codebook order breaks ties
        for name in ("article_id", "outlet", "quote", "actor"):
            columns[name] += [quote[name]] * per_quote
        columns["frame"] += frame_ids
        columns["hits"] += counts
        columns["negated_hits"] += negated
        columns["present"] += map(bool, counts)
        columns["dominant"] += dominant
        columns["score"] += [None] * per_quote
    return columns


def column_rows(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The entries of :func:`quote_frame_columns` as dict rows (for a model to relabel in place)."""
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
