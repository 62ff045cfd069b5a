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

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_SENTENCE_CHARS = 600  # a longer "sentence" (a run-on without full stops) is not read for reported speech
MAX_QUOTE_CHARS = 3000  # a quotation longer than this is an unbalanced mark, not a quotation
MAX_SENTENCE_CHARS = 600  # longer "sentences" (a run-on without full stops) are not read for reported speech
MIN_WORDS = 4           # shorter spans are quoted terms ("the 'social credit' system") unless a verb is beside them

# opening mark -> the closing marks that end it
_CLOSERS = {"“": "”", "„": "“”", "»": "«", "«": "»", '"': '"', "‘": "’", "‚": "‘’"}
_SINGLE = {"‘", "‚"}  # their closers double as apostrophes: only a closer before a non-letter ends them

VERBS = {
    "en": ("said|says|say|told|tells|added|adds|warned|warns|argued|argues|explained|explains|wrote|writes|"
           "noted|notes|insisted|insists|claimed|claims|stressed|stresses|asked|asks|replied|replies|"
           "continued|suggested|suggests|believes|believed|cautioned|cautions|observed|observes|"
           "pointed out|points out|acknowledged|acknowledges|admitted|admits|recalled|recalls|"
           "concluded|concludes|estimated|estimates|maintained|maintains|countered|counters|reported|reports|"
           "announced|announces|stated|states|declared|declares|predicted|predicts|complained|complains"),
    "de": ("sagte|sagt|sagen|sagten|erklärte|erklärt|warnte|warnt|betonte|betont|meinte|meint|schreibt|"
           "schrieb|kritisierte|kritisiert|argumentiert|argumentierte|glaubt|glaubte|"
           "findet|fand|räumt ein|räumte ein|ergänzte|ergänzt|berichtete|berichtet|urteilt|urteilte|"
           "resümiert|resümierte|mahnte|mahnt|meldete|meldet|teilte mit|teilt mit|kündigte an|kündigt an|"
           "erläuterte|erläutert|behauptete|behauptet|fügte hinzu|fügt hinzu|sagte er|sagte sie"),
}
# "fügte er hinzu", "hieß es": a verb in two parts around the speaker, or an impersonal one
SPLIT_VERBS = {"en": [], "de": [("fügte", "hinzu"), ("fügt", "hinzu"), ("räumte", "ein"), ("gab", "zu")]}
PRONOUNS = {"en": "he|she|they|it|we", "de": "er|sie|es"}
# a role noun after a determiner: "the researcher", "The central bank", "die Forscherin", "ein Sprecher"
ROLE = {"en": r"(?:[Tt]he|[Aa]n?|[Oo]ne|[Aa]nother)\s+(?:[\w’'-]+\s+){0,3}?[a-z][\w-]{2,}",
        "de": r"(?:[Dd]er|[Dd]ie|[Dd]as|[Ee]in|[Ee]ine)\s+(?:[\w’'-]+\s+){0,3}?[A-ZÄÖÜ][a-zäöüß-]{2,}"}
# a proper name: capitalized words (or initials), joined by the particles of names and of
# institutions' names ("Ursula von der Leyen", "People's Bank of China", "Institute for China Studies")
_PARTICLES = r"(?:von|van|de|der|den|di|da|du|la|le|al|of|for|in|and|on|&)(?=\s+[A-ZÄÖÜ])"
_WORD = r"(?:(?:Dr|Prof|Mr|Mrs|Ms|St)\.|[A-ZÄÖÜ]\.|[A-ZÄÖÜ][\w’'-]*)"  # titles and initials keep their dot
_NAME = rf"{_WORD}(?:\s+(?:{_WORD}|{_PARTICLES})){{0,6}}"
_NOT_NAMES = {"The", "A", "An", "In", "On", "At", "But", "And", "This", "That", "It", "He", "She", "They", "We",
              "Der", "Die", "Das", "Ein", "Eine", "Er", "Sie", "Es", "Und", "Aber", "Doch", "So", "Laut", "Nach",
              "According", "Mr", "Mrs", "Ms", "Dr", "Herr", "Frau"}


@dataclass(frozen=True)
class Quote:
    """One quotation: where it is, what is said, by whom (as written), with which verb."""

    start: int            # character offsets of the quoted words (without the marks) in the text
    end: int
    text: str
    speaker: str | None   # the speaker's words as written: a name, a pronoun, a role ("the researcher")
    verb: str | None
    direct: bool          # between quotation marks, or reported speech
    resolved: str | None = None  # the named speaker a pronoun or role stands for


