"""The stage names, in order: a module of its own so that the command line can name them without
importing the pipeline (``framing --help`` answers at once)."""

from collections.abc import Callable

STAGES: tuple[str, ...] = ("collect", "extract", "tag", "aggregate", "report")
Progress = Callable[[str, int, int | None], None]  # (stage, done, total): how a stage reports its progress
