"""``framing run``: a study's stages in order, with what a reader needs to find the results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from framing.aggregate.queries import FunnelRow, funnel
from framing.api.common import as_pipeline
from framing.runner import StageResult
from framing.runner import run as run_stages
from framing.study.config import Pipeline
from framing.study.stages import Progress
from framing.study.store import Study


@dataclass
class RunOutcome:
    """What a run did and where it left it.

    Attributes
    ----------
    stages
        One result per stage run or skipped, in order.
    workdir
        The study folder.
    funnel
        Coverage per outlet (discovered, fetched, articles, ...) after the run.
    report
        ``report/index.html`` when the study has one.
    """

    stages: list[StageResult]
    workdir: Path
    funnel: list[FunnelRow]
    report: Path | None


def run(pipeline: Pipeline | str | Path, stages: list[str] | None = None, force: bool = False,
        progress: Progress | None = None, on_stage: Callable[[StageResult], None] | None = None,
        engine: str | None = None, scheduler: str | None = None) -> RunOutcome:
    """Run a study's stages (default all) in order; a rerun resumes and skips what is up to date.

    Parameters
    ----------
    pipeline
        The study's YAML file, or a loaded :class:`~framing.study.config.Pipeline`.
    stages, force, progress, on_stage
        As in :func:`framing.runner.order.run`.
    engine, scheduler
        Override the study's ``engine`` (``local`` or ``dask``) and ``engine.scheduler`` (a
        running Dask scheduler's address; a scheduler implies ``dask``).
    """
    spec = as_pipeline(pipeline)
    if engine or scheduler:
        settings = spec.engine.model_copy(update={"name": engine or "dask", "scheduler": scheduler})
        spec = spec.model_copy(update={"engine": settings})
    results = run_stages(spec, stages, progress=progress, force=force, on_stage=on_stage)
    return outcome_of(spec, results)


def outcome_of(spec: Pipeline, results: list[StageResult]) -> RunOutcome:
    """The outcome object of stages already run on ``spec``'s study."""
    report = spec.workdir / "report" / "index.html"
    return RunOutcome(results, spec.workdir, funnel(Study(spec.workdir)), report if report.is_file() else None)
