"""The model card saved beside every classifier: what it was trained on, how it was chosen, how good it is.

One dict, written as JSON (for programs and the report) and as Markdown (for people). The
scores are out-of-fold: each unit scored by the model that did not see it, decoded with
thresholds tuned on the other folds (see :func:`framing.classify.thresholds.cross_fitted`).
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from framing import __version__
from framing.classify.data import LabelledData
from framing.classify.files import card_paths
from framing.classify.model import FrameClassifier
from framing.evaluate.scores import score_table
from framing.formatting import fmt_score, is_missing
from framing.study.codebook import Codebook

CARD_SCHEMA = "framing-model-card/1"
_PACKAGES = ("scikit-learn", "skops", "numpy", "scipy", "pandas", "krippendorff")


def software() -> dict[str, str]:
    """Versions of Python, framing and the numerical packages the model depends on."""
    found = {"python": sys.version.split()[0], "framing": __version__, "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def build_card(model: FrameClassifier, data: LabelledData, codebook: Codebook | None = None,
               created: dt.datetime | None = None) -> dict[str, Any]:
    """Everything a reader needs to judge and reproduce a trained classifier.

    Parameters
    ----------
    model
        The fitted classifier.
    data
        What it was trained on.
    codebook
        The study's codebook, when the labels are its frames.
    created
        Timestamp (default: now, UTC).
    """
    names = [str(c) for c in model.classes_]
    scores = score_table(data.labels.to_numpy(), model.oof_pred_, names)
    thresholds = {n: float(t) for n, t in zip(names, model.thresholds_, strict=True)}
    family = model.best_params_["model"]
    book = None
    if codebook is not None:
        book = {"name": codebook.name, "version": codebook.version,
                "versions_in_gold": data.source.get("codebook_versions", [])}
    return {
        "schema": CARD_SCHEMA,
        "created": (created or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "task": "multi-class" if model.decoding_ == "one" else "multi-label",
        "labels": names,
        "training_data": {**data.source, "label_counts": data.counts},
        "codebook": book,
        "model": {"family": family, "C": model.best_params_["C"],
                  "classifier": "one-vs-rest " + ("logistic regression (liblinear, dual)" if family == "logreg"
                                                  else "linear SVM, Platt-calibrated (sigmoid, up to 3 folds)"),
                  "features": {"word_ngrams": list(model.word_ngrams), "char_wb_ngrams": list(model.char_ngrams),
                               "weighting": "TF-IDF, sublinear tf", "max_features": model.max_features,
                               "sentence_embeddings": ("all-MiniLM-L6-v2 (packaged)"
                                                       if getattr(model, "embeddings", False) else None)}},
        "selection": {"scoring": model.scoring, "folds": model.cv, "models": list(model.models),
                      "Cs": [float(c) for c in model.Cs], "candidates": model.cv_results_},
        "thresholds": thresholds,
        "threshold_bounds": [float(b) for b in model.threshold_bounds],
        "thresholds_tuned": bool(model.tune_thresholds),
        "decoding": {"used": model.decoding_, "reason": model.decoding_reason_},
        "cv_scores": _records(scores),
        "cv_scores_note": "out-of-fold predictions; thresholds tuned on the other folds (cross-fitted)",
        "seed": model.random_state,
        "software": software(),
    }


def _records(table) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-ready dicts (NaN -> None)."""
    return [{k: (None if is_missing(v) else v.item() if hasattr(v, "item") else v)
             for k, v in row.items()} for row in table.to_dict("records")]


def read_card(model_path: str | Path) -> dict[str, Any] | None:
    """The card beside a model, or None when there is none."""
    json_path = card_paths(model_path)[0]
    return json.loads(json_path.read_text(encoding="utf-8")) if json_path.is_file() else None


def write_card(card: dict[str, Any], model_path: str | Path) -> tuple[Path, Path]:
    """Write the card as JSON and Markdown beside the model file; return both paths."""
    json_path, md_path = card_paths(model_path)
    json_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(card), encoding="utf-8")
    return json_path, md_path


def render_markdown(card: dict[str, Any]) -> str:
    """The card as a Markdown page."""
    data, model, book = card["training_data"], card["model"], card["codebook"]
    lines = [f"# Frame classifier ({card['task']})", "",
             f"Created {card['created']} with framing {card['software']['framing']}, seed {card['seed']}.", ""]
    lines += ["## Training data", "", f"- source: {data['kind']} `{data['path']}` ({data['format']})",
              f"- units: {data['units']} (of {data['rows']} rows read)", f"- labels: {data['label_format']}"]
    if data.get("not_relevant_left_out"):
        lines.append(f"- left out as not relevant: {data['not_relevant_left_out']}")
    for dropped in data.get("dropped") or []:
        lines.append(f"- left out: {dropped['why']}")
    if book:
        lines.append(f"- codebook: {book['name']} v{book['version']} (versions coded in gold: "
                     f"{', '.join(map(str, book['versions_in_gold'])) or 'not recorded'})")
    lines += ["", "| label | examples | threshold |", "|---|---|---|"]
    lines += [f"| {name} | {data['label_counts'][name]} | {card['thresholds'][name]:.3f} |" for name in card["labels"]]
    lines += ["", "## Model", "", f"- {model['classifier']}, C = {model['C']:g}",
              f"- features: word {model['features']['word_ngrams']}-grams + character (within word) "
              f"{model['features']['char_wb_ngrams']}-grams, {model['features']['weighting']}",
              f"- chosen by {card['selection']['folds']}-fold cross-validation, score {card['selection']['scoring']}",
              f"- decoding: {card['decoding']['used']} ({card['decoding']['reason']})", "",
              "| model | C | mean score | sd |", "|---|---|---|---|"]
    lines += [f"| {c['model']} | {c['C']:g} | {fmt_score(c['mean'], 3)} | {fmt_score(c['std'], 3)} |"
              for c in card["selection"]["candidates"]]
    lines += ["", "## Cross-validated scores", "", card["cv_scores_note"] + ".", "",
              "| frame | precision | recall | F1 | alpha | support |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join([r["frame"], *(fmt_score(r[k], 3) for k in ("precision", "recall", "f1", "alpha")),
                                str(r["support"])]) + " |" for r in card["cv_scores"]]
    if card.get("ensemble"):
        ensemble = card["ensemble"]
        lines += ["", "## Ensemble with the rule tagger", "",
                  f"Score {ensemble['score']} (rules: min_hits {ensemble['min_hits']}), decoding "
                  f"{ensemble['decoding']}; thresholds tuned on the out-of-fold probabilities:", ""]
        lines += [f"- {name}: {value:.3f}" for name, value in ensemble["thresholds"].items()]
    lines += ["", "## Software", ""] + [f"- {k}: {v}" for k, v in card["software"].items()]
    if card.get("model_file"):
        lines += ["", f"Model file: `{card['model_file']}` (sha256 {card.get('sha256', '')})"]
    return "\n".join(lines) + "\n"
