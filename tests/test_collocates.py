"""Collocates of a term: window counts, the 2x2 table, Dunning's G2 and PMI, and `framing articles --collocates`."""

from __future__ import annotations

import datetime as dt
import math
import random

import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from typer.testing import CliRunner

from framing.aggregate.collocates import count_collocates, node_words, score_collocates, stop_words
from framing.study.store import Study
from framing.study.tables import ARTICLE_SCHEMA

# node "credit", window 2; the node's own tokens are not corpus tokens
TINY = ["aa bb credit score cc dd",          # window: aa bb | score cc       outside: dd
        "score credit score ee ff gg hh",    # window: score | score ee       outside: ff gg hh
        "score pp qq rr ss tt"]              # no node: all outside


def _g2(table: list[list[float]]) -> float:
    """G2 = 2 * sum O_ij ln(O_ij / E_ij), E_ij = row_i * column_j / N, written out."""
    n = sum(map(sum, table))
    rows = [sum(r) for r in table]
    columns = [sum(c) for c in zip(*table, strict=True)]
    return 2 * sum(o * math.log(o / (rows[i] * columns[j] / n))
                   for i, row in enumerate(table) for j, o in enumerate(row) if o)


def test_g2_and_pmi_of_a_hand_counted_table():
    counts = count_collocates(TINY, "credit", window=2)
    # N = (6 - 1) + (7 - 1) + 6 = 17 corpus tokens, S = 4 + 3 = 7 of them in a window;
    # "score": f = 4, O = 3 (1 left in text 2, 1 right in text 1, 1 right in text 2)
    assert (counts.tokens, counts.window_tokens, counts.occurrences, counts.texts_with_node) == (17, 7, 2, 2)
    table = score_collocates(counts, min_count=1).set_index("collocate")
    score = table.loc["score"]
    #              score   not score
    # in window      3         4        7
    # outside        1         9       10
    #                4        13       17
    # E11 = 7*4/17 = 1.647, E12 = 7*13/17 = 5.353, E21 = 10*4/17 = 2.353, E22 = 10*13/17 = 7.647
    expected_g2 = 2 * (3 * math.log(3 / (28 / 17)) + 4 * math.log(4 / (91 / 17))
                       + 1 * math.log(1 / (40 / 17)) + 9 * math.log(9 / (130 / 17)))
    assert expected_g2 == pytest.approx(2.4878425813, abs=1e-9)
    assert score["ll"] == pytest.approx(expected_g2, rel=1e-12)
    assert score["ll"] == pytest.approx(_g2([[3, 4], [1, 9]]), rel=1e-12)
    # scipy's G-test of independence; correction=False, or it applies Yates's correction to a 2x2 table
    g_test = chi2_contingency([[3, 4], [1, 9]], correction=False, lambda_="log-likelihood")[0]
    assert score["ll"] == pytest.approx(g_test, rel=1e-12)
    assert score["pmi"] == pytest.approx(math.log2(3 / (28 / 17)), rel=1e-12)   # log2(51/28) = 0.865
    assert score["expected"] == pytest.approx(28 / 17)
    assert (score["observed"], score["left"], score["right"], score["texts"], score["frequency"]) == (3, 1, 2, 2, 4)
    # aa: once, in a window: [[1, 6], [0, 10]]
    assert table.loc["aa", "ll"] == pytest.approx(_g2([[1, 6], [0, 10]]), rel=1e-12)
    assert table.loc["aa", "pmi"] == pytest.approx(math.log2(17 / 7), rel=1e-12)
    assert list(table.index) == ["score", "aa", "bb", "cc", "ee"]              # G2, then PMI, then the word
    assert "dd" not in table.index and "credit" not in table.index


def test_g2_matches_scipy_on_every_word_of_a_random_corpus_and_is_negative_when_avoided():
    rng = random.Random(7)
    vocabulary = ["the", "of", "state", "score", "system", "trust", "firms", "debt", "court", "china"]
    texts = []
    for _ in range(40):
        words = rng.choices(vocabulary, weights=range(10, 0, -1), k=rng.randint(20, 60))
        if rng.random() < 0.7:                                                 # the node, "system" after it
            at = rng.randint(0, len(words))
            words[at:at] = ["social", "credit", "system"]
        texts.append(" ".join(words))
    counts = count_collocates(iter(texts), "social credit", window=4)                  # a generator is enough
    table = score_collocates(counts, min_count=1)
    n, s = counts.tokens, counts.window_tokens
    assert len(table) == len(vocabulary)
    for row in table.itertuples():
        cells = [[row.observed, s - row.observed], [row.frequency - row.observed, n - s - row.frequency + row.observed]]
        g = chi2_contingency(cells, correction=False, lambda_="log-likelihood")[0]
        assert abs(row.ll) == pytest.approx(g, rel=1e-9, abs=1e-12)
        assert (row.ll < 0) == (row.observed < row.expected)                           # signed: avoided words
        assert row.expected == pytest.approx(s * row.frequency / n)
        assert row.left + row.right == row.observed
    assert table.iloc[0]["collocate"] == "system"                                      # right after the node
    assert table.iloc[0]["right"] > table.iloc[0]["left"]
    assert list(table["ll"]) == sorted(table["ll"], reverse=True)
    by_pmi = score_collocates(counts, min_count=1, by="pmi")
    assert list(by_pmi["pmi"]) == sorted(by_pmi["pmi"], reverse=True)


