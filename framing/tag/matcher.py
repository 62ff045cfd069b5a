"""Matching a codebook's patterns in one language: spaCy tokens in, hits with evidence out.

Speed comes from matching word *types*, not tokens. The first time a type (spaCy's orth hash)
is met, its lower-case form is compared with every pattern word once (globs included) and the
result is stored as one integer *code* in a fixed-size array indexed by bits of the hash.
Documents are tagged in batches: their tokens' codes, sentence starts and the few tokens where
a pattern can begin are found with a handful of array operations for the whole batch; only
those tokens are looked at in Python (phrases, NEAR/n), and negation and character offsets
only for hits.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

import numpy as np
from spacy.attrs import ORTH
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

from framing.study.codebook import Codebook
from framing.study.patterns import Pattern, Word, WordIndex, parse_word
from framing.tag import watch
from framing.tag.nlp import VOCAB_LIMIT, opens_quote, pipeline_for

# A type's code: bit 0 = sentence mark ('.', '!', ...), bit 1 = a word (neither punctuation nor
# a mark), bit 2 = a one-word pattern starts with it, bit 3 = a longer phrase pattern does,
# bit 4 = a NEAR side does, bits 5-9 = what it holds of the watched words (framing.tag.watch); the
# rest = the id of the set of pattern words it matches (0: none).
_MARK, _WORD, _PHRASE1, _PHRASE2, _NEAR, _WATCHED, _SHIFT = 1, 2, 4, 8, 16, 5, 5 + watch.BITS
# the same as numpy scalars: an operation with a Python int costs numpy a type promotion
_U_MARK, _U_WORD, _U_PHRASE1, _U_PHRASE2, _U_NEAR, _U_WATCHED, _U_WATCH_MASK, _U_SHIFT, _U_MATCH = (
    np.uint64(n) for n in (_MARK, _WORD, _PHRASE1, _PHRASE2, _NEAR, _WATCHED, (1 << watch.BITS) - 1, _SHIFT,
                           1 << _SHIFT))
# a batch puts one token of orth 0 (the empty string's, never a real token's) after each
# document: its code is 0, so no phrase runs on into the next document
_SEPARATOR = np.zeros(1, dtype=np.uint64)
CACHE_BITS = 18  # 2**18 places for types (4 MiB), whatever the corpus vocabulary
BATCH = 64  # documents tagged together: array operations cost per call, not per token

Span = tuple[int, int, "_Compiled"]  # first token, token after the last, pattern


class Hit(NamedTuple):
    """One pattern match; ``start``/``end`` are character offsets into the text.

    A named tuple: immutable, and it unpacks like the plain tuples the tagger built before.
    Building one costs about 0.5 microseconds, some 0.05 s per 100,000 hits.
    """

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
    """All patterns of one language, compiled against the vocabulary as it is met.

    Parameters
    ----------
    codebook
        The codebook whose patterns and negators are matched.
    language
        One of the codebook's languages.
    cache_bits
        The type cache has ``2**cache_bits`` places, a fixed size whatever the vocabulary; a type
        that lost its place is compared with the patterns again. Results never depend on it,
        only speed.
    vocab_limit
        ``parse_many`` asks ``nlp.pipeline_for`` for the language's shared pipeline with this
        limit, and gets a new one once the vocabulary has grown past this many word types, so
        memory stays bounded on an open vocabulary. Matchers of one language share the pipeline,
        so the smallest limit among them decides. Tokens and results are the same either way.
    watch_words
        Literal beginnings of words a later stage looks for in the same texts
        (:mod:`framing.discourse`: actors' names and speech cues; see :mod:`framing.tag.watch`).
        ``evidence`` then also reports the tokens where one may begin, from the type codes it
        looks up anyway, so that stage need not scan every text again.
    """

    def __init__(self, codebook: Codebook, language: str, cache_bits: int = CACHE_BITS,
                 vocab_limit: int = VOCAB_LIMIT, watch_words: Iterable[str] = ()):
        self.language = language
        self.vocab_limit = vocab_limit
        self.nlp = pipeline_for(language, vocab_limit)
        watch_words = list(watch_words)  # the tokenizer's special cases are read only when something is watched
        splits = watch.split_heads(self.nlp.tokenizer.rules) if watch_words else None
        self.watch = watch.WatchedWords(watch_words, splits)
        self.compounds = language in codebook.compounds
        self.window = codebook.negation_window
        ids: dict[tuple[Word, bool], int] = {}

        def word_id(word: Word, compounds: bool) -> int:
            return ids.setdefault((word, compounds), len(ids))

        self.patterns = [
            _Compiled(frame, p, tuple(word_id(w, self.compounds) for w in self._as_tokens(p.first)),
                      tuple(word_id(w, self.compounds) for w in self._as_tokens(p.second)))
            for frame, p in codebook.patterns(language)
        ]
        self.negators = {word_id(parse_word(n), False) for n in codebook.negators.get(language, [])}
        self.words: list[tuple[Word, bool]] = list(ids)  # (word, compound matching allowed), by id
        self.by_first: dict[int, list[_Compiled]] = {}
        for compiled in self.patterns:
            if compiled.pattern.near is None:
                self.by_first.setdefault(compiled.first[0], []).append(compiled)
        self.near = [c for c in self.patterns if c.pattern.near is not None]
        self._reach = max((c.pattern.near or 0 for c in self.near), default=0)
        self._near_by_first: dict[int, list[int]] = {}  # first word of a NEAR pattern -> its indexes in near
        for n, compiled in enumerate(self.near):
            self._near_by_first.setdefault(compiled.first[0], []).append(n)
        self._near_first = {c.first[0] for c in self.near} | {c.second[0] for c in self.near}
        self._index = WordIndex(self.words)
        self._marks = frozenset(Sentencizer.default_punct_chars)
        self._init_cache(cache_bits)

    def _init_cache(self, cache_bits: int) -> None:
        # per set of matched words (its id is in the type codes): the set, its code bits, the
        # phrase patterns that can start there, its NEAR words, whether it holds a negator
        self._sets: list[frozenset[int]] = []
        self._set_ids: dict[frozenset[int], int] = {}
        self._set_codes: list[int] = []
        self._starters: list[tuple[_Compiled, ...]] = []
        self._near_words: list[tuple[int, ...]] = []
        self._negating: list[bool] = []
        # (set at a token, set at the next token) -> the phrase patterns whose first two words match
        self._pairs: dict[tuple[int, int], tuple[_Compiled, ...]] = {}
        self._set_id(frozenset())
        # the type cache: per place, an orth hash (0 marks a free place; place 0 is never used,
        # so that the separator's orth 0 finds code 0 there) and its code, in two flat arrays
        # (numpy gathers from 1-d arrays several times faster than rows of a 2-d one)
        self._mask = np.uint64((1 << cache_bits) - 1)
        self._keys = np.zeros(1 << cache_bits, dtype=np.uint64)
        self._codes = np.zeros(1 << cache_bits, dtype=np.uint64)

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

    def _set_id(self, words: frozenset[int]) -> int:
        if words not in self._set_ids:
            starters = tuple(c for w in words for c in self.by_first.get(w, ()))
            near_words = tuple(w for w in words if w in self._near_first)
            self._set_ids[words] = len(self._sets)
            self._set_codes.append(len(self._sets) << _SHIFT | (_NEAR if near_words else 0)
                                   | (_PHRASE1 if any(len(c.first) == 1 for c in starters) else 0)
                                   | (_PHRASE2 if any(len(c.first) > 1 for c in starters) else 0))
            self._sets.append(words)
            self._starters.append(starters)
            self._near_words.append(near_words)
            self._negating.append(bool(words & self.negators))
        return self._set_ids[words]

    def parse(self, text: str) -> Doc:
        """Tokenize ``text`` (spaCy's ``make_doc``)."""
        return self.parse_many([text])[0]

    def parse_many(self, texts: list[str]) -> list[Doc]:
        """Tokenize texts (``make_doc``) with one pipeline: a new one first, if the vocabulary is full.

        Parameters
        ----------
        texts
            The texts of one batch.

        Returns
        -------
        list of Doc
            One per text, all sharing one vocabulary, as ``evidence`` needs.
        """
        self.nlp = pipeline_for(self.language, self.vocab_limit)  # the shared one, renewed when full
        return [self.nlp.make_doc(text) for text in texts]

    def _type_code(self, vocab: Vocab, orth: int) -> int:
        lexeme = vocab[orth]
        # a line break ends a sentence too: a headline is not one sentence with the lead
        mark = lexeme.orth_ in self._marks or (lexeme.is_space and "\n" in lexeme.orth_)
        flags = _MARK if mark else 0 if lexeme.is_punct or lexeme.is_space else _WORD
        if self.watch:
            flags |= self.watch.bits(lexeme.lower_) << _WATCHED
        return self._set_codes[self._set_id(self._index.matching(lexeme.lower_))] | flags

    def _lookup(self, orths: np.ndarray, vocab: Vocab) -> np.ndarray:
        """Each token's type code. A type sits in one of two places, given by two bit ranges
        of its orth hash; nearly all are in their first, so a lookup is one array read per
        token."""
        places = (orths & self._mask).view(np.intp)
        codes = self._codes.take(places)
        missing = (self._keys.take(places) != orths).nonzero()[0]
        if len(missing):
            codes[missing] = self._second_chance(orths[missing], vocab)
        return codes

    def _second_chance(self, orths: np.ndarray, vocab: Vocab) -> list[int]:
        """Codes of types not in their first place: in their second, or else learned now (and
        put in the first place if free, else the second). A loop, not array operations: after
        the first few documents a batch misses a handful."""
        keys, codes, mask = self._keys, self._codes, int(self._mask)
        learned: dict[int, int] = {}  # a type is learned once per batch, even if it lost its place again
        found = []
        for orth in orths.tolist():
            second = (orth >> 32) & mask
            if keys[second] == orth:
                found.append(int(codes[second]))
            elif orth in learned:
                found.append(learned[orth])
            else:
                code = learned[orth] = self._type_code(vocab, orth)
                place = orth & mask if orth & mask and not keys[orth & mask] else second
                if place:
                    keys[place], codes[place] = orth, code
                found.append(code)
        return found

    def sentence_starts(self, doc: Doc) -> list[int]:
        """Sentence starts by the rule of spaCy's Sentencizer, computed on arrays.

        A sentence starts at a token that is neither punctuation, white space nor a sentence mark, when a
        sentence mark ('.', '!', '?', ...) or a line break stands between it and the previous
        such token. The Sentencizer itself walks Token objects one by one, which cost more than
        tokenizing. (Hits' sentence offsets also give an opening quote mark to the sentence it
        opens, as ``framing.tag.nlp`` does.)
        """
        orths = np.concatenate([doc.to_array(ORTH), _SEPARATOR])
        return _sentence_starts(self._lookup(orths, doc.vocab), [0, len(orths)])[0]

    def match(self, doc: Doc, text: str | None = None) -> list[Hit]:
        """Every hit in a document (negated ones flagged), in text order.

        Pass the document's ``text`` when you have it: ``doc.text`` rebuilds it from every token.
        """
        return self.analyse(doc, text)[0]

    def analyse(self, doc: Doc, text: str | None = None) -> tuple[list[Hit], int]:
        """The document's hits, as ``match`` gives them, and its number of sentences."""
        return self.evidence([doc], [doc.text if text is None else text])[0]

    def evidence(self, docs: list[Doc], texts: list[str], places: list[list[tuple[int, int]]] | None = None
                 ) -> list[tuple[list[Hit], int]]:
        """Hits and sentence counts for a batch of documents, with array work done once per batch.

        Token positions are counted across the batch (documents one after the other, each
        followed by a separator token); only tokens where a pattern can begin reach Python.

        Parameters
        ----------
        docs
            Documents from ``parse_many`` (one vocabulary).
        texts
            Their texts (``doc.text`` would rebuild each from its tokens).
        places
            Given, one list per document is appended to it: the (character offset, length) of
            each token where a ``watch`` word may begin, in text order.

        Returns
        -------
        list of (list of Hit, int)
            Per document: its hits in text order and its number of sentences.
        """
        if not docs:
            return []
        arrays = [doc.to_array(ORTH) for doc in docs]
        offsets = list(accumulate((len(a) + 1 for a in arrays), initial=0))
        codes = self._lookup(np.concatenate([part for a in arrays for part in (a, _SEPARATOR)]), docs[0].vocab)
        starts = _sentence_starts(codes, offsets)
        phrase = (codes & _U_PHRASE1).astype(bool)  # a one-word pattern starts here
        # or a longer phrase does, and the next token matches a pattern word too
        phrase[:-1] |= (codes[:-1] & _U_PHRASE2).astype(bool) & (codes[1:] >= _U_MATCH)
        near = (codes & _U_NEAR).nonzero()[0]
        if len(near) > 1:  # a side pairs only with another within reach, and then so is its neighbour here
            close = (near[1:] - near[:-1]) <= self._reach
            keep = np.zeros(len(near), dtype=bool)
            keep[1:] = close
            keep[:-1] |= close
            near = near[keep]
        ids = (codes >> _U_SHIFT).tolist()  # per token, its set of pattern words
        if places is not None:
            def glued(positions: np.ndarray) -> np.ndarray:
                at = np.searchsorted(offsets, positions, side="right") - 1  # each position's document
                return np.array([not docs[k][i - offsets[k]].whitespace_
                                 for k, i in zip(at.tolist(), positions.tolist(), strict=True)], dtype=bool)

            found = watch.watched_tokens((codes >> _U_WATCHED) & _U_WATCH_MASK, glued)
            for k, watched in enumerate(_split(found, offsets)):
                doc, offset = docs[k], offsets[k]
                places.append([(token.idx, len(token)) for token in (doc[i - offset] for i in watched)])
        results = []
        for k, (phrase_starts, near_words) in enumerate(zip(_split(phrase.nonzero()[0], offsets),
                                                            _split(near, offsets), strict=True)):
            if not phrase_starts and len(near_words) < 2:
                results.append(([], len(starts[k])))
                continue
            spans = self._phrase_spans(phrase_starts, ids)
            if len(near_words) > 1:
                spans += self._near_spans({i: bisect_right(starts[k], i) for i in near_words}, ids)
            spans.sort(key=lambda s: (s[0], s[1]))
            results.append((self._hits(docs[k], texts[k], offsets[k], spans, starts[k], ids), len(starts[k])))
        return results

    def _phrase_spans(self, candidates: list[int], ids: list[int]) -> list[Span]:
        spans = []
        for i in candidates:
            pair = (ids[i], ids[i + 1])
            matched = self._pairs.get(pair)
            if matched is None:
                matched = self._pairs[pair] = tuple(
                    c for c in self._starters[pair[0]] if len(c.first) == 1 or c.first[1] in self._sets[pair[1]])
            for compiled in matched:
                if len(compiled.first) <= 2 or _continues(compiled.first, i, ids, self._sets):
                    spans.append((i, i + len(compiled.first), compiled))
        return spans

    def _near_spans(self, sentence_of: dict[int, int], ids: list[int]) -> list[Span]:
        """NEAR matches; ``sentence_of`` maps the tokens that hold a NEAR side to their sentence."""
        by_word: dict[int, list[int]] = {}
        for i in sentence_of:
            for word in self._near_words[ids[i]]:
                by_word.setdefault(word, []).append(i)
        # the patterns with both sides present, in codebook order (hits with equal spans keep it)
        active = sorted(n for word in by_word for n in self._near_by_first.get(word, ())
                        if self.near[n].second[0] in by_word)
        spans = []
        for n in active:
            spans += _near(self.near[n], by_word, ids, self._sets, sentence_of)
        return spans

    def _hits(self, doc: Doc, text: str, offset: int, spans: list[Span], starts: list[int],
              ids: list[int]) -> list[Hit]:
        """Spans (in text order) -> hits: sentence, character offsets, negation. Positions
        are the batch's; the document's tokens start at ``offset``."""
        hits = []
        for start, end, compiled in spans:
            sentence = bisect_right(starts, start) - 1
            after = starts[sentence + 1] if sentence + 1 < len(starts) else offset + len(doc)
            first, last = _sentence_tokens(doc, starts[sentence] - offset, after - offset)
            first, last = doc[first].idx, doc[last]
            last = last.idx + len(last)  # len(token): no string made
            words = text[first:last]
            negators = [j for j in range(max(starts[sentence], start - self.window), start) if self._negating[ids[j]]]
            last_token = doc[end - 1 - offset]
            hits.append(Hit(compiled.frame, compiled.pattern.source, sentence, doc[start - offset].idx,
                            last_token.idx + len(last_token),
                            first + len(words) - len(words.lstrip()),  # spaCy keeps runs of spaces as tokens
                            last - len(words) + len(words.rstrip()), bool(negators),
                            doc[negators[-1] - offset].text if negators else None))
        return hits


def _sentence_tokens(doc: Doc, start: int, after: int) -> tuple[int, int]:
    """First and last token of a sentence, an opening quote mark moved to the sentence it opens."""
    if start > 0 and opens_quote(doc, start - 1):
        start -= 1
    last = after - 1
    if after < len(doc) and last > start and opens_quote(doc, last):
        last -= 1
    return start, last


def _split(positions: np.ndarray, offsets: list[int]) -> list[list[int]]:
    """Sorted batch positions -> one list per document (documents begin at ``offsets``)."""
    cuts = positions.searchsorted(offsets).tolist()
    flat = positions.tolist()
    return [flat[cuts[k]:cuts[k + 1]] for k in range(len(offsets) - 1)]


def _sentence_starts(codes: np.ndarray, offsets: list[int]) -> list[list[int]]:
    """Per document, its sentence starts as batch positions, the first at its own start."""
    words = (codes & _U_WORD).nonzero()[0]
    marks_before = (codes & _U_MARK).cumsum().take(words)  # a word is no mark: the marks before it
    found = words[1:][marks_before[1:] > marks_before[:-1]]
    if len(offsets) > 2 and len(found):  # a document's first word never counts: its start does
        first_words = words.searchsorted(offsets[1:-1])
        opening = np.zeros(len(codes), dtype=bool)
        opening[words.take(first_words[first_words < len(words)])] = True
        found = found[~opening.take(found)]
    return [[offsets[k], *starts] for k, starts in enumerate(_split(found, offsets))]


def sentence_starts_of(marks: np.ndarray, words: np.ndarray, offsets: list[int]) -> list[list[int]]:
    """Per document, its sentence starts by the Sentencizer's rule, from a batch's tokens.

    The rule's one home for every matcher (:mod:`framing.tag.characters` too).

    Parameters
    ----------
    marks, words
        Per token of the batch (documents one after the other, each followed by one separator
        token that is neither): whether it is a sentence mark (or a line break), whether a word
        (neither punctuation, white space nor a mark).
    offsets
        Where each document begins in the batch, and the batch's length last.

    Returns
    -------
    list of list of int
        Per document, its sentence starts as batch positions, the first at its own start.
    """
    return _sentence_starts(marks.astype(np.uint64) * _U_MARK | words.astype(np.uint64) * _U_WORD, offsets)


def _continues(words: tuple[int, ...], i: int, ids: list[int], sets: list[frozenset[int]]) -> bool:
    """Whether the phrase ``words``, its first word matched at token ``i``, goes on to its end
    (a separator, of the empty set, follows every document)."""
    return all(words[k] in sets[ids[i + k]] for k in range(1, len(words)))


def _near(compiled: _Compiled, by_word: dict[int, list[int]], ids: list[int], sets: list[frozenset[int]],
          sentence_of: dict[int, int]) -> list[Span]:
    """Each occurrence of the first side paired with the nearest second side in its sentence
    (the earlier one on a tie)."""
    first, second, distance = compiled.first, compiled.second, compiled.pattern.near or 0
    seconds = [i for i in by_word[second[0]] if len(second) == 1 or _continues(second, i, ids, sets)]
    spans = []
    for a in by_word[first[0]]:
        best = None
        for b in seconds[bisect_left(seconds, a - distance):]:  # ascending: stop past the window
            if b > a + distance:
                break
            if b != a and sentence_of[b] == sentence_of[a] and (best is None or abs(b - a) < abs(best - a)):
                best = b
        if best is not None and (len(first) == 1 or _continues(first, a, ids, sets)):
            spans.append((min(a, best), max(a + len(first), best + len(second)), compiled))
    return spans
