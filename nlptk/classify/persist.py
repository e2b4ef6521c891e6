"""Classifier files: the model folder and the training checkpoint.

A **model folder** holds::

    config.json    format, format_version, nlptk version, classes, the ClassifierConfig
                   (architecture, tokenizer, training settings), model sizes, embedding
                   coverage and a training summary
    vocab.json     the Vocabulary (nlptk.text.vocab)
    model.pt       {"model": state_dict} -- state_dicts only, read with weights_only=True
    history.json   one record per epoch
    history.png    the training curves (when there is a history)
    conditioning.npz  the transform of the pretrained embedding rows, when one was applied
                   (format version 2; see nlptk.classify.conditioning)

It is written with :func:`nlptk.io.atomic_directory`: complete or not at all, and an
existing folder is replaced only with ``force``. A folder whose ``format_version`` this
nlptk does not know raises :class:`~nlptk.errors.IncompatibleModelError`.

A **checkpoint** (``<model>.checkpoint/last.pt``) holds the whole training state after the
latest epoch (model, optimizer, scheduler, scaler, epoch, RNG states, early-stopping state,
plus the config and vocabulary) so that ``resume=True`` continues an interrupted run.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import torch

from nlptk._model_folder import ModelFormat, checkpoint_path, read_json

__all__ = [
    "CHECKPOINT_FORMAT",
    "CONDITIONED_FORMAT_VERSION",
    "FORMAT",
    "FORMAT_VERSION",
    "READABLE_FORMAT_VERSIONS",
    "checkpoint_path",
    "load_checkpoint",
    "read_model_folder",
    "save_checkpoint",
    "write_model_folder",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

FORMAT = "nlptk.classifier"
FORMAT_VERSION = 1
# version 2: the folder may hold an embedding conditioning (conditioning.npz, applied to rows
# added later) and a wide n-gram term; a model without either is still written as version 1,
# so older nlptk versions keep reading it, and refuse (by version) the folders they would
# misread
CONDITIONED_FORMAT_VERSION = 2
READABLE_FORMAT_VERSIONS = (FORMAT_VERSION, CONDITIONED_FORMAT_VERSION)
CHECKPOINT_FORMAT = "nlptk.classifier.checkpoint"

_FORMAT = ModelFormat(
    name=FORMAT,
    version=FORMAT_VERSION,
    kind="classifier",
    checkpoint_kind="classifier",
    folder_what="model folder",
    written_by="nlptk classify train",
    resume_hint="restart training without --resume",
    version_hint="retrain the model with this nlptk version, or use the nlptk version that wrote it",
    readable_versions=READABLE_FORMAT_VERSIONS,
)


def save_checkpoint(state: dict[str, Any], path: PathLike) -> Path:
    """Write a training state atomically (replacing the previous checkpoint)."""
    return _FORMAT.save_checkpoint(state, path)


def load_checkpoint(path: PathLike) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (``weights_only=True``).

    Raises
    ------
    InputFileError
        No checkpoint there.
    IncompatibleModelError
        Not a checkpoint of this format version.
    """
    return _FORMAT.load_checkpoint(path)


def write_model_folder(
    path: PathLike,
    *,
    config: dict[str, Any],
    vocab: dict[str, Any],
    state_dict: dict[str, torch.Tensor],
    history: list[dict[str, Any]],
    force: bool = False,
    files: dict[str, bytes] | None = None,
    format_version: int = FORMAT_VERSION,
) -> Path:
    """Write a model folder atomically; ``config`` is the body of ``config.json``.

    ``format``, ``format_version`` and ``nlptk_version`` are added to ``config``; ``files``
    are more files (name -> content) written into the folder.
    """
    with _FORMAT.write_folder(
        path, config=config, vocab=vocab, state_dict=state_dict, force=force, format_version=format_version
    ) as tmp:
        for name, content in (files or {}).items():
            (tmp / name).write_bytes(content)
        (tmp / "history.json").write_text(json.dumps(history, indent=1) + "\n", encoding="utf-8")
        if history:
            _plot_history(history, tmp / "history.png")
    return Path(path)


def _plot_history(history: list[dict[str, Any]], path: Path) -> None:
    try:
        from nlptk.export.plots import plot_history
    except ImportError:  # the plotting module is optional for saving
        logger.debug("nlptk.export.plots not available: no history plot")
        return
    series: dict[str, list[float]] = {}
    for key in ("train_loss", "val_loss", "val_accuracy", "val_macro_f1", "lr"):
        values = [r.get(key) for r in history]
        if all(isinstance(v, (int, float)) for v in values):
            series[key] = [float(v) for v in values]  # type: ignore[arg-type]
    if series:
        plot_history(series, path, force=True)


def read_model_folder(path: PathLike) -> dict[str, Any]:
    """Read a model folder: ``{"config", "vocab", "state_dict", "history"}``.

    Raises
    ------
    InputFileError
        Not a folder, or a file missing.
    IncompatibleModelError
        Not an nlptk classifier, or a format version this nlptk cannot read.
    FormatError
        A damaged file.
    """
    folder, config = _FORMAT.read_config(path)
    vocab = read_json(folder / "vocab.json")
    state_dict = _FORMAT.read_weights(folder)
    history_file = folder / "history.json"
    history = read_json(history_file) if history_file.exists() else []
    return {"config": config, "vocab": vocab, "state_dict": state_dict, "history": history}
