"""GloVe co-occurrence counting: exact agreement with a naive reference, the matrix file, bad input."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from gensim.test.utils import datapath

from nlptk.embed.glove import cooccur, vocabulary
from nlptk.embed.glove.cooccur import (
    CooccurrenceMatrix,
    build_vocabulary,
    count_cooccurrences,
    minimum_memory_gb,
)
from nlptk.errors import DataError, FormatError, InputFileError, ParameterError


def lee_lines(n: int) -> list[str]:
    with open(datapath("lee_background.cor"), encoding="utf-8") as f:
        lines = [" ".join(re.findall(r"[a-z]+", line.lower())) for _, line in zip(range(n), f, strict=False)]
    return lines


def naive_counts(lines: list[str], window: int, min_count: int, symmetric: bool) -> tuple[list[str], dict]:
    """The Stanford tool's counting, one token at a time, in plain Python."""
    freq = Counter(tok for line in lines for tok in line.split())
    words = sorted((w for w, c in freq.items() if c >= min_count), key=lambda w: (-freq[w], w))
    index = {w: i for i, w in enumerate(words)}
    counts: dict[tuple[int, int], float] = defaultdict(float)
    for line in lines:
        ids = [index[t] for t in line.split() if t in index]  # OOV words leave the stream
        for p, center in enumerate(ids):
            for d in range(1, window + 1):
                if p - d < 0:
                    break
                context = ids[p - d]
                counts[center, context] += 1.0 / d
                if symmetric:
                    counts[context, center] += 1.0 / d
    return words, dict(counts)


def as_dict(m: CooccurrenceMatrix) -> dict:
    return {(int(r), int(c)): float(v) for r, c, v in zip(m.rows, m.cols, m.values, strict=True)}


def assert_same_counts(m: CooccurrenceMatrix, expected: dict) -> None:
    got = as_dict(m)
    assert got.keys() == expected.keys()
    keys = sorted(expected)
    np.testing.assert_allclose([got[k] for k in keys], [expected[k] for k in keys], rtol=1e-12, atol=0)


@pytest.fixture(scope="module")
def lee_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    lines = lee_lines(60)
    path = tmp_path_factory.mktemp("lee") / "tokens.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, lines


@pytest.mark.parametrize("symmetric", [True, False])
def test_counts_match_naive_reference(lee_file: tuple[Path, list[str]], symmetric: bool) -> None:
    path, lines = lee_file
    words, expected = naive_counts(lines, window=6, min_count=3, symmetric=symmetric)
    m = count_cooccurrences(path, window=6, min_count=3, symmetric=symmetric)
    assert m.words == words
    assert m.counts.tolist() == [Counter(" ".join(lines).split())[w] for w in words]
    assert_same_counts(m, expected)
    assert (m.window, m.symmetric, m.weighting, m.min_count) == (6, symmetric, "1/d", 3)
    if symmetric:
        dense = m.to_dense()
        np.testing.assert_allclose(dense, dense.T)
    # rows sorted (then columns), as the trainer and the file expect
    assert np.all(np.diff(m.rows.astype(np.int64) * m.n_words + m.cols) > 0)


def test_counts_match_across_small_blocks(lee_file, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny read blocks and counting blocks: pairs across block boundaries are still counted once."""
    path, lines = lee_file
    # one long document as well, so that blocks cut inside a line
    long_path = path.with_name("long.txt")
    long_path.write_text(" ".join(lines[:20]) + "\n" + "\n".join(lines[20:]), encoding="utf-8")
    monkeypatch.setattr(vocabulary, "_READ_BYTES", 997)  # the tokens file is read by .vocabulary
    monkeypatch.setattr(cooccur, "_MIN_BLOCK_BYTES", 1)
    monkeypatch.setattr(cooccur, "MIN_CHUNK_TOKENS", 50)
    memory = minimum_memory_gb(5)  # -> blocks of about 50 tokens
    words, expected = naive_counts([" ".join(lines[:20]), *lines[20:]], window=5, min_count=2, symmetric=True)
    m = count_cooccurrences(long_path, window=5, min_count=2, memory=memory)
    assert m.words == words
    assert_same_counts(m, expected)


def test_max_vocab_keeps_most_frequent(lee_file) -> None:
    path, lines = lee_file
    words, counts = build_vocabulary(path, min_count=1, max_vocab=10)
    freq = Counter(" ".join(lines).split())
    assert len(words) == 10
    assert counts.tolist() == sorted(counts.tolist(), reverse=True)
    assert words[0] == freq.most_common(1)[0][0]
    m = count_cooccurrences(path, window=3, min_count=1, max_vocab=10)
    assert m.n_words == 10 and m.rows.max() < 10 and m.cols.max() < 10


def test_save_load_round_trip(lee_file, tmp_path: Path) -> None:
    path, _ = lee_file
    m = count_cooccurrences(path, window=4, min_count=2, symmetric=False)
    out = m.save(tmp_path / "cooc.npz")
    back = CooccurrenceMatrix.load(out)
    assert back.words == m.words
    np.testing.assert_array_equal(back.counts, m.counts)
    np.testing.assert_array_equal(back.rows, m.rows)
    np.testing.assert_array_equal(back.cols, m.cols)
    np.testing.assert_array_equal(back.values, m.values)
    assert back.describe() == m.describe()
    with pytest.raises(Exception, match="exists"):
        m.save(out)  # no silent overwrite
    m.save(out, force=True)


def test_load_rejects_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "other.npz"
    np.savez(bad, a=np.arange(3))
    with pytest.raises(FormatError, match="not an nlptk co-occurrence matrix"):
        CooccurrenceMatrix.load(bad)
    text = tmp_path / "text.npz"
    text.write_text("hello")
    with pytest.raises(FormatError, match="cannot read"):
        CooccurrenceMatrix.load(text)


def test_corpus_smaller_than_window_counts_existing_pairs(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text("a b c\n", encoding="utf-8")
    m = count_cooccurrences(path, window=15, min_count=1)
    assert m.words == ["a", "b", "c"]
    assert m.to_dense().tolist() == [[0.0, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.0]]


def test_windows_do_not_cross_lines(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text("a b\nc d\n", encoding="utf-8")
    m = count_cooccurrences(path, window=5, min_count=1)
    assert set(as_dict(m)) == {(0, 1), (1, 0), (2, 3), (3, 2)}


def test_empty_vocabulary_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "rare.txt"
    path.write_text("every word here is unique\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"vocabulary is empty.*min_count=5"):
        count_cooccurrences(path, min_count=5)


def test_no_tokens(tmp_path: Path) -> None:
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(DataError, match="no tokens"):
        count_cooccurrences(blank, min_count=1)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputFileError, match="empty"):
        count_cooccurrences(empty)


def test_memory_budget_too_small_names_the_minimum(lee_file) -> None:
    path, _ = lee_file
    need = minimum_memory_gb(15)
    with pytest.raises(ParameterError, match=rf"memory=0.001 GB is too small.*memory >= {need:.3f}"):
        count_cooccurrences(path, window=15, memory=0.001)


def test_bad_parameters(lee_file) -> None:
    path, _ = lee_file
    with pytest.raises(ParameterError, match="window"):
        count_cooccurrences(path, window=0)
    with pytest.raises(ParameterError, match="min_count"):
        count_cooccurrences(path, min_count=0)


def test_non_utf8_tokens_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\xe9 au lait\n".encode("latin-1"))
    with pytest.raises(Exception, match="cannot decode byte 0xe9 at byte offset 3"):
        count_cooccurrences(path, min_count=1)
