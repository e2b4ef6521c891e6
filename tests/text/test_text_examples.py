"""The labelled example made from lee_background: topics by keyword rules, split by article."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from nlptk.classify.training import load_splits
from nlptk.cli.app import app
from nlptk.errors import OutputExistsError, ParameterError
from nlptk.text.examples import TOPIC_WORDS, make_topic_dataset


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_topic_dataset_is_big_enough_and_split_by_article(tmp_path):
    data = make_topic_dataset(tmp_path / "topics")
    train, test = _rows(tmp_path / "topics" / "train.csv"), _rows(tmp_path / "topics" / "test.csv")
    assert sorted(data.train) == sorted(data.test) == sorted(TOPIC_WORDS)
    assert len(train) == sum(data.train.values()) > 900 and len(test) == sum(data.test.values()) > 150
    assert 100 < data.articles < 300
    # whole articles go to one side: no sentence is in both files
    assert not {r["text"] for r in train} & {r["text"] for r in test}
    # most sentences are labelled by their article, not by a keyword of their own
    keyword_free = [r for r in train if not set(r["text"].lower().split()) & set(TOPIC_WORDS[r["label"]])]
    assert len(keyword_free) > len(train) / 2
    splits = load_splits(tmp_path / "topics")
    assert sorted(splits) == ["test", "train"] and splits["train"].classes == sorted(TOPIC_WORDS)


def test_deterministic_refuses_overwrite_and_checks_parameters(tmp_path):
    first = make_topic_dataset(tmp_path / "a")
    second = make_topic_dataset(tmp_path / "b")
    assert (tmp_path / "a" / "train.csv").read_bytes() == (tmp_path / "b" / "train.csv").read_bytes()
    assert first.train == second.train
    with pytest.raises(OutputExistsError):
        make_topic_dataset(tmp_path / "a")
    with pytest.raises(ParameterError, match="test_every"):
        make_topic_dataset(tmp_path / "c", test_every=1)


def test_make_topics_command(tmp_path):
    result = CliRunner().invoke(app, ["corpus", "make-topics", str(tmp_path / "topics")])
    assert result.exit_code == 0, result.output
    assert "bushfires" in result.stdout and "train.csv" in result.stdout
    assert (tmp_path / "topics" / "test.csv").is_file()
