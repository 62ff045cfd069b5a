"""The ``framing`` command: thin wrappers over the Python API; only the cli package prints or exits."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from framing import __version__
from framing.cli.annotate import agree_cmd, annotate_app
from framing.cli.console import console, steps
from framing.cli.model import predict_cmd, train_cmd
from framing.errors import ConfigError, FramingError
from framing.study.stages import STAGES

if TYPE_CHECKING:  # the commands import their modules when they run, so --help and --version answer at once
    from framing.aggregate.queries import FunnelRow
    from framing.runner import StageResult

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
            stage: list[str] | None = typer.Argument(None, help=f"One or more stages ({', '.join(STAGES)}), "
                                                              "run in that order; default all."),
            force: bool = typer.Option(False, "--force", help="Rerun stages whose inputs did not change."),
            engine: str | None = typer.Option(None, help="local or dask: where extract and tag run (default the "
                                                         "study's engine, else local)."),
            scheduler: str | None = typer.Option(None, help="A running Dask scheduler, e.g. tcp://head:8786 "
                                                            "(implies --engine dask; default a cluster on this "
                                                            "machine).")) -> None:
    """Run a study's stages in order; a rerun resumes and skips what is up to date."""
    from framing.api import run
    if engine not in (None, "local", "dask"):
        raise typer.BadParameter(f"engine is local or dask, not {engine!r}", param_hint="--engine")
    with stage_progress() as progress:
        outcome = run(pipeline, list(stage) if stage else None, force=force, progress=progress, on_stage=print_sources,
                      engine=engine, scheduler=scheduler)
    print_stage_results(outcome.stages)
    print_funnel(outcome.funnel)
    if outcome.report:
        console.print(f"Report: [bold]{escape(str(outcome.report))}[/]")
    console.print(f"Study folder: [bold]{escape(str(outcome.workdir))}[/] (tables/*.parquet, captures/*.warc.gz)")


@app.command("articles")
def articles_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file."),
                 search: str | None = typer.Option(None, "--search", "-s",
                                                      help="Keyword(s) to show in context; * globs, | separates."),
                 collocates: str | None = typer.Option(None, "--collocates", "-c",
                                                       help="A term whose collocates to list (a phrase; * globs "
                                                            "letters in a word), by log-likelihood or PMI."),
                 limit: int = typer.Option(40, help="Most keyword-in-context lines or collocates to show."),
                 all_statuses: bool = typer.Option(False, "--all", help="Read duplicates and excluded pages too "
                                                                        "(--search, --collocates)."),
                 window: int | None = typer.Option(None, min=1, help="With --collocates: tokens on each side of "
                                                                     "the term [default: 5]."),
                 min_count: int | None = typer.Option(None, "--min-count", min=1,
                                                      help="With --collocates: fewest co-occurrences listed "
                                                           "[default: 3]."),
                 by: str | None = typer.Option(None, "--by", help="With --collocates: sort by ll (log-likelihood "
                                                                  "G2) or pmi [default: ll]."),
                 outlet: str | None = typer.Option(None, help="With --collocates: only this outlet's articles."),
                 language: str | None = typer.Option(None, "--lang", "-l",
                                                     help="With --collocates: only articles in this language."),
                 keep_stopwords: bool = typer.Option(False, "--keep-stopwords",
                                                     help="With --collocates: list function words too."),
                 csv: Path | None = typer.Option(None, "--csv", help="With --collocates: save every collocate "
                                                                     "listed (not only --limit) as CSV."),
                 ) -> None:
    """Counts per outlet and status, keyword-in-context lines with --search, or a term's collocates."""
    from framing.api.articles import articles

    if search and collocates:
        raise typer.BadParameter("--search and --collocates are two views; give one", param_hint="--collocates")
    if collocates is None:
        given = [name for name, value in (("--window", window), ("--min-count", min_count), ("--by", by),
                                          ("--outlet", outlet), ("--lang", language), ("--csv", csv))
                 if value is not None] + (["--keep-stopwords"] if keep_stopwords else [])
        if given:
            raise typer.BadParameter(f"{', '.join(given)} go(es) with --collocates TERM", param_hint=given[0])
    else:
        print_collocates(pipeline, collocates, limit=limit, all_statuses=all_statuses, window=window,
                         min_count=min_count, by=by, outlet=outlet, language=language,
                         keep_stopwords=keep_stopwords, csv=csv)
        return
    view = articles(pipeline, search=search, limit=limit, all_statuses=all_statuses)
    if search:
        table = Table("outlet", "date", "left", "keyword", "right", title=f"'{escape(search)}' in context")
        for line in view.lines:
            table.add_row(escape(line.outlet), line.published or "", escape(line.left),
                          f"[bold]{escape(line.match)}[/]", escape(line.right))
        console.print(table)
        console.print(f"{len(view.lines)} line(s) shown (limit {limit}).")
        return
    table = Table("outlet", "status", "articles", title="Articles by outlet and status")
    for outlet_name, status, n in view.counts:
        table.add_row(escape(outlet_name), status, str(n))
    console.print(table)
    console.print(f"Table: {escape(str(view.table))}")


