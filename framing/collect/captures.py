"""Reading captures back: each fetched page's WARC record, found through the crawl frontier."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.collect.frontier import Frontier
from framing.collect.warcfile import WarcReadError, WarcResponse, iter_responses, read_response
from framing.errors import FramingError
from framing.study.store import Study


@dataclass
class Capture:
    """One fetched page, as the extract stage receives it."""

    url: str
    outlet: str
    body: bytes  # as received: still in its content coding
    content_type: str = ""
    content_encoding: str = ""
    listed_date: str | None = None
    archived_at: str | None = None  # when a web archive captured it (cdx sources): the date of last resort
    warc_file: str | None = None
    warc_offset: int | None = None


def iter_captures(study: Study, frontier: Frontier) -> Iterator[Capture]:
    """Read each fetched page's record from its WARC file, one file at a time, in file order."""
    return captures_of(study, frontier.captures())


def captures_of(study: Study, rows: Iterable[Any]) -> Iterator[Capture]:
    """The captures of frontier rows (``url``, ``outlet``, ``listed_date``, ``archived_at``, ``warc_file``,
    ``warc_offset``, ``warc_length``), given in WARC order: a whole crawl, or one partition of it."""
    wanted: dict[int, Any] = {}
    current: str | None = None
    for row in rows:
        if row["warc_file"] != current:
            yield from _read_file(study, current, wanted)
            current, wanted = row["warc_file"], {}
        wanted[row["warc_offset"]] = row
    yield from _read_file(study, current, wanted)


def _read_file(study: Study, name: str | None, wanted: dict[int, Any]) -> Iterator[Capture]:
    if not name or not wanted:
        return
    path = study.captures / name  # absolute for imported files, relative for our own crawls
    if not path.is_file():
        raise FramingError(f"capture file {path} is missing; rerun collect or restore the file")
    for row, record in _wanted_records(path, wanted):
        yield Capture(url=row["url"], outlet=row["outlet"], body=record.body,
                      content_type=record.content_type, content_encoding=record.content_encoding,
                      listed_date=row["listed_date"], archived_at=row["archived_at"],
                      warc_file=name, warc_offset=record.offset)


def _wanted_records(path: Path, wanted: dict[int, Any]) -> Iterator[tuple[Any, WarcResponse]]:
    """(frontier row, record) for each wanted offset. Our crawls store each record's length:
    read just those records. Imported files (no lengths) are scanned whole."""
    if not all(row["warc_length"] for row in wanted.values()):
        left = len(wanted)
        try:
            for record in iter_responses(path):
                if (row := wanted.get(record.offset)) is not None:
                    yield row, record
                    left -= 1
                    if not left:  # past the last wanted record: a damaged tail is not read again
                        return
        except WarcReadError as exc:
            raise FramingError(f"{exc}; {left} imported captures of that file could not be read again. "
                               "Restore the file, or remove it from the study's warc: glob") from exc
        return
    with path.open("rb") as handle:
        for offset, row in wanted.items():
            if (record := read_response(handle, offset, row["warc_length"])) is not None:
                yield row, record
