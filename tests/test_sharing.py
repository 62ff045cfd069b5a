"""Sharing a study without its text: ``framing export --no-text`` and ``framing rehydrate``.

Every test crawls its own loopback outlets, tags and aggregates the study, exports it, and
rebuilds it: from the study's own WARC files (everything must come back the same), or by
fetching again after the outlets changed one page, removed one, and broke three more.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from framing.api.exporting import export
from framing.api.rehydration import rehydrate
from framing.collect.recapture import verdict
from framing.collect.warcfile import CaptureWriter, iter_responses
from framing.demo.server import Response, politeness_problems
from framing.errors import FramingError
from framing.runner import run
from framing.study.bundle import SHARED_COLUMNS, TEXT_COLUMNS, open_bundle
from framing.study.codebook import load_codebook, resolve
from framing.study.compare import compare_tables, tables_of
from framing.study.config import load_pipeline
from framing.study.store import Study
from framing.study.tables import (
    ACTOR_MENTION_SCHEMA,
    ARTICLE_FRAME_SCHEMA,
    ARTICLE_SCHEMA,
    CLUSTER_SCHEMA,
    FRAME_HIT_SCHEMA,
    PREFILTERED_SCHEMA,
    QUOTE_FRAME_SCHEMA,
    QUOTE_SCHEMA,
    URL_SCHEMA,
)

from conftest import page, rss

DELAY = 0.05  # collect.per_host_delay_s of the test pipelines (conftest.write_pipeline)


def distinct(key: str) -> str:
    """A sentence no other article has: what must never leave the study in an export without text."""
    number = sum(map(ord, key))
    return f"The harbour master of Weihai counted {number} yellow umbrellas along the {key} pier at dawn."


TOWNS = ("Rongcheng", "Suqian", "Hangzhou", "Weihai", "Xiamen", "Chengdu", "Wenzhou", "Yiwu")
THINGS = ("ferry tickets", "bank loans", "school places", "train seats", "export licences", "hotel rooms",
          "market stalls", "tax rebates")


def story(key: str) -> list[str]:
    """An article with a quotation of a codebook actor and another actor named, in words of its own (no two
    are near copies); the surveillance frame only in odd-numbered ones, so that outlets' shares differ."""
    n = sum(map(ord, key))
    town, thing, other = TOWNS[n % 8], THINGS[n % 8], THINGS[(n + 3) % 8]
    watchful = int(re.sub(r"\D", "", key) or 0) % 2 == 1
    first = ("Critics warn that the surveillance of citizens keeps spreading and that dissidents are punished for "
             "every post." if watchful else f"Bankers in {town} expect the courts to collect more unpaid debts.")
    third = ("Human Rights Watch reported that activists were repressed, while officials defended the courts that "
             "collect unpaid debts." if watchful else "Officials defended the courts that collect unpaid debts.")
    return [f"{distinct(key)} {first}",
            f'"The blacklists are a patchwork of local pilots and nothing more than that," said Rogier Creemers '
            f"in an interview about the {key} case.",
            f"{third} Since {2010 + n % 9}, {town} has tied {thing} to a record of fines, and {n % 50 + 3} firms "
            f"lost access to {other} last spring.",
            f"In {town}, a shopkeeper who sells {other} keeps her own ledger of {thing} and says the rules changed "
            f"{n % 7 + 2} times. This is the last paragraph of the {key} report on the social credit system."]


EMPTY = Response(body=b"<!DOCTYPE html><html><head><title>Gone</title></head><body></body></html>")


def outlets(serve):
    """Two loopback outlets: Harbour Post (a1-a4 and a page without text) and Bay Courier (b1-b3)."""
    harbour = serve({f"/a{n}": page(f"Lanterns over Weihai {n}", story(f"a{n}")) for n in range(1, 5)},
                    compression=("gzip",))
    harbour.routes["/empty"] = EMPTY
    harbour.routes["/feed.xml"] = rss(harbour.base_url, ["/a1", "/a2", "/a3", "/a4", "/empty"])
    bay = serve({f"/b{n}": page(f"Tides at Qingdao {n}", story(f"b{n}")) for n in range(1, 4)})
    bay.routes["/feed.xml"] = rss(bay.base_url, ["/b1", "/b2", "/b3"])
    return harbour, bay


