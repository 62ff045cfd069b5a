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
from typing import Any

from _chinese import chinese_articles
from _timing import alternating

from framing.study.codebook import load_codebook
from framing.tag.rules import RuleTagger


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--chars", type=int, default=1000, help="characters per article, roughly")
    parser.add_argument("--block", type=int, default=200, help="articles per interleaved block")
    args = parser.parse_args()
    corpus = list(chinese_articles(args.articles, args.chars))
    tagger = RuleTagger(load_codebook("social-credit"), min_hits=2)
    nlp = tagger.matcher("zh").nlp  # the shared pipeline_for("zh"): one segmenter for both sides
    for article in corpus[:100]:  # warm both: jieba's dictionary, the type caches
        nlp.make_doc(article["text"])
        tagger.tag_article(article)

    hits = 0

    def tag(block: list[dict[str, Any]]) -> None:
        nonlocal hits
        hits += sum(len(hit_rows) for hit_rows, _ in tagger.tag_all(block))

    tagging, tokenizer = alternating(corpus, args.block, tag, nlp.make_doc)

    n, chars = len(corpus), sum(len(a["text"]) for a in corpus)
    print(f"articles: {n} of {chars // n} characters; hits found: {hits}")
    print(f"spaCy zh make_doc (jieba): {n / tokenizer:8.0f} docs/s  ({chars / tokenizer / 1000:.0f}k chars/s)")
    print(f"framing rule tagger:       {n / tagging:8.0f} docs/s  ({chars / tagging / 1000:.0f}k chars/s)")
    print(f"tagger / tokenizer = {tokenizer / tagging:.2f}  (target >= 0.5)")


if __name__ == "__main__":
    main()
