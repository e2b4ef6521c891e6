"""A small training loop for text classifiers: ``fit``, ``fit_one_cycle``, validation, callbacks.

:class:`Learner` ties a model to its data loaders and device. Each ``fit`` call is one
*stage* with a fresh AdamW optimizer whose two parameter groups are the embedding layer and
the rest (so the embeddings can be frozen, or trained at a lower rate: discriminative
learning rates). ``fit_one_cycle`` schedules the rate with ``torch.optim.lr_scheduler.OneCycleLR``.
On CUDA with ``mixed_precision`` the forward pass runs under ``torch.autocast`` with a
``GradScaler`` (gradients are unscaled before clipping). A NaN or infinite loss stops
training with a :class:`~nlptk.errors.TrainingError`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import f1_score
from torch.utils.data import DataLoader

from nlptk.classify.callbacks import Callback
from nlptk.classify.model import RNNClassifierNet
from nlptk.classify.runtime import get_rng_state, set_rng_state
from nlptk.distributed import LOCAL, DistContext
from nlptk.errors import ParameterError, TrainingError

__all__ = ["Learner", "ResumePoint", "move_batch"]

logger = logging.getLogger(__name__)


def move_batch(batch: Sequence[torch.Tensor], device: torch.device) -> tuple[torch.Tensor, ...]:
    """Move ``(ids, lengths, labels)`` to ``device``; lengths stay on the CPU for packing."""
    x, lengths, y = batch
    non_blocking = device.type == "cuda"
    return x.to(device, non_blocking=non_blocking), lengths, y.to(device, non_blocking=non_blocking)


@dataclass(frozen=True)
class ResumePoint:
    """Where an interrupted run continues: returned by :meth:`Learner.load_training_state` and
    given to ``fit`` / ``fit_one_cycle`` of the stage it names, which start at ``stage_epoch``.

    Each stage builds a fresh optimizer (and schedule), so their saved states can only be
    loaded once that stage's ``fit`` has built them; the learner keeps no hidden copy.

    Attributes
    ----------
    stage : str
        The stage that was running.
    stage_epoch : int
        Epochs of that stage already done.
    optimizer, scheduler, scaler : dict
        The saved ``state_dict`` s (``scheduler`` is ``None`` for a constant rate).
    """

    stage: str
    stage_epoch: int
    optimizer: dict[str, Any]
    scheduler: dict[str, Any] | None
    scaler: dict[str, Any]


class Learner:
    """Train and validate an :class:`~nlptk.classify.model.RNNClassifierNet`.

    Parameters
    ----------
    model : RNNClassifierNet
    train_loader : DataLoader
        Batches ``(ids, lengths, labels)`` (see :func:`nlptk.classify.data.make_loader`).
    val_loader : DataLoader, optional
    n_classes : int
    device : torch.device
        The model is moved there; batches follow it.
    weight_decay : float, default=0.01
    clip_grad : float or None, default=1.0
    mixed_precision : bool, default=True
        Autocast and a GradScaler, on CUDA only.
    callbacks : iterable of Callback
    distributed : DistContext, optional
        Under ``torchrun`` (:func:`nlptk.distributed.init_distributed`): each stage trains a
        ``DistributedDataParallel`` wrapper, the epoch's training loss is summed over the
        ranks, validation logits from sharded loaders are gathered, and rank 0's
        ``stop_training`` is broadcast. ``None``: one process.

    Attributes
    ----------
    history : list of dict
        One record per epoch: ``epoch, stage, train_loss, val_loss, val_accuracy,
        val_macro_f1, lr, seconds, train_sentences_per_s``.
    epoch : int
        Epochs done so far (all stages).
    stop_training : bool
        Set by a callback (early stopping) to end the current and later stages.

    Examples
    --------
    >>> learner = Learner(model, train_loader, val_loader, n_classes=2,
    ...                   device=torch.device("cpu"))             # doctest: +SKIP
    >>> learner.freeze_embeddings(True)                            # doctest: +SKIP
    >>> learner.fit_one_cycle(1, 2e-3, stage="frozen")             # doctest: +SKIP
    >>> learner.freeze_embeddings(False)                           # doctest: +SKIP
    >>> learner.fit_one_cycle(3, 2e-3, lower_lr_factor=0.1, stage="unfrozen")  # doctest: +SKIP
    >>> learner.history[-1]["val_macro_f1"]                        # doctest: +SKIP
    0.83
    """

    def __init__(
        self,
        model: RNNClassifierNet,
        train_loader: DataLoader,
        val_loader: DataLoader | None = None,
        *,
        n_classes: int,
        device: torch.device,
        weight_decay: float = 0.01,
        clip_grad: float | None = 1.0,
        mixed_precision: bool = True,
        callbacks: Iterable[Callback] = (),
        distributed: DistContext | None = None,
    ) -> None:
        self.device = device
        self.model = model.to(device)
        self.dist = distributed or LOCAL
        self.train_model: torch.nn.Module = self.model  # the DDP wrapper under torchrun
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.n_classes = n_classes
        self.weight_decay = weight_decay
        self.clip_grad = clip_grad
        self.use_amp = bool(mixed_precision and device.type == "cuda")
        self.scaler = torch.amp.GradScaler(device.type, enabled=self.use_amp)
        self.callbacks: list[Callback] = list(callbacks)
        self.optimizer: torch.optim.Optimizer | None = None
        self.scheduler: torch.optim.lr_scheduler.LRScheduler | None = None
        self.history: list[dict[str, Any]] = []
        self.epoch = 0
        self.stage = ""
        self.stage_epoch = 0
        self.stop_training = False

    # -- optimizer ------------------------------------------------------------------------------
    def freeze_embeddings(self, frozen: bool = True) -> None:
        """Freeze (or unfreeze) the embedding layer."""
        self.model.embedding.weight.requires_grad_(not frozen)

    def make_optimizer(self, lr: float, lower_lr_factor: float = 1.0) -> torch.optim.AdamW:
        """AdamW with two groups: the embedding layer at ``lr * lower_lr_factor``, the rest at ``lr``.

        A frozen embedding layer gets no gradient, so AdamW leaves it (and its weight decay) alone.
        """
        if not (lr > 0 and math.isfinite(lr)):
            raise ParameterError(f"lr={lr} must be a positive number")
        embedding = [self.model.embedding.weight]
        rest = [p for n, p in self.model.named_parameters() if not n.startswith("embedding.")]
        groups = [
            {"params": embedding, "lr": lr * lower_lr_factor, "name": "embedding"},
            {"params": rest, "lr": lr, "name": "body"},
        ]
        return torch.optim.AdamW(groups, lr=lr, weight_decay=self.weight_decay)

    def _call(self, hook: str, *args: Any) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(self, *args)

    # -- fitting --------------------------------------------------------------------------------
    def fit(
        self,
        epochs: int,
        lr: float,
        *,
        lower_lr_factor: float = 1.0,
        stage: str = "train",
        resume: ResumePoint | None = None,
    ) -> None:
        """Train ``epochs`` epochs at a constant learning rate (one stage).

        ``resume``: continue this stage where an interrupted run left it (see
        :meth:`load_training_state`).
        """
        self.optimizer = self.make_optimizer(lr, lower_lr_factor)
        self.scheduler = None
        self._fit(epochs, stage, self._resume_stage(resume, stage, epochs))

    def fit_one_cycle(
        self,
        epochs: int,
        lr: float,
        *,
        lower_lr_factor: float = 1.0,
        stage: str = "train",
        pct_start: float = 0.25,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        resume: ResumePoint | None = None,
    ) -> None:
        """Train ``epochs`` epochs with the one-cycle policy (``OneCycleLR``), peaking at ``lr``.

        The rate warms up from ``lr / div_factor`` over the first ``pct_start`` of the steps,
        then anneals (cosine) to ``lr / (div_factor * final_div_factor)``; momentum (AdamW's
        beta1) cycles the other way, as in fastai. ``resume``: continue this stage where an
        interrupted run left it (see :meth:`load_training_state`).

        Examples
        --------
        >>> learner.fit_one_cycle(3, 2e-3)  # doctest: +SKIP
        """
        self.optimizer = self.make_optimizer(lr, lower_lr_factor)
        total = epochs * len(self.train_loader)
        if total < 3:  # too few steps for a warm-up and an annealing phase
            logger.debug("only %d steps: constant learning rate instead of one cycle", total)
            self.scheduler = None
        else:
            # each phase needs at least one step (OneCycleLR divides by the phase length)
            pct_start = min(max(pct_start, 2 / total), 1 - 1 / total)
            self.scheduler = torch.optim.lr_scheduler.OneCycleLR(
                self.optimizer,
                max_lr=[g["lr"] for g in self.optimizer.param_groups],
                total_steps=total,
                pct_start=pct_start,
                div_factor=div_factor,
                final_div_factor=final_div_factor,
            )
        self._fit(epochs, stage, self._resume_stage(resume, stage, epochs))

    def _resume_stage(self, resume: ResumePoint | None, stage: str, epochs: int) -> int:
        """Load ``resume``'s optimizer, schedule and scaler states into the ones this stage just
        built; the stage epoch to start from (0 without ``resume``)."""
        if resume is None:
            return 0
        if resume.stage != stage:
            raise ParameterError(
                f"the checkpoint was taken in stage {resume.stage!r}, not {stage!r}",
                hint=f"resume by fitting stage {resume.stage!r} (the stages before it are done)",
            )
        assert self.optimizer is not None
        self.optimizer.load_state_dict(resume.optimizer)
        if self.scheduler is not None and resume.scheduler is not None:
            self.scheduler.load_state_dict(resume.scheduler)
        self.scaler.load_state_dict(resume.scaler)
        logger.info("resuming stage %r at epoch %d of %d", stage, resume.stage_epoch + 1, epochs)
        return resume.stage_epoch

    def _fit(self, epochs: int, stage: str, start: int = 0) -> None:
        self.stage = stage
        # DDP syncs the parameters that require gradients when it is built: wrap per stage
        self.train_model = self.dist.wrap(self.model)
        self._call("on_fit_begin")
        for stage_epoch in range(start, epochs):
            if self.stop_training:
                break
            self.stage_epoch = stage_epoch
            started = time.perf_counter()
            record = self.train_epoch()
            record.update(self.validate())
            record["seconds"] = round(time.perf_counter() - started, 3)
            self.epoch += 1
            self.stage_epoch = stage_epoch + 1
            record = {"epoch": self.epoch, "stage": stage, **record}
            self.history.append(record)
            logger.info(
                "epoch %d (%s): train_loss %.4f, val_loss %s, val_accuracy %s, val_macro_f1 %s, %.1fs",
                self.epoch,
                stage,
                record["train_loss"],
                _fmt(record.get("val_loss")),
                _fmt(record.get("val_accuracy")),
                _fmt(record.get("val_macro_f1")),
                record["seconds"],
            )
            self._call("on_epoch_end", record)
            self.stop_training = self.dist.broadcast_flag(self.stop_training)  # rank 0 decides
        self._call("on_fit_end")

    def train_epoch(self) -> dict[str, Any]:
        """One pass over the training data; returns the partial epoch record."""
        assert self.optimizer is not None, "call fit or fit_one_cycle"
        started = time.perf_counter()
        model, optimizer, scaler = self.train_model, self.optimizer, self.scaler
        model.train()
        sampler = getattr(self.train_loader, "batch_sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(self.epoch)
        dataset = getattr(self.train_loader, "dataset", None)
        if hasattr(dataset, "set_epoch"):  # data redrawn each epoch (augmentation)
            dataset.set_epoch(self.epoch)
        trainable = [p for p in model.parameters() if p.requires_grad]
        n_batches = len(self.train_loader)
        check_every = 1 if self.device.type == "cpu" else 25
        report_every = max(1, n_batches // 50)
        loss_sum = torch.zeros((), device=self.device)
        n_seen = 0
        for batch_index, batch in enumerate(self.train_loader, start=1):
            x, lengths, y = move_batch(batch, self.device)
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(self.device.type, enabled=self.use_amp):
                logits = model(x, lengths)
            loss = F.cross_entropy(logits.float(), y)
            scaler.scale(loss).backward()
            if self.clip_grad:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(trainable, self.clip_grad)
            scaler.step(optimizer)
            scaler.update()
            # OneCycleLR must not step past its last step (its rate would rise again)
            if (
                self.scheduler is not None
                and self.scheduler.last_epoch < getattr(self.scheduler, "total_steps", math.inf) - 1
            ):
                self.scheduler.step()
            loss_sum += loss.detach() * len(y)
            n_seen += len(y)
            shown = None
            if batch_index % check_every == 0 or batch_index == n_batches:
                self._check_finite(loss_sum, batch_index)
            if batch_index % report_every == 0:
                shown = float(loss_sum) / n_seen
            self._call("on_batch_end", batch_index, n_batches, shown)
        self._check_finite(loss_sum, n_batches)
        seen = loss_sum.new_tensor(n_seen, dtype=torch.float64)
        totals = self.dist.sum_(torch.stack([loss_sum.double(), seen]))  # over the ranks
        loss_total, n_seen = float(totals[0]), int(totals[1])
        train_seconds = time.perf_counter() - started
        return {
            "train_loss": loss_total / max(n_seen, 1),
            "lr": float(optimizer.param_groups[-1]["lr"]),
            "train_sentences_per_s": round(n_seen / train_seconds, 1) if train_seconds > 0 else None,
        }

    def _check_finite(self, value: torch.Tensor, batch_index: int) -> None:
        if not bool(torch.isfinite(value)):
            lr = self.optimizer.param_groups[-1]["lr"] if self.optimizer is not None else float("nan")
            raise TrainingError(
                f"the training loss became {float(value)} at epoch {self.epoch + 1}, batch {batch_index} "
                f"(lr={lr:.3g}); no model was saved",
                hint="lower the learning rate (nlptk classify lr-find suggests one) or clip gradients",
            )

    # -- evaluation -----------------------------------------------------------------------------
    @torch.inference_mode()
    def predict_logits(self, loader: DataLoader) -> tuple[np.ndarray, np.ndarray]:
        """Logits and labels over a loader, in the loader's batch order."""
        self.model.eval()
        logits_parts, label_parts = [], []
        for batch in loader:
            x, lengths, y = move_batch(batch, self.device)
            with torch.autocast(self.device.type, enabled=self.use_amp):
                logits = self.model(x, lengths)
            logits_parts.append(logits.float().cpu())
            label_parts.append(y.cpu())
        if not logits_parts:
            return np.zeros((0, self.n_classes), np.float32), np.zeros(0, np.int64)
        return torch.cat(logits_parts).numpy(), torch.cat(label_parts).numpy()

    def validate(self, loader: DataLoader | None = None) -> dict[str, Any]:
        """Loss, accuracy and macro-F1 on ``loader`` (default: the validation loader)."""
        loader = loader if loader is not None else self.val_loader
        if loader is None:
            return {"val_loss": None, "val_accuracy": None, "val_macro_f1": None}
        logits, labels = self.predict_logits(loader)
        if getattr(loader.batch_sampler, "sharded", False):  # each rank holds a slice
            logits, labels = self.dist.gather_arrays(logits, labels)
        if len(labels) == 0:
            return {"val_loss": None, "val_accuracy": None, "val_macro_f1": None}
        loss = float(F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels)))
        if not math.isfinite(loss):
            raise TrainingError(
                f"the validation loss became {loss} after epoch {self.epoch + 1}; no model was saved",
                hint="lower the learning rate (nlptk classify lr-find suggests one)",
            )
        predicted = logits.argmax(axis=1)
        return {
            "val_loss": loss,
            "val_accuracy": float((predicted == labels).mean()),
            "val_macro_f1": float(
                f1_score(
                    labels, predicted, labels=list(range(self.n_classes)), average="macro", zero_division=0
                )
            ),
        }

    # -- checkpoints ----------------------------------------------------------------------------
    def training_state(self) -> dict[str, Any]:
        """Everything a resumed run needs (tensors and plain values: loads with ``weights_only``)."""
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict() if self.optimizer is not None else None,
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            "scaler": self.scaler.state_dict(),
            "epoch": self.epoch,
            "stage": self.stage,
            "stage_epoch": self.stage_epoch,
            "stop_training": self.stop_training,
            "history": list(self.history),
            "callbacks": {c.name: c.state_dict() for c in self.callbacks if c.state_dict()},
            "rng": get_rng_state(),
        }

    def load_training_state(self, state: dict[str, Any]) -> ResumePoint:
        """Restore :meth:`training_state` output: the weights, epoch count, history, callbacks'
        states and random generators, now.

        Returns
        -------
        ResumePoint
            The stage to continue and its optimizer, schedule and scaler states: give it to
            that stage's ``fit`` / ``fit_one_cycle`` (``resume=``), which loads them into the
            optimizer it builds and starts at the saved epoch.
        """
        self.model.load_state_dict(state["model"])
        self.epoch = int(state["epoch"])
        self.stop_training = bool(state.get("stop_training", False))
        self.history = list(state["history"])
        by_name = {c.name: c for c in self.callbacks}
        for name, cb_state in state.get("callbacks", {}).items():
            if name in by_name:
                by_name[name].load_state_dict(cb_state)
        set_rng_state(state["rng"])
        return ResumePoint(
            stage=str(state["stage"]),
            stage_epoch=int(state["stage_epoch"]),
            optimizer=state["optimizer"],
            scheduler=state["scheduler"],
            scaler=state["scaler"],
        )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
