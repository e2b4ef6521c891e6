"""A classifier on a language model's encoder (ULMFiT): :class:`EncoderClassifierNet`.

The embedding and recurrent layers are an :class:`~nlptk.lm.encoder.RNNEncoder` taken from a
pretrained language model; on top, ULMFiT's classifier: concat pooling over time (the last
output, the max and the mean of the last layer's outputs, padding masked) and a head of two
blocks ``BatchNorm1d -> Dropout -> Linear`` with a ReLU between them.

:func:`encoder_from_language_model` builds the classifier's encoder and vocabulary from a
:class:`~nlptk.lm.language_model.LanguageModel` (as fastai's ``match_embeds``, but keeping
every word the language model knows, so a word the few labelled texts never show still has
its pretrained row at prediction time):

* every word of the language model keeps its id and row;
* the task's words that the language model lacks are added after them, with their row from
  the word vectors when given (same dimension required) and known there, else the mean
  of the language model's word rows;
* the recurrent layers are copied as they are.

Layer groups, bottom up: the embedding, each recurrent layer, the head
(:meth:`EncoderClassifierNet.layer_groups`), for :mod:`~nlptk.classify.transfer`.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nlptk._deprecated import renamed_names
from nlptk.errors import IncompatibleModelError, ParameterError
from nlptk.text.vocab import Vocabulary

if TYPE_CHECKING:
    from nlptk.classify.config import ClassifierConfig
    from nlptk.lm.encoder import RNNEncoder
    from nlptk.lm.language_model import LanguageModel
    from nlptk.vectors.container import Vectors

__all__ = [
    "EncoderClassifierNet",
    "PoolingHead",
    "build_encoder_classifier",
    "config_for_encoder",
    "encoder_from_language_model",
    "load_encoder_source",
]

logger = logging.getLogger(__name__)

KIND = "lm_encoder"


class _BatchNorm1d(nn.BatchNorm1d):
    """``BatchNorm1d`` for small data.

    * Its running statistics start from the first training batch's instead of (0, 1): pooled
      encoder features can have variances of 1e-4, and a few dozen steps of a small dataset
      (100 texts are 2 batches an epoch) would leave the running variance near its initial 1,
      so the head would see inputs 100 times smaller in evaluation than in training.
    * A training batch of one example (no batch variance) uses the running statistics
      instead of failing.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and x.shape[0] == 1:
            return F.batch_norm(
                x, self.running_mean, self.running_var, self.weight, self.bias, False, 0.0, self.eps
            )
        if self.training and self.track_running_stats and int(self.num_batches_tracked) == 0:
            with torch.no_grad():
                self.running_mean.copy_(x.mean(dim=0))
                self.running_var.copy_(x.var(dim=0, unbiased=True))
        return super().forward(x)


