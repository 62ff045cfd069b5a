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
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from framing.annotate.model import GOLD_CODER, Judgement
from framing.errors import FramingError
from framing.validation import suggestion

FORMATS = ("jsonl", "label-studio", "doccano")
JSONL_FORMAT = "framing-judgement/1"
DOMINANT_PREFIX = "dominant:"
NOT_RELEVANT = "not_relevant"
RELEVANT = "relevant"
_JSONL_KEYS = ("format", "unit", "coder", "frames", "dominant", "relevant", "note", "codebook",
               "codebook_version", "created_at", "meta", "text", "title", "url", "outlet")
_REQUIRED = object()


@dataclass(frozen=True)
class UnitText:
    """The text a coder read for one unit, with what identifies its article."""

    unit: str
    text: str
    title: str = ""
    url: str = ""
    outlet: str = ""


@dataclass
class ImportResult:
    """What an annotation file held: judgements, unit texts found, and warnings for the caller."""

    format: str
    judgements: list[Judgement] = field(default_factory=list)
    units: dict[str, UnitText] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unknown_frames: tuple[str, ...] = ()


class AnnotationFileError(FramingError):
    """An annotation file that cannot be read, with the place (line, task) and what was expected."""

    def __init__(self, source: str, where: str, problem: str):
        self.source, self.where, self.problem = source, where, problem
        super().__init__(f"{source}, {where}: {problem}")


@dataclass(frozen=True)
class _At:
    """A place in a file, to word errors and read typed keys from one record."""

    source: str
    where: str

    def error(self, problem: str) -> AnnotationFileError:
        return AnnotationFileError(self.source, self.where, problem)

    def get(self, record: Mapping[str, Any], key: str, kind: type | tuple[type, ...], expected: str,
            default: Any = _REQUIRED) -> Any:
        if key not in record or (record[key] is None and default is not _REQUIRED):
            if default is _REQUIRED:
                raise self.error(f"missing '{key}' (expected {expected})")
            return default
        value = record[key]
        # bool is an int in Python, but true is no codebook version and 1 is no relevance flag
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            raise self.error(f"'{key}' must be {expected}, got {_short(value)}")
        return value

    def strings(self, record: Mapping[str, Any], key: str, expected: str) -> list[str]:
        values = self.get(record, key, list, expected, default=[])
        if not all(isinstance(v, str) for v in values):
            raise self.error(f"'{key}' must be {expected}, got {_short(values)}")
        return values


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------------- export


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


def _json_line(record: dict[str, Any]) -> str:
    # ensure_ascii=False keeps umlauts readable; json escapes newlines, so one record stays one line
    return json.dumps(record, ensure_ascii=False) + "\n"


def _write_atomically(path: Path, text: str) -> None:
    # a crash mid-write must not leave half a file where a finished export was expected
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)


def _jsonl_record(j: Judgement) -> dict[str, Any]:
    return {"format": JSONL_FORMAT, "unit": j.unit, "coder": j.coder, "frames": list(j.frames),
            "dominant": j.dominant, "relevant": j.relevant, "note": j.note, "codebook": j.codebook,
            "codebook_version": j.codebook_version, "created_at": j.created_at, "meta": j.meta}


def _label_studio_tasks(judgements: list[Judgement], units: Mapping[str, UnitText]) -> list[dict[str, Any]]:
    by_unit: dict[str, list[Judgement]] = {}
    for j in judgements:
        by_unit.setdefault(j.unit, []).append(j)
    tasks, annotation_id = [], 0
    for task_id, (unit, group) in enumerate(by_unit.items(), start=1):
        text = units[unit]
        annotations = []
        for j in group:
            annotation_id += 1
            annotations.append(_label_studio_annotation(j, annotation_id))
        data = {"text": text.text, "unit": unit, "title": text.title, "url": text.url, "outlet": text.outlet}
        tasks.append({"id": task_id, "data": data, "annotations": annotations, "predictions": []})
    return tasks


