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


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


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
    import spacy

    from nlptk.similarity import score_pairs, use_vectors

    tokenizer_nlp = spacy.blank("en")
    lowered = [t.lower_ for doc in tokenizer_nlp.tokenizer.pipe(texts) for t in doc]
    vectors = _synthetic_vectors(lowered, args.words, args.dim, args.seed)
    nlp = use_vectors(vectors, "en", oov="skip")
    n_docs = len(texts)
    pairs = [(i, i + 1) for i in range(n_docs - 1)]
    scored_docs = 2 * len(pairs)
    results: dict[str, float] = {}

    t_tok, _ = _timed(lambda: list(nlp.tokenizer.pipe(texts)))
    results["spacy_tokenize"] = n_docs / t_tok

    def end_to_end() -> list[float]:
        docs = list(nlp.pipe(texts))
        return [docs[i].similarity(docs[j]) for i, j in pairs]

    t_e2e, sims_e2e = _timed(end_to_end)
    results["bridge_end_to_end"] = scored_docs / t_e2e

    docs = list(nlp.pipe(texts))
    t_hook, sims_hook = _timed(lambda: [docs[i].similarity(docs[j]) for i, j in pairs])
    results["bridge_similarity"] = scored_docs / t_hook

    t_pairs, res_pairs = _timed(lambda: score_pairs([(docs[i], docs[j]) for i, j in pairs], nlp))
    results["bridge_score_pairs"] = scored_docs / t_pairs

    # spaCy's own path: the same vocab vectors, docs without our hooks
    plain = list(nlp.tokenizer.pipe(texts))  # nlp's vocab (with the vectors), no component: no hooks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_native, sims_native = _timed(lambda: [plain[i].similarity(plain[j]) for i, j in pairs])
    results["spacy_native"] = scored_docs / t_native

    token_lists = [[t.lower_ for t in doc] for doc in docs]
    index = vectors.key_to_index
    matrix = np.asarray(vectors.vectors)

    def floor() -> list[float]:
        means = []
        for tokens in token_lists:
            rows = [index[w] for w in tokens if w in index]
            means.append(matrix[rows].mean(axis=0))
        out = []
        for i, j in pairs:
            a, b = means[i], means[j]
            out.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))))
        return out

    t_floor, sims_floor = _timed(floor)
    results["numpy_floor"] = scored_docs / t_floor

    row_lists = [np.array([index[w] for w in tokens if w in index]) for tokens in token_lists]
    lengths = np.array([len(r) for r in row_lists])
    flat = np.concatenate(row_lists)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])

    def floor_vectorised() -> np.ndarray:
        sums = np.add.reduceat(matrix[flat], offsets, axis=0)
        unit = sums / np.linalg.norm(sums, axis=1, keepdims=True)
        left = np.array([i for i, _ in pairs])
        return np.einsum("ij,ij->i", unit[left], unit[left + 1])

    t_floor_vec, sims_floor_vec = _timed(floor_vectorised)
    results["numpy_floor_vectorised"] = scored_docs / t_floor_vec

    scores_pairs = np.array([r.score for r in res_pairs], dtype=np.float64)
    agree = {
        "bridge_vs_floor_max_abs_diff": float(np.max(np.abs(np.array(sims_hook) - np.array(sims_floor)))),
        "score_pairs_vs_floor_max_abs_diff": float(np.max(np.abs(scores_pairs - np.array(sims_floor)))),
        "end_to_end_equals_parsed": bool(np.allclose(sims_e2e, sims_hook)),
        "spacy_native_vs_floor_max_abs_diff": float(
            np.max(np.abs(np.array(sims_native) - np.array(sims_floor_vec)))
        ),
    }
    ratios = {
        "floor_over_bridge_similarity": results["numpy_floor"] / results["bridge_similarity"],
        "floor_vectorised_over_bridge_score_pairs": results["numpy_floor_vectorised"]
        / results["bridge_score_pairs"],
        "spacy_native_over_bridge_similarity": results["spacy_native"] / results["bridge_similarity"],
        "tokenize_share_of_end_to_end": (n_docs / results["spacy_tokenize"])
        / (scored_docs / results["bridge_end_to_end"]),
    }
    return {
        "docs": n_docs,
        "pairs": len(pairs),
        "mean_tokens_per_doc": float(np.mean([len(d) for d in docs])),
        "vectors": [len(vectors), args.dim],
        "docs_per_second": {k: round(v, 1) for k, v in results.items()},
        "ratios": {k: round(v, 3) for k, v in ratios.items()},
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
    try:
        t_nlptk, info = _timed(lambda: export_spacy(vectors, tmp / "nlptk_pipeline"))

        def by_hand() -> None:
            nlp = spacy.blank("en")
            keys = [nlp.vocab.strings.add(w) for w in words]
            nlp.vocab.vectors = SpacyVectors(strings=nlp.vocab.strings, data=vectors.vectors, keys=keys)
            nlp.to_disk(tmp / "spacy_pipeline")

        t_spacy, _ = _timed(by_hand)
        t_load_nlptk, loaded = _timed(lambda: spacy.load(tmp / "nlptk_pipeline"))
        t_load_spacy, _ = _timed(lambda: spacy.load(tmp / "spacy_pipeline"))
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
            "ratio_spacy_by_hand_over_nlptk": round(t_spacy / t_nlptk, 3),
            "loaded_vectors_identical": same,
            "folder_mib": round(
                sum(p.stat().st_size for p in (tmp / "nlptk_pipeline").rglob("*") if p.is_file()) / 2**20, 1
            ),
        }
        if args.prune:
            t_prune, pinfo = _timed(lambda: export_spacy(vectors, tmp / "pruned", prune=args.prune))
            out["seconds"]["nlptk_export_spacy_prune"] = round(t_prune, 3)
            out["prune"] = {"rows": pinfo.n_rows, "remapped": pinfo.remapped}
        assert info.n_words == args.export_words
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
