"""``framing annotate ...`` and ``framing agree``: human coding from the command line."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from framing.cli.console import console
from framing.errors import FramingError

if TYPE_CHECKING:
    from framing.annotate.agreement import Agreement

annotate_app = typer.Typer(no_args_is_help=True,
                           help="Human coding: draw assignments, serve the coding app, write gold labels.")
log = logging.getLogger("framing.annotate")


def _count(n: int, what: str) -> str:
    """``3 need adjudication``, ``1 needs adjudication``, ``2 incomplete``."""
    if what.startswith("needs ") and n != 1:
        what = "need " + what[len("needs "):]
    return f"{n} {what}"


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


@annotate_app.command("new")
def new_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file."),
            n: int = typer.Option(..., "--n", help="Units to draw."),
            coders: str = typer.Option(..., "--coders", help="Comma-separated coder names, e.g. ana,ben,chen."),
            overlap: float = typer.Option(0.3, help="Share of units coded by several coders (for reliability)."),
            per_unit: int = typer.Option(2, "--per-unit", help="Coders per double-coded unit."),
            stratify: str | None = typer.Option(None, help="Strata: outlet, year, language (comma-separated); "
                                                           "default the study's annotate.stratify."),
            seed: int | None = typer.Option(None, help="Sampling seed (default: the study's seed + batch number)."),
            training: bool = typer.Option(False, "--training", help="A training round with known answers "
                                                                    "(from the study's gold file)."),
            reviewer: str = typer.Option("", help="Comma-separated reviewer names (adjudicate; code nothing)."),
            strategy: str = typer.Option("random", help="random (stratified), or uncertain: what the trained "
                                                        "classifier is least sure about (active learning).")
            ) -> None:
    """Draw a stratified sample and put it in the coders' queues."""
    from framing.annotate.project import new_assignment
    from framing.study.config import load_pipeline
    spec = load_pipeline(pipeline)
    result = new_assignment(spec, n, _names(coders), overlap=overlap, per_unit=per_unit,
                            stratify=_names(stratify) if stratify is not None else None, seed=seed,
                            training=training, reviewers=_names(reviewer), strategy=strategy)
    coders_per_unit = "double-coded" if per_unit == 2 else f"coded by {per_unit} coders each"
    console.print(f"Batch {result.batch} ({result.round} round): {result.units} units, "
                  f"{result.double_coded} {coders_per_unit}")
    table = Table("coder", "units in this batch", title="Units per coder")
    for coder, count in result.per_coder.items():
        table.add_row(escape(coder), str(count))
    console.print(table)
    strata = Table("stratum", "units", title="Sample by stratum")
    for stratum, count in result.strata.items():
        strata.add_row(escape(str(stratum)), str(count))
    console.print(strata)
    console.print(f"Stored in {escape(str(result.db))}. Next: [bold]framing annotate serve {escape(str(pipeline))}[/]")


@annotate_app.command("links")
def links_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file."),
              base_url: str = typer.Option("http://127.0.0.1:8765", help="Where the app is reachable.")) -> None:
    """Print each coder's personal link (send each coder only their own)."""
    from framing.annotate.project import annotation_db
    from framing.study.config import load_pipeline
    db = annotation_db(load_pipeline(pipeline))
    _print_links(db.coders(), base_url)


def _print_links(coders, base_url: str) -> None:
    table = Table("name", "role", "personal link", title="Personal links: each one opens only that person's queue")
    for coder in coders:
        kind = "review" if coder.role == "reviewer" else "code"
        table.add_row(escape(coder.name), coder.role, f"{base_url.rstrip('/')}/{kind}/{coder.token}")
    console.print(table)


