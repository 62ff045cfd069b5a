"""Quotations and their speakers: forms of English and German news writing, bad input bounded,
and a floor on quotations written apart from the rules (tests/fixtures/quotes.yml)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from framing.discourse.actors import ActorLinker, alias_pattern
from framing.discourse.evaluation import score_quotes
from framing.discourse.quotes import MAX_QUOTE_CHARS, find_quotes
from framing.study.codebook import load_codebook

FIXTURE = Path(__file__).parent / "fixtures" / "quotes.yml"


def _said(text: str, language: str = "en") -> list[tuple[str, str | None, str | None, bool]]:
    return [(q.text, q.speaker, q.resolved, q.direct) for q in find_quotes(text, language).quotes]


def test_a_speaker_after_or_before_the_quote_and_a_pronoun_that_points_back():
    text = ("“The system is a patchwork of local pilots,” said Rogier Creemers, a scholar at Leiden. "
            "He added: “Most of it is about unpaid debts.”")
    assert _said(text) == [("The system is a patchwork of local pilots,", "Rogier Creemers", None, True),
                           ("Most of it is about unpaid debts.", "He", "Rogier Creemers", True)]


def test_german_marks_so_and_reported_speech_with_sie():
    text = ("Kostka sagt: „Die meisten Befragten finden das System gut.“ Es gebe aber viel Kritik daran, sagte sie. "
            "»Wir sehen keine Punktzahl für Bürger«, so die Forscher.")
    assert _said(text, "de") == [("Die meisten Befragten finden das System gut.", "Kostka", None, True),
                                 ("Es gebe aber viel Kritik daran", "sie", "Kostka", False),
                                 ("Wir sehen keine Punktzahl für Bürger", "die Forscher", "Kostka", True)]


def test_a_speaker_goes_on_in_the_next_quote_and_titles_keep_their_dot():
    text = ("“A defaulter could keep living well,” said Lu Jianping, a lawyer in Shenzhen. “Now he cannot even "
            "buy a train ticket.” Bankers welcomed the move.")
    assert [q.speaker for q in find_quotes(text).quotes] == ["Lu Jianping", "Lu Jianping"]
    german = "„Im Kern ist das eine Aufsicht über Firmen“, sagt Dr. Ulrike Faßbender."
    assert [q.speaker for q in find_quotes(german, "de").quotes] == ["Dr. Ulrike Faßbender"]


def test_a_sentence_after_a_quote_is_not_its_attribution_and_words_are_counted_once():
    text = 'Creemers added: "Nobody really knows how it works." Kostka said the rules were clear.'
    assert [(q.speaker, q.direct) for q in find_quotes(text).quotes] == [("Creemers", True), ("Kostka", False)]
    assert [q.speaker for q in find_quotes('"It works well for now." He said so twice.').quotes] == [None]
    assert [q.speaker for q in find_quotes('"It works well for now." he said.').quotes] == ["he"]
    partial = "Officials said that the plan, “which was drafted in a hurry last spring,” will fail within a year."
    assert _said(partial) == [("which was drafted in a hurry last spring,", "Officials", None, True)]
    german = "Kostka fügte hinzu: „Das weiß niemand so genau.“ Die Regierung erklärte, alles sei in Ordnung."
    assert [q.speaker for q in find_quotes(german, "de").quotes][0] == "Kostka"


def test_offsets_hold_the_quoted_words_without_padding_and_long_run_ons_are_bounded():
    text = "“ The system is a patchwork of local pilots ,” said Anna Weber."
    [quote] = find_quotes(text).quotes
    assert text[quote.start:quote.end] == quote.text == "The system is a patchwork of local pilots ,"
    # a 60 KB run-on without a full stop is not read for reported speech: the patterns' work per
    # sentence is bounded (it grew with the square of the length: 3.5 s here before)
    clause = "The rules are clear to every firm in the city, said Bob Lee"
    assert [q.speaker for q in find_quotes(clause + ".").quotes] == ["Bob Lee"]
    assert find_quotes(", ".join([clause] * 1000) + ", 1.5 times.").quotes == []


def test_reported_speech_in_english():
    assert _said("According to Human Rights Watch, the blacklists are rarely reviewed by any court.") == [
        ("the blacklists are rarely reviewed by any court", "Human Rights Watch", None, False)]
    assert _said("Creemers said that the system was never a single score for citizens.") == [
        ("the system was never a single score for citizens", "Creemers", None, False)]


def test_scare_quotes_apostrophes_and_quotes_within_quotes():
    assert _said("China’s so-called “social credit” system is not one system, and Beijing's plans differ.") == []
    nested = "“Officials call it ‘a trust campaign’, but it is mostly about debts,” said Li Wei."
    assert _said(nested) == [("Officials call it ‘a trust campaign’, but it is mostly about debts,", "Li Wei", None,
                              True)]
    spanning = "“It started in 2014. It is still not finished,” Daum said."
    assert _said(spanning) == [("It started in 2014. It is still not finished,", "Daum", None, True)]


def test_unbalanced_and_endless_marks_are_bounded_and_recorded():
    text = "He said “this never closes. " + "More words follow here. " * (MAX_QUOTE_CHARS // 20) + \
        "“A real quote that closes properly here,” said Anna Weber."
    scan = find_quotes(text)
    assert [q.speaker for q in scan.quotes] == ["Anna Weber"]      # the quote after the stray mark is found
    assert len(scan.problems) == 1 and "unbalanced “" in scan.problems[0]
    flood = "„" * 5000                                              # thousands of marks: no quadratic blow-up
    assert find_quotes(flood, "de").quotes == []


def test_groups_numbers_and_described_sources_report_speech():
    # a group with no determiner, with what says which of them, and a number of them; more verbs of saying
    assert _said("Officials insist things are improving. Human-rights researchers warn that the same pipeline can "
                 "be pointed at anyone. Lawyers we interviewed said the list works.") == [
        ("things are improving", "Officials", None, False),
        ("the same pipeline can be pointed at anyone", "Human-rights researchers", None, False),
        ("the list works", "Lawyers", None, False)]
    text = ("Of twenty-five traders interviewed, twenty-one said they supported public blacklists. A lawyer in "
            "Shanghai said some people learn of it only at the station.")
    assert [(q.text, q.speaker) for q in find_quotes(text).quotes] == [
        ("they supported public blacklists", "twenty-one"),
        ("some people learn of it only at the station", "A lawyer")]
    # an apposition between the speaker and the verb; a listener after "told"; a dateline before it all
    assert _said("Sun Li, a retired teacher in Weihai, said the points had made her street safer.") == [
        ("the points had made her street safer", "Sun Li", None, False)]
    assert _said("A taxi driver, Yu Hongtao, said he had lost five points for a violation.")[0][1] == "Yu Hongtao"
    assert _said("A court spokesman told reporters that the blacklist had pushed debtors to pay.") == [
        ("the blacklist had pushed debtors to pay", "A court spokesman", None, False)]
    assert _said("BEIJING (AP) - The Supreme People's Court said on Monday that its list now holds ten million "
                 "names.")[0][:2] == ("its list now holds ten million names", "Supreme People's Court")


def test_reports_in_the_middle_or_at_the_end_of_a_sentence_and_after_a_participle():
    text = "Chinese firms took 86 days to pay their suppliers, according to a survey by a credit insurer."
    assert _said(text) == [("Chinese firms took 86 days to pay their suppliers, according to a survey by a credit "
                            "insurer", "a survey by a credit insurer", None, False)]
    assert _said("Industry associations welcomed the move, warning that vague criteria could ensnare small firms.") \
        == [("vague criteria could ensnare small firms", "Industry", None, False)]
    assert _said("Labour offices publish the lists, and officials have said that firms with arrears will be listed.") \
        == [("firms with arrears will be listed", "officials", None, False)]
    # what is left of a direct quote's sentence is its attribution, not a report
    assert _said("“The lists are about unpaid court debts,” the researcher said in an interview.") == [
        ("The lists are about unpaid court debts,", "the researcher", None, True)]


def test_german_reports_keep_their_dass_and_go_on_in_the_konjunktiv():
    text = ("Die Beamten in Rongcheng räumen ein, dass sie ihr System selbst entworfen haben. Ein Sachverständiger "
            "hatte zuvor eingewandt, auch in Deutschland würden Verbraucher bewertet.")
    assert _said(text, "de") == [
        ("dass sie ihr System selbst entworfen haben", "Beamten in Rongcheng", None, False),
        ("auch in Deutschland würden Verbraucher bewertet", "Sachverständiger", None, False)]
    # the Konjunktiv sentences after a source are its report, the full stop with them
    text = ("Dass der Staat diese Aufgabe übernimmt, sei nicht ungewöhnlich, so Faßbender. Auch in Europa seien "
            "Handelsregister eine staatliche Einrichtung. Der Unterschied liege im Tempo. Das Land wächst schnell.")
    assert [(q.text, q.speaker) for q in find_quotes(text, "de").quotes] == [
        ("Dass der Staat diese Aufgabe übernimmt, sei nicht ungewöhnlich", "Faßbender"),
        ("Auch in Europa seien Handelsregister eine staatliche Einrichtung.", "Faßbender"),
        ("Der Unterschied liege im Tempo.", "Faßbender")]
    text = "Ant Financial verweist auf die Kraft der Daten. Tausende Merkmale würden ausgewertet, heißt es."
    assert [q.speaker for q in find_quotes(text, "de").quotes] == ["es"]
    text = "Ant Financial verweist auf die Kraft der Daten. Algorithmen könnten Vertrauen genauer vorhersagen."
    assert _said(text, "de") == [("Algorithmen könnten Vertrauen genauer vorhersagen.", "Ant Financial", None, False)]
    # "laut", "nach Angaben" and "zufolge" inside a sentence; a relative clause is no report
    assert _said("Die Zahl der Fälle ist Berichten zufolge stark gestiegen.", "de")[0][1] == "Berichten"
    assert _said("Nach Schätzungen chinesischer Juristen sind Millionen Menschen betroffen.", "de")[0][1] == \
        "chinesischer Juristen"
    assert _said("Sie verwies auf Berichte über Listen, auf denen Anwälte und Journalisten landeten.", "de") == []
    # the verb before its subject
    assert _said("Zugleich räumt er ein, dass China einen anderen Weg geht.", "de") == [
        ("dass China einen anderen Weg geht", "er", None, False)]


def test_a_headline_and_its_standfirst_quote_no_one_and_name_no_one():
    text = ("Garbage In, Blacklist Out\nLocal databases promise precision, officials say.\nThe server room is small. "
            "“We receive spreadsheets,” said a data manager who asked not to be named. “Some departments send "
            "names without ID numbers,” the data manager said.")
    assert [(q.speaker, q.resolved) for q in find_quotes(text).quotes] == [
        ("a data manager", None), ("the data manager", "a data manager")]


def test_roles_stand_for_the_name_their_noun_describes_and_pronouns_for_people():
    # an indefinite role is someone new; a definite one stands for the name its noun is part of or beside
    text = ("The EU Chamber of Commerce in China warned on Tuesday that firms are not prepared. Prices rose in "
            "Beijing, Xinhua said. “Companies must prepare,” the chamber wrote.")
    assert [q.resolved for q in find_quotes(text).quotes][-1] == "EU Chamber of Commerce in China"
    text = ("Debt collection is booming. The firm is run by Mo Guanghui, the firm's founder, at People's Park. “The "
            "list is our strongest tool,” the founder said.")
    assert [q.resolved for q in find_quotes(text).quotes] == ["Mo Guanghui"]
    # "he" stands for a person: not a group speaker, a possessive, a place or a name in someone's quote
    text = ("Rights groups say the lists are published with too little oversight. Liu's roommate, Ma Jun, lives in "
            "Changsha's Yuhua district. “If the boss cannot pay, he will find the money,” Ma said. “Ask Officer "
            "Wang Lei.” Later at People's Park: “This is the only language they understand,” he said.")
    assert [q.resolved for q in find_quotes(text).quotes][-1] == "Ma"
    # German: a person named in full, and again by the surname, is who "er" stands for
    text = ("Der Ökonom Zhou Jianping lehrt in Schanghai. Die Erfahrung hat seine Forschung geprägt. Zhou beschäftigt "
            "sich seit Jahren mit Vertrauen. „Wir haben Märkte geschaffen, aber keine Auskunfteien“, sagt er.")
    assert [q.resolved for q in find_quotes(text, "de").quotes] == ["Zhou Jianping"]


def test_speakers_link_to_actors_by_their_aliases():
    linker = ActorLinker(load_codebook("social-credit").actors, "en")
    assert linker.actor_of("the Mercator Institute for China Studies") == "merics"
    assert linker.actor_of("Rogier Creemers") == "rogier_creemers" and linker.actor_of("Creemers") == "rogier_creemers"
    assert linker.actor_of("Anna Weber") is None
    assert alias_pattern(["pence"]).search("pencils") is None


def test_quotes_written_apart_from_the_rules_meet_the_floor():
    passages = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["passages"]
    actors = load_codebook("social-credit").actors
    scores = score_quotes(passages, {lang: ActorLinker(actors, lang) for lang in ("en", "de")})
    assert scores.expected >= 40
    assert scores.precision >= PRECISION_FLOOR, scores
    assert scores.recall >= RECALL_FLOOR, scores
    assert scores.speaker_accuracy >= SPEAKER_FLOOR, scores


# the floors for the demo. On this fixture the rules measured P 0.98, R 0.75, speakers 0.49 when it
# was written; its misses then led to general rules (institutions' names with "of", decimals that end no
# sentence, asides, names a pronoun points back to), after which 1.00 / 0.98 / 0.95. The held-out set below
# was never used to change a rule.
PRECISION_FLOOR = RECALL_FLOOR = 0.9
SPEAKER_FLOOR = 0.85


def test_quotes_held_out_from_every_rule_change_meet_their_own_floor():
    """A second set, written later by someone who saw neither the rules nor the first set, and
    measured once: its floor is what the rules reach on text they were not shaped by (measured
    P 0.92, R 0.78, speakers 0.67; now 0.91 / 0.78 / 0.74 after rules the demo corpus and a
    review called for, see the README). Its misses are the next rules'
    work (README); a rule changed because of them makes this set a development set, and a new
    held-out set is due."""
    passages = yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))["passages"]
    actors = load_codebook("social-credit").actors
    scores = score_quotes(passages, {lang: ActorLinker(actors, lang) for lang in ("en", "de")})
    assert scores.expected >= 50
    assert scores.precision >= 0.9, scores
    assert scores.recall >= 0.75, scores
    assert scores.speaker_accuracy >= 0.65, scores


HELD_OUT = Path(__file__).parent / "fixtures" / "quotes-heldout.yml"


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_text_without_quotes_gives_nothing(language):
    assert find_quotes("The council met on Tuesday and approved the budget for the roads.", language).quotes == []


def test_the_tag_stage_writes_quotes_and_actor_mentions(write_pipeline):
    import datetime as dt

    from framing.runner import run
    from framing.study.store import Study
    from framing.study.tables import ARTICLE_SCHEMA

    texts = {
        "a": ("en", "Rogier Creemers has studied the system for a decade. “It is mostly about unpaid court debts,” he "
                    "said. According to Human Rights Watch, the lists are rarely reviewed by any court."),
        "b": ("de", "Die Forscherin Genia Kostka hat Tausende befragt. „Die meisten finden das System gut“, sagte "
                    "Kostka. Laut MERICS ist das System vor allem ein Werkzeug der Aufsicht über Firmen."),
        "c": ("en", "The so-called “social credit” system is discussed again this week in Beijing."),
    }
    blank = dict.fromkeys(ARTICLE_SCHEMA.names)
    rows = [{**blank, "article_id": key, "url": f"https://x.example/{key}", "outlet": "X", "language": language,
             "text": text, "status": "ok", "published": dt.date(2021, 1, 1)} for key, (language, text) in texts.items()]
    spec = write_pipeline([{"feed": "http://127.0.0.1:9/rss"}], codebook="social-credit", tag={"min_hits": 1})
    study = Study(spec.workdir)
    study.write_rows("articles", rows, ARTICLE_SCHEMA)
    [result] = run(spec, ["tag"])
    quotes = study.query("SELECT article_id, quote, speaker, resolved, actor, verb, direct, start, \"end\", text "
                         "FROM quotes ORDER BY article_id, quote").fetchall()
    assert [q[:7] for q in quotes] == [
        ("a", 0, "he", "Rogier Creemers", "rogier_creemers", "said", True),
        ("a", 1, "Human Rights Watch", None, "human_rights_watch", "According to", False),
        ("b", 0, "Kostka", None, "genia_kostka", "sagte", True),
        ("b", 1, "MERICS", None, "merics", "Laut", False)]
    for article_id, *_, start, end, words in quotes:                         # offsets point into the article
        assert " ".join(texts[article_id][1][start:end].split()) == words
    mentions = study.query("SELECT article_id, actor, name FROM actor_mentions ORDER BY article_id, start").fetchall()
    assert mentions == [("a", "rogier_creemers", "Rogier Creemers"), ("a", "human_rights_watch", "Human Rights Watch"),
                        ("b", "genia_kostka", "Genia Kostka"), ("b", "genia_kostka", "Kostka"),
                        ("b", "merics", "MERICS"), ("c", "china", "Beijing")]
    assert (result.counts["quotes"], result.counts["actor_mentions"]) == (4, 6)


def test_a_quote_carries_the_frames_of_the_hits_wholly_inside_it():
    from framing.discourse.framed import QUOTE_FRAME_COLUMNS, column_rows, quote_frame_columns

    frames = ["surveillance", "trust", "approval"]
    quotes = [{"article_id": "a", "outlet": "X", "quote": 0, "start": 10, "end": 50, "actor": "lee"},
              {"article_id": "a", "outlet": "X", "quote": 1, "start": 60, "end": 70, "actor": None}]
    hits = [{"frame": "trust", "start": 45, "end": 55, "negated": False},          # runs past quote 0's end
            {"frame": "approval", "start": 12, "end": 20, "negated": False},
            {"frame": "surveillance", "start": 30, "end": 35, "negated": True},
            {"frame": "approval", "start": 20, "end": 30, "negated": False},
            {"frame": "unknown", "start": 61, "end": 62, "negated": False},       # not in the codebook
            {"frame": "approval", "start": 63, "end": 65, "negated": False},      # a tie in quote 1:
            {"frame": "surveillance", "start": 66, "end": 68, "negated": False},  # codebook order decides
            {"frame": "trust", "start": 5, "end": 9, "negated": False}]            # before any quote
    columns = quote_frame_columns(quotes, hits, frames)
    assert tuple(columns) == QUOTE_FRAME_COLUMNS
    got = [(r["quote"], r["frame"], r["hits"], r["negated_hits"], r["present"], r["dominant"], r["actor"])
           for r in column_rows(columns)]
    assert got == [(0, "surveillance", 0, 1, False, False, "lee"), (0, "trust", 0, 0, False, False, "lee"),
                   (0, "approval", 2, 0, True, True, "lee"),
                   (1, "surveillance", 1, 0, True, True, None), (1, "trust", 0, 0, False, False, None),
                   (1, "approval", 1, 0, True, False, None)]
    assert quote_frame_columns([], hits, frames, columns) is columns and len(columns["frame"]) == 6


def test_aggregate_counts_who_is_quoted_where_and_writes_networks_gephi_opens(write_pipeline):  # noqa: PLR0915
    import datetime as dt

    import networkx as nx

    from framing.runner import run
    from framing.study.store import Study
    from framing.study.tables import ARTICLE_SCHEMA

    both = ("“The lists are mostly about fraud and unpaid court debts,” said Rogier Creemers. According to Human "
            "Rights Watch, the lists are rarely reviewed by any court of law. The system punishes fraud and "
            "surveillance.")
    one = "“Most people approve of the social credit system and its blacklists,” said Genia Kostka of Berlin."
    texts = {("a", "Daily"): both, ("b", "Daily"): one, ("c", "Herald"): both}
    blank = dict.fromkeys(ARTICLE_SCHEMA.names)
    rows = [{**blank, "article_id": key, "url": f"https://x.example/{key}", "outlet": outlet, "language": "en",
             "text": text, "status": "ok", "published": dt.date(2021, 1, 1)} for (key, outlet), text in texts.items()]
    spec = write_pipeline([{"feed": "http://127.0.0.1:9/rss"}], codebook="social-credit", tag={"min_hits": 1})
    study = Study(spec.workdir)
    study.write_rows("articles", rows, ARTICLE_SCHEMA)
    results = {r.stage: r for r in run(spec, ["tag", "aggregate"])}
    table = study.read_frame("outlet_actors")
    got = {(r.outlet, r.actor): (r.quotes, r.outlet_quotes, round(r.share, 3)) for r in table.itertuples()}
    assert got == {("Daily", "rogier_creemers"): (1, 3, 0.333), ("Daily", "human_rights_watch"): (1, 3, 0.333),
                   ("Daily", "genia_kostka"): (1, 3, 0.333), ("Herald", "rogier_creemers"): (1, 2, 0.5),
                   ("Herald", "human_rights_watch"): (1, 2, 0.5)}
    assert (table["ci_low"] < table["share"]).all() and (table["share"] < table["ci_high"]).all()
    overall = nx.read_graphml(spec.workdir / "networks" / "cocitation-all.graphml")
    assert dict(overall.edges.items()) == {("human_rights_watch", "rogier_creemers"): {"weight": 2}}  # 2 articles
    assert overall.nodes["genia_kostka"] == {"label": "Genia Kostka", "type": "person", "group": "academia",
                                             "quotes": 1}
    herald = nx.read_gexf(spec.workdir / "networks" / "cocitation-herald.gexf")
    assert sorted(herald.nodes) == ["human_rights_watch", "rogier_creemers"]
    assert results["aggregate"].counts["networks"] == 6                 # all, Daily, Herald; two kinds
    # frames of voices: a hit counts for the quote it lies in ("fraud" in Creemers's words, not the
    # article's last sentence; "human rights" in the speaker's name counts for no quote)
    carried = study.query("SELECT article_id, actor, frame, hits FROM quote_frames WHERE present "
                          "ORDER BY ALL").fetchall()
    assert carried == [("a", "rogier_creemers", "trust_infrastructure", 1),
                       ("b", "genia_kostka", "popular_approval", 1),
                       ("c", "rogier_creemers", "trust_infrastructure", 1)]
    by_actor = study.read_frame("actor_frames").set_index(["actor", "frame"])
    assert by_actor.loc[("rogier_creemers", "trust_infrastructure"), ["quotes", "actor_quotes"]].tolist() == [2, 2]
    assert by_actor.loc[("human_rights_watch", "surveillance"), "quotes"] == 0
    assert len(by_actor) == 3 * 7                                         # every quoted actor x every frame
    bipartite = nx.read_graphml(spec.workdir / "networks" / "actor-frame-all.graphml")
    assert dict(bipartite.edges.items()) == {("rogier_creemers", "frame:trust_infrastructure"): {"weight": 2},
                                             ("genia_kostka", "frame:popular_approval"): {"weight": 1}}
    assert nx.is_bipartite(bipartite) and bipartite.nodes["frame:popular_approval"]["kind"] == "frame"
    assert bipartite.nodes["human_rights_watch"]["quotes"] == 2           # quoted, with no frame: a lone node
    herald_frames = nx.read_gexf(spec.workdir / "networks" / "actor-frame-herald.gexf")
    assert herald_frames.edges["rogier_creemers", "frame:trust_infrastructure"]["weight"] == 1
    words = study.read_frame("distinctive_words")                         # what sets each outlet apart
    assert set(words["outlet"]) == {"Daily", "Herald"} and set(words["language"]) == {"en"}
    assert words[words["outlet"] == "Daily"].iloc[0]["word"] in one.lower()  # Daily alone printed Kostka's words
    dominant = dict(study.query("SELECT article_id, frame FROM article_frames WHERE dominant").fetchall())
    by_frame = study.read_frame("distinctive_words_by_frame")             # what sets each frame's articles apart
    assert set(by_frame["frame"]) == set(dominant.values()) and dominant["b"] == "popular_approval"
    approval = by_frame[by_frame["frame"] == "popular_approval"]
    assert approval.iloc[0]["word"] in one.lower() and set(approval["word"]) <= set(re.findall(r"\w+", one.lower()))


def test_evaluate_scores_the_studys_quotes_against_a_manifest(write_pipeline, tmp_path):
    import datetime as dt

    import pandas as pd

    from framing.api import evaluate
    from framing.runner import run
    from framing.study.store import Study
    from framing.study.tables import ARTICLE_SCHEMA

    texts = {
        "/a": ("en", "“The lists are mostly about unpaid court debts,” said Rogier Creemers. He added that the "
                     "courts publish them online. Officials said the rules would be reviewed next year."),
        "/b": ("de", "„Die meisten finden das System gut“, sagte die Forscherin Genia Kostka. Laut MERICS ist das "
                     "System vor allem ein Werkzeug der Aufsicht über Firmen."),
        "/c": ("en", "Nothing here is quoted, though it is about the social credit system and its lists."),
    }
    blank = dict.fromkeys(ARTICLE_SCHEMA.names)
    rows = [{**blank, "article_id": path[1:], "url": f"https://x.example{path}", "outlet": "X", "language": language,
             "text": text, "status": "ok", "published": dt.date(2021, 1, 1)}
            for path, (language, text) in texts.items()]
    marked = tmp_path / "quotes.csv"
    pd.DataFrame([
        ("/a", "mostly about unpaid court debts", "Rogier Creemers", "rogier_creemers", "true"),
        ("/a", "the courts publish them online", "Rogier Creemers", "rogier_creemers", "false"),   # "He added"
        ("/a", "the rules would be reviewed", "officials", "", "false"),
        ("/a", "a quotation the rules cannot find", "Nobody", "", "true"),                         # a miss
        ("/b", "Die meisten finden das System gut", "Genia Kostka", "genia_kostka", "true"),
        ("/b", "Werkzeug der Aufsicht", "MERICS", "merics", "false"),
        ("/c", "", "", "", ""),                                    # an article with none: what is found is spurious
    ], columns=["path", "says", "speaker", "actor", "direct"]).to_csv(marked, index=False)
    spec = write_pipeline([{"feed": "http://127.0.0.1:9/rss"}], codebook="social-credit", tag={"min_hits": 1},
                          quotes_gold=str(marked))
    study = Study(spec.workdir)
    study.write_rows("articles", rows, ARTICLE_SCHEMA)
    run(spec, ["tag"])
    found = study.query("SELECT count(*) FROM quotes").fetchone()[0]
    said: list[str] = []
    result = evaluate(spec, notify=said.append)                   # quotes only: the study has no frame gold
    assert result.rules is None and said == ["Frames not evaluated: the study has no frame gold (`gold:`, or the "
                                             "coders' gold table)."]
    scores = pd.read_csv(spec.workdir / "tables" / "quote_scores.csv").set_index("group")
    every = scores.loc["all"]
    assert (every["marked"], every["found"], every["matched"]) == (6, found, 5)
    assert every["recall"] == pytest.approx(5 / 6) and every["precision"] == pytest.approx(every["correct"] / found)
    assert every["speaker_accuracy"] == 1.0 and every["actors_marked"] == 4 and every["actor_accuracy"] == 1.0
    assert scores.loc["language:de", "marked"] == 2 and scores.loc["outlet:X", "marked"] == 6
    assert scores.equals(result.quotes.set_index("group"))
    errors = pd.read_csv(spec.workdir / "tables" / "quote_errors.csv")
    assert errors.loc[errors["error"] == "missed", "says"].tolist() == ["a quotation the rules cannot find"]


def test_report_shows_who_speaks_and_the_words_that_set_outlets_apart(write_pipeline):
    import datetime as dt

    from framing.runner import run
    from framing.study.store import Study
    from framing.study.tables import ARTICLE_SCHEMA

    hostile = "<script>alert(1)</script>"                                  # scraped text is escaped in the page
    texts = {
        ("a", "Daily"): f"“{hostile} The lists punish fraud and unpaid debts,” said Rogier Creemers. The "
                        "social credit system keeps growing, and cameras watch the streets.",
        ("b", "Daily"): "“Cameras and surveillance follow every citizen now,” said Human Rights Watch. The social "
                        "credit system watches dissent through cameras.",
        ("c", "Herald"): "“Most people approve of the social credit system and its blacklists,” said Genia Kostka. "
                         "Surveys find that approval is high among people who trust the courts.",
        ("d", "Herald"): "“The courts publish the lists of debtors who ignore judgements,” said Rogier Creemers. "
                         "Fraud and unpaid debts are what the social credit system is about, surveys say.",
    }
    blank = dict.fromkeys(ARTICLE_SCHEMA.names)
    rows = [{**blank, "article_id": key, "url": f"https://x.example/{key}", "outlet": outlet, "language": "en",
             "title": f"Story {key}", "text": text, "status": "ok", "published": dt.date(2021, 1, 1)}
            for (key, outlet), text in texts.items()]
    spec = write_pipeline([{"feed": "http://127.0.0.1:9/rss"}], codebook="social-credit", tag={"min_hits": 1},
                          report={"min_articles": 1})
    Study(spec.workdir).write_rows("articles", rows, ARTICLE_SCHEMA)
    run(spec, ["tag", "aggregate", "report"])
    out = spec.workdir / "report"
    for name in ("who_speaks", "actor_frames", "actor_frame_network", "distinctive_words"):
        for suffix in (".png", ".svg", ".csv", ".vl.json"):
            assert (out / f"{name}{suffix}").stat().st_size > 0, name + suffix
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="who-speaks"' in page and "Words that set outlets apart" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and hostile not in page
    assert 'href="https://x.example/d"' in page                           # the quote behind the count, linked
    speakers = {line.split(",")[0] for line in (out / "quotes.csv").read_text(encoding="utf-8").splitlines()[1:]}
    assert speakers == {"rogier_creemers", "human_rights_watch", "genia_kostka"}
    shares = (out / "who_speaks.csv").read_text(encoding="utf-8")
    # one of the Herald's three quotations: "…, surveys say." reports what surveys say
    assert "Herald,rogier_creemers,1,3," in shares
