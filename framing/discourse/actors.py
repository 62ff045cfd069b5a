"""Speakers to actors: a quote's speaker, as written, linked to one of the codebook's actors.

An actor's aliases (in the codebook's pattern syntax: words, ``*`` globs, phrases) are matched
in the speaker's words, case-insensitively and on word boundaries (a hyphenated word's first
part counts: "MERICS-Studie"; in Chinese, written without spaces, anywhere in a run of
characters: 国务院 in 中国国务院); the first actor in codebook
order whose alias is found wins. A pronoun or role noun is linked through the named speaker it
stands for. Proximity patterns (``NEAR/n``) describe frames, not names: they are not used here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from framing.discourse.quotes import WORD_START, word_trie
from framing.discourse.records import Mention, Quote
from framing.scripts import UNSPACED, UNSPACED_LANGUAGES
from framing.study.codebook import Actor
from framing.tag.watch import WORD_STARTS


def alias_pattern(aliases: Iterable[str], bounded: bool = True) -> re.Pattern[str] | None:
    """One regex for an actor's aliases; None when it has none to match. ``bounded``: only whole
    words (not for a language written without spaces).

    Examples
    --------
    >>> bool(alias_pattern(["merics", "mercator institut*"]).search("the Mercator Institute for China Studies"))
    True
    >>> alias_pattern(["pence"]).search("pencils") is None
    True
    >>> alias_pattern(["国务院"], bounded=False).search("中国国务院发布").group()
    '国务院'
    """
    source = _alternatives(aliases, bounded)
    return re.compile(source, re.IGNORECASE) if source else None


def _alternatives(aliases: Iterable[str], bounded: bool = True) -> str:
    alternatives = []
    for alias in aliases:
        if "NEAR/" in alias:
            continue
        words = [re.escape(word).replace("'", "['’]") for word in alias.lower().split()]  # People’s = People's
        words[0] = re.sub(r"^\\\*", r"[\\w-]{0,40}", words[0])  # a leading glob, bounded: no quadratic scans
        alternatives.append(r"\s+".join(word.replace(r"\*", r"[\w-]*") for word in words))
    if not alternatives:
        return ""
    if not bounded:
        # Chinese names stand anywhere in a run of characters; a Latin one ("pence", "merics") in a
        # Chinese text still not inside a Latin word ("Spencer"). The longest first: with no
        # boundary to stop at, 国务院 would take 国务院办公厅's place
        alternatives = [alternative if UNSPACED.search(alternative) else
                        f"(?<![{_LATIN}]){alternative}(?![{_LATIN}])" for alternative in alternatives]
        return "(?:" + "|".join(sorted(alternatives, key=len, reverse=True)) + ")"
    # a hyphen may follow, as in the codebook's word patterns: "merics" finds "MERICS-Studie"
    return r"\b(?:" + "|".join(alternatives) + r")(?!\w)"


_LATIN = "a-zA-Z0-9\u00c0-\u024f"  # letters and digits of the Latin scripts: a Latin alias's word boundary in Chinese

_UNKNOWN = object()
_KNOWN_SPEAKERS = 50_000


class ActorLinker:
    """Links speakers to the actors of one language's aliases.

    Parameters
    ----------
    actors
        The codebook's actors, in codebook order.
    language
        Whose aliases to use.
    cues
        Speech cues (:func:`~framing.discourse.quotes.speech_cues`) whose places :meth:`scan`
        reports along with the mentions, from the same pass over the text.
    """

    def __init__(self, actors: list[Actor], language: str, cues: Iterable[str] = ()):
        bounded = language not in UNSPACED_LANGUAGES  # Chinese names stand inside runs of characters
        self._patterns = [(actor.id, pattern) for actor in actors
                          if (pattern := alias_pattern(actor.aliases.get(language, []), bounded)) is not None]
        self._people = {actor.id for actor in actors if actor.type == "person"}
        self._scans = _mention_patterns(actors, language, 0, bounded)  # on lower-cased text: a third of the time
        self._careful = _mention_patterns(actors, language, re.IGNORECASE, bounded)
        self._fast = _MentionScan.of(actors, language, cues) if bounded else None
        self._known: dict[str, str | None] = {}  # speaker -> actor_of(speaker)

    def actor_of(self, words: str | None) -> str | None:
        """The id of the first actor whose alias occurs in ``words``, or None."""
        if not words:
            return None
        # the same speakers come back article after article ("he", "Creemers"): each is looked up
        # once, not by a search per actor every time
        if (known := self._known.get(words, _UNKNOWN)) is not _UNKNOWN:
            return known
        # most speakers name no actor ("Officials", "he"): one pass of all the actors' aliases (the
        # mentions' patterns, which match wherever one of the actors' does) rules them out
        found = next((actor_id for actor_id, pattern in self._patterns if pattern.search(words)), None) \
            if any(scan.search(words) for scan in self._careful) else None
        if len(self._known) >= _KNOWN_SPEAKERS:
            self._known.clear()  # a bound on memory in a long run; the common speakers come back soon
        self._known[words] = found
        return found

    def mentions(self, text: str) -> list[Mention]:
        """Where the text names an actor: what a later "he" or "the think tank" may stand for."""
        return self.scan(text)[0]

    @property
    def watch(self) -> frozenset[str] | None:
        """The aliases and speech cues (lower case), for the rule tagger to report the tokens
        where one may begin (:meth:`scan`'s ``places``; :mod:`framing.tag.watch`); None when
        :meth:`scan` cannot use such places."""
        return None if self._fast is None else self._fast.watch

    def scan(self, text: str, places: Iterable[tuple[int, int]] | None = None
             ) -> tuple[list[Mention], list[int] | None]:
        """The text's :meth:`mentions`, and where the speech cues the linker was made with may
        start, found in the same pass, for :func:`~framing.discourse.quotes.find_quotes`'s
        ``cue_starts`` (None: the quote rules look for them themselves).

        ``places``: (character offset, length) of every token of the text in which a word of
        :attr:`watch` may begin (the rule tagger's
        :meth:`~framing.tag.rules.RuleTagger.tag_all_with_places`); only those are looked at,
        instead of every word. The results are the same.

        Examples
        --------
        >>> from framing.discourse.quotes import speech_cues
        >>> from framing.study.codebook import load_codebook
        >>> linker = ActorLinker(load_codebook("social-credit").actors, "en", speech_cues("en"))
        >>> named, cues = linker.scan("Rogier Creemers said the lists were local.")
        >>> [(m.start, m.name, m.actor) for m in named], cues
        ([(0, 'Rogier Creemers', 'rogier_creemers')], [16])
        """
        lowered = text.lower()
        cues = None
        if len(lowered) != len(text):  # a letter whose lower case is longer ("İ"): offsets would shift
            found = [Mention(m.start(), text[m.start():m.end()], m.lastgroup in self._people, m.lastgroup)
                     for scan in self._careful for m in scan.finditer(text)]
        elif self._fast is None:
            found = [Mention(m.start(), text[m.start():m.end()], m.lastgroup in self._people, m.lastgroup)
                     for scan in self._scans for m in scan.finditer(lowered)]
        else:
            spans, cues = self._fast.find(lowered, places)
            found = [Mention(start, text[start:end], actor in self._people, actor) for start, end, actor in spans]
        return sorted(found, key=lambda mention: mention.start), cues

    def link(self, quote: Quote) -> str | None:
        """The quote's actor: from its speaker's words, else from the named speaker they stand for."""
        return self.actor_of(quote.speaker) or self.actor_of(quote.resolved)


def _mention_patterns(actors: list[Actor], language: str, flags: int, bounded: bool = True
                      ) -> list[re.Pattern[str]]:
    """Every actor's aliases in one pattern, a named group per actor, so one pass finds them all.

    The pattern first checks a word's first two letters against the aliases' (a lookahead):
    with it, on the lower-cased text, a 600-word article takes 0.2 ms instead of 1.6. Aliases with a leading ``*`` match
    inside words and cannot be checked that way: they get a pattern of their own. Not ``bounded``
    (Chinese): one pattern, matched anywhere.
    """
    if not bounded:  # one group per actor, its aliases with and without a leading "*" together
        groups = [(actor.id, source) for actor in actors
                  if (source := _alternatives(actor.aliases.get(language, []), bounded=False))]
        pattern = "|".join(f"(?P<{actor_id}>{source})" for actor_id, source in groups)
        return [re.compile(pattern, flags)] if groups else []
    scans = []
    for inner in (False, True):
        groups = _groups(actors, language, inner)
        if not groups:
            continue
        pattern = "|".join(f"(?P<{actor_id}>{source})" for actor_id, source, _ in groups)
        if not inner:
            starts = sorted({start for _, _, firsts in groups for start in firsts})
            pattern = r"\b(?=" + "|".join(starts) + f")(?:{pattern})"
        scans.append(re.compile(pattern, flags))
    return scans


def _groups(actors: list[Actor], language: str, inner: bool, bounded: bool = True
            ) -> list[tuple[str, str, set[str]]]:
    """Per actor with aliases of the kind (a leading ``*`` or not): its id, its aliases' regex and
    their first letters."""
    groups = []
    for actor in actors:
        aliases = [a for a in actor.aliases.get(language, []) if a.startswith("*") == inner]
        if source := _alternatives(aliases, bounded):
            groups.append((actor.id, source, {_first_letters(a) for a in aliases}))
    return groups


def _first_letters(alias: str) -> str:
    """What a word must start with to begin the alias, as a regex: its first two letters, or one
    when the second is no letter ("x*", "u.s. government")."""
    lowered = alias.lower()
    start = lowered[:2] if lowered[:2].isalnum() else lowered[:1]
    return re.escape(start).replace("'", "['’]")


class _MentionScan:
    """One pass over a lower-cased text for the actors' aliases and, when asked, speech cues.

    It finds what :func:`_mention_patterns`'s pattern finds, faster: that pattern starts with
    ``\\b``, so ``re`` tries it at every character (4,000 in a 600-word article). This pass's
    pattern starts with the character before a word, one character class
    (:data:`~framing.discourse.quotes.WORD_START`) that ``re`` skips to in C, followed by one
    trie (a lookahead) of the aliases' literal beginnings and the cue words, which most words
    fail at their first letter or two. An alias's branch ends in an empty group, so a match
    says which kind it found. Where an alias may begin, the actors' own pattern is matched
    (``groups``), skipping places inside the last alias found, as ``finditer`` does: the same
    mentions, in the same order. The aliases with a leading ``*`` keep their pattern, run only
    on texts that hold the words after the ``*``. In an ASCII text, whose non-word characters a
    byte table turns into spaces first, the pass looks for a literal space instead of the class,
    faster still; there the trie is the same with spaces for the aliases' punctuation.

    Parameters
    ----------
    head
        The lookahead, for the text's first character (no character before it).
    scan
        The same behind a word-start character.
    groups
        The actors' aliases, a named group per actor (:func:`_mention_patterns` without its
        first-letters check).
    inner
        The leading-``*`` pattern, and the words one of which a text must hold for it to match
        (none: it is always run).
    cue
        The speech cues' trie (None: the lookahead has no cues).
    both
        Whether a word could start both an alias and a cue (the lookahead reports one of them).
    ascii_head, ascii_scan
        ``head`` and ``scan`` for an ASCII text with spaces for its non-word characters.
    watch
        The aliases and cue words, lower case: where none of them begins (by the rule
        tagger's tokens, :mod:`framing.tag.watch`), no match starts.
    cues_alone
        The cue words that are one run of word characters: a token that is one of them, with no
        word character on either side, is taken for a cue without ``head``. Where the word may
        also begin an alias, ``both`` holds, and :meth:`find` tries the aliases there as after
        ``head``.
    """

    def __init__(self, head: re.Pattern[str], scan: re.Pattern[str], groups: re.Pattern[str],
                 inner: tuple[re.Pattern[str], list[str] | None] | None, cue: re.Pattern[str] | None,
                 both: bool, ascii_head: re.Pattern[str], ascii_scan: re.Pattern[str], watch: frozenset[str],
                 cues_alone: frozenset[str]):
        self.head, self.scan, self.groups, self.inner, self.cue, self.both = head, scan, groups, inner, cue, both
        self.ascii_head, self.ascii_scan, self.watch, self.cues_alone = ascii_head, ascii_scan, watch, cues_alone

    @classmethod
    def of(cls, actors: list[Actor], language: str, cues: Iterable[str] = ()) -> _MentionScan | None:
        """The pass for one language's aliases (and cue words); None when an alias does not start
        with a word character (the character before it could then be a letter) or none has aliases."""
        starts, exact, prefixes = [], set(), []
        for actor in actors:
            for alias in actor.aliases.get(language, []):
                if "NEAR/" in alias or alias.startswith("*"):
                    continue
                first = alias.lower().split()[0]
                if (run := re.match(r"\w+", first)) is None:
                    return None
                starts.append(alias)
                # "chinesische* zentralbank": any word starting so; "u.s. government": the word "u" itself
                (prefixes.append if first[run.end():run.end() + 1] == "*" else exact.add)(run.group())
        groups = _groups(actors, language, False)
        if not groups:
            return None
        cue_words = sorted({cue.lower() for cue in cues})
        cue_runs = {re.match(r"\w*", word).group() for word in cue_words}
        both = any(run in exact or run.startswith(tuple(prefixes)) for run in cue_runs)
        # a cue that is one word: where a token is that word alone, the lookahead is not asked
        cues_alone = frozenset(word for word in cue_words if word.isalnum())

        def look(spaced: bool) -> str:  # the empty group ends an alias's branch: "an alias"
            return "(?={})".format(word_trie([(*_literal_start(alias, spaced), "()") for alias in starts]
                                             + [(*_literal_start(word, spaced)[:-1], r"\b") for word in cue_words]))
        pattern = "|".join(f"(?P<{actor_id}>{source})" for actor_id, source, _ in groups)
        inner = None
        if inner_groups := _groups(actors, language, True):
            words: list[str] | None = []
            for actor in actors:
                for alias in actor.aliases.get(language, []):
                    if alias.startswith("*") and "NEAR/" not in alias:
                        word = re.match(r"[^*'’\s]*", alias.lower()[1:]).group()
                        if not word or words is None:
                            words = None
                        else:
                            words.append(word)
            inner = (re.compile("|".join(f"(?P<{actor_id}>{source})" for actor_id, source, _ in inner_groups)), words)
        cue = re.compile(rf"{word_trie(cue_words)}\b") if cue_words else None
        watch = frozenset(" ".join(alias.lower().split()) for alias in starts) | frozenset(cue_words)
        return cls(re.compile(look(False)), re.compile(WORD_START + look(False)), re.compile(f"(?:{pattern})"), inner,
                   cue, both, re.compile(look(True)), re.compile(" " + look(True)), watch, cues_alone)

    def find(self, lowered: str, places: Iterable[tuple[int, int]] | None = None
             ) -> tuple[list[tuple[int, int, str]], list[int] | None]:
        """(start, end, actor id) of every alias in the lower-cased text, the plain patterns'
        matches; and where a speech cue may start, in order (None without cues). ``places``: the
        tokens (offset, length) in which a word of :attr:`watch` may begin; None: every word."""
        found: list[tuple[int, int, str]] = []
        cues: list[int] = []
        alias_end = 0
        for at, alias in self._candidates(lowered) if places is None else self._candidates_in(lowered, places):
            if (alias or self.both) and at >= alias_end and (match := self.groups.match(lowered, at)):
                found.append((at, match.end(), match.lastgroup))
                alias_end = match.end()
            if not alias or self.cue is not None and self.cue.match(lowered, at):
                cues.append(at)  # where the lookahead found an alias, a cue may start too
        if self.inner is not None:
            pattern, words = self.inner
            if words is None or any(word in lowered for word in words):
                found += [(m.start(), m.end(), m.lastgroup) for m in pattern.finditer(lowered)]
        return found, cues if self.cue is not None else None

    def _candidates(self, lowered: str) -> Iterator[tuple[int, bool]]:
        """Where an alias or a cue may start, in order, and whether the lookahead found an alias."""
        head, scan, subject = self.head, self.scan, lowered
        if lowered.isascii():
            # every character \w does not match turned into a space (in C, by a byte table), so
            # that the pass looks for a literal space, which ``re`` finds faster than a class
            head, scan = self.ascii_head, self.ascii_scan
            subject = lowered.encode("ascii").translate(_ASCII_SPACES).decode("ascii")
        if first := head.match(subject):
            yield 0, first.lastindex is not None
        for candidate in scan.finditer(subject):
            yield candidate.start() + 1, candidate.lastindex is not None  # after the character before the word

    def _candidates_in(self, lowered: str, places: Iterable[tuple[int, int]]) -> list[tuple[int, bool]]:
        """:meth:`_candidates`, looking only at the word starts inside the given tokens (a token that
        is a cue word of :attr:`cues_alone` is a cue, even where it may begin an alias too: then
        ``both`` holds, which :meth:`find` reads as "an alias may begin here" as well)."""
        head, cues_alone, size = self.head.match, self.cues_alone, len(lowered)
        found = []
        for start, length in places:
            if (word := lowered[start:start + length]).isalnum():
                # one run of word characters (``re``'s \w is isalnum or "_"): a word can start only
                # at its beginning, and does unless a word character comes before it
                before = lowered[start - 1] if start else " "
                if before.isalnum() or before == "_":
                    continue
                if word in cues_alone:
                    after = lowered[start + length] if start + length < size else " "
                    if not (after.isalnum() or after == "_"):
                        found.append((start, False))
                        continue
                starts: Iterable[int] = (start,)
            else:
                starts = [word.start() for word in WORD_STARTS.finditer(lowered, start, start + length)]
            for at in starts:
                if candidate := head(lowered, at):
                    found.append((at, candidate.lastindex is not None))
        return found


def _literal_start(alias: str, spaced: bool = False) -> tuple[str, ...]:
    """The alias's pattern (:func:`_alternatives`) up to its first glob, as regex pieces, a
    character or the space between words each: what a text must hold where the alias starts.
    Without a glob the alias ends before a non-word character, and so does this. ``spaced``:
    in an ASCII text whose every non-word character is a space ("u.s." is "u s ")."""
    pieces = []
    for char in " ".join(alias.lower().split()):
        if char == "*":
            return tuple(pieces)
        if char == " ":
            pieces.append(r"\s+")
        elif spaced and char.isascii() and not re.match(r"\w", char):
            pieces.append(" ")
        else:
            pieces.append("['’]" if char == "'" else re.escape(char))
    return (*pieces, r"(?!\w)")


# ASCII bytes: a word character stays, every other becomes a space
_ASCII_SPACES = bytes(byte if re.match(r"\w", chr(byte)) and byte < 128 else 32 for byte in range(256))
