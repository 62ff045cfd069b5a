"""Outlet x frame statistics: prevalence with Wilson intervals, chi-square with residuals and
Cramér's V, Jensen-Shannon distances between outlets' frame profiles, and a 2-D outlet map.

Long-format DataFrames in, DataFrames out; column names are arguments where they vary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, norm


def wilson_interval(successes: np.ndarray | int, n: np.ndarray | int, level: float = 0.95) -> tuple:
    """Wilson score interval for a binomial share; ``(low, high)``, NaN where n is 0.

    Examples
    --------
    >>> [round(float(x), 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def prevalence(frames: pd.DataFrame, by: list[str], frame: str = "frame", present: str = "present",
               share: str = "sentence_share", level: float = 0.95) -> pd.DataFrame:
    """Share of articles carrying each frame per group, with a Wilson interval.

    Parameters
    ----------
    frames
        One row per article x frame (the tagger's ``article_frames``).
    by
        Grouping columns, e.g. ``["outlet"]`` or ``["outlet", "year"]``.

    Returns
    -------
    DataFrame
        ``by + [frame, articles, with_frame, share, ci_low, ci_high, mean_sentence_share]``.
    """
    return prevalence_from_counts(prevalence_counts(frames, by, frame, present, share), by, frame, level)


def prevalence_counts(frames: pd.DataFrame, by: list[str], frame: str = "frame", present: str = "present",
                      share: str = "sentence_share") -> pd.DataFrame:
    """The sums prevalence is made of, per group and frame: counts that add up across partitions.

    ``articles``, ``with_frame``, ``share_sum`` and ``share_n`` (non-missing sentence shares).
    """
    grouped = frames.groupby(by + [frame], observed=True, sort=True)
    return grouped.agg(articles=(present, "size"), with_frame=(present, "sum"), share_sum=(share, "sum"),
                       share_n=(share, "count")).reset_index()


def prevalence_from_counts(counts: pd.DataFrame, by: list[str], frame: str = "frame", level: float = 0.95
                           ) -> pd.DataFrame:
    """Prevalence with Wilson intervals from :func:`prevalence_counts` (of one partition, or summed over many)."""
    out = counts.groupby(by + [frame], observed=True, sort=True)[
        ["articles", "with_frame", "share_sum", "share_n"]].sum().reset_index()
    out["articles"] = out["articles"].astype(int)
    out["with_frame"] = out["with_frame"].astype(int)
    out["share"] = out["with_frame"] / out["articles"]
    out["ci_low"], out["ci_high"] = wilson_interval(out["with_frame"].to_numpy(), out["articles"].to_numpy(), level)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_sentence_share"] = out["share_sum"] / out["share_n"].where(out["share_n"] > 0)
    return out[by + [frame, "articles", "with_frame", "share", "ci_low", "ci_high", "mean_sentence_share"]]


@dataclass
class Association:
    """Chi-square test of outlet x dominant frame."""

    chi2: float
    dof: int
    p_value: float
    cramers_v: float
    n: int
    cells: pd.DataFrame  # outlet, frame, observed, expected, residual (adjusted standardized)

    def sentence(self) -> str:
        strength = ("negligible" if self.cramers_v < 0.1 else "weak" if self.cramers_v < 0.3
                    else "moderate" if self.cramers_v < 0.5 else "strong")
        p = "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"
        return (f"chi-square({self.dof}) = {self.chi2:.1f}, {p}, n = {self.n}; Cramér's V = {self.cramers_v:.2f} "
                f"({strength} association between outlet and dominant frame)")


def association(table: pd.DataFrame, row: str = "outlet", column: str = "frame") -> Association:
    """Chi-square test on a long table of one row per unit (e.g. article with its dominant frame).

    Adjusted standardized residuals (Agresti): ``(O - E) / sqrt(E (1 - row share) (1 - column share))``;
    beyond +-1.96 a cell is more or less frequent than independence predicts.
    """
    return association_from_counts(pd.crosstab(table[row], table[column]), row, column)


def association_from_counts(counts: pd.DataFrame, row: str = "outlet", column: str = "frame") -> Association:
    """:func:`association` from a contingency table (rows x columns of counts), e.g. summed over partitions."""
    counts = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        raise ValueError(f"need at least two {row}s and two {column}s with data; got {counts.shape}")
    observed = counts.to_numpy(dtype=float)
    chi2, p, dof, expected = chi2_contingency(observed, correction=False)
    n = observed.sum()
    row_share = observed.sum(axis=1, keepdims=True) / n
    col_share = observed.sum(axis=0, keepdims=True) / n
    residual = (observed - expected) / np.sqrt(expected * (1 - row_share) * (1 - col_share))
    v = float(np.sqrt(chi2 / (n * (min(observed.shape) - 1))))
    cells = pd.DataFrame({
        row: np.repeat(counts.index.to_numpy(), counts.shape[1]),
        column: np.tile(counts.columns.to_numpy(), counts.shape[0]),
        "observed": observed.ravel().astype(int), "expected": expected.ravel(), "residual": residual.ravel(),
    })
    return Association(float(chi2), int(dof), float(p), v, int(n), cells)


def profiles(prevalence_table: pd.DataFrame, group: str = "outlet", frame: str = "frame") -> pd.DataFrame:
    """Each group's frame profile: shares normalised to sum to 1 (groups x frames)."""
    wide = prevalence_table.pivot_table(index=group, columns=frame, values="share", fill_value=0.0)
    totals = wide.sum(axis=1).replace(0, np.nan)
    return wide.div(totals, axis=0).fillna(0.0)


def js_distances(profile: pd.DataFrame) -> pd.DataFrame:
    """Pairwise Jensen-Shannon distances (base 2, so 0..1) between rows of a profile table."""
    names = profile.index.to_list()
    values = profile.to_numpy()
    rows = []
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            distance = 0.0 if i == j else float(jensenshannon(values[i], values[j], base=2))
            rows.append({"outlet_a": a, "outlet_b": b, "distance": distance})
    return pd.DataFrame(rows)


def outlet_map(distances: pd.DataFrame) -> pd.DataFrame:
    """Classical multidimensional scaling of the distances to two dimensions (x, y)."""
    square = distances.pivot(index="outlet_a", columns="outlet_b", values="distance")
    d2 = square.to_numpy() ** 2
    n = d2.shape[0]
    centring = np.eye(n) - np.ones((n, n)) / n
    gram = -0.5 * centring @ d2 @ centring
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(values)[::-1][:2]
    coords = vectors[:, order] * np.sqrt(np.clip(values[order], 0, None))
    if coords.shape[1] < 2:
        coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
    return pd.DataFrame({"outlet": square.index, "x": coords[:, 0], "y": coords[:, 1]})


def dominant_frames(frames: pd.DataFrame) -> pd.DataFrame:
    """One row per article with a dominant frame: ``article_id, outlet, frame``."""
    return frames.loc[frames["dominant"], ["article_id", "outlet", "frame"]].reset_index(drop=True)
