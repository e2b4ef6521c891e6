"""Benchmark: doc-doc similarity through nlptk's spaCy bridge vs the NumPy floor; spaCy export.

Texts come from a file (one per line; ``--strip-label`` drops a leading label field, as in
SST-2's ``stsa.binary.train``). The vectors are synthetic (standard normal, seeded):
every lowercased token of the texts plus filler words up to ``--words`` rows, ``--dim``
wide. Similarity values do not matter here, only the work; the coverage is 100%.

Timed side by side in one run, scoring the pairs (text i, text i+1) of ``--docs`` texts:

* ``spacy_tokenize``: ``nlp.tokenizer.pipe`` alone (what any spaCy route pays first);
* ``bridge_end_to_end``: ``nlp.pipe`` (tokenizer + the ``nlptk_vectors`` component) and
  ``doc.similarity`` through the user hooks, per pair;
* ``bridge_similarity``: ``doc.similarity`` through the hooks on already parsed docs;
* ``bridge_score_pairs``: ``nlptk.similarity.score_pairs`` on parsed docs (vectorised:
  one lookup per doc, one normalise, one row-wise dot);
* ``spacy_native``: spaCy's own ``Doc.similarity`` (no hooks, the "zero" policy) on parsed
  docs with the same vectors in the vocab: what a spaCy user gets without nlptk;
* ``numpy_floor``: the same computation straight in NumPy from the token strings of the
  parsed docs: dict lookup of rows, ``matrix[rows].mean(0)``, cosine per pair;
* ``numpy_floor_vectorised``: precomputed row arrays, averaged with ``np.add.reduceat``,
  normalised, one row-wise dot: the physical floor of the similarity step.

Rates are documents per second (a pair scores two documents). Ratios are
``floor rate / nlptk rate`` (the overhead factor: 1.0 means at the floor).

Export: ``--export-words`` x ``--export-dim`` synthetic vectors written with
``nlptk.similarity.export_spacy`` vs the spaCy code a user would write by hand
(``spacy.blank`` + ``Vectors(data=..., keys=...)`` + ``nlp.to_disk``), then opened with
``spacy.load``; ``--prune N`` adds an export with pruning.

Usage::

    nice python scripts/bench/similarity.py /work/shared/data/classification/sst2/stsa.binary.train \\
        --strip-label
    python scripts/bench/similarity.py texts.txt --docs 500 --export-words 20000    # quick
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np


def _best(run, repeat: int, setup=None):  # type: ignore[no-untyped-def]
    """Fastest of ``repeat`` runs (``setup()`` output is passed to ``run`` and not timed)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        arg = setup() if setup is not None else None
        start = time.perf_counter()
        out = run(arg) if setup is not None else run()
        best = min(best, time.perf_counter() - start)
    return best, out


def _read_texts(path: Path, n: int, strip_label: bool) -> list[str]:
    texts = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if strip_label and " " in line:
                line = line.split(" ", 1)[1]
            if line:
                texts.append(line)
            if len(texts) >= n:
                break
    if len(texts) < 2:
        sys.exit(f"need at least 2 texts in {path}")
    return texts


def _synthetic_vectors(words: list[str], n_words: int, dim: int, seed: int):  # type: ignore[no-untyped-def]
    from nlptk.vectors.container import Vectors

    vocab = list(dict.fromkeys(words))
    vocab += [f"filler{i}" for i in range(max(0, n_words - len(vocab)))]
    rng = np.random.default_rng(seed)
    return Vectors(vocab, rng.standard_normal((len(vocab), dim), dtype=np.float32))


