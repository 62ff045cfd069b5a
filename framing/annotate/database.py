"""The coding database: ``annotation.sqlite`` in the study folder.

One SQLite file holds the coders and their tokens, the units drawn for coding (with a snapshot of
their text, so coding does not depend on later re-extraction), who codes what, every judgement and
the reviewer's final labels. SQLite in WAL mode lets many coders save at once: every write is one
short transaction, and each coder's judgement of a unit is keyed by (coder, unit), so coders can
never overwrite each other. Every save is also appended to ``judgement_log``: nothing a coder did
is ever lost, even when they change their mind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.annotate.judgement import GOLD_CODER, Judgement
from framing.errors import FramingError

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS coders (
    name TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('coder', 'reviewer')),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS units (
    unit_id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    sentence INTEGER,
    outlet TEXT, title TEXT, url TEXT, published TEXT, language TEXT,
    text TEXT NOT NULL,
    stratum TEXT,
    batch INTEGER NOT NULL,
    round TEXT NOT NULL CHECK (round IN ('main', 'training')),
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS assignments (
    coder TEXT NOT NULL REFERENCES coders(name),
    unit_id TEXT NOT NULL REFERENCES units(unit_id),
    position INTEGER NOT NULL,
    PRIMARY KEY (coder, unit_id)
);
CREATE TABLE IF NOT EXISTS judgements (
    coder TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units(unit_id),
    frames TEXT NOT NULL,
    dominant TEXT,
    relevant INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    complete INTEGER NOT NULL,
    codebook TEXT NOT NULL,
    codebook_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (coder, unit_id)
);
CREATE TABLE IF NOT EXISTS judgement_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    coder TEXT NOT NULL, unit_id TEXT NOT NULL, frames TEXT NOT NULL, dominant TEXT,
    relevant INTEGER NOT NULL, note TEXT NOT NULL, complete INTEGER NOT NULL,
    codebook_version INTEGER NOT NULL, saved_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answer_keys (
    unit_id TEXT PRIMARY KEY REFERENCES units(unit_id),
    frames TEXT NOT NULL, dominant TEXT, relevant INTEGER NOT NULL, source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS adjudications (
    unit_id TEXT PRIMARY KEY REFERENCES units(unit_id),
    frames TEXT NOT NULL, dominant TEXT, relevant INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL, codebook_version INTEGER NOT NULL, decided_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assignments_by_unit ON assignments (unit_id);
"""


POOL_SIZE = 16   # idle connections kept per database; the app's thread pool runs up to 40 requests at once
# Connections a forked child inherited: SQLite forbids using or even closing them there, so they
# are kept referenced (never garbage-collected, which would close them) and left alone.
_INHERITED: list[sqlite3.Connection] = []


def _close_all(connections: list[sqlite3.Connection], pid: int) -> None:
    """Close the connections that process ``pid`` opened; in any other process, only forget them."""
    if os.getpid() != pid:
        _INHERITED.extend(connections)
        connections.clear()
    while connections:
        connections.pop().close()


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Coder:
    name: str
    token: str
    role: str


@dataclass(frozen=True)
class Unit:
    """A unit drawn for coding, with the text coders see."""

    unit_id: str
    article_id: str
    sentence: int | None
    outlet: str
    title: str
    url: str
    published: str
    language: str
    text: str
    stratum: str
    batch: int
    round: str


