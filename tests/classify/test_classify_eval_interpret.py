"""Interpretation of hand-made predictions whose answers are known."""

from __future__ import annotations

import csv
import itertools
import json
import math

import numpy as np
import pytest

from nlptk.classify.interpret import interpret
from nlptk.errors import DataError, OutputExistsError

CLASSES = ["neg", "neu", "pos"]
# Texts deliberately not tokenizer-friendly: the lists must show them exactly as given.
TEXTS = [
    "A GREAT film!!",  # 0 pos -> pos 0.95
    "Dull,  dull... dull.",  # 1 neg -> neg 0.70
    "It's fine, I guess?",  # 2 neu -> pos 0.60   mistake
    "Terrible.\tAwful.",  # 3 neg -> pos 0.90   confident mistake
    "meh",  # 4 neu -> neu 0.40   least confident
    "Loved it :)",  # 5 pos -> pos 0.80
    "Not bad at all",  # 6 pos -> neg 0.55   mistake
    "Bof",  # 7 neg -> pos 0.50   mistake
]
Y_TRUE = ["pos", "neg", "neu", "neg", "neu", "pos", "pos", "neg"]
PROBS = np.array(
    [
        [0.02, 0.03, 0.95],
        [0.70, 0.20, 0.10],
        [0.10, 0.30, 0.60],
        [0.05, 0.05, 0.90],
        [0.30, 0.40, 0.30],
        [0.10, 0.10, 0.80],
        [0.55, 0.15, 0.30],
        [0.20, 0.30, 0.50],
    ]
)


@pytest.fixture
def result():
    return interpret(TEXTS, Y_TRUE, PROBS, CLASSES)


def test_metrics_and_confusion_matrix(result):
    assert result.y_pred.tolist() == [2, 0, 2, 2, 1, 2, 0, 2]
    assert result.accuracy == pytest.approx(4 / 8)
    # rows true, columns predicted
    expected = [[1, 0, 2], [0, 1, 1], [1, 0, 2]]
    assert result.confusion.tolist() == expected
    per_class = {row["label"]: row for row in result.per_class}
    assert per_class["neg"]["support"] == 3
    assert per_class["neg"]["precision"] == pytest.approx(1 / 2)
    assert per_class["neg"]["recall"] == pytest.approx(1 / 3)
    assert per_class["neu"]["precision"] == pytest.approx(1.0)
    assert per_class["pos"]["recall"] == pytest.approx(2 / 3)
    f1s = [row["f1"] for row in result.per_class]
    assert result.macro_f1 == pytest.approx(np.mean(f1s))


def test_integer_labels_give_the_same_result(result):
    other = interpret(TEXTS, [CLASSES.index(y) for y in Y_TRUE], PROBS, CLASSES)
    assert other.confusion.tolist() == result.confusion.tolist()
    assert other.to_dict() == result.to_dict()


def test_most_confused_order(result):
    pairs = [(p.true_label, p.predicted_label, p.count) for p in result.most_confused()]
    # counts descending; ties keep class order (neg->pos before pos->neg)
    assert pairs == [("neg", "pos", 2), ("neu", "pos", 1), ("pos", "neg", 1)]
    assert [p.count for p in result.most_confused(min_val=2)] == [2]


def test_top_losses_order_and_values(result):
    rows = result.top_losses(3)
    expected_loss = -np.log(PROBS[np.arange(8), [CLASSES.index(y) for y in Y_TRUE]])
    assert [r.index for r in rows] == list(np.argsort(-expected_loss, kind="stable")[:3])
    assert rows[0].index == 3 and rows[0].loss == pytest.approx(-math.log(0.05))
    assert all(a.loss >= b.loss for a, b in itertools.pairwise(rows))


