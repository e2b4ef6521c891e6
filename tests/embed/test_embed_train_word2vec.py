"""word2vec through nlptk.train_embeddings on gensim's lee_background.cor: quality, manifest, formats."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gensim.test.utils import datapath

import nlptk.embed
from nlptk.errors import DataError, ParameterError
from nlptk.vectors.formats import load_vectors

LEE = datapath("lee_background.cor")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One skip-gram model on lee_background, written with every extra format."""
    root = tmp_path_factory.mktemp("w2v")
    out = root / "out"
    vectors = nlptk.train_embeddings(
        LEE,
        "word2vec",
        out=out,
        formats=("word2vec", "word2vec-binary", "glove", "fasttext-vec"),
        cache_dir=root / "cache",
        sg=True,
        dim=50,
        window=5,
        min_count=3,
        epochs=20,
        seed=7,
    )
    return vectors, out


def test_neighbours_a_person_would_accept(trained):
    vectors, _ = trained
    top = {w: [n for n, _ in vectors.most_similar(w, topn=8)] for w in ("bush", "minister", "sydney")}
    assert "george" in top["bush"] and "w" in top["bush"], top["bush"]
    assert "prime" in top["minister"], top["minister"]
    assert "hobart" in top["sydney"], top["sydney"]
    # related pairs are closer than unrelated ones
    assert vectors.similarity("bush", "president") > vectors.similarity("bush", "fire") + 0.2
    assert vectors.similarity("israeli", "palestinian") > vectors.similarity("israeli", "sydney")


def test_manifest_has_every_field(trained):
    vectors, out = trained
    info = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    meta = info["meta"]
    assert meta["method"] == "word2vec"
    params = meta["params"]
    for name in ("dim", "window", "min_count", "epochs", "sg", "hs", "negative", "sample", "lr", "workers"):
        assert name in params
    assert params["dim"] == 50 and params["sg"] is True and params["seed"] == 7 and meta["seed"] == 7
    assert meta["tokenizer"]["name"] == "regex"
    assert meta["corpus"]["path"].endswith("lee_background.cor")
    assert meta["corpus"]["documents"] == 300
    assert meta["corpus"]["tokens"] > 50_000
    assert meta["vocab_size"] == len(vectors) == info["n_words"]
    assert set(meta["timings"]) == {"tokenize", "train", "write"}
    assert meta["peak_memory_mb"] > 10
    for lib in ("nlptk", "gensim", "numpy", "python"):
        assert meta["versions"][lib]
    assert meta["date"].startswith("20")
    assert len(meta["loss_per_epoch"]) == 20 and all(x > 0 for x in meta["loss_per_epoch"])
    assert vectors.meta["path"] == str(out)


def test_formats_written_and_loadable(trained):
    vectors, out = trained
    native = load_vectors(out)
    assert native.words == vectors.words
    np.testing.assert_allclose(native.vectors, vectors.vectors)
    assert native.counts is not None and native.counts[0] >= native.counts[-1]
    for name in ("vectors.txt", "vectors.bin", "vectors.glove.txt", "vectors.vec"):
        loaded = load_vectors(out / name)
        assert loaded.words == vectors.words, name
        np.testing.assert_allclose(loaded.vectors, vectors.vectors, atol=1e-5, err_msg=name)
    assert not [p.name for p in out.parent.iterdir() if p.name.endswith(".part")]


def test_deterministic_runs_give_identical_vectors(tmp_path):
    runs = [
        nlptk.train_embeddings(LEE, dim=16, epochs=2, min_count=3, deterministic=True, cache_dir=tmp_path)
        for _ in range(2)
    ]
    assert runs[0].meta["params"]["workers"] == 1
    assert runs[0].words == runs[1].words
    np.testing.assert_array_equal(runs[0].vectors, runs[1].vectors)


def test_loss_reported_per_epoch_through_progress(tmp_path):
    events = []
    nlptk.train_embeddings(
        LEE, dim=10, epochs=3, min_count=3, workers=1, cache_dir=tmp_path, progress=events.append
    )
    steps = [e for e in events if e.phase == "train" and e.kind == "step"]
    assert [e.step for e in steps] == [1, 2, 3]
    assert all(e.total == 3 and e.metrics["loss"] > 0 and e.metrics["words_per_s"] > 0 for e in steps)
    # per-epoch values, not gensim's running total: the last epoch is not the sum of all
    assert steps[-1].metrics["loss"] < steps[0].metrics["loss"] * 1.5
    assert [e.kind for e in events if e.phase == "tokenize"][-1] == "end"


def test_empty_vocabulary_after_min_count(tmp_path):
    with pytest.raises(DataError, match=r"min_count=100000.*most frequent word occurs"):
        nlptk.train_embeddings(LEE, min_count=100_000, cache_dir=tmp_path)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dim": 0}, "dim=0 must be an integer >= 1"),
        ({"epochs": -1}, "epochs=-1 must be"),
        ({"x_max": 10.0}, "'x_max' does not apply to word2vec.*glove"),
        ({"negative": 0, "hs": False}, "nothing to train"),
        ({"lr": 0}, "lr=0 must be"),
    ],
)
def test_bad_parameters(tmp_path, params, message):
    with pytest.raises(ParameterError, match=message):
        nlptk.train_embeddings(LEE, cache_dir=tmp_path, **params)


def test_bad_parameter_fails_before_tokenizing(tmp_path):
    with pytest.raises(ParameterError):
        nlptk.train_embeddings(LEE, dim=0, cache_dir=tmp_path)
    assert not (tmp_path / "tokens").exists()


def test_unknown_method_and_format(tmp_path):
    with pytest.raises(
        ParameterError, match="unknown method 'bogus'; use one of fasttext, glove, lsa, word2vec"
    ):
        nlptk.train_embeddings(LEE, "bogus", cache_dir=tmp_path)
    with pytest.raises(ParameterError, match="unknown output format 'xml'"):
        nlptk.train_embeddings(LEE, out=tmp_path / "o", formats=("xml",), cache_dir=tmp_path)


def test_ns_exponent_reaches_gensim_and_the_manifest(tmp_path):
    # a parameter added by one declaration line: the library, the manifest and the option all see it
    from nlptk.embed.word2vec import train_word2vec

    tokens = tmp_path / "tokens.txt"
    tokens.write_text("the cat sat on the mat while a dog ran in the park\n" * 40, encoding="utf-8")
    common = dict(dim=8, min_count=1, epochs=2, deterministic=True)
    flat = train_word2vec(tokens, ns_exponent=0.0, **common)
    default = train_word2vec(tokens, **common)
    assert flat.meta["params"]["ns_exponent"] == 0.0 and default.meta["params"]["ns_exponent"] == 0.75
    assert not np.allclose(flat.vectors, default.vectors)
    from typer.testing import CliRunner

    from nlptk.cli.app import app

    help_text = CliRunner().invoke(app, ["embed", "train", "--help"], env={"COLUMNS": "200"}).output
    assert "--ns-exponent" in help_text
