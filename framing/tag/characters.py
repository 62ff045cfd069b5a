"""Matching a codebook's patterns in a language written without spaces (Chinese): on characters.

Chinese puts no spaces between words, so where a word ends is the segmenter's guess, and guesses
differ: jieba gives 大|数据 and 失信|被执行人, pkuseg 大数据 and 失信|被|执行人. A pattern
is therefore looked for in the text's characters, and the segmenter's tokens serve only to
judge a match's edges, to find negators and to find sentences:

- A pattern matches inside a word (失信 in 失信被执行人, as ``überwach*`` finds
  "Videoüberwachungsstaat" in German) and across words (大数据 in 大|数据), unless the match
  cuts into words on both of its sides: then its characters belong to other words (天网 is
  found in 天网 and 天网工程, not in 今天|网上, "online today").
- A pattern that begins or ends with a letter or digit of a spaced script (FICO, AI) needs a
  word boundary there, as in English ("ai" is not found in "Taiwan"); ``*`` on that side lifts
  it and the hit runs to the end of the word. On a Chinese character ``*`` changes nothing. The
  words of a phrase are joined without a space between Chinese characters and with one between
  Latin words.
- ``NEAR/n``: both sides in one sentence, at most n characters between them.
- Negation: a negator is a whole token (不 and 不是 negate; 不断 "continuously", 不少 "quite a
  few" and 不仅 "not only" are words of their own and do not), and it negates a match that
  begins at most ``negation_characters`` after it, in the same sentence and clause (no ， ；
  ： 、 between them). A one-character negator (不, 没, 未, 无, 非) is bound to the verb right
  after it and reaches half as far: 并不存在欺诈 ("there is no fraud") is negated, the 老赖 of
  欠钱不还的债务人称为老赖 ("debtors who do not pay back are called laolai") is not; a word
  negator (不是, 并非, 没有) denies a whole phrase: 并不是一个奥威尔式的监控国家.

Characters, not tokens, measure both distances, so hits do not depend on where the segmenter
puts word boundaries, and the patterns need no ``*`` to find compounds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

import numpy as np
from spacy.attrs import IDX, LENGTH, ORTH
from spacy.tokens import Doc
from spacy.vocab import Vocab

from framing.study.codebook import Codebook
from framing.study.patterns import Pattern, Word, parse_word
from framing.tag.matcher import Hit, sentence_starts_of
from framing.tag.nlp import VOCAB_LIMIT, ZH_OPENING, ZH_SENTENCE_MARKS, pipeline_for

# a token type's flags
_MARK, _WORD, _NEGATOR, _CLAUSE, _OPENING, _SPACE = 1, 2, 4, 8, 16, 32
# marks that end a clause inside a sentence: negation does not reach across them
_CLAUSE_MARKS = frozenset("，,；;：:、")
# full-width Latin letters and digits (ＦＩＣＯ, ２０２０) read as their ASCII forms, one character for one
_FULL_WIDTH = {**{0xFF10 + n: ord("0") + n for n in range(10)},
               **{0xFF21 + n: ord("a") + n for n in range(26)}, **{0xFF41 + n: ord("a") + n for n in range(26)}}
_ANY_FULL_WIDTH = re.compile("[０-９Ａ-Ｚａ-ｚ]")  # translate() costs more than looking first
_TYPE_CACHE_LIMIT = 1 << 18  # type flags kept, whatever the corpus vocabulary; past it the cache starts again


def is_han(char: str) -> bool:
    """Whether ``char`` is a Chinese character (a CJK unified or compatibility ideograph)."""
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x3134F)


def _spaced(char: str) -> bool:
    """A letter or digit of a script that separates its words (Latin, Cyrillic, ...): one that
    continues a word written beside it."""
    return char.isalnum() and not is_han(char)


def fold(text: str) -> str:
    """``text`` lower-cased and with full-width letters and digits made ASCII, one character for one,
    so that offsets into the result are offsets into ``text``."""
    low = text.lower()
    if len(low) != len(text):  # "İ" lower-cases to two characters: keep such characters as they are
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.translate(_FULL_WIDTH) if _ANY_FULL_WIDTH.search(low) else low


@dataclass(frozen=True)
class Needle:
    """The characters of one phrase (a pattern, or one side of a NEAR pattern) and its edges.

    ``open_left``/``open_right``: no word boundary is needed on that side (a Chinese character,
    or a ``*``); ``grow_left``/``grow_right``: a ``*`` on a Latin edge, the hit runs to the end
    of the word.
    """

    text: str
    open_left: bool
    open_right: bool
    grow_left: bool
    grow_right: bool

    @classmethod
    def of(cls, words: tuple[Word, ...]) -> Needle:
        """The needle of a phrase's words."""
        text = fold(words[0].text)
        for word in words[1:]:
            piece = fold(word.text)
            text += ("" if is_han(text[-1]) or is_han(piece[0]) else " ") + piece
        first, last = words[0], words[-1]
        han_left, han_right = not _spaced(text[0]), not _spaced(text[-1])
        return cls(text, han_left or first.leading, han_right or last.trailing,
                   first.leading and not han_left, last.trailing and not han_right)

    def find(self, low: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each occurrence in the folded text ``low``, left to right, not overlapping."""
        size, end_of_text = len(self.text), len(low)
        at = low.find(self.text)
        while at >= 0:
            start, end = at, at + size
            if ((self.open_left or not start or not _spaced(low[start - 1]))
                    and (self.open_right or end == end_of_text or not _spaced(low[end]))):
                while self.grow_left and start and _spaced(low[start - 1]):
                    start -= 1
                while self.grow_right and end < end_of_text and _spaced(low[end]):
                    end += 1
                yield start, end
                at = low.find(self.text, end)
            else:
                at = low.find(self.text, at + 1)


@dataclass
class _Compiled:
    frame: str
    pattern: Pattern
    first: int  # needle numbers
    second: int | None


class _Tokens:
    """One document's tokens as the matcher needs them: where each begins and ends, its flags, and
    its sentences (token positions of their starts, and character offsets of those starts)."""

    def __init__(self, doc: Doc, flags: list[int], starts: list[int]):
        table = doc.to_array([IDX, LENGTH])
        self.doc = doc
        self.begins: list[int] = table[:, 0].tolist()
        self.ends: list[int] = (table[:, 0] + table[:, 1]).tolist()
        self.flags = flags
        self.starts = starts
        self.start_chars = [self.begins[i] for i in starts] if len(doc) else [0]
        self.negators = [i for i, f in enumerate(flags) if f & _NEGATOR]
        self.negator_ends = [self.ends[i] for i in self.negators]
        self.clauses = [self.begins[i] for i, f in enumerate(flags) if f & _CLAUSE]

    def token_at(self, char: int) -> int:
        return bisect_right(self.begins, char) - 1

    def whole(self, start: int, end: int) -> bool:
        """Whether a match keeps to the segmenter's words: inside one token, or beginning or ending
        where a token does (it cuts into words on at most one side)."""
        if not self.begins:
            return True
        first, last = self.token_at(start), self.token_at(end - 1)
        return first == last or self.begins[first] == start or self.ends[last] == end

    def sentence_of(self, char: int) -> int:
        return max(0, bisect_right(self.start_chars, char) - 1)

    def sentence_span(self, sentence: int, text: str) -> tuple[int, int]:
        """Character offsets of a sentence: opening marks before its first word go with it, those
        at its end with the next one, white space at either end left out."""
        floor = self.starts[sentence - 1] + 1 if sentence else 0
        first = self.starts[sentence]
        while first > floor and self.flags[first - 1] & _OPENING:
            first -= 1
        last = (self.starts[sentence + 1] if sentence + 1 < len(self.starts) else len(self.flags)) - 1
        while last > first and self.flags[last] & (_OPENING | _SPACE):
            last -= 1
        begin, end = self.begins[first], self.ends[last]
        words = text[begin:end]
        return begin + len(words) - len(words.lstrip()), end - len(words) + len(words.rstrip())

    def negator_before(self, start: int, sentence: int, window: int) -> int | None:
        """The token of the closest negator that reaches ``start``: in its sentence and clause, ending
        at most ``window`` characters before it (half as far for a one-character negator); None if
        there is none."""
        clause = bisect_right(self.clauses, start - 1) - 1  # the last clause mark before the match
        floor = max(self.start_chars[sentence], self.clauses[clause] + 1 if clause >= 0 else 0)
        k = bisect_right(self.negator_ends, start) - 1
        while k >= 0 and start - self.negator_ends[k] <= window:
            token = self.negators[k]
            if self.begins[token] < floor:
                return None
            if start - self.negator_ends[k] <= (window if self.ends[token] - self.begins[token] > 1 else window // 2):
                return token
            k -= 1
        return None


class CharacterMatcher:
    """All patterns of one unspaced language (Chinese), matched on characters (see the module).

    It answers as :class:`framing.tag.matcher.LanguageMatcher` does: ``parse_many`` tokenizes,
    ``evidence`` gives each document's hits and number of sentences.

    Parameters
    ----------
    codebook
        The codebook whose patterns and negators are matched.
    language
        One of the codebook's languages, written without spaces (``framing.tag.nlp.UNSPACED``).
    vocab_limit
        As for ``LanguageMatcher``: the shared pipeline is renewed once its vocabulary holds more
        word types than this. Results never depend on it.
    """

    def __init__(self, codebook: Codebook, language: str, vocab_limit: int = VOCAB_LIMIT):
        self.language = language
        self.vocab_limit = vocab_limit
        self.nlp = pipeline_for(language, vocab_limit)
        self.window = codebook.negation_characters
        numbers: dict[Needle, int] = {}  # a phrase used by several patterns is looked for once

        def number(words: tuple[Word, ...]) -> int:
            return numbers.setdefault(Needle.of(words), len(numbers))

        self.patterns = [_Compiled(frame, p, number(p.first), number(p.second) if p.near else None)
                         for frame, p in codebook.patterns(language)]
        self.needles = list(numbers)
        self.negators = [parse_word(n) for n in codebook.negators.get(language, [])]
        self._types: dict[int, int] = {}

    def parse(self, text: str) -> Doc:
        """Tokenize ``text`` (spaCy's ``make_doc``)."""
        return self.parse_many([text])[0]

    def parse_many(self, texts: list[str]) -> list[Doc]:
        """Tokenize texts with one pipeline (a new one first, if the vocabulary is full)."""
        self.nlp = pipeline_for(self.language, self.vocab_limit)
        return [self.nlp.make_doc(text) for text in texts]

    def sentence_starts(self, doc: Doc) -> list[int]:
        """Token positions where the document's sentences start (the Sentencizer's rule with the
        Chinese marks; an opening mark before a start is the pipeline's business, not counted here)."""
        return self._tokens([doc])[0].starts

    def match(self, doc: Doc, text: str | None = None) -> list[Hit]:
        """Every hit in a document (negated ones flagged), in text order."""
        return self.analyse(doc, text)[0]

    def analyse(self, doc: Doc, text: str | None = None) -> tuple[list[Hit], int]:
        """The document's hits, as ``match`` gives them, and its number of sentences."""
        return self.evidence([doc], [doc.text if text is None else text])[0]

    def evidence(self, docs: list[Doc], texts: list[str], places: list[list[tuple[int, int]]] | None = None
                 ) -> list[tuple[list[Hit], int]]:
        """Hits and sentence counts for a batch of documents from ``parse_many``.

        ``places`` is accepted for the word matcher's sake and left as it is: nothing is watched in
        a text without spaces between words.

        Returns
        -------
        list of (list of Hit, int)
            Per document: its hits in text order and its number of sentences.
        """
        return [(self._hits(tokens, text), len(tokens.starts))
                for tokens, text in zip(self._tokens(docs), texts, strict=True)]

    def _tokens(self, docs: list[Doc]) -> list[_Tokens]:
        """Each document's tokens with their flags; sentence starts found for the batch at once."""
        if len(self._types) > _TYPE_CACHE_LIMIT:
            self._types.clear()
        flags = [[self._flags(orth, doc.vocab) for orth in doc.to_array(ORTH).tolist()] for doc in docs]
        offsets = list(accumulate((len(f) + 1 for f in flags), initial=0))
        batch = np.array([bits for f in flags for bits in (*f, 0)], dtype=np.int64)  # 0: the separator
        starts = sentence_starts_of((batch & _MARK) > 0, (batch & _WORD) > 0, offsets)
        return [_Tokens(doc, f, [s - offsets[k] for s in starts[k]])
                for k, (doc, f) in enumerate(zip(docs, flags, strict=True))]

    def _flags(self, orth: int, vocab: Vocab) -> int:
        found = self._types.get(orth)
        if found is None:
            lexeme = vocab[orth]
            text = lexeme.orth_
            mark = text in ZH_SENTENCE_MARKS or (lexeme.is_space and "\n" in text)
            found = (_MARK if mark else 0 if lexeme.is_punct or lexeme.is_space else _WORD)
            found |= _CLAUSE if text in _CLAUSE_MARKS else 0
            found |= _OPENING if text in ZH_OPENING else 0
            found |= _SPACE if lexeme.is_space else 0
            if found & _WORD and any(n.matches(lexeme.lower_) for n in self.negators):
                found |= _NEGATOR
            self._types[orth] = found
        return found

    def _hits(self, tokens: _Tokens, text: str) -> list[Hit]:
        low = fold(text)
        # per needle, its occurrences that keep to the words; most needles are in no given text,
        # and the ``in`` test (a C loop) spares them the generator
        found = [[span for span in needle.find(low) if tokens.whole(*span)] if needle.text in low else []
                 for needle in self.needles]
        if not any(found):
            return []
        matches: list[tuple[int, int, int]] = []  # start, end, pattern number
        for n, compiled in enumerate(self.patterns):
            firsts = found[compiled.first]
            if not firsts:
                continue
            if compiled.second is None:
                matches += [(start, end, n) for start, end in firsts]
            elif found[compiled.second]:
                matches += [(start, end, n) for start, end in _near(firsts, found[compiled.second],
                                                                     compiled.pattern.near or 0, tokens)]
        matches.sort()  # text order; on equal spans, codebook order
        hits, spans = [], {}
        for start, end, n in matches:
            sentence = tokens.sentence_of(start)
            if sentence not in spans:
                spans[sentence] = tokens.sentence_span(sentence, text)
            negator = tokens.negator_before(start, sentence, self.window)
            compiled = self.patterns[n]
            hits.append(Hit(compiled.frame, compiled.pattern.source, sentence, start, end, *spans[sentence],
                            negator is not None, tokens.doc[negator].text if negator is not None else None))
        return hits


def _near(firsts: list[tuple[int, int]], seconds: list[tuple[int, int]], distance: int,
          tokens: _Tokens) -> list[tuple[int, int]]:
    """Each occurrence of the first side paired with the closest second side in its sentence, at
    most ``distance`` characters between them and not overlapping (the earlier one on a tie)."""
    spans = []
    for start, end in firsts:
        sentence, best, gap = tokens.sentence_of(start), None, distance + 1
        for other_start, other_end in seconds:
            if other_start > end + distance:
                break  # ascending: the rest are further away
            between = other_start - end if other_start >= end else start - other_end if other_end <= start else -1
            if 0 <= between < gap and tokens.sentence_of(other_start) == sentence:
                best, gap = (other_start, other_end), between
        if best is not None:
            spans.append((min(start, best[0]), max(end, best[1])))
    return spans
