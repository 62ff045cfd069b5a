"""The fast paths of quote extraction and actor linking find what the plain patterns find.

Quotes and actor mentions are found with a few passes over the text instead of a pattern tried at
every character (benchmarks/quotes_overhead.py); each shortcut is checked here against the
plain way it replaces, on text written to trip it: marks at the text's edges, sentence ends that
are none ("U.S.", "1.1"), aliases that overlap, letters whose lower case is longer.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import yaml

from framing.discourse import quotes
from framing.discourse.actors import ActorLinker, _mention_patterns
from framing.discourse.quotes import find_quotes, speech_cues, word_trie
from framing.discourse.voices import Voices
from framing.study.codebook import load_codebook

ACTORS = load_codebook("social-credit").actors

TEXTS = [
    "",
    "said",
    ". said he. Creemers said that the lists are kept by courts in every province.",
    "The U.S. government said 1.1 billion people... are listed?! Beijing said so.\n",
    "Xinhua said: “The system rewards honesty.” “It is a patchwork,” Creemers added. Kostka zufolge ist es gut.",
    "People's Bank of China's central bank said it would act. The People’s Daily, Xinhua and the Global Times "
    "said that the rules were clear to every firm in the country.",
    "(Human Rights Watch) said—without evidence—that the blacklists are rarely reviewed.",
    "MERICS-Studie: Laut MERICS ist das System vor allem ein Werkzeug der Aufsicht über Firmen, sagte Kostka.",
    "İstanbul officials said that Beijing and Washington had talked about the Mercator Institute for China Studies.",
    "According to Human Rights Watch, the blacklists are rarely reviewed by any court. He said so twice.",
    "Die Bundesregierung erklärte, alles sei in Ordnung, so Kostka. Die Reformkommission meldete neue Regeln.",
    "mike pence said china law translate was wrong, according to state council officials in brussels.",
    "The lists are kept by courts in every province of the country,\nsaid Creemers.\nKostka\nsaid that this was so.",
    "The lists are kept by courts in every province of the country,(said Creemers) and “Xinhua”said so too.",
    "国务院：“人民银行和国家发改委”，央行 新华社说。Xinhua 国务院",
]


def _fixture_texts() -> list[tuple[str, str]]:
    fixtures = Path(__file__).parent / "fixtures"
    passages = [p for name in ("quotes.yml", "quotes-heldout.yml")
                for p in yaml.safe_load((fixtures / name).read_text(encoding="utf-8"))["passages"]]
    return [(p["text"], p["language"]) for p in passages]


def _shuffled(seed: int, n: int) -> list[tuple[str, str]]:
    """Fixture passages and the texts above run together, cut at random places, some lower-cased."""
    rng = random.Random(seed)
    pool = _fixture_texts() + [(text, "en") for text in TEXTS] + [(text, "de") for text in TEXTS]
    out = []
    for _ in range(n):
        parts = rng.sample(pool, rng.randint(1, 4))
        text = " ".join(p for p, _ in parts)
        a, b = sorted(rng.randrange(len(text) + 1) for _ in range(2))
        text = rng.choice([text, text[a:], text[:b], text.lower(), text.replace(".", "!")])
        out.append((text, parts[0][1]))
    return out


@pytest.mark.parametrize("text", [t for t, _ in _shuffled(1, 60)] + TEXTS)
def test_the_sentence_around_a_word_is_the_one_the_sentence_pattern_finds(text):
    for sentence in quotes._SENTENCE.finditer(text):
        for at in range(sentence.start(), sentence.end()):
            if re.match(r"\w", text[at]):
                assert quotes._sentence_around(text, at) == sentence.span()
                if "!" not in text and "?" not in text:
                    assert quotes._sentence_around(text, at, dots_only=True) == sentence.span()


@pytest.mark.parametrize("language", ["en", "de", "fr", "zh"])
def test_one_pass_finds_the_mentions_the_plain_patterns_find(language):
    linker = ActorLinker(ACTORS, language, speech_cues(language) if language != "fr" else ())
    plain = _mention_patterns(ACTORS, language, 0, bounded=language != "zh")  # Chinese: inside runs too
    for text, _ in _shuffled(2, 300) + [(t, language) for t in TEXTS]:
        lowered = text.lower()
        if len(lowered) != len(text):
            continue  # the careful path is the plain one
        expected = sorted(((m.start(), m.end(), m.lastgroup) for scan in plain for m in scan.finditer(lowered)),
                          key=lambda m: m[0])
        assert [(m.start, m.start + len(m.name), m.actor) for m in linker.mentions(text)] == expected, text


# pieces that tokenizers split, glue or keep whole: hyphens, apostrophes, abbreviations, units,
# contractions, letters whose lower case is longer, marks of every kind
_PIECES = ["said", "Said", "u.s.", "U.S.-based", "MERICS-Studie", "Creemers'", "Xi's", "according to", "According",
           "„", "“", "—", "ä", "é", "can't", "cannot", "gonna", "y'all", "10km", "2said", "x/said", "said.", "(said",
           "İ", "_said", "sagte", "laut", "Laut-", "zufolge", "so", "hinzu", "People’s Daily", "people's", "Rogier",
           "Creemers", "-said", "'s", "s", "a", "\n", " ", "  ", ",", ".", "Mr.", "Kostka", "Genia", "Xinhua-Agentur",
           "Xi", "Jinping", "Human", "Rights", "Watch", "chinesischen", "Zentralbank", "state", "council", "credit"]


def _scrambled(seed: int, n: int, language: str) -> list[dict[str, str]]:
    rng = random.Random(seed)
    texts = [t for t, _ in _shuffled(seed, n)] + TEXTS
    joints = ["", " ", " ", "-", "'", "\n"]
    texts += ["".join(rng.choice(_PIECES) + rng.choice(joints) for _ in range(rng.randrange(60))) for _ in range(n)]
    return [{"article_id": str(k), "outlet": "o", "language": language, "text": text} for k, text in enumerate(texts)]


@pytest.mark.parametrize("language", ["en", "de", "fr", "zh"])
def test_voices_are_the_same_where_only_the_taggers_watched_tokens_are_looked_at(language):
    """The tag stage hands the voices the tokens where a name or a cue may begin
    (framing.tag.watch): what they find there is what a scan of every word finds."""
    from framing.tag.rules import RuleTagger

    voices = Voices(ACTORS)
    tagger = RuleTagger(load_codebook("social-credit"), watch=voices.watch)
    articles = _scrambled(4, 400, language)
    watched = 0
    for article, (_, _, places) in zip(articles, tagger.tag_all_with_places(articles), strict=True):
        watched += places is not None
        assert voices.of(article, places) == voices.of(article), article["text"]
    # English and German are watched; a language the codebook lacks is tagged as English and
    # Chinese on characters: their places are not the voices' to use
    assert watched == (len(articles) if language in ("en", "de") else 0)


def test_cue_words_that_begin_an_alias_are_looked_at_as_aliases_too():
    """A token that is a cue word is taken for a cue without the lookahead (the mention scan's
    ``cues_alone``); where a cue word also begins an alias ("Report Watch", "Say*") the alias is
    still found, with and without the tagger's tokens."""
    from framing.study.codebook import Actor
    from framing.tag.rules import RuleTagger

    actors = [*ACTORS, Actor(id="report_watch", label="Report Watch", type="organisation",
                             aliases={"en": ["Report Watch"]}),
              Actor(id="sayers", label="Sayers", type="organisation", aliases={"en": ["Say*"]})]
    voices = Voices(actors)
    codebook = load_codebook("social-credit").model_copy(update={"actors": actors})
    tagger = RuleTagger(codebook, watch=voices.watch)
    rng = random.Random(5)
    pieces = [*_PIECES, "Report", "report", "Watch", "Sayers", "says", "say", "reports"]
    texts = ["Report Watch said on Monday that the scores were kept locally. Sayers says so, report staff said.",
             *("".join(rng.choice(pieces) + rng.choice(["", " ", " ", "-", "\n"]) for _ in range(40))
               for _ in range(300))]
    articles = [{"article_id": str(k), "outlet": "o", "language": "en", "text": t} for k, t in enumerate(texts)]
    named = 0
    for article, (_, _, places) in zip(articles, tagger.tag_all_with_places(articles), strict=True):
        found = voices.of(article, places)
        assert found == voices.of(article), article["text"]
        named += sum(m["actor"] in ("report_watch", "sayers") for m in found[1])
    first = voices.of(articles[0])
    assert [m["actor"] for m in first[1]][:2] == ["report_watch", "sayers"]
    assert first[0][0]["actor"] == "report_watch"
    assert named > 50


