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
import os
from pathlib import Path
from typing import Any

import torch

from nlptk._model_folder import ModelFormat, checkpoint_path, read_json
from nlptk.errors import IncompatibleModelError, NlptkError
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

PathLike = str | os.PathLike[str]

FORMAT = "nlptk.language_model"
FORMAT_VERSION = 1
CHECKPOINT_FORMAT = "nlptk.language_model.checkpoint"

_FORMAT = ModelFormat(
    name=FORMAT,
    version=FORMAT_VERSION,
    kind="language model",
    checkpoint_kind="language-model",
    folder_what="language model folder",
    written_by="nlptk lm train",
    resume_hint="train again without --resume",
    version_hint="train the model again with this nlptk version, or use the version that wrote it",
    format_hint="give a folder written by nlptk lm train or lm finetune",
)


def save_checkpoint(state: dict[str, Any], path: PathLike) -> Path:
    """Write a training state atomically (replacing the previous checkpoint)."""
    return _FORMAT.save_checkpoint(state, path)


def load_checkpoint(path: PathLike) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (``weights_only=True``)."""
    return _FORMAT.load_checkpoint(path)


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
    with _FORMAT.write_folder(path, config=config, vocab=vocab, state_dict=state_dict, force=force) as tmp:
        (tmp / "meta.json").write_text(
            json.dumps(meta, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
        )
    return Path(path)


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
    folder, config = _FORMAT.read_config(path)
    tokenizer = rebuild_tokenizer(config, path=folder / "config.json")
    vocab = read_json(folder / "vocab.json")
    state_dict = _FORMAT.read_weights(folder)
    meta_file = folder / "meta.json"
    meta = read_json(meta_file) if meta_file.exists() else {}
    return {
        "config": config,
        "vocab": vocab,
        "state_dict": state_dict,
        "meta": meta,
        "tokenizer": tokenizer,
    }
