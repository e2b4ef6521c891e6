"""The recurrent text classifier: embeddings -> RNN / LSTM / GRU -> pooling over time -> linear head.

Padded batches are packed (``pack_padded_sequence(..., enforce_sorted=False)``), so the
recurrent layers never read padding, and the max / mean pooling is masked.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from nlptk._deprecated import renamed_names
from nlptk.classify.config import CELLS, POOLINGS, ClassifierConfig
from nlptk.classify.wide import WideNgrams
from nlptk.errors import ParameterError

__all__ = ["RNNClassifierNet"]

_CELL_CLASSES: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RNNClassifierNet(nn.Module):
    """An embedding layer, a recurrent encoder, pooling over time and a linear head.

    Parameters
    ----------
    vocab_size : int
        Rows of the embedding layer (row 0 is padding).
    embedding_dim : int
        Size of the word vectors.
    n_classes : int
        Output classes.
    cell : {"rnn", "lstm", "gru"}, default="lstm"
    hidden_size : int, default=128
        Units per direction and layer.
    num_layers : int, default=1
    bidirectional : bool, default=True
    embedding_dropout : float, default=0.1
        Dropout on the embedded words.
    dropout : float, default=0.3
        Dropout between recurrent layers and before the head.
    pooling : {"last", "max", "mean", "concat"}, default="concat"
        ``last``: the final hidden state (both directions); ``max``/``mean``: over the
        non-padding time steps; ``concat``: the three side by side (ULMFiT's concat pooling).
    padding_idx : int, default=0
    ngrams : int, default=0
        Add a wide term, a linear bag of word n-grams up to this length
        (:class:`~nlptk.classify.wide.WideNgrams`), to the logits; 0: none.
    ngram_buckets : int, default=2**18
        Hash rows of the wide term's n-grams of two or more words.
    ngram_lr_factor : float, default=1.0
        The wide term's learning rate relative to the rest (see :class:`WideNgrams`).

    Examples
    --------
    >>> model = RNNClassifierNet(10, 4, 3, cell="gru", hidden_size=5)
    >>> x = torch.tensor([[2, 3, 4], [5, 0, 0]])
    >>> model(x, torch.tensor([3, 1])).shape, model.encode(x, torch.tensor([3, 1])).shape
    (torch.Size([2, 3]), torch.Size([2, 30]))
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int,
        n_classes: int,
        *,
        cell: str = "lstm",
        hidden_size: int = 128,
        num_layers: int = 1,
        bidirectional: bool = True,
        embedding_dropout: float = 0.1,
        dropout: float = 0.3,
        pooling: str = "concat",
        padding_idx: int = 0,
        ngrams: int = 0,
        ngram_buckets: int = 2**18,
        ngram_lr_factor: float = 1.0,
    ) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ParameterError(f"cell={cell!r} is not one of {', '.join(CELLS)}")
        if pooling not in POOLINGS:
            raise ParameterError(f"pooling={pooling!r} is not one of {', '.join(POOLINGS)}")
        if n_classes < 2:
            raise ParameterError(f"n_classes={n_classes}; a classifier needs at least 2 classes")
        self.cell = cell
        self.pooling = pooling
        self.num_directions = 2 if bidirectional else 1
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=padding_idx)
        self.embedding_dropout = nn.Dropout(embedding_dropout)
        self.rnn = _CELL_CLASSES[cell](
            embedding_dim,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        state_size = hidden_size * self.num_directions
        self.output_size = state_size * (3 if pooling == "concat" else 1)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.output_size, n_classes)
        # the wide part (wide and deep): a linear bag of n-grams added to the logits
        self.wide = (
            WideNgrams(vocab_size, n_classes, ngrams=ngrams, buckets=ngram_buckets, lr_factor=ngram_lr_factor)
            if ngrams > 0
            else None
        )

    @classmethod
    def from_config(
        cls, config: ClassifierConfig, *, vocab_size: int, embedding_dim: int, n_classes: int
    ) -> RNNClassifierNet:
        """The model a :class:`~nlptk.classify.config.ClassifierConfig` describes."""
        return cls(
            vocab_size,
            embedding_dim,
            n_classes,
            cell=config.cell,
            hidden_size=config.hidden_size,
            num_layers=config.num_layers,
            bidirectional=config.bidirectional,
            embedding_dropout=config.embedding_dropout,
            dropout=config.dropout,
            pooling=config.pooling,
            ngrams=config.ngrams,
            ngram_buckets=config.ngram_buckets,
            ngram_lr_factor=config.ngram_lr_factor,
        )

    def load_embeddings(self, matrix: torch.Tensor) -> None:
        """Copy pretrained rows into the embedding layer (shape must match)."""
        if tuple(matrix.shape) != tuple(self.embedding.weight.shape):
            raise ParameterError(
                f"embedding matrix of shape {tuple(matrix.shape)} does not fit the layer "
                f"{tuple(self.embedding.weight.shape)}"
            )
        with torch.no_grad():
            self.embedding.weight.copy_(matrix)

    def encode(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The pooled representation of each text, shape ``(batch, output_size)``.

        Parameters
        ----------
        x : LongTensor of shape (batch, time)
            Token ids, padded with 0.
        lengths : LongTensor of shape (batch,)
            True lengths (>= 1).
        """
        embedded = self.embedding_dropout(self.embedding(x))
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        packed_out, hidden = self.rnn(packed)
        if isinstance(hidden, tuple):  # LSTM: (h_n, c_n)
            hidden = hidden[0]
        # h_n is (layers * directions, batch, hidden), already in the input's batch order
        last = torch.cat(list(hidden[-self.num_directions :]), dim=-1)
        if self.pooling == "last":
            return last
        # the padding steps are zeros (pad_packed_sequence's padding value): the sum over time
        # needs no mask, the maximum a -inf added at those steps
        out, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=x.shape[1])
        if self.pooling == "max":
            return _max_over_time(out, lengths)
        mean = out.sum(dim=1) / lengths.to(out.device, out.dtype)[:, None]
        if self.pooling == "mean":
            return mean
        return torch.cat([last.to(out.dtype), _max_over_time(out, lengths), mean], dim=-1)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Class logits, shape ``(batch, n_classes)`` (plus the wide n-gram term when there is one).

        ``x`` is token ids, or (a float tensor) pooled features from :meth:`encode`, as a
        frozen-feature cache gives them (:mod:`nlptk.classify.feature_cache`). The wide term
        needs the token ids, so a model with one refuses cached features.
        """
        if x.is_floating_point():
            if self.wide is not None:
                raise ParameterError(
                    "this classifier has a wide n-gram term, which needs token ids, not cached features",
                    hint="do not cache frozen features for a model with ngrams > 0",
                )
            return self.head(self.dropout(x))
        logits = self.head(self.dropout(self.encode(x, lengths)))
        if self.wide is not None:
            logits = logits + self.wide(x, lengths).to(logits.dtype)
        return logits


def _max_over_time(out: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The maximum of ``out`` (batch, time, features) over each text's first ``lengths`` steps.

    Adding ``-inf`` at the padding steps costs a fraction of a ``masked_fill`` with a broadcast
    mask. Without gradients, ``amax`` (no indices) is many times faster than ``max`` over the
    time dimension; with them, ``max`` keeps its backward (the whole gradient to one of tied
    steps, where ``amax`` would share it), so training is unchanged.
    """
    steps = torch.arange(out.shape[1], device=out.device)
    padding = steps[None, :] >= lengths.to(out.device)[:, None]
    bias = torch.zeros(padding.shape, dtype=out.dtype, device=out.device).masked_fill_(padding, float("-inf"))
    shifted = out + bias.unsqueeze(-1)
    if torch.is_grad_enabled():
        return shifted.max(dim=1).values
    return shifted.amax(dim=1)


# old public names, kept for one release with a DeprecationWarning (nlptk._deprecated)
__getattr__ = renamed_names(__name__, {"RNNClassifier": "nlptk.classify.model.RNNClassifierNet"})
