"""Drawing units for coding and dealing them out to coders.

The sample is stratified (by outlet, and optionally year or language) with proportional
allocation, so small outlets are not drowned by big ones, and reproducible from a seed. A share of
the sample (``overlap``) is coded by several coders, for reliability; the rest by one coder each.
Overlap units go to coder pairs in rotation so that every pair shares units (Cohen's kappa needs
that), and queues are shuffled so nobody can tell which of their units are double-coded.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from framing.errors import FramingError


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Split ``n`` over strata in proportion to their sizes (largest remainder), never above a stratum's size.

    When ``n`` allows, every non-empty stratum gets at least one unit and the rest is split in
    proportion to what each stratum has left.

    Parameters
    ----------
    sizes
        Units available per stratum.
    n
        Units wanted in all; capped at the total available.

    Returns
    -------
    dict
        Units to draw per stratum; they sum to ``min(n, sum(sizes))``.
    """
    n = min(n, sum(sizes.values()))
    allocation = dict.fromkeys(sizes, 0)
    open_strata = {s: size for s, size in sizes.items() if size > 0}
    if n >= len(open_strata):
        # every stratum (every outlet) is represented at least once, however small
        for stratum in open_strata:
            allocation[stratum] = 1
        open_strata = {s: size - 1 for s, size in open_strata.items() if size > 1}
    remaining = n - sum(allocation.values())
    while remaining > 0 and open_strata:
        total = sum(open_strata.values())
        quotas = {s: remaining * size / total for s, size in open_strata.items()}
        shares = {s: min(math.floor(q), open_strata[s]) for s, q in quotas.items()}
        # largest remainders first; ties in stratum order so the result does not depend on dict luck
        order = sorted(open_strata, key=lambda s: (-(quotas[s] - math.floor(quotas[s])), s))
        leftover = remaining - sum(shares.values())
        for stratum in order:
            if leftover == 0:
                break
            if shares[stratum] < open_strata[stratum]:
                shares[stratum] += 1
                leftover -= 1
        for stratum, share in shares.items():
            allocation[stratum] += share
            open_strata[stratum] -= share
        remaining = n - sum(allocation.values())
        open_strata = {s: left for s, left in open_strata.items() if left > 0}
    return allocation


def stratum_labels(frame: pd.DataFrame, by: list[str]) -> pd.Series:
    """Each row's stratum as text, e.g. ``"The Meridian Daily / 2021"``."""
    if not by:
        return pd.Series("all", index=frame.index)
    parts = []
    for column in by:
        if column == "year":
            parts.append(pd.to_datetime(frame["published"], errors="coerce").dt.year.astype("Int64").astype(str)
                         .replace("<NA>", "undated"))
        else:
            parts.append(frame[column].fillna("unknown").astype(str))
    label = parts[0]
    for part in parts[1:]:
        label = label + " / " + part
    return label


def draw_sample(candidates: pd.DataFrame, n: int, by: list[str], seed: int) -> pd.DataFrame:
    """A stratified random sample of ``n`` rows of ``candidates`` (one row per codable unit).

    Rows come back in a seeded random order with a ``stratum`` column added. The same candidates,
    ``n``, strata and seed always give the same sample.
    """
    if n < 1:
        raise FramingError("the sample size --n must be at least 1")
    if candidates.empty:
        raise FramingError("no units left to sample: every relevant article is already in the coding queue "
                           "(or the study has no relevant articles: run `framing run` first)")
    frame = candidates.sort_values("unit_id").reset_index(drop=True)
    frame["stratum"] = stratum_labels(frame, by)
    allocation = allocate(frame.groupby("stratum").size().to_dict(), n)
    rng = np.random.default_rng(seed)
    picked = []
    for stratum in sorted(allocation):
        members = frame.index[frame["stratum"] == stratum].to_numpy()
        picked.extend(rng.choice(members, size=allocation[stratum], replace=False).tolist())
    sample = frame.loc[picked]
    return sample.iloc[rng.permutation(len(sample))].reset_index(drop=True)


