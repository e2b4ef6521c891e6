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
import sys
import time
from pathlib import Path
from typing import Any

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
    from nlptk.lm.train import train_language_model
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
        nlptk.embed.train(str(corpus), "word2vec", out=vectors_dir, tokenizer=tokenizer(), **w2v_params)
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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    pre = sub.add_parser("prepare", help="corpus slice, word2vec, language models")
    pre.add_argument("--tokens", type=int, default=5_000_000)
    pre.add_argument("--budgets", type=int, nargs="+", default=[1_000_000, 4_000_000])
    pre.add_argument("--layers", type=int, default=2)
    pre.add_argument("--hidden-size", type=int, default=512)
    pre.add_argument("--w2v-epochs", type=int, default=5)
    for q in (pre,):
        q.add_argument("--work", type=Path, default=WORK)
        q.add_argument("--threads", type=int, default=1)
        q.add_argument("--device", default="cpu")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
    if args.command == "prepare":
        print(json.dumps(prepare(args), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
