"""Benchmark: nlptk's classifier training and prediction against the floor, a plain PyTorch loop.

On SST-2 (``stsa.binary.{train,dev,test}`` from ``--data-root``), with the BiLSTM that
``nlptk classify train`` builds by default (:class:`nlptk.classify.model.RNNClassifierNet`:
random 100-d embeddings, one bidirectional LSTM layer of 128 units, concat pooling, batch
64, peak lr 1e-2, AdamW with weight decay 0.01, gradient clipping at 1.0, the regex
tokenizer), side by side in one process:

**Training, per epoch** (interleaved rounds, the order alternating each round, for each
``--threads`` setting):

* **nlptk**: ``train_classifier(train, val=dev, config=ClassifierConfig(epochs=E, patience=0),
  out=...)``, the call ``nlptk classify train DATA --val DEV --out OUT`` makes: the
  :class:`~nlptk.classify.learner.Learner`'s ``fit_one_cycle`` with its callbacks (early
  stopping, the checkpoint written after every epoch, progress events sent to a no-op
  callback), validation after every epoch. An epoch's seconds run from the end of the
  previous epoch (or the start of the stage) to the end of this one's callbacks: everything
  nlptk does per epoch. ``train_only`` is the training pass alone (the learner's
  ``train_sentences_per_s``).
* **floor**: the loop a user writes by hand on the same :class:`RNNClassifierNet` (same seed,
  same initial weights), over the same batches (the batches nlptk's sampler yields for each
  epoch, same order, same padding, built before the clock starts), ``AdamW`` +
  ``OneCycleLR`` (``pct_start=0.25``), ``clip_grad_norm_``: no callbacks, no metrics, no
  validation.

Reported: the median epoch of each run, the ratio nlptk / floor per round (target <= 1.1),
and the ratio of nlptk's training pass alone to the floor.

**Prediction** (the model nlptk trained in the last round, loaded with
``TrainedClassifier.load`` as ``nlptk classify predict`` does), on all 9,613 SST-2 sentences
(train, dev and test), for each ``--predict-threads`` setting:

* ``predict``: ``clf.predict(texts)`` (tokenizing, encoding, length-bucketed batches of 256,
  the forward pass, softmax, class names), sentences per second (target >= 10,000);
* ``tokenize``: the tokenizer alone (``[clf.tokenizer(t) for t in texts]``);
* ``encode``: tokenizing and mapping to ids (``encode_texts``);
* ``model``: the forward pass alone over the same batches, prebuilt, under
  ``torch.inference_mode`` (the model's own ceiling).

One JSON object on stdout; a markdown table on stderr.

Usage::

    python scripts/bench/classify_speed.py                   # about 6 minutes on 2 quiet cores
    python scripts/bench/classify_speed.py --quick           # smoke run, under a minute
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as nlptk sets it; before torch is loaded

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

import nlptk
from nlptk.classify.callbacks import Callback
from nlptk.classify.config import ClassifierConfig
from nlptk.classify.data import EncodedDataset, build_vocabulary, encode_texts, make_loader
from nlptk.classify.embeddings import random_embeddings
from nlptk.classify.model import RNNClassifierNet
from nlptk.classify.predictor import TrainedClassifier
from nlptk.classify.runtime import seed_everything
from nlptk.classify.training import train_classifier
from nlptk.text.labelled import LabelledData, load_labelled
from nlptk.text.tokenize import tokenizer_from_config
from nlptk.threads import wait_policy

DATA_ROOT = Path("/work/shared/data/classification/sst2")


class EpochClock(Callback):
    """Wall time of each epoch, callbacks included (it runs after nlptk's own callbacks)."""

    name = "epoch_clock"

    def __init__(self) -> None:
        self.marks: list[float] = []

    def on_fit_begin(self, learner: Any) -> None:
        self.marks.append(time.perf_counter())

    def on_epoch_end(self, learner: Any, record: dict[str, Any]) -> None:
        self.marks.append(time.perf_counter())

    def epochs(self) -> list[float]:
        return [b - a for a, b in zip(self.marks, self.marks[1:], strict=False)]


def _no_progress(event: Any) -> None:
    """A progress callback that shows nothing (the events are still made, as in the CLI)."""


def run_nlptk(train: LabelledData, dev: LabelledData, config: ClassifierConfig, out: Path) -> dict[str, Any]:
    clock = EpochClock()
    started = time.perf_counter()
    clf = train_classifier(
        train, val=dev, config=config, out=out, force=True, progress=_no_progress, callbacks=[clock]
    )
    total = time.perf_counter() - started
    epochs = clock.epochs()
    n_train = clf.info["training"]["n_train"]
    train_only = [n_train / h["train_sentences_per_s"] for h in clf.history]
    return {
        "epoch_seconds": [round(s, 3) for s in epochs],
        "train_only_seconds": [round(s, 3) for s in train_only],
        "median_epoch": statistics.median(epochs),
        "median_train_only": statistics.median(train_only),
        "outside_epochs_seconds": round(total - sum(epochs), 3),
        "final_train_loss": round(clf.history[-1]["train_loss"], 4),
        "final_val_accuracy": round(clf.history[-1]["val_accuracy"], 4),
    }


def floor_batches(train: LabelledData, config: ClassifierConfig, epochs: int) -> tuple[int, list[list[Any]]]:
    """The vocabulary size and each epoch's batches, built as nlptk's data pipeline builds them."""
    tokenizer = tokenizer_from_config(config.tokenizer)
    vocab = build_vocabulary([tokenizer(t) for t in train.texts], min_count=config.min_count)
    ids = encode_texts(train.texts, tokenizer, vocab, max_length=config.max_length)
    loader = make_loader(
        EncodedDataset(ids, train.labels), batch_size=config.batch_size, shuffle=True, seed=config.seed
    )
    batches = []
    for epoch in range(epochs):
        loader.batch_sampler.set_epoch(epoch)
        batches.append(list(loader))
    return len(vocab), batches


def run_floor(vocab_size: int, batches: list[list[Any]], config: ClassifierConfig) -> dict[str, Any]:
    """The plain loop: same model and initial weights, same batches, AdamW + OneCycleLR."""
    seed_everything(config.seed)
    model = RNNClassifierNet.from_config(
        config, vocab_size=vocab_size, embedding_dim=config.embedding_dim, n_classes=2
    )
    model.load_embeddings(
        torch.from_numpy(random_embeddings(vocab_size, config.embedding_dim, seed=config.seed))
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.lr, total_steps=sum(len(b) for b in batches), pct_start=0.25
    )
    model.train()
    seconds = []
    loss = torch.zeros(())
    for epoch_batches in batches:
        started = time.perf_counter()
        for x, lengths, y in epoch_batches:
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x, lengths), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip_grad)
            optimizer.step()
            scheduler.step()
        seconds.append(time.perf_counter() - started)
    return {
        "epoch_seconds": [round(s, 3) for s in seconds],
        "median_epoch": statistics.median(seconds),
        "last_batch_loss": round(float(loss.detach()), 4),
    }


