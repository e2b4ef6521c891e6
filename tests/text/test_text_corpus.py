"""Tests of nlptk.text.corpus: streaming, re-iterable readers over files, folders and tables."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma

import pytest

from nlptk.errors import EncodingError, FormatError, InputFileError, ParameterError
from nlptk.text.corpus import (
    ColumnCorpus,
    DirectoryCorpus,
    TextLineCorpus,
    TokenizedCorpus,
    ensure_reiterable,
    iter_table_rows,
    open_corpus,
)

LINES = ["The cat sat.", "", "A dog ran!", "  ", "Birds fly"]
TEXT = "\n".join(LINES) + "\n"


def test_text_lines_skip_blank_and_reiterate(tmp_path):
    path = tmp_path / "docs.txt"
    path.write_text(TEXT, encoding="utf-8")
    corpus = TextLineCorpus(path)
    first, second = list(corpus), list(corpus)
    assert first == second == ["The cat sat.", "A dog ran!", "Birds fly"]
    assert list(TextLineCorpus(path, limit=2)) == ["The cat sat.", "A dog ran!"]


@pytest.mark.parametrize("suffix, opener", [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)])
def test_compressed_files_read_like_plain(tmp_path, suffix, opener):
    path = tmp_path / f"docs.txt{suffix}"
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write(TEXT)
    corpus = open_corpus(path)
    assert isinstance(corpus, TextLineCorpus)
    assert list(corpus) == ["The cat sat.", "A dog ran!", "Birds fly"]
    assert list(corpus) == list(corpus)  # re-iterable: reopens the file


def test_folder_corpus_one_document_per_file_sorted_recursive(tmp_path):
    (tmp_path / "b.txt").write_text("second doc\nline two", encoding="utf-8")
    (tmp_path / "a.txt").write_text("first doc", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("third", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    corpus = open_corpus(tmp_path)
    assert isinstance(corpus, DirectoryCorpus)
    assert list(corpus) == ["first doc", "second doc\nline two", "third"]
    assert list(corpus) == list(corpus)


def test_folder_without_matching_files_is_an_input_error(tmp_path):
    (tmp_path / "x.md").write_text("x", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"no files matching '\*\.txt'"):
        DirectoryCorpus(tmp_path)


def test_csv_tsv_jsonl_columns(tmp_path):
    csv_path = tmp_path / "d.csv"
    csv_path.write_text('id,text\n1,"hello, world"\n2,"two\nlines"\n3,\n', encoding="utf-8")
    assert list(open_corpus(csv_path)) == ["hello, world", "two\nlines"]
    tsv_path = tmp_path / "d.tsv"
    tsv_path.write_text('sentence\tlabel\nit \'s a "great" film\t1\nbad\t0\n', encoding="utf-8")
    assert list(ColumnCorpus(tsv_path, column="sentence")) == ['it \'s a "great" film', "bad"]
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text(json.dumps({"body": "first"}) + "\n\n" + json.dumps({"body": "second"}) + "\n")
    corpus = open_corpus(jsonl, column="body")
    assert list(corpus) == list(corpus) == ["first", "second"]


def test_table_rows_report_line_numbers(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('text\n"a\nb"\nc\n', encoding="utf-8")
    assert [(n, r["text"]) for n, r in iter_table_rows(path)] == [(3, "a\nb"), (4, "c")]


def test_missing_column_names_the_columns(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("title,body\nx,y\n", encoding="utf-8")
    with pytest.raises(FormatError) as info:
        ColumnCorpus(path, column="text")
    message = str(info.value)
    assert "no column 'text'" in message and "title, body" in message and "d.csv" in message


def test_bad_jsonl_line_is_a_format_error_with_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "ok"}\n{"text": \n', encoding="utf-8")
    with pytest.raises(FormatError) as info:
        list(ColumnCorpus(path))
    assert info.value.line == 2


def test_latin1_read_as_utf8_names_byte_offset_and_latin1_fixes_it(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("first line\ncaf\u00e9 au lait\n".encode("latin-1"))
    with pytest.raises(EncodingError) as info:
        list(TextLineCorpus(path))
    err = info.value
    assert err.byte_offset == 14 and err.line == 2
    assert "byte offset 14" in str(err) and "latin.txt" in str(err) and "\n" not in str(err)
    assert list(TextLineCorpus(path, encoding="latin-1"))[1] == "café au lait"


def test_latin1_csv_gives_encoding_error_with_byte_offset(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("text\nna\u00efve\n".encode("latin-1"))
    with pytest.raises(EncodingError) as info:
        list(ColumnCorpus(path))
    assert info.value.byte_offset == 7
    assert list(ColumnCorpus(path, encoding="latin-1")) == ["naïve"]


def test_missing_empty_and_folder_inputs(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        TextLineCorpus(tmp_path / "nope.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(InputFileError, match="empty"):
        TextLineCorpus(empty)
    with pytest.raises(InputFileError, match="found a folder"):
        TextLineCorpus(tmp_path)


def test_ensure_reiterable_rejects_generators_and_iterators():
    with pytest.raises(ParameterError, match="one-shot iterator"):
        ensure_reiterable(line for line in ["a"])
    with pytest.raises(ParameterError):
        TokenizedCorpus(iter(["a b"]))
    docs = ["a b", "c"]
    assert ensure_reiterable(docs) is docs


def test_tokenized_corpus_skips_documents_without_tokens_and_reiterates():
    corpus = TokenizedCorpus(["Hello, World!", "...", "Bye"])
    assert list(corpus) == list(corpus) == [["hello", "world"], ["bye"]]
    assert list(TokenizedCorpus(["A b"], "whitespace")) == [["A", "b"]]


def test_open_corpus_registry_name_uses_registry_encoding():
    corpus = open_corpus("lee")  # gensim's lee.cor is cp1252, not UTF-8
    docs = list(corpus)
    assert len(docs) == 50 and any("£" in d for d in docs)
    assert sum(1 for _ in open_corpus("lee_background")) == 300


def test_fingerprint_changes_when_file_changes(tmp_path):
    path = tmp_path / "docs.txt"
    path.write_text("one\n", encoding="utf-8")
    before = TextLineCorpus(path).fingerprint()
    path.write_text("one\ntwo\n", encoding="utf-8")
    assert TextLineCorpus(path).fingerprint() != before
