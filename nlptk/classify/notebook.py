"""The course's workflow in a notebook: :func:`classifier_learner` and :class:`TextLearner`.

A fastai-style layer over the pieces below it (the data pipeline of
:func:`~nlptk.classify.training.train_classifier`, :class:`~nlptk.classify.learner.Learner`,
:func:`~nlptk.classify.lr_finder.lr_find`, :mod:`~nlptk.classify.interpret`)::

    learn = nlptk.classifier_learner("sst2", vectors=vectors, cell="gru")
    learn.lr_find().plot()                    # loss against rate; .suggestion
    learn.fit_one_cycle(1, 1e-2)              # embedding frozen, the rest trains
    learn.save("stage-1")
    learn.unfreeze()
    learn.fit_one_cycle(3, lr=slice(1e-4, 1e-3))
    learn.recorder.plot_loss(); learn.recorder.diagnose()
    interp = learn.interpret(); interp.plot_top_losses(9)
    learn.export("sentiment-model")           # the folder `nlptk classify train` writes

**Layer groups** are the embedding layer, each recurrent layer (both directions together)
and the head. ``freeze_to(n)`` freezes the groups before ``n`` (negative: counted from the
end, as in fastai); ``freeze()`` is ``freeze_to(-1)`` (only the head trains) and
``unfreeze()`` is ``freeze_to(0)``. A new learner starts with its pretrained groups frozen
(the embedding layer when it starts from pretrained vectors; nothing otherwise).

**Learning rates**: a number (every group), ``slice(lo, hi)`` (spread geometrically from the
lowest group to the head), ``slice(hi)`` (``hi / 10`` for every group but the head), or one
value per group. Each ``fit_one_cycle`` is one stage with a fresh AdamW and
``OneCycleLR`` (the peak rate of each group is its value).

**Stages** (``save``/``load``) are state_dicts in ``<path>/models/<name>.pt`` (``path``
defaults to the working directory), with the architecture and a fingerprint of the
vocabulary and classes, read back with ``torch.load(weights_only=True)``; a stage saved
from another architecture or vocabulary is refused with the differences. Saving a stage
again replaces it (they are the learner's working files, as in fastai).
"""

from __future__ import annotations

import copy
import hashlib
import logging
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from nlptk.classify.config import ClassifierConfig
from nlptk.classify.learner import Learner
from nlptk.classify.recorder import Recorder
from nlptk.errors import DataError, IncompatibleModelError, InputFileError, ParameterError, TrainingError
from nlptk.text.labelled import LabelledData

if TYPE_CHECKING:
    from nlptk.classify.display import LearnerInterpretation
    from nlptk.classify.lr_finder import LRFinderResult
    from nlptk.classify.predictor import TrainedClassifier
    from nlptk.vectors.container import Vectors

__all__ = ["TextLearner", "classifier_learner", "layer_groups"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]
LearningRates = float | slice | Sequence[float]

STAGE_FORMAT = "nlptk.classifier.stage"
STAGE_VERSION = 1


def layer_groups(model: torch.nn.Module) -> list[tuple[str, list[torch.nn.Parameter]]]:
    """``(name, parameters)`` of each layer group, bottom up (:func:`nlptk.classify.transfer.layer_groups`).

    The first group is named ``embedding``, the last ``head``; an
    :class:`~nlptk.classify.model.RNNClassifierNet`'s recurrent layers in between are ``rnn.<k>``
    (both directions together), other models' groups ``group.<k>``.

    Examples
    --------
    >>> from nlptk.classify.model import RNNClassifierNet
    >>> [name for name, _ in layer_groups(RNNClassifierNet(10, 4, 2, num_layers=2))]
    ['embedding', 'rnn.0', 'rnn.1', 'head']
    """
    from nlptk.classify.transfer import layer_groups as groups_of

    groups = groups_of(model)
    middle = "group" if callable(getattr(model, "layer_groups", None)) else "rnn"
    names = ["embedding", *(f"{middle}.{k}" for k in range(len(groups) - 2)), "head"]
    return list(zip(names[-len(groups) :], groups, strict=True))


