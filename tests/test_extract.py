"""Extraction: metadata, statuses instead of silent drops, encodings, duplicates linked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from trafilatura.settings import Extractor

from framing.collect.htmltext import declared_language, decode_html
from framing.demo.server import Response
from framing.extract import articles as extract
from framing.extract.articles import Capture, apply_filter, clean_title, detect_language, extract_page
from framing.runner import run
from framing.study.config import Extract, Filter
from framing.study.keywords import keyword_pattern
from framing.study.store import Study

from conftest import article_html, long_text, page, rss

GERMAN = ["Der Überwachungsstaat wächst: Bürger in Rongcheng sammeln Punkte für gutes Verhalten, "
          "heißt es in einem Bericht über das Sozialkreditsystem. „Das ist Kontrolle“, sagt eine Ärztin."] * 4
LANGUAGES = yaml.safe_load((Path(__file__).parent / "fixtures" / "languages.yml").read_text(encoding="utf-8"))


def capture(body: str | bytes, url: str = "http://news.example/a", ctype: str = "text/html; charset=utf-8",
            listed: str | None = None) -> Capture:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return Capture(url=url, outlet="News", body=raw, content_type=ctype, listed_date=listed)


def test_extract_article_metadata_and_site_name_stripped():
    row = extract_page(capture(article_html("Cameras Everywhere", long_text("Cameras"), date="2018-03-02",
                                            site="Test Gazette", author="Ann Example")), Extract())
    assert row["status"] == "ok"
    assert row["title"] == "Cameras Everywhere"
    assert row["author"] == "Ann Example"
    assert row["published"] == dt.date(2018, 3, 2) and row["date_source"] == "page"
    assert row["language"] == "en"
    assert "A reader: nice" not in row["text"]  # comments are not article text
    assert "Cameras The social credit system was discussed" in row["text"]


def test_extract_prefers_listing_date_and_keeps_both():
    row = extract_page(capture(article_html("T", long_text("x"), date="2018-03-02"), listed="2018-03-05"), Extract())
    assert row["published"] == dt.date(2018, 3, 5) and row["date_source"] == "listing"
    assert row["date_extracted"] == dt.date(2018, 3, 2)


def test_extract_legacy_windows_1252_page_keeps_umlauts_and_quotes():
    html = article_html("Überwachung", GERMAN, lang="de", charset="iso-8859-1").replace(
        '<meta charset="iso-8859-1">', '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    body = html.encode("cp1252")
    text, codec, _ = decode_html(body, "text/html")
    assert codec == "cp1252" and "„Das ist Kontrolle“" in text
    row = extract_page(capture(body, ctype="text/html"), Extract())
    assert "Überwachungsstaat wächst" in row["text"] and "Bürger" in row["text"] and "„Das" in row["text"]
    assert row["language"] == "de"


@pytest.mark.parametrize("label", ["gb18030", "gb2312", "GBK"])
def test_extract_gb18030_page_declared_only_in_meta_reads_as_a_browser_reads_it(label):
    # 镕 (rong, as in 朱镕基) is outside GB2312: a page labelled gb2312 that holds it decodes only as browsers do
    chinese = ["国务院印发《社会信用体系建设规划纲要》，朱镕基时代的改革者称之为迟来的制度建设。" * 3,
               "专家表示，失信被执行人名单推动了诚信建设，但各地标准仍不统一。" * 3]
    body = article_html("社会信用", chinese, lang="zh", charset=label).encode("gb18030")
    text, codec, source = decode_html(body, "text/html")
    assert (codec, source) == ("gb18030", "meta charset") and "朱镕基" in text
    row = extract_page(capture(body, ctype="text/html"), Extract(min_chars=50))
    assert "失信被执行人" in row["text"] and row["language"] == "zh"


def test_extract_language_html_lang_that_lies_is_overruled_by_the_text():
    german_as_english = extract_page(capture(article_html("Überwachung", GERMAN, lang="en")), Extract())
    english_as_german = extract_page(capture(article_html("Cameras", long_text("Cameras"), lang="de-DE")), Extract())
    assert (german_as_english["language"], english_as_german["language"]) == ("de", "en")


def test_extract_language_confirmed_html_lang_skips_langid(monkeypatch):
    calls = []
    monkeypatch.setattr(extract.py3langid, "classify", lambda text: calls.append(text) or ("en", 0.0))
    declared = extract_page(capture(article_html("Cameras", long_text("Cameras"), lang="en-GB")), Extract())
    assert declared["language"] == "en" and calls == []
    undeclared = extract_page(capture(article_html("Cameras", long_text("Cameras"), lang="")), Extract())
    assert undeclared["language"] == "en" and len(calls) == 1


@pytest.mark.parametrize("truth", sorted(LANGUAGES))
def test_extract_language_right_whatever_the_page_declares(truth):
    """Close relatives (ca for es, gl for pt, af for nl, lb for de) and unlisted languages too."""
    for declared in [*LANGUAGES, "zh", "xx", None]:
        assert detect_language(LANGUAGES[truth], declared) == truth, f"declared {declared}"


def test_extract_language_declaration_confirmed_for_plain_news_text():
    for language in ("en", "de", "fr", "es", "it", "nl"):
        assert extract.confirms_language(LANGUAGES[language], language), language
    assert not extract.confirms_language("Short text in English.", "en")  # too few words to tell


def test_extract_html_lang_read_from_the_html_element_only():
    assert declared_language("<!DOCTYPE html>\n<HTML LANG=EN-gb class='x'>") == "en"
    assert declared_language('<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr">') == "fr"
    assert declared_language('<html data-lang="en"><body>') is None
    assert declared_language('<html lang=""><body lang="de">') is None
    assert declared_language("<p>no html element</p>") is None


def test_extract_trafilatura_settings_match_bare_extraction_keywords():
    url = "http://news.example/ünïcode"
    for fast, precision in ((False, False), (True, True)):
        ours = extract.trafilatura_options(Extract(fast=fast, favor_precision=precision), url)
        # what bare_extraction(url=url, fast=..., favor_precision=..., include_comments=False,
        # include_tables=True, with_metadata=True) builds
        keywords = Extractor(output_format="python", fast=fast, precision=precision, comments=False, tables=True,
                             with_metadata=True, url=url)
        assert [getattr(ours, k) for k in Extractor.__slots__] == [getattr(keywords, k) for k in Extractor.__slots__]
    first, second = (extract.trafilatura_options(Extract(), f"http://a/{n}") for n in (1, 2))
    assert (first.url, second.url) == ("http://a/1", "http://a/2")  # copies, never the shared template


def test_extract_header_charset_wins_and_undeclared_bytes_are_detected():
    assert decode_html("Grüße".encode(), "text/html; charset=UTF-8")[0] == "Grüße"
    assert decode_html("<p>Grüße aus Köln, schöne Grüße</p>".encode("cp1252"), "text/html")[0].endswith("Grüße</p>")


def test_extract_short_empty_and_paywalled_pages_keep_a_status():
    short = extract_page(capture(article_html("Brief", ["Only one sentence here."])), Extract(min_chars=400))
    assert short["status"] == "too-short" and "min_chars" in short["reason"]
    paywall = article_html("Premium", ["Regulators began asking firms about blacklists."]).replace(
        "</article>", "<div class='paywall'>Subscribe to continue reading.</div></article>")
    assert extract_page(capture(paywall), Extract())["status"] == "paywall-suspected"
    assert extract_page(capture("<html><body></body></html>"), Extract())["status"] == "empty"


def test_extract_filter_language_dates_and_topic():
    topic = keyword_pattern(["social credit", "sozialkredit*"])
    base = {"status": "ok", "title": "t", "language": "en", "published": dt.date(2019, 1, 1),
            "text": "About the social credit system."}
    study_filter = Filter(languages=["en", "de"], since=dt.date(2014, 1, 1))
    assert apply_filter(base, study_filter, topic)["status"] == "ok"
    assert apply_filter({**base, "language": "fr"}, study_filter, topic)["status"] == "wrong-language"
    assert apply_filter({**base, "published": dt.date(2010, 1, 1)}, study_filter, topic)["status"] == "out-of-range"
    assert apply_filter({**base, "text": "Port traffic rose."}, study_filter, topic)["status"] == "off-topic"
    assert topic.search("Das Sozialkreditsystem in China")
    assert not topic.search("credit socially")


def test_clean_title_strips_site_name_only():
    assert clean_title("Headline | The Daily", "The Daily") == "Headline"
    assert clean_title("The Daily - Headline", None, "the daily") == "Headline"
    assert clean_title("Credit - a history | Money", "The Daily") == "Credit - a history | Money"
    assert clean_title("Credit - a history | Money", "Money") == "Credit - a history"


def test_extract_stage_links_syndicated_copies_and_counts_them(serve, write_pipeline):
    wire = long_text("Courts publish defaulter lists", 9)
    sites = [serve({"/wire": page("Wire story", wire, date=f"2018-07-0{i + 1}"), "/own": page(f"Own story {i}")})
             for i in range(3)]
    for site in sites:
        site.routes["/rss"] = rss(site.base_url, ["/wire", "/own"])
    spec = write_pipeline([{"feed": s.base_url + "/rss", "outlet": f"Outlet {i}"} for i, s in enumerate(sites)],
                          filter={"keywords": ["social credit"]})
    run(spec)
    study = Study(spec.workdir)
    rows = study.query("SELECT outlet, status, duplicate_of, article_id FROM articles WHERE url LIKE '%/wire' "
                       "ORDER BY outlet").fetchall()
    assert [r[1] for r in rows] == ["ok", "duplicate", "duplicate"]  # Outlet 0 printed it first (07-01)
    assert {r[2] for r in rows[1:]} == {rows[0][3]}
    once = study.query("SELECT count(DISTINCT coalesce(duplicate_of, article_id)) FROM articles "
                       "WHERE status IN ('ok', 'duplicate')").fetchone()[0]
    per_outlet = study.query("SELECT count(*) FROM articles WHERE status IN ('ok', 'duplicate')").fetchone()[0]
    assert (once, per_outlet) == (4, 6)


def test_extract_stage_skips_when_unchanged_and_workers_agree(serve, write_pipeline):
    site = serve({f"/{i}": page(f"Story {i}") for i in range(6)})
    site.routes["/rss"] = rss(site.base_url, [f"/{i}" for i in range(6)])
    spec = write_pipeline([{"feed": site.base_url + "/rss"}])
    run(spec)
    first = Study(spec.workdir).query("SELECT * FROM articles ORDER BY url").fetchall()
    (again,) = run(spec, ["extract"])
    assert again.skipped
    spec.extract.workers = 2
    (parallel,) = run(spec, ["extract"])
    assert not parallel.skipped
    assert Study(spec.workdir).query("SELECT * FROM articles ORDER BY url").fetchall() == first


def test_extract_reports_undecodable_or_non_article_pages_without_dropping(serve, write_pipeline):
    site = serve({"/junk": Response(body=b"\x00\x01binary"), "/ok": page("Fine")})
    site.routes["/rss"] = rss(site.base_url, ["/junk", "/ok"])
    spec = write_pipeline([{"feed": site.base_url + "/rss"}])
    run(spec)
    statuses = dict(Study(spec.workdir).query("SELECT url, status FROM articles").fetchall())
    assert statuses[site.base_url + "/ok"] == "ok"
    assert statuses[site.base_url + "/junk"] in ("empty", "too-short")


UNDECLARED = {
    "cp1252": "A naïve faith in the café, said the régime's critics, and „Grüße“ from Köln — über alles.",
    "cp1250": "Zażółć gęślą jaźń, łódka może być taka; příliš žlutý kůň úpěl ódy, město věc.",
    "cp1251": "Система социального кредита снова обсуждалась на этой неделе чиновниками и исследователями.",
    "koi8_r": "Система социального кредита снова обсуждалась на этой неделе чиновниками и исследователями.",
    "cp1253": "Το σύστημα κοινωνικής πίστωσης συζητήθηκε ξανά αυτή την εβδομάδα από αξιωματούχους.",
    "cp1256": "ناقش المسؤولون والباحثون نظام الائتمان الاجتماعي مرة أخرى هذا الأسبوع في بكين.",
    "gbk": "社会信用体系本周再次受到官员和研究人员的讨论，地方试点差异很大。",
    "big5": "社會信用體系本週再次受到官員和研究人員的討論，地方試點差異很大。",
}


@pytest.mark.parametrize("codec", list(UNDECLARED))
def test_extract_undeclared_pages_decode_right_and_cp1252_wins_only_for_western_text(codec):
    text = " ".join([UNDECLARED[codec]] * 3)
    decoded = decode_html(f"<html><body><p>{text}</p></body></html>".encode(codec), "text/html")
    assert text in decoded.text, (codec, decoded.encoding)
    assert (decoded.encoding == "cp1252") == (codec == "cp1252") and decoded.source == "detected"
