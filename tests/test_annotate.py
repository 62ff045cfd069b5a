"""Coding assignments, the coding database, the app's API (on a real loopback server) and gold labels."""

from __future__ import annotations

import itertools
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from test_cli import framing

from framing.annotate.project import annotation_db, new_assignment, write_gold
from framing.annotate.sample import allocate, assign, draw_sample
from framing.errors import FramingError


def test_allocation_is_proportional_and_respects_small_strata():
    assert allocate({"a": 50, "b": 30, "c": 2, "d": 0}, 40) == {"a": 24, "b": 15, "c": 1, "d": 0}
    # a stratum smaller than its share gives the rest to the others
    assert allocate({"big": 100, "tiny": 1}, 10) == {"big": 9, "tiny": 1}
    assert allocate({"x": 3, "y": 4}, 50) == {"x": 3, "y": 4}
    assert sum(allocate({str(i): i + 1 for i in range(9)}, 17).values()) == 17


def test_sample_is_stratified_and_reproducible_with_a_seed():
    units = pd.DataFrame({"unit_id": [f"u{i:03d}" for i in range(200)],
                          "outlet": ["A"] * 100 + ["B"] * 60 + ["C"] * 40,
                          "published": ["2020-01-01"] * 200})
    first = draw_sample(units, 50, ["outlet"], seed=7)
    assert first["stratum"].value_counts().to_dict() == {"A": 25, "B": 15, "C": 10}
    assert first["unit_id"].tolist() == draw_sample(units, 50, ["outlet"], seed=7)["unit_id"].tolist()
    assert set(first["unit_id"]) != set(draw_sample(units, 50, ["outlet"], seed=8)["unit_id"])
    by_year = draw_sample(units.assign(published=["2019-05-01", "2021-05-01"] * 100), 20, ["outlet", "year"], 1)
    assert set(by_year["stratum"]) == {f"{o} / {y}" for o in "ABC" for y in (2019, 2021)}


def test_overlap_units_are_double_coded_by_every_pair_and_loads_balance():
    ids = [f"u{i}" for i in range(60)]
    queues = assign(ids, ["ana", "ben", "chen"], overlap=0.3, per_unit=2, seed=3)
    coders_of = Counter(u for q in queues.values() for u in q)
    assert sum(c >= 2 for c in coders_of.values()) == 18          # 30% of 60
    assert sum(c == 1 for c in coders_of.values()) == 42
    assert set(coders_of) == set(ids)                              # nothing dropped
    loads = [len(q) for q in queues.values()]
    assert max(loads) - min(loads) <= 1
    for a, b in itertools.combinations(queues, 2):                 # every pair shares units: kappa per pair
        assert len(set(queues[a]) & set(queues[b])) == 6
    assert queues == assign(ids, ["ana", "ben", "chen"], overlap=0.3, per_unit=2, seed=3)
    with pytest.raises(FramingError, match="at least two coders"):
        assign(ids, ["ana"], overlap=0.2, per_unit=2, seed=1)


def test_new_assignment_stores_queues_and_never_redraws_a_unit(coding_study):
    first = new_assignment(coding_study, 12, ["ana", "ben"], overlap=0.5, reviewers=["rita"])
    assert first.units == 12 and first.double_coded == 6
    assert first.strata == {"Daily A": 3, "Review B": 3, "Times C": 3, "Zeitung D": 3}
    second = new_assignment(coding_study, 20, ["ana", "ben", "chen"], overlap=0)
    assert second.units == 12                                      # only 12 left of 24
    db = annotation_db(coding_study)
    assert len(db.units()) == 24 and len({u.unit_id for u in db.units()}) == 24
    assert {c.name: c.role for c in db.coders()} == {"ana": "coder", "ben": "coder", "chen": "coder",
                                                     "rita": "reviewer"}
    assert len({c.token for c in db.coders()}) == 4
    with pytest.raises(FramingError, match="no units left"):
        new_assignment(coding_study, 5, ["ana"], overlap=0)
    with pytest.raises(FramingError, match="gold"):
        new_assignment(coding_study, 5, ["ana"], training=True)


