"""GloVe's second half: weighted least squares on the co-occurrence matrix, in PyTorch.

The objective is Pennington et al.'s

    J = sum_ij f(X_ij) (w_i . c_j + b_i + b~_j - log X_ij)^2,   f(x) = min(1, (x / x_max)^alpha)

minimised with AdaGrad as the Stanford tool does it: the step is ``lr * grad`` divided by
the square root of an accumulator that starts at 1 and sums the squared steps.

The gradient is closed-form, so there is no autograd: each mini-batch of non-zero entries
gathers its word and context rows (the bias is kept as an extra column), computes the
residuals, and scatters the AdaGrad updates back with ``index_add_``. A word that occurs
several times in one batch gets the sum of its gradients, and the accumulator takes the
batch's squared gradients *before* the step, which keeps large batches stable (a frequent
word's step grows like the square root of its occurrences, not linearly).

The entries are shuffled once (with the seeded generator), each batch's entries are put in
row order (faster gathers and scatters, the same sums), and the order of the batches is
shuffled again every epoch. Everything runs on ``device``: the same code on CPU and CUDA.

On the CPU, a large training compiles the step with ``torch.compile`` (see
:func:`_compile_step`): the gathers, the arithmetic and the scatter-adds become a few fused
C++ loops, and a batch takes about half the CPU time. Without a C++ compiler, or when
compiling fails, the same step runs eagerly.

With ``threads=N > 1`` on the CPU, training is Hogwild, as the Stanford tool's threads are:
N Python threads (PyTorch releases the GIL inside its kernels) each take every N-th batch of
the epoch and update the shared tables without locks, each kernel on one thread (the
compiled step releases the GIL too). Scatter-adds (``index_add_``) barely use a second
intra-op thread, so Hogwild is the way to use several cores; the price is that the result
depends on the threads' interleaving, so it is not bit-for-bit reproducible.
``threads=None`` or ``1`` is the deterministic path.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from nlptk.devices import resolve_device
from nlptk.errors import ParameterError, TrainingError
from nlptk.progress import ProgressCallback, report

from .cooccur import CooccurrenceMatrix

__all__ = ["COMPILE_MIN_UPDATES", "GloveFit", "auto_batch_size", "fit_glove", "resolve_device"]

logger = logging.getLogger(__name__)

#: Entry updates (``nnz * epochs``) from which :func:`fit_glove` compiles its step by default:
#: compiling costs 10-40 s, which the faster step (about 0.1-0.2 us less per update on a
#: 2-core CPU) wins back from a few hundred million updates on.
COMPILE_MIN_UPDATES = 300_000_000


@contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    if threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def auto_batch_size(nnz: int) -> int:
    """The default batch size: 32768 entries, fewer when an epoch would make < 100 updates.

    Summed mini-batch gradients approximate the Stanford tool's one-entry-at-a-time updates
    well when a batch is a small part of the matrix; on a tiny matrix one huge batch per epoch
    would overshoot.

    Examples
    --------
    >>> auto_batch_size(50_000_000), auto_batch_size(70_000), auto_batch_size(500)
    (32768, 1024, 1024)
    """
    return max(1024, min(32768, -(-nnz // 100)))


@dataclass
class GloveFit:
    """What :func:`fit_glove` learned.

    Attributes
    ----------
    word_vectors, context_vectors : ndarray of shape (n_words, dim), float32
    word_biases, context_biases : ndarray of shape (n_words,), float32
    losses : list of float
        Mean weighted squared error (``0.5 f(x) diff^2`` per entry, as the Stanford tool
        prints it) of each epoch.
    epoch_seconds : list of float
    device : str
    batch_size : int
        The batch size used.
    compile_seconds : float or None
        Seconds spent compiling the step (``compile_step``), or None when it ran uncompiled.
    """

    word_vectors: np.ndarray
    context_vectors: np.ndarray
    word_biases: np.ndarray
    context_biases: np.ndarray
    losses: list[float]
    epoch_seconds: list[float]
    device: str
    batch_size: int
    compile_seconds: float | None = None

    @classmethod
    def from_packed(
        cls,
        words: torch.Tensor,
        contexts: torch.Tensor,
        *,
        dim: int,
        losses: list[float],
        epoch_seconds: list[float],
        device: torch.device,
        batch_size: int,
        compile_seconds: float | None = None,
    ) -> GloveFit:
        """From the trainers' packed ``(n_words, dim + 1)`` tensors (vector columns, then the bias)."""
        return cls(
            word_vectors=words[:, :dim].cpu().numpy().copy(),
            context_vectors=contexts[:, :dim].cpu().numpy().copy(),
            word_biases=words[:, dim].cpu().numpy().copy(),
            context_biases=contexts[:, dim].cpu().numpy().copy(),
            losses=losses,
            epoch_seconds=epoch_seconds,
            device=str(device),
            batch_size=batch_size,
            compile_seconds=compile_seconds,
        )


