"""Bad vectors files that used to hang or pass silently (issue 13, points 1 and 2)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from gensim.test.utils import datapath

from nlptk.errors import FormatError
from nlptk.vectors import load_vectors, save_vectors
from nlptk.vectors._fasttext_bin import check_fasttext_bin

NEW_BIN = Path(datapath("lee_fasttext_new.bin"))  # version 11, with the magic number
OLD_BIN = Path(datapath("lee_fasttext.bin"))  # before the magic number


def _random_bytes(path: Path, n: int = 100_000, seed: int = 0) -> Path:
    path.write_bytes(random.Random(seed).randbytes(n))
    return path


@pytest.mark.parametrize("model", [NEW_BIN, OLD_BIN, Path(datapath("toy-model.bin"))])
def test_whole_fasttext_models_pass_the_check(model: Path) -> None:
    check_fasttext_bin(model)


@pytest.mark.parametrize("cut", [8, 60, 92, 106, 200, 5_000, -4_000, -1])
@pytest.mark.parametrize("model", [NEW_BIN, OLD_BIN], ids=["new", "old"])
def test_truncated_fasttext_bin_fails_fast(tmp_path: Path, model: Path, cut: int, deadline) -> None:
    data = model.read_bytes()
    cut_file = tmp_path / "model.bin"
    cut_file.write_bytes(data[:cut])
    with deadline(10), pytest.raises(FormatError, match=r"not a readable fastText \.bin model"):
        load_vectors(cut_file)


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_named_bin_fail_fast(tmp_path: Path, seed: int, deadline) -> None:
    path = _random_bytes(tmp_path / "g.bin", seed=seed)
    with deadline(10), pytest.raises(FormatError):
        load_vectors(path)


def test_random_bytes_after_the_magic_fail_fast(tmp_path: Path, deadline) -> None:
    header = NEW_BIN.read_bytes()[:92]  # a valid header, then garbage in the dictionary
    path = tmp_path / "g.bin"
    path.write_bytes(header + random.Random(1).randbytes(50_000))
    with deadline(10), pytest.raises(FormatError):
        load_vectors(path)


def test_cli_does_not_hang_on_random_bin(tmp_path: Path, run_cli) -> None:
    path = _random_bytes(tmp_path / "g.bin")
    done = run_cli("-q", "embed", "convert", str(path), str(tmp_path / "o.txt"), "--to", "word2vec")
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert len(err.strip().splitlines()) == 1 and "g.bin" in err, err
    assert not (tmp_path / "o.txt").exists()


@pytest.mark.parametrize(
    "command", [("embed", "eval", "{path}"), ("similarity", "score", "a", "b", "--vectors", "{path}")]
)
def test_commands_do_not_hang_on_random_bin(tmp_path: Path, invoke_cli, command: tuple[str, ...]) -> None:
    path = _random_bytes(tmp_path / "g.bin")
    result = invoke_cli("-q", *(arg.format(path=path) for arg in command))
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "g.bin" in result.stderr


def test_subword_model_of_a_native_folder_is_checked(tmp_path: Path, deadline) -> None:
    folder = tmp_path / "nat"
    save_vectors(load_vectors(NEW_BIN), folder)
    assert (folder / "model.bin").is_file()
    (folder / "model.bin").write_bytes(NEW_BIN.read_bytes()[:106])
    with deadline(10), pytest.raises(FormatError, match=r"model\.bin"):
        load_vectors(folder)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "1e999"])
@pytest.mark.parametrize("header", [True, False])
def test_non_finite_text_vectors_are_refused(tmp_path: Path, value: str, header: bool) -> None:
    rows = ["dog 0.2 0.1 0.3", f"cat 0.1 {value} 0.3", "fish 0.5 0.5 0.1"]
    path = tmp_path / "v.txt"
    path.write_text(("3 3\n" if header else "") + "\n".join(rows) + "\n")
    with pytest.raises(FormatError, match="'cat' has a non-finite value") as info:
        load_vectors(path)
    assert info.value.line == (3 if header else 2)
    assert "column 2" in str(info.value)


def test_non_finite_binary_vectors_are_refused(tmp_path: Path) -> None:
    from nlptk.vectors._word2vec import write_word2vec_binary

    matrix = np.eye(3, dtype=np.float32)
    matrix[2, 0] = np.nan
    path = tmp_path / "v.bin"
    with path.open("wb") as out:
        write_word2vec_binary(out, ["a", "b", "c"], matrix)
    with pytest.raises(FormatError, match=r"'c' has a non-finite value \(nan\) in column 1 \(word 3\)"):
        load_vectors(path)


def test_cli_refuses_nan_vectors(tmp_path: Path, invoke_cli) -> None:
    path = tmp_path / "v.txt"
    path.write_text("cat nan inf 0.3 0.4 0.5\ndog 0.2 0.1 0.3 0.4 0.6\nfish 0.5 0.5 0.1 0.0 0.2\n")
    result = invoke_cli("-q", "embed", "similar", str(path), "cat")
    assert result.exit_code == 2 and "v.txt, line 1" in result.stderr, result.output
    assert "non-finite" in result.stderr and "nan" not in result.stdout