def test_cli_annotate_new_status_and_links(coding_study):
    result = framing("annotate", "new", str(coding_study.path), "--n", "8", "--coders", "ana,ben", "--overlap",
                     "0.25", "--reviewer", "rita")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 units, 2 double-coded" in result.stdout and "annotation.sqlite" in result.stdout
    links = framing("annotate", "links", str(coding_study.path))
    tokens = {c.name: c.token for c in annotation_db(coding_study).coders()}
    assert f"/code/{tokens['ana']}" in links.stdout and f"/review/{tokens['rita']}" in links.stdout
    status = framing("annotate", "status", str(coding_study.path))
    assert "ana" in status.stdout and "complete judgements: 0" in status.stdout
    bad = framing("annotate", "new", str(coding_study.path), "--n", "4", "--coders", "gold")
    assert bad.returncode == 1 and "reserved" in bad.stdout


@pytest.fixture
def coded(coding_study, coding_server):
    new_assignment(coding_study, 8, ["ana", "ben"], overlap=1.0, reviewers=["rita"], seed=5)
    tokens = {c.name: c.token for c in annotation_db(coding_study).coders()}
    return coding_study, coding_server(coding_study), tokens


def label(frames, dominant=None, relevant=True, note="", complete=True):
    return {"frames": frames, "dominant": dominant, "relevant": relevant, "note": note, "complete": complete}


def test_api_is_blind_each_coder_sees_only_their_own_queue_and_labels(coded):
    spec, base, tokens = coded
    ana = httpx.Client(base_url=f"{base}/api/{tokens['ana']}")
    ben = httpx.Client(base_url=f"{base}/api/{tokens['ben']}")
    queue = ana.get("/state").json()["queue"]
    unit = queue[0]["unit_id"]
    assert ana.put(f"/units/{unit}", json=label(["surveillance"], "surveillance", note="ana's note")).status_code == 200
    seen_by_ben = ben.get(f"/units/{unit}").json()
    assert seen_by_ben["judgement"] is None                      # ben never sees ana's label
    assert "ana" not in str(seen_by_ben)
    assert "outlet" not in seen_by_ben and seen_by_ben["url"] == ""   # outlet hidden by default
    assert "highlights" not in seen_by_ben                            # rule hits would bias coders
    assert ana.get(f"/units/{unit}").json()["judgement"]["note"] == "ana's note"
    assert httpx.get(f"{base}/api/not-a-token/state").status_code == 404
    assert httpx.get(f"{base}/api/{tokens['ana']}/review").status_code == 404   # coders cannot review
    new_assignment(spec, 4, ["chen"], overlap=0)
    chens = annotation_db(spec).queue("chen")[0]["unit_id"]
    assert ana.get(f"/units/{chens}").status_code == 404                 # not in ana's queue
    assert ana.put(f"/units/{chens}", json=label(["surveillance"])).status_code == 404


def test_api_rejects_bad_labels_with_reasons_and_counts_revisions(coded):
    _, base, tokens = coded
    ana = httpx.Client(base_url=f"{base}/api/{tokens['ana']}")
    unit = ana.get("/state").json()["queue"][0]["unit_id"]
    bad = ana.put(f"/units/{unit}", json=label(["no_such_frame"]))
    assert bad.status_code == 422 and "unknown frames" in bad.text
    bad = ana.put(f"/units/{unit}", json=label(["surveillance"], dominant="popular_approval"))
    assert bad.status_code == 422 and "must also be marked present" in bad.text
    revisions = [ana.put(f"/units/{unit}", json=label(["surveillance"], complete=False)).json()["revision"]
                 for _ in range(3)]
    assert revisions == [1, 2, 3]
    # not relevant clears frames, whatever the form still held
    ana.put(f"/units/{unit}", json=label(["surveillance"], "surveillance", relevant=False))
    saved = ana.get(f"/units/{unit}").json()["judgement"]
    assert saved["relevant"] is False and saved["frames"] == [] and saved["dominant"] is None
    assert saved["codebook"] == "social-credit" and saved["codebook_version"] >= 1


