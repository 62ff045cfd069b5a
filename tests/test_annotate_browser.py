"""End to end in headless Chromium: two coders code with the keyboard, one closes the tab mid-item and
comes back, a reviewer adjudicates; the gold table and the agreement figures come out right."""

from __future__ import annotations

import re
import shutil

import krippendorff
import numpy as np
import pyarrow.parquet as pq
import pytest

from framing.annotate.agreement import compute_agreement
from framing.annotate.project import annotation_db, coder_judgements, new_assignment
from framing.study.codebook import load_codebook

from conftest import ATTACK_TITLE

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FRAMES = load_codebook("social-credit").frame_ids   # key 1 = FRAMES[0], ...


def plan(unit_id: str, coder: str) -> list[int]:
    """The frames (as 1-based keys) a coder gives a unit; the first one is dominant.

    Both coders agree except on units whose number is divisible by 3, where ben sees tech solutionism.
    """
    number = int(unit_id[1:])
    keys = [1 + number % 5] + ([6] if number % 2 else [])
    if coder == "ben" and number % 3 == 0:
        keys = [7]
    return keys


def wait_saved(page) -> None:
    # locator assertions, not wait_for_function: the app's CSP (rightly) forbids evaluating strings
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^saved"))


def wait_text(page, selector: str, pattern: str) -> None:
    expect(page.locator(selector)).to_have_text(re.compile(pattern))


def code_unit(page, keys: list[int]) -> None:
    """Toggle the frames with digit keys, set the dominant with Shift+digit, Enter to save and move on."""
    for key in keys:
        page.keyboard.press(f"Digit{key}")
    page.keyboard.press(f"Shift+Digit{keys[0]}")
    wait_saved(page)


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield instance
        instance.close()


