"""What finding quotations and actors adds to the tag stage, on the same texts in the same run.

The tag stage runs the rule tagger (``RuleTagger.tag_all``) on each partition and then, per
article, ``Voices.of``: quotations with their speakers, and the places the codebook's actors
are named (framing.discourse). Timed here: both on the 20,000-article synthetic corpus (the
demo corpus's word frequencies, 600 words), block by block, alternately, as
``tag_throughput.py`` does. Issue 14's target: voices add at most 30% to the tagger's time.

The synthetic text has speech verbs ("said") but no quotation marks and few names: a second
figure is on a corpus where every article carries the fixture's quoted passages
(tests/fixtures/quotes.yml) among its sentences, as quote-heavy news does.

A third figure is the issue's own wording, "add to the tag stage's time": the whole stage
(``tag_articles``: articles read from Parquet, rules, voices, frames of quotes, five tables
written) on a study of the same synthetic articles, run alternately with and without the
voices (``Voices.of`` replaced by one that finds nothing), three times each.

Run: python benchmarks/quotes_overhead.py [--articles 20000] [--words 600] [--block 500] [--stage-runs 3]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

import yaml
from _synthetic import articles
from _timing import timed

from framing.discourse.voices import Voices
from framing.study.codebook import load_codebook
from framing.tag.rules import RuleTagger

PASSAGES = Path(__file__).parents[1] / "tests" / "fixtures" / "quotes.yml"


def quote_heavy(corpus: list[dict[str, Any]], seed: int = 1) -> list[dict[str, Any]]:
    """Each article with three of the fixture's English passages put between its sentences."""
    passages = [p["text"] for p in yaml.safe_load(PASSAGES.read_text(encoding="utf-8"))["passages"]
                if p["language"] == "en"]
    rng = random.Random(seed)
    out = []
    for article in corpus:
        sentences = article["text"].split(". ")
        for passage in rng.sample(passages, 3):
            sentences.insert(rng.randrange(len(sentences)), passage.rstrip("."))
        out.append({**article, "text": ". ".join(sentences)})
    return out


def overhead(corpus: list[dict[str, Any]], tagger: RuleTagger, voices: Voices, block: int) -> tuple[float, float, int]:
    tagging = finding = 0.0
    quotes = 0

    def tag(part: list[dict[str, Any]]) -> None:
        for _ in tagger.tag_all(part):
            pass

    def find(part: list[dict[str, Any]]) -> None:
        nonlocal quotes
        for article in part:
            quotes += len(voices.of(article)[0])

    for n, start in enumerate(range(0, len(corpus), block)):
        part = corpus[start:start + block]
        if n % 2:
            finding += timed(find, [part])
            tagging += timed(tag, [part])
        else:
            tagging += timed(tag, [part])
            finding += timed(find, [part])
    return tagging, finding, quotes


def stage_overhead(corpus: list[dict[str, Any]], runs: int) -> tuple[float, float]:
    """Seconds of the whole tag stage with and without voices (best of ``runs`` each, alternating)."""
    import datetime as dt
    import tempfile

    from framing.discourse.voices import Voices as RealVoices
    from framing.runner import tag as tag_stage
    from framing.study.config import load_pipeline
    from framing.study.store import Study
    from framing.study.tables import ARTICLE_SCHEMA

    class Silent(RealVoices):
        def of(self, article: dict[str, Any]) -> tuple[list, list]:
            return [], []

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "study.yml"
        path.write_text(yaml.safe_dump({"title": "voices", "workdir": "study", "codebook": "social-credit",
                                        "sources": [{"feed": "http://127.0.0.1:9/rss"}], "tag": {"min_hits": 2}}))
        spec = load_pipeline(path)
        blank = dict.fromkeys(ARTICLE_SCHEMA.names)
        rows = ({**blank, **a, "url": f"https://outlet{i % 8}.example/{a['article_id']}", "status": "ok",
                 "outlet": f"Outlet {i % 8}", "published": dt.date(2015 + i % 10, 1 + i % 12, 1)}
                for i, a in enumerate(corpus))
        study = Study(spec.workdir)
        study.write_rows("articles", rows, ARTICLE_SCHEMA)
        with_voices, without = [], []
        tag_stage.tag_articles(spec, study, lambda *a: None)  # warm: pipelines, matchers, type caches
        for n in range(2 * runs):
            silent = n % 2 == 1
            tag_stage._TAGGERS.clear()
            tag_stage.Voices = Silent if silent else RealVoices
            (without if silent else with_voices).append(timed(lambda _: tag_stage.tag_articles(
                spec, study, lambda *a: None), [None]))
        tag_stage.Voices = RealVoices
    return min(with_voices), min(without)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--block", type=int, default=500, help="articles per interleaved block")
    parser.add_argument("--stage-runs", type=int, default=3, help="tag stage runs with and without voices (0: skip)")
    args = parser.parse_args()
    codebook = load_codebook("social-credit")
    tagger = RuleTagger(codebook, min_hits=2)
    voices = Voices(codebook.actors)
    corpus = [{**a, "language": "en"} for a in articles(args.articles, args.words)]
    for article in corpus[:200]:  # warm caches on both sides
        tagger.tag_article(article)
        voices.of(article)
    for label, texts in (("synthetic corpus", corpus), ("with quoted passages", quote_heavy(corpus))):
        tagging, finding, quotes = overhead(texts, tagger, voices, args.block)
        n = len(texts)
        print(f"{label}: {n:,} articles, {quotes:,} quotations; rule tagger {n / tagging:,.0f}/s, "
              f"voices {n / finding:,.0f}/s; voices add {finding / tagging:.0%} to the tagger's time "
              "(target <= 30%)")
    if args.stage_runs:
        with_voices, without = stage_overhead(corpus, args.stage_runs)
        print(f"tag stage, {len(corpus):,} articles, best of {args.stage_runs}: {without:.1f} s without voices, "
              f"{with_voices:.1f} s with; voices add {with_voices / without - 1:.0%} to the stage's time "
              "(target <= 30%)")


if __name__ == "__main__":
    main()
