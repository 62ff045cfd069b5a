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
from collections import Counter
from collections.abc import Sequence
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
    ordered = sorted(hits, key=lambda h: h["start"])
    starts = [h["start"] for h in ordered]
    rows = []
    for quote in quotes:
        counted: Counter[str] = Counter()
        negated: Counter[str] = Counter()
        for hit in ordered[bisect_left(starts, quote["start"]):]:
            if hit["start"] >= quote["end"]:
                break
            if hit["end"] <= quote["end"]:
                (negated if hit["negated"] else counted)[hit["frame"]] += 1
        best = max(frame_ids, key=lambda f: (counted[f], -frame_ids.index(f))) if counted else None
        key = {name: quote[name] for name in ("article_id", "outlet", "quote", "actor")}
        rows += [{**key, "frame": frame, "hits": counted[frame], "negated_hits": negated[frame],
                  "present": counted[frame] > 0, "dominant": frame == best, "score": None}
                 for frame in frame_ids]
    return rows
