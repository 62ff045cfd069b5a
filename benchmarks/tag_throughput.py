"""Rule tagging throughput vs spaCy's bare tokenizer, on the same texts in the same run.

The rule tagger parses each text (tokenizer + sentencizer), matches every codebook pattern
with negation, and builds the hit and article x frame rows. The baseline is ``nlp.make_doc``
alone. Target: tagger / tokenizer >= 0.5.

Run: python benchmarks/tag_throughput.py [--articles 20000] [--words 600]
"""

from __future__ import annotations

import argparse
import time

from _synthetic import articles

from framing.codebook import load_codebook
from framing.nlp import pipeline_for
from framing.taggers.rules import RuleTagger


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=600)
    args = parser.parse_args()
    corpus = list(articles(args.articles, args.words))
    texts = [a["text"] for a in corpus]
    nlp = pipeline_for("en")
    tagger = RuleTagger(load_codebook("social-credit"), min_hits=2)
    for article in corpus[:200]:  # warm both caches the same way
        nlp.make_doc(article["text"])
        tagger.tag_article(article)

    started = time.perf_counter()
    for text in texts:
        nlp.make_doc(text)
    tokenizer = time.perf_counter() - started

    started = time.perf_counter()
    hits = 0
    for article in corpus:
        hit_rows, _ = tagger.tag_article(article)
        hits += len(hit_rows)
    tagging = time.perf_counter() - started

    n = len(texts)
    print(f"articles: {n} of {args.words} words; hits found: {hits}")
    print(f"spaCy nlp.make_doc:  {n / tokenizer:8.0f} docs/s")
    print(f"framing rule tagger: {n / tagging:8.0f} docs/s")
    print(f"tagger / tokenizer = {tokenizer / tagging:.2f}  (target >= 0.5)")


if __name__ == "__main__":
    main()
