"""`nlptk classify train | lr-find | predict` from the command line, bad input included."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from nlptk.classify.callbacks import Callback
from nlptk.classify.config import ClassifierConfig
from nlptk.classify.training import train_classifier
from nlptk.cli.app import app
from nlptk.text.labelled import LabelledData
from nlptk.vectors.container import Vectors

runner = CliRunner()
POS = ["good", "great", "excellent"]
NEG = ["bad", "awful", "terrible"]
FILLER = ["the", "film", "was", "a", "movie", "and", "it", "plot", "acting", "story"]
SMALL = [
    "--hidden-size",
    "8",
    "--embedding-dim",
    "8",
    "--batch-size",
    "16",
    "--lr",
    "0.03",
    "--freeze-epochs",
    "0",
    "--device",
    "cpu",
    "--no-progress",
]


def fasttext_lines(n: int, seed: int, labels=("neg", "pos")) -> str:
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        y = i % 2
        words = [*rng.choices(FILLER, k=rng.randint(2, 6)), rng.choice(POS if y else NEG)]
        rng.shuffle(words)
        lines.append(f"__label__{labels[y]} {' '.join(words)}")
    return "\n".join(lines) + "\n"


def one_line_error(result) -> str:
    err = getattr(result, "stderr", None) or result.output
    # logging may add INFO lines; the error itself is exactly one line
    lines = [line for line in err.strip().splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    (root / "train.txt").write_text(fasttext_lines(240, 0))
    (root / "test.txt").write_text(fasttext_lines(60, 1))
    return root


@pytest.fixture(scope="module")
def model(files):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    out = files / "model"
    result = runner.invoke(
        app,
        [
            "classify",
            "train",
            str(files / "train.txt"),
            "--test",
            str(files / "test.txt"),
            "--out",
            str(out),
            "--cell",
            "gru",
            "--epochs",
            "4",
            *SMALL,
        ],
    )
    torch.set_num_threads(threads)
    assert result.exit_code == 0, result.output
    return out, result.output


def test_train_prints_table_and_test_metrics(model):
    out, output = model
    assert (out / "model.pt").exists() and (out / "config.json").exists()
    assert "test: accuracy" in output
    accuracy = float(output.split("test: accuracy")[1].split(",")[0])
    assert accuracy > 0.8
    assert "gru classifier saved to" in output


def test_predict_texts_json_file_and_stdin(model, tmp_path):
    out, _ = model
    result = runner.invoke(
        app, ["classify", "predict", str(out), "a great film", "awful acting", "--device", "cpu"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["pos", "neg"]
    assert all(0.5 <= float(line.split("\t")[1]) <= 1.0 for line in lines)

    result = runner.invoke(app, ["classify", "predict", str(out), "excellent story", "--json"])
    record = json.loads(result.output.strip())
    assert record["label"] == "pos" and set(record["probabilities"]) == {"neg", "pos"}
    assert sum(record["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)

    texts = tmp_path / "texts.txt"
    texts.write_text("good\nterrible plot\n\n")
    result = runner.invoke(app, ["classify", "predict", str(out), "--file", str(texts)])
    assert result.exit_code == 0 and len(result.output.strip().splitlines()) == 3

    result = runner.invoke(app, ["classify", "predict", str(out)], input="great\nbad movie\n")
    assert result.exit_code == 0
    assert [line.split("\t")[0] for line in result.output.strip().splitlines()] == ["pos", "neg"]


def test_unknown_cell_exits_2(files):
    result = runner.invoke(app, ["classify", "train", str(files / "train.txt"), "--cell", "transformer"])
    assert result.exit_code == 2
    assert "transformer" in (getattr(result, "stderr", None) or result.output)


def test_bad_input_exits_2_with_one_line(files, model, tmp_path):
    one = tmp_path / "one.txt"
    one.write_text("__label__pos good film\n__label__pos great film\n")
    result = runner.invoke(app, ["classify", "train", str(one), "--out", str(tmp_path / "m1"), *SMALL])
    assert result.exit_code == 2
    assert "class" in one_line_error(result)

    other = tmp_path / "other.txt"
    other.write_text(fasttext_lines(10, 5, labels=("neg", "neutral")))
    result = runner.invoke(
        app,
        [
            "classify",
            "train",
            str(files / "train.txt"),
            "--test",
            str(other),
            "--out",
            str(tmp_path / "m2"),
            *SMALL,
        ],
    )
    assert result.exit_code == 2
    assert "neutral" in one_line_error(result)

    out, _ = model
    result = runner.invoke(app, ["classify", "train", str(files / "train.txt"), "--out", str(out), *SMALL])
    assert result.exit_code == 2
    assert "already exists" in one_line_error(result)

    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("config.json", "vocab.json", "model.pt"):
        (broken / name).write_bytes((out / name).read_bytes())
    config = json.loads((broken / "config.json").read_text())
    config["format_version"] = 7
    (broken / "config.json").write_text(json.dumps(config))
    result = runner.invoke(app, ["classify", "predict", str(broken), "good"])
    assert result.exit_code == 2
    assert "format version 7" in one_line_error(result)

    result = runner.invoke(app, ["classify", "lr-find", str(files / "train.txt"), "--tokenizer", "nope"])
    assert result.exit_code == 2
    assert "nope" in one_line_error(result)

    result = runner.invoke(app, ["classify", "predict", str(out)], input="")
    assert result.exit_code == 2
    assert "no texts" in one_line_error(result)


def test_nan_loss_exits_1_and_saves_nothing(files, tmp_path, monkeypatch):
    import nlptk.classify.learner as learner_module

    real = learner_module.F.cross_entropy
    monkeypatch.setattr(learner_module.F, "cross_entropy", lambda *a, **k: real(*a, **k) * float("inf"))
    out = tmp_path / "m"
    result = runner.invoke(app, ["classify", "train", str(files / "train.txt"), "--out", str(out), *SMALL])
    assert result.exit_code == 1
    assert "no model was saved" in one_line_error(result)
    assert not out.exists()


def test_resume_with_other_vectors_dimension(files, tmp_path):
    rng = np.random.default_rng(0)
    words = POS + NEG + FILLER
    for dim in (6, 9):
        Vectors(
            words, rng.normal(size=(len(words), dim)).astype(np.float32)
        ).to_gensim().save_word2vec_format(str(tmp_path / f"v{dim}.txt"))
    train = LabelledData(
        [line.split(" ", 1)[1] for line in fasttext_lines(80, 0).splitlines()],
        [i % 2 for i in range(80)],
        ["neg", "pos"],
    )

    class Interrupt(Callback):
        def on_epoch_end(self, learner, record):
            raise KeyboardInterrupt

    out = tmp_path / "model"
    from nlptk.vectors.formats import load_vectors

    with pytest.raises(KeyboardInterrupt):
        train_classifier(
            train,
            vectors=load_vectors(tmp_path / "v6.txt"),
            out=out,
            config=ClassifierConfig(hidden_size=8, epochs=2, device="cpu"),
            callbacks=[Interrupt()],
        )
    # the CLI reads the same examples from a file (val split included) and other vectors
    data = tmp_path / "train.txt"
    data.write_text(fasttext_lines(80, 0))
    result = runner.invoke(
        app,
        [
            "classify",
            "train",
            str(data),
            "--vectors",
            str(tmp_path / "v9.txt"),
            "--out",
            str(out),
            "--resume",
            "--hidden-size",
            "8",
            "--epochs",
            "2",
            "--device",
            "cpu",
            "--no-progress",
        ],
    )
    assert result.exit_code == 2
    message = one_line_error(result)
    assert "9 dimensions" in message and "6" in message


def test_lr_find_prints_suggestion_and_plot(files, tmp_path):
    plot = tmp_path / "lr.png"
    result = runner.invoke(
        app,
        [
            "classify",
            "lr-find",
            str(files / "train.txt"),
            "--plot",
            str(plot),
            "--steps",
            "30",
            "--hidden-size",
            "8",
            "--embedding-dim",
            "8",
            "--device",
            "cpu",
            "--tokenizer",
            "whitespace",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "suggested learning rate" in result.output
    assert plot.stat().st_size > 0
