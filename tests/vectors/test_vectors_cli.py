"""`nlptk embed convert|eval|similar|analogy`, and bad input through the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from gensim.test.utils import datapath
from typer.testing import CliRunner

from nlptk.cli.app import app
from nlptk.vectors import load_vectors

runner = CliRunner()
LEE_VEC = datapath("lee_fasttext.vec")
LEE_BIN = datapath("lee_fasttext.bin")


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["-q", "embed", *args])


def one_error_line(result) -> str:  # type: ignore[no-untyped-def]
    """The single line the app prints for a bad input, after checking the exit code."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    return lines[0]


def test_convert_between_formats(tmp_path: Path) -> None:
    result = invoke("convert", LEE_VEC, str(tmp_path / "nat"), "--to", "native")
    assert result.exit_code == 0, result.output
    assert "1,762 words x 10 dims" in result.output
    result = invoke(
        "convert", str(tmp_path / "nat"), str(tmp_path / "g.txt.gz"), "--to", "glove", "--limit", "100"
    )
    assert result.exit_code == 0, result.output
    back = load_vectors(tmp_path / "g.txt.gz")
    original = load_vectors(LEE_VEC, limit=100)
    assert back.meta["source_format"] == "glove" and back.words == original.words
    np.testing.assert_array_equal(back.vectors, original.vectors)
    result = invoke(
        "convert", LEE_VEC, str(tmp_path / "v.bin"), "--to", "word2vec-binary", "--from", "fasttext-vec"
    )
    assert (
        result.exit_code == 0 and load_vectors(tmp_path / "v.bin").meta["source_format"] == "word2vec-binary"
    )


def test_convert_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("precious\n")
    line = one_error_line(invoke("convert", LEE_VEC, str(target), "--to", "word2vec"))
    assert "output already exists" in line and "--force" in line
    assert target.read_text() == "precious\n"
    assert invoke("convert", LEE_VEC, str(target), "--to", "word2vec", "--force").exit_code == 0
    assert target.read_text().startswith("1762 10\n")


def test_convert_to_unknown_format_and_bin_without_model(tmp_path: Path) -> None:
    assert "unknown vectors format 'word3vec'" in one_error_line(
        invoke("convert", LEE_VEC, str(tmp_path / "x"), "--to", "word3vec")
    )
    assert "cannot write a fastText .bin" in one_error_line(
        invoke("convert", LEE_VEC, str(tmp_path / "x.bin"), "--to", "fasttext-bin")
    )


def test_eval_table_and_json() -> None:
    result = invoke("eval", LEE_VEC)
    assert result.exit_code == 0, result.output
    for text in ("WordSim353", "SimLex-999", "Google analogies", "45 / 353", "82 / 999", "98 / 19,544"):
        assert text in result.output
    result = invoke("eval", LEE_VEC, "--json", "--skip-analogies")
    report = json.loads(result.stdout)
    assert report["wordsim"]["scored"] == 45 and "analogies" not in report


def test_eval_with_user_files(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("night\tday\t8\nnight\tcompany\t1\nnight\tnot-a-word\t3\n")
    result = invoke(
        "eval", LEE_VEC, "--wordsim", str(pairs), "--simlex", str(pairs), "--skip-analogies", "--json"
    )
    report = json.loads(result.stdout)
    assert (report["wordsim"]["pairs"], report["wordsim"]["scored"]) == (3, 2)
    bad = tmp_path / "bad.tsv"
    bad.write_text("night day 8\n")
    assert f"{bad}, line 1: has 1 tab-separated fields" in one_error_line(
        invoke("eval", LEE_VEC, "--wordsim", str(bad))
    )


def test_similar_and_analogy_tables() -> None:
    result = invoke("similar", LEE_VEC, "night", "government", "--topn", "3")
    assert result.exit_code == 0, result.output
    assert "nearest to 'night'" in result.output and "nearest to 'government'" in result.output
    assert "overnight" in result.output
    result = invoke("similar", LEE_BIN, "zzzunseen", "-n", "2")  # subwords: unseen words work
    assert result.exit_code == 0, result.output
    result = invoke("analogy", LEE_VEC, "night", "day", "morning", "--topn", "2")
    assert result.exit_code == 0, result.output
    assert "night : day :: morning : ?" in result.output


def test_unknown_word_is_a_vocabulary_error() -> None:
    line = one_error_line(invoke("similar", LEE_VEC, "night", "zzzunseen"))
    assert "word 'zzzunseen' is not in the vocabulary (1762 words)" in line
    line = one_error_line(invoke("analogy", LEE_VEC, "night", "day", "qqqq"))
    assert "'qqqq' is not in the vocabulary" in line


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[str, str]]:
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(b"\x89PNG\r\n" + os.urandom(4000))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    ragged = tmp_path / "ragged.txt"
    ragged.write_text("3 4\na 1 2 3 4\nb 1 2 3\nc 1 2 3 4\n")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("the 1 2\ncafé 3 4\n".encode("latin-1"))
    folder = tmp_path / "folder"
    folder.mkdir()
    return {
        "missing": (str(tmp_path / "nope.vec"), "nope.vec: vectors file not found"),
        "empty": (str(empty), "empty.txt: vectors file is empty"),
        "folder": (str(folder), "folder: folder holds no vectors"),
        "garbage": (str(garbage), "binary data, not a text vectors file"),
        "ragged": (str(ragged), "ragged.txt, line 3: has 3 values, expected 4 (the header says dim=4)"),
        "latin1": (str(latin), "latin1.txt, line 2: cannot decode byte 0xe9 at byte offset 11 as utf-8"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "folder", "garbage", "ragged", "latin1"])
@pytest.mark.parametrize("command", ["convert", "eval", "similar"])
def test_bad_input_gives_one_line_and_exit_2(tmp_path: Path, case: str, command: str) -> None:
    path, expected = _bad_inputs(tmp_path)[case]
    args = {
        "convert": ["convert", path, str(tmp_path / "out")],
        "eval": ["eval", path],
        "similar": ["similar", path, "the"],
    }[command]
    line = one_error_line(invoke(*args))
    assert expected in line
    assert not (tmp_path / "out").exists()


def test_folder_where_a_file_is_expected(tmp_path: Path) -> None:
    line = one_error_line(invoke("convert", str(tmp_path), str(tmp_path / "o.txt"), "--from", "word2vec"))
    assert "expected a file but found a folder" in line


def test_latin1_with_encoding_option(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("the 1 2\ncafé 3 4\n".encode("latin-1"))
    result = invoke("similar", str(latin), "café", "--encoding", "latin-1", "-n", "1")
    assert result.exit_code == 0, result.output
    assert "the" in result.output


def test_gensim_pickle_needs_trust(tmp_path: Path) -> None:
    load_vectors(LEE_VEC, limit=50).to_gensim().save(str(tmp_path / "v.kv"))
    assert "pickles" in one_error_line(invoke("similar", str(tmp_path / "v.kv"), "the"))
    assert invoke("similar", str(tmp_path / "v.kv"), "the", "--trust").exit_code == 0