def fit_glove(
    matrix: CooccurrenceMatrix,
    *,
    dim: int = 50,
    x_max: float = 100.0,
    alpha: float = 0.75,
    epochs: int = 15,
    lr: float = 0.05,
    batch_size: int | None = None,
    device: str | torch.device = "auto",
    threads: int | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    compile_step: bool | None = None,
) -> GloveFit:
    """Train GloVe vectors on a co-occurrence matrix.

    Parameters
    ----------
    matrix : CooccurrenceMatrix
    dim : int, default=50
    x_max : float, default=100.0
        Counts at or above ``x_max`` get weight 1 (the Stanford demo uses 10).
    alpha : float, default=0.75
    epochs : int, default=15
    lr : float, default=0.05
        AdaGrad's initial learning rate (Stanford's ``eta``).
    batch_size : int, optional
        Non-zero entries per update. By default (None) :func:`auto_batch_size`: 32768, but
        small enough that an epoch makes at least 100 updates on a small matrix.
    device : {"auto", "cpu", "cuda", "cuda:N"}, default="auto"
    threads : int, optional
        CPU threads. ``None`` keeps PyTorch's intra-op threads (one, when the step is
        compiled) and is bit-for-bit reproducible; ``N > 1`` trains Hogwild with N worker
        threads (faster, not bit-for-bit reproducible, like the Stanford tool's threads); 1 is
        single-threaded.
    seed : int, default=0
        Seeds the initial vectors and the shuffling (a ``torch.Generator``).
    progress : callable, optional
        Receives "train" phase events, one step per epoch with ``loss``.
    compile_step : bool, optional
        On the CPU, compile the step with ``torch.compile`` (about 1.8x faster per batch;
        compiling takes 10-40 s and needs a C++ compiler). By default (None) only when the
        training is large enough to gain (``nnz * epochs >=`` :data:`COMPILE_MIN_UPDATES`)
        and a C++ compiler is found. When compiling fails, training goes on uncompiled (with
        a warning). The compiled path is deterministic with ``threads=None`` or ``1`` too
        (run to run; not bit-identical to the uncompiled one).

    Returns
    -------
    GloveFit

    Raises
    ------
    TrainingError
        The loss became NaN or infinite (lower ``lr``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_text("a b c a b c\\nb c a\\n" * 20)
    >>> from nlptk.embed.glove.cooccur import count_cooccurrences
    >>> fit = fit_glove(count_cooccurrences(p, window=2), dim=4, epochs=3, device="cpu")
    >>> fit.word_vectors.shape, len(fit.losses)
    ((3, 4), 3)
    """
    if batch_size is None:
        batch_size = auto_batch_size(matrix.nnz)
    _check_fit_params(dim=dim, x_max=x_max, alpha=alpha, epochs=epochs, lr=lr, batch_size=batch_size)
    if threads is not None and threads < 1:
        raise ParameterError(f"workers (threads) must be >= 1, got {threads}")
    dev = resolve_device(device)
    if matrix.nnz == 0:
        raise TrainingError(
            "the co-occurrence matrix is empty: no two vocabulary words share a window",
            hint="give a larger corpus, a larger window or a lower min_count",
        )
    hogwild = dev.type == "cpu" and threads is not None and threads > 1
    if compile_step is None:
        compile_step = matrix.nnz * epochs >= COMPILE_MIN_UPDATES and _cxx_compiler() is not None
    compile_step = compile_step and dev.type == "cpu"
    # the compiled kernels run on one thread each (several would need atomic scatters)
    intra_op = 1 if hogwild or compile_step else threads
    with _torch_threads(intra_op if dev.type == "cpu" else None), torch.no_grad():
        return _fit(
            matrix, dim, x_max, alpha, epochs, lr, batch_size, dev, seed, progress,
            workers=threads if hogwild else 1, compile_step=compile_step,
        )  # fmt: skip


