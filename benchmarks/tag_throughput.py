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

from _synthetic import articles
from _timing import tagger_vs_tokenizer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--block", type=int, default=500, help="articles per interleaved block")
    args = parser.parse_args()
    corpus = list(articles(args.articles, args.words))
    tagging, tokenizer, hits = tagger_vs_tokenizer(corpus, "en", args.block, warm=200)

    n = len(corpus)
    print(f"articles: {n} of {args.words} words; hits found: {hits}")
    print(f"spaCy nlp.make_doc:  {n / tokenizer:8.0f} docs/s")
    print(f"framing rule tagger: {n / tagging:8.0f} docs/s")
    print(f"tagger / tokenizer = {tokenizer / tagging:.2f}  (target >= 0.5)")


if __name__ == "__main__":
    main()
