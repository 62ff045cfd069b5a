"""``framing train``: fit a frame classifier on a study's gold table or a labelled file, and say how good it is."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from framing.errors import FramingError
from framing.ui import console


def train_cmd(pipeline: Path | None = typer.Argument(None, help="The study's YAML file (trains on its gold table "
                                                                "unless --from is given)."),
              from_file: Path | None = typer.Option(None, "--from", help="A labelled CSV, TSV or JSONL file."),
              text: str = typer.Option("text", help="--from: the column holding the texts."),
              labels: str | None = typer.Option(None, help="--from: 0/1 label columns (a,b,c), or one column "
                                                            "with --sep or --multiclass."),
              sep: str | None = typer.Option(None, help="--from: separator of several labels in one column."),
              multiclass: bool = typer.Option(False, "--multiclass", help="--from: one label per row."),
              out: Path | None = typer.Option(None, help="Model file (.skops) or folder; default "
                                                         "<study>/models/frames-<date>/."),
              folds: int = typer.Option(5, help="Cross-validation folds (model choice, thresholds, scores)."),
              seed: int = typer.Option(0, help="Seed of the folds and the model."),
              decoding: str = typer.Option("auto", help="auto, thresholds, at_least_one or one (multi-class)."),
              drop_rare: bool = typer.Option(False, "--drop-rare", help="Leave out labels with too few examples "
                                                                          "instead of stopping.")) -> None:
    """Train a frame classifier (TF-IDF + linear model, chosen and thresholded by cross-validation)."""
    from framing.analysis import study_codebook
    from framing.classify.data import load_gold_table, load_labelled
    from framing.classify.train import default_model_path, save, train
    from framing.config import load_pipeline
    from framing.store import Study

    if pipeline is None and from_file is None:
        raise FramingError("nothing to train on: give a study (framing train PIPELINE) or a labelled file "
                           "(framing train --from FILE --labels ...)")
    if from_file is None and (labels or sep or multiclass):
        raise FramingError("--labels, --sep and --multiclass describe a --from file; a study's gold table "
                           "is labelled with its codebook's frames")
    spec = load_pipeline(pipeline) if pipeline is not None else None
    book = study_codebook(spec) if spec is not None and spec.codebook else None
    minimum = max(5, folds)
    if from_file is not None:
        data = load_labelled(from_file, text=text, labels=labels, sep=sep, multiclass=multiclass,
                             min_examples=minimum, drop_rare=drop_rare)
    else:
        data = load_gold_table(Study(spec.workdir).table("gold"), book.frame_ids if book else None,
                               min_examples=minimum, drop_rare=drop_rare)
    console.print(f"Training on {len(data.texts)} units from {escape(data.source['path'])} "
                  f"({len(data.labels.columns)} labels, {folds}-fold cross-validation, seed {seed}) ...")
    with console.status("Choosing model and C, tuning thresholds ..."):
        trained = train(data, folds=folds, seed=seed, decoding=decoding, codebook=book)
    save(trained, default_model_path(spec.workdir if spec is not None else None, out))
    print_training(trained.card)
    json_path, md_path = trained.card_paths
    console.print(f"Model: [bold]{escape(str(trained.model_path))}[/]\nModel card: {escape(str(json_path))} and "
                  f"{escape(str(md_path))}")


def print_training(card: dict) -> None:
    """Label counts, thresholds and cross-validated scores per label, the chosen model and the decoding."""
    scores = {row["frame"]: row for row in card["cv_scores"]}
    table = Table("label", "examples", "threshold", "precision (95% CI)", "recall (95% CI)", "F1", "alpha",
                  title=f"Cross-validated scores ({card['selection']['folds']} folds, out-of-fold)")
    for name in card["labels"]:
        row = scores[name]
        table.add_row(escape(name), str(card["training_data"]["label_counts"][name]),
                      f"{card['thresholds'][name]:.2f}", _interval(row, "precision"), _interval(row, "recall"),
                      _num(row["f1"]), _num(row["alpha"]))
    for name in ("micro", "macro"):
        row = scores[name]
        table.add_row(f"[bold]{name}[/]", "", "", _num(row["precision"]), _num(row["recall"]), _num(row["f1"]),
                      _num(row["alpha"]))
    console.print(table)
    model = card["model"]
    console.print(f"Model: {escape(model['classifier'])}, C = {model['C']:g} (chosen by "
                  f"{escape(card['selection']['scoring'])} over {len(card['selection']['candidates'])} candidates)")
    console.print(f"Decoding: {card['decoding']['used']} ({escape(card['decoding']['reason'])})")
    for dropped in card["training_data"].get("dropped") or []:
        console.print(f"[yellow]Left out:[/] {escape(dropped['why'])}")


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _interval(row: dict, name: str) -> str:
    if row[name] is None:
        return "–"
    return f"{row[name]:.2f} ({_num(row[name + '_low'])}–{_num(row[name + '_high'])})"
