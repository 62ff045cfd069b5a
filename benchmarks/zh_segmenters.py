"""jieba vs pkuseg as spaCy's Chinese segmenter: load time, speed, how they cut the codebook's key
terms, and whether the rule tagger's hits depend on the choice.

jieba's dictionary ships in the ``jieba`` package. pkuseg's models do not ship with ``spacy-pkuseg``
(spaCy downloads them at ``initialize``); the "default" model is inside the sdist of the original
``pkuseg`` package (0.0.25, 49 MB, 180 MB unpacked). To measure pkuseg, unpack that sdist and pass
its ``pkuseg/models/default`` folder, with ``spacy-pkuseg`` installed:

    pip download --no-deps --no-binary :all: pkuseg==0.0.25 && tar xzf pkuseg-0.0.25.tar.gz
    pip install spacy-pkuseg
    python benchmarks/zh_segmenters.py --pkuseg-model pkuseg-0.0.25/pkuseg/models/default

Without ``--pkuseg-model`` only jieba is measured. A key term is reported per sentence of
``_chinese.SENTENCES`` that holds it as: one token, whole tokens (a run of tokens that begins and
ends where the term does), or cut (a token runs across one of its ends: word-level matching would
miss it).

Run: python benchmarks/zh_segmenters.py [--pkuseg-model DIR] [--articles 1000]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import spacy
from _chinese import KEY_TERMS, SENTENCES, chinese_articles
from spacy.language import Language

from framing.study.codebook import load_codebook
from framing.tag.characters import CharacterMatcher
from framing.tag.nlp import pipeline_for


def pkuseg_pipeline(model: str) -> Language:
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=model, pkuseg_user_dict="default")
    return nlp


def term_cuts(nlp: Language, term: str) -> tuple[Counter, list[str]]:
    """How the segmenter cuts ``term`` in each sentence that holds it, and one cut for show."""
    counts: Counter = Counter()
    shown = []
    for sentence in SENTENCES:
        at = sentence.find(term)
        while at >= 0:
            doc = nlp.make_doc(sentence)
            inside = [t for t in doc if t.idx < at + len(term) and t.idx + len(t) > at]
            aligned = inside[0].idx == at and inside[-1].idx + len(inside[-1]) == at + len(term)
            counts["one token" if len(inside) == 1 and aligned else "whole tokens" if aligned else "cut"] += 1
            shown.append("|".join(t.text for t in inside))
            at = sentence.find(term, at + 1)
    return counts, shown[:1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pkuseg-model", help="a pkuseg model folder (features.pkl, weights.npz)")
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    corpus = list(chinese_articles(args.articles))
    texts = [a["text"] for a in corpus]
    chars = sum(map(len, texts))
    candidates = {"jieba": lambda: pipeline_for("zh")}
    if args.pkuseg_model:
        candidates["pkuseg"] = lambda: pkuseg_pipeline(args.pkuseg_model)
    matcher = None
    hits = {}
    for name, make in candidates.items():
        started = time.perf_counter()
        nlp = make()
        nlp.make_doc("社会信用体系")  # jieba loads its dictionary on first use
        loaded = time.perf_counter() - started
        # made after jieba's pipeline was timed: its own would load jieba's dictionary first
        matcher = matcher or CharacterMatcher(load_codebook("social-credit"), "zh")
        started = time.perf_counter()
        docs = [nlp.make_doc(text) for text in texts]
        seconds = time.perf_counter() - started
        hits[name] = [(h.frame, h.start, h.end, h.negated) for found, _ in matcher.evidence(docs, texts)
                      for h in found]
        print(f"\n{name}: loaded in {loaded:.1f} s; {chars / seconds / 1000:.0f}k characters/s "
              f"({len(texts) / seconds:.0f} articles of {chars // len(texts)} characters/s); "
              f"{len(hits[name])} hits, {sum(h[3] for h in hits[name])} negated")
        for term in KEY_TERMS:
            counts, shown = term_cuts(nlp, term)
            print(f"  {term:<8} {dict(counts)}  e.g. {' '.join(shown)}")
    if len(hits) == 2:
        jieba, pkuseg = (Counter(h[:3] for h in hits[name]) for name in ("jieba", "pkuseg"))
        negation = sum(a != b for a, b in zip(sorted(hits["jieba"]), sorted(hits["pkuseg"]), strict=False))
        print(f"\nhits (frame and span) found with one segmenter and not the other: {sum((jieba - pkuseg).values())} "
              f"only jieba, {sum((pkuseg - jieba).values())} only pkuseg, of {len(hits['jieba'])}; "
              f"negated by one and not the other: {negation}")


if __name__ == "__main__":
    main()
