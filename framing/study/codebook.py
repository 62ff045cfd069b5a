"""Codebook YAML -> validated Codebook: frames, coder guidance, per-language patterns.

The format is documented in framing/codebooks/FORMAT.md and the README. Bundled codebooks are
found by name (``social-credit``, ``policy-frames``); anything else is a path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, field_validator

from framing.errors import ConfigError, FramingError
from framing.study.patterns import Pattern, PatternError, parse_pattern, parse_word
from framing.study.schema import Strict, at, suggestion, validate
from framing.study.yamlio import load_with_lines

BUNDLED = Path(__file__).parents[1] / "codebooks"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _checked_id(kind: str, value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{kind} id {value!r} must be lower-case letters, digits and underscores, "
                         "starting with a letter")
    return value


class Examples(Strict):
    positive: list[str] = []
    negative: list[str] = []


class Guidance(Strict):
    """A frame's guidance written in another language, for coders who read that language: the
    same fields as the frame's own, each optional. Its examples are checked in that language."""

    label: str = ""
    description: str = ""
    include: str = ""
    exclude: str = ""
    examples: Examples = Examples()


class Frame(Strict):
    """One frame: what it is, how to code it, and the words that signal it."""

    id: str
    label: str
    description: str
    include: str = ""
    exclude: str = ""
    patterns: dict[str, list[str]] = {}
    examples: Examples = Examples()
    guidance: dict[str, Guidance] = {}   # per language: the frame's guidance in that language
    maps_to: dict[str, str] = {}

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        return _checked_id("frame", value)


ACTOR_TYPES = ("person", "organisation", "institution", "media", "country")


class Actor(Strict):
    """Someone coverage quotes or names: a person, an organisation, an institution, a medium, a country.

    ``aliases`` are per language and in the frames' pattern syntax, so inflected forms
    (``Creemers*``), abbreviations (``MERICS``) and descriptions (``"the leiden scholar"``) are
    written as frames' patterns are; the actor's ``label`` is not matched unless listed.
    """

    id: str
    label: str
    type: str
    group: str = ""        # for tables and networks by side: "think tank", "Chinese state media", ...
    description: str = ""
    aliases: dict[str, list[str]] = {}

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        return _checked_id("actor", value)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in ACTOR_TYPES:
            raise ValueError(f"actor type {value!r} is not one of {', '.join(ACTOR_TYPES)}"
                             + suggestion(value, list(ACTOR_TYPES)))
        return value


class Codebook(Strict):
    """A validated codebook. ``compiled(language)`` gives the parsed patterns per frame."""

    name: str
    version: int = Field(ge=1)
    title: str = ""
    description: str = ""
    languages: list[str] = Field(min_length=1)
    unit: str = Field("article", pattern="^(article|sentence)$")
    negators: dict[str, list[str]] = {}
    negation_window: int = Field(3, ge=0, le=20)
    # in languages matched on characters (Chinese: framing.tag.characters), the window is counted
    # in characters, which do not depend on the segmenter; 8 covers 一个奥威尔式的 ("an Orwellian-style")
    negation_characters: int = Field(8, ge=0, le=40)
    compounds: list[str] = []
    frames: list[Frame] = Field(min_length=1)
    actors: list[Actor] = []
    path: str | None = Field(None, exclude=True)

    @property
    def frame_ids(self) -> list[str]:
        return [f.id for f in self.frames]

    def frame(self, frame_id: str) -> Frame:
        for frame in self.frames:
            if frame.id == frame_id:
                return frame
        raise FramingError(f"no frame {frame_id!r} in codebook {self.name}; frames are: {', '.join(self.frame_ids)}"
                           + suggestion(frame_id, self.frame_ids))

    def patterns(self, language: str) -> list[tuple[str, Pattern]]:
        """``(frame id, pattern)`` for every pattern of a language, in codebook order."""
        return [(f.id, parse_pattern(p)) for f in self.frames for p in f.patterns.get(language, [])]

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"


@dataclass
class CheckReport:
    codebook: Codebook | None
    errors: list[str]
    warnings: list[str]


def resolve(name_or_path: str | Path, base: Path | None = None) -> Path:
    """A bundled codebook's file by name, or a path (relative to ``base``)."""
    candidate = BUNDLED / f"{name_or_path}.yml"
    if candidate.is_file():
        return candidate
    path = Path(name_or_path)
    if not path.is_absolute() and base is not None:
        path = base / path
    if path.is_file():
        return path
    bundled = sorted(p.stem for p in BUNDLED.glob("*.yml"))
    raise FramingError(f"no codebook {str(name_or_path)!r}: not a bundled name ({', '.join(bundled)}) and no such "
                       "file" + suggestion(str(name_or_path), bundled))


