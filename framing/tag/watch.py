"""Words a later stage looks for in the tagger's texts, found among the tagger's tokens.

The discourse stage (:mod:`framing.discourse`) looks in every article for actors' names and
speech cues ("said", "according to"). Scanning each text for them again costs as much as a
fifth of tagging it; the rule tagger, though, already looks up a code for every token's type
(:mod:`framing.tag.matcher`). Here each type gets a few more bits, once, and the tokens where
a watched word may begin follow from them by array operations on the batch.

A watched word is given as its literal beginning, in lower case: ``said``, ``according to``,
``people's daily``, ``u.s. government``, ``chinesische*`` (``*``: any word that starts so; what
comes after it is not looked at). The reported tokens are a superset: every token in which one
of them begins is among them, with some where it does not (the caller checks each with its
own patterns). A literal is matched as runs of letters and digits (``\\w+``):

- one run: a token holding it (or, with ``*``, a run starting so) is reported;
- two runs or more: a token whose last run is the first, followed by a token whose first run
  is the second or that has none (a space or a mark: "Xi  Jinping", "People’s");
- the tokenizer may split a run: at its special cases ("cannot" is "can" + "not") and after a
  number ("10km"). Where such a whole run is itself watched (a special case's run, or a watched
  run that starts with a digit), the token holding its first piece is reported when no white
  space follows it and the next token starts with a letter. (With the social-credit codebook
  none is: no token is reported so.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import numpy as np
from spacy.attrs import ORTH

RUNS = re.compile(r"\w+")
WORD_STARTS = re.compile(r"(?<!\w)\w")  # where a word begins: a word character after none or another kind

# a type's watch bits, above the matcher's own (it shifts them to their place in a type code)
ALONE, FIRST, NEXT, PART, STARTS = 1, 2, 4, 8, 16
BITS = 5
_U = {bit: np.uint8(bit) for bit in (ALONE, FIRST, NEXT, PART, STARTS)}  # numpy scalars: no type promotion


class WatchedWords:
    """The watched literals, as runs, and what a token type's text holds of them.

    Parameters
    ----------
    literals
        Lower-case literal beginnings (see the module's description).
    split_heads
        The tokenizer's special cases that cut a run of letters: per first piece (lower case,
        "can"), the whole runs it begins ("cannot"); :func:`split_heads` finds them.

    Examples
    --------
    >>> watch = WatchedWords(["said", "xi jinping", "chinesische*"], split_heads={"sa": {"said"}})
    >>> watch.bits("said") & ALONE, watch.bits("xi") & FIRST, watch.bits("jinping") & NEXT
    (1, 2, 4)
    >>> watch.bits("chinesischen") & ALONE, watch.bits("sa") & PART, watch.bits("credit") & (ALONE | FIRST)
    (1, 8, 0)
    """

    def __init__(self, literals: Iterable[str], split_heads: Mapping[str, Iterable[str]] | None = None):
        alone, firsts, seconds, globs, second_globs = set(), set(), set(), [], []
        for literal in set(literals):
            head, glob, _ = literal.partition("*")
            runs = RUNS.findall(head)
            if not runs:
                continue
            ends_in_glob = bool(glob) and head.endswith(runs[-1])  # "credit ref*": the last run is a beginning
            if len(runs) == 1:
                (globs.append if ends_in_glob else alone.add)(runs[0])
            else:
                firsts.add(runs[0])
                (second_globs.append if ends_in_glob and len(runs) == 2 else seconds.add)(runs[1])
        self._alone, self._firsts, self._seconds = frozenset(alone), frozenset(firsts), frozenset(seconds)
        self._globs, self._second_globs = tuple(globs), tuple(second_globs)
        self._beginnings = frozenset(run[:k] for run in (*alone, *firsts, *globs) for k in range(1, len(run)))

        def watched(run: str) -> bool:
            return run in alone or run in firsts or run.startswith(self._globs)
        # the first pieces of split runs that are watched: with most codebooks, none
        self._split_heads = frozenset(head for head, runs in (split_heads or {}).items() if any(map(watched, runs)))
        self._numbers = any(run[:1].isdigit() for run in (*alone, *firsts, *globs))

    def __bool__(self) -> bool:
        return bool(self._alone or self._firsts or self._globs)

    def bits(self, lower: str) -> int:
        """What a token of this lower-case text holds of the watched literals (``ALONE`` ...)."""
        runs = RUNS.findall(lower)
        if not runs:
            return NEXT  # a space or a mark may stand between a literal's runs
        found = STARTS if lower[0].isalnum() or lower[0] == "_" else 0
        last = runs[-1]
        if any(run in self._alone or run.startswith(self._globs) for run in runs) or \
                any(run in self._firsts for run in runs[:-1]):  # "u.s.": the next run is in the token
            found |= ALONE
        if last in self._firsts:
            found |= FIRST
        if runs[0] in self._seconds or runs[0].startswith(self._second_globs):
            found |= NEXT
        if lower.endswith(last) and last in self._beginnings and \
                (lower in self._split_heads or self._numbers and last.isdigit()):
            found |= PART
        return found


def split_heads(rules: dict[str, list[dict[int, str]]]) -> dict[str, set[str]]:
    """The first pieces (lower case) of a tokenizer's special cases that end inside a run of
    letters and digits, each with the runs it begins: "can" of "cannot", "gon" of "gonna"
    (``rules``: spaCy's ``Tokenizer.rules``, each string with its pieces' attributes)."""
    heads: dict[str, set[str]] = {}
    for string, pieces in rules.items():
        texts = [piece.get(ORTH, "") for piece in pieces[:2]]
        if len(texts) == 2 and RUNS.search(texts[0][-1:]) and RUNS.match(texts[1]):
            runs = RUNS.findall(texts[0].lower())
            whole = RUNS.findall(string.lower())
            if runs and whole:
                heads.setdefault(texts[0].lower(), set()).add(whole[len(runs) - 1])
    return heads


def watched_tokens(bits: np.ndarray, glued: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Positions of the batch's tokens where a watched literal may begin.

    Parameters
    ----------
    bits
        Per token of the batch, its type's watch bits (the separator after each document: 0).
    glued
        Given positions, says for each whether no white space follows the token there; asked
        only about tokens that may begin a split word ("not", "was": a few a document).
    """
    bits = bits.astype(np.uint8)
    found = (bits & _U[ALONE]).astype(bool)
    found[:-1] |= (bits[:-1] & _U[FIRST]).astype(bool) & (bits[1:] & _U[NEXT]).astype(bool)
    parts = ((bits[:-1] & _U[PART]).astype(bool) & (bits[1:] & _U[STARTS]).astype(bool)).nonzero()[0]
    if len(parts):
        found[parts[glued(parts)]] = True
    return found.nonzero()[0]
