"""What finding quotations and actors adds to the tag stage, on the same texts in the same run.

The tag stage runs the rule tagger on each partition (``RuleTagger.tag_all_with_places``: its
hits, and the tokens where an actor's name or a speech cue may begin, framing.tag.watch) and
then, per article, ``Voices.of`` with those tokens: quotations with their speakers, and the
places the codebook's actors are named (framing.discourse). Timed here: both on the
20,000-article synthetic corpus (the demo corpus's word frequencies, 600 words), block by
block, alternately, as ``tag_throughput.py`` does. Issue 14's target: voices add at most 30%
to the tagger's time. The tagger watching for the voices' words is timed against the plain
tagger too (its share of the voices' cost).

The synthetic text has speech verbs ("said") but no quotation marks and few names: a second
figure is on a corpus where every article carries the fixture's quoted passages
(tests/fixtures/quotes.yml) among its sentences, as quote-heavy news does.

A third figure is the issue's own wording, "add to the tag stage's time": the whole stage
(``tag_articles``: articles read from Parquet, rules, voices, frames of quotes, five tables
written) on a study of the same synthetic articles, run with and without the
voices (``Voices.of`` replaced by one that finds nothing), eight times each, in the order
with, without, without, with, ... (a drift in the machine's speed weighs on both sides alike);
the figure is the median of the runs' ratios, each run set against the one without voices next
to it (on a shared machine single runs differ by 10 points or more)

Run: python benchmarks/quotes_overhead.py [--articles 20000] [--words 600] [--block 500] [--stage-runs 8]

The stage's figure moves with the machine's other tenants. Instructions do not: under callgrind,
``--single setup``, ``--single with`` and ``--single without`` (e.g. ``--articles 5000``) count
a study, a warm-up run, and then nothing, one run with voices or one without; a run's count is
its own minus setup's.
"""

from __future__ import annotations

import argparse
import random
import statistics
from pathlib import Path
from typing import Any

import yaml
from _synthetic import articles
from _timing import timed

from framing.discourse import is_compiled
from framing.discourse import quotes as quote_rules
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


def overhead(corpus: list[dict[str, Any]], plain: RuleTagger, tagger: RuleTagger, voices: Voices, block: int
             ) -> tuple[float, float, float, int]:
    """Seconds of the plain tagger, the watching tagger and the voices (with the watching
    tagger's places), block by block in rotating order; and the quotations found."""
    places = [found for _, _, found in tagger.tag_all_with_places(corpus)]  # what the stage hands the voices
    seconds = [0.0, 0.0, 0.0]
    quotes = 0

    def tag_plain(part: tuple[int, int]) -> None:
        for _ in plain.tag_all(corpus[part[0]:part[1]]):
            pass

    def tag(part: tuple[int, int]) -> None:
        for _ in tagger.tag_all_with_places(corpus[part[0]:part[1]]):
            pass

    def find(part: tuple[int, int]) -> None:
        nonlocal quotes
        for n in range(*part):
            quotes += len(voices.of(corpus[n], places[n])[0])

    steps = [tag_plain, tag, find]
    for n, start in enumerate(range(0, len(corpus), block)):
        part = (start, min(start + block, len(corpus)))
        for k in range(3):
            step = (n + k) % 3
            seconds[step] += timed(steps[step], [part])
    return seconds[0], seconds[1], seconds[2], quotes


def stage_overhead(corpus: list[dict[str, Any]], runs: str) -> tuple[list[float], list[float]]:
    """Seconds of the whole tag stage with and without voices, after a warm-up run: ``runs``
    says which in turn ("w" with, "o" without, e.g. "woow")."""
    import datetime as dt
    import tempfile

    from framing.discourse.voices import Voices as RealVoices
    from framing.runner import tag as tag_stage
    from framing.study.config import load_pipeline
    from framing.study.store import Study
    from framing.study.tables import ARTICLE_SCHEMA

    class Silent(RealVoices):
        def of(self, article: dict[str, Any], places: Any = None) -> tuple[list, list]:
            return [], []

        def watch(self, language: str) -> None:  # the tagger watches for nothing
            return None

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
        # warm: imports, compiled patterns, the spaCy pipeline; each timed run builds its taggers
        # anew and learns the types, as a stage run in a new process does
        tag_stage.tag_articles(spec, study, lambda *a: None)
        for run in runs:
            silent = run == "o"
            tag_stage._TAGGERS.clear()
            tag_stage.Voices = Silent if silent else RealVoices
            (without if silent else with_voices).append(timed(lambda _: tag_stage.tag_articles(
                spec, study, lambda *a: None), [None]))
        tag_stage.Voices = RealVoices
    return with_voices, without


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--block", type=int, default=500, help="articles per interleaved block")
    parser.add_argument("--stage-runs", type=int, default=8,
                        help="tag stage runs with and without voices, each (0: skip; even: a balanced order)")
    parser.add_argument("--single", choices=["setup", "with", "without"],
                        help="only the study, its warm-up run and one stage run with or without voices (none: "
                             "setup), for callgrind: the instructions of a run are its count minus setup's")
    args = parser.parse_args()
    if args.single:
        corpus = [{**a, "language": "en"} for a in articles(args.articles, args.words)]
        stage_overhead(corpus, {"setup": "", "with": "w", "without": "o"}[args.single])
        return
    print(f"quotation rules: {'compiled (mypyc, setup.py)' if is_compiled(quote_rules) else 'Python (not compiled)'}")
    codebook = load_codebook("social-credit")
    voices = Voices(codebook.actors)
    plain, tagger = RuleTagger(codebook, min_hits=2), RuleTagger(codebook, min_hits=2, watch=voices.watch)
    corpus = [{**a, "language": "en"} for a in articles(args.articles, args.words)]
    for article in corpus[:200]:  # warm caches on all sides
        plain.tag_article(article)
        tagger.tag_article(article)
        voices.of(article)
    for label, texts in (("synthetic corpus", corpus), ("with quoted passages", quote_heavy(corpus))):
        bare, tagging, finding, quotes = overhead(texts, plain, tagger, voices, args.block)
        n = len(texts)
        print(f"{label}: {n:,} articles, {quotes:,} quotations; rule tagger {n / bare:,.0f}/s "
              f"({n / tagging:,.0f}/s watching for the voices' words), voices {n / finding:,.0f}/s; "
              f"voices and the watching add {(finding + tagging - bare) / bare:.0%} to the plain tagger's time "
              "(target <= 30%)")
    if args.stage_runs:
        # with, without, without, with, ...: a drift in the machine's speed weighs on both sides
        # alike; each run is also set against the run without voices next to it, and the median given
        with_voices, without = stage_overhead(corpus, ("woow" * args.stage_runs)[:2 * args.stage_runs])
        pairs = sorted(w / o for w, o in zip(with_voices, without, strict=True))
        median = statistics.median(pairs)
        print(f"tag stage, {len(corpus):,} articles, {args.stage_runs} runs each way: voices add {median - 1:.0%} to "
              f"the stage's time, the median of the runs' ratios (target <= 30%); the runs' ratios, sorted: "
              f"{', '.join(f'{r - 1:.0%}' for r in pairs)}; best of {args.stage_runs}: {min(without):.1f} s without "
              f"voices, {min(with_voices):.1f} s with ({min(with_voices) / min(without) - 1:.0%})")


if __name__ == "__main__":
    main()
