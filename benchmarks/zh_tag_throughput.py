"""Chinese rule tagging throughput vs spaCy's Chinese tokenizer (jieba) alone, on the same texts.

As ``tag_throughput.py`` does for English: the rule tagger (``RuleTagger.tag_all``, what the tag
stage runs) segments each text, finds sentences, matches every zh pattern of the codebook on
characters with negation and NEAR, and builds the hit and article x frame rows; the baseline is
``nlp.make_doc`` alone with the same pipeline object. Target: tagger / tokenizer >= 0.5. Both
sides are timed block by block, alternately, and the ratio is of the summed times (the machine's
speed drifts between minutes).

Run: python benchmarks/zh_tag_throughput.py [--articles 4000] [--chars 1000] [--block 200]
"""

from __future__ import annotations

import argparse

from _chinese import chinese_articles
from _timing import tagger_vs_tokenizer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--chars", type=int, default=1000, help="characters per article, roughly")
    parser.add_argument("--block", type=int, default=200, help="articles per interleaved block")
    args = parser.parse_args()
    corpus = list(chinese_articles(args.articles, args.chars))
    tagging, tokenizer, hits = tagger_vs_tokenizer(corpus, "zh", args.block, warm=100)

    n, chars = len(corpus), sum(len(a["text"]) for a in corpus)
    print(f"articles: {n} of {chars // n} characters; hits found: {hits}")
    print(f"spaCy zh make_doc (jieba): {n / tokenizer:8.0f} docs/s  ({chars / tokenizer / 1000:.0f}k chars/s)")
    print(f"framing rule tagger:       {n / tagging:8.0f} docs/s  ({chars / tagging / 1000:.0f}k chars/s)")
    print(f"tagger / tokenizer = {tokenizer / tagging:.2f}  (target >= 0.5)")


if __name__ == "__main__":
    main()
