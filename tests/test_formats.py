"""Annotation import/export: round trips, hand-written Label Studio and doccano files, sniffing, errors."""

from __future__ import annotations

import json

import pytest

from framing.annotate.formats import (
    FORMATS,
    AnnotationFileError,
    UnitText,
    dumps_annotations,
    export_annotations,
    import_annotations,
    label_studio_config,
    loads_annotations,
    sniff_format,
)
from framing.annotate.judgement import GOLD_CODER, Judgement
from framing.errors import FramingError

FRAMES = ["surveillance", "trust", "patchwork"]
TEXT_DE = "Kein Überwachungsstaat, sagt die Ökonomin. Größere Sorgen machen ihr Schulden. <script>alert('x')</script>"
UNITS = {
    "a1": UnitText("a1", TEXT_DE, title="Über die Bonitätsprüfung", url="https://nordlicht.example/a1",
                   outlet="Nordlicht Zeitung"),
    "b2": UnitText("b2", "Trust & <b>credit</b>\n\nSecond paragraph.", title="Trust", outlet="Harbour"),
    "b2#3": UnitText("b2#3", "A sentence unit."),
}
JUDGEMENTS = [
    Judgement("a1", "anna", ("surveillance", "trust"), "trust", note="Ironie? <script>x</script> ü\u2028ß",
              codebook="social-credit", codebook_version=2, created_at="2026-03-01T10:00:00Z"),
    Judgement("a1", "ben@uni.example", ("patchwork",), "patchwork", codebook="social-credit",
              codebook_version=2),
    Judgement("b2", "anna", (), None, relevant=False, note="off topic"),
    Judgement("b2", "ben@uni.example", ("trust",), None, created_at="2026-03-02T09:30:00Z"),
    Judgement("b2#3", GOLD_CODER, ("surveillance",), "surveillance", note='quote "x"\nline two'),
]


def by_key(judgements: list[Judgement]) -> list[Judgement]:
    return sorted(judgements, key=lambda j: (j.unit, j.coder))


@pytest.mark.parametrize("fmt", FORMATS)
def test_formats_round_trip_keeps_every_field(tmp_path, fmt):
    path = tmp_path / f"codes.{fmt}"
    assert export_annotations(JUDGEMENTS, UNITS, path, fmt) == len(JUDGEMENTS)
    result = import_annotations(path, frame_ids=FRAMES)
    assert result.format == fmt
    assert by_key(result.judgements) == by_key(JUDGEMENTS)
    assert result.warnings == [] and result.unknown_frames == ()
    if fmt != "jsonl":
        assert result.units == UNITS
    # exact: coder ids as strings, frame order, notes with newlines and U+2028
    assert [j.coder for j in by_key(result.judgements)][:2] == ["anna", "ben@uni.example"]


def test_formats_jsonl_keeps_order_meta_and_version_on_every_line(tmp_path):
    judgements = [*JUDGEMENTS, Judgement("c3", "carl", ("trust",), meta={"seconds": 41, "app": "framing"})]
    path = tmp_path / "codes.jsonl"
    export_annotations(judgements, {}, path, "jsonl")
    lines = path.read_text(encoding="utf-8").split("\n")
    assert len(lines) == len(judgements) + 1 and lines[-1] == ""
    assert all(json.loads(line)["format"] == "framing-judgement/1" for line in lines[:-1])
    back = import_annotations(path).judgements
    assert back == judgements and back[-1].meta == {"seconds": 41, "app": "framing"}


def test_formats_unicode_and_markup_written_and_read_verbatim(tmp_path):
    for fmt in FORMATS:
        path = tmp_path / f"codes-{fmt}"
        export_annotations(JUDGEMENTS, UNITS, path, fmt)
        raw = path.read_text(encoding="utf-8")
        assert "Ironie? <script>x</script> ü" in raw  # not \u00fc, not &lt;
        if fmt != "jsonl":
            assert "Kein Überwachungsstaat" in raw and "<script>alert('x')</script>" in raw
            result = import_annotations(path)
            assert result.units["a1"].text == TEXT_DE and result.units["a1"].title == "Über die Bonitätsprüfung"
        note = next(j.note for j in import_annotations(path).judgements if j.coder == "anna" and j.unit == "a1")
        assert note == "Ironie? <script>x</script> ü\u2028ß"


