"""Every vectors format: round trips, detection, limit, and each kind of malformed input."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors
from gensim.test.utils import datapath

from nlptk.errors import (
    EncodingError,
    FormatError,
    IncompatibleModelError,
    InputFileError,
    OutputExistsError,
    ParameterError,
    VocabularyError,
)
from nlptk.vectors import FORMATS, Vectors, _word2vec, detect_format, load_vectors, save_vectors

WORDS = ["the", "king", "queen", "Straße", "naïve"]


@pytest.fixture
def five_vectors() -> Vectors:
    rng = np.random.default_rng(0)
    return Vectors(
        WORDS,
        rng.standard_normal((5, 4)).astype(np.float32),
        counts=[50, 9, 8, 3, 2],
        meta={"method": "test", "params": {"dim": 4}},
    )


# -- round trips -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fmt", "name", "detected"),
    [
        ("native", "out", "native"),
        ("word2vec", "v.txt", "word2vec"),
        ("fasttext-vec", "v.vec", "word2vec"),
        ("word2vec-binary", "v.bin", "word2vec-binary"),
        ("glove", "g.txt", "glove"),
        ("spacy", "sp", "spacy"),
        ("word2vec", "v.txt.gz", "word2vec"),
        ("glove", "g.txt.bz2", "glove"),
        ("word2vec-binary", "v.bin.xz", "word2vec-binary"),
    ],
)
def test_round_trip_every_format(
    five_vectors: Vectors, tmp_path: Path, fmt: str, name: str, detected: str
) -> None:
    out = tmp_path / name
    save_vectors(five_vectors, out, fmt)
    assert detect_format(out) == detected
    back = load_vectors(out)
    assert back.words == WORDS
    np.testing.assert_array_equal(back.vectors, five_vectors.vectors)  # exact: shortest float32 text
    assert back["Straße"].tolist() == five_vectors["Straße"].tolist()


def test_native_keeps_counts_meta_and_is_memory_mapped(five_vectors: Vectors, tmp_path: Path) -> None:
    five_vectors.save(tmp_path / "nat")
    back = Vectors.load(tmp_path / "nat")
    assert isinstance(back.vectors, np.memmap)
    assert back.counts is not None and back.counts.tolist() == [50, 9, 8, 3, 2]
    assert back.meta == {"method": "test", "params": {"dim": 4}}
    info = json.loads((tmp_path / "nat" / "meta.json").read_text())
    assert (info["dim"], info["n_words"], info["format_version"]) == (4, 5, 1)
    assert "nlptk_version" in info
    assert (tmp_path / "nat" / "vocab.tsv").read_text().splitlines()[0] == "the\t50"


def test_native_escapes_tabs_newlines_and_backslashes(tmp_path: Path) -> None:
    words = ["a\tb", "line\nbreak", "back\\slash", "\\t", "plain", "cr\r"]
    v = Vectors(words, np.arange(12, dtype=np.float32).reshape(6, 2))
    save_vectors(v, tmp_path / "nat")
    assert len((tmp_path / "nat" / "vocab.tsv").read_text().split("\n")) == 7
    back = load_vectors(tmp_path / "nat")
    assert back.words == words
    assert back.counts is None


def test_native_limit_slices_the_memory_map(five_vectors: Vectors, tmp_path: Path) -> None:
    save_vectors(five_vectors, tmp_path / "nat")
    back = load_vectors(tmp_path / "nat", limit=2)
    assert back.words == ["the", "king"]
    assert isinstance(back.vectors, np.memmap) and back.vectors.shape == (2, 4)
    assert back.counts.tolist() == [50, 9]


def test_native_from_a_newer_version_is_refused(five_vectors: Vectors, tmp_path: Path) -> None:
    save_vectors(five_vectors, tmp_path / "nat")
    meta = tmp_path / "nat" / "meta.json"
    info = json.loads(meta.read_text())
    info["format_version"] = 99
    meta.write_text(json.dumps(info))
    with pytest.raises(IncompatibleModelError, match="format_version 99"):
        load_vectors(tmp_path / "nat")


def test_native_with_damaged_vocab_names_the_line(five_vectors: Vectors, tmp_path: Path) -> None:
    save_vectors(five_vectors, tmp_path / "nat")
    vocab = tmp_path / "nat" / "vocab.tsv"
    lines = vocab.read_text().splitlines()
    lines[2] = "queen"  # tab lost
    vocab.write_text("\n".join(lines) + "\n")
    with pytest.raises(FormatError) as info:
        load_vectors(tmp_path / "nat")
    assert info.value.line == 3
    lines[2] = "queen\tmany"
    vocab.write_text("\n".join(lines) + "\n")
    with pytest.raises(FormatError) as info:
        load_vectors(tmp_path / "nat")
    assert info.value.line == 3
    vocab.write_text("\n".join(lines[:3]) + "\n")
    with pytest.raises(FormatError, match="each of the 5 vector rows"):
        load_vectors(tmp_path / "nat")


def test_native_counts_of_every_width(tmp_path: Path) -> None:
    counts = [0, 7, 10, 999, 123456789012, 5]
    v = Vectors([f"w{i}" for i in range(6)], np.zeros((6, 2), np.float32), counts=counts)
    save_vectors(v, tmp_path / "nat")
    assert load_vectors(tmp_path / "nat").counts.tolist() == counts
    assert load_vectors(tmp_path / "nat", limit=4).counts.tolist() == counts[:4]


@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove"])
def test_limit_reads_the_first_words(five_vectors: Vectors, tmp_path: Path, fmt: str) -> None:
    save_vectors(five_vectors, tmp_path / "v", fmt)
    back = load_vectors(tmp_path / "v", fmt, limit=3)
    assert back.words == WORDS[:3]
    np.testing.assert_array_equal(back.vectors, five_vectors.vectors[:3])


def test_text_loader_agrees_with_gensim_across_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many small blocks, CRLF line ends, a trailing space (the C tool's) and exponents."""
    monkeypatch.setattr(_word2vec, "BLOCK_BYTES", 256)
    rng = np.random.default_rng(1)
    m = rng.standard_normal((300, 7)).astype(np.float32) * 1e-3
    lines = [f"w{i} " + " ".join(f"{x:.5e}" for x in row) + " \r\n" for i, row in enumerate(m)]
    path = tmp_path / "v.txt"
    path.write_text("300 7\r\n" + "".join(lines), newline="")
    ours = load_vectors(path)
    theirs = KeyedVectors.load_word2vec_format(str(path))
    assert ours.words == theirs.index_to_key
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    assert load_vectors(path, limit=123).words == theirs.index_to_key[:123]


