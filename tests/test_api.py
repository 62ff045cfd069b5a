"""The library behind the commands, called as a notebook calls it: run, evaluate, train, agree.

Each returns a result object and prints nothing; what the commands print comes from these
objects (the command tests check the printing).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

import framing.api.training as training
from framing.annotate.judgement import Judgement
from framing.annotate.project import import_judgements
from framing.api import AgreementOutcome, Evaluation, RunOutcome, Training, agree, evaluate, run, train
from framing.classify import train as train_module
from framing.evaluate.reliability import alpha_verdict
from framing.evaluate.scores import score_table
from framing.study.store import Study

SMALL_GRID = {"models": ("logreg",), "Cs": (10.0,)}


def test_run_returns_its_stages_the_funnel_and_the_report(gold_study, capsys):
    spec, _ = gold_study
    outcome = run(spec.path, ["tag", "aggregate"])
    assert isinstance(outcome, RunOutcome)
    assert [r.stage for r in outcome.stages] == ["tag", "aggregate"]
    assert outcome.stages[0].counts["articles"] == 100 and outcome.workdir == spec.workdir
    assert outcome.funnel == [] and outcome.report is None    # no crawl (urls) and no report stage here
    again = run(spec, ["tag"])                                   # a loaded pipeline works the same
    assert again.stages[0].skipped
    assert capsys.readouterr().out == ""                         # the library prints nothing


def test_evaluate_rules_only_scores_the_tag_stage_on_the_study_gold(gold_study, capsys):
    spec, frames = gold_study
    run(spec, ["tag"])
    result = evaluate(spec.path, rules_only=True)
    assert isinstance(result, Evaluation) and result.validation is None
    assert result.gold.startswith("the gold file") and "100 units" in result.gold
    scores = result.rules.set_index("frame")
    assert list(scores.index) == [*_codebook_frames(spec), "micro", "macro"]
    assert scores.loc["micro", "tp"] + scores.loc["micro", "fn"] == scores.loc["micro", "support"]
    # the same table the cross-validation writes, from the same function
    study = Study(spec.workdir)
    labels = study.query("SELECT a.url, f.frame, f.present FROM article_frames f JOIN articles a "
                         "USING (article_id)").df()
    gold = pd.read_csv(spec.gold)
    truth = np.array([[f in cell.split() for f in _codebook_frames(spec)] for cell in gold["frames"].fillna("")])
    machine = labels.pivot(index="url", columns="frame", values="present").loc[gold["url"], _codebook_frames(spec)]
    expected = score_table(truth, machine.to_numpy(), _codebook_frames(spec))
    pd.testing.assert_frame_equal(result.rules.reset_index(drop=True), expected, check_dtype=False)
    # one rule flags weak frames, for every command
    assert result.flagged["rules"] == [f for f in _codebook_frames(spec)
                                       if alpha_verdict(scores.loc[f, "alpha"], result.threshold) != "ok"]
    assert [p.name for p in result.written] == ["evaluation.csv"]
    assert capsys.readouterr().out == ""


def test_train_then_evaluate_cross_validates_with_the_trained_models_settings(gold_study, monkeypatch):
    spec, frames = gold_study
    monkeypatch.setattr(training, "fit", functools.partial(train_module.train, **SMALL_GRID))
    messages: list[str] = []
    trained = train(spec.path, drop_rare=True, notify=messages.append)
    assert isinstance(trained, Training) and trained.folds == 3 and trained.seed == 0
    assert trained.trained.model_path.is_file() and all(p.is_file() for p in trained.trained.card_paths)
    assert trained.gold.startswith("the gold file") and messages[0].startswith("Training on the gold file")
    assert trained.trained.card["labels"] == frames
    steps: list[tuple[int, int]] = []
    result = evaluate(spec, progress=lambda done, total: steps.append((done, total)), notify=messages.append)
    assert result.validation is not None and result.rules is None and result.not_cross_validated is None
    assert result.folds == spec.evaluate.folds and steps[-1] == (result.folds, result.folds)
    assert "logreg, C = 10.0 as in the trained model" in result.how
    assert set(result.validation.scores["method"]) == {"classifier", "rules", "ensemble"}
    assert {p.name for p in result.written} == {"validation_scores.parquet", "validation_labels.parquet"}
    assert (spec.workdir / "tables" / "validation_scores.csv").is_file()


def test_evaluate_falls_back_to_the_rules_when_gold_is_too_thin_to_cross_validate(gold_study):
    spec, _ = gold_study
    run(spec, ["tag"])
    result = evaluate(spec, folds=101)          # more folds than gold units
    assert result.validation is None and result.rules is not None
    assert "at least 101 are needed" in result.not_cross_validated


def test_agree_returns_alpha_per_frame_and_the_weak_frames(gold_study):
    spec, frames = gold_study
    article_ids = Study(spec.workdir).query("SELECT article_id FROM articles ORDER BY article_id").df()["article_id"]
    units = list(article_ids[:40])
    # ana and ben agree on surveillance everywhere and on trust_infrastructure half the time
    judgements = []
    for i, unit in enumerate(units):
        ana = ("surveillance",) if i % 2 else ("trust_infrastructure",)
        ben = ana if i % 4 < 2 else (("surveillance",) if ana == ("trust_infrastructure",) else
                                     ("surveillance", "trust_infrastructure"))
        judgements += [Judgement(unit, "ana", ana), Judgement(unit, "ben", ben)]
    import_judgements(spec, judgements, {})
    outcome = agree(spec.path, boot=50)
    assert isinstance(outcome, AgreementOutcome)
    per_frame = outcome.agreement.per_variable.set_index("variable")
    assert per_frame.loc["surveillance", "alpha"] > per_frame.loc["trust_infrastructure", "alpha"]
    assert outcome.weak == [f for f in per_frame.index[per_frame["kind"] == "frame"]
                            if alpha_verdict(per_frame.loc[f, "alpha"], 0.667) == "low"]
    assert "trust_infrastructure" in outcome.weak
    assert "fragmented_patchwork" in outcome.not_estimable    # nobody marked it: no variation
    assert {p.name for p in outcome.written} == {f"agreement_{t}.parquet" for t in ("per_variable", "pairs", "coders")}
    assert all(p.with_suffix(".csv").is_file() for p in outcome.written)


def _codebook_frames(spec) -> list[str]:
    from framing.study.config import study_codebook

    return study_codebook(spec).frame_ids
