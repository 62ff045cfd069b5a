"""Frame shares corrected for the classifier's measured error: adjusted classify-and-count.

A classifier that misses some articles with a frame and wrongly flags some without it reports a
share that is pulled towards its false positive rate. If the true share is p, the expected raw
share is ``p * TPR + (1 - p) * FPR``; solving for p gives Forman's adjusted classify-and-count
(ACC)::

    corrected = (raw - FPR) / (TPR - FPR), clipped to [0, 1]

TPR and FPR are measured on gold units the classifier did not train on (out-of-fold predictions
from cross-validation). When TPR and FPR are close the classifier does not separate the frame and
the division blows small errors up: below ``min_gap`` the corrected share is NaN with the reason.

The interval is a percentile bootstrap over both sources of error: the validation units (which
give TPR and FPR) and the corpus units (which give the raw share) are resampled independently.
Resampling n units of a binary outcome is drawing its counts from a multinomial, so the
counts are drawn directly: the same distribution, at any corpus size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

ALL_OUTLETS = "(all outlets)"  # the outlet name of the whole corpus's row
DEFAULT_MIN_GAP = 0.1  # with TPR - FPR = 0.1, a 0.01 error in either rate moves the share by 0.1


def adjusted_share(raw: float, tpr: float, fpr: float, min_gap: float = DEFAULT_MIN_GAP) -> float:
    """Forman's adjusted classify-and-count; NaN when ``tpr - fpr < min_gap``.

    Examples
    --------
    >>> adjusted_share(0.34, tpr=0.7, fpr=0.25)
    0.2
    """
    gap = tpr - fpr
    if not np.isfinite(gap) or gap < min_gap:
        return float("nan")
    return float(np.clip(round((raw - fpr) / gap, 12), 0.0, 1.0))


def _rates(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TPR and FPR from (..., 4) counts ordered tp, fn, fp, tn (NaN where undefined)."""
    tp, fn, fp, tn = (counts[..., k].astype(float) for k in range(4))
    with np.errstate(invalid="ignore", divide="ignore"):
        return tp / (tp + fn), fp / (fp + tn)


