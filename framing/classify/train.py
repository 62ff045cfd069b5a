"""Training end to end: labelled data -> fitted classifier + model card -> files.

The library behind ``framing train``: no printing, no exiting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.classify.card import build_card, write_card
from framing.classify.data import LabelledData
from framing.classify.model import DEFAULT_CS, MODELS, FrameClassifier
from framing.classify.persist import save_model
from framing.study.codebook import Codebook


@dataclass
class Trained:
    """A fitted classifier, its card, and where they were written (once saved)."""

    model: FrameClassifier
    card: dict[str, Any]
    model_path: Path | None = None
    card_paths: tuple[Path, Path] | None = None


def train(data: LabelledData, folds: int = 5, seed: int = 0, decoding: str = "auto",
          models: Sequence[str] = MODELS, Cs: Sequence[float] = DEFAULT_CS,  # noqa: N803
          codebook: Codebook | None = None, min_hits: int = 2, n_jobs: int | None = 1,
          embeddings: bool = False, progress: Callable[[int, int], None] | None = None) -> Trained:
    """Fit a :class:`FrameClassifier` on labelled data and describe it in a model card.

    Parameters
    ----------
    data
        From :func:`~framing.classify.data.load_labelled` or :func:`~framing.classify.gold.load_gold_table`.
    folds
        Cross-validation folds for model choice and thresholds.
    seed
        Seed of the folds and of the SVM.
    decoding
        ``auto``, ``thresholds``, ``at_least_one`` or ``one`` (multi-class data).
    models, Cs
        The grid of model families and regularisation strengths.
    codebook
        The study's codebook, recorded in the card when the labels are its frames; then the
        ensemble with the rule tagger is tuned too (its thresholds go in the card, for
        ``tag: method: ensemble``).
    min_hits
        The rule tagger's ``tag.min_hits``, for the ensemble.
    n_jobs
        Parallel folds.
    embeddings
        Add sentence-embedding features (the ``framing[embeddings]`` extra).
    progress
        Called with ``(steps done, steps)``: the search's folds, then the final fit.

    Returns
    -------
    Trained
        Not yet saved: see :func:`save`.
    """
    if data.source.get("label_format") == "multiclass" and decoding == "auto":
        decoding = "one"
    model = FrameClassifier(models=tuple(models), Cs=tuple(Cs), cv=folds, decoding=decoding, random_state=seed,
                            n_jobs=n_jobs, embeddings=embeddings).fit(data.texts, data.labels, progress=progress)
    if codebook is not None and not set(model.classes_) <= set(codebook.frame_ids):
        codebook = None  # labels from elsewhere: the study's codebook does not describe them
    card = build_card(model, data, codebook)
    if codebook is not None:
        card["ensemble"] = _ensemble(model, data, codebook, min_hits)
    return Trained(model, card)


def _ensemble(model: FrameClassifier, data: LabelledData, codebook: Codebook, min_hits: int) -> dict[str, Any]:
    """The rules + classifier ensemble's thresholds on this training data (see framing.classify.crossval)."""
    from framing.classify.crossval import ensemble_thresholds, rule_labels, unit_languages

    names = [str(c) for c in model.classes_]
    rules = rule_labels(data.texts, unit_languages(data, codebook.languages[0]), codebook, names, min_hits)
    thresholds = ensemble_thresholds(model, rules, data.labels.to_numpy())
    return {"score": "(classifier probability + rule indicator) / 2 >= threshold", "min_hits": min_hits,
            "thresholds": {n: float(t) for n, t in zip(names, thresholds, strict=True)},
            "decoding": model.decoding_}


def save(trained: Trained, model_path: str | Path) -> Trained:
    """Write the model (skops) and its card (``.card.json`` and ``.card.md``) beside it."""
    model_path = Path(model_path)
    digest = save_model(trained.model, model_path)
    trained.card.update(model_file=model_path.name, sha256=digest)
    trained.model_path = model_path
    trained.card_paths = write_card(trained.card, model_path)
    return trained


