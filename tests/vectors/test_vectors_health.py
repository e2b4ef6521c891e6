"""The degenerate-vectors check: collapsed vectors are reported at training and at load."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from gensim.test.utils import datapath
from typer.testing import CliRunner

import nlptk.embed
from nlptk.cli.app import app
from nlptk.embed import pipeline
from nlptk.vectors import Vectors, load_vectors
from nlptk.vectors.health import DEGENERATE_COSINE, check_vectors, mean_pairwise_cosine

LEE = datapath("lee_background.cor")


def _collapsed(n: int = 600, dim: int = 20, seed: int = 0) -> Vectors:
    """Vectors that all point nearly the same way (what under-trained fastText gives)."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=dim)
    matrix = (common + 0.02 * rng.normal(size=(n, dim))).astype(np.float32)
    return Vectors([f"w{i}" for i in range(n)], matrix, counts=np.arange(n, 0, -1))


def _healthy(n: int = 600, dim: int = 20, seed: int = 0) -> Vectors:
    rng = np.random.default_rng(seed)
    return Vectors([f"w{i}" for i in range(n)], rng.normal(size=(n, dim)).astype(np.float32))


def test_mean_pairwise_cosine_matches_the_pairwise_definition():
    vectors = _healthy(n=50, dim=7)
    unit = vectors.vectors / np.linalg.norm(vectors.vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    expected = (sims.sum() - np.trace(sims)) / (50 * 49)
    assert mean_pairwise_cosine(vectors) == pytest.approx(expected, abs=1e-6)
    assert mean_pairwise_cosine(_collapsed()) > 0.99


def test_only_the_most_frequent_words_are_sampled():
    # the first 500 rows are random, but counts say the collapsed rows after them are the frequent ones
    rng = np.random.default_rng(1)
    random_rows = rng.normal(size=(500, 10))
    collapsed_rows = np.ones((500, 10)) + 0.01 * rng.normal(size=(500, 10))
    matrix = np.vstack([random_rows, collapsed_rows]).astype(np.float32)
    counts = np.r_[np.ones(500), np.full(500, 100)]
    vectors = Vectors([f"w{i}" for i in range(1000)], matrix, counts=counts)
    assert mean_pairwise_cosine(vectors) > 0.99
    assert mean_pairwise_cosine(Vectors(vectors.words, matrix)) < 0.2


def test_zero_and_tiny_inputs():
    assert mean_pairwise_cosine(Vectors(["a"], np.ones((1, 3), dtype=np.float32))) is None
    zeros = Vectors(["a", "b", "c"], np.array([[0, 0], [1, 0], [0, 1]], dtype=np.float32))
    assert mean_pairwise_cosine(zeros) == pytest.approx(0.0)


def test_warning_only_for_degenerate_vectors(caplog):
    with caplog.at_level(logging.WARNING, logger="nlptk"):
        value = check_vectors(_healthy(), source="healthy.txt")
    assert value < DEGENERATE_COSINE and not caplog.records
    with caplog.at_level(logging.WARNING, logger="nlptk"):
        value = check_vectors(_collapsed(), source="collapsed.txt")
    assert value > DEGENERATE_COSINE
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "collapsed.txt" in record.message and "degenerate" in record.message


@pytest.mark.parametrize("fmt", ["native", "word2vec"])
def test_load_warns_on_collapsed_vectors(tmp_path, caplog, fmt):
    path = tmp_path / ("v" if fmt == "native" else "v.txt")
    _collapsed().save(path, format=fmt)
    with caplog.at_level(logging.WARNING, logger="nlptk"):
        load_vectors(path)
    assert any("degenerate" in r.message and str(path) in r.message for r in caplog.records)
    caplog.clear()
    healthy = tmp_path / ("h" if fmt == "native" else "h.txt")
    _healthy().save(healthy, format=fmt)
    with caplog.at_level(logging.WARNING, logger="nlptk"):
        load_vectors(healthy)
    assert not [r for r in caplog.records if "degenerate" in r.message]


def test_training_warns_and_records_the_measure(tmp_path, caplog, monkeypatch):
    def collapsing_trainer(tokens_file, *, workdir=None, progress=None, **params):
        return _collapsed()

    monkeypatch.setattr(pipeline, "get_trainer", lambda method: collapsing_trainer)
    with caplog.at_level(logging.WARNING, logger="nlptk"):
        vectors = nlptk.train_embeddings(LEE, "word2vec", out=tmp_path / "out", cache_dir=tmp_path / "cache")
    assert any("degenerate" in r.message for r in caplog.records)
    assert vectors.meta["mean_pairwise_cosine"] > DEGENERATE_COSINE


def test_cli_shows_the_warning(tmp_path):
    _collapsed().save(tmp_path / "v", format="native")
    result = CliRunner().invoke(app, ["embed", "similar", str(tmp_path / "v"), "w1", "--topn", "2"])
    assert result.exit_code == 0, result.output
    assert "degenerate" in result.output


@pytest.mark.slow
def test_fasttext_defaults_collapse_on_lee_and_the_tour_settings_do_not(tmp_path, caplog):
    """The issue's case: 5 epochs at lr 0.05 on 60k tokens collapse; the README tour's settings do not."""
    common = {"minn": 3, "maxn": 6, "bucket": 100_000, "cache_dir": tmp_path, "workers": 1}
    with caplog.at_level(logging.WARNING, logger="nlptk"):
        collapsed = nlptk.train_embeddings(LEE, "fasttext", **common)
    assert collapsed.meta["mean_pairwise_cosine"] > DEGENERATE_COSINE
    assert any("degenerate" in r.message for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="nlptk"):
        tour = nlptk.train_embeddings(LEE, "fasttext", dim=50, epochs=10, lr=0.1, **common)
    assert tour.meta["mean_pairwise_cosine"] < 0.4
    assert not [r for r in caplog.records if "degenerate" in r.message]
