"""The tag stage with a trained classifier: ``tag: method: classifier`` or ``ensemble``.

The rule tagger always runs (its hits are the report's evidence sentences); with a classifier
the *presence* of each frame comes from the model instead: its probability against its tuned
threshold, or, for the ensemble, ``(probability + rule indicator) / 2`` against the ensemble
thresholds stored in the model card (see :mod:`framing.classify.crossval`). The dominant frame
is the present frame with the highest score.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from framing.classify.card import read_card
from framing.classify.crossval import ensemble_labels
from framing.classify.files import model_path
from framing.classify.model import FrameClassifier
from framing.classify.persist import load_model
from framing.classify.thresholds import decode
from framing.errors import FramingError
from framing.study.config import Pipeline


@dataclass
class MachineTagger:
    """A loaded classifier (and, for the ensemble, its thresholds) that labels batches of articles."""

    model: FrameClassifier
    method: str
    path: Path
    ensemble_thresholds: np.ndarray | None = None

    @classmethod
    def load(cls, spec: Pipeline, frame_ids: list[str]) -> MachineTagger:
        path = model_path(spec)
        model = load_model(path)
        classes = [str(c) for c in model.classes_]
        foreign = [c for c in classes if c not in frame_ids]
        if foreign:
            raise FramingError(f"{path} was trained on labels {foreign} that are not frames of the codebook "
                               f"({', '.join(frame_ids)}): train it on this study's gold labels")
        thresholds = None
        if spec.tag.method == "ensemble":
            card = read_card(path) or {}
            ensemble = card.get("ensemble")
            if not ensemble:
                raise FramingError(f"{path}'s model card has no ensemble thresholds: train it with the study's "
                                   "codebook (`framing train PIPELINE`)")
            thresholds = np.array([ensemble["thresholds"][f] for f in classes])
        return cls(model, spec.tag.method, path, thresholds)

    @property
    def frames(self) -> list[str]:
        """The frames the model labels; any other codebook frame keeps the rule tagger's label."""
        return [str(c) for c in self.model.classes_]

    def relabel(self, articles: list[dict[str, Any]], frame_rows: list[dict[str, Any]]) -> None:
        """Set ``present``, ``dominant`` and ``score`` of the rule tagger's article x frame rows in place.

        Frames the model was not trained on (too few gold examples) keep the rules' labels; the
        dominant frame is the model's best-scoring present frame, or the rules' when the model
        assigns none.
        """
        if not articles:
            return
        frames = self.frames
        proba = self.model.predict_proba([a["text"] or "" for a in articles])
        rows = {(r["article_id"], r["frame"]): r for r in frame_rows}
        by_article: dict[str, list[dict[str, Any]]] = {}
        for row in frame_rows:
            by_article.setdefault(row["article_id"], []).append(row)
        if self.method == "ensemble":
            rules = np.array([[int(rows[(a["article_id"], f)]["present"]) for f in frames] for a in articles])
            scores = (proba + rules) / 2   # ranks the present frames for the dominant one
            labels = ensemble_labels(proba, rules, self.ensemble_thresholds, self.model.decoding_)
        else:
            scores = proba
            labels = decode(proba, self.model.thresholds_, self.model.decoding_)
        for i, article in enumerate(articles):
            present = labels[i].astype(bool)
            if present.any():
                for row in by_article[article["article_id"]]:
                    row["dominant"] = False
            best = int(np.argmax(np.where(present, scores[i], -1))) if present.any() else -1
            for j, frame in enumerate(frames):
                row = rows[(article["article_id"], frame)]
                row.update(present=bool(present[j]), score=float(scores[i, j]))
                if best >= 0:
                    row["dominant"] = j == best
