"""Near-duplicate clusters: planted copies found, look-alikes kept apart, stories counted once or per outlet."""

from __future__ import annotations

import datetime as dt
from itertools import combinations

import numpy as np
import pytest

from framing.demo.synthetic import edit, pairs_found, planted_corpus
from framing.extract.near_duplicates import NearDuplicates, shingles, signature
from framing.runner import run
from framing.runner.aggregate import load_frames
from framing.runner.extract import write_articles
from framing.study.store import Study
from framing.study.tables import RAW_ARTICLE_SCHEMA


def _same_story(planted) -> set[frozenset[str]]:
    """Planted pairs and their closure: two copies of one original are one story too."""
    groups: dict[str, set[str]] = {}
    for pair in planted.copies:
        original = next(k for k in pair if k.startswith("o"))
        groups.setdefault(original, set()).update(pair)
    return {frozenset(p) for group in groups.values() for p in combinations(sorted(group), 2)}


@pytest.mark.parametrize("seed", [11, 12])
def test_planted_near_copies_are_found_and_shared_leads_are_not(seed):
    planted = planted_corpus(originals=2000, copies=600, shared_leads=600, seed=seed)
    index = NearDuplicates()
    for start in range(0, len(planted.articles), 500):          # in batches, as the extract stage reads
        index.add(planted.articles[start:start + 500])
    found = pairs_found(index.clusters())
    recall = len(found & planted.copies) / len(planted.copies)
    precision = len(found & _same_story(planted)) / len(found)
    assert recall >= 0.95, recall
    assert precision >= 0.99, precision
    assert not found & planted.shared_leads


def test_cluster_id_is_the_first_copy_and_near_duplicate_of_marks_the_others():
    planted = planted_corpus(originals=50, copies=0, shared_leads=0, seed=3)
    original = planted.articles[7]
    copy = {**original, "article_id": "copy", "published": original["published"] + dt.timedelta(days=2),
            "text": " ".join(edit(original["text"].split(), 0.05, np.random.default_rng(1)))}
    exact = {**original, "article_id": "exact", "status": "duplicate", "duplicate_of": original["article_id"],
             "published": original["published"] + dt.timedelta(days=1)}
    earlier_copy = {**copy, "article_id": "earlier", "published": original["published"] - dt.timedelta(days=1)}
    index = NearDuplicates()
    index.add([*planted.articles, copy, exact, earlier_copy, {**original, "article_id": "gone", "status": "off-topic"}])
    clusters = index.clusters()
    assert clusters["earlier"] == ("earlier", None)                        # the first to publish heads the story
    assert clusters[original["article_id"]] == ("earlier", "earlier")
    assert clusters["copy"] == ("earlier", "earlier")
    assert clusters["exact"] == ("earlier", None)                          # an exact copy keeps duplicate_of only
    assert "gone" not in clusters                                          # pages that are not articles
    alone = planted.articles[8]["article_id"]
    assert clusters[alone] == (alone, None)


def test_threshold_decides_how_close_a_copy_must_be():
    planted = planted_corpus(originals=300, copies=100, shared_leads=0, edited=0.10, seed=5)
    strict = NearDuplicates(threshold=0.97)
    strict.add(planted.articles)
    loose = NearDuplicates(threshold=0.75)
    loose.add(planted.articles)
    assert len(pairs_found(strict.clusters()) & planted.copies) < 0.1 * len(planted.copies)
    assert len(pairs_found(loose.clusters()) & planted.copies) > 0.9 * len(planted.copies)


def test_shingles_are_word_runs_and_short_texts_are_one_shingle():
    assert shingles("a b c d", 3) == [b"a b c", b"b c d"]
    assert shingles("Only two", 3) == [b"only two"]
    assert shingles("", 3) == []


def _article(article_id, outlet, text, day, status="ok", content_hash=None):
    """A row as extraction leaves it in ``articles_raw``: signed when it passed the filter."""
    return {"article_id": article_id, "url": f"https://{outlet.lower()}.example/{article_id}", "canonical_url": None,
            "outlet": outlet, "title": article_id, "author": None, "published": dt.date(2021, 1, day),
            "date_source": "page", "date_extracted": None, "date_listed": None, "language": "en", "text": text,
            "n_chars": len(text), "content_hash": content_hash or article_id, "status": status, "reason": None,
            "duplicate_of": None, "warc_file": None, "warc_offset": None, "encoding": None,
            "minhash": signature(text, 3) if status == "ok" else None}


