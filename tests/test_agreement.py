"""Agreement statistics pinned to published worked examples, and how coders, gold and odd data are treated."""

from __future__ import annotations

import io
import warnings

import krippendorff
import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from sklearn.metrics import cohen_kappa_score

from framing.annotate.agreement import (
    NO_DOMINANT,
    ReliabilityData,
    agreement_from_data,
    compute_agreement,
    reliability_data,
)
from framing.annotate.judgement import GOLD_CODER, Judgement
from framing.cli.annotate import agreement_tables
from framing.errors import FramingError

FRAMES = ["f1", "f2", "f3", "f4", "f5"]


def as_dominant(table: dict[str, list[int | None]]) -> list[Judgement]:
    """Judgements whose dominant frame is ``f<value>`` (the only frame present); None = not coded."""
    return [Judgement(f"u{unit:02d}", coder, (f"f{v}",), f"f{v}")
            for coder, values in table.items() for unit, v in enumerate(values, 1) if v is not None]


def row(result, variable: str, kind: str | None = None) -> pd.Series:
    table = result.per_variable
    match = table[(table["variable"] == variable) & ((table["kind"] == kind) if kind else True)]
    assert len(match) == 1
    return match.iloc[0]


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: nominal data, four
# observers, twelve units, missing values; alpha = 0.743. Unit 12 has one value only.
KRIPPENDORFF_C = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def test_agreement_krippendorff_nominal_example_with_missing_values():
    result = compute_agreement(as_dominant(KRIPPENDORFF_C), FRAMES, n_boot=0)
    dominant = row(result, "dominant")
    assert round(dominant["alpha"], 3) == 0.743
    # the same number straight from the package on the published matrix (None -> NaN)
    matrix = [[np.nan if v is None else v for v in values] for values in KRIPPENDORFF_C.values()]
    assert dominant["alpha"] == pytest.approx(krippendorff.alpha(matrix, level_of_measurement="nominal"))
    assert (dominant["units"], dominant["coders"], dominant["values"]) == (11, 4, 40)
    assert "1 unit(s) judged by one coder only left out" in result.notes


def test_agreement_krippendorff_binary_example_two_observers():
    # Krippendorff (2011), section A: binary data, two observers, ten units: alpha = 1 - 19 * 4 / (14 * 6) = 0.095
    observer_a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    observer_b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    judgements = [Judgement(f"u{i}", coder, ("f1",) if v else ())
                  for coder, values in (("A", observer_a), ("B", observer_b)) for i, v in enumerate(values)]
    result = compute_agreement(judgements, ["f1"], n_boot=0)
    frame = row(result, "f1", "frame")
    assert round(frame["alpha"], 3) == 0.095
    assert frame["alpha"] == pytest.approx(1 - 19 * 4 / (14 * 6))
    assert frame["percent_agreement"] == pytest.approx(0.6)
    assert row(result, "all frames")["alpha"] == pytest.approx(frame["alpha"])  # one frame: pooling changes nothing


def test_agreement_fleiss_kappa_wikipedia_example():
    # Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories; P-bar 0.378, kappa 0.210
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
              [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    judgements = []
    for unit, unit_counts in enumerate(counts):
        ratings = [f"f{k + 1}" for k, n in enumerate(unit_counts) for _ in range(n)]
        judgements += [Judgement(f"s{unit}", f"r{r:02d}", (f,), f) for r, f in enumerate(ratings)]
    dominant = row(compute_agreement(judgements, FRAMES, n_boot=0), "dominant")
    assert round(dominant["fleiss_kappa"], 3) == 0.210
    assert round(dominant["percent_agreement"], 3) == 0.378
    assert (dominant["fleiss_units"], dominant["fleiss_coders"], dominant["note"]) == (10, 14, "")


def test_agreement_cohen_kappa_textbook_example():
    # Wikipedia, "Cohen's kappa", 50 grant proposals: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o 0.7, kappa 0.4
    cells = [(True, True)] * 20 + [(True, False)] * 5 + [(False, True)] * 10 + [(False, False)] * 15
    judgements = [Judgement(f"p{i}", coder, relevant=verdict)
                  for i, pair in enumerate(cells) for coder, verdict in zip(("A", "B"), pair, strict=True)]
    result = compute_agreement(judgements, FRAMES, n_boot=0)
    pair = result.pairs[result.pairs["kind"] == "relevant"].iloc[0]
    assert (pair["coder_a"], pair["coder_b"], pair["units"]) == ("A", "B", 50)
    assert round(pair["cohen_kappa"], 3) == 0.400
    assert pair["percent_agreement"] == pytest.approx(0.7)


def test_agreement_cohen_kappa_matches_scikit_learn_on_random_pairs():
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 4, 60), rng.integers(0, 4, 60)
    b[:30] = a[:30]  # some agreement beyond chance
    matrix = pd.DataFrame([a, b], index=["A", "B"])
    result = agreement_from_data([ReliabilityData("x", "dominant", ("p", "q", "r", "s"), matrix)], n_boot=0)
    assert result.pairs["cohen_kappa"].iloc[0] == pytest.approx(cohen_kappa_score(a, b))


