"""Pipeline YAML -> validated study spec.

Unknown keys are rejected and every error names the key path, the line and what is allowed,
as weasel's project schemas do. Relative paths are resolved against the pipeline file's folder.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from framing.errors import ConfigError, FramingError
from framing.study.codebook import Codebook, load_codebook, resolve
from framing.study.schema import Strict, at, validate
from framing.study.yamlio import KeyPath, load_with_lines

SOURCE_KINDS = ("feed", "sitemap", "urls", "crawl", "warc", "cdx")
DEFAULT_USER_AGENT = "framing/0.1 (media-framing research crawler; +https://pypi.org/project/framing/)"

# The Wayback Machine's replay of a capture's original bytes: ``id_`` leaves out the archive's
# toolbar and its rewriting of links, so the page is what the site served.
WAYBACK_HOST = "web.archive.org"
WAYBACK_REPLAY = "https://web.archive.org/web/{timestamp}id_/{url}"
# Seconds between requests to an archive's host unless a cdx source sets its own. The Wayback
# Machine's CDX search is limited to about 24 requests a minute per address (2.5 s; the `wayback`
# Python client lowered its default to that in 0.5.1 "to match the actual hard limits"); 4 s
# stays under it with room for the replays, which go to the same host from the same address.
ARCHIVE_DELAY_S = 4.0
# Common Crawl: its index server runs pywb, one collection (index) per crawl, listed in collinfo.json;
# captures are records in WARC files on data.commoncrawl.org, asked for by byte range.
COMMONCRAWL = "commoncrawl"  # `cdx: commoncrawl` is short for the collection list below
COMMONCRAWL_HOST = "index.commoncrawl.org"
COMMONCRAWL_LIST = "https://index.commoncrawl.org/collinfo.json"
COMMONCRAWL_DATA = "https://data.commoncrawl.org/{filename}"
PYWB_LIST = "/collinfo.json"  # a cdx: URL ending so names a pywb server's list of collections
# The index server is "only a single server and we cannot scale it up" (Sebastian Nagel, "Overloading
# index.commoncrawl.org and bulk index downloads", common-crawl list, 2018-02-05): 2 s between queries.
# For data.commoncrawl.org, "retrying no more than once per second is polite enough" and index lookups
# and single records are the requests that suffer first under load (status.commoncrawl.org): 1 s.
COMMONCRAWL_INDEX_DELAY_S = 2.0
COMMONCRAWL_DATA_DELAY_S = 1.0
INDEX_PAGES = {"wayback": 100, "pywb": 1000}  # max_index_pages by default: pywb also asks a page count per crawl
# keys that only a cdx source reads; given on another source they are an error, not ignored
CDX_KEYS = ("match", "match_type", "since", "until", "mime", "status", "collapse", "replay", "per_host_delay_s",
            "page_size", "max_index_pages", "crawls")


class Source(Strict):
    """One place to find articles: exactly one of feed, sitemap, urls, crawl, warc or cdx."""

    feed: str | None = None
    sitemap: str | None = None
    urls: str | None = None
    crawl: str | None = None
    warc: str | None = None
    cdx: str | None = Field(None, description="a CDX index server (the Wayback Machine's "
                                              "https://web.archive.org/cdx/search/cdx), or `commoncrawl` "
                                              "(any pywb server's .../collinfo.json): archived captures")
    outlet: str | None = Field(None, description="Outlet name; defaults to the host name.")
    max_pages: int | None = Field(None, ge=1)
    max_depth: int = Field(2, ge=0, description="crawl only: link hops from the start page")
    url_column: str = "url"
    outlet_column: str = "outlet"
    match: str | None = Field(None, description="cdx only: the URL prefix (or domain) whose captures are listed")
    match_type: Literal["exact", "prefix", "host", "domain"] = Field(
        "prefix", description="cdx only: how `match` is matched (the CDX server's matchType)")
    since: dt.date | None = Field(None, description="cdx only: first capture day (the CDX `from`)")
    until: dt.date | None = Field(None, description="cdx only: last capture day, inclusive (the CDX `to`)")
    mime: str | None = Field("text/html", description="cdx only: the captures' MIME type (a regular expression); "
                                                      "null: any")
    status: str | None = Field("200", description="cdx only: the captures' HTTP status (a regular expression); "
                                                 "null: any")
    collapse: str | None = Field("urlkey", description="cdx only: one capture per value of this field "
                                                       "(urlkey: one per URL); null: every capture")
    replay: str | None = Field(None, description="cdx only: URL template of a capture's original bytes, with "
                                                 "{timestamp} and {url}; default the Wayback Machine's. Common "
                                                 "Crawl: of a WARC file, with {filename}")
    per_host_delay_s: float | None = Field(None, ge=0, le=3600, description="cdx only: seconds between requests "
                                                                            "to the archive's host")
    page_size: int = Field(1000, ge=1, le=150_000, description="cdx only (Wayback): captures per index request "
                                                                 "(`limit`)")
    max_index_pages: int | None = Field(None, ge=1, description="cdx only: index requests of this source (pages, "
                                                                "and for Common Crawl its crawl list and page "
                                                                "counts); default 100, Common Crawl 1000")
    crawls: list[str] | None = Field(None, min_length=1, description="cdx only (Common Crawl): the crawls asked, "
                                                                     "e.g. [CC-MAIN-2024-10]; default every crawl "
                                                                     "whose time span meets since..until")

    @field_validator("status", mode="before")
    @classmethod
    def _status_as_text(cls, value: object) -> object:
        """``status: 200`` is read by YAML as a number; the CDX filter takes it as text."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("cdx", mode="before")
    @classmethod
    def _commoncrawl_by_name(cls, value: object) -> object:
        """``cdx: commoncrawl`` or Common Crawl's index server's address: its list of crawls."""
        if isinstance(value, str) and (value.strip().lower() == COMMONCRAWL or value.strip().rstrip("/").lower()
                                       in (f"https://{COMMONCRAWL_HOST}", f"http://{COMMONCRAWL_HOST}")):
            return COMMONCRAWL_LIST
        return value

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> Source:
        given = [k for k in SOURCE_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a source needs exactly one of {', '.join(SOURCE_KINDS)}; got "
                + (", ".join(given) if given else "none")
            )
        if given[0] == "cdx":
            self._check_cdx()
        elif stray := [k for k in CDX_KEYS if k in self.model_fields_set]:
            raise ValueError(f"{', '.join(stray)}: only for cdx sources")
        return self

    def _check_cdx(self) -> None:
        host = (urlsplit(self.cdx).hostname or "").lower()
        if urlsplit(self.cdx).scheme not in ("http", "https") or not host:
            raise ValueError(f"cdx: an http(s) URL of a CDX server (or `commoncrawl`) is needed, got {self.cdx!r}")
        if host == COMMONCRAWL_HOST and self.dialect == "wayback":
            raise ValueError(f"cdx: {self.cdx} is one crawl's index of Common Crawl; give `cdx: commoncrawl` and "
                             "name the crawl in `crawls: [CC-MAIN-2024-10]` (its id), so that the crawl list is read "
                             "and each capture is fetched from its WARC file")
        if not self.match:
            raise ValueError("a cdx source needs `match`: the URL prefix (or, with match_type: domain, the domain) "
                             "whose captures are listed")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since {self.since} is after until {self.until}")
        if self.dialect == "pywb":
            self._check_pywb(host)
            return
        if self.crawls is not None:
            raise ValueError("crawls: only for Common Crawl's index (`cdx: commoncrawl`, or a pywb server's "
                             f".../collinfo.json); {self.cdx} is a Wayback CDX server")
        if self.replay is None and host != WAYBACK_HOST:
            raise ValueError(f"replay: needed for a CDX server other than {WAYBACK_HOST}: the URL of a capture's "
                             "original bytes, with {timestamp} and {url}")
        self._check_template(("timestamp", "url"))

    def _check_pywb(self, host: str) -> None:
        """Common Crawl's index (pywb): what its API cannot do is refused here, with what to write instead."""
        if "page_size" in self.model_fields_set:
            raise ValueError("page_size: Common Crawl's index pages are the server's (its pageSize counts "
                             "compressed index blocks, not captures); leave page_size out")
        if self.collapse not in (None, "urlkey"):
            raise ValueError(f"collapse: Common Crawl's index server (pywb) does not collapse; framing keeps one "
                             f"capture per urlkey itself (collapse: urlkey, the default) or all (null), not "
                             f"{self.collapse!r}")
        bad = [c for c in self.crawls or [] if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", c)]
        if bad:
            raise ValueError(f"crawls: crawl ids as Common Crawl's collinfo.json lists them (CC-MAIN-2024-10), "
                             f"got {', '.join(map(repr, bad))}")
        if self.replay is None and host != COMMONCRAWL_HOST:
            raise ValueError("replay: needed for a pywb index other than Common Crawl's: the URL of a WARC file, "
                             "with {filename} (Common Crawl's is " + COMMONCRAWL_DATA + ")")
        self._check_template(("filename",))

    def _check_template(self, fields: tuple[str, ...]) -> None:
        template = self.replay_template
        names = " and ".join(f"{{{f}}}" for f in fields)
        try:
            example = template.format(**{f: "x" for f in fields})
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"replay: only {names} may be filled in ({exc!r})") from None
        if not all(f"{{{f}}}" in template for f in fields) or not example.startswith(("http://", "https://")):
            raise ValueError(f"replay: an http(s) URL template with {names} is needed, got {template!r}")

    @property
    def dialect(self) -> str:
        """cdx: ``pywb`` for a server's list of collections (Common Crawl's), else ``wayback``."""
        return "pywb" if urlsplit(self.cdx or "").path.endswith(PYWB_LIST) else "wayback"

    @property
    def index_pages_limit(self) -> int:
        """cdx: index requests this source may make (``max_index_pages``, or the dialect's default)."""
        return self.max_index_pages or INDEX_PAGES[self.dialect]

    @property
    def replay_template(self) -> str:
        """cdx: where a capture's original bytes are (``{timestamp}``, ``{url}``; pywb: ``{filename}``)."""
        if self.replay:
            return self.replay
        return COMMONCRAWL_DATA if self.dialect == "pywb" else WAYBACK_REPLAY

    @property
    def archive_delay_s(self) -> float:
        """cdx: seconds between requests to the archive's index host."""
        if self.per_host_delay_s is not None:
            return self.per_host_delay_s
        return COMMONCRAWL_INDEX_DELAY_S if self.dialect == "pywb" else ARCHIVE_DELAY_S

    @property
    def replay_delay_s(self) -> float:
        """cdx: seconds between requests to the host of the captures (Wayback: the index's host too)."""
        if self.per_host_delay_s is not None:
            return self.per_host_delay_s
        return COMMONCRAWL_DATA_DELAY_S if self.dialect == "pywb" else ARCHIVE_DELAY_S

    @property
    def kind(self) -> str:
        return next(k for k in SOURCE_KINDS if getattr(self, k) is not None)

    @property
    def location(self) -> str:
        return getattr(self, self.kind)

    @property
    def label(self) -> str:
        if self.kind == "cdx":  # one index server serves many queries: the query names the source
            dates = "".join(f"&{k}={d:%Y%m%d}" for k, d in (("from", self.since), ("to", self.until)) if d)
            crawls = f"&crawls={','.join(self.crawls)}" if self.crawls else ""
            return f"cdx:{self.cdx}?url={self.match}&matchType={self.match_type}{dates}{crawls}"
        return f"{self.kind}:{self.location}"


