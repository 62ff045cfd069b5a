"""The report's validation section and corrected shares, on a tiny study with a real classifier.

The study's articles are written directly (no crawl); the rule tagger tags them; a small
classifier is really trained (for its model card); the validation labels are set by hand so
that one frame agrees well with gold and the other poorly, and the aggregate stage computes the
corrected shares from them.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import framing.report.build
from framing.aggregate.corrected import ALL_OUTLETS
from framing.classify.data import LabelledData
from framing.classify.files import card_paths
from framing.classify.train import save, train
from framing.evaluate.scores import score_table
from framing.report.build import build_report
from framing.report.validation import validation_view
from framing.runner.aggregate import aggregate_study, correct_study
from framing.runner.tag import tag_articles
from framing.study.config import load_pipeline, study_codebook
from framing.study.store import Study
from framing.study.tables import ARTICLE_SCHEMA

MINI = Path(__file__).parent / "fixtures" / "mini-codebook.yml"
TRUST_LABEL = "Trust <b>infrastructure</b> & <script>window.x=1</script>"
SURVEILLANCE = "Critics call the social credit system an Orwellian police state with surveillance of every citizen."
TRUST = "The social credit system names defaulters with unpaid debts, and fraud cases fell, officials say."
NEUTRAL = "The social credit system was discussed by officials this week in a long meeting."


def csv_only(out: Path, figure) -> None:
    """write_figure without PNG and SVG: test_report renders those; here they would cost seconds per chart."""
    figure.data.to_csv(out / f"{figure.name}.csv", index=False)
    (out / f"{figure.name}.vl.json").write_text(json.dumps(figure.chart.to_dict()), encoding="utf-8")


def noop(stage: str, done: int, total: int | None) -> None:
    return None


def write_study(tmp_path: Path, method: str = "rules") -> tuple[Path, Study]:
    """A study folder with 30 articles from 3 outlets and a codebook whose label carries markup."""
    book = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    book["frames"][1]["label"] = TRUST_LABEL
    (tmp_path / "book.yml").write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    spec = {"title": "validated study", "workdir": "study", "codebook": "book.yml",
            "sources": [{"feed": "http://127.0.0.1:9/feed.rss"}], "tag": {"min_hits": 1}}
    path = tmp_path / "study.yml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    texts = [SURVEILLANCE, TRUST, SURVEILLANCE + " " + TRUST, NEUTRAL]
    rows = []
    for i in range(30):
        outlet = ["Watchdog", "Ledger", "Review"][i % 3]
        text = f"{texts[(i + i // 3) % 4]} Story {i} from {outlet} goes on about the social credit system."
        rows.append({"article_id": f"a{i:02d}", "url": f"https://{outlet.lower()}.example/{i}",
                     "canonical_url": None, "outlet": outlet, "title": f"{outlet} story {i}", "author": None,
                     "published": dt.date(2018 + i % 4, 1 + i % 12, 1), "date_source": "page",
                     "date_extracted": None, "date_listed": None, "language": "en", "text": text,
                     "n_chars": len(text), "content_hash": f"h{i}", "status": "ok", "reason": None,
                     "duplicate_of": None, "warc_file": None, "warc_offset": None})
    spec_obj = load_pipeline(path)
    study = Study(spec_obj.workdir)
    study.write_rows("articles", rows, ARTICLE_SCHEMA)
    study.write_frame("urls", pd.DataFrame({"url": [r["url"] for r in rows], "outlet": [r["outlet"] for r in rows],
                                            "kind": "page", "status": "fetched", "redirect_hops": 0}))
    return path, study


def with_method(path: Path, method: str, **tag: object):
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec["tag"] = {"min_hits": 1, "method": method, **tag}
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return load_pipeline(path)


def validation_labels(n: int = 40) -> pd.DataFrame:
    """Out-of-fold labels: surveillance right on 38 of 40 units, trust a near coin flip (alpha well below 0.667)."""
    rng = np.random.default_rng(3)
    gold = {"surveillance": np.arange(n) % 2 == 0, "trust": np.arange(n) % 3 == 0}
    machine = {"surveillance": gold["surveillance"].copy(), "trust": gold["trust"].copy()}
    machine["surveillance"][[1, 2]] ^= True
    flip = rng.choice(n, 14, replace=False)
    machine["trust"][flip] ^= True
    rows = [{"unit": f"g{u}", "frame": f, "gold": int(gold[f][u]), "classifier": int(machine[f][u]),
             "rules": int(gold[f][u]), "ensemble": int(machine[f][u])} for u in range(n) for f in gold]
    return pd.DataFrame(rows)


def scores_from(labels: pd.DataFrame) -> pd.DataFrame:
    frames = ["surveillance", "trust"]
    wide = {m: labels.pivot(index="unit", columns="frame", values=m)[frames].to_numpy()
            for m in ("gold", "classifier", "rules", "ensemble")}
    return pd.concat([score_table(wide["gold"], wide[m], frames).assign(method=m)
                      for m in ("classifier", "rules", "ensemble")], ignore_index=True)


def train_model(spec, study: Study) -> Path:
    """A real (tiny, fast) classifier on the study's texts, saved with its card where model_path finds it."""
    articles = study.query("SELECT article_id, text FROM articles ORDER BY article_id").df()
    labels = pd.DataFrame({"surveillance": articles["text"].str.contains("Orwellian").astype(int),
                           "trust": articles["text"].str.contains("fraud").astype(int)})
    data = LabelledData(articles["text"].tolist(), labels, pd.DataFrame({"unit_id": articles["article_id"]}),
                        {"kind": "gold table", "path": "tables/gold.parquet", "format": "parquet", "units": 30,
                         "rows": 30, "label_format": "0/1 columns"})
    trained = train(data, folds=2, models=("logreg",), Cs=(1.0,), codebook=study_codebook(spec), min_hits=1)
    return save(trained, Path(spec.workdir) / "models" / "frames-test" / "model.skops").model_path


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> tuple[Path, str, dict]:
    """The report of a classifier study with validation tables and coders' agreement."""
    tmp = tmp_path_factory.mktemp("validated")
    path, study = write_study(tmp)
    rules = load_pipeline(path)
    tag_articles(rules, study, noop)
    spec = with_method(path, "classifier")
    model = train_model(spec, study)
    labels = validation_labels()
    study.write_frame("validation_labels", labels)
    study.write_frame("validation_scores", scores_from(labels))
    study.write_frame("agreement_per_variable", pd.DataFrame(
        {"variable": ["surveillance", "trust", "relevant"], "kind": ["frame", "frame", "relevance"],
         "alpha": [0.81, 0.58, 0.9]}))
    summary = aggregate_study(spec, study)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(framing.report.build, "write_figure", csv_only)
        build_report(spec, study, noop)
    return study.workdir / "report", str(model), summary


