"""Benchmark: nlptk's LDA against gensim's LdaMulticore called directly, and LSA vs LDA coherence.

Usage::

    nice -n 10 python scripts/bench/topics.py enwiki_wikiextractor_100M.txt.gz \\
        [--articles 10000 --compare-topics 20 --topics 20,50,100 --passes 1 --workers 2
         --rounds 2 --coherence-docs 2000 --workdir DIR]

What is measured:

* **Documents = articles.** The WikiExtractor file is split once into one article per line
  (the text between ``<doc ...>`` and ``</doc>``, lines joined with spaces), keeping the first
  ``--articles`` articles (0: all), in ``<workdir>/articles.txt``. Not timed. The articles are
  tokenized once into nlptk's tokens cache (``tokenize_s``); both sides read that tokens file
  ("cached tokens"): the comparison is of everything after tokenization.
* **Direct gensim** (a fresh process, what the gensim tutorial has a user write): read the
  tokens file into lists, ``Dictionary``, ``filter_extremes(no_below=5, no_above=0.5,
  keep_n=100000)``, ``doc2bow`` of every document, ``LdaMulticore(corpus, num_topics=K,
  workers=W, passes=P, chunksize=2000, random_state=0, eval_every=None)``, then the topic
  mixture of every document (``inference`` in chunks of 2000: what document similarity needs).
* **nlptk** (a fresh process): ``nlptk.topics.train_lda(articles.txt, out, ...)`` with the same
  parameters and the same (cached) tokens: the same steps, plus the perplexity after each pass,
  the mixtures inferred in W processes, and the model saved (arrays + JSON).
* Rounds alternate which side runs first; the best wall time of each side is compared
  (``ratio_wall`` = nlptk / direct, target <= 1.05) and the train stage alone too.
* **Coherence**: nlptk LSA (TF-IDF + SVD, ``min_df=5, max_df=0.5`` to match LDA's filters; it
  tokenizes the articles itself) and nlptk LDA at each of ``--topics``: training time
  (``train_s``: in the process, imports included, interpreter start excluded) and peak memory
  (a fresh process each, measured before scoring), then ``c_v`` and ``u_mass`` of the top 10
  words, counted on the same seeded sample of ``--coherence-docs`` documents of the tokens.

Peak memory is the process's maximum RSS (``ru_maxrss``); for LdaMulticore the worker
processes' peak is reported separately (``peak_children_mb``). Prints one JSON object and
writes it to ``<workdir>/topics_bench.json``, updated after every step.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DIRECT_LDA = r"""
import json, resource, sys, time
import numpy as np
from gensim.corpora import Dictionary
from gensim.models import LdaMulticore
p = json.loads(sys.argv[1])
t0 = time.perf_counter()
with open(p["tokens"], encoding="utf-8") as f:
    texts = [line.split() for line in f]
dictionary = Dictionary(texts)
dictionary.filter_extremes(no_below=p["no_below"], no_above=p["no_above"], keep_n=p["keep_n"])
t1 = time.perf_counter()
corpus = [dictionary.doc2bow(t) for t in texts]
t2 = time.perf_counter()
lda = LdaMulticore(corpus, num_topics=p["topics"], id2word=dictionary, workers=p["workers"],
                   passes=p["passes"], chunksize=p["chunksize"], random_state=0, eval_every=None)
t3 = time.perf_counter()
mixtures = []
for start in range(0, len(corpus), p["chunksize"]):
    gamma, _ = lda.inference(corpus[start:start + p["chunksize"]])
    mixtures.append(gamma / gamma.sum(axis=1, keepdims=True))
mixtures = np.vstack(mixtures)
t4 = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"vocabulary": t1 - t0, "bag_of_words": t2 - t1, "train": t3 - t2, "infer": t4 - t3,
                  "in_process": t4 - t0, "peak_mb": usage.ru_maxrss / 1024,
                  "peak_children_mb": children.ru_maxrss / 1024, "n_terms": len(dictionary),
                  "shape": list(mixtures.shape)}))
