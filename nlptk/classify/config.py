"""The classifier's configuration: architecture and training settings in one dataclass.

:class:`ClassifierConfig` is saved in a model folder's ``config.json`` (via :meth:`to_dict`)
and read back with :meth:`from_dict`, so a model is rebuilt exactly as it was trained,
including its tokenizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from nlptk.classify.conditioning import CONDITIONING_CHOICES
from nlptk.errors import ParameterError
from nlptk.params import Params, documented, param
from nlptk.text.tokenize import RegexTokenizer

__all__ = ["CELLS", "FREEZE_ROWS", "MONITORS", "POOLINGS", "SCHEDULES", "ClassifierConfig"]

CELLS = ("rnn", "lstm", "gru")
POOLINGS = ("last", "max", "mean", "concat")
MONITORS = ("val_macro_f1", "val_accuracy", "val_loss")
SCHEDULES = ("one_cycle", "constant")
FREEZE_ROWS = ("pretrained", "all")


def _default_tokenizer() -> dict[str, Any]:
    return RegexTokenizer().to_config()


@documented
@dataclass(frozen=True)
class ClassifierConfig(Params):
    """Architecture and training settings of an RNN text classifier.

    Every setting is declared once below with its default, bounds and help; the command
    line's ``classify train`` options and this docstring's Parameters section come from it.
    ``pooling="concat"`` joins the last state with the max and mean over time (as ULMFiT does);
    the frozen stage applies only to pretrained embeddings (random ones train from the start).

    Examples
    --------
    >>> config = ClassifierConfig(cell="gru", epochs=3)
    >>> ClassifierConfig.from_dict(config.to_dict()) == config
    True
    """

    setting_label: ClassVar[str | None] = "classifier setting"

    cell: str = param("lstm", help="Recurrent cell.", choices=CELLS)
    hidden_size: int = param(128, help="Units per direction and layer.", min=1)
    num_layers: int = param(1, help="Stacked recurrent layers.", min=1, flag="--layers")
    bidirectional: bool = param(True, help="Read texts both ways.", flag="--bidirectional/--unidirectional")
    embedding_dropout: float = param(
        0.1, help="Dropout on the word embeddings.", min=0.0, max=1.0, max_exclusive=True
    )
    dropout: float = param(
        0.3, help="Dropout between layers and before the head.", min=0.0, max=1.0, max_exclusive=True
    )
    pooling: str = param("concat", help="Pooling over time.", choices=POOLINGS)
    embedding_dim: int = param(100, help="Embedding size without pretrained vectors.", min=1)
    max_length: int = param(400, help="Tokens kept per text (longer: truncated).", min=1)
    min_count: int = param(1, help="Rarer training words map to <unk>.", min=1)
    max_vocab: int | None = param(None, help="Keep at most this many words (the most frequent).", min=1)
    freeze_embeddings: bool = param(True, help="Freeze pretrained embeddings for the first epochs.")
    freeze_epochs: int = param(1, help="Epochs with frozen embeddings first (within --epochs).", min=0)
    epochs: int = param(8, help="Total epochs.", min=1)
    lr: float = param(1e-2, help="Peak learning rate.", min=0.0, min_exclusive=True)
    batch_size: int = param(64, help="Texts per batch.", min=1)
    weight_decay: float = param(0.01, help="AdamW's decoupled weight decay.", min=0.0)
    clip_grad: float | None = param(1.0, help="Gradient norm clipping (0: none).", min=0.0)
    lower_lr_factor: float = param(0.1, help="Embedding lr / lr once unfrozen.", min=0.0)
    unfreeze_schedule: tuple[int, ...] | None = param(
        None,
        help="Gradual unfreezing (ULMFiT): epochs of each stage, the head alone first, then one more "
        "layer group per stage; the epochs left train everything (default: 1,1,1 with --encoder; "
        "with vectors: the frozen-embeddings stage of --freeze-epochs).",
        min=0,
    )
    lr_decay: float = param(
        2.6,
        help="With gradual unfreezing: each lower layer group learns at the rate of the group above / this.",
        min=1.0,
    )
    cache_features: bool = param(
        True, help="While only the head trains, encode each text once and train the head on the cache."
    )
    cache_memory: float = param(
        1024.0, help="MiB of RAM the feature cache may take (beyond: a memory-mapped file on disk).", min=0.0
    )
    patience: int | None = param(3, help="Early-stopping patience in epochs (0: never stop).", min=0)
    monitor: str = param(
        "val_macro_f1", help="Metric for early stopping and the best epoch.", choices=MONITORS
    )
    schedule: str = param("one_cycle", help="Learning-rate schedule per stage.", choices=SCHEDULES)
    seed: int = param(0, help="Random seed.")
    device: str = param("auto", help="auto, cpu, cuda, cuda:N or mps.")
    mixed_precision: bool = param(True, help="Autocast and a GradScaler on CUDA.")
    augment: str = param(
        "none",
        help="Augment the training texts, fresh each epoch: none, or a comma list of neighbours "
        "(nearest-neighbour word replacement), swap, delete (EDA).",
    )
    augment_share: float = param(
        0.1, help="Share of each augmented text's words changed.", min=0.0, max=1.0, min_exclusive=True
    )
    augment_prob: float = param(
        0.5, help="Chance that a training text is augmented in an epoch.", min=0.0, max=1.0
    )
    augment_threshold: float = param(
        0.6, help="Cosine a replacement word needs with the word it replaces.", min=-1.0, max=1.0
    )
    augment_topn: int = param(10, help="Nearest neighbours considered as replacements.", min=1)
    augment_protect: str = param("", help="Comma-separated words never replaced (label words).")
    tokenizer: dict[str, Any] = param(
        default_factory=_default_tokenizer, help="Tokenizer config (Tokenizer.to_config()).", cli=False
    )
    # the vectors-only classifier (issue 11): see nlptk.classify.conditioning, freezing and wide
    conditioning: str = param(
        "auto",
        help="Transform of the pretrained rows: center, standardize (per dimension), abtt "
        "(all-but-the-top: remove the mean and the top principal components), or auto "
        "(standardize nearly collinear vectors, leave others).",
        choices=CONDITIONING_CHOICES,
    )
    conditioning_components: int = param(
        2, help="abtt: top principal components removed.", min=1, flag="--abtt-components"
    )
    freeze_rows: str = param(
        "pretrained",
        help="Rows held in the frozen stage: pretrained (words the vectors lacked train from the "
        "start) or all.",
        choices=FREEZE_ROWS,
    )
    min_epoch_steps: int = param(
        0,
        help="Small data: an epoch passes over the training texts until it has this many "
        "optimiser steps (0: one pass).",
        min=0,
    )
    ngrams: int = param(
        0,
        help="Wide term: a linear bag of word n-grams up to this length added to the logits (0: off).",
        min=0,
        max=6,
    )
    ngram_buckets: int = param(2**18, help="Wide term: hash rows for n-grams of 2+ words.", min=1)
    ngram_lr_factor: float = param(
        1.0, help="Wide term: its learning rate relative to --lr.", min=0.0, min_exclusive=True
    )

    def check(self) -> None:
        from nlptk.classify.augment import parse_methods

        parse_methods(self.augment)
        if "name" not in self.tokenizer:
            raise ParameterError("tokenizer must be a tokenizer config dict with a 'name'")
        if not self.device:
            raise ParameterError(f"device={self.device!r} must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'")
        if self.freeze_embeddings and self.freeze_epochs > self.epochs:
            raise ParameterError(
                f"freeze_epochs({self.freeze_epochs}) must be <= epochs({self.epochs}): the frozen "
                "epochs are the first of the epochs, not extra ones",
                hint="lower --freeze-epochs or raise --epochs",
            )
        if self.patience == 0:  # 0 on the command line means "never stop early"
            object.__setattr__(self, "patience", None)

    def validate(self) -> ClassifierConfig:
        """The config itself: it was checked when it was made (kept for older callers)."""
        return self

    @property
    def frozen_epochs(self) -> int:
        """Epochs actually trained with frozen embeddings (0 when ``freeze_embeddings`` is off)."""
        return min(self.freeze_epochs, self.epochs) if self.freeze_embeddings else 0