def print_collocates(pipeline: Path, term: str, limit: int, all_statuses: bool, window: int | None,
                     min_count: int | None, by: str | None, outlet: str | None, language: str | None,
                     keep_stopwords: bool, csv: Path | None) -> None:
    """``framing articles --collocates``: the table, the CSV if asked, and one line saying what was read."""
    from framing.api.articles import collocates

    if by is not None and by not in ("ll", "pmi"):
        raise typer.BadParameter(f"ll or pmi, not {by!r}", param_hint="--by")
    view = collocates(pipeline, term, window=window or 5, min_count=min_count or 3, by=by or "ll",
                      limit=None if csv else limit, outlet=outlet, language=language,
                      keep_stopwords=keep_stopwords, all_statuses=all_statuses)
    if csv:
        csv.parent.mkdir(parents=True, exist_ok=True)
        view.table.to_csv(csv, index=False)
    shown = view.table.head(limit)
    where = " ".join(filter(None, [f"outlet {outlet}" if outlet else "", f"language {language}" if language else ""]))
    table = Table("collocate", "G2", "PMI", "observed", "expected", "left", "right", "articles", "frequency",
                  title=f"Collocates of '{escape(term)}' within {view.window} token(s)"
                        f"{' (' + escape(where) + ')' if where else ''}, by {'G2' if view.by == 'll' else 'PMI'}")
    for row in shown.itertuples(index=False):
        table.add_row(escape(row.collocate), f"{row.ll:.2f}", f"{row.pmi:.2f}", str(row.observed),
                      f"{row.expected:.2f}", str(row.left), str(row.right), str(row.texts), str(row.frequency))
    console.print(table)
    statuses = "any status" if all_statuses else "status ok"
    stop = ("stop words kept" if keep_stopwords or not view.languages
            else f"stop words ({', '.join(view.languages)}) left out")
    console.print(f"{view.occurrences} occurrence(s) of '{escape(' '.join(view.node))}' in {view.articles_with_term} "
                  f"of {view.articles} article(s) ({statuses}{', ' + escape(where) if where else ''}); "
                  f"{len(shown)} of {view.listed} collocate(s) with at least {view.min_count} co-occurrence(s) "
                  f"shown, {stop}; {view.window_tokens} of {view.tokens} tokens in the windows.")
    if csv:
        console.print(f"CSV: {escape(str(csv))} ({view.listed} collocate(s))")


codebook_app = typer.Typer(no_args_is_help=True, help="Check, show and try out codebooks.")
app.add_typer(codebook_app, name="codebook")
app.add_typer(annotate_app, name="annotate")
app.command("agree")(agree_cmd)
app.command("train")(train_cmd)
app.command("predict")(predict_cmd)


@codebook_app.command("check")
def codebook_check_cmd(file: Path = typer.Argument(..., help="A codebook YAML file.")) -> None:
    """Validate a codebook: keys, ids, languages, patterns; warn about weak spots."""
    from framing.study.codebook import check_codebook, resolve
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
    from framing.study.codebook import load_codebook
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
        for language, guidance in frame.guidance.items():  # for coders who read that language
            for field in ("label", "description", "include", "exclude"):
                if value := getattr(guidance, field).strip():
                    table.add_row(f"{field} ({language})", escape(value))
        console.print(table)