def test_precision_writes_fewer_digits(five_vectors: Vectors, tmp_path: Path) -> None:
    save_vectors(five_vectors, tmp_path / "v.txt", "word2vec", precision=3)
    first = (tmp_path / "v.txt").read_text().splitlines()[1].split()
    assert first[1:] == [f"{x:.3g}" for x in five_vectors.vectors[0].tolist()]
    np.testing.assert_allclose(
        load_vectors(tmp_path / "v.txt").vectors, five_vectors.vectors, rtol=1e-2, atol=1e-2
    )


def test_gensim_files_read_the_same(tmp_path: Path) -> None:
    glove = load_vectors(datapath("test_glove.txt"))
    assert glove.meta["source_format"] == "glove" and glove.dim == 50
    binary = load_vectors(datapath("euclidean_vectors.bin"))
    kv = KeyedVectors.load_word2vec_format(datapath("euclidean_vectors.bin"), binary=True)
    assert binary.words == kv.index_to_key
    np.testing.assert_array_equal(binary.vectors, kv.vectors)


# -- fastText, spaCy, gensim pickles -----------------------------------------------------
def test_fasttext_bin_gives_vectors_for_unseen_words(tmp_path: Path) -> None:
    v = load_vectors(datapath("lee_fasttext.bin"))
    assert detect_format(datapath("lee_fasttext.bin")) == "fasttext-bin"
    assert detect_format(datapath("toy-model.bin")) == "fasttext-bin"  # with the magic number
    assert v.has_subwords and "zzzunseenword" not in v
    unseen = v["zzzunseenword"]
    assert unseen.shape == (10,) and np.abs(unseen).sum() > 0
    # the .bin can be written again (a copy of the model) ...
    save_vectors(v, tmp_path / "copy.bin", "fasttext-bin")
    assert (tmp_path / "copy.bin").read_bytes() == Path(datapath("lee_fasttext.bin")).read_bytes()
    # ... but not from vectors without a model
    plain = load_vectors(datapath("lee_fasttext.vec"))
    with pytest.raises(ParameterError, match=r"fastText \.bin"):
        save_vectors(plain, tmp_path / "x.bin", "fasttext-bin")
    limited = load_vectors(datapath("lee_fasttext.bin"), limit=5)
    assert len(limited) == 5 and not limited.has_subwords