@annotate_app.command("serve")
def serve_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file."),
              host: str = typer.Option("127.0.0.1", help="Interface to listen on (127.0.0.1: this machine only; "
                                                         "0.0.0.0: every interface, for a classroom)."),
              port: int = typer.Option(8765, help="TCP port."),
              public_url: str | None = typer.Option(None, help="The address coders open, when it differs from "
                                                               "this machine's (a proxy or tunnel), e.g. "
                                                               "https://coding.example.edu"),
              allow_host: list[str] = typer.Option([], help="Another host name the app may be reached by "
                                                            "(repeatable); any other Host header is refused.")
              ) -> None:
    """Start the coding app (FastAPI under uvicorn) for the study's coders."""
    import uvicorn

    from framing.annotate.app import create_app, is_loopback
    from framing.annotate.project import annotation_db
    from framing.annotate.serving import allowed_hosts, base_url
    from framing.study.config import load_pipeline

    spec = load_pipeline(pipeline)
    db = annotation_db(spec)
    if not db.coders():
        raise FramingError(f"no coders yet: run `framing annotate new {pipeline} --n 60 --coders ana,ben` first")
    public = not is_loopback(host)
    url = base_url(host, port, public_url)
    hosts = allowed_hosts(host, public_url, allow_host)
    app = create_app(spec, public=public, allowed_hosts=hosts)
    _print_links(db.coders(), url)
    if public:
        console.print(f"[yellow]Listening on {escape(host)}, reachable from the network at {escape(url)}:[/] every "
                      "page needs a personal token link, and the index of links is disabled. Share each link only "
                      f"with its coder. Host names accepted: {escape(', '.join(hosts))}.")
    else:
        console.print(f"Listening on {escape(host)} (this machine only). Index of links: {escape(url)}/")
    console.print("Every click is saved at once. Stop with Ctrl-C.")
    uvicorn.run(app, host=host, port=port, log_level="warning")
    counts = db.counts()
    console.print(f"Stopped. Judgements are in {escape(str(db.path))}: "
                  + ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in counts.items()))


@annotate_app.command("status")
def status_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file.")) -> None:
    """How far each coder is, and what the coding database holds."""
    from framing.annotate.project import coding_progress
    from framing.study.config import load_pipeline
    progress = coding_progress(load_pipeline(pipeline))
    table = Table("coder", "assigned", "complete", "drafts", title="Coding progress")
    for coder, (assigned, complete, drafts) in progress.coders.items():
        table.add_row(escape(coder), str(assigned), str(complete), str(drafts))
    console.print(table)
    console.print(", ".join(f"{k}: {v}" for k, v in progress.totals.items()))


@annotate_app.command("gold")
def gold_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file.")) -> None:
    """Write tables/gold.parquet (and gold.csv): adjudicated labels, else labels all coders agree on."""
    from framing.annotate.project import write_gold
    from framing.study.config import load_pipeline
    spec = load_pipeline(pipeline)
    path, count, open_counts = write_gold(spec)
    console.print(f"Gold table: {escape(str(path))} ({count} units). Still open: "
                  + ", ".join(_count(v, k) for k, v in open_counts.items()))


def agree_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file."),
              boot: int = typer.Option(1000, "--boot", help="Bootstrap resamples for alpha's interval."),
              seed: int = typer.Option(0, help="Bootstrap seed."),
              threshold: float | None = typer.Option(None, help="Alpha below which a frame is not reliable "
                                                                 "enough to report (default the study's "
                                                                 "evaluate.alpha_threshold, 0.667).")
              ) -> None:
    """Inter-coder agreement: Krippendorff's alpha, Cohen's and Fleiss' kappa, and each coder against the rest."""
    from framing.api import agree

    outcome = agree(pipeline, boot=boot, seed=seed, threshold=threshold)
    for table in agreement_tables(outcome.agreement):
        console.print(table)
    for note in dict.fromkeys(outcome.agreement.notes):
        console.print(f"[dim]{escape(note)}[/]")
    if outcome.weak:
        console.print(f"[yellow]Below alpha {outcome.threshold}:[/] {escape(', '.join(outcome.weak))}: retrain "
                      "coders or sharpen the codebook before reporting these frames.")
    if outcome.not_estimable:
        console.print(f"Not estimable (no variation: the coders gave every unit the same answer, so there is "
                      f"nothing to agree or disagree on): {escape(', '.join(outcome.not_estimable))}. Code more "
                      "units, with some where the frame is present and some where it is not.")
    if not outcome.weak and not outcome.not_estimable:
        console.print(f"Every frame reaches alpha {outcome.threshold}.")
    if outcome.flagged_coders:
        console.print(f"[yellow]Coders well below the rest:[/] {escape(', '.join(outcome.flagged_coders))}")
    folder = outcome.written[0].parent if outcome.written else ""
    console.print(f"Tables: {escape(str(folder))}/agreement_{{per_variable,pairs,coders}}.parquet and .csv")


