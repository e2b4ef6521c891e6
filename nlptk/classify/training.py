"""One-call training: :func:`train_classifier` and :func:`find_learning_rate`.

The layers underneath: :mod:`~nlptk.classify.data` (tokens, vocabulary, batches),
:func:`~nlptk.classify.embeddings.match_embeddings` (pretrained rows),
:class:`~nlptk.classify.model.RNNClassifierNet`, :class:`~nlptk.classify.learner.Learner`
with its callbacks, and :mod:`~nlptk.classify.persist`.

Training runs in transfer stages, as fastai's text learner does: ``"frozen"`` (the rows that
came from the pretrained vectors held fixed, ``freeze_epochs`` epochs; with
``freeze_rows="all"`` the whole layer, as before) then ``"unfrozen"`` (everything trains, the
embedding layer at ``lr * lower_lr_factor``), each stage a one-cycle schedule. Without
pretrained vectors there is one stage, ``"train"``, in which the random embeddings train at
the full rate like every other layer. Early stopping watches ``config.monitor`` on the
validation set and the best epoch's weights are kept.

The pretrained rows may be conditioned first (``conditioning``, see
:mod:`~nlptk.classify.conditioning`), a small data set's epochs stretched to
``min_epoch_steps`` optimiser steps (:mod:`~nlptk.classify.freezing`), and a wide n-gram term
added to the logits (``ngrams``, :mod:`~nlptk.classify.wide`).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from nlptk._deprecated import renamed_names
from nlptk.classify.callbacks import Callback, EarlyStopping, LastCheckpoint, ProgressReporter
from nlptk.classify.config import ClassifierConfig
from nlptk.classify.data import (
    data_fingerprint,
)
from nlptk.classify.diagnose import diagnose
from nlptk.classify.distributed import distribute
from nlptk.classify.encoder_model import (
    EncoderClassifierNet,
    config_for_encoder,
    load_encoder_source,
)
from nlptk.classify.freezing import FreezeRows
from nlptk.classify.learner import Learner, ResumePoint
from nlptk.classify.lr_finder import LRFinderResult, lr_find
from nlptk.classify.persist import checkpoint_path, load_checkpoint
from nlptk.classify.predictor import TrainedClassifier
from nlptk.classify.preparation import check_resume, load_splits, prepare_training
from nlptk.classify.runtime import resolve_device
from nlptk.classify.transfer import (
    TransferLearner,
    feature_cache_hook,
    freeze_to,
    run_stages,
    transfer_stages,
)
from nlptk.distributed import collective_errors, init_distributed, ranks_summary, refuse_distributed
from nlptk.errors import InputFileError, ParameterError
from nlptk.io import check_output
from nlptk.progress import ProgressCallback
from nlptk.text.labelled import LabelledData

if TYPE_CHECKING:
    from nlptk.lm.language_model import LanguageModel
    from nlptk.vectors.container import Vectors

__all__ = ["find_learning_rate", "load_splits", "train_classifier"]  # load_splits lives in preparation

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


def _stages(config: ClassifierConfig, pretrained: bool) -> list[tuple[str, int, bool]]:
    """``(name, epochs, frozen)`` of each transfer stage.

    Random embeddings are never frozen: there is nothing to protect, and frozen random rows
    would only waste the first epochs.
    """
    frozen = config.frozen_epochs if pretrained else 0
    if frozen == 0:
        return [("train", config.epochs, False)]
    stages = [("frozen", frozen, True)]
    if config.epochs > frozen:
        stages.append(("unfrozen", config.epochs - frozen, False))
    return stages


def train_classifier(
    train: LabelledData,
    *,
    vectors: Vectors | None = None,
    encoder: LanguageModel | PathLike | None = None,
    val: LabelledData | None = None,
    config: ClassifierConfig | None = None,
    out: PathLike | None = None,
    force: bool = False,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    callbacks: list[Callback] | None = None,
) -> TrainedClassifier:
    """Train an RNN / LSTM / GRU text classifier, starting from pretrained vectors when given.

    Parameters
    ----------
    train : LabelledData
        Training texts and labels (at least two classes).
    vectors : Vectors, optional
        Pretrained word vectors for the embedding layer (known words copied, others from
        subwords or random; the coverage is logged and saved). ``None``: random start.
        With ``encoder``: rows for the task's words the language model lacks (same dimension).
    encoder : LanguageModel or path, optional
        A language model (or its folder) whose embedding and recurrent layers the classifier
        starts from (ULMFiT: concat pooling, a two-block head, gradual unfreezing with
        ``config.unfreeze_schedule``, discriminative rates ``config.lr_decay``); its
        tokenizer is used.
    val : LabelledData, optional
        Validation data; its labels must be training classes. ``None``: a seeded,
        stratified 10% of ``train`` is kept aside.
    config : ClassifierConfig, optional
        Architecture and training settings (defaults: a bidirectional LSTM, 5 epochs).
    out : path, optional
        Model folder to write (atomically). While training, the last checkpoint lives in
        ``<out>.checkpoint/`` and is removed once the model is saved.
    force : bool, default=False
        Replace an existing ``out``.
    resume : bool, default=False
        Continue from ``<out>.checkpoint/last.pt`` after an interruption (needs ``out``).
    progress : callable, optional
        Receives :class:`~nlptk.progress.ProgressEvent` s (phases ``"epochs"``, ``"batches"``).
    callbacks : list of Callback, optional
        More learner callbacks.

    Returns
    -------
    TrainedClassifier
        With the weights of the best validation epoch.

    Raises
    ------
    DataError
        One class, no examples, a validation label that is not a training class.
    OutputExistsError
        ``out`` exists and not ``force`` (checked before training).
    TrainingError
        The loss became NaN or infinite (nothing is saved).
    ParameterError
        ``resume`` without a checkpoint-compatible config or vectors.

    Examples
    --------
    >>> from nlptk.text.labelled import LabelledData
    >>> data = LabelledData(["good film", "bad film"] * 20, [1, 0] * 20, ["neg", "pos"])
    >>> clf = train_classifier(data, config=ClassifierConfig(epochs=2, hidden_size=8))
    >>> clf.predict(["good"])                                   # doctest: +SKIP
    ['pos']
    """
    config = (config or ClassifierConfig()).validate()
    started = time.perf_counter()
    lm = load_encoder_source(encoder) if encoder is not None else None
    if lm is not None:
        config = config_for_encoder(config, lm)
    encoder_source = str(encoder) if isinstance(encoder, (str, os.PathLike)) else None
    out_path = Path(out) if out is not None else None
    if out_path is not None:
        check_output(out_path, force=force)
    checkpoint = checkpoint_path(out_path) if out_path is not None else None
    resume_state = None
    if resume:
        if checkpoint is None:
            raise ParameterError("resume=True needs the model folder (out) whose checkpoint to continue")
        if not checkpoint.exists():
            raise InputFileError(
                "no checkpoint to resume from", path=checkpoint, hint="train again without --resume"
            )
        resume_state = load_checkpoint(checkpoint)
        config = check_resume(config, resume_state["extra"], checkpoint)

    ctx = init_distributed(resolve_device(config.device))  # one process unless under torchrun
    device = ctx.device
    prepared = prepare_training(
        train, vectors, val, config, resume_state, checkpoint, device, lm, encoder_source
    )
    distribute(prepared, ctx, batch_size=config.batch_size)

    def checkpoint_extra() -> dict[str, Any]:
        return {
            "config": config.to_dict(),
            "classes": prepared.classes,
            "vocab": prepared.vocab.to_dict(),
            "embedding_dim": int(prepared.embeddings["dim"]),
            "embeddings": prepared.embeddings,
            "architecture": prepared.model.spec()
            if isinstance(prepared.model, EncoderClassifierNet)
            else None,
            "conditioning": None
            if prepared.conditioning is None
            else {
                "method": prepared.conditioning.method,
                "mean": torch.from_numpy(prepared.conditioning.mean_),
                "matrix": torch.from_numpy(prepared.conditioning.matrix_),
                "details": prepared.conditioning.details,
            },
            "pretrained_rows": None
            if prepared.pretrained_rows is None
            else torch.from_numpy(prepared.pretrained_rows),
        }

    early = EarlyStopping(config.monitor, config.patience)
    all_callbacks: list[Callback] = [early]
    pretrained = bool(prepared.embeddings.get("pretrained"))
    # "pretrained": the frozen stage holds only the rows the vectors gave; stand-ins train
    freeze_rows = None
    if pretrained and config.freeze_rows == "pretrained" and prepared.pretrained_rows is not None:
        freeze_rows = FreezeRows(torch.from_numpy(prepared.pretrained_rows))
        all_callbacks.append(freeze_rows)
    if checkpoint is not None and ctx.is_main:
        all_callbacks.append(LastCheckpoint(checkpoint, checkpoint_extra))
    all_callbacks.append(ProgressReporter(progress if ctx.is_main else None, config.epochs))
    all_callbacks.extend(callbacks or [])
    gradual = transfer_stages(prepared.model, config)
    learner_class, extra_options = (
        (Learner, {}) if gradual is None else (TransferLearner, {"lr_decay": config.lr_decay})
    )
    learner = prepared.make_learner(
        learner_class, device, callbacks=all_callbacks, distributed=ctx, **extra_options
    )
    logger.info(
        "training a %s classifier on %s: %d training and %d validation texts, %d classes, %d words",
        config.cell,
        device,
        prepared.n_train,
        prepared.n_val,
        len(prepared.classes),
        len(prepared.vocab),
    )
    if config.frozen_epochs and not pretrained:
        logger.info("no pretrained vectors: the embedding layer trains from the first epoch")
    stages = _stages(config, pretrained)
    # discriminative rates protect pretrained rows; random rows learn at the full rate
    lower_lr_factor = config.lower_lr_factor if pretrained else 1.0
    resume_point: ResumePoint | None = None
    if resume_state is not None:
        resume_point = learner.load_training_state(resume_state)
        logger.info("resuming after epoch %d (stage %r)", learner.epoch, resume_point.stage)
    ctx.seed_rank()  # under torchrun: each rank its own dropout stream
    fit = learner.fit_one_cycle if config.schedule == "one_cycle" else learner.fit
    if gradual is not None:
        stages = []  # gradual unfreezing instead
    try:
        with collective_errors(ctx, "training"):
            if gradual is not None:
                logger.info("gradual unfreezing: %s", ", ".join(f"{s.name} x{s.epochs}" for s in gradual))
                run_stages(
                    learner,
                    gradual,
                    lr=config.lr,
                    one_cycle=config.schedule == "one_cycle",
                    resume=resume_point,
                    before_stage=feature_cache_hook(learner, config),
                )
            for name, epochs, frozen in stages:
                if resume_point is not None and name != resume_point.stage:
                    continue  # done before the interruption
                resume, resume_point = resume_point, None
                if learner.stop_training:
                    break
                if frozen and freeze_rows is not None:
                    # only the pretrained rows are held (by the callback); the stand-in rows of
                    # words the vectors lacked learn at the full rate, as random embeddings do
                    learner.freeze_embeddings(False)
                    fit(epochs, config.lr, lower_lr_factor=1.0, stage=name, resume=resume)
                    continue
                learner.freeze_embeddings(frozen)
                fit(epochs, config.lr, lower_lr_factor=lower_lr_factor, stage=name, resume=resume)
    except KeyboardInterrupt:
        if checkpoint is not None and checkpoint.exists():
            logger.warning(
                "interrupted; the checkpoint of epoch %d is in %s: rerun with resume=True (--resume) "
                "to continue",
                learner.history[-1]["epoch"] if learner.history else 0,
                checkpoint.parent,
            )
        raise
    learner.freeze_embeddings(False)
    for callback in learner.callbacks:
        callback.on_train_end(learner)

    info = {
        "embeddings": prepared.embeddings,
        "training": {
            "device": str(device),
            "n_train": prepared.n_train,
            "n_val": prepared.n_val,
            "epochs_run": learner.epoch,
            "best_epoch": early.best_epoch,
            "monitor": config.monitor,
            "best_score": early.best_score if early.best_epoch else None,
            "stopped_early": learner.stop_training,
            # what the model has seen, so that evaluating on it can be flagged (see data_fingerprint)
            "data": {
                "train": data_fingerprint(train),
                **({"val": data_fingerprint(val)} if val is not None else {}),
            },
            "resumed": resume_state is not None,
            "seconds": round(time.perf_counter() - started, 3),
            "steps_per_epoch": len(prepared.train_loader),
            "epoch_repeats": prepared.epoch_repeats,
            "freeze_rows": config.freeze_rows if pretrained else None,
            "frozen_steps": freeze_rows.steps_frozen if freeze_rows is not None else None,
            "wide_ngrams": config.ngrams,
            "diagnosis": diagnose(
                learner.history, n_classes=len(prepared.classes), settings=config.to_dict()
            ).to_dict(),
            **ranks_summary(ctx),
        },
    }
    classifier = TrainedClassifier(
        learner.model,
        config=config,
        vocab=prepared.vocab,
        classes=prepared.classes,
        history=learner.history,
        info=info,
        device=device,
        conditioning=prepared.conditioning,
    )
    if out_path is not None and ctx.is_main:
        classifier.save(out_path, force=force)
        if checkpoint is not None and checkpoint.parent.exists():
            shutil.rmtree(checkpoint.parent, ignore_errors=True)
    with collective_errors(ctx, "saving the model"):
        ctx.barrier()  # the other ranks return once rank 0 has written the model
    return classifier


def find_learning_rate(
    train: LabelledData,
    *,
    vectors: Vectors | None = None,
    encoder: LanguageModel | PathLike | None = None,
    config: ClassifierConfig | None = None,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    plot: PathLike | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> LRFinderResult:
    """Run the lr finder on a freshly built classifier, frozen as in its first stage.

    That stage is the frozen-embeddings one for pretrained vectors, the head alone with
    gradual unfreezing (``encoder``, or ``config.unfreeze_schedule``).

    Parameters
    ----------
    train : LabelledData
    vectors : Vectors, optional
    encoder : LanguageModel or path, optional
        A language model to start from (see :func:`train_classifier`).
    config : ClassifierConfig, optional
    start_lr, end_lr : float
        The rate rises exponentially between them.
    num_steps : int, default=100
    plot : path, optional
        Where to save the loss-vs-rate plot (with the suggestion marked).
    force : bool, default=False
        Replace an existing plot.

    Returns
    -------
    LRFinderResult
        ``lrs``, ``losses`` (smoothed), ``suggestion``.

    Examples
    --------
    >>> result = find_learning_rate(data, vectors=vectors)       # doctest: +SKIP
    >>> result.suggestion                                          # doctest: +SKIP
    0.0031
    """
    refuse_distributed(
        "the lr finder",
        hint="run `nlptk classify lr-find` (find_learning_rate) in one process, without torchrun, and "
        "give the rate it suggests to the distributed `nlptk classify train --lr`",
    )
    config = (config or ClassifierConfig()).validate()
    lm = load_encoder_source(encoder) if encoder is not None else None
    if lm is not None:
        config = config_for_encoder(config, lm)
    if plot is not None:
        check_output(plot, force=force)
    device = resolve_device(config.device)
    prepared = prepare_training(train, vectors, None, config, None, None, device, lm)
    gradual = transfer_stages(prepared.model, config)
    learner_class, extra_options = (
        (Learner, {}) if gradual is None else (TransferLearner, {"lr_decay": config.lr_decay})
    )
    learner = prepared.make_learner(learner_class, device, validate=False, **extra_options)
    if gradual is not None:
        freeze_to(learner.model, gradual[0].trainable_groups)
    else:
        learner.freeze_embeddings(config.frozen_epochs > 0 and vectors is not None)
    result = lr_find(learner, start_lr=start_lr, end_lr=end_lr, num_steps=num_steps, progress=progress)
    if plot is not None:
        result.plot(plot, force=force)
    return result


# old public names, kept for one release with a DeprecationWarning (nlptk._deprecated)
__getattr__ = renamed_names(__name__, {"read_splits": "nlptk.classify.preparation.load_splits"})
