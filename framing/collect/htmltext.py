"""Bytes of a web page -> text, with the charset a browser would pick."""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# WHATWG: browsers read these labels as windows-1252, which differs from Latin-1 in 0x80-0x9F
_AS_WINDOWS_1252 = {"iso-8859-1", "latin-1", "latin1", "iso8859-1", "us-ascii", "ascii", "l1"}
# WHATWG: browsers decode every GBK label with the gb18030 decoder, a superset; Python's gb2312
# codec would fail on the many "gb2312" pages that hold GBK characters
_AS_GB18030 = {"gb2312", "gbk", "x-gbk", "chinese", "csgb2312", "csiso58gb231280", "iso-ir-58", "gb_2312",
               "gb_2312-80"}
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
    if label in _AS_GB18030:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


class Decoded(NamedTuple):
    """A page's text, the codec that decoded it and where the choice came from."""

    text: str
    encoding: str
    source: str  # "BOM", "HTTP charset", "meta charset", "valid UTF-8" or "detected"

    @property
    def label(self) -> str:
        """What the article table records, e.g. ``cp1252 (detected)``."""
        return f"{self.encoding} ({self.source})"


def decode_html(body: bytes, content_type: str = "") -> Decoded:
    """Decode a page: HTTP charset, else ``<meta charset>``, else UTF-8, else detection.

    Detection prefers windows-1252 (the Western European codec, and what browsers assume for
    undeclared Western pages) over windows-1250 and its kin, unless the text decoded as 1252
    shows the marks of Central European text in it (see ``looks_central_european``): a
    statistical detector alone reads "naïve" in a short English page as cp1250's "naďve".

    Returns
    -------
    Decoded
        The text, the codec used and the source of that choice.

    Examples
    --------
    >>> decode_html("Caf\u00e9 na\u00efve".encode("cp1252"))
    Decoded(text='Café naïve', encoding='cp1252', source='detected')
    """
    if body.startswith(codecs.BOM_UTF8):
        return Decoded(body[3:].decode("utf-8", errors="replace"), "utf-8", "BOM")
    meta = _META_CHARSET.search(body[:4096])
    declared = ((charset_from_header(content_type), "HTTP charset"),
                (meta.group(1).decode("ascii", "ignore") if meta else None, "meta charset"))
    for label, source in declared:
        codec = _codec(label)
        if codec:
            try:
                return Decoded(body.decode(codec), codec, source)
            except UnicodeDecodeError:
                continue
    try:
        return Decoded(body.decode("utf-8"), "utf-8", "valid UTF-8")
    except UnicodeDecodeError:
        pass
    codec = _detect_single_byte(body)
    return Decoded(body.decode(codec, errors="replace"), codec, "detected")


# letters that windows-1250 text turns into when read as windows-1252 (ł->³, ą->¹, ż->¿, ľ->¾,
# ş->º, Ą->¥, Ł->£, Ż->¯, ź->Ÿ), seen between two letters; and ě->ì inside a word
_CENTRAL_IN_1252 = re.compile(r"(?<=[A-Za-zÀ-ÿ])[¹³¿¾º¥£¯Ÿ](?=[A-Za-zÀ-ÿ])|ì(?=[A-Za-zÀ-ÿ])")


def looks_central_european(text: str) -> bool:
    """True when windows-1252 text shows two or more signs of being windows-1250 (Polish, Czech, ...)."""
    return len(_CENTRAL_IN_1252.findall(text, 0, 100_000)) >= 2


# Latin-script single-byte codecs that a detector confuses with one another on short pages;
# between these, Western pages are far the commonest in news studies, and browsers assume 1252
_LATIN_FAMILY = {"cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "iso8859_16", "iso8859_14", "cp1254",
                 "iso8859_9", "iso8859_3", "iso8859_4", "iso8859_10", "iso8859_13", "cp1257", "mac_roman",
                 "mac_latin2", "mac_iceland", "mac_turkish", "hp_roman8", "cp437", "cp775", "cp850", "cp852",
                 "cp857", "cp858", "cp860", "cp861", "cp863", "cp865"}


# Western text read as 1252 has its non-ASCII letters alone or in pairs (naïve, Grüße); Cyrillic,
# Greek, Arabic or CJK bytes read as 1252 make runs of them, whole words long
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{4,}")


def _detect_single_byte(body: bytes) -> str:
    """cp1252 for text shaped like Western text, else charset_normalizer's guess, except that a
    Latin-script guess still becomes cp1252 unless the text shows Central European letters."""
    try:
        western = body.decode("cp1252")  # strict: five bytes are undefined in 1252
    except UnicodeDecodeError:
        western = None
    plausible = western is not None and not looks_central_european(western)
    if plausible and not _NON_ASCII_RUN.search(western):
        return "cp1252"
    guess = from_bytes(body).best()
    codec = guess.encoding if guess else "cp1252"
    return "cp1252" if plausible and codec in _LATIN_FAMILY else codec


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
