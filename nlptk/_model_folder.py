"""What the classifier's and the language model's files share: one home for the model folder.

A model folder holds ``config.json`` (``format``, ``format_version``, ``nlptk_version`` and
the body the caller gives), ``vocab.json`` and ``model.pt`` (``{"model": state_dict}``, read
with ``weights_only=True``); each kind adds its own files (:mod:`nlptk.classify.persist`,
:mod:`nlptk.lm.persist`). A training checkpoint is one ``torch.save`` dict tagged with
``format`` / ``format_version``. A :class:`ModelFormat` names the kind and its version and
carries the wording of its errors, so that both kinds check the same things the same way.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from nlptk._version import __version__
from nlptk.errors import FormatError, IncompatibleModelError, InputFileError
from nlptk.io import atomic_directory, atomic_write, check_input_dir, check_input_file

__all__ = ["ModelFormat", "checkpoint_path", "load_weights", "read_json"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


def checkpoint_path(model_path: PathLike) -> Path:
    """Where training keeps the "last" checkpoint of the model folder ``model_path``."""
    p = Path(model_path)
    return p.with_name(p.name + ".checkpoint") / "last.pt"


def read_json(path: Path) -> Any:
    """Parse one JSON file of a model folder (a missing or damaged file names itself)."""
    p = check_input_file(path, what=path.name)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(
            f"not valid JSON ({getattr(exc, 'msg', exc)})", path=p, line=getattr(exc, "lineno", None)
        ) from None


def load_weights(path: Path, what: str) -> Any:
    """``torch.load`` with ``weights_only=True``; a refusal is one line, not PyTorch's paragraph.

    PyTorch explains a refused pickle in five lines that advise ``weights_only=False``
    (which would run the file's code); nlptk never does that, so only the reason is kept.
    """
    try:
        with warnings.catch_warnings():  # e.g. "Detected pickle protocol 4": the error below says it all
            warnings.simplefilter("ignore", UserWarning)
            return torch.load(path, weights_only=True, map_location="cpu")
    except Exception as exc:  # unpickling errors come in many types
        text = str(exc)
        if "Weights only load failed" in text or "Unsupported global" in text or "GLOBAL" in text:
            reason = "it holds Python objects other than tensors, which nlptk never unpickles"
        else:
            first = next((line.strip() for line in text.splitlines() if line.strip()), "")
            first = first.split(". ")[0][:120]
            reason = f"it is truncated or not a PyTorch file ({type(exc).__name__}: {first})"
        raise FormatError(
            f"cannot read the {what}: {reason}",
            path=path,
            hint="use a model folder written by nlptk (train it again if the file was damaged)",
        ) from None


@dataclass(frozen=True)
class ModelFormat:
    """One kind of model folder and checkpoint: its format name, version and error wording.

    Parameters
    ----------
    name : str
        ``config.json``'s ``format`` (the checkpoint's is ``name + ".checkpoint"``).
    version : int
        The ``format_version`` this nlptk writes and reads.
    kind : str
        What the folder is, in messages ("classifier").
    checkpoint_kind : str
        What the checkpoint is, in messages ("classifier" -> "not an nlptk classifier checkpoint").
    folder_what : str
        What :func:`~nlptk.io.check_input_dir` calls the folder.
    written_by : str
        The command that writes such folders, for the hint on a folder without ``config.json``.
    resume_hint, version_hint : str
        Hints for a checkpoint / a folder of another format version.
    format_hint : str or None
        Hint for a ``config.json`` of another kind.
    readable_versions : tuple of int
        The folder format versions this nlptk reads (empty: ``version`` alone).
    """

    name: str
    version: int
    kind: str
    checkpoint_kind: str
    folder_what: str
    written_by: str
    resume_hint: str
    version_hint: str
    format_hint: str | None = None
    readable_versions: tuple[int, ...] = ()

    @property
    def checkpoint_format(self) -> str:
        """The ``format`` tag of this kind's training checkpoints."""
        return self.name + ".checkpoint"

    def save_checkpoint(self, state: dict[str, Any], path: PathLike) -> Path:
        """Write a training state atomically (replacing the previous checkpoint)."""
        body = {"format": self.checkpoint_format, "format_version": self.version, **state}
        with atomic_write(path, "wb", force=True) as fh:
            torch.save(body, fh)
        return Path(path)

    def load_checkpoint(self, path: PathLike) -> dict[str, Any]:
        """Read a checkpoint written by :meth:`save_checkpoint` (``weights_only=True``).

        Raises
        ------
        InputFileError
            No checkpoint there.
        IncompatibleModelError
            Not a checkpoint of this kind and format version.
        """
        p = check_input_file(path, what="training checkpoint")
        state = load_weights(p, "training checkpoint")
        if not isinstance(state, dict) or state.get("format") != self.checkpoint_format:
            raise IncompatibleModelError(f"not an nlptk {self.checkpoint_kind} checkpoint", path=p)
        if state.get("format_version") != self.version:
            raise IncompatibleModelError(
                f"checkpoint format version {state.get('format_version')!r}; this nlptk reads {self.version}",
                path=p,
                hint=self.resume_hint,
            )
        return state

    @contextmanager
    def write_folder(
        self,
        path: PathLike,
        *,
        config: dict[str, Any],
        vocab: dict[str, Any],
        state_dict: dict[str, torch.Tensor],
        force: bool = False,
        format_version: int | None = None,
    ) -> Iterator[Path]:
        """Write ``config.json``, ``vocab.json`` and ``model.pt`` atomically; yield the folder being made.

        The caller adds its own files inside the ``with`` block; the folder appears (complete)
        when the block ends. ``format``, ``format_version`` (``version`` unless given) and
        ``nlptk_version`` are added to ``config``.
        """
        target = Path(path)
        version = self.version if format_version is None else format_version
        body = {"format": self.name, "format_version": version, "nlptk_version": __version__, **config}
        with atomic_directory(target, force=force) as tmp:
            (tmp / "config.json").write_text(
                json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            (tmp / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False) + "\n", encoding="utf-8")
            torch.save({"model": {k: v.detach().cpu() for k, v in state_dict.items()}}, tmp / "model.pt")
            yield tmp
        logger.info("%s saved to %s", self.kind, target)

    def read_config(self, path: PathLike) -> tuple[Path, dict[str, Any]]:
        """Check a model folder's kind and format version: ``(folder, config.json's body)``.

        Raises
        ------
        InputFileError
            Not a folder, or no ``config.json`` in it.
        IncompatibleModelError
            Another kind of folder, or a format version this nlptk cannot read.
        FormatError
            A damaged ``config.json``.
        """
        folder = check_input_dir(path, what=self.folder_what)
        if not (folder / "config.json").exists():
            raise InputFileError(
                f"not a {self.kind} folder (no config.json)",
                path=folder,
                hint=f"give the folder written by {self.written_by}",
            )
        config = read_json(folder / "config.json")
        found = config.get("format") if isinstance(config, dict) else None
        if found != self.name:
            raise IncompatibleModelError(
                f"config.json is not an nlptk {self.kind} (format {found!r}, expected {self.name!r})",
                path=folder / "config.json",
                hint=self.format_hint,
            )
        version = config.get("format_version")
        readable = self.readable_versions or (self.version,)
        if version not in readable:
            raise IncompatibleModelError(
                f"{self.kind} format version {version!r} "
                f"(written by nlptk {config.get('nlptk_version', '?')}); "
                f"this nlptk {__version__} reads version {' and '.join(str(v) for v in readable)}",
                path=folder,
                hint=self.version_hint,
            )
        return folder, config

    def read_weights(self, folder: Path) -> dict[str, torch.Tensor]:
        """The state_dict in ``folder/model.pt``."""
        model_file = check_input_file(folder / "model.pt", what="model weights")
        weights = load_weights(model_file, "model weights")
        if not isinstance(weights, dict) or not isinstance(weights.get("model"), dict):
            raise FormatError("model.pt holds no 'model' state_dict", path=model_file)
        return weights["model"]
