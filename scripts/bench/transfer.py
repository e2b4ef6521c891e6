"""Benchmark: transfer learning for the recurrent classifier (ULMFiT on nlptk vectors).

Two steps, so that the expensive pretraining is done once and reported on its own:

``prepare``
    Cuts the first ``--tokens`` whitespace tokens of prose (no ``<doc>`` lines, no headings)
    from the Wikipedia corpus, trains skip-gram word2vec (d100) on it, and pretrains one
    language model per ``--budgets`` value (training tokens; 2-layer LSTM whose embedding
    starts from those vectors, adaptive softmax, one epoch, BPTT 70, batch 32). Prints one
    JSON object: pretraining time, tokens/s and validation perplexity per budget.

``run``
    Side by side on each dataset and seed: test accuracy of

    * ``random``: today's BiLSTM, random embeddings;
    * ``vectors``: today's BiLSTM from the word2vec vectors (frozen first, then fine-tuned);
    * ``lm``: the classifier on the pretrained LM's encoder (concat pooling, ULMFiT head,
      gradual unfreezing 1,1,1, discriminative rates / 2.6, cached frozen features);
    * ``lm-ft``: the same after fine-tuning the LM on the task's training texts;
    * ``fasttext`` (wordNgrams 2, the settings of ``scripts/bench/classify.py``),
      ``tfidf-logreg`` (1-2 grams, C=8) and ``nbsvm`` (Wang & Manning 2012, uni+bigrams).

    Datasets: ``trec``, ``sst2``, ``mr`` (the splits of ``scripts/bench/classify.py``) and
    ``{sst2,trec}-{500,100}``: that many training sentences drawn stratified and seeded
    from the training part (selection on the full validation part, scoring on the full test
    set). One JSON line per run in ``--log``; ``merge`` summarises logs (mean ± sd).

``cache``
    The frozen-stage epoch with and without cached features on a dataset (interleaved rounds).

Every model sees the same tokens: spaCy's rule-based tokenizer, lowercased, punctuation
kept (the LM's tokenizer too). Threads: 1 torch / fastText thread; the machine is shared.

Usage::

    nice python scripts/bench/transfer.py prepare --tokens 5000000 --budgets 1000000 4000000
    nice python scripts/bench/transfer.py run --datasets trec-100 trec-500 sst2-100 sst2-500 trec \\
        --seeds 0 --log runs.jsonl
    python scripts/bench/transfer.py merge runs.jsonl --table table.md
    nice python scripts/bench/transfer.py cache --dataset sst2
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DATA_ROOT = Path("/work/shared/data/classification")
CORPUS = Path("/work/shared/data/corpora/enwiki_wikiextractor_100M.txt.gz")
WORK = Path(os.environ.get("NLPTK_CACHE", Path.home() / ".cache" / "nlptk")) / "bench-transfer"
SPLIT_SEED = 12345
FASTTEXT_PARAMS = {"wordNgrams": 2, "epoch": 25, "lr": 0.5, "dim": 100, "minCount": 1, "loss": "softmax"}
LOGREG_C = 8.0
NLPTK_MODELS = ("random", "vectors", "lm", "lm-ft")
BASELINES = ("fasttext", "tfidf-logreg", "nbsvm")

logger = logging.getLogger("bench.transfer")


def tokenizer():
    from nlptk.text.tokenize import SpacyTokenizer

    return SpacyTokenizer("en", lowercase=True, punctuation="keep")


# -- prepare ------------------------------------------------------------------------------------
def cut_corpus(n_tokens: int, out: Path) -> int:
    """The first ``n_tokens`` tokens of prose lines of the Wikipedia corpus, one paragraph a line."""
    if out.exists():
        return sum(len(line.split()) for line in out.open(encoding="utf-8"))
    n = 0
    tmp = out.with_suffix(".tmp")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh, tmp.open("w", encoding="utf-8") as w:
        for line in fh:
            if line.startswith("<doc ") or line.strip() == "</doc>":
                continue
            k = len(line.split())
            if k < 4:  # blank lines, titles, headings
                continue
            w.write(line)
            n += k
            if n >= n_tokens:
                break
    tmp.rename(out)
    return n


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    import nlptk.embed
    from nlptk.lm.training import train_language_model
    from nlptk.vectors.container import Vectors

    torch.set_num_threads(args.threads)
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = args.work / f"enwiki-{args.tokens}.txt"
    n_tokens = cut_corpus(args.tokens, corpus)
    result: dict[str, Any] = {"corpus": str(corpus), "corpus_tokens_whitespace": n_tokens}
    vectors_dir = args.work / "w2v"
    w2v_params = {
        "dim": 100,
        "window": 5,
        "min_count": 5,
        "epochs": args.w2v_epochs,
        "sg": True,
        "workers": 2,
        "seed": 1,
    }
    if not (vectors_dir / "meta.json").exists():
        t0 = time.perf_counter()
        nlptk.train_embeddings(str(corpus), "word2vec", out=vectors_dir, tokenizer=tokenizer(), **w2v_params)
        result["word2vec_seconds"] = round(time.perf_counter() - t0, 1)
    vectors = Vectors.load(vectors_dir)
    result["word2vec"] = {"params": w2v_params, "words": len(vectors), "dim": vectors.dim}
    result["language_models"] = {}
    for budget in args.budgets:
        folder = args.work / f"lm-{budget}"
        if not (folder / "config.json").exists():
            t0 = time.perf_counter()
            train_language_model(
                str(corpus),
                vectors=vectors,
                out=folder,
                cell="lstm",
                num_layers=args.layers,
                hidden_size=args.hidden_size,
                max_tokens=budget,
                epochs=1,
                threads=args.threads,
                device=args.device,
                tokenizer=tokenizer().to_config(),
                seed=0,
            )
            logger.info("LM with %d tokens trained in %.0fs", budget, time.perf_counter() - t0)
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        result["language_models"][str(budget)] = meta
        result["language_models"][str(budget)]["folder"] = str(folder)
    return result


# -- datasets -----------------------------------------------------------------------------------
@dataclass
class Split:
    name: str
    train: Any  # LabelledData
    val: Any
    test: Any


def load_splits(root: Path, names: list[str]) -> list[Split]:
    """The named splits; ``{sst2,trec}-N``: N training sentences drawn stratified (seeded)."""
    from nlptk.text.labelled import load_labelled, train_val_split

    cache: dict[str, Split] = {}

    def full(name: str) -> Split:
        if name in cache:
            return cache[name]
        if name == "sst2":
            train = load_labelled(root / "sst2/stsa.binary.train", format="label-first")
            val = load_labelled(root / "sst2/stsa.binary.dev", format="label-first", classes=train.classes)
            test = load_labelled(root / "sst2/stsa.binary.test", format="label-first", classes=train.classes)
        elif name == "trec":
            every = load_labelled(root / "trec/TREC.train.all", format="label-first", encoding="latin-1")
            test = load_labelled(
                root / "trec/TREC.test.all", format="label-first", encoding="latin-1", classes=every.classes
            )
            train, val = train_val_split(every, val_size=0.1, seed=SPLIT_SEED)
        elif name == "mr":
            every = load_labelled(root / "mr/rt-polarity.all", format="label-first", encoding="latin-1")
            rest, test = train_val_split(every, val_size=0.1, seed=SPLIT_SEED)
            train, val = train_val_split(rest, val_size=0.1, seed=SPLIT_SEED)
        else:
            raise SystemExit(f"unknown dataset {name!r}")
        cache[name] = Split(name, train, val, test)
        return cache[name]

    out = []
    for name in names:
        base, _, size = name.partition("-")
        split = full(base)
        if size:
            small, _ = train_val_split(split.train, val_size=len(split.train) - int(size), seed=SPLIT_SEED)
            split = Split(name, small, split.val, split.test)
        out.append(split)
    return out


_TOKENS: dict[tuple[str, str], list[str]] = {}


def tokenized(split: Split, part: str, tok: Any) -> list[str]:
    key = (split.name, part)
    if key not in _TOKENS:
        _TOKENS[key] = [" ".join(tok(t)) for t in getattr(split, part).texts]
    return _TOKENS[key]


# -- models ---------------------------------------------------------------------------------------
def classifier_config(model: str, split: Split, seed: int, args: argparse.Namespace):
    from nlptk.classify.config import ClassifierConfig

    low = "-" in split.name
    common = {
        "seed": seed,
        "device": args.device,
        "patience": args.patience,
        "tokenizer": tokenizer().to_config(),
    }
    if model in ("random", "vectors"):  # today's path, the settings of scripts/bench/classify.py
        return ClassifierConfig(
            cell="lstm",
            hidden_size=128,
            bidirectional=True,
            epochs=10 if low else 8,
            lr=1e-2,
            freeze_embeddings=model == "vectors",
            freeze_epochs=1 if model == "vectors" else 0,
            **common,
        )
    schedule = tuple(args.low_schedule if low else args.schedule)
    # no early stop between unfreezing stages (the best epoch's weights are still kept)
    common["patience"] = None
    return ClassifierConfig(
        epochs=args.low_lm_epochs if low else args.lm_epochs,
        lr=args.lm_lr,
        batch_size=args.low_batch_size if low else 64,
        dropout=0.4,
        unfreeze_schedule=schedule,
        lr_decay=2.6,
        **common,
    )


def finetuned_lm(split: Split, lm_dir: Path, args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    """The pretrained LM fine-tuned on the split's training texts (once per split; cached)."""
    from nlptk.lm.finetune import finetune_language_model

    folder = args.work / f"{lm_dir.name}-ft-{split.name}"
    if not (folder / "config.json").exists():
        finetune_language_model(
            lm_dir,
            list(split.train.texts),
            out=folder,
            force=True,
            # a few hundred sentences are a few thousand tokens: small batches, more passes
            epochs=args.ft_epochs if "-" not in split.name else 2 * args.ft_epochs,
            batch_size=32 if "-" not in split.name else 4,
            lr=args.ft_lr,
            lr_decay=2.6,
            min_count=2,
            threads=args.threads,
            device=args.device,
            seed=0,
        )
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return folder, {
        "ft_seconds": meta.get("seconds"),
        "ft_best_val_perplexity": meta.get("best_val_perplexity"),
    }


