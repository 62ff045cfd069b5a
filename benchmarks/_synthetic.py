"""A synthetic news corpus with the demo corpus's vocabulary and word frequencies (Zipf-like)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import numpy as np

from framing.demo.site import load_corpus


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


def articles(n: int, words_per_article: int = 600, seed: int = 1, language: str = "en",
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
