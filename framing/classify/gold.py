"""Gold: the labelled units a study trains and evaluates on, by one rule.

The coders' adjudicated ``tables/gold.parquet`` comes first (it is what students produced for
this study); without it, the study's ``gold:`` CSV (``url`` or ``path`` and ``frames``, like the
demo's intent.csv) labels the matching articles. ``framing train`` and ``framing evaluate`` take
their gold from :func:`study_labelled`; the report says which gold the scores it shows were
measured on (the ``gold_label`` that evaluate writes with them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from framing.classify.data import LabelledData, check_counts, nonempty_texts, require_columns
from framing.errors import FramingError, TooFewExamplesError
from framing.evaluate.scores import unit_key
from framing.study.codebook import Codebook
from framing.study.config import Pipeline, study_codebook
from framing.study.store import Study
from framing.study.tables import ARTICLES

_SEPARATORS = re.compile(r"[\s,;|]+")


def load_gold(path: str | Path, frame_ids: list[str]) -> pd.DataFrame:
    """Gold labels as ``key, frame, gold`` rows (every unit x every frame), ``key`` a URL or path.

    Rows whose ``topic`` column is false, or whose ``expected_status`` is not ok, are left out:
    they are not units the tagger labels.
    """
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    key = "url" if "url" in table.columns else "path" if "path" in table.columns else None
    if key is None or "frames" not in table.columns:
        raise FramingError(f"{path}: a gold file needs a 'url' or 'path' column and a 'frames' column; "
                           f"columns are {list(table.columns)}")
    if "topic" in table.columns:
        table = table[table["topic"].str.lower().isin(["true", "1", "yes"])]
    if "expected_status" in table.columns:
        table = table[table["expected_status"].isin(ARTICLES)]
    unknown = sorted({f for cell in table["frames"] for f in _SEPARATORS.split(cell.strip()) if f} - set(frame_ids))
    if unknown:
        raise FramingError(f"{path}: frames {unknown} are not in the codebook ({', '.join(frame_ids)})")
    rows = [{"key": k, "frame": f, "gold": f in set(_SEPARATORS.split(cell.strip()))}
            for k, cell in zip(table[key], table["frames"], strict=True) for f in frame_ids]
    return pd.DataFrame(rows).assign(key_kind=key)


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
    if gold_file is None and study.has_table("gold"):
        try:
            data = load_gold_table(study.table("gold"), book.frame_ids, min_examples=min_examples,
                                   drop_rare=drop_rare)
        except FramingError as exc:
            kind = TooFewExamplesError if isinstance(exc, TooFewExamplesError) else FramingError
            raise kind(f"{exc} (gold: the coders' table {study.table('gold')}){_switch_hint(spec)}") from exc
        data.source["label"] = f"the coders' gold table {study.table('gold')} ({len(data.texts)} units)"
        return data
    path = gold_file or spec.gold
    if not path:
        raise FramingError("no gold labels: code and adjudicate articles (`framing annotate ...`, then "
                           "`framing annotate gold`) or set `gold:` in the study to a CSV of url/path and frames")
    if not study.has_table("articles"):
        raise FramingError(f"the study has no articles yet: run `framing run {spec.path or 'PIPELINE'}` first")
    articles = study.query("SELECT article_id, url, outlet, language, text FROM articles "
                           f"WHERE status IN {ARTICLES} ORDER BY article_id").df()
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
    """Gold labels as ``key, frame, gold`` rows keyed by URL, as ``framing.evaluate.scores.compare`` takes them."""
    urls = data.units["url"].tolist()
    rows = [{"key": url, "frame": frame, "gold": bool(data.labels.iloc[i][frame])}
            for i, url in enumerate(urls) for frame in data.labels.columns]
    return pd.DataFrame(rows, columns=["key", "frame", "gold"]).assign(key_kind="url")


def load_gold_table(path: str | Path, frame_ids: Sequence[str] | None = None, min_examples: int = 5,
                    drop_rare: bool = False, relevant_only: bool = True) -> LabelledData:
    """A study's adjudicated labels (``tables/gold.parquet``) as training data.

    Parameters
    ----------
    path
        The gold table.
    frame_ids
        The codebook's frames, in order; frames outside it are an error. Default: the frames seen.
    min_examples, drop_rare
        As in :func:`framing.classify.data.load_labelled`.
    relevant_only
        Leave out units the coders marked not relevant to the topic: they carry no frame by
        definition, and the tag stage only sees articles that passed the topic filter.

    Returns
    -------
    LabelledData
        ``units`` holds unit_id, article_id, url, outlet, language.
    """
    path = Path(path)
    if not path.is_file():
        raise FramingError(f"no gold table at {path}: code some units and run `framing annotate gold PIPELINE`")
    table = pd.read_parquet(path)
    require_columns(table, ["unit_id", "text", "frames"], path)
    rows = len(table)
    if relevant_only and "relevant" in table.columns:
        table = table[table["relevant"].fillna(True).astype(bool)].reset_index(drop=True)
    frames = [list(f) if f is not None and not isinstance(f, str) else ([] if f is None else f.split())
              for f in table["frames"]]
    seen = sorted({f for row in frames for f in row})
    names = list(frame_ids) if frame_ids is not None else seen
    unknown = sorted(set(seen) - set(names))
    if unknown:
        raise FramingError(f"{path}: frames {unknown} are not in the codebook ({', '.join(names)})")
    texts = nonempty_texts(table["text"], table["unit_id"], f"{path}: units")
    matrix = pd.DataFrame(np.array([[int(n in set(row)) for n in names] for row in frames], dtype=int).reshape(
        len(frames), len(names)), columns=names)
    matrix, dropped = check_counts(matrix, min_examples, drop_rare, str(path))
    keep = [c for c in ("unit_id", "article_id", "url", "outlet", "language") if c in table.columns]
    versions = sorted({int(v) for v in table.get("codebook_version", pd.Series(dtype=float)).dropna()})
    source = {"kind": "gold", "path": str(path), "format": "parquet", "rows": rows, "units": len(texts),
              "not_relevant_left_out": rows - len(table), "label_format": "gold frames",
              "codebook_versions": versions, "dropped": dropped}
    units = table[keep].fillna("").astype(str).reset_index(drop=True)
    return LabelledData(texts, matrix, units, source)


def load_articles_with_gold(articles: pd.DataFrame, gold: pd.DataFrame, frame_ids: Sequence[str],
                            min_examples: int = 5, drop_rare: bool = False) -> LabelledData:
    """Articles of a study labelled from a gold CSV (the study's ``gold:`` file, e.g. the demo's intent.csv).

    Parameters
    ----------
    articles
        ``article_id, url, text`` and optionally ``outlet, language`` (the study's articles table).
    gold
        From :func:`load_gold`: ``key, frame, gold, key_kind`` rows.
    frame_ids
        The codebook's frames, in order.
    min_examples, drop_rare
        As in :func:`framing.classify.data.load_labelled`.

    Returns
    -------
    LabelledData
        One unit per article whose URL (or path) is in the gold file; the first article per key
        when several share it (syndicated copies are one gold unit).
    """
    if gold.empty:
        raise FramingError("the gold file lists no units")
    kind = gold["key_kind"].iloc[0]
    table = articles.assign(key=[unit_key(u, kind) for u in articles["url"]])
    table = table[table["key"].isin(set(gold["key"]))].drop_duplicates("key").reset_index(drop=True)
    if table.empty:
        raise FramingError("no article of the study matches a gold unit: are the gold URLs or paths right?")
    wide = gold.pivot_table(index="key", columns="frame", values="gold", aggfunc="max").reindex(
        index=table["key"], columns=list(frame_ids)).fillna(False).astype(int).reset_index(drop=True)
    wide.columns = [str(c) for c in wide.columns]
    texts = nonempty_texts(table["text"], table["url"], "articles")
    wide, dropped = check_counts(wide, min_examples, drop_rare, "gold file")
    keep = [c for c in ("article_id", "url", "outlet", "language") if c in table.columns]
    units = table[keep].fillna("").astype(str).rename(columns={"article_id": "unit_id"})
    if "unit_id" not in units.columns:
        units.insert(0, "unit_id", table["key"].astype(str))
    source = {"kind": "gold file", "path": "", "format": "csv", "rows": int(gold["key"].nunique()),
              "units": len(texts), "label_format": "gold frames", "dropped": dropped}
    return LabelledData(texts, wide, units.reset_index(drop=True), source)
