"""spaCy pipelines per language: blank tokenizer plus the rule-based sentencizer.

Pretrained pipelines are not installable offline; the blank tokenizers and the sentencizer
ship with spaCy itself, so nothing is downloaded.
"""

from __future__ import annotations

import spacy
from spacy.language import Language

# spaCy keeps every word type it has tokenized (about 0.5 KiB each: lexeme, strings, maps) for
# as long as the pipeline lives; past this many, the shared pipeline is replaced by a new one
VOCAB_LIMIT = 100_000
_shared: dict[str, Language] = {}


def new_pipeline(language: str) -> Language:
    """A new blank spaCy pipeline with sentence boundaries for ``language`` (``xx`` if unknown)."""
    try:
        nlp = spacy.blank(language)
    except (ImportError, KeyError, ValueError, OSError):
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def pipeline_for(language: str, vocab_limit: int = VOCAB_LIMIT) -> Language:
    """The shared blank pipeline with sentence boundaries for ``language`` (``xx`` if unknown).

    Parameters
    ----------
    language
        A spaCy language code.
    vocab_limit
        The shared pipeline is replaced by a new one (same tokenizer, empty vocabulary) once its
        vocabulary holds more word types than this, so that an open vocabulary does not grow
        memory for good. Keep the returned pipeline no longer than the documents it made.

    Returns
    -------
    Language
        ``spacy.blank(language)`` with a ``sentencizer``.
    """
    nlp = _shared.get(language)
    if nlp is None or len(nlp.vocab) > vocab_limit:
        nlp = _shared[language] = new_pipeline(language)
    return nlp
