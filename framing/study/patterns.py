"""Dictionary patterns in quanteda/LIWC style: globbed words, phrases, NEAR/n proximity.

A pattern is parsed once into Words; matching a token against a Word happens once per word
type (see framing.tag.matcher), which is what lets globs expand against the corpus vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NEAR = re.compile(r"\s+NEAR/(\d+)\s+")
_ALLOWED = re.compile(r"^[\w'’.&*-]+$")


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message says why and what is allowed."""


@dataclass(frozen=True)
class Word:
    """One token pattern: ``text`` with an optional ``*`` before and/or after."""

    text: str
    leading: bool = False
    trailing: bool = False

    def matches(self, token: str, compounds: bool = False) -> bool:
        """Whether a lower-cased token (or one of its hyphen parts) matches."""
        if self._match(token, compounds):
            return True
        return "-" in token and any(self._match(part, compounds) for part in token.split("-") if part)

    def _match(self, token: str, compounds: bool) -> bool:
        leading = self.leading or (compounds and len(self.text) >= 4)
        if leading and self.trailing:
            return self.text in token
        if leading:
            return token.endswith(self.text)
        if self.trailing:
            return token.startswith(self.text)
        return token == self.text


class WordIndex:
    """Which of many Words a lower-case token matches, by dictionary lookups of the token's
    prefixes and suffixes of the lengths the words have, instead of testing every word.

    Parameters
    ----------
    words
        ``(word, compounds)`` pairs; a word's id is its position here.

    Examples
    --------
    >>> index = WordIndex([(parse_word("surveil*"), False), (parse_word("state"), False)])
    >>> sorted(index.matching("surveillance-state"))
    [0, 1]
    """

    def __init__(self, words: list[tuple[Word, bool]]):
        self.exact: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        self.suffix: dict[str, list[int]] = {}
        self.infix: list[tuple[str, int]] = []
        for i, (word, compounds) in enumerate(words):
            leading = word.leading or (compounds and len(word.text) >= 4)  # as in Word._match
            if leading and word.trailing:
                self.infix.append((word.text, i))
            else:
                table = self.suffix if leading else self.prefix if word.trailing else self.exact
                table.setdefault(word.text, []).append(i)
        self.prefix_lengths = sorted({len(text) for text in self.prefix})
        self.suffix_lengths = sorted({len(text) for text in self.suffix})

    def matching(self, token: str) -> frozenset[int]:
        """The ids of the words ``w`` with ``w.matches(token, compounds)``."""
        found: list[int] = []
        for part in [token, *(p for p in token.split("-") if p)] if "-" in token else [token]:
            found += self.exact.get(part, ())
            for n in self.prefix_lengths:
                found += self.prefix.get(part[:n], ()) if n <= len(part) else ()
            for n in self.suffix_lengths:
                found += self.suffix.get(part[-n:], ()) if n <= len(part) else ()
            found += [i for text, i in self.infix if text in part]
        # built in ascending order, so that equal sets iterate alike and hits keep a fixed order
        return frozenset(sorted(set(found)))


@dataclass(frozen=True)
class Pattern:
    """A parsed pattern: a phrase, or two phrases within ``near`` tokens of each other."""

    source: str
    first: tuple[Word, ...]
    second: tuple[Word, ...] = ()
    near: int | None = None


def parse_word(raw: str) -> Word:
    if not _ALLOWED.match(raw):
        bad = sorted({c for c in raw if not re.match(r"[\w'’.&*-]", c)})
        raise PatternError(f"{raw!r} contains {''.join(bad)!r}; use letters, digits, - ' . & and * for globs")
    core = raw.strip("*")
    if "*" in core:
        raise PatternError(f"{raw!r}: '*' may only lead or end a word (surveil*, *überwachung, *kredit*)")
    letters = sum(c.isalnum() for c in core)
    if (raw.startswith("*") or raw.endswith("*")) and letters < 3:
        raise PatternError(f"{raw!r}: a glob needs at least 3 letters besides '*', or it matches almost anything")
    if not core:
        raise PatternError(f"{raw!r}: empty word")
    return Word(core.lower(), raw.startswith("*"), raw.endswith("*"))


def parse_phrase(text: str) -> tuple[Word, ...]:
    words = text.split()
    if not words:
        raise PatternError("empty pattern")
    return tuple(parse_word(w) for w in words)


def parse_pattern(source: str) -> Pattern:
    """Parse ``surveil*``, ``big brother`` or ``credit NEAR/5 score*``.

    Raises
    ------
    PatternError
        With what is wrong and what is allowed.
    """
    if not isinstance(source, str) or not source.strip():
        raise PatternError("empty pattern")
    text = source.strip()
    if re.search(r"(?i)\bnear/", text):
        parts = _NEAR.split(text)
        if len(parts) != 3:
            raise PatternError(f"{source!r}: proximity is 'A NEAR/n B' (upper-case NEAR, n tokens), once per pattern")
        distance = int(parts[1])
        if distance < 1:
            raise PatternError(f"{source!r}: NEAR/n needs n >= 1")
        return Pattern(source, parse_phrase(parts[0]), parse_phrase(parts[2]), distance)
    return Pattern(source, parse_phrase(text))
