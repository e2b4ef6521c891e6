"""The vectors-only classifier (issue 11): conditioning of pretrained rows, row-aware freezing,
steps per epoch, diagnostics, and the model folder that carries the transform."""

from __future__ import annotations

import dataclasses
import json
import logging

import numpy as np
import pytest
import torch

# the sentiment toy task and tiny config of the core training tests (same folder, on sys.path)
from conftest import small_config
from test_classify_core_train import FILLER, NEG, POS, accuracy, make_data

from nlptk.classify import persist
from nlptk.classify.conditioning import collinearity, condition_rows, fit_conditioning
from nlptk.classify.config import ClassifierConfig
from nlptk.classify.data import BucketBatchSampler
from nlptk.classify.freezing import RepeatedBatchSampler
from nlptk.classify.predictor import TrainedClassifier
from nlptk.classify.training import train_classifier
from nlptk.errors import IncompatibleModelError, ParameterError
from nlptk.vectors.container import Vectors

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def data():
    return make_data(320, seed=0), make_data(60, seed=1), make_data(200, seed=2)


def collinear_vectors(dim: int = 12, seed: int = 0) -> Vectors:
    """Nearly collinear rows (a big common vector), the sentiment signal a tiny offset on axis 0."""
    rng = np.random.default_rng(seed)
    words = POS + NEG + FILLER
    matrix = np.full((len(words), dim), 2.0, np.float32)
    matrix += rng.normal(0, 0.02, size=matrix.shape).astype(np.float32)
    matrix[: len(POS), 0] += 0.05
    matrix[len(POS) : len(POS) + len(NEG), 0] -= 0.05
    return Vectors(words, matrix)


# -- the transforms ------------------------------------------------------------------------------
def test_each_transform_does_what_it_says():
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(200, 6)) * np.array([5, 1, 1, 1, 1, 0.1]) + 3.0
    centred = fit_conditioning(rows, "center").transform(rows)
    assert np.allclose(centred.mean(axis=0), 0, atol=1e-4)
    assert np.allclose(centred.std(axis=0), rows.std(axis=0), rtol=1e-4)
    standard = fit_conditioning(rows, "standardize").transform(rows)
    assert np.allclose(standard.mean(axis=0), 0, atol=1e-4)
    assert np.allclose(standard.std(axis=0), 1, atol=1e-3)
    abtt = fit_conditioning(rows, "abtt", components=1)
    out = abtt.transform(rows)
    # the top principal direction (axis 0 here) is gone, the others are kept
    assert out[:, 0].std() < 0.05 * rows[:, 0].std()
    assert out[:, 1].std() == pytest.approx(rows[:, 1].std(), rel=0.05)
    assert abtt.details["components"] == 1 and abtt.details["removed_variance_share"] > 0.5
    assert collinearity(rows) > 0.5 > collinearity(out)


def test_zero_variance_dimensions_are_centred_not_divided():
    rows = np.array([[1.0, 7.0, 0.0], [3.0, 7.0, 2.0], [5.0, 7.0, 1.0]])
    for method in ("standardize", "abtt", "center"):
        c = fit_conditioning(rows, method)
        out = c.transform(rows)
        assert np.isfinite(out).all(), method
        assert np.allclose(out[:, 1], 0.0), method
        assert c.details["constant_dims"] == 1
    # every dimension constant (one row): still finite
    one = fit_conditioning(rows[:1], "standardize").transform(rows)
    assert np.isfinite(one).all()


def test_bad_conditioning_settings_are_refused():
    with pytest.raises(ParameterError, match="conditioning"):
        fit_conditioning(np.ones((3, 2)), "pca")
    with pytest.raises(ParameterError, match="conditioning"):
        ClassifierConfig(conditioning="whatever")
    with pytest.raises(ParameterError, match="ngrams"):
        ClassifierConfig(ngrams=-1)
    with pytest.raises(ParameterError, match="min_epoch_steps"):
        ClassifierConfig(min_epoch_steps=-5)