def run_nlptk(model: str, split: Split, seed: int, args: argparse.Namespace, vectors: Any) -> dict[str, Any]:
    from nlptk.classify.training import train_classifier

    config = classifier_config(model, split, seed, args)
    extra: dict[str, Any] = {}
    encoder = None
    if model == "lm":
        encoder = args.lm
    elif model == "lm-ft":
        t0 = time.perf_counter()
        encoder, extra = finetuned_lm(split, args.lm, args)
        extra["ft_wall_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    clf = train_classifier(
        split.train,
        vectors=vectors if model == "vectors" else None,
        encoder=encoder,
        val=split.val,
        config=config,
    )
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = clf.predict_proba(split.test.texts).argmax(axis=1)
    predict_s = time.perf_counter() - t0
    return {
        "pred": pred,
        "train_s": train_s,
        "predict_s": predict_s,
        "epochs_run": len(clf.history),
        "best_epoch": clf.info["training"]["best_epoch"],
        "stages": [r["stage"] for r in clf.history],
        **extra,
    }


def run_fasttext(split: Split, seed: int, args: argparse.Namespace, tok: Any) -> dict[str, Any]:
    import fasttext

    with tempfile.TemporaryDirectory(prefix="bench-ft-") as tmp:
        path = Path(tmp) / "train.txt"
        lines = [
            f"__label__{y} {t}"
            for t, y in zip(tokenized(split, "train", tok), split.train.labels, strict=True)
        ]
        order = np.random.default_rng(seed).permutation(len(lines))  # fastText does not shuffle
        path.write_text("\n".join(lines[i] for i in order) + "\n", encoding="utf-8")
        t0 = time.perf_counter()
        model = fasttext.train_supervised(
            str(path), seed=seed, thread=args.threads, verbose=0, **FASTTEXT_PARAMS
        )
        train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    labels, _ = model.predict(tokenized(split, "test", tok), k=1)  # the batch path (NumPy 2)
    predict_s = time.perf_counter() - t0
    pred = np.array([int(lab[0][len("__label__") :]) for lab in labels])
    return {"pred": pred, "train_s": train_s, "predict_s": predict_s}


