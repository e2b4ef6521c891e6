"""A language model's settings, declared once: architecture, vocabulary and training.

:class:`LanguageModelConfig` extends :class:`~nlptk.lm.encoder_config.EncoderConfig` (the encoder's
shape and dropouts) with the decoder, the vocabulary, the tokenizer and the training settings.
``nlptk lm train`` derives its options from it; a model folder's ``config.json`` stores it
*resolved* (:meth:`LanguageModelConfig.resolve`: concrete embedding size, decoder, last-layer
size and adaptive-softmax cutoffs), so the network is rebuilt exactly as it was trained.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nlptk.errors import ParameterError
from nlptk.lm.encoder_config import EncoderConfig
from nlptk.params import param
from nlptk.text.tokenize import RegexTokenizer

__all__ = [
    "ADAPTIVE_ABOVE",
    "DECODERS",
    "FINETUNE_FIXED",
    "RESUMABLE_CHANGES",
    "SCHEDULES",
    "LanguageModelConfig",
    "default_cutoffs",
]

DECODERS = ("auto", "full", "adaptive")
SCHEDULES = ("one_cycle", "constant")
#: ``decoder="auto"`` picks the adaptive softmax above this many words.
ADAPTIVE_ABOVE = 10_000

#: Fields that fix the network's shape (or its vocabulary): fine-tuning keeps the pretrained ones.
FINETUNE_FIXED = (
    "cell",
    "embedding_dim",
    "hidden_size",
    "num_layers",
    "output_size",
    "decoder",
    "tie_weights",
    "cutoffs",
    "div_value",
    "tokenizer",
)
#: Settings a resumed run may change (budgets, where it runs, how patient it is).
RESUMABLE_CHANGES = frozenset(
    {"device", "mixed_precision", "cpu_bf16", "patience", "max_tokens", "max_minutes", "threads"}
)


def _default_tokenizer() -> dict[str, Any]:
    return RegexTokenizer().to_config()


def default_cutoffs(vocab_size: int) -> tuple[int, ...]:
    """Adaptive-softmax cluster boundaries for a vocabulary of ``vocab_size`` ids.

    A head of the 2,000 most frequent words (plus one entry per tail cluster), then clusters
    ending at 10,000, 50,000 and 200,000 words where the vocabulary reaches past them with
    room to spare (a cluster smaller than a fifth of its boundary is merged into the one
    before). The words must be in decreasing frequency, as :class:`~nlptk.text.vocab.Vocabulary`
    orders them.

    Examples
    --------
    >>> default_cutoffs(50_000), default_cutoffs(100_000), default_cutoffs(12_000)
    ((2000, 10000), (2000, 10000, 50000), (2000,))
    """
    return tuple(c for c in (2_000, 10_000, 50_000, 200_000) if c * 1.2 <= vocab_size)


@dataclass(frozen=True)
class LanguageModelConfig(EncoderConfig):
    """Architecture, vocabulary and training settings of a recurrent language model.

    The fields of :class:`~nlptk.lm.encoder.EncoderConfig` come first; each field's help is
    its documentation (``LanguageModelConfig.describe()``).

    Examples
    --------
    >>> config = LanguageModelConfig(cell="gru", num_layers=1, hidden_size=256)
    >>> config.resolve(vocab_size=30_000, embedding_dim=100).cutoffs
    (2000, 10000)
    """

    # -- decoder ----------------------------------------------------------------------------
    decoder: str = param(
        "auto",
        help=f"Output layer: full softmax, torch's AdaptiveLogSoftmaxWithLoss, or auto (adaptive "
        f"above {ADAPTIVE_ABOVE:,} words).",
        choices=DECODERS,
    )
    tie_weights: bool = param(
        True,
        help="Full softmax: share the embedding matrix (the last layer then has embedding_dim units).",
    )
    cutoffs: tuple[int, ...] | None = param(
        None, help="Adaptive softmax cluster boundaries (None: from the vocabulary size).", min=1
    )
    div_value: float = param(4.0, help="Adaptive softmax: each tail cluster's size divisor.", min=1.0)
    output_dropout: float = param(
        0.1, help="Locked dropout on the last layer's output.", min=0.0, max=1.0, max_exclusive=True
    )
    # -- vocabulary ---------------------------------------------------------------------------
    min_count: int = param(3, help="Words seen fewer times map to <unk>.", min=1)
    max_vocab: int | None = param(50_000, help="Keep at most this many words (None: all).", min=3)
    tokenizer: dict[str, Any] = param(
        default_factory=_default_tokenizer, help="Tokenizer config (that of nlptk embed train).", cli=False
    )
    # -- training -----------------------------------------------------------------------------
    epochs: int = param(1, help="Passes over the training stream.", min=1)
    lr: float = param(3e-3, help="Peak learning rate (AdamW).", min=0.0, min_exclusive=True)
    schedule: str = param("one_cycle", help="Learning-rate schedule.", choices=SCHEDULES)
    batch_size: int = param(32, help="Parallel token streams per batch.", min=1)
    bptt: int = param(70, help="Tokens per truncated back-propagation window.", min=2)
    lr_decay: float = param(
        1.0,
        help="Discriminative rates: each lower layer group (decoder, layers, embedding) gets the rate "
        "of the one above divided by this (ULMFiT fine-tuning: 2.6).",
        min=1.0,
    )
    new_words: bool = param(
        True,
        help="Fine-tuning: add the new texts' words (seen min_count times) to the vocabulary.",
    )
    weight_decay: float = param(0.01, help="AdamW's decoupled weight decay.", min=0.0)
    clip_grad: float | None = param(
        0.25, help="Gradient norm clipping (None: none).", min=0.0, min_exclusive=True
    )
    val_fraction: float = param(
        0.02, help="Share of the stream held out (its end) for validation perplexity.", min=0.0, max=0.5
    )
    max_val_tokens: int = param(500_000, help="At most this many validation tokens.", min=1)
    patience: int | None = param(
        2, help="Stop after this many epochs without a better validation loss.", min=1
    )
    max_tokens: int | None = param(None, help="Budget: stop after this many training tokens.", min=1)
    max_minutes: float | None = param(
        None, help="Budget: stop after this many minutes of training.", min=0.0, min_exclusive=True
    )
    seed: int = param(0, help="Random seed.")
    device: str = param("auto", help="auto, cpu, cuda, cuda:N or mps.")
    mixed_precision: bool = param(True, help="Autocast (float16) and a gradient scaler on CUDA.")
    cpu_bf16: bool = param(
        False,
        help="Autocast to bfloat16 on the CPU: about 1.4x faster on CPUs with AVX512-BF16 or AMX, "
        "slower on others (check the validation perplexity).",
    )
    threads: int | None = param(
        None, help="CPU threads for torch while training (None: torch's default).", min=1
    )

    def check(self) -> None:
        if self.cutoffs is not None and list(self.cutoffs) != sorted(set(self.cutoffs)):
            raise ParameterError(
                f"cutoffs={list(self.cutoffs)} must be increasing", hint="for example --cutoffs 2000,10000"
            )

    # -- resolution ---------------------------------------------------------------------------
    def resolve(self, *, vocab_size: int, embedding_dim: int) -> LanguageModelConfig:
        """The config with every ``None`` / ``"auto"`` of the architecture made concrete.

        Parameters
        ----------
        vocab_size : int
            Ids of the vocabulary (specials included).
        embedding_dim : int
            The embedding size (the vectors' dimension when they are given).

        Raises
        ------
        ParameterError
            ``embedding_dim`` was set and differs from ``embedding_dim``, or the cutoffs do
            not fit the vocabulary.
        """
        if self.embedding_dim is not None and self.embedding_dim != embedding_dim:
            raise ParameterError(
                f"embedding_dim={self.embedding_dim} but the vectors have {embedding_dim} dimensions",
                hint="leave embedding_dim unset (--embedding-dim) to take the vectors' size",
            )
        decoder = self.decoder
        if decoder == "auto":
            decoder = "adaptive" if vocab_size > ADAPTIVE_ABOVE else "full"
        cutoffs = None
        if decoder == "adaptive":
            cutoffs = self.cutoffs if self.cutoffs is not None else default_cutoffs(vocab_size)
            if not cutoffs:
                cutoffs = (max(1, vocab_size // 2),)
            if cutoffs[-1] >= vocab_size:
                raise ParameterError(
                    f"cutoffs={list(cutoffs)} must all be below the vocabulary size ({vocab_size} words)",
                    hint="use smaller cutoffs or --decoder full",
                )
        output_size = self.output_size
        if output_size is None:
            output_size = embedding_dim if (decoder == "full" and self.tie_weights) else self.hidden_size
        return self.replace(
            embedding_dim=embedding_dim, decoder=decoder, cutoffs=cutoffs, output_size=output_size
        )

    @property
    def tied(self) -> bool:
        """Whether the (resolved) decoder shares the embedding matrix."""
        return self.decoder == "full" and self.tie_weights and self.output_size == self.embedding_dim
