"""framing: a pipeline for media-framing analysis, from news pages to frame labels."""

__version__ = "0.1.0"
