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
    _continue_speakers(scan.quotes, text)
    scan.quotes = _partial_quotes(scan.quotes, _reported(text, spans, language, cue_starts))
    _resolve_references(scan.quotes, text, language, mentions)
    return scan


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


def _verbs(language: str) -> str:
    return VERBS[language]


def _speaker(language: str) -> str:
    # "Die staatliche Nachrichtenagentur Xinhua": a role before a name; the name links the actor
    return rf"(?:(?:{ROLE[language]}\s+)?{_NAME}|{ROLE[language]}|(?i:{PRONOUNS[language]})\b)"


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
                    rf"^\s*,?\s*(?P<who>{who})\s+(?P<verb>{verbs})\b{closing}"]  # , Creemers said / , he said
        if language == "de":
            patterns.insert(0, rf"^\s*,?\s*(?P<verb>so)\s+(?P<who>{who})")   # , so Kostka.
            patterns.append(r"^\s*,?\s*(?P<verb>hieß|heißt)\s+(?P<who>es)\b")  # , hieß es (weiter)
        patterns += [rf"^\s*,?\s*(?P<verb>{first})\s+(?P<who>{who})\s+{second}\b"
                     for first, second in SPLIT_VERBS[language]]
        return [re.compile(p) for p in patterns]

    # He writes: / Creemers said, / According to Kostka:
    ending = r"(?:\s+\w+){0,3}\s*[:,]?\s*$"  # a speech verb, then at most three words before the quote
    said = re.compile(rf"\s{word_trie(verbs.split('|'))}{ending}").search  # the first pattern's end, as a trie
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
_SENTENCE_END = re.compile(r"[.!?](?=\s|\Z)")  # where a _SENTENCE match ends, but at the text's end


def _reported(text: str, spans: list[tuple[int, int]], language: str,
              cue_starts: Iterable[int] | None = None) -> list[Quote]:
    """Reported speech: sentences that say who said what without quotation marks.

    Only the sentences around a speech cue ("said", "according to") are read: the cues are found
    in one pass over the text and each one's sentence is cut out around it, the same sentences
    :data:`_SENTENCE` splits the text into (a sentence without a cue is never looked at).
    """
    quotes = []
    rules = _reported_patterns(language)
    blanked = _without_quotes(text, spans)  # offsets are the text's
    read_to = 0  # the end of the last sentence read: a sentence with two cues is read once
    cue = None if cue_starts is None else rules.cue.match  # the caller's places are checked here
    places = list(rules.cues(blanked) if cue_starts is None else cue_starts)
    dots_only = "!" not in blanked and "?" not in blanked
    for index, at in enumerate(places):
        if at < read_to or cue is not None and not cue(blanked, at):
            continue
        start, read_to = _sentence_around(blanked, at, dots_only)
        sentence = blanked[start:read_to]
        body = sentence.strip()
        if len(body) > MAX_SENTENCE_CHARS:
            continue  # a run-on: the patterns' work would grow with the square of its length
        offset = start + sentence.index(body[:1]) if body else start
        comma = body.find(",")
        # "…, said Creemers": the verb comes after a comma, and every verb is a cue
        cue_after_comma = comma >= 0 and places[bisect.bisect_left(places, read_to, index) - 1] > offset + comma
        for pattern, needs, without_lead in rules.patterns:
            if not cue_after_comma if needs is _CUE_AFTER_COMMA else needs and needs not in body:
                continue  # a word the pattern cannot match without is missing: most sentences end here
            if (found := (without_lead if comma < 0 else pattern).match(body)) is None:
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


