"""GloVe word vectors: co-occurrence counting (NumPy/SciPy) and training (PyTorch, CPU or CUDA).

:func:`train_glove` is the trainer that ``nlptk.train_embeddings(..., method="glove")`` and
``nlptk embed train --method glove`` call; :class:`GloVe` is the same thing with the
scikit-learn shape. The counting (:func:`count_cooccurrences`) and the training
(:func:`fit_glove`) can also be used on their own, and a saved
:class:`CooccurrenceMatrix` serves several trainings (``cooccurrence=``).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from nlptk.distributed import DistContext, init_distributed
from nlptk.embed.params import GloVeParams
from nlptk.errors import NotFittedError, ParameterError
from nlptk.params import ParamsEstimatorMixin, estimator_init, resolve_params
from nlptk.progress import ProgressCallback
from nlptk.vectors.container import Vectors

from .cooccur import CooccurrenceMatrix, build_vocabulary, count_cooccurrences, minimum_memory_gb
from .trainer import GloveFit, _torch_threads, auto_batch_size, fit_glove, resolve_device

__all__ = [
    "COOCCURRENCE_FILE",
    "CooccurrenceMatrix",
    "GloVe",
    "GloveFit",
    "auto_batch_size",
    "build_vocabulary",
    "count_cooccurrences",
    "fit_glove",
    "minimum_memory_gb",
    "resolve_device",
    "train_glove",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

#: The name of the saved matrix inside ``workdir``.
COOCCURRENCE_FILE = "cooccurrence.npz"


def train_glove(
    tokens_file: PathLike,
    *,
    config: GloVeParams | None = None,
    cooccurrence: PathLike | CooccurrenceMatrix | None = None,
    workdir: PathLike | None = None,
    progress: ProgressCallback | None = None,
    **params: Any,
) -> Vectors:
    """Count co-occurrences in a tokens file and train GloVe vectors on them.

    Parameters
    ----------
    tokens_file : path
        UTF-8 text, one document per line, tokens separated by spaces (windows never cross lines).
    config : GloVeParams, optional
        The settings (:class:`~nlptk.embed.params.GloVeParams`: dimensions, window,
        ``x_max``, ``alpha``, epochs, device, ...); or the same names as keywords.
    cooccurrence : path or CooccurrenceMatrix, optional
        A matrix saved by an earlier run (``cooccurrence.npz``) to train on instead of counting.
        It must come from the same corpus, ``min_count``, ``max_vocab``, ``window`` and ``symmetric``.
    workdir : path, optional
        Folder where the matrix is saved as ``cooccurrence.npz`` (listed in ``meta["files"]``).
    progress : callable, optional
        Receives "count" and "train" phase events (:mod:`nlptk.progress`).

    Returns
    -------
    Vectors
        Rows most frequent first, ``counts`` filled, ``meta`` with the method, every
        parameter, the losses per epoch and the timings.

    Raises
    ------
    ParameterError
        A parameter out of range or unknown, or a reused matrix counted with another window.
    DataError
        No vocabulary after ``min_count``, or a reused matrix from another corpus.
    DeviceError
        ``device="cuda"`` on a machine without a GPU.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tokens.txt"
    >>> _ = p.write_text("the cat sat on the mat\\nthe dog sat on the rug\\n" * 50)
    >>> vectors = train_glove(p, dim=8, window=3, epochs=5, device="cpu")
    >>> vectors.words[0], vectors.dim, vectors.meta["method"]
    ('the', 8, 'glove')
    """
    if isinstance(cooccurrence, CooccurrenceMatrix):
        matrix_given: CooccurrenceMatrix | None = cooccurrence
    else:
        matrix_given = None
        if cooccurrence is not None:
            params = {**params, "cooccurrence": cooccurrence}
    config = resolve_params(GloVeParams, config, params)
    dim, window, min_count, max_vocab = config.dim, config.window, config.min_count, config.max_vocab
    symmetric, epochs = config.symmetric, config.epochs
    dev = resolve_device(config.device)  # fail before counting when the device is missing
    params = {**config.to_dict(), "device": str(dev)}
    source = matrix_given if matrix_given is not None else config.cooccurrence
    tokens_file = Path(tokens_file)

    ctx = init_distributed(dev)  # several ranks only under torchrun
    if ctx.active:
        return _train_distributed(tokens_file, ctx, source, params)
    t0 = time.perf_counter()
    if source is None:
        matrix = count_cooccurrences(
            tokens_file,
            window=window,
            min_count=min_count,
            max_vocab=max_vocab,
            symmetric=symmetric,
            memory=config.memory,
            progress=progress,
        )
        reused = False
    else:
        matrix = _reuse_matrix(source, tokens_file, window=window, symmetric=symmetric,
                               min_count=min_count, max_vocab=max_vocab)  # fmt: skip
        reused = True
    count_seconds = time.perf_counter() - t0

    files: list[str] = []
    if workdir is not None and not reused:
        matrix.save(Path(workdir) / COOCCURRENCE_FILE)
        files.append(COOCCURRENCE_FILE)

    t1 = time.perf_counter()
    fit = fit_glove(
        matrix,
        dim=dim,
        x_max=config.x_max,
        alpha=config.alpha,
        epochs=epochs,
        lr=config.lr,
        batch_size=config.batch_size,
        device=dev,
        threads=config.workers,
        seed=config.seed,
        progress=progress,
    )
    train_seconds = time.perf_counter() - t1
    meta = {"cooccurrence": {**matrix.describe(), "reused": reused}, "files": files}
    return _as_vectors(fit, matrix, params, meta, count_seconds, train_seconds)


def _as_vectors(
    fit: GloveFit,
    matrix: CooccurrenceMatrix,
    params: dict[str, Any],
    meta: dict[str, Any],
    count_seconds: float,
    train_seconds: float,
) -> Vectors:
    params["batch_size"] = fit.batch_size
    output = params["output"]
    vectors = fit.word_vectors + fit.context_vectors if output == "W+C" else fit.word_vectors
    meta = {
        "method": "glove",
        "params": params,
        **meta,
        "losses": fit.losses,
        "epoch_seconds": fit.epoch_seconds,
        "phase_seconds": {"count": count_seconds, "train": train_seconds},
    }
    return Vectors(
        matrix.words, np.ascontiguousarray(vectors, dtype=np.float32), counts=matrix.counts, meta=meta
    )


def _train_distributed(
    tokens_file: Path, ctx: DistContext, cooccurrence: PathLike | CooccurrenceMatrix | None, params: dict
) -> Vectors:
    """GloVe under torchrun: sharded counting (or this rank's rows of a reused matrix), then
    data-parallel training (:mod:`nlptk.embed.glove.distributed`). The matrix is not saved:
    each rank holds its rows only."""
    from .distributed import count_cooccurrences_sharded, fit_glove_distributed, rows_of_rank

    count_keys = ("window", "min_count", "max_vocab", "symmetric")
    t0 = time.perf_counter()
    if cooccurrence is None:
        shard = count_cooccurrences_sharded(
            tokens_file, ctx, memory=params["memory"], **{k: params[k] for k in count_keys}
        )
    else:
        full = _reuse_matrix(cooccurrence, tokens_file, **{k: params[k] for k in count_keys})
        mine = rows_of_rank(full.rows, ctx)
        rows, cols, values = full.rows[mine], full.cols[mine], full.values[mine]
        shard = dataclasses.replace(full, rows=rows, cols=cols, values=values)
    count_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    with _torch_threads(params["workers"] if ctx.device.type == "cpu" else None):
        fit = fit_glove_distributed(
            shard, ctx, seed=params["seed"], batch_size=params["batch_size"],
            **{k: params[k] for k in ("dim", "x_max", "alpha", "epochs", "lr")},
        )  # fmt: skip
    train_seconds = time.perf_counter() - t1
    described = {**shard.describe(), "nnz_this_rank": shard.nnz, "reused": cooccurrence is not None}
    meta = {"cooccurrence": described, "files": [], "distributed": {"world_size": ctx.world_size,
            "backend": ctx.backend}}  # fmt: skip
    return _as_vectors(fit, shard, params, meta, count_seconds, train_seconds)


def _reuse_matrix(
    cooccurrence: PathLike | CooccurrenceMatrix,
    tokens_file: Path,
    *,
    window: int,
    symmetric: bool,
    min_count: int,
    max_vocab: int | None,
) -> CooccurrenceMatrix:
    source = None if isinstance(cooccurrence, CooccurrenceMatrix) else Path(cooccurrence)
    matrix = cooccurrence if isinstance(cooccurrence, CooccurrenceMatrix) else CooccurrenceMatrix.load(source)
    if matrix.window != window or matrix.symmetric != symmetric:
        raise ParameterError(
            f"the co-occurrence matrix was counted with window={matrix.window}, "
            f"symmetric={matrix.symmetric}, but window={window}, symmetric={symmetric} was asked for",
            hint=f"pass window={matrix.window} and symmetric={matrix.symmetric}, or count again",
        )
    words, counts = build_vocabulary(tokens_file, min_count=min_count, max_vocab=max_vocab)
    matrix.check_vocabulary(words, counts, path=source)
    logger.info("reusing the co-occurrence matrix%s (%d entries)", f" {source}" if source else "", matrix.nnz)
    return matrix


class GloVe(ParamsEstimatorMixin, BaseEstimator):  # type: ignore[misc]
    """GloVe with the scikit-learn shape: parameters in ``__init__``, ``fit`` returns ``self``.

    Takes the parameters of :func:`train_glove` (which does the work).

    Attributes
    ----------
    vectors_ : Vectors
        The trained vectors.
    losses_ : list of float
        Loss per epoch.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tokens.txt"
    >>> _ = p.write_text("the cat sat on the mat\\nthe dog sat on the rug\\n" * 50)
    >>> model = GloVe(dim=8, window=3, epochs=5, device="cpu").fit(p)
    >>> model.vectors_["cat"].shape
    (8,)
    """

    # the parameters are GloVeParams' fields: derived from the declaration, never restated
    __init__ = estimator_init(GloVeParams)

    def fit(
        self,
        tokens_file: PathLike,
        *,
        cooccurrence: PathLike | CooccurrenceMatrix | None = None,
        workdir: PathLike | None = None,
        progress: ProgressCallback | None = None,
    ) -> GloVe:
        """Train on a tokens file (one document per line); see :func:`train_glove`."""
        params = self.get_params()
        if cooccurrence is not None:
            params["cooccurrence"] = cooccurrence
        source = params.pop("cooccurrence")
        self.vectors_ = train_glove(
            tokens_file, cooccurrence=source, workdir=workdir, progress=progress, **params
        )
        self.losses_ = list(self.vectors_.meta["losses"])
        return self

    def transform(self, words: list[str]) -> np.ndarray:
        """The vectors of ``words``, shape ``(len(words), dim)``."""
        if not hasattr(self, "vectors_"):
            raise NotFittedError("this GloVe model is not fitted yet", hint="call fit(tokens_file) first")
        return np.stack([self.vectors_[w] for w in words]) if words else np.empty((0, self.dim), np.float32)
