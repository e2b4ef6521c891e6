"""Classifier files: the model folder and the training checkpoint.

A **model folder** holds::

    config.json    format, format_version, nlptk version, classes, the ClassifierConfig
                   (architecture, tokenizer, training settings), model sizes, embedding
                   coverage and a training summary
    vocab.json     the Vocabulary (nlptk.text.vocab)
    model.pt       {"model": state_dict} -- state_dicts only, read with weights_only=True
    history.json   one record per epoch
    conditioning.npz  the transform of the pretrained embedding rows, when one was applied
                   (format version 2; see nlptk.classify.conditioning)
    history.png    the training curves (when there is a history)

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

from nlptk.errors import FormatError, IncompatibleModelError, InputFileError
from nlptk.io import atomic_directory, atomic_write, check_input_dir, check_input_file

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


def _nlptk_version() -> str:
    from nlptk._version import __version__

    return __version__


def checkpoint_path(model_path: PathLike) -> Path:
    """Where training keeps the "last" checkpoint of the model folder ``model_path``."""
    p = Path(model_path)
    return p.with_name(p.name + ".checkpoint") / "last.pt"


def save_checkpoint(state: dict[str, Any], path: PathLike) -> Path:
    """Write a training state atomically (replacing the previous checkpoint)."""
    state = {"format": CHECKPOINT_FORMAT, "format_version": FORMAT_VERSION, **state}
    with atomic_write(path, "wb", force=True) as fh:
        torch.save(state, fh)
    return Path(path)


def load_checkpoint(path: PathLike) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (``weights_only=True``).

    Raises
    ------
    InputFileError
        No checkpoint there.
    IncompatibleModelError
        Not a checkpoint of this format version.
    """
    p = check_input_file(path, what="training checkpoint")
    try:
        state = torch.load(p, weights_only=True, map_location="cpu")
    except Exception as exc:  # unpickling errors come in many types
        raise FormatError(f"cannot read the training checkpoint ({exc})", path=p) from None
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise IncompatibleModelError("not an nlptk classifier checkpoint", path=p)
    if state.get("format_version") != FORMAT_VERSION:
        raise IncompatibleModelError(
            f"checkpoint format version {state.get('format_version')!r}; this nlptk reads {FORMAT_VERSION}",
            path=p,
            hint="restart training without --resume",
        )
    return state


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
    target = Path(path)
    body = {"format": FORMAT, "format_version": format_version, "nlptk_version": _nlptk_version(), **config}
    with atomic_directory(target, force=force) as tmp:
        for name, content in (files or {}).items():
            (tmp / name).write_bytes(content)
        (tmp / "config.json").write_text(
            json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (tmp / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False) + "\n", encoding="utf-8")
        (tmp / "history.json").write_text(json.dumps(history, indent=1) + "\n", encoding="utf-8")
        torch.save({"model": {k: v.detach().cpu() for k, v in state_dict.items()}}, tmp / "model.pt")
        if history:
            _plot_history(history, tmp / "history.png")
    logger.info("classifier saved to %s", target)
    return target


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


def _read_json(path: Path) -> Any:
    p = check_input_file(path, what=path.name)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(
            f"not valid JSON ({getattr(exc, 'msg', exc)})", path=p, line=getattr(exc, "lineno", None)
        ) from None


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
    folder = check_input_dir(path, what="model folder")
    if not (folder / "config.json").exists():
        raise InputFileError(
            "not a classifier folder (no config.json)",
            path=folder,
            hint="give the folder written by nlptk classify train",
        )
    config = _read_json(folder / "config.json")
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        found = config.get("format") if isinstance(config, dict) else None
        raise IncompatibleModelError(
            f"config.json is not an nlptk classifier (format {found!r}, expected {FORMAT!r})",
            path=folder / "config.json",
        )
    version = config.get("format_version")
    if version not in READABLE_FORMAT_VERSIONS:
        readable = " and ".join(str(v) for v in READABLE_FORMAT_VERSIONS)
        raise IncompatibleModelError(
            f"classifier format version {version!r} (written by nlptk {config.get('nlptk_version', '?')}); "
            f"this nlptk {_nlptk_version()} reads version {readable}",
            path=folder,
            hint="retrain the model with this nlptk version, or use the nlptk version that wrote it",
        )
    vocab = _read_json(folder / "vocab.json")
    model_file = check_input_file(folder / "model.pt", what="model weights")
    try:
        weights = torch.load(model_file, weights_only=True, map_location="cpu")
    except Exception as exc:
        raise FormatError(f"cannot read the model weights ({exc})", path=model_file) from None
    if not isinstance(weights, dict) or not isinstance(weights.get("model"), dict):
        raise FormatError("model.pt holds no 'model' state_dict", path=model_file)
    history_file = folder / "history.json"
    history = _read_json(history_file) if history_file.exists() else []
    return {"config": config, "vocab": vocab, "state_dict": weights["model"], "history": history}
