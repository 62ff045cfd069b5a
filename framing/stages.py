"""The stage names, in order: a module of its own so that the command line can name them without
importing the pipeline (``framing --help`` answers at once)."""

STAGES: tuple[str, ...] = ("collect", "extract", "tag", "aggregate", "report")
