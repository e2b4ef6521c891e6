"""The Vectors container's state: the gensim view follows reassigned words, vectors and counts."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.test.utils import datapath

from nlptk.errors import ParameterError, VocabularyError
from nlptk.vectors import Vectors, load_vectors


@pytest.fixture
def three() -> Vectors:
    return Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32), counts=[3, 2, 1])


def test_reassigned_vectors_reach_the_gensim_view(three):
    assert three.most_similar("a", topn=2) == [("b", 0.0), ("c", 0.0)]  # builds the view
    # "a" and "b" now point the same way, "c" elsewhere
    three.vectors = np.array([[1, 0, 0], [1, 0.1, 0], [0, 0, 1]], dtype=np.float32)
    assert three.to_gensim().vectors is three.vectors
    best, score = three.most_similar("a", topn=1)[0]
    assert best == "b" and score > 0.99


def test_reassigned_words_reach_the_index_and_the_gensim_view(three):
    assert "a" in three and three.to_gensim().key_to_index["a"] == 0
    three.words = ["x", "y", "z"]
    assert "x" in three and "a" not in three and three.index("z") == 2
    kv = three.to_gensim()
    assert kv.index_to_key == ["x", "y", "z"] and kv.key_to_index == {"x": 0, "y": 1, "z": 2}
    with pytest.raises(VocabularyError):
        three.most_similar("a")
    assert [w for w, _ in three.most_similar("x", topn=2)] == ["y", "z"]


def test_reassigned_counts_reach_the_gensim_view(three):
    assert three.to_gensim().expandos["count"].tolist() == [3, 2, 1]
    three.counts = [30, 20, 10]
    assert three.counts.dtype == np.int64
    assert three.to_gensim().expandos["count"].tolist() == [30, 20, 10]


def test_fasttext_subwords_stay_with_new_vectors_and_go_with_new_words():
    v = load_vectors(datapath("lee_fasttext.bin"))
    assert v.has_subwords
    unseen = "bushfiresxyz"
    subword_vector = v.get_vector(unseen).copy()
    norms = np.linalg.norm(v.vectors, axis=1, keepdims=True)
    v.vectors = (v.vectors / np.where(norms > 0, norms, 1)).astype(np.float32)
    assert v.has_subwords and v.to_gensim().vectors is v.vectors
    assert np.allclose(v.get_vector(unseen), subword_vector)  # subwords untouched
    word = v.words[5]
    assert np.isclose(np.linalg.norm(v.to_gensim().get_vector(word)), 1.0, atol=1e-5)
    v.words = [f"w{i}" for i in range(len(v))]
    assert not v.has_subwords and v.to_gensim().index_to_key[0] == "w0"
    with pytest.raises(VocabularyError):
        v.get_vector(unseen)


def test_an_index_given_by_a_reader_is_used_and_checked() -> None:
    words = ["a", "b", "c"]
    matrix = np.eye(3, dtype=np.float32)
    index = {"a": 0, "b": 1, "c": 2}
    v = Vectors(words, matrix, key_to_index=index)
    assert v.key_to_index is index and v["b"].tolist() == [0.0, 1.0, 0.0]
    with pytest.raises(ParameterError, match="index of 2 words for 3 words"):
        Vectors(words, matrix, key_to_index={"a": 0, "b": 1})
