"""The frame classifier: estimator contract, thresholds, data loading, skops round trips, validation, prevalence."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
import typer
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks
from typer.testing import CliRunner

import framing.api.training as training
import framing.classify.train as train_module
from framing.aggregate.corrected import acc_estimate, adjusted_share, corrected_prevalence, validation_table
from framing.classify.crossval import cross_validate, rule_labels
from framing.classify.data import LabelledData, load_labelled
from framing.classify.files import default_model_path
from framing.classify.gold import load_articles_with_gold, load_gold_table
from framing.classify.model import FrameClassifier
from framing.classify.persist import load_model, save_model
from framing.classify.thresholds import best_threshold, cross_fitted, decode, f1_curve
from framing.classify.train import save, train
from framing.cli.model import print_validation, train_cmd
from framing.errors import FramingError
from framing.evaluate.reliability import low_alpha_frames
from framing.evaluate.scores import score_table
from framing.study.codebook import load_codebook

FIXTURES = Path(__file__).parent / "fixtures"
EN = FIXTURES / "labelled_en.csv"
DE = FIXTURES / "labelled_de.csv"
EN_LABELS = "surveillance,trust_infrastructure,fragmented_patchwork,western_scoring"
SMALL = {"models": ("logreg", "svm"), "Cs": (1.0, 10.0)}  # the default grid has 8 candidates; tests need speed
# Held-out micro-F1 floors, measured with SMALL on the rows with index % 4 == 0: English 0.83 with
# seed 0 (0.77-0.83 over seeds 0-3), German 0.66 (0.63-0.69); set about 0.1 below seed 0, under all four.
EN_FLOOR, DE_FLOOR = 0.72, 0.55


def split(data: LabelledData) -> tuple[LabelledData, np.ndarray]:
    """Every fourth unit held out; the rest as training data."""
    held = np.arange(len(data.texts)) % 4 == 0
    keep = ~held
    return LabelledData([t for t, k in zip(data.texts, keep, strict=True) if k],
                        data.labels[keep].reset_index(drop=True), data.units[keep].reset_index(drop=True),
                        {**data.source, "units": int(keep.sum())}), held


def micro_f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    return float(score_table(truth, predicted, [str(i) for i in range(truth.shape[1])]).set_index("frame").loc[
        "micro", "f1"])


@pytest.fixture(scope="module")
def english() -> LabelledData:
    return load_labelled(EN, labels=EN_LABELS)


@pytest.fixture(scope="module")
def english_trained(english):
    data, held = split(english)
    return train(data, folds=5, seed=0, **SMALL), held


# --- estimator contract ---------------------------------------------------------------------------

@pytest.mark.parametrize("check", ["check_no_attributes_set_in_init", "check_get_params_invariance",
                                   "check_set_params", "check_estimator_cloneable", "check_estimator_repr",
                                   "check_mixin_order", "check_valid_tag_types", "check_estimator_tags_renamed",
                                   "check_do_not_raise_errors_in_init_or_set_params",
                                   "check_parameters_default_constructible"])
def test_model_passes_sklearn_checks_that_apply_to_text(check):
    # the checks that fit need numeric arrays; fitting on texts is tested below
    getattr(estimator_checks, check)("FrameClassifier", FrameClassifier())


def test_model_fit_returns_self_keeps_params_and_clones(english):
    model = FrameClassifier(models=("logreg",), Cs=(10.0,), cv=3)
    with pytest.raises(NotFittedError):
        model.predict(["x"])
    params = model.get_params()
    assert model.fit(english.texts, english.labels) is model
    assert model.get_params() == params  # fit learned attributes only (trailing underscore)
    twin = clone(model)
    assert not hasattr(twin, "thresholds_") and twin.get_params() == params
    assert list(model.classes_) == EN_LABELS.split(",")
    assert model.predict(english.texts[:5]).shape == (5, 4)
    assert model.set_params(cv=4) is model and model.cv == 4


def test_model_rejects_bad_input():
    with pytest.raises(ValueError, match="sequence of texts"):
        FrameClassifier().fit("one text", [[1]])
    with pytest.raises(ValueError, match="only 0 and 1"):
        FrameClassifier(cv=2).fit(["a", "b", "c"], [[2], [0], [1]])
    with pytest.raises(ValueError, match="models must be"):
        FrameClassifier(models=("forest",), cv=2).fit(["a b", "c d", "e f", "g h"], [[1], [0], [1], [0]])


def test_model_is_deterministic_with_its_seed(english):
    data, _ = split(english)
    settings = {"models": ("logreg",), "Cs": (1.0, 10.0), "cv": 5}
    first = FrameClassifier(random_state=3, **settings).fit(data.texts, data.labels)
    again = FrameClassifier(random_state=3, **settings).fit(data.texts, data.labels)
    other = FrameClassifier(random_state=4, **settings).fit(data.texts, data.labels)
    np.testing.assert_array_equal(first.predict_proba(english.texts), again.predict_proba(english.texts))
    np.testing.assert_array_equal(first.thresholds_, again.thresholds_)
    assert first.cv_results_ == again.cv_results_
    assert not np.array_equal(first.fold_of_, other.fold_of_)  # the seed does reach the folds


# --- thresholds and decoding ----------------------------------------------------------------------

def test_best_threshold_takes_middle_of_best_range():
    scores = np.array([0.05, 0.1, 0.2, 0.6, 0.7])
    truth = np.array([0, 0, 0, 1, 1])
    threshold, f1 = best_threshold(scores, truth)
    assert f1 == 1.0 and 0.2 < threshold <= 0.6 and threshold == pytest.approx(0.405)
    assert best_threshold(scores, np.zeros(5))[0] == 0.5  # nothing to tune on
    assert f1_curve(scores, truth, np.array([0.5]))[0] == 1.0


def test_decodings():
    proba = np.array([[0.2, 0.1, 0.3], [0.9, 0.8, 0.1], [0.1, 0.6, 0.2]])
    thresholds = np.array([0.5, 0.7, 0.5])
    assert decode(proba, thresholds, "thresholds").tolist() == [[0, 0, 0], [1, 1, 0], [0, 0, 0]]
    assert decode(proba, thresholds, "at_least_one").tolist() == [[0, 0, 1], [1, 1, 0], [0, 1, 0]]
    assert decode(proba, thresholds, "one").tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    with pytest.raises(ValueError, match="decoding"):
        decode(proba, thresholds, "best")


def test_tuned_thresholds_beat_one_half_on_an_imbalanced_frame():
    """A rare frame with a weak cue: calibrated probabilities seldom pass 0.5, so 0.5 misses it."""
    rng = np.random.default_rng(7)
    vocab = [f"w{i}" for i in range(300)]

    def sample(n: int) -> tuple[list[str], np.ndarray]:
        rare = rng.random(n) < 0.12
        texts = []
        for r in rare:
            words = list(rng.choice(vocab, 12))
            if r or rng.random() < 0.05:  # the cue: in most positives, a few negatives
                words += ["surveil"] if rng.random() < 0.8 else []
            texts.append(" ".join(words))
        common = np.array([int("w1" in t.split() or rng.random() < 0.3) for t in texts])
        return texts, np.column_stack([rare.astype(int), common])

    train_texts, train_y = sample(300)
    test_texts, test_y = sample(600)
    settings = {"models": ("logreg",), "Cs": (1.0,), "cv": 5, "decoding": "thresholds", "random_state": 0}
    tuned = FrameClassifier(**settings).fit(train_texts, train_y)
    default = clone(tuned).set_params(tune_thresholds=False).fit(train_texts, train_y)
    f1_tuned = score_table(test_y, tuned.predict(test_texts), ["rare", "common"]).set_index("frame").loc["rare", "f1"]
    f1_default = score_table(test_y, default.predict(test_texts), ["rare", "common"]).set_index("frame").loc[
        "rare", "f1"]
    assert tuned.thresholds_[0] < 0.5
    assert f1_tuned > f1_default + 0.2, (f1_tuned, f1_default)


def test_cross_fitted_labels_use_thresholds_from_other_folds():
    proba = np.array([[0.3], [0.35], [0.1], [0.8], [0.2], [0.15]])
    truth = np.array([[1], [1], [0], [1], [0], [0]])
    fold_of = np.array([0, 0, 0, 1, 1, 1])
    # fold 1 alone would put the threshold between 0.2 and 0.8; fold 0's rows are decoded with it
    assert cross_fitted(proba, truth, fold_of, "thresholds")[:3, 0].tolist() == [0, 0, 0]


# --- training from files, saving, loading ---------------------------------------------------------

def test_train_from_english_csv_round_trips_with_quality_floor(english, english_trained, tmp_path):
    trained, held = english_trained
    saved = save(trained, tmp_path / "en" / "model.skops")
    loaded = load_model(saved.model_path)
    held_texts = [t for t, h in zip(english.texts, held, strict=True) if h]
    np.testing.assert_array_equal(loaded.predict_proba(held_texts), trained.model.predict_proba(held_texts))
    np.testing.assert_array_equal(loaded.predict(held_texts), trained.model.predict(held_texts))
    score = micro_f1(english.labels[held].to_numpy(), loaded.predict(held_texts))
    assert score >= EN_FLOOR, score
    card = json.loads(saved.card_paths[0].read_text(encoding="utf-8"))
    assert card["training_data"]["label_counts"] == trained.card["training_data"]["label_counts"]
    assert card["training_data"]["units"] == int((~held).sum())
    assert set(card["thresholds"]) == set(EN_LABELS.split(","))
    assert card["decoding"]["used"] == "at_least_one"  # every English row carries a frame
    assert card["sha256"] and card["seed"] == 0 and card["software"]["scikit-learn"]
    assert {"micro", "macro"} <= {r["frame"] for r in card["cv_scores"]}
    assert "## Cross-validated scores" in saved.card_paths[1].read_text(encoding="utf-8")


def test_train_command_from_german_delimited_csv(tmp_path, monkeypatch):
    data = load_labelled(DE, labels="frames", sep=";")
    table = pd.read_csv(DE, dtype=str, keep_default_na=False)
    held = np.arange(len(table)) % 4 == 0
    table[~held].to_csv(tmp_path / "train.csv", index=False)
    monkeypatch.setattr(training, "fit", functools.partial(train_module.train, **SMALL))
    app = typer.Typer()
    app.command("train")(train_cmd)
    app.command("other")(lambda: None)  # two commands, so "train" is a subcommand as in framing
    out = tmp_path / "models" / "de.skops"
    result = CliRunner().invoke(app, ["train", "--from", str(tmp_path / "train.csv"), "--labels", "frames",
                                      "--sep", ";", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    printed = result.output.replace("\n", "")  # rich wraps long lines at the terminal width
    assert "Decoding: at_least_one" in printed and "de.card.json" in printed
    model = load_model(out)
    held_texts = [t for t, h in zip(data.texts, held, strict=True) if h]
    score = micro_f1(data.labels[held].to_numpy(), model.predict(held_texts))
    assert score >= DE_FLOOR, score
    # the command and the library give the same model
    library = train_module.train(LabelledData([t for t, h in zip(data.texts, held, strict=True) if not h],
                                              data.labels[~held].reset_index(drop=True), data.units, {}),
                                 folds=5, seed=0, **SMALL)
    np.testing.assert_array_equal(model.predict_proba(held_texts), library.model.predict_proba(held_texts))


def test_train_command_on_a_study_gold_table(write_pipeline, english, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from framing.study.store import Study
    from framing.study.tables import GOLD_SCHEMA

    spec = write_pipeline([{"feed": "http://127.0.0.1:9/feed.rss"}], codebook="social-credit")
    frames = EN_LABELS.split(",")
    rows = [{"unit_id": f"u{i}", "text": text, "language": "en", "relevant": True, "codebook_version": 1,
             "frames": [f for f in frames if english.labels.iloc[i][f]]} for i, text in enumerate(english.texts)]
    rows.append({"unit_id": "off", "text": "A football transfer.", "frames": [], "relevant": False})
    pq.write_table(pa.Table.from_pylist(rows, schema=GOLD_SCHEMA), Study(spec.workdir).table("gold"))
    monkeypatch.setattr(training, "fit", functools.partial(train_module.train, models=("logreg",),
                                                                 Cs=(10.0,)))
    # the codebook's other three frames have no examples: they are left out, and said so
    train_cmd(pipeline=spec.path, from_file=None, gold=None, text="text", labels=None, sep=None, multiclass=False,
              out=None, folds=5, seed=0, decoding="auto", drop_rare=True, embeddings=None)
    [card_path] = (spec.workdir / "models").glob("frames-*/model.card.json")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    assert card["codebook"] == {"name": "social-credit", "version": load_codebook("social-credit").version,
                                "versions_in_gold": [1]}
    assert card["labels"] == frames and card["training_data"]["not_relevant_left_out"] == 1
    assert {d["label"] for d in card["training_data"]["dropped"]} == {
        "institutional_catchup", "popular_approval", "tech_solutionism"}
    assert load_model(card_path.with_name("model.skops")).predict_frames(["Cameras watch every citizen."])
    assert set(card["ensemble"]["thresholds"]) == set(frames) and card["ensemble"]["min_hits"] == 2


def test_train_command_needs_data():
    with pytest.raises(FramingError, match="nothing to train on"):
        train_cmd(pipeline=None, from_file=None, gold=None, text="text", labels=None, sep=None, multiclass=False,
                  out=None, folds=5, seed=0, decoding="auto", drop_rare=False, embeddings=None)


class Payload:
    """Stands for code a stranger's model file could smuggle in."""