def bench_training(
    train: LabelledData, dev: LabelledData, args: argparse.Namespace, folder: Path
) -> tuple[dict[str, Any], Path]:
    config = ClassifierConfig(epochs=args.epochs, patience=0, device="cpu")
    vocab_size, batches = floor_batches(train, config, args.epochs)
    runs: list[dict[str, Any]] = []
    out = folder / "model"
    for round_index in range(args.rounds):
        for threads in args.threads:
            arms = ["nlptk", "floor"] if round_index % 2 == 0 else ["floor", "nlptk"]
            for arm in arms:
                torch.set_num_threads(threads)
                result = (
                    run_nlptk(train, dev, config, out)
                    if arm == "nlptk"
                    else run_floor(vocab_size, batches, config)
                )
                record = {"round": round_index, "threads": threads, "arm": arm, **result}
                runs.append(record)
                print(json.dumps(record), file=sys.stderr, flush=True)
    summary: dict[str, Any] = {}
    for threads in args.threads:
        mine = {
            arm: [r for r in runs if r["threads"] == threads and r["arm"] == arm]
            for arm in ("nlptk", "floor")
        }
        ratios = [
            a["median_epoch"] / b["median_epoch"] for a, b in zip(mine["nlptk"], mine["floor"], strict=True)
        ]
        train_ratios = [
            a["median_train_only"] / b["median_epoch"]
            for a, b in zip(mine["nlptk"], mine["floor"], strict=True)
        ]
        summary[f"threads{threads}"] = {
            "nlptk_epoch_s": round(statistics.median(r["median_epoch"] for r in mine["nlptk"]), 3),
            "nlptk_train_only_s": round(statistics.median(r["median_train_only"] for r in mine["nlptk"]), 3),
            "floor_epoch_s": round(statistics.median(r["median_epoch"] for r in mine["floor"]), 3),
            "ratio_nlptk_over_floor": round(statistics.median(ratios), 3),
            "ratio_per_round": [round(r, 3) for r in ratios],
            "ratio_train_only_over_floor": round(statistics.median(train_ratios), 3),
            "nlptk_setup_and_save_s": round(
                statistics.median(r["outside_epochs_seconds"] for r in mine["nlptk"]), 3
            ),
            "target_ratio": 1.1,
        }
    settings = {
        "epochs_per_run": args.epochs,
        "rounds": args.rounds,
        "batches_per_epoch": len(batches[0]),
        "train_sentences": len(train),
        "val_sentences": len(dev),
        "vocab_size": vocab_size,
        "config": {k: v for k, v in config.to_dict().items() if k not in ("augment_protect",)},
    }
    return {"settings": settings, "summary": summary, "runs": runs}, out


def _rate(n: int, seconds: list[float]) -> float:
    return round(n / statistics.median(seconds), 1)


