"""The codebook rule tagger: dictionary patterns matched on spaCy tokens, with evidence.

Speed comes from matching word *types*, not tokens: the first time a word type is seen, it is
checked against every pattern word once (globs included) and the result is cached by spaCy's
hash of its lower-case form. A document is then a lookup per token, and only tokens that
match something are looked at further (phrases, NEAR/n, negation).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.attrs import IS_PUNCT, LOWER, ORTH
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from framing.codebook import Codebook
from framing.nlp import pipeline_for
from framing.patterns import Pattern, Word, parse_word


@dataclass
class Hit:
    """One pattern match; ``start``/``end`` are character offsets into the text."""

    frame: str
    pattern: str
    sentence: int
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    negated: bool
    negated_by: str | None = None  # the negator word, when negated


@dataclass
class _Compiled:
    frame: str
    pattern: Pattern
    first: tuple[int, ...]
    second: tuple[int, ...]


class LanguageMatcher:
    """All patterns of one language, compiled against the vocabulary as it is met."""

    def __init__(self, codebook: Codebook, language: str):
        self.nlp = pipeline_for(language)
        self.compounds = language in codebook.compounds
        self.window = codebook.negation_window
        self.words: list[tuple[Word, bool]] = []  # (word, compound matching allowed)
        ids: dict[tuple[Word, bool], int] = {}

        def word_id(word: Word, compounds: bool) -> int:
            return ids.setdefault((word, compounds), len(ids))

        self.patterns = [
            _Compiled(frame, p, tuple(word_id(w, self.compounds) for w in self._as_tokens(p.first)),
                      tuple(word_id(w, self.compounds) for w in self._as_tokens(p.second)))
            for frame, p in codebook.patterns(language)
        ]
        self.negators = {word_id(parse_word(n), False) for n in codebook.negators.get(language, [])}
        self.words = [key for key, _ in sorted(ids.items(), key=lambda kv: kv[1])]
        self.by_first: dict[int, list[_Compiled]] = {}
        for compiled in self.patterns:
            if compiled.pattern.near is None:
                self.by_first.setdefault(compiled.first[0], []).append(compiled)
        self.near = [c for c in self.patterns if c.pattern.near is not None]
        self._slots: dict[int, frozenset[int]] = {}  # lower-case hash -> matching word ids (non-empty only)
        self._seen: set[int] = set()
        self._keys = np.zeros(0, dtype=np.uint64)
        strings = self.nlp.vocab.strings
        self._sentence_marks = np.unique(np.array([strings.add(c) for c in Sentencizer.default_punct_chars],
                                                  dtype=np.uint64))

    def sentence_starts(self, doc: Doc) -> list[int]:
        """Sentence starts by the rule of spaCy's Sentencizer, computed on arrays.

        A sentence starts at a token that is neither punctuation nor a sentence mark, when a
        sentence mark ('.', '!', '?', ...) stands between it and the previous such token. The
        Sentencizer itself walks Token objects one by one, which cost more than tokenizing.
        """
        if len(doc) == 0:
            return [0]
        arrays = doc.to_array([ORTH, IS_PUNCT])
        marks = _member(arrays[:, 0], self._sentence_marks)
        words = np.flatnonzero(~marks & (arrays[:, 1] == 0))
        seen = np.cumsum(marks)
        starts = words[1:][seen[words[1:] - 1] - seen[words[:-1]] > 0] if len(words) > 1 else words[:0]
        return [0, *starts.tolist()]

    def _as_tokens(self, words: tuple[Word, ...]) -> tuple[Word, ...]:
        """Split hyphenated pattern words where this language's tokenizer splits them
        (English: "well-being" is three tokens; German keeps "SCHUFA-Score" as one)."""
        out: list[Word] = []
        for word in words:
            pieces = [t.text.lower() for t in self.nlp.make_doc(word.text)] if "-" in word.text else [word.text]
            if len(pieces) == 1:
                out.append(word)
                continue
            out += [Word(piece, word.leading and n == 0, word.trailing and n == len(pieces) - 1)
                    for n, piece in enumerate(pieces)]
        return tuple(out)

    def _learn(self, hashes: Iterable[int]) -> None:
        strings = self.nlp.vocab.strings
        added = False
        for h in hashes:
            text = strings[h]
            slots = frozenset(i for i, (word, compounds) in enumerate(self.words) if word.matches(text, compounds))
            if slots:
                self._slots[h] = slots
                added = True
        self._seen.update(hashes)
        if added:
            self._keys = np.sort(np.fromiter(self._slots.keys(), dtype=np.uint64, count=len(self._slots)))

    def match(self, doc: Doc, text: str | None = None) -> list[Hit]:
        """Every hit in a document (negated ones flagged), in text order.

        Pass the document's ``text`` when you have it: ``doc.text`` rebuilds it from every token.
        """
        text = doc.text if text is None else text
        lowers = doc.to_array(LOWER)
        unseen = set(lowers.tolist()) - self._seen
        if unseen:
            self._learn(unseen)
        positions = np.flatnonzero(_member(lowers, self._keys)).tolist()
        if not positions:
            return []
        slots = {i: self._slots[int(lowers[i])] for i in positions}
        starts = self.sentence_starts(doc)
        spans: list[tuple[int, int, _Compiled]] = []
        for i in positions:
            for word in slots[i]:
                for compiled in self.by_first.get(word, ()):
                    if _continues(compiled.first, i, slots):
                        spans.append((i, i + len(compiled.first), compiled))
        if self.near:
            by_word: dict[int, list[int]] = {}
            for i in positions:
                for word in slots[i]:
                    by_word.setdefault(word, []).append(i)
            for compiled in self.near:
                spans += _near_spans(compiled, by_word, slots, starts)
        return [self._hit(doc, text, start, end, compiled, starts, slots) for start, end, compiled in sorted(
            spans, key=lambda s: (s[0], s[1]))]

    def _hit(self, doc: Doc, text: str, start: int, end: int, compiled: _Compiled, starts: list[int],
             slots: dict[int, frozenset[int]]) -> Hit:
        sentence = bisect_right(starts, start) - 1
        sent_start = starts[sentence]
        sent_end = starts[sentence + 1] if sentence + 1 < len(starts) else len(doc)
        negators = [j for j in range(max(sent_start, start - self.window), start)
                    if slots.get(j, frozenset()) & self.negators]
        last = doc[end - 1]
        sent_last = doc[sent_end - 1]
        first_char, last_char = doc[sent_start].idx, sent_last.idx + len(sent_last.text)
        sentence_text = text[first_char:last_char]
        first_char += len(sentence_text) - len(sentence_text.lstrip())  # spaCy keeps runs of spaces as tokens
        last_char -= len(sentence_text) - len(sentence_text.rstrip())
        return Hit(compiled.frame, compiled.pattern.source, sentence, doc[start].idx, last.idx + len(last.text),
                   first_char, last_char, bool(negators), doc[negators[-1]].text if negators else None)


def _member(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """``np.isin`` for a small sorted key array, by binary search (no sorting of ``values``)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(values), dtype=bool)
    index = np.searchsorted(sorted_keys, values).clip(max=len(sorted_keys) - 1)
    return sorted_keys[index] == values


