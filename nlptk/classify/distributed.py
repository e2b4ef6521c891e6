"""The classifier under ``torchrun``: each rank's share of the length-bucketed batches.

``--batch-size`` keeps its meaning: the **global** batch. Every rank builds the same sequence
of length-bucketed batches (:class:`~nlptk.classify.data.BucketBatchSampler`, seeded per
epoch) and takes every ``world_size``-th text of each, starting at its rank; the texts of a
bucketed batch have similar lengths, so every rank's slice does too (little padding on each
rank). DDP averages the ranks' gradients, so a step on ``N`` ranks is the step one process
takes on the whole batch, and the number of steps per epoch (what the one-cycle schedule
counts) does not depend on ``N``: a checkpoint written by 2 ranks resumes on 1, or on 4,
with the same schedule. To use more hardware per step, raise ``--batch-size`` (and the rate).

Validation batches are split the same way (without shuffling); the ranks' logits are
gathered before the metrics are computed, so loss, accuracy and macro-F1 are those of the
whole validation set, identical on every rank.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler

from nlptk.distributed import DistContext, check_same, digest
from nlptk.errors import DataError, ParameterError

__all__ = ["ShardedBatchSampler", "check_world_size", "data_checksums", "distribute", "shard_loader"]

logger = logging.getLogger(__name__)


class ShardedBatchSampler(Sampler[list[int]]):
    """This rank's slice of each batch of another batch sampler.

    Parameters
    ----------
    batches : Sampler of list of int
        The global batches (every rank must build the same ones).
    rank, world_size : int
    pad : bool, default=True
        For training: a batch with fewer texts than ranks is repeated until every rank has
        one (every rank must take every step). Without it (validation), ranks whose slice is
        empty skip that batch, and no text is seen twice.

    Examples
    --------
    >>> from nlptk.classify.data import BucketBatchSampler
    >>> inner = BucketBatchSampler([5, 1, 4, 2, 3], batch_size=4, shuffle=False)
    >>> list(inner)
    [[1, 3, 4, 2], [0]]
    >>> list(ShardedBatchSampler(inner, 0, 2)), list(ShardedBatchSampler(inner, 1, 2))
    ([[1, 4], [0]], [[3, 2], [0]])
    >>> list(ShardedBatchSampler(inner, 1, 2, pad=False))
    [[3, 2]]
    """

    sharded = True

    def __init__(self, batches: Any, rank: int, world_size: int, *, pad: bool = True) -> None:
        if not 0 <= rank < world_size:
            raise ParameterError(f"rank={rank} is outside 0..{world_size - 1}")
        self.batches = batches
        self.rank = rank
        self.world_size = world_size
        self.pad = pad

    def set_epoch(self, epoch: int) -> None:
        """Forwarded to the global sampler (every rank shuffles alike)."""
        if hasattr(self.batches, "set_epoch"):
            self.batches.set_epoch(epoch)

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[list[int]]:
        for batch in self.batches:
            if len(batch) < self.world_size:
                if not self.pad:
                    if self.rank < len(batch):
                        yield [batch[self.rank]]
                    continue
                batch = list(np.resize(np.asarray(batch), self.world_size))
            yield [int(i) for i in batch[self.rank :: self.world_size]]


def shard_loader(loader: DataLoader, ctx: DistContext, *, pad: bool) -> DataLoader:
    """The same loader, yielding only this rank's slice of each batch (``loader`` itself in one process)."""
    if not ctx.active:
        return loader
    return DataLoader(
        loader.dataset,
        batch_sampler=ShardedBatchSampler(loader.batch_sampler, ctx.rank, ctx.world_size, pad=pad),
        collate_fn=loader.collate_fn,
        num_workers=loader.num_workers,
        pin_memory=loader.pin_memory,
    )


def check_world_size(ctx: DistContext, *, n_train: int, batch_size: int) -> None:
    """Refuse a world size that leaves ranks without work.

    Raises
    ------
    ParameterError
        More ranks than texts per batch (``batch_size``): some ranks would have no text in
        any step.
    DataError
        More ranks than training texts.
    """
    if not ctx.active:
        return
    if n_train < ctx.world_size:
        raise DataError(
            f"{n_train} training texts cannot be shared by {ctx.world_size} ranks",
            hint="train in one process (without torchrun) or on more data",
        )
    if batch_size < ctx.world_size:
        raise ParameterError(
            f"batch_size={batch_size} is the global batch, split over the ranks: {ctx.world_size} "
            f"ranks need batch_size >= {ctx.world_size}",
            hint=f"raise --batch-size (to {ctx.world_size * 32}, say) or start fewer ranks",
        )


def data_checksums(prepared: Any) -> dict[str, str]:
    """What every rank must agree on before training: classes, vocabulary, encoded training and
    validation texts with their labels, and the initial embedding matrix (from the vectors)."""

    def dataset_digest(loader: DataLoader) -> str:
        ds = loader.dataset
        ids = torch.cat(ds.ids) if len(ds.ids) else torch.empty(0, dtype=torch.long)
        return digest(ids, np.asarray(ds.lengths), ds.labels)

    return {
        "classes": digest(list(prepared.classes)),
        "vocabulary": digest(list(prepared.vocab.words)),
        "training data": dataset_digest(prepared.train_loader),
        "validation data": dataset_digest(prepared.val_loader),
        "vectors": digest(prepared.model.embedding.weight),
    }


def distribute(prepared: Any, ctx: DistContext, *, batch_size: int) -> None:
    """Check that the ranks agree and may share the work, then give each its share of the batches.

    ``prepared`` (the trainer's data and model) gets sharded ``train_loader`` and
    ``val_loader``. Nothing happens in one process.

    Raises
    ------
    DataError
        The ranks read different data or vectors (a checksum differs), or fewer texts than ranks.
    ParameterError
        More ranks than texts per batch.
    """
    if not ctx.active:
        return
    check_same(ctx, data_checksums(prepared))
    check_world_size(ctx, n_train=prepared.n_train, batch_size=batch_size)
    prepared.train_loader = shard_loader(prepared.train_loader, ctx, pad=True)
    prepared.val_loader = shard_loader(prepared.val_loader, ctx, pad=False)
    logger.info(
        "rank %d of %d: %d batches per epoch, about %d texts of each", ctx.rank, ctx.world_size,
        len(prepared.train_loader), -(-batch_size // ctx.world_size),
    )  # fmt: skip
