"""``framing train``: fit a frame classifier on a study's gold table or a labelled file, and say how good it is."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from framing.errors import FramingError
from framing.ui import console, steps


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
    from framing.analysis import study_codebook
    from framing.classify.data import load_labelled
    from framing.classify.study import study_labelled
    from framing.classify.train import default_model_path, save, train
    from framing.config import load_pipeline

    if pipeline is None and from_file is None:
        raise FramingError("nothing to train on: give a study (framing train PIPELINE) or a labelled file "
                           "(framing train --from FILE --labels ...)")
    if gold is not None and (from_file is not None or pipeline is None):
        raise FramingError("--gold labels a study's articles: give the study (framing train PIPELINE --gold FILE)")
    if from_file is None and (labels or sep or multiclass):
        raise FramingError("--labels, --sep and --multiclass describe a --from file; a study's gold table "
                           "is labelled with its codebook's frames")
    spec = load_pipeline(pipeline) if pipeline is not None else None
    book = study_codebook(spec) if spec is not None and spec.codebook else None
    settings = spec.train if spec is not None else None
    folds = folds if folds is not None else settings.folds if settings else 5
    seed = seed if seed is not None else settings.seed if settings else 0
    decoding = decoding or (settings.decoding if settings else "auto")
    embeddings = embeddings if embeddings is not None else bool(settings and settings.embeddings)
    minimum = max(5, folds)
    if from_file is not None:
        data = load_labelled(from_file, text=text, labels=labels, sep=sep, multiclass=multiclass,
                             min_examples=minimum, drop_rare=drop_rare)
    else:
        data = study_labelled(spec, min_examples=minimum, drop_rare=drop_rare, gold_file=str(gold) if gold else None,
                              book=book)
    where = data.source.get("label") or f"{data.source['path']} ({len(data.texts)} units)"
    console.print(f"Training on {escape(where)}: {len(data.labels.columns)} labels, {folds}-fold "
                  f"cross-validation, seed {seed} ...")
    with steps("choosing model and C: folds searched, then the final fit") as progress:
        trained = train(data, folds=folds, seed=seed, decoding=decoding, codebook=book,
                        min_hits=spec.tag.min_hits if spec is not None else 2, embeddings=embeddings,
                        progress=progress)
    save(trained, default_model_path(spec.workdir if spec is not None else None, out))
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


def print_validation(result, names: dict[str, str] | None = None, human_alpha: dict[str, float] | None = None,
                     threshold: float = 0.667) -> dict[str, list[str]]:
    """Print cross-validated scores of each method, then F1 and alpha side by side with the coders' alpha.

    Parameters
    ----------
    result
        A :class:`framing.classify.validate.Validation`.
    names
        Display labels of frames (frame id -> label); default the ids.
    human_alpha
        The coders' alpha per frame (from the agreement step), shown beside the machines'.
    threshold
        Alpha below which a method's labels of a frame are flagged (Krippendorff's lowest tentative level).

    Returns
    -------
    dict
        Per method, the frames whose machine-gold alpha is below ``threshold``.
    """
    from framing.formatting import fmt_score
    names = names or {}
    scores = result.scores
    methods = list(dict.fromkeys(scores["method"]))
    for method in methods:
        part = scores[scores["method"] == method]
        table = Table("frame", "precision (95% CI)", "recall (95% CI)", "F1", "alpha", "support",
                      title=f"{method}: {result.folds}-fold cross-validation against gold")
        for row in part.to_dict("records"):
            clean = {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
            table.add_row(escape(names.get(row["frame"], row["frame"])),
                          _interval(clean, "precision") if row["frame"] != "macro" else fmt_score(clean["precision"]),
                          _interval(clean, "recall") if row["frame"] != "macro" else fmt_score(clean["recall"]),
                          fmt_score(clean["f1"]), fmt_score(clean["alpha"]), str(row["support"]))
        console.print(table)
    wide = result.side_by_side(("f1", "alpha"))
    columns = [f"{m} {k}" for m in methods for k in ("F1", "alpha")] + (["coders' alpha"] if human_alpha else [])
    from framing.reliability import alpha_verdict

    table = Table("frame", *columns, title=f"Machine vs gold side by side (alpha below {threshold} in red)")
    flagged: dict[str, list[str]] = {m: [] for m in methods}
    for frame, row in wide.iterrows():
        cells = []
        for method in methods:
            alpha = row[(method, "alpha")]
            low = frame not in ("micro", "macro") and alpha_verdict(alpha, threshold) != "ok"
            if low:
                flagged[method].append(str(frame))
            cells += [fmt_score(row[(method, "f1")]),
                      f"[red]{fmt_score(alpha)}[/]" if low else fmt_score(alpha)]
        if human_alpha:
            cells.append(fmt_score(human_alpha.get(str(frame))))
        table.add_row(escape(names.get(str(frame), str(frame))), *cells)
    console.print(table)
    for note in result.notes:
        console.print(f"[dim]{escape(note)}[/]")
    return flagged
