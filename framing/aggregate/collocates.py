"""Collocates of a term: the words found near it more often than chance, scored by log-likelihood and PMI.

Counting follows Evert's treatment of *surface co-occurrence* ("Corpora and collocations", 2008,
section 5; "The Statistics of Word Cooccurrences", 2005, section 4.1), as CQPweb does:

* **Tokens.** Lower-cased words of two or more letters (``_WORD``, the tokenizer of
  :mod:`framing.aggregate.distinctive`): numbers, punctuation and single letters are not tokens and
  take no place in a window. "Social-credit" is the two tokens ``social credit``; "don't" is ``don``.
* **Node.** The term is tokenized the same way and matched as a phrase of consecutive tokens
  (``social credit``); ``*`` in a node word matches any letters (``sozialkredit*``). Occurrences
  are found left to right and do not overlap.
* **Window.** ``window`` token positions left and right of each occurrence, within its text
  (a window never reaches into the next article), across sentence boundaries (as AntConc's and
  CQPweb's default spans). Another occurrence's tokens inside a window take up positions but are
  never counted as collocates.
* **Window region.** The windows of all occurrences are merged: a token within the span of two
  occurrences counts once. This makes the contingency table a true cross-classification of the
  corpus's tokens (Evert 2008, 5.2), so its margins add up and G2 is the usual G-test of
  independence; counting a token once per occurrence (AntConc's way) would count some tokens twice.
* **Corpus.** Every token of the texts passed that is not part of a node occurrence: the node's
  own tokens are neither collocates nor part of the sample space.

For collocate ``c``, with ``N`` corpus tokens, ``S`` of them in the window region and ``f(c)`` the
frequency of ``c`` in the corpus, the 2x2 table is::

                         c                    not c
    in a window      O11 = O              O12 = S - O               S
    outside          O21 = f(c) - O       O22 = N - S - f(c) + O    N - S
                     f(c)                 N - f(c)                  N

with expected counts ``E_ij = row_i * column_j / N``, so ``E11 = S * f(c) / N``: the co-occurrences
expected if ``c`` were spread evenly over the corpus. Then

* ``ll``: Dunning's (1993) log-likelihood ``G2 = 2 * sum O_ij * ln(O_ij / E_ij)`` (``0 * ln 0 = 0``),
  signed as in Evert's UCS and CQPweb: negative when ``O < E`` (the word *avoids* the term), so a
  descending sort puts attraction first. ``|G2|`` above 3.84 is p < .05, above 10.83 p < .001 (chi2,
  1 df) for one collocate; with a whole vocabulary tested, read it as a ranking, not a test.
* ``pmi``: pointwise mutual information ``log2(O / E11)`` (Church & Hanks 1990), the effect size
  (AntConc's "MI"). It favours rare words: one co-occurrence of a word seen once scores highest,
  hence ``min_count``.

Only counts are kept: texts are read one at a time, so the corpus can be larger than memory.
"""

from __future__ import annotations

import importlib
import math
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from framing.aggregate.distinctive import _WORD
from framing.aggregate.distinctive import words as text_words
from framing.scripts import HAN

ORDERS = ("ll", "pmi")
COLUMNS = ["collocate", "observed", "left", "right", "texts", "expected", "frequency", "ll", "pmi"]

_NODE_WORD = re.compile(r"(?:[^\W\d_]|\*)+")  # a word of the term, ``*`` kept as a glob
# English "n't" contractions split by _WORD into a stem and a dropped "t" ("don't" -> "don"): function
# words that spaCy's list (which has "do" and "n't") does not catch. "won" is left out: it is also a verb.
_CONTRACTION_STEMS = {"en": frozenset({"aren", "couldn", "didn", "doesn", "don", "hadn", "hasn", "haven", "isn",
                                       "mustn", "needn", "shan", "shouldn", "wasn", "weren", "wouldn"})}


