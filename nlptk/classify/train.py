"""One-call training: :func:`train_classifier` and :func:`find_learning_rate`.

The layers underneath: :mod:`~nlptk.classify.data` (tokens, vocabulary, batches),
:func:`~nlptk.classify.embeddings.match_embeddings` (pretrained rows),
:class:`~nlptk.classify.model.RNNClassifier`, :class:`~nlptk.classify.learner.Learner`
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

import dataclasses
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from nlptk.classify.augment import AugmentedDataset, make_augmenter, neighbours_for_augmentation
from nlptk.classify.callbacks import Callback, EarlyStopping, LastCheckpoint, ProgressReporter
from nlptk.classify.conditioning import Conditioning, condition_rows, vector_diagnostics
from nlptk.classify.config import ClassifierConfig
from nlptk.classify.data import (
    EncodedDataset,
    build_vocabulary,
    collate_fn,
    data_fingerprint,
    encode_labels,
    encode_texts,
    make_loader,
)
from nlptk.classify.diagnose import diagnose
from nlptk.classify.distributed import distribute
from nlptk.classify.embeddings import match_embeddings_masked, random_embeddings
from nlptk.classify.encoder_model import (
    EncoderClassifier,
    build_encoder_classifier,
    config_for_encoder,
    load_encoder_source,
)
from nlptk.classify.freezing import FreezeRows, RepeatedBatchSampler, epoch_repeats
from nlptk.classify.learner import Learner
from nlptk.classify.lr_finder import LRFinderResult, lr_find
from nlptk.classify.model import RNNClassifier
from nlptk.classify.persist import checkpoint_path, load_checkpoint
from nlptk.classify.predictor import TrainedClassifier
from nlptk.classify.runtime import resolve_device, seed_everything
from nlptk.classify.transfer import (
    TransferLearner,
    feature_cache_hook,
    freeze_to,
    run_stages,
    transfer_stages,
)
from nlptk.distributed import collective_errors, init_distributed, ranks_summary, refuse_distributed
from nlptk.errors import DataError, InputFileError, ParameterError
from nlptk.io import check_output
from nlptk.progress import ProgressCallback
from nlptk.text.labelled import LabelledData, train_val_split
from nlptk.text.tokenize import tokenizer_from_config
from nlptk.text.vocab import Vocabulary

if TYPE_CHECKING:
    from nlptk.lm.language_model import LanguageModel
    from nlptk.vectors.container import Vectors

__all__ = ["find_learning_rate", "read_splits", "train_classifier"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

# settings a resumed run may change; any other difference from the checkpoint is an error
_RESUMABLE_CHANGES = {"device", "mixed_precision", "patience", "cache_features", "cache_memory"}


@dataclass
class _Prepared:
    """Everything built from the data before the first step."""

    config: ClassifierConfig
    classes: list[str]
    vocab: Vocabulary
    model: nn.Module  # RNNClassifier, or EncoderClassifier on a language model's encoder
    train_loader: Any
    val_loader: Any
    n_train: int
    n_val: int
    embeddings: dict[str, Any]
    conditioning: Conditioning | None = None
    # rows that came from the pretrained vectors (the ones the frozen stage holds fixed)
    pretrained_rows: np.ndarray | None = None
    epoch_repeats: int = 1


def _class_names(data: LabelledData) -> list[str]:
    return [str(c) for c in data.classes]


def _check_training_data(train: LabelledData) -> list[str]:
    if len(train) == 0:
        raise DataError("the training data has no examples", path=train.source)
    classes = _class_names(train)
    present = sorted(set(int(y) for y in train.labels))
    if len(present) < 2:
        only = classes[present[0]] if present else "none"
        raise DataError(
            f"the training data has only one class ({only!r}, {len(train)} examples); "
            "a classifier needs at least two",
            path=train.source,
            hint="check the label column or the class folders",
        )
    missing = [c for i, c in enumerate(classes) if i not in set(present)]
    if missing:
        logger.warning("classes with no training example: %s", ", ".join(missing))
    return classes


def _labels_in(data: LabelledData, classes: list[str], where: str) -> np.ndarray:
    """``data``'s labels as indices into the training ``classes`` (matched by name)."""
    names = [str(data.classes[int(y)]) for y in data.labels]
    return encode_labels(names, classes, where=where)