def bench_similarity(texts: list[str], args: argparse.Namespace) -> dict:
    import scipy.sparse as sp
    import spacy

    from nlptk.similarity import score_pairs, use_vectors

    tokenizer_nlp = spacy.blank("en")
    lowered = [t.lower_ for doc in tokenizer_nlp.tokenizer.pipe(texts) for t in doc if not t.is_space]
    vectors = _synthetic_vectors(lowered, args.words, args.dim, args.seed)
    nlp = use_vectors(vectors, "en", oov="skip")
    n_docs, repeat = len(texts), args.repeat
    pairs = [(i, i + 1) for i in range(n_docs - 1)]
    scored_docs = 2 * len(pairs)
    seconds: dict[str, float] = {}

    def parsed() -> list:  # fresh docs each time: the bridge caches vectors per doc
        return list(nlp.pipe(texts))

    def tokenized() -> list:  # nlp's vocab (with the vectors), no component: spaCy's own path
        return list(nlp.tokenizer.pipe(texts))

    list(nlp.pipe(texts[:100]))  # warm up lexemes and the key table
    seconds["spacy_tokenize"], _ = _best(tokenized, repeat)

    def end_to_end() -> list[float]:
        docs = parsed()
        return [docs[i].similarity(docs[j]) for i, j in pairs]

    seconds["bridge_end_to_end"], sims_e2e = _best(end_to_end, repeat)
    seconds["bridge_similarity"], sims_hook = _best(
        lambda docs: [docs[i].similarity(docs[j]) for i, j in pairs], repeat, parsed
    )
    seconds["bridge_score_pairs"], res_pairs = _best(
        lambda docs: score_pairs([(docs[i], docs[j]) for i, j in pairs], nlp), repeat, parsed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seconds["spacy_native"], sims_native = _best(
            lambda docs: [docs[i].similarity(docs[j]) for i, j in pairs], repeat, tokenized
        )

    token_lists = [[t.lower_ for t in doc if not t.is_space] for doc in tokenized()]
    index = vectors.key_to_index
    matrix = np.asarray(vectors.vectors)

    def floor_loop() -> list[float]:
        means = []
        for tokens in token_lists:
            rows = [index[w] for w in tokens if w in index]
            means.append(matrix[rows].mean(axis=0))
        out = []
        for i, j in pairs:
            a, b = means[i], means[j]
            out.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))))
        return out

    def floor_sparse() -> np.ndarray:
        rows = [[index[w] for w in tokens if w in index] for tokens in token_lists]
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        flat = np.fromiter((r for rs in rows for r in rs), dtype=np.int64, count=int(indptr[-1]))
        bag = sp.csr_matrix((np.ones(len(flat), np.float32), flat, indptr), shape=(len(rows), len(matrix)))
        sums = np.asarray(bag @ matrix)
        unit = sums / np.linalg.norm(sums, axis=1, keepdims=True)
        left = np.arange(len(pairs))
        return np.einsum("ij,ij->i", unit[left], unit[left + 1])

    seconds["numpy_floor_loop"], sims_floor = _best(floor_loop, repeat)
    seconds["numpy_floor_sparse"], sims_sparse = _best(floor_sparse, repeat)
    floor = min(seconds["numpy_floor_loop"], seconds["numpy_floor_sparse"])
    rates = {k: scored_docs / v for k, v in seconds.items()}
    rates["spacy_tokenize"] = n_docs / seconds["spacy_tokenize"]

    scores_pairs = np.array([r.score for r in res_pairs], dtype=np.float64)
    reference = np.array(sims_floor)
    agree = {
        "bridge_vs_floor_max_abs_diff": float(np.max(np.abs(np.array(sims_hook) - reference))),
        "score_pairs_vs_floor_max_abs_diff": float(np.max(np.abs(scores_pairs - reference))),
        "end_to_end_equals_parsed": bool(np.allclose(sims_e2e, sims_hook)),
        "spacy_native_vs_floor_max_abs_diff": float(np.max(np.abs(np.array(sims_native) - reference))),
        "sparse_floor_vs_loop_floor_max_abs_diff": float(np.max(np.abs(sims_sparse - reference))),
    }
    ratios = {
        "bridge_similarity_over_floor_time": seconds["bridge_similarity"] / floor,
        "bridge_score_pairs_over_floor_time": seconds["bridge_score_pairs"] / floor,
        "bridge_similarity_over_spacy_native_time": seconds["bridge_similarity"] / seconds["spacy_native"],
        "tokenize_share_of_end_to_end": seconds["spacy_tokenize"] / seconds["bridge_end_to_end"],
    }
    return {
        "docs": n_docs,
        "pairs": len(pairs),
        "mean_tokens_per_doc": float(np.mean([len(t) for t in token_lists])),
        "vectors": [len(vectors), args.dim],
        "repeat": repeat,
        "docs_per_second": {k: round(v, 1) for k, v in rates.items()},
        "ratios_time_over_floor": {k: round(v, 3) for k, v in ratios.items()},
        "agreement": agree,
    }


