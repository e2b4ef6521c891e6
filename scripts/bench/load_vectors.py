"""Benchmark: loading word vectors with nlptk against gensim, and nearest-neighbour queries.

Writes a synthetic word2vec text file (``--words`` x ``--dim``, standard-normal values
printed with 6 decimals, as real files are) and its binary twin in a temporary folder, then
times side by side in one run:

* text: gensim ``KeyedVectors.load_word2vec_format`` vs ``nlptk.vectors.load_vectors``;
* binary: the same with ``binary=True`` vs nlptk's binary reader;
* native: nlptk's folder (``vectors.npy`` memory-mapped) opened, then one word looked up
  (the lookup builds the word index); gensim's ``KeyedVectors.load(mmap="r")`` of a
  ``.kv`` beside it for reference;
* ``most_similar`` (topn=10) for ``--queries`` words: gensim's ``KeyedVectors`` vs nlptk's
  ``Vectors`` (which delegates to gensim on the shared matrix), norms computed within.

Each load runs in its own fresh Python process so that peak memory is honest: after the
imports the child resets the kernel's peak-RSS mark (``/proc/self/clear_refs``), loads,
and reports the peak resident memory (``VmHWM``) minus the resident memory before the
load: the load's own peak cost, with the matrix itself included. The
matrices that gensim and nlptk read are compared through a checksum of words and values.

Prints one JSON object with wall times (seconds), CPU times of the measuring process
(``cpu_seconds``: less disturbed than wall time on a busy machine), ratios (gensim time / nlptk time: above 1
means nlptk is faster) and peak memory (MiB). Targets: text load >= 2x faster than
gensim; native open < 100 ms.

Usage::

    nice python scripts/bench/load_vectors.py                       # 400,000 x 300
    python scripts/bench/load_vectors.py --words 20000 --dim 100     # quick
    python scripts/bench/load_vectors.py --parts native --repeats 5  # native open only
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHILD = r"""
import json, resource, sys, time, hashlib
import numpy as np
from gensim.models import KeyedVectors
import nlptk.vectors as nv

