"""Tests of nlptk.text.stats.corpus_stats."""

from __future__ import annotations

import pytest

from nlptk.errors import DataError
from nlptk.text.corpus import TextLineCorpus
from nlptk.text.stats import corpus_stats


def test_counts_on_a_small_corpus():
    stats = corpus_stats(["the cat sat on the mat", "the dog", "!!!"], top=2)
    assert stats.documents == 3 and stats.empty_documents == 1
    assert stats.tokens == 8 and stats.vocabulary_size == 6 and stats.hapax == 5
    assert stats.top == [("the", 3), ("cat", 1)]
    assert stats.max_length == 6 and stats.min_length == 0 and stats.median_length == 2.0
    assert stats.mean_length == pytest.approx(8 / 3)
    assert stats.coverage == {}  # fewer than 1,000 types: no cut to report
    assert stats.tokenizer["name"] == "regex"


def test_tokenizer_choice_changes_counts():
    assert corpus_stats(["It 's A film ."], "whitespace").tokens == 5
    assert corpus_stats(["It 's A film ."]).tokens == 4  # regex drops punctuation, splits "'s" off as "s"


def test_lee_background_by_name_and_coverage(tmp_path):
    stats = corpus_stats("lee_background", top=5)
    assert stats.documents == 300
    assert 55_000 < stats.tokens < 65_000 and 7_000 < stats.vocabulary_size < 8_500
    assert stats.top[0][0] == "the"
    assert 0.5 < stats.coverage["top_1000"] < 1.0
    d = stats.to_dict()
    assert d["top"][0] == ["the", stats.top[0][1]] and d["source"]["kind"] == "TextLineCorpus"


def test_streams_a_file_corpus_and_rejects_empty(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("a b\n\nb c\n", encoding="utf-8")
    stats = corpus_stats(TextLineCorpus(path))
    assert stats.documents == 2 and stats.tokens == 4
    with pytest.raises(DataError, match="no documents"):
        corpus_stats([])