def test_given_losses_are_used():
    losses = [5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    result = interpret(TEXTS, Y_TRUE, PROBS, CLASSES, losses=losses)
    assert [r.index for r in result.top_losses(2)] == [0, 7]


def test_the_three_lists(result):
    correct = result.most_confident_correct(10)
    assert [r.index for r in correct] == [0, 5, 1, 4]
    assert all(r.correct for r in correct)
    least = result.least_confident(3)
    assert [r.index for r in least] == [4, 7, 6]
    assert least[0].confidence == pytest.approx(0.40)
    mistakes = result.confident_mistakes(10)
    assert [r.index for r in mistakes] == [3, 2, 6, 7]
    assert not any(r.correct for r in mistakes)
    top = mistakes[0]
    assert (top.true_label, top.predicted_label) == ("neg", "pos")
    assert top.confidence == pytest.approx(0.90)
    assert top.true_probability == pytest.approx(0.05)


def test_texts_appear_in_original_form(result):
    rows = result.confident_mistakes(10) + result.most_confident_correct(10)
    for r in rows:
        assert r.text == TEXTS[r.index]
    assert result.confident_mistakes(1)[0].text == "Terrible.\tAwful."


def test_confusion_table_text(result):
    lines = result.confusion_table().splitlines()
    assert lines[0].split()[-3:] == CLASSES
    assert lines[1].split() == ["neg", "1", "0", "2"]
    assert lines[3].split() == ["pos", "1", "0", "2"]


def test_to_dict_is_json_serialisable(result):
    data = json.loads(json.dumps(result.to_dict(top=2)))
    assert data["accuracy"] == pytest.approx(0.5)
    assert data["confusion_matrix"] == [[1, 0, 2], [0, 1, 1], [1, 0, 2]]
    assert len(data["confident_mistakes"]) == 2
    assert data["confident_mistakes"][0]["text"] == "Terrible.\tAwful."
    assert data["most_confused"][0] == {"true_label": "neg", "predicted_label": "pos", "count": 2}


def test_write_outputs(result, tmp_path):
    out = tmp_path / "report"
    result.write(out, top=3)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "report.json",
            "report.txt",
            "confusion_matrix.csv",
            "confusion_matrix.png",
            "predictions.csv",
            "most_confident_correct.csv",
            "least_confident.csv",
            "confident_mistakes.csv",
            "top_losses.csv",
        ]
    )
    assert (out / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["n_examples"] == 8
    text = (out / "report.txt").read_text(encoding="utf-8")
    assert "accuracy: 0.5000" in text and "neg -> pos: 2" in text
    with open(out / "confusion_matrix.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["true\\predicted", *CLASSES]
    assert rows[1] == ["neg", "1", "0", "2"]
    with open(out / "confident_mistakes.csv", newline="", encoding="utf-8") as fh:
        mistakes = list(csv.DictReader(fh))
    assert [int(r["index"]) for r in mistakes] == [3, 2, 6]
    assert mistakes[0]["text"] == "Terrible.\tAwful."
    with open(out / "predictions.csv", newline="", encoding="utf-8") as fh:
        everything = list(csv.DictReader(fh))
    assert [r["text"] for r in everything] == TEXTS
    # an existing folder is refused without force, replaced with it
    with pytest.raises(OutputExistsError):
        result.write(out)
    result.write(out, force=True, plot=False)
    assert not (out / "confusion_matrix.png").exists()
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    ("texts", "y", "probs", "message"),
    [
        ([], [], np.zeros((0, 3)), "no examples"),
        (["a", "b"], ["neg", "pos"], np.full((2, 2), 0.5), "shape"),
        (["a", "b"], ["neg", "happy"], np.full((2, 3), 1 / 3), "'happy'"),
        (["a", "b"], [0, 7], np.full((2, 3), 1 / 3), "outside"),
        (["a", "b"], ["neg"], np.full((2, 3), 1 / 3), "labels"),
    ],
)
def test_bad_input(texts, y, probs, message):
    with pytest.raises(DataError, match=message):
        interpret(texts, y, probs, CLASSES)
