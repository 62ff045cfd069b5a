"""HTTP content codings (gzip, deflate, br, zstd) decoded within a size cap.

Real news hosts compress most answers. The crawler stores the bytes as they came (the WARC
standard) and every reader decodes them here, never past ``limit`` decoded bytes: a 1 MB
gzip body can inflate to 1 GB, so each decoder is asked for at most ``limit + 1`` bytes and a
body that has more is refused as too large. Memory stays near ``limit`` whatever the ratio.
"""

from __future__ import annotations

import io
import zlib

import brotli
import zstandard

ACCEPT_ENCODING = "gzip, deflate, br, zstd"
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class BodyError(ValueError):
    """A body that cannot be decoded; ``status`` is the URL or article status it leads to."""

    status = "decode-error"


class BodyTooLargeError(BodyError):
    status = "too-large"


def decode_body(body: bytes, content_encoding: str | None, limit: int, truncate: bool = False) -> bytes:
    """Undo the content codings named in a ``Content-Encoding`` header, last applied first.

    A coding this module does not know (servers send ``Content-Encoding: UTF-8`` and the like)
    is passed over, as browsers do: the bytes are what they are.

    Parameters
    ----------
    body
        The body as received (after any chunked transfer coding was removed).
    content_encoding
        The header's value, e.g. ``"gzip"`` or ``"deflate, br"``; empty or None for none.
    limit
        Most decoded bytes to accept.
    truncate
        Return the first ``limit`` decoded bytes instead of refusing a longer body (robots.txt
        is read up to 500 KiB, whatever its length).

    Returns
    -------
    bytes
        The decoded body; a truncated stream gives what decoded before the cut, as browsers show.

    Raises
    ------
    BodyTooLargeError
        The decoded body would pass ``limit`` (a decompression bomb, or just a huge page).
    BodyError
        Bytes that are not in the coding the header names.

    Examples
    --------
    >>> import gzip
    >>> decode_body(gzip.compress(b"<html>hello</html>"), "gzip", 1000)
    b'<html>hello</html>'
    >>> decode_body(gzip.compress(b"x" * 5000), "gzip", 1000)
    Traceback (most recent call last):
    ...
    framing.collect.codings.BodyTooLargeError: decodes to more than 1000 bytes (gzip)
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        body = _DECODERS.get(coding, _identity)(body, limit + 1)  # one byte over tells "too large"
    if len(body) > limit:
        if truncate:
            return body[:limit]
        raise BodyTooLargeError(f"decodes to more than {limit} bytes ({', '.join(codings) or 'identity'})")
    return body


def sniff_compressed(body: bytes) -> str | None:
    """The coding a body's magic bytes show, or None for plain bytes.

    For files served as they are (``sitemap.xml.gz`` as ``application/x-gzip``) and for captures
    that framing stored before it kept the ``Content-Encoding`` header with the compressed bytes.
    """
    if body.startswith(GZIP_MAGIC):
        return "gzip"
    if body.startswith(ZSTD_MAGIC):
        return "zstd"
    if len(body) > 2 and body[0] == 0x78 and (body[0] << 8 | body[1]) % 31 == 0:
        return "deflate"  # a zlib header: HTML and XML never start with 'x' and such a byte
    return None


# Each decoder returns at most ``cap`` bytes, never more, whatever the body would inflate to.

def _inflate(body: bytes, cap: int, wbits: int, coding: str) -> bytes:
    """zlib, gzip (every member of a multi-member file) or raw deflate."""
    pieces: list[bytes] = []
    size, data = 0, body
    while data and size < cap:
        decoder = zlib.decompressobj(wbits)
        try:
            piece = decoder.decompress(data, cap - size)
        except zlib.error as exc:
            if pieces:  # garbage after a complete member, as some servers append: keep what decoded
                break
            raise BodyError(f"not valid {coding} data: {exc}") from None
        pieces.append(piece)
        size += len(piece)
        if not decoder.eof:  # cut off mid-stream, or the cap reached: keep what decoded
            break
        data = decoder.unused_data
    return _joined(pieces)


def _joined(pieces: list[bytes]) -> bytes:
    # a body is nearly always one piece: handing it back as it is saves a copy of up to the cap
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def _gzip(body: bytes, cap: int) -> bytes:
    return _inflate(body, cap, 31, "gzip")


def _deflate(body: bytes, cap: int) -> bytes:
    # RFC 9110 means zlib-wrapped deflate; some servers send raw deflate, which browsers accept too
    try:
        return _inflate(body, cap, 15, "deflate")
    except BodyError:
        return _inflate(body, cap, -15, "deflate")


def _brotli(body: bytes, cap: int) -> bytes:
    decoder = brotli.Decompressor()
    try:
        out = decoder.process(body, output_buffer_limit=cap)
    except brotli.error as exc:
        raise BodyError(f"not valid br data: {exc}") from None
    return out[:cap]


def _zstd(body: bytes, cap: int) -> bytes:
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(body), read_across_frames=True)
    pieces: list[bytes] = []
    size = 0
    try:
        while size < cap and (piece := reader.read(cap - size)):
            pieces.append(piece)
            size += len(piece)
    except zstandard.ZstdError as exc:
        if not pieces:
            raise BodyError(f"not valid zstd data: {exc}") from None
    return _joined(pieces)


def _identity(body: bytes, cap: int) -> bytes:
    return body


_DECODERS = {"gzip": _gzip, "x-gzip": _gzip, "deflate": _deflate, "br": _brotli, "zstd": _zstd,
             "identity": _identity}
