"""The crawl frontier in SQLite: every URL with its kind, outlet, status and capture pointer.

It is the crawl's memory across crashes: a URL is inserted once (UNIQUE), and a page counts as
stored only when its row says ``fetched`` with a WARC offset, which is committed right after
the record is flushed to disk.

A page found in a web archive's index (a ``cdx:`` source) keeps its original URL in ``url``: that
is the article's address and names its outlet. ``archive_url`` is where its bytes are asked for
(the archive's replay URL, moved on by the archive's redirects) and ``host`` is that URL's host,
so the archive's robots.txt and delay govern it and the original site is never contacted;
``archived_at`` is when the archive captured it. A capture kept as a record inside a WARC file (Common Crawl) has
that file's URL with a ``#bytes=first-last`` fragment as its ``archive_url`` (see
:mod:`framing.collect.commoncrawl`): the fragment is kept, where other URLs lose theirs.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

import httpx

from framing.study.tables import HELD, LISTING_FINAL

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    id INTEGER PRIMARY KEY,
    url TEXT UNIQUE NOT NULL,
    host TEXT NOT NULL,
    outlet TEXT NOT NULL,
    kind TEXT NOT NULL,              -- feed | sitemap | listing (crawl start/navigation) | cdx (index page) | page
    source TEXT NOT NULL,            -- the pipeline source that led here, e.g. feed:https://...
    via TEXT,                        -- the URL this one was discovered on
    depth INTEGER NOT NULL DEFAULT 0,
    listed_date TEXT,                -- date given by the feed or sitemap
    status TEXT NOT NULL DEFAULT 'queued',
    reason TEXT,
    http_status INTEGER,
    content_type TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    redirect_hops INTEGER NOT NULL DEFAULT 0,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_length INTEGER,
    fetched_at TEXT,
    archive_url TEXT,                -- cdx pages: where the capture is fetched (the archive's replay URL, or a
                                     -- WARC file's URL + #bytes=first-last: one record of it, Common Crawl)
    archived_at TEXT                 -- cdx pages: when the archive captured it (ISO 8601, UTC)
);
CREATE INDEX IF NOT EXISTS urls_status ON urls(status, host);
-- the next URL of a host without sorting its whole queue (quadratic on a 100k-URL sitemap otherwise)
CREATE INDEX IF NOT EXISTS urls_queue ON urls(host, kind = 'page', id) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS urls_source ON urls(source, kind, status);
CREATE TABLE IF NOT EXISTS warc_files (name TEXT PRIMARY KEY, committed_end INTEGER NOT NULL);
-- foreign WARC files read by an import (framing.collect.archive), and the settings they were read under
CREATE TABLE IF NOT EXISTS warc_imports (path TEXT PRIMARY KEY, source TEXT NOT NULL, key TEXT NOT NULL, problem TEXT);
"""
# columns added after the first release: a frontier made before them gains them, empty
ADDED_COLUMNS = {"archive_url": "TEXT", "archived_at": "TEXT"}



def normalize(url: str) -> str:
    """Drop the fragment and lower-case scheme and host; the rest is kept as the server sent it."""
    url, _ = urldefrag(url.strip())
    parts = urlsplit(url)
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def request_url(row: sqlite3.Row | dict) -> str:
    """Where a frontier row's bytes are asked for: an archived capture's archive URL, else its URL."""
    return row["archive_url"] or row["url"]


def checked_url(raw: str) -> tuple[str, str, str | None]:
    """``(url, host, problem)``: the normalized URL, or the raw one with why it cannot be fetched."""
    try:
        url = normalize(raw)
        scheme = urlsplit(url).scheme
        if scheme not in ("http", "https"):
            return url, host_of(url), f"scheme {scheme!r}"
        urlsplit(url).port  # noqa: B018 - raises for a port out of range
        httpx.URL(url)
        return url, host_of(url), None
    except (ValueError, httpx.InvalidURL) as exc:
        return raw.strip(), "", f"{type(exc).__name__}: {exc}"[:200]


@dataclass
class Candidate:
    """A URL to put in the frontier."""

    url: str
    outlet: str
    kind: str
    source: str
    via: str | None = None
    depth: int = 0
    listed_date: str | None = None
    redirect_hops: int = 0
    status: str = "queued"  # or a verdict reached before any request (e.g. sitemap-too-deep)
    reason: str | None = None
    archive_url: str | None = None  # an archived capture: where its bytes are fetched (then the host asked)
    archived_at: str | None = None  # and when the archive captured it