class PoolingHead(nn.Module):
    """ULMFiT's head: ``BN -> Dropout -> Linear -> ReLU -> BN -> Dropout -> Linear``.

    Parameters
    ----------
    in_features : int
        Width of the pooled features.
    n_classes : int
    hidden : int, default=50
    dropout : float, default=0.4
        Dropout before the first linear layer (the second uses a quarter of it, as ULMFiT's
        0.4 / 0.1).

    Examples
    --------
    >>> PoolingHead(12, 3)(torch.randn(4, 12)).shape
    torch.Size([4, 3])
    """

    def __init__(self, in_features: int, n_classes: int, *, hidden: int = 50, dropout: float = 0.4) -> None:
        super().__init__()
        self.out_features = n_classes
        self.layers = nn.Sequential(
            _BatchNorm1d(in_features),
            nn.Dropout(dropout),
            nn.Linear(in_features, hidden),
            nn.ReLU(inplace=True),
            _BatchNorm1d(hidden),
            nn.Dropout(dropout / 4),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.layers(features)


class EncoderClassifierNet(nn.Module):
    """A language model's encoder, concat pooling and ULMFiT's head.

    Parameters
    ----------
    encoder : RNNEncoder
        Embedding and recurrent layers (unidirectional; see :mod:`nlptk.lm.encoder`).
    n_classes : int
    head_hidden : int, default=50
    dropout : float, default=0.4
        The head's dropout.

    Attributes
    ----------
    output_size : int
        Width of the pooled features (3 x the encoder's ``out_dim``).

    Examples
    --------
    >>> from nlptk.lm.encoder import EncoderConfig, RNNEncoder                  # doctest: +SKIP
    >>> encoder = RNNEncoder(EncoderConfig(embedding_dim=4, hidden_size=6), 10)  # doctest: +SKIP
    >>> model = EncoderClassifierNet(encoder, 3)                                    # doctest: +SKIP
    >>> model(torch.tensor([[2, 3, 4], [5, 0, 0]]), torch.tensor([3, 1])).shape  # doctest: +SKIP
    torch.Size([2, 3])
    """

    def __init__(
        self, encoder: RNNEncoder, n_classes: int, *, head_hidden: int = 50, dropout: float = 0.4
    ) -> None:
        super().__init__()
        if n_classes < 2:
            raise ParameterError(f"n_classes={n_classes}; a classifier needs at least 2 classes")
        self.encoder = encoder
        self.head_hidden = head_hidden
        self.head_dropout = dropout
        self.output_size = 3 * int(encoder.out_dim)
        self.head = PoolingHead(self.output_size, n_classes, hidden=head_hidden, dropout=dropout)

    @property
    def embedding(self) -> nn.Embedding:
        """The encoder's embedding layer."""
        return self.encoder.embedding

    def layer_groups(self) -> list[list[nn.Parameter]]:
        """Bottom up: the embedding, each recurrent layer, the head."""
        groups = [list(group.parameters()) for group in self.encoder.layer_groups()]
        return [*groups, list(self.head.parameters())]

    def spec(self) -> dict[str, Any]:
        """What ``config.json`` records to rebuild this architecture (with the vocabulary size)."""
        return {
            "kind": KIND,
            "encoder": self.encoder.config.to_dict(),
            "head_hidden": self.head_hidden,
            "head_dropout": self.head_dropout,
        }

    @classmethod
    def from_spec(cls, spec: dict[str, Any], *, vocab_size: int, n_classes: int) -> EncoderClassifierNet:
        """Rebuild the architecture :meth:`spec` describes (weights not loaded).

        Raises
        ------
        IncompatibleModelError
            Not an encoder classifier's spec, or settings this nlptk does not know.
        """
        from nlptk.errors import NlptkError
        from nlptk.lm.encoder import EncoderConfig, RNNEncoder

        if not isinstance(spec, dict) or spec.get("kind") != KIND:
            raise IncompatibleModelError(f"not an encoder classifier's architecture: {spec!r:.80}")
        try:
            encoder = RNNEncoder(EncoderConfig.from_dict(spec["encoder"]), vocab_size)
            return cls(
                encoder,
                n_classes,
                head_hidden=int(spec["head_hidden"]),
                dropout=float(spec["head_dropout"]),
            )
        except (KeyError, TypeError, NlptkError) as exc:
            raise IncompatibleModelError(
                f"the encoder architecture in config.json is not one this nlptk builds ({exc})",
                hint="retrain the classifier with this nlptk version",
            ) from None

    def encode(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Concat pooling of the last layer's outputs: ``[last, max, mean]``, shape ``(batch, output_size)``.

        Parameters
        ----------
        x : LongTensor of shape (batch, time)
            Token ids, padded with 0.
        lengths : LongTensor of shape (batch,)
            True lengths (>= 1).
        """
        outputs, _ = self.encoder(x, lengths)
        lengths = lengths.to(outputs.device)
        steps = torch.arange(outputs.shape[1], device=outputs.device)
        mask = (steps[None, :] < lengths[:, None]).unsqueeze(-1)
        last = outputs[torch.arange(outputs.shape[0], device=outputs.device), lengths - 1]
        maximum = outputs.masked_fill(~mask, float("-inf")).max(dim=1).values
        mean = outputs.masked_fill(~mask, 0.0).sum(dim=1) / lengths[:, None].to(outputs.dtype)
        return torch.cat([last, maximum, mean], dim=-1)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Class logits, shape ``(batch, n_classes)``; ``x`` is token ids or (float) pooled features."""
        features = x if x.is_floating_point() else self.encode(x, lengths)
        return self.head(features)


def encoder_from_language_model(
    lm: LanguageModel,
    token_lists: Sequence[Sequence[str]],
    *,
    vectors: Vectors | None = None,
    min_count: int = 1,
) -> tuple[RNNEncoder, Vocabulary, dict[str, Any]]:
    """The classifier's encoder and vocabulary from a language model and the task's texts.

    Parameters
    ----------
    lm : LanguageModel
    token_lists : sequence of token lists
        The training texts, tokenized with the language model's tokenizer.
    vectors : Vectors, optional
        Rows for task words the language model lacks (their dimension must be the
        language model's embedding size).
    min_count : int, default=1
        Task words the language model lacks are added when seen at least this often.

    Returns
    -------
    encoder : RNNEncoder
        A copy of the language model's encoder with the added rows.
    vocab : Vocabulary
        The language model's words (same ids), then the added task words.
    info : dict
        ``lm_words``, ``added_words``, ``added_from_vectors``, ``added_mean_row`` and
        ``token_coverage`` (share of training tokens the language model knows).

    Raises
    ------
    ParameterError
        ``vectors`` of another dimension than the language model's embeddings.
    """
    from nlptk.lm.encoder import RNNEncoder

    source = lm.encoder
    weight = source.embedding.weight.detach().cpu()
    dim = int(weight.shape[1])
    if vectors is not None and vectors.dim != dim:
        raise ParameterError(
            f"the vectors have {vectors.dim} dimensions but the language model's embeddings have {dim}",
            hint="give vectors of the language model's dimension (the ones it was trained from), or no "
            "--vectors: task words the model lacks then start from its mean row",
        )
    lm_vocab = lm.vocabulary
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    known_tokens = sum(c for w, c in counts.items() if w in lm_vocab)
    total_tokens = sum(counts.values())
    added = sorted(
        (w for w, c in counts.items() if c >= min_count and w not in lm_vocab),
        key=lambda w: (-counts[w], w),
    )
    n_specials = len(lm_vocab.specials)
    words = lm_vocab.words[n_specials:] + added
    word_counts = np.concatenate([lm_vocab.counts[n_specials:], [counts[w] for w in added]])
    vocab = Vocabulary(words, word_counts.astype(np.int64), specials=lm_vocab.specials)

    mean_row = weight[n_specials:].mean(dim=0) if len(weight) > n_specials else weight.mean(dim=0)
    extra = mean_row.repeat(len(added), 1)
    from_vectors = 0
    if vectors is not None and added:
        for i, word in enumerate(added):
            try:  # known words, or built from subwords where the vectors have them
                row = vectors.get_vector(word)
            except KeyError:
                continue
            extra[i] = torch.as_tensor(np.asarray(row, dtype=np.float32))
            from_vectors += 1
    matrix = torch.cat([weight, extra]) if added else weight.clone()

    config = lm.config.encoder_config()
    encoder = RNNEncoder(config, len(vocab))
    state = {k: v.detach().cpu() for k, v in source.state_dict().items() if k != "embedding.weight"}
    encoder.load_state_dict({**state, "embedding.weight": matrix})
    info = {
        "lm_words": len(lm_vocab),
        "added_words": len(added),
        "added_from_vectors": from_vectors,
        "added_mean_row": len(added) - from_vectors,
        "token_coverage": known_tokens / total_tokens if total_tokens else 0.0,
    }
    logger.info(
        "language model knows %.1f%% of the training tokens; %d task words added (%d from vectors, "
        "%d from the mean row)",
        100 * info["token_coverage"],
        len(added),
        from_vectors,
        len(added) - from_vectors,
    )
    return encoder, vocab, info


def load_encoder_source(encoder: LanguageModel | str | os.PathLike[str]) -> LanguageModel:
    """A :class:`~nlptk.lm.language_model.LanguageModel`, read from its folder when a path is given.

    Raises
    ------
    InputFileError, IncompatibleModelError
        Not a language model folder, or one from an incompatible nlptk version.
    """
    from nlptk.lm.language_model import LanguageModel, load_language_model

    if isinstance(encoder, LanguageModel):
        return encoder
    if not isinstance(encoder, (str, os.PathLike)):
        raise ParameterError(
            f"encoder must be a LanguageModel or the path of its folder, got {type(encoder).__name__}"
        )
    return load_language_model(encoder, device="cpu")


def config_for_encoder(config: ClassifierConfig, lm: LanguageModel) -> ClassifierConfig:
    """``config`` with the language model's tokenizer (the classifier must tokenize as it did).

    Raises
    ------
    ParameterError
        ``config`` asks for another tokenizer than the default and the language model's.
    """
    from nlptk.classify.config import ClassifierConfig

    wanted = config.tokenizer
    lm_tokenizer = lm.tokenizer.to_config()
    default = ClassifierConfig().tokenizer
    if wanted != lm_tokenizer and wanted != default:
        raise ParameterError(
            f"the classifier must tokenize as its language model does ({lm_tokenizer.get('name')!r} "
            f"tokenizer, {lm_tokenizer}), but the {wanted.get('name')!r} tokenizer ({wanted}) was asked for",
            hint="leave out --tokenizer with --encoder: the language model's tokenizer is used",
        )
    return config.replace(tokenizer=lm_tokenizer) if wanted != lm_tokenizer else config


def build_encoder_classifier(
    lm: LanguageModel,
    token_lists: Sequence[Sequence[str]],
    *,
    n_classes: int,
    config: ClassifierConfig,
    vectors: Vectors | None = None,
    source: str | None = None,
) -> tuple[EncoderClassifierNet, Vocabulary, dict[str, Any]]:
    """The classifier on ``lm``'s encoder, its vocabulary, and what ``config.json`` records of it.

    The head's dropout is ``config.dropout``; task words seen at least ``config.min_count``
    times that the language model lacks are added (see :func:`encoder_from_language_model`).
    """
    encoder, vocab, coverage = encoder_from_language_model(
        lm, token_lists, vectors=vectors, min_count=config.min_count
    )
    model = EncoderClassifierNet(encoder, n_classes, dropout=config.dropout)
    embeddings = {
        "pretrained": True,
        "dim": int(encoder.embedding.embedding_dim),
        "encoder": {
            "source": source,
            "language_model": {
                k: v for k, v in lm.meta.items() if isinstance(v, (str, int, float, bool)) and k != "history"
            },
            "vectors": None
            if vectors is None
            else {k: v for k, v in vectors.meta.items() if isinstance(v, (str, int, float, bool))},
        },
        "coverage": coverage,
    }
    return model, vocab, embeddings


# old public names, kept for one release with a DeprecationWarning (nlptk._deprecated)
__getattr__ = renamed_names(
    __name__, {"EncoderClassifier": "nlptk.classify.encoder_model.EncoderClassifierNet"}
)