def test_window_boundaries_texts_and_overlapping_windows():
    counts = count_collocates(["far left near credit close right beyond", "credit next",
                               "tail credit", "headword after"], "credit", window=2)
    # window 2: "left near" and "close right"; "far" and "beyond" are 3 away; no window reaches
    # into the next text ("tail" ends text 3, "headword" starts text 4 after a node)
    assert set(counts.observed) == {"left", "near", "close", "right", "next", "tail"}
    assert (counts.left["near"], counts.right["close"]) == (1, 1)
    assert counts.frequency["far"] == 1 and counts.observed["far"] == 0
    # punctuation, numbers and single letters are not tokens: they take no position
    counts = count_collocates(["one, 2 x credit ... 3 y two three"], "credit", window=2)
    assert set(counts.observed) == {"one", "two", "three"}
    # two occurrences whose windows overlap: "bb" is in both, counted once, for the nearer
    # (a tie goes to the earlier occurrence: right of it); the other node's tokens are not collocates
    counts = count_collocates(["aa credit bb credit cc"], "credit", window=2)
    assert counts.observed == {"aa": 1, "bb": 1, "cc": 1}
    assert (counts.window_tokens, counts.tokens, counts.right["bb"], counts.left["bb"]) == (3, 3, 1, 0)


def test_multiword_node_is_a_phrase_of_tokens():
    text = "Beijing's Social-Credit system; a credit score, social media. SOCIAL CREDIT"
    counts = count_collocates([text], "social credit", window=5)
    assert counts.occurrences == 2                                    # hyphen and case do not matter
    # tokens: beijing [social credit] system credit score social media [social credit]
    assert counts.observed == {"beijing": 1, "system": 1, "credit": 1, "score": 1, "social": 1, "media": 1}
    assert counts.tokens == 10 - 4
    assert count_collocates(["credit social"], "social credit").occurrences == 0
    assert count_collocates(["ha ha ha ha ha"], "ha ha").occurrences == 2   # left to right, not overlapping
    assert node_words("Social-Credit  System") == ("social", "credit", "system")


def test_glob_node_words():
    texts = ["Das Sozialkreditsystem Chinas", "ein sozialkredit2 für Firmen", "das Kreditsystem der Bank",
             "Sozialkredit-System bewertet Bürger"]
    counts = count_collocates(texts, "sozialkredit*", window=1)
    # "sozialkredit2" is the token sozialkredit; "Kreditsystem" does not start with sozialkredit
    assert (counts.occurrences, counts.texts_with_node) == (3, 3)
    assert counts.observed == {"das": 1, "chinas": 1, "ein": 1, "für": 1, "system": 1}
    assert count_collocates(["credit scoring and credit scores"], "credit scor*").occurrences == 2
    assert count_collocates(["social.credit"], "soc*al credit").occurrences == 1
    assert count_collocates(["credit2score"], "credit*").occurrences == 1                 # letters only
    with pytest.raises(ValueError, match="no word of two or more letters"):
        node_words("a 42")


def test_min_count_filters_and_stop_words_leave_the_scores_alone():
    texts = ["the system credit system of state"] * 2 + ["credit rare"] + ["the the the state"] * 5
    counts = count_collocates(texts, "credit", window=3)
    assert counts.observed == {"system": 4, "the": 2, "of": 2, "state": 2, "rare": 1}
    assert set(score_collocates(counts, min_count=3)["collocate"]) == {"system"}
    assert set(score_collocates(counts, min_count=2)["collocate"]) == {"system", "the", "of", "state"}
    assert set(score_collocates(counts, min_count=1)["collocate"]) == {"system", "the", "of", "state", "rare"}
    full = score_collocates(counts, min_count=1).set_index("collocate")
    kept = score_collocates(counts, min_count=1, exclude=stop_words(["en"])).set_index("collocate")
    assert set(kept.index) == {"system", "state", "rare"}
    pd.testing.assert_frame_equal(kept, full.loc[kept.index])              # same N, same S: same numbers
    assert score_collocates(counts, min_count=99).columns.tolist() == full.reset_index().columns.tolist()


def test_stop_words_are_spacy_lists_tokenized_as_texts_are():
    english = stop_words(["en"])
    assert {"the", "of", "ll", "ve", "don", "isn"} <= english and "won" not in english and "system" not in english
    assert {"der", "und", "nicht"} <= stop_words(["de"]) and "der" not in english
    assert stop_words(["xx", "", "../os"]) == frozenset()                 # no list, no module path from a value


