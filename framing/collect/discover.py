"""Parse what leads to articles: RSS/Atom feeds, sitemaps and sitemap indexes, URL lists, page links.

trafilatura's feed and sitemap helpers fetch by themselves and return bare links; here the
polite fetcher does the fetching and the item dates are kept, because a feed's or sitemap's
date is right more often than the one found in the page (DESIGN.md), so both are stored.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import courlan
from lxml import etree, html

from framing.errors import FramingError


@dataclass(frozen=True)
class Link:
    url: str
    date: str | None = None  # ISO date, when the listing gives one
    is_sitemap: bool = False  # an entry of a sitemap index


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _parse_xml(body: bytes) -> etree._Element:
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(body.strip(), parser=parser)
    if root is None:
        raise ValueError("not XML")
    return root


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
    """Items of an RSS 2.0, RSS 1.0 or Atom feed, with their dates."""
    root = _parse_xml(body)
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
            links.append(Link(urljoin(base_url, url), date))
    return links


def sitemap_links(body: bytes, base_url: str) -> list[Link]:
    """``<url>`` entries of a sitemap, or ``<sitemap>`` entries of a sitemap index."""
    root = _parse_xml(body)
    is_index = _local(root.tag) == "sitemapindex"
    links = []
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        fields = {_local(c.tag): (c.text or "").strip() for c in entry}
        if fields.get("loc"):
            links.append(Link(urljoin(base_url, fields["loc"]), iso_date(fields.get("lastmod")), is_index))
    return links


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
        url = urljoin(base_url, href.strip())
        if urlsplit(url).scheme in ("http", "https"):
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
