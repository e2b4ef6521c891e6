"""Benchmark: does ``augment="neighbours"`` (or EDA swap/delete) help the classifier on small data?

The classifier benchmark's setting (``scripts/bench/classify.py``: spaCy tokens, lowercased,
word2vec vectors trained on the Wikipedia corpus, a bidirectional GRU or LSTM of 128 units,
lr 1e-2, one frozen epoch, patience 3, early stopping on the dev set), trained with and
without augmentation side by side: for each training set and seed the runs follow each
other (plain first, then each augmentation), so both see the same machine load.

Training sets: 100 and 500 stratified sentences of SST-2 and of TREC (``--sizes``), and the
full sets (``--full``). Model selection on the full dev sets (SST-2: stsa.binary.dev; TREC:
the classify benchmark's 10% of its training file), scores on the test sets. Low-data sets
train ``--low-data-epochs`` (10), full sets ``--epochs`` (8).

Prints one JSON object (per set and condition: test accuracy per seed and mean, and the
difference to the plain run in points); each finished run is appended to ``--log``.

Usage::

    OMP_NUM_THREADS=1 nice -n 10 python scripts/bench/augment.py \\
        --vectors ~/.cache/nlptk/bench-classify/w2v-sg-d100-e5-spacy-lower --seeds 0 --log aug.jsonl
    OMP_NUM_THREADS=1 nice -n 10 python scripts/bench/augment.py --vectors ... --full --sizes
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classify import DATA_ROOT, SPLIT_SEED, Split, tokenizer

logger = logging.getLogger("bench.augment")


def load_splits(root: Path, sizes: list[int], full: bool) -> list[Split]:
    from nlptk.text.labelled import load_labelled, train_val_split

    sst_train = load_labelled(root / "sst2/stsa.binary.train", format="label-first")
    sst_dev = load_labelled(root / "sst2/stsa.binary.dev", format="label-first", classes=sst_train.classes)
    sst_test = load_labelled(root / "sst2/stsa.binary.test", format="label-first", classes=sst_train.classes)
    trec_all = load_labelled(root / "trec/TREC.train.all", format="label-first", encoding="latin-1")
    trec_test = load_labelled(
        root / "trec/TREC.test.all", format="label-first", encoding="latin-1", classes=trec_all.classes
    )
    trec_train, trec_dev = train_val_split(trec_all, val_size=0.1, seed=SPLIT_SEED)
    out = []
    for n in sizes:  # small sets first: cheap, and the target
        for name, train, dev, test in (
            ("sst2", sst_train, sst_dev, sst_test),
            ("trec", trec_train, trec_dev, trec_test),
        ):
            small, _ = train_val_split(train, val_size=len(train) - n, seed=SPLIT_SEED)
            out.append(Split(f"{name}-{n}", small, dev, test))
    if full:
        out += [Split("sst2", sst_train, sst_dev, sst_test), Split("trec", trec_train, trec_dev, trec_test)]
    return out


def run(split: Split, vectors: Any, augment: str, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from nlptk.classify.config import ClassifierConfig
    from nlptk.classify.training import train_classifier

    torch.set_num_threads(args.threads)
    low = "-" in split.name
    config = ClassifierConfig(
        cell=args.cell,
        hidden_size=128,
        epochs=args.low_data_epochs if low else args.epochs,
        freeze_epochs=1,
        patience=3,
        lr=1e-2,
        seed=seed,
        device="cpu",
        augment=augment,
        augment_share=args.share,
        augment_prob=args.prob,
        augment_threshold=args.threshold,
        tokenizer=tokenizer().to_config(),
    )
    t0 = time.perf_counter()
    clf = train_classifier(split.train, vectors=vectors, val=split.val, config=config)
    train_s = time.perf_counter() - t0
    scores = clf.score(split.test)
    return {
        "dataset": split.name,
        "augment": augment,
        "seed": seed,
        "accuracy": scores["accuracy"],
        "macro_f1": scores["macro_f1"],
        "train_s": round(train_s, 1),
        "epochs_run": len(clf.history),
        "vocab": len(clf.vocab),
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    table: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for r in runs:
        table.setdefault(r["dataset"], {}).setdefault(r["augment"], []).append(r)
    out: dict[str, Any] = {}
    for dataset, conditions in table.items():
        plain = {r["seed"]: r["accuracy"] for r in conditions.get("none", [])}
        out[dataset] = {}
        for augment, rs in conditions.items():
            acc = [r["accuracy"] for r in rs]
            entry = {
                "seeds": [r["seed"] for r in rs],
                "accuracy_per_seed": [round(a, 4) for a in acc],
                "accuracy_mean": round(statistics.mean(acc), 4),
                "train_s_mean": round(statistics.mean(r["train_s"] for r in rs), 1),
            }
            paired = [100 * (r["accuracy"] - plain[r["seed"]]) for r in rs if r["seed"] in plain]
            if augment != "none" and paired:
                entry["minus_plain_points_mean"] = round(statistics.mean(paired), 2)
            out[dataset][augment] = entry
    small = [d for d in out if "-" in d]
    for augment in {a for d in out.values() for a in d if a != "none"}:
        gains = [out[d][augment]["minus_plain_points_mean"] for d in small if augment in out[d]]
        if gains:
            out.setdefault("_small_sets_mean_gain_points", {})[augment] = round(statistics.mean(gains), 2)
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-root", type=Path, default=Path(DATA_ROOT))
    p.add_argument("--vectors", type=Path, required=True, help="pretrained vectors (the classify bench's)")
    p.add_argument("--sizes", type=int, nargs="*", default=[100, 500])
    p.add_argument("--full", action="store_true", help="also the full SST-2 and TREC training sets")
    p.add_argument("--augment", nargs="+", default=["neighbours"], help="conditions besides 'none'")
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--cell", default="gru", choices=["gru", "lstm"])
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--low-data-epochs", type=int, default=10)
    p.add_argument("--share", type=float, default=0.1)
    p.add_argument("--prob", type=float, default=0.5)
    p.add_argument("--threshold", type=float, default=0.6)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--log", type=Path, default=None)
    p.add_argument("--merge", type=Path, nargs="+", default=None, help="only summarise these logs")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logger.setLevel(logging.INFO)
    if args.merge:
        runs = [json.loads(line) for path in args.merge for line in path.read_text().splitlines() if line]
        print(json.dumps(summarise(runs), indent=1))
        return
    from nlptk.vectors.formats import load_vectors

    vectors = load_vectors(args.vectors)
    runs = []
    for split in load_splits(args.data_root, args.sizes, args.full):
        for seed in args.seeds:
            for augment in ["none", *args.augment]:
                record = run(split, vectors, augment, seed, args)
                record.update(cell=args.cell, threads=args.threads, share=args.share, prob=args.prob,
                              threshold=args.threshold)  # fmt: skip
                runs.append(record)
                logger.info("%s", json.dumps(record))
                if args.log is not None:
                    with open(args.log, "a", encoding="utf-8") as fh:
                        fh.write(json.dumps(record) + "\n")
    print(json.dumps({"runs": len(runs), "summary": summarise(runs)}, indent=1))


if __name__ == "__main__":
    main()
