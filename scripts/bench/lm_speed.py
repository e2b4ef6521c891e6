"""Benchmark: the training speed of nlptk's language-model trainer against a bare PyTorch loop.

Both train the same network on the same token stream, side by side in one process, in
interleaved rounds (the order alternates each round), with 1 and 2 torch threads:

* a 1-layer LSTM, 100-d embeddings, ``torch.nn.AdaptiveLogSoftmaxWithLoss`` over a 50,000-word
  vocabulary (the cutoffs nlptk derives from the vocabulary size: 2,000 and 10,000), hidden
  512 and hidden 256, BPTT 70, batch 32, AdamW (weight decay 0.01), gradient clipping 0.25;
* **nlptk**: ``nlptk.train_language_model(...)`` with every dropout at 0 (the bare loop has
  none), budgeted by ``max_tokens``; its speed is ``meta["tokens_seen"] / meta["train_seconds"]``
  (the training steps, the trainer's own bookkeeping included; tokenization, vocabulary and
  validation excluded);
* **bare**: the loop a user would write by hand (embedding -> nn.LSTM -> adaptive softmax,
  hidden state detached between windows, ``zero_grad / backward / clip / step``), timed over
  the same number of steps on the same stream;
* **nlptk-bf16** (1 thread): nlptk with ``cpu_bf16=True`` (autocast to bfloat16; fast where
  the CPU has AVX512-BF16 or AMX);
* **nlptk-awd** (hidden 512, 1 thread): nlptk with its default AWD-LSTM dropouts (embedding,
  input, weight and output dropout), to show what regularisation costs.

The corpus is a slice of ``enwiki_wikiextractor_100M.txt.gz`` (the ``<doc>`` lines dropped),
written to a temporary folder and tokenized once by nlptk's tokens cache (the regex tokenizer,
as ``nlptk embed train``); the bare loop reads the same ids. One JSON object on stdout:
tokens/s per configuration and round, medians, and the ratio nlptk / bare (target >= 1).

Usage::

    nice -n 10 python scripts/bench/lm_speed.py                # about 8 minutes on 2 busy cores
    nice -n 10 python scripts/bench/lm_speed.py --quick        # a smoke run
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: no spin-waiting on busy cores

import torch
from torch import nn

CORPUS = "/work/shared/data/corpora/enwiki_wikiextractor_100M.txt.gz"
VOCAB = 50_000
EMBEDDING = 100
BPTT = 70
BATCH = 32
LR = 1e-3
CLIP = 0.25
VARIANTS = ("nlptk", "bare", "nlptk-bf16", "nlptk-awd")


def write_slice(source: str, target: Path, tokens: int) -> int:
    """The first ``tokens`` whitespace tokens of the corpus's prose lines (``<doc>`` lines dropped)."""
    count = 0
    with gzip.open(source, "rt", encoding="utf-8") as src, open(target, "w", encoding="utf-8") as out:
        for line in src:
            if line.startswith("<doc ") or line.startswith("</doc>") or not line.strip():
                continue
            out.write(line)
            count += len(line.split())
            if count >= tokens:
                break
    return count


