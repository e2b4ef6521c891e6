"""Benchmark: classifier training, quiet and beside a competing CPU-bound process, under
PyTorch's default threading and under nlptk's defaults (issue 13, point 7).

Each run is a fresh Python process that trains the same small GRU classifier (made-up
texts, random embeddings, fixed seed: identical work in every run) and reports the wall
time of each epoch. Settings:

* ``torch-default``: torch imported before nlptk and no ``OMP_WAIT_POLICY``: libgomp's
  threads spin between parallel regions; one thread per core (torch's default).
* ``nlptk-default``: what ``nlptk classify`` and ``nlptk lm`` do: nlptk imported first
  (``OMP_WAIT_POLICY=PASSIVE`` unless set) and :func:`nlptk.threads.default_threads` threads
  (half the cores, at least one: 1 on 2 cores).
* ``nlptk-all-cores``: PASSIVE with torch's default thread count (nlptk's default until 0.2).
* ``nlptk-threads-1``: PASSIVE plus ``--threads 1``.
* ``spin-1k``/``spin-10k``/``spin-100k``: torch's thread count, no wait policy, libgomp's
  ``GOMP_SPINCOUNT`` set (candidates that were measured and rejected: spinning of any length
  is slower beside a competitor than sleeping).

Each setting runs quiet and beside one competitor (``python -c "while True: pass"``, one
core busy), in interleaved rounds with the order rotated, so that the other load on a
shared machine falls on all settings alike. Reported per setting: the median and the worst
epoch, quiet and busy, and the slowdown busy/quiet (of the medians and of the worst
epochs). One JSON object on stdout; a markdown table on stderr.

Usage::

    python scripts/bench/threads.py                       # 3 rounds, about 5-10 minutes on 2 cores
    python scripts/bench/threads.py --rounds 1 --texts 800 --epochs 2     # smoke run

Do not ``nice`` it: the competitor must compete on equal terms. Say what else was running
(``uptime``; the script records the load average before and after).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

CHILD = r"""
import json, os, sys, time
cfg = json.loads(sys.argv[1])
policy = os.environ.get("OMP_WAIT_POLICY", "default (spins, then sleeps)")
if cfg["nlptk_first"]:
    import nlptk  # noqa: F401  (sets nlptk's threading defaults before torch loads)
import torch
if cfg["threads"]:
    from nlptk.threads import default_threads, set_threads
    set_threads(default_threads() if cfg["threads"] == "default" else cfg["threads"])
import random
from nlptk.classify.callbacks import Callback
from nlptk.classify.config import ClassifierConfig
from nlptk.classify.training import train_classifier
from nlptk.text.labelled import LabelledData

rng = random.Random(0)
words = [f"w{i}" for i in range(2000)]
texts, labels = [], []
for i in range(cfg["texts"]):
    k = i % 2
    body = rng.choices(words, k=rng.randint(10, 30)) + [("good", "bad")[k]]
    rng.shuffle(body)
    texts.append(" ".join(body))
    labels.append(k)
data = LabelledData(texts, labels, ["pos", "neg"])
config = ClassifierConfig(
    cell="gru", hidden_size=cfg["hidden"], embedding_dim=64, batch_size=32, epochs=cfg["epochs"],
    freeze_epochs=0, patience=None, device="cpu", seed=0,
)
epochs = []

class Timer(Callback):
    def on_fit_begin(self, learner):
        self.start = time.perf_counter()

    def on_epoch_end(self, learner, record):
        now = time.perf_counter()
        epochs.append(now - self.start)
        self.start = now

train_classifier(data, config=config, callbacks=[Timer()])
print(json.dumps({"epochs": epochs, "threads": torch.get_num_threads(),
                  "wait_policy": policy if not cfg["nlptk_first"] else os.environ["OMP_WAIT_POLICY"],
                  "spincount": os.environ.get("GOMP_SPINCOUNT", "default")}))
