"""YAML loading that remembers where every key came from, for errors that name a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from framing.errors import ConfigError

KeyPath = tuple[str | int, ...]


MAX_BYTES = 5_000_000  # studies and codebooks are a few KB; a large imported dictionary a few MB
MAX_DEPTH = 64  # nesting; real files use under ten levels
MAX_VALUES = 200_000  # keys and values once aliases are expanded: stops "billion laughs" files


def load_with_lines(path: Path) -> tuple[Any, dict[KeyPath, int]]:
    """Parse a YAML file and map each key path to its 1-based line number.

    The loader is bounded, because a study or codebook may come from anyone: files over
    5 MB, text that is not UTF-8, nesting deeper than 64 levels, aliases that expand to more
    than 200,000 values and duplicate keys are each refused with one message that names the line.

    Parameters
    ----------
    path
        The YAML file.

    Returns
    -------
    data, lines
        The plain Python data, and ``{("sources", 0, "feed"): 7, ...}``.

    Raises
    ------
    ConfigError
        Naming the line and what is wrong.
    """
    text = _text(path)
    try:
        _check_depth(text, path)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "unknown line"
        raise ConfigError(str(path), [f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from exc
    lines: dict[KeyPath, int] = {}
    if node is None:
        return None, lines
    _Walk(path, lines).node(node, ())
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node), lines
    except yaml.YAMLError as exc:  # e.g. an unhashable key
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "unknown line"
        raise ConfigError(str(path), [f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from exc


def _text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ConfigError(str(path), [f"the file has {size:,} bytes; a study or codebook is at most {MAX_BYTES:,}"])
    data = path.read_bytes()
    if b"\0" in data:
        raise ConfigError(str(path), ["a binary file, not YAML text"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(str(path), [f"line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file "
                                      "as UTF-8 (most editors offer it under Save As or Encoding)"]) from None


def _check_depth(text: str, path: Path) -> None:
    """Refuse deep nesting before the (recursive) composer meets it; the event parser is iterative."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(str(path), [f"line {event.start_mark.line + 1}: nested more than {MAX_DEPTH} "
                                              "levels deep"])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


class _Walk:
    """Record each key path's line; refuse duplicate keys and runaway alias expansion."""

    def __init__(self, path: Path, lines: dict[KeyPath, int]):
        self.path, self.lines, self.values = path, lines, 0

    def node(self, node: yaml.Node, prefix: KeyPath) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise ConfigError(str(self.path), [f"line {node.start_mark.line + 1}: aliases (*name) expand to more "
                                               f"than {MAX_VALUES:,} values; write the values out instead"])
        self.lines.setdefault(prefix, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self.mapping(node, prefix)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.lines[prefix + (index,)] = item.start_mark.line + 1
                self.node(item, prefix + (index,))

    def mapping(self, node: yaml.MappingNode, prefix: KeyPath) -> None:
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = key_node.value
            if isinstance(key, str) and key in seen:
                raise ConfigError(str(self.path), [f"line {line}: {dotted(prefix + (key,))}: duplicate key; "
                                                   f"first given on line {seen[key]}. Keep one of them."])
            if isinstance(key, str):
                seen[key] = line
            self.lines[prefix + (key,)] = line
            self.node(value_node, prefix + (key,))


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest parent that has one."""
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None


def dotted(path: KeyPath) -> str:
    """``("sources", 0, "feed")`` -> ``sources[0].feed``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