def test_watched_tokens_are_few_and_hold_every_name_and_cue():
    from framing.tag.rules import RuleTagger

    voices = Voices(ACTORS)
    tagger = RuleTagger(load_codebook("social-credit"), watch=voices.watch)
    text = ("Officials said the credit system was new. Xi  Jinping spoke. The People’s Daily cannot say, "
            "according to Human Rights Watch, whether U.S. officials agree.")
    (_, _, places), = tagger.tag_all_with_places([{"article_id": "a", "outlet": "o", "language": "en",
                                                  "text": text}])
    words = [text[start:start + length] for start, length in places]
    # "credit" alone begins no alias ("credit reference center" needs its next word), "the" none at all
    assert {"said", "Xi", "People", "according", "Human", "U.S."} <= set(words)
    assert "credit" not in words and "the" not in words and "Officials" not in words
    assert len(words) < len(text.split()) / 2


@pytest.mark.parametrize("text", ["The said the Cafésaid list grew.", "Those said rules at 人民日报said nothing new.",
                                  "The said d ésaid o"])
def test_a_cue_glued_to_a_letter_outside_ascii_is_no_cue_on_any_path(text):
    """"Cafésaid" holds no speech verb: the scan that may report a place there, the tagger's
    places and the plain patterns all find no quote."""
    from framing.tag.rules import RuleTagger

    voices = Voices(ACTORS)
    article = {"article_id": "a", "outlet": "o", "language": "en", "text": text}
    (_, _, places), = RuleTagger(load_codebook("social-credit"), watch=voices.watch).tag_all_with_places([article])
    linker = ActorLinker(ACTORS, "en", speech_cues("en"))
    assert voices.of(article)[0] == voices.of(article, places)[0] == []
    assert find_quotes(text, "en", linker.mentions).quotes == []