def crawled_study(serve, write_pipeline):
    """The two outlets collected, extracted, tagged and aggregated."""
    harbour, bay = outlets(serve)
    spec = write_pipeline([{"feed": harbour.base_url + "/feed.xml", "outlet": "Harbour Post"},
                           {"feed": bay.base_url + "/feed.xml", "outlet": "Bay Courier"}],
                          codebook="social-credit", collect={"timeout_s": 1, "retries": 0})
    run(spec, ["collect", "extract", "tag", "aggregate"])
    return spec, harbour, bay


def texts(workdir: Path) -> dict[str, str | None]:
    return dict(Study(workdir).query("SELECT url, text FROM articles").fetchall())


def strings_in(path: Path) -> list[str]:
    """Every string in every member of a zip: each Parquet table's cells (decompressed), each other file's text."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if name.endswith(".parquet"):
                table = pq.read_table(io.BytesIO(data))
                for column in table.itercolumns():
                    found += [v for v in column.to_pylist() if isinstance(v, str)]
            else:
                found.append(data.decode("utf-8"))
    return found


def archive_bytes(path: Path, member: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(member)


def framing(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "framing", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"}, timeout=300)


def test_export_without_text_holds_no_sentence_and_rehydrates_from_the_studys_warc_files_the_same(
        serve, write_pipeline, tmp_path):
    spec, harbour, bay = crawled_study(serve, write_pipeline)
    original = texts(spec.workdir)
    articles = {url: text for url, text in original.items() if text}
    assert len(articles) == 7 and original[harbour.base_url + "/empty"] is None
    sentences = {s.strip() for text in articles.values() for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 25}
    assert len(sentences) > 20

    result = framing("export", str(spec.path), str(tmp_path / "shared.zip"), "--no-text")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Export (no article text)" in result.stdout
    assert "8 article(s); 8 with their WARC record named" in result.stdout

    # not one sentence of any article, in any cell of any table or in any other file of the export
    cells = strings_in(tmp_path / "shared.zip")
    leaks = [s for s in sentences if any(s in cell for cell in cells)]
    assert leaks == []
    assert not any(distinct(f"a{n}") in cell for cell in cells for n in range(1, 5))
    assert b"umbrellas" not in (tmp_path / "shared.zip").read_bytes()
    assert not any("Lanterns over Weihai" in cell for cell in cells)  # nor a headline
    # ... which the same check finds in an export with the text: it can fail
    export(spec, tmp_path / "full.zip")
    full = strings_in(tmp_path / "full.zip")
    assert all(any(s in cell for cell in full) for s in sentences)

    with zipfile.ZipFile(tmp_path / "shared.zip") as archive:
        names = set(archive.namelist())
        listing = json.loads(archive.read("export.json"))
        shared = pq.read_table(io.BytesIO(archive.read("tables/articles.parquet"))).to_pandas()
        quotes = pq.read_table(io.BytesIO(archive.read("tables/quotes.parquet"))).to_pandas()
    assert {"README.md", "export.json", "pipeline.yml", "codebook.yml", "manifest.json", "tables/articles.parquet",
            "tables/frame_hits.parquet", "tables/article_frames.parquet", "tables/quotes.parquet",
            "tables/quote_frames.parquet", "tables/actor_mentions.parquet", "tables/urls.parquet"} <= names
    book = load_codebook("social-credit")
    assert listing["text"] is False and listing["codebook"] == {"name": "social-credit", "version": book.version,
                                                                "file": "codebook.yml"}
    assert archive_bytes(tmp_path / "shared.zip", "codebook.yml") == resolve("social-credit").read_bytes()
    assert {"text", "title", "author"}.isdisjoint(shared.columns) and "text" not in quotes.columns
    assert shared["warc_record_id"].str.startswith("<urn:uuid:").all()
    assert shared["warc_payload_digest"].str.startswith("sha1:").all() and shared["captured"].notna().all()
    assert len(quotes) == 11 and set(quotes["speaker"]) == {"Rogier Creemers", "Human Rights Watch"}

    # (1) from the study's own WARC files: every article the same, every table as it was
    rebuilt = tmp_path / "rebuilt"
    result = framing("rehydrate", str(tmp_path / "shared.zip"), "--workdir", str(rebuilt),
                     "--warc", str(spec.workdir / "captures" / "*.warc.gz"), "--no-fetch")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"all\s+7\s+0\s+0\s+0\s+1\s+8", re.sub("[│┃]", " ", result.stdout)), result.stdout
    assert "Found: 7 in WARC files by record id." in result.stdout
    outcome = pd.read_csv(rebuilt / "tables" / "rehydration.csv")
    assert outcome["status"].value_counts().to_dict() == {"same": 7, "no-text": 1}
    assert set(outcome.loc[outcome["status"] == "same", "matched_by"]) == {"record-id"}
    assert texts(rebuilt) == original
    before, after = tables_of(spec.workdir), tables_of(rebuilt)
    for name in ("articles", "frame_hits", "article_frames", "quotes", "quote_frames", "actor_mentions", "urls"):
        assert compare_tables(before[f"{name}.parquet"], after[f"{name}.parquet"]) == [], name
    hits = Study(rebuilt).read_frame("frame_hits").merge(Study(rebuilt).read_frame("articles")[["article_id", "text"]])
    old_hits = Study(spec.workdir).read_frame("frame_hits").merge(
        Study(spec.workdir).read_frame("articles")[["article_id", "text"]])
    assert [t[s:e] for t, s, e in zip(hits["text"], hits["start"], hits["end"], strict=True)] == \
        [t[s:e] for t, s, e in zip(old_hits["text"], old_hits["start"], old_hits["end"], strict=True)]
    assert len(hits) == len(old_hits) > 14 and {"surveillance", "dissidents"} <= {
        t[s:e] for t, s, e in zip(hits["text"], hits["start"], hits["end"], strict=True)}

    # the rehydrated study runs its last stages from the file rehydrate wrote, with the same numbers
    result = framing("run", str(rebuilt / "study.yml"), "aggregate", "report")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (rebuilt / "report" / "index.html").is_file()
    for name in ("prevalence_by_outlet", "prevalence_overall", "outlet_actors"):
        assert compare_tables(before[f"{name}.parquet"], tables_of(rebuilt)[f"{name}.parquet"]) == [], name


def test_rehydrate_by_fetching_again_reports_changed_vanished_and_not_fetched_pages_with_reasons(
        serve, write_pipeline, tmp_path):
    spec, harbour, bay = crawled_study(serve, write_pipeline)
    original = texts(spec.workdir)
    shared = export(spec, tmp_path / "shared.zip", text=False)
    assert shared.articles == 8 and shared.tables["frame_hits"].rows > 14

    # since the study: one page rewritten, one removed, one in a redirect loop, one too slow, one forbidden
    harbour.routes["/a2"] = page("Lanterns over Weihai 2", story("a2-corrected"))
    del harbour.routes["/a3"]
    harbour.routes["/a4"] = Response(301, headers={"Location": "/a4-moved"})
    harbour.routes["/a4-moved"] = Response(301, headers={"Location": "/a4"})
    bay.routes["/b2"] = Response(body=bay.routes["/b2"].body, delay_s=1.6)  # collect.timeout_s is 1
    bay.routes["/robots.txt"] = Response(body=b"User-agent: *\nDisallow: /b3\n", content_type="text/plain")
    harbour.log.clear()
    bay.log.clear()

    result = rehydrate(tmp_path / "shared.zip", tmp_path / "again", user_agent="rehydrating-test (+mailto:t@x.org)")
    assert result.counts == {"same": 2, "changed": 1, "vanished": 1, "not-fetched": 3, "no-text": 1}
    by_url = result.articles.set_index("url")
    statuses = {url.rsplit("/", 1)[1]: status for url, status in by_url["status"].items()}
    assert statuses == {"a1": "same", "a2": "changed", "a3": "vanished", "a4": "not-fetched", "empty": "no-text",
                        "b1": "same", "b2": "not-fetched", "b3": "not-fetched"}
    reasons = {url.rsplit("/", 1)[1]: reason for url, reason in by_url["reason"].items()}
    assert reasons["a2"].startswith("the text differs:")
    assert reasons["a3"] == "http-404: Not Found"
    assert reasons["a4"].startswith("redirect-loop: 301 → ") and "after redirects to" in reasons["a4"]
    assert reasons["b2"].startswith("timeout: timeout: no complete answer within 1 s")
    assert reasons["b3"].startswith("robots-disallowed")
    assert result.by_outlet().loc["Bay Courier"].to_dict() == {"same": 1, "changed": 0, "vanished": 0,
                                                                "not-fetched": 2, "no-text": 0}
    assert pd.read_csv(tmp_path / "again" / "tables" / "rehydration.csv")["status"].tolist() == \
        result.articles["status"].tolist()

    # politely: the forbidden page never asked for, robots.txt read first, the delay kept, our agent named
    assert bay.requests_for("/b3") == [] and bay.log[0].path == "/robots.txt"
    assert harbour.requests_for("/empty") == []  # a page without text has nothing to come back
    assert politeness_problems(harbour.log + bay.log, DELAY) == []
    assert {r.user_agent for r in harbour.log + bay.log} == {"rehydrating-test (+mailto:t@x.org)"}
    assert result.requests == len(harbour.log) + len(bay.log) == 9  # robots.txt twice, a4's loop twice, a1-a3, b1-b2

    # the new text is kept and flagged; offsets stay only where the text is the study's
    now = texts(tmp_path / "again")
    a = harbour.base_url
    assert now[a + "/a1"] == original[a + "/a1"] and distinct("a2-corrected") in now[a + "/a2"]
    assert now[a + "/a3"] is None and now[a + "/a4"] is None and now[bay.base_url + "/b2"] is None
    study = Study(tmp_path / "again")
    ids = dict(zip(by_url.index, by_url["article_id"], strict=True))
    kept = set(study.read_frame("frame_hits")["article_id"])
    assert kept == {ids[a + "/a1"], ids[bay.base_url + "/b1"]}
    assert result.hits == (len(study.read_frame("frame_hits")), shared.tables["frame_hits"].rows)
    assert 0 < result.hits[0] < result.hits[1]
    quotes = study.query("SELECT article_id, text FROM quotes").fetchall()
    assert len(quotes) == 11 and result.spans["quotes"] == (4, 11)  # every quotation counts; words where the same
    assert sorted(text for article, text in quotes if article == ids[a + "/a1"]) == [
        "The blacklists are a patchwork of local pilots and nothing more than that,",
        "activists were repressed, while officials defended the courts that collect unpaid debts"]
    assert {article for article, text in quotes if text is not None} == kept

    # the labels are the study's: aggregating the rehydrated study gives the same prevalence
    run(load_pipeline(tmp_path / "again" / "study.yml"), ["aggregate"])
    for name in ("prevalence_by_outlet", "prevalence_overall", "prevalence_by_period"):
        assert compare_tables(tables_of(spec.workdir)[f"{name}.parquet"],
                              tables_of(tmp_path / "again")[f"{name}.parquet"]) == [], name

    # a second run goes on where the first stopped: nothing stored is fetched again, the failures are retried
    bay.routes["/b2"] = page("Tides at Qingdao 2", story("b2"))
    harbour.log.clear()
    bay.log.clear()
    again = rehydrate(tmp_path / "shared.zip", tmp_path / "again", force=True)
    assert again.counts == {"same": 3, "changed": 1, "vanished": 1, "not-fetched": 2, "no-text": 1}
    assert harbour.requests_for("/a1") == [] and len(bay.requests_for("/b2")) == 1


def test_a_damaged_or_incomplete_export_is_refused_naming_what_is_missing(serve, write_pipeline, tmp_path):
    spec, _, _ = crawled_study(serve, write_pipeline)
    good = export(spec, tmp_path / "shared.zip", text=False).path

    def without(name: str, target: Path) -> Path:
        with zipfile.ZipFile(good) as source, zipfile.ZipFile(target, "w") as copy:
            for item in source.infolist():
                if item.filename != name:
                    copy.writestr(item, source.read(item.filename))
        return target

    with pytest.raises(FramingError, match=r"incomplete: tables/frame_hits\.parquet missing"):
        rehydrate(without("tables/frame_hits.parquet", tmp_path / "a.zip"), tmp_path / "a")
    with pytest.raises(FramingError, match="not a framing export: export.json is missing"):
        rehydrate(without("export.json", tmp_path / "b.zip"), tmp_path / "b")
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(tmp_path / "c.zip", "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            copy.writestr(item, data.replace(b"social-credit", b"social-credix") if item.filename == "codebook.yml"
                          else data)
    with pytest.raises(FramingError, match="damaged: codebook.yml do"):
        rehydrate(tmp_path / "c.zip", tmp_path / "c")
    (tmp_path / "d.zip").write_bytes(good.read_bytes()[:2000])
    with pytest.raises(FramingError, match="not a zip file"):
        rehydrate(tmp_path / "d.zip", tmp_path / "d")
    assert not any((tmp_path / name).exists() for name in "abcd")  # nothing made of a bad export
    with pytest.raises(FramingError, match="matches no file"):
        rehydrate(good, tmp_path / "e", warc=[str(tmp_path / "nowhere" / "*.warc.gz")])

    # an export never replaces a file, and writes one zip
    with pytest.raises(FramingError, match="exists; an export never replaces a file"):
        export(spec, good, text=False)
    with pytest.raises(FramingError, match="ending in .zip"):
        export(spec, tmp_path / "shared.tar", text=False)
    assert sorted(p.name for p in tmp_path.glob("*.partial")) == []


def test_an_archives_own_warc_file_is_matched_by_url_and_digest_else_by_url_and_capture_time(
        serve, write_pipeline, tmp_path):
    """Another archive's copy of the pages has records of its own ids: the same body matches by its payload
    digest, another capture of the URL by the time nearest the study's; the rest is fetched."""
    spec, harbour, bay = crawled_study(serve, write_pipeline)
    shared = export(spec, tmp_path / "shared.zip", text=False).path
    (ours,) = spec.workdir.joinpath("captures").glob("*.warc.gz")
    records = {r.url: r for r in iter_responses(ours)}
    archive = CaptureWriter(tmp_path / "archive.warc.gz")
    a1, b1 = records[harbour.base_url + "/a1"], records[bay.base_url + "/b1"]
    archive.write_response(a1.url, 200, "OK", [("Content-Type", a1.content_type),
                                              ("Content-Encoding", a1.content_encoding)], a1.body)
    archive.write_response(b1.url, 200, "OK", [("Content-Type", b1.content_type)],
                           page("Tides at Qingdao 1", story("b1-later")).body)
    archive.write_response(b1.url, 404, "Not Found", [("Content-Type", "text/html")], b"<html>gone</html>")
    archive.close()
    harbour.log.clear()

    result = rehydrate(shared, tmp_path / "again", warc=[str(tmp_path / "archive.warc.gz")])
    by_url = result.articles.set_index("url")
    assert by_url.loc[a1.url, ["status", "matched_by"]].tolist() == ["same", "digest"]
    assert by_url.loc[b1.url, ["status", "matched_by"]].tolist() == ["changed", "url"]  # the 404 is no capture
    assert result.matched == {"digest": 1, "url": 1, "fetch": 5}
    assert result.counts == {"same": 6, "changed": 1, "vanished": 0, "not-fetched": 0, "no-text": 1}
    assert harbour.requests_for("/a1") == [] and len(harbour.requests_for("/a2")) == 1


