"""The ``framing`` command: thin wrappers over the Python API; only this module prints or exits."""

from __future__ import annotations

import sys
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from framing import __version__
from framing.cli_annotate import agree_cmd, annotate_app
from framing.cli_model import predict_cmd, train_cmd
from framing.errors import ConfigError, FramingError
from framing.stages import STAGES
from framing.ui import console, steps

if TYPE_CHECKING:  # the commands import their modules when they run, so --help and --version answer at once
    from framing.pipeline import StageResult
    from framing.store import Study

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  help="framing: collect news, extract articles, tag their frames and chart how outlets differ.")


def _print_version(value: bool) -> None:
    if value:
        console.print(f"framing {__version__}")
        raise typer.Exit()


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
             version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                          help="Print the version and exit.")) -> None:
    """Options for every command; --debug is read by main() itself, before typer parses anything."""


@app.command("run")
def run_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file."),
            stage: str | None = typer.Argument(None, help=f"One stage ({', '.join(STAGES)}); default all."),
            force: bool = typer.Option(False, "--force", help="Rerun stages whose inputs did not change.")) -> None:
    """Run a study's stages in order; a rerun resumes and skips what is up to date."""
    from framing.config import load_pipeline
    from framing.pipeline import run
    from framing.store import Study
    spec = load_pipeline(pipeline)
    with stage_progress() as progress:
        results = run(spec, [stage] if stage else None, progress=progress, force=force, on_stage=print_sources)
    print_stage_results(results)
    print_funnel(Study(spec.workdir))
    report = spec.workdir / "report" / "index.html"
    if report.is_file():
        console.print(f"Report: [bold]{escape(str(report))}[/]")
    console.print(f"Study folder: [bold]{escape(str(spec.workdir))}[/] (tables/*.parquet, captures/*.warc.gz)")


@app.command("articles")
def articles_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file."),
                 search: str | None = typer.Option(None, "--search", "-s",
                                                      help="Keyword(s) to show in context; * globs, | separates."),
                 limit: int = typer.Option(40, help="Most keyword-in-context lines to show."),
                 all_statuses: bool = typer.Option(False, "--all", help="Search duplicates and excluded pages too.")
                 ) -> None:
    """Counts per outlet and status, or keyword-in-context lines with --search."""
    from framing.config import load_pipeline
    from framing.extract import keyword_pattern
    from framing.store import Study
    from framing.summary import keyword_in_context, status_counts
    spec = load_pipeline(pipeline)
    study = Study(spec.workdir)
    if not study.table("articles").is_file():
        raise FramingError(f"no articles yet in {spec.workdir}; run `framing run {pipeline}` first")
    if search:
        pattern = keyword_pattern([k for k in search.split("|") if k.strip()])
        from framing.records import ARTICLE_STATUSES  # every status with text, from the one vocabulary

        statuses = tuple(ARTICLE_STATUSES) if all_statuses else ("ok",)
        lines = list(keyword_in_context(study, pattern, limit=limit, statuses=statuses))
        table = Table("outlet", "date", "left", "keyword", "right", title=f"'{escape(search)}' in context")
        for line in lines:
            table.add_row(escape(line.outlet), line.published or "", escape(line.left),
                          f"[bold]{escape(line.match)}[/]", escape(line.right))
        console.print(table)
        console.print(f"{len(lines)} line(s) shown (limit {limit}).")
        return
    table = Table("outlet", "status", "articles", title="Articles by outlet and status")
    for outlet, status, n in status_counts(study):
        table.add_row(escape(outlet), status, str(n))
    console.print(table)
    console.print(f"Table: {escape(str(study.table('articles')))}")


codebook_app = typer.Typer(no_args_is_help=True, help="Check, show and try out codebooks.")
app.add_typer(codebook_app, name="codebook")
app.add_typer(annotate_app, name="annotate")
app.command("agree")(agree_cmd)
app.command("train")(train_cmd)
app.command("predict")(predict_cmd)


@codebook_app.command("check")
def codebook_check_cmd(file: Path = typer.Argument(..., help="A codebook YAML file.")) -> None:
    """Validate a codebook: keys, ids, languages, patterns; warn about weak spots."""
    from framing.codebook import check_codebook, resolve
    report = check_codebook(resolve(str(file)))
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    if report.errors:
        raise ConfigError(str(file), report.errors)
    book = report.codebook
    patterns = sum(len(p) for f in book.frames for p in f.patterns.values())
    console.print(f"[green]OK[/] {escape(book.label)}: {len(book.frames)} frames, {patterns} patterns, "
                  f"languages {', '.join(book.languages)}; {len(report.warnings)} warning(s).")


