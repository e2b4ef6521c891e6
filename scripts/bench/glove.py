"""Benchmark nlptk's GloVe (counting + training) against the Stanford tool's reference figures.

Usage::

    python scripts/bench/glove.py CORPUS [--dim 50 --window 15 --epochs 15 --x-max 10
                                          --min-count 5 --threads 2 --device auto]

CORPUS is a WikiExtractor dump (``.txt`` or ``.gz``): the ``<doc ...>``/``</doc>`` lines are
dropped, the text lowercased and only ``[a-z]+`` tokens kept (one paragraph per line), into a
temporary tokens file, as for the Stanford reference run. Counting and training are timed
separately (wall and CPU seconds, peak memory), the vectors are scored with gensim's
``evaluate_word_analogies`` and ``evaluate_word_pairs`` on the files gensim ships, and ONE
JSON object is printed, with the Stanford tool's figures (measured on a 2-core machine of
this kind, see issue 4) and the ratios against them.
"""

from __future__ import annotations

import os

# Under oversubscription (a shared machine) spinning OpenMP threads waste most of their time;
# passive waiting costs nothing on an idle machine. Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import gzip
import json
import logging
import lzma
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

# the Stanford tool (demo settings, 2 threads) on the same corpus, from issue 4
STANFORD = {
    "vocab_size": 79867,
    "count_s": 42.0,
    "cooccur_peak_gb": 2.0,
    "train_s": 478.0,
    "s_per_epoch": 32.0,
    "total_s": 520.0,
    "analogy": 0.185,
    "analogy_scored": 17346,
    "analogy_semantic": 0.276,
    "analogy_syntactic": 0.119,
    "wordsim353_spearman": 0.37,
    "simlex999_spearman": 0.19,
}
_TOKEN = re.compile(r"[a-z]+")


