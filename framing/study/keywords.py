"""The study's topic keywords (``filter.keywords``) as one pattern, for the extract filter and the WARC pre-filter."""

from __future__ import annotations

import html
import re

from framing.scripts import UNSPACED

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def keyword_pattern(keywords: list[str]) -> re.Pattern[str]:
    """Topic keywords as one case-insensitive regex; ``*`` matches any word characters.

    Examples
    --------
    >>> bool(keyword_pattern(["social credit", "sozialkredit*"]).search("Das Sozialkreditsystem"))
    True
    >>> bool(keyword_pattern(["社会信用"]).search("推进社会信用体系建设"))
    True
    >>> bool(keyword_pattern(["credit"]).search("discredit"))
    False
    """
    alternatives = [_boundary(k.strip()) + re.escape(k.strip()).replace(r"\*", r"\w*").replace(r"\ ", r"\s+")
                    for k in keywords]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _boundary(keyword: str) -> str:
    """A word boundary before the keyword, except in scripts written without spaces: in
    "推进社会信用体系建设" nothing separates 社会信用 from the character before it."""
    return "" if UNSPACED.match(keyword) else r"\b"


def page_mentions(page: str, topic: re.Pattern[str]) -> bool:
    """Whether a page's text (tags and scripts dropped, entities decoded) mentions the topic.

    A cheap test on the whole page, before extraction: a page whose text does not mention a
    keyword cannot yield an article that does, whatever the extractor keeps.

    Examples
    --------
    >>> page_mentions("<p>China&#39;s <b>social</b> credit plan</p>", keyword_pattern(["social credit"]))
    True
    >>> page_mentions('<script>var t = "social credit";</script><p>Weather</p>', keyword_pattern(["social credit"]))
    False
    """
    return topic.search(html.unescape(_TAG.sub(" ", page))) is not None
