"""How far student coders agree: Krippendorff's alpha, Fleiss' and Cohen's kappa, and each coder against the rest.

What is measured
----------------
Every judgement gives one value to each of these nominal variables (``kind`` in the tables):

``frame``
    One binary variable per codebook frame, ``absent`` / ``present``. A judgement with
    ``relevant=False`` counts as *absent* for every frame, whatever its ``frames`` say: the coder
    saw no frame in an article off the topic. So two coders who agree that an article is off the
    topic also agree on all of its frames, which raises frame agreement when many units are off
    the topic; the ``relevant`` variable shows that agreement on its own.
``all frames``
    The frame variables pooled: every (unit, frame) decision is one pairable value of one binary
    variable, so alpha's expected disagreement comes from all frames' decisions together and
    frequent frames weigh as much as rare ones per decision. Its bootstrap resamples whole units
    (all frames of an article together), because one coder's decisions on one article are not
    independent.
``relevant``
    ``no`` / ``yes``.
``dominant``
    The frame ids plus :data:`NO_DOMINANT` for a judgement naming no dominant frame or marked not
    relevant. ``"(none)"`` cannot be a frame id (ids are lower-case letters, digits and
    underscores), so it never merges with a frame called ``none``.

Which data enter: judgements by :data:`~framing.annotate.judgement.GOLD_CODER` are left out (gold is
the adjudicated answer, not a coder), then units judged by fewer than two coders are left out
(they say nothing about agreement). Both counts are reported in ``Agreement.notes``.

The statistics
--------------
- Krippendorff's alpha (nominal), computed by the ``krippendorff`` package from the units x
  categories value counts. Undefined (NaN, with a note) when every pairable value is the same
  category: there is no variation to measure agreement against.
- Its interval is a *percentile bootstrap over units*: units are drawn with replacement
  ``n_boot`` times (NumPy generator seeded with ``seed``, the same seed for every variable, so a
  variable's interval does not depend on which others are computed) and alpha is recomputed on
  each resample. This is not Krippendorff's own bootstrap (which resamples pairs of values from
  the coincidence matrix); resamples without variation have no alpha and are left out (counted in
  the note).
- Percent agreement: the share of agreeing pairs among all pairs of values coded for the same
  unit; a unit judged by m coders gives m(m-1)/2 pairs, so units with more coders weigh more.
- Fleiss' kappa (statsmodels ``aggregate_raters`` + ``fleiss_kappa``) assumes the same number of
  coders on every unit: it is computed on the units with the most common number of coders (the
  larger number on a tie), and the table says how many units and coders that is.
- Cohen's kappa (statsmodels ``cohens_kappa``) per coder pair on the units both coded; pairs
  sharing no unit are not listed. Undefined (NaN, with a note) when both coders used one and the
  same category throughout.
- Per coder: percent agreement and alpha between the coder and every other coder on their shared
  units (each (unit, other coder) is one two-value unit), the mean of the coder's pairwise kappas
  weighted by shared units, and alpha among the *other* coders alone. A coder is flagged when
  their alpha with the rest is more than ``flag_margin`` below the rest's own alpha: the others
  agree with each other clearly better than with them. With two coders nobody can be flagged:
  there is no rest to tell which of the two departs.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa

from framing.annotate.judgement import GOLD_CODER, Judgement
from framing.errors import FramingError
from framing.evaluate.reliability import alpha_from_counts
from framing.study.schema import suggestion

#: The ``dominant`` category of a judgement without a dominant frame (or not relevant).
NO_DOMINANT = "(none)"
FRAME, POOLED, RELEVANT, DOMINANT = "frame", "all frames", "relevant", "dominant"
#: The kinds ``render`` details by coder pair and by coder; per-frame detail is in the DataFrames.
SUMMARY_KINDS = (POOLED, RELEVANT, DOMINANT)


@dataclass(frozen=True)
class ReliabilityData:
    """One nominal variable as a coders x units reliability matrix.

    Parameters
    ----------
    name
        The variable, e.g. a frame id, ``"dominant"``.
    kind
        ``"frame"``, ``"all frames"``, ``"relevant"``, ``"dominant"`` (or any label for data built by hand).
    categories
        The labels of the codes 0, 1, ... used in ``matrix``.
    matrix
        Coders (index) x columns; each cell the code of the category a coder chose, NaN where the
        coder did not code the unit.
    width
        Columns per unit, unit-major: 1, or the number of frames for the pooled variable, whose
        columns are (unit 1, frame 1), (unit 1, frame 2), ... (unit 2, frame 1), ...
    """

    name: str
    kind: str
    categories: tuple[str, ...]
    matrix: pd.DataFrame
    width: int = 1

    def __post_init__(self) -> None:
        if self.width < 1 or self.matrix.shape[1] % self.width:
            raise ValueError(f"{self.name}: {self.matrix.shape[1]} columns are not whole units of width {self.width}")
        codes = self.matrix.to_numpy(dtype=float)
        bad = ~np.isnan(codes) & ~np.isin(codes, np.arange(len(self.categories)))
        if bad.any():
            raise ValueError(f"{self.name}: codes must be 0..{len(self.categories) - 1} or NaN; got {codes[bad][:3]}")

    @property
    def coders(self) -> list[str]:
        """The coders, in matrix order."""
        return [str(c) for c in self.matrix.index]

    def codes(self) -> np.ndarray:
        """The matrix as floats, with only the units that at least two coders coded."""
        codes = self.matrix.to_numpy(dtype=float)
        per_unit = (~np.isnan(codes)).sum(axis=0).reshape(-1, self.width).max(axis=1)
        return codes[:, np.repeat(per_unit >= 2, self.width)]


@dataclass(frozen=True)
class Agreement:
    """Agreement statistics, as three long tables.

    Attributes
    ----------
    per_variable
        One row per variable: ``variable, kind, units, coders, values, alpha, alpha_low,
        alpha_high, percent_agreement, fleiss_kappa, fleiss_units, fleiss_coders, note``.
    pairs
        One row per variable and coder pair sharing units: ``variable, kind, coder_a, coder_b,
        units, percent_agreement, cohen_kappa, note``.
    coders
        One row per variable and coder: ``variable, kind, coder, units, pairs,
        percent_agreement, mean_kappa, alpha_with_rest, alpha_of_rest, flagged, note``.
    notes
        What was left out of the data, in words.
    level, n_boot, seed, flag_margin
        The settings the numbers were computed with (for a methods note).
    """

    per_variable: pd.DataFrame
    pairs: pd.DataFrame
    coders: pd.DataFrame
    notes: tuple[str, ...] = ()
    level: float = 0.95
    n_boot: int = 1000
    seed: int = 0
    flag_margin: float = 0.2

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The tables by name (``per_variable``, ``pairs``, ``coders``), ready for CSV or Parquet."""
        return {"per_variable": self.per_variable, "pairs": self.pairs, "coders": self.coders}

    def flagged_coders(self, kinds: Sequence[str] = SUMMARY_KINDS) -> list[str]:
        """Coders flagged on any variable of the given kinds, sorted."""
        rows = self.coders[self.coders["kind"].isin(kinds) & self.coders["flagged"]]
        return sorted(set(rows["coder"]))