def test_fasttext_bin_truncated_is_a_format_error(tmp_path: Path) -> None:
    data = Path(datapath("toy-model.bin")).read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match="fastText"):
        load_vectors(tmp_path / "cut.bin")


def test_spacy_pipeline_folder_is_read(five_vectors: Vectors, tmp_path: Path) -> None:
    import spacy

    nlp = spacy.blank("en")
    for word, vec in zip(five_vectors.words, five_vectors.vectors, strict=True):
        nlp.vocab.set_vector(word, vec)
    nlp.to_disk(tmp_path / "pipe")
    assert detect_format(tmp_path / "pipe") == "spacy"
    back = load_vectors(tmp_path / "pipe")
    assert back.words == WORDS
    np.testing.assert_array_equal(back.vectors, five_vectors.vectors)
    assert load_vectors(tmp_path / "pipe", limit=2).words == ["the", "king"]


def test_gensim_pickles_need_trust(five_vectors: Vectors, tmp_path: Path) -> None:
    five_vectors.to_gensim().save(str(tmp_path / "v.kv"))
    assert detect_format(tmp_path / "v.kv") == "gensim"
    with pytest.raises(ParameterError, match="pickles"):
        load_vectors(tmp_path / "v.kv")
    back = load_vectors(tmp_path / "v.kv", trust=True)
    assert back.words == WORDS
    with pytest.raises(ParameterError):
        save_vectors(five_vectors, tmp_path / "o.kv", "gensim")