@annotate_app.command("export")
def export_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file."),
               file: Path = typer.Argument(..., help="File to write."),
               fmt: str = typer.Option("jsonl", "--format", help="jsonl (framing), label-studio or doccano."),
               gold: bool = typer.Option(False, "--gold", help="Also export the reviewer's final labels "
                                                               "(as coder 'gold').")) -> None:
    """Write every coder's judgements (with coder ids and texts) for other tools."""
    from framing.annotate.project import export_judgements
    from framing.study.config import load_pipeline

    done = export_judgements(load_pipeline(pipeline), file, fmt, gold=gold)
    console.print(f"Wrote {done.counts['judgements']} judgements by {done.counts['coders']} coders to "
                  f"{escape(str(done.path))} ({done.format}).")


@annotate_app.command("import")
def import_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file."),
               file: Path = typer.Argument(..., help="A framing JSONL, Label Studio JSON or doccano JSONL file."),
               fmt: str | None = typer.Option(None, "--format", help="Default: recognised from the content.")) -> None:
    """Bring existing annotations in: their units join the coding database, coded by the coders they name."""
    from framing.annotate.project import import_file
    from framing.study.config import load_pipeline

    done = import_file(load_pipeline(pipeline), file, fmt)
    for warning in done.warnings:
        console.print(f"[yellow]Warning:[/] {escape(warning)}")
    console.print(f"Imported from {escape(str(done.path))} ({done.format}): "
                  + ", ".join(f"{v} {k}" for k, v in done.counts.items()))


def _fmt(value: float, percent: bool = False) -> str:
    from framing.formatting import DASH, is_missing  # one sign for an undefined score, everywhere

    if is_missing(value):
        return DASH
    return f"{value:.1%}" if percent else f"{value:.3f}"


def agreement_tables(result: Agreement, kinds: Sequence[str] | None = None) -> list[Table]:
    """Rich tables of the result, for a console to print: per variable, then per pair and coder for ``kinds``.

    Parameters
    ----------
    result
        From ``compute_agreement``.
    kinds
        Variable kinds whose pairs and coders are shown (default the summary variables; per-frame
        detail stays in the DataFrames).

    Returns
    -------
    list of rich.table.Table
        Per variable, coder pairs, coders; nothing is printed.
    """
    import numpy as np

    from framing.annotate.agreement import SUMMARY_KINDS

    kinds = SUMMARY_KINDS if kinds is None else kinds
    ci = f"{result.level:.0%} CI"
    variables = Table("variable", "kind", "units", "values", "alpha", ci, "agreement", "Fleiss kappa", "note",
                      title="Agreement per variable (Krippendorff's alpha, nominal)", title_justify="left")
    variables.columns[0].no_wrap = True  # frame ids are what people look up: never cut them
    for r in result.per_variable.itertuples():
        interval = _fmt(r.alpha_low) if np.isnan(r.alpha_low) else f"[{r.alpha_low:.3f}, {r.alpha_high:.3f}]"
        variables.add_row(escape(r.variable), r.kind, str(r.units), str(r.values), _fmt(r.alpha), interval,
                          _fmt(r.percent_agreement, True), _fmt(r.fleiss_kappa), escape(r.note))
    pairs = Table("variable", "coder A", "coder B", "units", "agreement", "Cohen kappa", "note",
                  title="Coder pairs", title_justify="left")
    pairs.columns[0].no_wrap = True
    for r in result.pairs[result.pairs["kind"].isin(kinds)].itertuples():
        pairs.add_row(escape(r.variable), escape(r.coder_a), escape(r.coder_b), str(r.units),
                      _fmt(r.percent_agreement, True), _fmt(r.cohen_kappa), escape(r.note))
    coders = Table("variable", "coder", "units", "agreement", "mean kappa", "alpha with rest", "alpha of rest",
                   "flag", "note", title=f"Each coder against the rest (flag: more than {result.flag_margin} below "
                                         "the rest's alpha)", title_justify="left")
    coders.columns[0].no_wrap = True
    for r in result.coders[result.coders["kind"].isin(kinds)].itertuples():
        coders.add_row(escape(r.variable), escape(r.coder), str(r.units), _fmt(r.percent_agreement, True),
                       _fmt(r.mean_kappa), _fmt(r.alpha_with_rest), _fmt(r.alpha_of_rest),
                       "retrain?" if r.flagged else "", escape(r.note), style="bold red" if r.flagged else None)
    return [variables, pairs, coders]
