"""Pydantic validation errors -> "line N: key.path: message (did you mean ...)" lines."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from framing.errors import ConfigError
from framing.study.yamlio import KeyPath, dotted, line_of

Model = TypeVar("Model", bound=BaseModel)


class Strict(BaseModel):
    """Base of every file schema (studies, codebooks): unknown keys are errors, and so are .inf and
    .nan, which would hang a crawl (an infinite delay) or poison a statistic."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def validate(model: type[Model], data: Any, lines: dict[KeyPath, int], path: Path | str) -> Model:
    """Validate ``data`` against ``model``; on failure raise ConfigError listing every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(str(path), [describe(model, err, lines) for err in exc.errors()]) from None


def describe(root: type[BaseModel], err: dict[str, Any], lines: dict[KeyPath, int]) -> str:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    if err["type"] == "extra_forbidden":
        allowed = allowed_keys(root, loc[:-1])
        msg = f"unknown key; allowed here: {', '.join(allowed)}" + suggestion(str(loc[-1]), allowed)
        return at(lines, loc, msg)
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] not in ("missing", "value_error"):
        msg += f" (got {err.get('input')!r})"
    if isinstance(err.get("input"), bool):
        msg += "; YAML reads unquoted no/yes/on/off as booleans: put the word in quotes"
    return at(lines, loc, msg)


def suggestion(word: str, choices: list[str]) -> str:
    hint = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


def at(lines: dict[KeyPath, int], loc: KeyPath, msg: str) -> str:
    line = line_of(lines, loc)
    return f"line {line}: {dotted(loc)}: {msg}" if line else f"{dotted(loc)}: {msg}"


def allowed_keys(root: type[BaseModel], parent: KeyPath) -> list[str]:
    model = root
    for part in parent:
        if isinstance(part, int) or str(part) not in model.model_fields:
            continue
        annotation = model.model_fields[str(part)].annotation
        model = _inner_model(annotation) or model
    return [k for k, f in model.model_fields.items() if not f.exclude]


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found:
            return found
    return None