# -- writers -----------------------------------------------------------------------------
def test_writers_refuse_existing_outputs(five_vectors: Vectors, tmp_path: Path) -> None:
    for fmt, name in (("word2vec", "v.txt"), ("native", "nat"), ("spacy", "sp")):
        save_vectors(five_vectors, tmp_path / name, fmt)
        with pytest.raises(OutputExistsError):
            save_vectors(five_vectors, tmp_path / name, fmt)
        save_vectors(five_vectors, tmp_path / name, fmt, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nat", "sp", "v.txt"]  # no temporaries left


def test_words_with_spaces_cannot_go_to_text(tmp_path: Path) -> None:
    v = Vectors(["new york", "b"], np.eye(2, dtype=np.float32))
    with pytest.raises(ParameterError, match="new york"):
        save_vectors(v, tmp_path / "v.txt", "word2vec")
    assert not (tmp_path / "v.txt").exists()


def test_unknown_format_and_bad_limit(five_vectors: Vectors, tmp_path: Path) -> None:
    save_vectors(five_vectors, tmp_path / "v.txt", "word2vec")
    with pytest.raises(ParameterError, match="unknown vectors format 'word3vec'"):
        load_vectors(tmp_path / "v.txt", "word3vec")
    with pytest.raises(ParameterError, match="limit"):
        load_vectors(tmp_path / "v.txt", limit=0)
    assert "fasttext-vec" in FORMATS


# -- malformed input ---------------------------------------------------------------------
def _write(tmp_path: Path, text: str, name: str = "v.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "fmt", "line", "message"),
    [
        ("3 3\na 1 2 3\nb 1 2\nc 1 2 3\n", "word2vec", 3, "has 2 values, expected 3 (the header says dim=3)"),
        ("a 1 2 3\nb 1 2 3\nc 1 2 3 4\n", "glove", 3, "has 4 values, expected 3 (line 1 has 3)"),
        ("2 3\na 1 2 3\nb 1 x 3\n", "word2vec", 3, "value 2 ('x') is not a number"),
        ("3 3\na 1 2 3\nb 1 2 3\n", "word2vec", 1, "the header says 3 words but the file has 2 rows"),
        ("1 3\na 1 2 3\nb 1 2 3\n", "word2vec", 3, "beyond the 1 words the header announces"),
        ("2 4\na 1 2 3\nb 1 2 3\n", "word2vec", 2, "has 3 values, expected 4 (the header says dim=4)"),
        ("3 2\na 1 2\nb 3 4\na 5 6\n", "word2vec", 4, "duplicate word 'a' (first on line 2)"),
        ("a 1 2\n\nb 3 4\n", "glove", 2, "is empty"),
        ("a 1 2\nnew york 3 4\n", "glove", 2, "the word 'new york' contains a space"),
        ("new york 1 2\nb 3 4\n", "glove", 1, "the word 'new york' contains a space"),
        ("two words\n", "word2vec", 1, "expected a header 'N_WORDS DIM'"),
        ("2 3\na 1 2 3\nb 4 5 6\n", "glove", 1, "looks like a word2vec header"),
        ("a\nb 1 2\n", "glove", 1, "has no values"),
    ],
)
def test_malformed_text_names_the_line(tmp_path: Path, text: str, fmt: str, line: int, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(FormatError) as info:
        load_vectors(path, fmt)
    assert info.value.line == line
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}, line {line}: ")


def test_detected_format_reports_the_same_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "2 3\na 1 2 3\nb 1 2\n")
    with pytest.raises(FormatError, match="line 3: has 2 values, expected 3"):
        load_vectors(path)


def test_bad_line_deep_in_a_big_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_word2vec, "BLOCK_BYTES", 1000)
    rows = [f"w{i} 0.5 0.25 0.125\n" for i in range(500)]
    rows[416] = "w416 0.5 0.25\n"
    path = _write(tmp_path, "500 3\n" + "".join(rows))
    with pytest.raises(FormatError) as info:
        load_vectors(path)
    assert info.value.line == 418  # 1 header line + 417th row


def test_truncated_binary(five_vectors: Vectors, tmp_path: Path) -> None:
    save_vectors(five_vectors, tmp_path / "v.bin", "word2vec-binary")
    data = (tmp_path / "v.bin").read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[:-20])
    with pytest.raises(FormatError, match="truncated"):
        load_vectors(tmp_path / "cut.bin", "word2vec-binary")
    (tmp_path / "long.bin").write_bytes(data + b"extra 1234567890123456")
    with pytest.raises(FormatError, match="after the 5 words"):
        load_vectors(tmp_path / "long.bin", "word2vec-binary")


def test_binary_duplicate_word(tmp_path: Path) -> None:
    v = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    save_vectors(v, tmp_path / "v.bin", "word2vec-binary")
    (tmp_path / "d.bin").write_bytes((tmp_path / "v.bin").read_bytes().replace(b"\nb ", b"\na "))
    with pytest.raises(FormatError, match="duplicate word 'a'"):
        load_vectors(tmp_path / "d.bin")


def test_missing_empty_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not found"):
        load_vectors(tmp_path / "nope.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        load_vectors(tmp_path / "empty.txt")
    with pytest.raises(InputFileError, match="empty"):
        load_vectors(tmp_path / "empty.txt", "glove")
    with gzip.open(tmp_path / "empty.txt.gz", "wb"):
        pass
    with pytest.raises(InputFileError, match="empty"):
        load_vectors(tmp_path / "empty.txt.gz", "glove")
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputFileError, match="holds no vectors"):
        load_vectors(tmp_path / "folder")
    with pytest.raises(InputFileError, match="expected a file but found a folder"):
        load_vectors(tmp_path / "folder", "word2vec")


