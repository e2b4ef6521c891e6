"""A freezing policy that knows what it froze, and stages long enough for small data.

:class:`FreezeRows` keeps chosen embedding rows fixed during the ``"frozen"`` stage while the
rest of the layer trains: the rows copied from pretrained vectors are worth protecting while
the freshly initialised head and RNN are still noisy, but the rows of words the vectors did
not have are random stand-ins that have nothing to lose and everything to learn. A gradient
hook zeroes the protected rows' gradients (so they neither move nor count in the gradient
norm that clipping sees), and after every optimiser step their values are put back (AdamW's
decoupled weight decay would otherwise shrink them).

:class:`RepeatedBatchSampler` makes an epoch of a small data set at least ``min_steps``
optimiser steps long by passing over the data several times, each pass a fresh shuffle. The
stage lengths stay counted in epochs (and so do patience and the validation rhythm), but an
epoch of 500 sentences no longer means 8 updates.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import torch
from torch.utils.data import Sampler

from nlptk.classify.callbacks import Callback

if TYPE_CHECKING:
    from nlptk.classify.learner import Learner

__all__ = ["FreezeRows", "RepeatedBatchSampler", "epoch_repeats"]

logger = logging.getLogger(__name__)


class FreezeRows(Callback):
    """Hold the embedding rows in ``mask`` fixed during the stages named in ``stages``.

    Parameters
    ----------
    mask : BoolTensor of shape (vocab_size,)
        True for the rows to keep fixed (the pretrained ones).
    stages : tuple of str, default=("frozen",)

    Attributes
    ----------
    steps_frozen : int
        Optimiser steps taken with the rows held.

    Examples
    --------
    >>> cb = FreezeRows(torch.tensor([False, True, False]))
    >>> learner = Learner(model, train_loader, callbacks=[cb], ...)   # doctest: +SKIP
    """

    name = "freeze_rows"

    def __init__(self, mask: torch.Tensor, stages: tuple[str, ...] = ("frozen",)) -> None:
        self.mask = mask.to(torch.bool)
        self.stages = stages
        self.steps_frozen = 0
        self._hook: Any = None
        self._saved: torch.Tensor | None = None
        self._index: torch.Tensor | None = None

    def on_fit_begin(self, learner: Learner) -> None:
        if learner.stage not in self.stages or not bool(self.mask.any()):
            return
        weight = learner.model.embedding.weight
        mask = self.mask.to(weight.device)
        self._index = torch.nonzero(mask).squeeze(1)
        self._saved = weight.detach()[self._index].clone()
        keep = (~mask).to(weight.dtype).unsqueeze(1)
        self._hook = weight.register_hook(lambda grad: grad * keep)
        logger.info(
            "stage %r: %d pretrained embedding rows held fixed, %d rows train",
            learner.stage,
            len(self._index),
            int((~mask).sum()),
        )

    def on_batch_end(self, learner: Learner, batch: int, n_batches: int, loss: float | None) -> None:
        if self._saved is None or self._index is None:
            return
        with torch.no_grad():
            learner.model.embedding.weight.index_copy_(0, self._index, self._saved)
        self.steps_frozen += 1

    def on_fit_end(self, learner: Learner) -> None:
        if self._hook is not None:
            self._hook.remove()
        self._hook, self._saved, self._index = None, None, None


def epoch_repeats(n_batches: int, min_steps: int) -> int:
    """Passes over the data per epoch so that an epoch has at least ``min_steps`` steps.

    Examples
    --------
    >>> epoch_repeats(8, 50), epoch_repeats(200, 50), epoch_repeats(8, 0)
    (7, 1, 1)
    """
    if min_steps <= 0 or n_batches <= 0:
        return 1
    return max(1, math.ceil(min_steps / n_batches))


class RepeatedBatchSampler(Sampler[list[int]]):
    """The batches of ``sampler``, ``repeats`` passes per epoch, each pass shuffled anew.

    Parameters
    ----------
    sampler : batch sampler with ``set_epoch`` (``BucketBatchSampler``)
    repeats : int

    Examples
    --------
    >>> from nlptk.classify.data import BucketBatchSampler
    >>> s = RepeatedBatchSampler(BucketBatchSampler([1, 2, 3], 2, shuffle=False), 2)
    >>> len(s), list(s)
    (4, [[0, 1], [2], [0, 1], [2]])
    """

    def __init__(self, sampler: Any, repeats: int) -> None:
        self.sampler = sampler
        self.repeats = max(1, int(repeats))
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.sampler) * self.repeats

    def __iter__(self) -> Iterator[list[int]]:
        for r in range(self.repeats):
            if hasattr(self.sampler, "set_epoch"):
                self.sampler.set_epoch(self.epoch * self.repeats + r)
            yield from self.sampler