@codebook_app.command("show")
def codebook_show_cmd(name: str = typer.Argument(..., help="Bundled name or path.")) -> None:
    """Print a codebook as coders read it: frames, guidance, patterns, examples."""
    from framing.codebook import load_codebook
    book = load_codebook(name)
    console.print(f"[bold]{escape(book.title or book.name)}[/] ({escape(book.label)}, languages "
                  f"{', '.join(book.languages)}, unit: {book.unit})")
    if book.description:
        console.print(escape(book.description.strip()))
    for frame in book.frames:
        table = Table(show_header=False, title=f"{frame.label}  [dim]({frame.id})[/]", title_justify="left",
                      expand=True)
        table.add_row("description", escape(frame.description.strip()))
        table.add_row("include", escape(frame.include.strip()))
        table.add_row("exclude", escape(frame.exclude.strip()))
        for language, patterns in frame.patterns.items():
            table.add_row(f"patterns ({language})", escape(", ".join(patterns)))
        for kind in ("positive", "negative"):
            for example in getattr(frame.examples, kind):
                table.add_row(f"example ({kind})", escape(example))
        console.print(table)


@codebook_app.command("test")
def codebook_test_cmd(name: str = typer.Argument(..., help="Bundled name or path."),
                      text: str = typer.Argument(..., help="A sentence or passage to tag."),
                      language: str = typer.Option("en", "--lang", "-l", help="Language of the text.")) -> None:
    """Show which patterns fire on a text, which were negated, and why."""
    from framing.codebook import load_codebook
    from framing.taggers.rules import RuleTagger
    book = load_codebook(name)
    hits = RuleTagger(book).hits(text, language)
    table = Table("frame", "pattern", "matched", "counted", title=f"{len(hits)} match(es) in {language}")
    for hit in hits:
        why = f"no: negated by '{hit.negated_by}' within {book.negation_window} words" if hit.negated else "yes"
        table.add_row(escape(book.frame(hit.frame).label), escape(hit.pattern), escape(text[hit.start:hit.end]),
                      escape(why))
    console.print(table)
    counted = sorted({book.frame(h.frame).label for h in hits if not h.negated})
    console.print(f"Frames found: {escape(', '.join(counted)) if counted else 'none'}")


@app.command("evaluate")
def evaluate_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file."),
                 gold: Path | None = typer.Option(None, help="Gold CSV (url or path, frames); default: the coders' "
                                                             "tables/gold.parquet, else the study's `gold:`."),
                 folds: int | None = typer.Option(None, help="k of the cross-validation (default evaluate.folds)."),
                 rules_only: bool = typer.Option(False, "--rules-only", help="Only the rule tagger (no training)."),
                 nested: bool = typer.Option(False, "--nested", help="Choose the model family and C anew inside "
                                                                     "every fold (slower; default: take them from "
                                                                     "the trained model when there is one).")
                 ) -> None:
    """Machine vs gold: the rule tagger, and by k-fold cross-validation the classifier and the ensemble."""
    from framing.analysis import study_codebook
    from framing.config import load_pipeline
    from framing.store import Study
    spec = load_pipeline(pipeline)
    study = Study(spec.workdir)
    book = study_codebook(spec)
    if not study.table("articles").is_file():
        raise FramingError(f"no articles yet: run `framing run {pipeline}` first")
    if rules_only:
        _evaluate_rules(spec, study, book, gold)
        return
    try:
        _evaluate_models(spec, study, book, gold, folds, nested)
    except FramingError as exc:  # too little gold to cross-validate: the rules need no training
        console.print(f"[yellow]Classifier and ensemble not evaluated:[/] {escape(str(exc))}")
        _evaluate_rules(spec, study, book, gold)