class BareModel(nn.Module):
    """Embedding -> 1-layer LSTM -> adaptive softmax, written as a user would."""

    def __init__(self, vocab: int, hidden: int, cutoffs: list[int]) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, EMBEDDING)
        self.rnn = nn.LSTM(EMBEDDING, hidden, batch_first=True)
        self.decoder = nn.AdaptiveLogSoftmaxWithLoss(hidden, vocab, cutoffs=cutoffs, div_value=4.0)

    def forward(self, x: torch.Tensor, y: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        out, state = self.rnn(self.embedding(x), state)
        return self.decoder(out.reshape(-1, out.shape[-1]), y.reshape(-1)).loss, state


def run_bare(data: torch.Tensor, hidden: int, cutoffs: list[int], steps: int) -> dict[str, float]:
    torch.manual_seed(0)
    model = BareModel(VOCAB, hidden, cutoffs)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    model.train()
    state = None
    tokens = 0
    started = time.perf_counter()
    for step in range(steps):
        start = step * BPTT
        x, y = data[:, start : start + BPTT], data[:, start + 1 : start + 1 + BPTT]
        if state is not None:
            state = tuple(s.detach() for s in state)
        optimizer.zero_grad(set_to_none=True)
        loss, state = model(x, y, state)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        tokens += y.numel()
        float(loss)  # a user logs the loss
    seconds = time.perf_counter() - started
    return {"tokens": tokens, "seconds": seconds, "tokens_per_s": tokens / seconds, "final_loss": float(loss)}


def run_nlptk(
    corpus: Path, cache: Path, hidden: int, steps: int, threads: int, variant: str
) -> dict[str, float]:
    import nlptk

    dropouts = (
        {}
        if variant == "nlptk-awd"
        else {
            "embedding_dropout": 0.0,
            "input_dropout": 0.0,
            "hidden_dropout": 0.0,
            "weight_dropout": 0.0,
            "output_dropout": 0.0,
        }
    )
    lm = nlptk.train_language_model(
        corpus,
        cache_dir=cache,
        cell="lstm",
        num_layers=1,
        hidden_size=hidden,
        embedding_dim=EMBEDDING,
        decoder="adaptive",
        min_count=1,
        max_vocab=VOCAB,
        batch_size=BATCH,
        bptt=BPTT,
        lr=LR,
        clip_grad=CLIP,
        max_tokens=steps * BATCH * BPTT,
        val_fraction=0.002,
        max_val_tokens=5_000,
        threads=threads,
        device="cpu",
        cpu_bf16=variant == "nlptk-bf16",
        **dropouts,
    )
    assert len(lm.vocab) == VOCAB, len(lm.vocab)
    seconds = lm.meta["train_seconds"]
    tokens = lm.meta["tokens_seen"]
    return {
        "tokens": tokens,
        "seconds": seconds,
        "tokens_per_s": tokens / seconds,
        "final_loss": lm.history[-1]["train_loss"],
        "cutoffs": list(lm.config.cutoffs or []),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=CORPUS)
    parser.add_argument("--slice-tokens", type=int, default=2_000_000, help="Tokens of the corpus slice.")
    parser.add_argument("--steps", type=int, default=10, help="Training steps per timed run.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--hidden", type=int, nargs="+", default=[512, 256])
    parser.add_argument(
        "--quick", action="store_true", help="A smoke run: small slice, few steps, one round."
    )
    args = parser.parse_args()
    if args.quick:
        args.slice_tokens, args.steps, args.rounds = 1_500_000, 3, 1
    logging.basicConfig(level=logging.WARNING)

    import nlptk
    from nlptk.embed.tokens_cache import tokenize_to_cache
    from nlptk.lm.config import default_cutoffs
    from nlptk.lm.stream import batchify, build_stream_vocabulary, encode_stream
    from nlptk.text.corpus import TextLineCorpus
    from nlptk.text.tokenize import RegexTokenizer

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nlptk-lm-bench-") as tmp:
        folder = Path(tmp)
        corpus = folder / "slice.txt"
        whitespace_tokens = write_slice(args.corpus, corpus, args.slice_tokens)
        cache = folder / "cache"
        tokens_file = tokenize_to_cache(TextLineCorpus(corpus), RegexTokenizer(), cache_dir=cache)
        vocab = build_stream_vocabulary(tokens_file.path, min_count=1, max_size=VOCAB)
        ids = encode_stream(tokens_file.path, vocab)
        cutoffs = list(default_cutoffs(VOCAB))
        data = batchify(ids, BATCH)
        need = args.steps * BPTT + 1
        if data.shape[1] < need:
            raise SystemExit(
                f"the slice gives {data.shape[1]} tokens per row, {need} needed: raise --slice-tokens"
            )
        runs: list[dict[str, Any]] = []
        for round_index in range(args.rounds):
            for hidden in args.hidden:
                for threads in args.threads:
                    variants = ["nlptk", "bare"]
                    if threads == 1:
                        variants += ["nlptk-bf16"] + (["nlptk-awd"] if hidden == 512 else [])
                    if round_index % 2:
                        variants.reverse()
                    for variant in variants:
                        torch.set_num_threads(threads)
                        if variant == "bare":
                            result = run_bare(data, hidden, cutoffs, args.steps)
                        else:
                            result = run_nlptk(corpus, cache, hidden, args.steps, threads, variant)
                        record = {"round": round_index, "variant": variant, "hidden": hidden}
                        record.update(threads=threads, **result)
                        runs.append(record)
                        print(json.dumps(record), file=sys.stderr, flush=True)
    summary: dict[str, Any] = {}
    for hidden in args.hidden:
        for threads in args.threads:
            mine = [r for r in runs if r["hidden"] == hidden and r["threads"] == threads]
            speeds = {v: [r["tokens_per_s"] for r in mine if r["variant"] == v] for v in VARIANTS}
            med = {v: statistics.median(s) for v, s in speeds.items() if s}
            ratios = [a / b for a, b in zip(speeds["nlptk"], speeds["bare"], strict=True)]  # same round
            entry: dict[str, Any] = {
                "median_tokens_per_s": {k: round(v) for k, v in med.items()},
                "ratio_nlptk_over_bare": round(statistics.median(ratios), 3),
                "ratio_per_round": [round(r, 3) for r in ratios],
            }
            for extra in ("nlptk-bf16", "nlptk-awd"):
                if extra in med:
                    entry[f"ratio_{extra.split('-')[1]}_over_bare"] = round(med[extra] / med["bare"], 3)
            summary[f"hidden{hidden}_threads{threads}"] = entry
    print(
        json.dumps(
            {
                "benchmark": "lm_speed",
                "corpus": args.corpus,
                "slice_whitespace_tokens": whitespace_tokens,
                "stream_tokens": len(ids),
                "vocab": VOCAB,
                "cutoffs": cutoffs,
                "embedding_dim": EMBEDDING,
                "bptt": BPTT,
                "batch_size": BATCH,
                "steps_per_run": args.steps,
                "tokens_per_run": args.steps * BPTT * BATCH,
                "rounds": args.rounds,
                "summary": summary,
                "runs": runs,
                "wall_seconds": round(time.perf_counter() - started, 1),
                "machine": {
                    "cpus": os.cpu_count(),
                    "load_average_end": os.getloadavg(),
                    "note": "shared machine: other jobs ran at the same time; compare ratios, not speeds",
                    "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
                },
                "versions": {
                    "nlptk": nlptk.__version__,
                    "torch": torch.__version__,
                    "python": platform.python_version(),
                },
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
