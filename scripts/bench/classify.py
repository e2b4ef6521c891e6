"""Benchmark: nlptk's recurrent classifiers against fastText and TF-IDF + logistic regression.

Side by side in one run, on SST-2, TREC and MR (label-first files from ``--data-root``):

* nlptk LSTM and GRU starting from word2vec vectors that nlptk trains on the Wikipedia
  corpus (``--vectors`` to use existing ones; otherwise trained once with
  ``nlptk.train_embeddings(..., method="word2vec")`` into ``--vectors-cache`` and reused);
* the same models from random initialisation;
* fastText supervised (``wordNgrams=2``);
* TF-IDF (1-2 grams) + logistic regression (scikit-learn).

Every model sees the same tokens: spaCy's rule-based tokenizer, lowercased, punctuation
kept. It splits clitics the way the benchmark files already are (``does n't``, ``it 's``),
so the Wikipedia vectors, trained with the same tokenizer, cover ``n't`` and ``'s`` (a
regex tokenizer would keep ``doesn't`` whole in Wikipedia and never match SST-2's ``n't``).

Splits (fixed for every seed; seeds change model initialisation and batching only):
SST-2: train / dev (model selection) / test. TREC: train (a stratified 10 % of it split off
as dev) / test. MR: a stratified seeded 90/10 train/test split, then 10 % of train as dev.
All models train on the same train part; only nlptk uses the dev part (early stopping,
best epoch); the baselines have fixed settings. Low-data: 500 stratified SST-2 training
sentences, the full dev set for selection, the full test set.

Reported per dataset and model: test accuracy (mean, standard deviation, per seed),
macro-F1 mean, training seconds, prediction sentences per second (tokenization
included), and ratios to the baselines. One JSON object on stdout; a markdown table on
stderr or in ``--table FILE``; each finished run is appended to ``--log`` as it completes
(so a long run that is stopped still leaves its results).

Usage::

    nice python scripts/bench/classify.py --quick                       # smoke run, minutes
    nice python scripts/bench/classify.py --table table.md --log runs.jsonl
    # split over processes, then one summary:
    nice python scripts/bench/classify.py --models lstm-pretrained lstm-random --log a.jsonl &
    nice python scripts/bench/classify.py --models gru-pretrained gru-random --log b.jsonl &
    python scripts/bench/classify.py --merge a.jsonl b.jsonl --table table.md
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DATA_ROOT = "/work/shared/data/classification"
CORPUS = "/work/shared/data/corpora/enwiki_wikiextractor_100M.txt.gz"
NLPTK_MODELS = ("lstm-pretrained", "gru-pretrained", "lstm-random", "gru-random")
# options of the vectors-only issue (11), appended to an nlptk model name with "+": each one
# changes the "today" configuration (every word row frozen in the frozen stage, raw rows,
# one pass per epoch, no wide term) by one setting; "lstm-default" is the library's defaults
MODEL_OPTIONS = {
    "center": {"conditioning": "center"},
    "standardize": {"conditioning": "standardize"},
    "abtt": {"conditioning": "abtt"},
    "rows": {"freeze_rows": "pretrained"},  # only pretrained rows frozen
    "wide": {"ngrams": 2},  # with the library's ngram_lr_factor
    "wide1": {"ngrams": 1},
    "widelr1": {"ngrams": 2, "ngram_lr_factor": 1.0},
    "widelr10": {"ngrams": 2, "ngram_lr_factor": 10.0},
}
TODAY = {"conditioning": "none", "freeze_rows": "all", "min_epoch_steps": 0, "ngrams": 0}
BASELINES = ("fasttext", "tfidf-logreg")
ALL_MODELS = NLPTK_MODELS + BASELINES
DATASETS = ("sst2", "trec", "mr")
DATASET_CHOICES = (*DATASETS, "sst2-low", "trec-low")
SPLIT_SEED = 12345
# Baseline settings, fixed: the best of a small grid on the SST-2 and TREC dev sets
# (fastText epoch x lr in {5x0.1, 10x0.2, 10x0.5, 25x0.1, 25x0.5}; C in {1, 2, 4, 8, 16}).
FASTTEXT_PARAMS = {"wordNgrams": 2, "epoch": 25, "lr": 0.5, "dim": 100, "minCount": 1, "loss": "softmax"}
LOGREG_C = 8.0

logger = logging.getLogger("bench.classify")


def tokenizer():
    from nlptk.text.tokenize import SpacyTokenizer

    return SpacyTokenizer("en", lowercase=True, punctuation="keep")


@dataclass
class Split:
    name: str
    train: Any  # LabelledData
    val: Any
    test: Any


def load_datasets(root: Path, names: list[str], low_data: list[int]) -> list[Split]:
    from nlptk.text.labelled import load_labelled, train_val_split

    out = []

    def small_subsets(name: str, train: Any, val: Any, test: Any) -> None:
        for n in low_data:  # first: cheap, and one of the targets
            if 0 < n < len(train):
                small, _ = train_val_split(train, val_size=len(train) - n, seed=SPLIT_SEED)
                out.append(Split(f"{name}-{n}", small, val, test))

    for name in names:
        if name in ("sst2", "sst2-low"):
            train = load_labelled(root / "sst2/stsa.binary.train", format="label-first")
            val = load_labelled(root / "sst2/stsa.binary.dev", format="label-first", classes=train.classes)
            test = load_labelled(root / "sst2/stsa.binary.test", format="label-first", classes=train.classes)
            small_subsets("sst2", train, val, test)
            if name == "sst2":
                out.append(Split("sst2", train, val, test))
        elif name in ("trec", "trec-low"):
            full = load_labelled(root / "trec/TREC.train.all", format="label-first", encoding="latin-1")
            test = load_labelled(
                root / "trec/TREC.test.all", format="label-first", encoding="latin-1", classes=full.classes
            )
            train, val = train_val_split(full, val_size=0.1, seed=SPLIT_SEED)
            small_subsets("trec", train, val, test)
            if name == "trec":
                out.append(Split("trec", train, val, test))
        elif name == "mr":
            full = load_labelled(root / "mr/rt-polarity.all", format="label-first", encoding="latin-1")
            rest, test = train_val_split(full, val_size=0.1, seed=SPLIT_SEED)
            train, val = train_val_split(rest, val_size=0.1, seed=SPLIT_SEED)
            out.append(Split("mr", train, val, test))
        else:
            raise SystemExit(f"unknown dataset {name!r}; use {', '.join(DATASETS)}")
    return out


# -- vectors ------------------------------------------------------------------------------------
def prepare_vectors(args: argparse.Namespace):
    """Load ``--vectors`` or train word2vec on the corpus once (cached folder)."""
    from nlptk.vectors.container import Vectors

    if args.vectors:
        return Vectors.load(args.vectors), {"source": str(args.vectors), "trained_here": False}
    import nlptk.embed

    params = {
        "dim": 100,
        "window": 5,
        "min_count": 5,
        "epochs": 5,
        "sg": True,
        "workers": 2,  # gensim threads; cheap to oversubscribe compared with torch
        "seed": 1,
    }
    tag = "w2v-{}-d{dim}-e{epochs}-spacy-lower".format("sg" if params["sg"] else "cbow", **params)
    folder = Path(args.vectors_cache) / tag
    corpus = args.corpus
    if args.quick and not (folder / "meta.json").exists():
        # a smoke run should not spend half an hour on Wikipedia: gensim's small Lee corpus
        corpus, params = "lee_background", {**params, "min_count": 2, "epochs": 10}
        folder = Path(args.vectors_cache) / f"quick-{tag}"
    if (folder / "meta.json").exists():
        logger.info("reusing vectors in %s", folder)
        vectors = Vectors.load(folder)
        return vectors, {"source": str(folder), "trained_here": False, "params": params}
    logger.info("training word2vec on %s into %s (once; cached)", corpus, folder)
    t0 = time.perf_counter()
    vectors = nlptk.train_embeddings(corpus, "word2vec", out=folder, tokenizer=tokenizer(), **params)
    seconds = time.perf_counter() - t0
    return vectors, {
        "source": str(folder),
        "trained_here": True,
        "seconds": round(seconds, 1),
        "params": params,
    }


def coverage(vectors, joined: list[str]) -> float:
    """Share of training tokens that have a pretrained vector."""
    tokens = [t for text in joined for t in text.split(" ") if t]
    return sum(t in vectors for t in tokens) / max(len(tokens), 1)


# -- models -------------------------------------------------------------------------------------
def is_nlptk(model: str) -> bool:
    return model.split("+")[0].split("-")[0] in ("lstm", "gru", "rnn")


def model_settings(model: str) -> tuple[str, bool, dict[str, Any]]:
    """``(cell, pretrained, settings)`` of an nlptk model name such as ``lstm-pretrained+abtt+steps50``.

    ``-random`` / ``-pretrained``: the settings before issue 11 (``TODAY``); ``-default``:
    pretrained vectors with the library's defaults. ``+steps<N>``: ``min_epoch_steps=N``;
    ``+drop<P>``: drop a share P of the task's words from the vectors (coverage experiment).
    """
    base, *options = model.split("+")
    cell, init = base.split("-")
    if init not in ("random", "pretrained", "default"):
        raise SystemExit(f"unknown model {model!r}: use <cell>-random|pretrained|default[+option...]")
    settings: dict[str, Any] = {} if init == "default" else dict(TODAY)
    for option in options:
        if option in MODEL_OPTIONS:
            settings.update(MODEL_OPTIONS[option])
        elif option.startswith("steps"):
            settings["min_epoch_steps"] = int(option[len("steps") :])
        elif option.startswith("drop"):
            settings["_drop"] = float(option[len("drop") :])
        else:
            raise SystemExit(
                f"unknown model option {option!r} in {model!r}; known: {', '.join(MODEL_OPTIONS)}"
            )
    return cell, init != "random", settings


def drop_words(vectors, split: Split, share: float, seed: int):
    """The vectors without a random ``share`` of the training texts' words (lower coverage)."""
    from nlptk.vectors.container import Vectors

    rng = np.random.default_rng(seed)
    words = {t for text in tokenized(split, "train", tokenizer()) for t in text.split(" ") if t}
    dropped = {w for w in sorted(words) if rng.random() < share}
    keep = [i for i, w in enumerate(vectors.words) if w not in dropped]
    return Vectors([vectors.words[i] for i in keep], np.asarray(vectors.vectors)[keep])


