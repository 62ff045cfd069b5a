"""The rule tagger: globs, phrases, NEAR, negation, German compounds, offsets, article rows."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from framing.study.codebook import load_codebook
from framing.tag.rules import RuleTagger

MINI = Path(__file__).parent / "fixtures" / "mini-codebook.yml"


@pytest.fixture(scope="module")
def tagger() -> RuleTagger:
    return RuleTagger(load_codebook(MINI), min_hits=2)


def found(tagger, text, language="en"):
    return [(h.frame, text[h.start:h.end], h.negated) for h in tagger.hits(text, language)]


def test_rules_globs_phrases_and_case(tagger):
    text = "SURVEILLANCE grows. Critics see Big Brother and an Orwellian police state."
    assert found(tagger, text) == [("surveillance", "SURVEILLANCE", False), ("surveillance", "Big Brother", False),
                                   ("surveillance", "Orwellian", False), ("surveillance", "police state", False)]


def test_rules_phrase_needs_adjacent_words_in_order(tagger):
    assert found(tagger, "The brother was big. Unpaid taxes, not debts.") == []
    assert found(tagger, "Unpaid debts piled up.") == [("trust", "Unpaid debts", False)]


def test_rules_near_within_distance_same_sentence_either_order(tagger):
    assert found(tagger, "Her credit was low and the score fell.") == [("trust", "credit was low and the score", False)]
    assert found(tagger, "Her credit was low, and the score fell.") == []  # 6 tokens apart > NEAR/5
    assert found(tagger, "Scores rose while credit was scarce.") == [("trust", "Scores rose while credit", False)]
    assert found(tagger, "Credit was discussed at great length before anyone mentioned a score.") == []
    assert found(tagger, "They gave credit. The score came later.") == []  # different sentences


def test_rules_negation_marks_hits_and_respects_sentence_and_window(tagger):
    assert found(tagger, "This is not a police state.") == [("surveillance", "police state", True)]
    assert found(tagger, "It isn't an Orwellian system.") == [("surveillance", "Orwellian", True)]
    # a negator in another sentence does not count
    assert found(tagger, "No. Orwellian it is.") == [("surveillance", "Orwellian", False)]
    assert found(tagger, "Not what anyone would call very Orwellian.")[0][2] is False  # beyond 3 tokens


def test_rules_german_compounds_and_negation(tagger):
    text = "Der Überwachungsstaat wächst, die Videoüberwachung auch. Das ist kein Überwachungsstaat."
    assert found(tagger, text, "de") == [("surveillance", "Überwachungsstaat", False),
                                         ("surveillance", "Videoüberwachung", False),
                                         ("surveillance", "Überwachungsstaat", True)]
    assert found(tagger, "Der SCHUFA-Score und Kreditbetrug.", "de") == [("trust", "SCHUFA-Score", False),
                                                                         ("trust", "Kreditbetrug", False)]


def test_rules_offsets_and_sentences_point_into_the_text(tagger):
    text = "First sentence here.  Then fraud appeared!\nAnd more fraud, with defaulters."
    hits = tagger.hits(text, "en")
    assert [(text[h.start:h.end], h.sentence) for h in hits] == [("fraud", 1), ("fraud", 2), ("defaulters", 2)]
    assert text[hits[0].sentence_start:hits[0].sentence_end] == "Then fraud appeared!"


def test_rules_article_rows_presence_share_and_dominant(tagger):
    article = {"article_id": "a1", "outlet": "X", "language": "en", "published": None,
               "text": "Fraud everywhere. More fraud and defaulters. A police state? Weather was fine."}
    hits, frames = tagger.tag_article(article)
    assert len(hits) == 4
    by_frame = {r["frame"]: r for r in frames}
    assert by_frame["trust"]["hits"] == 3 and by_frame["trust"]["sentences_hit"] == 2
    assert by_frame["trust"]["n_sentences"] == 4 and by_frame["trust"]["sentence_share"] == 0.5
    assert by_frame["trust"]["present"] and by_frame["trust"]["dominant"]
    assert not by_frame["surveillance"]["present"] and not by_frame["surveillance"]["dominant"]  # 1 < min_hits 2


@pytest.mark.parametrize("text", [
    "First sentence here.  Then fraud appeared!\nAnd more fraud, with defaulters.",
    "Dr. Smith said: 'No.' Then he left... Really?! Yes. 3.5 percent (of all) debts.",
    "", "No punctuation at all", "Ends with marks?!", "\n\nLeading space. Trailing space.  ",
])
def test_rules_sentence_starts_equal_spacys_sentencizer(tagger, text):
    from framing.tag.nlp import pipeline_for

    doc = pipeline_for("en")(text)
    expected = [s.start for s in doc.sents] or [0]
    assert tagger.matcher("en").sentence_starts(doc) == expected


def _texts_from(codebook, language: str, n: int, seed: int = 7) -> list[str]:
    """Random texts of the codebook's own words, negators, punctuation and filler: many hits."""
    words = [w for _, p in codebook.patterns(language) for w in p.source.replace("*", "").split()
             if not w.startswith("NEAR/")]
    words += codebook.negators.get(language, []) + ["the", "and", "Dr.", "...", "?!", "-", "(", ")", "well-being",
                                                     "state-run", "SCHUFA-Score", "\n", "  ", "e.g.", "."]
    rng = random.Random(seed)
    return [" ".join(rng.choice(words) for _ in range(rng.randint(0, 60))) for _ in range(n)]


