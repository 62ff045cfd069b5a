"""``framing rehydrate``: a study rebuilt from an export, each article's text found again and checked.

The export (:mod:`framing.study.bundle`) names every article's page and its capture and holds
hashes of its text. Here the pages are found again (:mod:`framing.collect.recapture`: in WARC
files, else fetched politely), their text extracted by the extract stage's own code, and
compared with the study's by the exact text's SHA-256. The new study folder then holds the
articles with their text, the exported labels and the offsets that still point at the same
words, so that ``framing run STUDY aggregate report`` reproduces the analysis.
"""

from __future__ import annotations

import csv
import datetime as dt
import glob
import json
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from framing import __version__
from framing.collect.captures import Capture
from framing.collect.crawler import archive_delays
from framing.collect.recapture import Found, Lost, Wanted, fetch_again, find_in_warcs, read_found
from framing.errors import FramingError
from framing.extract.articles import content_hash, extract_all
from framing.study.bundle import SPANS, Bundle, move_members, open_bundle, restore_span, text_sha256
from framing.study.config import DEFAULT_USER_AGENT, Filter, Pipeline, Source
from framing.study.schema import validate
from framing.study.stages import Progress
from framing.study.store import HUMAN_TABLES, Study
from framing.study.tables import (
    ACTOR_MENTION_SCHEMA,
    ARTICLE_SCHEMA,
    CLUSTER_SCHEMA,
    QUOTE_SCHEMA,
    REHYDRATION_STATUSES,
)
from framing.study.yamlio import load_with_lines

SHARED = "shared"  # the study folder's copy of the export's members
OUTCOME_COLUMNS = ["article_id", "url", "outlet", "status", "reason", "source", "matched_by", "fetched_url",
                   "chars_before", "chars_now", "content_hash_matches"]
# what the page gives again, kept per article while the rest of the study's rows wait (text goes to disk)
RECOVERED = pa.schema([("article_id", pa.string()), ("text", pa.string()), ("title", pa.string()),
                       ("author", pa.string()), ("encoding", pa.string()), ("n_chars", pa.int64()),
                       ("content_hash", pa.string()), ("warc_file", pa.string()), ("warc_offset", pa.int64())])
SPAN_SCHEMAS = {"quotes": QUOTE_SCHEMA, "actor_mentions": ACTOR_MENTION_SCHEMA}
COPIED = ("article_frames", "quote_frames", "urls", "prefiltered", "validation_labels")  # labels and lists, as they are


@dataclass
class Rehydration:
    """What ``framing rehydrate`` found and wrote.

    Attributes
    ----------
    workdir, pipeline
        The new study folder and its YAML file (run ``framing run PIPELINE aggregate report``).
    table
        ``tables/rehydration.csv``: one row per article (:data:`OUTCOME_COLUMNS`).
    articles
        The same rows as a DataFrame: ``status`` is one of
        :data:`~framing.study.tables.REHYDRATION_STATUSES`, with its ``reason``.
    matched
        Articles by how their page was found: ``record-id``, ``digest``, ``url`` (in WARC files),
        ``fetch``, or ``export`` (the text travelled with it).
    hits, spans
        Frame hits kept of those exported (offsets into text that is not the study's are left out),
        and per table with spans (quotes, actor_mentions) the spans restored of its rows.
    notes
        What a reader should know: the extractor's version if it differs, WARC files that broke off,
        human work left alone.
    """

    workdir: Path
    pipeline: Path
    table: Path
    articles: pd.DataFrame
    text_in_export: bool
    user_agent: str | None
    warc_files: int = 0
    requests: int = 0
    matched: dict[str, int] = field(default_factory=dict)
    hits: tuple[int, int] = (0, 0)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Articles per status, every status named (zeros too), in the vocabulary's order."""
        found = self.articles["status"].value_counts()
        return {status: int(found.get(status, 0)) for status in REHYDRATION_STATUSES}

    def by_outlet(self) -> pd.DataFrame:
        """Outlets x statuses: how many articles of each outlet came back how."""
        table = pd.crosstab(self.articles["outlet"], self.articles["status"])
        return table.reindex(columns=list(REHYDRATION_STATUSES), fill_value=0)


