"""framing's own JSONL: one judgement per line, every field, round-tripping exactly."""

from __future__ import annotations

from typing import Any

from framing.annotate.formats.common import _JSONL_KEYS, JSONL_FORMAT, ImportResult, UnitText, _At, _json_lines, _name
from framing.annotate.judgement import Judgement
from framing.study.schema import suggestion


def _jsonl_record(j: Judgement) -> dict[str, Any]:
    return {"format": JSONL_FORMAT, "unit": j.unit, "coder": j.coder, "frames": list(j.frames),
            "dominant": j.dominant, "relevant": j.relevant, "note": j.note, "codebook": j.codebook,
            "codebook_version": j.codebook_version, "created_at": j.created_at, "meta": j.meta}


def _parse_jsonl(text: str, source: str, result: ImportResult) -> None:
    for at, record in _json_lines(text, source):
        result.judgements.append(_jsonl_judgement(record, at))
        if "text" in record:
            unit = result.judgements[-1].unit
            result.units[unit] = UnitText(unit=unit, text=at.get(record, "text", str, "the unit's text"),
                                          title=at.get(record, "title", str, "text", default=""),
                                          url=at.get(record, "url", str, "text", default=""),
                                          outlet=at.get(record, "outlet", str, "text", default=""))


def _jsonl_judgement(record: dict[str, Any], at: _At) -> Judgement:
    version = at.get(record, "format", str, f"'{JSONL_FORMAT}'")
    if version != JSONL_FORMAT:
        raise at.error(f"format {version!r} is not one this framing reads ({JSONL_FORMAT!r}); "
                       "upgrade framing or export the file again")
    unknown = [k for k in record if k not in _JSONL_KEYS]
    if unknown:
        raise at.error(f"unknown key {unknown[0]!r}; allowed: {', '.join(_JSONL_KEYS)}"
                       + suggestion(unknown[0], list(_JSONL_KEYS)))
    return Judgement(
        unit=_name(at, record, "unit", "the unit id"),
        coder=_name(at, record, "coder", "the coder id"),
        frames=tuple(at.strings(record, "frames", "a list of frame ids")),
        dominant=at.get(record, "dominant", str, "a frame id or null", default=None),
        relevant=at.get(record, "relevant", bool, "true or false", default=True),
        note=at.get(record, "note", str, "text", default=""),
        codebook=at.get(record, "codebook", str, "the codebook name", default=""),
        codebook_version=at.get(record, "codebook_version", int, "a whole number", default=0),
        created_at=at.get(record, "created_at", str, "an ISO 8601 time", default=""),
        meta=at.get(record, "meta", dict, "an object", default={}),
    )
