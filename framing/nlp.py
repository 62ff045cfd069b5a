"""spaCy pipelines per language: blank tokenizer plus the rule-based sentencizer.

Pretrained pipelines are not installable offline; the blank tokenizers and the sentencizer
ship with spaCy itself, so nothing is downloaded.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language


def new_pipeline(language: str) -> Language:
    """A new blank spaCy pipeline with sentence boundaries for ``language`` (``xx`` if unknown).

    Each call builds its own, with an empty vocabulary; ``pipeline_for`` shares one per language.
    """
    try:
        nlp = spacy.blank(language)
    except (ImportError, KeyError, ValueError, OSError):
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=16)
def pipeline_for(language: str) -> Language:
    """The shared blank spaCy pipeline with sentence boundaries for ``language`` (``xx`` if unknown)."""
    return new_pipeline(language)