def _label_studio_annotation(j: Judgement, annotation_id: int) -> dict[str, Any]:
    def item(name: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"{name}-{annotation_id}", "from_name": name, "to_name": "text", "type": kind,
                "value": value, "origin": "manual"}

    result = [item("relevance", "choices", {"choices": [RELEVANT if j.relevant else NOT_RELEVANT]})]
    if j.frames:
        result.append(item("frames", "choices", {"choices": list(j.frames)}))
    if j.dominant is not None:
        result.append(item("dominant", "choices", {"choices": [j.dominant]}))
    if j.note:
        result.append(item("note", "textarea", {"text": [j.note]}))
    # Label Studio maps {"email": ...} to its users on import; other ids stay readable strings
    completed_by: Any = {"email": j.coder} if "@" in j.coder else j.coder
    annotation = {"id": annotation_id, "completed_by": completed_by, "result": result, "was_cancelled": False,
                  "ground_truth": j.coder == GOLD_CODER, "codebook": j.codebook, "codebook_version": j.codebook_version}
    if j.created_at:
        annotation["created_at"] = j.created_at
    return annotation


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


def label_studio_config(frame_ids: Sequence[str], labels: Mapping[str, str] | None = None) -> str:
    """A Label Studio labeling config whose control names match what this module reads and writes.

    Parameters
    ----------
    frame_ids
        The codebook's frame ids, in codebook order.
    labels
        Optional frame id -> label shown to coders; the result still stores the frame id.

    Returns
    -------
    str
        The XML to paste into the project's "Labeling Interface".

    Examples
    --------
    >>> 'name="dominant"' in label_studio_config(["trust", "surveillance"])
    True
    """
    labels = labels or {}

    def choices(name: str, mode: str, values: Sequence[str]) -> str:
        options = "".join(f"\n    <Choice value={quoteattr(labels.get(v, v))} alias={quoteattr(v)}/>"
                          for v in values)
        return f'  <Choices name="{name}" toName="text" choice="{mode}">{options}\n  </Choices>\n'

    return ('<View>\n  <Header value="$title"/>\n  <Text name="text" value="$text"/>\n'
            + choices("relevance", "single", [RELEVANT, NOT_RELEVANT])
            + choices("frames", "multiple", frame_ids) + choices("dominant", "single", frame_ids)
            + '  <TextArea name="note" toName="text" rows="3"/>\n</View>\n')


# ---------------------------------------------------------------------------- import


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


def _whole_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _json_lines(text: str, source: str) -> Iterator[tuple[_At, dict[str, Any]]]:
    # split on "\n" only: str.splitlines would also break at U+2028 and U+0085, which JSON
    # written with ensure_ascii=False leaves unescaped inside strings
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        at = _At(source, f"line {number}")
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise at.error(f"not valid JSON ({exc.msg} at column {exc.colno}); expected one JSON object "
                           "per line") from None
        if not isinstance(record, dict):
            raise at.error(f"expected a JSON object {{...}}, got {_short(record)}")
        yield at, record


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


def _name(at: _At, record: Mapping[str, Any], key: str, what: str) -> str:
    value = at.get(record, key, str, f"{what} as text")
    if not value.strip():
        raise at.error(f"'{key}' is empty (expected {what})")
    return value


def _parse_label_studio(text: str, source: str, result: ImportResult) -> None:
    try:
        tasks = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnnotationFileError(source, f"line {exc.lineno}", f"not valid JSON ({exc.msg} at column "
                                  f"{exc.colno}); expected Label Studio's JSON export") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise AnnotationFileError(source, "line 1", "expected a JSON list of Label Studio tasks")
    ignored: set[str] = set()
    for number, task in enumerate(tasks, start=1):
        task_id = task.get("id") if isinstance(task, dict) else None
        at = _At(source, f"task {number}" + (f" (id {task_id})" if task_id is not None else ""))
        if not isinstance(task, dict):
            raise at.error(f"expected a task object with 'data' and 'annotations', got {_short(task)}")
        unit = _label_studio_unit(task, at, result)
        for index, annotation in enumerate(at.get(task, "annotations", list, "a list of annotations", []), 1):
            at_annotation = _At(source, f"{at.where}, annotation {index}")
            if not isinstance(annotation, dict):
                raise at_annotation.error(f"expected an annotation object, got {_short(annotation)}")
            if annotation.get("was_cancelled"):
                result.warnings.append(f"{at_annotation.where}: cancelled (skipped) in Label Studio; left out")
                continue
            result.judgements.append(_label_studio_judgement(annotation, unit, at_annotation, ignored))
    if ignored:
        result.warnings.append(f"result items from controls other than frames, dominant, relevance and note "
                               f"were ignored: {', '.join(sorted(ignored))}")