def test_two_coders_a_closed_tab_and_adjudication_end_to_end(coding_study, coding_server, browser):
    new_assignment(coding_study, 6, ["ana", "ben"], overlap=1.0, reviewers=["rita"], seed=11)
    db = annotation_db(coding_study)
    units = {coder: [q["unit_id"] for q in db.queue(coder)] for coder in ("ana", "ben")}
    assert "a00" in units["ana"]          # the unit whose title and text carry script injections
    tokens = {c.name: c.token for c in db.coders()}
    base = coding_server(coding_study)
    errors: list[str] = []

    def open_page(coder: str):
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/code/{tokens[coder]}")
        page.wait_for_selector("#sentences li")
        return page

    # ana codes all six with the keyboard
    ana = open_page("ana")
    for i, unit_id in enumerate(units["ana"]):
        wait_text(ana, "#unit-meta", rf"{i + 1} of 6$")
        if unit_id == "a00":
            assert ana.inner_text("#unit-title") == ATTACK_TITLE            # shown as text ...
            assert "onerror" in ana.inner_text("#sentences")
            assert ana.evaluate("window.pwned") is None                     # ... and nothing ran
            assert ana.locator("#article img, #article script").count() == 0
        code_unit(ana, plan(unit_id, "ana"))
        ana.keyboard.press("Enter")
        wait_text(ana, "#progress-text", rf"^{i + 1} /")
    expect(ana.locator("#done")).to_be_visible()
    # arrow keys go back: the first unit shows ana's saved frames
    for _ in range(5):
        ana.keyboard.press("ArrowLeft")
    wait_text(ana, "#unit-meta", r"1 of 6$")
    checked = ana.eval_on_selector_all("input[name=present]:checked", "boxes => boxes.map(b => b.value)")
    assert sorted(checked) == sorted(FRAMES[k - 1] for k in plan(units["ana"][0], "ana"))

    # ben codes two, starts the third, closes the tab mid-item, comes back
    ben = open_page("ben")
    for i, unit_id in enumerate(units["ben"][:2]):
        wait_text(ben, "#unit-meta", rf"{i + 1} of 6$")
        code_unit(ben, plan(unit_id, "ben"))
        ben.keyboard.press("Enter")
    wait_text(ben, "#unit-meta", r"3 of 6$")
    third = units["ben"][2]
    first_key = plan(third, "ben")[0]
    ben.keyboard.press(f"Digit{first_key}")
    wait_saved(ben)
    ben.close()
    ben = open_page("ben")
    wait_text(ben, "#unit-meta", r"3 of 6$")                                # back at the unfinished unit
    assert ben.is_checked(f"#present-{FRAMES[first_key - 1]}")              # the click before closing survived
    for key in plan(third, "ben")[1:]:
        ben.keyboard.press(f"Digit{key}")
    ben.keyboard.press(f"Shift+Digit{first_key}")
    wait_saved(ben)
    ben.keyboard.press("Enter")
    for i, unit_id in enumerate(units["ben"][3:], start=3):
        wait_text(ben, "#unit-meta", rf"{i + 1} of 6$")
        code_unit(ben, plan(unit_id, "ben"))
        ben.keyboard.press("Enter")
    wait_text(ben, "#progress-text", r"^6 /")

    # the reviewer sees the disagreements side by side and decides them
    disagreements = sorted(u for u in units["ana"] if plan(u, "ana") != plan(u, "ben"))
    assert disagreements
    rita = browser.new_page(viewport={"width": 1200, "height": 900})
    rita.on("pageerror", lambda e: errors.append(str(e)))
    rita.goto(f"{base}/review/{tokens['rita']}")
    rita.wait_for_selector("#unit-list li")
    listed = rita.eval_on_selector_all("#unit-list button", "bs => bs.map(b => b.dataset.unit)")
    assert sorted(listed) == disagreements
    finals = {}
    for unit_id in disagreements:
        rita.click(f"#unit-list button[data-unit='{unit_id}']")
        expect(rita.locator("#unit-title")).to_have_text(db.unit(unit_id).title)   # this unit, not the last one
        assert rita.locator("#labels td.differs").count() > 0
        # the form starts from the first coder's label; the reviewer settles on both coders' frames
        final = sorted({FRAMES[k - 1] for k in plan(unit_id, "ana") + plan(unit_id, "ben")})
        for frame in FRAMES:
            if rita.is_checked(f"#present-{frame}") != (frame in final):
                rita.click(f"#present-{frame}")
        rita.check(f"#dominant-{FRAMES[plan(unit_id, 'ana')[0] - 1]}")
        rita.click("#save")
        wait_text(rita, "#save-status", r"^final label saved")
        finals[unit_id] = final
    assert errors == []

    gold = pq.read_table(coding_study.workdir / "tables" / "gold.parquet").to_pandas().set_index("unit_id")
    assert sorted(gold.index) == sorted(units["ana"])
    for unit_id in units["ana"]:
        expected = finals.get(unit_id) or sorted(FRAMES[k - 1] for k in plan(unit_id, "ana"))
        assert sorted(gold.loc[unit_id, "frames"]) == expected, unit_id
        assert gold.loc[unit_id, "source"] == ("adjudicated" if unit_id in finals else "unanimous")
        assert gold.loc[unit_id, "dominant"] == FRAMES[plan(unit_id, "ana")[0] - 1]

    # agreement from what the browser stored equals alpha computed straight from the plan
    result = compute_agreement(coder_judgements(db), FRAMES, n_boot=200, seed=1)
    alphas = result.per_variable.set_index("variable")["alpha"]
    for frame_key in (1, 7):
        frame = FRAMES[frame_key - 1]
        matrix = np.array([[float(frame_key in plan(u, c)) for u in units["ana"]] for c in ("ana", "ben")])
        if len(np.unique(matrix)) > 1:
            assert alphas[frame] == pytest.approx(krippendorff.alpha(matrix, level_of_measurement="nominal"),
                                                  abs=1e-9)
    percent = result.per_variable.set_index("variable")["percent_agreement"]
    agreed_dominant = sum(plan(u, "ana")[0] == plan(u, "ben")[0] for u in units["ana"]) / 6
    assert percent["dominant"] == pytest.approx(agreed_dominant)