def assign(unit_ids: list[str], coders: list[str], overlap: float, per_unit: int, seed: int) -> dict[str, list[str]]:
    """Deal units to coders: ``overlap`` of them to ``per_unit`` coders each, the rest to one.

    Parameters
    ----------
    unit_ids
        The sample, in random order.
    coders
        Coder names.
    overlap
        Share of units (0..1) coded by several coders.
    per_unit
        Coders per overlapping unit (at least 2; at most the number of coders).
    seed
        Seeds the pair rotation and each coder's queue order.

    Returns
    -------
    dict
        Coder -> unit ids in the order the coder will see them.
    """
    if not coders:
        raise FramingError("name at least one coder (--coders ana,ben)")
    if len(set(coders)) != len(coders):
        raise FramingError(f"coder names repeat: {coders}")
    if not 0 <= overlap <= 1:
        raise FramingError(f"--overlap is a share between 0 and 1, got {overlap}")
    n_overlap = round(overlap * len(unit_ids))
    if n_overlap and len(coders) < 2:
        raise FramingError("double coding (--overlap above 0) needs at least two coders")
    per_unit = max(2, min(per_unit, len(coders))) if n_overlap else 1
    rng = np.random.default_rng(seed)
    queues: dict[str, list[str]] = {c: [] for c in coders}
    groups = list(itertools.combinations(coders, per_unit))
    groups = [groups[i] for i in rng.permutation(len(groups))]
    for i, unit_id in enumerate(unit_ids[:n_overlap]):
        for coder in groups[i % len(groups)]:
            queues[coder].append(unit_id)
    for unit_id in unit_ids[n_overlap:]:
        # the least-loaded coder, ties to the earliest named, keeps workloads within one unit
        coder = min(coders, key=lambda c: (len(queues[c]), coders.index(c)))
        queues[coder].append(unit_id)
    return {coder: [queue[i] for i in rng.permutation(len(queue))] for coder, queue in queues.items()}


def uncertainty(proba: np.ndarray, thresholds: np.ndarray, prevalence: np.ndarray) -> np.ndarray:
    """How much coding a unit would teach the classifier: high where it is least sure, on rare frames most.

    Parameters
    ----------
    proba
        Units x frames probabilities from the classifier.
    thresholds
        The classifier's decision threshold per frame.
    prevalence
        Each frame's share among the gold labels so far.

    Returns
    -------
    ndarray
        One score per unit in [0, 1]: the largest, over frames, of closeness to the threshold
        (1 at the threshold, 0 at certainty) times a rarity weight (1 for the rarest frame, down
        to 0.5 for the commonest), so a doubtful call on a rare frame outranks one on a common frame.
    """
    proba = np.asarray(proba, dtype=float)
    thresholds = np.asarray(thresholds, dtype=float)
    span = np.where(proba >= thresholds, 1 - thresholds, thresholds)
    closeness = 1 - np.abs(proba - thresholds) / np.maximum(span, 1e-9)
    prevalence = np.asarray(prevalence, dtype=float)
    spread = prevalence.max() - prevalence.min()
    rarity = 1 - 0.5 * ((prevalence - prevalence.min()) / spread if spread > 0 else np.zeros_like(prevalence))
    return (np.clip(closeness, 0, 1) * rarity).max(axis=1)


def most_uncertain(candidates: pd.DataFrame, n: int, by: list[str]) -> pd.DataFrame:
    """The ``n`` highest-``score`` candidates, balanced across strata like :func:`draw_sample`.

    Each stratum gets its proportional share (every stratum at least one when ``n`` allows) and
    fills it with its own most uncertain units, so one outlet's hard cases cannot take the batch.
    Ties are broken by unit id, so the choice is reproducible.
    """
    if candidates.empty:
        raise FramingError("no units left to propose: every relevant article is already in the coding queue")
    frame = candidates.sort_values(["score", "unit_id"], ascending=[False, True]).reset_index(drop=True)
    frame["stratum"] = stratum_labels(frame, by)
    allocation = allocate(frame.groupby("stratum").size().to_dict(), n)
    picked = [frame[frame["stratum"] == stratum].head(count) for stratum, count in sorted(allocation.items())]
    return pd.concat(picked).sort_values(["score", "unit_id"], ascending=[False, True]).reset_index(drop=True)