def _check_resume(config: ClassifierConfig, saved: dict[str, Any], path: Path) -> ClassifierConfig:
    saved_config = ClassifierConfig.from_dict(saved["config"])
    differ = [
        f.name
        for f in dataclasses.fields(ClassifierConfig)
        if f.name not in _RESUMABLE_CHANGES and getattr(config, f.name) != getattr(saved_config, f.name)
    ]
    if differ:
        detail = ", ".join(
            f"{n}={getattr(config, n)!r} (checkpoint: {getattr(saved_config, n)!r})" for n in differ
        )
        raise ParameterError(
            f"cannot resume with different settings: {detail}",
            path=path,
            hint="resume with the settings of the interrupted run, or train again without --resume",
        )
    return config


def _prepare(
    train: LabelledData,
    vectors: Vectors | None,
    val: LabelledData | None,
    config: ClassifierConfig,
    resume_state: dict[str, Any] | None,
    checkpoint: Path | None,
    device: torch.device,
    lm: LanguageModel | None = None,
    encoder_source: str | None = None,
) -> _Prepared:
    classes = _check_training_data(train)
    if val is None:
        train, val = train_val_split(train, val_size=0.1, seed=config.seed, stratify=True)
        logger.info("no validation set given: %d training examples kept aside (seeded, stratified)", len(val))
    y_train = _labels_in(train, classes, "the training data")
    y_val = _labels_in(val, classes, f"the validation data ({val.source or 'val'})")
    seed_everything(config.seed)
    tokenizer = tokenizer_from_config(config.tokenizer)

    if resume_state is not None:
        extra = resume_state["extra"]
        if list(extra["classes"]) != classes:
            raise DataError(
                f"the training data's classes {classes} differ from the checkpoint's {extra['classes']}",
                path=checkpoint,
                hint="resume with the same data, or train again without --resume",
            )
        vocab = Vocabulary.from_dict(extra["vocab"])
        dim = int(extra["embedding_dim"])
        if vectors is not None and vectors.dim != dim:
            raise ParameterError(
                f"the vectors have {vectors.dim} dimensions but the checkpoint's embedding layer has {dim}",
                path=checkpoint,
                hint="resume with the vectors the interrupted run used, or train again without --resume",
            )
        matrix = None
        embeddings = extra["embeddings"]
        token_lists, neighbours = None, None
        conditioning = None
        if extra.get("conditioning") is not None:
            saved = extra["conditioning"]
            conditioning = Conditioning(
                saved["method"],
                saved["mean"].numpy(),
                saved["matrix"].numpy(),
                dict(saved.get("details", {})),
            )
        pretrained_rows = (
            extra["pretrained_rows"].numpy() if extra.get("pretrained_rows") is not None else None
        )
        architecture = extra.get("architecture")
        model = (
            EncoderClassifier.from_spec(architecture, vocab_size=len(vocab), n_classes=len(classes))
            if architecture is not None
            else None
        )
    elif lm is not None:
        token_lists = [tokenizer(t) for t in train.texts]
        neighbours = None
        conditioning, pretrained_rows = None, None
        model, vocab, embeddings = build_encoder_classifier(
            lm, token_lists, n_classes=len(classes), config=config, vectors=vectors, source=encoder_source
        )
        matrix = None
    else:
        model = None
        token_lists = [tokenizer(t) for t in train.texts]
        # augmentation's replacement words join the vocabulary (their pretrained rows are needed)
        neighbours, extra_words = neighbours_for_augmentation(token_lists, vectors, config)
        vocab = build_vocabulary(
            token_lists + [extra_words] * config.min_count,
            min_count=config.min_count,
            max_size=config.max_vocab,
        )
        conditioning, pretrained_rows = None, None
        if vectors is not None:
            matrix, coverage, pretrained_rows = match_embeddings_masked(vocab, vectors, seed=config.seed)
            raw_rows = matrix[pretrained_rows].copy()
            stand_ins = ~pretrained_rows
            stand_ins[0] = False  # padding stays zero
            matrix, conditioning = condition_rows(
                matrix,
                pretrained_rows,
                config.conditioning,
                components=config.conditioning_components,
                trainable=stand_ins,
                seed=config.seed,
            )
            embeddings = {
                "pretrained": True,
                "dim": vectors.dim,
                "source": {k: v for k, v in vectors.meta.items() if isinstance(v, (str, int, float, bool))},
                "coverage": coverage,
                "diagnostics": vector_diagnostics(
                    raw_rows, coverage, conditioning, conditioned_rows=matrix[pretrained_rows]
                ),
            }
        else:
            matrix = random_embeddings(len(vocab), config.embedding_dim, seed=config.seed)
            embeddings = {"pretrained": False, "dim": config.embedding_dim, "coverage": None}
            logger.info("no pretrained vectors: embeddings start random (dim=%d)", config.embedding_dim)
    if model is None:
        model = RNNClassifier.from_config(
            config, vocab_size=len(vocab), embedding_dim=int(embeddings["dim"]), n_classes=len(classes)
        )
    if matrix is not None:
        model.load_embeddings(torch.from_numpy(matrix))

    train_ids = encode_texts(train.texts, tokenizer, vocab, max_length=config.max_length)
    augmenter = make_augmenter(vocab, vectors, config, token_lists=token_lists, table=neighbours)
    train_ds = (
        AugmentedDataset(train_ids, y_train, augmenter)
        if augmenter.active
        else EncodedDataset(train_ids, y_train)
    )
    val_ds = EncodedDataset(encode_texts(val.texts, tokenizer, vocab, max_length=config.max_length), y_val)
    pin = device.type == "cuda"
    train_loader = make_loader(
        train_ds, batch_size=config.batch_size, shuffle=True, seed=config.seed, pin_memory=pin
    )
    repeats = epoch_repeats(len(train_loader), config.min_epoch_steps)
    if repeats > 1:
        # a small data set: each epoch passes over it several times (at least min_epoch_steps steps)
        train_loader = DataLoader(
            train_ds,
            batch_sampler=RepeatedBatchSampler(train_loader.batch_sampler, repeats),
            collate_fn=collate_fn,
            num_workers=0,
            pin_memory=pin,
        )
        logger.info(
            "%d training texts make %d batches: each epoch passes over them %d times (%d steps; "
            "min_epoch_steps=%d)",
            len(train_ds),
            len(train_loader) // repeats,
            repeats,
            len(train_loader),
            config.min_epoch_steps,
        )
    return _Prepared(
        config=config,
        classes=classes,
        vocab=vocab,
        model=model,
        train_loader=train_loader,
        val_loader=make_loader(val_ds, batch_size=max(config.batch_size, 256), shuffle=False, pin_memory=pin),
        n_train=len(train_ds),
        n_val=len(val_ds),
        embeddings=embeddings,
        conditioning=conditioning,
        pretrained_rows=pretrained_rows,
        epoch_repeats=repeats,
    )