class Frontier:
    """Read and update the urls table.

    Parameters
    ----------
    conn
        An open connection to the study's ``state.sqlite``.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        conn.executescript(SCHEMA)
        known = {row[1] for row in conn.execute("PRAGMA table_info(urls)")}
        for column, kind in ADDED_COLUMNS.items():
            if column not in known:
                conn.execute(f"ALTER TABLE urls ADD COLUMN {column} {kind}")
        conn.commit()

    def add(self, cand: Candidate) -> bool:
        """Insert a URL unless known; return whether it is new. A known URL gains a listed date.

        A URL that cannot be requested (another scheme, a broken host or port, control
        characters: servers list such things) is kept with status ``invalid-url`` and the reason.
        An archived capture's host is its ``archive_url``'s: the host that is asked.
        """
        url, host, problem = checked_url(cand.url)
        archive_url = cand.archive_url
        if archive_url is not None and problem is None:
            address, hash_mark, span = archive_url.partition("#bytes=")  # a record's byte range: kept
            archive_url, host, problem = checked_url(address)
            archive_url += hash_mark + span
            problem = problem and f"archive URL {archive_url!r}: {problem}"
        status, reason = ("invalid-url", problem) if problem else (cand.status, cand.reason)
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO urls (url, host, outlet, kind, source, via, depth, listed_date, status,"
            " reason, redirect_hops, archive_url, archived_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (url, host, cand.outlet, cand.kind, cand.source, cand.via, cand.depth,
             cand.listed_date, status, reason, cand.redirect_hops, archive_url, cand.archived_at),
        )
        if cur.rowcount == 0 and cand.listed_date:
            self.conn.execute(
                "UPDATE urls SET listed_date = ? WHERE url = ? AND listed_date IS NULL", (cand.listed_date, url)
            )
        return cur.rowcount > 0

    def add_archived(self, pages: list[dict], source: str) -> int:
        """Insert pages read from WARC files with their verdicts, in one statement; known URLs are left
        as they are. Each page: ``url`` and ``host`` as :func:`checked_url` gives them (checked where
        the file was read), ``outlet``, ``status``, ``reason`` and any of ``http_status``,
        ``content_type``, ``warc_file``, ``warc_offset``, ``fetched_at``. Returns how many were new."""
        rows = [(page["url"], page["host"], page["outlet"], source, page["status"], page["reason"],
                 page.get("http_status"), page.get("content_type"), page.get("warc_file"), page.get("warc_offset"),
                 page.get("fetched_at")) for page in pages]
        before = self.conn.total_changes
        self.conn.executemany(
            "INSERT OR IGNORE INTO urls (url, host, outlet, kind, source, status, reason, http_status, content_type,"
            " warc_file, warc_offset, fetched_at) VALUES (?,?,?,'page',?,?,?,?,?,?,?,?)", rows)
        return self.conn.total_changes - before

    def record_import(self, path: str, source: str, key: str, problem: str | None) -> None:
        """Note a foreign WARC file as read by a source (under settings ``key``), and commit with its rows."""
        self.conn.execute("INSERT INTO warc_imports (path, source, key, problem) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT(path) DO UPDATE SET source = excluded.source, key = excluded.key, "
                          "problem = excluded.problem", (path, source, key, problem))
        self.conn.commit()

    def warc_imports(self, source: str | None = None) -> dict[str, tuple[str, str | None]]:
        """Foreign WARC files read so far (by one source, or any): path -> (settings key, problem)."""
        rows = self.conn.execute("SELECT path, source, key, problem FROM warc_imports")
        return {path: (key, problem) for path, by, key, problem in rows if source is None or by == source}

    def imported_by(self) -> dict[str, str]:
        """Foreign WARC files read so far: path -> the source that read it."""
        return dict(self.conn.execute("SELECT path, source FROM warc_imports").fetchall())

    def forget_imports(self, paths: list[str]) -> None:
        """Drop files from the import ledger (gone from their source's glob, or their source gone)."""
        self.conn.executemany("DELETE FROM warc_imports WHERE path = ?", [(p,) for p in paths])
        self.conn.commit()

    def get(self, url: str) -> sqlite3.Row | None:
        try:
            url = normalize(url)
        except ValueError:
            url = url.strip()
        return self.conn.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone()

    def queued_hosts(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT host FROM urls WHERE status = 'queued'")]

    def next_queued(self, host: str) -> sqlite3.Row | None:
        """Feeds and sitemaps first (they lead to pages), then pages in discovery order."""
        return self.conn.execute(
            "SELECT * FROM urls WHERE host = ? AND status = 'queued' ORDER BY kind = 'page', id LIMIT 1",
            (host,),
        ).fetchone()

    def requeue_unfinished(self) -> int:
        """At the start of a run: queue again what an earlier run left for later.

        That is URLs held back by a spent budget or unknown robots rules, and feeds, sitemaps,
        CDX index pages and crawl start pages that failed (an empty or broken listing, a timeout, a 5xx): a
        listing is one request, and a glitch must not cost a study its source for good. Navigation
        pages found by a crawl are pages like any other: their failures are verdicts.
        Returns how many rows were queued again.
        """
        cur = self.conn.execute(
            "UPDATE urls SET status = 'queued', attempts = 0, reason = 'again after: ' || coalesce(reason, status) "
            "WHERE status IN (" + ", ".join("?" * len(HELD)) + ") "
            "OR ((kind IN ('feed', 'sitemap', 'cdx') OR (kind = 'listing' AND depth = 0)) "
            "AND status NOT IN (" + ", ".join("?" * len(LISTING_FINAL)) + "))",
            (*HELD, *LISTING_FINAL),
        )
        self.conn.commit()
        return cur.rowcount

    def queue_again(self, url: str, reason: str) -> bool:
        """Queue a URL read before once more (a list that changes between runs); whether it was not queued."""
        cur = self.conn.execute("UPDATE urls SET status = 'queued', attempts = 0, reason = ? "
                                "WHERE url = ? AND status != 'queued'", (reason, normalize(url)))
        return cur.rowcount > 0

    def hold_host(self, host: str, status: str, reason: str) -> int:
        """Give every queued URL of a host ``status`` (one that the next run queues again)."""
        cur = self.conn.execute("UPDATE urls SET status = ?, reason = ? WHERE host = ? AND status = 'queued'",
                                (status, reason, host))
        self.conn.commit()
        return cur.rowcount

    def hold_pages(self, source: str | None, reason: str) -> int:
        """Mark the queued pages of one source (all sources: None) ``max-pages``, in one statement."""
        where, params = ("AND source = ?", (source,)) if source is not None else ("", ())
        cur = self.conn.execute(
            f"UPDATE urls SET status = 'max-pages', reason = ? WHERE kind = 'page' AND status = 'queued' {where}",
            (reason, *params))
        self.conn.commit()
        return cur.rowcount

    def per_source(self, where: str = "1=1", params: tuple = ()) -> dict[str, int]:
        """Row counts per source for a condition."""
        return dict(self.conn.execute(f"SELECT source, count(*) FROM urls WHERE {where} GROUP BY source", params))

    def set_status(self, url_id: int, status: str, reason: str | None = None, **fields: object) -> None:
        cols = {"status": status, "reason": reason, **fields}
        assignments = ", ".join(f"{k} = ?" for k in cols)
        self.conn.execute(f"UPDATE urls SET {assignments} WHERE id = ?", (*cols.values(), url_id))

    def record_capture(self, url_id: int, warc_file: str, offset: int, length: int, status: str = "fetched",
                       reason: str | None = None, **fields: object) -> None:
        """Mark a URL stored and advance its WARC file's committed end, in one transaction.

        ``status`` stays ``fetched`` but for a listing whose body could not be read: its
        capture is kept as evidence all the same.
        """
        self.set_status(
            url_id, status, reason, warc_file=warc_file, warc_offset=offset, warc_length=length,
            fetched_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **fields,
        )
        self.conn.execute(
            "INSERT INTO warc_files (name, committed_end) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET committed_end = excluded.committed_end",
            (warc_file, offset + length),
        )
        self.conn.commit()

    def committed_ends(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT name, committed_end FROM warc_files").fetchall())

    def count(self, where: str = "1=1", params: tuple = ()) -> int:
        return self.conn.execute(f"SELECT count(*) FROM urls WHERE {where}", params).fetchone()[0]

    def captures(self) -> Iterator[sqlite3.Row]:
        """Fetched pages in WARC order: the input of the extract stage."""
        yield from self.conn.execute(
            "SELECT * FROM urls WHERE status = 'fetched' AND kind = 'page' ORDER BY warc_file, warc_offset"
        )

    def fingerprint(self) -> str:
        row = self.conn.execute(
            "SELECT count(*), coalesce(max(id), 0), coalesce(sum(warc_offset), 0) FROM urls "
            "WHERE status = 'fetched' AND kind = 'page'"
        ).fetchone()
        return "-".join(str(v) for v in row)
