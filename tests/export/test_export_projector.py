"""Projector export: the file format rules, selection of words, metadata columns, bad input."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from nlptk.errors import DataError, FormatError, OutputExistsError, ParameterError
from nlptk.export.projector import (
    escape_cell,
    export_documents,
    export_lsa_documents,
    export_projector,
    read_metadata_table,
    read_word_list,
)
from nlptk.vectors.container import Vectors


@pytest.fixture
def vectors() -> Vectors:
    rng = np.random.default_rng(0)
    words = ["the", "king", "queen", "new\tyork", "line\nbreak", "car\rriage", "apple", "pear"]
    return Vectors(words, rng.normal(size=(8, 5)).astype(np.float32), counts=[80, 70, 60, 50, 40, 30, 20, 10])


def _read_vectors_tsv(path):
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""  # ends with a newline
    return np.array([[float(x) for x in line.split("\t")] for line in lines[:-1]])


def _lines(path):
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return text[:-1].split("\n")


def test_single_column_has_no_header_and_rows_match(vectors, tmp_path):
    result = export_projector(vectors, tmp_path / "p")
    out = tmp_path / "p"
    meta = _lines(out / "metadata.tsv")
    assert meta == ["the", "king", "queen", "new\\tyork", "line\\nbreak", "car\\rriage", "apple", "pear"]
    matrix = _read_vectors_tsv(out / "vectors.tsv")
    assert matrix.shape == (8, 5) == (result.n_rows, result.dim)
    np.testing.assert_allclose(matrix, vectors.vectors, rtol=1e-5)
    assert result.columns == ["word"] and result.missing_words == []
    assert sorted(p.name for p in result.files) == [
        "metadata.tsv",
        "projector_config.json",
        "projector_config.pbtxt",
        "vectors.tsv",
    ]


def test_several_columns_have_a_header_row(vectors, tmp_path):
    export_projector(vectors, tmp_path / "p", metadata=["word", "count", "rank"])
    meta = _lines(tmp_path / "p" / "metadata.tsv")
    assert meta[0] == "word\tcount\trank"
    assert meta[2] == "king\t70\t2"
    assert len(meta) == 1 + 8
    assert all(len(row.split("\t")) == 3 for row in meta)


def test_config_files_describe_the_tensor(vectors, tmp_path):
    export_projector(vectors, tmp_path / "p", limit=3, tensor_name="my vectors")
    config = json.loads((tmp_path / "p" / "projector_config.json").read_text())
    assert config == {
        "embeddings": [
            {
                "tensorName": "my vectors",
                "tensorShape": [3, 5],
                "tensorPath": "vectors.tsv",
                "metadataPath": "metadata.tsv",
            }
        ]
    }
    pbtxt = (tmp_path / "p" / "projector_config.pbtxt").read_text()
    assert re.search(r'embeddings \{\s+tensor_name: "my vectors"', pbtxt)
    assert 'tensor_path: "vectors.tsv"' in pbtxt and 'metadata_path: "metadata.tsv"' in pbtxt
    assert re.findall(r"tensor_shape: (\d+)", pbtxt) == ["3", "5"]


def test_limit_words_and_normalize(vectors, tmp_path):
    export_projector(vectors, tmp_path / "a", limit=2)
    assert _lines(tmp_path / "a" / "metadata.tsv") == ["the", "king"]
    result = export_projector(
        vectors, tmp_path / "b", words=["pear", "king", "pear", "apple"], limit=2, normalize=True
    )
    assert _lines(tmp_path / "b" / "metadata.tsv") == ["pear", "king"]
    matrix = _read_vectors_tsv(tmp_path / "b" / "vectors.tsv")
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, rtol=1e-5)
    assert result.n_rows == 2


def test_unknown_words_are_reported_not_silently_dropped(vectors, tmp_path, caplog):
    with caplog.at_level("WARNING", logger="nlptk.export.projector"):
        result = export_projector(vectors, tmp_path / "p", words=["king", "zebra", "queen", "unicorn"])
    assert result.missing_words == ["zebra", "unicorn"]
    assert "2 of 4 words are not in the vocabulary: 'zebra', 'unicorn'" in caplog.text
    assert _lines(tmp_path / "p" / "missing_words.txt") == ["zebra", "unicorn"]
    assert _lines(tmp_path / "p" / "metadata.tsv") == ["king", "queen"]
    with pytest.raises(DataError, match="2 of 4 words are not in the vocabulary"):
        export_projector(
            vectors, tmp_path / "q", words=["king", "zebra", "queen", "unicorn"], on_missing="error"
        )
    assert not (tmp_path / "q").exists()


def test_empty_selection_is_an_error(vectors, tmp_path):
    with pytest.raises(DataError, match="none of the 2 words asked for is in the vocabulary"):
        export_projector(vectors, tmp_path / "p", words=["zebra", "unicorn"])
    with pytest.raises(ParameterError, match="limit must be >= 1"):
        export_projector(vectors, tmp_path / "p", limit=0)
    assert not (tmp_path / "p").exists()


def test_unknown_metadata_column_lists_the_available_ones(vectors, tmp_path):
    with pytest.raises(
        ParameterError, match="no metadata column 'cluster'; available columns: word, count, rank"
    ):
        export_projector(vectors, tmp_path / "p", metadata=["word", "cluster"])
    no_counts = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    with pytest.raises(
        ParameterError, match=r"'count' \(these vectors have no counts\); available columns: word, rank"
    ):
        export_projector(no_counts, tmp_path / "p", metadata=["count"])


def test_existing_output_is_refused_without_force(vectors, tmp_path):
    out = tmp_path / "p"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(OutputExistsError):
        export_projector(vectors, out)
    assert (out / "mine.txt").read_text() == "keep me"
    export_projector(vectors, out, force=True)
    assert (out / "vectors.tsv").exists() and not (out / "mine.txt").exists()


def test_extra_columns_from_a_tsv_file(vectors, tmp_path):
    table = tmp_path / "clusters.tsv"
    table.write_text(
        "word\tcluster\tkind\nking\t1\troyal\nqueen\t1\troyal\napple\t2\tfruit\n", encoding="utf-8"
    )
    extra = read_metadata_table(table)
    assert extra == {
        "cluster": {"king": "1", "queen": "1", "apple": "2"},
        "kind": {"king": "royal", "queen": "royal", "apple": "fruit"},
    }
    result = export_projector(vectors, tmp_path / "p", words=["king", "apple", "pear"], extra_columns=extra)
    assert result.columns == ["word", "cluster", "kind"]
    assert _lines(tmp_path / "p" / "metadata.tsv") == [
        "word\tcluster\tkind",
        "king\t1\troyal",
        "apple\t2\tfruit",
        "pear\t\t",
    ]
    bad = tmp_path / "bad.tsv"
    bad.write_text("word\tcluster\nking\t1\textra\n", encoding="utf-8")
    with pytest.raises(FormatError, match="line 2: has 3 tab-separated fields, expected 2"):
        read_metadata_table(bad)


def test_documents_with_classifier_metadata_in_one_call(tmp_path):
    reps = np.random.default_rng(1).normal(size=(3, 4))
    long_text = "word " * 100
    result = export_documents(
        reps,
        tmp_path / "d",
        metadata={
            "text": ["a good\tfilm", "bad\nmovie", long_text],
            "true_label": ["pos", "neg", "pos"],
            "predicted_label": ["pos", "pos", "pos"],
            "confidence": [0.91234, 0.5, np.float32(0.75)],
        },
    )
    meta = _lines(tmp_path / "d" / "metadata.tsv")
    assert meta[0] == "text\ttrue_label\tpredicted_label\tconfidence"
    assert meta[1] == "a good\\tfilm\tpos\tpos\t0.9123"
    assert meta[2] == "bad\\nmovie\tneg\tpos\t0.5"
    assert len(meta[3].split("\t")[0]) == 200 and meta[3].split("\t")[0].endswith("…")
    assert result.n_rows == 3 and len(meta) == 4
    with pytest.raises(DataError, match="has 2 values for 3 vectors"):
        export_documents(reps, tmp_path / "e", metadata={"text": ["a", "b"]})
    with pytest.raises(DataError, match="NaN"):
        export_documents(np.array([[1.0, np.nan]]), tmp_path / "f", metadata={"text": ["x"]})
    assert not (tmp_path / "f").exists()


def test_single_column_empty_values_keep_their_row(tmp_path):
    export_documents(np.eye(3), tmp_path / "d", metadata={"text": ["a", "", "c"]})
    assert _lines(tmp_path / "d" / "metadata.tsv") == ["a", "<empty>", "c"]


def test_lsa_documents_and_term_vectors(tmp_path):
    from gensim.test.utils import datapath

    from nlptk.embed.lsa import LSA
    from nlptk.text.corpus import TextLineCorpus

    docs = list(TextLineCorpus(datapath("lee_background.cor")))[:60]
    model = LSA(n_topics=10).fit(docs)
    model.save(tmp_path / "m")
    result = export_lsa_documents(tmp_path / "m", tmp_path / "docs", limit=20)
    meta = _lines(tmp_path / "docs" / "metadata.tsv")
    assert meta[0] == "id\ttext" and meta[1].startswith("0\tHundreds of people")
    assert (result.n_rows, result.dim) == (20, 10)
    terms = export_projector(tmp_path / "m", tmp_path / "terms", limit=50, metadata=["word", "count"])
    assert (terms.n_rows, terms.dim) == (50, 10)


def test_helpers():
    assert escape_cell("a\tb\nc\rd") == "a\\tb\\nc\\rd"
    assert escape_cell(None) == "" and escape_cell(2.0) == "2"


def test_read_word_list(tmp_path):
    f = tmp_path / "w.txt"
    f.write_text(" king \n\nqueen\tx\nking\n", encoding="utf-8")
    assert read_word_list(f) == ["king", "queen"]
    f.write_text("\n \n", encoding="utf-8")
    with pytest.raises(DataError, match="lists no words"):
        read_word_list(f)