@dataclass
class QuoteScan:
    quotes: list[Quote] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # unbalanced or overlong quotation marks


@dataclass(frozen=True)
class Mention:
    """A name in the text that a pronoun or role noun may stand for."""

    start: int
    name: str
    person: bool | None  # None: could be either (a name of unknown kind)
    actor: str | None = None  # the codebook's actor it names, when the actors' scan found it


def find_quotes(text: str, language: str = "en",
                mentions: Callable[[str], list[Mention]] | None = None) -> QuoteScan:
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
    _continue_speakers(scan.quotes, text)
    scan.quotes = _partial_quotes(scan.quotes, _reported(text, spans, language))
    _resolve_references(scan.quotes, text, language, mentions)
    return scan


def _quoted_spans(text: str, problems: list[str]) -> list[tuple[int, int]]:
    """(start, end) of the words between each pair of marks, outermost pairs only."""
    spans = []
    position = 0
    while (opening := _next_opening(text, position)) is not None:
        mark, at = opening
        close = _closing(text, at + 1, mark)
        if close is None:
            problems.append(f"unbalanced {mark} at character {at}: no closing mark within {MAX_QUOTE_CHARS:,} "
                            "characters")
            position = at + 1
            continue
        spans.append((at + 1, close))
        position = close + 1
    return spans


_OPENING = re.compile("[" + "".join(_CLOSERS) + "]")


def _next_opening(text: str, position: int) -> tuple[str, int] | None:
    for found in _OPENING.finditer(text, position):
        at, mark = found.start(), found.group()
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        if mark in _SINGLE and (before.isalnum() or not after.isalpha()):
            continue  # an apostrophe, not an opening mark
        if mark == '"' and before.isalnum():
            continue  # a closing straight quote without its opening one (or inches): not an opening
        return mark, at
    return None


_CLOSING = {mark: re.compile("[" + closers + "]") for mark, closers in _CLOSERS.items()}


def _closing(text: str, start: int, mark: str) -> int | None:
    for found in _CLOSING[mark].finditer(text, start, min(len(text), start + MAX_QUOTE_CHARS)):
        at = found.start()
        after = text[at + 1] if at + 1 < len(text) else " "
        if mark in _SINGLE and after.isalpha():
            continue  # an apostrophe inside the quote: "China’s"
        return at
    return None


def _verbs(language: str) -> str:
    return VERBS[language]


def _speaker(language: str) -> str:
    # "Die staatliche Nachrichtenagentur Xinhua": a role before a name; the name links the actor
    return rf"(?:(?:{ROLE[language]}\s+)?{_NAME}|{ROLE[language]}|(?i:{PRONOUNS[language]})\b)"


_ENDS_ATTRIBUTION = (r"(?=\s*(?:[.;:!?]|$)|\s+(?:in|at|on|during|to|after|before|later|again|yesterday|today|"
                     r"gegenüber|am|im|auf|bei|vor|nach)\b[^.!?,]{0,60}[.!?])")


def _attribute(text: str, start: int, end: int, language: str) -> Quote | None:
    """A quoted span with its speaker from the words after it, else before it; None for a scare quote."""
    after = text[end + 1:end + 200]
    start, end = _stripped(text, start, end)
    words = text[start:end]
    before = re.split(r"[.!?][”“»«\"’']?\s+(?=\S)", text[max(0, start - 200):start - 1])[-1]  # this sentence
    verbs, who = _verbs(language), _speaker(language)
    # After a quote that ends its sentence, "Kostka said." or "he said in an interview." still
    # attribute it, but "Kostka said the rules were clear." is a sentence of its own
    closing = _ENDS_ATTRIBUTION if words[-1:] in (".", "!", "?") else ""
    patterns_after = [rf"^\s*,?\s*(?P<verb>{verbs})\s+(?P<who>{who})",          # , said Creemers / , sagte Kostka
                      rf"^\s*,?\s*(?P<who>{who})\s+(?P<verb>{verbs})\b{closing}"]  # , Creemers said / , he said
    if language == "de":
        patterns_after.insert(0, rf"^\s*,?\s*(?P<verb>so)\s+(?P<who>{who})")   # , so Kostka.
        patterns_after.append(r"^\s*,?\s*(?P<verb>hieß|heißt)\s+(?P<who>es)\b")  # , hieß es (weiter)
    patterns_after += [rf"^\s*,?\s*(?P<verb>{first})\s+(?P<who>{who})\s+{second}\b"
                       for first, second in SPLIT_VERBS[language]]
    for pattern in patterns_after:
        if found := re.match(pattern, after):
            return _quote(start, end, words, found.group("who"), found.group("verb"), language)
    # He writes: / Creemers said, / According to Kostka:
    patterns_before = [rf"(?P<who>{who})\s+(?P<verb>{verbs})(?:\s+\w+){{0,3}}\s*[:,]?\s*$",
                       rf"(?P<verb>[Aa]ccording to|[Ll]aut)\s+(?P<who>{who})\s*[:,]?\s*$",
                       r"(?P<verb>heißt|hieß)\s+(?P<who>es)\s*[:,]?\s*$"]  # "In dem Bericht heißt es: ..."
    for pattern in patterns_before:
        if found := re.search(pattern, before):
            return _quote(start, end, words, found.group("who"), found.group("verb"), language)
    if len(words.split()) < MIN_WORDS:
        return None  # a quoted term with no one saying it
    return Quote(start, end, words, None, None, True)


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


