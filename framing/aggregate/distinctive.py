"""Words that set an outlet apart: log-odds ratios with an informative Dirichlet prior.

Monroe, Colaresi & Quinn (2008), "Fightin' Words", section 3.5: for word w, outlet i and the
rest of the corpus j, with counts y and totals n, and a prior alpha_w proportional to w's
frequency in the whole corpus (alpha_0 = sum of alpha_w),

    delta_w = log((y_wi + a_w) / (n_i + a_0 - y_wi - a_w)) - log((y_wj + a_w) / (n_j + a_0 - y_wj - a_w))
    var(delta_w) ~ 1 / (y_wi + a_w) + 1 / (y_wj + a_w)

and z_w = delta_w / sqrt(var). The prior shrinks rare words toward zero, so a word used twice
by one outlet and never by others does not top the list, as it would with raw log-odds.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from framing.scripts import UNSPACED_LANGUAGES

_WORD = re.compile(r"[^\W\d_]{2,}")  # words of two or more letters; numbers and single letters say little


def words(text: str | None, language: str | None = None) -> list[str]:
    """The lower-cased words of a text: runs of two or more letters, or, in Chinese, the words
    jieba's dictionary segments (a run of Chinese characters between two punctuation marks is a
    clause, not a word). Single characters are left out in every language: in Chinese they are
    mostly function words (的, 是, 在)."""
    text = (text or "").lower()
    if language not in UNSPACED_LANGUAGES:
        return _WORD.findall(text)
    return [w for w in _segmenter()(text) if len(w) >= 2 and _WORD.fullmatch(w)]


@functools.cache
def _segmenter() -> Callable[[str], list[str]]:
    """jieba's segmenter, set up once: its dictionary loads on first use, so only studies with
    Chinese articles pay for it (the tagger's own jieba pipeline sits in a layer above this one)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary at DEBUG level on stderr
    return jieba.lcut


def word_counts(texts: Iterable[tuple[Hashable, str]], language: Callable[[Any], str | None] = lambda _: None
                ) -> dict[Any, Counter]:
    """Per group (an outlet, or a language and outlet), its words' counts, from ``(group, text)``
    pairs read one at a time; ``language`` tells a group's language (for :func:`words`)."""
    counts: dict[Any, Counter] = {}
    for group, text in texts:
        counts.setdefault(group, Counter()).update(words(text, language(group)))
    return counts


def log_odds(counts: dict[str, Counter], prior_size: float | None = None, top: int = 50) -> pd.DataFrame:
    """Each outlet's most distinctive words against the rest of the corpus.

    Parameters
    ----------
    counts
        Per group (outlet, or frame), its words' counts.
    prior_size
        alpha_0, the prior's weight in words; default the corpus size, as Monroe et al.'s
        informative prior takes the corpus's own frequencies.
    top
        Words kept per group, by z-score (over-represented ones only: z > 0).

    Returns
    -------
    DataFrame
        ``group``, ``word``, ``count`` (in the group), ``count_rest``, ``log_odds`` (delta),
        ``z``, ``rank`` (1: the most distinctive).
    """
    vocabulary = sorted(set().union(*counts.values())) if counts else []
    groups = sorted(counts)
    matrix = np.array([[counts[g].get(w, 0) for w in vocabulary] for g in groups], dtype=float)
    total = matrix.sum(axis=0)
    alpha_0 = float(total.sum()) if prior_size is None else prior_size
    alpha = alpha_0 * total / total.sum() if total.sum() else total
    frames = []
    for index, group in enumerate(groups):
        y_i, y_j = matrix[index], total - matrix[index]
        n_i, n_j = y_i.sum(), y_j.sum()
        delta = (np.log((y_i + alpha) / (n_i + alpha_0 - y_i - alpha))
                 - np.log((y_j + alpha) / (n_j + alpha_0 - y_j - alpha)))
        z = delta / np.sqrt(1 / (y_i + alpha) + 1 / (y_j + alpha))
        order = [k for k in np.argsort(-z, kind="stable")[:top] if z[k] > 0]  # over-represented words only
        frames.append(pd.DataFrame({"group": group, "word": [vocabulary[k] for k in order],
                                    "count": y_i[order].astype(int), "count_rest": y_j[order].astype(int),
                                    "log_odds": delta[order], "z": z[order],
                                    "rank": np.arange(1, len(order) + 1)}))
    columns = ["group", "word", "count", "count_rest", "log_odds", "z", "rank"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
