"""The codebook rule tagger: dictionary patterns matched on spaCy tokens, with evidence.

Speed comes from matching word *types*, not tokens. The first time a type (spaCy's orth hash)
is met, its lower-case form is compared with every pattern word once (globs included) and the
result is stored as one integer *code* in a fixed-size array indexed by the hash's low bits.
A document is then one ``to_array`` and one array lookup; only the few tokens whose code can
start a pattern are looked at in Python (phrases, NEAR/n), and negation and character
offsets only for hits.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.attrs import ORTH
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

from framing.codebook import Codebook
from framing.nlp import new_pipeline, pipeline_for
from framing.patterns import Pattern, Word, parse_word

# A type's code: bit 0 = sentence mark ('.', '!', ...), bit 1 = punctuation, bit 2 = can start a
# phrase pattern, bit 3 = can be a side of a NEAR pattern; the rest = the id of the set of
# pattern words the type matches (0: none).
_MARK, _PUNCT, _PHRASE, _NEAR, _SHIFT = 1, 2, 4, 8, 4
CACHE_BITS = 18  # 2**18 places for types (4 MiB), whatever the corpus vocabulary
# spaCy keeps every word type it has tokenized (about 0.5 KiB each: lexeme, strings, maps) for
# as long as the pipeline lives; past this many, a matcher tokenizes with a new pipeline
VOCAB_LIMIT = 200_000


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


class _WordIndex:
    """Which pattern words a lower-case type matches, found by dictionary lookups of its prefixes
    and suffixes rather than by testing every pattern word (it runs once per new type, and an
    open vocabulary keeps bringing new ones)."""

    def __init__(self, words: list[tuple[Word, bool]]):
        self.exact: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        self.suffix: dict[str, list[int]] = {}
        self.infix: list[tuple[str, int]] = []
        for i, (word, compounds) in enumerate(words):
            leading = word.leading or (compounds and len(word.text) >= 4)  # as in Word.matches
            if leading and word.trailing:
                self.infix.append((word.text, i))
            else:
                table = self.suffix if leading else self.prefix if word.trailing else self.exact
                table.setdefault(word.text, []).append(i)

    def matching(self, token: str) -> frozenset[int]:
        """The ids of the words ``w`` with ``w.matches(token, compounds)``."""
        found: set[int] = set()
        for part in [token, *(p for p in token.split("-") if p)] if "-" in token else [token]:
            found.update(self.exact.get(part, ()))
            for k in range(1, len(part) + 1):
                found.update(self.prefix.get(part[:k], ()))
                found.update(self.suffix.get(part[-k:], ()))
            found.update(i for text, i in self.infix if text in part)
        # built in ascending order, so equal sets iterate alike and hits keep a fixed order
        return frozenset(sorted(found))


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
        ``parse`` swaps the pipeline for a new one when its vocabulary has grown past this many
        word types, so memory stays bounded on an open vocabulary. Tokens and results are the
        same either way.
    """

    def __init__(self, codebook: Codebook, language: str, cache_bits: int = CACHE_BITS,
                 vocab_limit: int = VOCAB_LIMIT):
        self.language = language
        self.vocab_limit = vocab_limit
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
        self._near_first = {c.first[0] for c in self.near} | {c.second[0] for c in self.near}
        self._index = _WordIndex(self.words)
        self._marks = frozenset(Sentencizer.default_punct_chars)
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
        # the type cache: per place, an orth hash (0, the empty string's, marks a free place) and
        # its code, in two flat arrays (numpy gathers from 1-d arrays several times faster than
        # rows of a 2-d one)
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
            self._set_codes.append(len(self._sets) << _SHIFT | (_PHRASE if starters else 0)
                                   | (_NEAR if near_words else 0))
            self._sets.append(words)
            self._starters.append(starters)
            self._near_words.append(near_words)
            self._negating.append(bool(words & self.negators))
        return self._set_ids[words]

    def parse(self, text: str) -> Doc:
        """Tokenize ``text`` (spaCy's ``make_doc``), on a new pipeline once the vocabulary is full."""
        if len(self.nlp.vocab) > self.vocab_limit:
            self.nlp = new_pipeline(self.language)
        return self.nlp.make_doc(text)

    def _type_code(self, vocab: Vocab, orth: int) -> int:
        lexeme = vocab[orth]
        flags = (_MARK if lexeme.orth_ in self._marks else 0) | (_PUNCT if lexeme.is_punct else 0)
        return self._set_codes[self._set_id(self._index.matching(lexeme.lower_))] | flags

    def codes(self, doc: Doc) -> np.ndarray:
        """Each token's type code: sentence mark, punctuation, candidate flags, matched words.

        A type sits in one of two places, given by two bit ranges of its orth hash; nearly all
        are in their first, so a lookup is one array read per token. A type met for the first
        time, or whose places others took since, is compared with the patterns again and takes
        its first place if free, else its second.
        """
        orths = doc.to_array(ORTH)  # uint64, one per token
        places = (orths & self._mask).view(np.intp)
        codes = self._codes.take(places)
        missing = np.flatnonzero(self._keys.take(places) != orths)
        if len(missing):
            codes[missing] = self._second_chance(orths[missing], doc.vocab)
        return codes

    def _second_chance(self, orths: np.ndarray, vocab: Vocab) -> list[int]:
        """Codes of types not in their first place: in their second, or else learned now. A
        loop, not array operations: after the first few documents only a handful are missing."""
        keys, codes, mask = self._keys, self._codes, int(self._mask)
        learned: dict[int, int] = {}  # a type is learned once per document, even if it lost its place again
        found = []
        for orth in orths.tolist():
            second = (orth >> 32) & mask
            if keys[second] == orth:
                found.append(int(codes[second]))
            elif orth in learned:
                found.append(learned[orth])
            else:
                code = learned[orth] = self._type_code(vocab, orth)
                place = orth & mask if keys[orth & mask] == 0 else second
                keys[place], codes[place] = orth, code
                found.append(code)
        return found

    def sentence_starts(self, doc: Doc) -> list[int]:
        """Sentence starts by the rule of spaCy's Sentencizer, computed on arrays.

        A sentence starts at a token that is neither punctuation nor a sentence mark, when a
        sentence mark ('.', '!', '?', ...) stands between it and the previous such token. The
        Sentencizer itself walks Token objects one by one, which cost more than tokenizing.
        """
        return _sentence_starts(self.codes(doc))

    def match(self, doc: Doc, text: str | None = None) -> list[Hit]:
        """Every hit in a document (negated ones flagged), in text order.

        Pass the document's ``text`` when you have it: ``doc.text`` rebuilds it from every token.
        """
        return self.analyse(doc, text)[0]

    def analyse(self, doc: Doc, text: str | None = None) -> tuple[list[Hit], int]:
        """The document's hits, as ``match`` gives them, and its number of sentences."""
        codes = self.codes(doc)
        starts = _sentence_starts(codes)
        phrase_starts = np.flatnonzero(codes & _PHRASE)
        near_words = np.flatnonzero(codes & _NEAR)
        if not len(phrase_starts) and not len(near_words):
            return [], len(starts)
        ids = (codes >> _SHIFT).tolist()
        ids.append(0)  # the empty set after the last token: no phrase runs past the end
        spans = self._phrase_spans(phrase_starts.tolist(), ids)
        if len(near_words):
            sentences = np.searchsorted(starts, near_words, side="right")
            spans += self._near_spans(dict(zip(near_words.tolist(), sentences.tolist(), strict=True)), ids)
        spans.sort(key=lambda s: (s[0], s[1]))
        text = doc.text if text is None else text
        return self._hits(doc, text, spans, starts, ids), len(starts)

    def _phrase_spans(self, candidates: list[int], ids: list[int]) -> list[tuple[int, int, _Compiled]]:
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

    def _near_spans(self, sentence_of: dict[int, int], ids: list[int]) -> list[tuple[int, int, _Compiled]]:
        """NEAR matches; ``sentence_of`` maps the tokens that hold a NEAR side to their sentence."""
        by_word: dict[int, list[int]] = {}
        for i in sentence_of:
            for word in self._near_words[ids[i]]:
                by_word.setdefault(word, []).append(i)
        spans = []
        for compiled in self.near:
            if compiled.first[0] in by_word and compiled.second[0] in by_word:
                spans += _near(compiled, by_word, ids, self._sets, sentence_of)
        return spans

    def _hits(self, doc: Doc, text: str, spans: list[tuple[int, int, _Compiled]], starts: list[int],
              ids: list[int]) -> list[Hit]:
        """Spans (in text order) -> Hits with sentence, character offsets and negation."""
        hits = []
        bounds: dict[int, tuple[int, int]] = {}  # sentence -> its first and last character, spaces stripped
        for start, end, compiled in spans:
            sentence = bisect_right(starts, start) - 1
            if sentence not in bounds:
                after = starts[sentence + 1] if sentence + 1 < len(starts) else len(doc)
                first, last = doc[starts[sentence]].idx, doc[after - 1].idx + len(doc[after - 1])  # len: no str made
                words = text[first:last]
                bounds[sentence] = (first + len(words) - len(words.lstrip()),  # spaCy keeps runs of spaces as tokens
                                    last - len(words) + len(words.rstrip()))
            negators = [j for j in range(max(starts[sentence], start - self.window), start) if self._negating[ids[j]]]
            last_token = doc[end - 1]
            hits.append(Hit(compiled.frame, compiled.pattern.source, sentence, doc[start].idx,
                            last_token.idx + len(last_token), *bounds[sentence], bool(negators),
                            doc[negators[-1]].text if negators else None))
        return hits


