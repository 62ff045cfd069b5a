"""Quotations in Chinese news text: direct quotes in “…” 「…」 『…』 and reported speech.

Chinese news attributes speech with a small set of verbs (说, 表示, 指出, 认为, 强调, 介绍, 称 …)
and a fixed word order: the speaker, the verb, then a colon or comma and the words
(王磊表示：“……” / 王磊表示，……。), or the words first and the speaker after them
(“……”王磊说。). Names carry no capitals, so a speaker is the clause before the verb, back to
the previous punctuation mark: "中国人民大学法学院教授王磊" keeps the affiliation and role,
as an English apposition would. 他/她 and a role with 该/这位 point back to the last named
speaker. A marked run shorter than :data:`MIN_CHARS` with no speech verb beside it is a
term ("老赖", “信用中国”), not a quotation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from framing.discourse.actors import ActorLinker
from framing.discourse.quotes import MAX_QUOTE_CHARS
from framing.discourse.records import Quote, QuoteScan
from framing.study.codebook import Actor

VERBS = ("告诉记者|对记者说|对记者表示|接受采访时说|接受采访时表示|在新闻发布会上表示|回应称|补充说|补充道|笑着说|"
         "说道|写道|问道|答道|表示|指出|认为|强调|介绍|坦言|透露|直言|提醒|解释|承认|警告|呼吁|回忆|感慨|预计|"
         "估计|建议|告诉|通报|显示|明确|要求|提出|分析|称|说")
MARKS = {"“": "”", "「": "」", "『": "』"}
MIN_CHARS = 6            # a marked run this short with no verb beside it is a term, not a quotation
MAX_SPEAKER_CHARS = 30   # the clause before a verb that can be a speaker
CONTINUATION_CHARS = 80  # a quote this close after a speaker's quote, with no one else named, goes on
PRONOUNS = ("他们", "她们", "他", "她")
# words a clause opens or ends with that are not part of the speaker: 对此，王磊也表示
_LEADING = re.compile(r"^(?:对此|此外|同时|不过|但是|但|而|另外|其中|随后|最后|记者注意到|据)")
_TRAILING = re.compile(r"(?:也|还|则|曾|都|亦|又|再|更|就|同时|进一步|此前|随后|当时|最近|日前|近日|普遍|一致|纷纷|"
                       r"分析)+$")
_CLAUSE_END = "，。；：！？、,;:!?“”「」『』\n"
_SENTENCE = re.compile(r"[^。！？\n]*(?:[。！？]+[”」』]?|\n|$)")
# matched at the closing mark's end (Pattern.match with a start: no ^, which would mean the text's start)
_AFTER = re.compile(rf"[，,]?\s*(?P<who>[^{_CLAUSE_END}]{{1,{MAX_SPEAKER_CHARS}}}?)(?P<verb>{VERBS})(?:道)?"
                    rf"[。，,；;！!]")
_BEFORE = re.compile(rf"(?P<who>[^{_CLAUSE_END}]{{1,{MAX_SPEAKER_CHARS}}}?)(?P<verb>{VERBS})(?:道)?\s*[：:，,]?\s*$")
_REPORTED = [
    re.compile(rf"^(?P<who>[^{_CLAUSE_END}]{{1,{MAX_SPEAKER_CHARS}}}?)(?P<verb>{VERBS})[，,：:](?P<said>[^“「『].+)$"),
    re.compile(rf"^(?P<verb>据)(?P<who>[^{_CLAUSE_END}]{{1,{MAX_SPEAKER_CHARS}}}?)(?:介绍|透露|统计|估算|报道|通报|"
               rf"称|表示|显示)[，,](?P<said>.+)$"),
    re.compile(rf"^记者从(?P<who>[^{_CLAUSE_END}]{{1,{MAX_SPEAKER_CHARS}}}?)(?P<verb>获悉|了解到)[，,：:](?P<said>.+)$"),
    re.compile(rf"^在(?P<who>[^{_CLAUSE_END}]{{1,{MAX_SPEAKER_CHARS}}}?)(?P<verb>看来)[，,](?P<said>.+)$"),
]


def find_chinese_quotes(text: str) -> QuoteScan:
    """The quotations of a Chinese text, in order, with their speakers as written.

    Examples
    --------
    >>> [(q.text, q.speaker, q.direct) for q in find_chinese_quotes("王磊表示：“信用体系建设任重道远。”").quotes]
    [('信用体系建设任重道远。', '王磊', True)]
    >>> [(q.text, q.speaker) for q in find_chinese_quotes("业内人士认为，各地标准仍不统一。").quotes]
    [('各地标准仍不统一', '业内人士')]
    """
    scan = QuoteScan()
    spans = _marked_spans(text, scan.problems)
    last: Quote | None = None
    for start, end in spans:
        quote = _attribute(text, start, end, last)
        if quote is not None:
            scan.quotes.append(quote)
            last = quote
    inside = [(s - 1, e + 1) for s, e in spans]
    scan.quotes += _reported(text, inside)
    scan.quotes.sort(key=lambda q: q.start)
    _resolve(scan.quotes, text)
    return scan


def _marked_spans(text: str, problems: list[str]) -> list[tuple[int, int]]:
    """Offsets of the words between each pair of Chinese quotation marks (outermost pairs only)."""
    spans = []
    position = 0
    while True:
        opening = min((i for i in (text.find(m, position) for m in MARKS) if i >= 0), default=-1)
        if opening < 0:
            return spans
        closing_mark = MARKS[text[opening]]
        closing = text.find(closing_mark, opening + 1, opening + 1 + MAX_QUOTE_CHARS)
        if closing < 0:
            problems.append(f"unbalanced {text[opening]} at {opening}: no {closing_mark} within {MAX_QUOTE_CHARS}")
            position = opening + 1
            continue
        spans.append((opening + 1, closing))
        position = closing + 1


def _attribute(text: str, start: int, end: int, last: Quote | None) -> Quote | None:
    words = text[start:end]
    after = _AFTER.match(text, end + 1, min(len(text), end + 1 + MAX_SPEAKER_CHARS + 12))
    if after:
        return _quote(start, end, words, after.group("who"), after.group("verb"), True)
    before_start = max(0, start - 1 - MAX_SPEAKER_CHARS - 12)
    before = _BEFORE.search(text[before_start:start - 1])
    if before:
        return _quote(start, end, words, before.group("who"), before.group("verb"), True)
    if len(words) < MIN_CHARS:
        return None  # a term in marks with no one saying it
    sentence_start = max(text.rfind(c, 0, start - 1) for c in "。！？\n") + 1
    lead = text[sentence_start:start - 1].lstrip("”」』 ")
    opening = _REPORTED[0].match(lead + "…")  # 王磊表示，……，“……”: the speaker of the sentence's reported words
    if opening:
        return _quote(start, end, words, opening.group("who"), opening.group("verb"), True)
    between = text[last.end + 1:start - 1] if last is not None else ""
    if last is not None and last.direct and start - last.end <= CONTINUATION_CHARS and not between.strip(" \n，,。"):
        return Quote(start, end, words, last.speaker, last.verb, True, last.resolved)  # the speaker goes on
    return Quote(start, end, words, None, None, True)


def _reported(text: str, inside: list[tuple[int, int]]) -> list[Quote]:
    """Reported speech: sentences whose opening clause is a speaker and a speech verb."""
    found = []
    for sentence in _SENTENCE.finditer(text):
        s0, s1 = sentence.span()
        if s1 <= s0 or any(a <= s0 < b for a, b in inside):
            continue
        body = text[s0:s1].rstrip("。！？”」』\n ")
        lead = len(body) - len(body.lstrip("”」』 \n"))  # a closing mark left from the sentence before
        body = body.lstrip("”」』 \n")
        for pattern in _REPORTED:
            match = pattern.match(body)
            if match is None:
                continue
            said_start = s0 + lead + match.start("said")
            said_end = s0 + lead + match.end("said")
            for mark, _ in inside:  # reported words end where the speaker's own words in marks begin
                if said_start <= mark < said_end:
                    said_end = mark
                    break
            said_end = said_start + len(text[said_start:said_end].rstrip("，,：: "))
            quote = _quote(said_start, said_end, text[said_start:said_end], match.group("who"), match.group("verb"),
                           False)
            if quote is not None:
                found.append(quote)
            break
    return found


def _quote(start: int, end: int, words: str, who: str, verb: str, direct: bool) -> Quote | None:
    speaker = _TRAILING.sub("", _LEADING.sub("", who.strip()))
    if not speaker or (not direct and len(words) < 4):
        return None
    return Quote(start, end, words, speaker, verb, direct)


DOCUMENTS = ("纲要", "意见", "文件", "通知", "规划", "办法", "决定", "报告")
# "国务院日前印发《…纲要》": the body that issued a document, which speaks through it
_ISSUED = re.compile(rf"(?P<who>[^{_CLAUSE_END}《》]{{2,{MAX_SPEAKER_CHARS}}}?)(?:日前|近日|近期|今年\d*月|\d+月)?"
                     r"(?:印发|发布|出台|公布|下发)(?:了)?《")


def _resolve(quotes: list[Quote], text: str) -> None:
    """A pronoun or a 该/这位 role speaks for the last speaker named before it; a document (纲要,
    意见) for the last body that issued one before it."""
    named: str | None = None
    for n, quote in enumerate(quotes):
        speaker = quote.speaker or ""
        resolved = None
        if speaker in PRONOUNS or speaker.startswith(("该", "这位", "此位")):
            resolved = named
        elif speaker.endswith(DOCUMENTS) and len(speaker) <= 4:
            issued = list(_ISSUED.finditer(text, 0, quote.start))
            resolved = _LEADING.sub("", issued[-1].group("who")) if issued else None
        elif speaker:
            named = quote.resolved or speaker
        if resolved is not None:
            quotes[n] = Quote(quote.start, quote.end, quote.text, quote.speaker, quote.verb, quote.direct, resolved)


class ChineseLinker:
    """Chinese speakers linked to the codebook's actors by the zh aliases they contain: Chinese
    ones anywhere in the name, the longest first (中国人民银行 before 人民银行); Latin ones as
    words, in any case ("Pence", not the "pence" of "Spencer")."""

    def __init__(self, actors: Iterable[Actor], linker: ActorLinker | None = None):
        self._linker = linker or ActorLinker(list(actors), "zh")  # Voices hands over its own

    def link(self, quote: Quote) -> str | None:
        """The actor a quote's speaker (or the name its pronoun stands for) names, if any."""
        return self._linker.actor_of(quote.resolved or quote.speaker or "")
