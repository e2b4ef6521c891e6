"""Callbacks for :class:`~nlptk.classify.learner.Learner`: early stopping with the best weights,
a "last" checkpoint after every epoch, and progress reports.

A callback overrides any of ``on_fit_begin``, ``on_batch_end``, ``on_epoch_end`` and
``on_fit_end``; callbacks with state that a resumed run needs implement ``state_dict`` and
``load_state_dict`` (plain values and tensors only, so checkpoints load with
``weights_only=True``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from nlptk.progress import ProgressCallback, report

if TYPE_CHECKING:
    from nlptk.classify.learner import Learner

__all__ = ["Callback", "EarlyStopping", "LastCheckpoint", "ProgressReporter"]

logger = logging.getLogger(__name__)


class Callback:
    """Base class: hooks called by the learner; all do nothing by default."""

    name: str = "callback"

    def on_fit_begin(self, learner: Learner) -> None:
        """Start of a ``fit`` call (one per stage)."""

    def on_batch_end(self, learner: Learner, batch: int, n_batches: int, loss: float | None) -> None:
        """After each optimizer step; ``loss`` is only given every few batches (it costs a sync)."""

    def on_epoch_end(self, learner: Learner, record: dict[str, Any]) -> None:
        """After an epoch's validation; ``record`` is the history entry just added."""

    def on_fit_end(self, learner: Learner) -> None:
        """End of a ``fit`` call."""

    def on_train_end(self, learner: Learner) -> None:
        """End of the whole training (all stages); called by the trainer."""

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` output."""


class EarlyStopping(Callback):
    """Keep the best weights by a validation metric; stop after ``patience`` epochs without gain.

    Parameters
    ----------
    monitor : str, default="val_macro_f1"
        A key of the epoch record; ``*_loss`` metrics are minimised, the others maximised.
    patience : int or None, default=3
        Epochs without improvement before stopping; ``None`` never stops (the best weights
        are still kept).
    min_delta : float, default=0.0
        Smallest change that counts as an improvement.

    Attributes
    ----------
    best_score : float
    best_epoch : int
        1-based epoch of the best score (0 before the first).
    best_state : dict
        CPU copy of the model's state_dict at the best epoch.
    """

    name = "early_stopping"

    def __init__(
        self, monitor: str = "val_macro_f1", patience: int | None = 3, min_delta: float = 0.0
    ) -> None:
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.mode = "min" if monitor.endswith("loss") else "max"
        self.best_score = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = 0
        self.best_state: dict[str, torch.Tensor] | None = None
        self.wait = 0

    def _improved(self, score: float) -> bool:
        if self.mode == "min":
            return score < self.best_score - self.min_delta
        return score > self.best_score + self.min_delta

    def on_epoch_end(self, learner: Learner, record: dict[str, Any]) -> None:
        score = record.get(self.monitor)
        if score is None:
            return
        if self._improved(float(score)):
            self.best_score, self.best_epoch, self.wait = float(score), int(record["epoch"]), 0
            self.best_state = {
                k: v.detach().to("cpu", copy=True) for k, v in learner.model.state_dict().items()
            }
            return
        self.wait += 1
        if self.patience is not None and self.wait >= self.patience:
            logger.info(
                "early stopping after epoch %d: %s has not improved for %d epochs (best %.4f at epoch %d)",
                record["epoch"],
                self.monitor,
                self.wait,
                self.best_score,
                self.best_epoch,
            )
            learner.stop_training = True

    def on_train_end(self, learner: Learner) -> None:
        if self.best_state is not None:
            learner.model.load_state_dict(self.best_state)
            logger.info(
                "kept the weights of epoch %d (%s=%.4f)", self.best_epoch, self.monitor, self.best_score
            )

    def state_dict(self) -> dict[str, Any]:
        return {
            "best_score": self.best_score,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "best_state": self.best_state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best_score = float(state["best_score"])
        self.best_epoch = int(state["best_epoch"])
        self.wait = int(state["wait"])
        self.best_state = state["best_state"]


class LastCheckpoint(Callback):
    """Write the full training state (see :meth:`Learner.training_state`) after every epoch.

    Parameters
    ----------
    path : Path
        The checkpoint file (replaced atomically each epoch).
    extra : callable returning a dict, optional
        More to store (config, vocabulary, classes): what a resume needs to rebuild the run.
    """

    name = "last_checkpoint"

    def __init__(self, path: str | Path, extra: Callable[[], dict[str, Any]] | None = None) -> None:
        self.path = Path(path)
        self.extra = extra

    def on_epoch_end(self, learner: Learner, record: dict[str, Any]) -> None:
        from nlptk.classify.persist import save_checkpoint

        state = learner.training_state()
        if self.extra is not None:
            state["extra"] = self.extra()
        save_checkpoint(state, self.path)
        logger.debug("checkpoint of epoch %d written to %s", record["epoch"], self.path)


class ProgressReporter(Callback):
    """Turn the learner's hooks into :class:`~nlptk.progress.ProgressEvent` s.

    Phases: ``"epochs"`` (one step per epoch, with the validation metrics) and ``"batches"``
    (restarted each epoch, with the running loss).
    """

    name = "progress"

    def __init__(self, progress: ProgressCallback | None, total_epochs: int) -> None:
        self.progress = progress
        self.total_epochs = total_epochs
        self._started = False

    def on_fit_begin(self, learner: Learner) -> None:
        if not self._started:
            report(self.progress, "epochs", "start", learner.epoch, self.total_epochs)
            self._started = True

    def on_batch_end(self, learner: Learner, batch: int, n_batches: int, loss: float | None) -> None:
        if batch == 1:
            report(self.progress, "batches", "start", 0, n_batches)
        if loss is not None or batch == n_batches:
            metrics = {} if loss is None else {"loss": loss}
            report(self.progress, "batches", "step", batch, n_batches, **metrics)

    def on_epoch_end(self, learner: Learner, record: dict[str, Any]) -> None:
        metrics = {
            k: record[k]
            for k in ("train_loss", "val_loss", "val_accuracy", "val_macro_f1")
            if record.get(k) is not None
        }
        report(self.progress, "epochs", "step", learner.epoch, self.total_epochs, **metrics)

    def on_train_end(self, learner: Learner) -> None:
        last = learner.history[-1] if learner.history else {}
        metrics = {k: last[k] for k in ("val_accuracy", "val_macro_f1") if last.get(k) is not None}
        report(self.progress, "epochs", "end", learner.epoch, self.total_epochs, **metrics)