"""

NLPTK_LDA = r"""
import json, resource, sys, time
p = json.loads(sys.argv[1])
t0 = time.perf_counter()
from nlptk.topics.train import train_lda
model = train_lda(p["articles"], p["out"], n_topics=p["topics"], workers=p["workers"], passes=p["passes"],
                  chunksize=p["chunksize"], seed=0, no_below=p["no_below"], no_above=p["no_above"],
                  keep_n=p["keep_n"], cache_dir=p["cache"], force=True)
t1 = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
children = resource.getrusage(resource.RUSAGE_CHILDREN)
out = {**model.timings_, "in_process": t1 - t0, "peak_mb": usage.ru_maxrss / 1024,
       "peak_children_mb": children.ru_maxrss / 1024, "n_terms": len(model.terms_),
       "perplexity": model.perplexity_, "backend": model.backend_,
       "shape": list(model.document_vectors_.shape)}
"""

NLPTK_LSA = r"""
import json, resource, sys, time
p = json.loads(sys.argv[1])
t0 = time.perf_counter()
from nlptk.embed.lsa import fit_lsa
model = fit_lsa(p["articles"], p["out"], n_topics=p["topics"], min_df=p["no_below"], max_df=p["no_above"],
                force=True)
t1 = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
out = {"in_process": t1 - t0, "peak_mb": usage.ru_maxrss / 1024, "n_terms": len(model.terms_),
       "explained_variance": float(model.explained_variance_ratio_.sum())}
"""

# appended to a training child (after its peak memory is taken), or run alone on a saved model
COHERENCE = r"""
import json, sys
from nlptk.topics.coherence import topic_coherence
from nlptk.topics.persist import load_topic_model
p = json.loads(sys.argv[1])
if "model" not in globals():
    model, out = load_topic_model(p["model"]), {}
for measure in ("c_v", "u_mass") if p.get("docs") else ():
    r = topic_coherence(model, p["tokens"], measure=measure, max_documents=p["docs"], seed=0)
    out[measure] = {"overall": r.overall, "seconds": round(r.seconds, 2), "documents": r.documents,
                    "documents_total": r.documents_total, "missing_words": r.missing_words}
