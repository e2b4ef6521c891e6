"""`evaluate_classifier`, the Projector export and `nlptk classify evaluate` on a tiny trained model."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch
from conftest import SENTIMENT_WORDS, keyword_data, small_config
from typer.testing import CliRunner

from nlptk.classify.evaluate import evaluate_classifier, export_classifier_projector, load_evaluation_data
from nlptk.classify.predictor import TrainedClassifier
from nlptk.classify.training import train_classifier
from nlptk.cli.app import app
from nlptk.errors import DataError, OutputExistsError
from nlptk.text.labelled import LabelledData

UPPER = {name: [w.upper() for w in words] for name, words in SENTIMENT_WORDS.items()}


def make_data(n: int, seed: int) -> LabelledData:
    """Filler words plus one sentiment word that decides the class; texts in mixed case."""
    return keyword_data(n, seed, keywords=UPPER, length=(2, 6), suffix="!")


def write_label_first(path, data: LabelledData) -> None:
    lines = [f"{data.classes[y]} {t}" for t, y in zip(data.texts, data.labels, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        folder = tmp_path_factory.mktemp("eval") / "model"
        config = small_config()
        train_classifier(make_data(240, 0), val=make_data(40, 1), config=config, out=folder)
    finally:
        torch.set_num_threads(threads)
    return folder


@pytest.fixture(scope="module")
def test_file(tmp_path_factory, model_dir):
    path = tmp_path_factory.mktemp("data") / "test.txt"
    write_label_first(path, make_data(60, 2))
    return path


def test_evaluate_library_learns_and_writes(model_dir, test_file, tmp_path):
    out = tmp_path / "report"
    result = evaluate_classifier(model_dir, test_file, out=out, format="label-first", top=5)
    assert result.classes == ["neg", "pos"]
    assert result.accuracy >= 0.9  # the sentiment word decides: training did something
    assert (out / "report.json").exists() and (out / "confusion_matrix.png").exists()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["accuracy"] == pytest.approx(result.accuracy)
    # original texts (mixed case, punctuation) in the lists, not the tokens
    expected = make_data(60, 2).texts
    for row in report["least_confident"]:
        assert row["text"] == expected[row["index"]]
    # the probabilities are the model's own
    clf = TrainedClassifier.load(model_dir, device="cpu")
    np.testing.assert_allclose(result.probabilities, clf.predict_proba(expected), atol=1e-5)
    np.testing.assert_allclose(result.losses, clf.losses(expected, make_data(60, 2).labels), atol=1e-4)
    with pytest.raises(OutputExistsError):
        evaluate_classifier(model_dir, test_file, out=out, format="label-first")


def test_class_order_is_matched_by_name(model_dir):
    data = make_data(20, 3)
    flipped = LabelledData(data.texts, [1 - y for y in data.labels], ["pos", "neg"])
    same = load_evaluation_data(flipped, ["neg", "pos"])
    assert same.labels == data.labels
    clf = TrainedClassifier.load(model_dir, device="cpu")
    assert evaluate_classifier(clf, flipped).accuracy == evaluate_classifier(clf, data).accuracy


def test_unknown_label_in_labelled_data(model_dir):
    data = LabelledData(["good film", "a film"], [0, 1], ["pos", "meh"])
    with pytest.raises(DataError, match="meh"):
        evaluate_classifier(model_dir, data)


def test_projector_export(model_dir, test_file, tmp_path):
    out = tmp_path / "projector"
    result = export_classifier_projector(model_dir, test_file, out, format="label-first")
    vectors = np.loadtxt(out / "vectors.tsv", delimiter="\t", ndmin=2)
    clf = TrainedClassifier.load(model_dir, device="cpu")
    assert vectors.shape == (60, clf.sentence_vectors(["x"]).shape[1])
    with open(out / "metadata.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["text", "true_label", "predicted_label", "confidence"]
    assert len(rows) == 61
    assert rows[1][0] == make_data(60, 2).texts[0]
    assert [r[1] for r in rows[1:]] == [result.classes[y] for y in result.y_true]
    assert [r[2] for r in rows[1:]] == [result.classes[y] for y in result.y_pred]
    assert float(rows[1][3]) == pytest.approx(result.confidence[0], abs=1e-3)


runner = CliRunner()


def test_cli_evaluate_end_to_end(model_dir, test_file, tmp_path):
    out = tmp_path / "cli-report"
    projector = tmp_path / "cli-projector"
    args = ["classify", "evaluate", str(model_dir), str(test_file), "--out", str(out)]
    args += ["--format", "label-first", "--top", "3", "--projector", str(projector)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "accuracy" in result.output and "macro-F1" in result.output
    assert "Confusion matrix" in result.output and "Least confident" in result.output
    assert (out / "report.txt").exists() and (out / "least_confident.csv").exists()
    assert (projector / "vectors.tsv").exists()
    with open(out / "least_confident.csv", encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 3
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "already exists" in again.output


def test_cli_label_not_seen_in_training(model_dir, tmp_path):
    data = tmp_path / "odd.txt"
    data.write_text("pos a good film\nneutral a film\nneg bad\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "classify",
            "evaluate",
            str(model_dir),
            str(data),
            "--format",
            "label-first",
            "-o",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "neutral" in lines[0] and "error" in lines[0]
    assert not (tmp_path / "r").exists()
