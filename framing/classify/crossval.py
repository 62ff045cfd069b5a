"""Machine vs human on the same gold units, by k-fold cross-validation: classifier, rules, ensemble.

Every gold unit lands in exactly one test fold. For each fold the classifier is fit on the
other folds (its model choice and thresholds included, so nothing it is scored on was seen in
training) and labels the test fold. The rule tagger needs no training: it labels every unit
once, and its scores are on the same units. The three methods' labels are then scored against
gold with :func:`framing.evaluate.scores.score_table` (P/R/F1 with Wilson intervals, micro and
macro, Krippendorff's alpha).

The ensemble
------------
Score ``s = (p + r) / 2``, ``p`` the classifier's probability and ``r`` the rule indicator (1 when
the frame has at least ``min_hits`` non-negated hits), with a per-frame threshold ``t`` tuned for
F1 on the training folds' out-of-fold probabilities, like the classifier's own thresholds. With
one threshold this covers both classic combinations and lets the data choose per frame:

- ``t <= 0.5``: a rule hit alone assigns the frame (``p >= 2t - 1 <= 0``), and without one the
  classifier needs ``p >= 2t``: a *union* of rules and a classifier at threshold 2t;
- ``t > 0.5``: without a rule hit the frame is never assigned (``p >= 2t > 1``), with one the
  classifier must agree (``p >= 2t - 1``): an *intersection*, the rules as a veto.

Union or intersection fixed in advance would be right for some frames and wrong for others
(rules are precise but blind to paraphrase for some frames, broad for others); tuning ``t`` picks
per frame, on training data only. The classifier's decoding (e.g. at least one frame) applies
to the ensemble too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import KFold

from framing.classify.data import LabelledData
from framing.classify.model import FrameClassifier
from framing.classify.thresholds import decode, tune_thresholds
from framing.errors import TooFewExamplesError
from framing.evaluate.scores import score_table
from framing.study.codebook import Codebook
from framing.tag.rules import RuleTagger

METHODS = ("classifier", "rules", "ensemble")


@dataclass
class Validation:
    """Cross-validated scores of each method, and every unit's labels by method.

    Attributes
    ----------
    scores
        Long: ``method`` then the columns of :func:`~framing.evaluate.scores.score_table`.
    labels
        Long: ``unit, frame, gold`` and one 0/1 column per method evaluated.
    folds
        Number of folds.
    notes
        What was left out and why.
    """

    scores: pd.DataFrame
    labels: pd.DataFrame
    folds: int
    notes: list[str] = field(default_factory=list)

    def side_by_side(self, metrics: Sequence[str] = ("precision", "recall", "f1", "alpha")) -> pd.DataFrame:
        """Frames (then micro, macro) as rows; (method, metric) as columns."""
        order = list(dict.fromkeys(self.scores["frame"]))
        wide = self.scores.pivot(index="frame", columns="method", values=list(metrics))
        wide = wide.swaplevel(0, 1, axis=1)
        methods = [m for m in METHODS if m in set(self.scores["method"])]
        wide = wide.reindex(columns=pd.MultiIndex.from_product([methods, list(metrics)]))
        return wide.loc[order]


def rule_labels(texts: Sequence[str], languages: Sequence[str], codebook: Codebook, frames: Sequence[str],
                min_hits: int = 2) -> np.ndarray:
    """Units x frames 0/1: a unit carries a frame with at least ``min_hits`` non-negated pattern hits."""
    tagger = RuleTagger(codebook, min_hits=min_hits)
    column = {f: j for j, f in enumerate(frames)}
    out = np.zeros((len(texts), len(frames)), dtype=int)
    for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
        counts = np.zeros(len(frames), dtype=int)
        for hit in tagger.hits(text, language or codebook.languages[0]):
            if not hit.negated and hit.frame in column:
                counts[column[hit.frame]] += 1
        out[i] = counts >= min_hits
    return out


def ensemble_thresholds(model: FrameClassifier, rules: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per-frame thresholds of the ensemble score, tuned on the model's out-of-fold probabilities.

    Parameters
    ----------
    model
        A fitted classifier (its ``oof_proba_`` are on its training units).
    rules, truth
        Rule labels and gold of the same training units, units x frames.
    """
    return tune_thresholds((model.oof_proba_ + rules) / 2, truth, tuple(model.threshold_bounds))


