"""A study's labelled units for training and validation: coders' gold table, else the ``gold:`` file."""

from __future__ import annotations

import pandas as pd

from framing.analysis import study_codebook
from framing.classify.data import LabelledData, load_articles_with_gold, load_gold_table
from framing.codebook import Codebook
from framing.config import Pipeline
from framing.errors import FramingError
from framing.evaluate import load_gold
from framing.store import Study


def study_labelled(spec: Pipeline, min_examples: int = 5, drop_rare: bool = False,
                   gold_file: str | None = None, book: Codebook | None = None) -> LabelledData:
    """Gold units of a study with their texts and labels over the codebook's frames.

    The coders' adjudicated ``tables/gold.parquet`` comes first (it is what students produced
    for this study); without it, the study's ``gold:`` CSV (``url`` or ``path`` and ``frames``,
    like the demo's intent.csv) labels the matching articles. ``gold_file`` forces a CSV;
    ``book`` is the study's codebook, when the caller has loaded it already. ``source["label"]``
    names the gold used, for every output to say.
    """
    study = Study(spec.workdir)
    book = study_codebook(spec) if book is None else book
    if gold_file is None and study.table("gold").is_file():
        try:
            data = load_gold_table(study.table("gold"), book.frame_ids, min_examples=min_examples,
                                   drop_rare=drop_rare)
        except FramingError as exc:
            raise FramingError(f"{exc} (gold: the coders' table {study.table('gold')}){_switch_hint(spec)}") from exc
        data.source["label"] = f"the coders' gold table {study.table('gold')} ({len(data.texts)} units)"
        return data
    path = gold_file or spec.gold
    if not path:
        raise FramingError("no gold labels: code and adjudicate articles (`framing annotate ...`, then "
                           "`framing annotate gold`) or set `gold:` in the study to a CSV of url/path and frames")
    if not study.table("articles").is_file():
        raise FramingError(f"the study has no articles yet: run `framing run {spec.path or 'PIPELINE'}` first")
    articles = study.query("SELECT article_id, url, outlet, language, text FROM articles "
                           "WHERE status IN ('ok', 'duplicate') ORDER BY article_id").df()
    data = load_articles_with_gold(articles, load_gold(path, book.frame_ids), book.frame_ids,
                                   min_examples=min_examples, drop_rare=drop_rare)
    data.source.update(kind="gold file", path=str(path),
                       label=f"the gold file {path} ({len(data.texts)} units of the study)")
    return data


def _switch_hint(spec: Pipeline) -> str:
    if spec.gold:
        return (f". The study's `gold:` file {spec.gold} labels units too: pass `--gold {spec.gold}` to use it "
                "instead, or code and adjudicate more units")
    return ". Code and adjudicate more units, or pass `--gold FILE` (a CSV of url/path and frames)"


def gold_rows(data: LabelledData) -> pd.DataFrame:
    """Gold labels as ``key, frame, gold`` rows keyed by URL, as ``framing.evaluate.compare`` takes them."""
    urls = data.units["url"].tolist()
    rows = [{"key": url, "frame": frame, "gold": bool(data.labels.iloc[i][frame])}
            for i, url in enumerate(urls) for frame in data.labels.columns]
    return pd.DataFrame(rows, columns=["key", "frame", "gold"]).assign(key_kind="url")