def rehydrate(export: str | Path, workdir: str | Path, warc: list[str] | None = None, fetch: bool = True,
              force: bool = False, user_agent: str | None = None, progress: Progress | None = None) -> Rehydration:
    """Rebuild a study from an export: find each article's page again, extract and check its text.

    Parameters
    ----------
    export
        The zip file ``framing export`` wrote.
    workdir
        The new study folder: new or empty, or (``force``) a study to write into. Coders' work,
        models and gold, agreement and validation tables already there are never touched.
    warc
        Glob patterns of WARC files to look in first (a copy of the study's captures, an archive's).
    fetch
        Fetch what no WARC file holds (politely: the study's per-host delay, robots.txt obeyed).
    user_agent
        Who is asking, with a contact; default framing's own. The study's agent names its authors,
        not whoever rehydrates it.
    progress
        Called as ``progress(stage, done, total)`` for ``warc`` (files), ``fetch`` (pages) and
        ``extract`` (pages).

    Raises
    ------
    FramingError
        A damaged or incomplete export (naming what is missing), a folder that is not empty, a
        ``--warc`` pattern that matches nothing.
    """
    workdir = Path(workdir).resolve()
    _check_target(workdir, force)
    paths = _warc_paths(warc or [])
    report = progress or (lambda stage, done, total: None)
    agent = user_agent or DEFAULT_USER_AGENT
    workdir.parent.mkdir(parents=True, exist_ok=True)
    # unpacked and checked beside the study folder first: a bad export leaves no folder behind
    with tempfile.TemporaryDirectory(prefix=".framing-rehydrate-", dir=workdir.parent) as staging:
        unpacked = open_bundle(Path(export), Path(staging) / "bundle")
        data, spec = _study_spec(unpacked, agent)
        study = Study(workdir)
        bundle = move_members(unpacked, workdir / SHARED)
    out = Rehydration(workdir, workdir / "study.yml", study.tables / "rehydration.csv", pd.DataFrame(),
                      bundle.has_text, None if bundle.has_text else agent, warc_files=len(paths))
    articles = pq.read_table(bundle.table_path("articles")).to_pylist()
    _write_study_file(out.pipeline, data, bundle, articles)
    with tempfile.TemporaryDirectory(prefix=".rehydrate-", dir=workdir) as scratch:
        recovered = Path(scratch) / "recovered.parquet"
        if bundle.has_text:
            summaries, found, lost, unreadable = _from_export(articles, recovered), {}, {}, set()
            if paths:
                out.notes.append("the export holds the text: no WARC file read, nothing fetched")
        else:
            wanted = [_wanted(row) for row in articles if row.get("text_sha256")]
            found, lost = _find(wanted, paths, fetch, study, spec, agent, report, out, _archive_delays(bundle))
            summaries, unreadable = _extract(study, spec, list(found.values()), recovered, report)
        out.articles = pd.DataFrame([_outcome(row, summaries.get(row["article_id"]), found.get(row["article_id"]),
                                              lost.get(row["article_id"]), row["article_id"] in unreadable, fetch)
                                     for row in articles], columns=OUTCOME_COLUMNS)
        out.matched = {k: int(v) for k, v in out.articles["matched_by"].dropna().value_counts().items()}
        _write_tables(study, bundle, recovered, out)
    out.notes += _version_notes(bundle)
    _record(study, bundle, out)
    return out


def _check_target(workdir: Path, force: bool) -> None:
    if workdir.exists() and not workdir.is_dir():
        raise FramingError(f"{workdir} is a file; give a new or empty folder for the rehydrated study")
    if workdir.is_dir() and next(workdir.iterdir(), None) is not None and not force:
        raise FramingError(f"{workdir} is not empty; rehydrate builds a new study there. Give a new or empty folder, "
                           "or --force to write into this study (coders' work, models and gold, agreement and "
                           "validation tables are never touched)")


def _warc_paths(patterns: list[str]) -> list[Path]:
    paths: list[Path] = []
    for pattern in patterns:
        matched = sorted(Path(p) for p in glob.glob(str(Path(pattern).expanduser())) if Path(p).is_file())
        if not matched:
            raise FramingError(f"--warc {pattern!r} matches no file")
        paths += [p for p in matched if p not in paths]
    return paths


