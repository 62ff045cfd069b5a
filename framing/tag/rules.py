"""The codebook rule tagger: an article's frames from its pattern hits (see :mod:`framing.tag.matcher`).

An article carries a frame when at least ``min_hits`` non-negated hits are found; its dominant
frame is the one with the most hits. The rows it returns are the tag stage's ``frame_hits`` and
``article_frames``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from spacy.tokens import Doc

from framing.iterate import chunks
from framing.study.codebook import Codebook
from framing.tag.characters import CharacterMatcher
from framing.tag.matcher import BATCH, Hit, LanguageMatcher
from framing.tag.nlp import UNSPACED

__all__ = ["Hit", "RuleTagger"]


class RuleTagger:
    """Tag texts with a codebook's patterns.

    Parameters
    ----------
    codebook
        A loaded Codebook.
    min_hits
        An article carries a frame when at least this many non-negated hits are found.
    watch
        Gives, per language, the literal beginnings of the words a later stage looks for in the
        same texts (:mod:`framing.tag.watch`; the discourse stage's
        :meth:`~framing.discourse.voices.Voices.watch`); :meth:`tag_all_with_places` reports the
        tokens where they may begin. None (for a language): nothing watched.

    Examples
    --------
    >>> from framing.study.codebook import load_codebook
    >>> tagger = RuleTagger(load_codebook("social-credit"))
    >>> [h.frame for h in tagger.hits("Critics call it an Orwellian nightmare.", "en") if not h.negated]
    ['surveillance']
    """

    def __init__(self, codebook: Codebook, min_hits: int = 1,
                 watch: Callable[[str], Iterable[str] | None] | None = None):
        self.codebook = codebook
        self.min_hits = min_hits
        self.watch = watch
        self._matchers: dict[str, LanguageMatcher | CharacterMatcher] = {}

    def matcher(self, language: str | None) -> LanguageMatcher | CharacterMatcher:
        """The matcher for ``language``; a language the codebook lacks gets its first language's.

        Languages written without spaces (Chinese) are matched on characters
        (:class:`framing.tag.characters.CharacterMatcher`), the others on words.
        """
        known = language if language in self.codebook.languages else self.codebook.languages[0]
        if known not in self._matchers:
            if known in UNSPACED:
                self._matchers[known] = CharacterMatcher(self.codebook, known)
            else:
                watched = self.watch(known) if self.watch is not None else None
                self._matchers[known] = LanguageMatcher(self.codebook, known, watch_words=watched or ())
        return self._matchers[known]

    def parse(self, text: str, language: str) -> Doc:
        return self.matcher(language).parse(text)

    def hits(self, text: str, language: str) -> list[Hit]:
        return self.matcher(language).match(self.parse(text, language), text)

    def tag_article(self, article: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """One article -> (hit rows, one row per frame with counts, presence and dominance)."""
        return self._tag_batch([article])[0][:2]

    def tag_all(self, articles: Iterable[dict[str, Any]], batch: int = BATCH
                ) -> Iterator[tuple[list[dict], list[dict]]]:
        """``tag_article`` for each article, in order, tagging ``batch`` articles at a time.

        Parameters
        ----------
        articles
            Rows with ``article_id``, ``outlet``, ``language``, ``text`` (and ``published``).
        batch
            Articles per batch; results do not depend on it. Batches are what make tagging
            cheap: array operations cost per call, and a batch shares them.

        Yields
        ------
        (list of dict, list of dict)
            Per article, its hit rows and its article x frame rows.
        """
        for chunk in chunks(articles, batch):
            for hits, frames, _ in self._tag_batch(chunk):
                yield hits, frames

    def tag_all_with_places(self, articles: Iterable[dict[str, Any]], batch: int = BATCH
                            ) -> Iterator[tuple[list[dict], list[dict], list[tuple[int, int]] | None]]:
        """``tag_all``, and per article the tokens where a ``watch`` word may begin.

        Yields
        ------
        (list of dict, list of dict, list of (int, int) or None)
            Per article, its hit rows, its article x frame rows and the (character offset,
            length) of each such token, in text order; None when its language was not watched
            (nothing to watch in it, or tagged with another language's patterns).
        """
        for chunk in chunks(articles, batch):
            yield from self._tag_batch(chunk)

    def _tag_batch(self, articles: list[dict[str, Any]]
                   ) -> list[tuple[list[dict], list[dict], list[tuple[int, int]] | None]]:
        by_matcher: dict[str, list[int]] = {}  # articles in languages the codebook lacks share one batch
        for n, article in enumerate(articles):
            by_matcher.setdefault(self.matcher(article["language"]).language, []).append(n)
        rows: list[Any] = [None] * len(articles)
        for language, members in by_matcher.items():
            matcher = self._matchers[language]
            texts = [articles[n]["text"] or "" for n in members]
            watched = isinstance(matcher, LanguageMatcher) and bool(matcher.watch)
            places: list[list[tuple[int, int]]] | None = [] if watched else None
            found = matcher.evidence(matcher.parse_many(texts), texts, places)
            for k, (n, (evidence, n_sentences)) in enumerate(zip(members, found, strict=True)):
                own = places is not None and articles[n]["language"] == language
                rows[n] = (*self._rows(articles[n], evidence, max(1, n_sentences)), places[k] if own else None)
        return rows

    def _rows(self, article: dict[str, Any], evidence: list[Hit], n_sentences: int
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        article_id, outlet, published = article["article_id"], article["outlet"], article.get("published")
        hit_rows = [{"article_id": article_id, "outlet": outlet, **hit._asdict()} for hit in evidence]
        counted = Counter(hit.frame for hit in evidence if not hit.negated)
        negated_counts = Counter(hit.frame for hit in evidence if hit.negated)
        sentences: dict[str, set[int]] = {}
        for hit in evidence:
            if not hit.negated:
                sentences.setdefault(hit.frame, set()).add(hit.sentence)
        frame_rows = []
        for frame in self.codebook.frame_ids:
            n_hit = len(sentences.get(frame, ()))
            frame_rows.append({"article_id": article_id, "outlet": outlet, "published": published, "frame": frame,
                               "hits": counted[frame], "negated_hits": negated_counts[frame], "sentences_hit": n_hit,
                               "n_sentences": n_sentences, "sentence_share": n_hit / n_sentences,
                               "present": counted[frame] >= self.min_hits, "dominant": False})
        _mark_dominant(frame_rows)
        return hit_rows, frame_rows


def _mark_dominant(rows: list[dict[str, Any]]) -> None:
    """The dominant frame: most hits among present frames, then widest sentence share, then codebook order."""
    present = [r for r in rows if r["present"]]
    if present:
        best = max(present, key=lambda r: (r["hits"], r["sentence_share"], -rows.index(r)))
        best["dominant"] = True