print(json.dumps(out))
"""
NLPTK_LDA += COHERENCE
NLPTK_LSA += COHERENCE


def split_articles(source: Path, target: Path, limit: int) -> int:
    """One article per line (``<doc>`` wrappers dropped, lines joined); the first ``limit`` (0: all)."""
    count = 0
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8") as f, open(target, "w", encoding="utf-8") as out:
        lines: list[str] = []
        for line in f:
            if line.startswith("<doc "):
                lines = []
            elif line.startswith("</doc>"):
                text = " ".join(part.strip() for part in lines if part.strip())
                if text:
                    out.write(text + "\n")
                    count += 1
                    if limit and count >= limit:
                        break
            else:
                lines.append(line)
    return count


def run_child(code: str, params: dict[str, Any], *, threads: int = 1) -> dict[str, Any]:
    env = {
        **os.environ,
        "OMP_NUM_THREADS": str(threads),
        "OPENBLAS_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "PYTHONWARNINGS": "ignore",
    }
    started = time.perf_counter()
    cpu0 = os.times()
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(params)], capture_output=True, text=True, env=env, check=False
    )
    wall = time.perf_counter() - started
    cpu1 = os.times()
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = round(wall, 2)
    result["cpu"] = round(
        (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system), 2
    )
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--articles", type=int, default=10_000, help="first N articles (0: all)")
    parser.add_argument("--compare-topics", type=int, default=20)
    parser.add_argument("--topics", default="20,50,100")
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunksize", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--coherence-docs", type=int, default=2000)
    parser.add_argument("--skip-compare", action="store_true")
    parser.add_argument("--skip-coherence", action="store_true")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="nlptk-topics-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    report_path = workdir / "topics_bench.json"
    report: dict[str, Any] = {
        "benchmark": "topics",
        "corpus": str(args.corpus),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_at_start": os.getloadavg(),
        },
        "threads": "BLAS/OpenMP 1 thread per process; LDA workers as given",
    }

    def save() -> None:
        report_path.write_text(json.dumps(report, indent=1), encoding="utf-8")

    articles = workdir / "articles.txt"
    report["articles"] = split_articles(args.corpus, articles, args.articles)
    cache = workdir / "cache"
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from nlptk.embed.tokens_cache import tokenize_to_cache
    from nlptk.text.corpus import open_corpus
    from nlptk.text.tokenize import get_tokenizer

    tokens = tokenize_to_cache(open_corpus(articles), get_tokenizer(None), cache_dir=cache)
    report["tokens"] = {
        "documents": tokens.documents,
        "tokens": tokens.tokens,
        "tokenize_s": round(tokens.seconds, 2),
    }
    save()
    common = {
        "tokens": str(tokens.path),
        "articles": str(articles),
        "cache": str(cache),
        "workers": args.workers,
        "passes": args.passes,
        "chunksize": args.chunksize,
        "no_below": 5,
        "no_above": 0.5,
        "keep_n": 100_000,
    }

    if not args.skip_compare:
        params = {**common, "topics": args.compare_topics, "out": str(workdir / f"lda_{args.compare_topics}")}
        rounds: list[dict[str, Any]] = []
        for i in range(args.rounds):
            order = ("direct", "nlptk") if i % 2 == 0 else ("nlptk", "direct")
            entry: dict[str, Any] = {}
            for side in order:
                entry[side] = run_child(DIRECT_LDA if side == "direct" else NLPTK_LDA, params)
                print(f"round {i} {side}: {entry[side]['wall']} s", file=sys.stderr)
            rounds.append(entry)
            report["compare"] = {"topics": args.compare_topics, "rounds": rounds}
            save()
        best = {side: min(r[side]["wall"] for r in rounds) for side in ("direct", "nlptk")}
        best_train = {side: min(r[side]["train"] for r in rounds) for side in ("direct", "nlptk")}
        report["compare"].update(
            best_wall=best,
            ratio_wall=round(best["nlptk"] / best["direct"], 3),
            best_train=best_train,
            ratio_train=round(best_train["nlptk"] / best_train["direct"], 3),
        )
        save()

    if not args.skip_coherence:
        table = []
        for k in [int(x) for x in args.topics.split(",")]:
            for kind in ("lsa", "lda"):
                out = workdir / f"{kind}_{k}"
                params = {**common, "topics": k, "out": str(out)}
                scoring = {"model": str(out), "tokens": str(tokens.path), "docs": args.coherence_docs}
                if kind == "lda" and k == args.compare_topics and out.is_dir() and not args.skip_compare:
                    trained = dict(report["compare"]["rounds"][-1]["nlptk"])
                    coherence = run_child(COHERENCE, scoring)
                else:
                    trained = run_child(NLPTK_LSA if kind == "lsa" else NLPTK_LDA, {**params, **scoring})
                    coherence = trained
                row = {
                    "model": kind,
                    "topics": k,
                    "train_s": trained["in_process"],
                    "peak_mb": trained["peak_mb"],
                    "peak_children_mb": trained.get("peak_children_mb"),
                    "c_v": coherence["c_v"]["overall"],
                    "u_mass": coherence["u_mass"]["overall"],
                    "coherence_s": {m: coherence[m]["seconds"] for m in ("c_v", "u_mass")},
                    "coherence_documents": coherence["c_v"]["documents"],
                }
                table.append(row)
                print(json.dumps(row), file=sys.stderr)
                report["coherence"] = table
                save()
    report["machine"]["load_at_end"] = os.getloadavg()
    save()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
