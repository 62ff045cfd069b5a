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
