"""Aggregation numbers on small examples computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from framing.aggregate.statistics import association, js_distances, outlet_map, prevalence, profiles, wilson_interval


def test_wilson_interval_matches_closed_forms_and_published_value():
    low, high = wilson_interval(0, 10)
    assert low == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(1.959964**2 / (10 + 1.959964**2), abs=1e-6)  # z^2 / (n + z^2)
    low, high = wilson_interval(8, 10)
    assert (round(float(low), 4), round(float(high), 4)) == (0.4902, 0.9433)
    assert np.isnan(wilson_interval(0, 0)[0])


def test_prevalence_counts_shares_and_mean_sentence_share():
    frames = pd.DataFrame({
        "outlet": ["A"] * 6 + ["B"] * 4,
        "article_id": ["a1", "a1", "a2", "a2", "a3", "a3", "b1", "b1", "b2", "b2"],
        "frame": ["s", "t"] * 5,
        "present": [True, False, True, True, False, False, False, True, False, True],
        "sentence_share": [0.5, 0.0, 0.2, 0.1, 0.0, 0.0, 0.0, 0.4, 0.0, 0.6],
    })
    table = prevalence(frames, ["outlet"]).set_index(["outlet", "frame"])
    assert table.loc[("A", "s"), ["articles", "with_frame"]].tolist() == [3, 2]
    assert table.loc[("A", "s"), "share"] == pytest.approx(2 / 3)
    assert table.loc[("A", "s"), "mean_sentence_share"] == pytest.approx(0.7 / 3)
    assert table.loc[("B", "t"), "share"] == 1.0 and table.loc[("B", "s"), "share"] == 0.0
    assert table.loc[("B", "t"), "ci_low"] == pytest.approx(wilson_interval(2, 2)[0])


def test_association_chi_square_residuals_and_cramers_v_by_hand():
    # 2 x 2 table [[10, 20], [30, 40]]: E = [[12, 18], [28, 42]], chi2 = 4/12 + 4/18 + 4/28 + 4/42
    rows = [("A", "s")] * 10 + [("A", "t")] * 20 + [("B", "s")] * 30 + [("B", "t")] * 40
    result = association(pd.DataFrame(rows, columns=["outlet", "frame"]))
    expected_chi2 = 4 / 12 + 4 / 18 + 4 / 28 + 4 / 42
    assert result.chi2 == pytest.approx(expected_chi2)
    assert result.dof == 1 and result.n == 100
    assert result.cramers_v == pytest.approx(math.sqrt(expected_chi2 / 100))
    cell = result.cells.set_index(["outlet", "frame"]).loc[("A", "s")]
    assert cell["expected"] == pytest.approx(12)
    assert cell["residual"] == pytest.approx(-2 / math.sqrt(12 * 0.7 * 0.6))  # adjusted standardized residual
    assert "chi-square(1) = 0.8" in result.sentence()


def test_association_needs_two_rows_and_columns():
    with pytest.raises(ValueError, match="at least two"):
        association(pd.DataFrame({"outlet": ["A", "A"], "frame": ["s", "t"]}))


def test_jensen_shannon_distances_by_hand_and_map_preserves_them():
    profile = pd.DataFrame([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], index=["P", "Q", "R"], columns=["s", "t"])
    distances = js_distances(profile).set_index(["outlet_a", "outlet_b"])["distance"]
    assert distances[("P", "Q")] == pytest.approx(1.0)
    # JSD([.5,.5], [1,0]) = 0.5*KL(P||M) + 0.5*KL(Q||M), M = [.75, .25]
    kl_p = 0.5 * math.log2(0.5 / 0.75) + 0.5 * math.log2(0.5 / 0.25)
    kl_q = math.log2(1 / 0.75)
    assert distances[("R", "P")] == pytest.approx(math.sqrt(0.5 * kl_p + 0.5 * kl_q))
    coords = outlet_map(js_distances(profile)).set_index("outlet")
    mapped = math.dist(coords.loc["P", ["x", "y"]], coords.loc["Q", ["x", "y"]])
    assert mapped == pytest.approx(1.0, abs=1e-6)  # three points embed exactly in two dimensions


def test_profiles_normalise_shares_per_outlet():
    prev = pd.DataFrame({"outlet": ["A", "A", "B", "B"], "frame": ["s", "t", "s", "t"], "share": [0.6, 0.2, 0, 0]})
    table = profiles(prev)
    assert table.loc["A"].tolist() == pytest.approx([0.75, 0.25])
    assert table.loc["B"].tolist() == [0.0, 0.0]
