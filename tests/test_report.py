"""The report: built from a small crawled study, opened in headless Chromium with the network off."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from framing.runner import run
from framing.study.config import load_pipeline
from framing.study.store import Study

from conftest import page, rss

MINI = Path(__file__).parent / "fixtures" / "mini-codebook.yml"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ATTACK = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'

SURVEILLANCE = ["The social credit system is an Orwellian police state, critics say, with surveillance of every "
                "citizen and a Big Brother who never sleeps. Surveillance cameras watch the streets."]
TRUST = ["The social credit system targets fraud and unpaid debts: defaulters who ignore courts lose access "
         "to trains, and fraudulent firms are named. Fraud cases fell, officials say."]


def paragraphs(core: list[str], n: int) -> list[str]:
    return [f"{core[0]} Paragraph {i} adds detail about the social credit system." for i in range(n)]


def build_study(serve, write_pipeline) -> Path:
    outlets = {"Watchdog Daily": SURVEILLANCE, "Market Ledger": TRUST, "Mixed Review": SURVEILLANCE + TRUST}
    sources = []
    for name, core in outlets.items():
        routes = {}
        for i in range(4):
            text = paragraphs(core[i % len(core):] or core, 3)
            routes[f"/{i}"] = page(f"{name} story {i}", text, date=f"20{16 + i}-05-0{i + 1}")
        if name == "Mixed Review":  # scraped text that tries to run code in the reader's browser
            routes["/4"] = page(f"Evil {ATTACK}", [f"Fraud {ATTACK} and more fraud in the social credit system, "
                                                   "say defaulters and their lawyers in a long statement." * 2])
        site = serve(routes)
        site.routes["/rss"] = rss(site.base_url, list(routes))
        sources.append({"feed": site.base_url + "/rss", "outlet": name})
    # an outlet's stories repeat one core paragraph: near copies by any measure, and the shares below
    # count every story, so near-duplicate clustering is off here (tests/test_near_duplicates.py covers it)
    spec = write_pipeline(sources, codebook=str(MINI), filter={"keywords": ["social credit"]},
                          tag={"min_hits": 1}, report={"title": "Test <b>report</b>"},
                          extract={"near_duplicates": None})
    run(spec)
    return spec.workdir / "report"


def test_report_files_for_every_chart(serve, write_pipeline):
    folder = build_study(serve, write_pipeline)
    charts = ["frame_share_by_outlet", "outlet_frame_heatmap", "frames_over_time", "outlet_map", "coverage_funnel"]
    for name in charts:
        for suffix in (".png", ".svg", ".csv", ".vl.json"):
            assert (folder / f"{name}{suffix}").stat().st_size > 0, name + suffix
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in index and "onerror=\"window" not in index
    assert html.escape("Test <b>report</b>") in index
    share = (folder / "frame_share_by_outlet.csv").read_text().splitlines()
    assert share[0].startswith("outlet,frame,articles,with_frame,share,ci_low,ci_high")
    assert any(line.startswith("Watchdog Daily,surveillance,4,4,1.0") for line in share)


def test_report_opens_offline_in_chromium_with_charts_and_inert_scraped_html(serve, write_pipeline):
    playwright = pytest.importorskip("playwright.sync_api")
    folder = build_study(serve, write_pipeline)
    outside: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context()

        def block(route):
            outside.append(route.request.url)
            route.abort()

        context.route(lambda url: not url.startswith("file://"), block)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.goto((folder / "index.html").as_uri())
        tab.wait_for_function("document.querySelectorAll('.chart svg').length >= 5", timeout=20_000)
        assert tab.locator(".chart svg").count() >= 5
        assert tab.evaluate("window.__pwned") is None
        body = tab.text_content("#examples")
        assert "window.__pwned = 1" in body  # shown as text, not run
        assert tab.locator("#examples img").count() == 0
        assert errors == []
        tab.screenshot(path=str(folder / "screenshot.png"), full_page=False)
        browser.close()
    assert outside == []


def test_report_links_only_http_urls_even_when_a_table_holds_a_script_url(serve, write_pipeline):
    folder = build_study(serve, write_pipeline)
    spec = load_pipeline(folder.parent.parent / "study.yml")
    study = Study(spec.workdir)
    table = study.read_frame("articles")
    table["url"] = table["url"].where(table["outlet"] != "Watchdog Daily", "javascript:window.__pwned=4")
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    study.write_rows("articles", arrow.to_pylist(), arrow.schema)
    run(spec, ["report"], force=True)
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "Watchdog Daily story" in index
    assert 'href="javascript:' not in index.replace(" ", "").lower()
    assert "javascript:window.__pwned=4" in index  # shown as text, so the reader sees where it came from


def test_report_reads_on_a_phone_without_sideways_scrolling(serve, write_pipeline):
    playwright = pytest.importorskip("playwright.sync_api")
    folder = build_study(serve, write_pipeline)
    index = (folder / "index.html").read_text(encoding="utf-8")
    methods = index[index.index('<section id="methods">'):index.index("<script>")]
    assert "((" not in methods and "['" not in methods  # no doubled parentheses, no Python lists
    assert "run on this computer only while" in index  # the demo-style loopback links are said to be dead later
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": 400, "height": 800})
        tab.goto((folder / "index.html").as_uri())
        tab.wait_for_function("document.querySelectorAll('.chart svg').length >= 5", timeout=20_000)
        page_width = tab.evaluate("document.documentElement.scrollWidth")
        widest_chart = tab.evaluate("Math.max(...[...document.querySelectorAll('.chart svg')]"
                                    ".map(s => s.getBoundingClientRect().right))")
        browser.close()
    assert page_width <= 400 and widest_chart <= 400


def test_outlet_map_names_never_cover_each_other_when_outlets_crowd():
    import pandas as pd

    from framing.report.charts import LABEL_SIDES, MAP_HEIGHT, WIDTH, _label_box, _label_sides, _overlap

    coords = pd.DataFrame({"outlet": ["Lattice Policy Review", "Circuit Review", "Rheinisches Wirtschaftsblatt",
                                      "Harbour Business Times", "Ledger & Line", "The Meridian Daily"],
                           "x": [-0.30, -0.15, -0.18, 0.0, -0.6, -0.2], "y": [0.0, 0.0, 0.12, 0.08, 0.6, -0.9]})
    sides = _label_sides(coords, WIDTH, MAP_HEIGHT)
    low_x, high_x, low_y, high_y = coords.x.min(), coords.x.max(), coords.y.min(), coords.y.max()
    boxes = []
    for (name, x, y), side in zip(coords.itertuples(index=False), sides, strict=True):
        px = 70 + (x - low_x) / (high_x - low_x) * (WIDTH - 140)
        py = 30 + (1 - (y - low_y) / (high_y - low_y)) * (MAP_HEIGHT - 60)
        boxes.append(_label_box(px, py, len(name) * 6.8, *LABEL_SIDES[side]))
    assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert len(set(sides)) > 1  # crowding moved some names off the default side