def test_rehydrate_never_writes_into_a_folder_with_files_unless_forced_and_keeps_coders_work(
        serve, write_pipeline, tmp_path):
    spec, _, _ = crawled_study(serve, write_pipeline)
    shared = export(spec, tmp_path / "shared.zip", text=False).path
    target = tmp_path / "class-study"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(FramingError, match="is not empty"):
        rehydrate(shared, target, warc=[str(spec.workdir / "captures" / "*.warc.gz")], fetch=False)
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]

    first = rehydrate(shared, target / "study", warc=[str(spec.workdir / "captures" / "*.warc.gz")], fetch=False)
    assert first.counts["same"] == 7
    (target / "study" / "annotation.sqlite").write_bytes(b"the coders' judgements")
    gold = target / "study" / "tables" / "gold.parquet"
    pd.DataFrame({"unit_id": ["u1"], "dominant": ["surveillance"], "source": ["adjudicated"]}).to_parquet(gold)
    labels = gold.read_bytes()
    again = rehydrate(shared, target / "study", fetch=False, force=True)  # no WARC files this time: nothing found
    assert again.counts == {"same": 0, "changed": 0, "vanished": 0, "not-fetched": 7, "no-text": 1}
    assert (target / "study" / "annotation.sqlite").read_bytes() == b"the coders' judgements"
    assert gold.read_bytes() == labels
    assert (target / "notes.txt").read_text() == "mine"