def test_formats_label_studio_export_shape(tmp_path):
    tasks = json.loads(dumps_annotations(JUDGEMENTS, UNITS, "label-studio"))
    assert [t["data"]["unit"] for t in tasks] == ["a1", "b2", "b2#3"]
    first = tasks[0]["annotations"]
    assert first[0]["completed_by"] == "anna" and first[1]["completed_by"] == {"email": "ben@uni.example"}
    results = {r["from_name"]: r for r in first[0]["result"]}
    assert results["frames"]["type"] == "choices" and results["frames"]["value"] == {"choices": ["surveillance",
                                                                                                  "trust"]}
    assert results["dominant"]["value"] == {"choices": ["trust"]}
    assert results["relevance"]["value"] == {"choices": ["relevant"]}
    assert results["note"]["type"] == "textarea" and results["note"]["value"]["text"] == [JUDGEMENTS[0].note]
    assert first[0]["created_at"] == "2026-03-01T10:00:00Z" and "created_at" not in first[1]
    assert tasks[2]["annotations"][0]["ground_truth"] is True


def test_formats_doccano_export_labels_are_documented_encoding():
    # split on "\n" only: the note's U+2028 is legal, unescaped, inside a JSON string
    lines = [json.loads(line) for line in dumps_annotations(JUDGEMENTS, UNITS, "doccano").split("\n")[:-1]]
    assert lines[0]["label"] == ["surveillance", "trust", "dominant:trust"] and lines[0]["user"] == "anna"
    assert lines[2]["label"] == ["not_relevant"] and lines[2]["id"] == "b2"
    assert lines[0]["text"] == TEXT_DE and lines[0]["outlet"] == "Nordlicht Zeitung"


# A Label Studio export as Label Studio writes it, after our tasks were imported and coded there:
# numeric completed_by, random result ids, extra bookkeeping keys, a prediction and a skipped task.
LABEL_STUDIO_EXPORT = [
    {
        "id": 101, "project": 7, "created_at": "2026-02-01T12:00:00.000000Z",
        "data": {"text": TEXT_DE, "unit": "a1", "title": "Über die Bonitätsprüfung", "outlet": "Nordlicht Zeitung",
                 "url": "https://nordlicht.example/a1"},
        "annotations": [
            {"id": 9001, "completed_by": 3, "was_cancelled": False, "ground_truth": False, "lead_time": 41.2,
             "created_at": "2026-02-03T08:15:02.123456Z", "updated_at": "2026-02-03T08:15:02.123456Z",
             "task": 101, "project": 7, "result_count": 0,
             "result": [
                 {"id": "Xq3_bT1aZk", "from_name": "frames", "to_name": "text", "type": "choices",
                  "origin": "manual", "value": {"choices": ["surveillance", "trust"]}},
                 {"id": "p0Lr8sVd2m", "from_name": "dominant", "to_name": "text", "type": "choices",
                  "origin": "manual", "value": {"choices": ["surveillance"]}},
                 {"id": "mK2cW9xYt4", "from_name": "relevance", "to_name": "text", "type": "choices",
                  "origin": "manual", "value": {"choices": ["relevant"]}},
                 {"id": "tT5nQ1rEw7", "from_name": "note", "to_name": "text", "type": "textarea",
                  "origin": "manual", "value": {"text": ["Zitat im 2. Absatz", "<script> im Text"]}},
                 {"id": "zz9", "from_name": "confidence", "to_name": "text", "type": "rating",
                  "value": {"rating": 4}},
             ]},
            {"id": 9002, "completed_by": {"id": 5, "email": "ben@uni.example", "first_name": "Ben"},
             "was_cancelled": False, "created_at": "2026-02-04T10:00:00Z",
             "result": [{"id": "a", "from_name": "dominant", "to_name": "text", "type": "choices",
                         "value": {"choices": ["trust"]}}]},
            {"id": 9003, "completed_by": 8, "was_cancelled": True, "result": []},
        ],
        "predictions": [{"model_version": "rules", "result": [
            {"from_name": "frames", "to_name": "text", "type": "choices", "value": {"choices": ["trust"]}}]}],
    },
    {
        "id": 102, "data": {"text": "Anderes Thema."},
        "annotations": [
            {"id": 9004, "completed_by": {"id": 9}, "result": [
                {"id": "b", "from_name": "relevance", "to_name": "text", "type": "choices",
                 "value": {"choices": ["not_relevant"]}}]},
            {"id": 9005, "completed_by": "carl", "result": [
                {"id": "c", "from_name": "frames", "to_name": "text", "type": "choices",
                 "value": {"choices": ["trsut"]}}]},
        ],
    },
]


