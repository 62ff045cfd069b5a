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


def decode_body(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Undo the content codings named in a ``Content-Encoding`` header, last applied first.

    Parameters
    ----------
    body
        The body as received (after any chunked transfer coding was removed).
    content_encoding
        The header's value, e.g. ``"gzip"`` or ``"deflate, br"``; empty or None for none.
    limit
        Most decoded bytes to accept.

    Returns
    -------
    bytes
        The decoded body; a truncated stream gives what decoded before the cut, as browsers show.

    Raises
    ------
    BodyTooLargeError
        The decoded body would pass ``limit`` (a decompression bomb, or just a huge page).
    BodyError
        An unknown coding, or bytes that are not what the header says.

    Examples
    --------
    >>> import gzip
    >>> decode_body(gzip.compress(b"<html>hello</html>"), "gzip", 1000)
    b'<html>hello</html>'
    >>> decode_body(gzip.compress(b"x" * 5000), "gzip", 1000)
    Traceback (most recent call last):
    ...
    framing.codings.BodyTooLargeError: decodes to more than 1000 bytes (gzip)
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        decoder = _DECODERS.get(coding)
        if decoder is None:
            raise BodyError(f"unsupported content coding {coding!r}; supported: {ACCEPT_ENCODING}")
        body = decoder(body, limit)
    if len(body) > limit:
        raise BodyTooLargeError(f"body over {limit} bytes")
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


def _too_large(limit: int, coding: str) -> BodyTooLargeError:
    return BodyTooLargeError(f"decodes to more than {limit} bytes ({coding})")


def _inflate(body: bytes, limit: int, wbits: int, coding: str) -> bytes:
    """zlib, gzip (every member of a multi-member file) or raw deflate, asking for at most limit + 1 bytes."""
    out = bytearray()
    data = body
    while data:
        decoder = zlib.decompressobj(wbits)
        try:
            out += decoder.decompress(data, limit + 1 - len(out))
        except zlib.error as exc:
            if out:  # garbage after a complete member, as some servers append: keep what decoded
                break
            raise BodyError(f"not valid {coding} data: {exc}") from None
        if len(out) > limit:
            raise _too_large(limit, coding)
        if not decoder.eof:  # cut off mid-stream: keep what decoded
            break
        data = decoder.unused_data
    return bytes(out)


def _gzip(body: bytes, limit: int) -> bytes:
    return _inflate(body, limit, 31, "gzip")


def _deflate(body: bytes, limit: int) -> bytes:
    # RFC 9110 means zlib-wrapped deflate; some servers send raw deflate, which browsers accept too
    try:
        return _inflate(body, limit, 15, "deflate")
    except BodyTooLargeError:
        raise
    except BodyError:
        return _inflate(body, limit, -15, "deflate")


def _brotli(body: bytes, limit: int) -> bytes:
    decoder = brotli.Decompressor()
    try:
        out = decoder.process(body, output_buffer_limit=limit + 1)
    except brotli.error as exc:
        raise BodyError(f"not valid br data: {exc}") from None
    if len(out) > limit or not decoder.can_accept_more_data():
        raise _too_large(limit, "br")
    return out


def _zstd(body: bytes, limit: int) -> bytes:
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(body), read_across_frames=True)
    out = bytearray()
    try:
        while len(out) <= limit and (piece := reader.read(limit + 1 - len(out))):
            out += piece
    except zstandard.ZstdError as exc:
        if not out:
            raise BodyError(f"not valid zstd data: {exc}") from None
    if len(out) > limit:
        raise _too_large(limit, "zstd")
    return bytes(out)


def _identity(body: bytes, limit: int) -> bytes:
    return body


_DECODERS = {"gzip": _gzip, "x-gzip": _gzip, "deflate": _deflate, "br": _brotli, "zstd": _zstd,
             "identity": _identity}
