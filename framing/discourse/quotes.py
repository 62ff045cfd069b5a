"""Quotations in news text: direct quotes and reported speech, with their speakers.

Direct quotes are spans between quotation marks: English “…”, "…" and ‘…’, German „…“,
»…« and ‚…‘ (French «…» too); a quote may span sentences, and marks of another kind inside
it (a quote within a quote) belong to it. Scare quotes are not quotations: a span of fewer
than ``MIN_WORDS`` words counts only when a speech verb stands beside it.

The speaker is looked for next to the quote, in the patterns of news writing: after it
(", said Creemers." / ", Creemers said." / ", sagte Kostka." / ", so Kostka."), or before it
("Creemers said: …", "He writes: …", "Laut Kostka: …"). Reported speech is a sentence of the
form "According to X, …", "X said (that) …", "X warned …", "Laut X …", "X zufolge …",
"…, sagte X." or "…, so X." without quotation marks.

A pronoun or a role noun ("he", "the researcher", "sie", "die Forscherin") stands for the
last named speaker before it, or the last person named in the text. The speaker's words are
kept as written (``speaker``); :func:`link_speakers` resolves them to the codebook's actors.

Bad input is bounded, not fatal: an opening mark without its closing one within
``MAX_QUOTE_CHARS`` is skipped and counted (``problems``), so an unbalanced mark in one
paragraph does not swallow the rest of the article.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from framing.discourse.records import Mention, Quote, QuoteScan

MAX_QUOTE_CHARS = 3000  # a quotation longer than this is an unbalanced mark, not a quotation
MAX_SENTENCE_CHARS = 600  # longer "sentences" (a run-on without full stops) are not read for reported speech
MIN_WORDS = 4           # shorter spans are quoted terms ("the 'social credit' system") unless a verb is beside them
SUBJECT_WORDS = 12      # a speech verb further into its clause has no subject of its own before it
MIN_REPORTED_WORDS = 3  # a shorter reported clause is no statement ("Officials insist things are improving")

# opening mark -> the closing marks that end it
_CLOSERS = {"“": "”", "„": "“”", "»": "«", "«": "»", '"': '"', "‘": "’", "‚": "‘’"}
_SINGLE = {"‘", "‚"}  # their closers double as apostrophes: only a closer before a non-letter ends them

def word_trie(words: Iterable[str | tuple[str, ...]]) -> str:
    """A regex source that matches exactly the given words, written as a trie.

    ``re`` tries a flat alternation ``said|says|...`` word by word at every position; the trie
    ``sa(?:id|ys)|...`` rules most positions out at their first letter. It matches the same
    strings, with backtracking, so ``(?:TRIE)\\b`` holds wherever ``(?:one|of|them)\\b`` does.

    Parameters
    ----------
    words
        Literal words, or sequences of regex pieces matched one after another (``("a", "\\s+", "b")``).

    Examples
    --------
    >>> word_trie(["said", "says", "say", "told"])
    '(?:sa(?:id|y(?:s)?)|told)'
    >>> bool(re.fullmatch(word_trie(["u", "us"]), "us"))
    True
    """
    sequences = sorted({tuple(map(re.escape, word)) if isinstance(word, str) else word for word in words})
    return _trie(sequences, top=True) if sequences else "(?!)"


def _trie(sequences: list[tuple[str, ...]], top: bool = False) -> str:
    branches: dict[str, list[tuple[str, ...]]] = {}
    for sequence in sequences:
        if sequence:
            branches.setdefault(sequence[0], []).append(sequence[1:])
    parts = [first + _trie(rests) for first, rests in branches.items()]
    if () in sequences:  # a word ends here: the longer ones are optional
        return f"(?:{'|'.join(parts)})?" if parts else ""
    return parts[0] if len(parts) == 1 and not top else f"(?:{'|'.join(parts)})"


VERBS = {
    "en": ("said|says|say|told|tells|tell|added|adds|warned|warns|warn|argued|argues|argue|explained|explains|"
           "wrote|writes|write|noted|notes|note|insisted|insists|insist|claimed|claims|claim|stressed|stresses|"
           "asked|asks|replied|replies|reply|continued|suggested|suggests|suggest|believes|believed|believe|"
           "cautioned|cautions|caution|observed|observes|observe|pointed out|points out|point out|"
           "acknowledged|acknowledges|acknowledge|admitted|admits|admit|recalled|recalls|recall|"
           "concluded|concludes|conclude|estimated|estimates|estimate|maintained|maintains|"
           "countered|counters|reported|reports|report|announced|announces|announce|stated|states|"
           "declared|declares|declare|predicted|predicts|predict|complained|complains|complain|"
           "conceded|concedes|concede|contended|contends|contend|asserted|asserts|assert|confirmed|confirms|"
           "confirm|emphasised|emphasises|emphasise|emphasized|emphasizes|emphasize|agreed|agrees|agree|"
           "responded|responds|respond|feared|fears|fear|worried|worries|worry|hoped|hopes|hope|"
           "promised|promises|assured|assures|assure|wondered|wonders|wonder|alleged|alleges|allege|"
           "testified|testifies|recommended|recommends|recommend|reckons|reckon|remarked|remarks"),
    "de": ("sagte|sagt|sagen|sagten|erklärte|erklärt|erklären|erklärten|warnte|warnt|warnen|warnten|betonte|betont|"
           "betonen|betonten|meinte|meint|meinen|meinten|schreibt|schrieb|schreiben|schrieben|kritisierte|kritisiert|"
           "kritisieren|kritisierten|argumentiert|argumentierte|argumentieren|glaubt|glaubte|glauben|glaubten|"
           "findet|fand|finden|fanden|räumt ein|räumte ein|räumen ein|räumten ein|ergänzte|ergänzt|berichtete|"
           "berichtet|"
           "berichten|berichteten|urteilt|urteilte|urteilen|resümiert|resümierte|mahnte|mahnt|mahnen|meldete|meldet|"
           "melden|teilte mit|teilt mit|teilen mit|kündigte an|kündigt an|erläuterte|erläutert|behauptete|behauptet|"
           "behaupten|fügte hinzu|fügt hinzu|sagte er|sagte sie|erzählt|erzählte|erzählen|erzählten|fürchtet|"
           "fürchtete|fürchten|fürchteten|befürchtet|befürchten|bemängelt|bemängelte|bemängeln|beklagt|beklagte|"
           "beklagen|hofft|hoffte|hoffen|hofften|lobt|lobte|loben|rät|riet|raten|fordert|forderte|fordern|forderten|"
           "versichert|versicherte|versichern|bestätigt|bestätigte|bestätigen|entgegnet|entgegnete|widerspricht|"
           "widersprach|widersprechen|zweifelt|zweifelte|zweifeln|schätzt|schätzte|schätzen|vermutet|vermutete|"
           "vermuten|erinnert|erinnerte|verweist|verwies|verweisen|schildert|schilderte|schildern|antwortet|"
           "antwortete|fragt|fragte|murmelt|murmelte|ruft|rief|unterstreicht|unterstrich|beteuert|beteuerte|"
           "prognostiziert|prognostizierte|klagt|klagte|klagen|mutmaßt|sprach|spricht"),
}
# participles after "hat"/"hatte"/"habe": "Ein Sachverständiger hatte zuvor eingewandt, …"
PARTICIPLES = {"en": "", "de": ("gesagt|erklärt|betont|gewarnt|eingewandt|erwidert|kritisiert|berichtet|angekündigt|"
                               "mitgeteilt|eingeräumt|bestätigt|versichert|behauptet|argumentiert|gefordert|"
                               "geschrieben|hingewiesen|beklagt|bemängelt|vorgeworfen|entgegnet|angemerkt|"
                               "erläutert|unterstrichen|geklagt|gemeldet|beteuert|erzählt")}
# "fügte er hinzu", "hieß es": a verb in two parts around the speaker, or an impersonal one
SPLIT_VERBS = {"en": [], "de": [("fügte", "hinzu"), ("fügt", "hinzu"), ("räumte", "ein"), ("räumt", "ein"),
                                ("räumen", "ein"), ("räumten", "ein"), ("gab", "zu"), ("gibt", "zu"),
                                ("weist", "hin"), ("wies", "hin"), ("weisen", "hin"), ("hält", "dagegen"),
                                ("halten", "dagegen"), ("hielt", "dagegen"), ("wies", "zurück"),
                                ("weist", "zurück"), ("gibt", "an"), ("gab", "an"), ("führt", "aus"),
                                ("führte", "aus"), ("merkt", "an"), ("merkte", "an"), ("stellt", "klar"),
                                ("stellte", "klar"), ("schränkt", "ein"), ("schränkte", "ein")]}
PRONOUNS = {"en": "he|she|they|it|we", "de": "er|sie|es"}
# a role noun after a determiner: "the researcher", "The central bank", "die Forscherin", "ein Sprecher"
_ROLE_STOP = {"en": "who|whom|which|that|in|at|of|on|for|from|with|by|to|and|or|but|said|says|is|was|has|had|have|are",
              "de": "der|die|das|den|dem|des|und|oder|in|im|an|am|auf|aus|bei|mit|von|vom|zu|zur|zum|für|ist|war|hat"}
_ROLE_STOP = {language: word_trie(words.split("|")) for language, words in _ROLE_STOP.items()}
# (In the English patterns a run of characters is taken whole and not given back, ``*+`` and
# ``++``, where a shorter one could only fail: before a character the run cannot hold (a word's
# before white space or an apostrophe), or as a role's, a subject's or a quantity's last word,
# which every pattern they are part of follows with white space, a comma, ".!?:" or the end.
# Trying each shorter run is much of the time the patterns take on a sentence they do not match;
# tests/test_quotes_scan.py checks that they match as written plainly.)
ROLE = {"en": rf"(?:[Tt]he|[Aa]n?|[Oo]ne|[Aa]nother|[Ii]ts|[Tt]heir|[Hh]is|[Hh]er|[A-Z][\w-]*+['’]s)\s+"
              rf"(?:(?!{_ROLE_STOP['en']}\b)[\w’'-]++\s+){{0,3}}(?!{_ROLE_STOP['en']}\b)[a-z][\w-]{{2,}}+",
        "de": rf"(?:[Dd]er|[Dd]ie|[Dd]as|[Ee]in|[Ee]ine)\s+(?:(?!{_ROLE_STOP['de']}\b)[\w’'-]+\s+){{0,3}}"
              r"[A-ZÄÖÜ][a-zäöüß]{2,}(?:-[A-ZÄÖÜa-zäöüß][a-zäöüß]+)*(?![\w-])"}
_INDEFINITE = re.compile(r"(?:[Aa]n?|[Oo]ne|[Aa]nother|[Ee]ine?r?s?m?n?)\s")  # "a spokesman": someone new
# a proper name: capitalized words (or initials), joined by the particles of names and of
# institutions' names ("Ursula von der Leyen", "People's Bank of China", "Institute for China Studies")
_PARTICLES = r"(?:von|van|de|der|den|di|da|du|la|le|al|of|for|in|and|on|&)(?=\s+[A-ZÄÖÜ])"
_WORD = r"(?:(?:Dr|Prof|Mr|Mrs|Ms|St)\.|[A-ZÄÖÜ]\.|[A-ZÄÖÜ][\w’'-]*)"  # titles and initials keep their dot
_NAME = rf"{_WORD}(?:\s+(?:{_WORD}|{_PARTICLES})){{0,6}}"
_NOT_NAMES = {"The", "A", "An", "In", "On", "At", "But", "And", "This", "That", "It", "He", "She", "They", "We",
              "Der", "Die", "Das", "Ein", "Eine", "Er", "Sie", "Es", "Und", "Aber", "Doch", "So", "Laut", "Nach",
              "According", "Mr", "Mrs", "Ms", "Dr", "Herr", "Frau", "Yet", "Still", "Now", "Then", "Also", "Even",
              "Some", "Several", "Many", "Most", "Few", "Other", "Both", "All", "Auch", "Zudem", "Dennoch", "Jetzt",
              "Heute", "Damals", "Zugleich"}
# who speaks in reported speech, besides a name, a role with its determiner and a pronoun: a group
# or an unnamed source with no determiner ("Officials", "Rights groups", "Several foreign executives",
# "human-rights researchers"; "Juristen", "ausländische Firmen"), what follows it that says which
# ("officials in Beijing", "researchers who have studied it", "lawyers we interviewed";
# "Kritiker der Wiesbadener Auskunftei", "ein Unternehmer aus Xinxiang"), and an apposition
# between commas ("Li Xiaoyan, a 31-year-old accountant in Chengdu, said …")
_FUNCTION_WORDS = ("not|also|never|only|just|then|now|still|even|has|have|had|was|were|is|are|will|would|can|"
                   "could|may|might|must|should|do|does|did|be|been|being|that|which|this|these|those|there|it|its|who|whom|"
                   "whose|what|where|why|how|"
                   "their|his|her|our|the|a|an|and|or|but|if|when|while|as|of|to|in|on|at|by|for|with|from")
# heads of an English group with no determiner: plurals ("officials", "rights groups") and these
_PLURALS = "people|police|staff|media|public|majority|minority|men|women|children|clergy|press|youth"
_GROUP_HEAD = rf"[a-z][\w-]+[^\Wsui]s|{word_trie(_PLURALS.split('|'))}"
_PLURAL = re.compile(_GROUP_HEAD)
_GROUP = {
    "en": rf"(?:[\w’'-]++\s+){{0,2}}?(?!{word_trie(_FUNCTION_WORDS.split('|'))}\b)"
          rf"(?:[a-z][\w-]+[^\Wsui]s|{word_trie(_PLURALS.split('|'))})\b",
    "de": r"(?:[a-zäöü][\w-]+\s+){1,2}[A-ZÄÖÜ][\w-]{2,}",
}
# words that start a German sentence without being its subject: "Zugleich räumt er ein, …"
_SENTENCE_ADVERBS = {
    "en": "",
    "de": (r"(?!(?:Zugleich|Dennoch|Doch|Auch|Zudem|Allerdings|Trotzdem|Deshalb|Daher|Jetzt|Heute|Damals|Inzwischen|"
           r"Später|Bisher|Immerhin|Gleichzeitig|Außerdem|Dabei|Damit|Darum|Hier|Dort|So|Nun|Nur|Noch|Schon|Bereits|"
           r"Stattdessen|Dagegen|Umgekehrt|Offenbar|Tatsächlich|Freilich|Gerade|Einerseits|Andererseits|Zwar|Selbst|"
           r"Sogar|Vielmehr|Ebenso|Ebenfalls|Anschließend|Schließlich|Zunächst|Erst|Längst|Bislang|Mittlerweile)\b)"),
}
# how many of a group say it: "twenty-one (of them)", "roughly a third of respondents", "Most", "68 per cent"
_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                 "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred")
# words no subject ends in ("officials in the said" is none): before a speech verb, they rule a
# subject out, a test cheaper than the subject's pattern (:func:`_read_sentence`)
_NOT_SUBJECT_END_WORDS = ("the a an of in to and or but if that which who with for on at by from is was are were "
                          "be been as than not no so its their his her our this these those where when while can "
                          "could may might must should shall do does did said says say told")
_NOT_SUBJECT_END = frozenset(_NOT_SUBJECT_END_WORDS.split())
_SUBJECT_END = rf"(?!{word_trie(_NOT_SUBJECT_END)}\b)[\w’'-]++"
_NUMBER = word_trie(_NUMBER_WORDS.split("|"))
_ABOUT = ("roughly", "about", "nearly", "almost", "around", "some", "only", "just", "over", "more than", "fewer than",
          "less than", "at least")
_SHARES = ("all", "most", "many", "several", "some", "few", "none", "both", "half", "each", "others", "the other",
           "the others", "hundreds", "thousands", "dozens", "a third", "a quarter", "a fifth", "a half", "a majority",
           "a minority", "a handful", "a few")
# a quantity's first letters: looked at first, as its words' branches are tried one by one when
# case does not count ("(?i:a|b)" is "(?i:[ab])", the same characters, "ſ" for "s" too)
_QUANTITY_FIRST = "".join(sorted({word[0] for word in (*_ABOUT, *_SHARES, *_NUMBER_WORDS.split("|"), "the")}))
_QUANTITY = {
    "en": (rf"(?=(?i:[{_QUANTITY_FIRST}])|\d)(?i:(?:{word_trie(_ABOUT)}\s+)?(?:{word_trie(_SHARES)}|"
           rf"the\s+(?:other|remaining)\s+{_NUMBER}|{_NUMBER}(?:-{_NUMBER})?|\d[\d,.]*|"
           rf"(?:{_NUMBER}|\d+)\s+(?:out\s+)?(?:of|in)\s+(?:{_NUMBER}|\d+))"
           rf"(?:\s*(?:per\s*cent|percent|%))?(?:\s+of\s+(?:the\s+|them|those|these)?(?:[\w’'-]++\s+){{0,2}}?"
           rf"{_SUBJECT_END})?)"),
    "de": "(?!)",
}
_POST = {
    # (the white space before them taken once: each branch starts with its word, the one to try)
    "en": (rf"(?:\s++(?:(?:in|at|of|from|for|with|across|outside|inside|near|on)\s+(?:[\w’'-]++\s+){{0,5}}?"
           rf"{_SUBJECT_END}|who\s+(?:[\w’'-]++\s+){{0,6}}?{_SUBJECT_END}"
           r"|(?:we|I)\s+(?:interviewed|spoke\s+to|met|asked|surveyed)|(?:interviewed|surveyed|polled|questioned|asked)))?"),
    "de": r"(?:\s+(?:aus|in|an|bei|von|vom|der|des)\s+(?:[\w-]+\s+){0,2}?[A-ZÄÖÜ][\w-]+)?",
}
_APPOSITION = {
    "en": r"(?:,\s+(?P<appos>(?:(?:a|an|the|one|another|his|her|its|their|who|which|whose|now|then|aged?)\s+|"
          r"[A-Z\d])[^,.;:!?]{1,100}),)?",
    "de": r"(?:,\s+(?P<appos>(?:(?:der|die|das|ein|eine|einer|dessen|deren|seit|selbst)\s+|[A-ZÄÖÜ\d])"
          r"[^,.;:!?]{1,100}),)?",
}


def find_quotes(text: str, language: str = "en", mentions: Callable[[str], list[Mention]] | None = None,
                *, cue_starts: Iterable[int] | None = None) -> QuoteScan:
    """The quotations of a text, in order, with their speakers as written.

    Parameters
    ----------
    text
        An article's text.
    language
        ``en`` or ``de`` (the speech verbs and word order looked for); others are read as ``en``.
    mentions
        Finds names in the text besides the speakers (the codebook's actors:
        :meth:`framing.discourse.actors.ActorLinker.mentions`), for pronouns and role nouns to
        point back to; called only when a quote's speaker is one.
    cue_starts
        Where speech cues (:func:`speech_cues`, in any case) may start, in order, from a pass
        over the text the caller makes anyway (:meth:`framing.discourse.actors.ActorLinker.scan`):
        each is checked, and reported speech is looked for only around them. Every place a cue
        starts must be among them. None: the text is scanned for cues here.

    Examples
    --------
    >>> [(q.text, q.speaker, q.verb) for q in find_quotes('"It is a patchwork of pilots," said Jane Lee.').quotes]
    [('It is a patchwork of pilots,', 'Jane Lee', 'said')]
    """
    language = language if language in VERBS else "en"
    scan = QuoteScan()
    spans = _quoted_spans(text, scan.problems)
    for start, end in spans:
        quote = _attribute(text, start, end, language)
        if quote is not None:
            scan.quotes.append(quote)
    follows: dict[int, int] = {}  # a quote going on from another's speaker: its start -> the other's
    _continue_speakers(scan.quotes, text, follows)
    sources: list[tuple[int, str]] | None = [] if language == "de" else None
    scan.quotes = _partial_quotes(scan.quotes, _reported(text, spans, language, cue_starts, sources))
    if language == "de":
        scan.quotes = _konjunktiv(text, spans, scan.quotes, sources or [], follows)
    front = _front_matter_end(text)
    if front:  # a headline and its standfirst quote no one
        scan.quotes = [quote for quote in scan.quotes if quote.start >= front]
    _resolve_references(scan.quotes, text, language, mentions, spans, front)
    if follows:  # a sentence going on from a quote has its speaker, resolved as there
        at = {quote.start: quote for quote in scan.quotes}
        for index, quote in enumerate(scan.quotes):
            if (source := at.get(follows.get(quote.start, -1))) is not None and source.resolved != quote.resolved:
                scan.quotes[index] = Quote(quote.start, quote.end, quote.text, quote.speaker, quote.verb, False,
                                           source.resolved)
    return scan


def _front_matter_end(text: str) -> int:
    """Where an article's body starts after its headline and standfirst (0: it has neither).

    The headline is a first line without a full stop; the standfirst, the short paragraph after
    it (at most 300 characters, with more paragraphs to come). Their claims and quoted words are
    the editors' summary of the article, not quotations (quotes/README.md).
    """
    first = text.find("\n")
    if first < 0 or first > 200 or not text[:first].strip() or text[:first].rstrip()[-1] in ".!?:;,\"”“»«":
        return 0
    second = text.find("\n", first + 1)
    if 0 < second - first <= 300 and text[second:].strip():
        return second
    return first


def _quoted_spans(text: str, problems: list[str]) -> list[tuple[int, int]]:
    """(start, end) of the words between each pair of marks, outermost pairs only."""
    spans: list[tuple[int, int]] = []
    position = 0
    for at in _places(text, _CLOSERS, 0, len(text)):  # every opening mark, in order
        if at < position:
            continue  # inside the last quote
        mark = text[at]
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        if mark in _SINGLE and (before.isalnum() or not after.isalpha()):
            continue  # an apostrophe, not an opening mark
        if mark == '"' and before.isalnum():
            continue  # a closing straight quote without its opening one (or inches): not an opening
        close = _closing(text, at + 1, mark)
        if close is None:
            problems.append(f"unbalanced {mark} at character {at}: no closing mark within {MAX_QUOTE_CHARS:,} "
                            "characters")
            position = at + 1
            continue
        spans.append((at + 1, close))
        position = close + 1
    return spans


def _places(text: str, chars: Iterable[str], start: int, end: int) -> list[int]:
    """Where any of the characters stands in ``text[start:end]``, in order.

    One ``str.find`` pass per character: a character class pattern (``[“„»«"‘‚]``) costs a
    set lookup per character of the text, these a ``memchr``-like scan each, and an ASCII text
    holds none of the non-ASCII ones.
    """
    ascii_only = text.isascii()
    found = []
    for char in chars:
        if ascii_only and not char.isascii():
            continue
        at = text.find(char, start, end)
        while at >= 0:
            found.append(at)
            at = text.find(char, at + 1, end)
    found.sort()
    return found


def _closing(text: str, start: int, mark: str) -> int | None:
    end = min(len(text), start + MAX_QUOTE_CHARS)
    while (at := min((i for closer in _CLOSERS[mark] if (i := text.find(closer, start, end)) >= 0),
                     default=-1)) >= 0:
        after = text[at + 1] if at + 1 < len(text) else " "
        if mark in _SINGLE and after.isalpha():
            start = at + 1
            continue  # an apostrophe inside the quote: "China’s"
        return at
    return None


@functools.lru_cache(maxsize=4)
def _verbs(language: str) -> str:
    return word_trie(VERBS[language].split("|"))


def _speaker(language: str) -> str:
    # "Die staatliche Nachrichtenagentur Xinhua": a role before a name; the name links the actor
    article = "|[Tt]he" if language == "en" else ""  # "the National Development and Reform Commission"
    return rf"(?:(?:(?:{ROLE[language]}{article})\s+)?{_NAME}|{ROLE[language]}|(?i:{PRONOUNS[language]})\b)"


_ENDS_ATTRIBUTION = (r"(?=\s*(?:[.;:!?]|$)|\s+(?:in|at|on|during|to|after|before|later|again|yesterday|today|"
                     r"gegenüber|am|im|auf|bei|vor|nach)\b[^.!?,]{0,60}[.!?])")
_SENTENCE_BREAK = re.compile(r"[.!?][”“»«\"’']?\s+(?=\S)")  # where the sentence before a quote begins


@dataclass(frozen=True)
class _Attribution:
    """The patterns that find a direct quote's speaker, compiled once per language (they are long:
    built and looked up in ``re``'s cache per quote, they cost more than the matching)."""

    after_ended: list[re.Pattern[str]]  # after a quote that ends its sentence
    after_open: list[re.Pattern[str]]   # after one that does not
    # before the quote, each with a cheaper test the words must pass for it to match: these
    # patterns are searched for, at every position of the sentence, and most quotes have their
    # speaker after them or none
    before: list[tuple[re.Pattern[str], Callable[[str], bool]]]


@functools.lru_cache(maxsize=4)
def _attribution(language: str) -> _Attribution:
    verbs, who = _verbs(language), _speaker(language)

    def after(closing: str) -> list[re.Pattern[str]]:
        patterns = [rf"^\s*,?\s*(?P<verb>{verbs})\s+(?P<who>{who})",          # , said Creemers / , sagte Kostka
                    # , Creemers said / , he said / , officials in Beijing said
                    rf"^\s*,?\s*(?P<who>{who}|{_GROUP[language]}){_POST[language]}\s+(?P<verb>{verbs})\b{closing}"]
        if language == "de":
            patterns.insert(0, rf"^\s*,?\s*(?P<verb>so)\s+(?P<who>{who})")   # , so Kostka.
            patterns.append(r"^\s*,?\s*(?P<verb>hieß|heißt)\s+(?P<who>es)\b")  # , hieß es (weiter)
        if SPLIT_VERBS[language]:  # , fügte er hinzu / , räumte Kostka ein
            firsts, seconds = (word_trie({pair[i] for pair in SPLIT_VERBS[language]}) for i in (0, 1))
            patterns.append(rf"^\s*,?\s*(?P<verb>{firsts})\s+(?P<who>{who})\s+{seconds}\b")
        return [re.compile(p) for p in patterns]

    # He writes: / Creemers said, / According to Kostka:
    ending = r"(?:\s+\w+){0,3}\s*[:,]?\s*$"  # a speech verb, then at most three words before the quote
    said = re.compile(rf"\s{verbs}{ending}").search  # the first pattern's end, as a trie
    before = [(rf"(?P<who>{who})\s+(?P<verb>{verbs}){ending}", lambda words: said(words) is not None),
              (rf"(?P<verb>[Aa]ccording to|[Ll]aut)\s+(?P<who>{who})\s*[:,]?\s*$",
               lambda words: "ccording to" in words or "aut" in words),
              (r"(?P<verb>heißt|hieß)\s+(?P<who>es)\s*[:,]?\s*$", lambda words: True)]  # "In dem Bericht heißt es:"
    return _Attribution(after(_ENDS_ATTRIBUTION), after(""), [(re.compile(p), gate) for p, gate in before])


def _attribute(text: str, start: int, end: int, language: str) -> Quote | None:
    """A quoted span with its speaker from the words after it, else before it; None for a scare quote."""
    after = text[end + 1:end + 200]
    start, end = _stripped(text, start, end)
    words = text[start:end]
    before = _SENTENCE_BREAK.split(text[max(0, start - 200):start - 1])[-1]  # this sentence
    patterns = _attribution(language)
    # After a quote that ends its sentence, "Kostka said." or "he said in an interview." still
    # attribute it, but "Kostka said the rules were clear." is a sentence of its own
    for pattern in patterns.after_ended if words[-1:] in (".", "!", "?") else patterns.after_open:
        if found := pattern.match(after):
            return _quote(start, end, words, found.group("who"), found.group("verb"), language)
    for pattern, gate in patterns.before:
        if gate(before) and (found := pattern.search(before)):
            return _quote(start, end, words, found.group("who"), found.group("verb"), language)
    if len(words.split()) < MIN_WORDS:
        return None  # a quoted term with no one saying it
    return Quote(start, end, words, None, None, True)


# German reported speech goes on in the Konjunktiv after its source: "…, so Faßbender. Auch in Europa
# seien Handelsregister eine staatliche Einrichtung. Der Unterschied liege im Tempo."
# the Konjunktiv I, which German keeps for reported speech, anywhere in the sentence; forms of the
# Konjunktiv II and the ones the past tense shares only in the sentence's first clause ("…, obwohl
# sie es könnten" is no report)
_KONJUNKTIV = re.compile(
    r"\b(?:sei|seien|habe|werde|könne|müsse|solle|wolle|dürfe|möge|gebe|liege|gehe|stehe|komme|bleibe|fehle|"
    r"brauche|gelte|mache|zeige|diene|bedeute|führe|reiche|betreffe|übernehme|entstehe|greife|sinke|spiele|lasse|"
    r"wisse|verliere|erhalte|entscheide|verfüge|verlange|biete|trage|treffe|sehe|finde|halte|nehme|wachse|steige|"
    r"falle|koste|erreiche|ermögliche|verhindere|schütze|schaffe|leiste|erfülle|entspreche|beruhe|hänge|"
    r"funktioniere|existiere|basiere)\b"
    r"|^[^,]*?\b(?:hätte|hätten|würde|würden|könnten|müssten|dürften|gäbe|wäre|wären|verlören|erhielten|gingen|"
    r"kämen|stünden|lägen|bekämen)\b")
KONJUNKTIV_CHAIN = 4  # how many sentences a source's Konjunktiv report may go on for


def _konjunktiv(text: str, spans: list[tuple[int, int]], quotes: list[Quote], sources: list[tuple[int, str]],
                follows: dict[int, int]) -> list[Quote]:
    """The quotes with the Konjunktiv sentences that go on from a quote's or a source's sentence,
    each with that speaker (``follows``: its start -> the start of the quote it goes on from)."""
    blanked = _without_quotes(text, spans)
    # where each attributed sentence ends: (speaker, the quote's start or -1 for a source, chain length)
    ends: dict[int, tuple[str, int, int]] = {end: (who, -1, 0) for end, who in sources}
    for quote in quotes:
        if quote.speaker is not None and (end := _SENTENCE_END.search(blanked, quote.end)) is not None:
            ends[end.end()] = (quote.speaker, quote.start, 0)
    taken = sorted((q.start, q.end) for q in quotes)
    added = []
    for sentence in _SENTENCE.finditer(blanked):
        start, read_to = sentence.span()
        before = len(blanked[:start].rstrip())
        if (attributed := ends.get(before)) is None or attributed[2] >= KONJUNKTIV_CHAIN:
            continue
        if not _KONJUNKTIV.search(sentence.group().strip()):
            continue
        at = bisect.bisect_left(taken, (read_to,))
        if at and taken[at - 1][1] > start:
            continue  # the sentence holds a quote of its own
        said_start, said_end = _stripped(text, start, read_to)  # the whole sentence, its full stop too
        words = " ".join(text[said_start:said_end].split())
        if len(words.split()) < MIN_WORDS:
            continue
        who, origin, chain = attributed
        added.append(Quote(said_start, said_end, words, who, None, False))
        follows[said_start] = origin if origin >= 0 else said_start
        if origin < 0:
            follows.pop(said_start)
        ends[read_to] = (who, origin if origin >= 0 else -1, chain + 1)
    return sorted(quotes + added, key=lambda q: q.start) if added else quotes


def _partial_quotes(direct: list[Quote], reported: list[Quote]) -> list[Quote]:
    """Direct and reported quotes in text order, a reported one that holds a direct one ("Officials
    said that the plan, “drafted in a hurry,” will fail") given up for it: the quoted words are
    counted once, with the reported speaker when they had none."""
    kept = []
    for outer in reported:
        inside = [i for i, q in enumerate(direct) if outer.start <= q.start < outer.end]
        if not inside:
            kept.append(outer)
        for i in inside:
            if direct[i].speaker is None:
                q = direct[i]
                direct[i] = Quote(q.start, q.end, q.text, outer.speaker, outer.verb, True, outer.resolved)
    return sorted(direct + kept, key=lambda q: q.start)


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without white space at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


CONTINUATION_CHARS = 200  # how far a speaker's next quote may follow, with no attribution of its own


def _continue_speakers(quotes: list[Quote], text: str, follows: dict[int, int] | None = None) -> None:
    """A direct quote with no attribution that follows a speaker's quote closely is the same
    speaker going on, as news writes it: “…,” said Lu, a lawyer. “Before, a defaulter …” (in place).
    ``follows``: each such quote's start -> the start of the quote it goes on from."""
    for index in range(1, len(quotes)):
        quote, previous = quotes[index], quotes[index - 1]
        if quote.speaker is None and previous.speaker is not None \
                and quote.start - previous.end <= CONTINUATION_CHARS:
            quotes[index] = Quote(quote.start, quote.end, quote.text, previous.speaker, None, True, previous.resolved)
            if follows is not None:
                follows[quote.start] = follows.get(previous.start, previous.start)


def _quote(start: int, end: int, words: str, who: str, verb: str, language: str) -> Quote:
    return Quote(start, end, words, _trim_name(who, language), verb.strip(), True)


def _trim_name(who: str, language: str) -> str:
    """The speaker without a leading sentence word taken for a name ("But Creemers" -> "Creemers")."""
    parts = who.split()
    while len(parts) > 1 and parts[0] in _NOT_NAMES and parts[0][0].isupper() and parts[1][0].isupper():
        parts = parts[1:]
    return " ".join(parts).rstrip(".,;:")


# a sentence ends at . ! ? before a space or the end: "1.1 billion" and "U.S." do not end one
_SENTENCE = re.compile(r"(?:[^.!?]|[.!?](?!\s|$))+(?:[.!?]+|$)")
_SENTENCE_END = re.compile(r"[.!?](?=\s|\Z)")  # where a _SENTENCE match ends, but at the text's end


def _reported(text: str, spans: list[tuple[int, int]], language: str,
              cue_starts: Iterable[int] | None = None, sources: list[tuple[int, str]] | None = None) -> list[Quote]:
    """Reported speech: sentences that say who said what without quotation marks.

    Only the sentences around a speech cue ("said", "according to") are read: the cues are found
    in one pass over the text and each one's sentence is cut out around it, the same sentences
    :data:`_SENTENCE` splits the text into (a sentence without a cue is never looked at).
    ``sources``: where the sentences that name a source but report nothing end, with the source,
    are added to it (German: :data:`_Reported.source`).
    """
    quotes = []
    rules = _reported_patterns(language)
    blanked = _without_quotes(text, spans)  # offsets are the text's
    read_to = 0  # the end of the last sentence read: a sentence with two cues is read once
    if cue_starts is None:
        places = list(rules.cues(blanked))
    else:  # the caller's places may start a cue: those that do, as the sentence checks count them
        cue = rules.cue.match
        places = [at for at in cue_starts if cue(blanked, at)]
    dots_only = "!" not in blanked and "?" not in blanked
    span_starts = [span_start for span_start, _ in spans]
    for index, at in enumerate(places):
        if at < read_to:
            continue
        start, read_to = _sentence_around(blanked, at, dots_only)
        sentence = blanked[start:read_to]
        body = sentence.strip()
        if len(body) > MAX_SENTENCE_CHARS:
            continue  # a run-on: the patterns' work would grow with the square of its length
        offset = start + sentence.index(body[:1]) if body else start
        # "…, said Creemers": the verb comes after a comma, and every verb is a cue
        cues = places[index:bisect.bisect_left(places, read_to, index)]
        subject_ends = False  # checked here: :func:`_read_sentence` need not check again
        if rules.subject_first >= 0 and "," not in body and ";" not in body and "According to" not in body:
            if not _subject_may_end(body, offset, cues, rules):
                continue  # only the pattern that starts with a subject could match, and it cannot
            subject_ends = True
        at_span = bisect.bisect_left(span_starts, start)
        after_quote = at_span < len(spans) and span_starts[at_span] <= offset
        if (quote := _read_sentence(text, body, offset, language, cues, after_quote, subject_ends)) is not None:
            quotes.append(quote)
        elif sources is not None and rules.source is not None and (found := rules.source.match(body)):
            sources.append((read_to, _trim_name(found.group("who") or found.group("who2"), language)))
    return quotes


def _read_sentence(text: str, body: str, offset: int, language: str, cues: list[int] | None,
                   after_quote: bool = False, subject_ends: bool = False) -> Quote | None:
    """The reported speech of one sentence (``body``, at ``offset`` in the text), by the first of
    the language's patterns that matches it; None when none does.

    ``cues``: where the sentence's speech cues start, in the text; with them, a pattern is tried
    only when the words it cannot match without are there (None: every pattern is tried).
    ``after_quote``: the sentence starts with a direct quote, so what follows is its attribution.
    A heading that runs into the sentence (a line without a full stop: "Garbage In, Blacklist
    Out\nLocal officials said …") is not part of it. ``subject_ends``: the sentence holds no comma,
    semicolon or "According to", and :func:`_subject_may_end` holds for it (the caller checked).
    """
    if "\n" in body and (cut := _heading_end(body)):
        offset += cut
        body = body[cut:]
        subject_ends = False  # checked on the sentence with its heading
    if after_quote or body[:1] in ",:":
        return None  # what is left of a direct quote's sentence: its attribution (", the researcher said in …")
    rules = _reported_patterns(language)
    comma = body.find(",")
    if subject_ends and rules.subject_first >= 0:  # without a comma or a semicolon no other pattern can match
        order: Iterable[int] = (rules.subject_first,)
    elif cues is None:
        order = range(len(rules.patterns))
    else:  # the patterns whose words the sentence holds (found in one pass): most sentences have one left
        present = {need for word in rules.need_words.findall(body) for need in rules.within[word]}
        if comma >= 0 and cues[-1] > offset + comma:  # "…, said Creemers": a cue after a comma
            present.add(_CUE_AFTER_COMMA)
        order = rules.tried(frozenset(present))
    for number in order:
        pattern, _, without_lead = rules.patterns[number]
        if number == rules.subject_first:
            if not (subject_ends or _subject_may_end(body, offset, cues, rules)):
                continue  # no verb after a subject: most sentences of a text with many speech verbs end here
            if "that" not in body and rules.without_that is not None:  # English has it, as its subject_first
                pattern, without_lead = rules.without_that
        if (found := (without_lead if comma < 0 else pattern).match(body)) is None:
            continue
        if (quote := _reported_quote(text, body, offset, found, language)) is not None:
            return quote
    return None


def _subject_may_end(body: str, offset: int, cues: list[int] | None, rules: _Reported) -> bool:
    """Whether a speech cue of the sentence may follow its subject: at most SUBJECT_WORDS words
    into its clause (from the sentence's start or a comma), after a word that a subject can end in
    ("Officials in Beijing said", not "the people of said"); and whether the subject-first pattern
    may match before one of them: after a comma, or after words :data:`_LEAD` matches, or in a
    sentence that may open otherwise (:data:`_OPENS_OTHERWISE`; the two as one pattern,
    :data:`_SUBJECT_LEADS`). ``cues`` None: found here."""
    if cues is None:
        cues = [found.start() + offset for found in rules.scan.finditer(" " + body)]
    for at in cues:
        at -= offset
        if at > 0 and body.count(" ", body.rfind(",", 0, at) + 1, at) <= SUBJECT_WORDS and \
                _word_before(body, at) not in _NOT_SUBJECT_END:
            break
    else:
        return False
    # the pattern's verb may come after a comma (where the lead-in clause may end: not checked
    # further) or after words _SUBJECT_LEADS matches (wherever the first check held)
    if (comma := body.find(",")) >= 0 and any(at - offset > comma for at in cues):
        return True
    return _SUBJECT_LEADS.match(body) is not None


def _word_alternatives(words: str) -> str:
    return "|".join(sorted(words.replace("|", " ").split(), key=len, reverse=True))


# What the subject-first pattern (:func:`_reported_patterns`) matches before its verb, in a
# sentence with no comma before it: a dateline, a conjunction, the subject, what follows it ("in
# Beijing", "who …"), an adverb, an auxiliary ("has long"). As whole words, for a subject that is a
# name (capitalized words and particles), a pronoun or a group (up to three words, the last a
# plural): a subject's first word, maybe a name's further words or a group's plural, then nothing,
# a phrase that starts with a preposition or "who" (its words and the adverbs and auxiliary after
# it at most eleven), or an adverb and an auxiliary with its adverb ("also", "has", "still has
# long"); then a speech verb. It matches wherever the pattern does with such a subject
# (tests/test_quotes_scan.py), in a fraction of the time; a random sentence with a speech verb in
# it rarely does.
_CONJUNCTION_WORDS = "But Yet And So Still Now Instead However Meanwhile Indeed Thus Also Even"
_LEAD = re.compile(
    rf"(?:(?:{_word_alternatives(_CONJUNCTION_WORDS)})\s+)?"
    r"(?:\S++(?:\s+(?:[A-ZÄÖÜ]\S*+|(?:von|van|de|der|den|di|da|du|la|le|al|of|for|in|and|on|&)(?!\S))){0,6}"
    rf"|\S++\s+(?:\S++\s+)?(?:\S*s|{_word_alternatives(_PLURALS)})(?!\S))"
    r"(?:\s+(?:in|at|of|from|for|with|across|outside|inside|near|on|who|we|I|interviewed|surveyed|polled|questioned|"
    r"asked)(?!\S)(?:\s+\S++){0,10}"
    r"|(?:\s+(?:\S+ly|themselves|itself|also|still|now|too|often|even|again|long|meanwhile|here|there|alone)(?!\S))?"
    r"(?:\s+(?:has|have|had|will|would)(?!\S)(?:\s+(?:\S+ly|also|long|since|now|already|even)(?!\S))?)?)\s+"
    rf"(?={_verbs('en')}\b)")
# a sentence that may open otherwise: with a dateline, or (after a conjunction) a role, a quantity
# or "the" (:data:`ROLE`, :data:`_QUANTITY`); and first, for most sentences, a test of the first
# word: one that starts as a role's or a quantity's first word may ("th", "a", "so", a digit, an
# apostrophe), the others cannot
_OPENS_OTHERWISE = re.compile(rf"[A-Z][A-Z .'-]|(?:(?:{_word_alternatives(_CONJUNCTION_WORDS)})\s+)?"
                              rf"(?:{ROLE['en']}|{_QUANTITY['en']}|[Tt]he\s)")
_OPENINGS = {word.lower()[:2] for word in " ".join((*_ABOUT, *_SHARES, _NUMBER_WORDS.replace("|", " "),
                                                    "the a an one another its their his her")).split()}
_MAY_OPEN_OTHERWISE = re.compile(
    rf"[A-Z][A-Z .'-]|(?:(?:{_word_alternatives(_CONJUNCTION_WORDS)})\s+)?"
    rf"(?:(?i:{word_trie(w for w in _OPENINGS if len(w) == 2)})"
    rf"|(?i:{'|'.join(sorted(w for w in _OPENINGS if len(w) == 1))})(?!\S)|\S*?(?:'|[^\x00-\x7f])|\d)")
# where the subject-first pattern may match before a cue with no comma before it: after words
# _LEAD matches, or in a sentence that opens otherwise; one call for the three patterns, where most
# sentences took two or three
_SUBJECT_LEADS = re.compile(rf"(?:{_LEAD.pattern})|(?={_MAY_OPEN_OTHERWISE.pattern})(?:{_OPENS_OTHERWISE.pattern})")


def _word_before(body: str, at: int) -> str:
    """The word before position ``at`` of the sentence, lower-cased ("" at its start)."""
    end = at - 1
    while end > 0 and not body[end - 1].isalnum():
        end -= 1
    start = body.rfind(" ", 0, end) + 1
    return body[start:end].lower()


_HEADING = re.compile(r"[^\n]*[^\s.!?:;,\-–—][ \t]*\n[ \t]*(?=[A-ZÄÖÜ\"“„»‘‚])")


def _heading_end(body: str) -> int:
    """Where the sentence starts after the headings that run into it: lines of two to fifteen words
    with no punctuation at their end, followed by a line with a capital (0: none)."""
    cut = 0
    while (found := _HEADING.match(body, cut)) and 2 <= len(body[cut:found.end()].split()) <= 15:
        cut = found.end()
    return cut


def _sentence_around(text: str, at: int, dots_only: bool = False) -> tuple[int, int]:
    """Start and end of the :data:`_SENTENCE` match that holds the word character at ``at``.

    Those matches run from one sentence end (a ``.``, ``!`` or ``?`` before white space or the end
    of the text) to the next, so the bounds are the nearest such ends on either side: found with
    ``str.rfind`` back and :data:`_SENTENCE_END` on, instead of splitting the whole text.
    ``dots_only``: the text has no ``!`` and no ``?`` (one ``rfind`` a step instead of three, and
    ``str.find`` on instead of the pattern).
    """
    start = at
    while True:  # back to the end of the sentence before
        stop = text.rfind(".", 0, start)
        if not dots_only:  # "!" and "?" looked for only after the last "."
            stop = max(stop, text.rfind("!", stop + 1, start), text.rfind("?", stop + 1, start))
        if stop < 0:
            start = 0
            break
        if text[stop + 1].isspace():  # stop + 1 <= at: never the end of the text
            start = stop + 1
            break
        start = stop
    if dots_only:  # on to this sentence's end: the next "." before white space or the text's end
        end = text.find(".", at)
        while 0 <= end < len(text) - 1 and not text[end + 1].isspace():
            end = text.find(".", end + 1)
        return start, len(text) if end < 0 else end + 1
    found = _SENTENCE_END.search(text, at)
    return start, len(text) if found is None else found.end()


def _verb_without(verb: str, who: str) -> str:
    """"fügte er hinzu" -> "fügte hinzu": a verb in two parts, without the speaker between them."""
    return " ".join(verb.replace(who, " ").split())


# a character before a word: every character \w does not match (and some it does: ä, é), as one
# character class, so that ``re`` skips to the next such character in C instead of trying each position
WORD_START = "[^a-zA-Z0-9_]"


@dataclass(frozen=True)
class _Reported:
    """A language's reported-speech rules: where its speech cues are, and the sentence patterns."""

    cue: re.Pattern[str]    # a cue at a position (``match``), e.g. at the text's start
    scan: re.Pattern[str]   # every later cue, with the character before it
    # each with a word it cannot match without, and itself without the optional lead-in clause
    # ("At a conference in Brussels, "): a sentence without a comma cannot have one, and the
    # lead's backtracking is a fifth of the pattern's time
    patterns: list[tuple[re.Pattern[str], str | tuple[str, ...] | None, re.Pattern[str]]]
    # each pattern's words as a set, and one search for all of them: each word found, with the
    # words it holds ("ing that" holds "that")
    needs: list[frozenset[str]] = field(default_factory=list)
    subject_first: int = -1  # the pattern that starts with the subject of its verb (English)
    orders: dict[frozenset[str], tuple[int, ...]] = field(default_factory=dict)
    need_words: re.Pattern[str] = re.compile("(?!)")
    within: dict[str, frozenset[str]] = field(default_factory=dict)

    def tried(self, present: frozenset[str]) -> tuple[int, ...]:
        """The patterns, in order, that a sentence holding the ``present`` words may match."""
        if (order := self.orders.get(present)) is None:
            order = self.orders[present] = tuple(number for number, needs in enumerate(self.needs)
                                                 if not needs or not needs.isdisjoint(present))
        return order

    def __post_init__(self) -> None:
        needs = [frozenset() if words is None else frozenset((words,) if isinstance(words, str) else words)
                 for _, words, _ in self.patterns]
        every = sorted({word for words in needs for word in words if word is not _CUE_AFTER_COMMA}, key=len,
                       reverse=True)
        object.__setattr__(self, "needs", needs)
        object.__setattr__(self, "need_words", re.compile("|".join(map(re.escape, every)) or "(?!)"))
        object.__setattr__(self, "within", {word: frozenset(w for w in every if w in word) for word in every})
    # a sentence that names a source and its speech verb but says nothing after it ("Ant Financial
    # verweist auf die Kraft der Daten."): the Konjunktiv sentences after it are its report (German)
    source: re.Pattern[str] | None = None
    # the subject-first pattern and itself without the lead-in, for a sentence without "that": a
    # match is the same there, and the "said that …" branch, tried at every verb the subject may
    # end before, is about a third of the pattern's time on the sentences it matches
    without_that: tuple[re.Pattern[str], re.Pattern[str]] | None = None

    def cues(self, text: str) -> Iterator[int]:
        """Where the cues start, in order (some twice over: a sentence is read once)."""
        if self.cue.match(text):
            yield 0
        for found in self.scan.finditer(text):
            yield found.start() + 1


def speech_cues(language: str) -> list[str]:
    """The words a sentence of reported speech holds one of (``said``, ``According to``, ``laut``).

    Parameters
    ----------
    language
        ``en`` or ``de``; others get the English cues, as :func:`find_quotes` reads them as English.

    Returns
    -------
    list[str]
        The cue words, case as written (the rules match them so): every speech verb, and the
        words that open or close a report ("According to", "Laut", "zufolge").

    Examples
    --------
    >>> "said" in speech_cues("en") and "laut" in speech_cues("de")
    True
    """
    language = language if language in VERBS else "en"
    if language == "de":
        return [*VERBS["de"].split("|"), "so", "Laut", "laut", "zufolge", "heißt", "hieß", *_NACH_NOUNS,
                *PARTICIPLES["de"].split("|"), *(a for a, _ in SPLIT_VERBS["de"])]
    return [*VERBS[language].split("|"), *_PARTICIPLES_EN, "According to", "according to"]


_CUE_AFTER_COMMA = ", <cue>"  # what a pattern with its verb after a comma needs: a comma, and a cue after it


# "…, warning that …": a speech verb's participle after the clause of its subject
_PARTICIPLES_EN = ("warning", "saying", "arguing", "adding", "noting", "claiming", "insisting", "stressing",
                   "promising", "suggesting", "predicting", "explaining", "acknowledging", "admitting", "complaining",
                   "cautioning", "conceding", "contending", "asserting", "emphasising", "emphasizing", "reporting",
                   "estimating")
_AUXILIARIES = "is|are|was|were|has|have|had|can|could|will|would|should|may|might|must|do|does|did|that"
# the sources of "according to X" and "laut X" sentences: a description of any kind ("a survey by a
# trade credit insurer", "official figures"), up to the comma or the sentence's end
_SOURCE = r"[^,.;:!?]{2,120}?"
# German "Nach Angaben/Schätzungen/Ansicht X …": the noun that says it is a report, and X after it
_NACH_NOUNS = ("Angaben", "Ansicht", "Einschätzung", "Einschätzungen", "Schätzungen", "Worten", "Auffassung",
               "Analyse", "Darstellung", "Berechnungen", "Informationen", "Erkenntnissen", "Meinung", "Überzeugung",
               "Umfragen", "Studien", "Untersuchungen", "Untersuchung", "Recherchen", "Berichten", "Aussage",
               "Aussagen")
_NACH = (r"[Nn]ach\s+(?:(?:einer|einem|ersten|jüngsten|neuen|eigenen|offiziellen|amtlichen|seinen|ihren|"
         rf"[A-ZÄÖÜ][\w-]*s)\s+)?{word_trie(_NACH_NOUNS)}")
_GENITIVE = (r"(?:(?:von|vom|des|der|eines|einer)\s+(?:[a-zäöü][\w-]*\s+){0,2}[A-ZÄÖÜ][\w-]*(?:\s+[A-ZÄÖÜ][\w-]*)?"
             r"|[a-zäöü][\w-]*er\s+[A-ZÄÖÜ][\w-]*)")


def _subject(language: str, who: str) -> str:
    """Who speaks, as the subject of a reported sentence: a name, a role, a pronoun, a group or a
    number of them, what follows it that says which, and an apposition ("Li Xiaoyan, a 31-year-old
    accountant, said")."""
    return (rf"{_SENTENCE_ADVERBS[language]}(?P<who>{_QUANTITY[language]}|{who}|{_GROUP[language]})"
            rf"{_POST[language]}{_APPOSITION[language]}")


@functools.lru_cache(maxsize=4)
def _reported_patterns(language: str) -> _Reported:
    """The speech cues that a sentence may report speech, and the sentence patterns, compiled once."""
    verb_list = VERBS[language].split("|")
    verbs, who = _verbs(language), _speaker(language)
    without_that: str | None = None  # English: the subject-first pattern for a sentence without "that"
    lead = r"(?:[^,.]{0,80},\s+){0,2}"      # "At a conference in Brussels, Creemers said that ..."
    aside = r"(?:\s+[^,.]{0,60}?)?"        # "said on Friday that", "schrieb das Institut in seiner Studie"
    subject = _subject(language, who)
    if language == "de":
        split = "|".join(rf"{a}\s+(?P<who{i}>{who})\s+{b}" for i, (a, b) in enumerate(SPLIT_VERBS["de"]))
        firsts = word_trie({a for a, _ in SPLIT_VERBS["de"]})
        # what is said after the comma: a dass-clause (with its dass), a main clause or an infinitive,
        # not a relative clause about the verb's object ("Sie verwies auf Berichte, auf denen …")
        clause = (r"(?!(?:der|die|das|den|dem|denen|deren|dessen|welche\w*)\s+[a-zäöü])(?!was\b)"
                  r"(?!(?:auf|in|an|mit|von|bei|für|über|unter|aus|nach|zu|um|durch|gegen|vor|wegen)\s+"
                  r"(?:denen|dem|der|den|die|das|deren|dessen|welche\w*)\b)(?P<said>.+)")
        seconds = word_trie({b for _, b in SPLIT_VERBS["de"]})
        # (the pattern, the words it cannot match without): typed, as mypyc checks the types it compiles
        patterns: list[tuple[str, str | tuple[str, ...] | None]]
        patterns = [(rf"^(?P<verb>Laut|Nach Angaben von)\s+(?P<who>{who}|{_GROUP['de']})\s+(?P<said>.+)", None),
                    (rf"^(?P<verb>{_NACH})(?:\s+(?P<who>{_GENITIVE}))?(?P<whole>)\s+\S", "ach "),
                    (rf"^(?P<who>{who}|{_GROUP['de']})\s+(?P<verb>zufolge)\s+(?P<said>.+)", "zufolge"),
                    (rf"^(?P<said>(?:(?!,\s+(?:dessen|deren|denen)\s).)+?),\s+(?P<verb>so|{verbs})\s+{subject}{aside}"
                     r"\s*[.!?]*$", _CUE_AFTER_COMMA),
                    (rf"^(?P<said>.+?),\s+(?P<verb>{split})\s*[.!?]*$", _CUE_AFTER_COMMA),
                    (rf"^(?P<said>.+?),\s+(?P<verb>heißt|hieß)\s+(?P<whoes>es)(?:\s+(?:weiter|auch|dazu)\b)?"
                     rf"(?:\s+(?:in|bei|aus|von|vom|im)\s+(?P<who>{_SOURCE}))?\s*[.!?]*$", _CUE_AFTER_COMMA),
                    (rf"^{lead}{subject}\s+(?P<verb>{verbs}){aside},\s+{clause}", ","),
                    (rf"^{lead}{subject}\s+(?P<verb>{firsts})\s+(?:[^,.]{{0,40}}?\s+)?{seconds},\s+{clause}", ","),
                    (rf"^{lead}{subject}\s+(?:hat|hatte|haben|hatten|habe)\s+(?:[^,.]{{0,40}}?\s+)?"
                     rf"(?P<verb>{word_trie(PARTICIPLES['de'].split('|'))}),\s+{clause}", ","),
                    # "Zugleich räumt er ein, dass …", "Im Interview sagte Kostka, …": the verb before its subject
                    (rf"^[^,.]{{1,50}}?\s(?P<verb>{verbs})\s+(?P<who>{who})(?:\s+[^,.]{{0,40}}?)?,\s+{clause}", ","),
                    (rf"^[^,.]{{1,50}}?\s(?P<verb>{firsts})\s+(?P<who>{who})(?:\s+[^,.]{{0,40}}?)?\s+{seconds},\s+"
                     rf"{clause}", ","),
                    (rf"^(?P<said>.+?)\s(?P<verb>laut|{_NACH})\s+(?P<who>{_GENITIVE}|{who})(?P<whole>)\s",
                     ("laut", "ach ")),
                    (r"^(?P<said>.+?)\s(?P<who>(?:[a-zäöü][\w-]*(?:e|en|er|es|em)\s+)?[A-ZÄÖÜ][\w-]*)\s+(?P<verb>zufolge)\b(?P<whole>)",
                     "zufolge")]
    else:
        conj = (r"(?:[A-Z][A-Z .'-]{2,}(?:,[^,()\-–—]{1,30})?(?:\s*\([^)]{1,40}\))?\s*[-–—]+\s*)?"  # BEIJING (AP) -
                r"(?:(?:But|Yet|And|So|Still|Now|Instead|However|Meanwhile|Indeed|Thus|Also|Even)\s+)?")
        adverb = (r"(?:\s+(?:\w+ly|themselves|itself|also|still|now|too|often|even|again|long|meanwhile|here|"
                  r"there|alone))?")
        aux = r"(?:(?:has|have|had|will|would)\s+(?:(?:\w+ly|also|long|since|now|already|even)\s+)?)?"
        that_aside = rf"(?:\s+(?!(?:{_AUXILIARIES})\b)[^\s,.]++){{0,7}}?"  # "said on Friday", "told reporters"
        # "Such claims have fuelled …", "Media reports suggest …": a noun, not a speech verb
        not_noun = (r"(?!(?:Such|These|Those|Her|His|Their|Its|Our|Your|My|Early|Earlier|Recent|Initial|Official|Media|"
                    r"News|Press|Some|Many|Most|Several|Both|All|Few|Other|Further|Similar|Unconfirmed|The|A|An|This|"
                    r"That|One|Another)\s+(?:[a-z][\w-]+\s+)?"
                    r"(?:claims?|reports?|notes?|estimates?|states|counters|fears?|hopes?|worr(?:y|ies)|promises|cautions|"
                    r"remarks|concerns|observes|admits|answer|reply|replies|responses?)\b)")
        without_object = word_trie(v for v in verb_list if v not in ("told", "tells", "tell", "asked", "asks"))
        listener = (r"(?:us|me|him|her|them|reporters|journalists|lawmakers|(?:the|a|an|his|her|their)\s+"
                    r"(?:[\w’'-]+\s+){0,2}?[a-z][\w-]+|[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*)")
        # "Officials in Beijing said on Friday that …", "Lawyers caution …", "X told reporters …":
        # one pattern, as the three share what comes before their verb
        said_that = rf"(?P<verb>{verbs}){that_aside}\s+that\s+(?P<said>.+)"
        subject_first = (rf"^{lead}{conj}{not_noun}{subject}{adverb}\s+{aux}(?:{said_that}"
                         rf"|(?P<verb2>{without_object})(?:\s+(?:reporters|journalists))?,?\s+(?P<said2>[a-zA-Z].+)"
                         rf"|(?P<verb3>told|tells|tell)\s+{listener}"
                         rf"(?:\s+(?:on|in|at|last|this|earlier)\s+[^,.]{{1,30}}?)?,?\s+(?:that\s+)?(?P<said3>[a-z].+))")
        # the same without "said that …", for a sentence without "that": a branch that fails at once
        # in its place, its groups kept in their order (a match is the same, group by group)
        without_that = subject_first.replace(said_that, r"(?P<verb>(?!))(?P<said>)")
        patterns = [(rf"^(?P<verb>According to)\s+(?P<who>{_SOURCE}),\s+(?P<said>.+)", "According to"),
                    (subject_first, None),
                    (rf"^(?P<said>.+?),\s+{subject}{adverb}\s+(?P<verb>{verbs}){aside}\s*[.!?]*$", _CUE_AFTER_COMMA),
                    (rf"^(?P<said>.+?),\s+(?P<verb>{verbs})\s+(?P<who>{who}|{_GROUP['en']})(?:,[^.!?]*+)?\s*[.!?]*$",
                     _CUE_AFTER_COMMA),
                    (rf"^(?P<said>.+?),\s+{subject}\s+(?P<verb>{verbs}),\s+(?P<rest>.+)", _CUE_AFTER_COMMA),
                    (rf"^(?P<said>.+?),\s+(?P<verb>according to)\s+(?P<who>{_SOURCE})(?:,\s+.+?)?(?P<whole>)"
                     r"\s*[.!?]*$", "according to"),
                    # "…, warning that …", "…, with officials warning that …": the subject's words
                    (rf"^{lead}{conj}{not_noun}{subject}\s[^;:]*?,\s+(?:with\s+(?P<whowith>{who}|{_GROUP['en']})\s+)?"
                     rf"(?P<verb>{word_trie(_PARTICIPLES_EN)})\s+that\s+(?P<said>.+)", ("ing that",)),
                    # "…, and many respondents said they …", "…; in Wuxi, officials said …": a clause of its own
                    (rf"^.+?(?:[,;]\s+(?:and|but|while|whereas|yet)|;)\s+(?:[^,.;]{{0,60}},\s+)?{subject}{adverb}\s+"
                     rf"{aux}(?P<verb>{verbs}){that_aside}\s+(?:that\s+)?(?P<said>[a-zA-Z].+)", (", and", ";", ", but",
                                                                                            ", while", ", yet"))]
    cue = rf"\b{word_trie(speech_cues(language))}\b"
    source = None
    if language == "de":
        source = re.compile(rf"^{lead}{subject}\s+(?P<verb>{verbs})\b"
                            rf"|^[^,.]{{1,50}}?\s(?P<verb2>{verbs})\s+(?P<who2>{who})\b")
    return _Reported(re.compile(cue), re.compile(WORD_START + cue),
                     [(re.compile(pattern), needs, re.compile(pattern.replace(lead, "", 1)))
                      for pattern, needs in patterns], source=source, subject_first=1 if language == "en" else -1,
                     without_that=(re.compile(without_that), re.compile(without_that.replace(lead, "", 1)))
                     if without_that is not None else None)


def _reported_quote(text: str, body: str, offset: int, found: re.Match[str], language: str) -> Quote | None:
    """The quote a reported-speech pattern found in a sentence (``body``, at ``offset`` in the
    text); None when what is said is too short to be a statement."""
    groups = found.groupdict()
    who = groups.get("whowith") or groups.get("who") or \
        next((v for k, v in groups.items() if k.startswith("who") and v), None)
    said_group = next((name for name in ("said", "said2", "said3") if groups.get(name) is not None), "said")
    verb: str = groups.get("verb") or groups.get("verb2") or groups.get("verb3") or ""  # each pattern has one
    if groups.get("whole") is not None:  # "…, according to X, …": the sentence is the report
        said_start = 0
        said = body.strip().rstrip(".!?")
    elif groups.get("rest"):  # "The blacklist, he points out, targets debtors": the words around the aside
        said_start = found.start("said")
        said = body[said_start:].strip().rstrip(".!?")
    else:
        said_start = found.start(said_group)
        said = found.group(said_group).strip().rstrip(".!?")
    if len(said.split(None, MIN_REPORTED_WORDS - 1)) < MIN_REPORTED_WORDS:  # not split into every word
        return None
    if who is None:  # "Nach offiziellen Angaben …": the report is the source
        who = verb.split(None, 1)[-1]
    who = _CONJUNCTION.sub("", who)  # "…, and officials said": the conjunction is not the speaker's
    appos = groups.get("appos")
    if appos and _reference_kind(who, language) != "name" and _names_someone(appos, language):
        who = appos  # "A taxi driver, Yu Hongtao, said": the name, not the role
    said_at = offset + said_start
    start, end = _stripped(text, said_at, said_at + len(said))
    return Quote(start, end, " ".join(text[start:end].split()), _trim_name(who, language), _verb_without(verb, who),
                 False)


_CONJUNCTION = re.compile(r"^(?:and|but|or|yet|while|whereas|und|aber|oder|doch)\s+(?=\S)")


def _names_someone(words: str, language: str) -> bool:
    """Whether an apposition is (or ends in) a name: "Yu Hongtao", "die Soziologin Dr. Verena Holtkamp"."""
    return re.fullmatch(rf"(?:{ROLE[language]}\s+)?{_NAME}", words) is not None and \
        sum(word[:1].isupper() for word in words.split()) >= 2


def _without_quotes(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with each direct quote and its marks blanked (offsets kept): reported speech is
    looked for around quotes, not in them. A quote that ended a sentence still ends it."""
    if not spans:
        return text
    pieces = []
    done = 0
    for start, end in spans:  # in order, apart: each mark pair and the words between become spaces
        ended = text[start:end].rstrip()[-1:] in (".", "!", "?")
        pieces += [text[done:start - 1], " " * (end - start + 1), "." if ended else " "]
        done = end + 1
    pieces.append(text[done:])
    return "".join(pieces)


# role nouns for an organisation, not a person: "the newspaper said", "erklärte die Organisation"
_BODIES = {"en": r"newspaper|paper|agency|chamber|court|bank|tank|institute|organi[sz]ation|group|ministry|"
                 r"government|commission|council|report|statement|company|firm|regulator|planner|broadcaster|outlet",
           "de": r"zeitung|agentur|kammer|gericht|bank|institut|organisation|ministerium|regierung|kommission|rat|"
                 r"blatt|bericht|unternehmen|konzern|behörde|sender|planer"}
_PERSON_PRONOUNS = {"he", "she", "er", "sie"}
# English names are the capitalized words not starting a sentence; German capitalizes every noun.
# Written capital first and the conditions on what stands before it as lookbehinds after it
# ("(?<![.!?]\s)(?<!^)\b[A-Z]..." matches the same), so that ``re`` skips to the capitals in C
# A name stays on its line (a heading above a sentence is none of it), and a word after a sentence
# that ends in a quote starts a sentence too.
_EN_NAME = re.compile(r"[A-Z](?<!^[A-Z])(?<![.!?]\s[A-Z])(?<![.!?][”\"’]\s[A-Z])(?<!\w[A-Z])[a-z’'-]+"
                      r"(?:[ \t]+[A-Z][a-z’'-]+){1,2}\b")
_QUANTITY_MATCH = re.compile(_QUANTITY["en"])
_PRONOUN = {language: re.compile(pronouns) for language, pronouns in PRONOUNS.items()}
_ROLE = {language: re.compile(role) for language, role in ROLE.items()}
_BODY = {language: re.compile(rf"(?:{bodies})$") for language, bodies in _BODIES.items()}


@functools.lru_cache(maxsize=4096)
def _reference_kind(speaker: str, language: str) -> bool | None | str:
    """For a pronoun or definite role noun: True (a person), False (a body), None (either); "new"
    for an indefinite role ("a spokesman", "eine Sprecherin": someone not named before); "name" otherwise."""
    lowered = speaker.lower()
    if _PRONOUN[language].fullmatch(lowered):
        return True if lowered in _PERSON_PRONOUNS else False if lowered in ("it", "es") else None
    if _ROLE[language].fullmatch(speaker):
        words = speaker.split()
        if language == "de" and len(words) >= 4 and all(w[:1].isupper() for w in words[-2:]):
            return "name"  # "der CDU-Obmann Karl-Heinz Wendler": a role and a name
        return "new" if _INDEFINITE.match(speaker) else _BODY[language].search(lowered) is None
    return "name"


_PLACE_WORDS = re.compile(r"(?:\b(?:in|at|into|near|across|through|outside|inside|around|towards?|via|onto|on|"
                          r"the|an?|[Tt]he[ \t]+official)"
                          r"|\b(?:im|am|nach|aus|bei|vom|zum|zur|ins))\s+$")
# capitalized words that start a sentence or a clause, not a name: "In Beijing", "Several said"
_NOT_FIRST_NAME_WORDS = (
    "The A An In On At For From With By To Of And But Or So As If When While This That These Those Its Their His "
    "Her Our Your My Several Some Many Most Few All Both Each Every Other Another Such What Why How Who Where Which "
    "There Here Then Now Yet Still Also Even Only Just After Before Since Until During Under Over Between Among Like "
    "Unlike Despite Although Though Because Asked Meanwhile However Instead Indeed Thus Last Next Early Late Mr Mrs "
    "Ms Dr Prof Professor President Minister Judge Chairman Chairwoman Sir Lord Senator Governor Mayor "
    "Der Die Das Den Dem Des Ein Eine Einer Eines Einem Im Am Auf Aus Bei Mit Nach Von Vom Zu Zum Zur Für Über "
    "Unter Vor Und Oder Aber Doch Auch Wie Wer Was Wo Als Wenn Dass Ob Seit Bis Durch Gegen Ohne Um Laut Herr Frau "
    "Zugleich Dennoch Zudem Allerdings Trotzdem Deshalb Daher Jetzt Heute Damals Inzwischen Später Bisher Immerhin "
    "Gleichzeitig Außerdem Dabei Damit Hier Dort Nun Nur Noch Schon Bereits Tatsächlich Gerade Selbst Sogar "
    "Stadt Provinz Kreis Bezirk Region Dorf Hauptstadt Landkreis Sein Seine Seinen Seiner Ihr Ihre Ihren Ihrer Unser "
    "Unsere Mein Meine Jeder Jede Jedes Alle Viele Einige Manche Beide Diese Dieser Dieses Jene Solche Welche Kein "
    "Keine Millionen Milliarden Tausende Hunderte Hundert Tausend Jahre Jahren Monate Wochen Tage Prozent Euro Yuan "
    "Dollar Chinas Pekings Deutschlands Europas")
_NOT_FIRST_NAMES = frozenset(_NOT_FIRST_NAME_WORDS.split())
# a common noun's ending: no part of a German name
_NOUN_ENDING = re.compile(r"(?:ung|heit|keit|schaft|tät|ismus|ment|nis|tum|ungen|heiten|keiten|schaften|"
                          r"ionen|täten|nisse|ien|ern|eln|ien|isse|äge|änge|ände|ürfe)$")
_DE_NAME = re.compile(r"[A-ZÄÖÜ](?<!\w[A-ZÄÖÜ])[a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?"
                      r"(?:[ \t]+(?:Dr\.[ \t]+)?[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?){1,3}\b")
_GERMAN_ARTICLES = re.compile(r"\b(?:der|die|das|den|dem|des|ein|eine|einer|eines|einem|einen|im|am|vom|zum|zur|ins)"
                              r"\s+(?:[a-zäöüß][\w-]*\s+)*$")


def _person_names(text: str, language: str, end: int, inside: Callable[[int], bool]) -> list[tuple[int, str, bool]]:
    """The names of people before ``end`` that a pronoun or role noun may stand for, as ``(start, name, True)``:
    in English capitalized words not starting a sentence (:data:`_EN_NAME`), in German two or
    three capitalized words with no article before them (German capitalizes every noun: "die
    Sinologin Ulrike Hartmann" gives "Ulrike Hartmann"). Not a name: one in a quotation
    (``inside``), a line of its own (a heading), a possessive ("Liu's roommate") or a place
    ("in Changsha's Yuhua district"), or a thing ("the Spring Festival", "the official Credit China website")."""
    found = []
    for match in (_EN_NAME if language == "en" else _DE_NAME).finditer(text, 0, end):
        words, at = match.group().split(), match.start()
        if language == "de" and _GERMAN_ARTICLES.search(text, max(0, at - 40), at):
            at += len(words[0]) + 1  # "die Sinologin Ulrike Hartmann": the name after the role
            words = words[1:]
        while words and (words[0].rstrip(".") in _NOT_FIRST_NAMES or language == "de" and len(words) > 2):
            at = text.index(words[1], at + len(words[0])) if len(words) > 1 else at  # "Ökonom Zhou Jianping"
            words = words[1:]
        if len(words) < 2 or inside(at) or any("'s" in w or "’s" in w for w in words) or \
                _PLACE_WORDS.search(text, max(0, at - 14), at) or \
                language == "de" and any(_NOUN_ENDING.search(w) or w in _NOT_FIRST_NAMES for w in words):
            continue
        found.append((at, " ".join(words), True))
    return found


def _surnames(text: str, names: list[tuple[int, str, bool | None | str]], end: int) -> list[tuple[int, str, bool]]:
    """Where a person named in full before is named again by one of the name's words ("Zhou Jianping
    … Zhou said"), as ``(start, full name, True)``."""
    full: dict[str, tuple[int, str]] = {}
    for at, name, person in names:
        words = [w for w in name.split() if w[:1].isupper() and w.rstrip(".") not in _NOT_FIRST_NAMES]
        if person is True and len(words) >= 2:
            for word in (words[0], words[-1]):
                if len(word) > 2 and "'" not in word and "’" not in word:
                    full.setdefault(word, (at, " ".join(words)))
    if not full:
        return []
    return [(m.start(), full[m.group()][1], True) for m in _CAPITALIZED.finditer(text, 0, end)
            if m.group() in full and m.start() > full[m.group()][0]]


_INDEFINITE_BEFORE = re.compile(r"(?:^|\W)(?:[Aa]n?|[Oo]ne|[Aa]nother|[Ee]ine?)\s+(?:[\w’'-]+\s+){0,3}[\w’'-]*$")
_PLACE_AFTER = re.compile(r"[\w’'-]*(?:\s+(?:in|at|of|for|from)\s+(?:[\w’'-]+\s+){0,3}?[\w’'-]+(?=[,.;]))?")
_WORD_BEFORE = re.compile(r"([\w’'-]+),?\s+(?:(?:Dr|Prof)\.?\s+)*$")
_CAPITALIZED = re.compile(r"(?<![\w’'-])[A-ZÄÖÜ][\w’'-]*\b")
_CAPITAL_BEFORE = re.compile(r"[A-ZÄÖÜ][\w’'-]+\s+$")


def _introduced(text: str, head: str, start: int, end: int) -> str | None:
    """The last indefinite noun phrase of ``text[start:end]`` whose noun is ``head``, the one that
    brought in the person a definite role stands for: "a sourcing manager at a British homewares
    retailer" for "the manager"; German compounds count ("eine Beraterin" for "die Beraterin")."""
    lowered, found = head.lower(), None
    at = text.lower().find(lowered, start, end) if start < end else -1
    while at >= 0:
        after = at + len(lowered)
        if (after >= len(text) or not text[after].isalnum()) and \
                (before := _INDEFINITE_BEFORE.search(text, max(start, at - 80), at)) is not None:
            place = _PLACE_AFTER.match(text, after)  # it always matches: all of it is optional
            found = text[before.start() + (not text[before.start()].isalpha()):
                         place.end() if place else after].strip()
        at = text.lower().find(lowered, after, end)
    return found


def _describes(head: str, text: str, at: int, name: str) -> bool:
    """Whether a role's noun is part of a name ("the chamber": "EU Chamber of Commerce"; "die Kammer":
    "Handelskammer") or stands right beside it ("the firm's founder, Mo Guanghui"; "Jane Lee, a
    data manager"; "die Sinologin Ulrike Hartmann")."""
    lowered = head.lower()
    if lowered in name.lower():
        return True
    after = text[at + len(name):at + len(name) + 100]
    if after[:1] == "," and lowered in after.split(".", 1)[0].split(";", 1)[0].lower():
        return True
    before = _WORD_BEFORE.search(text, max(0, at - 40), at)
    return before is not None and lowered in before.group(1).lower()


def _occurs(text: str, word: str, capital_before: bool = False) -> bool:
    """Whether ``word`` stands in the text as a word of its own (``capital_before``: after a capitalized one)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()) and \
                (not capital_before or _CAPITAL_BEFORE.search(text, max(0, at - 40), at)):
            return True
        at = text.find(word, at + 1)
    return False


def _speaker_number(speaker: str, text: str, language: str) -> bool | None | str:
    """What a named speaker is for the pronouns after it: "group" for several people ("Officials",
    "rights groups", "twenty-one"), True for a person named in full, None for either."""
    words = speaker.split()
    if language == "en" and (_QUANTITY_MATCH.fullmatch(speaker) or any(w[:1].islower() for w in words[1:])):
        return "group"
    if speaker[:1].islower():
        return "group"
    if len(words) == 1:
        if _occurs(text, speaker, capital_before=True):
            return True  # "Creemers", named in full before ("Rogier Creemers")
        if language == "en" and (_PLURAL.fullmatch(speaker.lower()) or _occurs(text, speaker.lower())):
            return "group"  # "Officials", "Executives" starting a sentence
        return None
    return True


def _resolve_references(quotes: list[Quote], text: str, language: str,
                        mentions: Callable[[str], list[Mention]] | None,
                        spans: list[tuple[int, int]] | None = None, front: int = 0,
                        names_to: int | None = None) -> None:
    """A pronoun or definite role noun stands for a name before it, in place.

    The names: the named speakers, the actors the codebook knows, the people the text names
    (:func:`_person_names`) and again by their surname. "He", "she" and "sie" stand for the last
    person (not a group of them), "it" for the last body, "they" for either; a role noun ("the
    data manager", "die Kammer") for the last name that its noun is part of or stands beside ("a
    data manager", "Deutsche Handelskammer", "Jane Lee, a data manager"), else for no one (it is the
    speaker as written), but a body's role ("the newspaper") for the last body. An indefinite role
    ("a spokesman") is someone new, and may be what a pronoun after it stands for. Nothing named
    before ``front`` (the headline and standfirst) is a candidate. Names are looked for up to
    ``names_to`` (None: the last quote that needs one, the only ones that can count).
    """
    kinds = [None if q.speaker is None else _reference_kind(q.speaker, language) for q in quotes]
    refer = [q.speaker is not None and kind not in ("name", "new") for q, kind in zip(quotes, kinds, strict=True)]
    if not any(refer):
        return
    last = max(q.start for q, r in zip(quotes, refer, strict=True) if r) if names_to is None else names_to
    # (start, name, person) of every name: plain tuples, a frozen Mention costs a microsecond to make
    named = [(m.start, m.name, m.person) for m in mentions(text)] if mentions else []
    speakers = [(quote.start, quote.speaker,
                 _speaker_number(quote.speaker, text, language) if kind == "name" else
                 _BODY[language].search(quote.speaker.lower()) is None)
                for quote, kind in zip(quotes, kinds, strict=True)
                if quote.speaker is not None and kind in ("name", "new")]
    spans = spans or []
    starts_of_spans = [start for start, _ in spans]

    def inside(at: int) -> bool:
        index = bisect.bisect_right(starts_of_spans, at) - 1
        return index >= 0 and at < spans[index][1]
    people = _person_names(text, language, last, inside)
    surnames = _surnames(text, sorted(named + people + speakers, key=lambda name: name[0]), last)
    # at one place, the later of these wins: the actor's mention, a name, a surname, a speaker
    names = sorted((name for name in named + people + surnames + speakers if name[0] >= front),
                   key=lambda name: name[0])
    starts = [name[0] for name in names]
    for index, (quote, kind) in enumerate(zip(quotes, kinds, strict=True)):
        if not refer[index] or quote.speaker is None:  # (one that refers has a speaker)
            continue
        before = names[:bisect.bisect_left(starts, quote.start)]
        resolved = None
        if _PRONOUN[language].fullmatch(quote.speaker.lower()):
            resolved = next((name for _, name, person in reversed(before)
                             if kind is None or person in (kind, None)), None)
        else:  # a role noun: the name it is the noun of or stands beside, else the one that brought it in
            head = quote.speaker.split()[-1]
            described = next(((at, name) for at, name, _ in reversed(before) if _describes(head, text, at, name)),
                             (-1, None))
            since = described[0] + len(described[1]) + 3 if described[1] is not None else 0  # past ", a …" after it
            # the last "a data manager" before the quote, after the last name the noun describes
            if (introduced := _introduced(text, head, since, quote.start)) is not None:
                resolved = introduced
            elif described[1] is not None:
                resolved = described[1]
            else:
                resolved = next((name for _, name, person in reversed(before) if person in (kind, None)), None)
        if resolved is not None:
            quotes[index] = Quote(quote.start, quote.end, quote.text, quote.speaker, quote.verb, quote.direct,
                                  resolved)