def _sentence_starts(codes: np.ndarray) -> list[int]:
    words = np.flatnonzero((codes & (_MARK | _PUNCT)) == 0)
    if len(words) < 2:
        return [0]
    marks_before = np.cumsum(codes & _MARK)[words]  # a word is no mark: the marks before it
    return [0, *words[1:][marks_before[1:] > marks_before[:-1]].tolist()]


def _continues(words: tuple[int, ...], i: int, ids: list[int], sets: list[frozenset[int]]) -> bool:
    """Whether the phrase ``words``, its first word matched at token ``i``, goes on to its end
    (``ids`` ends with the empty set, so a phrase cannot run past the last token)."""
    return i + len(words) <= len(ids) and all(words[k] in sets[ids[i + k]] for k in range(1, len(words)))


def _near(compiled: _Compiled, by_word: dict[int, list[int]], ids: list[int], sets: list[frozenset[int]],
          sentence_of: dict[int, int]) -> list[tuple[int, int, _Compiled]]:
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
        return self.matcher(language).parse(text)

    def hits(self, text: str, language: str) -> list[Hit]:
        return self.matcher(language).match(self.parse(text, language), text)

    def tag_article(self, article: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """One article -> (hit rows, one row per frame with counts, presence and dominance)."""
        matcher = self.matcher(article["language"] or self.codebook.languages[0])
        text = article["text"] or ""
        doc = matcher.parse(text)
        hits, n_sentences = matcher.analyse(doc, text)
        n_sentences = max(1, n_sentences)
        key = {"article_id": article["article_id"], "outlet": article["outlet"]}
        hit_rows = [{**key, **h.__dict__} for h in hits]
        counted = Counter(h.frame for h in hits if not h.negated)
        negated = Counter(h.frame for h in hits if h.negated)
        sentences: dict[str, set[int]] = {}
        for h in hits:
            if not h.negated:
                sentences.setdefault(h.frame, set()).add(h.sentence)
        frame_rows = []
        for frame in self.codebook.frame_ids:
            n_hit = len(sentences.get(frame, ()))
            frame_rows.append({**key, "published": article.get("published"), "frame": frame, "hits": counted[frame],
                               "negated_hits": negated[frame], "sentences_hit": n_hit, "n_sentences": n_sentences,
                               "sentence_share": n_hit / n_sentences, "present": counted[frame] >= self.min_hits,
                               "dominant": False})
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
