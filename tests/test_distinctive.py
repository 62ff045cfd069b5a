"""Words that set outlets apart: Monroe, Colaresi & Quinn's log-odds with an informative Dirichlet prior."""

from __future__ import annotations

import math
from collections import Counter

from framing.aggregate.distinctive import log_odds, word_counts


def _by_hand(y_i: float, y_j: float, n_i: float, n_j: float, a: float, a_0: float) -> tuple[float, float]:
    """Equations 22 and 24 of Monroe, Colaresi & Quinn (2008), written out."""
    delta = math.log((y_i + a) / (n_i + a_0 - y_i - a)) - math.log((y_j + a) / (n_j + a_0 - y_j - a))
    return delta, delta / math.sqrt(1 / (y_i + a) + 1 / (y_j + a))


def test_log_odds_and_z_follow_the_published_formulas():
    counts = {"A": Counter(surveillance=30, the=100, trust=5), "B": Counter(surveillance=5, the=100, trust=30),
              "C": Counter(the=100, rare=2)}
    table = log_odds(counts)
    row = table[(table["group"] == "A") & (table["word"] == "surveillance")].iloc[0]
    corpus = 372                                                # every word of every group: the prior's weight
    delta, z = _by_hand(30, 5, 135, 237, a=corpus * 35 / corpus, a_0=corpus)
    assert math.isclose(row["log_odds"], delta) and math.isclose(row["z"], z)
    assert (row["count"], row["count_rest"], row["rank"]) == (30, 5, 1)
    assert list(table[table["group"] == "B"]["word"])[:1] == ["trust"]
    assert (table["z"] > 0).all()                               # only words an outlet uses more than the rest


def test_the_prior_keeps_a_rare_word_below_a_frequent_difference():
    counts = {"A": Counter(blacklist=40, court=200, rarity=2), "B": Counter(blacklist=10, court=200)}
    table = log_odds(counts, top=5)
    a = table[table["group"] == "A"].set_index("word")
    assert a.loc["blacklist", "rank"] < a.loc["rarity", "rank"]   # 2 uses, 0 elsewhere: shrunk toward zero
    assert a.loc["rarity", "z"] < 1.96


def test_word_counts_read_words_not_numbers():
    counts = word_counts([("A", "Der Überwachungsstaat, 2021: a state."), ("A", "State of surveillance")])
    assert counts["A"] == Counter({"state": 2, "der": 1, "überwachungsstaat": 1, "of": 1, "surveillance": 1})


def test_outlets_are_set_apart_from_the_other_outlets_of_their_language(tmp_path):
    from framing.runner.aggregate import _distinctive_words
    from framing.study.store import Study
    from framing.study.tables import ARTICLE_SCHEMA

    texts = [("A", "en", "surveillance cameras watch citizens " * 5), ("B", "en", "trust and credit for firms " * 5),
             ("C", "de", "die Überwachung der Bürger " * 5)]
    blank = dict.fromkeys(ARTICLE_SCHEMA.names)
    study = Study(tmp_path / "study")
    study.write_rows("articles", [{**blank, "article_id": o, "outlet": o, "language": lang, "text": text,
                                   "status": "ok"} for o, lang, text in texts], ARTICLE_SCHEMA)
    table = _distinctive_words(study)
    assert set(table["outlet"]) == {"A", "B"}                   # C is the only German outlet: nothing to set apart from
    assert table[table["outlet"] == "A"].iloc[0]["word"] in {"surveillance", "cameras", "watch", "citizens"}
    assert "die" not in set(table["word"])


def test_chinese_words_are_segmented_not_split_at_punctuation():
    from framing.aggregate.distinctive import word_counts, words

    clause = "推进社会信用体系建设，失信被执行人名单的作用"
    assert words(clause, "en") == ["推进社会信用体系建设", "失信被执行人名单的作用"]   # a clause is no word
    assert words(clause, "zh") == ["推进", "社会", "信用", "体系", "建设", "失信", "被执行人", "名单", "作用"]
    counts = word_counts([(("zh", "A"), clause), (("en", "B"), "Social credit, social trust")], language=lambda k: k[0])
    assert counts[("zh", "A")]["信用"] == 1 and counts[("en", "B")]["social"] == 2