def test_formats_imports_realistic_label_studio_export(tmp_path):
    path = tmp_path / "project-7-at-2026-02-05.json"
    path.write_text(json.dumps(LABEL_STUDIO_EXPORT, ensure_ascii=False, indent=2), encoding="utf-8")
    result = import_annotations(path, frame_ids=FRAMES)
    assert result.format == "label-studio"
    assert result.judgements == [
        Judgement("a1", "3", ("surveillance", "trust"), "surveillance",
                  note="Zitat im 2. Absatz\n<script> im Text", created_at="2026-02-03T08:15:02.123456Z"),
        Judgement("a1", "ben@uni.example", ("trust",), "trust", created_at="2026-02-04T10:00:00Z"),
        Judgement("102", "9", (), None, relevant=False),
        Judgement("102", "carl", ("trsut",), None),
    ]
    assert result.units["a1"] == UNITS["a1"] and result.units["102"].text == "Anderes Thema."
    assert result.unknown_frames == ("trsut",)
    assert any("'trsut' (did you mean 'trust'?)" in w for w in result.warnings)
    assert any("annotation 3" in w and "cancelled" in w for w in result.warnings)
    assert any("ignored: confidence" in w for w in result.warnings)


def test_formats_imports_doccano_per_user_export(tmp_path):
    # doccano without collaborative annotation exports <username>.jsonl per member, ids are its own numbers
    path = tmp_path / "lena.jsonl"
    lines = [
        {"id": 17, "text": TEXT_DE, "label": ["surveillance", "trust"], "Comments": ["Ironie?"]},
        {"id": 18, "text": "Off topic: Fußball.", "label": ["not_relevant"]},
        {"id": 19, "text": "Nothing ticked yet.", "label": []},
        {"id": 20, "text": "Only the dominant label was ticked.", "label": ["dominant:patchwork"]},
    ]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    result = import_annotations(path, frame_ids=FRAMES)
    assert result.format == "doccano"
    assert result.judgements == [
        Judgement("17", "lena", ("surveillance", "trust"), None, note="Ironie?"),
        Judgement("18", "lena", (), None, relevant=False),
        Judgement("19", "lena", (), None),
        Judgement("20", "lena", ("patchwork",), "patchwork"),
    ]
    assert result.units["17"].text == TEXT_DE
    assert any("coder id 'lena' from the file name" in w for w in result.warnings)
    assert any("doccano example numbers" in w for w in result.warnings)


def test_formats_imports_doccano_label_entries_carrying_users(tmp_path):
    path = tmp_path / "all.jsonl"
    line = {"id": "a1", "data": "Text in the older 'data' key.", "annotations": [
        {"label": "trust", "user": 1}, {"label": "dominant:trust", "user": 1},
        {"label": "surveillance", "user": "maria"}]}
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = import_annotations(path, fmt="doccano")
    assert result.judgements == [Judgement("a1", "1", ("trust",), "trust"), Judgement("a1", "maria", ("surveillance",))]
    assert result.units["a1"].text == "Text in the older 'data' key." and result.warnings == []


