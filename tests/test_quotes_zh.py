"""Quotations in Chinese news text: the marks, the word orders of attribution, reported speech,
pronouns, terms in marks, and a floor on the demo's Chinese outlets against their manifest."""

from __future__ import annotations

import pytest

from framing.discourse.chinese import ChineseLinker, find_chinese_quotes
from framing.study.codebook import load_codebook


def _said(text: str) -> list[tuple[str, str | None, str | None, bool]]:
    return [(q.text, q.speaker, q.resolved, q.direct) for q in find_chinese_quotes(text).quotes]


def test_speaker_before_or_after_the_marks_and_a_pronoun_that_points_back():
    text = ("中国人民大学法学院教授王磊表示：“信用体系建设任重道远。”“各地的做法差别很大，”他说，"
            "“统一标准是下一步的重点。”")
    assert _said(text) == [("信用体系建设任重道远。", "中国人民大学法学院教授王磊", None, True),
                           ("各地的做法差别很大，", "他", "中国人民大学法学院教授王磊", True),
                           ("统一标准是下一步的重点。", "他", "中国人民大学法学院教授王磊", True)]
    words = "「守信的人得到实惠，这个方向我是拥护的」，市民陈雅琴说。"
    assert _said(words) == [("守信的人得到实惠，这个方向我是拥护的", "市民陈雅琴", None, True)]


def test_reported_speech_ends_where_the_speakers_own_words_begin():
    text = ("法学专家孙立群认为，联合惩戒机制是重要突破，“它让失信成本实实在在地提高了”。"
            "据最高人民法院统计，名单已近900万例。")
    assert _said(text) == [("联合惩戒机制是重要突破", "法学专家孙立群", None, False),
                           ("它让失信成本实实在在地提高了", "法学专家孙立群", None, True),
                           ("名单已近900万例", "最高人民法院", None, False)]


def test_terms_in_marks_are_no_quotations_and_unbalanced_marks_are_recorded():
    assert _said("被称为“老赖”的失信被执行人无法乘坐高铁。") == []
    scan = find_chinese_quotes("他说：“这句话没有结束" + "。" * 5000)
    assert scan.quotes == [] and scan.problems and "unbalanced" in scan.problems[0]


def test_speakers_link_to_actors_by_their_chinese_aliases():
    linker = ChineseLinker(load_codebook("social-credit").actors)
    quotes = find_chinese_quotes("国家发展改革委有关负责人表示，名单主要依据法院判决。"
                                 "中国人民银行征信中心指出，数据库已收录9.7亿人。")
    assert [linker.link(q) for q in quotes.quotes] == ["ndrc", "pboc"]


@pytest.mark.parametrize("text", ["", "今天天气很好。", "“”", "”“"])
def test_text_without_quotations_gives_nothing(text):
    assert _said(text) == []


def test_a_document_speaks_for_the_body_that_issued_it():
    text = "国务院日前印发《社会信用体系建设规划纲要》。纲要明确，到2020年基本建立社会信用基础性法律法规。"
    assert _said(text) == [("到2020年基本建立社会信用基础性法律法规", "纲要", "国务院", False)]


def test_actors_are_named_inside_runs_of_characters_the_longest_alias_first():
    """Chinese has no spaces: 国务院 in 中国国务院 is a mention of the State Council, and 中国人民银行
    is the central bank once, not 人民银行 inside it."""
    from framing.discourse.voices import Voices

    text = "中国国务院发布了规划纲要。新华社记者说：“社会信用体系建设很重要。”中国人民银行征信中心也表示支持。"
    _, mentions = Voices(load_codebook("social-credit").actors).of(
        {"article_id": "a", "outlet": "o", "language": "zh", "text": text})
    assert [(m["actor"], m["name"], text[m["start"]:m["end"]]) for m in mentions] == [
        ("state_council", "国务院", "国务院"), ("xinhua", "新华社", "新华社"), ("pboc", "中国人民银行", "中国人民银行")]


def test_latin_aliases_in_chinese_text_are_words_and_mixed_alias_kinds_load():
    """In Chinese text a Latin alias is matched as a word in any case ("Pence", not the "pence" of
    "Spencer"); an actor with both a plain and a leading-* Chinese alias compiles."""
    from framing.discourse.voices import Voices

    actors = load_codebook("social-credit").actors
    voices = Voices(actors)
    for text, speakers, named in (("Spencer说：“信用体系很重要。”", [None], []),
                                  ("Pence说：“信用体系很重要。”", ["mike_pence"], ["mike_pence"]),
                                  ("《Americs周刊》报道。", [], [])):
        quotes, mentions = voices.of({"article_id": "a", "outlet": "o", "language": "zh", "text": text})
        assert [q["actor"] for q in quotes] == speakers, text
        assert [m["actor"] for m in mentions] == named, text
    mixed = [a.model_copy(update={"aliases": {**a.aliases, "zh": ["国务院", "*办公厅"]}}) if a.id == "state_council"
             else a for a in actors]
    article = {"article_id": "a", "outlet": "o", "language": "zh", "text": "国务院说，国务院办公厅发布"}
    _, mentions = Voices(mixed).of(article)
    assert [m["name"] for m in mentions if m["actor"] == "state_council"] == ["国务院", "国务院办公厅"]
