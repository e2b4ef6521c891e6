"""Benchmark nlptk's trainers on 1 process against 2 processes (torchrun, gloo, CPU).

Usage::

    python scripts/bench/distributed.py [--data /work/shared/data] [--rounds 2]
        [--classify-epochs 3] [--glove-epochs 10] [--skip-classify] [--skip-glove]

Two workloads, each run as a subprocess ``python this_script --worker ...`` once plainly (1
process) and once under ``python -m torch.distributed.run --nproc-per-node 2`` (2 ranks),
rounds interleaved (1, 2, 1, 2...) because the machine is shared and noisy; the best round of
each is kept and ratios are reported. Every process runs ONE thread (``OMP_NUM_THREADS=1``,
``torch.set_num_threads(1)``), so 2 processes use 2 cores against 1 core for 1 process.

* **classifier**: SST-2 (train 6,920 sentences, dev as validation), random embeddings
  (dim 100), a bidirectional LSTM (128 units), batch 64 (the global batch: 32 per rank on 2
  ranks), one-cycle. Reported: seconds of training per epoch, sentences/s, validation accuracy
  and macro-F1, and the gradient all-reduce volume per step (every trainable parameter, float32).
* **GloVe**: WikiText-2 train (2.05M tokens, tokenized; ``<unk>`` kept), window 10,
  min_count 5, dim 50, x_max 10. Reported: counting and training seconds, the entries each rank
  sent in the exchange, the loss per epoch, the delta all-reduce volume per synchronisation,
  and the quality of W+C (WordSim353 and SimLex-999 Spearman, Google analogies, with gensim's
  files); 2 ranks synchronise ``--syncs`` times per epoch (default 4).

ONE JSON object is printed. A 2-core machine bounds the speed-up at 2x before any
communication cost, and other jobs compete for the same cores: read the ratios, not the
seconds, and read them as a lower bound of what separate machines or GPUs give.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import gzip
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


# -- workers (run in the subprocesses) --------------------------------------------------------
def _read_sst2(path: Path) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        label, _, text = line.partition(" ")
        if text:
            texts.append(text)
            labels.append(int(label))
    return texts, labels


def worker_classify(args: argparse.Namespace) -> dict[str, Any] | None:
    from nlptk.classify.config import ClassifierConfig
    from nlptk.classify.training import train_classifier
    from nlptk.text.labelled import LabelledData

    folder = Path(args.data) / "classification" / "sst2"
    train = LabelledData(*_read_sst2(folder / "stsa.binary.train"), ["negative", "positive"], source="sst2")
    dev = LabelledData(*_read_sst2(folder / "stsa.binary.dev"), ["negative", "positive"], source="sst2-dev")
    config = ClassifierConfig(
        epochs=args.classify_epochs, batch_size=64, hidden_size=128, embedding_dim=100, lr=1e-2,
        patience=None, device="cpu", seed=0, mixed_precision=False,
    )  # fmt: skip
    started = time.perf_counter()
    clf = train_classifier(train, val=dev, config=config)
    seconds = time.perf_counter() - started
    if int(os.environ.get("RANK", "0")) != 0:
        return None
    trainable = sum(p.numel() for p in clf.model.parameters())
    history = clf.history
    return {
        "seconds_total": round(seconds, 2),
        "epoch_seconds": [h["seconds"] for h in history],
        "sentences_per_s": [h["train_sentences_per_s"] for h in history],
        "val_accuracy": history[-1]["val_accuracy"],
        "val_macro_f1": history[-1]["val_macro_f1"],
        "best_val_accuracy": max(h["val_accuracy"] for h in history),
        "steps_per_epoch": -(-len(train) // config.batch_size),
        "allreduce_bytes_per_step": trainable * 4,
        "parameters": trainable,
    }


def worker_glove(args: argparse.Namespace) -> dict[str, Any] | None:
    import numpy as np

    from nlptk.distributed import init_distributed
    from nlptk.embed.glove import count_cooccurrences, fit_glove
    from nlptk.embed.glove.distributed import count_cooccurrences_sharded, fit_glove_distributed, sync_bytes
    from nlptk.vectors.container import Vectors
    from nlptk.vectors.evaluate import evaluate_vectors

    ctx = init_distributed("cpu")
    count = {"window": 10, "min_count": 5}
    train = {"dim": 50, "x_max": 10.0, "epochs": args.glove_epochs, "seed": 0}
    t0 = time.perf_counter()
    if ctx.active:
        matrix = count_cooccurrences_sharded(args.tokens, ctx, **count)
    else:
        matrix = count_cooccurrences(args.tokens, **count)
    count_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    if ctx.active:
        fit = fit_glove_distributed(matrix, ctx, syncs_per_epoch=args.syncs, **train)
    else:
        fit = fit_glove(matrix, device="cpu", threads=1, **train)
    train_s = time.perf_counter() - t1
    if not ctx.is_main:
        return None
    vectors = Vectors(matrix.words, np.ascontiguousarray(fit.word_vectors + fit.context_vectors))
    quality = evaluate_vectors(vectors)
    return {
        "count_s": round(count_s, 2),
        "train_s": round(train_s, 2),
        "epoch_s": round(min(fit.epoch_seconds), 2),
        "losses": [round(x, 6) for x in fit.losses],
        "n_words": matrix.n_words,
        "nnz_rank0": matrix.nnz,
        "entries_sent_rank0": matrix.extra.get("shard", {}).get("entries_sent", 0),
        "sync_bytes": sync_bytes(matrix.n_words, 50) if ctx.active else 0,
        "syncs_per_epoch": args.syncs if ctx.active else 0,
        "wordsim353": round(quality["wordsim"]["spearman"], 4),
        "simlex999": round(quality["simlex"]["spearman"], 4),
        "analogy": round(quality["analogies"]["accuracy"], 4),
    }


def run_worker(args: argparse.Namespace) -> None:
    import torch

    torch.set_num_threads(1)
    result = worker_classify(args) if args.worker == "classify" else worker_glove(args)
    if result is not None:
        Path(args.result).write_text(json.dumps(result), encoding="utf-8")


# -- the driver -------------------------------------------------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch(worker: str, ranks: int, result: Path, extra: list[str]) -> dict[str, Any]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NLPTK_DIST_TIMEOUT": "300"}
    command = [sys.executable]
    if ranks > 1:
        port = str(_free_port())
        command += ["-m", "torch.distributed.run", "--nproc-per-node", str(ranks), "--master-port", port]
    command += [__file__, "--worker", worker, "--result", str(result), *extra]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{worker} on {ranks} process(es) failed:\n{done.stderr[-3000:]}")
    return {**json.loads(result.read_text(encoding="utf-8")), "wall_s": round(wall, 2)}


def best(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return min(runs, key=lambda r: r[key])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="/work/shared/data")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--classify-epochs", type=int, default=3)
    parser.add_argument("--glove-epochs", type=int, default=10)
    parser.add_argument("--syncs", type=int, default=4, help="GloVe synchronisations per epoch (2 ranks)")
    parser.add_argument("--skip-classify", action="store_true")
    parser.add_argument("--skip-glove", action="store_true")
    parser.add_argument("--worker", choices=("classify", "glove"), help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--tokens", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args)
        return

    report: dict[str, Any] = {
        "benchmark": "distributed",
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "threads_per_process": 1,
        "backend": "gloo (CPU)",
        "note": "2 cores, shared with other jobs: the speed-up is bounded by 2x and noisy; "
        "best of the interleaved rounds is kept",
        "rounds": args.rounds,
    }
    common = ["--data", args.data]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_classify:
            runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
            extra = [*common, "--classify-epochs", str(args.classify_epochs)]
            for _ in range(args.rounds):
                for ranks in (1, 2):
                    runs[ranks].append(launch("classify", ranks, folder / f"c{ranks}.json", extra))
            one = min(runs[1], key=lambda r: min(r["epoch_seconds"]))
            two = min(runs[2], key=lambda r: min(r["epoch_seconds"]))
            speedup = min(one["epoch_seconds"]) / min(two["epoch_seconds"])
            report["classifier"] = {
                "data": "SST-2 train 6,920 / dev 872; random embeddings (100), biLSTM 128, global batch 64",
                "epochs": args.classify_epochs,
                "one_process": one,
                "two_processes": two,
                "speedup_epoch": round(speedup, 3),
                "scaling_efficiency": round(speedup / 2, 3),
                "accuracy_difference": round(two["val_accuracy"] - one["val_accuracy"], 4),
                "macro_f1_difference": round(two["val_macro_f1"] - one["val_macro_f1"], 4),
                "allreduce_mb_per_step": round(one["allreduce_bytes_per_step"] / 1e6, 3),
                "allreduce_mb_per_epoch": round(
                    one["allreduce_bytes_per_step"] * one["steps_per_epoch"] / 1e6, 1
                ),
            }
        if not args.skip_glove:
            tokens = folder / "wikitext2.train.txt"
            with gzip.open(Path(args.data) / "corpora" / "wikitext2" / "wiki.train.tokens.gz", "rb") as src:
                tokens.write_bytes(src.read())
            extra = [*common, "--tokens", str(tokens), "--glove-epochs", str(args.glove_epochs),
                     "--syncs", str(args.syncs)]  # fmt: skip
            gruns: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
            for _ in range(args.rounds):
                for ranks in (1, 2):
                    gruns[ranks].append(launch("glove", ranks, folder / f"g{ranks}.json", extra))
            one, two = best(gruns[1], "train_s"), best(gruns[2], "train_s")
            report["glove"] = {
                "data": "WikiText-2 train (2.05M tokens); window 10, min_count 5, dim 50, x_max 10",
                "epochs": args.glove_epochs,
                "one_process": one,
                "two_processes": two,
                "speedup_count": round(
                    best(gruns[1], "count_s")["count_s"] / best(gruns[2], "count_s")["count_s"], 3
                ),
                "speedup_train": round(one["train_s"] / two["train_s"], 3),
                "scaling_efficiency_train": round(one["train_s"] / two["train_s"] / 2, 3),
                "final_loss_ratio": round(two["losses"][-1] / one["losses"][-1], 4),
                "quality_difference": {
                    k: round(two[k] - one[k], 4) for k in ("wordsim353", "simlex999", "analogy")
                },
                "sync_mb": round(two["sync_bytes"] / 1e6, 2),
                "exchange_entries_sent_rank0": two["entries_sent_rank0"],
                "exchange_mb_sent_rank0": round(two["entries_sent_rank0"] * 16 / 1e6, 2),
            }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
