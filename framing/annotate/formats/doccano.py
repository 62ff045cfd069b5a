"""doccano's text-classification JSONL: one line per unit and coder, frames as labels."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from framing.annotate.formats.common import (
    DOMINANT_PREFIX,
    NOT_RELEVANT,
    ImportResult,
    UnitText,
    _add_unit,
    _At,
    _json_lines,
    _short,
)
from framing.annotate.judgement import Judgement
from framing.errors import FramingError


def _doccano_record(j: Judgement, text: UnitText) -> dict[str, Any]:
    clash = [f for f in (*j.frames, j.dominant or "") if f == NOT_RELEVANT or ":" in f]
    if clash:
        raise FramingError(f"frame id {clash[0]!r} cannot be written to doccano: '{NOT_RELEVANT}' and ids with "
                           "a colon are reserved for the label encoding; rename the frame in the codebook")
    labels = list(j.frames)
    if j.dominant is not None:
        labels.append(DOMINANT_PREFIX + j.dominant)
    if not j.relevant:
        labels.append(NOT_RELEVANT)
    return {"id": j.unit, "text": text.text, "label": labels, "user": j.coder, "title": text.title,
            "url": text.url, "outlet": text.outlet, "note": j.note, "codebook": j.codebook,
            "codebook_version": j.codebook_version, "created_at": j.created_at}


def _parse_doccano(text: str, source: str, result: ImportResult) -> None:
    fallback = Path(source).stem
    used_fallback = numeric_ids = False
    for at, record in _json_lines(text, source):
        unit_id = at.get(record, "id", (str, int), "the unit id (doccano's example id)")
        numeric_ids |= isinstance(unit_id, int)
        unit = str(unit_id)
        body = record.get("text", record.get("data"))
        if body is not None:
            if not isinstance(body, str):
                raise at.error(f"'text' must be the unit's text, got {_short(body)}")
            extra = {k: at.get(record, k, str, "text", default="") for k in ("title", "url", "outlet")}
            _add_unit(result, UnitText(unit, body, **extra), at)
        line_coder = _doccano_user(record, ("user", "annotator"), at)
        by_coder: dict[str | None, list[str]] = {}
        for label, user in _doccano_labels(record, at):
            by_coder.setdefault(user or line_coder, []).append(label)
        if not by_coder:
            by_coder[line_coder] = []  # a unit seen with nothing ticked is still a judgement
        for coder, labels in by_coder.items():
            used_fallback |= coder is None
            result.judgements.append(_doccano_judgement(record, unit, coder or fallback, labels, at))
    if used_fallback:
        merged = " (doccano's collaborative export, where all users' labels are merged)" if fallback == "all" else ""
        result.warnings.append(f"{source}: lines without a 'user' were given the coder id {fallback!r} from the "
                               f"file name{merged}")
    if numeric_ids:
        result.warnings.append(f"{source}: unit ids are doccano example numbers, not article ids; match them "
                               "to articles by text")


def _doccano_user(record: Mapping[str, Any], keys: Sequence[str], at: _At) -> str | None:
    for key in keys:
        value = record.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise at.error(f"'{key}' must be a user name or number, got {_short(value)}")
        return str(value)
    return None


def _doccano_labels(record: dict[str, Any], at: _At) -> Iterator[tuple[str, str | None]]:
    key = next((k for k in ("label", "labels", "annotations") if k in record), None)
    if key is None:
        raise at.error("missing 'label' (expected a list of labels, e.g. [\"trust\", \"dominant:trust\"])")
    entries = record[key]
    if not isinstance(entries, list):
        raise at.error(f"'{key}' must be a list of labels, got {_short(entries)}")
    for entry in entries:
        if isinstance(entry, dict):
            label = entry.get("label")
            user = _doccano_user(entry, ("user", "annotator"), at)
        else:
            label, user = entry, None
        # doccano 1.0 wrote label numbers; keep them as text so frame_ids can flag them
        if isinstance(label, bool) or not isinstance(label, (str, int)) or label == "":
            raise at.error(f"'{key}' entries must be label names or {{\"label\": ..., \"user\": ...}}, "
                           f"got {_short(entry)}")
        yield str(label), user


def _doccano_judgement(record: dict[str, Any], unit: str, coder: str, labels: list[str], at: _At) -> Judgement:
    frames: list[str] = []
    dominant, relevant = None, True
    for label in labels:
        if label == NOT_RELEVANT:
            relevant = False
        elif label.startswith(DOMINANT_PREFIX):
            frame = label.removeprefix(DOMINANT_PREFIX)
            if not frame or (dominant is not None and dominant != frame):
                raise at.error(f"label {label!r}: expected one '{DOMINANT_PREFIX}<frame id>' label per coder"
                               + (f", but {coder!r} also has '{DOMINANT_PREFIX}{dominant}'" if dominant else ""))
            dominant = frame
        elif label not in frames:
            frames.append(label)
    if dominant is not None and dominant not in frames:
        frames.append(dominant)  # the dominant frame is by definition present
    note = record.get("note")
    if note is None and isinstance(record.get("Comments"), list):
        note = "\n".join(c for c in record["Comments"] if isinstance(c, str))
    return Judgement(
        unit=unit, coder=coder, frames=tuple(frames), dominant=dominant, relevant=relevant,
        note=at.get({"note": note}, "note", str, "text", default=""),
        codebook=at.get(record, "codebook", str, "the codebook name", default=""),
        codebook_version=at.get(record, "codebook_version", int, "a whole number", default=0),
        created_at=at.get(record, "created_at", str, "an ISO 8601 time", default=""),
    )