@pytest.mark.parametrize(("content", "fmt"), [
    ('{"format": "framing-judgement/1", "unit": "a", "coder": "x"}\n', "jsonl"),
    ('[{"id": 1, "data": {"text": "t"}, "annotations": []}]', "label-studio"),
    ('{\n  "id": 1,\n  "data": {"text": "t"},\n  "annotations": []\n}\n', "label-studio"),
    ('\ufeff{"id": 1, "text": "t", "label": ["trust"]}\n', "doccano"),
])
def test_formats_sniffs_the_format_from_content(tmp_path, content, fmt):
    path = tmp_path / "codes.txt"
    path.write_text(content, encoding="utf-8")
    assert sniff_format(content) == fmt and import_annotations(path).format == fmt


def test_formats_unrecognised_or_empty_content():
    with pytest.raises(AnnotationFileError, match="cannot tell the format.*pass fmt="):
        sniff_format('{"url": "https://x", "frames": ["trust"]}\n', "codes.jsonl")
    empty = loads_annotations("\n\n", source="empty.jsonl")
    assert empty.judgements == [] and empty.warnings == ["empty.jsonl is empty: nothing imported"]


def jsonl(*records: dict | str) -> str:
    base = {"format": "framing-judgement/1", "unit": "a1", "coder": "anna"}
    return "".join((r if isinstance(r, str) else json.dumps({**base, **r})) + "\n" for r in records)


@pytest.mark.parametrize(("text", "message"), [
    (jsonl({}, {}, '{"format": "framing-judgement/1", "unit": "a1",'), r"codes.jsonl, line 3: not valid JSON"),
    (jsonl({}, "", {"coder": ""}), r"line 3: 'coder' is empty \(expected the coder id\)"),
    (jsonl({"frames": "trust"}), r"line 1: 'frames' must be a list of frame ids, got \"trust\""),
    (jsonl({"relevant": "no"}), r"line 1: 'relevant' must be true or false"),
    (jsonl({"codebook_version": True}), r"line 1: 'codebook_version' must be a whole number, got true"),
    (jsonl({"format": "framing-judgement/2"}), r"line 1: format 'framing-judgement/2' is not one this framing"),
    (jsonl({"domniant": "trust"}), r"line 1: unknown key 'domniant'.*did you mean 'dominant'"),
    (jsonl({}, '["a1", "anna"]'), r"line 2: expected a JSON object"),
])
def test_formats_malformed_jsonl_names_line_and_expectation(text, message):
    with pytest.raises(AnnotationFileError, match=message):
        loads_annotations(text, "jsonl", source="codes.jsonl")


def ls_task(annotation: dict) -> str:
    return json.dumps([{"id": 1, "data": {"text": "t", "unit": "a1"}, "annotations": []},
                       {"id": 2, "data": {"text": "t", "unit": "a2"}, "annotations": [annotation]}])


@pytest.mark.parametrize(("text", "message"), [
    ('[{"id": 1, "data": {"text": "t"},\n "annotations": [}]', r"ls.json, line 2: not valid JSON"),
    ('"just text"', r"line 1: expected a JSON list of Label Studio tasks"),
    ('[{"id": 4, "annotations": []}]', r"task 1 \(id 4\): missing 'data'"),
    (ls_task({"result": []}), r"task 2 \(id 2\), annotation 1: 'completed_by' must be a user id"),
    (ls_task({"completed_by": True, "result": []}), r"'completed_by' must be a user id"),
    (ls_task({"completed_by": 3}), r"annotation 1: missing 'result'"),
    (ls_task({"completed_by": 3, "result": [{"from_name": "relevance", "value": {"choices": ["maybe"]}}]}),
     r"annotation 1, result 1: 'relevance' must be one of \['relevant'\] or \['not_relevant'\]"),
    (ls_task({"completed_by": 3, "result": [{"from_name": "dominant", "value": {"choices": ["a", "b"]}}]}),
     r"result 1: 'dominant' must be one frame"),
    (ls_task({"completed_by": 3, "result": [{"from_name": "note", "value": {"text": [1]}}]}),
     r"result 1: 'text' must be a list of texts"),
])
def test_formats_malformed_label_studio_names_task_and_expectation(text, message):
    with pytest.raises(AnnotationFileError, match=message):
        loads_annotations(text, "label-studio", source="ls.json")