def status_mib(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")

def rss_mib():
    try:  # reset the peak (VmHWM) to the current RSS, so the peak below is the load's own
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        reset = True
    except OSError:
        reset = False
    return status_mib("VmRSS"), reset

def checksum(words, matrix):
    h = hashlib.sha1("\n".join(words).encode()).hexdigest()[:12]
    return f"{h}:{float(matrix.sum(dtype=np.float64)):.6e}"  # no float64 copy

def peak_mib():
    if peak_was_reset:
        return status_mib("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

task, path, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
out = {}
before, peak_was_reset = rss_mib()
t0, c0 = time.perf_counter(), time.process_time()
if task == "gensim_text":
    kv = KeyedVectors.load_word2vec_format(path)
    out["seconds"] = time.perf_counter() - t0
    out["peak"] = peak_mib()
    out["checksum"] = checksum(kv.index_to_key, kv.vectors)
elif task == "gensim_binary":
    kv = KeyedVectors.load_word2vec_format(path, binary=True)
    out["seconds"] = time.perf_counter() - t0
    out["peak"] = peak_mib()
    out["checksum"] = checksum(kv.index_to_key, kv.vectors)
elif task in ("nlptk_text", "nlptk_binary"):
    v = nv.load_vectors(path)
    out["seconds"] = time.perf_counter() - t0
    out["peak"] = peak_mib()
    out["checksum"] = checksum(v.words, v.vectors)
elif task == "nlptk_native":
    v = nv.load_vectors(path)
    out["open_seconds"], out["open_cpu_seconds"] = time.perf_counter() - t0, time.process_time() - c0
    _ = v[extra[0]]
    out["seconds"], out["cpu_seconds"] = time.perf_counter() - t0, time.process_time() - c0
    out["is_memmap"] = isinstance(v.vectors, np.memmap)
elif task == "gensim_kv_mmap":
    kv = KeyedVectors.load(path, mmap="r")
    out["open_seconds"], out["open_cpu_seconds"] = time.perf_counter() - t0, time.process_time() - c0
    _ = kv[extra[0]]
    out["seconds"], out["cpu_seconds"] = time.perf_counter() - t0, time.process_time() - c0
elif task == "most_similar":
    words = json.loads(extra[0])
    kv = KeyedVectors.load(extra[1])
    v = nv.load_vectors(path)
    t = time.perf_counter()
    g = [kv.most_similar(w, topn=10) for w in words]
    out["gensim_seconds"] = time.perf_counter() - t
    t = time.perf_counter()
    n = [v.most_similar(w, topn=10) for w in words]
    out["nlptk_seconds"] = time.perf_counter() - t
    in_memory = nv.Vectors(v.words, np.array(v.vectors))
    t = time.perf_counter()
    m = [in_memory.most_similar(w, topn=10) for w in words]
    out["nlptk_in_memory_seconds"] = time.perf_counter() - t
    out["same_neighbours"] = all(
        [a for a, _ in x] == [b for b, _ in y] == [c for c, _ in z] for x, y, z in zip(g, n, m)
    )
    out["seconds"] = out["nlptk_seconds"]
out.setdefault("cpu_seconds", time.process_time() - c0)
out["rss_before_mib"] = round(before, 1)
peak = out.pop("peak", None) or peak_mib()
out["peak_rss_mib"] = round(peak, 1)
out["peak_was_reset"] = peak_was_reset
out["peak_extra_mib"] = round(out["peak_rss_mib"] - before, 1)
print(json.dumps(out))
"""


def run_child(*args: str) -> dict:
    """Run one measurement in a fresh interpreter and return its JSON line."""
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"measurement {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def best_of(repeats: int, *args: str) -> dict:
    """Run a measurement ``repeats`` times; keep the fastest run (least disturbed by others)."""
    runs = [run_child(*args) for _ in range(repeats)]
    return min(runs, key=lambda r: r["seconds"])


def write_files(folder: Path, n_words: int, dim: int, seed: int, *, text: bool = True) -> tuple[Path, Path]:
    """Write ``vectors.txt`` (word2vec text, unless ``text`` is false) and ``vectors.bin`` (its twin)."""
    rng = np.random.default_rng(seed)
    text_path, bin_path = folder / "vectors.txt", folder / "vectors.bin"
    template = " ".join(["%.6f"] * dim)
    with contextlib.ExitStack() as stack:
        binary = stack.enter_context(open(bin_path, "wb"))
        text_out = stack.enter_context(open(text_path, "wb")) if text else None
        header = f"{n_words} {dim}\n".encode()
        binary.write(header)
        if text_out:
            text_out.write(header)
        step = 5000
        for start in range(0, n_words, step):
            rows = rng.standard_normal((min(step, n_words - start), dim)).astype(np.float32)
            # round as the text holds them, so both files carry the same float32 values
            rows = np.round(rows.astype(np.float64), 6).astype(np.float32)
            words = [f"w{start + i}" for i in range(len(rows))]
            if text_out:
                lines = (f"{w} {template % tuple(r)}\n" for w, r in zip(words, rows.tolist(), strict=True))
                text_out.write("".join(lines).encode())
            binary.write(b"".join(w.encode() + b" " + r.tobytes() for w, r in zip(words, rows, strict=True)))
    return text_path, bin_path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=1, help="Runs per load; the fastest is kept.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="Folder for the files (default: a temp dir)."
    )
    parser.add_argument(
        "--parts",
        default="text,binary,native,similar",
        help="Comma-separated measurements to run: text, binary, native, similar.",
    )
    args = parser.parse_args(argv)

    import gensim

    import nlptk
    from nlptk.vectors import load_vectors, save_vectors

    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - {"text", "binary", "native", "similar"}
    if unknown:
        parser.error(f"unknown parts: {sorted(unknown)}")
    folder = Path(tempfile.mkdtemp(prefix="nlptk_bench_vectors_", dir=args.workdir))
    r: dict[str, dict] = {}
    similar: dict | None = None
    try:
        t = time.perf_counter()
        text_path, bin_path = write_files(folder, args.words, args.dim, args.seed, text="text" in parts)
        write_seconds = time.perf_counter() - t
        native_path, kv_path = folder / "native", folder / "vectors.kv"
        vectors = load_vectors(bin_path)
        save_vectors(vectors, native_path, "native")
        vectors.to_gensim().save(str(kv_path))
        del vectors
        lookup_word = f"w{args.words // 2}"
        rng = np.random.default_rng(args.seed + 1)
        queries = [f"w{i}" for i in rng.choice(args.words, size=min(args.queries, args.words), replace=False)]
        reps = args.repeats
        if "text" in parts:
            r["gensim_text"] = best_of(reps, "gensim_text", str(text_path))
            r["nlptk_text"] = best_of(reps, "nlptk_text", str(text_path))
        if "binary" in parts:
            r["gensim_binary"] = best_of(reps, "gensim_binary", str(bin_path))
            r["nlptk_binary"] = best_of(reps, "nlptk_binary", str(bin_path))
        if "native" in parts:
            r["nlptk_native"] = best_of(max(reps, 3), "nlptk_native", str(native_path), lookup_word)
            r["gensim_kv_mmap"] = best_of(max(reps, 3), "gensim_kv_mmap", str(kv_path), lookup_word)
        if "similar" in parts:
            similar = run_child("most_similar", str(native_path), json.dumps(queries), str(kv_path))
        sizes = {
            name: round(sum(f.stat().st_size for f in ([p] if p.is_file() else p.iterdir())) / 2**20, 1)
            for name, p in (("text_mib", text_path), ("binary_mib", bin_path), ("native_mib", native_path))
            if p.exists()
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    def ratio(a: float, b: float) -> float:
        return round(a / b, 2) if b else float("inf")

    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    ratios: dict[str, float] = {}
    targets: dict[str, bool] = {}
    same_values: dict[str, bool] = {}
    for kind in ("text", "binary"):
        if f"nlptk_{kind}" in r:
            g, n = r[f"gensim_{kind}"], r[f"nlptk_{kind}"]
            seconds[f"gensim_{kind}"] = round(g["seconds"], 3)
            seconds[f"nlptk_{kind}"] = round(n["seconds"], 3)
            cpu_seconds[f"gensim_{kind}"] = round(g["cpu_seconds"], 3)
            cpu_seconds[f"nlptk_{kind}"] = round(n["cpu_seconds"], 3)
            ratios[f"{kind}_load"] = ratio(g["seconds"], n["seconds"])
            same_values[kind] = g["checksum"] == n["checksum"]
    if "text" in parts:
        targets["text_load_at_least_2x"] = ratios["text_load"] >= 2
    if "nlptk_native" in r:
        native, kvm = r["nlptk_native"], r["gensim_kv_mmap"]
        seconds.update(
            nlptk_native_open=round(native["open_seconds"], 4),
            nlptk_native_open_and_lookup=round(native["seconds"], 4),
            gensim_kv_mmap_open=round(kvm["open_seconds"], 4),
            gensim_kv_mmap_open_and_lookup=round(kvm["seconds"], 4),
        )
        cpu_seconds["nlptk_native_open"] = round(native["open_cpu_seconds"], 4)
        cpu_seconds["nlptk_native_open_and_lookup"] = round(native["cpu_seconds"], 4)
        cpu_seconds["gensim_kv_mmap_open"] = round(kvm["open_cpu_seconds"], 4)
        cpu_seconds["gensim_kv_mmap_open_and_lookup"] = round(kvm["cpu_seconds"], 4)
        targets["native_open_cpu_under_100ms"] = native["open_cpu_seconds"] < 0.1
        targets["native_open_under_100ms"] = native["open_seconds"] < 0.1
        targets["native_open_and_lookup_under_100ms"] = native["seconds"] < 0.1
    if similar is not None:
        seconds.update(
            gensim_most_similar=round(similar["gensim_seconds"], 3),
            nlptk_most_similar_native_memmap=round(similar["nlptk_seconds"], 3),
            nlptk_most_similar_in_memory=round(similar["nlptk_in_memory_seconds"], 3),
        )
        ratios["most_similar_memmap"] = ratio(similar["gensim_seconds"], similar["nlptk_seconds"])
        ratios["most_similar_in_memory"] = ratio(
            similar["gensim_seconds"], similar["nlptk_in_memory_seconds"]
        )
    any_run = next(iter(r.values()), None)
    report = {
        "benchmark": "load_vectors",
        "words": args.words,
        "dim": args.dim,
        "queries": len(queries),
        "parts": sorted(parts),
        "files": sizes,
        "write_synthetic_seconds": round(write_seconds, 1),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "ratios_gensim_over_nlptk": ratios,
        "peak_extra_memory_mib": {name: run["peak_extra_mib"] for name, run in r.items()},
        "peak_rss_mib": {name: run["peak_rss_mib"] for name, run in r.items()},
        "same_values": same_values,
        "same_neighbours": None if similar is None else similar["same_neighbours"],
        "native_is_memmap": r["nlptk_native"]["is_memmap"] if "nlptk_native" in r else None,
        "targets": targets,
        "memory_method": (
            "a fresh process per measurement; peak resident memory (VmHWM, reset after the imports "
            "through /proc/self/clear_refs) minus the resident memory before the load"
            + ("" if any_run is None or any_run["peak_was_reset"] else "; reset unavailable: ru_maxrss used")
        ),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "versions": {
            "nlptk": nlptk.__version__,
            "gensim": gensim.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "cpu_count": os.cpu_count(),
        "note": "shared machine: other jobs ran at the same time; compare the ratios",
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
