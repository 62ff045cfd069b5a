"""What the command functions share: taking a study as a path or a loaded pipeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from framing.study.config import Pipeline, load_pipeline

Notify = Callable[[str], None]  # receives a one-line message (plain text) before long work starts


def as_pipeline(pipeline: Pipeline | str | Path) -> Pipeline:
    """A loaded, validated pipeline, from itself or from its YAML file."""
    return pipeline if isinstance(pipeline, Pipeline) else load_pipeline(pipeline)


def quiet(message: str) -> None:
    """The default ``notify``: say nothing."""