def test_stand_in_rows_are_drawn_on_the_conditioned_scale():
    rng = np.random.default_rng(0)
    matrix = (rng.normal(size=(50, 4)) * 0.1 + 10.0).astype(np.float32)
    found = np.ones(50, bool)
    found[40:] = False
    out, c = condition_rows(matrix, found, "standardize", trainable=~found, seed=0)
    assert c is not None
    assert np.abs(out[40:].mean()) < 1.0  # not left near 10, far from every conditioned row
    assert np.allclose(out[:40], c.transform(matrix[:40]))


# -- training --------------------------------------------------------------------------------
def test_standardising_lets_frozen_collinear_vectors_separate_the_task(data):
    train, val, test = data
    vectors = collinear_vectors()
    scores = {}
    for method in ("none", "standardize"):
        config = small_config(epochs=3, freeze_epochs=3, freeze_rows="all", conditioning=method, lr=1e-2)
        clf = train_classifier(train, val=val, vectors=vectors, config=config)
        scores[method] = accuracy(clf, test)
    assert scores["none"] < 0.7 < 0.9 < scores["standardize"], scores


def test_the_transform_is_what_the_embedding_starts_from(data):
    train, val, _ = data
    vectors = collinear_vectors()
    # frozen for the whole run: the rows the model ends with are the rows it started from
    config = small_config(epochs=1, freeze_epochs=1, freeze_rows="all", conditioning="abtt")
    clf = train_classifier(train, val=val, vectors=vectors, config=config)
    assert clf.conditioning is not None and clf.conditioning.method == "abtt"
    weight = clf.model.embedding.weight.detach().numpy()
    for word in ("good", "bad", "film"):
        expected = clf.conditioning.transform(vectors[word])
        assert np.allclose(weight[clf.vocab[word]], expected, atol=1e-5)
        assert not np.allclose(weight[clf.vocab[word]], vectors[word], atol=1e-2)
    diagnostics = clf.info["embeddings"]["diagnostics"]
    assert diagnostics["conditioning"]["method"] == "abtt"
    assert diagnostics["collinearity"] > 0.9 and diagnostics["collinearity_conditioned"] < 0.1
    assert any("collinear" in w for w in diagnostics["warnings"])


def test_zero_variance_vectors_train(data, caplog):
    train, val, _ = data
    vectors = fake_constant_column()
    with caplog.at_level(logging.WARNING):
        clf = train_classifier(
            train, val=val, vectors=vectors, config=small_config(epochs=1, conditioning="standardize")
        )
    assert np.isfinite(clf.model.embedding.weight.detach().numpy()).all()
    assert clf.conditioning.details["constant_dims"] == 1
    assert "constant" in caplog.text


def fake_constant_column() -> Vectors:
    rng = np.random.default_rng(0)
    words = POS + NEG + FILLER
    matrix = rng.normal(size=(len(words), 6)).astype(np.float32)
    matrix[:, 3] = 0.5
    return Vectors(words, matrix)


def test_frozen_stage_holds_only_the_pretrained_rows(data):
    train, val, _ = data
    words = POS + NEG + FILLER[:4]  # the other filler words are stand-ins
    rng = np.random.default_rng(1)
    vectors = Vectors(words, rng.normal(size=(len(words), 12)).astype(np.float32))
    held = {}
    for policy in ("pretrained", "all"):
        config = small_config(epochs=1, freeze_epochs=1, freeze_rows=policy)
        start = train_classifier(train, val=val, vectors=vectors, config=config.replace(epochs=1, lr=1e-9))
        clf = train_classifier(train, val=val, vectors=vectors, config=config)
        before = start.model.embedding.weight.detach()
        after = clf.model.embedding.weight.detach()
        pretrained = [clf.vocab[w] for w in words]
        stand_ins = [clf.vocab[w] for w in FILLER[4:]]
        assert torch.equal(after[pretrained], before[pretrained]), policy
        held[policy] = torch.equal(after[stand_ins], before[stand_ins])
        if policy == "pretrained":
            assert clf.info["training"]["frozen_steps"] == clf.info["training"]["steps_per_epoch"]
    assert held == {"pretrained": False, "all": True}


