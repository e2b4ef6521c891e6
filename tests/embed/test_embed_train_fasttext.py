"""fastText through nlptk.train_embeddings on lee_background.cor: subword vectors for unseen words."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gensim.models.fasttext import load_facebook_vectors
from gensim.test.utils import datapath

import nlptk.embed
from nlptk.errors import DataError, ParameterError
from nlptk.vectors.formats import load_vectors

LEE = datapath("lee_background.cor")
# unseen inflections / misspellings and a seen relative of each
UNSEEN = {"governments": "government", "afghanistans": "afghanistan", "negotiationss": "negotiations"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("ft")
    out = root / "out"
    vectors = nlptk.train_embeddings(
        LEE,
        "fasttext",
        out=out,
        formats=("fasttext-vec",),
        cache_dir=root / "cache",
        dim=30,
        epochs=8,
        min_count=3,
        bucket=50_000,
        workers=2,
    )
    return vectors, out


def _rank_among(vectors, word, relative, others):
    """How many of ``others`` are at least as close to ``word`` as ``relative`` is."""
    u = vectors.get_vector(word, norm=True)
    target = float(u @ vectors.get_vector(relative, norm=True))
    return sum(float(u @ vectors.get_vector(w, norm=True)) >= target for w in others)


def test_unseen_words_are_closer_to_their_relatives_than_to_random_words(trained):
    vectors, _ = trained
    assert vectors.has_subwords
    rng = np.random.default_rng(0)
    others = [
        w for w in rng.choice(vectors.words[50:1500], size=100, replace=False) if w not in UNSEEN.values()
    ]
    for unseen, relative in UNSEEN.items():
        assert unseen not in vectors and relative in vectors
        assert vectors[unseen].shape == (30,) and np.isfinite(vectors[unseen]).all()
        assert _rank_among(vectors, unseen, relative, others) <= 2, unseen


def test_output_keeps_model_bin_and_matches_it(trained):
    vectors, out = trained
    info = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    meta = info["meta"]
    assert meta["method"] == "fasttext"
    assert meta["subwords"] == {"format": "fasttext-bin", "file": "model.bin"}
    assert "model.bin" in meta["files"] and "vectors.vec" in meta["files"]
    assert meta["params"]["sg"] is True and meta["params"]["minn"] == 3 and meta["params"]["maxn"] == 6
    assert meta["versions"]["fasttext"]
    kv = load_facebook_vectors(str(out / "model.bin"))
    assert kv.index_to_key == vectors.words
    np.testing.assert_allclose(kv.vectors, vectors.vectors, atol=1e-6)
    np.testing.assert_allclose(kv["governments"], vectors["governments"], atol=1e-6)
    vec = load_vectors(out / "vectors.vec")
    np.testing.assert_allclose(vec.vectors, vectors.vectors, atol=1e-5)


def test_word_vectors_are_gensims_adjust_vectors_bit_for_bit(trained):
    """nlptk's vectorised mean of word and n-gram rows gives the very bits gensim's loop gives."""
    from gensim.models.fasttext import FastTextKeyedVectors

    from nlptk.embed.fasttext import _word_vectors

    vectors, _ = trained
    rng = np.random.default_rng(0)
    kv = FastTextKeyedVectors(30, 3, 6, 5_000, count=0)
    kv.index_to_key = [*vectors.words[:300], "a", "ab"]  # short words: few or no n-grams
    kv.vectors_vocab = rng.standard_normal((len(kv.index_to_key), 30), dtype=np.float32)
    kv.vectors_ngrams = rng.standard_normal((5_000, 30), dtype=np.float32)
    kv.recalc_char_ngram_buckets()
    kv.adjust_vectors()
    assert np.array_equal(_word_vectors(kv.vectors_vocab, kv.vectors_ngrams, kv.buckets_word), kv.vectors)


def test_loading_the_output_folder_gives_subword_vectors(trained):
    vectors, out = trained
    loaded = load_vectors(out)
    np.testing.assert_allclose(np.asarray(loaded.vectors), vectors.vectors)
    assert loaded.has_subwords  # meta["subwords"] leads the loader to model.bin
    assert loaded.subword_model == (out / "model.bin").resolve()
    assert vectors.subword_model == out / "model.bin"  # repointed when the folder was renamed
    np.testing.assert_allclose(loaded["governments"], vectors["governments"], atol=1e-6)
    assert "governmentz" not in loaded.key_to_index  # an unseen word still gets its subword vector
    np.testing.assert_allclose(loaded["governmentz"], vectors["governmentz"], atol=1e-6)


def test_library_use_without_output_folder(tmp_path):
    vectors = nlptk.train_embeddings(
        LEE, "fasttext", cache_dir=tmp_path, dim=8, epochs=1, min_count=3, bucket=1000, workers=1
    )
    assert vectors.has_subwords and vectors["unseenword"].shape == (8,)
    assert "files" not in vectors.meta or "model.bin" not in vectors.meta["files"]
    assert list(tmp_path.iterdir()) == [tmp_path / "tokens"]


def test_no_subwords_with_maxn_zero(tmp_path):
    vectors = nlptk.train_embeddings(
        LEE, "fasttext", cache_dir=tmp_path, dim=8, epochs=1, min_count=3, maxn=0
    )
    assert not vectors.has_subwords and len(vectors) == len(set(vectors.words))


def test_empty_vocabulary_after_min_count(tmp_path):
    with pytest.raises(DataError, match=r"min_count=100000.*most frequent word occurs \d+ times"):
        nlptk.train_embeddings(LEE, "fasttext", cache_dir=tmp_path, min_count=100_000, bucket=1000)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dim": 0}, "dim=0 must be an integer >= 1"),
        ({"model": "bogus"}, "model='bogus' is not one of skipgram, cbow"),
        ({"minn": 5, "maxn": 3}, r"minn\(5\) must be <= maxn\(3\)"),
        ({"hs": True}, "'hs' does not apply to fasttext"),
    ],
)
@pytest.mark.filterwarnings("ignore:train_fasttext.model=:DeprecationWarning")
def test_bad_parameters(tmp_path, params, message):
    with pytest.raises(ParameterError, match=message):
        nlptk.train_embeddings(LEE, "fasttext", cache_dir=tmp_path, **params)


def test_model_is_a_deprecated_name_for_sg(tmp_path):
    with pytest.warns(DeprecationWarning, match="use sg=True"):
        config = nlptk.embed.pipeline.make_params("fasttext", {"model": "cbow"})
    assert config.sg is False
    with pytest.warns(DeprecationWarning), pytest.raises(ParameterError, match="disagree"):
        nlptk.embed.pipeline.make_params("fasttext", {"model": "cbow", "sg": True})
