"""Benchmark: `nlptk embed train` against gensim / fastText called directly, side by side.

Usage::

    python scripts/bench/embed_train.py CORPUS [--dim 100 --epochs 5 --workers 2 --min-count 5
        --window 5 --sg --ft-epochs N --methods word2vec,fasttext --workdir DIR --keep-doc-lines
        --max-bytes N --line-chars N --rounds N]

Issue 17's small-corpus case (the fixed cost a user with a small corpus pays: the 2.1M-token
text8 prefix cut into 2000-character documents, dim 100, 3 epochs, 2 workers)::

    python scripts/bench/embed_train.py ../shared/data/corpora/text8_prefix_12M.gz \
        --line-chars 2000 --epochs 3 --rounds 3 --no-eval

What is compared, on the same tokens and the same parameters:

* **Input.** CORPUS may be compressed. The benchmark first writes the prose once, uncompressed,
  to ``<workdir>/corpus.txt``, dropping WikiExtractor's ``<doc ...>`` / ``</doc>`` wrapper
  lines (``--keep-doc-lines`` keeps them). Both sides start from that file; this step is not
  timed.
* **Direct baseline.** What a user writes by hand: tokenize ``corpus.txt`` with the same
  tokenizer (nlptk's default ``RegexTokenizer``, in a plain single-process loop writing one
  line per document; timed and reported separately as ``prepare_s``), then, in a fresh
  Python process, ``gensim.models.Word2Vec(corpus_file=tokens, ..., compute_loss=True)`` (nlptk
  reports gensim's per-epoch loss, so the baseline computes it too; the same baseline without
  the loss is timed as well, ``direct_without_loss``, with its own ratio) and
  ``model.wv.save("vectors.kv")``, or ``fasttext.train_unsupervised(input=tokens, ...)`` and
  ``model.save_model("model.bin")``. The timed wall time is the whole process (interpreter
  start, imports, training, saving).
* **nlptk.** ``python -m nlptk -q embed train corpus.txt --method M --out DIR ...`` in a fresh
  process, timed whole: a first run with an empty tokens cache (tokenization included,
  ``cold``) and a second run that reuses the cache (``cached``). It writes the native vectors
  folder and meta.json (and for fastText keeps model.bin and loads it back for subword vectors).
* **Rounds.** ``--rounds N`` runs every variant N times, interleaved (direct, direct without
  loss, nlptk with an empty cache, nlptk cached; then again), and reports the median wall and
  CPU seconds (each round's figures beside them). Ratios are of the medians; each round's own
  wall-time ratios are listed too (``ratio_cold_rounds``, ``ratio_cached_rounds``).
* The benchmark checks that nlptk's cached tokens file and the direct baseline's file are
  byte-identical, so both train on the same tokens.
* CPU seconds (user + system) of every process are reported beside wall times, with their
  ratios: on a machine shared with other jobs they are much steadier than wall times.
* Quality: WordSim353 Spearman and Google-analogy accuracy of every result
  (:func:`nlptk.vectors.evaluate.evaluate_vectors`, files shipped with gensim).

Prints one JSON object. The machine may be shared: ratios measured side by side are what count.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DIRECT_WORD2VEC = r"""
import json, resource, sys, time
from gensim.models import Word2Vec
p = json.loads(sys.argv[1])
t0 = time.perf_counter()
model = Word2Vec(corpus_file=p["tokens"], vector_size=p["dim"], window=p["window"], min_count=p["min_count"],
                 sg=p["sg"], workers=p["workers"], epochs=p["epochs"], seed=1,
                 compute_loss=p.get("compute_loss", True))
t1 = time.perf_counter()
model.wv.save(p["out"] + "/vectors.kv")
t2 = time.perf_counter()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"train_s": t1 - t0, "save_s": t2 - t1, "words": model.corpus_total_words,
                  "vocab": len(model.wv), "peak_mb": peak_mb}))
"""

DIRECT_FASTTEXT = r"""
import json, resource, sys, time
import fasttext
p = json.loads(sys.argv[1])
t0 = time.perf_counter()
model = fasttext.train_unsupervised(input=p["tokens"], model="skipgram", dim=p["dim"], ws=p["window"],
                                    epoch=p["epochs"], minCount=p["min_count"], thread=p["workers"],
                                    verbose=0)
