"""The train() entry point around the trainers: tokens cache, output folder, bad input, Ctrl-C."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pytest
from gensim.test.utils import datapath

import nlptk.embed
from nlptk.embed import tokens_cache
from nlptk.embed.tokens_cache import tokenize_to_cache
from nlptk.errors import DataError, EncodingError, InputFileError, OutputExistsError
from nlptk.text.corpus import ColumnCorpus, TextLineCorpus
from nlptk.text.tokenize import RegexTokenizer, WhitespaceTokenizer

LEE = datapath("lee_background.cor")
FAST = {"dim": 8, "epochs": 1, "min_count": 2, "workers": 1}


@pytest.fixture
def lee_copy(tmp_path):
    path = tmp_path / "lee.txt"
    shutil.copy(LEE, path)
    return path


def test_cache_is_reused_and_not_retokenized(tmp_path, lee_copy, caplog):
    cache = tmp_path / "cache"
    first = nlptk.train_embeddings(lee_copy, cache_dir=cache, **FAST)
    tokens_file = first.meta["corpus"]["tokens_file"]
    sidecar = tokens_file.replace(".tokens.txt", ".json")
    info = json.loads(Path(sidecar).read_text(encoding="utf-8"))
    assert info["documents"] == 300 and info["tokens"] == first.meta["corpus"]["tokens"]
    assert info["tokenizer"]["name"] == "regex" and str(lee_copy) in info["fingerprint"]
    stamps = (os.stat(tokens_file).st_mtime_ns, os.stat(sidecar).st_mtime_ns)
    with caplog.at_level(logging.INFO, logger="nlptk"):
        second = nlptk.train_embeddings(lee_copy, cache_dir=cache, **FAST)
    assert "reusing tokenized cache" in caplog.text
    assert second.meta["corpus"]["tokens_cache_reused"] is True
    assert (os.stat(tokens_file).st_mtime_ns, os.stat(sidecar).st_mtime_ns) == stamps
    assert len(list((cache / "tokens").glob("*.tokens.txt"))) == 1


def test_changed_corpus_or_tokenizer_gives_a_new_cache_entry(tmp_path, lee_copy):
    cache = tmp_path / "cache"
    nlptk.train_embeddings(lee_copy, cache_dir=cache, **FAST)
    nlptk.train_embeddings(lee_copy, cache_dir=cache, tokenizer="whitespace", **FAST)
    with open(lee_copy, "a", encoding="utf-8") as fh:
        fh.write("\none more document about the police\n")
    changed = nlptk.train_embeddings(lee_copy, cache_dir=cache, **FAST)
    assert changed.meta["corpus"]["tokens_cache_reused"] is False
    assert changed.meta["corpus"]["documents"] == 301
    assert len(list((cache / "tokens").glob("*.tokens.txt"))) == 3


def test_corpus_that_disappears_between_runs(tmp_path, lee_copy):
    nlptk.train_embeddings(lee_copy, cache_dir=tmp_path / "cache", **FAST)
    lee_copy.unlink()
    with pytest.raises(InputFileError, match="not found"):
        nlptk.train_embeddings(lee_copy, cache_dir=tmp_path / "cache", **FAST)


def test_corpus_with_no_tokens(tmp_path):
    corpus = tmp_path / "punct.txt"
    corpus.write_text("... !!!\n---\n", encoding="utf-8")
    with pytest.raises(DataError, match="no tokens after tokenization"):
        nlptk.train_embeddings(corpus, cache_dir=tmp_path / "cache", **FAST)
    assert not (tmp_path / "cache").exists()  # nothing half-written is cached, not even a folder


def test_existing_output_refused_without_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(OutputExistsError, match="already exists"):
        nlptk.train_embeddings(LEE, out=out, cache_dir=tmp_path / "cache", **FAST)
    assert (out / "mine.txt").read_text() == "keep me"
    nlptk.train_embeddings(LEE, out=out, force=True, cache_dir=tmp_path / "cache", **FAST)
    assert (out / "vectors.npy").is_file() and not (out / "mine.txt").exists()


def test_ctrl_c_during_training_leaves_no_output(tmp_path, monkeypatch):
    from gensim.models.word2vec import Word2Vec

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Word2Vec, "train", interrupted)
    with pytest.raises(KeyboardInterrupt):
        nlptk.train_embeddings(LEE, out=tmp_path / "out", cache_dir=tmp_path / "cache", **FAST)
    assert [p.name for p in tmp_path.iterdir()] == ["cache"]


def test_parallel_blocks_match_serial_tokenization(tmp_path, monkeypatch):
    corpus = TextLineCorpus(LEE)
    serial = tokenize_to_cache(corpus, RegexTokenizer(), cache_dir=tmp_path / "a", processes=1)
    monkeypatch.setattr(tokens_cache, "_BLOCK_BYTES", 8192)
    monkeypatch.setattr(tokens_cache, "_PARALLEL_MIN_BYTES", 0)
    parallel = tokenize_to_cache(corpus, RegexTokenizer(), cache_dir=tmp_path / "b", processes=2)
    assert parallel.path.read_bytes() == serial.path.read_bytes()
    assert (parallel.documents, parallel.tokens) == (serial.documents, serial.tokens) == (300, serial.tokens)
    lines = Path(LEE).read_text(encoding="utf-8").split("\n")
    expected = sum(len(RegexTokenizer()(line)) for line in lines)
    assert serial.tokens == expected


def test_whitespace_tokenizer_normalises_spacing(tmp_path):
    corpus = tmp_path / "pre.txt"
    corpus.write_text("It 's\ta  GOOD film .\r\n\n   \nSecond  line\n", encoding="utf-8")
    cache = tokenize_to_cache(TextLineCorpus(corpus), WhitespaceTokenizer(), cache_dir=tmp_path)
    assert cache.path.read_text(encoding="utf-8") == "It 's a GOOD film .\nSecond line\n"
    assert (cache.documents, cache.tokens) == (2, 8)


@pytest.mark.parametrize("parallel", [False, True])
def test_undecodable_byte_names_line_and_offset(tmp_path, monkeypatch, parallel):
    corpus = tmp_path / "latin1.txt"
    corpus.write_bytes("first line\nsecond caf\u00e9 line\n".encode("latin-1"))
    if parallel:
        monkeypatch.setattr(tokens_cache, "_BLOCK_BYTES", 4)
        monkeypatch.setattr(tokens_cache, "_PARALLEL_MIN_BYTES", 0)
    with pytest.raises(EncodingError, match=r"line 2: cannot decode byte 0xe9 at byte offset 21") as info:
        tokenize_to_cache(TextLineCorpus(corpus), RegexTokenizer(), cache_dir=tmp_path / "c", processes=2)
    assert info.value.byte_offset == 21
    ok = tokenize_to_cache(
        TextLineCorpus(corpus, encoding="latin-1"), RegexTokenizer(), cache_dir=tmp_path / "c"
    )
    assert ok.path.read_text(encoding="utf-8") == "first line\nsecond café line\n"


def test_column_corpus_goes_through_the_general_path(tmp_path):
    table = tmp_path / "docs.csv"
    table.write_text('id,text\n1,"The police, the fire."\n2,\n3,"Fire crews!"\n', encoding="utf-8")
    cache = tokenize_to_cache(ColumnCorpus(table, column="text"), RegexTokenizer(), cache_dir=tmp_path)
    assert cache.path.read_text(encoding="utf-8") == "the police the fire\nfire crews\n"


def test_default_cache_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NLPTK_CACHE", str(tmp_path / "env-cache"))
    vectors = nlptk.train_embeddings(LEE, **FAST)
    assert vectors.meta["corpus"]["tokens_file"].startswith(str(tmp_path / "env-cache"))