def _label_studio_unit(task: dict[str, Any], at: _At, result: ImportResult) -> str:
    data = at.get(task, "data", dict, "an object with the task's 'text'")
    unit = data.get("unit", data.get("article_id"))
    if unit is None:
        unit = at.get(task, "id", (int, str), "the task id (or data.unit)")
    if not isinstance(unit, (str, int)) or isinstance(unit, bool) or not str(unit).strip():
        raise at.error(f"'data.unit' must be the unit id as text, got {_short(unit)}")
    unit = str(unit)
    if "text" in data:
        at_data = _At(at.source, f"{at.where}, data")
        fields = {k: at_data.get(data, k, str, "text", default="") for k in ("text", "title", "url", "outlet")}
        _add_unit(result, UnitText(unit, **fields), at)
    return unit


def _label_studio_judgement(annotation: dict[str, Any], unit: str, at: _At, ignored: set[str]) -> Judgement:
    coder = _label_studio_coder(annotation, at)
    frames: list[str] = []
    dominant, relevant, notes = None, True, []
    for index, item in enumerate(at.get(annotation, "result", list, "a list of result items"), start=1):
        at_item = _At(at.source, f"{at.where}, result {index}")
        if not isinstance(item, dict):
            raise at_item.error(f"expected a result object, got {_short(item)}")
        name = item.get("from_name")
        value = at_item.get(item, "value", dict, "an object")
        if name == "note":
            notes.extend(_textarea(value, at_item))
        elif name in ("frames", "dominant", "relevance"):
            chosen = at_item.strings(value, "choices", "a list of choices")
            if name == "frames":
                frames.extend(c for c in chosen if c not in frames)
            elif name == "dominant":
                if len(chosen) > 1:
                    raise at_item.error(f"'dominant' must be one frame, got {_short(chosen)}")
                dominant = chosen[0] if chosen else None
            else:
                relevant = _relevance(chosen, at_item)
        else:
            ignored.add(str(name))
    if dominant is not None and dominant not in frames:
        frames.append(dominant)  # the dominant frame is by definition present
    return Judgement(
        unit=unit, coder=coder, frames=tuple(frames), dominant=dominant, relevant=relevant, note="\n".join(notes),
        codebook=at.get(annotation, "codebook", str, "the codebook name", default=""),
        codebook_version=at.get(annotation, "codebook_version", int, "a whole number", default=0),
        created_at=at.get(annotation, "created_at", str, "an ISO 8601 time", default=""),
    )


def _label_studio_coder(annotation: dict[str, Any], at: _At) -> str:
    value = annotation.get("completed_by")
    if isinstance(value, dict):
        value = next((value[k] for k in ("email", "username", "id") if value.get(k) not in (None, "")), None)
    if isinstance(value, (int, str)) and not isinstance(value, bool) and str(value).strip():
        return str(value)
    raise at.error(f"'completed_by' must be a user id (a number or text) or an object with 'email' or 'id', "
                   f"got {_short(annotation.get('completed_by'))}")


def _textarea(value: dict[str, Any], at: _At) -> list[str]:
    text = at.get(value, "text", (list, str), "a list of texts")
    texts = [text] if isinstance(text, str) else text
    if not all(isinstance(t, str) for t in texts):
        raise at.error(f"'text' must be a list of texts, got {_short(text)}")
    return texts


def _relevance(chosen: list[str], at: _At) -> bool:
    if len(chosen) != 1 or chosen[0] not in (RELEVANT, NOT_RELEVANT):
        raise at.error(f"'relevance' must be one of ['{RELEVANT}'] or ['{NOT_RELEVANT}'], got {_short(chosen)}")
    return chosen[0] == RELEVANT


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


def _add_unit(result: ImportResult, text: UnitText, at: _At) -> None:
    known = result.units.get(text.unit)
    if known is not None and known.text != text.text:
        result.warnings.append(f"{at.where}: unit {text.unit!r} has a different text than where it first "
                               "appeared; the first is kept")
        return
    result.units.setdefault(text.unit, text)


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