t1 = time.perf_counter()
model.save_model(p["out"] + "/model.bin")
t2 = time.perf_counter()
words, freqs = model.get_words(include_freq=True)
print(json.dumps({"train_s": t1 - t0, "save_s": t2 - t1, "words": int(freqs.sum()), "vocab": len(words),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def cut_line(raw: bytes, line_chars: int) -> list[bytes]:
    """``raw`` (one line) cut at spaces into lines of at most ``line_chars`` characters.

    A word longer than ``line_chars`` is cut where the limit falls. The spaces at the cuts are
    dropped, so the tokens stay the same.
    """
    text = raw.rstrip(b"\r\n").strip(b" ")
    pieces: list[bytes] = []
    start = 0
    while len(text) - start > line_chars:
        cut = text.rfind(b" ", start, start + line_chars + 1)
        end = cut if cut > start else start + line_chars
        pieces.append(text[start:end] + b"\n")
        start = end + 1 if cut > start else end
    if start < len(text):
        pieces.append(text[start:] + b"\n")
    return pieces


def prepare_corpus(
    source: Path, target: Path, keep_doc_lines: bool, max_bytes: int | None, line_chars: int | None = None
) -> dict[str, Any]:
    """Write the prose of ``source`` (maybe compressed) to ``target``, uncompressed.

    ``line_chars`` cuts every line at spaces into lines of at most that many characters (text8
    is one 100 MB line; issue 17's small-corpus case cuts it into 2000-character documents).
    """
    from nlptk.io import open_binary

    lines = dropped = 0
    with open_binary(source) as src, open(target, "wb") as out:
        for raw in src:
            if not keep_doc_lines and (raw.startswith(b"<doc ") or raw.rstrip(b"\r\n") == b"</doc>"):
                dropped += 1
                continue
            for piece in cut_line(raw, line_chars) if line_chars else [raw]:
                out.write(piece)
                lines += 1
                if max_bytes is not None and out.tell() >= max_bytes:
                    break
            if max_bytes is not None and out.tell() >= max_bytes:
                break
    return {"lines": lines, "wrapper_lines_dropped": dropped, "bytes": target.stat().st_size}


def prepare_direct_tokens(corpus: Path, target: Path) -> tuple[float, float]:
    """What a user writes by hand: the same tokenizer, one process, one line per document.

    Returns wall and CPU seconds.
    """
    from nlptk.text.tokenize import RegexTokenizer

    tokenize = RegexTokenizer()
    cpu_start = time.process_time()
    start = time.perf_counter()
    with open(corpus, encoding="utf-8", newline="\n") as src, open(target, "w", encoding="utf-8") as out:
        for line in src:
            tokens = tokenize(line)
            if tokens:
                out.write(" ".join(tokens) + "\n")
    return time.perf_counter() - start, time.process_time() - cpu_start


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; return its wall seconds, its CPU seconds (user + system) and its stdout.

    CPU seconds suffer far less than wall time from other jobs on a shared machine.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return seconds, cpu, proc.stdout


def evaluate(vectors: Any) -> dict[str, Any]:
    from nlptk.vectors.evaluate import evaluate_vectors

    report = evaluate_vectors(vectors, simlex=False)
    ws, an = report["wordsim"], report["analogies"]
    return {
        "wordsim353_spearman": None if ws["spearman"] is None else round(ws["spearman"], 4),
        "wordsim353_coverage": round(ws["coverage"], 4),
        "analogy_accuracy": None if an["accuracy"] is None else round(an["accuracy"], 4),
        "analogy_coverage": round(an["coverage"], 4),
    }


def _median_entry(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The last round's details with the median wall and CPU seconds over all rounds."""
    entry = dict(rounds[-1])
    for key in ("wall_s", "cpu_s"):
        values = [r[key] for r in rounds]
        entry[key] = round(statistics.median(values), 2)
        if len(rounds) > 1:
            entry[f"{key}_rounds"] = values
    return entry


def run_method(method: str, args: argparse.Namespace, work: Path, corpus: Path, direct_tokens: Path) -> dict:
    from gensim.models import KeyedVectors

    from nlptk.vectors import Vectors
    from nlptk.vectors.formats import load_vectors

    epochs = args.ft_epochs if method == "fasttext" and args.ft_epochs else args.epochs
    params = {
        "dim": args.dim,
        "window": args.window,
        "min_count": args.min_count,
        "workers": args.workers,
        "epochs": epochs,
        "sg": int(args.sg),
        "tokens": str(direct_tokens),
    }
    env = {**os.environ, "NLPTK_CACHE": str(work / f"cache-{method}"), "PYTHONHASHSEED": "0"}
    result: dict[str, Any] = {"epochs": epochs, "rounds": args.rounds}
    script = DIRECT_WORD2VEC if method == "word2vec" else DIRECT_FASTTEXT
    out_direct = work / f"direct-{method}"
    cmd = [sys.executable, "-m", "nlptk", "-q", "embed", "train", str(corpus), "--method", method,
           "--dim", str(args.dim), "--window", str(args.window), "--min-count", str(args.min_count),
           "--workers", str(args.workers), "--epochs", str(epochs), "--no-progress", "--force"]  # fmt: skip
    cmd += ["--sg" if args.sg else "--cbow"] if method == "word2vec" else []
    runs: dict[str, list[dict[str, Any]]] = {
        "direct": [],
        "direct_without_loss": [],
        "cold": [],
        "cached": [],
    }
    for _ in range(args.rounds):  # interleaved: each round runs every variant once, in the same order
        shutil.rmtree(env["NLPTK_CACHE"], ignore_errors=True)
        shutil.rmtree(out_direct, ignore_errors=True)
        out_direct.mkdir()
        seconds, cpu, stdout = timed(
            [sys.executable, "-c", script, json.dumps({**params, "out": str(out_direct)})], env
        )
        info = json.loads(stdout.strip().splitlines()[-1])
        runs["direct"].append({
            "wall_s": round(seconds, 2),
            "cpu_s": round(cpu, 2),
            "train_s": round(info["train_s"], 2),
            "words_per_s": round(info["words"] * epochs / info["train_s"]),
            "vocab": info["vocab"],
            "peak_memory_mb": round(info["peak_mb"]),
        })  # fmt: skip

        if method == "word2vec":  # the same call without gensim's loss bookkeeping, for reference
            out_nl = work / f"direct-{method}-noloss"
            shutil.rmtree(out_nl, ignore_errors=True)
            out_nl.mkdir()
            seconds_nl, cpu_nl, _ = timed(
                [
                    sys.executable,
                    "-c",
                    script,
                    json.dumps({**params, "out": str(out_nl), "compute_loss": False}),
                ],
                env,
            )
            runs["direct_without_loss"].append({"wall_s": round(seconds_nl, 2), "cpu_s": round(cpu_nl, 2)})

        for run in ("cold", "cached"):  # nlptk, empty tokens cache then cached
            out = work / f"nlptk-{method}-{run}"
            shutil.rmtree(out, ignore_errors=True)
            seconds, cpu, _ = timed([*cmd, "--out", str(out)], env)
            meta = json.loads((out / "meta.json").read_text())["meta"]
            runs[run].append({
                "wall_s": round(seconds, 2),
                "cpu_s": round(cpu, 2),
                "tokenize_s": meta["timings"]["tokenize"],
                "train_s": meta["timings"]["train"],
                "write_s": meta["timings"].get("write"),
                "tokens_cache_reused": meta["corpus"]["tokens_cache_reused"],
                "tokens_per_s": meta["corpus"]["tokens_per_s"],
                "words_per_s": round(meta["corpus"]["tokens"] * epochs / meta["timings"]["train"]),
                "vocab": meta["vocab_size"],
                "peak_memory_mb": round(meta["peak_memory_mb"]),
            })  # fmt: skip
            if run == "cold":
                cached_file = Path(meta["corpus"]["tokens_file"])
                result["same_tokens_as_direct"] = sha256(cached_file) == sha256(direct_tokens)
    result["direct"] = _median_entry(runs["direct"])
    if runs["direct_without_loss"]:
        result["direct_without_loss"] = _median_entry(runs["direct_without_loss"])
    for run in ("cold", "cached"):
        result[f"nlptk_{run}"] = _median_entry(runs[run])
    direct = result["direct"]["wall_s"]
    result["ratio_cold"] = round(result["nlptk_cold"]["wall_s"] / direct, 3)
    result["ratio_cold_vs_direct_including_its_tokenization"] = round(
        result["nlptk_cold"]["wall_s"] / (direct + args.prepare_s), 3
    )
    result["ratio_cached"] = round(result["nlptk_cached"]["wall_s"] / direct, 3)
    if args.rounds > 1:  # each round's own ratios: nlptk against the direct run just before it
        for run in ("cold", "cached"):
            pairs = zip(runs[run], runs["direct"], strict=True)
            result[f"ratio_{run}_rounds"] = [round(n["wall_s"] / d["wall_s"], 3) for n, d in pairs]
    direct_cpu = result["direct"]["cpu_s"]
    result["cpu_ratio_cold"] = round(result["nlptk_cold"]["cpu_s"] / direct_cpu, 3)
    result["cpu_ratio_cold_vs_direct_including_its_tokenization"] = round(
        result["nlptk_cold"]["cpu_s"] / (direct_cpu + args.prepare_cpu_s), 3
    )
    result["cpu_ratio_cached"] = round(result["nlptk_cached"]["cpu_s"] / direct_cpu, 3)
    if "direct_without_loss" in result:
        result["ratio_cached_vs_direct_without_loss"] = round(
            result["nlptk_cached"]["wall_s"] / result["direct_without_loss"]["wall_s"], 3
        )
    if not args.no_eval:  # quality
        if method == "word2vec":
            direct_vectors = Vectors.from_gensim(KeyedVectors.load(str(out_direct / "vectors.kv")))
        else:
            direct_vectors = load_vectors(out_direct / "model.bin", format="fasttext-bin")
        result["direct"].update(evaluate(direct_vectors))
        del direct_vectors
        for run in ("cold", "cached"):
            result[f"nlptk_{run}"].update(evaluate(load_vectors(work / f"nlptk-{method}-{run}")))
    if not args.keep:
        for path in work.glob(f"*-{method}*"):
            shutil.rmtree(path, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--ft-epochs", type=int, default=None, help="fastText epochs (default: --epochs)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument(
        "--sg", action="store_true", help="word2vec skip-gram (default CBOW, gensim's default)"
    )
    parser.add_argument("--methods", default="word2vec,fasttext")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep-doc-lines", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the trained outputs")
    parser.add_argument("--no-eval", action="store_true", help="skip the quality evaluation")
    parser.add_argument("--max-bytes", type=int, default=None, help="use only the first N bytes of prose")
    parser.add_argument(
        "--line-chars",
        type=int,
        default=None,
        help="cut lines at spaces into documents of at most N characters",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="interleaved rounds of every variant; medians are reported"
    )
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="nlptk-bench-embed-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus.txt"
    corpus_info = prepare_corpus(args.corpus, corpus, args.keep_doc_lines, args.max_bytes, args.line_chars)
    direct_tokens = work / "direct_tokens.txt"
    args.prepare_s, args.prepare_cpu_s = prepare_direct_tokens(corpus, direct_tokens)
    with open(direct_tokens, encoding="utf-8") as fh:
        n_tokens = sum(len(line.split()) for line in fh)
    report: dict[str, Any] = {
        "corpus": {"source": str(args.corpus), **corpus_info, "tokens": n_tokens},
        "params": {
            k: getattr(args, k)
            for k in ("dim", "epochs", "ft_epochs", "workers", "min_count", "window", "line_chars", "rounds")
        }
        | {"sg": args.sg, "tokenizer": "regex (nlptk default)"},
        "direct_prepare_s": round(args.prepare_s, 2),
        "direct_prepare_cpu_s": round(args.prepare_cpu_s, 2),
        "direct_prepare_tokens_per_s": round(n_tokens / args.prepare_s),
        "cpu_count": os.cpu_count(),
        "threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS")},
        "note": "machine shared with other jobs; wall times of whole processes; ratios = nlptk / direct",
    }
    for method in args.methods.split(","):
        report[method] = run_method(method, args, work, corpus, direct_tokens)
        print(json.dumps({method: report[method]}), file=sys.stderr, flush=True)
    if args.workdir is None and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
