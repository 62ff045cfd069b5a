"""Extract: a capture (the bytes of a page) -> one Article row, with a status instead of a drop.

Settings follow measurements on two public extraction benchmarks (trafilatura 2.3.1): comments
off, tables and the fallback extractors on; metadata from ``bare_extraction``. A feed's or
sitemap's date wins over the one found in the page when both exist, and both are kept. A web
archive's capture date (``cdx:`` sources) is the other way round: a page is captured on the day
it appeared or any time after, so the page's date wins and the capture's is the last resort
(``date_source`` ``archive``), kept as the article's ``date_listed``.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import multiprocessing
import os
import re
import string
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import py3langid
import trafilatura
from trafilatura.settings import Extractor

from framing.collect.captures import Capture
from framing.collect.codings import BodyError, decode_body, sniff_compressed
from framing.collect.htmltext import declared_language, decode_html
from framing.extract.han import han_language
from framing.extract.near_duplicates import signature
from framing.iterate import chunks
from framing.study.config import Collect, Extract, Filter
from framing.study.keywords import keyword_pattern

_TITLE_SEPARATORS = re.compile(r"\s+[|–—:·-]\s+|\s+::\s+")
_PAYWALL_WORDS = re.compile(
    r"subscribe to (continue|read)|subscribers only|for subscribers|premium article|already a subscriber"
    r"|abonnieren sie|nur für abonnenten|abo-artikel|weiterlesen mit|isAccessibleForFree\"?\s*:\s*\"?false",
    re.IGNORECASE,
)


def article_id(url: str) -> str:
    """A stable id: the first 16 hex digits of the URL's SHA-1."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def content_hash(text: str) -> str:
    """SHA-1 of the text with case and white space folded, so reformatted copies still match."""
    return hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def clean_title(title: str | None, *site_names: str | None) -> str | None:
    """Drop a leading or trailing site name: "Headline | The Daily" -> "Headline"; else keep the title."""
    if not title:
        return title
    title = title.strip()
    names = {n.strip().lower() for n in site_names if n}
    separators = list(_TITLE_SEPARATORS.finditer(title))
    if separators and title[separators[-1].end():].strip().lower() in names:
        return title[:separators[-1].start()].strip()
    if separators and title[:separators[0].start()].strip().lower() in names:
        return title[separators[0].end():].strip()
    return title


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


# Bumped when extraction reads captures differently, so that `framing run` redoes the extract
# stage of existing studies: 2 decodes content codings (captures of older crawls were unreadable),
# 3 tells Chinese from Japanese and Cantonese by script (framing.extract.han).
EXTRACT_LOGIC = 3
DEFAULT_MAX_BYTES = Collect.model_fields["max_bytes"].default


