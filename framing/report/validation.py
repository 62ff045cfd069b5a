"""The report's validation material: how far to trust the machine's labels, and how it labelled.

Reads what ``framing evaluate`` (``validation_scores``), ``framing agree``
(``agreement_per_variable``), ``framing train`` (the model card) and the aggregate stage
(``prevalence_corrected``) left in the study folder; every function here returns plain data
for the template and the CSVs, never markup (the template escapes everything).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from framing.annotate.project import coders_alpha
from framing.errors import FramingError
from framing.evaluate.reliability import alpha_verdict
from framing.study.config import Pipeline
from framing.study.store import Study

METHODS = ("classifier", "rules", "ensemble")
METRICS = ("precision", "recall", "f1", "alpha")
METHOD_NAMES = {"rules": "codebook rules (dictionary patterns)", "classifier": "a trained classifier",
                "ensemble": "an ensemble of codebook rules and a trained classifier"}


@dataclass
class ValidationView:
    """The validation table as the report shows it, with the frames it flags.

    Attributes
    ----------
    table
        One row per frame (then micro, macro): ``frame, frame_label``, ``<method>_<metric>`` for
        every method evaluated, ``coders_alpha``, ``flagged`` and ``warning``; rounded as shown.
    methods
        The methods evaluated, in display order.
    method
        The study's method (``tag.method``).
    threshold
        The alpha below which a frame is flagged.
    warnings
        One plain sentence per flagged frame.
    notes
        Anything the reader needs to read the table right (e.g. the study's method not evaluated).
    """

    table: pd.DataFrame
    methods: list[str]
    method: str
    threshold: float
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gold: str = "coders"  # whose labels: "coders" (the study's adjudicated gold) or "file" (a gold: CSV)
    gold_label: str = ""  # the gold named, as evaluate printed it
    judges: str = "human coders"  # how the text names whoever gave the gold labels


def validation_view(scores: pd.DataFrame, labels: dict[str, str], method: str, threshold: float,
                    human: dict[str, float] | None = None) -> ValidationView:
    """Per frame: each method's precision, recall, F1 and machine-gold alpha, the coders' alpha, flags.

    Parameters
    ----------
    scores
        ``tables/validation_scores``: long, ``method, frame`` and the score columns.
    labels
        Frame id -> label.
    method
        The study's tagging method; its alpha decides the flags.
    threshold
        Frames whose alpha for ``method`` is below this (or cannot be measured) are flagged.
    human
        Coders' alpha per frame, when ``framing agree`` has run.

    Returns
    -------
    ValidationView
    """
    # the study's method first: its columns decide the flags, so they sit next to the frame
    methods = sorted((m for m in METHODS if m in set(scores["method"])), key=lambda m: m != method)
    frames = list(dict.fromkeys(scores["frame"].astype(str)))
    wide = scores.astype({"frame": str}).pivot(index="frame", columns="method", values=list(METRICS))
    table = pd.DataFrame({"frame": frames, "frame_label": [_label(f, labels) for f in frames]})
    table["coders_alpha"] = [round(human[f], 2) if human and f in human else float("nan") for f in frames]
    for m in methods:
        for metric in METRICS:
            table[f"{m}_{metric}"] = wide.loc[frames, (metric, m)].astype(float).round(2).to_numpy()
    table["flagged"], table["warning"] = False, ""
    gold = str(scores["gold"].iloc[0]) if "gold" in scores.columns and len(scores) else "coders"
    gold_label = str(scores["gold_label"].iloc[0]) if "gold_label" in scores.columns and len(scores) else ""
    judges = "human coders" if gold == "coders" else "the gold file"
    view = ValidationView(table, methods, method, threshold, gold=gold, gold_label=gold_label, judges=judges)
    if gold == "file" and table["coders_alpha"].notna().any():
        view.notes.append("The coders' alpha comes from the articles the student coders double-coded, not from the "
                          f"gold the machine was scored on ({gold_label or 'a gold file'}): the two columns describe "
                          "different units.")
    if method not in methods:
        view.notes.append(f"The study's method ({method}) was not among the methods evaluated, so no frame can "
                          f"be flagged; run `framing evaluate` again.")
        return view
    for i, row in table.iterrows():
        if row["frame"] in ("micro", "macro"):
            continue  # summaries: a reporter quotes frames, and every weak frame is flagged on its own row
        warning = _warning(row["frame_label"], scores, row["frame"], method, threshold, judges)
        if warning:
            table.loc[i, ["flagged", "warning"]] = [True, warning]
            view.warnings.append(warning)
    return view


def _warning(label: str, scores: pd.DataFrame, frame: str, method: str, threshold: float,
             judges: str = "human coders") -> str:
    """The plain-language flag of one frame ('' when its machine-gold alpha reaches the threshold)."""
    alpha = float(scores.loc[(scores["method"] == method) & (scores["frame"].astype(str) == frame), "alpha"].iloc[0])
    verdict = alpha_verdict(alpha, threshold)
    if verdict == "not estimable":
        return (f"The machine's labels for “{label}” could not be checked against {judges} (too few "
                "labelled articles with and without the frame): do not report this frame's numbers yet.")
    if verdict == "low":
        return (f"The machine's labels for “{label}” agree with {judges} too weakly to report "
                f"(alpha {alpha:.2f}, below {threshold:g}).")
    return ""


def _label(frame: str, labels: dict[str, str]) -> str:
    return {"micro": "all frames pooled (micro)", "macro": "mean over frames (macro)"}.get(frame,
                                                                                        labels.get(frame, frame))


def load_validation(spec: Pipeline, study: Study, labels: dict[str, str]) -> ValidationView | None:
    """The study's validation view, or None when ``framing evaluate`` has not written its scores."""
    path = study.table("validation_scores")
    if not path.is_file():
        return None
    return validation_view(study.read_frame("validation_scores"), labels, spec.tag.method,
                           spec.evaluate.alpha_threshold, coders_alpha(study))


def model_description(spec: Pipeline) -> dict[str, Any]:
    """What the methods section says about the tagging method, from the model card where there is one.

    Returns
    -------
    dict
        ``method, method_name`` and, for a classifier or ensemble, ``model_file`` and ``card`` (the
        card's fields the report prints) or ``problem`` (why they are missing).
    """
    out: dict[str, Any] = {"method": spec.tag.method, "method_name": METHOD_NAMES[spec.tag.method]}
    if spec.tag.method == "rules":
        return out
    from framing.classify.card import read_card  # sklearn-free, but only classifier studies need it
    from framing.classify.files import card_paths, model_path

    try:
        path = model_path(spec)
    except FramingError as exc:
        out["problem"] = str(exc)
        return out
    out["model_file"] = str(path)
    card_file = card_paths(path)[0]
    if not card_file.is_file():
        out["problem"] = f"no model card beside the model ({card_file.name}): retrain with `framing train`"
        return out
    out["card"] = card_summary(read_card(path), spec.tag.method)
    return out


def card_summary(card: dict[str, Any], method: str) -> dict[str, Any]:
    """The model card's fields a reader of the methods section needs, flattened for the template."""
    model, data = card.get("model", {}), card.get("training_data", {})
    thresholds = card.get("thresholds", {})
    if method == "ensemble" and card.get("ensemble"):
        thresholds = card["ensemble"].get("thresholds", thresholds)
    features = model.get("features", {})
    return {
        "classifier": model.get("classifier", model.get("family", "unknown")), "family": model.get("family"),
        "C": model.get("C"), "features": features, "thresholds": thresholds,
        "thresholds_tuned": card.get("thresholds_tuned"), "decoding": card.get("decoding", {}),
        "ensemble_score": (card.get("ensemble") or {}).get("score") if method == "ensemble" else None,
        "training": {"kind": data.get("kind"), "path": data.get("path"), "units": data.get("units"),
                     "label_counts": data.get("label_counts", {})},
        "codebook": card.get("codebook"), "created": card.get("created"), "seed": card.get("seed"),
        "folds": (card.get("selection") or {}).get("folds"), "sha256": card.get("sha256"),
    }


def corrected_table(study: Study, labels: dict[str, str], keep: set[str] | None = None) -> pd.DataFrame | None:
    """Raw beside corrected shares per outlet and frame (the aggregate stage's table), or None."""
    path = study.table("prevalence_corrected")
    if not path.is_file():
        return None
    table = study.read_frame("prevalence_corrected")
    if keep is not None:
        from framing.aggregate.corrected import ALL_OUTLETS

        table = table[table["outlet"].isin(keep | {ALL_OUTLETS})]
    table = table.assign(frame_label=table["frame"].map(lambda f: labels.get(f, f)))
    columns = ["outlet", "frame", "frame_label", "method", "units", "raw_share", "corrected_share", "ci_low",
               "ci_high", "tpr", "fpr", "validation_units", "note"]
    return table[columns].reset_index(drop=True)
