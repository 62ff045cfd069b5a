"""Coders' judgements in and out: framing's own JSONL, Label Studio JSON and doccano JSONL.

Every format keeps the coder id, the frames present, the dominant frame, relevance and the note.

**framing JSONL** (``"jsonl"``): one judgement per line, every :class:`Judgement` field, and
``"format": "framing-judgement/1"`` on each line, so a file needs no header, can be
concatenated with another and round-trips exactly (``meta`` included). The first line of each
unit also carries the unit's ``text``, ``title``, ``url`` and ``outlet`` when they were passed
to the export, so a file moves a coding project to another study; later lines of the same
unit do not repeat them.

**Label Studio** (``"label-studio"``): the JSON export, a list of tasks. One task per unit:
``data`` holds ``text``, ``unit`` (our unit id), ``title``, ``url`` and ``outlet``;
``annotations`` holds one annotation per coder. An annotation's ``result`` has ``choices``
items from the controls named ``frames`` (frames present), ``dominant`` (one frame) and
``relevance`` (``relevant`` or ``not_relevant``), and a ``textarea`` item from ``note``;
:func:`label_studio_config` writes a labeling config with exactly these names. The coder is
``completed_by``: on import a number (Label Studio's user id), a string, or an object with
``email``, ``username`` or ``id`` (tried in that order) becomes a string coder id. On export
an e-mail-like coder id is written as ``{"email": ...}``, the form Label Studio matches to
its users on import; any other coder id is written as a plain string, which framing reads
back but Label Studio cannot assign to a user. ``codebook`` and ``codebook_version`` ride on
the annotation. Cancelled (skipped) annotations and predictions are not judgements and are
left out, with a warning for the former. A task without ``data.unit`` (or
``data.article_id``) gets its Label Studio task id as unit id.

**doccano** (``"doccano"``): doccano's text-classification JSONL, one line per (unit, coder):
``{"id": unit, "text": ..., "label": [...], "user": coder, "title", "url", "outlet",
"note", "codebook", "codebook_version", "created_at"}``. doccano keeps unknown keys as
metadata. Labels encode a judgement reversibly: a frame id for each frame present,
``dominant:<frame id>`` for the dominant frame (written beside the plain frame id) and
``not_relevant`` for an irrelevant unit; so no frame id may be ``not_relevant`` or contain a
colon. On import the coder is, first, the ``user`` of a label entry (doccano label entries
may be objects ``{"label": ..., "user": ...}``, also under ``annotations``), then the line's
``user`` or ``annotator``, then the file's name without extension, since doccano exports a
project without collaborative annotation as one ``<username>.jsonl`` per member. The text
may be under ``text`` or (older doccano) ``data``; the note under ``note`` or doccano's
``Comments``. A dominant label whose frame is not listed as present is added to the frames.

Malformed input raises :class:`AnnotationFileError` naming the file, the line (or task and
annotation) and what was expected. Things the caller should decide on are warnings in the
:class:`ImportResult`: frame ids missing from ``frame_ids``, two judgements by one coder of
one unit, frames on a unit marked not relevant.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from framing.annotate.formats.common import (
    FORMATS,
    JSONL_FORMAT,
    AnnotationFileError,
    ImportResult,
    UnitText,
    _json_line,
    _whole_json,
    _write_atomically,
)
from framing.annotate.formats.doccano import _doccano_record, _parse_doccano
from framing.annotate.formats.jsonl import _jsonl_record, _parse_jsonl
from framing.annotate.formats.label_studio import _label_studio_tasks, _parse_label_studio, label_studio_config
from framing.annotate.judgement import Judgement
from framing.errors import FramingError
from framing.study.schema import suggestion

__all__ = ["FORMATS", "AnnotationFileError", "ImportResult", "UnitText", "dumps_annotations", "export_annotations",
           "import_annotations", "label_studio_config", "loads_annotations", "sniff_format"]


def export_annotations(judgements: Iterable[Judgement], units: Mapping[str, UnitText], path: str | Path,
                       fmt: str) -> int:
    """Write judgements to ``path`` in one of :data:`FORMATS`.

    Parameters
    ----------
    judgements
        The judgements, in the order they should appear (Label Studio groups them by unit).
    units
        Unit id -> :class:`UnitText`. Label Studio and doccano files carry the text, so every
        judged unit must be here for them; framing JSONL does not need it.
    path
        The file to write; it is replaced only once completely written.
    fmt
        ``"jsonl"``, ``"label-studio"`` or ``"doccano"``.

    Returns
    -------
    int
        The number of judgements written.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "codes.jsonl"
    >>> export_annotations([Judgement("a1", "anna", ("trust",), "trust")], {}, out, "jsonl")
    1
    >>> import_annotations(out).judgements[0].dominant
    'trust'
    """
    judgements = list(judgements)
    _write_atomically(Path(path), dumps_annotations(judgements, units, fmt))
    return len(judgements)


def dumps_annotations(judgements: Iterable[Judgement], units: Mapping[str, UnitText], fmt: str) -> str:
    """The file content :func:`export_annotations` writes, as a string (see there)."""
    _check_format(fmt)
    judgements = list(judgements)
    for number, j in enumerate(judgements, start=1):
        # an empty id would be written fine but refused on import: fail where it can be fixed
        for key, value in (("unit", j.unit), ("coder", j.coder)):
            if not value.strip():
                raise FramingError(f"judgement {number} has an empty {key} id; every judgement needs one")
    if fmt == "jsonl":
        lines, carried = [], set()
        for j in judgements:
            record = _jsonl_record(j)
            if j.unit in units and j.unit not in carried:
                unit = units[j.unit]
                record.update(text=unit.text, title=unit.title, url=unit.url, outlet=unit.outlet)
                carried.add(j.unit)
            lines.append(_json_line(record))
        return "".join(lines)
    missing = sorted({j.unit for j in judgements} - set(units))
    if missing:
        listed = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise FramingError(f"{fmt} files carry each unit's text, but no text was given for {len(missing)} "
                           f"unit(s): {listed}. Pass their UnitText in `units`.")
    if fmt == "label-studio":
        return json.dumps(_label_studio_tasks(judgements, units), ensure_ascii=False, indent=1) + "\n"
    return "".join(_json_line(_doccano_record(j, units[j.unit])) for j in judgements)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise FramingError(f"unknown annotation format {fmt!r}; use one of {', '.join(FORMATS)}"
                           + suggestion(fmt, list(FORMATS)))


def import_annotations(path: str | Path, fmt: str | None = None,
                       frame_ids: Iterable[str] | None = None) -> ImportResult:
    """Read judgements from a framing JSONL, Label Studio JSON or doccano JSONL file.

    Parameters
    ----------
    path
        The file (UTF-8, a byte-order mark is allowed).
    fmt
        One of :data:`FORMATS`, or None to tell the format from the content.
    frame_ids
        The codebook's frame ids; frames outside them are listed in ``unknown_frames`` and in a
        warning (they are kept: the caller decides).

    Returns
    -------
    ImportResult
        Judgements in file order, unit texts found, warnings and unknown frame ids.

    Raises
    ------
    AnnotationFileError
        When the file is malformed: the message names the line (or task) and what was expected.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnotationFileError(str(path), f"byte {exc.start}", "not UTF-8 text; save the file as UTF-8") from None
    except OSError as exc:
        raise FramingError(f"cannot read {path}: {exc.strerror}") from None
    return loads_annotations(text, fmt, frame_ids, source=str(path))