def test_coding_screen_works_on_a_phone(coding_study, coding_server, browser):
    new_assignment(coding_study, 3, ["ana"], overlap=0, seed=2)
    token = {c.name: c.token for c in annotation_db(coding_study).coders()}["ana"]
    base = coding_server(coding_study)
    phone = browser.new_page(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
    phone.goto(f"{base}/code/{token}")
    phone.wait_for_selector("#sentences li")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390      # nothing wider than the screen
    panel = phone.locator("aside.panel").bounding_box()
    assert panel["y"] + panel["height"] <= 800 + 1                            # the form stays on screen
    phone.tap(f"label[for='present-{FRAMES[1]}']")
    wait_saved(phone)
    phone.locator("#save").scroll_into_view_if_needed()
    phone.tap("#save")
    wait_text(phone, "#progress-text", r"^1 /")
    first = annotation_db(coding_study).queue("ana")[0]["unit_id"]
    judgement, complete = annotation_db(coding_study).judgement("ana", first)
    assert judgement.frames == (FRAMES[1],) and complete


def test_a_note_typed_just_before_moving_on_is_kept_and_untouched_units_are_never_saved(
        coding_study, coding_server, browser):
    new_assignment(coding_study, 4, ["ana"], overlap=0.0, seed=3)
    db = annotation_db(coding_study)
    token = next(c.token for c in db.coders() if c.name == "ana")
    queue = [q["unit_id"] for q in db.queue("ana")]
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{coding_server(coding_study)}/code/{token}")
    wait_text(page, "#unit-meta", r"1 of 4$")
    page.fill("#note", "ironic quote in paragraph 2")   # then "Next" at once, well within the 400 ms
    page.click("#next")
    wait_text(page, "#unit-meta", r"2 of 4$")
    page.fill("#note", "check the dateline")
    page.keyboard.press("Tab")                           # out of the note, then the arrow key at once
    page.keyboard.press("ArrowRight")
    wait_text(page, "#unit-meta", r"3 of 4$")
    page.close()                                          # unit 3 was only looked at
    notes = {}
    for unit_id in queue:
        saved = db.judgement("ana", unit_id)
        notes[unit_id] = saved[0].note if saved else None
    assert notes[queue[0]] == "ironic quote in paragraph 2"
    assert notes[queue[1]] == "check the dateline"
    assert notes[queue[2]] is None and notes[queue[3]] is None   # no empty drafts on untouched units


def test_guidance_is_shown_in_the_units_language_where_the_codebook_has_it(coding_study, coding_server, browser):
    """The social-credit codebook carries Chinese guidance (guidance.zh) for every frame: a coder
    reading a Chinese article gets it, one reading an English article the English."""
    from framing.study.store import Study
    from framing.study.tables import ARTICLE_SCHEMA

    study = Study(coding_study.workdir)
    rows = pq.read_table(study.table("articles")).to_pylist()
    for row in rows[::2]:
        row.update(language="zh", title=f"社会信用体系报道 {row['article_id']}",
                   text="社会信用体系建设再次引发讨论。批评者称其为监控国家。官员表示，黑名单惩罚不履行债务的企业。")
    study.write_rows("articles", rows, ARTICLE_SCHEMA)
    new_assignment(coding_study, 6, ["ana"], overlap=0, seed=5)
    token = {c.name: c.token for c in annotation_db(coding_study).coders()}["ana"]
    languages = [row["language"] for row in rows]
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{coding_server(coding_study)}/code/{token}")
    chinese = load_codebook("social-credit").frames[0].guidance["zh"].description
    seen = set()
    for i, item in enumerate(annotation_db(coding_study).queue("ana")):
        wait_text(page, "#unit-meta", rf"{i + 1} of 6$")
        language = languages[int(item["unit_id"][1:])]
        help = page.locator(f"li.frame[data-frame='{FRAMES[0]}'] details.guidance")
        help.locator("summary").click()
        if language == "zh":
            assert help.locator("summary").inner_text() == "guidance (zh)"
            assert chinese[:20] in help.inner_text()
        else:
            assert help.locator("summary").inner_text() == "guidance"
            assert load_codebook("social-credit").frames[0].description.split()[0] in help.inner_text()
            assert chinese[:20] not in help.inner_text()
        seen.add(language)
        help.locator("summary").click()
        page.keyboard.press("ArrowRight")
    assert {"zh", "en"} <= seen
