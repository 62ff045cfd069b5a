"""What every annotation format shares: the constants, the unit text, the import result, and
reading JSON with errors that name the file, the line and the key."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framing.annotate.judgement import Judgement
from framing.errors import FramingError

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


def _json_line(record: dict[str, Any]) -> str:
    # ensure_ascii=False keeps umlauts readable; json escapes newlines, so one record stays one line
    return json.dumps(record, ensure_ascii=False) + "\n"


def _write_atomically(path: Path, text: str) -> None:
    # a crash mid-write must not leave half a file where a finished export was expected
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)


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


def _name(at: _At, record: Mapping[str, Any], key: str, what: str) -> str:
    value = at.get(record, key, str, f"{what} as text")
    if not value.strip():
        raise at.error(f"'{key}' is empty (expected {what})")
    return value


def _add_unit(result: ImportResult, text: UnitText, at: _At) -> None:
    known = result.units.get(text.unit)
    if known is not None and known.text != text.text:
        result.warnings.append(f"{at.where}: unit {text.unit!r} has a different text than where it first "
                               "appeared; the first is kept")
        return
    result.units.setdefault(text.unit, text)
