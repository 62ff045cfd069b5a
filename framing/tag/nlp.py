"""spaCy pipelines per language: blank tokenizer, the rule-based sentencizer and two repairs.

Pretrained pipelines are not installable offline; the blank tokenizers and the sentencizer
ship with spaCy itself, so nothing is downloaded. Sentences are what coders and reporters read,
so two things the sentencizer gets wrong on news text are mended after it: a line break ends a
sentence (a headline is not glued to the lead), and an opening quotation mark („ » « " ‘)
starts the sentence it opens instead of ending the one before.

Chinese is written without spaces: its words come from spaCy's Chinese tokenizer with the jieba
segmenter, whose dictionary ships inside the ``jieba`` package (pkuseg's models do not ship
with any installable package; the measurement is in the README). Chinese sentences end at
。！？ (not at an ASCII full stop, which jieba also gives for the dots of "U.S."), closing
quotes and brackets after the mark stay with the sentence they close, and the opening marks
“ ‘ 「 『 《 （ 【 go with the sentence they open.
"""

from __future__ import annotations

import logging

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer

from framing.scripts import UNSPACED_LANGUAGES

# spaCy keeps every word type it has tokenized (about 0.5 KiB each: lexeme, strings, maps) for
# as long as the pipeline lives; past this many, the shared pipeline is replaced by a new one
VOCAB_LIMIT = 100_000
_shared: dict[str, Language] = {}


# Languages written without spaces between words: their patterns match characters, not words
# (framing.tag.characters), and their tokens come from a word segmenter.
UNSPACED = UNSPACED_LANGUAGES
# what ends a Chinese sentence: the sentencizer's marks less the full stops of Latin script, which
# in Chinese text stand in abbreviations ("U.S." is U . S . to jieba) and numbers, not at ends
ZH_SENTENCE_MARKS = frozenset(Sentencizer.default_punct_chars) - {".", "．", "﹒"}
# Chinese opening marks: unlike „ or “ in German, each of them only ever opens
ZH_OPENING = frozenset("“‘「『《〈（【〔")


def new_pipeline(language: str) -> Language:
    """A new blank spaCy pipeline with sentence boundaries for ``language`` (``xx`` if unknown)."""
    if language == "zh":  # no fallback: a missing segmenter must fail, not tag Chinese as one word a sentence
        return _chinese_pipeline()
    try:
        nlp = spacy.blank(language)
    except (ImportError, KeyError, ValueError, OSError):
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("framing_sentence_repairs")
    return nlp


def _chinese_pipeline() -> Language:
    """spaCy's Chinese tokenizer with jieba, the Chinese sentence marks and the repairs."""
    import jieba

    # jieba announces loading its dictionary on stderr at DEBUG level; a command's output is no place for it
    jieba.setLogLevel(logging.WARNING)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("sentencizer", config={"punct_chars": sorted(ZH_SENTENCE_MARKS)})
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
            if doc.lang_ == "zh":  # “《 : Chinese marks open in runs, with no space to tell them by
                j = i - 1
                while j > 1 and opens_quote(doc, j - 1) and not doc[j - 1].is_sent_start:
                    doc[j - 1].is_sent_start, doc[j].is_sent_start = True, False
                    j -= 1
        text_seen = True
    return doc


def opens_quote(doc, i: int) -> bool:
    """Whether token ``i`` is an opening quote mark: white space before it, a word right after it
    (in Chinese: one of the marks that only open, ``ZH_OPENING``)."""
    mark = doc[i]
    if doc.lang_ == "zh":
        return mark.text in ZH_OPENING and i > 0
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