@pytest.mark.parametrize(("lines", "message"), [
    (['{"id": 1, "text": "t", "label": []}', '{"id": 2, "text": "t", "label": "trust"}'],
     r"lena.jsonl, line 2: 'label' must be a list of labels"),
    (['{"id": 1, "text": "t"}'], r"line 1: missing 'label'"),
    (['', '{"text": "t", "label": []}'], r"line 2: missing 'id'"),
    (['{"id": 1, "text": "t", "label": ["dominant:trust", "dominant:patchwork"]}'],
     r"line 1: label 'dominant:patchwork': expected one 'dominant:<frame id>' label per coder"),
    (['{"id": 1, "text": "t", "label": [{"user": 3}]}'], r"line 1: 'label' entries must be label names"),
    (['{"id": 1, "text": ["t"], "label": []}'], r"line 1: 'text' must be the unit's text"),
])
def test_formats_malformed_doccano_names_line_and_expectation(lines, message):
    with pytest.raises(AnnotationFileError, match=message):
        loads_annotations("\n".join(lines) + "\n", "doccano", source="exports/lena.jsonl")


def test_formats_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "codes.jsonl"
    path.write_bytes(jsonl({}).encode() + '{"format": "framing-judgement/1", "note": "Überwachung"}'.encode("cp1252"))
    with pytest.raises(AnnotationFileError, match=r"codes.jsonl, byte \d+: not UTF-8"):
        import_annotations(path)


def test_formats_review_warnings_for_questionable_but_readable_judgements():
    text = jsonl({"frames": ["trust"]}, {"frames": ["trust"], "relevant": False, "coder": "ben"},
                 {"dominant": "patchwork", "coder": "carl"}, {"frames": ["patchwork"]})
    result = loads_annotations(text, frame_ids=FRAMES)
    assert len(result.judgements) == 4 and result.unknown_frames == ()
    assert "unit 'a1' has more than one judgement by coder 'anna'" in result.warnings
    assert any("coder 'ben': marked not relevant but has frames trust" in w for w in result.warnings)
    assert any("coder 'carl': dominant frame 'patchwork' is not among" in w for w in result.warnings)


def test_formats_export_errors_are_clear(tmp_path):
    with pytest.raises(FramingError, match="unknown annotation format 'labelstudio'.*did you mean 'label-studio'"):
        export_annotations(JUDGEMENTS, UNITS, tmp_path / "x.json", "labelstudio")
    with pytest.raises(FramingError, match=r"no text was given for 1 unit\(s\): c9"):
        export_annotations([Judgement("c9", "anna")], UNITS, tmp_path / "x.json", "label-studio")
    with pytest.raises(FramingError, match="judgement 2 has an empty coder id"):
        dumps_annotations([JUDGEMENTS[0], Judgement("a1", " ")], UNITS, "jsonl")
    with pytest.raises(FramingError, match="frame id 'not_relevant' cannot be written to doccano"):
        dumps_annotations([Judgement("a1", "anna", ("not_relevant",))], UNITS, "doccano")
    assert not (tmp_path / "x.json").exists()


def test_formats_label_studio_config_names_match_the_mapping():
    config = label_studio_config(FRAMES, {"trust": "Trust & infrastructure"})
    for name in ('name="frames"', 'name="dominant"', 'name="relevance"', 'name="note"', 'value="$text"'):
        assert name in config
    assert '<Choice value="Trust &amp; infrastructure" alias="trust"/>' in config
    assert config.count('alias="surveillance"') == 2