def run_tfidf(split: Split, seed: int, args: argparse.Namespace, tok: Any) -> dict[str, Any]:
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
    pred = pipe.predict(tokenized(split, "test", tok))
    return {"pred": np.asarray(pred), "train_s": train_s, "predict_s": time.perf_counter() - t0}


def run_nbsvm(split: Split, seed: int, args: argparse.Namespace, tok: Any) -> dict[str, Any]:
    """NB-SVM (Wang & Manning 2012): binarized uni+bigrams scaled by the NB log-count ratio and a
    linear SVM (C=1); binary tasks interpolate the weights with their mean magnitude (beta=0.25,
    as the paper); several classes: one model per class (one-vs-rest), without interpolation
    (a shared offset would favour classes by text length)."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.svm import LinearSVC

    t0 = time.perf_counter()
    vectorizer = CountVectorizer(ngram_range=(1, 2), token_pattern=r"\S+", lowercase=False, binary=True)
    x = vectorizer.fit_transform(tokenized(split, "train", tok)).tocsr()
    y = np.asarray(split.train.labels)
    classes = np.unique(y)
    models = []
    for c in classes if len(classes) > 2 else classes[1:]:
        pos = np.asarray(x[y == c].sum(axis=0)).ravel() + 1.0  # alpha = 1
        neg = np.asarray(x[y != c].sum(axis=0)).ravel() + 1.0
        r = np.log((pos / pos.sum()) / (neg / neg.sum()))
        svm = LinearSVC(C=1.0, max_iter=5000, random_state=seed).fit(
            x.multiply(r).tocsr(), (y == c).astype(int)
        )
        w = svm.coef_.ravel()
        if len(classes) == 2:  # the paper's interpolation (binary tasks): (1 - beta) * mean|w| + beta * w
            w = 0.75 * np.abs(w).mean() + 0.25 * w
        models.append((r, w, float(svm.intercept_[0])))
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    xt = vectorizer.transform(tokenized(split, "test", tok)).tocsr()
    scores = np.column_stack([xt.multiply(r) @ w + b for r, w, b in models])
    if len(classes) > 2:
        pred = classes[scores.argmax(axis=1)]
    else:
        pred = np.where(scores[:, 0] > 0, classes[1], classes[0])
    return {"pred": pred, "train_s": train_s, "predict_s": time.perf_counter() - t0}


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    import torch

    from nlptk.vectors.container import Vectors

    torch.set_num_threads(args.threads)
    splits = load_splits(args.data_root, args.datasets)
    vectors = Vectors.load(args.vectors) if "vectors" in args.models else None
    tok = tokenizer()
    rows = []
    for seed in args.seeds:  # seeds outermost: a run cut short has every model for the first seeds
        for split in splits:
            for model in args.models:
                logger.info("seed %d  %s  %s", seed, split.name, model)
                if model in NLPTK_MODELS:
                    res = run_nlptk(model, split, seed, args, vectors)
                elif model == "fasttext":
                    res = run_fasttext(split, seed, args, tok)
                elif model == "nbsvm":
                    res = run_nbsvm(split, seed, args, tok)
                else:
                    res = run_tfidf(split, seed, args, tok)
                pred = res.pop("pred")
                y = np.asarray(split.test.labels)
                row = {
                    "dataset": split.name,
                    "model": model,
                    "seed": seed,
                    "n_train": len(split.train),
                    "accuracy": float(np.mean(pred == y)),
                    "train_s": round(res.pop("train_s"), 2),
                    "predict_s": round(res.pop("predict_s"), 3),
                    **res,
                }
                if model in ("lm", "lm-ft"):
                    row["lm"] = str(args.lm)
                logger.info("  -> %s", row)
                rows.append(row)
                if args.log:
                    with open(args.log, "a", encoding="utf-8") as fh:
                        fh.write(json.dumps(row) + "\n")
    return rows


# -- summary --------------------------------------------------------------------------------------
def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    grouped: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for r in rows:
        model = r["model"] if r["model"] not in ("lm", "lm-ft") else f"{r['model']}@{Path(r['lm']).name}"
        grouped.setdefault(r["dataset"], {}).setdefault(model, []).append(r)
    summary: dict[str, Any] = {}
    for dataset, models in grouped.items():
        summary[dataset] = {}
        for model, rs in sorted(models.items()):
            acc = [r["accuracy"] for r in rs]
            summary[dataset][model] = {
                "seeds": [r["seed"] for r in rs],
                "accuracy_mean": round(statistics.mean(acc), 4),
                "accuracy_sd": round(statistics.stdev(acc), 4) if len(acc) > 1 else 0.0,
                "accuracy_per_seed": [round(a, 4) for a in acc],
                "train_s_mean": round(statistics.mean(r["train_s"] for r in rs), 1),
            }
    return summary


def markdown(summary: dict[str, Any]) -> str:
    models = sorted({m for s in summary.values() for m in s})
    lines = ["| model | " + " | ".join(summary) + " |", "| --- |" + " ---: |" * len(summary)]
    for model in models:
        cells = []
        for dataset in summary:
            s = summary[dataset].get(model)
            cells.append(
                "-"
                if s is None
                else f"{100 * s['accuracy_mean']:.2f} ± {100 * s['accuracy_sd']:.2f} ({len(s['seeds'])})"
            )
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# -- the cache benchmark --------------------------------------------------------------------------
def untrained_lm(split: Split, args: argparse.Namespace) -> Any:
    """A language model of the pretrained ones' shape with random weights: an epoch costs the same."""
    from nlptk.lm import SPECIALS, LanguageModel, LanguageModelConfig, RNNLanguageModelNet
    from nlptk.text.vocab import Vocabulary

    tok = tokenizer()
    vocabulary = Vocabulary.build([tok(t) for t in split.train.texts], specials=list(SPECIALS))
    config = LanguageModelConfig(
        cell="lstm", num_layers=args.layers, hidden_size=args.hidden_size, tokenizer=tok.to_config()
    ).resolve(vocab_size=len(vocabulary), embedding_dim=100)
    return LanguageModel(
        RNNLanguageModelNet(config, len(vocabulary)), config=config, vocabulary=vocabulary, tokenizer=tok
    )


