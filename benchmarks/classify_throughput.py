"""Frame classifier vs rule tagger: training time and prediction throughput, same texts, one run.

Training data: synthetic news articles (``_synthetic``) with frames planted in them. Each unit
carries each codebook frame with probability ``--share``; a carried frame gets ``--plants`` of
its own ``en`` patterns written as plain phrases (``surveil*`` -> ``surveil``, ``a NEAR/5 b`` ->
``a b``) at random places. The labels are the planted frames, so they are learnable, yet not
trivially: the background text already holds frame words (the demo corpus's vocabulary), as
real news does.

Training is timed three ways, once each (a fit is too long to repeat here):

- the default grid as ``framing train PIPELINE`` runs it: :func:`framing.classify.train.train`
  with the default model families and Cs, ``--folds``-fold cross-validation, one job, and the
  codebook (so the rules + classifier ensemble is tuned too);
- one candidate through :class:`FrameClassifier` (the grid's choice of family and C): the
  cross-validation that tunes the thresholds, without the search;
- one fixed fit: the TF-IDF + one-vs-rest pipeline with that family and C fitted once on all
  units, no cross-validation at all (the grid's final refit).

Prediction: the fitted classifier (``predict``: ``predict_proba`` and decoding with the tuned
thresholds, in batches of ``--block`` texts, as the tag stage passes batches) vs the rule
tagger's ``tag_article`` (tokenizing included), vs spaCy's bare ``nlp.make_doc`` from the same
pipeline object as the common baseline (as in ``tag_throughput.py``). The three are timed block by
block with their order rotating, and ratios are of the summed times: this shared machine's speed
drifts by tens of percent between minutes, and interleaving puts every side under the same
drift. With ``tag: method: classifier`` the tag stage runs both (the rules give the evidence
sentences), so the combined rate is printed too.

Fits are timed in wall and in CPU seconds: other jobs on the machine move the CPU time less
than the wall time (by about 20% between runs here, against 50%). Context: the model's size as
a skops file (``save_model``) and the process's peak RSS.

The defaults (200 training units, 1,500 prediction articles) keep a run at about 2 minutes of
CPU time, 2.5 to 4 minutes of wall time while other jobs share the two cores. Training time grows
a little faster than the units: with ``--train-units 1000`` the run takes 8 minutes of CPU time
(the grid alone about 5) and 2 GiB of memory.

Run: python benchmarks/classify_throughput.py [--train-units 200] [--predict-units 1500]
     [--words 600] [--folds 5] [--seed 1] [--block 250]
"""

from __future__ import annotations

import argparse
import re
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _synthetic import articles
from rich.console import Console
from rich.table import Table
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from framing.classify.data import LabelledData
from framing.classify.model import FrameClassifier, features, linear_model
from framing.classify.persist import save_model
from framing.classify.train import train
from framing.study.codebook import Codebook, load_codebook
from framing.tag.rules import RuleTagger

_NEAR = re.compile(r"\s+NEAR/\d+\s+")


def frame_phrases(codebook: Codebook, language: str = "en") -> dict[str, list[str]]:
    """Each frame's patterns as plain phrases the rule tagger matches: wildcards and NEAR dropped."""
    return {frame.id: [_NEAR.sub(" ", p).replace("*", "") for p in frame.patterns.get(language, [])]
            for frame in codebook.frames}


def planted_units(n: int, words: int, codebook: Codebook, seed: int, share: float, plants: int) -> LabelledData:
    """``n`` synthetic units with frames planted as described in the module docstring.

    Parameters
    ----------
    n, words
        Units and background words per unit.
    codebook
        Whose frames (ids and ``en`` patterns) are planted.
    seed
        Seed of the background text and of the planting.
    share
        Probability that a unit carries a given frame.
    plants
        Pattern phrases written into a unit per frame it carries.

    Returns
    -------
    LabelledData
        Units x frames labels named by the frame ids.
    """
    phrases = frame_phrases(codebook)
    rng = np.random.default_rng(seed)
    texts, rows = [], []
    for article in articles(n, words, seed=seed):
        tokens = article["text"].split()
        carried = rng.random(len(phrases)) < share
        for frame_id, on in zip(phrases, carried, strict=True):
            for phrase in rng.choice(phrases[frame_id], plants) if on else ():
                tokens.insert(int(rng.integers(len(tokens) + 1)), str(phrase))
        texts.append(" ".join(tokens))
        rows.append(carried.astype(int))
    labels = pd.DataFrame(rows, columns=list(phrases))
    units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)]})
    return LabelledData(texts, labels, units, {"kind": "synthetic", "path": "", "units": n})


