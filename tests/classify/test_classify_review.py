"""Review (confident learning, near-duplicates) and clean (decisions applied to a new file)."""

from __future__ import annotations

import csv
import hashlib
import json

import numpy as np
import pytest
from conftest import toy_sentiment
from typer.testing import CliRunner

from nlptk.classify.clean import clean_dataset
from nlptk.classify.review import find_label_issues, near_duplicates, review_labels
from nlptk.cli.app import app
from nlptk.errors import DataError

FLIPPED = [5, 18, 33, 47, 60, 71, 88, 102, 117, 139]  # 0-based examples whose label is flipped


def _write_fasttext(tmp_path, n: int = 160):
    texts, labels, _ = toy_sentiment(n, seed=3)
    flip = {"pos": "neg", "neg": "pos"}
    labels = [flip[y] if i in FLIPPED else y for i, y in enumerate(labels)]
    path = tmp_path / "train.txt"
    # a blank line first: line numbers are the file's, not the examples' positions
    path.write_text("\n" + "".join(f"__label__{y} {t}\n" for t, y in zip(texts, labels, strict=True)))
    return path, texts, labels


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_confident_learning_rule_on_known_probabilities() -> None:
    y = np.array([0, 0, 0, 1, 1, 1, 1])
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.1, 0.9], [0.95, 0.05]])
    issues, suggested = find_label_issues(y, probs)
    assert issues.tolist() == [6, 2]  # lowest probability of the given label first
    assert suggested[6] == 0 and suggested[2] == 1


def test_near_duplicates() -> None:
    pairs = near_duplicates(["The film was great.", "the film was GREAT", "a dull plot", "dull plot, a"])
    assert [(a, b) for a, b, _ in pairs] == [(0, 1), (2, 3)]


def test_flipped_labels_are_found_near_the_top(tmp_path) -> None:
    path, _, _ = _write_fasttext(tmp_path)
    review = review_labels(path)
    issues = review.label_issues
    flipped_lines = {i + 2 for i in FLIPPED}  # one blank line, then 1-based
    top = {r.line for r in issues[: len(FLIPPED) + 3]}
    assert len(top & flipped_lines) >= 8, (sorted(top), sorted(flipped_lines))
    assert all(r.suggested_label != r.given_label for r in issues)
    out = review.write_csv(tmp_path / "review.csv")
    rows = _read_csv(out)
    assert list(rows[0]) == ["line", "text", "given_label", "suggested_label", "score", "issue", "decision"]
    assert {r["decision"] for r in rows} == {"keep"}
    lines = path.read_text().splitlines()
    for r in rows[:5]:
        assert lines[int(r["line"]) - 1] == f"__label__{r['given_label']} {r['text']}"


def test_review_and_clean_from_the_command_line(tmp_path) -> None:
    path, _, _ = _write_fasttext(tmp_path)
    original = hashlib.sha256(path.read_bytes()).hexdigest()
    runner = CliRunner()
    result = runner.invoke(app, ["classify", "review", "tfidf", str(path), "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    assert "likely label errors" in result.output
    rows = _read_csv(tmp_path / "r.csv")
    label_rows = [r for r in rows if r["issue"] == "label"]
    for r in label_rows:
        r["decision"] = f"relabel:{r['suggested_label']}"
    label_rows[-1]["decision"] = "drop"
    with open(tmp_path / "r.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(
        app, ["classify", "clean", str(path), str(tmp_path / "r.csv"), "--out", str(tmp_path / "clean.txt")]
    )
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == original  # the original is untouched
    before = path.read_text().splitlines()
    after = (tmp_path / "clean.txt").read_text().splitlines()
    assert len(after) == len(before) - 1
    decided = {int(r["line"]): r for r in label_rows}
    out = iter(after)
    for number, line in enumerate(before, start=1):
        if number not in decided:
            assert next(out) == line
        elif decided[number]["decision"].startswith("relabel:"):
            new = decided[number]["suggested_label"]
            assert next(out) == f"__label__{new} {decided[number]['text']}"


def test_clean_a_csv_and_jsonl(tmp_path) -> None:
    table = tmp_path / "d.csv"
    table.write_text('text,label\n"good, fine",pos\n"multi\nline bad",neg\nok,pos\n')
    review = tmp_path / "r.csv"
    review.write_text("line,decision\n4,relabel:pos\n5,drop\n")  # a record spanning lines: its last
    summary = clean_dataset(table, review, tmp_path / "c.csv")
    assert (summary.dropped, summary.relabelled) == (1, 1)
    assert (tmp_path / "c.csv").read_text() == 'text,label\n"good, fine",pos\n"multi\nline bad",pos\n'
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text(
        json.dumps({"text": "a", "label": 1}) + "\n" + json.dumps({"text": "b", "label": 0}) + "\n"
    )
    review.write_text("line,decision\n2,relabel:1\n")
    clean_dataset(jsonl, review, tmp_path / "c.jsonl")
    assert [json.loads(x)["label"] for x in (tmp_path / "c.jsonl").read_text().splitlines()] == [1, 1]


def test_clean_refuses_bad_decisions(tmp_path) -> None:
    path, _, _ = _write_fasttext(tmp_path, 40)
    review = tmp_path / "r.csv"
    review.write_text("line,decision\n3,relabel:neutral\n")
    with pytest.raises(DataError, match="class 'neutral', which the data does not have"):
        clean_dataset(path, review, tmp_path / "c.txt")
    review.write_text("line,decision\n3,keep\n999,drop\n")
    with pytest.raises(DataError, match=r"row id \(line\) 999 does not exist"):
        clean_dataset(path, review, tmp_path / "c.txt")
    review.write_text("line,decision\n1,drop\n")  # the blank first line holds no example
    with pytest.raises(DataError, match=r"row id \(line\) 1 does not exist"):
        clean_dataset(path, review, tmp_path / "c.txt")
    review.write_text("line,decision\n3,delete\n")
    with pytest.raises(DataError, match="unknown decision 'delete'"):
        clean_dataset(path, review, tmp_path / "c.txt")
    assert not (tmp_path / "c.txt").exists()


def test_review_with_a_trained_model_warns_about_bias(tmp_path) -> None:
    from nlptk.classify import ClassifierConfig, RNNClassifierNet, TrainedClassifier
    from nlptk.classify.data import build_vocabulary

    path, texts, _ = _write_fasttext(tmp_path, 60)
    config = ClassifierConfig(hidden_size=4, device="cpu")
    vocab = build_vocabulary([t.split() for t in texts])
    model = RNNClassifierNet(len(vocab), 5, 2, hidden_size=4)
    clf = TrainedClassifier(model, config=config, vocab=vocab, classes=["neg", "pos"], device="cpu")
    review = review_labels(path, model=clf)
    assert review.warnings and "in-sample" in review.warnings[0]
    assert review.probabilities.shape == (60, 2)
