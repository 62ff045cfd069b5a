"""Writing and reading WARC (ISO 28500) captures with warcio."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
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
                       body: bytes, protocol: str = "HTTP/1.1") -> tuple[int, int]:
        """Write one response record; return ``(offset, length)`` once it is on disk."""
        # the body is stored decoded, so drop headers that describe the wire encoding
        kept = [(k, v) for k, v in headers if k.lower() not in ("content-encoding", "transfer-encoding",
                                                                  "content-length")]
        kept.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), kept, protocol=protocol)
        record = self.writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                length=len(body), http_headers=http_headers)
        offset = self.handle.tell()
        self.writer.write_record(record)
        self.handle.flush()
        return offset, self.handle.tell() - offset

    def close(self) -> None:
        self.handle.close()


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
    url: str
    offset: int
    content_type: str
    status: int
    body: bytes
    date: str | None


def iter_responses(path: Path) -> Iterator[WarcResponse]:
    """Every HTTP response record of a WARC file (gzipped or not), streamed."""
    with path.open("rb") as handle:
        records = ArchiveIterator(handle)
        for record in records:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            body = record.content_stream().read()
            yield WarcResponse(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                offset=records.get_record_offset(),
                content_type=record.http_headers.get_header("Content-Type") or "",
                status=int(record.http_headers.get_statuscode() or 0),
                body=body,
                date=record.rec_headers.get_header("WARC-Date"),
            )


def session_name() -> str:
    return "crawl-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ") + ".warc.gz"
