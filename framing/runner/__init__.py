"""The stages in order, wired to the study folder: :func:`run` and the manifest.

Each stage's logic lives in its own package (collect, extract, tag, aggregate, report) and takes
rows and returns rows; the modules here read a stage's input tables through the study store,
call it, and write its output tables.
"""

from __future__ import annotations

from typing import Any

__all__ = ["StageResult", "default_stages", "run", "stage_key"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: a Dask worker that unpickles one stage's task (framing.runner.extract)
    # would otherwise import every stage, spaCy and its torch included (2.3 s per worker).
    if name in __all__:
        from framing.runner import order

        return getattr(order, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
