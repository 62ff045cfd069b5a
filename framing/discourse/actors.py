"""Speakers to actors: a quote's speaker, as written, linked to one of the codebook's actors.

An actor's aliases (in the codebook's pattern syntax: words, ``*`` globs, phrases) are matched
in the speaker's words, case-insensitively and on word boundaries; the first actor in codebook
order whose alias is found wins. A pronoun or role noun is linked through the named speaker it
stands for. Proximity patterns (``NEAR/n``) describe frames, not names: they are not used here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from framing.discourse.quotes import Mention, Quote
from framing.study.codebook import Actor


def alias_pattern(aliases: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for an actor's aliases; None when it has none to match.

    Examples
    --------
    >>> bool(alias_pattern(["merics", "mercator institut*"]).search("the Mercator Institute for China Studies"))
    True
    >>> alias_pattern(["pence"]).search("pencils") is None
    True
    """
    alternatives = []
    for alias in aliases:
        if "NEAR/" in alias:
            continue
        words = [re.escape(word).replace(r"\*", r"[\w-]*") for word in alias.lower().split()]
        alternatives.append(r"(?<![\w-])" + r"\s+".join(words) + r"(?![\w-])")
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


class ActorLinker:
    """Links speakers to the actors of one language's aliases.

    Parameters
    ----------
    actors
        The codebook's actors, in codebook order.
    language
        Whose aliases to use.
    """

    def __init__(self, actors: list[Actor], language: str):
        self._patterns = [(actor.id, pattern) for actor in actors
                          if (pattern := alias_pattern(actor.aliases.get(language, []))) is not None]
        self._people = {actor.id for actor in actors if actor.type == "person"}

    def actor_of(self, words: str | None) -> str | None:
        """The id of the first actor whose alias occurs in ``words``, or None."""
        if not words:
            return None
        for actor_id, pattern in self._patterns:
            if pattern.search(words):
                return actor_id
        return None

    def mentions(self, text: str) -> list[Mention]:
        """Where the text names an actor: what a later "he" or "the think tank" may stand for."""
        return [Mention(found.start(), found.group(), actor_id in self._people)
                for actor_id, pattern in self._patterns for found in pattern.finditer(text)]

    def link(self, quote: Quote) -> str | None:
        """The quote's actor: from its speaker's words, else from the named speaker they stand for."""
        return self.actor_of(quote.speaker) or self.actor_of(quote.resolved)