"""

SETTINGS = {
    "torch-default": {"nlptk_first": False, "threads": None},
    "nlptk-default": {"nlptk_first": True, "threads": "default"},  # what classify/lm commands use
    "nlptk-all-cores": {"nlptk_first": True, "threads": None},  # PASSIVE, torch's thread count
    "nlptk-threads-1": {"nlptk_first": True, "threads": 1},
    # candidates measured for the default: libgomp spins GOMP_SPINCOUNT times before it
    # sleeps (300,000 when OMP_WAIT_POLICY is unset; 0 under PASSIVE)
    "spin-1k": {"nlptk_first": False, "threads": None, "env": {"GOMP_SPINCOUNT": "1000"}},
    "spin-10k": {"nlptk_first": False, "threads": None, "env": {"GOMP_SPINCOUNT": "10000"}},
    "spin-100k": {"nlptk_first": False, "threads": None, "env": {"GOMP_SPINCOUNT": "100000"}},
}


def run_child(setting: str, args: argparse.Namespace) -> dict:
    drop = ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "GOMP_SPINCOUNT")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(SETTINGS[setting].get("env", {}))
    cfg = {**SETTINGS[setting], "texts": args.texts, "epochs": args.epochs, "hidden": args.hidden}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(cfg)], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{setting} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def competitor() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def summarize(epochs: list[float]) -> dict:
    return {
        "median_s": round(statistics.median(epochs), 3),
        "worst_s": round(max(epochs), 3),
        "n": len(epochs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--texts", type=int, default=1500, help="training texts (identical in every run)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=128, help="GRU hidden size (larger: more work per op)")
    parser.add_argument(
        "--settings",
        nargs="+",
        default=["torch-default", "nlptk-default", "nlptk-all-cores"],
        choices=list(SETTINGS),
    )
    args = parser.parse_args()

    load_before = os.getloadavg()
    epochs: dict[tuple[str, str], list[float]] = {}
    info: dict[str, dict] = {}
    runs = [(s, c) for s in args.settings for c in ("quiet", "busy")]
    started = time.perf_counter()
    for r in range(args.rounds):
        shift = r % len(runs)
        for setting, condition in runs[shift:] + runs[:shift]:  # rotated order each round
            rival = competitor() if condition == "busy" else None
            try:
                if rival is not None:
                    time.sleep(0.5)  # let it take its core
                result = run_child(setting, args)
            finally:
                if rival is not None:
                    rival.kill()
                    rival.wait()
            # the first epoch also warms up (allocations, first calls): kept, it is what a user waits for
            epochs.setdefault((setting, condition), []).extend(result["epochs"])
            info[setting] = {k: result[k] for k in ("threads", "wait_policy", "spincount")}
            print(
                f"round {r + 1} {setting} {condition}: {[round(e, 2) for e in result['epochs']]}",
                file=sys.stderr,
            )

    report: dict = {
        "benchmark": "threads",
        "workload": f"GRU classifier, hidden {args.hidden}, embeddings 64 (random), batch 32, "
        f"{args.texts} texts of 11-31 tokens, {args.epochs} epochs, CPU",
        "rounds": args.rounds,
        "cpu_count": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "wall_s": round(time.perf_counter() - started, 1),
        "competitor": "one process: python -c 'while True: pass'",
        "settings": {},
    }
    for setting in args.settings:
        quiet, busy = summarize(epochs[(setting, "quiet")]), summarize(epochs[(setting, "busy")])
        report["settings"][setting] = {
            **info[setting],
            "quiet": quiet,
            "busy": busy,
            "slowdown_median": round(busy["median_s"] / quiet["median_s"], 2),
            "slowdown_worst": round(busy["worst_s"] / quiet["median_s"], 2),
        }
    print(json.dumps(report, indent=2))
    lines = [
        "| setting | threads | wait policy | quiet median s | busy median s | busy worst s "
        "| slowdown (median) | slowdown (worst / quiet median) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for setting, row in report["settings"].items():
        lines.append(
            f"| {setting} | {row['threads']} | {row['wait_policy']} | {row['quiet']['median_s']} "
            f"| {row['busy']['median_s']} | {row['busy']['worst_s']} | {row['slowdown_median']}x "
            f"| {row['slowdown_worst']}x |"
        )
    print("\n".join(lines), file=sys.stderr)


if __name__ == "__main__":
    main()
