"""``framing demo``: serve the demo site on its loopback hosts and run pipelines/demo.yml on it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from framing.aggregate.queries import FunnelRow
from framing.api.running import run
from framing.demo.server import LoggedRequest, SiteServer, politeness_problems
from framing.demo.site import CORPUS, Outlet, load_corpus, render_site
from framing.errors import FramingError
from framing.runner import StageResult
from framing.study.config import load_pipeline
from framing.study.stages import Progress
from framing.study.store import Study

DEMO_PIPELINE = Path(__file__).resolve().parents[2] / "pipelines" / "demo.yml"


@dataclass
class DemoSite:
    outlets: list[Outlet]
    servers: list[SiteServer]

    @property
    def log(self) -> list[LoggedRequest]:
        return sorted((r for s in self.servers for r in s.log), key=lambda r: r.t)

    def disallowed_requests(self) -> list[str]:
        """Logged requests for paths that the outlet's robots.txt disallows."""
        bad = []
        for outlet, server in zip(self.outlets, self.servers, strict=True):
            bad += [f"{server.netloc}{r.path}" for r in server.log if robots_disallows(outlet.robots_rules, r.path)]
        return bad


def robots_disallows(rules: Iterable[str], path: str) -> bool:
    """Whether any ``Disallow`` rule of a robots.txt matches a request target.

    The politeness oracle of the demo: written apart from the crawler's robots.txt parser so
    that the two check each other. Only ``Disallow`` rules: the demo's robots.txt has no
    ``Allow`` lines, so RFC 9309's longest-match precedence never comes into play.

    Parameters
    ----------
    rules
        ``Disallow`` values as written in robots.txt, e.g. ``/members/``, ``/*?print=``,
        ``/*.pdf$``; an empty value disallows nothing.
    path
        The request target as the server saw it: path and query, e.g. ``/a/b?print=1``.

    Returns
    -------
    bool
        True when a rule matches from the start of ``path`` (RFC 9309 section 2.2.2).
    """
    return any(rule and _rule_regex(rule).match(path) for rule in rules)


@lru_cache(maxsize=256)
def _rule_regex(rule: str) -> re.Pattern[str]:
    """RFC 9309 pattern -> regex: ``*`` is any run of characters, a final ``$`` the end of path+query."""
    anchored = rule.endswith("$")
    literal_parts = (rule[:-1] if anchored else rule).split("*")
    # everything else is literal, including '?', '.' and a '$' that is not last
    pattern = ".*".join(re.escape(part) for part in literal_parts)
    return re.compile(pattern + (r"\Z" if anchored else ""), re.DOTALL)


@contextmanager
def serve_demo(port: int | None = None, loopback_only: bool = False, corpus: Path = CORPUS) -> Iterator[DemoSite]:
    """Serve every outlet of the corpus; each on its own address (or, with ``loopback_only``, own port).

    Parameters
    ----------
    port
        Port for all outlets (default: the corpus's, 8411); 0 picks free ports.
    loopback_only
        Bind every outlet to 127.0.0.1 on its own free port instead of 127.0.0.11-18.

    Each host compresses text by the request's ``Accept-Encoding`` with the codings its
    ``compression`` entry in outlets.yml lists (in that order of preference), sent chunked;
    a request without ``Accept-Encoding`` gets the plain body with a Content-Length.
    """
    outlets, default_port = load_corpus(corpus)
    with ExitStack() as stack:
        servers = []
        for outlet in outlets:
            address = "127.0.0.1" if loopback_only else outlet.address
            try:
                server = SiteServer(address, 0 if loopback_only else (default_port if port is None else port),
                                    compression=tuple(outlet.compression))
            except OSError as exc:
                raise FramingError(f"cannot serve {outlet.name} on {address}: {exc.strerror}. Is another "
                                   "`framing demo` running? Stop it, or free the port.") from exc
            server.routes = render_site(outlet, server.base_url, corpus)
            stack.enter_context(server)
            servers.append(server)
        yield DemoSite(outlets, servers)


@dataclass
class DemoOutcome:
    results: list[StageResult]
    workdir: Path
    log: Path
    delay: float
    requests: int = 0
    disallowed_requested: list[str] = field(default_factory=list)
    too_close: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # machine outputs --fresh removed
    kept: list[str] = field(default_factory=list)  # human work --fresh found and kept
    funnel: list[FunnelRow] = field(default_factory=list)  # coverage per outlet after the run
    report: Path | None = None  # report/index.html, when the run made one


def run_demo(workdir: Path | None = None, fresh: bool = False, progress: Progress | None = None,
             pipeline: Path = DEMO_PIPELINE, on_stage: Callable[[StageResult], None] | None = None) -> DemoOutcome:
    """Crawl the demo site with the demo pipeline and check the servers' logs for politeness.

    ``fresh`` removes the study's machine outputs first (captures, state, tables, report) and
    keeps what people made there: the coding database, trained models, gold, agreement and
    validation tables (see ``Study.remove_machine_outputs``).
    """
    spec = load_pipeline(pipeline)
    if workdir is not None:
        spec.workdir = Path(workdir).resolve()
    removed, kept = Study(spec.workdir).remove_machine_outputs() if fresh and spec.workdir.exists() else ([], [])
    with serve_demo() as site:
        outcome = run(spec, progress=progress, on_stage=on_stage)
    log_path = spec.workdir / "demo-requests.jsonl"
    with log_path.open("a", encoding="utf-8") as handle:
        for r in site.log:
            handle.write(json.dumps({"t": round(r.t, 4), "host": r.host, "path": r.path, "status": r.status}) + "\n")
    delay = spec.collect.per_host_delay_s
    return DemoOutcome(outcome.stages, spec.workdir, log_path, delay, len(site.log), site.disallowed_requests(),
                       politeness_problems(site.log, delay), removed, kept, outcome.funnel, outcome.report)
