"""Augmentation: neighbour replacement (never stop or protected words), EDA swap/delete, seeded per epoch."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
import torch

from nlptk.classify import ClassifierConfig, train_classifier
from nlptk.classify.augment import AugmentedDataset, TextAugmenter, neighbour_words, parse_methods
from nlptk.classify.data import build_vocabulary
from nlptk.errors import ParameterError
from nlptk.text.labelled import LabelledData
from nlptk.vectors.container import Vectors

WORDS = ["good", "great", "fine", "bad", "awful", "poor", "the", "film", "movie", "plot"]


def _vectors() -> Vectors:
    # two tight clusters (positive and negative words) and unrelated others
    rng = np.random.default_rng(0)
    base = {"pos": rng.normal(size=8), "neg": rng.normal(size=8)}
    rows = []
    for w in WORDS:
        if w in ("good", "great", "fine"):
            rows.append(base["pos"] + 0.05 * rng.normal(size=8))
        elif w in ("bad", "awful", "poor"):
            rows.append(base["neg"] + 0.05 * rng.normal(size=8))
        elif w == "the":  # a stop word right beside "good": must never be proposed
            rows.append(base["pos"] + 0.01 * rng.normal(size=8))
        else:
            rows.append(rng.normal(size=8))
    return Vectors(WORDS, np.asarray(rows, dtype=np.float32))


def test_methods_are_checked() -> None:
    assert parse_methods("neighbours,swap") == ("neighbours", "swap")
    with pytest.raises(ParameterError, match="unknown method"):
        ClassifierConfig(augment="neighbors")


def test_neighbours_skip_stop_and_protected_words() -> None:
    table = neighbour_words(
        ["good", "the", "bad"], _vectors(), topn=5, threshold=0.8, excluded=frozenset({"the", "awful"})
    )
    assert set(table) == {"good", "bad"}
    assert set(table["good"]) == {"great", "fine"} and table["bad"] == ["poor"]


def test_augmented_texts_are_fresh_each_epoch_and_seeded() -> None:
    vocab = build_vocabulary([w.split() for w in ("good film", "bad plot", "the movie")] + [WORDS])
    docs = [
        torch.tensor([vocab[w] for w in ["the", "good", "film", "was", "fine"] if w in vocab])
        for _ in range(50)
    ]
    augmenter = TextAugmenter.build(
        vocab, _vectors(), ("neighbours",), share=0.5, prob=1.0, threshold=0.8, seed=3
    )
    data = AugmentedDataset(docs, np.zeros(50, dtype=np.int64), augmenter)
    data.set_epoch(0)
    first = [t.tolist() for t in data.ids]
    data.set_epoch(1)
    second = [t.tolist() for t in data.ids]
    assert first != second
    data.set_epoch(0)
    assert [t.tolist() for t in data.ids] == first  # epoch 0 again: the same variant
    the, film = vocab["the"], vocab["film"]
    for seq in first + second:
        assert seq[0] == the and seq[2] == film  # stop words and words without neighbours stay
        assert {vocab.words[i] for i in (seq[1], seq[3])} <= {"good", "great", "fine"}
    assert docs[0].tolist() == [vocab[w] for w in ("the", "good", "film", "fine")]  # the base is untouched


def test_swap_and_delete() -> None:
    rng = np.random.default_rng(0)
    ids = torch.arange(2, 22)
    swapped = TextAugmenter({}, ("swap",), share=0.2, prob=1.0).augment(ids, rng)
    assert sorted(swapped.tolist()) == ids.tolist() and swapped.tolist() != ids.tolist()
    deleted = TextAugmenter({}, ("delete",), share=0.3, prob=1.0).augment(ids, rng)
    assert 1 <= len(deleted) < len(ids) and set(deleted.tolist()) <= set(ids.tolist())


def _data() -> LabelledData:
    texts = ["a good film", "a great movie", "a bad plot", "an awful film"] * 10
    return LabelledData(texts, [1, 1, 0, 0] * 10, ["neg", "pos"])


def test_training_with_neighbours_adds_them_to_the_vocabulary() -> None:
    config = ClassifierConfig(
        epochs=2, hidden_size=4, augment="neighbours", augment_threshold=0.8, device="cpu"
    )
    clf = train_classifier(_data(), vectors=_vectors(), config=config)
    assert "fine" in clf.vocab and "poor" in clf.vocab  # neighbours never seen in the training texts
    plain = train_classifier(_data(), vectors=_vectors(), config=config.replace(augment="none"))
    assert "fine" not in plain.vocab


def test_vectors_that_cover_nothing_warn_and_do_nothing(caplog) -> None:
    other = Vectors(["zebra", "quagga"], np.eye(2, dtype=np.float32))
    config = ClassifierConfig(epochs=1, hidden_size=4, augment="neighbours", device="cpu")
    with caplog.at_level(logging.WARNING):
        clf = train_classifier(_data(), vectors=other, config=config)
    assert "neighbour replacement is off" in caplog.text
    assert clf.history


def test_command_line_augment_and_diagnosis(tmp_path) -> None:
    from typer.testing import CliRunner

    from nlptk.cli.app import app

    data = tmp_path / "train.txt"
    data.write_text(
        "".join(
            f"__label__{'pos' if y else 'neg'} {t}\n"
            for t, y in zip(_data().texts, _data().labels, strict=True)
        )
    )
    args = [
        "classify",
        "train",
        str(data),
        "--out",
        str(tmp_path / "m"),
        "--epochs",
        "2",
        "--hidden-size",
        "4",
    ]
    args += ["--device", "cpu", "--no-progress", "--augment", "swap,delete", "--augment-share", "0.2"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert any(kind in result.output for kind in ("Underfitting", "Overfitting", "Diverging", "No sign"))
    saved = ClassifierConfig.from_dict(json.loads((tmp_path / "m" / "config.json").read_text())["config"])
    assert saved.augment == "swap,delete" and saved.augment_share == 0.2
    bad = CliRunner().invoke(app, [*args[:-4], "--augment", "synonyms"])
    assert bad.exit_code == 2 and "unknown method" in bad.output