def test_concurrent_coders_lose_nothing(coding_study, coding_server):
    coders = [f"c{i}" for i in range(8)]
    new_assignment(coding_study, 24, coders, overlap=1.0, per_unit=8, seed=2)   # everyone codes everything
    base = coding_server(coding_study)
    tokens = {c.name: c.token for c in annotation_db(coding_study).coders()}

    def code_all(coder: str) -> int:
        with httpx.Client(base_url=f"{base}/api/{tokens[coder]}", timeout=30) as client:
            queue = client.get("/state").json()["queue"]
            for item in queue:
                frames = ["surveillance"] if (int(coder[1:]) + len(item["unit_id"])) % 2 else ["popular_approval"]
                client.put(f"/units/{item['unit_id']}", json=label(frames, complete=False)).raise_for_status()
                client.put(f"/units/{item['unit_id']}", json=label(frames, note=coder)).raise_for_status()
            return len(queue)

    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(code_all, coders)) == 8 * 24
    db = annotation_db(coding_study)
    judgements = db.judgements()
    assert len(judgements) == 8 * 24
    assert all(j.note == j.coder for j in judgements)             # nobody's label overwrote another's
    assert db.counts()["saves logged"] == 2 * 8 * 24


def test_gold_table_adjudicated_unanimous_and_open_units(coded):
    spec, base, tokens = coded
    ana = httpx.Client(base_url=f"{base}/api/{tokens['ana']}")
    ben = httpx.Client(base_url=f"{base}/api/{tokens['ben']}")
    units = [q["unit_id"] for q in ana.get("/state").json()["queue"]]
    agree, differ, half = units[0], units[1], units[2]
    for client in (ana, ben):
        client.put(f"/units/{agree}", json=label(["surveillance", "trust_infrastructure"], "surveillance"))
    ana.put(f"/units/{differ}", json=label(["surveillance"], "surveillance"))
    ben.put(f"/units/{differ}", json=label(["popular_approval"], "popular_approval"))
    ana.put(f"/units/{half}", json=label(["western_scoring"]))
    ben.put(f"/units/{half}", json=label(["western_scoring"], complete=False))     # a draft is not a label

    review = httpx.Client(base_url=f"{base}/api/{tokens['rita']}")
    rows = {r["unit_id"]: r["status"] for r in review.get("/review").json()["units"]}
    assert rows[agree] == "unanimous" and rows[differ] == "disagreement" and rows[half] == "incomplete"
    side_by_side = review.get(f"/review/{differ}").json()
    assert {(lab["coder"], tuple(lab["frames"])) for lab in side_by_side["labels"]} == {
        ("ana", ("surveillance",)), ("ben", ("popular_approval",))}
    answer = review.put(f"/review/{differ}", json=label(["popular_approval", "surveillance"], "popular_approval",
                                                        note="both present")).json()
    assert answer["gold_units"] == 2 and answer["open"] == {"needs adjudication": 0, "incomplete": 6}

    gold = pq.read_table(spec.workdir / "tables" / "gold.parquet").to_pandas().set_index("unit_id")
    assert set(gold.index) == {agree, differ}
    assert list(gold.loc[agree, "frames"]) == ["surveillance", "trust_infrastructure"]
    assert gold.loc[agree, "source"] == "unanimous" and gold.loc[differ, "source"] == "adjudicated"
    assert gold.loc[differ, "decided_by"] == "rita" and gold.loc[differ, "dominant"] == "popular_approval"
    assert gold.loc[differ, "text"]                                   # later stages train on it
    path, count, _ = write_gold(spec)
    assert count == 2 and (spec.workdir / "tables" / "gold.csv").is_file()