def test_aggregate_corrects_shares_from_the_methods_out_of_fold_labels(validated):
    folder, _, summary = validated
    study = Study(folder.parent)
    table = pd.read_parquet(study.table("prevalence_corrected"))
    assert "corrected with the classifier's out-of-fold labels on 40 gold units" in summary["corrected_prevalence"]
    assert set(table["outlet"]) == {"Watchdog", "Ledger", "Review", ALL_OUTLETS}
    raw = pd.read_parquet(study.table("prevalence_by_outlet")).set_index(["outlet", "frame"])["share"]
    for row in table[table["outlet"] != ALL_OUTLETS].itertuples():
        assert row.raw_share == pytest.approx(raw[(row.outlet, row.frame)])  # the same units as the raw table
    whole = table[(table["outlet"] == ALL_OUTLETS) & (table["frame"] == "surveillance")].iloc[0]
    labels = validation_labels()
    check = labels[labels["frame"] == "surveillance"]
    tpr = (check["classifier"] & check["gold"]).sum() / check["gold"].sum()
    fpr = (check["classifier"] & ~check["gold"].astype(bool)).sum() / (1 - check["gold"]).sum()
    assert (whole.tpr, whole.fpr) == (pytest.approx(tpr), pytest.approx(fpr))
    expected = np.clip((whole.raw_share - fpr) / (tpr - fpr), 0, 1)
    assert whole.corrected_share == pytest.approx(expected)
    assert whole.ci_low <= whole.corrected_share <= whole.ci_high
    assert (study.tables / "prevalence_corrected.csv").is_file()


def test_report_states_the_method_and_the_model_card(validated):
    folder, model, _ = validated
    page = (folder / "index.html").read_text(encoding="utf-8")
    methods = page[page.index('id="methods"'):]
    assert "Tagging method." in methods and "A trained classifier: one-vs-rest logistic regression" in methods
    assert html.escape(model) in methods and "C = 1.0" in methods
    assert "Training data: 30 units from gold table" in methods
    assert "Decoding:" in methods and "thresholds" in methods
    assert card_paths(model)[0].is_file()


