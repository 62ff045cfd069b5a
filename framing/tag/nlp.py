"""spaCy pipelines per language: blank tokenizer, the rule-based sentencizer and two repairs.

Pretrained pipelines are not installable offline; the blank tokenizers and the sentencizer
ship with spaCy itself, so nothing is downloaded. Sentences are what coders and reporters read,
so two things the sentencizer gets wrong on news text are mended after it: a line break ends a
sentence (a headline is not glued to the lead), and an opening quotation mark („ » « " ‘)
starts the sentence it opens instead of ending the one before.
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
    nlp.add_pipe("framing_sentence_repairs")
    return nlp


_QUOTES = set("„“”\"«»‚‘’'")


@Language.component("framing_sentence_repairs")
def sentence_repairs(doc):
    """Start a sentence after every line break, and move opening quotes to the sentence they open."""
    text_seen = len(doc) > 0 and not doc[0].is_space  # white space at the very start opens no sentence
    for i in range(1, len(doc)):
        token, before = doc[i], doc[i - 1]
        if token.is_space:  # white space ends the sentence before it; the next token starts the new one
            if token.is_sent_start and i + 1 < len(doc):
                doc[i + 1].is_sent_start = True
            token.is_sent_start = False
            continue
        if before.is_space and "\n" in before.text and text_seen:
            token.is_sent_start = True
        elif token.is_sent_start and opens_quote(doc, i - 1):
            before.is_sent_start = True   # the quote mark begins the new sentence ...
            token.is_sent_start = False   # ... and the word after it continues it
        text_seen = True
    return doc


def opens_quote(doc, i: int) -> bool:
    """Whether token ``i`` is an opening quote mark: white space before it, a word right after it."""
    mark = doc[i]
    return (mark.text in _QUOTES and not mark.whitespace_ and i > 0
            and bool(doc[i - 1].whitespace_ or doc[i - 1].is_space))


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
