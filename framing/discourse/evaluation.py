"""Quote extraction scored against quotations a person marked: precision, recall, speaker accuracy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from framing.discourse.actors import ActorLinker
from framing.discourse.quotes import Quote, find_quotes


@dataclass(frozen=True)
class QuoteScores:
    expected: int
    found: int
    matched: int          # expected quotes found (by their marked words)
    correct: int          # found quotes that are expected ones
    speakers_right: int   # matched quotes whose speaker (actor, else name) is the marked one

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speakers_right / self.matched if self.matched else 1.0


def score_quotes(passages: list[dict[str, Any]], linkers: dict[str, ActorLinker]) -> QuoteScores:
    """Score :func:`find_quotes` on passages with marked quotations.

    Parameters
    ----------
    passages
        Each with ``text``, ``language`` and ``quotes``: ``says`` (words from inside the quotation),
        ``speaker`` (the named speaker, a pronoun's antecedent) and ``actor`` (an actor id or None).
    linkers
        An :class:`ActorLinker` per language.

    Notes
    -----
    A marked quotation is found when an extracted quote's text holds its ``says`` words; an
    extracted quote is correct when it holds some marked quotation's words. The speaker is right
    when the linked actor is the marked one, or, for a speaker who is no actor, when the
    extracted name (or the name a pronoun stands for) and the marked one share a word.
    """
    expected = found = matched = correct = right = 0
    for passage in passages:
        linker = linkers[passage["language"]]
        quotes = find_quotes(passage["text"], passage["language"], linker.mentions).quotes
        marked = passage["quotes"]
        expected += len(marked)
        found += len(quotes)
        correct += sum(any(_holds(q, m["says"]) for m in marked) for q in quotes)
        for mark in marked:
            hit = next((q for q in quotes if _holds(q, mark["says"])), None)
            if hit is None:
                continue
            matched += 1
            right += _speaker_right(hit, mark, linker)
    return QuoteScores(expected, found, matched, correct, right)


def _holds(quote: Quote, words: str) -> bool:
    return " ".join(words.split()).lower() in " ".join(quote.text.split()).lower()


def _speaker_right(quote: Quote, mark: dict[str, Any], linker: ActorLinker) -> bool:
    if mark.get("actor"):
        return linker.link(quote) == mark["actor"]
    named = quote.resolved or quote.speaker or ""
    return bool({w.lower() for w in named.split()} & {w.lower() for w in str(mark.get("speaker") or "").split()})