class AnnotationDB:
    """Open (creating if needed) a study's coding database.

    Parameters
    ----------
    path
        The SQLite file, normally ``<study>/annotation.sqlite``.

    Connections are pooled (up to ``POOL_SIZE`` idle ones) and closed by ``close()`` or when the
    object is garbage-collected.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._idle: list[sqlite3.Connection] = []
        self._idle_lock = threading.Lock()
        self._pid = os.getpid()
        # close the idle connections when the object goes (or at exit: the last close checkpoints the WAL)
        weakref.finalize(self, _close_all, self._idle, self._pid)
        with self.connect() as conn:
            conn.executescript(SCHEMA)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        # Connections are pooled, each used by one thread at a time: the web app serves requests
        # from a thread pool, and opening a connection per use cost more than the query (the
        # pragmas, and when it was the last one open, a WAL checkpoint and deleting the WAL file
        # on every close). WAL lets readers and one writer proceed together.
        conn = self._borrow()
        try:
            yield conn
        finally:
            self._give_back(conn)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close the pooled connections (they are also closed when the object is garbage-collected)."""
        _close_all(self._idle, self._pid)

    def _borrow(self) -> sqlite3.Connection:
        with self._idle_lock:
            # a forked child leaves its parent's connections alone and opens one per use
            if self._idle and self._pid == os.getpid():
                return self._idle.pop()
        # check_same_thread=False: a pooled connection moves between threads, never shared by two at once
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _give_back(self, conn: sqlite3.Connection) -> None:
        # a connection left inside a transaction (a failed COMMIT or ROLLBACK) is never reused
        if not conn.in_transaction:
            with self._idle_lock:
                if len(self._idle) < POOL_SIZE and self._pid == os.getpid():
                    self._idle.append(conn)
                    return
        conn.close()

    # -- settings ---------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self.connect() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (key, value))

    # -- coders -----------------------------------------------------------------------------
    def add_coder(self, name: str, role: str = "coder") -> Coder:
        """Register a coder (or reviewer) with a fresh secret token; an existing one is returned unchanged."""
        if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise FramingError(f"coder name {name!r}: use letters, digits, '-', '_' or '.' (it appears in links)")
        if name == GOLD_CODER:
            raise FramingError(f"{GOLD_CODER!r} is reserved for adjudicated labels; choose another coder name")
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM coders WHERE name = ?", (name,)).fetchone()
            if row is None:
                conn.execute("INSERT INTO coders VALUES (?, ?, ?, ?)", (name, secrets.token_urlsafe(18), role, now()))
                row = conn.execute("SELECT * FROM coders WHERE name = ?", (name,)).fetchone()
        return Coder(row["name"], row["token"], row["role"])

    def coders(self) -> list[Coder]:
        with self.connect() as conn:
            rows = conn.execute("SELECT * FROM coders ORDER BY role, name").fetchall()
        return [Coder(r["name"], r["token"], r["role"]) for r in rows]

    def coder_by_token(self, token: str) -> Coder | None:
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM coders WHERE token = ?", (token,)).fetchone()
        return Coder(row["name"], row["token"], row["role"]) if row else None

    # -- units and assignments ---------------------------------------------------------------
    def next_batch(self) -> int:
        with self.connect() as conn:
            return int(conn.execute("SELECT coalesce(max(batch), 0) + 1 FROM units").fetchone()[0])

    def unit_ids(self) -> set[str]:
        with self.connect() as conn:
            return {r[0] for r in conn.execute("SELECT unit_id FROM units")}

    def add_units(self, units: Iterable[Unit], assignments: dict[str, list[str]],
                  answer_keys: dict[str, Judgement] | None = None) -> None:
        """Store units and each coder's queue (``coder -> unit ids in coding order``) in one transaction."""
        added = now()
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO units VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(u.unit_id, u.article_id, u.sentence, u.outlet, u.title, u.url, u.published, u.language, u.text,
                  u.stratum, u.batch, u.round, added) for u in units])
            for coder, queue in assignments.items():
                start = conn.execute("SELECT coalesce(max(position), 0) FROM assignments WHERE coder = ?",
                                     (coder,)).fetchone()[0]
                conn.executemany("INSERT INTO assignments VALUES (?, ?, ?)",
                                 [(coder, unit_id, start + i + 1) for i, unit_id in enumerate(queue)])
            for unit_id, key in (answer_keys or {}).items():
                conn.execute("INSERT INTO answer_keys VALUES (?, ?, ?, ?, ?)",
                             (unit_id, json.dumps(list(key.frames)), key.dominant, int(key.relevant),
                              key.meta.get("source", "")))

    def unit(self, unit_id: str) -> Unit:
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM units WHERE unit_id = ?", (unit_id,)).fetchone()
        if row is None:
            raise KeyError(unit_id)
        return _unit(row)

    def units(self, round: str | None = None) -> list[Unit]:
        sql = "SELECT * FROM units" + (" WHERE round = ?" if round else "") + " ORDER BY batch, unit_id"
        with self.connect() as conn:
            return [_unit(r) for r in conn.execute(sql, (round,) if round else ())]

    def queue(self, coder: str) -> list[dict[str, Any]]:
        """A coder's units in coding order, each with whether their judgement is complete."""
        with self.connect() as conn:
            rows = conn.execute(
                "SELECT a.position, a.unit_id, u.round, coalesce(j.complete, 0) AS complete, j.unit_id IS NOT NULL "
                "AS started FROM assignments a JOIN units u USING (unit_id) "
                "LEFT JOIN judgements j ON j.coder = a.coder AND j.unit_id = a.unit_id "
                "WHERE a.coder = ? ORDER BY u.round = 'main', a.position", (coder,)).fetchall()
        return [{"position": i, "unit_id": r["unit_id"], "round": r["round"], "complete": bool(r["complete"]),
                 "started": bool(r["started"])} for i, r in enumerate(rows)]

    def is_assigned(self, coder: str, unit_id: str) -> bool:
        with self.connect() as conn:
            return conn.execute("SELECT 1 FROM assignments WHERE coder = ? AND unit_id = ?",
                                (coder, unit_id)).fetchone() is not None

    def assigned_pairs(self) -> set[tuple[str, str]]:
        """Every (coder, unit) in a queue."""
        with self.connect() as conn:
            return {(r[0], r[1]) for r in conn.execute("SELECT coder, unit_id FROM assignments")}

    def assignment_counts(self) -> dict[str, int]:
        """Coders assigned per unit, in one query (the review list and the gold table need every unit's)."""
        with self.connect() as conn:
            return {r[0]: r[1] for r in conn.execute("SELECT unit_id, count(*) FROM assignments GROUP BY unit_id")}

    def assigned_coders(self, unit_id: str) -> list[str]:
        with self.connect() as conn:
            return [r[0] for r in conn.execute("SELECT coder FROM assignments WHERE unit_id = ? ORDER BY coder",
                                               (unit_id,))]

    # -- judgements ---------------------------------------------------------------------------
    def save(self, judgement: Judgement, complete: bool) -> int:
        """Upsert a coder's judgement of a unit and log it; return its revision number."""
        stamp = judgement.created_at or now()
        frames = json.dumps(sorted(judgement.frames))
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO judgements VALUES (?,?,?,?,?,?,?,?,?,?,?,1) ON CONFLICT(coder, unit_id) DO UPDATE SET "
                "frames = excluded.frames, dominant = excluded.dominant, relevant = excluded.relevant, "
                "note = excluded.note, complete = excluded.complete, codebook = excluded.codebook, "
                "codebook_version = excluded.codebook_version, updated_at = excluded.updated_at, "
                "revision = judgements.revision + 1",
                (judgement.coder, judgement.unit, frames, judgement.dominant, int(judgement.relevant), judgement.note,
                 int(complete), judgement.codebook, judgement.codebook_version, stamp, stamp))
            conn.execute(
                "INSERT INTO judgement_log (coder, unit_id, frames, dominant, relevant, note, complete, "
                "codebook_version, saved_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (judgement.coder, judgement.unit, frames, judgement.dominant, int(judgement.relevant), judgement.note,
                 int(complete), judgement.codebook_version, stamp))
            return int(conn.execute("SELECT revision FROM judgements WHERE coder = ? AND unit_id = ?",
                                    (judgement.coder, judgement.unit)).fetchone()[0])

    def judgement(self, coder: str, unit_id: str) -> tuple[Judgement, bool] | None:
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM judgements WHERE coder = ? AND unit_id = ?",
                               (coder, unit_id)).fetchone()
        return (_judgement(row), bool(row["complete"])) if row else None

    def judgements(self, round: str | None = "main", complete_only: bool = True) -> list[Judgement]:
        """Every coder's judgements (not the reviewer's), for agreement and export."""
        sql = ("SELECT j.* FROM judgements j JOIN units u USING (unit_id) JOIN coders c ON c.name = j.coder "
               "WHERE c.role = 'coder'")
        params: list[Any] = []
        if round:
            sql += " AND u.round = ?"
            params.append(round)
        if complete_only:
            sql += " AND j.complete = 1"
        with self.connect() as conn:
            return [_judgement(r) for r in conn.execute(sql + " ORDER BY j.unit_id, j.coder", params)]

    def answer_key(self, unit_id: str) -> Judgement | None:
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM answer_keys WHERE unit_id = ?", (unit_id,)).fetchone()
        if row is None:
            return None
        return Judgement(unit=unit_id, coder="key", frames=tuple(json.loads(row["frames"])), dominant=row["dominant"],
                         relevant=bool(row["relevant"]), meta={"source": row["source"]})

    # -- adjudication ---------------------------------------------------------------------------
    def adjudicate(self, judgement: Judgement) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO adjudications VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(unit_id) DO UPDATE SET "
                "frames = excluded.frames, dominant = excluded.dominant, relevant = excluded.relevant, "
                "note = excluded.note, reviewer = excluded.reviewer, codebook_version = excluded.codebook_version, "
                "decided_at = excluded.decided_at",
                (judgement.unit, json.dumps(sorted(judgement.frames)), judgement.dominant, int(judgement.relevant),
                 judgement.note, judgement.coder, judgement.codebook_version, judgement.created_at or now()))

    def adjudications(self) -> dict[str, Judgement]:
        with self.connect() as conn:
            rows = conn.execute("SELECT * FROM adjudications").fetchall()
        return {r["unit_id"]: Judgement(unit=r["unit_id"], coder=r["reviewer"], frames=tuple(json.loads(r["frames"])),
                                        dominant=r["dominant"], relevant=bool(r["relevant"]), note=r["note"],
                                        codebook_version=r["codebook_version"], created_at=r["decided_at"])
                for r in rows}

    def counts(self) -> dict[str, int]:
        with self.connect() as conn:
            one = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
            return {
                "units": one("SELECT count(*) FROM units WHERE round = 'main'"),
                "training units": one("SELECT count(*) FROM units WHERE round = 'training'"),
                "assignments": one("SELECT count(*) FROM assignments"),
                "complete judgements": one("SELECT count(*) FROM judgements WHERE complete = 1"),
                "saves logged": one("SELECT count(*) FROM judgement_log"),
                "adjudicated": one("SELECT count(*) FROM adjudications"),
            }


def _unit(row: sqlite3.Row) -> Unit:
    return Unit(row["unit_id"], row["article_id"], row["sentence"], row["outlet"] or "", row["title"] or "",
                row["url"] or "", row["published"] or "", row["language"] or "", row["text"], row["stratum"] or "",
                row["batch"], row["round"])


def _judgement(row: sqlite3.Row) -> Judgement:
    return Judgement(unit=row["unit_id"], coder=row["coder"], frames=tuple(json.loads(row["frames"])),
                     dominant=row["dominant"], relevant=bool(row["relevant"]), note=row["note"],
                     codebook=row["codebook"], codebook_version=row["codebook_version"], created_at=row["updated_at"])
