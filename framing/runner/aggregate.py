"""The aggregate stage wired to the study folder: frame labels in, the report's statistics tables out.

The statistics are :mod:`framing.aggregate`'s; this module chooses the rows, names the tables and
writes them through the study store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import pandas as pd

from framing.aggregate.corrected import corrected_shares
from framing.aggregate.distinctive import log_odds, word_counts
from framing.aggregate.queries import FunnelRow, funnel, story_key
from framing.aggregate.statistics import (
    association_from_counts,
    js_distances,
    outlet_map,
    prevalence_counts,
    prevalence_from_counts,
    profiles,
)
from framing.aggregate.voices import (
    actor_frame_networks,
    actor_frames,
    cocitation_networks,
    outlet_actors,
    write_networks,
)
from framing.errors import FramingError
from framing.runner.engine import Engine, LocalEngine
from framing.study.config import Pipeline, study_codebook
from framing.study.stages import Progress
from framing.study.store import Study
from framing.study.tables import ARTICLES

CORRECTED = "prevalence_corrected"


def load_frames(study: Study, duplicates: str, period: str) -> pd.DataFrame:
    """Article x frame rows with each article's period, one article per story as ``duplicates`` says.

    A story is a cluster of exact and near copies (``cluster_id``, set by the extract stage).
    ``per_outlet`` keeps each outlet's first copy of a story, ``once`` the story's first copy
    in all; either way, an outlet's two copies of one story count once.
    """
    frames = study.query(counted_frames_sql(study, duplicates, period)).df()
    for column in ("outlet", "frame", "period"):
        frames[column] = frames[column].astype("category")
    return frames


def counted_frames_sql(study: Study, duplicates: str, period: str) -> str:
    """SQL for the article x frame rows that count (see :func:`load_frames`), article by article."""
    fmt = "%Y" if period == "year" else "%Y-%m"
    story = story_key(study)
    per = f"{story}, outlet" if duplicates == "per_outlet" else story
    return (f"WITH counted AS (SELECT article_id, published FROM (SELECT article_id, published, row_number() OVER "
            f"(PARTITION BY {per} ORDER BY published NULLS LAST, url, article_id) AS nth FROM articles "
            f"WHERE status IN {ARTICLES}) WHERE nth = 1) "
            f"SELECT f.article_id, f.outlet, f.frame, f.present, f.dominant, f.sentence_share, f.hits, "
            f"strftime(c.published, '{fmt}') AS period FROM article_frames f JOIN counted c USING (article_id)")


def count_partition(frames: pd.DataFrame) -> dict[str, Any]:
    """The sums one partition of counted article x frame rows adds to each statistic (a task on the engine)."""
    return {"outlet": prevalence_counts(frames, ["outlet"]),
            "period": prevalence_counts(frames.dropna(subset=["period"]), ["outlet", "period"]),
            "all": prevalence_counts(frames.assign(all="all"), ["all"]),
            "dominant": frames.loc[frames["dominant"].astype(bool)].groupby(["outlet", "frame"]).size()}


def aggregate_study(spec: Pipeline, study: Study, progress: Progress | None = None,
                    engine: Engine | None = None) -> dict[str, Any]:
    """Write the outlet x frame tables that the report charts.

    The counted rows stream from DuckDB in partitions; each partition's sums are a task on the
    engine (:func:`count_partition`) and the statistics are computed from their totals, so the
    tables are the same whatever the partitions and wherever they were summed.
    """
    if not study.has_table("article_frames"):
        raise FramingError("nothing to aggregate yet: run the tag stage first")
    engine = engine or LocalEngine()
    options = spec.aggregate
    sql = counted_frames_sql(study, options.duplicates, options.period)
    partitions = (batch.to_pandas() for batch in study.query_batches(sql, PARTITION_ROWS))
    partials = list(engine.map(count_partition, partitions))
    if not partials or sum(len(p["outlet"]) for p in partials) == 0:
        raise FramingError("no relevant articles to aggregate: check the funnel (`framing articles`)")
    by_outlet = prevalence_from_counts(_stack(partials, "outlet"), ["outlet"], level=options.level)
    by_period = prevalence_from_counts(_stack(partials, "period"), ["outlet", "period"], level=options.level)
    overall = prevalence_from_counts(_stack(partials, "all"), ["all"], level=options.level).drop(columns="all")
    study.write_frame("prevalence_by_outlet", by_outlet)
    study.write_frame("prevalence_by_period", by_period)
    study.write_frame("prevalence_overall", overall)
    first = by_outlet["frame"].iloc[0]  # every article has one row per frame: one frame's rows count articles
    articles = int(by_outlet.loc[by_outlet["frame"] == first, "articles"].sum())
    summary: dict[str, Any] = {"articles": articles, "duplicates": options.duplicates}
    dominant = pd.concat([p["dominant"] for p in partials]).groupby(level=[0, 1]).sum()
    try:
        test = association_from_counts(dominant.unstack(fill_value=0) if len(dominant) else pd.DataFrame())
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
    if study.has_table("quotes"):
        summary.update(_voices(spec, study))
    study.write_frame("distinctive_words", _distinctive_words(study), csv=True)
    study.write_frame("distinctive_words_by_frame", _distinctive_words_by_frame(study), csv=True)
    needs_rows = spec.tag.method != "rules" and options.correct_prevalence
    frames = load_frames(study, options.duplicates, options.period) if needs_rows else pd.DataFrame()
    summary.update(correct_study(spec, study, frames))
    return summary


PARTITION_ROWS = 100_000  # article x frame rows per aggregate task


def _distinctive_words(study: Study) -> pd.DataFrame:
    """Each outlet's distinctive words against the other outlets of its language: across
    languages, an outlet's own language would be all that sets it apart."""
    return _within_languages(word_counts(_outlet_texts(study), language=lambda key: key[0]), "outlet")


