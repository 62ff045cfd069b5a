"""Parse what leads to articles: RSS/Atom feeds, sitemaps and sitemap indexes, URL lists, page links.

trafilatura's feed and sitemap helpers fetch by themselves and return bare links; here the
polite fetcher does the fetching and the item dates are kept, because a feed's or sitemap's
date is right more often than the one found in the page (about 87% of page dates are right), so both are stored.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import courlan
from lxml import etree, html

from framing.errors import FramingError


@dataclass(frozen=True)
class Link:
    url: str
    date: str | None = None  # ISO date, when the listing gives one
    is_sitemap: bool = False  # an entry of a sitemap index


def absolute(base_url: str, href: str) -> str:
    """``href`` resolved against the page's URL; as written when it is too broken to resolve
    (the frontier then records it as ``invalid-url``, with the reason)."""
    try:
        return urljoin(base_url, href.strip())
    except ValueError:  # e.g. "http://[::1/x", an unclosed IPv6 literal
        return href.strip()


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


class ListingError(ValueError):
    """A feed or sitemap that could not be read as one.

    ``transient`` marks what a glitching server produces (an empty or broken body), worth
    another request in the same run; ``links`` holds what a broken file yielded before the break.
    """

    def __init__(self, reason: str, transient: bool, links: list[Link] | None = None):
        super().__init__(reason)
        self.transient = transient
        self.links = links or []


_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_RECOVER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


def _parse_xml(body: bytes, what: str) -> tuple[etree._Element, str | None]:
    """The document's root, and why it is broken if it is (then the root is lxml's recovered tree)."""
    body = body.strip()
    if not body:
        raise ListingError("empty body (HTTP 200)", transient=True)
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise ListingError(f"an HTML page, not a {what}", transient=False)
    try:
        return etree.fromstring(body, parser=_STRICT), None
    except etree.XMLSyntaxError as exc:
        problem = f"broken XML ({exc})"[:300]
    try:
        root = etree.fromstring(body, parser=_RECOVER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        raise ListingError(f"not a {what}: {problem}", transient=True)
    return root, problem


def _checked(links: list[Link], problem: str | None) -> list[Link]:
    if problem:
        raise ListingError(f"{problem}; {len(links)} links read before the break", transient=True, links=links)
    return links


def iso_date(value: str | None) -> str | None:
    """RFC 822 (RSS) or ISO 8601 (Atom, sitemaps) -> ``YYYY-MM-DD``; None when unreadable."""
    if not value:
        return None
    value = value.strip()
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        pass
    head = value[:10]
    if len(head) == 10 and head[4] == "-" and head[7] == "-" and head.replace("-", "").isdigit():
        return head
    return None


def feed_links(body: bytes, base_url: str) -> list[Link]:
    """Items of an RSS 2.0, RSS 1.0 or Atom feed, with their dates.

    Raises
    ------
    ListingError
        For an empty body, an HTML page or broken XML (with the links read before the break).
    """
    root, problem = _parse_xml(body, "feed")
    links = []
    for item in root.iter():
        name = _local(item.tag)
        if name not in ("item", "entry"):
            continue
        url, date = None, None
        for child in item:
            field = _local(child.tag)
            if field == "link":
                href = child.get("href")
                rel = child.get("rel", "alternate")
                if href and rel == "alternate":
                    url = href
                elif not href and child.text:
                    url = child.text.strip()
            elif field == "guid" and url is None and child.get("isPermaLink", "true") == "true":
                url = (child.text or "").strip() or None
            elif field in ("pubdate", "published", "date", "issued") or (field == "updated" and date is None):
                date = iso_date(child.text) or date
        if url:
            links.append(Link(absolute(base_url, url), date))
    return _checked(links, problem)


def sitemap_links(body: bytes, base_url: str) -> list[Link]:
    """``<url>`` entries of a sitemap, or ``<sitemap>`` entries of a sitemap index.

    Raises
    ------
    ListingError
        As ``feed_links`` does.
    """
    root, problem = _parse_xml(body, "sitemap")
    is_index = _local(root.tag) == "sitemapindex"
    links = []
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        fields = {_local(c.tag): (c.text or "").strip() for c in entry}
        if fields.get("loc"):
            links.append(Link(absolute(base_url, fields["loc"]), iso_date(fields.get("lastmod")), is_index))
    return _checked(links, problem)


def page_links(body: str, base_url: str) -> list[str]:
    """Distinct absolute http(s) links of an HTML page, in page order."""
    try:
        tree = html.fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    seen: dict[str, None] = {}
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if not href or href.startswith(("mailto:", "javascript:", "#", "tel:")):
            continue
        url = absolute(base_url, href)
        if url.lower().startswith(("http://", "https://")):
            seen.setdefault(url.split("#")[0], None)
    return list(seen)


def crawlable(url: str) -> bool:
    """courlan's filter against obvious non-pages (login, feeds, media files)."""
    return not courlan.is_not_crawlable(url)


def url_list(path: str, url_column: str = "url", outlet_column: str = "outlet") -> Iterator[tuple[str, str | None]]:
    """``(url, outlet)`` rows of a .txt file (one URL a line, # comments) or a CSV/TSV with a header."""
    file = Path(path)
    if file.suffix.lower() in (".csv", ".tsv"):
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, delimiter="\t" if file.suffix.lower() == ".tsv" else ",")
            if url_column not in (reader.fieldnames or []):
                raise FramingError(
                    f"{path}: no column {url_column!r}; columns are {reader.fieldnames}. "
                    "Set url_column in the source."
                )
            for row in reader:
                if (row.get(url_column) or "").strip():
                    yield row[url_column].strip(), (row.get(outlet_column) or "").strip() or None
        return
    with file.open(encoding="utf-8-sig") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line, None
