"""``framing agree``: inter-coder agreement of a study's coders, and which frames are not yet reliable."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from framing.annotate.agreement import FRAME, Agreement, compute_agreement
from framing.annotate.project import annotation_db, coder_judgements
from framing.api.common import as_pipeline
from framing.evaluate.reliability import alpha_verdict
from framing.study.config import Pipeline, study_codebook
from framing.study.store import Study


@dataclass
class AgreementOutcome:
    """Agreement statistics and the verdict on each frame.

    Attributes
    ----------
    agreement
        Per variable, coder pair and coder (:class:`framing.annotate.agreement.Agreement`).
    threshold
        Alpha below which a frame is not reliable enough to report.
    weak
        Frames whose alpha is below ``threshold``.
    not_estimable
        Frames without variation: every unit got the same answer, so alpha is undefined.
    flagged_coders
        Coders well below the rest.
    written
        The tables written (``tables/agreement_*.parquet`` and ``.csv``).
    """

    agreement: Agreement
    threshold: float
    weak: list[str] = field(default_factory=list)
    not_estimable: list[str] = field(default_factory=list)
    flagged_coders: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def agree(pipeline: Pipeline | str | Path, boot: int = 1000, seed: int = 0, threshold: float | None = None
          ) -> AgreementOutcome:
    """Krippendorff's alpha (with a bootstrap interval), Cohen's and Fleiss' kappa, each coder against the rest.

    Parameters
    ----------
    pipeline
        The study's YAML file, or a loaded pipeline.
    boot, seed
        Bootstrap resamples for alpha's interval, and their seed.
    threshold
        Alpha below which a frame is flagged; default the study's ``evaluate.alpha_threshold`` (0.667,
        Krippendorff's lowest tentative level), the threshold ``framing evaluate`` and the report use.
    """
    spec = as_pipeline(pipeline)
    threshold = spec.evaluate.alpha_threshold if threshold is None else threshold
    book = study_codebook(spec)
    agreement = compute_agreement(coder_judgements(annotation_db(spec)), book.frame_ids, n_boot=boot, seed=seed)
    study = Study(spec.workdir)
    outcome = AgreementOutcome(agreement, threshold, flagged_coders=agreement.flagged_coders())
    for name, frame in agreement.to_frames().items():
        outcome.written.append(study.write_frame(f"agreement_{name}", frame, csv=True))
    frames = agreement.per_variable[agreement.per_variable["kind"] == FRAME]
    for variable, alpha in zip(frames["variable"], frames["alpha"], strict=True):
        verdict = alpha_verdict(alpha, threshold)
        if verdict == "low":
            outcome.weak.append(str(variable))
        elif verdict == "not estimable":
            outcome.not_estimable.append(str(variable))
    return outcome
