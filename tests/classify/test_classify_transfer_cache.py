"""Cached frozen features: equal to the eval-mode encoder, RAM / disk / none, swapped into a learner."""

from __future__ import annotations

import logging
import random
from collections import namedtuple

import numpy as np
import pytest
import torch

from nlptk.classify import feature_cache
from nlptk.classify.data import EncodedDataset, build_vocabulary, encode_texts, make_loader
from nlptk.classify.feature_cache import (
    MIB,
    build_feature_cache,
    cache_plan,
    cached_features,
    encoder_frozen,
    feature_bytes,
)
from nlptk.classify.learner import Learner
from nlptk.classify.model import RNNClassifierNet
from nlptk.classify.transfer import freeze_to
from nlptk.text.tokenize import RegexTokenizer

WORDS = ["good", "bad", "film", "plot", "the", "a", "was", "very", "not", "story"]


pytestmark = pytest.mark.usefixtures("one_thread")


def make_dataset(n: int = 150, seed: int = 0) -> tuple[EncodedDataset, int]:
    rng = random.Random(seed)
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(1, 12))) for _ in range(n)]
    labels = [int("good" in t) for t in texts]
    tokenizer = RegexTokenizer()
    vocab = build_vocabulary([tokenizer(t) for t in texts])
    return EncodedDataset(encode_texts(texts, tokenizer, vocab, max_length=50), labels), len(vocab)


def make_model(vocab_size: int) -> RNNClassifierNet:
    torch.manual_seed(0)
    # dropouts on: the cache must equal the *eval-mode* encoder, not a dropped-out one
    return RNNClassifierNet(vocab_size, 6, 2, hidden_size=5, embedding_dropout=0.5, dropout=0.5)


def eval_encoding(model: RNNClassifierNet, dataset: EncodedDataset) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        return np.stack(
            [model.encode(ids[None, :], torch.tensor([len(ids)]))[0].numpy() for ids in dataset.ids]
        )


@pytest.mark.parametrize("storage", ["memory", "disk"])
def test_cached_features_equal_the_eval_mode_encoder(storage, tmp_path):
    dataset, vocab_size = make_dataset()
    model = make_model(vocab_size)
    model.train()
    budget = 1024 * MIB if storage == "memory" else 0
    cache = build_feature_cache(
        model, dataset, device=torch.device("cpu"), memory_budget=budget, directory=tmp_path, batch_size=32
    )
    assert cache is not None and cache.storage == storage
    assert model.training  # the model's mode is restored
    expected = eval_encoding(model, dataset)
    np.testing.assert_allclose(np.asarray(cache.features), expected, rtol=1e-5, atol=1e-6)
    assert torch.equal(cache.labels, dataset.labels)
    if storage == "disk":
        assert cache.path is not None and cache.path.parent == tmp_path and cache.path.exists()
    # batches of the cache: every row once per epoch, labels aligned with features
    seen = []
    for features, lengths, labels in cache.loader(batch_size=16, shuffle=True, seed=3):
        assert features.dtype == torch.float32 and features.shape[1] == model.output_size
        assert len(lengths) == len(labels) == len(features) >= 2
        cached_rows = np.asarray(cache.features)
        rows = [int(np.abs(cached_rows - f.numpy()).sum(axis=1).argmin()) for f in features]
        assert labels.tolist() == dataset.labels[rows].tolist()
        seen.append(features.numpy())
    batches = np.concatenate(seen)
    order = np.lexsort(batches.T)
    np.testing.assert_array_equal(
        batches[order], np.asarray(cache.features)[np.lexsort(np.asarray(cache.features).T)]
    )
    path = cache.path
    cache.close()
    assert path is None or not path.exists()


def test_size_estimate_and_plan(tmp_path, monkeypatch):
    assert feature_bytes(1000, 768) == 1000 * 768 * 4
    assert cache_plan(10 * MIB, memory_budget=20 * MIB, directory=tmp_path).storage == "memory"
    assert cache_plan(30 * MIB, memory_budget=20 * MIB, directory=tmp_path).storage == "disk"
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(feature_cache.shutil, "disk_usage", lambda _: Usage(100 * MIB, 90 * MIB, 10 * MIB))
    plan = cache_plan(30 * MIB, memory_budget=20 * MIB, directory=tmp_path)
    assert plan.storage is None and "10 MiB free" in plan.reason