def _sentence_around(text: str, at: int, dots_only: bool = False) -> tuple[int, int]:
    """Start and end of the :data:`_SENTENCE` match that holds the word character at ``at``.

    Those matches run from one sentence end (a ``.``, ``!`` or ``?`` before white space or the end
    of the text) to the next, so the bounds are the nearest such ends on either side: found with
    ``str.rfind`` back and :data:`_SENTENCE_END` on, instead of splitting the whole text.
    ``dots_only``: the text has no ``!`` and no ``?`` (one ``rfind`` a step instead of three).
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
    end = _SENTENCE_END.search(text, at)  # on to this sentence's end
    return start, len(text) if end is None else end.end()


def _verb_without(verb: str, who: str) -> str:
    """"fügte er hinzu" -> "fügte hinzu": a verb in two parts, without the speaker between them."""
    return " ".join(verb.replace(who, " ").split())


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
    patterns: list[tuple[re.Pattern[str], str | None, re.Pattern[str]]]

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
        return [*VERBS["de"].split("|"), "so", "Laut", "laut", "zufolge", "Angaben", *(a for a, _ in SPLIT_VERBS["de"])]
    return [*VERBS[language].split("|"), "According to"]


_CUE_AFTER_COMMA = ", <cue>"  # what a pattern with its verb after a comma needs: a comma, and a cue after it


@functools.lru_cache(maxsize=4)
def _reported_patterns(language: str) -> _Reported:
    """The speech cues that a sentence may report speech, and the sentence patterns, compiled once."""
    verbs, who = _verbs(language), _speaker(language)
    lead = r"(?:[^,.]{0,60},\s+)?"         # "At a conference in Brussels, Creemers said that ..."
    aside = r"(?:\s+[^,.]{0,60}?)?"        # "said on Friday that", "schrieb das Institut in seiner Studie"
    if language == "de":
        split = "|".join(rf"{a}\s+(?P<who{i}>{who})\s+{b}" for i, (a, b) in enumerate(SPLIT_VERBS["de"]))
        patterns = [(rf"^(?P<verb>Laut|Nach Angaben von)\s+(?P<who>{who})\s+(?P<said>.+)", None),
                    (rf"^(?P<who>{who})\s+(?P<verb>zufolge)\s+(?P<said>.+)", "zufolge"),
                    (rf"^(?P<said>.+?),\s+(?P<verb>so|{verbs})\s+(?P<who>{who}){aside}\s*[.!?]*$", _CUE_AFTER_COMMA),
                    (rf"^(?P<said>.+?),\s+(?P<verb>{split})\s*[.!?]*$", _CUE_AFTER_COMMA),
                    (rf"^{lead}(?P<who>{who})\s+(?P<verb>{verbs}){aside},\s+(?:dass\s+)?(?P<said>.+)", ",")]
    else:
        patterns = [(rf"^(?P<verb>According to)\s+(?P<who>{who}),\s+(?P<said>.+)", "According to"),
                    (rf"^{lead}(?P<who>{who})\s+(?:(?:has|have|had)\s+(?:\w+ly\s+)?)?(?P<verb>{verbs}){aside}\s+"
                     r"that\s+(?P<said>.+)", "that"),
                    (rf"^{lead}(?P<who>{who})\s+(?P<verb>{_without_object(verbs)})"
                     r"(?:\s+(?:reporters|journalists|[A-Z]\w+))?,?\s+(?P<said>[a-z].+)", None),
                    (rf"^(?P<said>.+?),\s+(?P<who>{who})\s+(?P<verb>{verbs}){aside}\s*[.!?]*$", _CUE_AFTER_COMMA),
                    (rf"^(?P<said>.+?),\s+(?P<verb>{verbs})\s+(?P<who>{who})(?:,[^.!?]*+)?\s*[.!?]*$",
                     _CUE_AFTER_COMMA),
                    (rf"^(?P<said>.+?),\s+(?P<who>{who})\s+(?P<verb>{verbs}),\s+(?P<rest>.+)", _CUE_AFTER_COMMA)]
    cue = rf"\b{word_trie(speech_cues(language))}\b"
    return _Reported(re.compile(cue), re.compile(WORD_START + cue),
                     [(re.compile(pattern), needs, re.compile(pattern.replace(lead, "", 1)))
                      for pattern, needs in patterns])


def _without_object(verbs: str) -> str:
    """The speech verbs that take what is said directly: "told an audience" names a listener, not words."""
    return "|".join(v for v in verbs.split("|") if v not in ("told", "tells", "asked", "asks"))


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
_EN_NAME = re.compile(r"[A-Z](?<!^[A-Z])(?<![.!?]\s[A-Z])(?<!\w[A-Z])[a-z’'-]+(?:\s+[A-Z][a-z’'-]+){1,2}\b")
_PRONOUN = {language: re.compile(pronouns) for language, pronouns in PRONOUNS.items()}
_ROLE = {language: re.compile(role) for language, role in ROLE.items()}
_BODY = {language: re.compile(rf"(?:{bodies})$") for language, bodies in _BODIES.items()}


@functools.lru_cache(maxsize=4096)
def _reference_kind(speaker: str, language: str) -> bool | None | str:
    """For a pronoun or role noun: True (a person), False (a body), None (either); "name" otherwise."""
    lowered = speaker.lower()
    if _PRONOUN[language].fullmatch(lowered):
        return True if lowered in _PERSON_PRONOUNS else False if lowered in ("it", "es") else None
    if _ROLE[language].fullmatch(speaker):
        return _BODY[language].search(lowered) is None
    return "name"


def _resolve_references(quotes: list[Quote], text: str, language: str,
                        mentions: Callable[[str], list[Mention]] | None) -> None:
    """A pronoun or role noun stands for the last fitting name before it: a named speaker, an actor
    the codebook knows, or (in English) a capitalized name; in place."""
    kinds = [None if q.speaker is None else _reference_kind(q.speaker, language) for q in quotes]
    if not any(q.speaker and kind != "name" for q, kind in zip(quotes, kinds, strict=True)):
        return
    # (start, name, person) of every name: plain tuples, a frozen Mention costs a microsecond to make
    named = [(m.start, m.name, m.person) for m in mentions(text)] if mentions else []
    speakers = [(quote.start, quote.speaker, None if len(quote.speaker.split()) < 2 else True)
                for quote, kind in zip(quotes, kinds, strict=True) if quote.speaker is not None and kind == "name"]
    capitalized = _capitalized_names(text, quotes, kinds, sorted(named + speakers, key=lambda name: name[0])) \
        if language == "en" else []
    # at one place, the later of these wins: the actor's mention, a capitalized name, a named speaker
    names = sorted(named + capitalized + speakers, key=lambda name: name[0])
    starts = [name[0] for name in names]
    for index, (quote, kind) in enumerate(zip(quotes, kinds, strict=True)):
        if quote.speaker is None or kind == "name":
            continue
        # the last fitting name before the quote, from the quote's place in the sorted names back
        for _, name, person in reversed(names[:bisect.bisect_left(starts, quote.start)]):
            if kind is None or person in (kind, None):
                quotes[index] = Quote(quote.start, quote.end, quote.text, quote.speaker, quote.verb, quote.direct,
                                      name)
                break


def _capitalized_names(text: str, quotes: list[Quote], kinds: list[bool | None | str],
                       named: list[tuple[int, str, bool | None]]) -> list[tuple[int, str, bool]]:
    """The :data:`_EN_NAME` matches a pronoun or role noun may stand for, as ``(start, name, True)``.

    Only those from the last other fitting name before each such quote (``named``: the actors'
    mentions and the named speakers, in order) up to it: one before that name loses to it. The
    pattern is run over those stretches only, each from the character after a ``.`` or ``,``
    before it, which no match holds, so that the matches are those of a run over the whole text.
    """
    named_starts = [name[0] for name in named]
    stretches = []
    for quote, kind in zip(quotes, kinds, strict=True):
        if quote.speaker is None or kind == "name" or kind is False:
            continue  # a capitalized name is a person's: "it" and "the newspaper" never stand for one
        start = 0
        for at, _, person in reversed(named[:bisect.bisect_left(named_starts, quote.start)]):
            if kind is None or person in (kind, None):
                start = at  # a capitalized name here too may come after it in the order
                break
        stretches.append((start, quote.start))
    found: list[tuple[int, str, bool]] = []
    done = 0  # the stretches are merged: each part of the text is run over once
    for start, end in sorted(stretches):
        start = max(start, done)
        if start >= end:
            continue
        sync = max(text.rfind(".", 0, start), text.rfind(",", 0, start)) + 1
        for match in _EN_NAME.finditer(text, sync):
            if match.start() >= end:
                break
            if match.start() >= start:
                found.append((match.start(), match.group(), True))
        done = end
    return found