def acc_estimate(present: Sequence[bool] | np.ndarray, gold: Sequence[bool] | np.ndarray,
                 machine: Sequence[bool] | np.ndarray, n_boot: int = 1000, seed: int = 0, level: float = 0.95,
                 min_gap: float = DEFAULT_MIN_GAP) -> dict[str, object]:
    """Raw and corrected share of one frame in one set of units, with a bootstrap interval.

    Parameters
    ----------
    present
        The classifier's label for every corpus unit.
    gold, machine
        Gold and classifier labels of the validation units (out-of-fold).
    n_boot
        Bootstrap replicates (0: no interval).
    seed
        Seed of the bootstrap; the same for every call, so one estimate's interval does not
        depend on which others are computed.
    level
        Confidence level.
    min_gap
        Smallest TPR - FPR for which the share is corrected.

    Returns
    -------
    dict
        ``units, raw_share, tpr, fpr, validation_units, corrected_share, ci_low, ci_high, note``.
    """
    present = np.asarray(present, dtype=bool)
    gold, machine = np.asarray(gold, dtype=bool), np.asarray(machine, dtype=bool)
    cells = np.array([(gold & machine).sum(), (gold & ~machine).sum(), (~gold & machine).sum(),
                      (~gold & ~machine).sum()])
    tpr, fpr = (float(r) for r in _rates(cells))
    n = len(present)
    raw = float(present.mean()) if n else float("nan")
    out = {"units": n, "raw_share": raw, "tpr": tpr, "fpr": fpr, "validation_units": int(cells.sum()),
           "corrected_share": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"), "note": ""}
    reason = _undefined(cells, tpr, fpr, n, min_gap)
    if reason:
        out["note"] = reason
        return out
    out["corrected_share"] = adjusted_share(raw, tpr, fpr, min_gap)
    if n_boot:
        rng = np.random.default_rng(seed)
        boot_cells = rng.multinomial(cells.sum(), cells / cells.sum(), size=n_boot)
        boot_raw = rng.binomial(n, raw, size=n_boot) / n
        boot_tpr, boot_fpr = _rates(boot_cells)
        gap = boot_tpr - boot_fpr
        with np.errstate(invalid="ignore", divide="ignore"):
            corrected = np.where(gap >= min_gap, np.clip((boot_raw - boot_fpr) / gap, 0, 1), np.nan)
        defined = corrected[~np.isnan(corrected)]
        if len(defined):
            out["ci_low"], out["ci_high"] = (float(q) for q in np.quantile(defined, [(1 - level) / 2,
                                                                                     (1 + level) / 2]))
        if len(defined) < n_boot:
            out["note"] = (f"{n_boot - len(defined)} of {n_boot} resamples had TPR - FPR below {min_gap} "
                           "and were left out: the interval is too narrow")
    return out


def _undefined(cells: np.ndarray, tpr: float, fpr: float, n: int, min_gap: float) -> str:
    """Why the corrected share cannot be computed ('' when it can)."""
    if n == 0:
        return "no units"
    if cells[0] + cells[1] == 0:
        return f"no validation unit carries this frame in gold ({int(cells.sum())} units): TPR unknown"
    if cells[2] + cells[3] == 0:
        return f"every validation unit carries this frame in gold ({int(cells.sum())} units): FPR unknown"
    if tpr - fpr < min_gap:
        return (f"TPR {tpr:.2f} and FPR {fpr:.2f} differ by less than {min_gap}: the classifier does not "
                "separate this frame, so its error cannot be corrected")
    return ""


def validation_table(truth: pd.DataFrame, predicted: np.ndarray, unit_ids: Sequence[str] | None = None
                     ) -> pd.DataFrame:
    """Long ``unit, frame, gold, present`` rows from a units x frames gold table and machine labels."""
    units = list(unit_ids) if unit_ids is not None else [str(i) for i in range(len(truth))]
    frames = [str(c) for c in truth.columns]
    predicted = np.asarray(predicted, dtype=bool)
    gold = truth.to_numpy().astype(bool)
    return pd.DataFrame({"unit": np.repeat(units, len(frames)), "frame": np.tile(frames, len(units)),
                         "gold": gold.ravel(), "present": predicted.ravel()})


def corrected_prevalence(predictions: pd.DataFrame, validation: pd.DataFrame, by: Sequence[str] = (),
                         frame: str = "frame", present: str = "present", gold: str = "gold", n_boot: int = 1000,
                         seed: int = 0, level: float = 0.95, min_gap: float = DEFAULT_MIN_GAP) -> pd.DataFrame:
    """Raw and ACC-corrected share of every frame per group.

    Parameters
    ----------
    predictions
        One row per corpus unit x frame: ``frame``, ``present`` and the ``by`` columns.
    validation
        One row per validation unit x frame: ``frame``, ``gold`` and ``present`` (out-of-fold), e.g.
        from :func:`validation_table`. The same rates correct every group.
    by
        Grouping columns, e.g. ``["outlet"]``; none for the whole corpus.
    frame, present, gold
        Column names.
    n_boot, seed, level, min_gap
        As in :func:`acc_estimate`.

    Returns
    -------
    DataFrame
        ``by`` columns, ``frame``, then the fields of :func:`acc_estimate`.
    """
    by = list(by)
    rows = []
    grouped = predictions.groupby(by + [frame], sort=True, observed=True) if by else predictions.groupby(frame)
    for key, part in grouped:
        key = key if isinstance(key, tuple) else (key,)
        check = validation[validation[frame] == key[-1]]
        estimate = acc_estimate(part[present].to_numpy(), check[gold].to_numpy(), check[present].to_numpy(),
                                n_boot=n_boot, seed=seed, level=level, min_gap=min_gap)
        rows.append({**dict(zip(by + [frame], key, strict=True)), **estimate})
    return pd.DataFrame(rows)


def corrected_shares(frames: pd.DataFrame, validation: pd.DataFrame, method: str, level: float = 0.95,
                     n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Raw and corrected share of every frame per outlet and over all outlets.

    Parameters
    ----------
    frames
        One row per article x frame: ``outlet``, ``frame``, ``present`` (the study's machine labels).
    validation
        ``tables/validation_labels``: ``unit, frame, gold`` and a 0/1 column per method.
    method
        The column of ``validation`` holding the study's method's out-of-fold labels.
    level, n_boot, seed
        Confidence level, bootstrap replicates and seed (see :func:`corrected_prevalence`).

    Returns
    -------
    DataFrame
        ``outlet`` (``(all outlets)`` for the whole corpus), ``frame``, ``method`` and the columns of
        :func:`~framing.aggregate.corrected.acc_estimate`.
    """
    checks = validation[["frame", "gold", method]].rename(columns={method: "present"})
    checks = checks.astype({"frame": str, "gold": bool, "present": bool})
    rows = frames[["outlet", "frame", "present"]].astype({"outlet": str, "frame": str, "present": bool})
    options = {"n_boot": n_boot, "seed": seed, "level": level}
    by_outlet = corrected_prevalence(rows, checks, by=["outlet"], **options)
    overall = corrected_prevalence(rows, checks, **options).assign(outlet=ALL_OUTLETS)
    out = pd.concat([by_outlet, overall[by_outlet.columns]], ignore_index=True)
    out.insert(2, "method", method)
    return out
