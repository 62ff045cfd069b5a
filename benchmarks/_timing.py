"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def timed(work: Callable[[Any], Any], items: list[Any]) -> float:
    """Wall-clock seconds of ``work`` on each item in turn."""
    started = time.perf_counter()
    for item in items:
        work(item)
    return time.perf_counter() - started


def alternating(corpus: list[dict[str, Any]], block: int, tag: Callable[[list[dict[str, Any]]], Any],
                tokenize: Callable[[str], Any]) -> tuple[float, float]:
    """Seconds of ``tag`` (on blocks of articles) and of ``tokenize`` (on each text) over the corpus,
    block by block, alternating which goes first so that neither always meets a warm cache or a
    quiet machine. Returns ``(tagging, tokenizing)``."""
    tagging = tokenizing = 0.0
    for n, start in enumerate(range(0, len(corpus), block)):
        part = corpus[start:start + block]
        texts = [a["text"] for a in part]
        if n % 2:
            tagging += timed(tag, [part])
            tokenizing += timed(tokenize, texts)
        else:
            tokenizing += timed(tokenize, texts)
            tagging += timed(tag, [part])
    return tagging, tokenizing


def tagger_vs_tokenizer(corpus: list[dict[str, Any]], language: str, block: int, warm: int
                        ) -> tuple[float, float, int]:
    """The rule tagger (social-credit codebook, min_hits 2) against its own pipeline's tokenizer
    (``make_doc``) on the same texts, both warmed on the first ``warm`` articles, then timed by
    :func:`alternating`. Returns ``(tagging, tokenizing, hits found)``."""
    from framing.study.codebook import load_codebook
    from framing.tag.rules import RuleTagger

    tagger = RuleTagger(load_codebook("social-credit"), min_hits=2)
    nlp = tagger.matcher(language).nlp  # the shared pipeline_for(language): one tokenizer and cache for both
    for article in corpus[:warm]:
        nlp.make_doc(article["text"])
        tagger.tag_article(article)
    hits = 0

    def tag(part: list[dict[str, Any]]) -> None:
        nonlocal hits
        hits += sum(len(hit_rows) for hit_rows, _ in tagger.tag_all(part))

    tagging, tokenizing = alternating(corpus, block, tag, nlp.make_doc)
    return tagging, tokenizing, hits