def run_nlptk(model: str, split: Split, vectors, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from nlptk.classify.config import ClassifierConfig
    from nlptk.classify.training import train_classifier

    torch.set_num_threads(args.threads)
    cell, pretrained, settings = model_settings(model)
    drop = settings.pop("_drop", 0.0)
    if pretrained and drop > 0:
        vectors = drop_words(vectors, split, drop, seed)
    low = split.name.split("-")[-1].isdigit()
    config = ClassifierConfig(
        cell=cell,
        hidden_size=128,
        num_layers=1,
        bidirectional=True,
        epochs=args.low_data_epochs if low else args.epochs,
        batch_size=64,
        freeze_embeddings=pretrained,
        freeze_epochs=args.freeze_epochs if pretrained else 0,
        **settings,
        patience=args.patience,
        lr=args.lr,
        seed=seed,
        device=args.device,
        tokenizer=tokenizer().to_config(),
    )
    t0 = time.perf_counter()
    clf = train_classifier(split.train, vectors=vectors if pretrained else None, val=split.val, config=config)
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    probs = clf.predict_proba(split.test.texts, batch_size=256)
    predict_s = time.perf_counter() - t0
    pred = np.asarray(probs).argmax(axis=1)
    diagnostics = clf.info.get("embeddings", {}).get("diagnostics") or {}
    return {
        "pred": pred,
        "settings": settings,
        "config": {
            k: getattr(config, k) for k in ("conditioning", "freeze_rows", "min_epoch_steps", "ngrams")
        }
        | {"ngram_lr_factor": getattr(config, "ngram_lr_factor", None)},
        "token_coverage": diagnostics.get("token_coverage"),
        "collinearity": diagnostics.get("collinearity"),
        "train_s": train_s,
        "predict_s": predict_s,
        "epochs_run": len({h.get("epoch") for h in clf.history}) if clf.history else None,
        "best_val_accuracy": max((h.get("val_accuracy") or 0.0) for h in clf.history)
        if clf.history
        else None,
    }


_TOKENS: dict[tuple[str, str], list[str]] = {}


def tokenized(split: Split, part: str, tok) -> list[str]:
    """Texts of a split as space-joined tokens, computed once (baseline training times exclude
    tokenizing, as nlptk's include it only once; prediction timings include it for all)."""
    key = (split.name, part)
    if key not in _TOKENS:
        _TOKENS[key] = [" ".join(tok(t)) for t in getattr(split, part).texts]
    return _TOKENS[key]


def run_fasttext(split: Split, seed: int, args: argparse.Namespace, tok) -> dict[str, Any]:
    import fasttext

    with tempfile.TemporaryDirectory(prefix="bench-ft-") as tmp:
        path = Path(tmp) / "train.txt"
        train_tokens = tokenized(split, "train", tok)
        lines = [f"__label__{y} {t}" for t, y in zip(train_tokens, split.train.labels, strict=True)]
        # fastText reads its file in order and does not shuffle: sorted data (MR is all
        # negatives, then all positives) would leave it predicting the last class seen
        order = np.random.default_rng(seed).permutation(len(lines))
        path.write_text("\n".join(lines[i] for i in order) + "\n", encoding="utf-8")
        t0 = time.perf_counter()
        model = fasttext.train_supervised(
            str(path), seed=seed, thread=args.threads, verbose=0, **FASTTEXT_PARAMS
        )
        train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    # the list path: fasttext-wheel 0.9.2's single-string predict fails under NumPy 2, and the
    # list path's labels and top-1 are right (its k>1 probabilities are not; see nlptk.classify.evaluate)
    labels, _ = model.predict([" ".join(tok(t)) for t in split.test.texts], k=1)  # timed with tokenizing
    predict_s = time.perf_counter() - t0
    pred = np.array([int(lab[0][len("__label__") :]) for lab in labels])
    return {"pred": pred, "train_s": train_s, "predict_s": predict_s}


def run_tfidf(split: Split, seed: int, args: argparse.Namespace, tok) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"\S+", lowercase=False, sublinear_tf=True),
        LogisticRegression(C=LOGREG_C, max_iter=2000, random_state=seed),
    )
    t0 = time.perf_counter()
    pipe.fit(tokenized(split, "train", tok), split.train.labels)
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = pipe.predict([" ".join(tok(t)) for t in split.test.texts])  # timed with tokenizing
    predict_s = time.perf_counter() - t0
    return {"pred": np.asarray(pred), "train_s": train_s, "predict_s": predict_s}


