"""Near-duplicate clusters: syndicated copies that differ by an edit, a byline or a headline.

Exact copies (the same case- and space-folded text) are linked by ``duplicate_of`` already.
Wire stories are rarely exact: an outlet trims a paragraph, fixes a typo, adds a sentence of its
own. Such copies are found by MinHash locality-sensitive hashing (datasketch) on word shingles:
each article's set of overlapping ``shingle_words``-word runs is summarised by a MinHash
signature; LSH proposes the pairs whose signatures agree in at least one band, and a pair is
kept only when its estimated Jaccard similarity reaches ``threshold``. Kept pairs join clusters
(connected components), so a copy of a copy is in the cluster of the original.

Every article (status ``ok`` or ``duplicate``) gets a ``cluster_id``: the id of the cluster's
first article by publication date, then URL (the same order that picks an exact duplicate's
original), its own id when it has no near copy. ``near_duplicate_of`` names that first article
for every other ``ok`` member, so it is set exactly where an article is a near (not exact) copy.
Memory grows with the number of articles (one signature of ``num_perm`` 32-bit values each, and
the LSH index), not with their text: articles are read in batches.

Signing an article (shingling and hashing its text) is most of the work and needs nothing but
the article, so the extract stage does it in its worker processes or tasks (:func:`signature`,
kept in the ``minhash`` column until clustering); only the index, which must see every
article, runs in one process.

The defaults, 3-word shingles and a threshold of 0.75, were chosen on planted copies
(:mod:`framing.demo.synthetic`): a copy with 10% of its words edited in spans, as a copy desk
edits, has a 3-shingle Jaccard similarity of 0.79-0.84 (5th percentile to median); with 5-word
shingles it is 0.74-0.78 and would fall under any threshold near 0.8, while articles that only
share a wire lead stay under 0.12. On 5,000 such articles recall was 0.96-0.97 and precision 1.0
(tests/test_near_duplicates.py holds the floors).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from framing.study.tables import ARTICLES

_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, size: int) -> list[bytes]:
    """The distinct runs of ``size`` consecutive words of a text, lower-cased, as bytes.

    Examples
    --------
    >>> shingles("The court, the list.", 2)
    [b'the court', b'court the', b'the list']
    """
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return [" ".join(words).encode()] if words else []
    return list(dict.fromkeys(" ".join(words[i:i + size]).encode() for i in range(len(words) - size + 1)))


NUM_PERM = 128


def signature(text: str, shingle_words: int, num_perm: int = NUM_PERM) -> bytes | None:
    """An article's MinHash signature as ``num_perm`` little-endian 32-bit values; None without words.

    The values fit in 32 bits (datasketch's default ``affine32`` scheme), so half of the
    stored bytes would always be zero as 64-bit values.
    """
    words = shingles(text, shingle_words)
    if not words:
        return None
    minhash = _blank(num_perm).copy()  # the permutations are drawn once per process, not per article
    minhash.update_batch(words)
    return minhash.hashvalues.astype("<u4").tobytes()


@functools.lru_cache(maxsize=2)
def _blank(num_perm: int) -> MinHash:
    return MinHash(num_perm=num_perm)


@dataclass
class NearDuplicates:
    """A streaming index of articles' MinHash signatures that clusters near-duplicates.

    Parameters
    ----------
    threshold
        Estimated Jaccard similarity of two articles' shingle sets from which they are near-duplicates.
    shingle_words
        Words per shingle.
    num_perm
        MinHash permutations: more give a closer estimate and cost time and memory.
    """

    COLUMNS = ("article_id", "status", "minhash", "published", "url", "duplicate_of")  # what add() reads

    threshold: float = 0.75
    shingle_words: int = 3
    num_perm: int = NUM_PERM
    _lsh: MinHashLSH = field(init=False, repr=False)
    _signatures: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _order: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    _parent: dict[str, str] = field(default_factory=dict, repr=False)
    _exact: dict[str, str] = field(default_factory=dict, repr=False)
    _first_with: dict[bytes, str] = field(default_factory=dict, repr=False)  # signature -> first article

    def __post_init__(self) -> None:
        # LSH bands chosen to miss few true pairs (false negatives weigh 0.9 in _bands): a pair it
        # proposes wrongly costs one comparison of signatures, a pair it misses is lost.
        self._lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm,
                               params=_bands(self.threshold, self.num_perm))

    def add(self, articles: Iterable[dict[str, Any]]) -> None:
        """Index a batch of articles: ``article_id``, ``status``, ``published``, ``url``, ``duplicate_of``
        and ``minhash`` (from :func:`signature`); an article without the ``minhash`` key is signed
        here from its ``text``."""
        for article in articles:
            if article["status"] not in ARTICLES:
                continue
            key = article["article_id"]
            self._order[key] = (str(article["published"] or "9999"), article["url"] or "")
            self._parent.setdefault(key, key)
            if article["status"] == "duplicate" and article["duplicate_of"]:
                self._exact[key] = article["duplicate_of"]  # same text as its original: no signature needed
                continue
            signed = article["minhash"] if "minhash" in article else \
                signature(article["text"] or "", self.shingle_words, self.num_perm)
            if signed is not None:
                self._index(key, np.frombuffer(signed, dtype="<u4"))

    def _index(self, key: str, values: np.ndarray) -> None:
        if len(values) != self.num_perm:
            raise ValueError(f"article {key}: a signature of {len(values)} values, expected {self.num_perm}")
        same = values.tobytes()
        if same in self._first_with:  # an exact copy (a wire story printed 2,000 times): joined at once,
            self._union(key, self._first_with[same])  # not compared with every copy before it
            return
        self._first_with[same] = key
        blank = _blank(self.num_perm)
        minhash = LeanMinHash(seed=blank.seed, hashvalues=values.astype(np.uint64), scheme=blank.scheme)
        for other in self._lsh.query(minhash):
            if _jaccard(values, self._signatures[other]) >= self.threshold:
                self._union(key, other)
        self._lsh.insert(key, minhash, check_duplication=False)
        self._signatures[key] = values

    def clusters(self) -> dict[str, tuple[str, str | None]]:
        """Every indexed article -> (``cluster_id``, ``near_duplicate_of``)."""
        for copy, original in self._exact.items():
            if original in self._parent:
                self._union(copy, original)
        members: dict[str, list[str]] = {}
        for key in self._parent:
            members.setdefault(self._find(key), []).append(key)
        out = {}
        for group in members.values():
            first = min(group, key=lambda k: (self._order[k], k))
            for key in group:
                near = first if key != first and key not in self._exact else None
                out[key] = (first, near)
        return out

    def _find(self, key: str) -> str:
        root = key
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[key] != root:  # path compression keeps later finds short
            self._parent[key], key = root, self._parent[key]
        return root

    def _union(self, a: str, b: str) -> None:
        self._parent[self._find(a)] = self._find(b)


@functools.lru_cache(maxsize=8)
def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """LSH bands and rows per band for a threshold; datasketch finds them by numerical integration
    (20 ms), once per process here rather than once per index."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.1, 0.9))
    return lsh.b, lsh.r


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """MinHash estimate of the Jaccard similarity: the share of permutations whose minima agree."""
    return float(np.count_nonzero(a == b)) / len(a)


def cluster_rows(index: NearDuplicates) -> list[dict[str, Any]]:
    """The index's clusters as ``article_id, cluster_id, near_duplicate_of`` rows."""
    return [{"article_id": key, "cluster_id": cluster, "near_duplicate_of": near}
            for key, (cluster, near) in index.clusters().items()]