def coders_table(n_units: int = 40, seed: int = 3) -> list[Judgement]:
    """Three coders who mostly agree on two frames, and ``dora`` who marks every frame the other way."""
    rng = np.random.default_rng(seed)
    judgements = []
    for unit in range(n_units):
        truth = {f for f in ("f1", "f2") if rng.random() < 0.5}
        for coder in ("ann", "ben", "cem"):
            slip = {str(rng.choice(["f1", "f2"]))} if rng.random() < 0.15 else set()
            seen = truth ^ slip  # an occasional slip on one frame
            judgements.append(Judgement(f"u{unit}", coder, tuple(sorted(seen)), min(seen, default=None)))
        flipped = {"f1", "f2"} - truth
        judgements.append(Judgement(f"u{unit}", "dora", tuple(sorted(flipped)), max(flipped, default=None)))
    return judgements


def test_agreement_flags_the_coder_who_marks_everything_differently():
    result = compute_agreement(coders_table(), ["f1", "f2"], n_boot=0)
    assert result.flagged_coders() == ["dora"]
    pooled = result.coders[result.coders["kind"] == "all frames"].set_index("coder")
    assert pooled.loc["dora", "alpha_with_rest"] < 0 < 0.6 < pooled.loc["dora", "alpha_of_rest"]
    assert pooled.loc["dora", "percent_agreement"] < 0.15 < 0.5 < pooled.loc["ann", "percent_agreement"]
    assert pooled.loc["dora", "mean_kappa"] < 0 < pooled.loc["ann", "mean_kappa"]
    assert not pooled.loc[["ann", "ben", "cem"], "flagged"].any()
    # everyone said relevant: alpha is undefined there, and nobody is flagged for it
    relevant = result.coders[result.coders["kind"] == "relevant"]
    assert relevant["alpha_with_rest"].isna().all() and not relevant["flagged"].any()


def test_agreement_two_coders_cannot_be_told_apart():
    result = compute_agreement([j for j in coders_table() if j.coder in ("ann", "dora")], ["f1", "f2"], n_boot=0)
    assert result.flagged_coders() == []
    assert result.coders["note"].str.contains("one other coder only").all()


def test_agreement_leaves_out_units_judged_once():
    base = compute_agreement(coders_table(), ["f1", "f2"], n_boot=50)
    lonely = [Judgement(f"solo{i}", "ann", ("f1", "f2"), "f2") for i in range(5)]
    more = compute_agreement(coders_table() + lonely, ["f1", "f2"], n_boot=50)
    pd.testing.assert_frame_equal(base.per_variable, more.per_variable)
    pd.testing.assert_frame_equal(base.coders, more.coders)
    assert "5 unit(s) judged by one coder only left out" in more.notes
    assert not any(u.startswith("solo") for var in reliability_data(coders_table() + lonely, ["f1", "f2"])
                   for u in var.matrix.columns.get_level_values(0))


def test_agreement_leaves_out_the_gold_coder():
    gold = [Judgement(f"u{i}", GOLD_CODER, ("f1",), "f1") for i in range(40)]
    base = compute_agreement(coders_table(), ["f1", "f2"], n_boot=50)
    with_gold = compute_agreement(coders_table() + gold, ["f1", "f2"], n_boot=50)
    pd.testing.assert_frame_equal(base.per_variable, with_gold.per_variable)
    assert GOLD_CODER not in set(with_gold.coders["coder"]) | set(with_gold.pairs["coder_a"])
    assert f"40 judgement(s) by '{GOLD_CODER}' left out" in with_gold.notes


def test_agreement_bootstrap_interval_holds_the_estimate_and_repeats_with_its_seed():
    judgements = [j for j in coders_table(60) if j.coder != "dora"]
    first = compute_agreement(judgements, ["f1", "f2"], n_boot=300, seed=11)
    again = compute_agreement(judgements, ["f1", "f2"], n_boot=300, seed=11)
    other = compute_agreement(judgements, ["f1", "f2"], n_boot=300, seed=12)
    pd.testing.assert_frame_equal(first.per_variable, again.per_variable)
    table = first.per_variable.dropna(subset=["alpha"])
    assert len(table) == 4  # f1, f2, all frames, dominant (relevant has no variation)
    assert ((table["alpha_low"] <= table["alpha"]) & (table["alpha"] <= table["alpha_high"])).all()
    assert (table["alpha_low"] < table["alpha_high"]).all()
    assert not np.allclose(table["alpha_low"], other.per_variable.dropna(subset=["alpha"])["alpha_low"])
    assert compute_agreement(judgements, ["f1", "f2"], n_boot=0).per_variable["alpha_low"].isna().all()