def bench_export(args: argparse.Namespace) -> dict:
    import spacy
    from spacy.vectors import Vectors as SpacyVectors

    from nlptk.similarity import export_spacy
    from nlptk.vectors.container import Vectors

    rng = np.random.default_rng(args.seed)
    words = [f"word{i}" for i in range(args.export_words)]
    vectors = Vectors(words, rng.standard_normal((args.export_words, args.export_dim), dtype=np.float32))
    tmp = Path(tempfile.mkdtemp(prefix="nlptk_bench_similarity_"))
    runs = iter(range(10**6))
    try:
        spacy.blank("en")  # warm up spaCy's English defaults for both sides

        def nlptk_export() -> object:
            return export_spacy(vectors, tmp / f"nlptk_{next(runs)}")

        def by_hand() -> None:
            nlp = spacy.blank("en")
            keys = [nlp.vocab.strings.add(w) for w in words]
            nlp.vocab.vectors = SpacyVectors(strings=nlp.vocab.strings, data=vectors.vectors, keys=keys)
            nlp.to_disk(tmp / f"spacy_{next(runs)}")

        t_nlptk, t_spacy = float("inf"), float("inf")
        for _ in range(args.repeat):  # interleaved: disk and CPU contention hit both alike
            t_spacy = min(t_spacy, _best(by_hand, 1)[0])
            t, info = _best(nlptk_export, 1)
            t_nlptk = min(t_nlptk, t)
        nlptk_dir = info.path  # type: ignore[attr-defined]
        spacy_dir = next(p for p in tmp.iterdir() if p.name.startswith("spacy_"))
        t_load_nlptk, loaded = _best(lambda: spacy.load(nlptk_dir), args.repeat)
        t_load_spacy, _ = _best(lambda: spacy.load(spacy_dir), args.repeat)
        same = bool(np.array_equal(loaded.vocab.vectors.data, vectors.vectors))
        out = {
            "words": args.export_words,
            "dim": args.export_dim,
            "seconds": {
                "nlptk_export_spacy": round(t_nlptk, 3),
                "spacy_by_hand": round(t_spacy, 3),
                "spacy_load_nlptk_folder": round(t_load_nlptk, 3),
                "spacy_load_by_hand_folder": round(t_load_spacy, 3),
            },
            "ratio_nlptk_over_spacy_by_hand_time": round(t_nlptk / t_spacy, 3),
            "loaded_vectors_identical": same,
            "folder_mib": round(
                sum(p.stat().st_size for p in nlptk_dir.rglob("*") if p.is_file()) / 2**20, 1
            ),
        }
        if args.prune:
            t_prune, pinfo = _best(lambda: export_spacy(vectors, tmp / "pruned", prune=args.prune), 1)
            out["seconds"]["nlptk_export_spacy_prune"] = round(t_prune, 3)
            out["prune"] = {"rows": pinfo.n_rows, "remapped": pinfo.remapped}
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("texts", type=Path, help="one text per line")
    parser.add_argument("--strip-label", action="store_true", help="drop a leading label field")
    parser.add_argument("--docs", type=int, default=5000, help="texts to score (pairs i, i+1)")
    parser.add_argument("--words", type=int, default=100_000, help="rows of the synthetic vectors")
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--export-words", type=int, default=100_000)
    parser.add_argument("--export-dim", type=int, default=300)
    parser.add_argument("--prune", type=int, default=0, help="also time an export pruned to N rows")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per measurement")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import spacy

    texts = _read_texts(args.texts, args.docs, args.strip_label)
    report = {
        "benchmark": "similarity",
        "machine": {
            "python": platform.python_version(),
            "spacy": spacy.__version__,
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "note": "shared machine: compare ratios, not absolute rates",
        },
        "texts": str(args.texts),
        "similarity": bench_similarity(texts, args),
        "export": bench_export(args),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
