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
