"""Codebook loading and checking: messages with lines, suggestions, and pattern errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from framing.errors import ConfigError, FramingError
from framing.study.codebook import bundled_names, check_codebook, load_codebook
from framing.study.patterns import PatternError, parse_pattern

MINI = Path(__file__).parent / "fixtures" / "mini-codebook.yml"


def edited(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "book.yml"
    path.write_text(MINI.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return path


def test_codebook_loads_with_frames_in_order():
    book = load_codebook(MINI)
    assert book.frame_ids == ["surveillance", "trust"] and book.label == "mini v2"
    assert [p.source for _, p in book.patterns("de")][:2] == ["überwach*", "digitale diktatur"]


def test_codebook_unknown_key_gets_line_and_did_you_mean(tmp_path):
    report = check_codebook(edited(tmp_path, "    include: Cameras", "    inclde: Cameras"))
    (error,) = report.errors
    assert error.startswith("line 14: frames[0].inclde: unknown key") and "did you mean 'include'" in error


def test_codebook_duplicate_ids_and_bad_patterns_are_errors_with_lines(tmp_path):
    path = edited(tmp_path, "  - id: trust", "  - id: surveillance")
    path.write_text(path.read_text().replace('"fraud*"', '"fr*ud"'), encoding="utf-8")
    errors = check_codebook(path).errors
    assert any(e.startswith("line 22: frames[1].id: duplicate frame id 'surveillance'") for e in errors)
    assert any(e.startswith("line 28: frames[1].patterns.en[0]:") and "may only lead or end" in e for e in errors)


def test_codebook_language_not_declared_suggests_one(tmp_path):
    errors = check_codebook(edited(tmp_path, '      de: ["betrug*"', '      dee: ["betrug*"')).errors
    assert any("language 'dee' is not in languages ['en', 'de'] (did you mean 'de'?)" in e for e in errors)


def test_codebook_empty_frame_is_a_warning_not_an_error(tmp_path):
    path = edited(tmp_path, '      en: ["fraud*", "unpaid debt*", "defaulter*", "credit NEAR/5 score*"]\n'
                  '      de: ["betrug*", "schuldner*", "schufa"]', "      en: []")
    report = check_codebook(path)
    assert report.errors == [] and any("'trust' has no patterns" in w for w in report.warnings)


def test_codebook_unknown_name_lists_bundled_ones():
    with pytest.raises(FramingError, match="not a bundled name"):
        load_codebook("social-credi")
    assert "social-credit" in bundled_names() and "policy-frames" in bundled_names()


def test_codebook_load_raises_config_error_listing_problems(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_codebook(edited(tmp_path, "version: 2", "version: two"))
    assert info.value.problems[0].startswith("line 2: version:")


@pytest.mark.parametrize("bad", ["", "a*b", "x*", "credit NEAR/0 score", "credit NEAR/x score", "what?"])
def test_patterns_invalid_ones_say_why(bad):
    with pytest.raises(PatternError):
        parse_pattern(bad)


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_codebooks_check_clean_and_examples_behave(name):
    from framing.tag.rules import RuleTagger

    report = check_codebook(Path(__file__).parents[1] / "framing" / "codebooks" / f"{name}.yml")
    assert report.errors == []
    tagger = RuleTagger(report.codebook)
    for frame in report.codebook.frames:
        for sentence in frame.examples.positive:
            found = {h.frame for h in tagger.hits(sentence, "en") if not h.negated}
            assert frame.id in found, f"{name}/{frame.id}: positive example not matched: {sentence}"
        for sentence in frame.examples.negative:
            found = {h.frame for h in tagger.hits(sentence, "en") if not h.negated}
            assert frame.id not in found, f"{name}/{frame.id}: negative example matched: {sentence}"


ACTORS = """
actors:
  - id: merics
    label: Mercator Institute for China Studies
    type: organisation
    group: think tank
    aliases:
      en: [merics, "mercator institute*"]
      de: [merics]
  - id: creemers
    label: Rogier Creemers
    type: persn
    aliases:
      en: ["rogier creemers", "cr*emers"]
      dee: [creemers]
  - id: merics
    label: MERICS again
    type: organisation
  - id: Bad-Id
    label: No aliases
    type: media
"""


def test_codebook_actors_are_checked_like_frames(tmp_path):
    path = tmp_path / "book.yml"
    path.write_text(MINI.read_text(encoding="utf-8") + ACTORS, encoding="utf-8")
    lines = len(MINI.read_text(encoding="utf-8").splitlines())
    report = check_codebook(path)
    assert report.codebook is None                                      # type and id shape fail validation first
    assert any(e.startswith(f"line {lines + 12}: actors[1].type:") and "'persn' is not one of person, organisation"
               in e and "did you mean 'person'?" in e for e in report.errors), report.errors
    assert any(e.startswith(f"line {lines + 19}: actors[3].id:") and "lower-case" in e for e in report.errors)
    path.write_text(path.read_text().replace("persn", "person").replace("Bad-Id", "bad_id"), encoding="utf-8")
    report = check_codebook(path)
    assert any(e.startswith(f"line {lines + 16}: actors[2].id: duplicate actor id 'merics'") for e in report.errors)
    assert any(e.startswith(f"line {lines + 14}: actors[1].aliases.en[1]:") and "may only lead or end" in e
               for e in report.errors)
    assert any(e.startswith(f"line {lines + 15}: actors[1].aliases.dee:") and "(did you mean 'de'?)" in e
               for e in report.errors)
    assert any("actor 'bad_id' has no aliases" in w for w in report.warnings)
    assert [a.id for a in report.codebook.actors] == ["merics", "creemers", "merics", "bad_id"]


def test_the_social_credit_codebook_names_the_voices_of_the_debate():
    book = load_codebook("social-credit")
    types = {a.type for a in book.actors}
    assert types == {"person", "organisation", "institution", "media", "country"}
    assert all(a.aliases.get("en") and a.aliases.get("de") for a in book.actors)   # every voice findable in both
    groups = {a.group for a in book.actors}
    assert {"Chinese government", "Chinese state media", "think tank", "academia", "Western governments"} <= groups