def test_no_room_anywhere_runs_on_the_fly_with_a_log_line(tmp_path, monkeypatch, caplog):
    dataset, vocab_size = make_dataset()
    model = make_model(vocab_size)
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(feature_cache.shutil, "disk_usage", lambda _: Usage(1, 1, 0))
    with caplog.at_level(logging.INFO, logger="nlptk.classify.feature_cache"):
        assert build_feature_cache(model, dataset, device=torch.device("cpu"), memory_budget=0) is None
    assert "not cached" in caplog.text and "memory budget" in caplog.text


def make_learner(dataset: EncodedDataset, model: RNNClassifierNet) -> Learner:
    train = make_loader(dataset, batch_size=16, shuffle=True, seed=0)
    val = make_loader(dataset, batch_size=64, shuffle=False)
    return Learner(model, train, val, n_classes=2, device=torch.device("cpu"))


def test_learner_trains_the_head_on_the_cache_and_gets_its_loaders_back(tmp_path):
    dataset, vocab_size = make_dataset()
    model = make_model(vocab_size)
    learner = make_learner(dataset, model)
    loaders = (learner.train_loader, learner.val_loader)
    assert not encoder_frozen(model)
    with cached_features(learner) as used:  # the encoder trains: no cache
        assert used is False and learner.train_loader is loaders[0]
    freeze_to(model, 1)
    assert encoder_frozen(model)
    before = learner.validate()
    encoder_state = {k: v.clone() for k, v in model.state_dict().items() if not k.startswith("head.")}
    with cached_features(learner, memory_budget=0, directory=tmp_path) as used:
        assert used is True
        assert learner.train_loader is not loaders[0] and len(list(tmp_path.iterdir())) == 2
        # validation on cached features = validation through the encoder (eval mode both)
        cached_val = learner.validate()
        assert cached_val["val_loss"] == pytest.approx(before["val_loss"], rel=1e-5)
        assert cached_val["val_accuracy"] == before["val_accuracy"]
        learner.fit_one_cycle(3, 5e-2, stage="head")
    assert (learner.train_loader, learner.val_loader) == loaders
    assert list(tmp_path.iterdir()) == []  # the disk caches are removed
    after = learner.validate()
    assert after["val_loss"] < before["val_loss"]  # the head learned from the cache
    for k, v in model.state_dict().items():  # and nothing below it moved
        if k in encoder_state:
            assert torch.equal(v, encoder_state[k]), k
    assert [r["stage"] for r in learner.history] == ["head"] * 3


def test_cache_is_much_faster_per_epoch_than_the_encoder():
    """The point of the cache: a head-only epoch no longer runs the recurrent layers."""
    import time

    dataset, vocab_size = make_dataset(n=400)
    torch.manual_seed(0)
    model = RNNClassifierNet(vocab_size, 32, 2, hidden_size=64, num_layers=2)
    freeze_to(model, 1)
    learner = make_learner(dataset, model)
    learner.optimizer = learner.make_optimizer(1e-3)
    t0 = time.perf_counter()
    learner.train_epoch()
    plain = time.perf_counter() - t0
    with cached_features(learner) as used:
        assert used
        t0 = time.perf_counter()
        learner.train_epoch()
        cached = time.perf_counter() - t0
    assert cached < plain


def test_train_classifier_caches_the_head_only_stage_of_a_vectors_model(caplog):
    from nlptk.classify.config import ClassifierConfig
    from nlptk.classify.training import train_classifier
    from nlptk.text.labelled import LabelledData
    from nlptk.vectors.container import Vectors

    rng = random.Random(0)
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(1, 8))) for _ in range(120)]
    data = LabelledData(texts, [int("good" in t) for t in texts], ["neg", "pos"])
    vectors = Vectors(WORDS, np.random.default_rng(0).normal(size=(len(WORDS), 6)).astype(np.float32))
    config = ClassifierConfig(
        hidden_size=6, epochs=3, unfreeze_schedule=(2,), batch_size=16, patience=None, device="cpu"
    )
    with caplog.at_level(logging.INFO, logger="nlptk.classify.feature_cache"):
        clf = train_classifier(data, vectors=vectors, config=config)
    assert [r["stage"] for r in clf.history] == ["head", "head", "all"]
    assert caplog.text.count("frozen features of") == 2  # training and validation texts, once each
    with caplog.at_level(logging.INFO, logger="nlptk.classify.feature_cache"):
        caplog.clear()
        train_classifier(data, vectors=vectors, config=config.replace(cache_features=False))
    assert "frozen features of" not in caplog.text
