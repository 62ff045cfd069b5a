"""Put a pipeline's sources into the frontier, and import foreign WARC files as captures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from framing.collect.archive import Mapper, forget, import_warc
from framing.collect.cdx import first_page
from framing.collect.discover import url_list
from framing.collect.frontier import Candidate, Frontier, host_of
from framing.study.config import Collect, Filter, Source

DEFAULT_MAX_BYTES = Collect.model_fields["max_bytes"].default
_KIND = {"feed": "feed", "sitemap": "sitemap", "crawl": "listing"}


def seed_sources(frontier: Frontier, sources: list[Source], study_filter: Filter | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, problems: list[str] | None = None,
                 mapper: Mapper | None = None, set_aside: Path | None = None,
                 counts: dict[str, Any] | None = None) -> int:
    """Insert each source's entry URLs; return how many were new.

    WARC sources are imported (:mod:`framing.collect.archive`): with ``set_aside`` (the
    ``prefiltered`` table's folder) and ``study_filter.keywords``, their pages that mention none
    are set aside there; ``counts`` gets ``prefiltered``, the number set aside this time.
    """
    added = 0
    for source in sources:
        if source.kind in _KIND:
            outlet = source.outlet or host_of(source.location)
            added += frontier.add(Candidate(source.location, outlet=outlet, kind=_KIND[source.kind],
                                            source=source.label))
        elif source.kind == "cdx" and source.dialect == "pywb":
            # the server's crawl list, shared by its sources, read again each run: new crawls, new sources
            added += frontier.add(Candidate(source.cdx, outlet=source.outlet or host_of(source.cdx), kind="cdx",
                                            source=source.label))
            frontier.queue_again(source.cdx, "again: the crawl list is read once each run")
        elif source.kind == "cdx":  # the index's first page; the crawler follows its resumption keys
            outlet = source.outlet or host_of(source.location)
            added += frontier.add(Candidate(first_page(source), outlet=outlet, kind="cdx", source=source.label))
        elif source.kind == "urls":
            for url, outlet in url_list(source.urls, source.url_column, source.outlet_column):
                name = outlet or source.outlet or host_of(url)
                added += frontier.add(Candidate(url, outlet=name, kind="page", source=source.label))
        elif source.kind == "warc":
            if set_aside is None:
                raise ValueError("a warc source needs the folder of the study's prefiltered table (set_aside)")
            keywords = list(study_filter.keywords or []) if study_filter else []
            new, prefiltered = import_warc(frontier, source, set_aside, keywords, max_bytes, problems, mapper)
            added += new
            if counts is not None:
                counts["prefiltered"] = counts.get("prefiltered", 0) + prefiltered
    if set_aside is not None:  # WARC files of sources the study no longer has
        kept = {s.label for s in sources if s.kind == "warc"}
        forget(frontier, set_aside, [path for path, by in frontier.imported_by().items() if by not in kept])
    frontier.conn.commit()
    return added
