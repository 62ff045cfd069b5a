"""The tag stage wired to the study folder: articles in, ``frame_hits`` and ``article_frames`` out.

The rule tagger (:mod:`framing.tag.rules`) always runs: its hits are the report's evidence. With
``tag.method: classifier`` or ``ensemble``, a trained model (:mod:`framing.classify.machine`)
then sets each frame's presence.
"""

from __future__ import annotations

from typing import Any

from framing.errors import FramingError
from framing.study.config import Pipeline, study_codebook
from framing.study.stages import Progress
from framing.study.store import Study
from framing.study.tables import ARTICLE_FRAME_SCHEMA, ARTICLES, FRAME_HIT_SCHEMA
from framing.tag.rules import RuleTagger


def tag_articles(spec: Pipeline, study: Study, progress: Progress) -> dict[str, Any]:
    """Tag every article (statuses ``ok`` and ``duplicate``), streaming in batches."""
    if not study.has_table("articles"):
        raise FramingError("no articles to tag yet: run the extract stage first")
    codebook = study_codebook(spec)
    tagger = RuleTagger(codebook, min_hits=spec.tag.min_hits)
    machine = None
    if spec.tag.method != "rules":
        from framing.classify.machine import MachineTagger  # scikit-learn loads only when a model tags

        machine = MachineTagger.load(spec, codebook.frame_ids)
    total = study.query(f"SELECT count(*) FROM articles WHERE status IN {ARTICLES}").fetchone()[0]
    done = 0
    columns = ["article_id", "outlet", "language", "text", "published", "status"]
    with study.table_writer("frame_hits", FRAME_HIT_SCHEMA) as hits_out, \
            study.table_writer("article_frames", ARTICLE_FRAME_SCHEMA) as frames_out:
        for batch in study.iter_batches("articles", columns, batch_size=256):
            articles = [a for a in batch.to_pylist() if a["status"] in ARTICLES]
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
