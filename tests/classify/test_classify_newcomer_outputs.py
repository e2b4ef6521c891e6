"""What a newcomer sees from `classify`: the seen-data notice, the report printed by default,
the progress bar ending where training ended, and the lr finder's suggestion passed on."""

from __future__ import annotations

import logging
import shlex

import pytest
import torch
from conftest import toy_sentiment, write_csv
from typer.testing import CliRunner

from nlptk.classify.config import ClassifierConfig
from nlptk.classify.data import data_fingerprint
from nlptk.classify.evaluate import evaluate_classifier
from nlptk.classify.training import load_splits, train_classifier
from nlptk.cli._common import progress_display
from nlptk.cli.app import app
from nlptk.progress import ProgressEvent
from nlptk.text.labelled import LabelledData

runner = CliRunner()


def make_sentiment_data(n: int, seed: int) -> LabelledData:
    texts, labels, _ = toy_sentiment(n, seed=seed)
    return LabelledData(texts, [int(y == "pos") for y in labels], ["neg", "pos"])


SMALL = ["--hidden-size", "8", "--embedding-dim", "8", "--device", "cpu", "--batch-size", "16"]


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """A dataset folder: train.csv, val.csv and test.csv."""
    folder = tmp_path_factory.mktemp("data")
    for name, (n, seed) in {"train": (160, 0), "val": (40, 1), "test": (40, 2)}.items():
        texts, labels, _ = toy_sentiment(n, seed=seed)
        write_csv(folder / f"{name}.csv", texts, labels)
    return folder


@pytest.fixture(scope="module")
def model(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "clf"
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        result = runner.invoke(
            app,
            ["classify", "train", str(dataset), "--out", str(out), "--epochs", "2", "--no-progress", *SMALL],
        )
    finally:
        torch.set_num_threads(threads)
    assert result.exit_code == 0, result.output
    return out


def test_fingerprint_is_about_the_examples():
    a = make_sentiment_data(20, 0)
    assert data_fingerprint(a) == data_fingerprint(a.subset(list(range(19, -1, -1))))
    assert data_fingerprint(a) != data_fingerprint(a.subset(list(range(19))))
    relabelled = LabelledData(a.texts, [1 - y for y in a.labels], a.classes)
    assert data_fingerprint(a) != data_fingerprint(relabelled)


def test_a_folder_of_split_files_gives_its_splits(dataset):
    splits = load_splits(dataset)
    assert sorted(splits) == ["test", "train", "val"]
    assert (len(splits["train"]), len(splits["val"]), len(splits["test"])) == (160, 40, 40)


def test_evaluate_says_when_it_scores_seen_data(model, dataset, caplog):
    with caplog.at_level(logging.WARNING, logger="nlptk"):
        on_train = evaluate_classifier(model, dataset / "train.csv")
    assert on_train.seen_data == "train"
    assert any("the data this model was trained on" in r.message for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="nlptk"):
        on_val = evaluate_classifier(model, dataset / "val.csv")
    assert on_val.seen_data == "val" and any("validation data" in r.message for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="nlptk"):
        on_test = evaluate_classifier(model, dataset / "test.csv")
    assert on_test.seen_data is None and not caplog.records
    assert on_train.to_dict()["seen_data"] == "train" and "seen_data" not in on_test.to_dict()


def test_evaluate_without_out_prints_and_writes_nothing(model, dataset, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["classify", "evaluate", str(model), str(dataset / "train.csv")]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "accuracy" in first.stdout and "Confusion matrix" in first.stdout
    assert "trained on" in first.stderr  # the notice, through the log
    assert "written" not in first.stdout and list(tmp_path.iterdir()) == []
    again = runner.invoke(app, args)  # nothing left behind to refuse
    assert again.exit_code == 0, again.output
    with_out = runner.invoke(app, [*args[:3], str(dataset / "test.csv"), "--out", "report"])
    assert with_out.exit_code == 0 and (tmp_path / "report" / "report.json").is_file()
    assert "Report written to report" in with_out.stdout and "trained on" not in with_out.stderr


def test_progress_bar_ends_where_training_ended(capsys):
    with progress_display() as callback:
        callback(ProgressEvent("epochs", "start", 0, 8))
        for epoch in range(1, 5):
            callback(ProgressEvent("epochs", "step", epoch, 8, {"val_accuracy": 0.5}))
        callback(ProgressEvent("epochs", "end", 4, 8, {"val_accuracy": 0.5}))
        callback(ProgressEvent("count", "start", 0, 3))
        callback(ProgressEvent("count", "end", 3, 3))
    shown = capsys.readouterr().err
    assert "4/8" in shown and "8/8" not in shown and "stopped after 4 of 8" in shown
    assert "3/3" in shown and "stopped after 3" not in shown


def test_early_stop_reports_the_epochs_run():
    events: list[ProgressEvent] = []
    config = ClassifierConfig(
        hidden_size=8,
        embedding_dim=8,
        batch_size=16,
        epochs=8,
        patience=1,
        freeze_epochs=0,
        device="cpu",
        lr=1e-6,
    )  # a rate too small to improve: early stopping after 2 epochs
    clf = train_classifier(make_sentiment_data(80, 0), config=config, progress=events.append)
    run = clf.info["training"]["epochs_run"]
    assert clf.info["training"]["stopped_early"] and run < 8
    (end,) = [e for e in events if e.phase == "epochs" and e.kind == "end"]
    assert (end.step, end.total) == (run, 8)


def test_lr_find_prints_the_next_command(dataset):
    args = ["classify", "lr-find", str(dataset / "train.csv"), "--steps", "20", *SMALL]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert " at -" not in result.stdout
    line = next(
        line.strip() for line in result.stdout.splitlines() if line.strip().startswith("nlptk classify train")
    )
    command = shlex.split(line)
    suggested = result.stdout.split("suggested learning rate:")[1].split()[0]
    assert command[3] == str(dataset / "train.csv") and command[-2:] == ["--lr", suggested]
    assert command[command.index("--hidden-size") + 1] == "8" and "--device" in command


def test_train_find_lr_trains_at_the_suggestion(dataset, tmp_path):
    out = tmp_path / "clf"
    args = [
        "classify",
        "train",
        str(dataset),
        "--out",
        str(out),
        "--epochs",
        "1",
        "--find-lr",
        "--no-progress",
    ]
    result = runner.invoke(app, [*args, *SMALL])
    assert result.exit_code == 0, result.output
    assert "training at the lr finder's suggestion" in result.stdout
    rate = float(result.stdout.split("suggestion: --lr")[1].split()[0])
    from nlptk.classify.predictor import TrainedClassifier

    assert TrainedClassifier.load(out).config.lr == pytest.approx(rate)
    both = runner.invoke(app, [*args[:4], str(tmp_path / "x"), "--find-lr", "--lr", "0.1", *SMALL])
    assert both.exit_code == 2 and "not both" in both.output