class Filter(Strict):
    """Which extracted articles count for the study; the rest keep a status saying why not."""

    languages: list[str] | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    keywords: list[str] | None = Field(None, description="topic filter; `*` globs, case-insensitive")


class Collect(Strict):
    per_host_delay_s: float = Field(1.0, ge=0, le=3600, description="seconds between requests to one host")
    max_crawl_delay_s: float = Field(60.0, ge=0, le=3600, description="hosts whose robots.txt Crawl-delay is "
                                                                     "longer are skipped (crawl-delay-too-long)")
    concurrency: int = Field(8, ge=1, le=256)
    max_pages: int | None = Field(None, ge=1)
    timeout_s: float = Field(20.0, gt=0, le=600, description="seconds for a whole request, answer and body")
    retries: int = Field(3, ge=0, le=10)
    backoff_s: float = Field(1.0, ge=0, le=600)
    max_retry_after_s: float = Field(120.0, ge=0, le=86400)
    max_bytes: int = Field(5_000_000, ge=1024, description="largest body, as received and as decoded")
    max_redirects: int = Field(5, ge=0, le=20)
    max_sitemaps: int = Field(1000, ge=1, description="sitemap files fetched per source")
    max_sitemap_depth: int = Field(2, ge=0, le=10, description="levels of sitemap indexes below the source's")
    max_queued: int = Field(100_000, ge=1, description="URLs one source may put in the frontier")
    user_agent: str = DEFAULT_USER_AGENT


