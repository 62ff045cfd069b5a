"""Dictionary patterns in quanteda/LIWC style: globbed words, phrases, NEAR/n proximity.

A pattern is parsed once into Words; matching a token against a Word happens once per word
type (see taggers.rules), which is what lets globs expand against the corpus vocabulary.
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