def test_training_round_answer_keys_and_feedback(coding_study, coding_server, tmp_path):
    gold_file = tmp_path / "key.csv"
    pd.DataFrame({"url": ["https://dailya.example/4", "https://reviewb.example/5"],
                  "frames": ["surveillance western_scoring", "popular_approval"],
                  "dominant": ["surveillance", "popular_approval"]}).to_csv(gold_file, index=False)
    spec = coding_study.model_copy(update={"gold": str(gold_file)})
    result = new_assignment(spec, 10, ["ana", "ben"], training=True)
    assert result.units == 2 and result.per_coder == {"ana": 2, "ben": 2}   # everyone codes the whole set
    base = coding_server(spec)
    token = {c.name: c.token for c in annotation_db(spec).coders()}["ana"]
    ana = httpx.Client(base_url=f"{base}/api/{token}")
    unit = next(q["unit_id"] for q in ana.get("/state").json()["queue"] if q["unit_id"] == "a04")
    assert "feedback" not in ana.get(f"/units/{unit}").json()          # no answer before submitting
    assert ana.get(f"/units/{unit}").json()["highlights"]                # training rounds show rule evidence
    feedback = ana.put(f"/units/{unit}", json=label(["surveillance", "trust_infrastructure"],
                                                    "surveillance")).json()["feedback"]
    assert {(d["frame"], d["yours"], d["key"]) for d in feedback["differences"]} == {
        ("trust_infrastructure", True, False), ("western_scoring", False, True)}
    assert all(d["why"] for d in feedback["differences"]) and feedback["dominant_matches"]


def test_public_server_lists_no_links(coded, coding_server):
    spec, base, tokens = coded
    assert tokens["ana"] in httpx.get(base + "/").text                 # loopback: the teacher's index
    public = coding_server(spec, public=True)
    page = httpx.get(public + "/")
    assert page.status_code == 200 and tokens["ana"] not in page.text and "personal link" in page.text
    coding_page = httpx.get(f"{public}/code/{tokens['ana']}")
    assert coding_page.status_code == 200
    assert "script-src 'self'" in coding_page.headers["content-security-policy"]
    assert coding_page.headers["referrer-policy"] == "no-referrer"


def test_app_answers_only_its_own_host_names_and_never_lists_links_to_others(coded):
    spec, base, tokens = coded
    rebinding = httpx.get(base + "/", headers={"Host": "evil.example"})
    assert rebinding.status_code == 400 and tokens["ana"] not in rebinding.text
    assert httpx.get(f"{base}/api/{tokens['ana']}/state", headers={"Host": "evil.example:80"}).status_code == 400
    assert tokens["ana"] in httpx.get(base + "/", headers={"Host": "localhost"}).text