def compute_agreement(judgements: Iterable[Judgement], frame_ids: Sequence[str], *, n_boot: int = 1000,
                      seed: int = 0, level: float = 0.95, flag_margin: float = 0.2) -> Agreement:
    """Agreement per frame, pooled over frames, on relevance and on the dominant frame.

    Parameters
    ----------
    judgements
        Every coder's judgements; the gold coder's are left out.
    frame_ids
        The codebook's frame ids, in codebook order.
    n_boot
        Bootstrap resamples for alpha's interval (0: no interval).
    seed
        Seed of the bootstrap.
    level
        Confidence level of the interval.
    flag_margin
        How far a coder's alpha with the rest may fall below the rest's own alpha before the coder
        is flagged.

    Returns
    -------
    Agreement

    Raises
    ------
    FramingError
        When a judgement names a frame not in the codebook, a coder judged a unit twice, or no unit
        was judged by two coders.

    Examples
    --------
    >>> from framing.annotate.judgement import Judgement
    >>> js = [Judgement("a1", "ann", ("trust",), "trust"), Judgement("a1", "bo", ("trust",), "trust"),
    ...       Judgement("a2", "ann", ()), Judgement("a2", "bo", ("trust",))]
    >>> result = compute_agreement(js, ["trust"], n_boot=0)
    >>> row = result.per_variable.set_index("variable").loc["trust"]
    >>> int(row["units"]), float(row["percent_agreement"])
    (2, 0.5)
    """
    kept, notes = _usable(list(judgements), list(frame_ids))
    return agreement_from_data(reliability_data(kept, frame_ids), n_boot=n_boot, seed=seed, level=level,
                               flag_margin=flag_margin, notes=notes)