def score(pred: np.ndarray, split: Split) -> dict[str, float]:
    from sklearn.metrics import f1_score

    y = np.asarray(split.test.labels)
    return {
        "accuracy": float(np.mean(pred == y)),
        "macro_f1": float(f1_score(y, pred, average="macro", labels=list(range(len(split.test.classes))))),
    }


# -- summary ------------------------------------------------------------------------------------
def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in runs:
        out.setdefault(r["dataset"], {}).setdefault(r["model"], []).append(r)
    summary: dict[str, Any] = {}
    for dataset, models in out.items():
        summary[dataset] = {}
        for model, rs in models.items():
            acc = [r["accuracy"] for r in rs]
            summary[dataset][model] = {
                "seeds": [r["seed"] for r in rs],
                "accuracy_mean": round(statistics.mean(acc), 4),
                "accuracy_std": round(statistics.stdev(acc), 4) if len(acc) > 1 else 0.0,
                "accuracy_per_seed": [round(a, 4) for a in acc],
                "macro_f1_mean": round(statistics.mean(r["macro_f1"] for r in rs), 4),
                "train_s_mean": round(statistics.mean(r["train_s"] for r in rs), 2),
                "predict_sentences_per_s": round(
                    statistics.mean(r["predict_sentences_per_s"] for r in rs), 1
                ),
            }
        s = summary[dataset]
        checks: dict[str, Any] = {}
        for model in [m for m in s if is_nlptk(m) and "-random" not in m]:
            pre = s[model]
            rnd = s.get(model.split("-")[0] + "-random")
            if rnd:
                checks[f"{model}_minus_random_points"] = round(
                    100 * (pre["accuracy_mean"] - rnd["accuracy_mean"]), 2
                )
            for base in BASELINES:
                if base in s:
                    checks[f"{model}_minus_{base}_points"] = round(
                        100 * (pre["accuracy_mean"] - s[base]["accuracy_mean"]), 2
                    )
                    if s[base]["predict_sentences_per_s"] > 0 and model.endswith("-pretrained"):
                        checks[f"{model}_predict_speed_ratio_vs_{base}"] = round(
                            pre["predict_sentences_per_s"] / s[base]["predict_sentences_per_s"], 3
                        )
        if checks:
            s["_comparisons"] = checks
    return summary


