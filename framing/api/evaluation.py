"""``framing evaluate``: the machine's labels against the study's gold.

The rule tagger's labels from the tag stage are scored on every gold unit; the classifier and
the ensemble (and the rules again, on the same folds) by k-fold cross-validation. All against
the one gold of :func:`framing.classify.gold.study_labelled`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from framing.aggregate.statistics import wilson_interval
from framing.annotate.project import coders_alpha
from framing.api.common import Notify, as_pipeline, quiet
from framing.classify.card import read_card
from framing.classify.crossval import Validation, cross_validate
from framing.classify.files import model_path
from framing.classify.gold import gold_rows, study_labelled
from framing.classify.model import FrameClassifier
from framing.discourse.evaluation import load_marked, score_study_quotes
from framing.errors import FramingError, TooFewExamplesError
from framing.evaluate.reliability import low_alpha_frames
from framing.evaluate.scores import compare
from framing.study.codebook import Codebook
from framing.study.config import Pipeline, study_codebook
from framing.study.store import Study
from framing.study.tables import ARTICLES


@dataclass
class Evaluation:
    """Scores of the study's machine labels against its gold, and where they were written.

    Attributes
    ----------
    gold
        Which gold, in words (the coders' table, or a gold file, with its number of units).
    rules
        With ``rules_only`` (or when there is too little gold to cross-validate): the tag stage's
        labels scored on every gold unit (:func:`framing.evaluate.scores.score_table` columns).
    validation
        Otherwise: the cross-validated scores and per-unit labels of each method.
    not_cross_validated
        Why the classifier and ensemble were not evaluated, when they were not.
    how
        How the classifier was set up in the folds.
    dropped
        Frames left out of cross-validation for too few gold examples.
    flagged
        Per method, frames whose machine-gold alpha is below the study's ``evaluate.alpha_threshold``
        (or not estimable).
    coders_alpha
        The coders' alpha per frame, from ``framing agree``, to read beside the machine's.
    quotes
        The tag stage's quotations against the study's ``quotes_gold`` manifest: one row per
        group (``all``, ``language:<code>``, ``outlet:<name>``) with counts, precision and recall
        (Wilson intervals), speaker and actor accuracy; None without a manifest.
    written
        The tables written.
    frame_labels
        Each frame id's label in the codebook, for display.
    """

    gold: str
    folds: int
    threshold: float
    method: str
    frame_labels: dict[str, str] = field(default_factory=dict)
    rules: pd.DataFrame | None = None
    validation: Validation | None = None
    not_cross_validated: str | None = None
    how: str = ""
    dropped: list[dict] = field(default_factory=list)
    flagged: dict[str, list[str]] = field(default_factory=dict)
    coders_alpha: dict[str, float] = field(default_factory=dict)
    quotes: pd.DataFrame | None = None
    written: list[Path] = field(default_factory=list)


def evaluate(pipeline: Pipeline | str | Path, gold: str | Path | None = None, folds: int | None = None,
             rules_only: bool = False, nested: bool = False, progress: Callable[[int, int], None] | None = None,
             notify: Notify = quiet, quotes_gold: str | Path | None = None) -> Evaluation:
    """Score the machine against the study's gold.

    Parameters
    ----------
    pipeline
        The study's YAML file, or a loaded pipeline.
    gold
        A gold CSV (url or path, frames) instead of the study's gold.
    folds
        k of the cross-validation (default ``evaluate.folds``).
    rules_only
        Only the tag stage's labels (no training).
    nested
        Choose the model family and C anew inside every fold; default: take them from the
        trained model when there is one.
    progress
        Called with ``(folds done, folds)``.
    notify
        Told which gold is used, and why the models were not evaluated when they were not.
    quotes_gold
        A manifest of marked quotations instead of the study's ``quotes_gold``.

    Returns
    -------
    Evaluation
        ``tables/validation_scores`` (.parquet and .csv) and ``validation_labels`` are written by
        cross-validation; ``tables/evaluation.csv`` by the rules' scores; ``tables/quote_scores.csv``
        and ``tables/quote_errors.csv`` (each missed, spurious or misattributed quotation) by the
        quotes' scores.
    """
    spec = as_pipeline(pipeline)
    study = Study(spec.workdir)
    book = study_codebook(spec)
    if not study.has_table("articles"):
        raise FramingError(f"no articles yet: run `framing run {spec.path or 'PIPELINE'}` first")
    result = Evaluation(gold="", folds=folds or spec.evaluate.folds, threshold=spec.evaluate.alpha_threshold,
                        method=spec.tag.method, coders_alpha=coders_alpha(study),
                        frame_labels={f.id: f.label for f in book.frames})
    marked = quotes_gold or spec.quotes_gold
    if marked:
        _score_quotes(spec, study, Path(marked), result)
        if not (gold or spec.gold or study.has_table("gold")):
            notify("Frames not evaluated: the study has no frame gold (`gold:`, or the coders' gold table).")
            return result
    if not rules_only:
        try:
            _cross_validate(spec, study, book, gold, nested, result, progress, notify)
            return result
        except TooFewExamplesError as exc:  # too little gold to cross-validate: the rules need no training
            result.not_cross_validated = str(exc)
            notify(f"Classifier and ensemble not evaluated: {exc}")
    _score_rules(spec, study, book, gold, result)
    return result


def _cross_validate(spec: Pipeline, study: Study, book: Codebook, gold: str | Path | None, nested: bool,
                    result: Evaluation, progress: Callable[[int, int], None] | None, notify: Notify) -> None:
    k = result.folds
    data = study_labelled(spec, min_examples=k, drop_rare=True, gold_file=str(gold) if gold else None, book=book)
    result.dropped = list(data.source.get("dropped", []))
    classifier, result.how = FrameClassifier(cv=k), "model family and C chosen inside every fold"
    card = None
    if not nested:
        with suppress(FramingError):   # no trained model yet: the family and C are chosen inside every fold
            card = read_card(model_path(spec))
    if card:
        family, c = card["model"]["family"], card["model"]["C"]
        classifier = FrameClassifier(cv=k, models=(family,), Cs=(c,))
        result.how = f"{family}, C = {c} as in the trained model; thresholds tuned inside every fold"
    result.gold = data.source["label"]
    notify(f"Gold: {result.gold}. Cross-validating ({k} folds; {result.how}) ...")
    validation = cross_validate(data, classifier, codebook=book, folds=k, seed=spec.train.seed,
                                min_hits=spec.tag.min_hits, language=book.languages[0], progress=progress)
    result.validation = validation
    result.flagged = low_alpha_frames(validation.scores, result.threshold)
    # the report must say whose labels the machine was checked against: coders', or a file's
    validation.scores["gold"] = "coders" if data.source.get("kind") == "gold" else "file"
    validation.scores["gold_label"] = data.source["label"]
    result.written += [study.write_frame("validation_scores", validation.scores, csv=True),
                       study.write_frame("validation_labels", validation.labels)]


def _score_rules(spec: Pipeline, study: Study, book: Codebook, gold: str | Path | None, result: Evaluation) -> None:
    """The study's tag stage output against the same gold as the models, on any number of units."""
    if not study.has_table("article_frames"):
        raise FramingError(f"no frame labels yet: run `framing run {spec.path or 'PIPELINE'}` first")
    data = study_labelled(spec, min_examples=0, gold_file=str(gold) if gold else None, book=book)
    result.gold = data.source["label"]
    predicted = study.query("SELECT a.url, f.frame, f.present FROM article_frames f JOIN articles a "
                            "USING (article_id)").df()
    result.rules = compare(predicted, gold_rows(data), book.frame_ids)
    result.flagged = low_alpha_frames(result.rules.assign(method=spec.tag.method), result.threshold)
    result.written.append(study.write_csv("evaluation", result.rules))


def _score_quotes(spec: Pipeline, study: Study, marked: Path, result: Evaluation) -> None:
    """The tag stage's quotations against a manifest of marked ones (:mod:`framing.discourse.evaluation`)."""
    if not study.has_table("quotes"):
        raise FramingError(f"no quotations yet: run the tag stage (`framing run {spec.path or 'PIPELINE'}`)")
    articles = study.query(f"SELECT article_id, url, outlet, language FROM articles WHERE status IN {ARTICLES} "
                           "ORDER BY article_id").df().to_dict("records")
    quotes = (row for batch in study.iter_batches("quotes", ["article_id", "text", "speaker", "resolved", "actor"])
              for row in batch.to_pylist())
    scores = score_study_quotes(articles, quotes, load_marked(marked))
    level = spec.aggregate.level
    rows = []
    order = sorted(scores, key=lambda g: (g != "all", not g.startswith("language:"), g))  # all, languages, outlets
    for group, s in ((g, scores[g]) for g in order):
        p_low, p_high = wilson_interval(np.array([s.correct]), np.array([s.found]), level)
        r_low, r_high = wilson_interval(np.array([s.matched]), np.array([s.expected]), level)
        rows.append({"group": group, "marked": s.expected, "found": s.found, "matched": s.matched,
                     "correct": s.correct, "precision": s.precision, "precision_low": p_low[0],
                     "precision_high": p_high[0], "recall": s.recall, "recall_low": r_low[0], "recall_high": r_high[0],
                     "speaker_accuracy": s.speaker_accuracy, "actor_accuracy": s.actor_accuracy,
                     "actors_marked": s.actors_expected})
    result.quotes = pd.DataFrame(rows)
    result.quotes.attrs["manifest"] = str(marked)
    result.written.append(study.write_csv("quote_scores", result.quotes))
    every = scores["all"]
    errors = [{"error": kind, **case} for kind, cases in (("missed", every.missed), ("spurious", every.spurious),
                                                          ("wrong speaker", every.wrong_speaker)) for case in cases]
    columns = ["error", "outlet", "url", "says", "text", "speaker", "found", "actor", "direct"]
    result.written.append(study.write_csv("quote_errors", pd.DataFrame(errors, columns=columns)))
