"""A study's coding project: drawing assignments from its articles, and its gold table.

The glue between the study folder (articles, codebook, gold file) and the coding database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from framing.annotate.database import AnnotationDB, Unit
from framing.annotate.formats import UnitText, export_annotations, import_annotations
from framing.annotate.judgement import GOLD_CODER, Judgement
from framing.annotate.sample import assign, draw_sample, most_uncertain, uncertainty
from framing.classify.gold import load_gold
from framing.errors import FramingError
from framing.evaluate.scores import unit_key
from framing.study.codebook import Codebook
from framing.study.config import Pipeline, study_codebook
from framing.study.store import Study
from framing.study.tables import GOLD_SCHEMA
from framing.tag.nlp import pipeline_for


def annotation_db(spec: Pipeline) -> AnnotationDB:
    """The study's coding database, ``<workdir>/annotation.sqlite``."""
    return AnnotationDB(Path(spec.workdir) / "annotation.sqlite")


@dataclass
class NewAssignment:
    round: str
    batch: int
    units: int
    per_coder: dict[str, int]
    double_coded: int
    strata: dict[str, int]
    db: Path


def sentences(text: str, language: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (spaCy's rule-based sentencizer)."""
    doc = pipeline_for(language or "xx")(text)
    return [(s.start_char, s.end_char) for s in doc.sents]


def candidate_units(study: Study, codebook: Codebook, exclude: set[str]) -> pd.DataFrame:
    """Every codable unit of the study not yet drawn: in-scope articles (or their sentences)."""
    if not study.has_table("articles"):
        raise FramingError("the study has no articles yet: run `framing run PIPELINE` first")
    # duplicates are left out: coding the same text twice under two outlets teaches nothing
    articles = study.query("SELECT article_id, url, outlet, title, language, published, text FROM articles "
                           "WHERE status = 'ok' ORDER BY article_id").df()
    articles["published"] = articles["published"].astype(str).replace({"NaT": "", "None": ""})
    if codebook.unit == "sentence":
        rows = []
        for article in articles.itertuples(index=False):
            for i, (start, end) in enumerate(sentences(article.text, article.language)):
                rows.append({**article._asdict(), "unit_id": f"{article.article_id}#{i}", "sentence": i,
                             "text": article.text[start:end]})
        units = pd.DataFrame(rows)
    else:
        units = articles.assign(unit_id=articles["article_id"], sentence=None)
    if units.empty:
        return units
    return units[~units["unit_id"].isin(exclude)]


def new_assignment(spec: Pipeline, n: int, coders: list[str], overlap: float = 0.3, per_unit: int = 2,
                   stratify: list[str] | None = None, seed: int | None = None, training: bool = False,
                   reviewers: list[str] | None = None, strategy: str = "random") -> NewAssignment:
    """Draw ``n`` units and put them in the coders' queues.

    Parameters
    ----------
    spec
        The study.
    n
        Units to draw.
    coders
        Coder names; each gets a personal token the first time they are named.
    overlap
        Share of the units coded by ``per_unit`` coders (reliability); the rest by one.
    stratify
        Columns to stratify by (outlet, year, language); default the study's ``annotate.stratify``.
    seed
        Sampling seed; default the study's ``annotate.seed`` plus the batch number, so each new batch
        differs but the whole history is reproducible.
    training
        A training round: units are drawn from those with a known answer in the study's ``gold:`` file,
        every coder codes all of them, and each coder sees the answer after submitting.
    reviewers
        Names that may adjudicate (they code nothing).
    strategy
        ``random`` (stratified random sample) or ``uncertain`` (active learning: the units the study's
        trained classifier is least sure about, favouring rare frames, balanced across strata; see
        :func:`framing.annotate.sample.uncertainty`).
    """
    if strategy not in ("random", "uncertain"):
        raise FramingError(f"unknown sampling strategy {strategy!r}; available: random, uncertain")
    if strategy == "uncertain" and training:
        raise FramingError("a training round uses units with known answers; --strategy uncertain is for new units")
    study = Study(spec.workdir)
    book = study_codebook(spec)
    db = annotation_db(spec)
    db.set_meta("codebook", book.name)
    db.set_meta("codebook_version", str(book.version))
    for reviewer in reviewers or []:
        db.add_coder(reviewer, role="reviewer")
    for coder in coders:
        if db.add_coder(coder).role != "coder":
            raise FramingError(f"{coder!r} is a reviewer; a reviewer does not code units")
    batch = db.next_batch()
    seed = (spec.annotate.seed + batch) if seed is None else seed
    by = list(stratify if stratify is not None else spec.annotate.stratify)
    candidates = candidate_units(study, book, exclude=db.unit_ids())
    keys: dict[str, Judgement] = {}
    if training:
        keys = _answer_keys(spec, book, candidates)
        candidates = candidates[candidates["unit_id"].isin(keys)]
        if candidates.empty:
            raise FramingError("a training round needs units with known answers: set `gold:` in the study to a "
                               "CSV of url/path and frames (like the demo's intent.csv)")
    if strategy == "uncertain":
        sample = most_uncertain(candidates.assign(score=_uncertainty_scores(spec, candidates)), n, by)
    else:
        sample = draw_sample(candidates, n, by, seed)
    ids = sample["unit_id"].tolist()
    # in training every coder codes every unit: the point is each coder's feedback, not reliability
    queues = {coder: list(ids) for coder in coders} if training else assign(ids, coders, overlap, per_unit, seed)
    round_name = "training" if training else "main"
    units = [Unit(r.unit_id, r.article_id, None if pd.isna(r.sentence) else int(r.sentence), r.outlet or "",
                  r.title or "", r.url, r.published or "", r.language or "", r.text, r.stratum, batch, round_name)
             for r in sample.itertuples(index=False)]
    db.add_units(units, queues, {u: keys[u] for u in ids} if training else None)
    coded_by = pd.Series([c for q in queues.values() for c in q]).value_counts()
    return NewAssignment(round=round_name, batch=batch, units=len(ids),
                         per_coder={c: len(q) for c, q in queues.items()},
                         double_coded=int((coded_by >= 2).sum()),
                         strata=sample["stratum"].value_counts().sort_index().to_dict(), db=db.path)


def _answer_keys(spec: Pipeline, book: Codebook, candidates: pd.DataFrame) -> dict[str, Judgement]:
    if not spec.gold:
        return {}
    gold = load_gold(spec.gold, book.frame_ids)
    kind = gold["key_kind"].iloc[0] if len(gold) else "url"
    present = gold[gold["gold"]].groupby("key")["frame"].apply(tuple).to_dict()
    dominant = _dominant_column(Path(spec.gold))
    known = set(gold["key"])
    keys = {}
    for row in candidates.itertuples(index=False):
        key = unit_key(row.url, kind)
        if key in known:
            keys[row.unit_id] = Judgement(unit=row.unit_id, coder="key", frames=present.get(key, ()),
                                          dominant=dominant.get(key) or None, relevant=True,
                                          meta={"source": Path(spec.gold).name})
    return keys


def _dominant_column(path: Path) -> dict[str, str]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    key = "url" if "url" in table.columns else "path"
    return dict(zip(table[key], table["dominant"], strict=True)) if "dominant" in table.columns else {}


@dataclass
class UnitStatus:
    """Where a main-round unit stands: its completed labels, how many coders it awaits, its final label."""

    unit: Unit
    labels: list[Judgement]
    assigned: int
    final: Judgement | None
    status: str   # adjudicated, incomplete, disagreement, unanimous or single


def unit_statuses(db: AnnotationDB) -> list[UnitStatus]:
    """Every main-round unit's coding status; the review list and the gold table both read this."""
    adjudicated = db.adjudications()
    assigned = db.assignment_counts()
    judged: dict[str, list[Judgement]] = {}
    for j in db.judgements(round="main", complete_only=True):
        judged.setdefault(j.unit, []).append(j)
    statuses = []
    for unit in db.units(round="main"):
        labels = judged.get(unit.unit_id, [])
        final = adjudicated.get(unit.unit_id)
        if final is not None:
            status = "adjudicated"
        elif not labels or len(labels) < assigned.get(unit.unit_id, 0):
            status = "incomplete"
        elif len({_label(j) for j in labels}) > 1:
            status = "disagreement"
        else:
            status = "unanimous" if len(labels) > 1 else "single"
        statuses.append(UnitStatus(unit, labels, assigned.get(unit.unit_id, 0), final, status))
    return statuses


def gold_labels(db: AnnotationDB) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The final label of every main-round unit that has one, and counts of units still open.

    A unit's gold label is the reviewer's adjudication when there is one; otherwise the label its
    coders agree on exactly (frames, dominant frame and relevance), once every assigned coder has
    completed it. Units whose coders disagree wait for adjudication and are counted as
    ``needs adjudication``; units not yet fully coded as ``incomplete``.
    """
    rows, open_counts = [], {"needs adjudication": 0, "incomplete": 0}
    for s in unit_statuses(db):
        if s.status in ("incomplete", "disagreement"):
            open_counts["incomplete" if s.status == "incomplete" else "needs adjudication"] += 1
            continue
        final = s.final or s.labels[0]
        unit = s.unit
        rows.append({"unit_id": unit.unit_id, "article_id": unit.article_id, "sentence": unit.sentence,
                     "url": unit.url, "outlet": unit.outlet, "language": unit.language, "title": unit.title,
                     "text": unit.text, "frames": sorted(final.frames), "dominant": final.dominant,
                     "relevant": final.relevant, "source": s.status, "coders": sorted(j.coder for j in s.labels),
                     "decided_by": s.final.coder if s.final else "", "codebook_version": final.codebook_version})
    return rows, open_counts


def _label(j: Judgement) -> tuple:
    return (tuple(sorted(j.frames)), j.dominant, j.relevant)


def write_gold(spec: Pipeline, db: AnnotationDB | None = None) -> tuple[Path, int, dict[str, int]]:
    """Write ``tables/gold.parquet`` (and ``gold.csv``) from the coding database."""
    db = db or annotation_db(spec)
    study = Study(spec.workdir)
    rows, open_counts = gold_labels(db)
    study.write_rows("gold", rows, GOLD_SCHEMA)   # written beside and renamed: readers never see half a table
    flat = pd.DataFrame(rows, columns=GOLD_SCHEMA.names).drop(columns=["text"])
    flat["frames"] = flat["frames"].map(" ".join)
    flat["coders"] = flat["coders"].map(" ".join)
    study.write_csv("gold", flat)
    return study.table("gold"), len(rows), open_counts


def coder_judgements(db: AnnotationDB) -> list[Judgement]:
    """Completed main-round judgements of coders (never the reviewer's, never gold)."""
    return [j for j in db.judgements(round="main") if j.coder != GOLD_CODER]


def import_judgements(spec: Pipeline, judgements: list[Judgement], texts: dict[str, Any]) -> dict[str, int]:
    """Add judgements from another tool: units, coders and assignments are created as needed.

    A unit already in the coding database keeps its text; a new unit takes its text from the study's
    articles when its id is an article id, else from the imported file. Judgements by the ``gold``
    coder become final (adjudicated) labels. A coder's existing judgement of a unit is replaced, and
    the replacement is logged like any save.
    """
    db = annotation_db(spec)
    study = Study(spec.workdir)
    known = db.unit_ids()
    wanted = sorted({j.unit for j in judgements} - known)
    articles = {}
    if wanted and study.has_table("articles"):
        frame = study.query("SELECT article_id, url, outlet, title, language, CAST(published AS VARCHAR) AS published, "
                            "text FROM articles").df()
        articles = {r["article_id"]: r for r in frame.to_dict("records") if r["article_id"] in set(wanted)}
    batch = db.next_batch()
    new_units, missing = [], []
    for unit_id in wanted:
        if unit_id in articles:
            a = articles[unit_id]
            new_units.append(Unit(unit_id, unit_id, None, a["outlet"] or "", a["title"] or "", a["url"] or "",
                                  a["published"] or "", a["language"] or "", a["text"] or "", "imported", batch,
                                  "main"))
        elif unit_id in texts and getattr(texts[unit_id], "text", ""):
            t = texts[unit_id]
            new_units.append(Unit(unit_id, unit_id, None, t.outlet, t.title, t.url, "", "", t.text, "imported",
                                  batch, "main"))
        else:
            missing.append(unit_id)
    if missing:
        raise FramingError(f"{len(missing)} imported units have no text, neither in the file nor among the study's "
                           f"articles (e.g. {missing[:3]}); nothing was imported")
    coded = [j for j in judgements if j.coder != GOLD_CODER]
    for coder in sorted({j.coder for j in coded}):
        db.add_coder(coder)
    assigned = db.assigned_pairs()
    queues: dict[str, list[str]] = {}
    for j in coded:
        if (j.coder, j.unit) not in assigned:
            assigned.add((j.coder, j.unit))
            queues.setdefault(j.coder, []).append(j.unit)
    db.add_units(new_units, queues)
    for j in coded:
        db.save(j, complete=True)
    finals = [j for j in judgements if j.coder == GOLD_CODER]
    for j in finals:
        db.adjudicate(replace(j, coder=j.meta.get("reviewer", "imported")))
    return {"units added": len(new_units), "judgements": len(coded), "final labels": len(finals),
            "coders": len({j.coder for j in coded})}


def _uncertainty_scores(spec: Pipeline, candidates: pd.DataFrame) -> list[float]:
    """How unsure the study's classifier is about each candidate (see ``sample.uncertainty``)."""
    import numpy as np

    from framing.classify.files import model_path
    from framing.classify.persist import load_model

    model = load_model(model_path(spec))
    proba = model.predict_proba(candidates["text"].fillna("").tolist())
    thresholds = np.asarray(model.thresholds_, dtype=float)
    # rarity from what the model expects in this pool: frames it seldom assigns get more attention
    expected = (proba >= thresholds).mean(axis=0)
    return uncertainty(proba, thresholds, expected).tolist()


def coders_alpha(study: Study) -> dict[str, float]:
    """Human coders' alpha per frame from ``framing agree`` (empty when it has not run)."""
    path = study.table("agreement_per_variable")
    if not path.is_file():
        return {}
    table = study.read_frame("agreement_per_variable")
    frames = table[table["kind"] == "frame"]
    return dict(zip(frames["variable"].astype(str), frames["alpha"].astype(float), strict=True))


@dataclass
class Transfer:
    """What an export or import moved: the file, its format, and counts by kind (and any warnings)."""

    path: Path
    format: str
    counts: dict[str, int]
    warnings: list[str]


def export_judgements(spec: Pipeline, path: str | Path, fmt: str = "jsonl", gold: bool = False) -> Transfer:
    """Write every coder's judgements (with coder ids and unit texts) for another tool.

    ``gold`` adds the reviewer's final labels as coder ``gold``. ``counts`` holds ``judgements``
    and ``coders``.
    """
    db = annotation_db(spec)
    judgements = db.judgements(round=None)
    if gold:
        judgements += [replace(j, coder=GOLD_CODER, meta={"reviewer": j.coder}) for j in db.adjudications().values()]
    units = {u.unit_id: UnitText(unit=u.unit_id, text=u.text, title=u.title, url=u.url, outlet=u.outlet)
             for u in db.units(round=None)}
    count = export_annotations(judgements, units, path, fmt)
    return Transfer(Path(path), fmt, {"judgements": count, "coders": len({j.coder for j in judgements})}, [])


def import_file(spec: Pipeline, path: str | Path, fmt: str | None = None) -> Transfer:
    """Bring a framing JSONL, Label Studio or doccano file into the coding database.

    Nothing is imported when the file names a frame the study's codebook does not have.
    """
    book = study_codebook(spec)
    result = import_annotations(path, fmt, frame_ids=book.frame_ids)
    if result.unknown_frames:
        raise FramingError(f"{path}: frames {list(result.unknown_frames)} are not in codebook {book.label}; "
                           "nothing was imported")
    counts = import_judgements(spec, result.judgements, result.units)
    return Transfer(Path(path), result.format, counts, list(result.warnings))


@dataclass
class CodingProgress:
    """How far each coder is (``coder -> (assigned, complete, drafts)``) and what the database holds."""

    coders: dict[str, tuple[int, int, int]]
    totals: dict[str, int]


def coding_progress(spec: Pipeline) -> CodingProgress:
    """Per coder: units assigned, complete, and started but not complete; and the database's counts."""
    db = annotation_db(spec)
    coders = {}
    for coder in db.coders():
        if coder.role != "coder":
            continue
        queue = db.queue(coder.name)
        coders[coder.name] = (len(queue), sum(q["complete"] for q in queue),
                              sum(q["started"] and not q["complete"] for q in queue))
    return CodingProgress(coders, db.counts())
