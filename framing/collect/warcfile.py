"""Writing WARC (ISO 28500) captures with warcio, and reading them with FastWARC.

Records keep the body as the server sent it, content codings included (gzip, br, ...), with
its ``Content-Encoding`` header: that is what the standard asks and what replay tools and
warcio expect. The one change is the chunked transfer framing, which the HTTP client removes
before we see the bytes, so a stored record carries ``Content-Length`` instead of
``Transfer-Encoding: chunked``. Readers return the body still encoded, with the coding, and
extract decodes it (framing.collect.codings) within the study's size cap.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.recordloader import ArchiveLoadFailed, ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from framing import __version__


class CaptureWriter:
    """Appends response records to one gzipped WARC file and reports each record's offset.

    Parameters
    ----------
    path
        The WARC file; a new one per crawl session, so a crashed session's tail never mixes with
        a later one's records.
    """

    def __init__(self, path: Path):
        self.path = path
        self.handle = path.open("ab")
        self.writer = WARCWriter(self.handle, gzip=True)
        if self.handle.tell() == 0:
            info = {"software": f"framing/{__version__}", "format": "WARC File Format 1.1"}
            self.writer.write_record(self.writer.create_warcinfo_record(path.name, info))
            self.handle.flush()

    def write_response(self, url: str, status: int, reason: str, headers: list[tuple[str, str]],
                       body: bytes, protocol: str = "HTTP/1.1",
                       warc_headers: dict[str, str] | None = None) -> tuple[int, int]:
        """Write one response record; return ``(offset, length)`` once it is on disk.

        ``warc_headers`` adds WARC header fields or replaces the writer's: a capture fetched from
        a web archive passes the archive's ``WARC-Date`` and its ``WARC-Source-URI`` (see
        :func:`archived_headers`).
        """
        # the body comes de-chunked (by the HTTP client), so its framing headers describe it no more
        kept = [(k, v) for k, v in headers if k.lower() not in ("transfer-encoding", "content-length")]
        kept.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), kept, protocol=protocol)
        record = self.writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                length=len(body), http_headers=http_headers,
                                                warc_headers_dict=warc_headers)
        offset = self.handle.tell()
        self.writer.write_record(record)
        self.handle.flush()
        return offset, self.handle.tell() - offset

    def close(self) -> None:
        self.handle.close()


def archived_headers(archived_at: dt.datetime, source_uri: str) -> dict[str, str]:
    """WARC header fields of a capture that was fetched from a web archive, not from its site.

    As pywb writes a record it fetched from another archive: ``WARC-Date`` is when the archive
    captured the page (the record's ``WARC-Target-URI`` is the page's original URL), and
    ``WARC-Source-URI`` says where the bytes came from, ``WARC-Creation-Date`` when.
    """
    return {"WARC-Date": _warc_date(archived_at), "WARC-Source-URI": source_uri,
            "WARC-Creation-Date": _warc_date(dt.datetime.now(dt.UTC))}


def _warc_date(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def truncate_to(path: Path, committed_end: int) -> int:
    """Cut bytes past the last committed record (a crash's half-written tail); return bytes cut."""
    size = path.stat().st_size
    if size > committed_end:
        with path.open("r+b") as handle:
            handle.truncate(committed_end)
        return size - committed_end
    return 0


@dataclass
class WarcResponse:
    """An HTTP response record; ``body`` as sent, still in its ``content_encoding`` (if any)."""

    url: str
    offset: int
    content_type: str
    status: int
    body: bytes
    date: str | None
    content_encoding: str = ""
    record_id: str | None = None  # WARC-Record-ID, e.g. <urn:uuid:...>: names this record in any copy of the file
    payload_digest: str | None = None  # WARC-Payload-Digest, e.g. sha1:BASE32 of the body as stored


def iter_responses(path: Path) -> Iterator[WarcResponse]:
    """Every HTTP response record of a WARC file (gzipped or not), streamed.

    Read with FastWARC: it measured 3.9x warcio's records per second on CC-NEWS-like files
    (benchmarks/warc_read.py) and gives the same records, offsets and bodies; warcio reads what
    FastWARC does not (ARC files), and stays the writer. A record FastWARC cannot parse ends the
    file with a :class:`WarcReadError` naming the file and the offset reached, not a traceback.
    """
    if _is_arc(path):
        yield from _iter_with_warcio(path)
        return
    from fastwarc.warc import ArchiveIterator as FastIterator
    from fastwarc.warc import WarcRecordType

    records = FastIterator(str(path), record_types=WarcRecordType.response, parse_http=True,
                           auto_decode="transfer", fsspec_args=False)  # chunked framing undone; codings kept
    offset = 0
    try:
        for record in records:
            offset = record.stream_pos
            http = record.http_headers
            if http is None:
                continue
            yield WarcResponse(url=record.headers.get("WARC-Target-URI"), offset=offset,
                               content_type=http.get("Content-Type") or "", status=int(http.status_code or 0),
                               body=record.reader.read(), date=record.headers.get("WARC-Date"),
                               content_encoding=http.get("Content-Encoding") or "", record_id=record.record_id,
                               payload_digest=record.headers.get("WARC-Payload-Digest"))
    except (OSError, ValueError) as exc:
        raise WarcReadError(f"{path}: unreadable WARC data after offset {offset}: {exc}") from exc


class WarcReadError(OSError):
    """A WARC file with a record that cannot be parsed (truncated, corrupt)."""


def _is_arc(path: Path) -> bool:
    """Whether a file is in the older ARC format (Internet Archive before 2008), which FastWARC does not read."""
    name = path.name.lower()
    return name.endswith((".arc", ".arc.gz"))


def _iter_with_warcio(path: Path) -> Iterator[WarcResponse]:
    with path.open("rb") as handle:
        records = ArchiveIterator(handle, arc2warc=True)
        for record in records:
            response = _from_warcio(record, records.get_record_offset)
            if response is not None:
                yield response


def _from_warcio(record: ArcWarcRecord, offset_of: Callable[[], int]) -> WarcResponse | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    http = record.http_headers
    stream = record.raw_stream  # not content_stream(): that would inflate without a size cap
    if (http.get_header("Transfer-Encoding") or "").lower() == "chunked":
        stream = ChunkedDataReader(stream)
    body = stream.read()  # first: warcio finds the offset by reading to the record's end
    return WarcResponse(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        offset=offset_of(),
        content_type=http.get_header("Content-Type") or "",
        status=int(http.get_statuscode() or 0),
        body=body,
        date=record.rec_headers.get_header("WARC-Date"),
        content_encoding=http.get_header("Content-Encoding") or "",
        record_id=record.rec_headers.get_header("WARC-Record-ID"),
        payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
    )


def read_response(handle: BinaryIO, offset: int, length: int) -> WarcResponse | None:
    """The HTTP response record at a known place in a WARC file; None for another record type.

    What ``iter_responses`` yields for that record, at a third of its cost: one seek, one
    inflate and a split of the header blocks, where warcio streams the record through layers of
    buffered readers. A record whose body keeps its chunked framing (``CaptureWriter`` never
    stores one; imported files may), or anything else unusual, is handed to warcio.

    Parameters
    ----------
    handle
        The WARC file, opened for binary reading.
    offset, length
        Where the record starts and how many bytes it takes (one gzip member, in a gzipped file).
    """
    handle.seek(offset)
    data = handle.read(length)
    try:
        record = zlib.decompress(data, wbits=31) if data[:2] == b"\x1f\x8b" else data
        response = _split_response(record, offset)
    except (zlib.error, ValueError, KeyError, IndexError):
        response = None
    return response or next(_warcio_responses(data, offset), None)


def response_at(handle: BinaryIO, offset: int) -> WarcResponse | None:
    """The HTTP response record that starts at ``offset``, its length unknown; None for another record type.

    For pointers that carry no length: an imported file's records, or the WARC record an
    export names. One record is read, gzipped or not (warcio finds its end).

    Parameters
    ----------
    handle
        The WARC (or ARC) file, opened for binary reading.
    offset
        Where the record starts.

    Raises
    ------
    WarcReadError
        When no record can be read there.
    """
    handle.seek(offset)
    try:
        for record in ArchiveIterator(handle, arc2warc=True):
            return _from_warcio(record, lambda: offset)
    except (ArchiveLoadFailed, zlib.error, ValueError) as exc:
        raise WarcReadError(f"no WARC record readable at offset {offset}: {exc}") from exc
    return None


def _split_response(record: bytes, offset: int) -> WarcResponse | None:
    """Parse a plain HTTP response record; None leaves the record to warcio."""
    warc_head, _, block = record.partition(b"\r\n\r\n")
    warc = _headers(warc_head)
    if (not warc_head.startswith(b"WARC/") or warc.get("warc-type") != "response"
            or not warc.get("content-type", "").startswith("application/http")):
        return None
    http_head, found, body = block[:int(warc["content-length"])].partition(b"\r\n\r\n")
    http = _headers(http_head)
    if not found or "transfer-encoding" in http:
        return None
    return WarcResponse(url=warc.get("warc-target-uri", ""), offset=offset, content_type=http.get("content-type", ""),
                        status=int(http_head.split(b"\r\n", 1)[0].split()[1]), body=body, date=warc.get("warc-date"),
                        content_encoding=http.get("content-encoding", ""), record_id=warc.get("warc-record-id"),
                        payload_digest=warc.get("warc-payload-digest"))


def _headers(block: bytes) -> dict[str, str]:
    """Header fields of a WARC or HTTP head (first line skipped), names lower-cased."""
    fields = {}
    for line in block.split(b"\r\n")[1:]:
        name, sep, value = _decode_header(line).partition(":")
        if sep:
            fields.setdefault(name.strip().lower(), value.strip())  # the first wins, as in warcio
    return fields


def _decode_header(line: bytes) -> str:
    try:  # as warcio does: UTF-8, else Latin-1
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("iso-8859-1")


def _warcio_responses(data: bytes, offset: int) -> Iterator[WarcResponse]:
    for record in ArchiveIterator(io.BytesIO(data)):
        response = _from_warcio(record, lambda: offset)
        if response is not None:
            yield response
        return


def session_name() -> str:
    return "crawl-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ") + ".warc.gz"