class _GroupLearner(Learner):
    """A :class:`Learner` whose optimizer has one parameter group per layer group."""

    group_rates: list[float] | None = None

    def make_optimizer(self, lr: float, lower_lr_factor: float = 1.0) -> torch.optim.AdamW:
        groups = layer_groups(self.model)
        rates = self.group_rates or [lr] * len(groups)
        params = [{"params": ps, "lr": r, "name": n} for (n, ps), r in zip(groups, rates, strict=True)]
        return torch.optim.AdamW(params, lr=max(rates), weight_decay=self.weight_decay)


def _as_labelled(data: Any, labels: Sequence[Any] | None, what: str) -> LabelledData | None:
    if data is None or isinstance(data, LabelledData):
        if labels is not None:
            raise ParameterError(f"labels= goes with a list of texts, not with {what} {type(data).__name__}")
        return data
    if isinstance(data, (str, os.PathLike)):
        if labels is not None:
            raise ParameterError(f"labels= goes with a list of texts; {what} {data!r} has its own labels")
        return None  # read by the caller
    texts = list(data)
    if labels is None:
        raise ParameterError(f"{what} is a list of {len(texts)} texts but no labels were given (labels=)")
    names = [str(y) for y in labels]
    if len(names) != len(texts):
        raise DataError(f"{len(texts)} texts but {len(names)} labels; give one label per text")
    classes = sorted(set(names), key=lambda c: (0, int(c)) if re.fullmatch(r"-?\d+", c) else (1, c))
    index = {c: i for i, c in enumerate(classes)}
    return LabelledData([str(t) for t in texts], [index[n] for n in names], classes, source="(in memory)")


def _read_data(
    data: Any, labels: Sequence[Any] | None, val: Any, format: str | None, encoding: str | None
) -> tuple[LabelledData, LabelledData | None]:
    from nlptk.classify.evaluate import load_evaluation_data
    from nlptk.classify.training import load_splits

    train = _as_labelled(data, labels, "data")
    val_path = val if isinstance(val, (str, os.PathLike)) else None
    if train is None:
        splits = load_splits(data, val=val_path, format=format, encoding=encoding)
        train, found_val = splits["train"], splits.get("val")
    else:
        found_val = None
        if val_path is not None:
            found_val = load_evaluation_data(val_path, train.classes, format=format, encoding=encoding)
    if val is not None and val_path is None:
        if not isinstance(val, LabelledData):
            raise ParameterError("val= must be a path, a registry name or LabelledData")
        found_val = load_evaluation_data(val, train.classes)
    return train, found_val


def _resolve_vectors(vectors: Vectors | PathLike | None) -> Vectors | None:
    if vectors is None or not isinstance(vectors, (str, os.PathLike)):
        return vectors
    from nlptk.vectors import load_vectors

    return load_vectors(vectors)


