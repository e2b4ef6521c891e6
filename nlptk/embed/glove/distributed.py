"""GloVe across processes (``torchrun``): sharded counting, then data-parallel training.

**Counting.** The tokens file is cut into ``world_size`` byte ranges at line ends (windows
never cross a line, so no pair is lost or counted twice at a cut). Each rank counts the words
of its range; rank 0 sums the counts, picks the vocabulary exactly as one process would, and
broadcasts it. Each rank then counts the (symmetrised) co-occurrences of its range, in the
integer units of :func:`~nlptk.embed.glove.cooccur.weight_scale`, and sends every entry
``(i, j)`` to the rank that owns row ``i`` (``i % world_size``), where the entries with the same
key are summed. Integer sums do not depend on their order, so the union of the ranks' rows
is the single-process matrix bit for bit (for windows up to
:data:`~nlptk.embed.glove.cooccur.EXACT_WINDOW`; larger windows agree to rounding).

**Training.** Each rank trains on the entries of the rows it owns, with the single-process
AdaGrad step (:func:`nlptk.embed.glove.trainer._step`). The synchronisation scheme:

* word vectors and biases (``W``, ``b`` and their AdaGrad sums) are only ever updated by the
  owner of their row, so they need no communication while training; at the end, the ranks'
  changes are summed (each row has exactly one non-zero change) so every rank holds all of W;
* context vectors and biases (``C``, ``b~`` and their AdaGrad sums) are updated by every rank;
  ``syncs_per_epoch`` times per epoch the ranks' changes since the last synchronisation are
  summed with one all-reduce (a delta all-reduce: like the Stanford tool's lock-free threads,
  where every thread's update lands in the shared table, except that a rank sees the
  others' updates only at the next synchronisation).

All ranks take the same number of steps per epoch (each splits its entries into that many
slices). Per synchronisation each rank sends and receives about
``2 * 2 * n_words * (dim + 1) * 4`` bytes (two float32 tables, ring all-reduce), whatever the
number of entries. Every rank ends with the same vectors; the run is deterministic for a
given seed and world size.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from nlptk.distributed import DistContext, collective_errors
from nlptk.errors import DataError, NlptkError, ParameterError, TrainingError
from nlptk.io import check_input_file, strip_compression_suffix
from nlptk.progress import ProgressCallback, report

from .cooccur import (
    CooccurrenceMatrix,
    _as_weights,
    _block_plan,
    _check_count_params,
    _count_left,
    _symmetric_values,
    _word_index,
)
from .trainer import GloveFit, _check_fit_params, _step, auto_batch_size
from .vocabulary import _count_words, _select_vocabulary

__all__ = [
    "count_cooccurrences_sharded",
    "fit_glove_distributed",
    "gather_matrix",
    "line_ranges",
    "rows_of_rank",
    "sync_bytes",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


def line_ranges(path: PathLike, parts: int) -> list[tuple[int, int]]:
    """``parts`` byte ranges ``[start, end)`` covering the file, each cut just after a newline.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_bytes(b"a b\\nc d e\\nf\\n")
    >>> line_ranges(p, 2)
    [(0, 10), (10, 12)]
    """
    size = Path(path).stat().st_size
    cuts = [0]
    with open(path, "rb") as handle:
        for k in range(1, parts):
            target = max(k * size // parts, cuts[-1])
            if target == 0 or target >= size:
                cuts.append(min(target, size))
                continue
            handle.seek(target - 1)
            position = target - 1
            while True:  # the byte after the first newline at or after target - 1
                chunk = handle.read(1 << 16)
                if not chunk:
                    position = size
                    break
                found = chunk.find(b"\n")
                if found >= 0:
                    position += found + 1
                    break
                position += len(chunk)
            cuts.append(position)
    cuts.append(size)
    return [(cuts[k], cuts[k + 1]) for k in range(parts)]


def rows_of_rank(rows: np.ndarray, ctx: DistContext) -> np.ndarray:
    """Mask of the entries whose row this rank owns (``row % world_size == rank``)."""
    return (np.asarray(rows) % ctx.world_size) == ctx.rank


def _broadcast_result(ctx: DistContext, make: Any) -> Any:
    """``make()`` on rank 0, its result (or its error, raised again) on every rank."""
    if not ctx.active:
        return make()
    payload: Any = None
    if ctx.is_main:
        try:
            payload = ("ok", make())
        except NlptkError as exc:
            payload = ("error", type(exc).__name__, str(exc))
    box = [payload]
    dist.broadcast_object_list(box, src=0, group=ctx.cpu_group())
    if box[0][0] == "error":
        if ctx.is_main:
            make()  # raise the original error again, with its path and hint
        kind = ParameterError if box[0][1] == "ParameterError" else DataError
        raise kind(f"rank 0 reports: {box[0][2]}")
    return box[0][1]


def count_cooccurrences_sharded(
    tokens_file: PathLike,
    ctx: DistContext,
    *,
    window: int = 15,
    min_count: int = 5,
    max_vocab: int | None = None,
    symmetric: bool = True,
    memory: float = 4.0,
    progress: ProgressCallback | None = None,
) -> CooccurrenceMatrix:
    """Count co-occurrences on ``ctx.world_size`` ranks; return this rank's rows.

    Parameters are those of :func:`~nlptk.embed.glove.cooccur.count_cooccurrences`; every
    rank must call this with the same ones, on the same file (checked by its size and the
    vocabulary). The result holds the full vocabulary and the entries of the rows
    ``i % world_size == rank``; :func:`gather_matrix` assembles the whole matrix.

    Raises
    ------
    ParameterError
        A compressed tokens file (the ranks seek to their byte range).
    """
    _check_count_params(window, min_count, max_vocab, memory)
    path = check_input_file(tokens_file, what="tokens file")
    if strip_compression_suffix(path) != path.name:
        raise ParameterError(
            "sharded counting reads byte ranges of the tokens file, which a compressed file does not allow",
            path=path,
            hint="decompress it first (nlptk's tokens cache is plain text)",
        )
    started = time.perf_counter()
    start, end = line_ranges(path, ctx.world_size)[ctx.rank]
    with collective_errors(ctx, "counting the vocabulary"):
        counted = _count_words(path, start, end)
        parts = ctx.gather_object(counted)

        def select() -> Any:
            assert parts is not None
            total: Counter[str] = Counter()
            for counter, _, _ in parts:
                total.update(counter)
            n_lines, n_chars = sum(p[1] for p in parts), sum(p[2] for p in parts)
            return _select_vocabulary(total, n_lines, n_chars, path, min_count=min_count, max_vocab=max_vocab)

        vocab = _broadcast_result(ctx, select)
    block_bytes, total_blocks = _block_plan(vocab, window, memory)
    report(progress, "count", "start", 0, -(-total_blocks // ctx.world_size), words=len(vocab.words))
    left, n_pairs, scale = _count_left(
        path, _word_index(vocab.words), window=window, memory=memory, block_bytes=block_bytes,
        total_blocks=-(-total_blocks // ctx.world_size), start=start, end=end, progress=progress,
    )  # fmt: skip
    coo = _symmetric_values(left, symmetric)
    del left
    with collective_errors(ctx, "exchanging co-occurrence counts"):
        rows, cols, values, sent = _exchange(coo.row, coo.col, coo.data, len(vocab.words), ctx)
    elapsed = time.perf_counter() - started
    logger.info(
        "rank %d of %d: bytes %d-%d, %d pairs counted, %d entries sent, %d entries owned (%.1f s)",
        ctx.rank, ctx.world_size, start, end, n_pairs, sent, len(rows), elapsed,
    )  # fmt: skip
    matrix = CooccurrenceMatrix(
        rows=rows,
        cols=cols,
        values=_as_weights(values, scale),
        words=vocab.words,
        counts=vocab.counts,
        window=window,
        symmetric=symmetric,
        min_count=min_count,
        max_vocab=max_vocab,
        n_tokens=vocab.n_tokens,
        n_documents=vocab.n_documents,
        extra={"shard": {"rank": ctx.rank, "world_size": ctx.world_size, "entries_sent": sent}},
    )
    report(progress, "count", "end", 1, 1, nnz=matrix.nnz, seconds=elapsed)
    return matrix


def _split_by_owner(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_words: int, world: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The entries as ``(keys, values)`` per owner rank (``row % world``); key = row * n_words + col."""
    keys = rows.astype(np.int64) * n_words + cols.astype(np.int64)
    owner = rows.astype(np.int64) % world
    order = np.argsort(owner, kind="stable")
    keys, values = keys[order], values[order]
    offsets = np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=world))))
    return [(keys[offsets[o] : offsets[o + 1]], values[offsets[o] : offsets[o + 1]]) for o in range(world)]