@codebook_app.command("test")
def codebook_test_cmd(name: str = typer.Argument(..., help="Bundled name or path."),
                      text: str = typer.Argument(..., help="A sentence or passage to tag."),
                      language: str = typer.Option("en", "--lang", "-l", help="Language of the text.")) -> None:
    """Show which patterns fire on a text, which were negated, and why."""
    from framing.scripts import UNSPACED_LANGUAGES
    from framing.study.codebook import load_codebook
    from framing.tag.rules import RuleTagger
    book = load_codebook(name)
    hits = RuleTagger(book).hits(text, language)
    table = Table("frame", "pattern", "matched", "counted", title=f"{len(hits)} match(es) in {language}")
    # a language written without spaces is matched on characters, and its negation counted in them
    window = f"{book.negation_characters} characters" if language in UNSPACED_LANGUAGES else \
        f"{book.negation_window} words"
    for hit in hits:
        why = f"no: negated by '{hit.negated_by}' within {window}" if hit.negated else "yes"
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
                 rules_only: bool = typer.Option(False, "--rules-only", help="Only the tag stage's labels (no "
                                                                           "training): the rules, or the study's "
                                                                           "model as it tagged."),
                 nested: bool = typer.Option(False, "--nested", help="Choose the model family and C anew inside "
                                                                     "every fold (slower; default: take them from "
                                                                     "the trained model when there is one)."),
                 quotes_gold: Path | None = typer.Option(None, "--quotes-gold", help="CSV of marked quotations (url "
                                                         "or path, says, speaker, actor, direct); default: the "
                                                         "study's `quotes_gold:`.")
                 ) -> None:
    """Machine vs gold: the rule tagger, and by k-fold cross-validation the classifier and the ensemble."""
    from framing.api import evaluate
    from framing.cli.model import print_scores, print_validation

    def say(message: str) -> None:
        console.print(escape(message))

    from contextlib import nullcontext

    bar = nullcontext(None) if rules_only else steps("cross-validating: folds fitted")
    with bar as progress:
        result = evaluate(pipeline, gold=gold, folds=folds, rules_only=rules_only, nested=nested, progress=progress,
                          notify=say, quotes_gold=quotes_gold)
    if result.quotes is not None:
        print_quote_scores(result.quotes)
    if result.rules is not None:
        console.print(f"Gold: {escape(result.gold)}")
        print_scores(result.rules, result.frame_labels,
                     f"Tagger ({result.method}) vs gold ({result.rules.attrs['units']} articles)")
    else:
        for dropped in result.dropped:
            console.print(f"[yellow]Not evaluated:[/] {escape(str(dropped.get('label')))} has "
                          f"{dropped.get('examples', 'too few')} gold examples; {result.folds}-fold "
                          f"cross-validation needs {result.folds}.")
        print_validation(result.validation, result.flagged, result.frame_labels, result.coders_alpha or None,
                         result.threshold)
    low = result.flagged.get(result.method, [])
    if low:
        console.print(f"[yellow]The study's method ({result.method}) agrees with gold below alpha "
                      f"{result.threshold} (or not estimably) on:[/] {escape(', '.join(low))}; the report flags them.")
    console.print(f"Scores written to {escape(', '.join(str(p) for p in result.written))}")


def print_quote_scores(scores: Any) -> None:
    """The quotations' precision, recall and speaker accuracy, overall, per language and per outlet."""
    table = Table("", "marked", "found", "precision (95% CI)", "recall (95% CI)", "speaker", "actor",
                  title=f"Quotations vs {escape(scores.attrs.get('manifest', 'the manifest'))}")
    for row in scores.itertuples():
        table.add_row(escape(row.group.split(":", 1)[-1]), str(row.marked), str(row.found),
                      f"{row.precision:.2f} ({row.precision_low:.2f}-{row.precision_high:.2f})",
                      f"{row.recall:.2f} ({row.recall_low:.2f}-{row.recall_high:.2f})",
                      f"{row.speaker_accuracy:.2f}", f"{row.actor_accuracy:.2f} of {row.actors_marked}")
    console.print(table)


