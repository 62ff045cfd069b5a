"""A trained classifier inside a study: train on its gold file, tag with it, propose what to code next, evaluate."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from test_cli import framing

import framing.api.training as training
from framing.annotate.project import annotation_db, new_assignment
from framing.annotate.sample import uncertainty
from framing.classify import train as train_module
from framing.classify.card import read_card
from framing.classify.crossval import ensemble_labels, rule_labels
from framing.classify.persist import load_model
from framing.classify.thresholds import decode
from framing.cli.model import train_cmd
from framing.runner import run
from framing.study.codebook import load_codebook
from framing.study.store import Study
from framing.study.tables import ARTICLE_SCHEMA


@pytest.fixture
def labelled_study(gold_study, monkeypatch):
    """The gold study (conftest.py) with a classifier trained on its gold file."""
    spec, frames = gold_study
    # a small grid keeps the test quick; the search itself is tested in test_classify
    monkeypatch.setattr(training, "fit", functools.partial(train_module.train, models=("logreg",), Cs=(10.0,)))
    train_cmd(pipeline=spec.path, from_file=None, gold=None, text="text", labels=None, sep=None, multiclass=False,
              out=None, folds=None, seed=None, decoding=None, drop_rare=True, embeddings=None)
    return spec, frames


def test_tag_stage_labels_with_the_classifier_or_the_ensemble(labelled_study):
    spec, frames = labelled_study
    [model_file] = (spec.workdir / "models").glob("frames-*/model.skops")
    model = load_model(model_file)
    assert [str(c) for c in model.classes_] == frames                    # the codebook's other frames had no gold
    study = Study(spec.workdir)
    texts = study.query("SELECT article_id, text FROM articles ORDER BY article_id").df()
    expected = decode(model.predict_proba(texts["text"].tolist()), model.thresholds_, model.decoding_)

    classifier = spec.model_copy(update={"tag": spec.tag.model_copy(update={"method": "classifier"})})
    [result] = run(classifier, ["tag"])
    assert result.counts["method"] == "classifier" and result.counts["model"] == str(model_file)
    labels = study.query("SELECT article_id, frame, present, score, dominant FROM article_frames").df()
    mine = labels[labels["frame"].isin(frames)].pivot(index="article_id", columns="frame", values="present")
    assert (mine.loc[texts["article_id"], frames].to_numpy().astype(int) == expected).all()
    assert labels[labels["frame"].isin(frames)]["score"].between(0, 1).all()
    assert labels[~labels["frame"].isin(frames)]["score"].isna().all()   # those keep the rules' labels
    assert labels.groupby("article_id")["dominant"].sum().le(1).all()

    ensemble = spec.model_copy(update={"tag": spec.tag.model_copy(update={"method": "ensemble"})})
    [result] = run(ensemble, ["tag"])
    assert result.counts["method"] == "ensemble"
    card = read_card(model_file)
    rules = rule_labels(texts["text"].tolist(), ["en"] * len(texts), load_codebook("social-credit"), frames,
                        spec.tag.min_hits)
    expected = ensemble_labels(model.predict_proba(texts["text"].tolist()), rules,
                               np.array([card["ensemble"]["thresholds"][f] for f in frames]), model.decoding_)
    labels = study.query("SELECT article_id, frame, present FROM article_frames").df()
    mine = labels[labels["frame"].isin(frames)].pivot(index="article_id", columns="frame", values="present")
    assert (mine.loc[texts["article_id"], frames].to_numpy().astype(int) == expected).all()


def test_quotes_get_their_frames_from_the_studys_method(labelled_study):
    spec, frames = labelled_study
    study = Study(spec.workdir)
    rows = [row for batch in study.iter_batches("articles", ARTICLE_SCHEMA.names) for row in batch.to_pylist()]
    said = ("Officials met in Beijing. “Cameras and facial recognition watch every citizen, and the state punishes "
            "dissent,” said Rogier Creemers. According to Genia Kostka, most people approve of the system because "
            "it protects them from fraud.")
    rows.append({**rows[0], "article_id": "quoted", "url": "https://quoted.example/1", "text": said})
    study.write_rows("articles", rows, ARTICLE_SCHEMA)
    model = load_model(next((spec.workdir / "models").glob("frames-*/model.skops")))
    classifier = spec.model_copy(update={"tag": spec.tag.model_copy(update={"method": "classifier"})})
    run(classifier, ["tag"])
    quotes = study.query("SELECT quote, text FROM quotes WHERE article_id = 'quoted' ORDER BY quote").df()
    assert len(quotes) == 2
    expected = decode(model.predict_proba(quotes["text"].tolist()), model.thresholds_, model.decoding_)
    labels = study.query("SELECT quote, frame, present, score FROM quote_frames WHERE article_id = 'quoted'").df()
    mine = labels[labels["frame"].isin(frames)].pivot(index="quote", columns="frame", values="present")
    assert (mine.loc[quotes["quote"], frames].to_numpy().astype(int) == expected).all()   # each quote on its own
    assert labels[labels["frame"].isin(frames)]["score"].between(0, 1).all()
    run(spec, ["tag"])                                                    # rules: the hits inside each quote
    rules = study.query("SELECT quote, frame FROM quote_frames WHERE article_id = 'quoted' AND present "
                        "ORDER BY ALL").fetchall()
    assert (0, "surveillance") in rules and all(frame != "surveillance" for quote, frame in rules if quote == 1)


def test_uncertain_strategy_proposes_what_the_model_is_least_sure_about(labelled_study):
    spec, frames = labelled_study
    new_assignment(spec, 8, ["ana", "ben"], overlap=0.25, strategy="uncertain")
    chosen = {u.unit_id for u in annotation_db(spec).units()}
    assert len(chosen) == 8
    study = Study(spec.workdir)
    articles = study.query("SELECT article_id, outlet, text FROM articles ORDER BY article_id").df()
    model = load_model(next((spec.workdir / "models").glob("frames-*/model.skops")))
    proba = model.predict_proba(articles["text"].tolist())
    scores = uncertainty(proba, model.thresholds_, (proba >= model.thresholds_).mean(axis=0))
    articles["score"] = scores
    for outlet, part in articles.groupby("outlet"):                 # two per outlet, the most uncertain ones
        picked = part[part["article_id"].isin(chosen)]
        assert len(picked) == 2, outlet
        assert picked["score"].min() >= part[~part["article_id"].isin(chosen)]["score"].max()


def test_evaluate_prints_classifier_rules_and_ensemble_by_cross_validation(labelled_study):
    spec, _ = labelled_study
    result = framing("evaluate", str(spec.path), "--folds", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "classifier: 3-fold cross-validation" in result.stdout and "rules: 3-fold" in result.stdout
    assert "ensemble: 3-fold" in result.stdout
    scores = pd.read_parquet(spec.workdir / "tables" / "validation_scores.parquet")
    micro = scores[scores["frame"] == "micro"].set_index("method")["f1"]
    assert set(micro.index) == {"classifier", "rules", "ensemble"}
    assert micro["classifier"] > 0.6                                  # a floor measured at 0.8 on this fixture


def test_a_small_coders_gold_names_itself_says_how_to_switch_and_still_scores_the_rules(labelled_study):
    """Nine adjudicated units are too few to train or cross-validate on, not too few to score the rules."""
    from framing.study.tables import GOLD_SCHEMA

    spec, frames = labelled_study
    run(spec, ["tag"])
    study = Study(spec.workdir)
    articles = study.query("SELECT article_id, url, outlet, language, title, text FROM articles "
                           "ORDER BY article_id LIMIT 9").df()
    study.write_rows("gold", [{**row, "unit_id": row["article_id"], "sentence": None, "frames": [frames[0]],
                               "dominant": frames[0], "relevant": True, "source": "adjudicated",
                               "coders": ["ana", "ben"], "decided_by": "rita", "codebook_version": 2}
                              for i, row in enumerate(articles.to_dict("records"))], GOLD_SCHEMA)
    trained = framing("train", str(spec.path))
    assert trained.returncode == 1
    assert "coders' table" in trained.stdout and f"--gold {spec.gold}" in trained.stdout.replace("\n", "")
    evaluated = framing("evaluate", str(spec.path), "--folds", "3")
    assert evaluated.returncode == 0, evaluated.stdout + evaluated.stderr
    assert "Classifier and ensemble not evaluated" in evaluated.stdout
    assert "Gold: the coders' gold table" in evaluated.stdout and "(9 units)" in evaluated.stdout
    assert "Tagger (rules) vs gold (9 articles" in evaluated.stdout
    switched = framing("evaluate", str(spec.path), "--rules-only", "--gold", spec.gold)
    assert switched.returncode == 0 and "Gold: the gold file" in switched.stdout and "(100 units" in switched.stdout
