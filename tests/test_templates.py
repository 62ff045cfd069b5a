"""The founding case's study templates (pipelines/social-credit-*.yml): valid, polite, on topic.

Configuration only: nothing is fetched (CI has no internet).
"""

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from framing.study.config import WAYBACK_HOST, load_pipeline
from framing.study.keywords import keyword_pattern

ROOT = Path(__file__).parents[1]
TEMPLATES = sorted((ROOT / "pipelines").glob("social-credit-*.yml"))
OUTLINE = dt.date(2014, 6, 14)  # the State Council's planning outline
NEWS_FLOOR_S, ARCHIVE_FLOOR_S = 2.0, 4.0

# per language: a sentence the topic filter must keep and one it must drop
SAMPLES = {
    "en": ("Beijing expanded its social credit system to blacklist debtors.",
           "The central bank kept its credit rating outlook unchanged."),
    "de": ("Das chinesische Sozialkreditsystem bewertet Bürger und Firmen.",
           "Die Bank vergibt günstige Kredite an soziale Einrichtungen."),
    "zh": ("国务院印发《社会信用体系建设规划纲要》。",
           "今天北京天气晴朗，气温回升。"),
}


def language(path: Path) -> str:
    return path.stem.removeprefix("social-credit-")


def test_templates_there_is_one_per_language_of_the_founding_case():
    assert sorted(language(p) for p in TEMPLATES) == ["de", "en", "zh"]


@pytest.fixture(params=TEMPLATES, ids=language)
def template(request):
    return request.param, load_pipeline(request.param)


def test_templates_load_with_the_codebook_dates_and_language(template):
    path, spec = template
    assert spec.codebook == "social-credit"
    assert spec.filter.since == OUTLINE
    assert spec.filter.languages == [language(path)]
    assert spec.tag.method == "rules" and spec.aggregate.period == "year"


def test_templates_keywords_keep_a_sentence_on_the_topic_and_drop_one_off_it(template):
    path, spec = template
    on_topic, off_topic = SAMPLES[language(path)]
    pattern = keyword_pattern(spec.filter.keywords)
    assert pattern.search(on_topic), on_topic
    assert not pattern.search(off_topic), off_topic


def test_templates_are_polite_to_news_sites_and_to_the_archive(template):
    _, spec = template
    assert spec.collect.per_host_delay_s >= NEWS_FLOOR_S
    user_agent = spec.collect.user_agent
    assert "contact" in user_agent and re.search(r"YOUR-EMAIL@", user_agent), "a contact the scholar must fill in"
    for source in spec.sources:
        if source.kind == "cdx":
            assert urlsplit(source.cdx).hostname == WAYBACK_HOST  # Wayback only: Common Crawl's index differs
            assert max(source.archive_delay_s, spec.collect.per_host_delay_s) >= ARCHIVE_FLOOR_S
            assert source.since == OUTLINE, source.label


def test_templates_backfill_every_outlet_that_has_a_feed_or_sitemap(template):
    _, spec = template
    listed = {s.outlet for s in spec.sources if s.kind in ("feed", "sitemap")}
    archived = {s.outlet for s in spec.sources if s.kind == "cdx"}
    assert listed, "no feed or sitemap"
    assert listed <= archived, f"no cdx source for {sorted(listed - archived)}"


def test_templates_name_every_outlet_once_and_distinctly():
    seen: dict[str, str] = {}
    for path in TEMPLATES:
        spec = load_pipeline(path)
        assert all(s.outlet for s in spec.sources), f"{path.name}: a source without an outlet name"
        names = {s.outlet for s in spec.sources}
        assert len(names) >= 3, path.name
        for name in names:
            key = re.sub(r"\W+", "", name).casefold()  # "BBC News" and "BBC-news" would be one outlet twice
            assert key not in seen or seen[key] == f"{path.name}:{name}", f"{name!r} clashes with {seen.get(key)}"
            seen[key] = f"{path.name}:{name}"


def test_templates_readme_section_names_each_template():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Run a real study\n(.*?)(?=^## )", readme, re.MULTILINE | re.DOTALL)
    assert match, "README has no section 'Run a real study'"
    for path in TEMPLATES:
        assert f"pipelines/{path.name}" in match.group(1), path.name