def test_small_data_epochs_have_at_least_min_epoch_steps(data):
    train, val, _ = data
    small = train.subset(np.arange(40))
    clf = train_classifier(small, val=val, config=small_config(epochs=2, batch_size=8, min_epoch_steps=22))
    training = clf.info["training"]
    assert training["epoch_repeats"] == 5  # 5 batches a pass, 5 passes >= 22 steps
    assert training["steps_per_epoch"] == 25
    one_pass = train_classifier(small, val=val, config=small_config(epochs=2, batch_size=8))
    assert one_pass.info["training"]["steps_per_epoch"] == 5


def test_repeated_sampler_shuffles_each_pass():
    inner = BucketBatchSampler(list(range(1, 41)), 4, shuffle=True, seed=0)
    sampler = RepeatedBatchSampler(inner, 3)
    sampler.set_epoch(0)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 30
    passes = [sorted(i for b in batches[k * 10 : (k + 1) * 10] for i in b) for k in range(3)]
    assert all(p == list(range(40)) for p in passes)
    assert batches[:10] != batches[10:20]


# -- diagnostics ----------------------------------------------------------------------------------
def test_low_coverage_warns_and_still_trains(data, caplog):
    train, val, test = data
    # one sentiment word of 8, in a few sentences: far below 5% of the training tokens
    vectors = Vectors(["good"], np.ones((1, 12), np.float32))
    with caplog.at_level(logging.WARNING):
        clf = train_classifier(
            train, val=val, vectors=vectors, config=small_config(epochs=3, conditioning="standardize")
        )
    diagnostics = clf.info["embeddings"]["diagnostics"]
    assert diagnostics["token_coverage"] < 0.05
    assert any("cover only" in w for w in diagnostics["warnings"])
    assert "cover only" in caplog.text
    assert accuracy(clf, test) > 0.8  # the stand-in rows learn


# -- the model folder -----------------------------------------------------------------------------
def test_transform_is_saved_and_an_older_reader_refuses(data, tmp_path, monkeypatch):
    train, val, test = data
    vectors = collinear_vectors()
    clf = train_classifier(
        train,
        val=val,
        vectors=vectors,
        config=small_config(epochs=1, conditioning="standardize"),
        out=tmp_path / "m",
    )
    body = json.loads((tmp_path / "m" / "config.json").read_text())
    assert body["format_version"] == persist.CONDITIONED_FORMAT_VERSION
    assert body["conditioning"]["method"] == "standardize"
    loaded = TrainedClassifier.load(tmp_path / "m")
    assert np.allclose(loaded.conditioning.matrix_, clf.conditioning.matrix_)
    assert np.allclose(
        loaded.conditioning.transform(vectors["good"]), clf.conditioning.transform(vectors["good"])
    )
    assert np.allclose(loaded.predict_proba(test.texts[:20]), clf.predict_proba(test.texts[:20]), atol=1e-6)
    # a reader of format version 1 only (nlptk before this change) refuses with the versions
    older = dataclasses.replace(persist._FORMAT, readable_versions=(persist.FORMAT_VERSION,))
    monkeypatch.setattr(persist, "_FORMAT", older)
    with pytest.raises(IncompatibleModelError, match=r"format version 2.*reads version 1"):
        TrainedClassifier.load(tmp_path / "m")


def test_plain_model_keeps_format_version_1(data, tmp_path):
    train, val, _ = data
    config = small_config(epochs=1, conditioning="none")
    train_classifier(train, val=val, vectors=collinear_vectors(), config=config, out=tmp_path / "m")
    body = json.loads((tmp_path / "m" / "config.json").read_text())
    assert body["format_version"] == persist.FORMAT_VERSION == 1
    assert "conditioning" not in body
    assert not (tmp_path / "m" / "conditioning.npz").exists()


