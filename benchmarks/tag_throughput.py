"""Rule tagging throughput vs spaCy's bare tokenizer, on the same texts in the same run.

The rule tagger (``RuleTagger.tag_all``, what the tag stage runs) parses each text
(tokenizer), finds sentences, matches every codebook pattern with negation, and builds the hit
and article x frame rows. The baseline is ``nlp.make_doc`` alone, with the same pipeline object
(so the same tokenizer settings and cache). Target: tagger / tokenizer >= 0.5.

The two are timed block by block, alternately (tokenizer first in even blocks, tagger first in
odd ones), and the ratio is of the summed times: this shared machine's speed drifts by tens of
percent between minutes, and interleaving puts both sides under the same drift.

Run: python benchmarks/tag_throughput.py [--articles 20000] [--words 600] [--block 500]
"""

from __future__ import annotations

import argparse
from typing import Any

from _synthetic import articles
from _timing import alternating

from framing.study.codebook import load_codebook
from framing.tag.rules import RuleTagger


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--block", type=int, default=500, help="articles per interleaved block")
    args = parser.parse_args()
    corpus = list(articles(args.articles, args.words))
    tagger = RuleTagger(load_codebook("social-credit"), min_hits=2)
    nlp = tagger.matcher("en").nlp  # the shared pipeline_for("en"): one tokenizer and cache for both sides
    for article in corpus[:200]:  # warm both caches the same way
        nlp.make_doc(article["text"])
        tagger.tag_article(article)

    hits = 0

    def tag(block: list[dict[str, Any]]) -> None:
        nonlocal hits
        hits += sum(len(hit_rows) for hit_rows, _ in tagger.tag_all(block))

    tagging, tokenizer = alternating(corpus, args.block, tag, nlp.make_doc)

    n = len(corpus)
    print(f"articles: {n} of {args.words} words; hits found: {hits}")
    print(f"spaCy nlp.make_doc:  {n / tokenizer:8.0f} docs/s")
    print(f"framing rule tagger: {n / tagging:8.0f} docs/s")
    print(f"tagger / tokenizer = {tokenizer / tagging:.2f}  (target >= 0.5)")


if __name__ == "__main__":
    main()