@app.command("demo")
def demo_cmd(workdir: Path | None = typer.Option(None, help="Study folder (default: studies/demo)."),
             fresh: bool = typer.Option(False, "--fresh", help="Redo the machine's work: remove captures, crawl "
                                        "state, tables and report first. Coders' work, models, gold, agreement "
                                        "and validation tables are kept.")) -> None:
    """Serve the bundled demo news site on loopback and run pipelines/demo.yml against it."""
    from framing.demo.launch import run_demo

    resume = "Run `framing demo` (without --fresh) to resume where it stopped." if fresh else RESUME
    with stage_progress(resume) as progress:
        outcome = run_demo(workdir=workdir, fresh=fresh, progress=progress, on_stage=print_sources)
    if outcome.kept:
        console.print(f"--fresh redid the machine's work and kept what people made: {escape(', '.join(outcome.kept))}")
    print_stage_results(outcome.results)
    print_funnel(outcome.funnel)
    checks = Table("politeness check (server's own request log)", "result")
    checks.add_row("requests served", str(outcome.requests))
    checks.add_row("robots-disallowed paths requested", _verdict(outcome.disallowed_requested))
    checks.add_row(f"hosts with two requests closer than {outcome.delay:.2f}s", _verdict(outcome.too_close))
    console.print(checks)
    if outcome.report:
        console.print(f"Report: [bold]{escape(str(outcome.report))}[/] (open it in a browser; works offline)")
    console.print(f"Study folder: [bold]{escape(str(outcome.workdir))}[/]; request log: {escape(str(outcome.log))}")


@app.command("export")
def export_cmd(pipeline: Path = typer.Argument(..., help="The study's YAML file."),
               out: Path = typer.Argument(..., help="The zip file to write (must not exist)."),
               no_text: bool = typer.Option(False, "--no-text", help="Leave out every article's text, title and "
                                            "byline, quoted words and actor names: what may be published where "
                                            "copyright forbids sharing the text.")) -> None:
    """Write a study into one zip file: tables, labels, offsets, codebook, pipeline, manifest, model cards."""
    from framing.api.exporting import export

    with stage_progress("Nothing was written; run the command again.") as progress:
        result = export(pipeline, out, text=not no_text, progress=progress)
    kind = "no article text" if no_text else "with text"
    table = Table("member", "rows", "columns left out", title=f"Export ({kind})")
    for entry in result.tables.values():
        table.add_row(escape(entry.file), f"{entry.rows:,}", escape(", ".join(entry.left_out)) or "-")
    for name in result.files:
        table.add_row(escape(name), "", "")
    console.print(table)
    console.print(f"{result.articles:,} article(s); {result.records:,} with their WARC record named (id, digest, "
                  f"time)" + (f", {result.captures_missing:,} whose capture file is gone (rehydrate finds those by "
                              "URL)" if result.captures_missing else "") + ".")
    for note in result.notes:
        console.print(f"[yellow]Note:[/] {escape(note)}")
    if not no_text:
        console.print("[yellow]This export holds the articles' text.[/] To publish it where copyright forbids "
                      "that, export with --no-text.")
    console.print(f"Export: [bold]{escape(str(result.path))}[/] ({_size(result.size)}); README.md inside says "
                  f"how to rehydrate it: framing rehydrate {escape(result.path.name)} --workdir DIR")


@app.command("rehydrate")
def rehydrate_cmd(export: Path = typer.Argument(..., help="The zip file `framing export` wrote."),
                  workdir: Path = typer.Option(..., "--workdir", help="The new study folder (new or empty)."),
                  warc: list[str] | None = typer.Option(None, "--warc", help="WARC files to look in first, a glob in "
                                                        "quotes ('captures/*.warc.gz'); may be repeated."),
                  no_fetch: bool = typer.Option(False, "--no-fetch", help="Fetch nothing: only the WARC files."),
                  user_agent: str | None = typer.Option(None, "--user-agent", help="Who is asking, with a contact "
                                                        "(default framing's own, not the study authors')."),
                  force: bool = typer.Option(False, "--force", help="Write into a folder that is not empty (a study: "
                                             "coders' work, models, gold and validation tables are never touched)."),
                  ) -> None:
    """Rebuild a study from an export: find each article again (WARC files, else the web), check its text."""
    from framing.api.rehydration import rehydrate

    with stage_progress("Run the same command with --force to go on: pages already fetched are not fetched "
                        "again.") as progress:
        result = rehydrate(export, workdir, warc=warc, fetch=not no_fetch, force=force, user_agent=user_agent,
                           progress=progress)
    print_rehydration(result)


