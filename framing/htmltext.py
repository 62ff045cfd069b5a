"""Bytes of a web page -> text, with the charset a browser would pick."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# WHATWG: browsers read these labels as windows-1252, which differs from Latin-1 in 0x80-0x9F
_AS_WINDOWS_1252 = {"iso-8859-1", "latin-1", "latin1", "iso8859-1", "us-ascii", "ascii", "l1"}
# <html lang="de-AT"> or xml:lang: the primary subtag; [\s:] keeps data-lang= and the like out
_HTML_LANG = re.compile(r"""<html\b[^>]*?[\s:]lang\s*=\s*["']?\s*([A-Za-z]{2,3})(?![A-Za-z])""", re.IGNORECASE)


def charset_from_header(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _AS_WINDOWS_1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Decode a page: HTTP charset, else ``<meta charset>``, else UTF-8, else detection.

    Returns
    -------
    text, encoding
        The decoded page and the codec used.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace"), "utf-8"
    meta = _META_CHARSET.search(body[:4096])
    for label in (charset_from_header(content_type), meta.group(1).decode("ascii", "ignore") if meta else None):
        codec = _codec(label)
        if codec:
            try:
                return body.decode(codec), codec
            except UnicodeDecodeError:
                continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        guess = from_bytes(body).best()
        codec = guess.encoding if guess else "cp1252"
        return body.decode(codec, errors="replace"), codec


def declared_language(page: str) -> str | None:
    """The primary language subtag of ``<html lang>`` (lower case), or None when there is none.

    A declaration only: pages copied from templates often carry the wrong one, so callers
    should confirm it against the text.

    Examples
    --------
    >>> declared_language('<!DOCTYPE html><html class="no-js" lang="de-AT"><head>')
    'de'
    >>> declared_language('<html data-lang="en"><body>') is None
    True
    """
    # the tag comes after at most a doctype and a few comments; don't scan a whole page for it
    match = _HTML_LANG.search(page, 0, 8192)
    return match.group(1).lower() if match else None