def _study_spec(bundle: Bundle, agent: str) -> tuple[dict[str, Any], Pipeline]:
    """The rehydrated study's pipeline: the export's, with its workdir here, its codebook the export's
    copy, its sources the exported articles' URLs (files and clusters of the original do not travel)
    and the user agent of whoever rehydrates it. Validated before anything is written: a pipeline
    this framing cannot read stops here."""
    path = bundle.file("pipeline.yml")
    data, lines = load_with_lines(path)
    if not isinstance(data, dict):
        raise FramingError(f"{bundle.source}: pipeline.yml is not a study file")
    data = dict(data)
    data["workdir"] = "."
    data["sources"] = [{"urls": f"{SHARED}/urls.csv"}]
    if data.get("codebook") and bundle.file("codebook.yml"):
        data["codebook"] = f"{SHARED}/codebook.yml"
    else:
        data.pop("codebook", None)
    for key in ("gold", "quotes_gold"):  # files of the original study, not in the export
        data.pop(key, None)
    if isinstance(data.get("tag"), dict):
        data["tag"] = {k: v for k, v in data["tag"].items() if k != "model"}  # the model does not travel
    data["collect"] = {**(data.get("collect") if isinstance(data.get("collect"), dict) else {}), "user_agent": agent}
    if isinstance(data.get("engine"), dict):
        data["engine"] = {k: v for k, v in data["engine"].items() if k != "scheduler"}  # nor the original's cluster
    return data, validate(Pipeline, data, lines, f"{bundle.source.name}: pipeline.yml")


