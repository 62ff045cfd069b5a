"""The analysis stages wired to the study folder: tag (rules), aggregate (statistics).

The stage logic lives in taggers.rules and aggregate; this module reads and writes tables.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from framing.aggregate import association, dominant_frames, js_distances, outlet_map, prevalence, profiles
from framing.classify.corrected import correct_study
from framing.codebook import Codebook, load_codebook, resolve
from framing.config import Pipeline
from framing.errors import FramingError
from framing.records import ARTICLE_FRAME_SCHEMA, FRAME_HIT_SCHEMA
from framing.stages import Progress
from framing.store import Study
from framing.summary import funnel
from framing.taggers.rules import RuleTagger

TAGGED_STATUSES = ("ok", "duplicate")


def study_codebook(spec: Pipeline) -> Codebook:
    if not spec.codebook:
        raise FramingError(f"{spec.path}: the tag stage needs `codebook:` (a bundled name such as social-credit, "
                           "or a path to a codebook YAML)")
    return load_codebook(spec.codebook, base=spec.path.parent if spec.path else None)


def codebook_digest(spec: Pipeline) -> str:
    path = resolve(spec.codebook, base=spec.path.parent if spec.path else None)
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def tag_articles(spec: Pipeline, study: Study, progress: Progress) -> dict[str, Any]:
    """Tag every in-scope article (``ok`` and ``duplicate``), streaming in batches."""
    if not study.table("articles").is_file():
        raise FramingError("no articles to tag yet: run the extract stage first")
    codebook = study_codebook(spec)
    tagger = RuleTagger(codebook, min_hits=spec.tag.min_hits)
    machine = None
    if spec.tag.method != "rules":
        from framing.classify.tagging import MachineTagger

        machine = MachineTagger.load(spec, codebook.frame_ids)
    # pre_buffer=False: with pyarrow's default pre-buffering, iter_batches keeps the raw column
    # chunks of every row group read so far (the text column: about a third of the corpus) until
    # the iterator ends, so memory grew with the number of articles (pyarrow 26).
    source = pq.ParquetFile(study.table("articles"), pre_buffer=False)
    total = study.query(f"SELECT count(*) FROM articles WHERE status IN {TAGGED_STATUSES}").fetchone()[0]
    done = 0
    columns = ["article_id", "outlet", "language", "text", "published", "status"]
    with study.table_writer("frame_hits", FRAME_HIT_SCHEMA) as hits_out, \
            study.table_writer("article_frames", ARTICLE_FRAME_SCHEMA) as frames_out:
        for batch in source.iter_batches(batch_size=256, columns=columns):
            articles = [a for a in batch.to_pylist() if a["status"] in TAGGED_STATUSES]
            hit_rows, frame_rows = [], []
            for hits, frames in tagger.tag_all(articles):
                hit_rows += hits
                frame_rows += frames
            if machine is not None:
                machine.relabel(articles, frame_rows)
            hits_out.write(hit_rows)
            frames_out.write(frame_rows)
            done += len(articles)
            progress("tag", done, total)
    counts = {"codebook": codebook.label, "method": spec.tag.method, "articles": done, "hits": hits_out.count,
              "min_hits": spec.tag.min_hits}
    if machine is not None:
        counts["model"] = str(machine.path)
    return counts


def load_frames(study: Study, duplicates: str, period: str) -> pd.DataFrame:
    """Article x frame rows joined with each article's status and period, per the duplicates option."""
    statuses = ("ok", "duplicate") if duplicates == "per_outlet" else ("ok",)
    fmt = "%Y" if period == "year" else "%Y-%m"
    frames = study.query(
        f"SELECT f.article_id, f.outlet, f.frame, f.present, f.dominant, f.sentence_share, f.hits, "
        f"strftime(a.published, '{fmt}') AS period FROM article_frames f JOIN articles a USING (article_id) "
        f"WHERE a.status IN {statuses}").df()
    for column in ("outlet", "frame", "period"):
        frames[column] = frames[column].astype("category")
    return frames


def aggregate_study(spec: Pipeline, study: Study) -> dict[str, Any]:
    """Write the outlet x frame tables that the report charts."""
    if not study.table("article_frames").is_file():
        raise FramingError("nothing to aggregate yet: run the tag stage first")
    options = spec.aggregate
    frames = load_frames(study, options.duplicates, options.period)
    if frames.empty:
        raise FramingError("no relevant articles to aggregate: check the funnel (`framing articles`)")
    by_outlet = prevalence(frames, ["outlet"], level=options.level)
    by_period = prevalence(frames.dropna(subset=["period"]), ["outlet", "period"], level=options.level)
    overall = prevalence(frames.assign(all="all"), ["all"], level=options.level).drop(columns="all")
    study.write_frame("prevalence_by_outlet", by_outlet)
    study.write_frame("prevalence_by_period", by_period)
    study.write_frame("prevalence_overall", overall)
    summary: dict[str, Any] = {"articles": int(frames["article_id"].nunique()), "duplicates": options.duplicates}
    try:
        test = association(dominant_frames(frames))
        study.write_frame("association_cells", test.cells)
        summary.update(chi2=test.chi2, dof=test.dof, p_value=test.p_value, cramers_v=test.cramers_v,
                       association=test.sentence(), dominant_n=test.n)
    except ValueError as exc:
        summary["association"] = f"not computed: {exc}"
    distances = js_distances(profiles(by_outlet))
    study.write_frame("outlet_distances", distances)
    study.write_frame("outlet_map", outlet_map(distances))
    study.write_frame("funnel", pd.DataFrame([row.__dict__ for row in funnel(study)]))
    summary.update(correct_study(spec, study, frames))
    return summary

