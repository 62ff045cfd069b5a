"""Label Studio: the JSON export (a list of tasks) and the labeling config its controls need."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import quoteattr

from framing.annotate.formats.common import (
    NOT_RELEVANT,
    RELEVANT,
    AnnotationFileError,
    ImportResult,
    UnitText,
    _add_unit,
    _At,
    _short,
)
from framing.annotate.judgement import GOLD_CODER, Judgement


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
