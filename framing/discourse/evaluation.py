"""Quote extraction scored against quotations a person marked: precision, recall, speaker accuracy.

Two kinds of marked quotations are scored the same way: passages with their quotations (the
test fixtures, :func:`score_quotes`), and a study's articles against a manifest of the
quotations each one holds (the demo corpus's ``quotes.csv``, :func:`score_study_quotes`).

A marked quotation carries ``says`` (words copied from inside it), ``speaker`` (the speaker as
the article names them in full, or the description of an unnamed source) and ``actor`` (a
codebook actor id, or none). It is *found* when an extracted quote's text holds its ``says``
words; an extracted quote is *correct* when it holds some marked quotation's words of its
article. A found quotation's speaker is *right* when the extracted name (or the name a pronoun
stands for) and the marked one share a name word (titles, articles and particles do not count:
"Dr.", "the", "von"), in Chinese when one name holds the other (中国人民大学教授王磊 holds 王磊),
or when both are linked to the same actor. The actor accuracy is counted
apart, on found quotations whose marked speaker is an actor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from framing.discourse.actors import ActorLinker
from framing.discourse.quotes import find_quotes
from framing.errors import FramingError
from framing.evaluate.scores import unit_key
from framing.scripts import HAN

# words that say nothing about who a speaker is: titles, articles, particles
_NOT_NAME_WORDS = frozenset({
    "the", "a", "an", "of", "for", "and", "in", "at", "on", "dr", "prof", "professor", "mr", "mrs", "ms", "sir",
    "herr", "frau", "der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "eines", "einem", "von", "van",
    "de", "du", "la", "le", "al"})
_WORD = re.compile(r"[^\W\d_]+")
MARK_COLUMNS = ["says", "speaker", "actor", "direct"]


@dataclass
class QuoteScores:
    """Counts of a quote evaluation, and the rates made from them."""

    expected: int = 0
    found: int = 0
    matched: int = 0          # expected quotes found (by their marked words)
    correct: int = 0          # found quotes that are expected ones
    speakers_right: int = 0   # matched quotes whose speaker is the marked one
    actors_expected: int = 0  # matched quotes whose marked speaker is a codebook actor
    actors_right: int = 0     # ... and that are linked to it
    missed: list[dict[str, Any]] = field(default_factory=list)     # marked quotations not found
    spurious: list[dict[str, Any]] = field(default_factory=list)   # extracted quotes no mark holds
    wrong_speaker: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speakers_right / self.matched if self.matched else 1.0

    @property
    def actor_accuracy(self) -> float:
        return self.actors_right / self.actors_expected if self.actors_expected else 1.0

    def add(self, other: QuoteScores) -> None:
        """Add another unit's counts and cases to these."""
        for name in ("expected", "found", "matched", "correct", "speakers_right", "actors_expected",
                     "actors_right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.missed += other.missed
        self.spurious += other.spurious
        self.wrong_speaker += other.wrong_speaker


@dataclass(frozen=True)
class Found:
    """An extracted quotation as the scoring needs it."""

    text: str
    name: str       # the speaker as resolved, else as written ("" when none)
    actor: str | None


def score_unit(found: list[Found], marked: list[dict[str, Any]]) -> QuoteScores:
    """Score one passage's or article's extracted quotations against its marked ones."""
    scores = QuoteScores(expected=len(marked), found=len(found))
    for quote in found:
        if any(_holds(quote.text, mark["says"]) for mark in marked):
            scores.correct += 1
        else:
            scores.spurious.append({"text": quote.text, "speaker": quote.name})
    for mark in marked:
        hit = next((q for q in found if _holds(q.text, mark["says"])), None)
        if hit is None:
            scores.missed.append(dict(mark))
            continue
        scores.matched += 1
        if _speaker_right(hit, mark):
            scores.speakers_right += 1
        else:
            scores.wrong_speaker.append({**mark, "found": hit.name})
        if mark.get("actor"):
            scores.actors_expected += 1
            scores.actors_right += hit.actor == mark["actor"]
    return scores


def score_quotes(passages: list[dict[str, Any]], linkers: dict[str, ActorLinker]) -> QuoteScores:
    """Score :func:`find_quotes` on passages with marked quotations.

    Parameters
    ----------
    passages
        Each with ``text``, ``language`` and ``quotes`` (marked quotations: ``says``, ``speaker``,
        ``actor``).
    linkers
        An :class:`ActorLinker` per language.
    """
    total = QuoteScores()
    for passage in passages:
        linker = linkers[passage["language"]]
        quotes = find_quotes(passage["text"], passage["language"], linker.mentions).quotes
        found = [Found(q.text, q.resolved or q.speaker or "", linker.link(q)) for q in quotes]
        total.add(score_unit(found, passage["quotes"]))
    return total


def load_marked(path: str | Path) -> pd.DataFrame:
    """A manifest of marked quotations: ``path`` or ``url`` (and optionally ``outlet``), ``says``,
    ``speaker``, ``actor``, ``direct``. A row with empty ``says`` lists an article without quotations."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    key = "url" if "url" in table.columns else "path" if "path" in table.columns else None
    missing = [c for c in MARK_COLUMNS if c not in table.columns]
    if key is None or missing:
        raise FramingError(f"{path}: a quotation manifest needs a 'url' or 'path' column and "
                           f"{', '.join(MARK_COLUMNS)}; missing: {', '.join(missing or [key or 'url/path'])}")
    return table.assign(key_kind=key, key=table[key])


def score_study_quotes(articles: Iterable[dict[str, Any]], quotes: Iterable[dict[str, Any]],
                       marked: pd.DataFrame) -> dict[str, QuoteScores]:
    """Score a study's ``quotes`` rows against a manifest, overall and per language and outlet.

    Parameters
    ----------
    articles
        The tagged articles: ``article_id``, ``url``, ``outlet``, ``language``.
    quotes
        The study's ``quotes`` rows (``article_id``, ``text``, ``speaker``, ``resolved``, ``actor``).
    marked
        From :func:`load_marked`.

    Returns
    -------
    dict of str to QuoteScores
        ``all``, then ``language:<code>`` and ``outlet:<name>``. Only articles both tagged and in
        the manifest count: an article the study never tagged (off-topic, say) has no quotes to score.
    """
    kind = marked["key_kind"].iloc[0] if len(marked) else "path"
    by_outlet = "outlet" in marked.columns
    marks: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in marked.to_dict("records"):
        unit = (row["outlet"] if by_outlet else "", row["key"])
        marks.setdefault(unit, [])
        if row["says"].strip():
            marks[unit].append({**row, "actor": row["actor"] or None})
    found: dict[str, list[Found]] = {}
    for row in quotes:
        found.setdefault(row["article_id"], []).append(
            Found(row["text"], row["resolved"] or row["speaker"] or "", row["actor"]))
    results: dict[str, QuoteScores] = {"all": QuoteScores()}
    for article in articles:
        unit = (article["outlet"] if by_outlet else "", unit_key(article["url"], kind))
        if unit not in marks:
            continue
        scores = score_unit(found.get(article["article_id"], []), marks.pop(unit))  # a copy counts once
        for case in (*scores.missed, *scores.spurious, *scores.wrong_speaker):
            case.update(outlet=article["outlet"], url=article["url"])
        for group in ("all", f"language:{article['language']}", f"outlet:{article['outlet']}"):
            results.setdefault(group, QuoteScores()).add(scores)
    return results


def _holds(text: str, words: str) -> bool:
    return " ".join(words.split()).lower() in " ".join(text.split()).lower()


def _name_words(name: str) -> set[str]:
    return {w for w in _WORD.findall(name.lower()) if w not in _NOT_NAME_WORDS and len(w) > 1}


def _speaker_right(quote: Found, mark: dict[str, Any]) -> bool:
    if mark.get("actor") and quote.actor == mark["actor"]:
        return True
    marked = str(mark.get("speaker") or "")
    if HAN.search(marked):  # Chinese names have no separate words: the marked name within the found one
        found, marked = "".join(quote.name.split()), "".join(marked.split())
        return bool(found) and (marked in found or (len(found) >= 2 and found in marked))
    return bool(_name_words(quote.name) & _name_words(marked))