def test_agreement_when_everyone_agrees_on_one_category_says_so_without_warnings():
    judgements = [Judgement(f"u{i}", c, ("f1",), "f1") for i in range(6) for c in ("ann", "ben", "cem")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0/0 RuntimeWarning from the libraries either
        result = compute_agreement(judgements, ["f1", "f2"], n_boot=100)
    f1 = row(result, "f1")
    assert np.isnan(f1["alpha"]) and np.isnan(f1["alpha_low"]) and np.isnan(f1["fleiss_kappa"])
    assert "every value is 'present' (no variation)" in f1["note"]
    assert "one category only" in f1["note"]
    assert f1["percent_agreement"] == 1.0
    pair = result.pairs[result.pairs["variable"] == "f1"].iloc[0]
    assert np.isnan(pair["cohen_kappa"]) and "both coders chose 'present' every time" in pair["note"]
    assert not result.coders["flagged"].any()


def test_agreement_not_relevant_means_every_frame_absent_and_no_dominant():
    judgements = [Judgement("u1", "ann", ("f1",), "f1", relevant=False),  # frames of an off-topic unit are ignored
                  Judgement("u1", "ben", (), None, relevant=True)]
    variables = {(v.kind, v.name): v for v in reliability_data(judgements, ["f1"])}
    assert variables[("frame", "f1")].matrix.loc[:, "u1"].tolist() == [0.0, 0.0]
    assert variables[("relevant", "relevant")].matrix.loc[:, "u1"].tolist() == [0.0, 1.0]
    dominant = variables[("dominant", "dominant")]
    assert dominant.categories == ("f1", NO_DOMINANT)
    assert dominant.matrix.loc[:, "u1"].tolist() == [1.0, 1.0]


def test_agreement_pooled_frames_are_one_binary_variable_over_unit_frame_decisions():
    judgements = coders_table(20)
    pooled = next(v for v in reliability_data(judgements, ["f1", "f2"]) if v.kind == "all frames")
    assert pooled.width == 2 and pooled.matrix.shape == (4, 40)
    assert list(pooled.matrix.columns[:2]) == [("u0", "f1"), ("u0", "f2")]
    by_frame = [v.matrix.to_numpy() for v in reliability_data(judgements, ["f1", "f2"]) if v.kind == "frame"]
    expected = krippendorff.alpha(np.hstack(by_frame), level_of_measurement="nominal")
    assert row(compute_agreement(judgements, ["f1", "f2"], n_boot=0), "all frames")["alpha"] == pytest.approx(expected)


def test_agreement_fleiss_uses_the_units_with_the_most_common_number_of_coders():
    table = {"A": [1, 2, 3, 1, 2], "B": [1, 2, 3, 2, None], "C": [1, 2, 1, None, None]}
    dominant = row(compute_agreement(as_dominant(table), FRAMES, n_boot=0), "dominant")
    assert (dominant["units"], dominant["fleiss_units"], dominant["fleiss_coders"]) == (4, 3, 3)
    assert "Fleiss' kappa on the 3 unit(s) with 3 coders" in dominant["note"]


def test_agreement_rejects_unknown_frames_repeated_judgements_and_no_overlap():
    with pytest.raises(FramingError, match="not in the codebook: survelliance.*did you mean 'surveillance'"):
        compute_agreement([Judgement("u1", "ann", ("survelliance",))], ["surveillance", "trust"])
    with pytest.raises(FramingError, match="coder 'ann' judged unit 'u1' more than once"):
        compute_agreement([Judgement("u1", "ann"), Judgement("u1", "ann", ("trust",))], ["trust"])
    with pytest.raises(FramingError, match="no unit was judged by two or more coders"):
        compute_agreement([Judgement("u1", "ann"), Judgement("u2", "ben")], ["trust"])


def test_agreement_render_builds_tables_and_escapes_names():
    judgements = [j if j.coder != "dora" else Judgement(j.unit, "[bold]dora", j.frames, j.dominant)
                  for j in coders_table()]
    result = compute_agreement(judgements, ["f1", "f2"], n_boot=20)
    tables = agreement_tables(result)
    assert [t.row_count for t in tables] == [5, 3 * 6, 3 * 4]  # pairs and coders for the three summary kinds
    console = Console(file=io.StringIO(), width=250, record=True)
    for table in tables:
        console.print(table)
    text = console.export_text()
    assert "[bold]dora" in text and "retrain?" in text
    assert set(result.to_frames()) == {"per_variable", "pairs", "coders"}