def seconds(work: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of one call, and its result."""
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def wall_and_cpu(work: Callable[[], Any]) -> tuple[tuple[float, float], Any]:
    """Wall and CPU seconds of one call, and its result.

    A fit is timed once, so nothing cancels the load other processes put on this machine; the
    process's CPU time (everything runs in this process: one job, one BLAS thread) depends less
    on that load and is the steadier figure.
    """
    cpu = time.process_time()
    wall, result = seconds(work)
    return (wall, time.process_time() - cpu), result


def time_training(data: LabelledData, codebook: Codebook, folds: int, seed: int
                  ) -> tuple[dict[str, tuple[float, float]], FrameClassifier]:
    """Wall and CPU seconds of the default grid, of one candidate with CV and of one fixed fit; the grid's model."""
    # with the codebook whose frames the labels are, as `framing train PIPELINE` calls it: the
    # rules + classifier ensemble thresholds are tuned too
    grid_s, trained = wall_and_cpu(lambda: train(data, folds=folds, seed=seed, codebook=codebook))
    model = trained.model
    family, c = model.best_params_["model"], model.best_params_["C"]
    single = FrameClassifier(models=(family,), Cs=(c,), cv=folds, random_state=seed)
    one_s, _ = wall_and_cpu(lambda: single.fit(data.texts, data.labels))
    truth = data.labels.to_numpy()

    def fixed() -> Pipeline:
        # the same BLAS limit FrameClassifier.fit sets, so the three differ only in the work done
        with threadpool_limits(limits=1, user_api="blas"):
            return Pipeline([("features", features()), ("model", linear_model(family, c, seed))]).fit(data.texts,
                                                                                                        truth)

    fixed_s, _ = wall_and_cpu(fixed)
    return {"grid": grid_s, "one candidate": one_s, "fixed fit": fixed_s}, model


def blocks(corpus: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Consecutive slices of ``size`` articles."""
    for start in range(0, len(corpus), size):
        yield corpus[start:start + size]


def time_prediction(model: FrameClassifier, tagger: RuleTagger, corpus: list[dict[str, Any]],
                    block: int) -> dict[str, float]:
    """Summed seconds per side over interleaved blocks, the side that goes first rotating."""
    nlp = tagger.matcher("en").nlp  # one tokenizer and cache for the rules and the baseline

    def tokenize(batch: list[dict[str, Any]]) -> None:
        for article in batch:
            nlp.make_doc(article["text"])

    def rules(batch: list[dict[str, Any]]) -> None:
        for article in batch:
            tagger.tag_article(article)

    def classify(batch: list[dict[str, Any]]) -> None:
        model.predict([a["text"] for a in batch])

    sides = {"tokenizer": tokenize, "rules": rules, "classifier": classify}
    for work in sides.values():  # warm caches (tokenizer, type codes) the same way for every side
        work(corpus[:100])
    totals = dict.fromkeys(sides, 0.0)
    names = list(sides)
    for n, batch in enumerate(blocks(corpus, block)):
        for name in names[n % 3:] + names[:n % 3]:
            totals[name] += seconds(lambda work=sides[name], batch=batch: work(batch))[0]
    return totals


def model_size(model: FrameClassifier) -> int:
    """Bytes of the model as ``framing train`` writes it (skops)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.skops"
        save_model(model, path)
        return path.stat().st_size


def print_training(console: Console, args: argparse.Namespace, data: LabelledData,
                   training: dict[str, tuple[float, float]], model: FrameClassifier) -> None:
    """The three training times, and what the grid chose."""
    best = max(r["mean"] for r in model.cv_results_)
    table = Table("training", "wall s", "CPU s", "CPU x fixed fit",
                  title=f"Training: {len(data.texts)} units of ~{args.words} words, {data.labels.shape[1]} frames, "
                        f"{data.labels.to_numpy().mean():.0%} of labels positive")
    for name, label in (("grid", f"default grid ({len(model.cv_results_)} candidates x {args.folds} folds)"),
                        ("one candidate", f"{model.best_params_['model']}, C={model.best_params_['C']:g}, "
                                          f"{args.folds}-fold CV for thresholds"),
                        ("fixed fit", "same, one fit on all units")):
        wall, cpu = training[name]
        table.add_row(label, f"{wall:.1f}", f"{cpu:.1f}", f"{cpu / training['fixed fit'][1]:.1f}")
    console.print(table)
    console.print(f"grid's choice: {model.best_params_['model']}, C={model.best_params_['C']:g}, "
                  f"cross-validated tuned macro F1 {best:.3f}")


def print_prediction(console: Console, args: argparse.Namespace, predicting: dict[str, float]) -> None:
    """Articles per second of each side and of rules + classifier, and the ratios between them."""
    n = args.predict_units
    rates = {name: n / s for name, s in predicting.items()}
    rates["rules + classifier"] = n / (predicting["rules"] + predicting["classifier"])
    table = Table("prediction", "articles/s", "/ tokenizer", "/ rules",
                  title=f"Prediction: {n} articles of {args.words} words, blocks of {args.block}")
    labels = {"tokenizer": "spaCy nlp.make_doc (baseline)", "rules": "rule tagger tag_article",
              "classifier": "classifier predict", "rules + classifier": "both (tag stage with a classifier)"}
    for name, label in labels.items():
        table.add_row(label, f"{rates[name]:.0f}", f"{rates[name] / rates['tokenizer']:.2f}",
                      f"{rates[name] / rates['rules']:.2f}")
    console.print(table)
    console.print(f"ratios: classifier/rules {rates['classifier'] / rates['rules']:.2f}, rules/tokenizer "
                  f"{rates['rules'] / rates['tokenizer']:.2f}, classifier/tokenizer "
                  f"{rates['classifier'] / rates['tokenizer']:.2f}")


def report(args: argparse.Namespace, data: LabelledData, training: dict[str, tuple[float, float]],
           model: FrameClassifier, predicting: dict[str, float], size: int, elapsed: float) -> None:
    """The figures as two rich tables, the ratios, and the model's size and the peak memory as context."""
    console = Console()
    print_training(console, args, data, training, model)
    print_prediction(console, args, predicting)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    console.print(f"model file (skops): {size / 2**20:.1f} MiB; peak RSS {peak:.0f} MiB; "
                  f"run took {elapsed:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-units", type=int, default=200)
    parser.add_argument("--predict-units", type=int, default=1500)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--block", type=int, default=250, help="articles per interleaved block")
    parser.add_argument("--share", type=float, default=0.3, help="chance a training unit carries a frame")
    parser.add_argument("--plants", type=int, default=6, help="pattern phrases planted per carried frame")
    args = parser.parse_args()
    started = time.perf_counter()
    codebook = load_codebook("social-credit")
    data = planted_units(args.train_units, args.words, codebook, args.seed, args.share, args.plants)
    counts = data.labels.sum(axis=0)
    thin = [f for f, k in counts.items() if min(k, args.train_units - k) < args.folds]
    if thin:  # train() itself would only fail inside a fold; framing train asks for at least folds each
        parser.error(f"frames {thin} have fewer than {args.folds} units with or without them: raise --train-units "
                     "or change --share")
    training, model = time_training(data, codebook, args.folds, args.seed)
    # a different seed: the prediction articles are not the training texts
    corpus = list(articles(args.predict_units, args.words, seed=args.seed + 1))
    predicting = time_prediction(model, RuleTagger(codebook, min_hits=2), corpus, args.block)
    report(args, data, training, model, predicting, model_size(model), time.perf_counter() - started)


if __name__ == "__main__":
    main()