def _distinctive_words_by_frame(study: Study) -> pd.DataFrame:
    """Each frame's distinctive words: the articles it dominates against the other articles of their
    language that have a dominant frame (an article counts for one frame, so the groups do not overlap)."""
    sql = ("SELECT a.language, f.frame, a.text FROM articles a JOIN article_frames f USING (article_id) "
           "WHERE a.status = 'ok' AND f.dominant")
    texts = (((row["language"] or "", row["frame"]), row["text"])
             for batch in study.query_batches(sql, 1_000) for row in batch.to_pylist())
    return _within_languages(word_counts(texts, language=lambda key: key[0]), "frame")


def _within_languages(counts: dict[tuple[str, str], Any], name: str) -> pd.DataFrame:
    """log-odds of each ``(language, group)``'s words against the other groups of its language."""
    tables = []
    for language in sorted({language for language, _ in counts}):
        mine = {group: words for (lang, group), words in counts.items() if lang == language}
        if len(mine) > 1:  # one group in a language has no rest to be set apart from
            tables.append(log_odds(mine).rename(columns={"group": name}).assign(language=language))
    columns = [name, "word", "count", "count_rest", "log_odds", "z", "rank", "language"]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)


def _outlet_texts(study: Study) -> Iterator[tuple[tuple[str, str], str]]:
    """``((language, outlet), text)`` of every article that counts (``ok``: an exact copy's words count once)."""
    for batch in study.iter_batches("articles", ["outlet", "language", "text", "status"]):
        for row in batch.to_pylist():
            if row["status"] == "ok":
                yield (row["language"] or "", row["outlet"]), row["text"]


def _voices(spec: Pipeline, study: Study) -> dict[str, Any]:
    """Who is quoted where, with which frames: ``tables/outlet_actors``, ``tables/actor_frames`` and the
    co-citation and actor-frame networks in ``networks/``."""
    codebook = study_codebook(spec)
    table = outlet_actors(study, spec.aggregate.level)
    study.write_frame("outlet_actors", table, csv=True)
    folder = study.workdir / "networks"
    written = write_networks(cocitation_networks(study, codebook.actors), folder)
    if study.has_table("quote_frames"):  # a study tagged before quotes had frames has none
        study.write_frame("actor_frames", actor_frames(study, spec.aggregate.level), csv=True)
        labels = {frame.id: frame.label for frame in codebook.frames}
        written += write_networks(actor_frame_networks(study, codebook.actors, labels), folder, kind="actor-frame")
    return {"quoted_actors": int(table["actor"].nunique()), "networks": len(written) // 2}


def _stack(partials: list[dict[str, Any]], key: str) -> pd.DataFrame:
    return pd.concat([p[key] for p in partials], ignore_index=True)


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