def _check_fit_params(
    *, dim: int, x_max: float, alpha: float, epochs: int, lr: float, batch_size: int
) -> None:
    if dim < 1:
        raise ParameterError(f"dim must be >= 1, got {dim}")
    if not x_max > 0:
        raise ParameterError(f"x_max must be > 0, got {x_max}")
    if not alpha > 0:
        raise ParameterError(f"alpha must be > 0, got {alpha}")
    if epochs < 1:
        raise ParameterError(f"epochs must be >= 1, got {epochs}")
    if not lr > 0:
        raise ParameterError(f"lr must be > 0, got {lr}")
    if batch_size < 1:
        raise ParameterError(f"batch_size must be >= 1, got {batch_size}")


def _fit(
    matrix: CooccurrenceMatrix,
    dim: int,
    x_max: float,
    alpha: float,
    epochs: int,
    lr: float,
    batch_size: int,
    device: torch.device,
    seed: int,
    progress: ProgressCallback | None,
    workers: int = 1,
    compile_step: bool = False,
) -> GloveFit:
    n_words, nnz = matrix.n_words, matrix.nnz
    generator = torch.Generator().manual_seed(seed)  # on the CPU: the same draws for every device

    # word table [w | b] and context table [c | b~], initialised like the Stanford tool
    width = dim + 1
    words = ((torch.rand(n_words, width, generator=generator) - 0.5) / dim).to(device)
    contexts = ((torch.rand(n_words, width, generator=generator) - 0.5) / dim).to(device)
    words_sq = torch.ones_like(words)
    contexts_sq = torch.ones_like(contexts)

    # compiled before the entries are laid out: its memory is not added to theirs
    step, compile_seconds = _step, None
    if compile_step and nnz >= batch_size:
        # distinct tensors: the compiled step would otherwise be specialised to aliased arguments
        ids = [torch.zeros(batch_size, dtype=torch.int32) for _ in range(2)]
        floats = [torch.ones(batch_size) for _ in range(2)]
        sample = (words, contexts, words_sq, contexts_sq, *ids, *floats, lr, dim)
        step, compile_seconds = _compile_step(sample)
    # the compiled step is as fast with int32 word ids (half the memory); the eager one needs int64
    ids_dtype = torch.int32 if compile_seconds is not None else torch.int64

    # shuffle the entries once; batches are contiguous slices visited in a new order each epoch
    order = _batch_order(nnz, batch_size, generator)
    # the float64 temporaries first, so that the peak holds one of them and none of the index arrays
    log_x, weight = _log_and_weight(matrix.values, order, x_max=x_max, alpha=alpha, device=device)
    rows = torch.as_tensor(matrix.rows)[order].to(device=device, dtype=ids_dtype)
    cols = torch.as_tensor(matrix.cols)[order].to(device=device, dtype=ids_dtype)
    del order
    n_batches = -(-nnz // batch_size)

    logger.info(
        "GloVe: %d words, %d non-zero entries, dim=%d, %d epochs, %d batches of %d on %s%s",
        n_words,
        nnz,
        dim,
        epochs,
        n_batches,
        batch_size,
        device,
        f" ({workers} Hogwild threads)" if workers > 1 else "",
    )

    def run_batches(batches: Sequence[int]) -> torch.Tensor:
        total = torch.zeros((), dtype=torch.float64, device=device)
        with torch.no_grad():  # grad mode is per thread (and the compiled step checks it)
            for b in batches:
                lo, hi = b * batch_size, min((b + 1) * batch_size, nnz)
                i, j = rows[lo:hi], cols[lo:hi]
                if hi - lo == batch_size:
                    batch_step = step
                else:  # the compiled step has the batch size built in: the last batch runs eagerly
                    batch_step, i, j = _step, i.long(), j.long()
                total += batch_step(words, contexts, words_sq, contexts_sq, i, j, log_x[lo:hi],
                                    weight[lo:hi], lr, dim)  # fmt: skip
        return total

    pool = ThreadPoolExecutor(workers, thread_name_prefix="glove") if workers > 1 else None
    report(progress, "train", "start", 0, epochs)
    losses: list[float] = []
    seconds: list[float] = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(n_batches, generator=generator).tolist()
        if pool is None:
            total = run_batches(order)
        else:  # every worker takes every workers-th batch of this epoch's order
            total = sum(pool.map(run_batches, [order[k::workers] for k in range(workers)]))
        loss = float(total) / nnz
        elapsed = time.perf_counter() - start
        if not math.isfinite(loss):
            if pool is not None:
                pool.shutdown()
            raise TrainingError(
                f"the loss became {loss} in epoch {epoch}",
                hint=f"lower lr (now {lr}) or batch_size (now {batch_size})",
            )
        losses.append(loss)
        seconds.append(elapsed)
        rate = nnz / elapsed if elapsed > 0 else float("inf")
        tokens_rate = matrix.n_tokens / elapsed if elapsed > 0 else float("inf")
        logger.info("epoch %d/%d: loss %.6f, %.1f s (%.0f entries/s)", epoch, epochs, loss, elapsed, rate)
        report(
            progress,
            "train",
            "step",
            epoch,
            epochs,
            loss=loss,
            seconds=elapsed,
            entries_per_s=rate,
            words_per_s=tokens_rate,
        )
    if pool is not None:
        pool.shutdown()
    report(progress, "train", "end", epochs, epochs, loss=losses[-1], seconds=sum(seconds))
    return GloveFit.from_packed(
        words, contexts, dim=dim, losses=losses, epoch_seconds=seconds, device=device,
        batch_size=batch_size, compile_seconds=compile_seconds,
    )  # fmt: skip


def _cxx_compiler() -> str | None:
    """The C++ compiler ``torch.compile`` would use on the CPU (``$CXX``, else g++/c++/clang++), or None."""
    candidates = [os.environ.get("CXX", ""), "g++", "c++", "clang++"]
    return next((found for name in candidates if name and (found := shutil.which(name))), None)


def _compile_step(sample: tuple[Any, ...]) -> tuple[Callable[..., torch.Tensor], float | None]:
    """The step compiled for the shapes of ``sample`` (``_step``'s arguments), and the seconds it took.

    ``torch.compile`` fuses the gathers, the arithmetic and the scatter-adds into a few C++
    loops, without the eager step's temporaries: on the enwiki matrix a batch took 1.8x less
    CPU time. The C++ wrapper (``cpp_wrapper``) releases the GIL while the kernels run, so
    Hogwild threads still train in parallel. The step is compiled here, on copies of the
    tables, so that training only runs it. Returns the uncompiled step and None, with a
    warning, when compiling fails.
    """
    started = time.perf_counter()
    tables, rest = sample[:4], sample[4:]
    try:
        compiled = torch.compile(_step, fullgraph=True, dynamic=False, options={"cpp_wrapper": True})
        with torch.no_grad():
            compiled(*(torch.ones_like(t) for t in tables), *rest)
    except Exception as exc:  # no or broken C++ compiler, unsupported platform, ...
        logger.warning(
            "could not compile the GloVe step, training uncompiled (%s: %s)", type(exc).__name__, exc
        )
        return _step, None
    elapsed = time.perf_counter() - started
    logger.info("compiled the GloVe step in %.1f s", elapsed)
    return compiled, elapsed


def _step(
    words: torch.Tensor,
    contexts: torch.Tensor,
    words_sq: torch.Tensor,
    contexts_sq: torch.Tensor,
    i: torch.Tensor,
    j: torch.Tensor,
    log_x: torch.Tensor,
    weight: torch.Tensor,
    lr: float,
    dim: int,
) -> torch.Tensor:
    """One AdaGrad step on a batch of entries; returns the batch's summed loss.

    Every pass over the batch's rows costs memory traffic, so the step makes few: two gathers
    of the tables, two of the accumulators, four scatter-adds. The step is negated up front so
    that ``index_add_`` runs with ``alpha=1`` (on the CPU PyTorch then takes its scatter-add
    kernel; ``alpha=-1`` took twice as long in a profile on the enwiki matrix), and AdaGrad
    multiplies by ``rsqrt`` rather than dividing by ``sqrt`` (``sqrt`` is several times
    slower per element on the CPU). With the entries of a batch sorted by row
    (:func:`_batch_order`) this is 1.5x faster per batch than the straightforward version.
    """
    w = words.index_select(0, i)  # (b, dim + 1): vector and bias
    c = contexts.index_select(0, j)
    diff = torch.linalg.vecdot(w[:, :dim], c[:, :dim])
    diff += w[:, dim]
    diff += c[:, dim]
    diff -= log_x
    fdiff = weight * diff
    loss = 0.5 * torch.dot(fdiff, diff).double()
    fdiff *= -lr
    # minus the gradients times lr, written over the gathered rows to save memory
    step_w = c.mul_(fdiff[:, None])
    step_w[:, dim] = fdiff
    step_c = w.mul_(fdiff[:, None])
    step_c[:, dim] = fdiff
    words_sq.index_add_(0, i, step_w * step_w)
    contexts_sq.index_add_(0, j, step_c * step_c)
    step_w *= words_sq.index_select(0, i).rsqrt_()
    step_c *= contexts_sq.index_select(0, j).rsqrt_()
    words.index_add_(0, i, step_w)
    contexts.index_add_(0, j, step_c)
    return loss


def _batch_order(nnz: int, batch_size: int, generator: torch.Generator) -> torch.Tensor:
    """A random order of the ``nnz`` entries, each batch-sized slice sorted.

    The batches are those of a plain ``randperm``; sorting the entry numbers inside each batch
    (the matrix is sorted by row) makes the batch visit the word table in row order, which
    makes its gathers and scatters faster and changes nothing else (a batch's update is a sum).
    """
    order = torch.randperm(nnz, generator=generator)
    entries = order.numpy()
    full = nnz - nnz % batch_size
    entries[:full].reshape(-1, batch_size).sort(axis=1)
    entries[full:].sort()
    return order


def _log_and_weight(
    values: np.ndarray, order: torch.Tensor, *, x_max: float, alpha: float, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """``log X`` and the weights ``min(1, (X / x_max) ** alpha)`` of the entries in ``order`` (float32)."""
    shuffled = torch.as_tensor(np.asarray(values, dtype=np.float64))[order]
    log_x64 = shuffled.log_()  # in place: one float64 temporary, not three
    log_x = log_x64.to(device=device, dtype=torch.float32)
    weight = log_x64.sub_(math.log(x_max)).mul_(alpha).exp_().clamp_(max=1.0)
    return log_x, weight.to(device=device, dtype=torch.float32)