def test_a_watched_word_the_tokenizer_splits_is_reported_at_its_first_piece():
    """spaCy splits "cannot" and "gonna" inside their letters: the piece that begins such a word
    is reported; the same letters standing alone ("can not") are not."""
    from framing.tag.matcher import LanguageMatcher

    matcher = LanguageMatcher(load_codebook("social-credit"), "en",
                              watch_words=["cannot", "gonna", "xi jinping", "u.s. government", "chinese*"])
    text = "I cannot go, gonna stay. Xi  Jinping and the U.S. government, Chinese-made. A can not. Xi went."
    places: list[list[tuple[int, int]]] = []
    matcher.evidence(matcher.parse_many([text]), [text], places)
    assert [(text[start:start + length], start) for start, length in places[0]] == \
        [(word, text.index(word)) for word in ("can", "gon", "Xi", "U.S.", "Chinese")]


@pytest.mark.parametrize("language", ["en", "de"])
def test_quotes_are_the_same_with_the_cue_places_of_the_mentions_pass(language):
    linker = ActorLinker(ACTORS, language, speech_cues(language))
    for text, _ in _shuffled(3, 300) + [(t, language) for t in TEXTS]:
        named, cues = linker.scan(text)
        assert find_quotes(text, language, lambda _, named=named: named, cue_starts=cues) == \
            find_quotes(text, language, linker.mentions)


