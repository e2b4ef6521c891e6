"""From the user's data to what the learner needs: :func:`prepare_training` and :func:`load_splits`.

:func:`load_splits` reads the training data and its optional validation and test sets (a
file, a class folder, a dataset folder or a registry name). :func:`prepare_training` checks
the classes, tokenizes, builds the vocabulary and the model (pretrained rows matched and
conditioned, or a language model's encoder, or the checkpoint's when resuming) and the
batch loaders; :func:`~nlptk.classify.training.train_classifier` then trains what it returns.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from nlptk.classify.augment import AugmentedDataset, make_augmenter, neighbours_for_augmentation
from nlptk.classify.conditioning import Conditioning, condition_rows, vector_diagnostics
from nlptk.classify.config import ClassifierConfig
from nlptk.classify.data import (
    EncodedDataset,
    build_vocabulary,
    collate_fn,
    encode_labels,
    encode_texts,
    make_loader,
)
from nlptk.classify.embeddings import match_embeddings_masked, random_embeddings
from nlptk.classify.encoder_model import EncoderClassifierNet, build_encoder_classifier
from nlptk.classify.freezing import RepeatedBatchSampler, epoch_repeats
from nlptk.classify.model import RNNClassifierNet
from nlptk.classify.runtime import seed_everything
from nlptk.errors import DataError, ParameterError
from nlptk.text.labelled import LabelledData, train_val_split
from nlptk.text.tokenize import tokenizer_from_config
from nlptk.text.vocab import Vocabulary

if TYPE_CHECKING:
    from nlptk.classify.learner import Learner
    from nlptk.lm.language_model import LanguageModel
    from nlptk.vectors.container import Vectors

__all__ = ["Prepared", "check_resume", "labels_in", "load_splits", "prepare_training"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

# settings a resumed run may change; any other difference from the checkpoint is an error
_RESUMABLE_CHANGES = {"device", "mixed_precision", "patience", "cache_features", "cache_memory"}


@dataclass
class Prepared:
    """Everything built from the data before the first step."""

    config: ClassifierConfig
    classes: list[str]
    vocab: Vocabulary
    model: nn.Module  # RNNClassifierNet, or EncoderClassifierNet on a language model's encoder
    train_loader: Any
    val_loader: Any
    n_train: int
    n_val: int
    embeddings: dict[str, Any]
    conditioning: Conditioning | None = None
    # rows that came from the pretrained vectors (the ones the frozen stage holds fixed)
    pretrained_rows: np.ndarray | None = None
    epoch_repeats: int = 1

    def make_learner(
        self, learner_class: type[Learner], device: torch.device, *, validate: bool = True, **options: Any
    ) -> Learner:
        """``learner_class`` (a :class:`~nlptk.classify.learner.Learner`) over the prepared model
        and batches, with the config's optimisation settings; ``validate=False`` leaves out the
        validation batches (the lr finder); ``options`` go to the learner as they are."""
        return learner_class(
            self.model,
            self.train_loader,
            self.val_loader if validate else None,
            n_classes=len(self.classes),
            device=device,
            weight_decay=self.config.weight_decay,
            clip_grad=self.config.clip_grad,
            mixed_precision=self.config.mixed_precision,
            **options,
        )


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


def labels_in(data: LabelledData, classes: list[str], where: str) -> np.ndarray:
    """``data``'s labels as indices into the training ``classes`` (matched by name)."""
    names = [str(data.classes[int(y)]) for y in data.labels]
    return encode_labels(names, classes, where=where)


def check_resume(config: ClassifierConfig, saved: dict[str, Any], path: Path) -> ClassifierConfig:
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


def prepare_training(
    train: LabelledData,
    vectors: Vectors | None,
    val: LabelledData | None,
    config: ClassifierConfig,
    resume_state: dict[str, Any] | None,
    checkpoint: Path | None,
    device: torch.device,
    lm: LanguageModel | None = None,
    encoder_source: str | None = None,
) -> Prepared:
    classes = _check_training_data(train)
    if val is None:
        train, val = train_val_split(train, val_size=0.1, seed=config.seed, stratify=True)
        logger.info("no validation set given: %d training examples kept aside (seeded, stratified)", len(val))
    y_train = labels_in(train, classes, "the training data")
    y_val = labels_in(val, classes, f"the validation data ({val.source or 'val'})")
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
            EncoderClassifierNet.from_spec(architecture, vocab_size=len(vocab), n_classes=len(classes))
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
        model = RNNClassifierNet.from_config(
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
    return Prepared(
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


def load_splits(
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
    from nlptk.text.labelled import find_split_files, load_labelled, load_labelled_splits
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
        splits = {"train": load_labelled(data, **options)}
    classes = splits["train"].classes
    if val is not None:
        splits["val"] = load_labelled(val, classes=classes, **options)
    if test is not None:
        splits["test"] = load_labelled(test, classes=classes, **options)
    return splits
