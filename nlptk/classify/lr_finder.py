"""The learning-rate finder (Leslie Smith's range test, as fastai's ``lr_find``).

The rate rises exponentially from ``start_lr`` to ``end_lr`` over ``num_steps`` training
steps (``torch.optim.lr_scheduler.ExponentialLR``); the loss is smoothed with an
exponential moving average (bias-corrected) and the test stops early once the smoothed
loss exceeds ``diverge_factor`` times its minimum. The model's weights and the optimizer's
state are restored afterwards, so the finder leaves the learner as it found it.

The suggestion is the rate where the smoothed loss falls fastest (the steepest negative
slope against log(lr), before the minimum). When the curve shows no clear descent (the
minimum is less than 2% below the starting loss: a flat, noisy curve whose "steepest" point
would be noise), it is the rate of the minimum divided by 10. Both are returned.
"""

from __future__ import annotations

import copy
import logging
import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F

from nlptk.classify.runtime import get_rng_state, set_rng_state
from nlptk.errors import DataError, ParameterError
from nlptk.io import check_output
from nlptk.progress import ProgressCallback, report

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from nlptk.classify.learner import Learner

__all__ = ["LRFinderResult", "lr_find", "suggest_lr"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


@dataclass
class LRFinderResult:
    """What the lr finder measured.

    Attributes
    ----------
    lrs : list of float
        The rate of each step.
    losses : list of float
        Smoothed loss at each step.
    raw_losses : list of float
        Unsmoothed batch losses.
    suggestion : float or None
        The suggested rate (steepest descent; min/10 as fallback).
    steepest_lr, min_loss_lr : float or None
        Rate of the steepest descent and of the lowest smoothed loss.
    diverged : bool
        True when the test stopped because the loss diverged.
    """

    lrs: list[float]
    losses: list[float]
    raw_losses: list[float] = field(default_factory=list)
    suggestion: float | None = None
    steepest_lr: float | None = None
    min_loss_lr: float | None = None
    diverged: bool = False

    def plot(self, path: PathLike | None = None, *, force: bool = False) -> Figure:
        """The loss-vs-rate figure with the suggestion marked; also saved to ``path`` when given.

        In a notebook the returned figure shows as the cell's value.
        """
        from nlptk.export._figure import save_figure
        from nlptk.export.plots import lr_finder_figure

        if path is not None:
            check_output(path, force=force)
        fig = lr_finder_figure(self.lrs, self.losses, self.suggestion)
        if path is not None:
            save_figure(fig, path, force=force)
        return fig

    def to_dict(self) -> dict[str, object]:
        return {
            "suggestion": self.suggestion,
            "steepest_lr": self.steepest_lr,
            "min_loss_lr": self.min_loss_lr,
            "diverged": self.diverged,
            "lrs": self.lrs,
            "losses": self.losses,
        }


def suggest_lr(
    lrs: list[float], losses: list[float], *, skip_start: int = 5, min_drop: float = 0.02
) -> tuple[float | None, float | None]:
    """``(steepest_lr, min_loss_lr / 10)`` of a smoothed lr-finder curve.

    ``steepest_lr`` is None when the minimum is less than ``min_drop`` (relative) below the
    loss at ``skip_start``: a flat curve has no meaningful steepest point.

    Examples
    --------
    >>> lrs = [10.0 ** e for e in range(-6, 1)]
    >>> suggest_lr(lrs, [2.0, 2.0, 1.9, 1.2, 0.8, 0.7, 3.0], skip_start=0)
    (0.0001, 0.01)
    >>> suggest_lr(lrs, [0.70, 0.70, 0.69, 0.70, 0.695, 0.694, 3.0], skip_start=0)  # flat: min / 10
    (None, 1e-05)
    """
    if len(lrs) < 2:
        return None, (lrs[0] / 10 if lrs else None)
    loss = np.asarray(losses, dtype=np.float64)
    lr = np.asarray(lrs, dtype=np.float64)
    best = int(np.nanargmin(loss))
    min_div10 = float(lr[best] / 10)
    start = min(skip_start, max(best - 1, 0))
    if best - start < 1 or loss[start] - loss[best] < min_drop * abs(loss[start]):
        return None, min_div10
    slopes = np.diff(loss[start : best + 1]) / np.diff(np.log10(lr[start : best + 1]))
    steepest = int(np.argmin(slopes))
    if slopes[steepest] >= 0:
        return None, min_div10
    return float(lr[start + steepest]), min_div10


def lr_find(
    learner: Learner,
    *,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    smoothing: float = 0.98,
    diverge_factor: float = 4.0,
    lower_lr_factor: float = 1.0,
    progress: ProgressCallback | None = None,
) -> LRFinderResult:
    """Run the range test on ``learner``'s training data, then restore its weights and optimizer.

    Parameters
    ----------
    learner : Learner
    start_lr, end_lr : float, default=1e-7, 10
    num_steps : int, default=100
        Steps of the test (the training batches are cycled when there are fewer).
    smoothing : float, default=0.98
        Weight of the moving average of the loss.
    diverge_factor : float, default=4.0
        Stop when the smoothed loss exceeds this many times its minimum.
    lower_lr_factor : float, default=1.0
        The embedding layer's rate relative to the rest (when it is not frozen).

    Returns
    -------
    LRFinderResult

    Examples
    --------
    >>> result = lr_find(learner)                      # doctest: +SKIP
    >>> result.suggestion                              # doctest: +SKIP
    0.0042
    """
    if not 0 < start_lr < end_lr:
        raise ParameterError(f"need 0 < start_lr < end_lr, got start_lr={start_lr}, end_lr={end_lr}")
    if num_steps < 2:
        raise ParameterError(f"num_steps={num_steps} must be >= 2")
    if len(learner.train_loader) == 0:
        raise DataError("no training batches for the lr finder")
    model = learner.model
    saved_model = copy.deepcopy(model.state_dict())
    saved_optimizer = None if learner.optimizer is None else copy.deepcopy(learner.optimizer.state_dict())
    saved_optimizer_obj, saved_scheduler = learner.optimizer, learner.scheduler
    saved_scaler = copy.deepcopy(learner.scaler.state_dict())
    saved_rng = get_rng_state()

    optimizer = learner.make_optimizer(start_lr, lower_lr_factor)
    gamma = (end_lr / start_lr) ** (1.0 / (num_steps - 1))
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=gamma)
    trainable = [p for p in model.parameters() if p.requires_grad]
    lrs: list[float] = []
    smoothed: list[float] = []
    raw: list[float] = []
    average, best, diverged = 0.0, math.inf, False
    report(progress, "lr_find", "start", 0, num_steps)
    model.train()
    try:
        step = 0
        while step < num_steps and not diverged:
            for batch in learner.train_loader:
                x, lengths, y = batch
                x, y = x.to(learner.device), y.to(learner.device)
                optimizer.zero_grad(set_to_none=True)
                with torch.autocast(learner.device.type, enabled=learner.use_amp):
                    logits = model(x, lengths)
                loss = F.cross_entropy(logits.float(), y)
                value = float(loss.detach())
                lr = optimizer.param_groups[-1]["lr"]
                if not math.isfinite(value):
                    diverged = True
                    break
                learner.scaler.scale(loss).backward()
                if learner.clip_grad:
                    learner.scaler.unscale_(optimizer)
                    torch.nn.utils.clip_grad_norm_(trainable, learner.clip_grad)
                learner.scaler.step(optimizer)
                learner.scaler.update()
                step += 1
                average = smoothing * average + (1 - smoothing) * value
                current = average / (1 - smoothing**step)
                lrs.append(lr)
                raw.append(value)
                smoothed.append(current)
                best = min(best, current)
                report(progress, "lr_find", "step", step, num_steps, lr=lr, loss=current)
                if step > 1 and current > diverge_factor * best:
                    diverged = True
                    break
                if step >= num_steps:
                    break
                scheduler.step()
    finally:
        model.load_state_dict(saved_model)
        learner.optimizer, learner.scheduler = saved_optimizer_obj, saved_scheduler
        if learner.optimizer is not None and saved_optimizer is not None:
            learner.optimizer.load_state_dict(saved_optimizer)
        learner.scaler.load_state_dict(saved_scaler)
        set_rng_state(saved_rng)
    report(progress, "lr_find", "end", step, num_steps)
    if not lrs:
        raise DataError("the lr finder's first step already gave a non-finite loss", hint="check the data")
    steepest, min_div10 = suggest_lr(lrs, smoothed)
    suggestion = steepest if steepest is not None else min_div10
    logger.info(
        "lr finder: %d steps, %s; suggestion %.3g (steepest %s, min/10 %s)",
        len(lrs),
        "diverged" if diverged else "did not diverge",
        suggestion,
        f"{steepest:.3g}" if steepest else "-",
        f"{min_div10:.3g}" if min_div10 else "-",
    )
    return LRFinderResult(
        lrs=lrs,
        losses=smoothed,
        raw_losses=raw,
        suggestion=suggestion,
        steepest_lr=steepest,
        min_loss_lr=None if min_div10 is None else min_div10 * 10,
        diverged=diverged,
    )