def test_skops_load_refuses_untrusted_type(english_trained, tmp_path):
    trained, _ = english_trained
    tampered = clone(trained.model)
    tampered.__dict__.update(trained.model.__dict__)
    tampered.payload_ = Payload()
    path = tmp_path / "tampered.skops"
    save_model(tampered, path)
    name = f"{Payload.__module__}.Payload"
    assert name in sio.get_untrusted_types(file=path)
    with pytest.raises(FramingError, match="not on the allow-list") as error:
        load_model(path)
    assert name in str(error.value)
    assert isinstance(load_model(path, trusted=[name]).payload_, Payload)  # only when the caller says so


def test_default_model_path_never_overwrites(tmp_path):
    import datetime as dt

    day = dt.date(2026, 3, 1)
    first = default_model_path(tmp_path, today=day)
    assert first == tmp_path / "models" / "frames-2026-03-01" / "model.skops"
    first.parent.mkdir(parents=True)
    first.write_bytes(b"")
    assert default_model_path(tmp_path, today=day).parent.name == "frames-2026-03-01-2"
    assert default_model_path(out=tmp_path / "m.skops") == tmp_path / "m.skops"
    assert default_model_path(out=tmp_path / "folder") == tmp_path / "folder" / "model.skops"


# --- data loading ---------------------------------------------------------------------------------