def _write_study_file(path: Path, data: dict[str, Any], bundle: Bundle, articles: list[dict[str, Any]]) -> None:
    with (bundle.folder / "urls.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["url", "outlet"])
        writer.writerows((row["url"], row["outlet"]) for row in articles)
    header = (f"# Rehydrated by framing {__version__} from {bundle.source.name}; the original pipeline is "
              f"{SHARED}/pipeline.yml.\n# Run `framing run {path.name} aggregate report` here; collect and "
              "extract would rebuild the article table from fetched pages alone.\n")
    path.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _wanted(row: dict[str, Any]) -> Wanted:
    return Wanted(row["article_id"], row["url"], row["outlet"], row.get("warc_record_id"),
                  row.get("warc_payload_digest"), row.get("captured"), row.get("archive_url"), row.get("archived_at"))


def _archive_delays(bundle: Bundle) -> dict[str, float]:
    """The original study's web archive hosts and their delays (its cdx sources, as its pipeline.yml
    has them), to ask them again as politely as the study did; a source that no longer validates is passed over."""
    data, _ = load_with_lines(bundle.file("pipeline.yml"))
    sources = []
    for raw in (data.get("sources") or []) if isinstance(data, dict) else []:
        if isinstance(raw, dict) and raw.get("cdx"):
            try:
                sources.append(Source.model_validate(raw))
            except ValueError:
                continue
    return archive_delays(sources)


def _find(wanted: list[Wanted], paths: list[Path], fetch: bool, study: Study, spec: Pipeline, agent: str,
          report: Progress, out: Rehydration, host_delays: dict[str, float] | None = None
          ) -> tuple[dict[str, Found], dict[str, Lost]]:
    """WARC files first, then the web for what they do not hold."""
    found: dict[str, Found] = {}
    if paths:
        found, problems = find_in_warcs(wanted, paths, lambda done, total: report("warc", done, total))
        out.notes += [f"{problem}: the records before it were read" for problem in problems]
    rest = [w for w in wanted if w.key not in found]
    lost: dict[str, Lost] = {}
    if fetch and rest:
        settings = spec.collect.model_copy(update={"user_agent": agent})
        again = fetch_again(rest, study, settings, lambda done, total: report("fetch", done, total), host_delays)
        found.update(again.found)
        lost = again.lost
        out.requests = again.crawl.requests
    return found, lost


def _extract(study: Study, spec: Pipeline, found: list[Found], target: Path, report: Progress
             ) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Extract each found page as the extract stage does; write the text to ``target`` and keep its
    hashes. Returns the hashes per article and the articles whose capture could not be read."""
    order: deque[Found] = deque()
    unreadable: set[str] = set()

    def captures() -> Iterator[Capture]:
        for item, capture in read_found(study, found):
            if capture is None:
                unreadable.add(item.key)
                continue
            order.append(item)  # extract_all keeps the order: each row is the oldest capture still waiting
            yield capture

    options = spec.extract.model_copy(update={"near_duplicates": None})  # the export's clusters stand
    rows = extract_all(captures(), options, Filter(), progress=lambda done: report("extract", done, len(found)),
                       max_bytes=spec.collect.max_bytes)
    summaries: dict[str, dict[str, Any]] = {}
    with pq.ParquetWriter(target, RECOVERED, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            item = order.popleft()
            text = row.get("text")
            summaries[item.key] = {"sha": text_sha256(text), "content_hash": content_hash(text) if text else None,
                                   "chars": len(text) if text else 0, "status": row["status"],
                                   "reason": row.get("reason"), "matched_by": item.matched_by,
                                   "source": item.source, "fetched_url": item.fetched_url}
            batch.append({**row, "article_id": item.key, "n_chars": len(text) if text else 0,
                          "content_hash": summaries[item.key]["content_hash"]})
            if len(batch) >= 256:
                writer.write_table(pa.Table.from_pylist(batch, RECOVERED))
                batch.clear()
        writer.write_table(pa.Table.from_pylist(batch, RECOVERED))
    return summaries, unreadable


def _from_export(articles: list[dict[str, Any]], target: Path) -> dict[str, dict[str, Any]]:
    """An export with text: each article's text is the export's, checked against its own hash."""
    rows = [{**row, "warc_file": None, "warc_offset": None} for row in articles if row.get("text") is not None]
    pq.write_table(pa.Table.from_pylist(rows, RECOVERED), target)
    return {row["article_id"]: {"sha": text_sha256(row["text"]), "content_hash": content_hash(row["text"]),
                                "chars": len(row["text"]), "status": row["status"], "reason": None,
                                "matched_by": "export", "source": "export", "fetched_url": None} for row in rows}


def _outcome(article: dict[str, Any], summary: dict[str, Any] | None, found: Found | None, lost: Lost | None,
             unreadable: bool, fetch: bool) -> dict[str, Any]:
    """One row of the rehydration table: the article's status and why."""
    row = {"article_id": article["article_id"], "url": article["url"], "outlet": article["outlet"],
           "chars_before": article.get("n_chars"), "source": None, "matched_by": None, "fetched_url": None,
           "chars_now": None, "content_hash_matches": None}
    if not article.get("text_sha256"):
        return {**row, "status": "no-text", "reason": f"the study kept no text for it (status {article['status']})"}
    if summary is not None:
        row.update(source=summary["source"], matched_by=summary["matched_by"], fetched_url=summary["fetched_url"],
                   chars_now=summary["chars"], content_hash_matches=summary["content_hash"] == article["content_hash"])
        if summary["sha"] == article["text_sha256"]:
            return {**row, "status": "same", "reason": None}
        if summary["sha"] is None:
            why = f"no text now: {summary['status']} ({summary['reason']})"
        elif row["content_hash_matches"]:
            why = "the same words with other white space or case: offsets may point elsewhere"
        else:
            why = f"the text differs: {summary['chars']:,} characters now, {article.get('n_chars') or 0:,} before"
        return {**row, "status": "changed", "reason": why}
    if found is not None and unreadable:
        return {**row, "status": "not-fetched", "source": found.source, "matched_by": found.matched_by,
                "reason": f"its capture in {found.warc_file} at {found.warc_offset} could not be read"}
    if lost is not None:
        return {**row, "status": lost.verdict, "reason": lost.reason, "fetched_url": lost.fetched_url}
    why = "not in the WARC files given" + ("" if fetch else ", and fetching was off (--no-fetch)")
    return {**row, "status": "not-fetched", "reason": why}


# -- the new study's tables -----------------------------------------------------------------------------

def _write_tables(study: Study, bundle: Bundle, recovered: Path, out: Rehydration) -> None:
    """The rehydration table, the articles with their text, and the exported tables: labels and lists as
    they are, offsets where they still point at the study's words."""
    study.write_frame("rehydration", out.articles, csv=True)
    study.write_query("articles", _articles_sql(bundle, recovered))
    same = "article_id IN (SELECT article_id FROM rehydration WHERE status = 'same')"
    if (hits := bundle.table_path("frame_hits")) is not None:
        study.write_query("frame_hits", f"SELECT * EXCLUDE (file_row_number) FROM {_read(hits)} WHERE {same} "
                                        "ORDER BY file_row_number")
        kept = study.query("SELECT count(*) FROM frame_hits").fetchone()[0]
        out.hits = (int(kept), pq.ParquetFile(hits).metadata.num_rows)
    for name, span in SPANS.items():
        if (path := bundle.table_path(name)) is not None:
            out.spans[name] = _restore_spans(study, name, span, path, bundle.columns(name))
    for name in COPIED:
        if (path := bundle.table_path(name)) is None:
            continue
        if name.startswith(HUMAN_TABLES) and study.has_table(name):
            out.notes.append(f"tables/{name} was there already and is kept: the export's copy is in "
                             f"{SHARED}/tables/{name}.parquet")
            continue
        study.write_query(name, f"SELECT * EXCLUDE (file_row_number) FROM {_read(path)} ORDER BY file_row_number")


def _read(path: Path) -> str:
    # file_row_number: the row's place in the exported file, which keeps the study's order of rows
    return f"read_parquet('{_sql_path(path)}', file_row_number = true)"


def _sql_path(path: Path) -> str:
    return path.as_posix().replace("'", "''")


def _articles_sql(bundle: Bundle, recovered: Path) -> str:
    """The article table: the export's rows with the text found again (null where none was), and the new
    capture's place; the text's own measures where there is a text."""
    exported = set(bundle.columns("articles"))
    expressions = []
    for name in [*ARTICLE_SCHEMA.names, *[n for n in CLUSTER_SCHEMA.names if n != "article_id"]]:
        if name in ("text", "title", "author", "warc_file", "warc_offset"):
            expressions.append(f'r."{name}"')
        elif name in ("n_chars", "content_hash", "encoding"):
            expressions.append(f'coalesce(r."{name}", e."{name}") AS "{name}"' if name in exported else f'r."{name}"')
        elif name in exported:
            expressions.append(f'e."{name}"')
    return (f"SELECT {', '.join(expressions)} FROM {_read(bundle.table_path('articles'))} e "
            f"LEFT JOIN read_parquet('{_sql_path(recovered)}') r USING (article_id) ORDER BY e.file_row_number")


def _restore_spans(study: Study, name: str, span: str, path: Path, columns: list[str]) -> tuple[int, int]:
    """Quotes or actor mentions with their words restored from the text between their offsets, where the
    article's text is the study's and the words hash to what the export kept. Returns (restored, rows)."""
    schema = SPAN_SCHEMAS[name]
    restore = span not in columns  # an export with text carries the words themselves
    raw = ("CASE WHEN h.status = 'same' THEN substr(a.text, s.start + 1, s.\"end\" - s.start) END"
           if restore else "NULL")
    sql = (f"SELECT s.* EXCLUDE (file_row_number), {raw} AS __raw FROM {_read(path)} s "
           "LEFT JOIN rehydration h USING (article_id) LEFT JOIN articles a USING (article_id) "
           "ORDER BY s.file_row_number")
    restored = rows = 0
    with study.table_writer(name, schema) as writer:
        for batch in study.query_batches(sql, 10_000):
            items = batch.to_pylist()
            for item in items:
                if restore:
                    item[span] = restore_span(item["__raw"], item.get(f"{span}_sha256"))
                restored += item[span] is not None
            rows += len(items)
            writer.write(items)
    return restored, rows


def _version_notes(bundle: Bundle) -> list[str]:
    """The extractor that made the study's text against this one: another version may extract a page otherwise."""
    manifest = bundle.file("manifest.json")
    if manifest is None:
        return []
    packages = json.loads(manifest.read_text(encoding="utf-8")).get("packages", {})
    then = packages.get("trafilatura")
    try:
        now = metadata.version("trafilatura")
    except metadata.PackageNotFoundError:
        now = None
    if then and now and then != now:
        return [f"the study's text was extracted by trafilatura {then}, this machine has {now}: some pages may read "
                "`changed` for the extractor's sake, not the page's"]
    return []


def _record(study: Study, bundle: Bundle, out: Rehydration) -> None:
    """Note the rehydration in the new study's manifest.json (the stages that run later add theirs)."""
    manifest = study.read_manifest()
    manifest.update(title=bundle.info.get("study", {}).get("title"), rehydrated={
        "export": str(bundle.source), "export_created": bundle.info.get("created"),
        "export_framing": bundle.info.get("framing"), "framing": __version__,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "counts": out.counts,
        "matched": out.matched, "warc_files": out.warc_files, "requests": out.requests,
        "user_agent": out.user_agent, "frame_hits": list(out.hits),
        "spans": {k: list(v) for k, v in out.spans.items()}, "notes": out.notes})
    study.write_manifest(manifest)