def reliability_data(judgements: Iterable[Judgement], frame_ids: Sequence[str]) -> list[ReliabilityData]:
    """The coders x units matrices of every variable: each frame, all frames pooled, relevant, dominant.

    Gold judgements and units judged by fewer than two coders are left out first.

    Parameters
    ----------
    judgements
        Every coder's judgements.
    frame_ids
        The codebook's frame ids, in codebook order.

    Returns
    -------
    list of ReliabilityData
        Frames in codebook order, then the pooled frames, ``relevant`` and ``dominant``.
    """
    kept, _ = _usable(list(judgements), list(frame_ids))
    frame_ids = list(frame_ids)
    coders = sorted({j.coder for j in kept})
    units = sorted({j.unit for j in kept})
    row, col = {c: i for i, c in enumerate(coders)}, {u: i for i, u in enumerate(units)}
    dominant_categories = (*frame_ids, NO_DOMINANT)
    frames = np.full((len(coders), len(units), len(frame_ids)), np.nan)
    relevant = np.full((len(coders), len(units)), np.nan)
    dominant = np.full((len(coders), len(units)), np.nan)
    for j in kept:
        r, c = row[j.coder], col[j.unit]
        present = set(j.frames) if j.relevant else set()  # not relevant: every frame absent (module docs)
        frames[r, c] = [f in present for f in frame_ids]
        relevant[r, c] = j.relevant
        dominant[r, c] = dominant_categories.index(j.dominant if j.relevant and j.dominant else NO_DOMINANT)
    binary = ("absent", "present")
    out = [ReliabilityData(f, FRAME, binary, pd.DataFrame(frames[:, :, i], index=coders, columns=units))
           for i, f in enumerate(frame_ids)]
    pooled_columns = pd.MultiIndex.from_product([units, frame_ids], names=["unit", "frame"])
    out.append(ReliabilityData(POOLED, POOLED, binary, pd.DataFrame(frames.reshape(len(coders), -1), index=coders,
                                                                   columns=pooled_columns), width=len(frame_ids)))
    out.append(ReliabilityData(RELEVANT, RELEVANT, ("no", "yes"), pd.DataFrame(relevant, index=coders, columns=units)))
    out.append(ReliabilityData(DOMINANT, DOMINANT, dominant_categories,
                               pd.DataFrame(dominant, index=coders, columns=units)))
    return out


def agreement_from_data(variables: Sequence[ReliabilityData], *, n_boot: int = 1000, seed: int = 0,
                        level: float = 0.95, flag_margin: float = 0.2, notes: Sequence[str] = ()) -> Agreement:
    """Agreement statistics of reliability matrices built by ``reliability_data`` or by hand.

    Parameters
    ----------
    variables
        The variables to measure.
    n_boot, seed, level, flag_margin
        As in ``compute_agreement``.
    notes
        Carried into ``Agreement.notes``.

    Returns
    -------
    Agreement

    Examples
    --------
    Krippendorff's (2011) binary example, two observers and ten units:

    >>> m = pd.DataFrame([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]], index=["A", "B"])
    >>> data = ReliabilityData("x", "frame", ("absent", "present"), m)
    >>> print(round(agreement_from_data([data], n_boot=0).per_variable["alpha"][0], 3))
    0.095
    """
    if not 0 < level < 1 or n_boot < 0:
        raise ValueError(f"level must be in (0, 1) and n_boot >= 0; got level={level}, n_boot={n_boot}")
    per_variable, pairs, coders = [], [], []
    for var in variables:
        codes = var.codes()
        var_pairs = _pairs(var, codes)
        per_variable.append(_variable_row(var, codes, n_boot, seed, level))
        pairs += var_pairs
        coders += _coder_rows(var, codes, var_pairs, flag_margin)
    return Agreement(pd.DataFrame(per_variable, columns=_VARIABLE_COLUMNS), pd.DataFrame(pairs, columns=_PAIR_COLUMNS),
                     pd.DataFrame(coders, columns=_CODER_COLUMNS), tuple(notes), level, n_boot, seed, flag_margin)


_VARIABLE_COLUMNS = ["variable", "kind", "units", "coders", "values", "alpha", "alpha_low", "alpha_high",
                     "percent_agreement", "fleiss_kappa", "fleiss_units", "fleiss_coders", "note"]
_PAIR_COLUMNS = ["variable", "kind", "coder_a", "coder_b", "units", "percent_agreement", "cohen_kappa", "note"]
_CODER_COLUMNS = ["variable", "kind", "coder", "units", "pairs", "percent_agreement", "mean_kappa",
                  "alpha_with_rest", "alpha_of_rest", "flagged", "note"]


