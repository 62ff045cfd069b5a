"""The runner: stage order, skip of an unchanged extract, and the run manifest.

Stage functions (collect.crawler, extract) do no path handling of their own; this module wires
them to the study folder through ``store.Study``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from framing import __version__
from framing.collect.frontier import Frontier
from framing.errors import FramingError
from framing.extract.articles import EXTRACT_LOGIC
from framing.runner.aggregate import aggregate_study
from framing.runner.collect import run_collect
from framing.runner.engine import Engine, open_engine
from framing.runner.extract import run_extract
from framing.runner.tag import tag_articles
from framing.study.config import Pipeline, codebook_digest, study_codebook
from framing.study.stages import STAGES, Progress
from framing.study.store import Study


@dataclass
class StageResult:
    stage: str
    skipped: bool = False
    seconds: float = 0.0
    counts: dict[str, Any] = field(default_factory=dict)


def run(spec: Pipeline, stages: list[str] | None = None, progress: Progress | None = None,
        force: bool = False, on_stage: Callable[[StageResult], None] | None = None) -> list[StageResult]:
    """Run the named stages (default: all) of a study in order.

    A stage whose inputs, parameters and code version are unchanged since its last run is
    skipped (its key is in manifest.json), unless ``force``. Collect always runs: it resumes
    what is queued and is a no-op when nothing is.

    Parameters
    ----------
    spec
        The validated pipeline.
    stages
        A subset of ``STAGES``; default all (collect and extract only if there is no codebook).
    progress
        Called as ``progress(stage, done, total)``.
    force
        Rerun stages even when unchanged.
    on_stage
        Called with each stage's result as soon as it is recorded, so a caller can report a
        stage's outcome even when a later stage fails.
    """
    chosen = stages or default_stages(spec)
    unknown = [s for s in chosen if s not in STAGES]
    if unknown:
        raise FramingError(f"unknown stage {unknown[0]!r}; stages are: {', '.join(STAGES)}")
    if spec.codebook and set(chosen) & {"tag", "aggregate", "report"}:
        study_codebook(spec)  # a broken codebook stops the run now, not after an hour of crawling
    study = Study(spec.workdir)
    report = progress or (lambda stage, done, total: None)
    results = []
    with ExitStack() as stack:
        engine = None
        for stage in STAGES:
            if stage not in chosen:
                continue
            key = stage_key(stage, spec, study)
            if key and not force and _last_key(study, stage) == key and _outputs_exist(study, stage):
                results.append(StageResult(stage, skipped=True, counts={"key": key}))
                continue
            on_engine = stage in ENGINE_STAGES or (stage == "collect" and any(s.kind == "warc" for s in spec.sources))
            if on_engine and engine is None:  # a cluster starts only when there is work for it
                engine = stack.enter_context(open_engine(spec.engine))
            started, migrated = time.perf_counter(), len(study.migrated())
            counts = STAGE_FUNCTIONS[stage](spec, study, report, engine)
            if study.migrated()[migrated:]:  # a table of an older study, now a partitioned dataset
                counts["migrated"] = ", ".join(study.migrated()[migrated:])
            result = StageResult(stage, counts={"key": key, **counts},
                                 seconds=round(time.perf_counter() - started, 2))
            results.append(result)
            _record(study, spec, result)
            if on_stage:
                on_stage(result)
    return results


ENGINE_STAGES = ("extract", "tag", "aggregate")  # the stages whose partitions run on the engine (and WARC imports)


def default_stages(spec: Pipeline) -> list[str]:
    """All stages; without a codebook the study ends with its article table."""
    return list(STAGES) if spec.codebook else ["collect", "extract"]


def stage_key(stage: str, spec: Pipeline, study: Study) -> str | None:
    """What a stage's output depends on, hashed; None for collect (always runs)."""
    if stage == "collect":
        return None
    if stage == "extract":
        with study.connect_state() as conn:
            inputs = Frontier(conn).fingerprint()
        return _hash([inputs, spec.extract.model_dump(), spec.filter.model_dump(mode="json"), spec.collect.max_bytes,
                      EXTRACT_LOGIC, __version__])
    previous = STAGES[STAGES.index(stage) - 1]
    upstream = _last_key(study, previous) or stage_key(previous, spec, study)
    params: dict[str, Any] = {"tag": spec.tag, "aggregate": spec.aggregate, "report": spec.report}
    extra = codebook_digest(spec) if stage == "tag" and spec.codebook else None
    if stage == "tag" and spec.tag.method != "rules":
        from framing.classify.files import model_path

        model = model_path(spec)   # a retrained model must relabel the corpus
        extra = [extra, str(model), _file_stamp(model)]
    if stage in ("aggregate", "report"):
        # validation and agreement come from other commands (evaluate, agree, train); new ones must show
        extra = [_file_stamp(study.table(name)) for name in _SIDE_INPUTS[stage]]
        if stage == "report" and spec.tag.method != "rules":
            extra.append(_model_card_stamp(spec))
    return _hash([upstream, params[stage].model_dump(mode="json"), extra, __version__])


_SIDE_INPUTS = {"aggregate": ["validation_labels"],
                "report": ["validation_scores", "agreement_per_variable", "prevalence_corrected"]}


def _file_stamp(path: Path) -> tuple[str, int, int] | None:
    if not path.is_file():
        return None
    stat = path.stat()
    return path.name, stat.st_size, stat.st_mtime_ns


def _model_card_stamp(spec: Pipeline) -> tuple[str, int, int] | None:
    from framing.classify.files import card_paths, model_path

    try:
        return _file_stamp(card_paths(model_path(spec))[0])
    except FramingError:
        return None


_OUTPUTS = {"extract": ["articles"], "tag": ["frame_hits", "article_frames", "quotes", "quote_frames",
                                  "actor_mentions"],
            "aggregate": ["prevalence_by_outlet"], "report": []}


def _outputs_exist(study: Study, stage: str) -> bool:
    if stage == "report":
        return (study.workdir / "report" / "index.html").is_file()
    return all(study.has_table(name) for name in _OUTPUTS.get(stage, []))


def run_report(spec: Pipeline, study: Study, progress: Progress, engine: Engine | None) -> dict[str, Any]:
    from framing.report.build import build_report  # altair/vl-convert load only when reporting

    return build_report(spec, study, progress)


STAGE_FUNCTIONS: dict[str, Callable[[Pipeline, Study, Progress, Engine | None], dict[str, Any]]] = {
    "collect": run_collect, "extract": run_extract, "tag": tag_articles, "aggregate": aggregate_study,
    "report": run_report,
}


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _last_key(study: Study, stage: str) -> str | None:
    return study.read_manifest().get("stages", {}).get(stage, {}).get("counts", {}).get("key")


def _record(study: Study, spec: Pipeline, result: StageResult) -> None:
    """Update manifest.json: what ran, when, with which parameters and software, and what it made."""
    manifest = study.read_manifest()
    manifest.update(
        title=spec.title, codebook=spec.codebook, pipeline=str(spec.path), framing=__version__,
        python=platform.python_version(),
        packages={p: _version(p) for p in ("trafilatura", "warcio", "httpx", "duckdb", "pyarrow", "py3langid",
                                             "spacy", "pandas", "scipy", "altair", "vl-convert-python")},
        parameters=spec.model_dump(mode="json", exclude={"path"}),
    )
    if not result.skipped:
        manifest.setdefault("stages", {})[result.stage] = {
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seconds": result.seconds, "counts": result.counts,
        }
    study.write_manifest(manifest)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