def read_splits(
    data: PathLike,
    *,
    val: PathLike | None = None,
    test: PathLike | None = None,
    format: str | None = None,
    encoding: str | None = None,
) -> dict[str, LabelledData]:
    """Read training data and its optional validation and test sets.

    ``data`` is a file (CSV/TSV/JSONL, fastText ``__label__`` lines), a ``<class>/*.txt``
    folder, a dataset folder with ``train/`` (and ``val/``, ``test/``) splits, or a registry
    name. ``val`` and ``test`` override the splits found there; they are read with the
    training classes, so a label the training data lacks is a clear error.

    Returns
    -------
    dict
        ``"train"`` and, where present, ``"val"`` and ``"test"``.
    """
    from nlptk.text.labelled import find_split_files, load_labelled_splits, read_labelled
    from nlptk.text.registry import is_registry_name

    options: dict[str, Any] = {"format": format}
    if encoding is not None:
        options["encoding"] = encoding
    source = Path(data)
    # train/ (class folders) or train.csv/.tsv/.jsonl/... beside optional val and test splits
    is_split_root = source.is_dir() and "train" in find_split_files(source)
    is_registry = is_registry_name(data)
    if is_split_root or (is_registry and ":" not in str(data)):
        splits = load_labelled_splits(data, **options)
    else:
        splits = {"train": read_labelled(data, **options)}
    classes = splits["train"].classes
    if val is not None:
        splits["val"] = read_labelled(val, classes=classes, **options)
    if test is not None:
        splits["test"] = read_labelled(test, classes=classes, **options)
    return splits


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
        config = _check_resume(config, resume_state["extra"], checkpoint)

    ctx = init_distributed(resolve_device(config.device))  # one process unless under torchrun
    device = ctx.device
    prepared = _prepare(train, vectors, val, config, resume_state, checkpoint, device, lm, encoder_source)
    distribute(prepared, ctx, batch_size=config.batch_size)

    def checkpoint_extra() -> dict[str, Any]:
        return {
            "config": config.to_dict(),
            "classes": prepared.classes,
            "vocab": prepared.vocab.to_dict(),
            "embedding_dim": int(prepared.embeddings["dim"]),
            "embeddings": prepared.embeddings,
            "architecture": prepared.model.spec() if isinstance(prepared.model, EncoderClassifier) else None,
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
    learner = learner_class(
        prepared.model,
        prepared.train_loader,
        prepared.val_loader,
        n_classes=len(prepared.classes),
        device=device,
        weight_decay=config.weight_decay,
        clip_grad=config.clip_grad,
        mixed_precision=config.mixed_precision,
        callbacks=all_callbacks,
        distributed=ctx,
        **extra_options,
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
    skip_until = None
    if resume_state is not None:
        learner.load_training_state(resume_state)
        skip_until = resume_state["stage"]
        logger.info("resuming after epoch %d (stage %r)", learner.epoch, skip_until)
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
                    skip_until=skip_until,
                    before_stage=feature_cache_hook(learner, config),
                )
            for name, epochs, frozen in stages:
                if skip_until is not None:
                    if name != skip_until:
                        continue
                    skip_until = None
                if learner.stop_training:
                    break
                if frozen and freeze_rows is not None:
                    # only the pretrained rows are held (by the callback); the stand-in rows of
                    # words the vectors lacked learn at the full rate, as random embeddings do
                    learner.freeze_embeddings(False)
                    fit(epochs, config.lr, lower_lr_factor=1.0, stage=name)
                    continue
                learner.freeze_embeddings(frozen)
                fit(epochs, config.lr, lower_lr_factor=lower_lr_factor, stage=name)
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
    prepared = _prepare(train, vectors, None, config, None, None, device, lm)
    gradual = transfer_stages(prepared.model, config)
    learner_class, extra_options = (
        (Learner, {}) if gradual is None else (TransferLearner, {"lr_decay": config.lr_decay})
    )
    learner = learner_class(
        prepared.model,
        prepared.train_loader,
        None,
        n_classes=len(prepared.classes),
        device=device,
        weight_decay=config.weight_decay,
        clip_grad=config.clip_grad,
        mixed_precision=config.mixed_precision,
        **extra_options,
    )
    if gradual is not None:
        freeze_to(learner.model, gradual[0].trainable_groups)
    else:
        learner.freeze_embeddings(config.frozen_epochs > 0 and vectors is not None)
    result = lr_find(learner, start_lr=start_lr, end_lr=end_lr, num_steps=num_steps, progress=progress)
    if plot is not None:
        result.plot(plot, force=force)
    return result