def _word_languages(codebook) -> list[str]:
    """The codebook's languages matched on words (Chinese is matched on characters: test_chinese.py)."""
    from framing.tag.nlp import UNSPACED

    return [language for language in codebook.languages if language not in UNSPACED]


@pytest.mark.parametrize("book", [MINI, "social-credit"])
def test_rules_type_cache_bound_does_not_change_results(book):
    from framing.tag.matcher import LanguageMatcher

    codebook = load_codebook(book)
    roomy, cramped = RuleTagger(codebook, min_hits=2), RuleTagger(codebook, min_hits=2)
    for language in _word_languages(codebook):  # 2 places for every type: constant eviction and relearning
        cramped._matchers[language] = LanguageMatcher(codebook, language, cache_bits=1)
        for n, text in enumerate(_texts_from(codebook, language, 150) * 2):  # twice: cached the second time
            article = {"article_id": str(n), "outlet": "X", "language": language, "published": None, "text": text}
            assert cramped.tag_article(article) == roomy.tag_article(article)


@pytest.mark.parametrize("book", [MINI, "social-credit", "policy-frames"])
def test_rules_word_index_agrees_with_word_matches(book):
    codebook = load_codebook(book)
    for language in _word_languages(codebook):
        matcher = RuleTagger(codebook).matcher(language)
        stems = [w.text for w, _ in matcher.words]
        tokens = {t for s in stems for t in (s, s + "s", "x" + s, "über" + s + "en", s[:-1], s + "-" + stems[0],
                                             "-" + s, s + "-", "a-" + s + "-b", s.upper().lower())}
        for token in tokens:
            expected = frozenset(i for i, (w, compounds) in enumerate(matcher.words) if w.matches(token, compounds))
            assert matcher._index.matching(token) == expected, token


def test_rules_new_pipeline_past_vocab_limit_gives_same_rows():
    from framing.tag.matcher import LanguageMatcher
    from framing.tag.nlp import new_pipeline

    codebook = load_codebook(MINI)
    plain, bounded = RuleTagger(codebook, min_hits=2), RuleTagger(codebook, min_hits=2)
    matcher = bounded._matchers["en"] = LanguageMatcher(codebook, "en",
                                                        vocab_limit=len(new_pipeline("en").vocab) + 30)
    previous, swaps = matcher.nlp, 0
    for n, text in enumerate(_texts_from(codebook, "en", 12)):
        text += " " + " ".join(f"name{n}x{k}" for k in range(10))  # an open vocabulary: new types every text
        article = {"article_id": str(n), "outlet": "X", "language": "en", "published": None, "text": text}
        assert bounded.tag_article(article) == plain.tag_article(article)
        swaps += matcher.nlp is not previous
        previous = matcher.nlp
    assert swaps >= 2 and len(matcher.nlp.vocab) <= matcher.vocab_limit + 200


@pytest.mark.parametrize("batch", [3, 64])   # 1 is tag_article itself
def test_rules_tag_all_in_batches_equals_tag_article(tagger, batch):
    codebook = load_codebook(MINI)
    articles = [{"article_id": str(n), "outlet": "X", "language": language, "published": None, "text": text}
                for language in ("en", "de") for n, text in enumerate(_texts_from(codebook, language, 10))]
    articles = articles[::2] + articles[1::2]  # languages mixed within a batch
    articles += [{"article_id": "e", "outlet": "X", "language": None, "published": None, "text": None},
                 {"article_id": "f", "outlet": "X", "language": "en", "published": None, "text": "Fraud. No fraud"}]
    assert list(tagger.tag_all(articles, batch=batch)) == [tagger.tag_article(a) for a in articles]


def test_rules_languages_without_patterns_share_the_first_languages_matcher(tagger):
    # one matcher (and one type cache) for all of them, not a copy per language code
    assert tagger.matcher("fr") is tagger.matcher("es") is tagger.matcher(None) is tagger.matcher("en")
    article = {"article_id": "a", "outlet": "X", "language": "fr", "published": None,
               "text": "Critics call it an Orwellian nightmare of surveillance."}
    assert tagger.tag_article(article) == tagger.tag_article({**article, "language": "en"})


SENTENCE_CASES = {
    "en": ("Beware the Orwellian Shortcut\nCritics see surveillance everywhere. One said: \"It is a police state.\" "
           "Another disagreed. \"Big Brother is a myth,\" she said.",
           ["Beware the Orwellian Shortcut", "Critics see surveillance everywhere.",
            "One said: \"It is a police state.\"", "Another disagreed.", "\"Big Brother is a myth,\" she said."]),
    "de": ("Der gläserne Bürger\nKritiker sprechen von Überwachung. Er sagte. „Das ist Überwachung.“ "
           "Sie widersprach. »Überwachung gibt es nicht«, sagte sie.",
           ["Der gläserne Bürger", "Kritiker sprechen von Überwachung.", "Er sagte.", "„Das ist Überwachung.“",
            "Sie widersprach.", "»Überwachung gibt es nicht«, sagte sie."]),
}


@pytest.mark.parametrize("language", list(SENTENCE_CASES))
def test_rules_sentences_break_at_line_ends_and_keep_quotes_with_their_sentence(language):
    from framing.annotate.project import sentences

    text, expected = SENTENCE_CASES[language]
    assert [text[s:e].strip() for s, e in sentences(text, language)] == expected  # what coders read
    book = load_codebook("social-credit")
    evidence = {text[h.sentence_start:h.sentence_end] for h in RuleTagger(book).hits(text, language)}
    assert evidence and evidence <= set(expected)  # what the report quotes: the same sentences