def test_an_export_with_the_text_rehydrates_without_fetching_and_says_it_holds_text(serve, write_pipeline,
                                                                                   tmp_path):
    spec, harbour, _ = crawled_study(serve, write_pipeline)
    full = export(spec, tmp_path / "full.zip")
    with zipfile.ZipFile(full.path) as archive:
        assert "This export holds the articles' text" in archive.read("README.md").decode()
    harbour.log.clear()
    result = rehydrate(full.path, tmp_path / "copy")
    assert result.counts == {"same": 7, "changed": 0, "vanished": 0, "not-fetched": 0, "no-text": 1}
    assert result.matched == {"export": 7} and harbour.log == []
    assert texts(tmp_path / "copy") == texts(spec.workdir)
    before, after = tables_of(spec.workdir), tables_of(tmp_path / "copy")
    assert compare_tables(before["quotes.parquet"], after["quotes.parquet"]) == []


def test_every_column_of_the_study_tables_is_either_shared_or_known_to_hold_text():
    """A new column stays home until someone puts it on one list or the other."""
    schemas = {"articles": ARTICLE_SCHEMA.names + CLUSTER_SCHEMA.names[1:], "frame_hits": FRAME_HIT_SCHEMA.names,
               "article_frames": ARTICLE_FRAME_SCHEMA.names, "quotes": QUOTE_SCHEMA.names,
               "quote_frames": QUOTE_FRAME_SCHEMA.names, "actor_mentions": ACTOR_MENTION_SCHEMA.names,
               "urls": URL_SCHEMA.names, "prefiltered": PREFILTERED_SCHEMA.names}
    for name, columns in schemas.items():
        assert set(columns) == set(SHARED_COLUMNS[name]) | set(TEXT_COLUMNS.get(name, ())), name
        assert not set(SHARED_COLUMNS[name]) & set(TEXT_COLUMNS.get(name, ())), name


