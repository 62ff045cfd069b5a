"""The tag stage wired to the study folder: articles in; ``frame_hits``, ``article_frames``, ``quotes``,
``quote_frames`` and ``actor_mentions`` out.

The rule tagger (:mod:`framing.tag.rules`) always runs: its hits are the report's evidence. With
``tag.method: classifier`` or ``ensemble``, a trained model (:mod:`framing.classify.machine`)
then sets each frame's presence. The quotations of each article and its mentions of the
codebook's actors (:mod:`framing.discourse`) are found in the same task, after the partition's
tagging and where its tokens say a name or a speech cue may begin, and each quote gets frames by
the same method: the rule hits inside it (:mod:`framing.discourse.framed`), then the model
on the quote's text. Articles go to the engine in partitions of
``engine.partition_size``; each article's labels depend on it alone, so the rows are the same
whichever engine tags them and however they are split.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from framing.discourse.framed import QUOTE_FRAME_COLUMNS, column_rows, quote_frame_columns
from framing.discourse.voices import Voices
from framing.errors import FramingError
from framing.runner.engine import Engine, LocalEngine
from framing.study.codebook import Codebook
from framing.study.config import Pipeline, study_codebook
from framing.study.stages import Progress
from framing.study.store import Study
from framing.study.tables import (
    ACTOR_MENTION_SCHEMA,
    ARTICLE_FRAME_SCHEMA,
    ARTICLES,
    FRAME_HIT_SCHEMA,
    QUOTE_FRAME_SCHEMA,
    QUOTE_SCHEMA,
)
from framing.tag.rules import RuleTagger

COLUMNS = ["article_id", "outlet", "language", "text", "published", "status"]


def tag_articles(spec: Pipeline, study: Study, progress: Progress, engine: Engine | None = None) -> dict[str, Any]:
    """Tag every article (statuses ``ok`` and ``duplicate``), streaming in partitions."""
    if not study.has_table("articles"):
        raise FramingError("no articles to tag yet: run the extract stage first")
    engine = engine or LocalEngine()
    codebook = study_codebook(spec)
    key, model = _tagger_key(spec, codebook)
    if model is not None:
        _tagger(spec, codebook, key)  # a model that does not fit the codebook stops the stage here, once
    total = study.query(f"SELECT count(*) FROM articles WHERE status IN {ARTICLES}").fetchone()[0]
    partitions = ([a for a in batch.to_pylist() if a["status"] in ARTICLES]
                  for batch in study.iter_batches("articles", COLUMNS, batch_size=spec.engine.partition_size))
    done = 0
    with study.table_writer("frame_hits", FRAME_HIT_SCHEMA) as hits_out, \
            study.table_writer("article_frames", ARTICLE_FRAME_SCHEMA) as frames_out, \
            study.table_writer("quotes", QUOTE_SCHEMA) as quotes_out, \
            study.table_writer("quote_frames", QUOTE_FRAME_SCHEMA) as quote_frames_out, \
            study.table_writer("actor_mentions", ACTOR_MENTION_SCHEMA) as mentions_out:
        for tagged in engine.map(tag_partition, partitions, (spec, codebook, key)):
            hits_out.write(tagged.hits)
            frames_out.write(tagged.frames)
            quotes_out.write(tagged.quotes)
            quote_frames_out.write(tagged.quote_frames)
            mentions_out.write(tagged.mentions)
            done += tagged.articles
            progress("tag", done, total)
    counts = {"codebook": codebook.label, "method": spec.tag.method, "articles": done, "hits": hits_out.count,
              "min_hits": spec.tag.min_hits, "quotes": quotes_out.count,
              "quote_frames": quote_frames_out.count, "actor_mentions": mentions_out.count}
    if model is not None:
        counts["model"] = model[0]
    if engine.name != "local":
        counts["engine"] = engine.name
    return counts


@dataclass
class Tagged:
    """What one partition of articles gives: the tables' rows (``quote_frames`` as a table: a quote
    gives a row per frame, built in columns), and how many articles it held."""

    hits: list[dict[str, Any]] = field(default_factory=list)
    frames: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    quote_frames: pa.Table = field(default_factory=QUOTE_FRAME_SCHEMA.empty_table)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    articles: int = 0


def tag_partition(articles: list[dict[str, Any]], settings: tuple[Pipeline, Codebook, str]) -> Tagged:
    """Hits, article x frame rows, quotations and actor mentions of one partition of articles (on
    this process or a Dask worker)."""
    spec, codebook, key = settings
    rules, machine, voices = _tagger(spec, codebook, key)
    out = Tagged(articles=len(articles))
    # the tagger reports the tokens where an actor's name or a speech cue may begin: the voices
    # look only there, not at every word again. The whole partition is tagged first: with the
    # voices run after each batch of 64, the tagger took 10% longer in one isolated run (likely
    # its tables and the tokenizer's caches pushed out of the processor's at each switch)
    tagged = list(rules.tag_all_with_places(articles))
    quote_frames: dict[str, list[Any]] = {name: [] for name in QUOTE_FRAME_COLUMNS}
    for article, (hits, frames, places) in zip(articles, tagged, strict=True):
        quotes, mentions = voices.of(article, places)
        out.hits += hits
        out.frames += frames
        out.quotes += quotes
        quote_frame_columns(quotes, hits, codebook.frame_ids, quote_frames)
        out.mentions += mentions
    if machine is not None:
        machine.relabel(articles, out.frames)
        rows = column_rows(quote_frames)
        _relabel_quotes(machine, out.quotes, rows)
        out.quote_frames = pa.Table.from_pylist(rows, schema=QUOTE_FRAME_SCHEMA)
    else:
        out.quote_frames = pa.Table.from_pydict(quote_frames, schema=QUOTE_FRAME_SCHEMA)
    return out


def _relabel_quotes(machine: Any, quotes: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    """The model's labels for each quote, its text standing for an article's (the rows keyed per quote)."""
    def unit(row: dict[str, Any]) -> str:
        return f"{row['article_id']}\x1f{row['quote']}"

    keyed = [{**row, "article_id": unit(row)} for row in rows]
    machine.relabel([{"article_id": unit(q), "text": q["text"]} for q in quotes], keyed)
    for row, labelled in zip(rows, keyed, strict=True):
        row.update(present=labelled["present"], dominant=labelled["dominant"], score=labelled.get("score"))


_TAGGERS: dict[str, tuple[RuleTagger, Any, Voices]] = {}  # per process: a worker builds its taggers once, not per task


def _tagger_key(spec: Pipeline, codebook: Codebook) -> tuple[str, tuple[str, int] | None]:
    """What the taggers depend on, hashed once per stage (not per partition), and the model file with its
    modification time (a retrained model is a new tagger), or None for rules."""
    model = None
    if spec.tag.method != "rules":
        from framing.classify.files import model_path

        path = model_path(spec)
        model = (str(path), path.stat().st_mtime_ns)
    key = hashlib.sha256(f"{codebook.model_dump_json()}|{spec.tag.model_dump_json()}|{model}".encode()).hexdigest()
    return key, model


def _tagger(spec: Pipeline, codebook: Codebook, key: str) -> tuple[RuleTagger, Any, Voices]:
    if key not in _TAGGERS:
        machine = None
        if spec.tag.method != "rules":
            from framing.classify.machine import MachineTagger  # scikit-learn loads only when a model tags

            machine = MachineTagger.load(spec, codebook.frame_ids)
        _TAGGERS.clear()  # one study's taggers at a time: a long-lived worker does not collect them
        voices = Voices(codebook.actors)
        _TAGGERS[key] = (RuleTagger(codebook, min_hits=spec.tag.min_hits, watch=voices.watch), machine, voices)
    return _TAGGERS[key]
