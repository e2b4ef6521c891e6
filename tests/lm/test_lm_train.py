"""Training and fine-tuning language models: they learn, and bad input is refused with nothing saved."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from nlptk.classify.callbacks import Callback
from nlptk.errors import DataError, ParameterError, TrainingError
from nlptk.lm import LanguageModel, load_language_model
from nlptk.lm.finetune import finetune_language_model
from nlptk.lm.model import evaluate_stream
from nlptk.lm.stream import batchify, encode_stream
from nlptk.lm.training import train_language_model
from nlptk.text.labelled import LabelledData
from nlptk.vectors.container import Vectors

WORDS = ["the", "cat", "sat", "on", "the", "mat", "and", "the", "dog", "ran", "to", "the", "park"]
# a small, fast network: tests check behaviour, not quality
SMALL: dict[str, Any] = {
    "embedding_dim": 16,
    "hidden_size": 32,
    "num_layers": 1,
    "batch_size": 8,
    "bptt": 20,
    "min_count": 1,
    "lr": 1e-2,
    "val_fraction": 0.1,
    "threads": 1,
}


def _corpus(folder: Path, lines: int = 400) -> Path:
    """A repetitive corpus: rotations of one sentence (easy to predict once learned)."""
    path = folder / "corpus.txt"
    path.write_text("\n".join(" ".join(WORDS[i % 5 :] + WORDS[: i % 5]) for i in range(lines)) + "\n")
    return path


def _train(tmp_path: Path, **settings: Any) -> LanguageModel:
    options = {**SMALL, **settings}
    return train_language_model(_corpus(tmp_path), cache_dir=tmp_path / "cache", **options)


def test_training_lowers_perplexity_much(tmp_path: Path) -> None:
    lm = _train(tmp_path, epochs=4, out=tmp_path / "lm")  # about 270 steps
    ids = encode_stream(lm.meta["tokens_file"], lm.vocabulary)
    data = batchify(ids[-600:], 4)
    torch.manual_seed(0)
    untrained = type(lm.network)(lm.config, len(lm.vocab))  # the same network at step 0
    before, _ = evaluate_stream(untrained, data, bptt=20, device=torch.device("cpu"))
    after, _ = evaluate_stream(lm.network, data, bptt=20, device=torch.device("cpu"))
    # 10 words + <eos>: about 12 at step 0; the corpus is one sentence, rotated
    assert math.exp(before) > 8 and math.exp(after) < min(4.0, math.exp(before) / 3), (before, after)
    curve = [r["val_perplexity"] for r in lm.history]
    assert curve[-1] < curve[0] / 2
    loaded = load_language_model(tmp_path / "lm")
    assert loaded.perplexity([" ".join(WORDS)] * 5)["perplexity"] < 4
    assert not (tmp_path / "lm.checkpoint").exists()  # removed once the model is saved


def test_generation_is_seeded_and_follows_the_corpus(tmp_path: Path) -> None:
    lm = _train(tmp_path, epochs=4)
    text = lm.generate("the cat", tokens=12, seed=3)
    assert text == lm.generate("the cat", tokens=12, seed=3)
    assert set(text.split()) <= set(WORDS) and "<unk>" not in text


def test_prompt_of_unknown_words_is_refused(make_language_model) -> None:
    lm = make_language_model()
    with pytest.raises(DataError, match="none of the prompt's words"):
        lm.generate("zebra quagga", tokens=3)
    assert lm.generate("", tokens=3, seed=0)  # an empty prompt starts a document


def test_empty_corpus_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("\n\n  \n")
    with pytest.raises(DataError):
        train_language_model(tmp_path / "empty.txt", cache_dir=tmp_path / "cache", **SMALL)


def test_corpus_shorter_than_one_window_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="fewer than one BPTT window of batch_size x"):
        train_language_model(
            _corpus(tmp_path, lines=5), cache_dir=tmp_path / "cache", **SMALL, out=tmp_path / "lm"
        )
    assert not (tmp_path / "lm").exists()


def test_budget_smaller_than_one_batch_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="less than one batch"):
        _train(tmp_path, max_tokens=100)
    with pytest.raises(TrainingError, match="smaller than one batch"):
        _train(tmp_path, max_minutes=1e-9, out=tmp_path / "lm")
    assert not (tmp_path / "lm").exists()


def test_token_budget_stops_training_and_keeps_the_best(tmp_path: Path) -> None:
    lm = _train(tmp_path, epochs=5, max_tokens=3000)
    assert lm.meta["tokens_seen"] <= 3000 and lm.meta["stopped_by"].startswith("the token budget")
    assert lm.history[-1]["partial"] and lm.history[-1]["val_perplexity"] is not None


def test_nan_loss_stops_and_saves_nothing(tmp_path: Path) -> None:
    vectors = Vectors(["cat", "sat", "mat", "dog"], np.full((4, 16), np.nan, dtype=np.float32))
    with pytest.raises(TrainingError, match="no model was saved"):
        _train(tmp_path, vectors=vectors, embedding_dim=None, out=tmp_path / "lm")
    assert not (tmp_path / "lm").exists() and not (tmp_path / "lm.checkpoint").exists()


class _InterruptAfterFirstEpoch(Callback):
    def on_epoch_end(self, learner: Any, record: dict[str, Any]) -> None:
        raise KeyboardInterrupt


def test_resume_refuses_changed_settings_and_continues(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        _train(tmp_path, epochs=2, out=tmp_path / "lm", callbacks=[_InterruptAfterFirstEpoch()])
    assert (tmp_path / "lm.checkpoint" / "last.pt").exists() and not (tmp_path / "lm").exists()
    with pytest.raises(ParameterError) as info:
        _train(tmp_path, epochs=2, out=tmp_path / "lm", resume=True, lr=5e-3, hidden_size=16)
    assert "lr=0.005 (checkpoint: 0.01)" in str(info.value) and "hidden_size=16" in str(info.value)
    lm = _train(tmp_path, epochs=2, out=tmp_path / "lm", resume=True, max_minutes=30)
    assert [r["epoch"] for r in lm.history] == [1, 2] and lm.meta["resumed"]
    whole = _train(tmp_path, epochs=2)  # the same run, never interrupted
    assert lm.history[1]["lr"] == pytest.approx(whole.history[1]["lr"])  # the schedule went on
    assert lm.history[1]["val_loss"] == pytest.approx(whole.history[1]["val_loss"], rel=1e-4)


def test_finetune_grows_the_vocabulary_from_labelled_texts(tmp_path: Path) -> None:
    base = _train(tmp_path, epochs=1, decoder="adaptive", cutoffs=(6,))
    texts = LabelledData(
        ["the bird flew over the cat", "a bird sat on the dog"] * 80, [0, 1] * 80, ["a", "b"]
    )
    vectors = Vectors(["bird", "flew"], np.ones((2, 16), dtype=np.float32))
    tuned = finetune_language_model(
        base, texts, vectors=vectors, cache_dir=tmp_path / "cache", epochs=1, lr_decay=2.6, **_training_only()
    )
    assert tuned.vocab[: len(base.vocab)] == base.vocab
    assert {"bird", "flew", "over", "a"} <= set(tuned.vocab[len(base.vocab) :])
    bird = tuned.vocabulary["bird"]
    assert tuned.encoder.embedding.weight.shape[0] == len(tuned.vocab)
    assert tuned.meta["finetuned_from"]["words_added"] == 4
    assert tuned.perplexity(["the bird flew over the cat"])["unknown_rate"] == 0.0
    assert bird >= len(base.vocab)
    with pytest.raises(ParameterError, match="cannot change when fine-tuning"):
        finetune_language_model(base, texts, cache_dir=tmp_path / "cache", hidden_size=8)


def _training_only() -> dict[str, Any]:
    return {k: v for k, v in SMALL.items() if k not in ("embedding_dim", "hidden_size", "num_layers")} | {
        "min_count": 2
    }


def test_bfloat16_autocast_on_the_cpu_still_learns(tmp_path: Path) -> None:
    lm = _train(tmp_path, epochs=2, cpu_bf16=True, weight_dropout=0.0)
    curve = [r["val_perplexity"] for r in lm.history]
    assert curve[-1] < curve[0] and curve[-1] < 8


def test_time_budget_fits_the_schedule_and_stops(tmp_path: Path) -> None:
    # far more epochs than 2.4 s allow and no early stopping: only the time budget can end it,
    # however fast or loaded the machine is. The last step, validation and checkpoint may run
    # past the budget, and on a loaded 2-core machine that took over 5 s once: the bound only
    # has to tell "stopped near the budget" from "ran its 10,000 epochs" (minutes)
    lm = _train(tmp_path, epochs=10_000, patience=None, max_minutes=0.04)  # 2.4 s
    assert lm.meta["stopped_by"].startswith("the time budget")
    assert lm.meta["train_seconds"] < 0.04 * 60 + 30.0
    schedule = lm.meta["schedule"]  # the one cycle was laid over the steps that fit the time
    assert schedule["calibration_steps"] > 0 and schedule["schedule_steps"] < schedule["planned_steps"]


def test_the_corpus_is_tokenized_once_for_embed_train_and_lm_train(tmp_path: Path) -> None:
    import nlptk.embed

    corpus = _corpus(tmp_path)
    vectors = nlptk.train_embeddings(
        corpus, "word2vec", dim=16, epochs=1, min_count=1, cache_dir=tmp_path / "cache"
    )
    lm = train_language_model(
        corpus, vectors=vectors, cache_dir=tmp_path / "cache", **{**SMALL, "embedding_dim": None}
    )
    assert lm.meta["tokens_file"] == vectors.meta["corpus"]["tokens_file"]
    assert lm.meta["embeddings"]["coverage"]["coverage"] == 1.0 and lm.config.embedding_dim == 16