class Extract(Strict):
    workers: int = Field(1, ge=0, description="processes; 0 means one per core")
    fast: bool = False
    favor_precision: bool = False
    min_chars: int = Field(400, ge=0)
    near_duplicates: float | None = Field(
        0.75, gt=0, le=1, description="Jaccard similarity of two articles' word shingles from which they are one "
                                     "syndicated story (MinHash LSH); null: only exact copies are linked")
    shingle_words: int = Field(3, ge=1, le=20, description="words per shingle for near_duplicates")


class Tag(Strict):
    method: Literal["rules", "classifier", "ensemble"] = Field(
        "rules", description="rules (codebook patterns), classifier (trained on gold), or ensemble of both")
    min_hits: int = Field(2, ge=1, description="non-negated hits for an article to carry a frame")
    model: str | None = Field(None, description="classifier/ensemble: a .skops model; default the newest "
                                                "<workdir>/models/frames-*/model.skops")


class Train(Strict):
    folds: int = Field(5, ge=2, le=20)
    seed: int = Field(0, ge=0)
    decoding: Literal["auto", "thresholds", "at_least_one"] = Field(
        "auto", description="at_least_one: every relevant article carries a frame, so the likeliest is "
                            "assigned when none passes its threshold; auto decides from the gold labels")
    embeddings: bool = Field(False, description="add sentence embeddings to the features (framing[embeddings])")


