"""spaCy pipelines per language: blank tokenizer plus the rule-based sentencizer.

Pretrained pipelines are not installable offline; the blank tokenizers and the sentencizer
ship with spaCy itself, so nothing is downloaded.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language


@lru_cache(maxsize=16)
def pipeline_for(language: str) -> Language:
    """A blank spaCy pipeline with sentence boundaries for ``language`` (``xx`` if unknown)."""
    try:
        nlp = spacy.blank(language)
    except (ImportError, KeyError, ValueError, OSError):
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp
