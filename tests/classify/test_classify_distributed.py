"""The classifier under torch.distributed: two real processes on gloo (CPU), compared with one.

One two-rank job (a module fixture) runs several scenarios in turn, so the processes and
their rendezvous are paid for once: a DDP training with pretrained vectors (frozen, then
unfrozen stage), a run interrupted after its first epoch, ranks given different data, and a
batch smaller than the number of ranks. A second job checks that a rank that dies stops
the other one with a clear message.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import run_ranks

from nlptk.classify.callbacks import Callback
from nlptk.classify.config import ClassifierConfig
from nlptk.classify.data import BucketBatchSampler
from nlptk.classify.distributed import ShardedBatchSampler
from nlptk.classify.persist import checkpoint_path
from nlptk.classify.training import find_learning_rate, train_classifier
from nlptk.distributed import digest, init_distributed
from nlptk.errors import ParameterError
from nlptk.text.labelled import LabelledData
from nlptk.vectors.container import Vectors

#: DDP on 2 ranks must reach the single-process validation accuracy within this.
ACCURACY_TOLERANCE = 0.05
GOOD, BAD = ["fine", "superb", "lovely"], ["dull", "poor", "weak"]
OTHER = ["a", "the", "show", "cast", "was", "quite", "plot", "scene", "it", "so"]


def reviews(n: int, seed: int = 0) -> LabelledData:
    """Short texts whose class is given by their one opinion word."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        words = [*rng.choices(OTHER, k=rng.randint(1, 9)), rng.choice(GOOD if i % 2 else BAD)]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(i % 2)
    return LabelledData(texts, labels, ["bad", "good"], source="reviews")


def opinion_vectors() -> Vectors:
    words = GOOD + BAD + OTHER
    rng = np.random.default_rng(3)
    matrix = rng.normal(0, 0.1, (len(words), 8)).astype(np.float32)
    matrix[: len(GOOD), 0] += 1.0
    matrix[len(GOOD) : len(GOOD) + len(BAD), 0] -= 1.0
    return Vectors(words, matrix)


def config(**changes) -> ClassifierConfig:
    base = dict(hidden_size=8, batch_size=16, lr=3e-2, epochs=3, freeze_epochs=1, patience=None,
                device="cpu", seed=0)  # fmt: skip
    return ClassifierConfig(**{**base, **changes})


class EmbeddingWatch(Callback):
    """Digests of the embedding layer at the start of each stage and after each epoch."""

    name = "embedding_watch"

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def on_fit_begin(self, learner) -> None:
        self.seen.append(("begin " + learner.stage, digest(learner.model.embedding.weight)))

    def on_epoch_end(self, learner, record) -> None:
        self.seen.append((f"epoch {record['epoch']}", digest(learner.model.embedding.weight)))


def _timeless(history: list[dict]) -> list[dict]:
    return [{k: v for k, v in h.items() if k not in ("seconds", "train_sentences_per_s")} for h in history]


class StopAfterFirstEpoch(Callback):
    name = "stop_after_first_epoch"

    def on_epoch_end(self, learner, record) -> None:
        raise KeyboardInterrupt


def _outcome(fn) -> tuple:
    try:
        return ("ok", fn())
    except BaseException as exc:  # KeyboardInterrupt too
        return ("error", type(exc).__name__, str(exc))


def _scenarios(rank: int, folder: str) -> dict:
    """What each rank of the shared two-rank job does."""
    out = Path(folder)
    data, vectors = reviews(240), opinion_vectors()
    results = {}

    def ddp() -> dict:
        watch = EmbeddingWatch()
        # freeze_rows="all": the whole embedding must hold still in the frozen stage (the default
        # lets rows of words the vectors lack train from the start)
        settings = config(freeze_rows="all")
        clf = train_classifier(data, vectors=vectors, config=settings, out=out / "ddp", callbacks=[watch])
        weights = clf.model.state_dict()
        return {
            "history": clf.history,
            "weights": digest([weights[k] for k in sorted(weights)]),
            "embedding": dict(watch.seen),
            "world_size": clf.info["training"].get("world_size"),
        }

    results["ddp"] = _outcome(ddp)
    stop = [StopAfterFirstEpoch()]
    results["interrupted"] = _outcome(
        lambda: train_classifier(data, vectors=vectors, config=config(), out=out / "resumed", callbacks=stop)
    )
    results["disagree"] = _outcome(lambda: train_classifier(reviews(60, seed=rank), config=config(epochs=1)))
    results["small_batch"] = _outcome(lambda: train_classifier(data, config=config(epochs=1, batch_size=1)))
    return results


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory) -> tuple[dict, Path]:
    folder = tmp_path_factory.mktemp("ddp")
    results = run_ranks(_scenarios, str(folder), world_size=2, timeout_s=60)
    for rank in (0, 1):
        assert results[rank][0] == "ok", f"rank {rank}: {results[rank]}"
    return {rank: results[rank][1] for rank in (0, 1)}, folder


@pytest.mark.slow  # two spawned processes: 30-60 s on a busy 2-core machine
def test_ddp_reaches_the_single_process_accuracy(two_ranks) -> None:
    results, _ = two_ranks
    ranks = [results[r]["ddp"] for r in (0, 1)]
    assert all(r[0] == "ok" for r in ranks), ranks
    single = train_classifier(reviews(240), vectors=opinion_vectors(), config=config(freeze_rows="all"))
    ddp = ranks[0][1]
    assert ddp["world_size"] == 2
    assert ddp["history"][-1]["val_accuracy"] >= single.history[-1]["val_accuracy"] - ACCURACY_TOLERANCE
    assert ddp["history"][-1]["val_accuracy"] >= 0.9
    # gradients synchronised: both ranks end with the same weights and the same metrics
    assert ranks[0][1]["weights"] == ranks[1][1]["weights"]
    assert _timeless(ranks[0][1]["history"]) == _timeless(ranks[1][1]["history"])
    # frozen stage, then unfrozen: frozen rows stay put, then train (and stay equal on both ranks)
    assert [h["stage"] for h in ddp["history"]] == ["frozen", "unfrozen", "unfrozen"]
    seen = ddp["embedding"]
    assert seen["begin frozen"] == seen["epoch 1"] == seen["begin unfrozen"] != seen["epoch 2"]
    assert ranks[0][1]["embedding"] == ranks[1][1]["embedding"]
    # the same number of steps per epoch as one process: the one-cycle schedule is the same
    assert [h["lr"] for h in ddp["history"]] == pytest.approx([h["lr"] for h in single.history])


@pytest.mark.slow  # two spawned processes: 30-60 s on a busy 2-core machine
def test_only_rank_0_writes_the_model(two_ranks) -> None:
    _, folder = two_ranks
    assert (folder / "ddp" / "model.pt").exists()
    assert not checkpoint_path(folder / "ddp").parent.exists()  # removed once the model was saved


@pytest.mark.slow  # two spawned processes: 30-60 s on a busy 2-core machine
def test_checkpoint_from_two_ranks_resumes_on_one(two_ranks) -> None:
    results, folder = two_ranks
    assert results[0]["interrupted"][:2] == ("error", "KeyboardInterrupt")
    checkpoint = checkpoint_path(folder / "resumed")
    assert checkpoint.exists()
    with pytest.raises(ParameterError, match="hidden_size"):  # another model configuration
        train_classifier(reviews(240), vectors=opinion_vectors(), config=config(hidden_size=9),
                         out=folder / "resumed", resume=True)  # fmt: skip
    clf = train_classifier(reviews(240), vectors=opinion_vectors(), config=config(), out=folder / "resumed",
                           resume=True)  # fmt: skip
    assert [h["epoch"] for h in clf.history] == [1, 2, 3]
    assert clf.info["training"]["resumed"]
    assert clf.history[-1]["val_accuracy"] >= 0.9
    two_rank_run = results[0]["ddp"][1]["history"]
    assert _timeless(clf.history[:1]) == _timeless(two_rank_run[:1])  # epoch 1 came from the 2 ranks
    assert [h["lr"] for h in clf.history] == pytest.approx([h["lr"] for h in two_rank_run])


@pytest.mark.slow  # two spawned processes: 30-60 s on a busy 2-core machine
def test_ranks_that_read_different_data_are_refused(two_ranks) -> None:
    results, _ = two_ranks
    for rank in (0, 1):
        status, kind, message = results[rank]["disagree"]
        assert (status, kind) == ("error", "DataError")
        assert "did not read the same inputs" in message and "rank 1 differs from rank 0" in message


@pytest.mark.slow  # two spawned processes: 30-60 s on a busy 2-core machine
def test_more_ranks_than_texts_per_batch_is_refused(two_ranks) -> None:
    results, _ = two_ranks
    for rank in (0, 1):
        status, kind, message = results[rank]["small_batch"]
        assert (status, kind) == ("error", "ParameterError")
        assert "batch_size=1" in message and "2 ranks" in message


class DieAtSecondBatch(Callback):
    name = "die"

    def on_batch_end(self, learner, batch, n_batches, loss) -> None:
        if batch == 2 and learner.dist.rank == 1:
            import os

            os._exit(3)


def _die(rank: int) -> float:
    started = time.monotonic()
    try:
        train_classifier(reviews(120), config=config(epochs=2), callbacks=[DieAtSecondBatch()])
    finally:
        print(f"rank {rank} stopped after {time.monotonic() - started:.1f}s")
    return time.monotonic() - started


@pytest.mark.slow  # two spawned processes: 30-60 s on a busy 2-core machine
def test_a_rank_that_dies_stops_the_job_with_a_clear_message() -> None:
    started = time.monotonic()
    results = run_ranks(_die, world_size=2, timeout_s=20, join_s=120)
    assert results[1] == ("exit", 3)
    status, (kind, message) = results[0]
    assert (status, kind) == ("error", "DistributedError")
    assert "rank 0 of 2 lost contact with the other ranks during training" in message
    assert time.monotonic() - started < 120


def test_missing_master_addr_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    monkeypatch.delenv("MASTER_ADDR", raising=False)
    monkeypatch.setenv("MASTER_PORT", "29500")
    with pytest.raises(ParameterError, match="MASTER_ADDR is not set") as info:
        init_distributed("cpu")
    assert "torchrun" in str(info.value)
    with pytest.raises(ParameterError, match="MASTER_ADDR"):
        train_classifier(reviews(40), config=config(epochs=1))


def test_the_lr_finder_refuses_to_run_distributed(monkeypatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(ParameterError, match=r"lr finder runs in one process.*2 ranks") as info:
        find_learning_rate(reviews(40), config=config())
    assert "without torchrun" in str(info.value)


def test_sharded_batches_cover_each_global_batch_once() -> None:
    lengths = np.random.default_rng(0).integers(1, 30, 101)
    inner = BucketBatchSampler(lengths, batch_size=16, seed=4)
    shards = [ShardedBatchSampler(inner, r, 3) for r in range(3)]
    for shard in shards:
        shard.set_epoch(2)
    inner.set_epoch(2)
    global_batches = list(inner)
    per_rank = [list(s) for s in shards]
    assert all(len(p) == len(global_batches) for p in per_rank)  # every rank takes every step
    for k, batch in enumerate(global_batches):
        taken = sorted(i for p in per_rank for i in p[k])
        if len(batch) >= 3:
            assert taken == sorted(batch)  # each text of the batch on exactly one rank
        spread = [max(lengths[p[k]]) - min(lengths[p[k]]) for p in per_rank]
        assert max(spread) <= max(lengths[batch]) - min(lengths[batch])  # bucketing kept per rank
    val = [list(ShardedBatchSampler(BucketBatchSampler(lengths, 16, shuffle=False), r, 3, pad=False))
           for r in range(3)]  # fmt: skip
    assert sorted(i for p in val for b in p for i in b) == list(range(101))


def test_single_process_is_unchanged() -> None:
    torch.manual_seed(0)
    clf = train_classifier(reviews(80), config=config(epochs=1))
    assert "world_size" not in clf.info["training"]


def _write_csv(path: Path, data: LabelledData) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows((t, data.classes[y]) for t, y in zip(data.texts, data.labels, strict=True))
    return path


def test_cli_lr_find_under_torchrun_is_refused_in_one_line(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from nlptk.cli.app import app

    monkeypatch.setenv("WORLD_SIZE", "2")
    data = _write_csv(tmp_path / "data.csv", reviews(40))
    result = CliRunner().invoke(app, ["classify", "lr-find", str(data), "--device", "cpu"])
    assert result.exit_code == 2
    assert "the lr finder runs in one process" in result.output


@pytest.mark.slow  # torchrun starts an agent and two workers: 30-60 s on a busy 2-core machine
def test_cli_train_under_torchrun(tmp_path) -> None:
    import os
    import subprocess
    import sys

    from conftest import free_port

    data = _write_csv(tmp_path / "data.csv", reviews(200))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NLPTK_DIST_TIMEOUT": "60"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2",
               "--master-port", str(free_port()), "-m", "nlptk", "classify", "train", str(data),
               "--out", str(tmp_path / "model"), "--device", "cpu", "--epochs", "2", "--hidden-size", "8",
               "--batch-size", "16", "--no-progress"]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("classifier saved to") == 1  # rank 0 alone shows the results
    assert (tmp_path / "model" / "model.pt").exists()
    history = json.loads((tmp_path / "model" / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]