class Evaluate(Strict):
    folds: int = Field(5, ge=2, le=20, description="k of the k-fold cross-validation of classifier and ensemble")
    alpha_threshold: float = Field(0.667, gt=0, le=1,
                                   description="machine-gold alpha below which the report flags a frame")


class Aggregate(Strict):
    period: Literal["year", "month"] = "year"
    duplicates: Literal["per_outlet", "once"] = Field(
        "per_outlet", description="a story's copies (exact and near): counted once per outlet that printed it, "
                                  "or once in all")
    level: float = Field(0.95, gt=0.5, lt=1)
    correct_prevalence: bool = Field(True, description="with a classifier or ensemble: shares corrected for its "
                                                       "cross-validated error rates, beside the raw ones")


class Report(Strict):
    title: str | None = None
    examples_per_outlet: int = Field(3, ge=0, le=10)
    min_articles: int = Field(1, ge=1, description="outlets with fewer relevant articles are left out of charts")


class Annotate(Strict):
    show_outlet: bool = Field(False, description="show coders each article's outlet (off: guards against outlet bias)")
    highlights: bool = Field(False, description="mark rule-tagger hits in the text (biases coders; for training)")
    training_highlights: bool = Field(True, description="mark rule-tagger hits in training rounds")
    stratify: list[Literal["outlet", "year", "language"]] = ["outlet"]
    seed: int = Field(1, ge=0)