def capture_bytes(capture: Capture, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The capture's body with its content coding undone, within ``max_bytes``.

    Captures without a ``Content-Encoding`` that are gzip or zlib streams all the same are
    decoded too: framing's crawler stored compressed pages that way before it kept the header.

    Raises
    ------
    framing.collect.codings.BodyError
        With ``.status`` ``too-large`` or ``decode-error``.
    """
    coding = capture.content_encoding or sniff_compressed(capture.body)
    return decode_body(capture.body, coding, max_bytes) if coding else capture.body


def extract_page(capture: Capture, options: Extract, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, Any]:
    """Turn one capture into an Article row (status ``ok`` or the reason it is not an article)."""
    row: dict[str, Any] = {
        "article_id": article_id(capture.url), "url": capture.url, "canonical_url": capture.url,
        "outlet": capture.outlet, "date_listed": _date(capture.listed_date) or _date(capture.archived_at),
        "warc_file": capture.warc_file,
        "warc_offset": capture.warc_offset, "status": "ok", "reason": None, "n_chars": 0,
    }
    try:
        decoded = decode_html(capture_bytes(capture, max_bytes), capture.content_type)
    except BodyError as exc:
        return {**row, "status": exc.status, "reason": str(exc)[:200]}
    except (LookupError, ValueError) as exc:
        return {**row, "status": "decode-error", "reason": str(exc)[:200]}
    page = decoded.text
    row["encoding"] = decoded.label
    doc = trafilatura.bare_extraction(page, options=trafilatura_options(options, capture.url))
    if doc is None or not (doc.text or "").strip():
        return {**row, "status": "empty", "reason": "no main text found"}
    text = doc.text.strip()
    extracted = _date(doc.date)
    listed, archived = _date(capture.listed_date), _date(capture.archived_at)
    published = listed or extracted or archived
    row.update(
        canonical_url=doc.url or capture.url, title=clean_title(doc.title, doc.sitename, capture.outlet),
        author=doc.author, text=text, n_chars=len(text), content_hash=content_hash(text),
        date_extracted=extracted, published=published,
        date_source="listing" if listed else "page" if extracted else "archive" if archived else None,
        language=detect_language(text, declared_language(page)),
    )
    if len(text) < options.min_chars:
        paywalled = _PAYWALL_WORDS.search(page) is not None
        row["status"] = "paywall-suspected" if paywalled else "too-short"
        row["reason"] = f"{len(text)} characters < extract.min_chars {options.min_chars}"
    return row


def trafilatura_options(options: Extract, url: str) -> Extractor:
    """Trafilatura's settings for one page: comments off, tables and metadata on.

    The same settings as ``bare_extraction(page, url=url, fast=..., favor_precision=...,
    include_comments=False, include_tables=True, with_metadata=True)``, but copied from a
    template instead of built per page: building one reads trafilatura's config file settings
    each time (0.1 ms, 2% of a page). Trafilatura's own batch mode reuses its settings the same way.
    """
    # keyed by day: the settings hold today's date as the latest publication date to accept
    template = _extractor_template(options.fast, options.favor_precision, dt.date.today())
    extractor = copy.copy(template)
    extractor.url = url
    extractor.source = url.encode("utf-8", "replace").decode("utf-8")
    return extractor


@functools.lru_cache(maxsize=4)
def _extractor_template(fast: bool, favor_precision: bool, today: dt.date) -> Extractor:
    return Extractor(output_format="python", fast=fast, precision=favor_precision, comments=False,
                     tables=True, with_metadata=True)


# The commonest function words of languages whose pages declare <html lang>. Close relatives
# (ca, gl, af, lb) are listed too, so that their text does not pass for es, pt, nl or de.
_FUNCTION_WORDS = {
    "en": "the and of to a in is that for with was on are as by this be from has have not which were been "
          "would their its but they will it an or who had said he she we",
    "de": "der die das und ist nicht mit den dem von sich auch ein eine einer eines des auf für wird werden "
          "sind wurde dass noch nach bei aus wie oder im zu zum zur es sie er hat haben über um als in an aber "
          "einen einem war nur vor wir man diese durch bis wenn seit mehr",
    "fr": "le la les des est et une du que qui dans pour pas sur au aux par avec ce ces sont mais plus elle "
          "il ils ont cette été à un se ne leur son sa de",
    "es": "el los las del que y una por con para es se su sus al lo como más pero fue ha este esta son está "
          "en la un no entre sobre también desde de",
    "it": "il della che di è per una non gli del le dei con sono alla anche come più nel nella questo questa "
          "ha delle ma stato un si da dal lo in al degli essere",
    "nl": "de het een van en dat niet is op met zijn voor ook aan bij wordt werd naar maar heeft deze door "
          "nog om hun er die te als worden dan uit wel kan",
    "pt": "o os a as da do das dos que não uma em para com por mais se ao foi é pelo pela seu sua está são um "
          "no na nos mas também como ou ser tem de já muito isso ele ela ainda há entre sobre",
    "ca": "el els la les de del que i per amb és un una al en no com més però va van seu seva dels aquest "
          "aquesta també",
    "gl": "o os a as da do das dos que non unha en para con por máis se ao foi é polo pola seu súa está son "
          "un no na nos pero tamén como ou ser ten dun dunha de xa moito iso el ela aínda hai entre sobre",
    "af": "die en van is nie het te op vir met wat word ook sy hy om as aan was n dit sal kan hulle",
    "lb": "an vun de den dem fir net mat ass et sinn och ze déi dat hunn huet gëtt ginn eng engem awer wéi "
          "bei op am um si mir",
}


def _languages_by_word(lists: dict[str, str]) -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for language, words in lists.items():
        for word in words.split():
            index[word] = (*index.get(word, ()), language)
    return index


_WORD_LANGUAGES = _languages_by_word(_FUNCTION_WORDS)
# punctuation and digits to spaces, then split: a third of the cost of a \w+ regex
_NOT_IN_WORDS = str.maketrans(dict.fromkeys(string.punctuation + string.digits + "«»„“”‘’‚‹›–—…¿¡", " "))


def confirms_language(text: str, declared: str) -> bool:
    """True when the declared language's function words clearly dominate the text's start.

    They must be at least a fifth of the first 1,000 characters' words (news text has a quarter
    to a third) and outnumber any listed language's by a quarter. False, not a verdict, for a
    language without a list, a short text, or a mixed one: the caller then asks py3langid.

    Examples
    --------
    >>> text = "The council approved the budget on Tuesday after a long debate about the roads. " * 3
    >>> confirms_language(text, "en"), confirms_language(text, "de")
    (True, False)
    """
    if declared not in _FUNCTION_WORDS:
        return False
    words = text[:1000].lower().translate(_NOT_IN_WORDS).split()
    if len(words) < 20:
        return False
    hits: dict[str, int] = {}
    for languages in filter(None, map(_WORD_LANGUAGES.get, words)):
        for language in languages:
            hits[language] = hits.get(language, 0) + 1
    own = hits.pop(declared, 0)
    return own >= 0.2 * len(words) and own >= 1.25 * max(hits.values(), default=0)


def detect_language(text: str, declared: str | None = None) -> str:
    """ISO 639-1 code: the page's declared language if its text bears it out, else py3langid's.

    Parameters
    ----------
    text
        The article text.
    declared
        The page's ``<html lang>`` primary subtag, if any. Taken when ``confirms_language``
        agrees (a word count, a fifth of the cost of py3langid); a page whose declaration
        is missing, unlisted or contradicted by its text goes to py3langid.

    Returns
    -------
    str
        An ISO 639-1 code.

    Notes
    -----
    py3langid judges the first 400 characters (about 60 words): its cost grows with the text
    and was 12% of extraction at 1,000 characters, and 60 words tell news languages apart.
    Text in Chinese characters that it calls Japanese without any kana, Wu, or Cantonese
    without Cantonese characters is Chinese (``zh``): see :mod:`framing.extract.han`.
    """
    if declared and confirms_language(text, declared):
        return declared
    sample = text[:400]
    return han_language(sample, py3langid.classify(sample)[0])


def apply_filter(row: dict[str, Any], study_filter: Filter, topic: re.Pattern[str] | None) -> dict[str, Any]:
    """Give an ``ok`` row the first filter status it fails: language, date range, topic."""
    if row["status"] != "ok":
        return row
    published = row.get("published")
    if study_filter.languages and row["language"] not in study_filter.languages:
        return {**row, "status": "wrong-language", "reason": f"{row['language']} not in {study_filter.languages}"}
    if published and study_filter.since and published < study_filter.since:
        return {**row, "status": "out-of-range", "reason": f"published {published} before {study_filter.since}"}
    if published and study_filter.until and published > study_filter.until:
        return {**row, "status": "out-of-range", "reason": f"published {published} after {study_filter.until}"}
    if topic is not None and not topic.search(f"{row.get('title') or ''}\n{row['text']}"):
        return {**row, "status": "off-topic", "reason": "no filter.keywords match"}
    return row


def extract_article(capture: Capture, options: Extract, study_filter: Filter, topic: re.Pattern[str] | None,
                    max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, Any]:
    """One capture through extraction and the study's filter; an article that passes is signed for
    near-duplicate clustering (``minhash``), here, where the work is spread over workers."""
    row = apply_filter(extract_page(capture, options, max_bytes), study_filter, topic)
    if row["status"] == "ok" and options.near_duplicates is not None:
        row["minhash"] = signature(row["text"], options.shingle_words)
    return row


# -- parallel map -------------------------------------------------------------------------------

_worker_settings: tuple[Extract, Filter, re.Pattern[str] | None, int] | None = None


def _init_worker(options: Extract, study_filter: Filter, max_bytes: int) -> None:
    global _worker_settings
    topic = keyword_pattern(study_filter.keywords) if study_filter.keywords else None
    _worker_settings = (options, study_filter, topic, max_bytes)


def _extract_in_worker(batch: list[Capture]) -> list[dict[str, Any]]:
    options, study_filter, topic, max_bytes = _worker_settings
    return [extract_article(capture, options, study_filter, topic, max_bytes) for capture in batch]


def worker_count(requested: int) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


def extract_all(captures: Iterable[Capture], options: Extract, study_filter: Filter,
                progress: Callable[[int], None] | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[dict[str, Any]]:
    """Extract, filter and sign captures (:func:`extract_article`), in order, on ``options.workers``
    processes; streams rows.

    Parameters
    ----------
    captures
        Any iterable, consumed lazily; memory stays bounded by the pool's chunks.
    options, study_filter
        The pipeline's ``extract`` and ``filter`` blocks.
    progress
        Called with the number of captures done so far.
    max_bytes
        Largest decoded page (the study's ``collect.max_bytes``); larger ones are ``too-large``.
    """
    workers = worker_count(options.workers)
    if workers == 1:
        topic = keyword_pattern(study_filter.keywords) if study_filter.keywords else None
        rows: Iterable[dict[str, Any]] = (extract_article(c, options, study_filter, topic, max_bytes)
                                          for c in captures)
        yield from _counted(rows, progress)
        return
    with _pool_context().Pool(workers, initializer=_init_worker,
                              initargs=(options, study_filter, max_bytes)) as pool:
        yield from _counted(_ordered_map(pool, captures, workers), progress)


def _pool_context() -> Any:
    """Fork where the platform has it, else spawn.

    Decision: fork, measured against forkserver. Forked workers start at once with the
    extractors imported; forkserver workers re-import the caller's main module (the whole
    CLI), which took 2 workers to 0.96x of 1 on the demo pages against 1.7-1.9x with fork, and
    it fails in user scripts without a ``__main__`` guard. The danger of fork, a lock held by
    another thread of the caller, does not reach the workers: they run only trafilatura, lxml
    and the language model (loaded in the worker, when a page does not declare its language),
    none of which shares a lock with the threads here (DuckDB's, pyarrow's, the crawler's).
    """
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _ordered_map(pool: Any, captures: Iterable[Capture], workers: int, batch: int = 16,
                 per_worker: int = 2) -> Iterator[dict[str, Any]]:
    """Like ``pool.imap`` but the captures are read in this thread (the frontier's SQLite cursor
    lives here) and at most two batches per worker are in flight (32 pages), so memory stays
    bounded. Batches of 16 cut the parent's pickling and queue CPU by a third against batches
    of 4 (0.39 -> 0.25 s on 688 pages), CPU that competes with the workers for the cores."""
    pending: deque = deque()
    batches = chunks(captures, batch)
    while True:
        while len(pending) < workers * per_worker and (chunk := next(batches, None)):
            pending.append(pool.apply_async(_extract_in_worker, (chunk,)))
        if not pending:
            return
        yield from pending.popleft().get()


def _counted(rows: Iterable[dict[str, Any]], progress: Callable[[int], None] | None) -> Iterator[dict[str, Any]]:
    for done, row in enumerate(rows, 1):
        yield row
        if progress:
            progress(done)


# Exact duplicates among in-scope articles: the earliest published copy (then the smallest URL)
# is the original; every other copy keeps its row, outlet and text, with status "duplicate".
# A subquery over ``articles_raw``, for the statement that writes the article table.
LINK_DUPLICATES_SQL = """
SELECT * EXCLUDE (rank_in_group, original) REPLACE (
    CASE WHEN status = 'ok' AND rank_in_group > 1 THEN 'duplicate' ELSE status END AS status,
    CASE WHEN status = 'ok' AND rank_in_group > 1 THEN 'same text as ' || original ELSE reason END AS reason,
    CASE WHEN status = 'ok' AND rank_in_group > 1 THEN original END AS duplicate_of
)
FROM (
    SELECT *,
        row_number() OVER w AS rank_in_group,
        first_value(article_id) OVER w AS original
    FROM articles_raw
    WINDOW w AS (PARTITION BY CASE WHEN status = 'ok' THEN content_hash ELSE article_id END
                 ORDER BY published NULLS LAST, url)
)
"""
