"""Web archive indexes (the Wayback CDX API): a ``cdx:`` source's queries, and its answers read.

A ``cdx:`` source asks an archive's index for the captures of a URL prefix (or a domain) between
two dates; the crawler then fetches each capture at the archive's replay URL. What is asked and
read follows the Wayback CDX server's documentation (internetarchive/wayback,
``wayback-cdx-server/README.md``):

- ``output=json`` answers one JSON array whose first row names the fields (``fl`` chooses them
  and their order), then one capture a row, one row a line;
- ``from`` and ``to`` are inclusive, 1 to 14 digits of ``yyyyMMddhhmmss``; ``filter=field:regex``
  may be given more than once; ``collapse=urlkey`` keeps the first capture of each URL;
- with ``limit`` and ``showResumeKey=true``, a page that had to leave captures out ends with an
  empty row and a row holding the resumption key, printed URL-encoded, which the next request
  passes back verbatim as ``resumeKey`` (nothing else in the query changes); without a key the
  listing is complete. The pagination API (``showNumPages``, ``page=N``) needs a ZipNum index
  and is not used: the resumption key works on any Wayback CDX server.

Index pages are frontier rows of kind ``cdx``, fetched by the crawler as feeds and sitemaps are,
so the archive's robots.txt, its delay, the retries and ``Retry-After`` govern them like every
request. Common Crawl's index server runs pywb, whose API differs (one JSON object a line, fields
``url``/``mime``/``status``, pages instead of a resumption key, captures kept in WARC files rather
than behind a replay URL): a source names it as ``cdx: commoncrawl`` and is read by
:mod:`framing.collect.commoncrawl`; an answer in that shape to a Wayback query is recognised and
reported, never misread.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from framing.collect.discover import ListingError
from framing.study.config import Source

# the fields asked for, in this order; the answer's first row must name at least those read here
FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
RESUME = "&resumeKey="  # always the query's last parameter, so the next page replaces just it
SHOWN = 3  # malformed lines quoted in a reason
_REPLAY_TIMESTAMP = re.compile(r"/(\d{14})(?:[a-z]{2}_)?/")  # /web/20150102030405id_/http://...


@dataclass(frozen=True)
class IndexRow:
    """One capture listed by the index: the page's original URL and the archive's timestamp."""

    original: str
    timestamp: str  # yyyyMMddhhmmss, UTC


@dataclass
class IndexPage:
    """What one index answer held: its captures, the key to the next page, and the lines it could not use."""

    rows: list[IndexRow] = field(default_factory=list)
    resume_key: str | None = None
    malformed: int = 0
    examples: list[str] = field(default_factory=list)

    def skip(self, why: str) -> None:
        """Count a line that could not be used, quoting the first few."""
        self.malformed += 1
        if len(self.examples) < SHOWN:
            self.examples.append(why)

    @property
    def problem(self) -> str | None:
        """Why the page is not wholly readable (its good rows are used all the same), or None."""
        if not self.malformed:
            return None
        return (f"{self.malformed} of {self.malformed + len(self.rows)} index lines malformed and skipped: "
                + "; ".join(self.examples))


def first_page(source: Source) -> str:
    """The URL of a ``cdx:`` source's first index page.

    Examples
    --------
    >>> import datetime as dt
    >>> s = Source(cdx="https://web.archive.org/cdx/search/cdx", match="example.org/world/",
    ...            since=dt.date(2014, 6, 14), until=dt.date(2020, 12, 31), page_size=500)
    >>> print(first_page(s).replace("&", "\\n&"))
    https://web.archive.org/cdx/search/cdx?url=example.org/world/
    &matchType=prefix
    &from=20140614000000
    &to=20201231235959
    &output=json
    &fl=urlkey,timestamp,original,mimetype,statuscode,digest,length
    &filter=statuscode:200
    &filter=mimetype:text/html
    &collapse=urlkey
    &limit=500
    &showResumeKey=true
    """
    params = [("url", source.match), ("matchType", source.match_type)]
    if source.since:
        params.append(("from", f"{source.since:%Y%m%d}000000"))
    if source.until:  # to the day's last second: the day is included whatever the server pads
        params.append(("to", f"{source.until:%Y%m%d}235959"))
    params += [("output", "json"), ("fl", ",".join(FIELDS))]
    if source.status:
        params.append(("filter", f"statuscode:{source.status}"))
    if source.mime:
        params.append(("filter", f"mimetype:{source.mime}"))
    if source.collapse:
        params.append(("collapse", source.collapse))
    params += [("limit", str(source.page_size)), ("showResumeKey", "true")]
    # readable where that is safe (":" "/" ","), encoded elsewhere: a filter is a regular expression
    query = "&".join(f"{key}={quote(str(value), safe=':/,')}" for key, value in params)
    return f"{source.cdx}{'&' if '?' in source.cdx else '?'}{query}"


def next_page(url: str, resume_key: str) -> str:
    """The index page after ``url``: the same query with the resumption key the server printed.

    The key comes URL-encoded already (``org%2Carchive%29%2F+19980109140106%21``) and goes
    back as printed; anything else unsafe in it is encoded.

    Examples
    --------
    >>> next_page("https://ia.example/cdx?url=a.org/&limit=5&showResumeKey=true&resumeKey=k1", "org%2Ca%29%2F+1%21")
    'https://ia.example/cdx?url=a.org/&limit=5&showResumeKey=true&resumeKey=org%2Ca%29%2F+1%21'
    """
    return f"{url.split(RESUME, 1)[0]}{RESUME}{quote(resume_key, safe='%+')}"


def read_index(body: bytes) -> IndexPage:
    """The captures of one ``output=json`` index answer, and its resumption key.

    An empty answer (or ``[]``) lists nothing. A line that is not JSON, a row with another number
    of fields than the header names, or a timestamp that is not a time is skipped and counted.

    Raises
    ------
    ListingError
        For an answer without the header row (an HTML error page, plain-text CDX), transient
        as a broken feed is; for pywb's one-object-a-line dialect, final.
    """
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return IndexPage()
    if text.startswith("{"):
        raise ListingError("the index answered in pywb's dialect (one JSON object a line, as Common Crawl's "
                           "index server does), not the Wayback CDX protocol asked; for a pywb server give its "
                           "list of collections (cdx: https://<server>/collinfo.json, or cdx: commoncrawl)",
                           transient=False)
    items = _items(text)
    if not items:
        return IndexPage()
    header = items[0]
    if not (isinstance(header, list) and {"timestamp", "original"} <= set(header)):
        raise ListingError(f"not a CDX answer in JSON (no header row naming the fields): {_quoted(text)}",
                           transient=True)
    return _page(header, items[1:])


def _items(text: str) -> list[object]:
    """The answer's rows: the whole array when it parses, else line by line (one row a line, as
    the server writes them), a line that does not parse standing for itself as a string."""
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
    if isinstance(whole, list):
        return whole
    items: list[object] = []
    for number, line in enumerate(text.splitlines()):
        line = line.strip().removesuffix(",")
        if not line:
            continue
        if number == 0 and line.startswith("[["):  # the array's opening bracket
            line = line[1:]
        if line.endswith("]]"):  # its closing one
            line = line[:-1]
        try:
            items.append(json.loads(line))
        except ValueError:
            items.append(line)
    return items


def _page(header: list, items: list[object]) -> IndexPage:
    page = IndexPage()
    width, at_time, at_url = len(header), header.index("timestamp"), header.index("original")
    rows = iter(items)
    for item in rows:
        if item == []:  # the resumption key follows the empty row
            key = next(rows, None)
            if isinstance(key, list) and len(key) == 1 and isinstance(key[0], str) and key[0]:
                page.resume_key = key[0]
            else:
                page.skip(f"no resumption key after the empty row: {_quoted(json.dumps(key))}")
            for extra in rows:
                page.skip(f"a line after the resumption key: {_quoted(str(extra))}")
            break
        if not isinstance(item, list):
            page.skip(f"not JSON: {_quoted(str(item))}")
        elif len(item) != width:
            page.skip(f"{len(item)} fields, not {width}: {_quoted(json.dumps(item))}")
        elif not (isinstance(item[at_url], str) and item[at_url]) or capture_time(str(item[at_time])) is None:
            page.skip(f"no URL or no capture time: {_quoted(json.dumps(item))}")
        else:
            page.rows.append(IndexRow(original_url(item[at_url]), str(item[at_time])))
    return page


def _quoted(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= size else text[:size] + "...")


def original_url(raw: str) -> str:
    """The page's URL as the index lists it, without a default port (old captures list ``:80``).

    Examples
    --------
    >>> original_url("http://www.archive.org:80/about/")
    'http://www.archive.org/about/'
    """
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:  # "http://[::1/a", a port that is no number
        return raw  # the frontier records it as invalid-url, with the reason
    if (parts.scheme.lower(), port) in (("http", 80), ("https", 443)):
        return parts._replace(netloc=parts.netloc.rsplit(":", 1)[0]).geturl()
    return raw


def replay_url(template: str, row: IndexRow) -> str:
    """Where the archive serves a capture's original bytes (``{timestamp}``, ``{url}`` filled in)."""
    return template.format(timestamp=row.timestamp, url=row.original)


def capture_time(timestamp: str) -> dt.datetime | None:
    """A 14-digit archive timestamp as a UTC time; None when it is not one."""
    if not re.fullmatch(r"\d{14}", timestamp):
        return None
    try:
        return dt.datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def served_at(headers: list[tuple[str, str]], url: str, listed: str | None) -> dt.datetime | None:
    """When the archive captured what it served: the answer's ``Memento-Datetime`` (RFC 7089),
    else the timestamp in the replay URL it was served at (after the archive's redirects), else
    the time the index listed (``listed``, ISO 8601)."""
    for name, value in headers:
        if name.lower() == "memento-datetime":
            try:
                return email.utils.parsedate_to_datetime(value).astimezone(dt.UTC)
            except (TypeError, ValueError):
                break
    if (found := _REPLAY_TIMESTAMP.search(urlsplit(url).path)) and (moment := capture_time(found.group(1))):
        return moment
    try:
        return dt.datetime.fromisoformat(listed) if listed else None
    except ValueError:
        return None
