"""``framing train``: fit a frame classifier on a study's gold or a labelled file, and save it with its card."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from framing.api.common import Notify, as_pipeline, quiet
from framing.classify.data import load_labelled
from framing.classify.files import default_model_path
from framing.classify.gold import study_labelled
from framing.classify.train import Trained, save
from framing.classify.train import train as fit
from framing.errors import FramingError
from framing.study.config import Pipeline, study_codebook


@dataclass
class Training:
    """A trained and saved model, and what it was trained on.

    Attributes
    ----------
    trained
        The model, its card (``trained.card``: data, selection, thresholds, cross-validated
        scores) and where both were written (``trained.model_path``, ``trained.card_paths``).
    gold
        Which labelled units it learned from, in words.
    folds, seed
        Of the cross-validation that chose the model and its thresholds.
    """

    trained: Trained
    gold: str
    folds: int
    seed: int


def train(pipeline: Pipeline | str | Path | None = None, *, from_file: str | Path | None = None,
          gold: str | Path | None = None, text: str = "text", labels: str | None = None, sep: str | None = None,
          multiclass: bool = False, out: str | Path | None = None, folds: int | None = None,
          seed: int | None = None, decoding: str | None = None, drop_rare: bool = False,
          embeddings: bool | None = None, progress: Callable[[int, int], None] | None = None,
          notify: Notify = quiet) -> Training:
    """Train a frame classifier (TF-IDF + linear model, chosen and thresholded by cross-validation).

    Parameters
    ----------
    pipeline
        A study: trains on its gold (:func:`framing.classify.gold.study_labelled`) unless
        ``from_file`` is given; its ``train:`` settings are the defaults.
    from_file, text, labels, sep, multiclass
        A labelled CSV, TSV or JSONL file and how it holds its labels (see
        :func:`framing.classify.data.load_labelled`).
    gold
        With a study: a gold CSV (url or path, frames) instead of the study's own gold.
    out
        Model file (.skops) or folder; default ``<study>/models/frames-<date>/``.
    folds, seed, decoding, embeddings
        Override the study's ``train:`` settings (else 5, 0, auto, off).
    drop_rare
        Leave out labels with too few examples instead of stopping.
    progress
        Called with ``(steps done, steps)`` while the model is chosen and fitted.
    notify
        Told what the model is trained on, before training starts.
    """
    if pipeline is None and from_file is None:
        raise FramingError("nothing to train on: give a study (framing train PIPELINE) or a labelled file "
                           "(framing train --from FILE --labels ...)")
    if gold is not None and (from_file is not None or pipeline is None):
        raise FramingError("--gold labels a study's articles: give the study (framing train PIPELINE --gold FILE)")
    if from_file is None and (labels or sep or multiclass):
        raise FramingError("--labels, --sep and --multiclass describe a --from file; a study's gold table "
                           "is labelled with its codebook's frames")
    spec = as_pipeline(pipeline) if pipeline is not None else None
    book = study_codebook(spec) if spec is not None and spec.codebook else None
    settings = spec.train if spec is not None else None
    folds = folds if folds is not None else settings.folds if settings else 5
    seed = seed if seed is not None else settings.seed if settings else 0
    decoding = decoding or (settings.decoding if settings else "auto")
    embeddings = embeddings if embeddings is not None else bool(settings and settings.embeddings)
    minimum = max(5, folds)
    if from_file is not None:
        data = load_labelled(from_file, text=text, labels=labels, sep=sep, multiclass=multiclass,
                             min_examples=minimum, drop_rare=drop_rare)
    else:
        data = study_labelled(spec, min_examples=minimum, drop_rare=drop_rare, gold_file=str(gold) if gold else None,
                              book=book)
    where = data.source.get("label") or f"{data.source['path']} ({len(data.texts)} units)"
    notify(f"Training on {where}: {len(data.labels.columns)} labels, {folds}-fold cross-validation, seed {seed} ...")
    trained = fit(data, folds=folds, seed=seed, decoding=decoding, codebook=book,
                  min_hits=spec.tag.min_hits if spec is not None else 2, embeddings=embeddings, progress=progress)
    save(trained, default_model_path(spec.workdir if spec is not None else None, out))
    return Training(trained, where, folds, seed)
