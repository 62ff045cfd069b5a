"""Errors a user can act on. The CLI prints them as one message and exits with code 1."""

from __future__ import annotations


class FramingError(Exception):
    """An error caused by the user's input or environment, with a message saying what to do."""


class TooFewExamplesError(FramingError):
    """Labelled data too thin for what was asked: a label with fewer examples than folds, or fewer
    units than folds. ``framing evaluate`` then scores the rules, which need no training."""


class ConfigError(FramingError):
    """A study or codebook file that does not validate.

    Parameters
    ----------
    path
        The file that failed.
    problems
        One line per problem, each already carrying its key path and line number.
    """

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path} is not valid ({len(problems)} problem(s)):\n{listing}")