def test_app_refuses_large_bodies_before_parsing_them(coded):
    spec, base, tokens = coded
    huge = b'{"note": "' + b"x" * 5_000_000 + b'"}'
    declared = httpx.put(f"{base}/api/nobody/units/u1", content=huge, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413
    chunked = httpx.put(f"{base}/api/nobody/units/u1", content=iter([huge[:40_000], huge[40_000:80_000]]),
                        headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413
    small = httpx.put(f"{base}/api/nobody/units/u1", json={"note": "hi"})
    assert small.status_code == 404  # a normal body gets as far as the token check


def test_serving_addresses_for_a_classroom_and_behind_a_proxy():
    from framing.annotate.serving import allowed_hosts, base_url, machine_address

    assert base_url("0.0.0.0", 8765) == f"http://{machine_address()}:8765"
    assert "0.0.0.0" not in base_url("0.0.0.0", 8765)
    hosts = allowed_hosts("0.0.0.0", "https://coding.example.edu/app", ["lab-pc"])
    assert {"127.0.0.1", machine_address(), "coding.example.edu", "lab-pc"} <= set(hosts)
    assert "evil.example" not in hosts


def test_agree_export_and_import_from_the_command_line(coding_study, write_pipeline, tmp_path):
    from framing.annotate.judgement import Judgement

    new_assignment(coding_study, 12, ["ana", "ben", "chen"], overlap=1.0, per_unit=3, seed=4)
    db = annotation_db(coding_study)
    for unit in db.units():
        number = int(unit.unit_id[1:])
        for coder in ("ana", "ben", "chen"):
            frames = ("surveillance",) if number % 2 else ("popular_approval",)
            if coder == "chen" and number % 4 == 0:      # chen disagrees on a quarter of the units
                frames = ("trust_infrastructure",)
            db.save(Judgement(unit=unit.unit_id, coder=coder, frames=frames, dominant=frames[0],
                              codebook="social-credit", codebook_version=1), complete=True)
    result = framing("agree", str(coding_study.path), "--boot", "200")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Krippendorff" in result.stdout and "Cohen" in result.stdout
    # nobody ever coded western_scoring: that is no disagreement to retrain for, it is not estimable
    below = next((line for line in result.stdout.splitlines() if line.startswith("Below alpha")), "")
    assert "western_scoring" not in below
    assert "Not estimable (no variation" in result.stdout and "western_scoring" in result.stdout
    assert result.stdout.count("unit(s) judged by one coder only") <= 1
    per_variable = pd.read_csv(coding_study.workdir / "tables" / "agreement_per_variable.csv")
    dominant = per_variable.set_index("variable").loc["dominant"]
    assert dominant["units"] == 12 and 0 < dominant["alpha"] < 1

    exported = tmp_path / "labels.jsonl"
    assert framing("annotate", "export", str(coding_study.path), str(exported)).returncode == 0
    other = write_pipeline([{"feed": "http://127.0.0.1:9/feed.rss"}], name="other.yml", workdir="other",
                           codebook="social-credit")
    imported = framing("annotate", "import", str(other.path), str(exported))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "36 judgements" in imported.stdout and "12 units added" in imported.stdout
    mine = {(j.unit, j.coder, j.frames) for j in annotation_db(coding_study).judgements()}
    theirs = {(j.unit, j.coder, j.frames) for j in annotation_db(other).judgements()}
    assert mine == theirs
    assert {u.text for u in annotation_db(other).units()} == {u.text for u in db.units()}


def test_sentence_codebooks_make_sentences_the_units(coding_study, tmp_path):
    import yaml

    from framing.study.codebook import resolve

    book = yaml.safe_load(resolve("social-credit").read_text(encoding="utf-8"))
    book["unit"] = "sentence"
    path = tmp_path / "sentences.yml"
    path.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    spec = coding_study.model_copy(update={"codebook": str(path)})
    new_assignment(spec, 10, ["ana"], overlap=0, seed=3)
    units = annotation_db(spec).units()
    assert len(units) == 10 and all("#" in u.unit_id and u.sentence is not None for u in units)
    article = {a.article_id: a for a in units}
    for unit in units:
        assert unit.text.strip() and unit.text.count(". ") <= 1      # one sentence, not the article
        assert unit.unit_id == f"{unit.article_id}#{unit.sentence}"
    assert len(article) >= 4                                          # drawn across articles and outlets


def test_uncertainty_prefers_doubtful_calls_on_rare_frames_and_batches_stay_balanced():
    from framing.annotate.sample import most_uncertain, uncertainty

    thresholds = np.array([0.5, 0.3])
    prevalence = np.array([0.6, 0.05])                 # frame 0 common, frame 1 rare
    proba = np.array([[0.98, 0.01],                    # sure of both
                      [0.50, 0.01],                    # on the threshold of the common frame
                      [0.95, 0.30],                    # on the threshold of the rare frame
                      [0.70, 0.20]])                   # fairly unsure of both
    scores = uncertainty(proba, thresholds, prevalence)
    assert list(np.argsort(-scores)) == [2, 3, 1, 0]     # 3 is fairly unsure of the rare frame
    assert scores[2] == pytest.approx(1.0) and scores[1] == pytest.approx(0.5) and scores[3] == pytest.approx(2 / 3)

    candidates = pd.DataFrame({"unit_id": [f"u{i:02d}" for i in range(30)],
                               "outlet": ["A"] * 20 + ["B"] * 10,
                               "score": [0.9] * 20 + [0.1] * 10})
    batch = most_uncertain(candidates, 6, ["outlet"])
    assert batch["stratum"].value_counts().to_dict() == {"A": 4, "B": 2}   # B's easy cases still get a share
    assert list(batch["unit_id"]) == sorted(batch["unit_id"][batch["stratum"] == "A"]) + ["u20", "u21"]


def test_counts_read_as_words_in_the_commands_messages():
    from framing.cli.annotate import _count
    from framing.report.charts import _columns

    assert [_count(n, "needs adjudication") for n in (1, 3)] == ["1 needs adjudication", "3 need adjudication"]
    assert _count(2, "incomplete") == "2 incomplete"
    assert {n: _columns(n) for n in (2, 3, 4, 6, 8, 9)} == {2: 2, 3: 3, 4: 2, 6: 2, 8: 2, 9: 3}  # no empty panel
