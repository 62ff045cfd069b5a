"""Saving and loading frame classifiers with skops, never trusting a file blindly.

A skops file is not pickle: loading it only builds the types the caller trusts. We ask skops
which types in the file it does not trust by default (:func:`skops.io.get_untrusted_types`) and
load only if every one of them is on :data:`ALLOWED_TYPES`, the exact types our classifier is made
of beyond skops' own defaults. A file naming any other type is refused with the list of
offending types, before anything in it is constructed.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from pathlib import Path

import skops.io as sio

from framing.classify.model import FrameClassifier
from framing.errors import FramingError

#: Types a saved FrameClassifier holds that skops does not trust by default: ours, and the
#: scikit-learn pieces of the calibrated SVM (its calibrator and the calibration folds).
ALLOWED_TYPES = frozenset({
    "framing.classify.model.FrameClassifier",
    "framing.classify.model.CalibratedLinearSVC",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.model_selection._split.StratifiedKFold",
    "framing.classify.embeddings.SentenceEmbeddings",   # holds only its parameters; the weights ship with the extra
})


def save_model(model: FrameClassifier, path: str | Path) -> str:
    """Write a fitted classifier as a skops file; return its SHA-256 (cited in the model card).

    The file is written beside its final name and renamed, so a reader never sees half a model.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    # deflate: most of a skops file is the JSON schema spelling out the TF-IDF vocabularies (133 MiB
    # uncompressed for 200 articles in benchmarks/classify_throughput.py)
    sio.dump(model, partial, compression=zipfile.ZIP_DEFLATED)
    partial.replace(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_model(path: str | Path, trusted: Iterable[str] = ()) -> FrameClassifier:
    """Load a classifier saved by :func:`save_model`.

    Parameters
    ----------
    path
        The ``.skops`` file.
    trusted
        Further type names to allow, for a file you made yourself with extra parts.

    Raises
    ------
    FramingError
        When the file is missing, holds a type outside the allow-list, or is not a FrameClassifier.
    """
    path = Path(path)
    if not path.is_file():
        raise FramingError(f"no model file at {path}")
    try:
        found = sio.get_untrusted_types(file=path)
    except Exception as exc:  # noqa: BLE001 - skops raises several types for a corrupt archive
        raise FramingError(f"{path} is not a readable skops model file: {exc}") from None
    extra = set(trusted)
    refused = [t for t in found if t not in ALLOWED_TYPES | extra]
    if refused:
        raise FramingError(f"{path} holds types that are not on the allow-list, so it was not loaded: "
                           f"{', '.join(refused)}. Only load models from people you trust; if you made this "
                           "file yourself, pass these names as trusted types.")
    model = sio.load(path, trusted=found)
    if not isinstance(model, FrameClassifier):
        raise FramingError(f"{path} holds a {type(model).__name__}, not a frame classifier")
    return model
