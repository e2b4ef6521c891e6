"""word2vec through gensim, trained from a tokens file with gensim's fast ``corpus_file`` path.

:func:`train_word2vec` follows the trainer protocol (see :func:`nlptk.train_embeddings`): it
reads a file with one document per line and tokens separated by spaces, and returns a
:class:`~nlptk.vectors.Vectors`. Progress comes once per epoch with the epoch's loss and
words per second.

Reproducibility
---------------
gensim seeds the initial vectors and its sampling from ``seed``; with several worker
threads the order in which they update the shared weights varies from run to run, so
results differ slightly. ``deterministic=True`` forces ``workers=1`` and gives identical
vectors for identical input and parameters. gensim's documentation adds that, in Python 3,
reproducibility *between interpreter launches* also requires a fixed ``PYTHONHASHSEED``
because its ``hashfxn`` defaults to Python's randomised ``hash``; nlptk passes a stable
hash function (CRC-32) instead, so no environment variable is needed.

Loss
----
gensim accumulates the training loss over the whole ``train()`` call, in float32; nlptk
resets it at each epoch start and reports per-epoch values. In ``corpus_file`` mode each
worker thread writes its own running total back at the end of the epoch, so gensim keeps
only one worker's share: nlptk reports that share times the number of workers (the workers
read equal-sized parts of the file), an estimate good for following the trend.
"""

from __future__ import annotations

import logging
import os
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from nlptk.embed.params import Word2VecParams, default_workers
from nlptk.errors import DataError
from nlptk.params import resolve_params
from nlptk.progress import ProgressCallback, report
from nlptk.vectors.container import Vectors

__all__ = ["default_workers", "stable_hash", "train_word2vec"]

logger = logging.getLogger(__name__)


def stable_hash(text: str) -> int:
    """A hash that does not change between interpreter launches (gensim's ``hashfxn``)."""
    return zlib.crc32(text.encode("utf-8"))


def _make_callback(progress: ProgressCallback | None, epochs: int, workers: int) -> Any:
    from gensim.models.callbacks import CallbackAny2Vec

    class _EpochReporter(CallbackAny2Vec):  # type: ignore[misc]
        """Per-epoch loss and words/s to nlptk.progress and the log."""

        def __init__(self) -> None:
            self.epoch = 0
            self.started = 0.0
            self.losses: list[float] = []
            self.words_per_s: list[float] = []

        def on_train_begin(self, model: Any) -> None:
            report(progress, "train", "start", 0, epochs)

        def on_epoch_begin(self, model: Any) -> None:
            model.running_training_loss = 0.0
            self.started = time.perf_counter()

        def on_epoch_end(self, model: Any) -> None:
            seconds = max(time.perf_counter() - self.started, 1e-9)
            self.epoch += 1
            loss = float(model.get_latest_training_loss()) * workers
            speed = model.corpus_total_words / seconds
            self.losses.append(loss)
            self.words_per_s.append(speed)
            logger.info("word2vec epoch %d/%d: loss %.4g, %.0f words/s", self.epoch, epochs, loss, speed)
            report(progress, "train", "step", self.epoch, epochs, loss=loss, words_per_s=speed)

    return _EpochReporter()


def train_word2vec(
    tokens_file: str | os.PathLike[str],
    *,
    workdir: Path | None = None,
    progress: ProgressCallback | None = None,
    config: Word2VecParams | None = None,
    **params: Any,
) -> Vectors:
    """Train word2vec (gensim) on a tokens file.

    Parameters
    ----------
    tokens_file : path
        UTF-8 text, one document per line, tokens separated by single spaces.
    workdir : Path, optional
        Output folder in the making (unused: word2vec has no extra artefacts).
    progress : callable, optional
        Receives a ``"train"`` phase with one event per epoch (``loss``, ``words_per_s``).
    config : Word2VecParams, optional
        The settings (:class:`~nlptk.embed.params.Word2VecParams`: dimensions, window,
        skip-gram or CBOW, ...); or give the same names as keywords (``dim=50, sg=True``).

    Returns
    -------
    Vectors
        Rows most frequent first, ``counts`` filled, ``meta = {"method": "word2vec",
        "params": {...effective values...}, "loss_per_epoch": [...], "words_per_s": ...}``.

    Raises
    ------
    ParameterError
        A parameter out of range (``dim=0 must be an integer >= 1``).
    DataError
        No word reaches ``min_count``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "tokens.txt"
    >>> _ = f.write_text("the cat sat on the mat\\n" * 50)
    >>> v = train_word2vec(f, dim=8, min_count=1, epochs=1, deterministic=True)
    >>> v.words[0], v.dim
    ('the', 8)
    """
    from gensim.models import Word2Vec

    config = resolve_params(Word2VecParams, config, params)
    workers = 1 if config.deterministic else (config.workers or default_workers())
    path = os.fspath(tokens_file)
    epochs = config.epochs
    model = Word2Vec(
        vector_size=config.dim,
        window=config.window,
        min_count=config.min_count,
        sg=int(config.sg),
        hs=int(config.hs),
        negative=config.negative,
        sample=config.sample,
        ns_exponent=config.ns_exponent,
        alpha=config.lr,
        workers=workers,
        seed=config.seed,
        epochs=epochs,
        hashfxn=stable_hash,
        compute_loss=True,
    )
    model.build_vocab(corpus_file=path, keep_raw_vocab=True)
    if len(model.wv) == 0:
        top = max(model.raw_vocab.values(), default=0)
        raise DataError(
            f"no word occurs at least min_count={config.min_count} times (the corpus has "
            f"{model.corpus_total_words} tokens in {model.corpus_count} documents; "
            f"the most frequent word occurs {top} times)",
            hint=f"lower min_count to {max(1, top)} or less, or use a larger corpus",
        )
    model.raw_vocab = {}
    reporter = _make_callback(progress, epochs, workers)
    started = time.perf_counter()
    model.train(
        corpus_file=path,
        total_words=model.corpus_total_words,
        total_examples=model.corpus_count,
        epochs=epochs,
        compute_loss=True,
        callbacks=[reporter],
    )
    seconds = time.perf_counter() - started
    speed = model.corpus_total_words * epochs / max(seconds, 1e-9)
    final = {"loss": reporter.losses[-1]} if reporter.losses else {}
    report(progress, "train", "end", epochs, epochs, **final, words_per_s=speed)
    kv = model.wv
    kv.expandos["count"] = np.asarray(kv.expandos["count"], dtype=np.int64)  # row i's count, as int64
    params = {**config.to_dict(), "workers": workers}
    meta = {
        "method": "word2vec",
        "params": params,
        "loss_per_epoch": reporter.losses,
        "words_per_s": round(speed),
        "train_seconds": round(seconds, 3),
    }
    vectors = Vectors.from_gensim(kv, meta=meta)
    del model
    return vectors
