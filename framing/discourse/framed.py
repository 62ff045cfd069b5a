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


def quote_frame_rows(quotes: list[dict[str, Any]], hits: Sequence[dict[str, Any]], frame_ids: list[str]
                     ) -> list[dict[str, Any]]:
    """One row per quote and codebook frame: the quote's hits of the frame and whether it carries it.

    Parameters
    ----------
    quotes
        One article's ``quotes`` rows (``article_id``, ``outlet``, ``quote``, ``start``, ``end``, ``actor``).
    hits
        The same article's ``frame_hits`` rows (``frame``, ``start``, ``end``, ``negated``).
    frame_ids
        The codebook's frames, in its order.

    Returns
    -------
    list of dict
        ``article_id``, ``outlet``, ``quote``, ``actor``, ``frame``, ``hits``, ``negated_hits``,
        ``present``, ``dominant`` (the frame with most hits, codebook order breaking ties) and
        ``score`` (None: the rules give no probability).
    """
    if not quotes:
        return []
    ordered = sorted(hits, key=itemgetter("start"))  # the tagger's are in text order: a quick sort
    starts = [hit["start"] for hit in ordered]
    rows: list[dict[str, Any]] = []
    for quote in quotes:
        start, end = quote["start"], quote["end"]
        counted = dict.fromkeys(frame_ids, 0)
        negated = dict.fromkeys(frame_ids, 0)
        for at in range(bisect_left(starts, start), len(ordered)):
            hit = ordered[at]
            if hit["start"] >= end:
                break
            if hit["end"] <= end and hit["frame"] in counted:
                (negated if hit["negated"] else counted)[hit["frame"]] += 1
        # max keeps the first of equals: codebook order breaks ties
        best = max(frame_ids, key=counted.__getitem__) if any(counted.values()) else None
        article_id, outlet, number, actor = quote["article_id"], quote["outlet"], quote["quote"], quote["actor"]
        rows += [{"article_id": article_id, "outlet": outlet, "quote": number, "actor": actor, "frame": frame,
                  "hits": counted[frame], "negated_hits": negated[frame], "present": counted[frame] > 0,
                  "dominant": frame == best, "score": None} for frame in frame_ids]
    return rows
