"""Topic mixtures of many documents at once, in worker processes when asked.

gensim trains with ``LdaMulticore`` in several processes but infers in one
(``lda[corpus]``, ``inference``); the document mixtures of a whole training corpus cost about
half a training pass, so with ``workers > 1`` they are inferred in that many forked processes
(each forked worker shares the model read-only). Every chunk seeds its own random start, so
the result does not depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import sys
from typing import Any

import numpy as np

from nlptk.progress import ProgressCallback, report
from nlptk.topics._bow import BagOfWords

__all__ = ["infer_mixtures"]

_shared: dict[str, Any] = {}  # what forked workers read: the model, the documents, the seed


def _infer_chunk(bounds: tuple[int, int]) -> tuple[int, np.ndarray]:
    start, stop = bounds
    model, bow, seed = _shared["model"], _shared["bow"], _shared["seed"]
    model.random_state = np.random.RandomState(seed + start)  # gamma's random start, per chunk
    documents = bow.documents(start, stop)
    gamma, _ = model.inference(documents)
    mixtures = gamma / gamma.sum(axis=1, keepdims=True)
    mixtures[[not doc for doc in documents]] = 0.0
    return start, mixtures.astype(np.float32)


def infer_mixtures(
    model: Any,
    bow: BagOfWords,
    *,
    seed: int,
    chunksize: int = 2000,
    workers: int = 1,
    progress: ProgressCallback | None = None,
) -> np.ndarray:
    """Topic mixtures (rows sum to 1; zeros for documents without words), shape (n, n_topics)."""
    n = len(bow)
    out = np.zeros((n, model.num_topics), dtype=np.float32)
    chunks = [(start, min(n, start + chunksize)) for start in range(0, n, chunksize)]
    _shared.update(model=model, bow=bow, seed=seed)
    report(progress, "infer", "start", 0, n)
    try:
        if workers > 1 and len(chunks) > 1 and sys.platform.startswith("linux"):
            with multiprocessing.get_context("fork").Pool(min(workers, len(chunks))) as pool:
                done = 0
                for start, mixtures in pool.imap_unordered(_infer_chunk, chunks):
                    out[start : start + len(mixtures)] = mixtures
                    done += len(mixtures)
                    report(progress, "infer", "step", done, n)
        else:
            for bounds in chunks:
                start, mixtures = _infer_chunk(bounds)
                out[start : start + len(mixtures)] = mixtures
                report(progress, "infer", "step", bounds[1], n)
    finally:
        _shared.clear()
    report(progress, "infer", "end", n, n)
    return out
