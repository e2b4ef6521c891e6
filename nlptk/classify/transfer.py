"""ULMFiT's fine-tuning: layer groups, gradual unfreezing and discriminative learning rates.

A classifier is cut into *layer groups*, bottom up: the embedding, each recurrent layer,
the head. Fine-tuning then runs in stages (Howard & Ruder 2018):

* **gradual unfreezing**: the first stage trains the head alone, each later stage one more
  group from the top, until everything trains (:func:`unfreezing_stages`, the
  ``unfreeze_schedule`` setting gives each stage's epochs);
* **discriminative learning rates**: each group learns at the rate of the group above it
  divided by ``lr_decay`` (2.6 in the paper; :func:`discriminative_lrs`);
* each stage is one cycle (:meth:`~nlptk.classify.learner.Learner.fit_one_cycle`);
* while the head trains alone, everything below it is constant, so its features are
  computed once and cached (:mod:`~nlptk.classify.feature_cache`).

:func:`layer_groups` knows :class:`~nlptk.classify.model.RNNClassifierNet` (embedding, one
group per recurrent layer, the rest) and any model with a ``layer_groups()`` method (the
encoder classifier of :mod:`~nlptk.classify.encoder_model`).

Example
-------
>>> model = RNNClassifierNet(50, 8, 2, hidden_size=4, num_layers=2)      # doctest: +SKIP
>>> [s.trainable_groups for s in unfreezing_stages(4, (1, 1, 1), epochs=5)]
[1, 2, 3, 4]
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from nlptk.classify.learner import Learner, ResumePoint
from nlptk.errors import ParameterError

if TYPE_CHECKING:
    from nlptk.classify.config import ClassifierConfig

__all__ = [
    "DEFAULT_SCHEDULE",
    "STAGE_LR_FACTOR",
    "Stage",
    "TransferLearner",
    "discriminative_lrs",
    "feature_cache_hook",
    "freeze_to",
    "layer_groups",
    "run_stages",
    "transfer_stages",
    "unfreezing_stages",
]

logger = logging.getLogger(__name__)

_LAYER = re.compile(r"_l(\d+)(?:_reverse)?$")


def layer_groups(model: nn.Module) -> list[list[nn.Parameter]]:
    """The model's parameters in layer groups, bottom up; the last group is the head.

    A model with a ``layer_groups()`` method gives its own. For a model with ``embedding``
    and ``rnn`` (an :class:`~nlptk.classify.model.RNNClassifierNet`): the embedding, each
    recurrent layer (both directions together), then every other parameter (the head).

    Examples
    --------
    >>> from nlptk.classify.model import RNNClassifierNet
    >>> groups = layer_groups(RNNClassifierNet(10, 4, 2, hidden_size=3, num_layers=2))
    >>> [sum(p.numel() for p in g) for g in groups]
    [40, 216, 264, 38]
    """
    own = getattr(model, "layer_groups", None)
    if callable(own):
        groups = [list(g) for g in own()]
    else:
        embedding = getattr(model, "embedding", None)
        rnn = getattr(model, "rnn", None)
        if not isinstance(embedding, nn.Module) or not isinstance(rnn, nn.Module):
            raise ParameterError(
                f"cannot split a {type(model).__name__} into layer groups",
                hint="give the model a layer_groups() method (bottom up, the head last)",
            )
        by_layer: dict[int, list[nn.Parameter]] = {}
        for name, p in rnn.named_parameters():
            match = _LAYER.search(name)
            by_layer.setdefault(int(match.group(1)) if match else 0, []).append(p)
        groups = [list(embedding.parameters())] + [by_layer[k] for k in sorted(by_layer)]
        seen = {id(p) for g in groups for p in g}
        groups.append([p for p in model.parameters() if id(p) not in seen])
    groups = [g for g in groups if g]
    covered = sum(len(g) for g in groups)
    total = sum(1 for _ in model.parameters())
    if covered != total or len({id(p) for g in groups for p in g}) != total:
        raise ParameterError(
            f"the layer groups of {type(model).__name__} hold {covered} parameters, the model {total}",
            hint="each parameter must be in exactly one group",
        )
    return groups


def freeze_to(model: nn.Module, trainable_groups: int) -> None:
    """Train the top ``trainable_groups`` layer groups and freeze the ones below.

    ``trainable_groups`` >= the number of groups unfreezes everything.

    Examples
    --------
    >>> from nlptk.classify.model import RNNClassifierNet
    >>> model = RNNClassifierNet(10, 4, 2, hidden_size=3)
    >>> freeze_to(model, 1)
    >>> [p.requires_grad for p in (model.embedding.weight, model.head.weight)]
    [False, True]
    """
    groups = layer_groups(model)
    if trainable_groups < 1:
        raise ParameterError(f"trainable_groups={trainable_groups} must be >= 1 (the head trains)")
    first_trainable = max(len(groups) - trainable_groups, 0)
    for i, group in enumerate(groups):
        for p in group:
            p.requires_grad_(i >= first_trainable)


def discriminative_lrs(lr: float, n_groups: int, lr_decay: float) -> list[float]:
    """Each group's rate, bottom up: the head gets ``lr``, each group below the one above / ``lr_decay``.

    Examples
    --------
    >>> [round(x, 6) for x in discriminative_lrs(0.01, 3, 2.0)]
    [0.0025, 0.005, 0.01]
    """
    if not (lr > 0 and math.isfinite(lr)):
        raise ParameterError(f"lr={lr} must be a positive number")
    if not (lr_decay >= 1 and math.isfinite(lr_decay)):
        raise ParameterError(f"lr_decay={lr_decay} must be a number >= 1 (1: the same rate everywhere)")
    return [lr / lr_decay ** (n_groups - 1 - i) for i in range(n_groups)]


#: Each stage's peak rate relative to the stage before it (ULMFiT's recipe lowers the rate
#: as more layers train: 2e-2, 1e-2, 5e-3, then 1e-3 for everything).
STAGE_LR_FACTOR = 0.5


@dataclass(frozen=True)
class Stage:
    """One fine-tuning stage: ``epochs`` epochs training the top ``trainable_groups`` groups,
    at ``lr_scale`` times the peak learning rate."""

    name: str
    epochs: int
    trainable_groups: int
    lr_scale: float = 1.0


def unfreezing_stages(n_groups: int, schedule: Sequence[int], epochs: int) -> list[Stage]:
    """The stages of gradual unfreezing within ``epochs`` epochs in all.

    Stage ``k`` (``k = 1, 2, ...``) trains the top ``k`` groups for ``schedule[k - 1]``
    epochs; the epochs left after the schedule train every group. A schedule longer than the
    groups below the head ends at "everything trains"; epochs run out first if
    ``epochs`` is smaller than the schedule's sum. An empty schedule trains everything.
    Each stage's peak rate is :data:`STAGE_LR_FACTOR` times the one before (``lr_scale``).

    Examples
    --------
    >>> [(s.name, s.epochs, s.trainable_groups, s.lr_scale) for s in unfreezing_stages(3, (1, 2), epochs=5)]
    [('head', 1, 1, 1.0), ('top-2', 2, 2, 0.5), ('all', 2, 3, 0.25)]
    >>> [(s.name, s.epochs) for s in unfreezing_stages(3, (1, 1, 1, 1), epochs=3)]
    [('head', 1), ('top-2', 1), ('all', 1)]
    """
    if any(int(e) < 0 for e in schedule):
        raise ParameterError(f"unfreeze_schedule={tuple(schedule)} must hold epochs >= 0")
    stages: list[Stage] = []
    left = int(epochs)
    for k, stage_epochs in enumerate(schedule, start=1):
        if k >= n_groups or left == 0:
            break
        n = min(int(stage_epochs), left)
        if n:
            scale = STAGE_LR_FACTOR ** len(stages)
            stages.append(Stage("head" if k == 1 else f"top-{k}", n, k, scale))
            left -= n
    if left:
        stages.append(Stage("all", left, n_groups, STAGE_LR_FACTOR ** len(stages)))
    elif stages and stages[-1].trainable_groups < n_groups:
        logger.info(
            "the unfreezing schedule uses all %d epochs before every layer trains (top %d of %d groups)",
            epochs,
            stages[-1].trainable_groups,
            n_groups,
        )
    return stages


class TransferLearner(Learner):
    """A :class:`~nlptk.classify.learner.Learner` whose optimizer has one group per layer group,
    with discriminative learning rates (``lr_decay`` between neighbouring groups).

    Parameters
    ----------
    *args, **kwargs
        As :class:`~nlptk.classify.learner.Learner`.
    lr_decay : float, default=2.6
        Rate of a group / rate of the group below it.

    Examples
    --------
    >>> learner = TransferLearner(model, train_loader, val_loader, n_classes=2,
    ...                           device=torch.device("cpu"), lr_decay=2.6)   # doctest: +SKIP
    >>> freeze_to(learner.model, 1); learner.fit_one_cycle(1, 1e-2, stage="head")  # doctest: +SKIP
    """

    def __init__(self, *args: Any, lr_decay: float = 2.6, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        discriminative_lrs(1.0, 1, lr_decay)  # checks the value
        self.lr_decay = lr_decay

    def freeze_embeddings(self, frozen: bool = True) -> None:
        """Freeze (or unfreeze) the bottom layer group (the embedding)."""
        for p in layer_groups(self.model)[0]:
            p.requires_grad_(not frozen)

    def make_optimizer(self, lr: float, lower_lr_factor: float = 1.0) -> torch.optim.AdamW:
        """AdamW with one parameter group per layer group, at :func:`discriminative_lrs`.

        ``lower_lr_factor`` is not used: ``lr_decay`` spreads the rates. Frozen groups get
        no gradient, so AdamW leaves them (and their weight decay) alone.
        """
        groups = layer_groups(self.model)
        lrs = discriminative_lrs(lr, len(groups), self.lr_decay)
        param_groups = [
            {"params": params, "lr": group_lr, "name": f"group{i}"}
            for i, (params, group_lr) in enumerate(zip(groups, lrs, strict=True))
        ]
        return torch.optim.AdamW(param_groups, lr=lr, weight_decay=self.weight_decay)


def run_stages(
    learner: Learner,
    stages: Sequence[Stage],
    *,
    lr: float,
    one_cycle: bool = True,
    resume: ResumePoint | None = None,
    before_stage: Callable[[Stage], Any] | None = None,
) -> None:
    """Fit each stage in turn: freeze below its groups, then one cycle (or a constant rate)
    peaking at ``lr * stage.lr_scale``.

    ``before_stage(stage)`` may return a context manager that is held during the stage
    (for example the feature cache of a head-only stage). ``resume`` (from
    :meth:`~nlptk.classify.learner.Learner.load_training_state`) names the stage a resumed run
    continues: the earlier ones are done, and that stage starts where the checkpoint left it.
    """
    fit = learner.fit_one_cycle if one_cycle else learner.fit
    for stage in stages:
        if resume is not None and stage.name != resume.stage:
            continue  # done before the interruption
        stage_resume, resume = resume, None
        if learner.stop_training:
            break
        freeze_to(learner.model, stage.trainable_groups)
        context = before_stage(stage) if before_stage is not None else None
        stage_lr = lr * stage.lr_scale
        if context is None:
            fit(stage.epochs, stage_lr, stage=stage.name, resume=stage_resume)
        else:
            with context:
                fit(stage.epochs, stage_lr, stage=stage.name, resume=stage_resume)
    freeze_to(learner.model, len(layer_groups(learner.model)))


#: ULMFiT's schedule: the head alone, then one more group, then one more, one epoch each.
DEFAULT_SCHEDULE = (1, 1, 1)


def transfer_stages(model: nn.Module, config: ClassifierConfig) -> list[Stage] | None:
    """The gradual-unfreezing stages of ``model`` under ``config``, or ``None`` for the plain stages.

    A model with its own ``layer_groups()`` (a language model's encoder) always unfreezes
    gradually (``config.unfreeze_schedule``, default :data:`DEFAULT_SCHEDULE`); an
    :class:`~nlptk.classify.model.RNNClassifierNet` only when ``unfreeze_schedule`` is set.
    """
    schedule = config.unfreeze_schedule
    if schedule is None:
        if not callable(getattr(model, "layer_groups", None)):
            return None
        schedule = DEFAULT_SCHEDULE
    return unfreezing_stages(len(layer_groups(model)), schedule, config.epochs)


def feature_cache_hook(
    learner: Learner, config: ClassifierConfig
) -> Callable[[Stage], contextlib.AbstractContextManager[bool] | None]:
    """``before_stage`` for :func:`run_stages`: cache the features of head-only stages
    (when ``config.cache_features``), within ``config.cache_memory`` MiB of RAM."""
    from nlptk.classify.feature_cache import cached_features, memory_budget_bytes

    def before_stage(stage: Stage) -> contextlib.AbstractContextManager[bool] | None:
        if stage.trainable_groups != 1 or not config.cache_features:
            return None
        return cached_features(learner, memory_budget=memory_budget_bytes(config.cache_memory))

    return before_stage