def bench_prediction(model_folder: Path, texts: list[str], args: argparse.Namespace) -> dict[str, Any]:
    clf = TrainedClassifier.load(model_folder, device="cpu")
    config = clf.config
    batch_size = 256  # `nlptk classify predict`'s default
    ids = encode_texts(texts, clf.tokenizer, clf.vocab, max_length=config.max_length)
    loader = make_loader(EncodedDataset(ids), batch_size=batch_size, shuffle=False)
    batches = list(loader)
    summary: dict[str, Any] = {}
    for threads in args.predict_threads:
        torch.set_num_threads(threads)
        clf.predict(texts[:batch_size])  # warm-up
        timings: dict[str, list[float]] = {"predict": [], "tokenize": [], "encode": [], "model": []}
        for _ in range(args.predict_repeats):
            started = time.perf_counter()
            labels = clf.predict(texts, batch_size=batch_size)
            timings["predict"].append(time.perf_counter() - started)
            started = time.perf_counter()
            for text in texts:
                clf.tokenizer(text)
            timings["tokenize"].append(time.perf_counter() - started)
            started = time.perf_counter()
            encode_texts(texts, clf.tokenizer, clf.vocab, max_length=config.max_length)
            timings["encode"].append(time.perf_counter() - started)
            started = time.perf_counter()
            with torch.inference_mode():
                for x, lengths, _ in batches:
                    clf.model(x, lengths)
            timings["model"].append(time.perf_counter() - started)
        assert len(labels) == len(texts)
        summary[f"threads{threads}"] = {
            "predict_sentences_per_s": _rate(len(texts), timings["predict"]),
            "tokenize_sentences_per_s": _rate(len(texts), timings["tokenize"]),
            "encode_sentences_per_s": _rate(len(texts), timings["encode"]),
            "model_sentences_per_s": _rate(len(texts), timings["model"]),
            "seconds": {k: [round(s, 4) for s in v] for k, v in timings.items()},
            "target_predict_sentences_per_s": 10_000,
        }
    return {
        "settings": {
            "sentences": len(texts),
            "tokens": int(sum(len(t) for t in ids)),
            "batch_size": batch_size,
            "repeats": args.predict_repeats,
        },
        "summary": summary,
    }


def markdown_table(training: dict[str, Any], prediction: dict[str, Any]) -> str:
    lines = [
        "| threads | nlptk epoch s | nlptk train pass s | floor epoch s | nlptk / floor (rounds) "
        "| train pass / floor |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, s in training["summary"].items():
        lines.append(
            f"| {key.removeprefix('threads')} | {s['nlptk_epoch_s']:.2f} | {s['nlptk_train_only_s']:.2f} | "
            f"{s['floor_epoch_s']:.2f} | {s['ratio_nlptk_over_floor']:.3f} "
            f"({', '.join(f'{r:.3f}' for r in s['ratio_per_round'])}) "
            f"| {s['ratio_train_only_over_floor']:.3f} |"
        )
    lines += [
        "",
        "| threads | predict sent/s | tokenizer alone sent/s | tokenize + ids sent/s | model alone sent/s |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, s in prediction["summary"].items():
        lines.append(
            f"| {key.removeprefix('threads')} | {s['predict_sentences_per_s']:,.0f} | "
            f"{s['tokenize_sentences_per_s']:,.0f} | {s['encode_sentences_per_s']:,.0f} | "
            f"{s['model_sentences_per_s']:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-root", type=Path, default=DATA_ROOT)
    parser.add_argument("--epochs", type=int, default=3, help="Epochs per training run.")
    parser.add_argument("--rounds", type=int, default=3, help="Interleaved rounds (nlptk and floor each).")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="Torch threads for training.")
    parser.add_argument("--predict-threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--predict-repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="A smoke run: 1,000 sentences, 1 round.")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.rounds, args.predict_repeats = 2, 1, 2
    started = time.perf_counter()
    load_before = os.getloadavg()
    default_threads = torch.get_num_threads()
    root = args.data_root
    train = load_labelled(root / "stsa.binary.train", format="label-first")
    dev = load_labelled(root / "stsa.binary.dev", format="label-first", classes=train.classes)
    test = load_labelled(root / "stsa.binary.test", format="label-first", classes=train.classes)
    texts = list(train.texts) + list(dev.texts) + list(test.texts)
    if args.quick:
        train, dev, texts = train.subset(list(range(1000))), dev.subset(list(range(200))), texts[:2000]
    with tempfile.TemporaryDirectory(prefix="nlptk-classify-speed-") as tmp:
        training, model_folder = bench_training(train, dev, args, Path(tmp))
        prediction = bench_prediction(model_folder, texts, args)
    result = {
        "benchmark": "classify_speed",
        "data": str(root),
        "training": training,
        "prediction": prediction,
        "wall_seconds": round(time.perf_counter() - started, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_start": load_before,
            "load_average_end": os.getloadavg(),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
            "nlptk_wait_policy": wait_policy(),
            "torch_threads_default": default_threads,
        },
        "versions": {
            "nlptk": nlptk.__version__,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
    }
    print(json.dumps(result, indent=1))
    print(markdown_table(training, prediction), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