def load_codebook(name_or_path: str | Path, base: Path | None = None) -> Codebook:
    """Load and fully check a codebook; raise ConfigError listing every problem with its line."""
    report = check_codebook(resolve(name_or_path, base))
    if report.errors:
        raise ConfigError(str(resolve(name_or_path, base)), report.errors)
    return report.codebook


def check_codebook(path: Path) -> CheckReport:
    """Validate structure, ids, languages and every pattern; collect warnings for weak spots."""
    data, lines = load_with_lines(path)
    if not isinstance(data, dict):
        return CheckReport(None, ["line 1: a codebook is a mapping (name, version, languages, frames, ...)"], [])
    try:
        book = validate(Codebook, data, lines, path)
    except ConfigError as exc:
        return CheckReport(None, exc.problems, [])
    book.path = str(path)
    errors = _duplicate_ids([f.id for f in book.frames], "frame", lines)
    warnings: list[str] = []
    for index, frame in enumerate(book.frames):
        errors += _pattern_errors(("frames", index, "patterns"), frame.patterns, lines)
        if not any(frame.patterns.get(lang) for lang in book.languages):
            warnings.append(at(lines, ("frames", index), f"frame {frame.id!r} has no patterns: the rule tagger "
                               "will never find it (fine for an 'other' frame coded by humans only)"))
        if not frame.include or not frame.exclude:
            warnings.append(at(lines, ("frames", index), f"frame {frame.id!r} lacks include/exclude guidance "
                               "for coders"))
    errors += _check_language_keys(book, lines)
    actor_errors, actor_warnings = _check_actors(book, lines)
    return CheckReport(book, errors + actor_errors, warnings + actor_warnings)


def _check_actors(book: Codebook, lines) -> tuple[list[str], list[str]]:
    """Unique ids, aliases that parse, alias languages the codebook has; an actor without aliases
    in any language is a warning (only a coder can then find it)."""
    errors, warnings = _duplicate_ids([a.id for a in book.actors], "actor", lines), []
    for index, actor in enumerate(book.actors):
        for language in actor.aliases:
            if language not in book.languages:
                errors.append(at(lines, ("actors", index, "aliases", language), f"language {language!r} is not in "
                                 f"languages {book.languages}" + suggestion(language, book.languages)))
        errors += _pattern_errors(("actors", index, "aliases"), actor.aliases, lines)
        if not any(actor.aliases.get(lang) for lang in book.languages):
            warnings.append(at(lines, ("actors", index), f"actor {actor.id!r} has no aliases: quotes cannot be "
                               "linked to it automatically"))
    return errors, warnings


def _duplicate_ids(ids: list[str], kind: str, lines) -> list[str]:
    """An error for each id used before, naming where it was first used."""
    errors, seen = [], {}
    for index, item_id in enumerate(ids):
        if item_id in seen:
            errors.append(at(lines, (f"{kind}s", index, "id"), f"duplicate {kind} id {item_id!r} "
                             f"(first used by {kind}s[{seen[item_id]}])"))
        seen.setdefault(item_id, index)
    return errors


def _pattern_errors(loc: tuple, by_language: dict[str, list[str]], lines) -> list[str]:
    """An error for each pattern (a frame's or an actor's alias) that does not parse."""
    errors = []
    for language, patterns in by_language.items():
        for position, source in enumerate(patterns):
            try:
                parse_pattern(source)
            except PatternError as exc:
                errors.append(at(lines, (*loc, language, position), str(exc)))
    return errors


def _check_language_keys(book: Codebook, lines) -> list[str]:
    errors = []
    places = [(("negators", lang), lang) for lang in book.negators]
    places += [(("frames", i, "patterns", lang), lang) for i, f in enumerate(book.frames) for lang in f.patterns]
    places += [(("frames", i, "guidance", lang), lang) for i, f in enumerate(book.frames) for lang in f.guidance]
    places += [(("compounds", i), lang) for i, lang in enumerate(book.compounds)]
    for loc, language in places:
        if language not in book.languages:
            errors.append(at(lines, loc, f"language {language!r} is not in languages {book.languages}"
                             + suggestion(language, book.languages)))
    for language, words in book.negators.items():
        for position, word in enumerate(words):
            try:
                parse_word(word)
            except PatternError as exc:
                errors.append(at(lines, ("negators", language, position), str(exc)))
    return errors


def bundled_names() -> list[str]:
    return sorted(p.stem for p in BUNDLED.glob("*.yml"))