def _study(write_pipeline):
    spec = write_pipeline([{"feed": "http://127.0.0.1:9/feed.rss"}])
    texts = [("Daily A", "en", "ok", "The social credit system rates firms. Critics say the social credit "
                                    "system is a tool of control, while officials praise the social credit "
                                    "system for trust. Courts publish blacklists of debtors every month."),
             ("Daily A", "en", "ok", "Weather: rain in the north, sun in the south, wind on the coast today."),
             ("Review B", "en", "ok", "Is the social credit system real? Reporters found the social credit "
                                      "system is many local pilots. Markets and weather stayed calm."),
             ("Review B", "en", "duplicate", "The social credit score, the social credit score, the social "
                                             "credit score."),
             ("Zeitung C", "de", "ok", "Das Sozialkreditsystem bewertet Firmen und Bürger in China.")]
    blank = dict.fromkeys(ARTICLE_SCHEMA.names)
    rows = [{**blank, "article_id": f"a{i}", "url": f"https://x.example/{i}", "outlet": outlet, "language": lang,
             "text": text, "status": status, "published": dt.date(2020, 1, 1 + i)}
            for i, (outlet, lang, status, text) in enumerate(texts)]
    Study(spec.workdir).write_rows("articles", rows, ARTICLE_SCHEMA)
    return spec


def test_cli_articles_collocates_lists_the_top_collocate_and_saves_csv(write_pipeline, tmp_path):
    from framing.cli import app

    spec = _study(write_pipeline)
    out = tmp_path / "out" / "collocates.csv"
    result = CliRunner().invoke(app, ["articles", str(spec.path), "--collocates", "Social Credit", "--window", "3",
                                      "--min-count", "2", "--csv", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith("│")]
    assert rows[0].split("│")[1].strip() == "system"
    printed = " ".join(result.output.split())                          # rich wraps the summary line
    # 3 + 2 occurrences in 2 of the 4 ok articles (the duplicate's three are not read)
    assert "5 occurrence(s) of 'social credit' in 2 of 4 article(s) (status ok)" in printed
    assert "stop words (de, en) left out" in printed
    saved = pd.read_csv(out)
    assert saved.iloc[0]["collocate"] == "system" and saved.iloc[0]["observed"] == 5
    assert saved.iloc[0]["right"] == 5 and "the" not in set(saved["collocate"])
    # the same counts from the library: system is right after every occurrence
    texts = ["The social credit system rates firms. Critics say the social credit system is a tool "
                         "of control, while officials praise the social credit system for trust. Courts "
                         "publish blacklists of debtors every month.",
                         "Weather: rain in the north, sun in the south, wind on the coast today.",
                         "Is the social credit system real? Reporters found the social credit system is many "
                         "local pilots. Markets and weather stayed calm.",
                         "Das Sozialkreditsystem bewertet Firmen und Bürger in China."]
    library = score_collocates(count_collocates(texts, "social credit", 3), min_count=2,
                               exclude=stop_words(["en", "de"]))
    pd.testing.assert_frame_equal(saved, library, check_dtype=False)

    kept = CliRunner().invoke(app, ["articles", str(spec.path), "-c", "social credit", "--window", "3",
                                    "--keep-stopwords", "--outlet", "Review B", "--by", "pmi", "--min-count", "2"],
                              catch_exceptions=False)
    assert kept.exit_code == 0, kept.output
    kept_printed = " ".join(kept.output.split())
    assert "2 occurrence(s) of 'social credit' in 1 of 1 article(s) (status ok, outlet Review B)" in kept_printed
    assert "│ the " in kept.output and "stop words kept" in kept_printed


def test_cli_articles_collocates_bad_input(write_pipeline):
    from framing.cli import app
    from framing.errors import FramingError

    spec = _study(write_pipeline)
    runner = CliRunner()
    no_term = runner.invoke(app, ["articles", str(spec.path), "--window", "3"])
    assert no_term.exit_code == 2 and "--collocates" in no_term.output
    both = runner.invoke(app, ["articles", str(spec.path), "--search", "x", "--collocates", "y"])
    assert both.exit_code == 2
    bad_by = runner.invoke(app, ["articles", str(spec.path), "--collocates", "credit", "--by", "chi2"])
    assert bad_by.exit_code == 2 and "ll or pmi" in bad_by.output
    unknown = runner.invoke(app, ["articles", str(spec.path), "--collocates", "credit", "--outlet", "Nope"])
    assert isinstance(unknown.exception, FramingError)
    assert "outlets: Daily A, Review B, Zeitung C" in str(unknown.exception)


def test_a_chinese_term_is_found_in_segmented_chinese_texts():
    texts = [("各地推进社会信用体系建设，社会信用体系的核心是诚信。", "zh"), ("Social credit in English.", "en")] * 3
    counts = count_collocates(texts, "社会信用", window=2)
    assert counts.term == ("社会", "信用") and counts.occurrences == 6 and counts.texts_with_node == 3
    table = score_collocates(counts, min_count=3)
    assert table.iloc[0]["collocate"] == "体系" and table.iloc[0]["observed"] == 6
