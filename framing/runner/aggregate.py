"""The aggregate stage wired to the study folder: frame labels in, the report's statistics tables out.

The statistics are :mod:`framing.aggregate`'s; this module chooses the rows, names the tables and
writes them through the study store.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pandas as pd

from framing.aggregate.corrected import corrected_shares
from framing.aggregate.queries import FunnelRow, funnel, story_key
from framing.aggregate.statistics import association, dominant_frames, js_distances, outlet_map, prevalence, profiles
from framing.errors import FramingError
from framing.study.config import Pipeline
from framing.study.store import Study
from framing.study.tables import ARTICLES

CORRECTED = "prevalence_corrected"


def load_frames(study: Study, duplicates: str, period: str) -> pd.DataFrame:
    """Article x frame rows with each article's period, one article per story as ``duplicates`` says.

    A story is a cluster of exact and near copies (``cluster_id``, set by the extract stage).
    ``per_outlet`` keeps each outlet's first copy of a story, ``once`` the story's first copy
    in all; either way, an outlet's two copies of one story count once.
    """
    fmt = "%Y" if period == "year" else "%Y-%m"
    story = story_key(study)
    per = f"{story}, outlet" if duplicates == "per_outlet" else story
    frames = study.query(
        f"WITH counted AS (SELECT article_id, published FROM (SELECT article_id, published, row_number() OVER "
        f"(PARTITION BY {per} ORDER BY published NULLS LAST, url, article_id) AS nth FROM articles "
        f"WHERE status IN {ARTICLES}) WHERE nth = 1) "
        f"SELECT f.article_id, f.outlet, f.frame, f.present, f.dominant, f.sentence_share, f.hits, "
        f"strftime(c.published, '{fmt}') AS period FROM article_frames f JOIN counted c USING (article_id)").df()
    for column in ("outlet", "frame", "period"):
        frames[column] = frames[column].astype("category")
    return frames


def aggregate_study(spec: Pipeline, study: Study) -> dict[str, Any]:
    """Write the outlet x frame tables that the report charts."""
    if not study.has_table("article_frames"):
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
    columns = [f.name for f in fields(FunnelRow)]  # with no crawl (articles written by hand), still its columns
    study.write_frame("funnel", pd.DataFrame([row.__dict__ for row in funnel(study)], columns=columns))
    summary.update(correct_study(spec, study, frames))
    return summary


def correct_study(spec: Pipeline, study: Study, frames: pd.DataFrame) -> dict[str, Any]:
    """Write ``tables/prevalence_corrected`` when the study can be corrected; say why not otherwise.

    ``framing evaluate`` leaves ``tables/validation_labels``: every gold unit's gold label and each
    method's out-of-fold label. The study's method (``tag.method``) labelled the corpus; its
    out-of-fold labels measure how often it errs, and :func:`framing.aggregate.corrected.corrected_shares`
    turns each outlet's raw share into a corrected one.

    Returns
    -------
    dict
        ``{"corrected_prevalence": sentence}`` for the aggregate stage's summary.
    """
    method = spec.tag.method
    if method == "rules":
        return _skip(study, "not computed: the rule tagger is not corrected (tag.method is rules)")
    if not spec.aggregate.correct_prevalence:
        return _skip(study, "not computed: aggregate.correct_prevalence is false")
    if not study.has_table("validation_labels"):
        return _skip(study, f"not computed: no validation labels; run `framing evaluate {spec.path or 'PIPELINE'}` "
                            "first, then the aggregate stage again")
    validation = study.read_frame("validation_labels")
    if method not in validation.columns:
        return _skip(study, f"not computed: the validation labels have no {method} column; run "
                            f"`framing evaluate {spec.path or 'PIPELINE'}` again")
    table = corrected_shares(frames, validation, method, level=spec.aggregate.level)
    study.write_frame(CORRECTED, table, csv=True)
    undefined = int(table["corrected_share"].isna().sum())
    return {"corrected_prevalence": f"{len(table)} shares corrected with the {method}'s out-of-fold labels on "
                                    f"{validation['unit'].nunique()} gold units ({undefined} not correctable)"}


def _skip(study: Study, why: str) -> dict[str, Any]:
    # A table left from an earlier run would show corrections the current settings do not make.
    study.remove_table(CORRECTED)
    return {"corrected_prevalence": why}
