"""An article's voices as table rows: its quotations and where it names the codebook's actors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from framing.discourse.actors import ActorLinker
from framing.discourse.chinese import ChineseLinker, find_chinese_quotes
from framing.discourse.quotes import VERBS, find_quotes, speech_cues
from framing.study.codebook import Actor


class Voices:
    """Quote and actor-mention rows of articles, with one linker per language kept for reuse.

    Parameters
    ----------
    actors
        The codebook's actors (none: quotes are still found, with speakers as written).
    """

    LANGUAGES = (*VERBS, "zh")  # the languages whose speech verbs and word order the quote rules know

    def __init__(self, actors: list[Actor]):
        self.actors = actors
        self._linkers: dict[str, ActorLinker] = {}
        self._chinese = ChineseLinker(actors, self._linker("zh"))  # one zh linker for mentions and speakers

    def watch(self, language: str) -> frozenset[str] | None:
        """The word beginnings whose tokens the rule tagger may report for :meth:`of`'s ``places``
        (:class:`~framing.tag.rules.RuleTagger`'s ``watch``); None: places are of no use here."""
        return self._linker(language).watch

    def of(self, article: dict[str, Any], places: Iterable[tuple[int, int]] | None = None
           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """``quotes`` and ``actor_mentions`` rows of one article (``article_id``, ``outlet``, ``language``, ``text``).

        An article in a language the quote rules do not know gets its actor mentions only.
        ``places``: the tokens where a word of :meth:`watch` may begin, from the rule tagger's
        pass over the same text (:meth:`~framing.tag.rules.RuleTagger.tag_all_with_places`);
        only they are looked at for names and speech cues. The rows are the same without them.
        """
        text, language = article.get("text") or "", article.get("language") or ""
        linker = self._linker(language)
        key = {"article_id": article["article_id"], "outlet": article["outlet"]}
        named, cue_starts = linker.scan(text, places)  # one pass for both: the cues' places go to find_quotes
        mentions = [{**key, "actor": m.actor, "start": m.start, "end": m.start + len(m.name), "name": m.name}
                    for m in named]  # the scan names each one's actor: no second match per mention
        if language not in self.LANGUAGES:
            return [], mentions
        if language == "zh":  # no capitals, no spaces: Chinese has rules and aliases of its own
            found, link = find_chinese_quotes(text).quotes, self._chinese.link
        else:
            found = find_quotes(text, language, lambda _: named, cue_starts=cue_starts).quotes
            link = linker.link
        quotes = [{**key, "quote": number, "start": quote.start, "end": quote.end, "text": quote.text,
                   "speaker": quote.speaker, "resolved": quote.resolved, "actor": link(quote), "verb": quote.verb,
                   "direct": quote.direct} for number, quote in enumerate(found)]
        return quotes, mentions

    def _linker(self, language: str) -> ActorLinker:
        if language not in self._linkers:
            cues = speech_cues(language) if language in VERBS else ()
            self._linkers[language] = ActorLinker(self.actors, language, cues)
        return self._linkers[language]
