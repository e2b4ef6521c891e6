"""The classifier's configuration: architecture and training settings in one dataclass.

:class:`ClassifierConfig` is saved in a model folder's ``config.json`` (via :meth:`to_dict`)
and read back with :meth:`from_dict`, so a model is rebuilt exactly as it was trained,
including its tokenizer.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from nlptk.errors import ParameterError
from nlptk.text.tokenize import RegexTokenizer

__all__ = ["CELLS", "MONITORS", "POOLINGS", "SCHEDULES", "ClassifierConfig"]

CELLS = ("rnn", "lstm", "gru")
POOLINGS = ("last", "max", "mean", "concat")
MONITORS = ("val_macro_f1", "val_accuracy", "val_loss")
SCHEDULES = ("one_cycle", "constant")


def _default_tokenizer() -> dict[str, Any]:
    return RegexTokenizer().to_config()


@dataclass
class ClassifierConfig:
    """Architecture and training settings of an RNN text classifier.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell.
    hidden_size : int, default=128
        Units per direction and layer.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=True
        Read the text both ways.
    embedding_dropout : float, default=0.1
        Dropout on the word embeddings.
    dropout : float, default=0.3
        Dropout between recurrent layers and before the linear head.
    pooling : {"last", "max", "mean", "concat"}, default="concat"
        How the states over time become one vector: the last state, the (masked) max or
        mean over time, or the three concatenated (as ULMFiT does).
    embedding_dim : int, default=100
        Size of the embedding layer when no pretrained vectors are given (random
        initialisation); with vectors, their dimension is used.
    max_length : int, default=400
        Tokens kept per text; longer texts are truncated to their first ``max_length``
        tokens (in training and prediction alike).
    min_count : int, default=1
        Words seen fewer times in the training texts map to ``<unk>``.
    max_vocab : int, optional
        Keep at most this many words (the most frequent).
    freeze_embeddings : bool, default=True
        Keep the embedding layer frozen for the first ``freeze_epochs`` epochs (only when it
        starts from pretrained vectors; random embeddings train from the first epoch).
    freeze_epochs : int, default=1
        Epochs of the frozen stage (counted within ``epochs``).
    epochs : int, default=8
        Total epochs (frozen plus unfrozen).
    lr : float, default=1e-2
        Learning rate (the peak of the one-cycle schedule).
    batch_size : int, default=64
    weight_decay : float, default=0.01
        AdamW's decoupled weight decay.
    clip_grad : float, default=1.0
        Gradient norm clipping (0 or None: none).
    lower_lr_factor : float, default=0.1
        The pretrained embedding layer's learning rate, relative to ``lr``, once unfrozen
        (discriminative learning rates); random embeddings use the full ``lr``.
    patience : int, optional, default=3
        Early stopping: stop after this many epochs without improving ``monitor``
        (``None``: never stop early).
    monitor : {"val_macro_f1", "val_accuracy", "val_loss"}, default="val_macro_f1"
        Validation metric for early stopping and the best checkpoint.
    schedule : {"one_cycle", "constant"}, default="one_cycle"
        ``fit_one_cycle`` (``OneCycleLR``) or ``fit`` at a constant rate, per stage.
    seed : int, default=0
        Seeds the split, the embedding initialisation, the model, dropout and batching.
    device : str, default="auto"
        ``"auto"`` (cuda, then mps, then cpu), ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``.
    mixed_precision : bool, default=True
        ``torch.autocast`` and a ``GradScaler`` when training on CUDA (ignored elsewhere).
    tokenizer : dict
        A tokenizer config (:meth:`nlptk.text.tokenize.Tokenizer.to_config`).

    Examples
    --------
    >>> config = ClassifierConfig(cell="gru", epochs=3)
    >>> ClassifierConfig.from_dict(config.to_dict()) == config
    True
    """

    cell: str = "lstm"
    hidden_size: int = 128
    num_layers: int = 1
    bidirectional: bool = True
    embedding_dropout: float = 0.1
    dropout: float = 0.3
    pooling: str = "concat"
    embedding_dim: int = 100
    max_length: int = 400
    min_count: int = 1
    max_vocab: int | None = None
    freeze_embeddings: bool = True
    freeze_epochs: int = 1
    epochs: int = 8
    lr: float = 1e-2
    batch_size: int = 64
    weight_decay: float = 0.01
    clip_grad: float | None = 1.0
    lower_lr_factor: float = 0.1
    patience: int | None = 3
    monitor: str = "val_macro_f1"
    schedule: str = "one_cycle"
    seed: int = 0
    device: str = "auto"
    mixed_precision: bool = True
    tokenizer: dict[str, Any] = field(default_factory=_default_tokenizer)
    conditioning: str = "none"
    conditioning_components: int = 2
    freeze_rows: str = "pretrained"
    min_epoch_steps: int = 0
    ngrams: int = 0
    ngram_buckets: int = 2**18

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> ClassifierConfig:
        """Check every value; raise :class:`~nlptk.errors.ParameterError` naming the bad one."""

        def choice(name: str, allowed: tuple[str, ...]) -> None:
            value = getattr(self, name)
            if value not in allowed:
                raise ParameterError(f"{name}={value!r} is not one of {', '.join(allowed)}")

        def positive(name: str, *, allow_none: bool = False, allow_zero: bool = False) -> None:
            value = getattr(self, name)
            if value is None and allow_none:
                return
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            if not ok or value < 0 or (value == 0 and not allow_zero):
                bound = ">= 0" if allow_zero else "> 0"
                raise ParameterError(f"{name}={value!r} must be a number {bound}")

        choice("cell", CELLS)
        choice("pooling", POOLINGS)
        choice("monitor", MONITORS)
        choice("schedule", SCHEDULES)
        choice("conditioning", ("none", "center", "standardize", "abtt"))
        choice("freeze_rows", ("pretrained", "all"))
        for name in ("ngrams", "min_epoch_steps"):
            positive(name, allow_zero=True)
        for name in ("conditioning_components", "ngram_buckets"):
            positive(name)
        for name in (
            "hidden_size",
            "num_layers",
            "embedding_dim",
            "max_length",
            "min_count",
            "epochs",
            "batch_size",
            "lr",
        ):
            positive(name)
        for name in ("freeze_epochs", "weight_decay", "lower_lr_factor"):
            positive(name, allow_zero=True)
        positive("max_vocab", allow_none=True)
        positive("patience", allow_none=True)
        positive("clip_grad", allow_none=True, allow_zero=True)
        for name in ("embedding_dropout", "dropout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
                raise ParameterError(f"{name}={value!r} must be in [0, 1)")
        if not isinstance(self.tokenizer, dict) or "name" not in self.tokenizer:
            raise ParameterError("tokenizer must be a tokenizer config dict with a 'name'")
        if not isinstance(self.device, str) or not self.device:
            raise ParameterError(f"device={self.device!r} must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'")
        return self

    @property
    def frozen_epochs(self) -> int:
        """Epochs actually trained with frozen embeddings (0 when ``freeze_embeddings`` is off)."""
        return min(self.freeze_epochs, self.epochs) if self.freeze_embeddings else 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (:func:`dataclasses.asdict`)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClassifierConfig:
        """Rebuild a config from :meth:`to_dict` output; unknown keys raise ``ParameterError``."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ParameterError(
                f"unknown classifier setting(s): {', '.join(unknown)}",
                hint=f"known settings: {', '.join(sorted(names))}",
            )
        return cls(**data)

    def replace(self, **changes: Any) -> ClassifierConfig:
        """A copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)