def _usable(judgements: list[Judgement], frame_ids: list[str]) -> tuple[list[Judgement], list[str]]:
    """Check the judgements against the codebook; drop gold and units with one coder, saying so."""
    unknown = sorted({f for j in judgements for f in (*j.frames, j.dominant) if f is not None} - set(frame_ids))
    if unknown:
        raise FramingError(f"judgements name frames that are not in the codebook: {', '.join(unknown)}; "
                           f"frames are: {', '.join(frame_ids)}" + suggestion(unknown[0], frame_ids))
    twice = [key for key, n in Counter((j.coder, j.unit) for j in judgements).items() if n > 1]
    if twice:
        raise FramingError(f"coder {twice[0][0]!r} judged unit {twice[0][1]!r} more than once "
                           f"({len(twice)} such case(s)): keep one judgement per coder and unit")
    coders = [j for j in judgements if j.coder != GOLD_CODER]
    per_unit = Counter(j.unit for j in coders)
    kept = [j for j in coders if per_unit[j.unit] >= 2]
    notes = []
    if len(coders) < len(judgements):
        notes.append(f"{len(judgements) - len(coders)} judgement(s) by {GOLD_CODER!r} left out")
    single = sum(1 for n in per_unit.values() if n < 2)
    if single:
        notes.append(f"{single} unit(s) judged by one coder only left out")
    if not kept:
        raise FramingError("no unit was judged by two or more coders, so there is no agreement to measure: "
                           "assign some units to several coders")
    return kept, notes