@pytest.fixture
def syndicated_study(write_pipeline):
    """One wire story printed by A (twice: once edited), B (edited) and C (verbatim), and an unrelated story."""
    wire = ("BEIJING - China's Supreme People's Court said on Monday that its public list of people who refuse to "
            "comply with court judgements now holds more than ten million names, a central piece of what the "
            "government calls its social credit system. People on the list are barred from buying plane and "
            "high-speed rail tickets, staying in luxury hotels and sending their children to expensive private "
            "schools until they pay what courts have ordered them to pay. A court spokesperson told reporters that "
            "the blacklist had pushed hundreds of thousands of debtors to settle debts that had been ignored for "
            "years. Companies are also named: firms that defraud suppliers, evade taxes or violate food-safety "
            "rules can be placed on joint punishment lists shared between dozens of government agencies, which "
            "can exclude them from public tenders and bank loans, the court said in a statement on its website.")
    edited = wire.replace("on Monday", "this week").replace(", the court said in a statement on its website", "")
    other = ("A pilot programme in the eastern city of Rongcheng scores residents and companies on tax payments, "
             "traffic fines and volunteer work, and officials say the scores will guide inspections next year. "
             "Residents interviewed at a community centre said they had rarely thought about their score, while "
             "local businesses said the ratings made it easier to win contracts with the city government, which "
             "publishes a list of top-rated firms every quarter together with the names of those who fell behind.")
    spec = write_pipeline([{"feed": "http://127.0.0.1:9/rss"}], codebook="social-credit",
                          tag={"min_hits": 1}, aggregate={"duplicates": "per_outlet"})
    rows = [_article("a1", "A", wire, 1), _article("a2", "A", edited, 3), _article("b1", "B", edited, 2),
            _article("c1", "C", wire, 4, content_hash="a1"), _article("b2", "B", other, 5)]
    study = Study(spec.workdir)
    study.write_rows("articles_raw", rows, RAW_ARTICLE_SCHEMA)
    counts = write_articles(spec, study)
    return spec, study, counts


def test_the_article_table_gets_clusters_and_the_stage_counts_them(syndicated_study):
    spec, study, counts = syndicated_study
    table = study.query("SELECT article_id, status, duplicate_of, cluster_id, near_duplicate_of FROM articles "
                        "ORDER BY article_id").fetchall()
    assert table == [("a1", "ok", None, "a1", None), ("a2", "ok", None, "a1", "a1"), ("b1", "ok", None, "a1", "a1"),
                     ("b2", "ok", None, "b2", None), ("c1", "duplicate", "a1", "a1", None)]  # exact, not near
    assert "minhash" not in study.columns("articles")
    assert counts == {"ok": 4, "duplicate": 1, "near_duplicates": 2, "syndicated_clusters": 1}


def test_a_story_counts_once_per_outlet_or_once_in_all(syndicated_study):
    spec, study, _ = syndicated_study
    run(spec, ["tag"])
    per_outlet = load_frames(study, "per_outlet", "year").drop_duplicates("article_id")
    assert sorted(per_outlet["article_id"]) == ["a1", "b1", "b2", "c1"]    # A's second copy is not counted again
    once = load_frames(study, "once", "year").drop_duplicates("article_id")
    assert sorted(once["article_id"]) == ["a1", "b2"]


def test_switching_near_duplicates_off_leaves_exact_links_only(write_pipeline):
    text = "The social credit system " + "lists debtors and bars them from trains, the court said. " * 6
    spec = write_pipeline([{"feed": "http://127.0.0.1:9/rss"}], extract={"near_duplicates": None})
    study = Study(spec.workdir)
    study.write_rows("articles_raw", [_article("x", "A", text, 1), _article("y", "B", text + " More.", 2),
                                      _article("z", "C", text, 3, content_hash="x"),
                                      _article("w", "C", "short", 4, "too-short")], RAW_ARTICLE_SCHEMA)
    assert write_articles(spec, study) == {"ok": 2, "duplicate": 1, "too-short": 1, "near_duplicates": 0,
                                           "syndicated_clusters": 1}
    rows = dict(study.query("SELECT article_id, cluster_id FROM articles").fetchall())
    assert rows == {"x": "x", "y": "y", "z": "x", "w": None}