def test_the_cue_scan_finds_every_cue_the_plain_pattern_finds():
    for language in ("en", "de"):
        cue = re.compile(r"\b(?:" + "|".join(speech_cues(language)) + r")\b")
        rules = quotes._reported_patterns(language)
        for text, _ in _shuffled(4, 200):
            assert {m.start() for m in cue.finditer(text)} <= set(rules.cues(text)), text


def test_capitalized_names_are_those_of_the_plain_pattern():
    plain = re.compile(r"(?<![.!?]\s)(?<![.!?][”\"’]\s)(?<!^)\b[A-Z][a-z’'-]+(?:[ \t]+[A-Z][a-z’'-]+){1,2}\b")
    for text, _ in _shuffled(5, 200) + [(t, "en") for t in TEXTS]:
        assert [m.span() for m in quotes._EN_NAME.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_a_trie_matches_the_words_it_is_made_of_and_no_others():
    words = ["said", "says", "say", "sagte", "sagte er", "u", "us", "u.s.", "pointed out", "ant"]
    trie = re.compile(rf"(?:{word_trie(words)})")
    for word in words:
        assert trie.fullmatch(word)
    for other in ["sai", "sa", "sagt", "sagte e", "pointed", "an", "u.", "", "saidx"]:
        assert trie.fullmatch(other) is None


def test_voices_of_an_article_in_every_language():
    voices = Voices(ACTORS)
    article = {"article_id": "a", "outlet": "X", "text": TEXTS[4]}
    for language in ("en", "de"):
        quoted, named = voices.of({**article, "language": language})
        assert [m["actor"] for m in named] == ["xinhua", "rogier_creemers", "genia_kostka"]
        # in German, "Kostka zufolge ist es gut" reports Kostka
        assert [q["actor"] for q in quoted] == (["xinhua", "rogier_creemers"] if language == "en" else
                                                [None, None, "genia_kostka"])
    for language in ("fr", ""):  # the codebook has no aliases in them, and the quote rules know neither
        assert voices.of({**article, "language": language}) == ([], [])


def _reported_plainly(text: str, spans: list[tuple[int, int]], language: str) -> list[quotes.Quote]:
    """Reported speech the plain way: every sentence, a cue looked for in each, every pattern tried."""
    rules = quotes._reported_patterns(language)
    found = []
    for sentence in quotes._SENTENCE.finditer(quotes._without_quotes(text, spans)):
        body = sentence.group().strip()
        if len(body) > quotes.MAX_SENTENCE_CHARS or not rules.cue.search(body):
            continue
        offset = sentence.start() + sentence.group().index(body[:1]) if body else sentence.start()
        after_quote = any(sentence.start() <= start <= offset for start, _ in spans)
        if (quote := quotes._read_sentence(text, body, offset, language, None, after_quote)) is not None:
            found.append(quote)
    return found


@pytest.mark.parametrize("language", ["en", "de"])
def test_reported_speech_is_what_reading_every_sentence_finds(language):
    linker = ActorLinker(ACTORS, language, speech_cues(language))
    for text, _ in _shuffled(6, 400) + [(t, language) for t in TEXTS]:
        spans = quotes._quoted_spans(text, [])
        expected = _reported_plainly(text, spans, language)
        assert quotes._reported(text, spans, language) == expected, text
        assert quotes._reported(text, spans, language, linker.scan(text)[1]) == expected, text


@pytest.mark.parametrize("language", ["en", "de"])
def test_pronouns_resolve_as_when_names_are_looked_for_in_the_whole_text(language):
    """Names are looked for only up to the last quote that needs one: the same as in the whole text."""
    linker = ActorLinker(ACTORS, language)
    for text, _ in _shuffled(7, 400) + [(t, language) for t in TEXTS]:
        spans = quotes._quoted_spans(text, [])
        quoted = [q for start, end in spans if (q := quotes._attribute(text, start, end, language))]
        quotes._continue_speakers(quoted, text)
        quoted = quotes._partial_quotes(quoted, quotes._reported(text, spans, language))
        named = linker.mentions(text)
        front = quotes._front_matter_end(text)
        expected = list(quoted)
        quotes._resolve_references(expected, text, language, lambda _, named=named: named, spans, front,
                                   names_to=len(text))
        quotes._resolve_references(quoted, text, language, lambda _, named=named: named, spans, front)
        assert quoted == expected, text


def test_a_capitalized_name_where_an_actor_is_named_and_one_that_starts_before_it():
    linker = ActorLinker(ACTORS, "en")
    # the actor's mention "Xi Jinping" and the capitalized name "Xi Jinping Thought" start together:
    # the capitalized name comes later in the order, and wins
    text = "Delegates studied Xi Jinping Thought for hours. “We must study it again and again,” he said."
    assert [q.resolved for q in find_quotes(text, "en", linker.mentions).quotes] == ["Xi Jinping Thought"]
    # "Professor Genia Kostka" starts before the mention: read from the mention on, the names would
    # be "Genia Kostka Jr", which is no name of the text
    text = "We met Professor Genia Kostka Jr in Munich. “Most people like the system a lot,” she said."
    assert [q.resolved for q in find_quotes(text, "en", linker.mentions).quotes] == ["Genia Kostka"]
    # "A spokesman" is someone not named before: the speaker as written, standing for no earlier name
    text = ("Xinhua reported: “The State Council has approved new guidelines on credit repair.” A spokesman said "
            "that the rules would be applied in every province soon.")
    assert [(q.speaker, q.resolved) for q in find_quotes(text, "en", linker.mentions).quotes] == [
        ("Xinhua", None), ("A spokesman", None)]


def _subject_first_sentences() -> list[str]:
    """Sentences of the subject-first pattern's kinds ("Officials in Beijing also said that …"), put
    together from its parts, as written and lower-cased; and sentences of random words (the
    synthetic corpus: speech verbs among words of every kind)."""
    from framing.demo.synthetic import news_articles

    conjunctions = ["", "But ", "And ", "Meanwhile "]
    subjects = ["Officials", "Rights groups", "Several foreign executives", "human-rights researchers", "Creemers",
                "Rogier Creemers", "Ursula von der Leyen", "He", "they", "The researcher", "the central bank",
                "A spokesman", "Xinhua's editor", "Twenty-one of them", "Roughly a third of respondents",
                "68 per cent", "Most", "The People's Bank of China", "Mr. Smith", "Dr. Jane Lee", "Police",
                "Local officials", "women", "BEIJING (AP) - Officials", "The Institute for China Studies",
                "Their lawyers", "Both", "Some 40 firms", "Half of them", "It"]
    posts = ["", " in Beijing", " at the ministry in the capital city", " who have studied it for years",
             " we interviewed", " surveyed", " of the firm", " from the eastern province of Zhejiang"]
    adverbs = ["", " also", " quickly", " themselves", " still", " often"]
    auxiliaries = ["", " have", " has long", " had already", " would", " will also"]
    verbs = [" said that the rules were clear to them", " warned the plan would fail soon", " says it is local",
             " told reporters the lists are local", " argued that it was fine", " told us that nothing changed"]
    rng = random.Random(8)
    sentences = []
    for _ in range(3000):
        sentence = "".join(rng.choice(part) for part in (conjunctions, subjects, posts, adverbs, auxiliaries, verbs))
        sentence = sentence[0].upper() + sentence[1:] + "."
        sentences += [sentence, sentence.lower()] if rng.random() < 0.2 else [sentence]
    for article in news_articles(40, 600, seed=3):
        sentences += [m.group().strip() for m in quotes._SENTENCE.finditer(article["text"])]
    for text, _ in _fixture_texts() + _shuffled(9, 200):
        sentences += [m.group().strip() for m in quotes._SENTENCE.finditer(text)]
    return [s for s in sentences if s]


def test_the_subject_check_holds_wherever_the_subject_first_pattern_matches():
    """_subject_may_end rules sentences out before the subject-first pattern is tried: by the
    words before a cue (at most SUBJECT_WORDS, not ending in "the", "of", …), and by what the words
    before the pattern's verb may be (with no comma before it: :data:`quotes._LEAD`, or a sentence
    that opens otherwise). Wherever the pattern matches, the second holds at its verb, and the
    check is the first alone."""
    rules = quotes._reported_patterns("en")
    pattern, _, without_lead = rules.patterns[rules.subject_first]
    matched = ruled_out = 0
    for body in _subject_first_sentences():
        if quotes._OPENS_OTHERWISE.match(body):
            assert quotes._MAY_OPEN_OTHERWISE.match(body), body  # the first words' test lets it through
        cues = list(rules.cues(body))
        words_before = any(at > 0 and body.count(" ", body.rfind(",", 0, at) + 1, at) <= quotes.SUBJECT_WORDS and
                           quotes._word_before(body, at) not in quotes._NOT_SUBJECT_END for at in cues)
        for regex in (pattern, without_lead):
            if (found := regex.match(body)) is None:
                continue
            at = next(found.start(verb) for verb in ("verb", "verb2", "verb3") if found.group(verb) is not None)
            assert at in cues, body
            assert "," in body[:at] or quotes._LEAD.match(body) or quotes._OPENS_OTHERWISE.match(body), body
            assert quotes._subject_may_end(body, 0, cues, rules) == words_before, body
            assert quotes._subject_may_end(body, 0, None, rules) == words_before, body
            matched += 1
        ruled_out += words_before and not quotes._subject_may_end(body, 0, cues, rules)
    assert matched > 3000 and ruled_out > 500  # the sentences try both sides


def test_without_a_comma_only_the_subject_first_pattern_can_match():
    """_read_sentence tries the subject-first pattern alone on a sentence without a comma, a
    semicolon or "According to" (the caller's check): no other English pattern matches one."""
    rules = quotes._reported_patterns("en")
    bare = 0
    sentences = _subject_first_sentences()
    # every other pattern holds a literal comma or semicolon (the "According to" one too)
    for body in sentences + [s.replace(",", "") for s in sentences[-400:]]:
        if "," in body or ";" in body or "According to" in body:
            continue
        bare += 1
        for number, (pattern, _, without_lead) in enumerate(rules.patterns):
            if number != rules.subject_first:
                assert pattern.match(body) is None and without_lead.match(body) is None, (number, body)
    assert bare > 3000


def test_the_subject_first_pattern_without_that_matches_as_the_whole_one():
    """A sentence without "that" is read with the subject-first pattern whose "said that …" branch
    fails at once (``_Reported.without_that``): the same match, group by group, as the whole
    pattern's, with and without its lead-in clause."""
    rules = quotes._reported_patterns("en")
    pattern, _, without_lead = rules.patterns[rules.subject_first]
    sentences = _subject_first_sentences()
    matched = 0
    for body in sentences + [s.replace("that", "") for s in sentences]:
        if "that" in body:
            continue
        for whole, without_that in zip((pattern, without_lead), rules.without_that, strict=True):
            assert without_that.groupindex == whole.groupindex
            found, found_without = whole.match(body), without_that.match(body)
            assert (found and found.regs) == (found_without and found_without.regs), body
            matched += found is not None
    assert matched > 3000


def _plainly_written(source: str) -> str:
    """An English pattern as written before its runs were taken whole (``++``, ``*+``), a quantity's
    first letter looked at first, the white space before what follows a subject taken once and
    the openings that may start a role or a quantity written as a trie."""
    end = quotes._SUBJECT_END
    post = (rf"(?:\s+(?:in|at|of|from|for|with|across|outside|inside|near|on)\s+(?:[\w’'-]+\s+){{0,5}}?{end}"
            rf"|\s+who\s+(?:[\w’'-]+\s+){{0,6}}?{end}|\s+(?:we|I)\s+(?:interviewed|spoke\s+to|met|asked|surveyed)"
            r"|\s+(?:interviewed|surveyed|polled|questioned|asked))?")
    openings = [word for word in quotes._OPENINGS if len(word) == 2]
    source = source.replace(quotes._POST["en"], post).replace(f"(?=(?i:[{quotes._QUANTITY_FIRST}])|\\d)", "")
    source = source.replace(f"(?i:{word_trie(openings)})", f"(?i:{'|'.join(sorted(openings))})")
    return source.replace("++", "+").replace("*+", "*").replace("}+", "}")


def test_runs_taken_whole_match_as_the_patterns_written_plainly():
    """The English patterns take a run of characters whole where a shorter one could only fail
    (``[\\w’'-]++\\s+``, ``[A-Z][\\w-]*+['’]s``, a role's last word and a subject's, before white
    space, a comma, ".!?:" or the end in every pattern they are part of), look at a quantity's
    first letter first and take the white space before what follows a subject once: each pattern
    matches as written without that, group by group (the reported-speech patterns, a direct
    quote's attribution, the subject-first pattern's gate, a role, a quantity); and the gate, one
    pattern, holds where its three parts do."""
    rules = quotes._reported_patterns("en")
    attribution = quotes._attribution("en")
    sentences = _subject_first_sentences()
    starts = [" ".join(s.split()[:n]) for s in sentences[::7] for n in (1, 2, 3, 5)]
    after, before = [], []  # the words after and before each quote of the texts, as _attribute reads them
    for text, _ in _fixture_texts() + _shuffled(12, 200):
        for start, end in quotes._quoted_spans(text, []):
            after.append(text[end + 1:end + 200])
            before.append(quotes._SENTENCE_BREAK.split(text[max(0, start - 200):start - 1])[-1])
    after += [s[at:] for s in sentences[::3] for at in range(len(s)) if s[at] == ","]
    before += [s[:at + 1] for s in sentences[::3] for at in range(len(s)) if s[at] in ",:"]
    checks = [(p, "match", sentences) for number, (pattern, _, without_lead) in enumerate(rules.patterns)
              for p in (pattern, without_lead)]
    checks += [(p, "match", sentences) for p in rules.without_that]
    checks += [(p, "match", after) for p in attribution.after_ended + attribution.after_open]
    checks += [(p, "search", before) for p, _ in attribution.before]
    checks += [(p, "match", sentences) for p in (quotes._OPENS_OTHERWISE, quotes._MAY_OPEN_OTHERWISE,
                                                 quotes._SUBJECT_LEADS)]
    checks += [(p, "fullmatch", starts) for p in (quotes._QUANTITY_MATCH, quotes._ROLE["en"])]
    changed = matched = 0
    for pattern, how, texts in checks:
        plain = re.compile(_plainly_written(pattern.pattern))
        changed += plain.pattern != pattern.pattern
        for text in texts:
            found, found_plainly = getattr(pattern, how)(text), getattr(plain, how)(text)
            assert (found and found.regs) == (found_plainly and found_plainly.regs), (pattern.pattern[:60], text)
            matched += found is not None
    assert changed >= 20 and matched > 20000
    for body in sentences:
        assert (quotes._SUBJECT_LEADS.match(body) is not None) == (quotes._LEAD.match(body) is not None or (
            quotes._MAY_OPEN_OTHERWISE.match(body) is not None and quotes._OPENS_OTHERWISE.match(body) is not None))


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_speaker_is_linked_as_by_trying_every_actor_pattern(language):
    """actor_of rules a speaker out by one pass of the mentions' patterns: the same actor as the
    first actor's pattern (in codebook order) that matches the speaker's words."""
    linker = ActorLinker(ACTORS, language)
    plain = [(actor_id, pattern) for actor_id, pattern in linker._patterns]
    rng = random.Random(10)
    speakers = []
    for text, _ in _shuffled(11, 150) + [(t, language) for t in TEXTS]:
        words = text.split()
        for _ in range(5):
            at = rng.randrange(len(words) + 1)
            speakers.append(" ".join(words[at:at + rng.randint(1, 6)]))
    linked = 0
    for speaker in speakers + [a for actor in ACTORS for a in actor.aliases.get(language, [])]:
        expected = next((actor_id for actor_id, pattern in plain if pattern.search(speaker)), None) if speaker else None
        assert linker.actor_of(speaker) == expected, speaker
        linked += expected is not None
    assert linked > 50
