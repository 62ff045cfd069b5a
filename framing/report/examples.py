"""Example sentences behind every bar: per frame and outlet, the clearest sentences, linked."""

from __future__ import annotations

from dataclasses import dataclass

from framing.study.store import Study

EXAMPLES_SQL = """
WITH per_sentence AS (
    SELECT frame, outlet, article_id, sentence, any_value(sentence_start) AS s0, any_value(sentence_end) AS s1,
           count(*) AS n, list(struct_pack(a := start, b := "end") ORDER BY start) AS marks
    FROM frame_hits WHERE NOT negated GROUP BY ALL
),
best_sentence AS (
    SELECT *, sum(n) OVER (PARTITION BY frame, outlet, article_id) AS article_hits,
           row_number() OVER (PARTITION BY frame, outlet, article_id ORDER BY n DESC, sentence) AS r
    FROM per_sentence
),
chosen AS (
    SELECT b.*, row_number() OVER (PARTITION BY b.frame, b.outlet ORDER BY b.article_hits DESC, b.article_id) AS k
    FROM best_sentence b JOIN articles a USING (article_id)
    WHERE b.r = 1 AND a.status = 'ok'
)
SELECT c.frame, c.outlet, a.url, a.title, CAST(a.published AS VARCHAR), substr(a.text, c.s0 + 1, c.s1 - c.s0),
       c.s0, c.marks
FROM chosen c JOIN articles a USING (article_id)
WHERE c.k <= ?
ORDER BY c.frame, c.outlet, c.k
"""


@dataclass
class Example:
    frame: str
    outlet: str
    url: str
    title: str
    published: str | None
    segments: list[tuple[str, bool]]  # (text, is a matched pattern)


def highlight(sentence: str, offset: int, marks: list[dict[str, int]]) -> list[tuple[str, bool]]:
    """Split a sentence into plain and matched segments (overlapping matches merged)."""
    segments: list[tuple[str, bool]] = []
    cursor = 0
    for mark in marks:
        start, end = max(mark["a"] - offset, cursor), mark["b"] - offset
        if end <= cursor:
            continue
        if start > cursor:
            segments.append((sentence[cursor:start], False))
        segments.append((sentence[start:end], True))
        cursor = end
    if cursor < len(sentence):
        segments.append((sentence[cursor:], False))
    return segments


def example_sentences(study: Study, per_outlet: int) -> dict[str, dict[str, list[Example]]]:
    """``{frame: {outlet: [Example, ...]}}`` with up to ``per_outlet`` articles each."""
    found: dict[str, dict[str, list[Example]]] = {}
    for frame, outlet, url, title, published, sentence, s0, marks in study.query(EXAMPLES_SQL, [per_outlet]).fetchall():
        example = Example(frame, outlet, url, title or url, published, highlight(sentence, s0, marks))
        found.setdefault(frame, {}).setdefault(outlet, []).append(example)
    return found