class Engine(Strict):
    """Where extract and tag run: in this process and its workers (local), or on a Dask cluster."""

    name: Literal["local", "dask"] = "local"
    scheduler: str | None = Field(None, description="a running Dask scheduler, e.g. tcp://head:8786; "
                                                    "default a LocalCluster on this machine")
    workers: int | None = Field(None, ge=1, description="LocalCluster workers (default one per core)")
    partition_size: int = Field(200, ge=1, description="captures per extract task, articles per tag task")


class Pipeline(Strict):
    """A whole study, as declared in its YAML file."""

    title: str
    workdir: Path
    codebook: str | None = None
    sources: list[Source] = Field(min_length=1)
    filter: Filter = Filter()
    collect: Collect = Collect()
    extract: Extract = Extract()
    tag: Tag = Tag()
    aggregate: Aggregate = Aggregate()
    report: Report = Report()
    annotate: Annotate = Annotate()
    train: Train = Train()
    evaluate: Evaluate = Evaluate()
    engine: Engine = Engine()
    gold: str | None = Field(None, description="CSV of intended/gold frames for `framing evaluate`")
    quotes_gold: str | None = Field(None, description="CSV of marked quotations (url or path, says, speaker, actor, "
                                                      "direct) that `framing evaluate` scores the quotes against")
    path: Path | None = Field(None, exclude=True)

    @field_validator("engine", mode="before")
    @classmethod
    def _engine_by_name(cls, value: object) -> object:
        """``engine: dask`` is short for ``engine: {name: dask}``."""
        return {"name": value} if isinstance(value, str) else value


def load_pipeline(path: str | Path) -> Pipeline:
    """Read and validate a pipeline file.

    Parameters
    ----------
    path
        The study's YAML file.

    Returns
    -------
    Pipeline
        With ``workdir``, ``urls`` and ``warc`` paths made absolute.

    Raises
    ------
    ConfigError
        Listing every problem with its key path and line.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(str(path), ["file not found"])
    data, lines = load_with_lines(path)
    if not isinstance(data, dict):
        raise ConfigError(str(path), ["line 1: the file must be a mapping of keys (title, workdir, sources, ...)"])
    spec = validate(Pipeline, data, lines, path)
    base = path.resolve().parent
    spec.path = path.resolve()
    spec.workdir = (base / spec.workdir).resolve()
    _resolve_files(spec, base, lines, str(path))
    return spec


def _resolve_files(spec: Pipeline, base: Path, lines: dict[KeyPath, int], name: str) -> None:
    problems = []
    for index, source in enumerate(spec.sources):
        if source.kind == "urls":
            target = base / source.urls
            if not target.is_file():
                problems.append(at(lines, ("sources", index, "urls"), f"file not found: {target}"))
            source.urls = str(target)
        elif source.kind == "warc":
            pattern = str(base / source.warc)
            if not glob.glob(pattern):
                problems.append(at(lines, ("sources", index, "warc"), f"no file matches {pattern}"))
            source.warc = pattern
    if spec.codebook is not None:
        try:
            resolve(spec.codebook, base)
        except FramingError as exc:
            problems.append(at(lines, ("codebook",), str(exc)))
    for key in ("gold", "quotes_gold"):
        if getattr(spec, key) is not None:
            gold = base / getattr(spec, key)
            if not gold.is_file():
                problems.append(at(lines, (key,), f"file not found: {gold}"))
            setattr(spec, key, str(gold))
    if problems:
        raise ConfigError(name, problems)



def study_codebook(spec: Pipeline) -> Codebook:
    """The study's codebook, loaded and validated; an error when the study names none."""
    if not spec.codebook:
        raise FramingError(f"{spec.path}: the tag stage needs `codebook:` (a bundled name such as social-credit, "
                           "or a path to a codebook YAML)")
    return load_codebook(spec.codebook, base=spec.path.parent if spec.path else None)


def codebook_digest(spec: Pipeline) -> str:
    """A short hash of the codebook file's bytes: a changed codebook must retag the corpus."""
    path = resolve(spec.codebook, base=spec.path.parent if spec.path else None)
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
