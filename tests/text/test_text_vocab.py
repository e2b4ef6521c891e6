"""Tests of nlptk.text.vocab."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nlptk.errors import DataError, FormatError, OutputExistsError, ParameterError, VocabularyError
from nlptk.text.vocab import Vocabulary

DOCS = [["the", "cat", "sat"], ["the", "dog", "sat"], ["the", "end"]]


def test_build_orders_by_count_then_word_and_records_totals():
    v = Vocabulary.build(DOCS)
    assert v.words == ["the", "sat", "cat", "dog", "end"]
    assert v.counts.dtype == np.int64
    assert v.counts.tolist() == [3, 2, 1, 1, 1]
    assert v.n_documents == 3
    assert v.n_tokens == 8


def test_build_min_count_max_size_and_specials():
    v = Vocabulary.build(DOCS, min_count=2, specials=["<pad>", "<unk>"])
    assert v.words == ["<pad>", "<unk>", "the", "sat"]
    assert v.counts.tolist() == [0, 0, 3, 2]
    assert v.n_tokens == 8  # all tokens seen, not only those kept
    v2 = Vocabulary.build(DOCS, max_size=2, specials=["<pad>"])
    assert v2.words == ["<pad>", "the", "sat"]


def test_build_accepts_a_generator_single_pass():
    v = Vocabulary.build(doc for doc in DOCS)
    assert len(v) == 5


def test_build_empty_and_too_rare_raise_data_error():
    with pytest.raises(DataError, match="no tokens"):
        Vocabulary.build([[], []])
    with pytest.raises(DataError, match="min_count=5"):
        Vocabulary.build(DOCS, min_count=5)
    with pytest.raises(ParameterError):
        Vocabulary.build(DOCS, min_count=0)


def test_lookup_contains_iter_get_and_unknown_error():
    v = Vocabulary(["a", "b"], [5, 3], specials=["<unk>"])
    assert v["<unk>"] == 0 and v["a"] == 1 and v["b"] == 2
    assert "a" in v and "z" not in v
    assert list(v) == ["<unk>", "a", "b"]
    assert v.get("z") is None and v.get("z", 0) == 0
    with pytest.raises(VocabularyError) as info:
        v["zebra"]
    assert "\n" not in str(info.value) and "'zebra'" in str(info.value)
    assert isinstance(info.value, KeyError)


def test_encode_drops_or_maps_unknown():
    v = Vocabulary(["a", "b"], specials=["<pad>", "<unk>"])
    assert v.encode(["a", "x", "b"]) == [2, 3]
    assert v.encode(["a", "x", "b"], unknown=1) == [2, 1, 3]
    assert v.decode([2, 3]) == ["a", "b"]


def test_duplicate_words_and_count_length_mismatch_rejected():
    with pytest.raises(ParameterError, match="'a' appears more than once"):
        Vocabulary(["a", "b", "a"])
    with pytest.raises(ParameterError, match="2 words but 1 counts"):
        Vocabulary(["a", "b"], [1])


def test_dict_and_file_round_trip(tmp_path):
    v = Vocabulary.build(DOCS, specials=["<pad>"])
    again = Vocabulary.from_dict(json.loads(json.dumps(v.to_dict())))
    assert again == v and again.n_documents == 3 and again.n_tokens == 8
    path = tmp_path / "vocab.json"
    v.save(path)
    loaded = Vocabulary.load(path)
    assert loaded == v and loaded.specials == ["<pad>"]
    with pytest.raises(OutputExistsError):
        v.save(path)
    v.save(path, force=True)


def test_load_bad_json_is_format_error(tmp_path):
    bad = tmp_path / "vocab.json"
    bad.write_text('{"words": ["a",', encoding="utf-8")
    with pytest.raises(FormatError, match="not a valid JSON vocabulary"):
        Vocabulary.load(bad)
    bad.write_text('{"nothing": 1}', encoding="utf-8")
    with pytest.raises(FormatError, match=r"vocab\.json"):
        Vocabulary.load(bad)