def _evaluate_models(spec, study: Study, book, gold: Path | None, folds: int | None, nested: bool) -> None:
    """k-fold cross-validation of the classifier and the ensemble beside the rules, on the study's gold."""
    from framing.classify.card import read_card
    from framing.classify.model import FrameClassifier
    from framing.classify.study import study_labelled
    from framing.classify.tagging import model_path
    from framing.classify.validate import cross_validate
    from framing.cli_model import print_validation
    from framing.report.validation import coders_alpha

    k = folds or spec.evaluate.folds
    data = study_labelled(spec, min_examples=k, drop_rare=True, gold_file=str(gold) if gold else None,
                          book=book)
    for dropped in data.source.get("dropped", []):
        console.print(f"[yellow]Not evaluated:[/] {escape(str(dropped.get('label')))} has "
                      f"{dropped.get('examples', 'too few')} gold examples; {k}-fold cross-validation needs {k}.")
    classifier, how = FrameClassifier(cv=k), "model family and C chosen inside every fold"
    card = None
    if not nested:
        with suppress(FramingError):   # no trained model yet: the family and C are chosen inside every fold
            card = read_card(model_path(spec))
    if card:
        family, c = card["model"]["family"], card["model"]["C"]
        classifier = FrameClassifier(cv=k, models=(family,), Cs=(c,))
        how = f"{family}, C = {c} as in the trained model; thresholds tuned inside every fold"
    console.print(f"Gold: {escape(data.source['label'])}. Cross-validating ({k} folds; {how}) ...")
    with steps("cross-validating: folds fitted") as progress:
        result = cross_validate(data, classifier, codebook=book, folds=k, seed=spec.train.seed,
                                min_hits=spec.tag.min_hits, language=book.languages[0], progress=progress)
    human = coders_alpha(study) or None
    flagged = print_validation(result, {f.id: f.label for f in book.frames}, human, spec.evaluate.alpha_threshold)
    # the report must say whose labels the machine was checked against: coders', or a file's
    result.scores["gold"] = "coders" if data.source.get("kind") == "gold" else "file"
    result.scores["gold_label"] = data.source["label"]
    study.write_frame("validation_scores", result.scores, csv=True)
    study.write_frame("validation_labels", result.labels)
    low = flagged.get(spec.tag.method, [])
    if low:
        console.print(f"[yellow]The study's method ({spec.tag.method}) agrees with gold below alpha "
                      f"{spec.evaluate.alpha_threshold} on:[/] {escape(', '.join(low))}; the report flags them.")
    console.print(f"Scores written to {escape(str(study.tables))}/validation_scores.parquet and .csv; "
                  "per-unit labels to validation_labels.parquet.")


def _evaluate_rules(spec, study: Study, book, gold: Path | None) -> None:
    """The study's tag stage output against the same gold as the models, on any number of units."""
    from framing.classify.study import gold_rows, study_labelled
    from framing.evaluate import compare

    if not study.table("article_frames").is_file():
        raise FramingError(f"no frame labels yet: run `framing run {spec.path}` first")
    data = study_labelled(spec, min_examples=0, gold_file=str(gold) if gold else None, book=book)
    predicted = study.query("SELECT a.url, f.frame, f.present FROM article_frames f JOIN articles a "
                            "USING (article_id)").df()
    scores = compare(predicted, gold_rows(data), book.frame_ids)
    console.print(f"Gold: {escape(data.source['label'])}")
    table = Table("frame", "precision (95% CI)", "recall (95% CI)", "F1", "support",
                  title=f"Tagger ({spec.tag.method}) vs gold ({scores.attrs['units']} articles, "
                        f"min_hits {spec.tag.min_hits})")
    for row in scores.itertuples():
        label = book.frame(row.frame).label if row.frame in book.frame_ids else row.frame
        if row.frame == "macro":
            table.add_row(label, f"{row.precision:.2f}", f"{row.recall:.2f}", f"{row.f1:.2f}", str(row.support))
            continue
        table.add_row(escape(label), f"{row.precision:.2f} ({row.precision_low:.2f}–{row.precision_high:.2f})",
                      f"{row.recall:.2f} ({row.recall_low:.2f}–{row.recall_high:.2f})", f"{row.f1:.2f}",
                      str(row.support))
    console.print(table)
    csv_path = study.write_csv("evaluation", scores)
    console.print(f"Scores written to {escape(str(csv_path))}")


@app.command("demo")
def demo_cmd(workdir: Path | None = typer.Option(None, help="Study folder (default: studies/demo)."),
             fresh: bool = typer.Option(False, "--fresh", help="Redo the machine's work: remove captures, crawl "
                                        "state, tables and report first. Coders' work, models, gold, agreement "
                                        "and validation tables are kept.")) -> None:
    """Serve the bundled demo news site on loopback and run pipelines/demo.yml against it."""
    from framing.demo.runner import run_demo
    from framing.store import Study

    resume = "Run `framing demo` (without --fresh) to resume where it stopped." if fresh else RESUME
    with stage_progress(resume) as progress:
        outcome = run_demo(workdir=workdir, fresh=fresh, progress=progress, on_stage=print_sources)
    if outcome.kept:
        console.print(f"--fresh redid the machine's work and kept what people made: {escape(', '.join(outcome.kept))}")
    print_stage_results(outcome.results)
    print_funnel(Study(outcome.workdir))
    checks = Table("politeness check (server's own request log)", "result")
    checks.add_row("requests served", str(outcome.requests))
    checks.add_row("robots-disallowed paths requested", _verdict(outcome.disallowed_requested))
    checks.add_row(f"hosts with two requests closer than {outcome.delay:.2f}s", _verdict(outcome.too_close))
    console.print(checks)
    report = outcome.workdir / "report" / "index.html"
    if report.is_file():
        console.print(f"Report: [bold]{escape(str(report))}[/] (open it in a browser; works offline)")
    console.print(f"Study folder: [bold]{escape(str(outcome.workdir))}[/]; request log: {escape(str(outcome.log))}")


