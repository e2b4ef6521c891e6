"""`nlptk similarity ...` and `nlptk export spacy` through typer's CliRunner."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import spacy
from typer.testing import CliRunner

from nlptk.cli.app import app
from nlptk.vectors.container import Vectors

runner = CliRunner()


@pytest.fixture()
def vec_file(tmp_path):
    """Hand-made 3-d vectors in word2vec text format."""
    words = ["cat", "dog", "car", "sat"]
    matrix = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1], [0, 1, 0]], dtype=np.float32)
    path = tmp_path / "v.txt"
    Vectors(words, matrix).save(path, "word2vec")
    return str(path)


def _one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.strip().splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_two_texts_print_score_and_coverage(vec_file) -> None:
    result = runner.invoke(app, ["similarity", "a cat", "the dog", "--vectors", vec_file])
    assert result.exit_code == 0, result.output
    assert "similarity 0.9939" in result.output
    assert "coverage: A 50%, B 50%" in result.output
    # options first, and the explicit default command, give the same
    for args in (
        ["similarity", "--vectors", vec_file, "a cat", "the dog"],
        ["similarity", "score", "a cat", "the dog", "--vectors", vec_file, "--oov", "zero"],
    ):
        again = runner.invoke(app, args)
        assert again.exit_code == 0 and "similarity 0.9939" in again.output


def test_files(tmp_path, vec_file) -> None:
    (tmp_path / "a.txt").write_text("cat\nsat\n")
    (tmp_path / "b.txt").write_text("dog")
    args = ["similarity", "--file", str(tmp_path / "a.txt"), "--file", str(tmp_path / "b.txt")]
    result = runner.invoke(app, [*args, "--vectors", vec_file])
    assert result.exit_code == 0, result.output
    assert "coverage: A 100%, B 100%" in result.output
    _one_line_error(runner.invoke(app, [*args[:3], "--vectors", vec_file]), "exactly two files")


def test_texts_without_known_words_or_empty_exit_2(vec_file) -> None:
    _one_line_error(
        runner.invoke(app, ["similarity", "a bird", "the dog", "--vectors", vec_file]),
        "no known words in text A (0 of 2 tokens have a vector)",
    )
    _one_line_error(runner.invoke(app, ["similarity", "cat", "", "--vectors", vec_file]), "text B is empty")
    _one_line_error(runner.invoke(app, ["similarity", "cat", "--vectors", vec_file]), "two texts")


def test_pairs_table_csv_and_missing_column(tmp_path, vec_file) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("text_a\ttext_b\na cat\tthe dog\ncat\tcar\nbird\tcat\n")
    result = runner.invoke(app, ["similarity", "--pairs", str(pairs), "--vectors", vec_file])
    assert result.exit_code == 0, result.output
    assert "0.9939" in result.output and "n/a" in result.output
    assert "1 of 3 pairs have no score" in result.output
    out = tmp_path / "scores.csv"
    result = runner.invoke(
        app, ["similarity", "--pairs", str(pairs), "--vectors", vec_file, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert [r["line"] for r in rows] == ["2", "3", "4"]
    assert float(rows[0]["score"]) == pytest.approx(0.99388, abs=1e-4)
    assert float(rows[1]["score"]) == pytest.approx(0.0, abs=1e-6)
    assert rows[2]["score"] == "" and rows[2]["reason"].startswith("no known words in text A")
    assert rows[0]["coverage_a"] == "0.5000"
    # an existing output is not overwritten without --force
    again = runner.invoke(
        app, ["similarity", "--pairs", str(pairs), "--vectors", vec_file, "--out", str(out)]
    )
    _one_line_error(again, "already exists")

    bad = tmp_path / "bad.tsv"
    bad.write_text("cat\tdog\ncat\tcar\njust one column\n")
    _one_line_error(
        runner.invoke(app, ["similarity", "--pairs", str(bad), "--vectors", vec_file]),
        "bad.tsv, line 3",
        "expected 2",
    )


def test_matrix_csv_and_heatmap(tmp_path, vec_file) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("a cat\n\nthe dog\nzebra\ncar\n")
    out, png = tmp_path / "m.csv", tmp_path / "m.png"
    result = runner.invoke(
        app,
        ["similarity", "matrix", str(texts), "--vectors", vec_file, "--out", str(out), "--heatmap", str(png)],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["text", "1", "3", "4", "5"]
    assert rows[1][1] == "1.000000" and float(rows[1][2]) == pytest.approx(0.99388, abs=1e-4)
    assert rows[3][1:] == ["", "", "", ""]  # "zebra": no known word
    assert "1 texts have no known words (lines 4)" in result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shown = runner.invoke(app, ["similarity", "matrix", str(texts), "--vectors", vec_file])
    assert shown.exit_code == 0 and "0.994" in shown.output


def test_words(vec_file) -> None:
    result = runner.invoke(app, ["similarity", "words", "cat", "--vectors", vec_file, "--topn", "2"])
    assert result.exit_code == 0, result.output
    assert "dog" in result.output and "0.9939" in result.output
    assert "cat" not in result.output.split("nearest")[1].split("\n", 2)[2]
    _one_line_error(runner.invoke(app, ["similarity", "words", "zebra", "--vectors", vec_file]), "'zebra'")


def test_bad_pipeline_options(vec_file) -> None:
    _one_line_error(
        runner.invoke(app, ["similarity", "cat", "dog", "--vectors", vec_file, "--lang", "zz"]),
        "unknown language code 'zz'",
    )
    _one_line_error(
        runner.invoke(
            app, ["similarity", "cat", "dog", "--vectors", vec_file, "--pipeline", "en_core_web_zz"]
        ),
        "not installed",
        "python -m spacy download en_core_web_sm",
    )
    _one_line_error(
        runner.invoke(
            app, ["similarity", "cat", "dog", "--vectors", vec_file, "--lang", "en", "--pipeline", "x"]
        ),
        "not both",
    )


def test_export_spacy_command(tmp_path, vec_file) -> None:
    out = tmp_path / "pipe"
    result = runner.invoke(app, ["export", "spacy", vec_file, str(out), "--prune", "3"])
    assert result.exit_code == 0, result.output
    assert "4 words, 3 vectors x 3 dims" in result.output
    nlp = spacy.load(out)
    assert nlp("a cat").similarity(nlp("a dog")) == pytest.approx(0.99388, abs=1e-4)
    _one_line_error(runner.invoke(app, ["export", "spacy", vec_file, str(out)]), "already exists")
    assert runner.invoke(app, ["export", "spacy", vec_file, str(out), "--force"]).exit_code == 0