def markdown_table(summary: dict[str, Any]) -> str:
    lines = [
        "| dataset | model | test acc. mean ± sd (seeds) | macro-F1 | train s | predict sent/s |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for dataset, models in summary.items():
        for model, s in models.items():
            if model.startswith("_"):
                continue
            lines.append(
                f"| {dataset} | {model} | {100 * s['accuracy_mean']:.2f} ± {100 * s['accuracy_std']:.2f} "
                f"({len(s['seeds'])}) | {100 * s['macro_f1_mean']:.2f} | {s['train_s_mean']:.1f} | "
                f"{s['predict_sentences_per_s']:,.0f} |"
            )
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-root", type=Path, default=Path(DATA_ROOT))
    p.add_argument(
        "--corpus", default=CORPUS, help="corpus for the word2vec vectors (when --vectors is absent)"
    )
    p.add_argument("--vectors", type=Path, default=None, help="pretrained vectors (any format nlptk loads)")
    p.add_argument(
        "--vectors-cache",
        type=Path,
        default=Path(os.environ.get("NLPTK_CACHE", Path.home() / ".cache" / "nlptk")) / "bench-classify",
    )
    p.add_argument(
        "--datasets",
        nargs="+",
        default=list(DATASETS),
        choices=list(DATASET_CHOICES),
        help="sst2-low / trec-low: only the low-data subsets of SST-2 / TREC",
    )
    p.add_argument(
        "--models",
        nargs="+",
        default=list(ALL_MODELS),
        help=f"{', '.join(ALL_MODELS)}; nlptk models take options: lstm-pretrained+abtt+rows+steps50+wide, "
        f"lstm-default+wide (options: {', '.join(MODEL_OPTIONS)}, steps<N>, drop<share>)",
    )
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument(
        "--nlptk-seeds",
        nargs="+",
        type=int,
        default=None,
        help="seeds of the nlptk models (default: --seeds)",
    )
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument(
        "--low-data",
        type=int,
        nargs="+",
        default=[500, 100],
        help="training sentences of the low-data subsets of SST-2 and TREC (0: none)",
    )
    p.add_argument("--low-data-epochs", type=int, default=10)
    # lr 1e-2 / 8 epochs / patience 3: chosen on the SST-2 dev set (lstm-pretrained, seed 0:
    # best val accuracy 2e-3 x 5 epochs 0.780, 5e-3 x 8 0.822, 1e-2 x 8 0.825)
    p.add_argument("--lr", type=float, default=1e-2, help="peak learning rate of the nlptk models")
    p.add_argument("--patience", type=int, default=3)
    p.add_argument(
        "--freeze-epochs",
        type=int,
        default=1,
        help="epochs with frozen pretrained embeddings (within --epochs)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch / fastText threads (1: no oversubscription on a shared machine)",
    )
    p.add_argument("--device", default="cpu")
    p.add_argument("--quick", action="store_true", help="smoke run: 1 seed, 1 epoch, 1,000 sentences per set")
    p.add_argument("--vectors-only", action="store_true", help="prepare the vectors and stop")
    p.add_argument("--table", type=Path, default=None, help="also write the markdown table here")
    p.add_argument("--log", type=Path, default=None, help="append one JSON line per finished run")
    p.add_argument(
        "--merge",
        type=Path,
        nargs="+",
        default=None,
        help="only summarise the runs in these --log files (a benchmark split over processes)",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.seeds = args.seeds[:1]
        args.nlptk_seeds = (args.nlptk_seeds or args.seeds)[:1]
        args.epochs = 1
        args.low_data_epochs = 2
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.nlptk_seeds is None:
        args.nlptk_seeds = args.seeds
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
    started = time.perf_counter()
    if args.merge:
        runs, seen = [], set()
        for path in args.merge:
            for line in path.read_text().splitlines():
                run = json.loads(line) if line.strip() else None
                key = None if run is None else (run["dataset"], run["model"], run["seed"])
                if key is not None and key not in seen:  # a run logged by two processes counts once
                    seen.add(key)
                    runs.append(run)
        summary = summarise(runs)
        merged = {"benchmark": "classify", "merged_from": [str(p) for p in args.merge], "summary": summary}
        print(json.dumps({**merged, "runs": runs}, indent=1))
        table = markdown_table(summary)
        if args.table:
            args.table.write_text(table, encoding="utf-8")
        print(table, file=sys.stderr)
        return 0
    for model in args.models:
        if model not in BASELINES:
            model_settings(model)  # fail early on a bad name
    need_vectors = any(is_nlptk(m) and "-random" not in m for m in args.models)
    vectors, vectors_info = prepare_vectors(args) if need_vectors or args.vectors_only else (None, None)
    if args.vectors_only:
        print(json.dumps({"vectors": vectors_info, "words": len(vectors), "dim": vectors.dim}))
        return 0
    splits = load_datasets(args.data_root, args.datasets, args.low_data)
    if args.quick:
        rng = np.random.default_rng(0)
        for s in splits:
            for part in ("train", "val", "test"):
                data = getattr(s, part)
                if len(data) > 1000:
                    setattr(s, part, data.subset(np.sort(rng.choice(len(data), 1000, replace=False))))
    tok = tokenizer()
    datasets_info = {}
    for s in splits:
        datasets_info[s.name] = {
            "train": len(s.train),
            "val": len(s.val),
            "test": len(s.test),
            "classes": len(s.train.classes),
        }
        if vectors is not None:
            datasets_info[s.name]["vector_token_coverage_train"] = round(
                coverage(vectors, tokenized(s, "train", tok)), 4
            )
    runs: list[dict[str, Any]] = []
    # seeds outermost: a run cut short still has every model on every dataset for the first seeds
    all_seeds = list(dict.fromkeys([*args.seeds, *args.nlptk_seeds]))
    for seed in all_seeds:
        for split in splits:
            for model in args.models:
                if seed not in (args.nlptk_seeds if is_nlptk(model) else args.seeds):
                    continue
                logger.info("seed %d  %s  %s", seed, split.name, model)
                if is_nlptk(model):
                    res = run_nlptk(model, split, vectors, seed, args)
                elif model == "fasttext":
                    res = run_fasttext(split, seed, args, tok)
                else:
                    res = run_tfidf(split, seed, args, tok)
                row = {
                    "dataset": split.name,
                    "model": model,
                    "seed": seed,
                    **score(res.pop("pred"), split),
                    "train_s": round(res["train_s"], 3),
                    "predict_sentences_per_s": round(len(split.test) / max(res["predict_s"], 1e-9), 1),
                    **{k: v for k, v in res.items() if k not in ("train_s", "predict_s")},
                }
                logger.info("  -> %s", row)
                runs.append(row)
                if args.log:
                    with open(args.log, "a", encoding="utf-8") as fh:
                        fh.write(json.dumps(row) + "\n")
    summary = summarise(runs)
    result = {
        "benchmark": "classify",
        "settings": {
            "seeds": args.seeds,
            "nlptk_seeds": args.nlptk_seeds,
            "epochs": args.epochs,
            "low_data_epochs": args.low_data_epochs,
            "patience": args.patience,
            "freeze_epochs": args.freeze_epochs,
            "lr": args.lr,
            "threads": args.threads,
            "device": args.device,
            "quick": args.quick,
            "nlptk_model": "1-layer bidirectional, hidden 128, concat pooling, batch 64, one-cycle",
            "tokenizer": tok.to_config(),
            "fasttext": FASTTEXT_PARAMS,
            "tfidf_logreg": {"ngram_range": [1, 2], "sublinear_tf": True, "C": LOGREG_C},
            "split_seed": SPLIT_SEED,
        },
        "vectors": vectors_info,
        "datasets": datasets_info,
        "summary": summary,
        "runs": runs,
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result, indent=1))
    table = markdown_table(summary)
    if args.table:
        args.table.write_text(table, encoding="utf-8")
    print(table, file=sys.stderr)
    return 0 if all(math.isfinite(r["accuracy"]) for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