def cache_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Seconds of a head-only epoch with and without cached features (interleaved rounds)."""
    import torch

    from nlptk.classify.data import EncodedDataset, encode_texts, make_loader
    from nlptk.classify.encoder_model import build_encoder_classifier, config_for_encoder
    from nlptk.classify.feature_cache import cached_features
    from nlptk.classify.preparation import labels_in
    from nlptk.classify.transfer import TransferLearner, freeze_to
    from nlptk.lm.language_model import load_language_model

    torch.set_num_threads(args.threads)
    split = load_splits(args.data_root, [args.dataset])[0]
    lm = load_language_model(args.lm) if not args.untrained else untrained_lm(split, args)
    config = config_for_encoder(classifier_config("lm", split, 0, args), lm)
    tok = lm.tokenizer
    classes = [str(c) for c in split.train.classes]
    model, vocab, _ = build_encoder_classifier(
        lm, [tok(t) for t in split.train.texts], n_classes=len(classes), config=config
    )
    loaders = [
        make_loader(
            EncodedDataset(encode_texts(d.texts, tok, vocab, max_length=400), labels_in(d, classes, "data")),
            batch_size=bs,
            shuffle=shuffle,
        )
        for d, bs, shuffle in ((split.train, 64, True), (split.val, 256, False))
    ]
    learner = TransferLearner(model, *loaders, n_classes=len(classes), device=torch.device("cpu"))
    freeze_to(model, 1)
    learner.optimizer = learner.make_optimizer(config.lr)
    plain, cached, builds = [], [], []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        learner.train_epoch()
        learner.validate()
        plain.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with cached_features(learner) as used:
            assert used
            builds.append(time.perf_counter() - t0)
            t1 = time.perf_counter()
            learner.train_epoch()
            learner.validate()
            cached.append(time.perf_counter() - t1)
    return {
        "dataset": split.name,
        "n_train": len(split.train),
        "n_val": len(split.val),
        "lm": "untrained, same shape" if args.untrained else str(args.lm),
        "encoder": model.spec()["encoder"],
        "feature_width": model.output_size,
        "threads": args.threads,
        "epoch_s_plain": [round(x, 2) for x in plain],
        "epoch_s_cached": [round(x, 3) for x in cached],
        "cache_build_s": [round(x, 2) for x in builds],
        "speedup_best": round(min(plain) / min(cached), 1),
        "speedup_including_build": round(min(plain) / (min(cached) + min(builds)), 2),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    pre = sub.add_parser("prepare", help="corpus slice, word2vec, language models")
    pre.add_argument("--tokens", type=int, default=5_000_000)
    pre.add_argument("--budgets", type=int, nargs="+", default=[1_000_000, 4_000_000])
    pre.add_argument("--layers", type=int, default=2)
    pre.add_argument("--hidden-size", type=int, default=512)
    pre.add_argument("--w2v-epochs", type=int, default=5)
    r = sub.add_parser("run", help="the accuracy table")
    r.add_argument("--datasets", nargs="+", default=["trec-100", "trec-500", "sst2-100", "sst2-500", "trec"])
    r.add_argument("--models", nargs="+", default=[*NLPTK_MODELS, *BASELINES])
    r.add_argument("--seeds", nargs="+", type=int, default=[0])
    r.add_argument("--log", type=Path, default=None)
    c = sub.add_parser("cache", help="head-only epoch with and without cached features")
    c.add_argument("--dataset", default="sst2")
    c.add_argument("--rounds", type=int, default=3)
    c.add_argument("--untrained", action="store_true", help="time an untrained LM of the same shape")
    c.add_argument("--layers", type=int, default=2)
    c.add_argument("--hidden-size", type=int, default=512)
    for q in (r, c):
        q.add_argument("--data-root", type=Path, default=DATA_ROOT)
        q.add_argument("--lm", type=Path, default=WORK / "lm-4000000")
        q.add_argument("--vectors", type=Path, default=WORK / "w2v")
        q.add_argument("--patience", type=int, default=3)
        q.add_argument("--lm-epochs", type=int, default=6)
        q.add_argument("--low-lm-epochs", type=int, default=12)
        q.add_argument("--schedule", type=int, nargs="+", default=[1, 1, 1])
        q.add_argument("--low-schedule", type=int, nargs="+", default=[4, 2, 2])
        q.add_argument("--low-batch-size", type=int, default=16, help="LM classifiers on the small sets")
        q.add_argument("--lm-lr", type=float, default=2e-2)
        q.add_argument("--ft-epochs", type=int, default=3)
        q.add_argument("--ft-lr", type=float, default=3e-3)
    m = sub.add_parser("merge", help="summarise --log files")
    m.add_argument("logs", type=Path, nargs="+")
    m.add_argument("--table", type=Path, default=None)
    for q in (pre, r, c):
        q.add_argument("--work", type=Path, default=WORK)
        q.add_argument("--threads", type=int, default=1)
        q.add_argument("--device", default="cpu")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
    if args.command == "prepare":
        print(json.dumps(prepare(args), indent=1))
    elif args.command == "cache":
        print(json.dumps(cache_bench(args), indent=1))
    else:
        if args.command == "run":
            rows = run(args)
        else:
            rows = [
                json.loads(line)
                for path in args.logs
                for line in path.read_text().splitlines()
                if line.strip()
            ]
        summary = summarise(rows)
        print(json.dumps({"benchmark": "transfer", "summary": summary, "runs": rows}, indent=1))
        table = markdown(summary)
        if getattr(args, "table", None):
            args.table.write_text(table, encoding="utf-8")
        print(table, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