def _continue_speakers(quotes: list[Quote], text: str) -> None:
    """A direct quote with no attribution that follows a speaker's quote closely is the same
    speaker going on, as news writes it: “…,” said Lu, a lawyer. “Before, a defaulter …” (in place)."""
    for index in range(1, len(quotes)):
        quote, previous = quotes[index], quotes[index - 1]
        if quote.speaker is None and previous.speaker is not None \
                and quote.start - previous.end <= CONTINUATION_CHARS:
            quotes[index] = Quote(quote.start, quote.end, quote.text, previous.speaker, None, True, previous.resolved)


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


def _reported(text: str, spans: list[tuple[int, int]], language: str) -> list[Quote]:
    """Reported speech: sentences that say who said what without quotation marks."""
    quotes = []
    cue, patterns = _reported_patterns(language)
    for sentence in _SENTENCE.finditer(_without_quotes(text, spans)):  # offsets are the text's
        start = sentence.start()
        body = sentence.group().strip()
        if len(body) > MAX_SENTENCE_CHARS or not cue.search(body):
            continue  # no speech verb, no "according to": most sentences end here
        offset = start + sentence.group().index(body[:1]) if body else start
        for pattern in patterns:
            if (found := pattern.match(body)) is None:
                continue
            groups = found.groupdict()
            who = groups.get("who") or next(v for k, v in groups.items() if k.startswith("who") and v)
            if groups.get("rest"):  # "The blacklist, he points out, targets debtors": the words around the aside
                said = body[found.start("said"):].strip().rstrip(".!?")
            else:
                said = found.group("said").strip().rstrip(".!?")
            if len(said.split()) < MIN_WORDS:
                continue
            said_at = offset + found.start("said")
            quote_start, quote_end = _stripped(text, said_at, said_at + len(said))
            quotes.append(Quote(quote_start, quote_end, " ".join(text[quote_start:quote_end].split()),
                                _trim_name(who, language), _verb_without(found.group("verb"), who), False))
            break
    return quotes


def _verb_without(verb: str, who: str) -> str:
    """"fügte er hinzu" -> "fügte hinzu": a verb in two parts, without the speaker between them."""
    return " ".join(verb.replace(who, " ").split())