def classifier_learner(
    data: Any,
    vectors: Vectors | PathLike | None = None,
    *,
    labels: Sequence[Any] | None = None,
    val: Any = None,
    valid_pct: float = 0.1,
    path: PathLike = ".",
    format: str | None = None,
    encoding: str | None = None,
    config: ClassifierConfig | None = None,
    encoder: Any = None,
    **params: Any,
) -> TextLearner:
    """A :class:`TextLearner` for labelled texts, its embedding starting from ``vectors``.

    Parameters
    ----------
    data : path, registry name, LabelledData or list of str
        Anything ``nlptk classify train`` reads (a CSV/TSV/JSONL or fastText file, a
        ``<class>/*.txt`` folder, a folder with ``train/`` and ``val/``, a registry name
        such as ``"sst2"``), labelled data in memory, or a list of texts with ``labels``.
    vectors : Vectors or path, optional
        Pretrained word vectors (a loaded :class:`~nlptk.vectors.container.Vectors`, or any
        file or folder :func:`nlptk.load_vectors` reads); ``None``: random embeddings.
    labels : sequence, optional
        One label per text when ``data`` is a list of texts.
    val : path, registry name or LabelledData, optional
        Validation data; default: the data's own ``val`` split, else a seeded stratified
        ``valid_pct`` of the training data.
    valid_pct : float, default=0.1
    path : path, default="."
        Where ``models/`` (the stages) lives.
    format, encoding : str, optional
        As for ``nlptk classify train``.
    config : ClassifierConfig, optional
        Architecture and training settings; ``**params`` change single fields
        (``cell="gru"``, ``hidden_size=64``...).
    encoder : LanguageModel or path, optional
        A language model (``nlptk lm train``/``finetune`` folder) whose embedding and recurrent
        layers the classifier starts from (ULMFiT); its tokenizer is used, and ``vectors``
        only give rows to task words the language model lacks. The layer groups are then
        the embedding, each recurrent layer and the head, for ``freeze_to`` and rate slices.

    Returns
    -------
    TextLearner

    Examples
    --------
    >>> learn = classifier_learner(["good", "bad"] * 20, labels=["pos", "neg"] * 20,
    ...                            hidden_size=8, device="cpu")
    >>> learn.group_names
    ['embedding', 'rnn.0', 'head']
    """
    from nlptk.classify.encoder_model import config_for_encoder, load_encoder_source
    from nlptk.classify.preparation import prepare_training
    from nlptk.classify.runtime import resolve_device
    from nlptk.text.labelled import train_val_split

    config = config.replace(**params) if config is not None else ClassifierConfig(**params)
    train, val_data = _read_data(data, labels, val, format, encoding)
    if val_data is None:
        train, val_data = train_val_split(train, val_size=valid_pct, seed=config.seed, stratify=True)
    device = resolve_device(config.device)
    lm = load_encoder_source(encoder) if encoder is not None else None
    source = None
    if lm is not None:
        config = config_for_encoder(config, lm)
        source = str(encoder) if isinstance(encoder, (str, os.PathLike)) else None
    prepared = prepare_training(
        train, _resolve_vectors(vectors), val_data, config, None, None, device, lm, source
    )
    learner = prepared.make_learner(_GroupLearner, device)
    text_learner = TextLearner(learner, prepared, train=train, val=val_data, path=path)
    if lm is not None:  # ULMFiT: the head trains first on the pretrained encoder, then unfreeze
        text_learner.freeze()
    return text_learner


