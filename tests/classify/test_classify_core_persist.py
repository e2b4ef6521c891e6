"""Model folder: save, load, predict in a fresh process, refuse overwrites and incompatible folders."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import FILLER_WORDS, keyword_data, small_config

from nlptk.classify.config import ClassifierConfig
from nlptk.classify.predictor import TrainedClassifier
from nlptk.classify.training import train_classifier
from nlptk.errors import IncompatibleModelError, InputFileError, OutputExistsError
from nlptk.text.labelled import LabelledData
from nlptk.text.tokenize import WhitespaceTokenizer

CAPITALISED = {"neg": ["Bad", "Awful", "Terrible"], "pos": ["Good", "Great", "Excellent"]}
FILLER = FILLER_WORDS[:7] + FILLER_WORDS[8:11]


def make_data(n: int, seed: int) -> LabelledData:
    return keyword_data(
        n, seed, keywords=CAPITALISED, filler=FILLER, length=(2, 6), classes=["negative", "positive"]
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    # a case-sensitive whitespace tokenizer: a fresh process must tokenize the same way
    config = small_config(
        hidden_size=10,
        embedding_dim=10,
        cell="gru",
        pooling="max",
        tokenizer=WhitespaceTokenizer(lowercase=False).to_config(),
    )
    out = tmp_path_factory.mktemp("models") / "model"
    clf = train_classifier(make_data(240, 0), val=make_data(40, 1), config=config, out=out)
    torch.set_num_threads(threads)
    return clf, out


def test_folder_layout(trained):
    _clf, out = trained
    assert {p.name for p in out.iterdir()} >= {
        "config.json",
        "vocab.json",
        "model.pt",
        "history.json",
        "history.png",
    }
    config = json.loads((out / "config.json").read_text())
    assert config["format"] == "nlptk.classifier" and config["format_version"] == 1
    assert config["classes"] == ["negative", "positive"]
    assert config["config"]["cell"] == "gru" and config["config"]["tokenizer"]["name"] == "whitespace"
    assert config["training"]["epochs_run"] == 4
    assert len(json.loads((out / "history.json").read_text())) == 4
    weights = torch.load(out / "model.pt", weights_only=True, map_location="cpu")
    assert set(weights) == {"model"} and "embedding.weight" in weights["model"]
    assert not out.with_name("model.checkpoint").exists()


def test_load_predicts_the_same(trained):
    clf, out = trained
    loaded = TrainedClassifier.load(out, device="cpu")
    texts = ["a Great film", "an Awful plot", "", "great awful"]
    np.testing.assert_allclose(loaded.predict_proba(texts), clf.predict_proba(texts), rtol=1e-5, atol=1e-6)
    assert loaded.classes == clf.classes and loaded.config == clf.config
    assert loaded.vocab == clf.vocab and loaded.history == clf.history


def test_predict_in_a_fresh_process(trained):
    clf, out = trained
    texts = ["the Great movie", "Terrible acting", "great", "GOOD"]
    code = (
        "import json, sys\n"
        "from nlptk.classify.predictor import TrainedClassifier\n"
        f"clf = TrainedClassifier.load({str(out)!r}, device='cpu')\n"
        f"print(json.dumps(clf.predict_proba({texts!r}).tolist()))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    fresh = np.array(json.loads(result.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(fresh, clf.predict_proba(texts), rtol=1e-5, atol=1e-6)
    # the case-sensitive tokenizer came back: "great" is unknown, unlike "Great"
    assert clf.predict(["the Great movie", "Terrible acting"]) == ["positive", "negative"]


def test_save_refuses_existing_folder(trained, tmp_path):
    clf, out = trained
    with pytest.raises(OutputExistsError):
        clf.save(out)
    target = tmp_path / "copy"
    clf.save(target)
    clf.save(target, force=True)
    assert TrainedClassifier.load(target).classes == clf.classes


def test_train_refuses_existing_out_before_training(trained):
    _, out = trained
    with pytest.raises(OutputExistsError):
        train_classifier(make_data(20, 3), out=out, config=ClassifierConfig(epochs=1))


def test_incompatible_folders(trained, tmp_path):
    clf, _ = trained
    target = tmp_path / "m"
    clf.save(target)
    config = json.loads((target / "config.json").read_text())
    config["format_version"] = 99
    (target / "config.json").write_text(json.dumps(config))
    with pytest.raises(IncompatibleModelError, match="format version 99"):
        TrainedClassifier.load(target)
    config["format_version"] = 1
    config["format"] = "something.else"
    (target / "config.json").write_text(json.dumps(config))
    with pytest.raises(IncompatibleModelError):
        TrainedClassifier.load(target)
    config["format"] = "nlptk.classifier"
    config["config"]["hidden_size"] = 3  # weights no longer fit
    (target / "config.json").write_text(json.dumps(config))
    with pytest.raises(IncompatibleModelError):
        TrainedClassifier.load(target)
    with pytest.raises(InputFileError):
        TrainedClassifier.load(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputFileError, match=r"config\.json"):
        TrainedClassifier.load(tmp_path / "empty")


@pytest.mark.slow
def test_pang_lee_polarity_round_trip(tmp_path):
    """The polarity sample gensim ships (fastText lines, latin-1) trains, saves and reloads."""
    from gensim.test.utils import datapath

    from nlptk.text.labelled import load_labelled

    data = load_labelled(datapath("pang_lee_polarity.cor"), encoding="latin-1")
    assert data.classes == ["neg", "pos"]
    config = ClassifierConfig(hidden_size=16, embedding_dim=16, epochs=3, device="cpu", batch_size=16)
    clf = train_classifier(data, config=config, out=tmp_path / "m")
    loaded = TrainedClassifier.load(tmp_path / "m")
    np.testing.assert_allclose(
        loaded.predict_proba(data.texts[:20]), clf.predict_proba(data.texts[:20]), atol=1e-6
    )
    assert loaded.info["training"]["n_train"] + loaded.info["training"]["n_val"] == len(data)


def test_score_and_losses_refuse_unknown_labels(trained):
    from nlptk.errors import DataError

    clf, _ = trained
    scores = clf.score(make_data(40, 7))
    # fresh texts of the same toy task: the trained model must be far above chance (0.5)
    assert scores["n"] == 40 and scores["accuracy"] >= 0.85 and 0 < scores["loss"] < 0.69
    with pytest.raises(DataError, match="'neutral'"):
        clf.score(LabelledData(["a plain film"], [0], ["neutral"]))
    with pytest.raises(DataError, match="'neutral'"):
        clf.losses(["a plain film"], ["neutral"])
    with pytest.raises(DataError, match="list of texts"):
        clf.predict("one string")
