"""Benchmark: nlptk's Embedding Projector export against a straightforward ``numpy.savetxt``.

Side by side in one run, on the same random float32 matrix (normal, sd 0.3: the value range
of trained embeddings) and synthetic words:

* ``nlptk``: :func:`nlptk.export.projector.export_projector` - the whole export folder
  (``vectors.tsv``, ``metadata.tsv``, both configs, row-count check, atomic rename), with
  the default single formatting thread; and ``nlptk_2_threads`` with two;
* ``savetxt_g6``: ``numpy.savetxt(vectors.tsv, fmt="%.6g", delimiter="\\t")`` plus the words
  written one per line - the same bytes nlptk writes (checked);
* ``savetxt_default``: ``numpy.savetxt(vectors.tsv, delimiter="\\t")`` with NumPy's default
  ``%.18e`` format, what a first attempt writes (2.5x larger files); skipped with ``--quick``.

Variants run in ``--repeat`` rounds (default 3) with the order rotated each round; the best
time of each is compared (every round's time is printed too). Prints one JSON object:
seconds per variant, file sizes, and ratios (baseline / nlptk, so above 1 means nlptk is
faster).

Usage::

    nice python scripts/bench/export_projector.py                    # 400,000 x 300
    python scripts/bench/export_projector.py --words 20000 --dim 100 --quick
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--words", type=int, default=400_000, help="rows (default 400000)")
    parser.add_argument("--dim", type=int, default=300, help="columns (default 300)")
    parser.add_argument("--tmp", type=Path, default=None, help="scratch folder (default: a temp folder)")
    parser.add_argument("--quick", action="store_true", help="skip the slow %.18e baseline")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="rounds (order rotated; best reported)")
    args = parser.parse_args(argv)

    from nlptk.export import tsv
    from nlptk.export.projector import export_projector
    from nlptk.vectors.container import Vectors

    rng = np.random.default_rng(args.seed)
    matrix = (rng.standard_normal((args.words, args.dim), dtype=np.float32) * 0.3).astype(np.float32)
    words = [f"word{i}" for i in range(args.words)]
    vectors = Vectors(words, matrix, counts=np.arange(args.words, 0, -1))
    scratch = Path(tempfile.mkdtemp(prefix="nlptk-bench-projector-", dir=args.tmp))
    times: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}

    def nlptk_export(threads: int):  # type: ignore[no-untyped-def]
        def run(out: Path) -> None:
            saved = tsv.DEFAULT_THREADS
            tsv.DEFAULT_THREADS = threads
            try:
                export_projector(vectors, out)
            finally:
                tsv.DEFAULT_THREADS = saved

        return run

    def savetxt(fmt: str):  # type: ignore[no-untyped-def]
        def run(out: Path) -> None:
            out.mkdir()
            np.savetxt(out / "vectors.tsv", matrix, fmt=fmt, delimiter="\t")
            (out / "metadata.tsv").write_text("\n".join(words) + "\n", encoding="utf-8")

        return run

    variants = {"nlptk": nlptk_export(1), "nlptk_2_threads": nlptk_export(2), "savetxt_g6": savetxt("%.6g")}
    identical = None
    try:
        # the digit tables are built once per process (reported apart, added to nlptk's ratio below)
        times["nlptk_table_build"] = [_timed(tsv._tables)]
        names = list(variants)
        for round_ in range(args.repeat):
            order = names[round_ % len(names) :] + names[: round_ % len(names)]  # rotate the order
            for name in order:
                out = scratch / name
                times.setdefault(name, []).append(_timed(lambda: variants[name](out)))  # noqa: B023
                sizes[name] = (out / "vectors.tsv").stat().st_size
                if identical is None and (scratch / "nlptk").exists() and (scratch / "savetxt_g6").exists():
                    identical = all(
                        filecmp.cmp(scratch / "nlptk" / f, scratch / "savetxt_g6" / f, shallow=False)
                        for f in ("vectors.tsv", "metadata.tsv")
                    )
                if name != "nlptk" or identical is not None:
                    shutil.rmtree(out)
                if identical is not None and (scratch / "nlptk").exists():
                    shutil.rmtree(scratch / "nlptk")
        if not args.quick:
            out = scratch / "savetxt_default"
            times["savetxt_default"] = [_timed(lambda: savetxt("%.18e")(out))]
            sizes["savetxt_default"] = (out / "vectors.tsv").stat().st_size
            shutil.rmtree(out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results = {name: min(values) for name, values in times.items()}

    report = {
        "benchmark": "export_projector",
        "shape": [args.words, args.dim],
        "seconds_best": {k: round(v, 3) for k, v in results.items()},
        "seconds_each_round": {k: [round(x, 2) for x in v] for k, v in times.items()},
        "repeat": args.repeat,
        "vectors_tsv_bytes": sizes,
        "identical_output_to_savetxt_g6": identical,
        "ratio_savetxt_g6_over_nlptk": round(results["savetxt_g6"] / results["nlptk"], 2),
        "ratio_savetxt_g6_over_nlptk_incl_table_build": round(
            results["savetxt_g6"] / (results["nlptk"] + results["nlptk_table_build"]), 2
        ),
        "ratio_savetxt_g6_over_nlptk_2_threads": round(results["savetxt_g6"] / results["nlptk_2_threads"], 2),
        "values_per_s_nlptk": round(args.words * args.dim / results["nlptk"]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "load_average": [round(x, 1) for x in os.getloadavg()],
        },
        "note": "shared machine; compare ratios (measured side by side), not absolute seconds",
    }
    if "savetxt_default" in results:
        report["ratio_savetxt_default_over_nlptk"] = round(results["savetxt_default"] / results["nlptk"], 2)
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
