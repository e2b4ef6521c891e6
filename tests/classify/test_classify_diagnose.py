"""Diagnosis of loss curves: rules on made-up histories, and runs built to overfit and to underfit."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import toy_sentiment

from nlptk.classify.diagnose import diagnose
from nlptk.classify.notebook import classifier_learner


def _history(train: list[float], val: list[float]) -> list[dict]:
    return [
        {"epoch": i + 1, "train_loss": t, "val_loss": v}
        for i, (t, v) in enumerate(zip(train, val, strict=True))
    ]


def test_rules_on_made_up_curves() -> None:
    over = diagnose(
        _history([0.6, 0.4, 0.25, 0.1, 0.05], [0.55, 0.45, 0.5, 0.6, 0.8]), settings={"dropout": 0.3}
    )
    assert over.kind == "overfitting"
    assert over.numbers["epochs_rising"] == 3 and over.numbers["best_epoch"] == 2
    assert "risen for 3 epochs" in over.message and "(now 0.3)" in over.message

    under = diagnose(_history([0.69, 0.68, 0.67], [0.69, 0.685, 0.68]), n_classes=2)
    assert under.kind == "underfitting"
    assert "0.670 and 0.680" in under.message and "0.693" in under.message

    diverging = diagnose(_history([0.6, 0.5, 2.5], [0.6, 0.5, 3.0]), lr_suggestion=3e-3)
    assert diverging.kind == "diverging" and "3.00e-03" in diverging.message
    assert diverging.numbers["lowest_train_loss"] == 0.5
    assert diagnose(_history([0.6, math.nan], [0.6, 0.7])).kind == "diverging"
    assert "lr-find" in diagnose(_history([0.6, math.inf], [0.6, 0.7])).message

    fine = diagnose(_history([0.6, 0.3, 0.2], [0.5, 0.35, 0.33]))
    assert fine.kind == "ok" and "epoch 3" in fine.message
    # one rising epoch is noise, not overfitting
    assert diagnose(_history([0.6, 0.3, 0.2], [0.5, 0.35, 0.4])).kind == "ok"
    assert diagnose([]).kind == "unknown"


def test_a_run_built_to_overfit(tmp_path) -> None:
    # random labels on random word strings: only memorising lowers the training loss
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    texts = [" ".join(rng.choice(words, 5)) for _ in range(100)]
    labels = [str(y) for y in rng.integers(0, 2, 100)]
    learn = classifier_learner(
        texts, labels=labels, path=tmp_path, hidden_size=16, dropout=0.0, embedding_dropout=0.0,
        weight_decay=0.0, batch_size=16, device="cpu", valid_pct=0.25,
    )  # fmt: skip
    learn.fit(7, 1e-2)
    result = learn.recorder.diagnose()
    assert result.kind == "overfitting", result.message
    assert result.numbers["epochs_rising"] >= 2
    assert result.numbers["last_train_loss"] < result.numbers["train_loss_at_best"]


def test_a_run_built_to_underfit(tmp_path) -> None:
    texts, labels, _ = toy_sentiment(160)
    learn = classifier_learner(
        texts, labels=labels, path=tmp_path, hidden_size=4, batch_size=32, device="cpu"
    )
    learn.fit(2, 1e-6)  # far too low a rate: both losses stay near ln 2
    result = learn.recorder.diagnose()
    assert result.kind == "underfitting", result.message
    assert result.numbers["uniform_loss"] == pytest.approx(math.log(2))


def test_train_classifier_saves_the_diagnosis(tmp_path) -> None:
    from nlptk.classify import ClassifierConfig, train_classifier
    from nlptk.text.labelled import LabelledData

    texts, labels, _ = toy_sentiment(80)
    data = LabelledData(texts, [int(y == "pos") for y in labels], ["neg", "pos"])
    config = ClassifierConfig(epochs=2, hidden_size=4, lr=1e-6, device="cpu", patience=None)
    train_classifier(data, config=config, out=tmp_path / "m")
    saved = json.loads((tmp_path / "m" / "config.json").read_text())["training"]["diagnosis"]
    assert saved["kind"] == "underfitting" and saved["message"].startswith("Underfitting")