def _size(size: int) -> str:
    return next(f"{size / 1024 ** i:.1f} {unit}" for i, unit in ((3, "GB"), (2, "MB"), (1, "KB"), (0, "bytes"))
                if size >= 1024 ** i or unit == "bytes")


def print_rehydration(result: Any) -> None:
    """Per outlet, how the articles came back; the articles that did not come back the same, with why."""
    from framing.study.tables import REHYDRATION_STATUSES

    counts = result.by_outlet()
    table = Table("outlet", *REHYDRATION_STATUSES, "articles", title="Rehydration")
    for outlet, row in counts.iterrows():
        table.add_row(escape(str(outlet)), *(str(int(row[s])) for s in REHYDRATION_STATUSES), str(int(row.sum())))
    totals = result.counts
    table.add_row("[bold]all[/]", *(str(totals[s]) for s in REHYDRATION_STATUSES), str(sum(totals.values())))
    console.print(table)
    different = result.articles[~result.articles["status"].isin(["same", "no-text"])]
    if len(different):
        detail = Table("status", "url", "reason", title="Not the same (first 20; all in tables/rehydration.csv)")
        detail.columns[1].overflow = "fold"
        for row in different.head(20).itertuples():
            detail.add_row(row.status, escape(row.url), escape(str(row.reason)))
        console.print(detail)
    how = {"record-id": "in WARC files by record id", "digest": "in WARC files by URL and payload digest",
           "url": "in WARC files by URL and capture time", "fetch": "fetched again", "export": "in the export"}
    found = ", ".join(f"{n} {how.get(k, k)}" for k, n in result.matched.items()) or "none"
    console.print(f"Found: {escape(found)}" + (f"; {result.requests} request(s) as {escape(result.user_agent)}"
                                               if result.requests else "") + ".")
    kept, exported = result.hits
    console.print(f"Frame hits kept: {kept:,} of {exported:,} (offsets into text that is not the study's are left "
                  "out; the export's are in shared/tables/)." + "".join(
                      f" {name}: {done:,} of {rows:,} spans restored." for name, (done, rows) in result.spans.items()))
    for note in result.notes:
        console.print(f"[yellow]Note:[/] {escape(note)}")
    console.print(f"Table: {escape(str(result.table))}")
    console.print(f"Study: [bold]{escape(str(result.pipeline))}[/]; next: framing run {escape(str(result.pipeline))} "
                  "aggregate report")


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
    from framing.collect.outcome import SourceOutcome
    from framing.study.tables import HELD
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


def print_funnel(rows: list[FunnelRow]) -> None:
    if not rows:
        return
    prefiltered = any(r.prefiltered for r in rows)  # WARC imports with a keyword pre-filter
    counted = ["discovered", "fetched", *(["prefiltered"] if prefiltered else []), "robots_disallowed", "redirected"]
    headers = {"robots_disallowed": "robots\ndisallowed", "prefiltered": "no keyword\n(not read)"}
    table = Table("outlet", *(headers.get(c, c) for c in counted), "failed (by reason)", "articles", "dupli-\ncates",
                  "not articles (by status)", title="Coverage per outlet")
    totals = dict.fromkeys([*counted, "articles", "duplicates"], 0)
    for r in rows:
        failed = f"{r.failed}: {r.failed_by_reason}" if r.failed else "0"
        table.add_row(escape(r.outlet), *(str(getattr(r, c)) for c in counted), escape(failed), str(r.articles),
                      str(r.duplicates), escape(r.excluded_by_status) or "0")
        for name in totals:
            totals[name] += getattr(r, name)
    table.add_row("[bold]all[/]", *(str(totals[c]) for c in counted), "", str(totals["articles"]),
                  str(totals["duplicates"]), "")
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
