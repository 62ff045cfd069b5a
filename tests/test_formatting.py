"""Shared small helpers: how undefined scores print, what the classifiers take as texts, and how
wide the summary tables are when output is not a terminal."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from framing.classify.texts import as_texts
from framing.formatting import fmt_score, is_missing


@pytest.mark.parametrize("value", [None, float("nan"), np.float64("nan"), np.float32("nan")])
def test_undefined_scores_print_as_a_dash(value):
    assert is_missing(value)
    assert fmt_score(value) == "–"


def test_scores_print_with_the_requested_digits():
    assert fmt_score(0.8449) == "0.84"
    assert fmt_score(np.float32(0.5), 3) == "0.500"
    assert not is_missing(0.0)


def test_texts_from_a_single_column_table_or_array():
    assert as_texts(pd.DataFrame({"text": ["a", "b"]})) == ["a", "b"]
    assert as_texts(np.array([["a"], ["b"]], dtype=object)) == ["a", "b"]


@pytest.mark.parametrize("bad, message", [
    ("one text", "not a single string"),
    (pd.DataFrame({"text": ["a"], "label": ["b"]}), "one column of texts; got 2 columns"),
    (["a", 3], "items [1] are int"),
])
def test_texts_refuse_the_classic_mistakes(bad, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        as_texts(bad)


def test_no_texts_is_an_error_only_where_asked():
    assert as_texts([]) == []
    with pytest.raises(ValueError, match="no texts"):
        as_texts([], allow_empty=False)


@pytest.mark.parametrize("columns, width", [(None, 120), ("90", 90)])
def test_console_width_when_output_is_piped(columns, width):
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns:
        env["COLUMNS"] = columns
    out = subprocess.run([sys.executable, "-c", "from framing.cli.console import console; print(console.width)"],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert int(out) == width