def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_columns_are_named_with_suggestions():
    with pytest.raises(FramingError, match=r"no column 'txt' \(did you mean 'text'\?\)"):
        load_labelled(EN, text="txt", labels=EN_LABELS)
    with pytest.raises(FramingError, match=r"no column 'survelliance' \(did you mean 'surveillance'\?\)"):
        load_labelled(EN, labels="survelliance,western_scoring")
    with pytest.raises(FramingError, match="say which column"):
        load_labelled(EN)


def test_empty_texts_are_listed_by_row(tmp_path):
    rows = "\n".join(f"text {i},{i % 2}" if i not in (2, 5) else f"  ,{i % 2}" for i in range(1, 13))
    with pytest.raises(FramingError, match=r"empty in rows 2, 5 \(counting data rows"):
        load_labelled(write(tmp_path / "x.csv", "text,a\n" + rows), labels="a")
    lines = [json.dumps({"text": "" if i == 3 else f"t{i}", "frames": ["a"]}) for i in range(1, 8)]
    with pytest.raises(FramingError, match="empty in line 3;"):
        load_labelled(write(tmp_path / "x.jsonl", "\n".join(lines)), labels="frames")


def test_label_with_too_few_examples_is_named(tmp_path):
    rows = "\n".join(f"text number {i},{int(i < 3)},{i % 2}" for i in range(20))
    path = write(tmp_path / "few.csv", "text,rare,half\n" + rows)
    with pytest.raises(FramingError, match=r"label 'rare' has 3 example\(s\); at least 5 are needed"):
        load_labelled(path, labels="rare,half")
    data = load_labelled(path, labels="rare,half", drop_rare=True)
    assert list(data.labels.columns) == ["half"] and data.source["dropped"][0]["label"] == "rare"