def _value_counts(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """Columns x categories: how many coders chose each category for each column."""
    return np.stack([(codes == k).sum(axis=0) for k in range(n_categories)], axis=1)


def _alpha(counts: np.ndarray, categories: Sequence[str]) -> tuple[float, str]:
    """Nominal alpha from value counts, or NaN and why it is undefined (framing.evaluate.reliability)."""
    return alpha_from_counts(counts, categories)


def _bootstrap(units: np.ndarray, n_boot: int, seed: int, level: float) -> tuple[float, float, str]:
    """Percentile interval of alpha over resampled units; ``units`` is units x width x categories."""
    if n_boot == 0:
        return np.nan, np.nan, ""
    rng = np.random.default_rng(seed)
    replicates = np.full(n_boot, np.nan)
    for b in range(n_boot):
        sample = units[rng.integers(0, len(units), len(units))].reshape(-1, units.shape[2])
        replicates[b] = alpha_from_counts(sample)[0]  # NaN for a resample without variation
    defined = replicates[~np.isnan(replicates)]
    if not len(defined):
        return np.nan, np.nan, "no bootstrap resample had variation"
    low, high = np.quantile(defined, [(1 - level) / 2, (1 + level) / 2])
    dropped = n_boot - len(defined)
    note = (f"interval from {len(defined)} of {n_boot} resamples: in {dropped} every coder gave the same answer "
            "everywhere, which has no alpha (common for rare frames)") if dropped else ""
    return float(low), float(high), note


def _percent(counts: np.ndarray) -> float:
    """Share of agreeing pairs among all pairs of values on the same column."""
    pairs = (counts.sum(axis=1) * (counts.sum(axis=1) - 1) / 2).sum()
    return float((counts * (counts - 1) / 2).sum() / pairs) if pairs else np.nan


def _fleiss(codes: np.ndarray, var: ReliabilityData) -> tuple[float, int, int, str]:
    """Fleiss' kappa on the units with the modal number of coders: kappa, units, coders, note."""
    per_column = (~np.isnan(codes)).sum(axis=0)
    if not len(per_column):
        return np.nan, 0, 0, ""
    tally = Counter(per_column.tolist())
    k = max(tally, key=lambda n: (tally[n], n))  # most common number of coders; the larger on a tie
    chosen = codes[:, per_column == k].T
    ratings = chosen[~np.isnan(chosen)].reshape(len(chosen), k).astype(int)  # row-major: one row per column
    table, _ = aggregate_raters(ratings, n_cat=len(var.categories))
    n_units = len(chosen) // var.width
    note = f"Fleiss' kappa on the {n_units} unit(s) with {k} coders" if (per_column != k).any() else ""
    if np.count_nonzero(table.sum(axis=0)) < 2:
        return np.nan, n_units, k, "Fleiss' kappa undefined: one category only"
    return float(fleiss_kappa(table)), n_units, k, note


def _variable_row(var: ReliabilityData, codes: np.ndarray, n_boot: int, seed: int, level: float) -> dict:
    n_cat = len(var.categories)
    counts = _value_counts(codes, n_cat)
    alpha, alpha_note = _alpha(counts, var.categories)
    low, high, boot_note = (np.nan, np.nan, "") if np.isnan(alpha) else \
        _bootstrap(counts.reshape(-1, var.width, n_cat), n_boot, seed, level)
    kappa, fleiss_units, fleiss_coders, fleiss_note = _fleiss(codes, var)
    return {"variable": var.name, "kind": var.kind, "units": codes.shape[1] // var.width,
            "coders": int((~np.isnan(codes)).any(axis=1).sum()), "values": int(counts.sum()), "alpha": alpha,
            "alpha_low": low, "alpha_high": high, "percent_agreement": _percent(counts), "fleiss_kappa": kappa,
            "fleiss_units": fleiss_units, "fleiss_coders": fleiss_coders,
            "note": "; ".join(n for n in (alpha_note, boot_note, fleiss_note) if n)}


def _pairs(var: ReliabilityData, codes: np.ndarray) -> list[dict]:
    """Cohen's kappa and percent agreement for every coder pair sharing units."""
    rows = []
    coders = var.coders
    for a, b in itertools.combinations(range(len(coders)), 2):
        both = ~np.isnan(codes[a]) & ~np.isnan(codes[b])
        if not both.any():
            continue
        kappa, note = _cohen(codes[a, both].astype(int), codes[b, both].astype(int), var.categories)
        shared = int(both.sum()) // var.width
        if shared < FEW_SHARED:
            note = "; ".join(n for n in (f"only {shared} shared unit(s): kappa is not to be trusted", note) if n)
        rows.append({"variable": var.name, "kind": var.kind, "coder_a": coders[a], "coder_b": coders[b],
                     "units": shared,
                     "percent_agreement": float((codes[a, both] == codes[b, both]).mean()),
                     "cohen_kappa": kappa, "note": note})
    return rows


FEW_SHARED = 10  # coder pairs sharing fewer units get a warning beside their kappa


def _cohen(a: np.ndarray, b: np.ndarray, categories: Sequence[str]) -> tuple[float, str]:
    n_cat = len(categories)
    table = np.bincount(a * n_cat + b, minlength=n_cat * n_cat).reshape(n_cat, n_cat)
    expected = (table.sum(axis=1) / len(a)) @ (table.sum(axis=0) / len(a))
    if expected >= 1 - 1e-12:  # both coders used one and the same category: 0 / 0
        return np.nan, f"kappa undefined: both coders chose '{categories[a[0]]}' every time"
    return float(cohens_kappa(table, return_results=False)), ""


def _coder_rows(var: ReliabilityData, codes: np.ndarray, pairs: list[dict], margin: float) -> list[dict]:
    """Each coder against the others: percent agreement, mean kappa, alpha with the rest, alpha of the rest."""
    n_cat, coders, rows = len(var.categories), var.coders, []
    eye = np.eye(n_cat, dtype=int)
    for c, coder in enumerate(coders):
        mine = ~np.isnan(codes[c])
        if not mine.any():
            continue
        # each (unit, other coder) becomes one unit with two values: this coder's and the other's
        two_value = []
        for o in range(len(coders)):
            both = mine & ~np.isnan(codes[o])
            if o != c and both.any():
                two_value.append(eye[codes[c, both].astype(int)] + eye[codes[o, both].astype(int)])
        if not two_value:
            continue
        stacked = np.concatenate(two_value)
        with_rest, note = _alpha(stacked, var.categories)
        of_rest, rest_note = _alpha(_value_counts(np.delete(codes, c, axis=0), n_cat), var.categories)
        if len(two_value) < 2 and np.isnan(of_rest):
            rest_note = "one other coder only: no rest to compare with"
        mine_pairs = [p for p in pairs if coder in (p["coder_a"], p["coder_b"]) and not np.isnan(p["cohen_kappa"])]
        weights = [p["units"] for p in mine_pairs]
        rows.append({"variable": var.name, "kind": var.kind, "coder": coder, "units": int(mine.sum()) // var.width,
                     "pairs": len(stacked), "percent_agreement": float((stacked.max(axis=1) == 2).mean()),
                     "mean_kappa": float(np.average([p["cohen_kappa"] for p in mine_pairs], weights=weights))
                     if sum(weights) else np.nan,
                     "alpha_with_rest": with_rest, "alpha_of_rest": of_rest,
                     "flagged": bool(with_rest < of_rest - margin),  # False when either is NaN
                     "note": "; ".join(n for n in (note, rest_note) if n)})
    return rows
