"""Cached frozen features: while everything below the head is frozen, encode each text once.

A frozen encoder gives the same output for the same input (in eval mode), so recomputing it
every epoch of a head-only stage is wasted work: the recurrent layers cost nearly all of an
epoch, the head almost nothing. :func:`build_feature_cache` runs the model's ``encode``
once over a dataset (eval mode, no gradients, batches sorted by length) and keeps the
pooled features; the head then trains on batches of cached features (see
:meth:`FeatureCache.loader`), which models accept in place of token ids
(``model(features, lengths)`` with a float tensor skips the encoder).

Where the features go is decided before anything is computed, from an estimate of their
size (``n_texts * output_size * 4`` bytes):

* in RAM when it fits ``memory_budget``;
* else in a ``numpy.memmap`` on disk (a temporary file, removed by :meth:`FeatureCache.close`
  or when the cache is used as a context manager) when the disk has room;
* else nowhere: :func:`build_feature_cache` returns ``None`` and logs why, and the stage
  runs the encoder on the fly.

One difference from the uncached stage: the encoder's dropout is off in the cache (eval
mode), as fastai's course describes for precomputed activations; the head's own dropout
still applies.

Example
-------
>>> cache = build_feature_cache(model, train_dataset, device=torch.device("cpu"))  # doctest: +SKIP
>>> for features, lengths, labels in cache.loader(batch_size=64, shuffle=True):    # doctest: +SKIP
...     logits = model(features, lengths)
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Sampler

from nlptk.classify.data import EncodedDataset, make_loader
from nlptk.errors import ParameterError

if TYPE_CHECKING:
    from nlptk.classify.learner import Learner

__all__ = [
    "FeatureCache",
    "build_feature_cache",
    "cache_plan",
    "cached_features",
    "encoder_frozen",
    "feature_bytes",
]

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
# room left on the disk beyond the cache file itself
_DISK_MARGIN = 512 * MIB


def feature_bytes(n_texts: int, width: int) -> int:
    """Bytes of ``n_texts`` float32 feature rows of ``width`` values (the cache's size).

    Examples
    --------
    >>> feature_bytes(6920, 768) / 2**20
    20.2734375
    """
    return int(n_texts) * int(width) * 4


def encoder_frozen(model: nn.Module) -> bool:
    """Whether every parameter outside ``model.head`` is frozen (and the head trains).

    Only then are the features below the head constant, so only then may they be cached.
    """
    head = getattr(model, "head", None)
    if head is None:
        return False
    head_ids = {id(p) for p in head.parameters()}
    below = [p for p in model.parameters() if id(p) not in head_ids]
    return bool(below) and not any(p.requires_grad for p in below)


@dataclass(frozen=True)
class CachePlan:
    """Where a feature cache would go: ``storage`` is ``"memory"``, ``"disk"`` or ``None``."""

    storage: str | None
    n_bytes: int
    reason: str


def cache_plan(
    n_bytes: int, *, memory_budget: int, directory: str | os.PathLike[str] | None = None
) -> CachePlan:
    """Decide where ``n_bytes`` of features go: RAM within ``memory_budget``, else disk, else none.

    Parameters
    ----------
    n_bytes : int
        The estimated cache size (:func:`feature_bytes`).
    memory_budget : int
        Bytes of RAM the cache may take.
    directory : path, optional
        Where a disk cache would be written (default: the system's temporary folder).

    Examples
    --------
    >>> cache_plan(10 * MIB, memory_budget=100 * MIB).storage
    'memory'
    >>> cache_plan(10**18, memory_budget=100 * MIB).storage is None
    True
    """
    if n_bytes <= memory_budget:
        fits = f"{n_bytes / MIB:.1f} MiB fit the {memory_budget / MIB:.0f} MiB budget"
        return CachePlan("memory", n_bytes, fits)
    folder = Path(directory) if directory is not None else Path(tempfile.gettempdir())
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        return CachePlan(None, n_bytes, f"cannot check the free disk space in {folder} ({exc})")
    if n_bytes + _DISK_MARGIN <= free:
        return CachePlan(
            "disk",
            n_bytes,
            f"{n_bytes / MIB:.1f} MiB exceed the {memory_budget / MIB:.0f} MiB memory budget; "
            f"memory-mapped in {folder} ({free / MIB:.0f} MiB free)",
        )
    return CachePlan(
        None,
        n_bytes,
        f"{n_bytes / MIB:.1f} MiB exceed the {memory_budget / MIB:.0f} MiB memory budget and the "
        f"{free / MIB:.0f} MiB free in {folder}",
    )


class _FeatureDataset(Dataset):
    """Rows of a feature matrix with their labels (what the batch sampler indexes)."""

    def __init__(self, features: np.ndarray, labels: torch.Tensor) -> None:
        self.features = features
        self.labels = labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[np.ndarray, torch.Tensor]:
        return self.features[i], self.labels[i]


class _ShuffledBatches(Sampler[list[int]]):
    """Index batches in a seeded order per epoch (``set_epoch``), as the token batches are.

    A final batch of one example is merged into the one before it: a head with batch
    normalisation cannot train on a batch of one.
    """

    def __init__(self, n: int, batch_size: int, *, shuffle: bool, seed: int) -> None:
        if batch_size < 1:
            raise ParameterError(f"batch_size={batch_size} must be >= 1")
        self.n, self.batch_size, self.shuffle, self.seed = n, batch_size, shuffle, seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _bounds(self) -> list[int]:
        starts = list(range(0, self.n, self.batch_size))
        if len(starts) > 1 and self.n - starts[-1] == 1:
            starts.pop()
        return [*starts, self.n]

    def __len__(self) -> int:
        return max(len(self._bounds()) - 1, 0)

    def __iter__(self) -> Iterator[list[int]]:
        order = (
            np.random.default_rng(self.seed + self.epoch).permutation(self.n)
            if self.shuffle
            else np.arange(self.n)
        )
        bounds = self._bounds()
        for start, stop in itertools.pairwise(bounds):
            yield np.sort(order[start:stop]).tolist()  # sorted: sequential reads from a memmap


def _collate_features(batch: list[tuple[np.ndarray, torch.Tensor]]) -> tuple[torch.Tensor, ...]:
    features = torch.from_numpy(np.stack([np.asarray(f, dtype=np.float32) for f, _ in batch]))
    labels = torch.stack([y for _, y in batch])
    # the lengths are not used with features; ones keep the (x, lengths, y) batch shape
    return features, torch.ones(len(batch), dtype=torch.long), labels


@dataclass
class FeatureCache:
    """Pooled features of a dataset's texts, computed once by a frozen encoder.

    Attributes
    ----------
    features : ndarray of shape (n_texts, width), float32
        In RAM, or a read-only ``numpy.memmap``.
    labels : LongTensor of shape (n_texts,)
    storage : {"memory", "disk"}
    path : Path or None
        The memory-mapped file (disk storage only).
    seconds : float
        Time spent computing the features.
    """

    features: np.ndarray
    labels: torch.Tensor
    storage: str
    path: Path | None = None
    seconds: float = 0.0
    _closed: bool = field(default=False, repr=False)

    @property
    def n_bytes(self) -> int:
        return int(self.features.nbytes)

    def loader(self, *, batch_size: int, shuffle: bool, seed: int = 0) -> DataLoader:
        """Batches ``(features (B, width) float, lengths (B,) ones, labels (B,))``.

        With ``shuffle`` the order changes per epoch (``loader.batch_sampler.set_epoch``).
        """
        if self._closed:
            raise ParameterError("this feature cache was closed")
        dataset = _FeatureDataset(self.features, self.labels)
        sampler = _ShuffledBatches(len(dataset), batch_size, shuffle=shuffle, seed=seed)
        # the whole batch at once: indexing a matrix with a list beats per-row gets
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=_collate_features, num_workers=0)

    def close(self) -> None:
        """Release the features and remove the disk file, if any."""
        if self._closed:
            return
        self._closed = True
        if isinstance(self.features, np.memmap):
            mm = self.features._mmap  # numpy keeps the open mmap here
            if mm is not None:
                mm.close()
        self.features = np.zeros((0, self.features.shape[1]), np.float32)
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            logger.debug("feature cache file %s removed", self.path)

    def __enter__(self) -> FeatureCache:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten disk cache must not outlive the process
        with contextlib.suppress(Exception):  # interpreter shutdown
            self.close()


@torch.no_grad()
def build_feature_cache(
    model: nn.Module,
    dataset: EncodedDataset,
    *,
    device: torch.device,
    memory_budget: int = 1024 * MIB,
    directory: str | os.PathLike[str] | None = None,
    batch_size: int = 256,
    mixed_precision: bool = False,
) -> FeatureCache | None:
    """Encode every text of ``dataset`` once with the (frozen) model's encoder, in eval mode.

    Parameters
    ----------
    model : nn.Module
        Has ``encode(ids, lengths) -> (batch, output_size)`` and ``output_size``.
    dataset : EncodedDataset
        Token ids and labels.
    device : torch.device
    memory_budget : int, default=1 GiB
        Bytes of RAM the features may take; larger caches go to a memory-mapped file.
    directory : path, optional
        Folder of a disk cache (default: the system's temporary folder).
    batch_size : int, default=256
    mixed_precision : bool, default=False
        Encode under ``torch.autocast`` (CUDA only); the cache is float32 either way.

    Returns
    -------
    FeatureCache or None
        ``None`` when the features fit neither the memory budget nor the disk (logged).
    """
    import time

    width = int(model.output_size)
    n = len(dataset)
    plan = cache_plan(feature_bytes(n, width), memory_budget=memory_budget, directory=directory)
    if plan.storage is None:
        logger.info("frozen features not cached (encoder runs on the fly): %s", plan.reason)
        return None
    path: Path | None = None
    if plan.storage == "memory":
        features: np.ndarray = np.empty((n, width), dtype=np.float32)
    else:
        fd, name = tempfile.mkstemp(prefix="nlptk-features-", suffix=".f32", dir=directory)
        os.close(fd)
        path = Path(name)
        features = np.memmap(path, dtype=np.float32, mode="w+", shape=(max(n, 1), width))[:n]
    started = time.perf_counter()
    was_training = model.training
    model.eval()
    use_amp = bool(mixed_precision and device.type == "cuda")
    try:
        loader = make_loader(dataset, batch_size=batch_size, shuffle=False)
        for indices, (x, lengths, _) in zip(loader.batch_sampler, loader, strict=True):
            with torch.autocast(device.type, enabled=use_amp):
                out = model.encode(x.to(device), lengths)
            features[np.asarray(indices)] = out.float().cpu().numpy()
    except BaseException:
        if path is not None:
            del features
            path.unlink(missing_ok=True)
        raise
    finally:
        model.train(was_training)
    if isinstance(features, np.memmap):
        features.flush()
    seconds = time.perf_counter() - started
    if not np.isfinite(features).all():
        bad = int((~np.isfinite(features).all(axis=1)).sum())
        logger.warning("%d of %d cached feature rows are not finite", bad, n)
    logger.info(
        "frozen features of %d texts cached in %s (%s) in %.1fs",
        n,
        plan.storage,
        plan.reason,
        seconds,
    )
    return FeatureCache(features, dataset.labels.clone(), plan.storage, path, seconds=round(seconds, 3))


def memory_budget_bytes(mib: float) -> int:
    """A budget given in MiB (the ``cache_memory`` setting) in bytes."""
    if not (mib >= 0 and math.isfinite(mib)):
        raise ParameterError(f"cache_memory={mib!r} must be a number of MiB >= 0")
    return int(mib * MIB)


@contextlib.contextmanager
def cached_features(
    learner: Learner,
    *,
    memory_budget: int = 1024 * MIB,
    directory: str | os.PathLike[str] | None = None,
) -> Iterator[bool]:
    """Train and validate ``learner`` on cached features while its encoder is frozen.

    Inside the ``with`` block the learner's training and validation loaders yield cached
    features instead of token ids (same batch size, seeded shuffling per epoch); on exit
    they are restored and the cache is removed. Yields whether the cache is in use: no when
    something below the head trains, or when the features fit neither memory nor disk
    (logged).

    Examples
    --------
    >>> freeze_to(learner.model, 1)                                 # doctest: +SKIP
    >>> with cached_features(learner, memory_budget=2**30):         # doctest: +SKIP
    ...     learner.fit_one_cycle(1, 1e-2, stage="head")
    """
    model = learner.model
    if not encoder_frozen(model):
        logger.debug("not caching features: some layers below the head train")
        yield False
        return
    loaders = {"train_loader": learner.train_loader, "val_loader": learner.val_loader}
    caches: list[FeatureCache] = []
    cached: dict[str, DataLoader] = {}
    try:
        budget = memory_budget
        for name, loader in loaders.items():
            if loader is None:
                continue
            dataset = loader.dataset
            sampler = loader.batch_sampler
            cache = build_feature_cache(
                model,
                dataset,
                device=learner.device,
                memory_budget=budget,
                directory=directory,
                mixed_precision=learner.use_amp,
            )
            if cache is None:
                yield False
                return
            caches.append(cache)
            if cache.storage == "memory":
                budget = max(budget - cache.n_bytes, 0)
            cached[name] = cache.loader(
                batch_size=getattr(sampler, "batch_size", 64),
                shuffle=bool(getattr(sampler, "shuffle", name == "train_loader")),
                seed=int(getattr(sampler, "seed", 0)),
            )
        for name, loader in cached.items():
            setattr(learner, name, loader)
        yield True
    finally:
        for name, loader in loaders.items():
            setattr(learner, name, loader)
        for cache in caches:
            cache.close()