def loads_annotations(text: str, fmt: str | None = None, frame_ids: Iterable[str] | None = None,
                      source: str = "<string>") -> ImportResult:
    """:func:`import_annotations` on a string; ``source`` names it in messages (and is doccano's fallback coder)."""
    text = text.removeprefix("\ufeff")
    if fmt is None:
        fmt = sniff_format(text, source)
        if fmt is None:
            return ImportResult("jsonl", warnings=[f"{source} is empty: nothing imported"])
    _check_format(fmt)
    result = ImportResult(fmt)
    parse = {"jsonl": _parse_jsonl, "label-studio": _parse_label_studio, "doccano": _parse_doccano}[fmt]
    parse(text, source, result)
    _review(result, frame_ids)
    return result


def sniff_format(text: str, source: str = "<string>") -> str | None:
    """Tell an annotation file's format from its content: one of :data:`FORMATS`, or None when empty.

    Examples
    --------
    >>> sniff_format('{"id": 3, "text": "...", "label": ["trust"]}')
    'doccano'
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        return None
    if stripped.startswith("["):
        return "label-studio"
    try:
        first = json.loads(stripped.split("\n", 1)[0])
    except json.JSONDecodeError:
        first = _whole_json(stripped)
    if isinstance(first, dict):
        if str(first.get("format", "")).startswith("framing-judgement/"):
            return "jsonl"
        if isinstance(first.get("data"), dict) and "annotations" in first:
            return "label-studio"
        if ("text" in first or "data" in first) and any(k in first for k in ("label", "labels", "annotations")):
            return "doccano"
    raise AnnotationFileError(source, "line 1", "cannot tell the format: expected framing JSONL (lines with "
                              f'"format": "{JSONL_FORMAT}"), a Label Studio JSON export (a list of tasks) or a '
                              'doccano JSONL export (lines with "text" and "label"); pass fmt= to say which')


def _review(result: ImportResult, frame_ids: Iterable[str] | None) -> None:
    """Warn about what is readable but questionable; the caller decides what to do with it."""
    seen: set[tuple[str, str]] = set()
    for j in result.judgements:
        if (j.unit, j.coder) in seen:
            result.warnings.append(f"unit {j.unit!r} has more than one judgement by coder {j.coder!r}")
        seen.add((j.unit, j.coder))
        if not j.relevant and j.frames:
            result.warnings.append(f"unit {j.unit!r}, coder {j.coder!r}: marked not relevant but has frames "
                                   f"{', '.join(j.frames)}")
        if j.dominant is not None and j.dominant not in j.frames:
            result.warnings.append(f"unit {j.unit!r}, coder {j.coder!r}: dominant frame {j.dominant!r} is not "
                                   "among the frames present")
    if frame_ids is None:
        return
    known = list(frame_ids)
    used = {f for j in result.judgements for f in (*j.frames, j.dominant) if f is not None}
    result.unknown_frames = tuple(sorted(used - set(known)))
    if result.unknown_frames:
        listed = ", ".join(repr(f) + suggestion(f, known) for f in result.unknown_frames)
        result.warnings.append(f"{len(result.unknown_frames)} frame id(s) not in the codebook: {listed}")