def ensemble_labels(proba: np.ndarray, rules: np.ndarray, thresholds: np.ndarray, decoding: str) -> np.ndarray:
    """Units x frames 0/1 from classifier probabilities and rule labels: ``(p + r) / 2 >= t``, then ``decoding``."""
    return decode((proba + rules) / 2, thresholds, decoding)


def cross_validate(data: LabelledData, classifier: FrameClassifier | None = None, codebook: Codebook | None = None,
                   folds: int = 5, seed: int = 0, min_hits: int = 2, language: str = "en", level: float = 0.95,
                   progress: Callable[[int, int], None] | None = None) -> Validation:
    """k-fold cross-validated classifier, rules and ensemble against gold on the same units.

    Parameters
    ----------
    data
        Gold units and labels.
    classifier
        An unfitted classifier with its settings (default :class:`FrameClassifier` with ``cv=folds``);
        refit from scratch on each training split with ``random_state=seed``.
    codebook
        For the rule tagger and the ensemble; without it, or when a label is not one of its frames,
        only the classifier is evaluated (said in ``notes``).
    folds
        Outer folds.
    seed
        Seed of the outer folds and of the classifier.
    min_hits
        Rule tagger: non-negated hits for a frame (the study's ``tag.min_hits``).
    language
        Language of units whose language is unknown.
    level
        Confidence level of the intervals.
    progress
        Called with ``(folds done, folds)`` after each outer fold.

    Returns
    -------
    Validation
    """
    names = [str(c) for c in data.labels.columns]
    truth = data.labels.to_numpy().astype(int)
    if not 2 <= folds <= len(data.texts):
        raise TooFewExamplesError(f"{folds}-fold cross-validation needs at least {folds} units; there are "
                           f"{len(data.texts)}")
    base = clone(classifier) if classifier is not None else FrameClassifier(cv=folds)
    base.set_params(random_state=seed)
    notes: list[str] = []
    rules = _rules_or_none(data, codebook, names, min_hits, language, notes)
    predicted = {"classifier": np.zeros_like(truth)}
    if rules is not None:
        predicted.update(rules=rules, ensemble=np.zeros_like(truth))
    for done, (train, test) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(data.texts), 1):
        fitted = clone(base).fit([data.texts[i] for i in train], data.labels.iloc[train])
        proba = fitted.predict_proba([data.texts[i] for i in test])
        predicted["classifier"][test] = decode(proba, fitted.thresholds_, fitted.decoding_)
        if rules is not None:
            combined = ensemble_thresholds(fitted, rules[train], truth[train])
            predicted["ensemble"][test] = ensemble_labels(proba, rules[test], combined, fitted.decoding_)
        if progress:
            progress(done, folds)
    scores = pd.concat([score_table(truth, labels, names, level).assign(method=method)
                        for method, labels in predicted.items()], ignore_index=True)
    scores = scores[["method", *[c for c in scores.columns if c != "method"]]]
    units = data.units["unit_id"].astype(str).tolist()
    long = pd.DataFrame({"unit": np.repeat(units, len(names)), "frame": np.tile(names, len(units)),
                         "gold": truth.ravel()})
    for method, labels in predicted.items():
        long[method] = labels.ravel()
    return Validation(scores, long, folds, notes)


def _rules_or_none(data: LabelledData, codebook: Codebook | None, names: list[str], min_hits: int, language: str,
                   notes: list[str]) -> np.ndarray | None:
    if codebook is None:
        notes.append("rules and ensemble not evaluated: no codebook")
        return None
    outside = [n for n in names if n not in codebook.frame_ids]
    if outside:
        notes.append(f"rules and ensemble not evaluated: labels {', '.join(outside)} are not frames of "
                     f"codebook {codebook.label}")
        return None
    return rule_labels(data.texts, unit_languages(data, language), codebook, names, min_hits)


def unit_languages(data: LabelledData, default: str) -> list[str]:
    """Each unit's language, ``default`` where unknown."""
    if "language" not in data.units.columns:
        return [default] * len(data.texts)
    return data.units["language"].fillna(default).replace("", default).tolist()