# -- the command line -----------------------------------------------------------------------------
def test_command_line_options_and_summary(tmp_path):
    from typer.testing import CliRunner

    from nlptk.cli.app import app

    runner = CliRunner()
    train = make_data(120, seed=0)
    lines = [f"__label__{train.classes[y]} {t}" for t, y in zip(train.texts, train.labels, strict=True)]
    (tmp_path / "train.txt").write_text("\n".join(lines) + "\n")
    vectors = collinear_vectors()
    rows = [f"{w} {' '.join(f'{v:.5f}' for v in vectors[w])}" for w in vectors.words]
    (tmp_path / "vec.txt").write_text(f"{len(rows)} {vectors.dim}\n" + "\n".join(rows) + "\n")
    small = ["--hidden-size", "8", "--batch-size", "16", "--epochs", "2", "--device", "cpu", "--no-progress"]
    result = runner.invoke(
        app,
        [
            "classify",
            "train",
            str(tmp_path / "train.txt"),
            "--vectors",
            str(tmp_path / "vec.txt"),
            "--out",
            str(tmp_path / "m"),
            "--conditioning",
            "standardize",
            "--ngrams",
            "2",
            "--min-epoch-steps",
            "10",
            *small,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "conditioning: standardize" in result.output
    assert "nearly collinear" in result.output
    body = json.loads((tmp_path / "m" / "config.json").read_text())
    assert body["config"]["conditioning"] == "standardize" and body["config"]["ngrams"] == 2
    assert body["config"]["min_epoch_steps"] == 10
    for bad in ("-1", "x"):
        result = runner.invoke(
            app,
            ["classify", "train", str(tmp_path / "train.txt"), "--out", str(tmp_path / "n"), "--ngrams", bad],
        )
        assert result.exit_code == 2
        assert "ngrams" in result.output
    assert not (tmp_path / "n").exists()


def test_text_classifier_takes_the_options(data):
    from nlptk.classify.estimator import TextClassifier

    train, _, test = data
    est = TextClassifier(
        collinear_vectors(),
        hidden_size=8,
        epochs=2,
        device="cpu",
        conditioning="standardize",
        ngrams=2,
        ngram_buckets=256,
        min_epoch_steps=30,
    )
    est.fit(train.texts, [train.classes[y] for y in train.labels])
    assert est.classifier_.conditioning.method == "standardize"
    assert est.classifier_.model.wide is not None
    assert est.classifier_.info["training"]["steps_per_epoch"] >= 30
    assert len(est.predict(test.texts[:5])) == 5


def test_words_added_after_training_get_the_same_transform(data, tmp_path):
    train, val, _ = data
    base = collinear_vectors()
    extra = np.stack([base["good"] + 0.01, base["bad"] - 0.01])
    vectors = Vectors([*base.words, "superb", "dreadful"], np.concatenate([base.vectors, extra]))
    config = small_config(epochs=1, conditioning="standardize", ngrams=2, ngram_buckets=64)
    clf = train_classifier(train, val=val, vectors=vectors, config=config)
    assert "superb" not in clf.vocab
    before = clf.predict_proba(["superb film"])
    assert clf.add_words(vectors, ["superb", "dreadful", "good", "nope"]) == 2
    row = clf.model.embedding.weight.detach().numpy()[clf.vocab["superb"]]
    assert np.allclose(row, clf.conditioning.transform(vectors["superb"]), atol=1e-5)
    assert not np.allclose(clf.predict_proba(["superb film"]), before)
    clf.save(tmp_path / "m")
    loaded = TrainedClassifier.load(tmp_path / "m")
    assert loaded.vocab["dreadful"] == clf.vocab["dreadful"]
    assert np.allclose(loaded.predict_proba(["superb film"]), clf.predict_proba(["superb film"]), atol=1e-6)


def test_auto_conditioning_standardises_only_collinear_vectors(data):
    train, val, _ = data
    rng = np.random.default_rng(0)
    words = POS + NEG + FILLER
    spread = Vectors(words, rng.normal(size=(len(words), 12)).astype(np.float32))
    chosen = {}
    for name, vectors in (("collinear", collinear_vectors()), ("spread", spread)):
        clf = train_classifier(
            train, val=val, vectors=vectors, config=small_config(epochs=1, conditioning="auto")
        )
        chosen[name] = None if clf.conditioning is None else clf.conditioning.method
    assert chosen == {"collinear": "standardize", "spread": None}
