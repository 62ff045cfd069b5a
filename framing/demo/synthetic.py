"""Synthetic corpora for tests and benchmarks: news-like articles, and articles with planted near-duplicates.

News-like articles (:func:`news_articles`) draw words with the demo corpus's word frequencies,
so the codebook's patterns match in them about as often as in the demo (more than in real news).

Text is drawn word by word from a Zipf-distributed vocabulary, so that unrelated articles share
the frequent words (as news texts share "the", "of", "China") but rarely a run of five. A
planted *near copy* is an article after a copy desk's edits: spans of words replaced, cut or
added, 10% of its words in all, as wire copy is trimmed, corrected and extended. A *shared
lead* article opens with the first paragraph of another (as agency-based reports do) and goes
on with text of its own: related, but not a copy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from framing.demo.site import load_corpus

VOCABULARY = 20_000


@dataclass
class Planted:
    """A synthetic corpus: article rows, and which pairs are near copies (the truth to score against)."""

    articles: list[dict]
    copies: set[frozenset[str]]
    shared_leads: set[frozenset[str]]


def random_words(rng: np.random.Generator, n: int) -> list[str]:
    ranks = np.minimum(rng.zipf(1.2, n), VOCABULARY)
    return [f"w{r}" for r in ranks]


def _text(words: list[str]) -> str:
    return " ".join(words)


def edit(words: list[str], share: float, rng: np.random.Generator) -> list[str]:
    """The words after edits in spans (replace, cut, insert) that touch ``share`` of them."""
    out = list(words)
    budget = max(1, round(share * len(words)))
    while budget > 0:
        span = int(min(budget, rng.integers(3, 12)))
        kind = rng.choice(["replace", "cut", "insert"])
        at = int(rng.integers(0, max(1, len(out) - span)))
        if kind == "replace":
            out[at:at + span] = random_words(rng, span)
        elif kind == "cut":
            del out[at:at + span]
        else:
            out[at:at] = random_words(rng, span)
        budget -= span
    return out


def planted_corpus(originals: int, copies: int, shared_leads: int, words: int = 300, edited: float = 0.10,
                   seed: int = 0) -> Planted:
    """Articles with known near copies and known look-alikes that are not copies.

    Parameters
    ----------
    originals
        Unrelated articles.
    copies
        Near copies, each of a random original, with ``edited`` of its words edited.
    shared_leads
        Articles that open with an original's first 15% and then differ.
    words
        Words per article.
    """
    rng = np.random.default_rng(seed)
    texts: dict[str, list[str]] = {f"o{i}": random_words(rng, words) for i in range(originals)}
    truth: set[frozenset[str]] = set()
    leads: set[frozenset[str]] = set()
    keys = list(texts)
    for i in range(copies):
        source = keys[int(rng.integers(0, len(keys)))]
        texts[f"c{i}"] = edit(texts[source], edited, rng)
        truth.add(frozenset((source, f"c{i}")))
    lead = int(0.15 * words)
    for i in range(shared_leads):
        source = keys[int(rng.integers(0, len(keys)))]
        texts[f"l{i}"] = texts[source][:lead] + random_words(rng, words - lead)
        leads.add(frozenset((source, f"l{i}")))
    articles = list(rows(texts))
    return Planted(articles, truth, leads)


def rows(texts: dict[str, list[str]]) -> Iterator[dict]:
    """Article rows as the extract stage writes them (the columns near-duplicate clustering reads)."""
    start = dt.date(2020, 1, 1)
    for n, (key, words) in enumerate(texts.items()):
        yield {"article_id": key, "status": "ok", "text": _text(words), "published": start + dt.timedelta(days=n % 900),
               "url": f"https://outlet{n % 7}.example/{key}", "duplicate_of": None, "outlet": f"Outlet {n % 7}"}


def pairs_found(clusters: dict[str, tuple[str, str | None]]) -> set[frozenset[str]]:
    """Every pair of articles that share a cluster."""
    members: dict[str, list[str]] = {}
    for key, (cluster, _) in clusters.items():
        members.setdefault(cluster, []).append(key)
    return {frozenset((a, b)) for group in members.values() for i, a in enumerate(group) for b in group[i + 1:]}


def vocabulary(language: str = "en") -> tuple[list[str], np.ndarray]:
    counts: Counter[str] = Counter()
    outlets, _ = load_corpus()
    for outlet in outlets:
        if outlet.language == language:
            for article in outlet.articles:
                counts.update(re.findall(r"[\w'-]+", article.body))
    words, freq = zip(*counts.most_common(), strict=True)
    p = np.array(freq, dtype=float)
    return list(words), p / p.sum()


def news_articles(n: int, words_per_article: int = 600, seed: int = 1, language: str = "en",
             new_words: int = 0) -> Iterator[dict]:
    """Stream ``n`` article rows (article_id, outlet, language, published, status, text).

    ``new_words`` > 0 puts that many never-seen words (like names and numbers in real news) in
    each article, in place of drawn ones: an open vocabulary. With 0 the corpus is unchanged.
    """
    words, p = vocabulary(language)
    rng = np.random.default_rng(seed)
    fresh = np.random.default_rng(seed + 1)  # its own stream, so the drawn words stay the same
    vocab = np.array(words, dtype=object)
    outlets = [f"Outlet {i}" for i in range(8)]
    for i in range(n):
        tokens = vocab[rng.choice(len(vocab), size=words_per_article, p=p)]
        if new_words:
            places = fresh.choice(words_per_article, size=new_words, replace=False)
            tokens[places] = [f"{w}{i:x}n{k}" for k, w in enumerate(tokens[places])]
        sentences = [" ".join(tokens[j:j + 20]).capitalize() + "." for j in range(0, words_per_article, 20)]
        yield {"article_id": f"a{i:07d}", "outlet": outlets[i % 8], "language": language, "published": None,
               "status": "ok", "text": " ".join(sentences)}
