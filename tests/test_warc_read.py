"""Reading one capture by its offset and length gives what a full warcio scan gives."""

from __future__ import annotations

import gzip
import io

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from framing.collect.warcfile import CaptureWriter, iter_responses, read_response

PAGE = "<html lang='de'><body><p>Grüße aus Köln</p></body></html>"


def _places(path):
    """(offset, length) of every record, as warcio finds them."""
    with path.open("rb") as handle:
        records = ArchiveIterator(handle)
        places = []
        for _ in records:
            places.append((records.get_record_offset(), records.get_record_length()))
    return places


def test_warc_read_response_matches_warcio_for_crawled_records(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    writer = CaptureWriter(path)
    places = [
        writer.write_response("http://a.example/1", 200, "OK", [("Content-Type", "text/html; charset=utf-8")],
                              PAGE.encode()),
        writer.write_response("http://a.example/2", 200, "OK", [("Content-Type", "text/html"), ("X-Note", "café")],
                              PAGE.encode("cp1252")),
        writer.write_response("http://a.example/3", 404, "Not Found", [("Content-Encoding", "gzip")], b""),
    ]
    writer.close()
    with path.open("rb") as handle:
        direct = [read_response(handle, offset, length) for offset, length in places]
        assert read_response(handle, 0, places[0][0]) is None  # the warcinfo record is not a response
    assert direct == list(iter_responses(path))
    assert [r.status for r in direct] == [200, 200, 404] and direct[1].body == PAGE.encode("cp1252")


def test_warc_read_response_unchunks_and_keeps_the_content_coding_for_extract(tmp_path):
    """Files from other crawlers may keep the chunked framing; those records go through warcio, which
    removes it. The content coding stays, named, for extract to undo within its size cap."""
    path = tmp_path / "imported.warc.gz"
    zipped = gzip.compress(PAGE.encode())
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(zipped), zipped)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
                               protocol="HTTP/1.1")
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warc_record("http://b.example/", "response", payload=io.BytesIO(chunked),
                                                      length=len(chunked), http_headers=headers))
    ((offset, length),) = _places(path)
    with path.open("rb") as handle:
        record = read_response(handle, offset, length)
    assert record.body == zipped and record.content_encoding == "gzip" and [record] == list(iter_responses(path))
    assert gzip.decompress(record.body) == PAGE.encode()


def test_warc_read_response_from_an_uncompressed_file(tmp_path):
    path = tmp_path / "plain.warc"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.0")
        writer.write_record(writer.create_warc_record("http://c.example/", "response", payload=io.BytesIO(b"<p>x</p>"),
                                                      length=8, http_headers=headers))
    ((offset, length),) = _places(path)
    with path.open("rb") as handle:
        record = read_response(handle, offset, length)
    assert (record.url, record.body, record.content_type) == ("http://c.example/", b"<p>x</p>", "text/html")