def test_label_formats(tmp_path):
    de = load_labelled(DE, labels="frames", sep=";")
    assert de.counts == {"fragmented_patchwork": 25, "popular_approval": 26, "surveillance": 27,
                         "trust_infrastructure": 28}
    assert de.units["language"].eq("de").all()
    tsv = write(tmp_path / "x.tsv", "text\tlabel\n" + "\n".join(f"t {i}\t{'ab'[i % 2]}" for i in range(12)))
    multi = load_labelled(tsv, labels="label", multiclass=True)
    assert list(multi.labels.columns) == ["a", "b"] and multi.labels.sum(axis=1).eq(1).all()
    cells = [["a"], ["b"], ["a", "b"]]
    jsonl = write(tmp_path / "x.jsonl", "\n".join(json.dumps({"text": f"t {i}", "frames": cells[i % 3]})
                                                  for i in range(15)))
    assert load_labelled(jsonl, labels="frames").counts == {"a": 10, "b": 10}
    with pytest.raises(FramingError, match="give --sep"):
        load_labelled(DE, labels="frames")
    with pytest.raises(FramingError, match="unknown file type"):
        load_labelled(write(tmp_path / "x.xlsx", ""), labels="a")


def test_gold_table_loads_relevant_units_in_codebook_order(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from framing.study.tables import GOLD_SCHEMA

    frames = ["surveillance", "trust_infrastructure"]
    rows = [{"unit_id": f"u{i}", "text": f"text {i}", "frames": [frames[i % 2]] if i < 12 else [],
             "relevant": i < 12, "language": "en", "codebook_version": 1} for i in range(14)]
    path = tmp_path / "gold.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=GOLD_SCHEMA), path)
    book = load_codebook("social-credit")
    data = load_gold_table(path, frames, min_examples=5)
    assert len(data.texts) == 12 and data.source["not_relevant_left_out"] == 2
    assert list(data.labels.columns) == frames and data.source["codebook_versions"] == [1]
    with pytest.raises(FramingError, match="western_scoring' has 0 example"):
        load_gold_table(path, book.frame_ids)


# --- validation: classifier, rules, ensemble ------------------------------------------------------

def test_cross_validation_puts_classifier_rules_and_ensemble_side_by_side(english):
    book = load_codebook("social-credit")
    classifier = FrameClassifier(models=("logreg",), Cs=(10.0,), cv=3)
    result = cross_validate(english, classifier, book, folds=3, seed=0, min_hits=1)
    assert set(result.scores["method"]) == {"classifier", "rules", "ensemble"}
    wide = result.side_by_side()
    assert list(wide.index) == [*EN_LABELS.split(","), "micro", "macro"]
    assert wide.columns.get_level_values(0).unique().tolist() == ["classifier", "rules", "ensemble"]
    micro = result.scores.set_index(["method", "frame"]).loc[("rules", "micro")]
    rules = rule_labels(english.texts, ["en"] * len(english.texts), book, EN_LABELS.split(","), min_hits=1)
    assert micro["tp"] == int((rules & english.labels.to_numpy()).sum())  # rules scored on the same units
    assert result.labels.shape == (len(english.texts) * 4, 6)
    assert ((result.scores["alpha"] >= -1) & (result.scores["alpha"] <= 1)).all()
    frames = result.scores[result.scores["frame"] != "macro"]  # the macro row has no interval
    assert (frames["precision_low"] <= frames["precision"]).all()
    rules_alpha = result.scores[result.scores["method"] == "rules"].set_index("frame")["alpha"]
    per_frame = rules_alpha[EN_LABELS.split(",")].dropna().sort_values()
    threshold = (per_frame.iloc[0] + per_frame.iloc[1]) / 2          # between the two weakest frames
    flagged = low_alpha_frames(result.scores, threshold)
    assert flagged["rules"] == [per_frame.index[0]]                  # exactly the weakest one
    print_validation(result, flagged, human_alpha={"surveillance": 0.8}, threshold=threshold)


def test_cross_validation_without_codebook_scores_classifier_only(english):
    small = LabelledData(english.texts[:40], english.labels.iloc[:40].reset_index(drop=True),
                         english.units.iloc[:40], {})
    small.labels = small.labels[["surveillance", "trust_infrastructure"]]
    result = cross_validate(small, FrameClassifier(models=("logreg",), Cs=(10.0,), cv=2), None, folds=2)
    assert set(result.scores["method"]) == {"classifier"} and "no codebook" in result.notes[0]


# --- prevalence corrected for the classifier's error ----------------------------------------------

def noisy_labels(truth: np.ndarray, tpr: float, fpr: float, rng: np.random.Generator) -> np.ndarray:
    """A deliberately imperfect classifier with known error rates."""
    draw = rng.random(len(truth))
    return np.where(truth, draw < tpr, draw < fpr)


def test_corrected_share_is_closer_to_the_truth_than_the_raw_share():
    # Raw share expected 0.2 * 0.8 + 0.8 * 0.2 = 0.32, off by 0.12. The corrected share's error is
    # mostly the validation set's error in FPR and TPR (sd about 0.02 with 2000 units), so a margin of
    # 0.03 holds with room to spare for every seed, not just on average.
    true_share, tpr, fpr = 0.2, 0.8, 0.2
    for seed in range(20):
        rng = np.random.default_rng(seed)
        corpus = rng.random(5000) < true_share
        gold = rng.random(2000) < 0.4
        estimate = acc_estimate(noisy_labels(corpus, tpr, fpr, rng), gold, noisy_labels(gold, tpr, fpr, rng),
                                n_boot=500, seed=seed)
        raw_error = abs(estimate["raw_share"] - corpus.mean())
        corrected_error = abs(estimate["corrected_share"] - corpus.mean())
        assert corrected_error + 0.03 < raw_error, (seed, estimate)
        assert estimate["ci_low"] < corpus.mean() + 0.03 and estimate["ci_high"] > corpus.mean() - 0.03


def test_corrected_share_undefined_when_classifier_does_not_separate():
    rng = np.random.default_rng(1)
    gold = rng.random(400) < 0.5
    blind = rng.random(400) < 0.3  # labels unrelated to gold: TPR ~ FPR
    estimate = acc_estimate(rng.random(1000) < 0.3, gold, blind)
    assert np.isnan(estimate["corrected_share"]) and "does not separate" in estimate["note"]
    none = acc_estimate([True, False], np.zeros(10, bool), np.zeros(10, bool))
    assert np.isnan(none["corrected_share"]) and "TPR unknown" in none["note"]
    assert np.isnan(adjusted_share(0.3, 0.5, 0.45)) and adjusted_share(0.1, 0.8, 0.2) == 0.0


def test_corrected_prevalence_by_group_from_a_trained_model(english, english_trained):
    trained, held = english_trained
    train_labels = english.labels[~held].reset_index(drop=True)
    validation = validation_table(train_labels, trained.model.oof_pred_)
    corpus_texts = english.texts
    predicted = trained.model.predict(corpus_texts)
    names = [str(c) for c in trained.model.classes_]
    predictions = pd.DataFrame({"outlet": np.repeat(["A" if i % 2 else "B" for i in range(len(corpus_texts))],
                                                    len(names)),
                                "frame": np.tile(names, len(corpus_texts)), "present": predicted.ravel()})
    table = corrected_prevalence(predictions, validation, by=["outlet"], n_boot=200)
    assert len(table) == 2 * len(names)
    assert {"outlet", "frame", "raw_share", "corrected_share", "ci_low", "ci_high", "tpr", "fpr", "note"} <= set(
        table.columns)
    defined = table.dropna(subset=["corrected_share"])
    assert len(defined) and defined["corrected_share"].between(0, 1).all()


def test_articles_labelled_from_a_gold_csv(tmp_path, english):
    from framing.classify.gold import load_gold

    frames = EN_LABELS.split(",")
    urls = [f"http://news.example/{i}" for i in range(len(english.texts))]
    cells = [" ".join(f for f in frames if row[f]) for _, row in english.labels.iterrows()]
    gold_csv = pd.DataFrame({"path": [u.removeprefix("http://news.example") for u in urls], "frames": cells})
    gold_csv.to_csv(tmp_path / "gold.csv", index=False)
    articles = pd.DataFrame({"article_id": [f"a{i}" for i in range(len(urls))], "url": urls, "text": english.texts,
                             "language": "en"})
    extra = pd.DataFrame({"article_id": ["z"], "url": ["http://news.example/not-in-gold"], "text": ["x"],
                          "language": "en"})
    data = load_articles_with_gold(pd.concat([articles, extra]), load_gold(tmp_path / "gold.csv", frames), frames)
    assert data.texts == english.texts and data.units["unit_id"].tolist() == articles["article_id"].tolist()
    pd.testing.assert_frame_equal(data.labels, english.labels[frames])


def test_training_and_cross_validation_report_progress_step_by_step(english):
    data, _ = split(english)
    steps: list[tuple[int, int]] = []
    train(data, folds=3, seed=0, progress=lambda done, total: steps.append((done, total)), **SMALL)
    assert steps == [(1, 4), (2, 4), (3, 4), (4, 4)]  # three folds of the search, then the final fit
    folds: list[tuple[int, int]] = []
    cross_validate(data, FrameClassifier(cv=2, models=("logreg",), Cs=(10.0,)), folds=3, seed=0,
                   progress=lambda done, total: folds.append((done, total)))
    assert folds == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_predict_command_labels_any_table_with_a_saved_model(english, english_trained, tmp_path, suffix):
    from test_cli import framing

    trained, held = english_trained  # held: a mask of the units the model never saw
    ids = english.units["unit_id"][held].astype(str).tolist()
    texts = [t for t, h in zip(english.texts, held, strict=True) if h]
    saved = save(trained, tmp_path / "model.skops")
    source = tmp_path / "held.csv"
    pd.DataFrame({"id": ids, "body": texts}).to_csv(source, index=False)
    out = tmp_path / f"labelled{suffix}"
    result = framing("predict", str(saved.model_path), str(source), "--text", "body", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    table = pd.read_parquet(out) if suffix == ".parquet" else \
        pd.read_json(out, lines=True, dtype=False) if suffix == ".jsonl" else pd.read_csv(out, dtype={"id": str})
    frames = [str(c) for c in trained.model.classes_]
    assert list(table["id"].astype(str)) == ids
    np.testing.assert_array_equal(table[frames].to_numpy(), trained.model.predict(texts))
    assert all(f"p_{f}" in table.columns for f in frames) and "frames" in table.columns
    missing = framing("predict", str(saved.model_path), str(source), "--out", str(out))
    assert missing.returncode == 1 and "no column 'text'" in missing.stdout and "--text" in missing.stdout