def _verdict(problems: list[str]) -> str:
    return "[green]none[/]" if not problems else f"[red]{len(problems)}: {escape(', '.join(problems[:5]))}[/]"


RESUME = "Run the same command again to resume where it stopped."


@contextmanager
def stage_progress(resume: str = RESUME):
    """A rich progress bar per stage; Ctrl-C ends with ``resume``: how to go on from there."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            yield update
        except KeyboardInterrupt:
            bar.stop()
            console.print(f"[yellow]Interrupted.[/] {resume}")
            raise typer.Exit(130) from None


def print_stage_results(results: list[StageResult]) -> None:
    table = Table("stage", "result", "seconds", title="Stages")
    for result in results:
        if result.skipped:
            table.add_row(result.stage, "up to date (inputs and parameters unchanged; --force to redo)", "-")
            continue
        shown = {k: f"{v:.3g}" if isinstance(v, float) else v for k, v in result.counts.items()
                 if k not in ("key", "robots", "warc_file", "association", "report", "sources")}
        table.add_row(result.stage, escape(", ".join(f"{k} {v}" for k, v in shown.items())), f"{result.seconds:.1f}")
    console.print(table)


def print_sources(result: StageResult) -> None:
    """After collect, as soon as it ends (a later stage may fail): per source, pages found, fetched
    and not fetched with the commonest statuses, and the feeds or sitemaps that broke."""
    from framing.collect.frontier import HELD
    from framing.collect.outcome import SourceOutcome
    outcomes = result.counts.get("sources") if result.stage == "collect" else None
    if not outcomes:
        return
    table = Table("source", "pages\nfound", "fetched", "not fetched (top statuses)", "feeds and sitemaps",
                  title="Sources")
    table.columns[0].overflow = "fold"
    for o in (SourceOutcome(**item) for item in outcomes):
        reasons = ", ".join(f"{n} {status}" + (" (next run)" if status in HELD else "") for status, n in o.reasons)
        kind, _, where = o.source.partition(":")
        table.add_row(escape(f"{kind} {where.split('://', 1)[-1]}"), str(o.found), str(o.fetched),
                      escape(reasons) or "-", escape("\n".join(o.problems)) or "ok")
    console.print(table)


def print_funnel(study: Study) -> None:
    from framing.summary import funnel
    rows = funnel(study)
    if not rows:
        return
    table = Table("outlet", "discovered", "fetched", "robots\ndisallowed", "redirected", "failed (by reason)",
                  "articles", "dupli-\ncates", "not articles (by status)", title="Coverage per outlet")
    totals = [0] * 6
    for r in rows:
        failed = f"{r.failed}: {r.failed_by_reason}" if r.failed else "0"
        table.add_row(escape(r.outlet), str(r.discovered), str(r.fetched), str(r.robots_disallowed),
                      str(r.redirected), escape(failed), str(r.articles), str(r.duplicates),
                      escape(r.excluded_by_status) or "0")
        for i, v in enumerate((r.discovered, r.fetched, r.robots_disallowed, r.redirected, r.articles, r.duplicates)):
            totals[i] += v
    table.add_row("[bold]all[/]", *(str(t) for t in totals[:4]), "", *(str(t) for t in totals[4:]), "")
    console.print(table)


def main() -> None:
    """Entry point: run the app, turning errors into one message and exit code 1."""
    debug = "--debug" in sys.argv
    try:
        app()  # standalone: typer reports usage errors itself (exit 2)
    except FramingError as exc:
        if debug:
            raise
        console.print(f"[red]Error:[/] {escape(str(exc))}")
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence, with the way to the traceback
        if debug:
            raise
        console.print(f"[red]Unexpected error:[/] {type(exc).__name__}: {escape(str(exc))}\n"
                      "Run again with --debug for the traceback, and please report it.")
        sys.exit(1)


if __name__ == "__main__":
    main()
