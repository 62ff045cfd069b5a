"""``framing train``: fit a frame classifier on a study's gold table or a labelled file, and say how good it is."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from framing.cli.console import console, steps


def train_cmd(pipeline: Path | None = typer.Argument(None, help="The study's YAML file (trains on its gold table "
                                                                "unless --from is given)."),
              from_file: Path | None = typer.Option(None, "--from", help="A labelled CSV, TSV or JSONL file."),
              gold: Path | None = typer.Option(None, "--gold", help="With a study: a gold CSV (url or path, frames) "
                                                                   "instead of the coders' tables/gold.parquet or "
                                                                   "the study's `gold:`."),
              text: str = typer.Option("text", help="--from: the column holding the texts."),
              labels: str | None = typer.Option(None, help="--from: 0/1 label columns (a,b,c), or one column "
                                                            "with --sep or --multiclass."),
              sep: str | None = typer.Option(None, help="--from: separator of several labels in one column."),
              multiclass: bool = typer.Option(False, "--multiclass", help="--from: one label per row."),
              out: Path | None = typer.Option(None, help="Model file (.skops) or folder; default "
                                                         "<study>/models/frames-<date>/."),
              folds: int | None = typer.Option(None, help="Cross-validation folds (model choice, thresholds, "
                                                          "scores); default the study's train.folds, else 5."),
              seed: int | None = typer.Option(None, help="Seed of the folds and the model (default train.seed, "
                                                         "else 0)."),
              decoding: str | None = typer.Option(None, help="auto, thresholds, at_least_one or one (multi-class); "
                                                             "default train.decoding, else auto."),
              drop_rare: bool = typer.Option(False, "--drop-rare", help="Leave out labels with too few examples "
                                                                          "instead of stopping."),
              embeddings: bool | None = typer.Option(None, "--embeddings/--no-embeddings",
                                                     help="Add sentence embeddings to the features (needs "
                                                          "framing[embeddings]; default train.embeddings).")
              ) -> None:
    """Train a frame classifier (TF-IDF + linear model, chosen and thresholded by cross-validation)."""
    from framing.api import train

    with steps("choosing model and C: folds searched, then the final fit") as progress:
        training = train(pipeline, from_file=from_file, gold=gold, text=text, labels=labels, sep=sep,
                         multiclass=multiclass, out=out, folds=folds, seed=seed, decoding=decoding,
                         drop_rare=drop_rare, embeddings=embeddings, progress=progress,
                         notify=lambda message: console.print(escape(message)))
    trained = training.trained
    print_training(trained.card)
    json_path, md_path = trained.card_paths
    console.print(f"Model: [bold]{escape(str(trained.model_path))}[/]\nModel card: {escape(str(json_path))} and "
                  f"{escape(str(md_path))}")


def predict_cmd(model: Path = typer.Argument(..., help="A model file (.skops) from `framing train`."),
                file: Path = typer.Argument(..., help="Texts to label: CSV, TSV, JSONL (.gz too) or Parquet."),
                text: str = typer.Option("text", help="The column holding the texts."),
                out: Path = typer.Option(..., "--out", help="Where to write: .csv, .tsv, .jsonl or .parquet.")
                ) -> None:
    """Label any table of texts with a trained model: its columns plus 0/1 and probability per frame."""
    from framing.classify.persist import load_model
    from framing.classify.predict import predict_table

    predicted = predict_table(load_model(model), file, out, text=text)
    table = Table("frame", "rows labelled with it", title=f"{predicted.rows} rows of {escape(file.name)}")
    for frame, count in predicted.per_frame.items():
        table.add_row(escape(frame), str(count))
    console.print(table)
    console.print(f"Labels and probabilities: [bold]{escape(str(predicted.path))}[/] (columns <frame>, p_<frame>, "
                  "frames)")


def print_training(card: dict) -> None:
    """Label counts, thresholds and cross-validated scores per label, the chosen model and the decoding."""
    from framing.formatting import fmt_score
    scores = {row["frame"]: row for row in card["cv_scores"]}
    table = Table("label", "examples", "threshold", "precision (95% CI)", "recall (95% CI)", "F1", "alpha",
                  title=f"Cross-validated scores ({card['selection']['folds']} folds, out-of-fold)")
    for name in card["labels"]:
        row = scores[name]
        table.add_row(escape(name), str(card["training_data"]["label_counts"][name]),
                      f"{card['thresholds'][name]:.2f}", _interval(row, "precision"), _interval(row, "recall"),
                      fmt_score(row["f1"]), fmt_score(row["alpha"]))
    for name in ("micro", "macro"):
        row = scores[name]
        table.add_row(f"[bold]{name}[/]", "", "", *(fmt_score(row[k]) for k in ("precision", "recall", "f1", "alpha")))
    console.print(table)
    model = card["model"]
    console.print(f"Model: {escape(model['classifier'])}, C = {model['C']:g} (chosen by "
                  f"{escape(card['selection']['scoring'])} over {len(card['selection']['candidates'])} candidates)")
    console.print(f"Decoding: {card['decoding']['used']} ({escape(card['decoding']['reason'])})")
    for dropped in card["training_data"].get("dropped") or []:
        console.print(f"[yellow]Left out:[/] {escape(dropped['why'])}")
    book = card.get("codebook")
    if book and book["versions_in_gold"] and book["version"] not in book["versions_in_gold"]:
        console.print(f"[yellow]Note:[/] the gold labels were coded with codebook version(s) "
                      f"{', '.join(map(str, book['versions_in_gold']))}; the study's codebook is now version "
                      f"{book['version']}")


def _interval(row: dict, name: str) -> str:
    from framing.formatting import fmt_score
    if row[name] is None:
        return "–"
    return f"{row[name]:.2f} ({fmt_score(row[name + '_low'])}–{fmt_score(row[name + '_high'])})"


def print_scores(scores, names: dict[str, str], title: str) -> None:
    """One scoring table (:func:`framing.evaluate.scores.score_table`): P, R with intervals, F1, alpha, support."""
    from framing.formatting import fmt_score
    table = Table("frame", "precision (95% CI)", "recall (95% CI)", "F1", "alpha", "support", title=title)
    for row in scores.to_dict("records"):
        clean = {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        pooled = row["frame"] == "macro"  # a mean over frames: no interval
        table.add_row(escape(names.get(row["frame"], row["frame"])),
                      fmt_score(clean["precision"]) if pooled else _interval(clean, "precision"),
                      fmt_score(clean["recall"]) if pooled else _interval(clean, "recall"),
                      fmt_score(clean["f1"]), fmt_score(clean["alpha"]), str(row["support"]))
    console.print(table)


def print_validation(result, flagged: dict[str, list[str]], names: dict[str, str] | None = None,
                     human_alpha: dict[str, float] | None = None, threshold: float = 0.667) -> None:
    """Print cross-validated scores of each method, then F1 and alpha side by side with the coders' alpha.

    Parameters
    ----------
    result
        A :class:`framing.classify.crossval.Validation`.
    flagged
        Per method, the frames whose machine-gold alpha is below ``threshold`` (shown in red).
    names
        Display labels of frames (frame id -> label); default the ids.
    human_alpha
        The coders' alpha per frame (from the agreement step), shown beside the machines'.
    threshold
        The alpha threshold, for the title.
    """
    from framing.formatting import fmt_score
    names = names or {}
    scores = result.scores
    methods = list(dict.fromkeys(scores["method"]))
    for method in methods:
        print_scores(scores[scores["method"] == method], names,
                     f"{method}: {result.folds}-fold cross-validation against gold")
    wide = result.side_by_side(("f1", "alpha"))
    columns = [f"{m} {k}" for m in methods for k in ("F1", "alpha")] + (["coders' alpha"] if human_alpha else [])
    table = Table("frame", *columns, title=f"Machine vs gold side by side (alpha below {threshold} in red)")
    for frame, row in wide.iterrows():
        cells = []
        for method in methods:
            alpha = row[(method, "alpha")]
            low = str(frame) in flagged.get(method, [])
            cells += [fmt_score(row[(method, "f1")]),
                      f"[red]{fmt_score(alpha)}[/]" if low else fmt_score(alpha)]
        if human_alpha:
            cells.append(fmt_score(human_alpha.get(str(frame))))
        table.add_row(escape(names.get(str(frame), str(frame))), *cells)
    console.print(table)
    for note in result.notes:
        console.print(f"[dim]{escape(note)}[/]")
