"""What finding quotations and actors adds to the tag stage, on the same texts in the same run.

The tag stage runs the rule tagger (``RuleTagger.tag_all``) on each partition and then, per
article, ``Voices.of``: quotations with their speakers, and the places the codebook's actors
are named (framing.discourse). Timed here: both on the 20,000-article synthetic corpus (the
demo corpus's word frequencies, 600 words), block by block, alternately, as
``tag_throughput.py`` does. Issue 14's target: voices add at most 30% to the tagger's time.

The synthetic text has speech verbs ("said") but no quotation marks and few names: a second
figure is on a corpus where every article carries the fixture's quoted passages
(tests/fixtures/quotes.yml) among its sentences, as quote-heavy news does.

Run: python benchmarks/quotes_overhead.py [--articles 20000] [--words 600] [--block 500]
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--block", type=int, default=500, help="articles per interleaved block")
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


if __name__ == "__main__":
    main()