@dataclass
class CollocateCounts:
    """What :func:`count_collocates` counted: enough for the 2x2 table of every word.

    Attributes
    ----------
    term
        The node's words as matched (lower-cased; ``*`` globs kept).
    window
        Token positions on each side of an occurrence.
    observed
        Per word, its tokens in the window region (O11).
    left, right
        ``observed`` split by the side of the nearest occurrence (a tie goes to the occurrence
        before it, as read); ``left + right == observed``.
    texts_with
        Per word, the texts in which it is in the window region (its dispersion: a word from one
        article repeated as boilerplate shows here).
    frequency
        Per word, its tokens in the corpus, node tokens excepted (f(c)).
    occurrences
        Node occurrences found.
    texts, texts_with_node
        Texts read, and those with at least one occurrence.
    tokens
        Corpus tokens, node tokens excepted (N).
    window_tokens
        Tokens in the window region (S).
    """

    term: tuple[str, ...]
    window: int
    observed: Counter = field(default_factory=Counter)
    left: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)
    texts_with: Counter = field(default_factory=Counter)
    frequency: Counter = field(default_factory=Counter)
    occurrences: int = 0
    texts: int = 0
    texts_with_node: int = 0
    tokens: int = 0
    window_tokens: int = 0


def node_words(term: str) -> tuple[str, ...]:
    """The term as the node's words: lower-cased and split as texts are, ``*`` kept as a glob.

    A word without ``*`` of fewer than two letters is dropped, as the tokenizer drops it from texts
    ("covid-19" is ``covid``, "plan b" is ``plan``).

    Raises
    ------
    ValueError
        When nothing of the term is left to match.

    Examples
    --------
    >>> node_words("Social-Credit  system")
    ('social', 'credit', 'system')
    >>> node_words("Sozialkredit*")
    ('sozialkredit*',)
    """
    if HAN.search(term) and "*" not in term:  # a Chinese term is segmented as Chinese texts are
        words = tuple(text_words(term, "zh"))
    else:
        words = tuple(w for w in _NODE_WORD.findall(term.lower()) if "*" in w or len(w) >= 2)
    if not words:
        raise ValueError(f"the term {term!r} has no word of two or more letters to look for")
    return words


def _matchers(words: tuple[str, ...]) -> list[re.Pattern[str] | str]:
    """A plain word matches itself; a glob, a regex whose ``*`` is any letters (the tokens' alphabet)."""
    return [re.compile(re.escape(w).replace(r"\*", r"[^\W\d_]*")) if "*" in w else w for w in words]


def count_collocates(texts: Iterable[str | None | tuple[str | None, str | None]], term: str, window: int = 5
                     ) -> CollocateCounts:
    """Count the words within ``window`` tokens of each occurrence of ``term``, and every word's frequency.

    Parameters
    ----------
    texts
        The corpus, read one text at a time (a generator is fine; nothing is kept but counts).
        ``None`` counts as an empty text. A ``(text, language)`` pair names the text's language,
        which decides its words (:func:`framing.aggregate.distinctive.words`: Chinese is segmented).
    term
        The node: one or more words matched as a phrase, ``*`` globbing letters in a word.
    window
        Token positions on each side (left and right) of an occurrence.

    Returns
    -------
    CollocateCounts
        The counts; :func:`score_collocates` turns them into a table.
    """
    if window < 1:
        raise ValueError(f"the window is at least 1 token, not {window}")
    words = node_words(term)
    matchers = _matchers(words)
    width = len(words)
    # each word type is compared with a glob once (as the tagger does): a text then costs a lookup per token
    matched: list[dict[str, bool]] = [{} for _ in matchers]

    def matches(k: int, token: str) -> bool:
        matcher = matchers[k]
        if isinstance(matcher, str):
            return token == matcher
        known = matched[k].get(token)
        if known is None:
            known = matched[k][token] = matcher.fullmatch(token) is not None
        return known

    counts = CollocateCounts(words, window)
    for item in texts:
        text, language = item if isinstance(item, tuple) else (item, None)
        counts.texts += 1
        tokens = text_words(text, language)
        starts = []
        i = 0
        while i <= len(tokens) - width:
            if all(matches(k, tokens[i + k]) for k in range(width)):
                starts.append(i)
                i += width  # occurrences do not overlap
            else:
                i += 1
        node = bytearray(len(tokens))
        for start in starts:
            node[start:start + width] = b"\x01" * width
        counts.frequency.update(t for t, is_node in zip(tokens, node, strict=True) if not is_node)
        counts.tokens += len(tokens) - width * len(starts)
        if not starts:
            continue
        counts.occurrences += len(starts)
        counts.texts_with_node += 1
        # each window position goes to its nearest occurrence (distance in tokens), for left/right;
        # the union of the windows is the window region, each position counted once
        distance = [math.inf] * len(tokens)
        side = bytearray(len(tokens))  # 1: left of its occurrence, 2: right
        for start in starts:            # in reading order: on a tie the earlier occurrence keeps it (right)
            for p in range(start + width, min(len(tokens), start + width + window)):
                if p - (start + width) + 1 < distance[p]:
                    distance[p], side[p] = p - (start + width) + 1, 2
            for p in range(max(0, start - window), start):
                if start - p < distance[p]:
                    distance[p], side[p] = start - p, 1
        seen = set()
        for p, token in enumerate(tokens):
            if side[p] and not node[p]:
                counts.window_tokens += 1
                counts.observed[token] += 1
                (counts.left if side[p] == 1 else counts.right)[token] += 1
                seen.add(token)
        counts.texts_with.update(seen)
    return counts