def test_binary_garbage_as_text(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(os.urandom(3000) + b"\x00" + os.urandom(3000))
    with pytest.raises((FormatError, EncodingError)) as info:
        load_vectors(garbage)
    assert info.value.hint
    with pytest.raises(FormatError, match="binary data"):
        load_vectors(garbage, "glove")
    # no NUL bytes but undecodable: an encoding error with a hint
    noisy = tmp_path / "noisy.txt"
    noisy.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises((FormatError, EncodingError)) as info:
        load_vectors(noisy, "glove")
    assert info.value.hint


def test_latin1_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("the 1 2\ncafé 3 4\n".encode("latin-1"))
    with pytest.raises(EncodingError) as info:
        load_vectors(path)
    assert info.value.line == 2
    assert info.value.byte_offset == 11  # "the 1 2\n" is 8 bytes, then "caf"
    assert "latin-1" in str(info.value)
    assert load_vectors(path, encoding="latin-1").words == ["the", "café"]


def test_compressed_text_is_read(tmp_path: Path) -> None:
    text = b"2 2\na 1 2\nb 3 4\n"
    for suffix, opener in ((".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)):
        path = tmp_path / f"v.txt{suffix}"
        with opener(path, "wb") as fh:
            fh.write(text)
        assert load_vectors(path).vectors.tolist() == [[1, 2], [3, 4]]


def test_lookup_of_an_unknown_word(five_vectors: Vectors, tmp_path: Path) -> None:
    save_vectors(five_vectors, tmp_path / "v.txt", "glove")
    with pytest.raises(VocabularyError, match="'prince' is not in the vocabulary"):
        load_vectors(tmp_path / "v.txt")["prince"]


def test_native_folder_keeps_fasttext_subwords(tmp_path: Path) -> None:
    model = load_vectors(datapath("lee_fasttext.bin"))
    save_vectors(model, tmp_path / "nat")
    assert (tmp_path / "nat" / "model.bin").is_file()
    info = json.loads((tmp_path / "nat" / "meta.json").read_text())
    assert info["meta"]["subwords"] == {"format": "fasttext-bin", "file": "model.bin"}
    assert "fasttext_bin" not in info["meta"]  # an absolute path is not written
    back = load_vectors(tmp_path / "nat")
    assert back.has_subwords
    np.testing.assert_allclose(back["zzzunseenword"], model["zzzunseenword"])
    save_vectors(back, tmp_path / "again.bin", "fasttext-bin")
    assert (tmp_path / "again.bin").stat().st_size == Path(datapath("lee_fasttext.bin")).stat().st_size
    assert not load_vectors(tmp_path / "nat", limit=10).has_subwords


def test_a_stray_control_byte_in_a_word_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "v.txt"
    path.write_bytes(b"a\x1bb 1 2\nc 3 4\n")
    assert load_vectors(path).words == ["a\x1bb", "c"]


def test_binary_detected_whatever_its_first_bytes(tmp_path: Path) -> None:
    """A first float whose bytes hold a newline or digits is still binary."""
    for first in (np.frombuffer(b"\n\x00\x00\x00", "<f4")[0], np.frombuffer(b"12\n\x3f", "<f4")[0], 0.0):
        v = Vectors(["a", "b"], np.array([[first, 1.0], [2.0, 3.0]], dtype=np.float32))
        save_vectors(v, tmp_path / "v.bin", "word2vec-binary", force=True)
        assert detect_format(tmp_path / "v.bin") == "word2vec-binary"
        np.testing.assert_array_equal(load_vectors(tmp_path / "v.bin").vectors, v.vectors)
    (tmp_path / "h.txt").write_text("0 5\n")
    assert detect_format(tmp_path / "h.txt") == "word2vec"
    assert len(load_vectors(tmp_path / "h.txt")) == 0