def test_a_page_is_vanished_when_gone_or_its_host_no_longer_exists_and_not_fetched_otherwise():
    assert verdict("http-404", "Not Found") == "vanished"
    assert verdict("connection-error", "connection-error: ConnectError: [Errno -2] Name or service not known; "
                                       "gave up after 4 attempts") == "vanished"
    # an offline machine cannot resolve any name: that says nothing about the page
    assert verdict("connection-error", "connection-error: ConnectError: [Errno -3] Temporary failure in name "
                                       "resolution") == "not-fetched"
    assert verdict("http-403", "Forbidden") == "not-fetched"
    assert verdict("too-many-redirects", "6 hops") == "not-fetched"


def test_open_bundle_refuses_members_that_would_leave_its_folder(tmp_path):
    listing = {"format": "framing-export/1", "members": {"../evil.txt": "0" * 64, "pipeline.yml": "0" * 64,
                                                        "tables/articles.parquet": "0" * 64}, "tables": {}}
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as archive:
        archive.writestr("export.json", json.dumps(listing))
        for name in listing["members"]:
            archive.writestr(name, b"x")
    with pytest.raises(FramingError, match="outside its folder"):
        open_bundle(tmp_path / "evil.zip", tmp_path / "into")
    assert not (tmp_path / "evil.txt").exists()
