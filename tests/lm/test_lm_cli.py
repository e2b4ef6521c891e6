"""`nlptk lm train | finetune | eval | generate` from the command line, bad input included."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from nlptk.cli.app import app

runner = CliRunner()
WORDS = ["the", "cat", "sat", "on", "the", "mat", "and", "the", "dog", "ran", "to", "the", "park"]
SMALL = [
    "--embedding-dim", "8", "--hidden-size", "16", "--layers", "1", "--batch-size", "4", "--bptt", "10",
    "--min-count", "1", "--epochs", "1", "--threads", "1", "--device", "cpu", "--no-progress",
]  # fmt: skip


def _corpus(folder: Path) -> Path:
    path = folder / "corpus.txt"
    path.write_text("\n".join(" ".join(WORDS[i % 5 :] + WORDS[: i % 5]) for i in range(100)) + "\n")
    return path


def _run(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args])


def test_train_eval_generate_finetune(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    result = _run("lm", "train", _corpus(tmp_path), "--out", tmp_path / "lm", "--cache-dir", cache, *SMALL)
    assert result.exit_code == 0, result.output
    assert "val perplexity" in result.output and (tmp_path / "lm" / "model.pt").exists()
    result = _run("lm", "eval", tmp_path / "lm", tmp_path / "corpus.txt", "--cache-dir", cache, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["perplexity"] > 1 and report["unknown_rate"] == 0.0
    result = _run("lm", "generate", tmp_path / "lm", "the cat", "--tokens", "5", "--seed", "1")
    assert result.exit_code == 0 and result.output.startswith("the cat")
    labelled = tmp_path / "task.txt"
    labelled.write_text("\n".join(f"__label__{i % 2} the bird sat on the cat" for i in range(60)) + "\n")
    result = _run(
        "lm", "finetune", tmp_path / "lm", labelled, "--format", "fasttext", "--out", tmp_path / "lm2",
        "--cache-dir", cache, "--min-count", "2", "--lr-decay", "2.6",
        *SMALL[6:],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    vocab = json.loads((tmp_path / "lm2" / "vocab.json").read_text())["words"]
    assert "bird" in vocab and "__label__0" not in vocab


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, make_language_model) -> None:
    (tmp_path / "empty.txt").write_text("")
    result = _run("lm", "train", tmp_path / "empty.txt", "--out", tmp_path / "lm", *SMALL)
    assert result.exit_code == 2 and "error:" in result.output
    result = _run("lm", "train", _corpus(tmp_path), "--out", tmp_path / "lm", "--layers", "4")
    assert result.exit_code == 2 and "--layers 4" in result.output
    make_language_model().save(tmp_path / "tiny")
    result = _run("lm", "generate", tmp_path / "tiny", "zebra quagga")
    assert result.exit_code == 2 and "none of the prompt's words" in result.output
    result = _run(
        "lm", "finetune", tmp_path / "tiny", _corpus(tmp_path), "--out", tmp_path / "x", "--hidden-size", "8"
    )
    assert result.exit_code == 2  # the shape is the pretrained model's: not an option here
    config = json.loads((tmp_path / "tiny" / "config.json").read_text())
    config["tokenizer"] = {"name": "bpe", "merges": 100}
    (tmp_path / "tiny" / "config.json").write_text(json.dumps(config))
    result = _run("lm", "eval", tmp_path / "tiny", _corpus(tmp_path))
    assert result.exit_code == 2 and "tokenizer this nlptk cannot rebuild" in result.output
