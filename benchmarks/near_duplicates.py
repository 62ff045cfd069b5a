"""Near-duplicate clustering (MinHash LSH) at corpus scale: throughput, peak memory, and quality.

A streamed synthetic corpus (framing.demo.synthetic's Zipf text): originals, near copies of a
recent original (10% of words edited in spans) and articles that share an original's lead and
then differ. The index sees them in batches of 1,000, as the extract stage feeds it. Printed:

- clustering throughput as a ratio to the baseline in the same run: shingling the same texts
  alone (the part of the work every shingle-based method pays);
- peak resident memory of the process (the corpus is generated batch by batch, never held);
- recall over planted (original, copy) pairs and precision over the pairs found, against the
  planted stories; issue 13 asks recall >= 0.95 and precision >= 0.99.

Run: python benchmarks/near_duplicates.py [--articles 100000] [--copies 0.1] [--leads 0.1]
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import deque

import numpy as np

from framing.demo.synthetic import edit, random_words, rows
from framing.extract.near_duplicates import NearDuplicates, shingles


def stream(n: int, copies: float, leads: float, seed: int, batch: int = 1000):
    """Batches of article rows, and the planted truth filled in as they go."""
    rng = np.random.default_rng(seed)
    recent: deque = deque(maxlen=5000)   # copies and leads come from recent originals, as wire copy does
    truth, shared = set(), set()
    made = 0
    while made < n:
        texts = {}
        for _ in range(min(batch, n - made)):
            key = f"a{made}"
            draw = rng.random()
            if recent and draw < copies:
                source, words = recent[int(rng.integers(0, len(recent)))]
                texts[key] = edit(words, 0.10, rng)
                truth.add(frozenset((source, key)))
            elif recent and draw < copies + leads:
                source, words = recent[int(rng.integers(0, len(recent)))]
                texts[key] = words[:45] + random_words(rng, 255)
                shared.add(frozenset((source, key)))
            else:
                texts[key] = random_words(rng, 300)
                recent.append((key, texts[key]))
            made += 1
        yield list(rows(texts)), truth, shared


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--copies", type=float, default=0.1)
    parser.add_argument("--leads", type=float, default=0.1)
    args = parser.parse_args()
    index = NearDuplicates()
    clustering = shingling = 0.0
    planted = stream(args.articles, args.copies, args.leads, seed=1)
    for batch, truth, shared in planted:  # noqa: B007 - the truth sets are complete after the last batch
        started = time.perf_counter()
        for article in batch:
            shingles(article["text"], index.shingle_words)
        shingling += time.perf_counter() - started
        started = time.perf_counter()
        index.add(batch)
        clustering += time.perf_counter() - started
    started = time.perf_counter()
    clusters = index.clusters()
    clustering += time.perf_counter() - started
    members: dict[str, list[str]] = {}
    for key, (cluster, _) in clusters.items():
        members.setdefault(cluster, []).append(key)
    story = {}
    for pair in truth:   # the planted stories: an original and its copies
        a, b = sorted(pair, key=lambda k: int(k[1:]))
        story.setdefault(a, a)
        story[b] = story[a]
    found = {frozenset((a, b)) for group in members.values() if len(group) > 1
             for i, a in enumerate(group) for b in group[i + 1:]}
    same_story = {p for p in found if len({story.get(k, k) for k in p}) == 1}
    recall = len(found & truth) / max(1, len(truth))
    precision = len(same_story) / max(1, len(found))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles {args.articles:,}: {len(truth):,} planted copies, {len(shared):,} shared leads")
    print(f"clustering {args.articles / clustering:,.0f} articles/s; shingling alone {args.articles / shingling:,.0f}"
          f" articles/s; ratio {shingling / clustering:.3f}")
    print(f"recall {recall:.4f}  precision {precision:.4f}  shared-lead pairs joined {len(found & shared)}")
    print(f"peak resident memory {peak:,.0f} MiB; {len(members):,} clusters")


if __name__ == "__main__":
    main()