@functools.lru_cache(maxsize=4)
def _reported_patterns(language: str) -> tuple[re.Pattern[str], list[re.Pattern[str]]]:
    """A cheap cue that a sentence may report speech, and the sentence patterns, compiled once."""
    verbs, who = _verbs(language), _speaker(language)
    lead = r"(?:[^,.]{0,60},\s+)?"         # "At a conference in Brussels, Creemers said that ..."
    aside = r"(?:\s+[^,.]{0,60}?)?"        # "said on Friday that", "schrieb das Institut in seiner Studie"
    if language == "de":
        split = "|".join(rf"{a}\s+(?P<who{i}>{who})\s+{b}" for i, (a, b) in enumerate(SPLIT_VERBS["de"]))
        cue = rf"\b(?:{verbs}|so|[Ll]aut|zufolge|Angaben|{'|'.join(a for a, _ in SPLIT_VERBS['de'])})\b"
        patterns = [rf"^(?P<verb>Laut|Nach Angaben von)\s+(?P<who>{who})\s+(?P<said>.+)",
                    rf"^(?P<who>{who})\s+(?P<verb>zufolge)\s+(?P<said>.+)",
                    rf"^(?P<said>.+?),\s+(?P<verb>so|{verbs})\s+(?P<who>{who}){aside}\s*[.!?]*$",
                    rf"^(?P<said>.+?),\s+(?P<verb>{split})\s*[.!?]*$",
                    rf"^{lead}(?P<who>{who})\s+(?P<verb>{verbs}){aside},\s+(?:dass\s+)?(?P<said>.+)"]
    else:
        cue = rf"\b(?:{verbs}|According to)\b"
        patterns = [rf"^(?P<verb>According to)\s+(?P<who>{who}),\s+(?P<said>.+)",
                    rf"^{lead}(?P<who>{who})\s+(?:(?:has|have|had)\s+(?:\w+ly\s+)?)?(?P<verb>{verbs}){aside}\s+"
                    r"that\s+(?P<said>.+)",
                    rf"^{lead}(?P<who>{who})\s+(?P<verb>{_without_object(verbs)})"
                    r"(?:\s+(?:reporters|journalists|[A-Z]\w+))?,?\s+(?P<said>[a-z].+)",
                    rf"^(?P<said>.+?),\s+(?P<who>{who})\s+(?P<verb>{verbs}){aside}\s*[.!?]*$",
                    rf"^(?P<said>.+?),\s+(?P<verb>{verbs})\s+(?P<who>{who})(?:,[^.!?]*+)?\s*[.!?]*$",
                    rf"^(?P<said>.+?),\s+(?P<who>{who})\s+(?P<verb>{verbs}),\s+(?P<rest>.+)"]
    return re.compile(cue), [re.compile(p) for p in patterns]


def _without_object(verbs: str) -> str:
    """The speech verbs that take what is said directly: "told an audience" names a listener, not words."""
    return "|".join(v for v in verbs.split("|") if v not in ("told", "tells", "asked", "asks"))


def _without_quotes(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with each direct quote and its marks blanked (offsets kept): reported speech is
    looked for around quotes, not in them. A quote that ended a sentence still ends it."""
    chars = list(text)
    for start, end in spans:
        ended = text[start:end].rstrip()[-1:] in (".", "!", "?")
        chars[start - 1:end + 1] = " " * (end - start + 1) + ("." if ended else " ")
    return "".join(chars)


# role nouns for an organisation, not a person: "the newspaper said", "erklärte die Organisation"
_BODIES = {"en": r"newspaper|paper|agency|chamber|court|bank|tank|institute|organi[sz]ation|group|ministry|"
                 r"government|commission|council|report|statement|company|firm|regulator|planner|broadcaster|outlet",
           "de": r"zeitung|agentur|kammer|gericht|bank|institut|organisation|ministerium|regierung|kommission|rat|"
                 r"blatt|bericht|unternehmen|konzern|behörde|sender|planer"}
_PERSON_PRONOUNS = {"he", "she", "er", "sie"}
# English names are the capitalized words not starting a sentence; German capitalizes every noun
_EN_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+){1,2}\b")


def _reference_kind(speaker: str, language: str) -> bool | None | str:
    """For a pronoun or role noun: True (a person), False (a body), None (either); "name" otherwise."""
    lowered = speaker.lower()
    if re.fullmatch(PRONOUNS[language], lowered):
        return True if lowered in _PERSON_PRONOUNS else False if lowered in ("it", "es") else None
    if re.fullmatch(ROLE[language], speaker):
        return re.search(rf"(?:{_BODIES[language]})$", lowered) is None
    return "name"


def _resolve_references(quotes: list[Quote], text: str, language: str,
                        mentions: Callable[[str], list[Mention]] | None) -> None:
    """A pronoun or role noun stands for the last fitting name before it: a named speaker, an actor
    the codebook knows, or (in English) a capitalized name; in place."""
    if not any(q.speaker and _reference_kind(q.speaker, language) != "name" for q in quotes):
        return
    names = mentions(text) if mentions else []
    if language == "en":
        names += [Mention(m.start(), m.group(), True) for m in _EN_NAME.finditer(text)]
    for quote in quotes:
        if quote.speaker is not None and _reference_kind(quote.speaker, language) == "name":
            names.append(Mention(quote.start, quote.speaker, None if len(quote.speaker.split()) < 2 else True))
    names.sort(key=lambda m: m.start)
    for index, quote in enumerate(quotes):
        if quote.speaker is None or (kind := _reference_kind(quote.speaker, language)) == "name":
            continue
        before = [m for m in names if m.start < quote.start and (kind is None or m.person in (kind, None))]
        if before:
            quotes[index] = Quote(quote.start, quote.end, quote.text, quote.speaker, quote.verb, quote.direct,
                                  before[-1].name)