def _sum_by_key(
    parts: list[tuple[np.ndarray, np.ndarray]], n_words: int, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum the values of equal keys over all parts: ``(rows, cols, sums)`` sorted by row, then column."""
    if not parts or not sum(len(k) for k, _ in parts):
        empty = np.empty(0, np.int32)
        return empty, empty, np.empty(0, dtype)
    keys = np.concatenate([k for k, _ in parts])
    values = np.concatenate([v for _, v in parts])
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    firsts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    sums = np.add.reduceat(values, firsts)
    unique = keys[firsts]
    return (unique // n_words).astype(np.int32), (unique % n_words).astype(np.int32), sums


def _exchange(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_words: int, ctx: DistContext
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Send each entry to the owner of its row; sum the entries received by key.

    Returns this rank's ``(rows, cols, values, entries sent to others)``, sorted by row then column.
    """
    world = ctx.world_size
    outgoing = _split_by_owner(rows, cols, values, n_words, world)
    sent = sum(len(k) for o, (k, _) in enumerate(outgoing) if o != ctx.rank)
    if not ctx.active:
        return (*_sum_by_key(outgoing, n_words, values.dtype), 0)
    group = ctx.cpu_group()
    counts = torch.tensor([len(k) for k, _ in outgoing], dtype=torch.int64)
    sizes = [torch.zeros(world, dtype=torch.int64) for _ in range(world)]
    dist.all_gather(sizes, counts, group=group)
    size_table = torch.stack(sizes).numpy()  # [source, destination]
    value_dtype = torch.from_numpy(values[:0]).dtype
    received: list[tuple[np.ndarray, np.ndarray]] = []
    for dst in range(world):
        longest = int(size_table[:, dst].max())
        if longest == 0:
            continue
        keys_out, values_out = outgoing[dst]
        send_keys = torch.zeros(longest, dtype=torch.int64)
        send_keys[: len(keys_out)] = torch.from_numpy(keys_out)
        send_values = torch.zeros(longest, dtype=value_dtype)
        send_values[: len(values_out)] = torch.from_numpy(values_out)
        if ctx.rank == dst:
            got_keys = [torch.empty(longest, dtype=torch.int64) for _ in range(world)]
            got_values = [torch.empty(longest, dtype=value_dtype) for _ in range(world)]
            dist.gather(send_keys, got_keys, dst=dst, group=group)
            dist.gather(send_values, got_values, dst=dst, group=group)
            for src in range(world):
                m = int(size_table[src, dst])
                received.append((got_keys[src][:m].numpy(), got_values[src][:m].numpy()))
        else:
            dist.gather(send_keys, None, dst=dst, group=group)
            dist.gather(send_values, None, dst=dst, group=group)
    return (*_sum_by_key(received, n_words, values.dtype), sent)


def gather_matrix(shard: CooccurrenceMatrix, ctx: DistContext) -> CooccurrenceMatrix | None:
    """The whole matrix on rank 0 (None on the others), from every rank's rows."""
    parts = ctx.gather_object((shard.rows, shard.cols, shard.values))
    if parts is None:
        return None
    rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    values = np.concatenate([p[2] for p in parts])
    order = np.argsort(rows.astype(np.int64) * shard.n_words + cols, kind="stable")
    extra = {k: v for k, v in shard.extra.items() if k != "shard"}
    return CooccurrenceMatrix(
        rows=rows[order], cols=cols[order], values=values[order], words=shard.words, counts=shard.counts,
        window=shard.window, symmetric=shard.symmetric, weighting=shard.weighting,
        min_count=shard.min_count, max_vocab=shard.max_vocab, n_tokens=shard.n_tokens,
        n_documents=shard.n_documents, extra=extra,
    )  # fmt: skip


def sync_bytes(n_words: int, dim: int) -> int:
    """Bytes of the two float32 tables (``C`` with ``b~``, and its AdaGrad sums) all-reduced per sync."""
    return 2 * n_words * (dim + 1) * 4


def fit_glove_distributed(
    shard: CooccurrenceMatrix,
    ctx: DistContext,
    *,
    dim: int = 50,
    x_max: float = 100.0,
    alpha: float = 0.75,
    epochs: int = 15,
    lr: float = 0.05,
    batch_size: int | None = None,
    seed: int = 0,
    syncs_per_epoch: int = 4,
    progress: ProgressCallback | None = None,
) -> GloveFit:
    """Train GloVe on this rank's rows, synchronising with the other ranks (module docstring).

    Parameters are those of :func:`~nlptk.embed.glove.trainer.fit_glove`, plus
    ``syncs_per_epoch`` (delta all-reduces of the context table per epoch). ``batch_size``
    is per rank (default from the total number of entries, as in one process).

    Returns
    -------
    GloveFit
        The same on every rank.
    """
    if syncs_per_epoch < 1:
        raise ParameterError(f"syncs_per_epoch must be >= 1, got {syncs_per_epoch}")
    device = ctx.device
    with collective_errors(ctx, "GloVe training"), torch.no_grad():
        total = ctx.sum_(torch.tensor([shard.nnz], dtype=torch.int64, device=device))
        total_nnz = int(total.item())
        if batch_size is None:
            batch_size = auto_batch_size(total_nnz)
        _check_fit_params(dim=dim, x_max=x_max, alpha=alpha, epochs=epochs, lr=lr, batch_size=batch_size)
        if total_nnz == 0:
            raise TrainingError(
                "the co-occurrence matrix is empty: no two vocabulary words share a window",
                hint="give a larger corpus, a larger window or a lower min_count",
            )
        return _fit_shard(shard, ctx, total_nnz, dim, x_max, alpha, epochs, lr, batch_size, seed,
                          syncs_per_epoch, progress)  # fmt: skip


def _fit_shard(
    shard: CooccurrenceMatrix,
    ctx: DistContext,
    total_nnz: int,
    dim: int,
    x_max: float,
    alpha: float,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int,
    syncs_per_epoch: int,
    progress: ProgressCallback | None,
) -> GloveFit:
    device = ctx.device
    n_words, nnz = shard.n_words, shard.nnz
    generator = torch.Generator().manual_seed(seed)  # the same initial tables on every rank
    width = dim + 1
    words = ((torch.rand(n_words, width, generator=generator) - 0.5) / dim).to(device)
    contexts = ((torch.rand(n_words, width, generator=generator) - 0.5) / dim).to(device)
    words_start = words.clone()
    words_sq = torch.ones_like(words)
    contexts_sq = torch.ones_like(contexts)
    synced = [contexts.clone(), contexts_sq.clone()]  # the tables as of the last synchronisation

    local = torch.Generator().manual_seed(seed * 1_000_003 + 1 + ctx.rank)
    order = torch.randperm(nnz, generator=local)
    values = torch.from_numpy(np.asarray(shard.values, dtype=np.float64))[order]
    rows = torch.from_numpy(np.asarray(shard.rows, dtype=np.int64))[order].to(device)
    cols = torch.from_numpy(np.asarray(shard.cols, dtype=np.int64))[order].to(device)
    log_x = values.log().to(torch.float32).to(device)
    weight = (values / x_max).pow(alpha).clamp_(max=1.0).to(torch.float32).to(device)
    del values, order

    steps_here = torch.tensor([max(1, -(-nnz // batch_size))], dtype=torch.int64, device=device)
    if ctx.active:
        dist.all_reduce(steps_here, op=dist.ReduceOp.MAX)
    steps = int(steps_here.item())
    bounds = np.linspace(0, nnz, steps + 1).astype(np.int64)  # every rank takes `steps` slices
    sync_every = max(1, math.ceil(steps / syncs_per_epoch))
    logger.info(
        "GloVe rank %d of %d: %d of %d entries, %d steps per epoch, sync every %d steps (%.1f MB each)",
        ctx.rank, ctx.world_size, nnz, total_nnz, steps, sync_every, sync_bytes(n_words, dim) / 1e6,
    )  # fmt: skip

    def synchronise() -> None:
        for table, reference in zip((contexts, contexts_sq), synced, strict=True):
            delta = table - reference
            ctx.sum_(delta)
            reference += delta
            table.copy_(reference)

    report(progress, "train", "start", 0, epochs)
    losses: list[float] = []
    seconds: list[float] = []
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        loss_sum = torch.zeros((), dtype=torch.float64, device=device)
        for k, b in enumerate(torch.randperm(steps, generator=local).tolist()):
            lo, hi = int(bounds[b]), int(bounds[b + 1])
            if hi > lo:
                loss_sum += _step(words, contexts, words_sq, contexts_sq, rows[lo:hi], cols[lo:hi],
                                  log_x[lo:hi], weight[lo:hi], lr, dim)  # fmt: skip
            if (k + 1) % sync_every == 0 or k == steps - 1:
                synchronise()
        loss = float(ctx.sum_(loss_sum)) / total_nnz
        elapsed = time.perf_counter() - started
        if not math.isfinite(loss):
            raise TrainingError(
                f"the loss became {loss} in epoch {epoch}",
                hint=f"lower lr (now {lr}) or batch_size (now {batch_size})",
            )
        losses.append(loss)
        seconds.append(elapsed)
        logger.info("epoch %d/%d: loss %.6f, %.1f s", epoch, epochs, loss, elapsed)
        report(progress, "train", "step", epoch, epochs, loss=loss, seconds=elapsed)
    delta = words - words_start  # each row changed on its owner only
    ctx.sum_(delta)
    words = words_start + delta
    report(progress, "train", "end", epochs, epochs, loss=losses[-1], seconds=sum(seconds))
    return GloveFit.from_packed(
        words, contexts, dim=dim, losses=losses, epoch_seconds=seconds, device=device, batch_size=batch_size
    )
