"""Language-model files: the model folder and the training checkpoint.

A **model folder** holds::

    config.json   format "nlptk.language_model", format_version, nlptk_version, the tokenizer
                  config, the resolved LanguageModelConfig ("config"), its encoder part
                  ("encoder"), the network sizes ("network") and the special ids ("specials")
    vocab.json    the Vocabulary (nlptk.text.vocab): <pad>=0, <unk>=1, <eos>=2, then the words
                  by decreasing frequency; the row order of the embedding matrix
    model.pt      {"model": state_dict} -- tensors only, read with torch.load(weights_only=True)
    meta.json     the perplexity curve (one record per epoch), tokens seen, time, corpus,
                  embedding coverage, device

It is written with :func:`nlptk.io.atomic_directory` (complete or not at all; an existing
folder is replaced only with ``force``). Reading refuses, with
:class:`~nlptk.errors.IncompatibleModelError`, a folder of another kind (a classifier), of a
``format_version`` this nlptk does not know, or whose tokenizer this nlptk cannot rebuild.

A **checkpoint** (``<model>.checkpoint/last.pt``) holds the whole training state after the
latest epoch so that ``resume=True`` continues an interrupted run.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import torch

from nlptk.errors import FormatError, IncompatibleModelError, InputFileError, NlptkError
from nlptk.io import atomic_directory, atomic_write, check_input_dir, check_input_file
from nlptk.text.tokenize import Tokenizer, tokenizer_from_config

__all__ = [
    "CHECKPOINT_FORMAT",
    "FORMAT",
    "FORMAT_VERSION",
    "checkpoint_path",
    "load_checkpoint",
    "read_model_folder",
    "rebuild_tokenizer",
    "save_checkpoint",
    "write_model_folder",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

FORMAT = "nlptk.language_model"
FORMAT_VERSION = 1
CHECKPOINT_FORMAT = "nlptk.language_model.checkpoint"


def _nlptk_version() -> str:
    from nlptk._version import __version__

    return __version__


def checkpoint_path(model_path: PathLike) -> Path:
    """Where training keeps the "last" checkpoint of the model folder ``model_path``."""
    p = Path(model_path)
    return p.with_name(p.name + ".checkpoint") / "last.pt"


def save_checkpoint(state: dict[str, Any], path: PathLike) -> Path:
    """Write a training state atomically (replacing the previous checkpoint)."""
    body = {"format": CHECKPOINT_FORMAT, "format_version": FORMAT_VERSION, **state}
    with atomic_write(path, "wb", force=True) as fh:
        torch.save(body, fh)
    return Path(path)


def load_checkpoint(path: PathLike) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (``weights_only=True``)."""
    p = check_input_file(path, what="training checkpoint")
    try:
        state = torch.load(p, weights_only=True, map_location="cpu")
    except Exception as exc:  # unpickling errors come in many types
        raise FormatError(f"cannot read the training checkpoint ({exc})", path=p) from None
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise IncompatibleModelError("not an nlptk language-model checkpoint", path=p)
    if state.get("format_version") != FORMAT_VERSION:
        raise IncompatibleModelError(
            f"checkpoint format version {state.get('format_version')!r}; this nlptk reads {FORMAT_VERSION}",
            path=p,
            hint="train again without --resume",
        )
    return state


def write_model_folder(
    path: PathLike,
    *,
    config: dict[str, Any],
    vocab: dict[str, Any],
    state_dict: dict[str, torch.Tensor],
    meta: dict[str, Any],
    force: bool = False,
) -> Path:
    """Write a model folder atomically; ``config`` is the body of ``config.json``.

    ``format``, ``format_version`` and ``nlptk_version`` are added to ``config``.
    """
    target = Path(path)
    body = {"format": FORMAT, "format_version": FORMAT_VERSION, "nlptk_version": _nlptk_version(), **config}
    with atomic_directory(target, force=force) as tmp:
        (tmp / "config.json").write_text(
            json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (tmp / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False) + "\n", encoding="utf-8")
        (tmp / "meta.json").write_text(
            json.dumps(meta, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
        )
        torch.save({"model": {k: v.detach().cpu() for k, v in state_dict.items()}}, tmp / "model.pt")
    logger.info("language model saved to %s", target)
    return target


def _read_json(path: Path) -> Any:
    p = check_input_file(path, what=path.name)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(
            f"not valid JSON ({getattr(exc, 'msg', exc)})", path=p, line=getattr(exc, "lineno", None)
        ) from None


def rebuild_tokenizer(config: dict[str, Any], *, path: PathLike | None = None) -> Tokenizer:
    """The tokenizer a model folder's ``config.json`` names, or a clear refusal.

    Raises
    ------
    IncompatibleModelError
        The tokenizer is unknown to this nlptk or its options are not accepted.
    """
    spec = config.get("tokenizer")
    if not isinstance(spec, dict):
        raise IncompatibleModelError("config.json names no tokenizer", path=path)
    try:
        return tokenizer_from_config(spec)
    except (NlptkError, TypeError) as exc:
        detail = exc.message if isinstance(exc, NlptkError) else str(exc)
        raise IncompatibleModelError(
            f"the model was trained with a tokenizer this nlptk cannot rebuild ({spec!r}: {detail})",
            path=path,
            hint=f"use the nlptk version that wrote it ({config.get('nlptk_version', '?')})",
        ) from None


def read_model_folder(path: PathLike) -> dict[str, Any]:
    """Read a model folder: ``{"config", "vocab", "state_dict", "meta", "tokenizer"}``.

    Raises
    ------
    InputFileError
        Not a folder, or a file missing.
    IncompatibleModelError
        Not an nlptk language model, a format version this nlptk cannot read, or an unknown tokenizer.
    FormatError
        A damaged file.
    """
    folder = check_input_dir(path, what="language model folder")
    if not (folder / "config.json").exists():
        raise InputFileError(
            "not a language model folder (no config.json)",
            path=folder,
            hint="give the folder written by nlptk lm train",
        )
    config = _read_json(folder / "config.json")
    found = config.get("format") if isinstance(config, dict) else None
    if found != FORMAT:
        raise IncompatibleModelError(
            f"config.json is not an nlptk language model (format {found!r}, expected {FORMAT!r})",
            path=folder / "config.json",
            hint="give a folder written by nlptk lm train or lm finetune",
        )
    version = config.get("format_version")
    if version != FORMAT_VERSION:
        raise IncompatibleModelError(
            f"language model format version {version!r} "
            f"(written by nlptk {config.get('nlptk_version', '?')}); "
            f"this nlptk {_nlptk_version()} reads version {FORMAT_VERSION}",
            path=folder,
            hint="train the model again with this nlptk version, or use the version that wrote it",
        )
    tokenizer = rebuild_tokenizer(config, path=folder / "config.json")
    vocab = _read_json(folder / "vocab.json")
    model_file = check_input_file(folder / "model.pt", what="model weights")
    try:
        weights = torch.load(model_file, weights_only=True, map_location="cpu")
    except Exception as exc:
        raise FormatError(f"cannot read the model weights ({exc})", path=model_file) from None
    if not isinstance(weights, dict) or not isinstance(weights.get("model"), dict):
        raise FormatError("model.pt holds no 'model' state_dict", path=model_file)
    meta_file = folder / "meta.json"
    meta = _read_json(meta_file) if meta_file.exists() else {}
    return {
        "config": config,
        "vocab": vocab,
        "state_dict": weights["model"],
        "meta": meta,
        "tokenizer": tokenizer,
    }