def test_validation_table_numbers_flags_and_csv(validated):
    folder, _, _ = validated
    page = (folder / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="validation"'):page.index('id="examples"')]
    table = pd.read_csv(folder / "validation.csv")
    scores = scores_from(validation_labels()).set_index(["method", "frame"])
    for method in ("classifier", "rules", "ensemble"):
        row = table.set_index("frame").loc["trust"]
        assert row[f"{method}_alpha"] == pytest.approx(round(scores.loc[(method, "trust"), "alpha"], 2))
    trust = table.set_index("frame").loc["trust"]
    surveillance = table.set_index("frame").loc["surveillance"]
    assert trust["classifier_alpha"] < 0.667 < surveillance["classifier_alpha"]
    assert bool(trust["flagged"]) and not bool(surveillance["flagged"])
    assert trust["coders_alpha"] == 0.58
    assert f'{trust["classifier_f1"]:.2f}' in section and f'{surveillance["classifier_precision"]:.2f}' in section
    escaped = html.escape(TRUST_LABEL, quote=False)
    flagged_row = section[section.index('data-frame="trust"'):]
    flagged_row = flagged_row[:flagged_row.index("</tr>")]
    assert "⚠ too weak to report" in flagged_row and escaped in flagged_row
    ok_row = section[section.index('data-frame="surveillance"'):]
    assert "too weak" not in ok_row[:ok_row.index("</tr>")]
    assert "agree with human coders too weakly to report" in section
    assert "Total surveillance” agree" not in section


def test_corrected_shares_beside_raw_in_page_and_csv(validated):
    folder, _, _ = validated
    page = (folder / "index.html").read_text(encoding="utf-8")
    csv = pd.read_csv(folder / "frame_share_corrected.csv")
    assert {"raw_share", "corrected_share", "ci_low", "ci_high", "outlet", "frame_label"} <= set(csv.columns)
    row = csv[(csv["outlet"] == "Watchdog") & (csv["frame"] == "surveillance")].iloc[0]
    table = page[page.index('id="corrected-table"'):]
    table = table[:table.index("</table>")]
    line = next(tr for tr in table.split("<tr>") if tr.startswith("<td>Watchdog</td><td>Total surveillance"))
    assert f"{100 * row.raw_share:.0f}%" in line and f"{100 * row.corrected_share:.0f}%" in line
    assert "measured mistakes" in page and (folder / "frame_share_corrected.vl.json").is_file()


def test_frame_labels_are_escaped_everywhere(validated):
    folder, _, _ = validated
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "<script>window.x=1</script>" not in page and "<b>infrastructure</b>" not in page
    assert html.escape(TRUST_LABEL, quote=False) in page


def test_rules_study_says_not_validated_and_writes_no_validation_csv(tmp_path, monkeypatch):
    monkeypatch.setattr(framing.report.build, "write_figure", csv_only)
    path, study = write_study(tmp_path)
    spec = load_pipeline(path)
    tag_articles(spec, study, noop)
    summary = aggregate_study(spec, study)
    assert "rules" in summary["corrected_prevalence"]
    build_report(spec, study, noop)
    page = (study.workdir / "report" / "index.html").read_text(encoding="utf-8")
    assert "Not validated." in page and "framing evaluate" in page
    assert "Codebook rules (dictionary patterns)" in page
    assert not (study.workdir / "report" / "validation.csv").exists()
    assert not (study.workdir / "report" / "frame_share_corrected.csv").exists()


def test_classifier_study_without_validation_labels_says_run_evaluate(tmp_path):
    path, study = write_study(tmp_path)
    tag_articles(load_pipeline(path), study, noop)
    spec = with_method(path, "classifier", model="models/none/model.skops")
    frames = pd.DataFrame({"outlet": ["A"], "frame": ["trust"], "present": [True]})
    study.write_frame("prevalence_corrected", pd.DataFrame({"stale": [1]}))
    note = correct_study(spec, study, frames)["corrected_prevalence"]
    assert "run `framing evaluate" in note
    assert not study.table("prevalence_corrected").exists()  # a stale table would contradict the summary


def test_validation_view_flags_undefined_alpha_and_unevaluated_method():
    scores = pd.DataFrame({"method": ["classifier"] * 2, "frame": ["a", "b"], "precision": [0.9, np.nan],
                           "recall": [0.8, 0.0], "f1": [0.85, 0.0], "alpha": [0.8, np.nan]})
    view = validation_view(scores, {"a": "A", "b": "B"}, "classifier", 0.667)
    assert view.table["flagged"].tolist() == [False, True]
    assert "could not be checked" in view.warnings[0]
    other = validation_view(scores, {"a": "A", "b": "B"}, "ensemble", 0.667)
    assert not other.table["flagged"].any() and "not among the methods evaluated" in other.notes[0]


def test_validation_against_a_gold_file_does_not_claim_human_coders():
    scores = pd.DataFrame({"method": ["rules"] * 2, "frame": ["a", "b"], "precision": [0.9, 0.4],
                           "recall": [0.8, 0.3], "f1": [0.85, 0.35], "alpha": [0.8, 0.3],
                           "gold": "file", "gold_label": "the gold file intent.csv (147 units of the study)"})
    view = validation_view(scores, {"a": "A", "b": "B"}, "rules", 0.667, human={"a": 0.9, "b": 0.7})
    assert view.gold == "file" and "human coders" not in " ".join(view.warnings)
    assert "agree with the gold file too weakly" in view.warnings[0]
    assert any("not from the gold the machine was scored on" in note for note in view.notes)
    coded = validation_view(scores.assign(gold="coders"), {"a": "A", "b": "B"}, "rules", 0.667)
    assert "agree with human coders too weakly" in coded.warnings[0] and not coded.notes
    env = framing.report.build._env()
    page = env.get_template("validation.html").render(validation=view, threshold=0.667, corrected=None,
                                                      tagging={"method": "rules", "method_name": "rules"})
    assert "intent.csv" in page and "frames human coders gave" not in page