def stop_words(languages: Iterable[str]) -> frozenset[str]:
    """spaCy's stop words for the languages given, tokenized as texts are, to leave out of a collocate list.

    A language spaCy has no list for adds nothing. English adds the stems of "n't" contractions
    (``don``, ``isn``, ...), which the tokenizer makes of "don't" and spaCy's list does not hold.

    Examples
    --------
    >>> {"the", "und", "ll", "don"} <= stop_words(["en", "de"])
    True
    """
    words: set[str] = set()
    for language in languages:
        if not re.fullmatch(r"[a-z]{2,3}", language or ""):  # a module name is built from it: codes only
            continue
        try:
            module = importlib.import_module(f"spacy.lang.{language}.stop_words")
        except ImportError:
            continue
        for word in module.STOP_WORDS:
            words.update(_WORD.findall(word.lower()))  # "'ll" is the token "ll"
        words |= _CONTRACTION_STEMS.get(language, frozenset())
    return frozenset(words)


def score_collocates(counts: CollocateCounts, min_count: int = 3, by: Literal["ll", "pmi"] = "ll",
                     exclude: Collection[str] = ()) -> pd.DataFrame:
    """The collocates' table: counts, expected count, G2 and PMI, strongest first.

    Parameters
    ----------
    counts
        From :func:`count_collocates`.
    min_count
        Fewest co-occurrences (``observed``) a word needs to be listed (AntConc's "min. collocate
        frequency"); PMI overrates words seen once or twice.
    by
        ``ll`` (G2, then PMI) or ``pmi`` (PMI, then G2); ties by word.
    exclude
        Words not listed (stop words). They stay in the counts: they take up window positions and
        count in ``N``, so leaving them out changes no other word's score.

    Returns
    -------
    DataFrame
        ``collocate``; ``observed`` (O11), ``left``, ``right``; ``texts`` (texts where it co-occurs);
        ``expected`` (E11 = S * f(c) / N); ``frequency`` (f(c)); ``ll`` (signed G2); ``pmi`` (log2 O/E).
    """
    if by not in ORDERS:
        raise ValueError(f"collocates are sorted by ll or pmi, not {by!r}")
    kept = sorted(w for w, o in counts.observed.items() if o >= min_count and w not in exclude)
    if not kept:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "collocate" else float) for c in COLUMNS})
    n, s = float(counts.tokens), float(counts.window_tokens)
    o11 = np.array([counts.observed[w] for w in kept], dtype=float)
    f = np.array([counts.frequency[w] for w in kept], dtype=float)
    observed = np.stack([o11, s - o11, f - o11, n - s - f + o11])
    expected = np.stack([s * f, s * (n - f), (n - s) * f, (n - s) * (n - f)]) / n
    # 0 * ln(0 / E) is 0; a cell with O > 0 has E > 0, since its row and column total hold O
    safe = np.where(observed > 0, observed, 1.0) / np.where(expected > 0, expected, 1.0)
    g2 = 2 * np.where(observed > 0, observed * np.log(safe), 0.0).sum(axis=0)
    table = pd.DataFrame({
        "collocate": kept, "observed": o11.astype(int),
        "left": [counts.left[w] for w in kept], "right": [counts.right[w] for w in kept],
        "texts": [counts.texts_with[w] for w in kept], "expected": expected[0], "frequency": f.astype(int),
        "ll": np.where(o11 < expected[0], -g2, g2), "pmi": np.log2(o11 / expected[0])})
    keys = ["ll", "pmi"] if by == "ll" else ["pmi", "ll"]
    return table.sort_values([*keys, "collocate"], ascending=[False, False, True], kind="stable",
                             ignore_index=True)