def prepare_tokens(corpus: Path, out: Path) -> tuple[int, int]:
    """Write the cleaned tokens file; returns (lines, tokens)."""
    opener = {".gz": gzip.open, ".xz": lzma.open}.get(corpus.suffix, open)
    n_lines = n_tokens = 0
    with (
        opener(corpus, "rt", encoding="utf-8", errors="replace") as src,
        open(out, "w", encoding="utf-8") as dst,
    ):
        for line in src:
            if line.startswith("<doc ") or line.rstrip("\n") == "</doc>":
                continue
            tokens = _TOKEN.findall(line.lower())
            if tokens:
                dst.write(" ".join(tokens))
                dst.write("\n")
                n_lines += 1
                n_tokens += len(tokens)
    return n_lines, n_tokens


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def evaluate(kv) -> dict:  # type: ignore[no-untyped-def]
    from gensim.test.utils import datapath

    score, sections = kv.evaluate_word_analogies(datapath("questions-words.txt"))
    semantic = [
        s for s in sections if not s["section"].startswith("gram") and s["section"] != "Total accuracy"
    ]
    syntactic = [s for s in sections if s["section"].startswith("gram")]

    def acc(secs: list[dict]) -> tuple[float, int]:
        correct = sum(len(s["correct"]) for s in secs)
        scored = correct + sum(len(s["incorrect"]) for s in secs)
        return (correct / scored if scored else 0.0), scored

    sem, n_sem = acc(semantic)
    syn, n_syn = acc(syntactic)
    ws = kv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    sl = kv.evaluate_word_pairs(datapath("simlex999.txt"))
    return {
        "analogy": float(score),
        "analogy_scored": n_sem + n_syn,
        "analogy_semantic": sem,
        "analogy_syntactic": syn,
        "wordsim353_spearman": float(ws[1][0]),
        "wordsim353_oov_pct": float(ws[2]),
        "simlex999_spearman": float(sl[1][0]),
        "simlex999_oov_pct": float(sl[2]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--dim", type=int, default=50)
    parser.add_argument("--window", type=int, default=15)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--x-max", type=float, default=10.0)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch-size", type=int, default=32768)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--memory", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--compile",
        choices=("auto", "yes", "no"),
        default="auto",
        help="compile the training step with torch.compile (auto: fit_glove's default)",
    )
    parser.add_argument(
        "--tokens", type=Path, help="reuse this prepared tokens file instead of preparing one"
    )
    parser.add_argument("--verbose", action="store_true", help="log progress to stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)

    import torch

    from nlptk.embed.glove import count_cooccurrences, fit_glove, resolve_device
    from nlptk.vectors.container import Vectors

    device = resolve_device(args.device)
    result: dict = {
        "benchmark": "glove",
        "corpus": str(args.corpus),
        "params": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "device": str(device),
        "torch": torch.__version__,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "torch_threads_at_start": torch.get_num_threads(),
        # unset: torch.compile's cache of earlier runs may make compiling faster than a first run
        "torchinductor_cache_dir": os.environ.get("TORCHINDUCTOR_CACHE_DIR"),
        "cpu_count": os.cpu_count(),
        "load_avg_start": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory(prefix="nlptk_glove_bench_") as tmp:
        tokens = args.tokens
        if tokens is None:
            tokens = Path(tmp) / "tokens.txt"
            t = time.perf_counter()
            n_lines, n_tokens = prepare_tokens(args.corpus, tokens)
            result["prepare"] = {"s": time.perf_counter() - t, "lines": n_lines, "tokens": n_tokens}

        w0, c0 = time.perf_counter(), time.process_time()
        matrix = count_cooccurrences(
            tokens, window=args.window, min_count=args.min_count, symmetric=True, memory=args.memory
        )
        count = {
            "wall_s": time.perf_counter() - w0,
            "cpu_s": time.process_time() - c0,
            "peak_rss_gb": peak_rss_gb(),
            "vocab_size": matrix.n_words,
            "nnz": matrix.nnz,
            "tokens": matrix.n_tokens,
        }
        result["count"] = count

        w1, c1 = time.perf_counter(), time.process_time()
        fit = fit_glove(
            matrix,
            dim=args.dim,
            x_max=args.x_max,
            epochs=args.epochs,
            lr=args.lr,
            batch_size=args.batch_size,
            device=device,
            threads=args.threads,
            seed=args.seed,
            compile_step={"auto": None, "yes": True, "no": False}[args.compile],
        )
        train_wall = time.perf_counter() - w1
        train = {
            "wall_s": train_wall,
            "cpu_s": time.process_time() - c1,
            "s_per_epoch": sum(fit.epoch_seconds) / len(fit.epoch_seconds),
            # compiling the step is part of wall_s; the rest is the shuffle/setup and the epochs
            "compile_s": fit.compile_seconds,
            "setup_s": train_wall - sum(fit.epoch_seconds) - (fit.compile_seconds or 0.0),
            "epoch_s": [round(s, 2) for s in fit.epoch_seconds],
            "losses": [round(x, 5) for x in fit.losses],
            "peak_rss_gb_total": peak_rss_gb(),
        }
        if device.type == "cuda":
            train["cuda_peak_gb"] = torch.cuda.max_memory_allocated(device) / 1e9
        result["train"] = train
        result["total_wall_s"] = count["wall_s"] + train["wall_s"]
        result["total_cpu_s"] = count["cpu_s"] + train["cpu_s"]

        vectors = Vectors(matrix.words, fit.word_vectors + fit.context_vectors, counts=matrix.counts)
        result["quality"] = evaluate(vectors.to_gensim())
    result["load_avg_end"] = os.getloadavg()

    q = result["quality"]
    result["stanford_reference"] = STANFORD
    result["vs_stanford"] = {
        # time ratios: nlptk / Stanford (below 1 = nlptk faster)
        "count_time_ratio": count["wall_s"] / STANFORD["count_s"],
        "train_time_ratio": train["wall_s"] / STANFORD["train_s"],
        "s_per_epoch_ratio": train["s_per_epoch"] / STANFORD["s_per_epoch"],
        "total_time_ratio": result["total_wall_s"] / STANFORD["total_s"],
        # the Stanford run's 2 threads were busy all along: CPU seconds ~ 2 x wall
        "total_cpu_ratio_vs_2x_stanford_wall": result["total_cpu_s"] / (2 * STANFORD["total_s"]),
        "analogy_points": 100 * (q["analogy"] - STANFORD["analogy"]),
        "wordsim353_diff": q["wordsim353_spearman"] - STANFORD["wordsim353_spearman"],
        "simlex999_diff": q["simlex999_spearman"] - STANFORD["simlex999_spearman"],
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