def _continues(words: tuple[int, ...], i: int, slots: dict[int, frozenset[int]]) -> bool:
    return all(words[k] in slots.get(i + k, ()) for k in range(1, len(words)))


def _occurrences(words: tuple[int, ...], by_word: dict[int, list[int]], slots: dict[int, frozenset[int]]
                 ) -> list[int]:
    return [i for i in by_word.get(words[0], ()) if _continues(words, i, slots)]


def _near_spans(compiled: _Compiled, by_word: dict[int, list[int]], slots: dict[int, frozenset[int]],
                starts: list[int]) -> list[tuple[int, int, _Compiled]]:
    """Each occurrence of the first side paired with the nearest second side in its sentence."""
    seconds = _occurrences(compiled.second, by_word, slots)
    if not seconds:
        return []
    spans = []
    for a in _occurrences(compiled.first, by_word, slots):
        sentence = bisect_right(starts, a)
        near = [b for b in seconds if bisect_right(starts, b) == sentence and 0 < abs(b - a) <= compiled.pattern.near]
        if near:
            b = min(near, key=lambda b: abs(b - a))
            start, end = min(a, b), max(a + len(compiled.first), b + len(compiled.second))
            spans.append((start, end, compiled))
    return spans


class RuleTagger:
    """Tag texts with a codebook's patterns.

    Parameters
    ----------
    codebook
        A loaded Codebook.
    min_hits
        An article carries a frame when at least this many non-negated hits are found.

    Examples
    --------
    >>> from framing.codebook import load_codebook
    >>> tagger = RuleTagger(load_codebook("social-credit"))
    >>> [h.frame for h in tagger.hits("Critics call it an Orwellian nightmare.", "en") if not h.negated]
    ['surveillance']
    """

    def __init__(self, codebook: Codebook, min_hits: int = 1):
        self.codebook = codebook
        self.min_hits = min_hits
        self._matchers: dict[str, LanguageMatcher] = {}

    def matcher(self, language: str) -> LanguageMatcher:
        if language not in self._matchers:
            known = language if language in self.codebook.languages else self.codebook.languages[0]
            self._matchers[language] = LanguageMatcher(self.codebook, known)
        return self._matchers[language]

    def parse(self, text: str, language: str) -> Doc:
        return self.matcher(language).nlp.make_doc(text)

    def hits(self, text: str, language: str) -> list[Hit]:
        return self.matcher(language).match(self.parse(text, language), text)

    def tag_article(self, article: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """One article -> (hit rows, one row per frame with counts, presence and dominance)."""
        matcher = self.matcher(article["language"] or self.codebook.languages[0])
        text = article["text"] or ""
        doc = matcher.nlp.make_doc(text)
        hits = matcher.match(doc, text)
        n_sentences = max(1, len(matcher.sentence_starts(doc)))
        key = {"article_id": article["article_id"], "outlet": article["outlet"]}
        hit_rows = [{**key, **h.__dict__} for h in hits]
        frame_rows = []
        for frame in self.codebook.frame_ids:
            counted = [h for h in hits if h.frame == frame and not h.negated]
            sentences = {h.sentence for h in counted}
            frame_rows.append({**key, "published": article.get("published"), "frame": frame, "hits": len(counted),
                               "negated_hits": sum(h.frame == frame and h.negated for h in hits),
                               "sentences_hit": len(sentences), "n_sentences": n_sentences,
                               "sentence_share": len(sentences) / n_sentences,
                               "present": len(counted) >= self.min_hits, "dominant": False})
        _mark_dominant(frame_rows)
        return hit_rows, frame_rows

    def tag_all(self, articles: Iterable[dict[str, Any]]) -> Iterator[tuple[list[dict], list[dict]]]:
        for article in articles:
            yield self.tag_article(article)


def _mark_dominant(rows: list[dict[str, Any]]) -> None:
    """The dominant frame: most hits among present frames, then widest sentence share, then codebook order."""
    present = [r for r in rows if r["present"]]
    if present:
        best = max(present, key=lambda r: (r["hits"], r["sentence_share"], -rows.index(r)))
        best["dominant"] = True