class TextLearner:
    """A text classifier being trained interactively; made by :func:`classifier_learner`.

    Attributes
    ----------
    model : RNNClassifierNet
    classes : list of str
    vocab : Vocabulary
    config : ClassifierConfig
    recorder : Recorder
        The epochs so far (``plot_loss()``, ``diagnose()``).
    group_names : list of str
        The layer groups, bottom up.
    frozen_to : int
        Number of frozen groups (counted from the bottom).
    path : Path
        Stages are saved in ``path / "models"``.
    """

    def __init__(
        self,
        learner: _GroupLearner,
        prepared: Any,
        *,
        train: LabelledData,
        val: LabelledData,
        path: PathLike = ".",
    ) -> None:
        self.learner = learner
        self.config: ClassifierConfig = prepared.config
        self.classes: list[str] = list(prepared.classes)
        self.vocab = prepared.vocab
        self.embeddings: dict[str, Any] = prepared.embeddings
        self.train_data = train
        self.val_data = val
        self.path = Path(path)
        self.lr_finder_result: LRFinderResult | None = None
        self.recorder = Recorder(self)
        self._cycles = 0
        self.frozen_to = 0
        self.freeze_to(1 if self.embeddings.get("pretrained") else 0)

    @property
    def model(self) -> torch.nn.Module:
        return self.learner.model

    @property
    def group_names(self) -> list[str]:
        return [name for name, _ in layer_groups(self.model)]

    def __repr__(self) -> str:
        names = [f"{n}*" if i < self.frozen_to else n for i, n in enumerate(self.group_names)]
        return (
            f"TextLearner({self.config.cell}, {len(self.classes)} classes, "
            f"{len(self.train_data)} training / {len(self.val_data)} validation texts, "
            f"groups [{' | '.join(names)}] (* frozen), {self.learner.epoch} epochs done)"
        )

    # -- freezing -------------------------------------------------------------------------------
    def freeze_to(self, n: int) -> None:
        """Freeze the layer groups before ``n`` and train the rest (negative ``n``: from the end).

        Raises
        ------
        ParameterError
            ``n`` would freeze every group or points outside them.
        """
        groups = layer_groups(self.model)
        k = len(groups)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not -k <= int(n) < k:
            names = ", ".join(name for name, _ in groups)
            raise ParameterError(
                f"freeze_to({n!r}): the model has {k} layer groups ({names})",
                hint=f"give an integer from {-k} to {k - 1} (freeze_to(-1) trains the head only)",
            )
        index = int(n) % k if int(n) < 0 else int(n)
        for i, (_, params) in enumerate(groups):
            for p in params:
                p.requires_grad_(i >= index)
        self.frozen_to = index
        logger.info("frozen: %s", ", ".join(name for name, _ in groups[:index]) or "nothing")

    def freeze(self) -> None:
        """Train the head only (``freeze_to(-1)``)."""
        self.freeze_to(-1)

    def unfreeze(self) -> None:
        """Train every layer group (``freeze_to(0)``)."""
        self.freeze_to(0)

    # -- learning rates -------------------------------------------------------------------------
    def group_rates(self, lr: LearningRates | None) -> list[float]:
        """The peak rate of each layer group for ``lr`` (see the module docstring).

        Examples
        --------
        >>> learn.group_rates(slice(1e-4, 1e-2))       # doctest: +SKIP
        [0.0001, 0.001, 0.01]
        """
        names = self.group_names
        k = len(names)
        if lr is None:
            lr = self.config.lr
        if isinstance(lr, slice):
            if lr.step is not None:
                raise ParameterError(f"lr={lr!r}: a slice of rates has no step", hint="slice(low, high)")
            if lr.start is None:
                rates = [float(lr.stop) / 10] * (k - 1) + [float(lr.stop)]
            else:
                rates = [float(r) for r in np.geomspace(float(lr.start), float(lr.stop), k)]
        elif isinstance(lr, (int, float, np.floating, np.integer)) and not isinstance(lr, bool):
            rates = [float(lr)] * k
        else:
            rates = [float(r) for r in lr]
            if len(rates) == 1:
                rates = rates * k
            elif len(rates) != k:
                raise ParameterError(
                    f"{len(rates)} learning rates for {k} layer groups ({', '.join(names)})",
                    hint=f"give one rate, slice(low, high), or exactly {k} rates",
                )
        bad = [r for r in rates if not (r > 0 and math.isfinite(r))]
        if bad:
            raise ParameterError(f"learning rates must be positive numbers, got {bad[0]} in lr={lr!r}")
        return rates

    # -- training -------------------------------------------------------------------------------
    def lr_find(
        self, *, start_lr: float = 1e-7, end_lr: float = 10.0, num_steps: int = 100
    ) -> LRFinderResult:
        """The learning-rate range test on the current freezing; weights are restored afterwards.

        Returns the :class:`~nlptk.classify.lr_finder.LRFinderResult` (``.suggestion``,
        ``.plot()``); the suggestion is also what the diagnosis proposes after a divergence.
        """
        from nlptk.classify.lr_finder import lr_find

        self.learner.group_rates = None
        result = lr_find(self.learner, start_lr=start_lr, end_lr=end_lr, num_steps=num_steps)
        self.lr_finder_result = result
        return result

    def fit_one_cycle(
        self,
        n_epoch: int,
        lr: LearningRates | None = None,
        *,
        pct_start: float = 0.25,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
    ) -> Recorder:
        """Train ``n_epoch`` epochs with the one-cycle policy (one stage).

        Parameters
        ----------
        n_epoch : int
        lr : float, slice or sequence of float, optional
            Peak rate(s): see :meth:`group_rates`; default ``config.lr``.
        pct_start, div_factor, final_div_factor : float
            As :meth:`Learner.fit_one_cycle`.

        Returns
        -------
        Recorder
            Shows the epochs as a table in a notebook.

        Raises
        ------
        TrainingError
            The loss became NaN or infinite (the weights are then damaged: ``load`` a stage).
        """
        return self._fit(n_epoch, lr, one_cycle=True, pct_start=pct_start, div_factor=div_factor,
                         final_div_factor=final_div_factor)  # fmt: skip

    def fit(self, n_epoch: int, lr: LearningRates | None = None) -> Recorder:
        """Train ``n_epoch`` epochs at constant rate(s) (one stage)."""
        return self._fit(n_epoch, lr, one_cycle=False)

    def _fit(self, n_epoch: int, lr: LearningRates | None, *, one_cycle: bool, **schedule: float) -> Recorder:
        if isinstance(n_epoch, bool) or not isinstance(n_epoch, int) or n_epoch < 1:
            raise ParameterError(f"n_epoch={n_epoch!r} must be a positive integer")
        rates = self.group_rates(lr)
        self.learner.group_rates = rates
        self.learner.stop_training = False
        self._cycles += 1
        stage = f"{'cycle' if one_cycle else 'fit'} {self._cycles}"
        logger.info("%s: %d epochs, rates %s", stage, n_epoch, ", ".join(f"{r:.2e}" for r in rates))
        try:
            if one_cycle:
                self.learner.fit_one_cycle(n_epoch, max(rates), stage=stage, **schedule)
            else:
                self.learner.fit(n_epoch, max(rates), stage=stage)
        except TrainingError as exc:
            suggestion = self.lr_finder_result.suggestion if self.lr_finder_result else None
            advice = (
                f"the lr finder suggested {suggestion:.2e}"
                if suggestion
                else "run learn.lr_find() for a rate"
            )
            raise TrainingError(
                f"{exc.message}; the weights are now damaged",
                hint=f"learn.load() a saved stage and train with a lower rate ({advice})",
            ) from None
        finally:
            self.learner.group_rates = None
        return self.recorder

    # -- stages ---------------------------------------------------------------------------------
    def _architecture(self) -> dict[str, Any]:
        c = self.config
        emb = self.model.embedding
        return {
            "model": type(self.model).__name__,
            "cell": c.cell,
            "hidden_size": c.hidden_size,
            "num_layers": c.num_layers,
            "bidirectional": c.bidirectional,
            "pooling": c.pooling,
            "vocab_size": emb.num_embeddings,
            "embedding_dim": emb.embedding_dim,
            "n_classes": len(self.classes),
        }

    def _fingerprint(self) -> str:
        digest = hashlib.sha1()
        for word in self.vocab.words:
            digest.update(word.encode("utf-8") + b"\n")
        digest.update(b"\0" + "\n".join(self.classes).encode("utf-8"))
        return digest.hexdigest()

    def stage_path(self, name: str) -> Path:
        """``path / "models" / f"{name}.pt"``."""
        if not name or any(sep in name for sep in ("/", "\\")) or name in (".", ".."):
            raise ParameterError(f"stage name {name!r} must be a plain name such as 'stage-1'")
        return self.path / "models" / f"{name}.pt"

    def save(self, name: str) -> Path:
        """Save the weights as stage ``name`` (replacing an earlier stage of that name)."""
        from nlptk.io import atomic_write

        target = self.stage_path(name)
        state = {
            "format": STAGE_FORMAT,
            "format_version": STAGE_VERSION,
            "architecture": self._architecture(),
            "fingerprint": self._fingerprint(),
            "model": {k: v.detach().cpu() for k, v in self.model.state_dict().items()},
            "epochs_done": self.learner.epoch,
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(target, "wb", force=True) as fh:
            torch.save(state, fh)
        logger.info("stage %r saved to %s", name, target)
        return target

    def load(self, name: str) -> TextLearner:
        """Load stage ``name`` into the model (the freezing and the recorder are kept).

        Raises
        ------
        InputFileError
            No such stage.
        IncompatibleModelError
            The stage comes from another architecture, vocabulary or class list.
        """
        target = self.stage_path(name)
        if not target.is_file():
            saved = sorted(p.stem for p in target.parent.glob("*.pt")) if target.parent.is_dir() else []
            raise InputFileError(
                f"no stage {name!r}",
                path=target,
                hint=f"saved stages: {', '.join(saved)}" if saved else "save one with learn.save(name)",
            )
        try:
            state = torch.load(target, weights_only=True, map_location="cpu")
        except Exception as exc:  # unpickling errors come in many types
            raise IncompatibleModelError(f"cannot read stage {name!r} ({exc})", path=target) from None
        if not isinstance(state, dict) or state.get("format") != STAGE_FORMAT:
            raise IncompatibleModelError(f"{target.name} is not an nlptk learner stage", path=target)
        ours, theirs = self._architecture(), state.get("architecture", {})
        differ = [k for k in ours if theirs.get(k) != ours[k]]
        if differ:
            detail = ", ".join(f"{k} {theirs.get(k)!r} (this learner: {ours[k]!r})" for k in differ)
            raise IncompatibleModelError(
                f"stage {name!r} was saved from another architecture: {detail}",
                path=target,
                hint="load it into a learner built with the same settings",
            )
        if state.get("fingerprint") != self._fingerprint():
            raise IncompatibleModelError(
                f"stage {name!r} was saved with another vocabulary or class list",
                path=target,
                hint="build the learner from the same data (and min_count/max_vocab) as the stage",
            )
        self.model.load_state_dict(state["model"])
        logger.info("stage %r loaded from %s", name, target)
        return self

    # -- results --------------------------------------------------------------------------------
    def to_classifier(self) -> TrainedClassifier:
        """A :class:`~nlptk.classify.predictor.TrainedClassifier` with a copy of the current weights."""
        from nlptk.classify.predictor import TrainedClassifier

        info = {"embeddings": self.embeddings, "training": self._training_info()}
        return TrainedClassifier(
            copy.deepcopy(self.model),
            config=self.config,
            vocab=self.vocab,
            classes=self.classes,
            history=list(self.learner.history),
            info=info,
            device=self.learner.device,
        )

    def _training_info(self) -> dict[str, Any]:
        diagnosis = self.recorder.diagnose() if self.learner.history else None
        return {
            "device": str(self.learner.device),
            "n_train": len(self.train_data),
            "n_val": len(self.val_data),
            "epochs_run": self.learner.epoch,
            "notebook_stages": sorted({r["stage"] for r in self.learner.history}),
            "diagnosis": diagnosis.to_dict() if diagnosis is not None else None,
        }

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most probable class of each text."""
        return self.to_classifier().predict(list(texts))

    def interpret(self, data: Any = None) -> LearnerInterpretation:
        """Interpret the predictions on the validation set (or on ``data``, labelled)."""
        from nlptk.classify.display import LearnerInterpretation
        from nlptk.classify.evaluate import load_evaluation_data
        from nlptk.classify.interpret import interpret

        dataset = self.val_data if data is None else load_evaluation_data(data, self.classes)
        if len(dataset) == 0:
            raise DataError("no examples to interpret")
        probs = self.to_classifier().predict_proba(dataset.texts)
        return LearnerInterpretation.of(interpret(dataset.texts, dataset.labels, probs, self.classes))

    def export(self, folder: PathLike, *, force: bool = False) -> Path:
        """Write the model folder ``nlptk classify train`` writes (``TrainedClassifier.load`` reads it)."""
        return self.to_classifier().save(folder, force=force)
