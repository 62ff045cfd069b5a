"""What the quotation rules find: quotations, and the names a pronoun or role may stand for.

Plain dataclasses in a module of their own: :mod:`framing.discourse.quotes` may run compiled
(mypyc, ``setup.py``), and classes compiled with it neither unpickle when frozen nor take other
attributes; these stay Python classes either way (re-exported by ``quotes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Quote:
    """One quotation: where it is, what is said, by whom (as written), with which verb."""

    start: int            # character offsets of the quoted words (without the marks) in the text
    end: int
    text: str
    speaker: str | None   # the speaker's words as written: a name, a pronoun, a role ("the researcher")
    verb: str | None
    direct: bool          # between quotation marks, or reported speech
    resolved: str | None = None  # the named speaker a pronoun or role stands for


@dataclass
class QuoteScan:
    quotes: list[Quote] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # unbalanced or overlong quotation marks


@dataclass(frozen=True)
class Mention:
    """A name in the text that a pronoun or role noun may stand for."""

    start: int
    name: str
    person: bool | None  # None: could be either (a name of unknown kind)
    actor: str | None = None  # the codebook's actor it names, when the actors' scan found it
