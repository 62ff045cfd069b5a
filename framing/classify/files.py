"""Where models live: the one place that knows a study's model folder layout.

``<workdir>/models/<name>/model.skops`` with its card beside it (``model.card.json`` and
``model.card.md``). No scikit-learn here: the report and the runner ask for paths without loading a model.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from framing.errors import FramingError
from framing.study.config import Pipeline


def model_path(spec: Pipeline) -> Path:
    """The study's classifier: ``tag.model``, else the newest ``<workdir>/models/*/model.skops``."""
    if spec.tag.model:
        path = Path(spec.tag.model)
        if not path.is_absolute() and spec.path is not None:
            path = spec.path.parent / path
        return path
    found = sorted((Path(spec.workdir) / "models").glob("*/model.skops"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise FramingError(f"tag.method is {spec.tag.method}, but the study has no trained model: run "
                           f"`framing train {spec.path or 'PIPELINE'}` first, or set tag.model")
    return found[-1]


def card_paths(model_path: str | Path) -> tuple[Path, Path]:
    """``model.skops`` -> ``model.card.json``, ``model.card.md`` (beside the model)."""
    model_path = Path(model_path)
    return model_path.with_suffix(".card.json"), model_path.with_suffix(".card.md")


def default_model_path(workdir: str | Path | None = None, out: str | Path | None = None,
                       today: dt.date | None = None) -> Path:
    """Where a new model goes.

    ``out`` ending in ``.skops`` is the file itself; any other ``out`` is a folder holding
    ``model.skops``. Without ``out``: ``<workdir>/models/frames-<date>/model.skops`` (``workdir``
    defaults to the current folder); a second model on the same day gets ``frames-<date>-2``, so
    nothing is overwritten.
    """
    if out is not None:
        out = Path(out)
        return out if out.suffix == ".skops" else out / "model.skops"
    base = Path(workdir or ".") / "models"
    stem = f"frames-{(today or dt.date.today()).isoformat()}"
    folder, n = base / stem, 1
    while (folder / "model.skops").exists() or any(p.exists() for p in card_paths(folder / "model.skops")):
        n += 1
        folder = base / f"{stem}-{n}"
    return folder / "model.skops"
