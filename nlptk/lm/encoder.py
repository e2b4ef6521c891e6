"""The recurrent encoder of a language model: embeddings and 1-3 LSTM or GRU layers, AWD style.

:class:`RNNEncoder` is what a language model pretrains and what a classifier reuses. It is an
``nn.Embedding`` (row 0 is padding) followed by a ``nn.ModuleList`` of single-layer,
unidirectional, ``batch_first`` ``nn.LSTM`` / ``nn.GRU`` modules, one per layer, so each layer
can be frozen, unfrozen or given its own learning rate (:meth:`RNNEncoder.layer_groups`).

Regularisation follows AWD-LSTM (Merity et al. 2018), as ULMFiT uses it:

* ``embedding_dropout``: whole words are dropped from the embedding matrix (the same word is
  dropped at every position of the batch);
* ``input_dropout``: locked (variational) dropout on the embedded words, one mask per sequence
  shared over time;
* ``hidden_dropout``: locked dropout on the output of every layer but the last;
* ``weight_dropout``: DropConnect on each layer's hidden-to-hidden matrix (``weight_hh_l0``).

Weight dropout keeps the raw matrix as the module's parameter and, while training, runs the
layer through ``torch._VF.lstm`` / ``torch._VF.gru`` (what ``nn.LSTM.forward`` calls) with a
dropped copy of it. The state_dict keys are therefore those of plain ``nn.LSTM`` / ``nn.GRU``
modules (``rnns.0.weight_hh_l0``...): weights trained with weight dropout load into an encoder
built with ``weight_dropout=0``, and the other way round. (``torch.func.functional_call`` on an
``nn.LSTM`` was tried first: on torch 2.13 it leaves the module's cached ``_flat_weights``
pointing at the dropped copy after the call.)
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from nlptk.errors import ParameterError
from nlptk.lm.encoder_config import CELLS, EncoderConfig

__all__ = ["CELLS", "EncoderConfig", "EncoderState", "RNNEncoder"]

_CELL_CLASSES: dict[str, type[nn.RNNBase]] = {"lstm": nn.LSTM, "gru": nn.GRU}

#: One entry per layer: ``(h, c)`` for an LSTM layer, ``h`` for a GRU layer; each ``(1, batch, size)``.
EncoderState = list[Any]


def _locked_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Dropout with one mask per sequence, shared over time (``x`` is ``(batch, time, features)``)."""
    if not training or p == 0.0:
        return x
    mask = x.new_empty(x.shape[0], 1, x.shape[2]).bernoulli_(1.0 - p).div_(1.0 - p)
    return x * mask


def _embedding_dropout(
    embedding: nn.Embedding, tokens: torch.Tensor, p: float, training: bool
) -> torch.Tensor:
    """Look up ``tokens`` with whole rows of the embedding matrix dropped (AWD's ``dropoute``)."""
    weight = embedding.weight
    if training and p > 0.0:
        mask = weight.new_empty(weight.shape[0], 1).bernoulli_(1.0 - p).div_(1.0 - p)
        weight = weight * mask
    return F.embedding(tokens, weight, embedding.padding_idx)


def _run_layer(
    rnn: nn.RNNBase,
    inputs: torch.Tensor,
    batch_sizes: torch.Tensor | None,
    hx: Any,
    weight_dropout: float,
    training: bool,
) -> tuple[torch.Tensor, Any]:
    """Run one single-layer RNN with DropConnect on ``weight_hh_l0`` (the call ``nn.LSTM`` makes).

    ``inputs`` is the padded ``(batch, time, features)`` tensor, or the ``data`` of a packed
    sequence when ``batch_sizes`` is given.
    """
    weights = list(rnn._flat_weights)  # [weight_ih, weight_hh, bias_ih, bias_hh]
    index = rnn._flat_weights_names.index("weight_hh_l0")
    weights[index] = F.dropout(weights[index], weight_dropout, training)
    function = torch._VF.lstm if isinstance(rnn, nn.LSTM) else torch._VF.gru
    if batch_sizes is None:
        output, *state = function(inputs, hx, weights, rnn.bias, 1, 0.0, training, False, True)
    else:
        output, *state = function(inputs, batch_sizes, hx, weights, rnn.bias, 1, 0.0, training, False)
    return output, (state[0], state[1]) if isinstance(rnn, nn.LSTM) else state[0]


class RNNEncoder(nn.Module):
    """Embeddings and stacked unidirectional LSTM / GRU layers with AWD-LSTM dropouts.

    Parameters
    ----------
    config : EncoderConfig
        ``embedding_dim`` must be set.
    vocab_size : int
        Rows of the embedding layer; row 0 is padding (kept at zero, gets no gradient).

    Attributes
    ----------
    embedding : nn.Embedding
    rnns : nn.ModuleList
        One single-layer ``nn.LSTM`` or ``nn.GRU`` (``batch_first=True``) per layer, bottom-up.
    out_dim : int
        Features of each output position (the last layer's size).

    Examples
    --------
    >>> encoder = RNNEncoder(EncoderConfig(embedding_dim=4, hidden_size=6, num_layers=2), vocab_size=10)
    >>> outputs, state = encoder(torch.tensor([[2, 3, 4], [5, 6, 0]]), torch.tensor([3, 2]))
    >>> outputs.shape, encoder.out_dim, len(state), len(encoder.layer_groups())
    (torch.Size([2, 3, 6]), 6, 2, 3)
    """

    def __init__(self, config: EncoderConfig, vocab_size: int) -> None:
        super().__init__()
        if config.embedding_dim is None:
            raise ParameterError("the encoder needs embedding_dim (None is only a default to resolve)")
        if vocab_size < 2:
            raise ParameterError(
                f"vocab_size={vocab_size}; the encoder needs at least 2 rows (padding and one word)"
            )
        self.config = config.encoder_config()
        self.cell = config.cell
        self.embedding = nn.Embedding(vocab_size, config.embedding_dim, padding_idx=0)
        sizes = config.layer_sizes()
        inputs = [config.embedding_dim, *sizes[:-1]]
        rnn_class = _CELL_CLASSES[config.cell]
        self.rnns = nn.ModuleList(
            rnn_class(i, h, num_layers=1, batch_first=True) for i, h in zip(inputs, sizes, strict=True)
        )
        self.out_dim = sizes[-1]
        self.embedding_dropout = config.embedding_dropout
        self.input_dropout = config.input_dropout
        self.hidden_dropout = config.hidden_dropout
        self.weight_dropout = config.weight_dropout
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Small uniform embeddings (padding row zero); PyTorch's own RNN initialisation."""
        with torch.no_grad():
            self.embedding.weight.uniform_(-0.1, 0.1)
            self.embedding.weight[0].zero_()
        for rnn in self.rnns:
            rnn.reset_parameters()

    @property
    def vocab_size(self) -> int:
        return int(self.embedding.num_embeddings)

    def layer_groups(self) -> list[nn.Module]:
        """``[embedding, rnn_0, ..., rnn_{n-1}]``, bottom-up: the units of gradual unfreezing and
        discriminative learning rates."""
        return [self.embedding, *self.rnns]

    def load_embeddings(self, matrix: torch.Tensor) -> None:
        """Copy pretrained rows into the embedding layer (the shape must match)."""
        if tuple(matrix.shape) != tuple(self.embedding.weight.shape):
            raise ParameterError(
                f"an embedding matrix of shape {tuple(matrix.shape)} does not fit the layer "
                f"{tuple(self.embedding.weight.shape)}"
            )
        with torch.no_grad():
            self.embedding.weight.copy_(matrix)

    def init_state(self, batch_size: int) -> EncoderState:
        """Zero states for ``batch_size`` sequences, on the encoder's device and dtype."""
        weight = self.embedding.weight
        state: EncoderState = []
        for rnn in self.rnns:
            h = weight.new_zeros(1, batch_size, rnn.hidden_size)
            state.append((h, h.clone()) if isinstance(rnn, nn.LSTM) else h)
        return state

    @staticmethod
    def detach_state(state: EncoderState) -> EncoderState:
        """The state cut from the graph (between truncated-BPTT windows)."""
        return [tuple(t.detach() for t in s) if isinstance(s, tuple) else s.detach() for s in state]

    def forward(
        self,
        tokens: torch.Tensor,
        lengths: torch.Tensor | None = None,
        state: EncoderState | None = None,
    ) -> tuple[torch.Tensor, EncoderState]:
        """Encode a batch.

        Parameters
        ----------
        tokens : LongTensor of shape (batch, time)
            Token ids (0 = padding).
        lengths : LongTensor of shape (batch,), optional
            True lengths of padded sequences (>= 1). When given, the layers run on packed
            sequences: the outputs past each length are zero and the new state is each
            sequence's state at its last real token.
        state : list, optional
            One state per layer (see :data:`EncoderState`); ``None``: zeros.

        Returns
        -------
        outputs : FloatTensor of shape (batch, time, out_dim)
            The last layer's output at every position (before any output dropout).
        new_state : list
            The state after the last position, one entry per layer.
        """
        total_length = tokens.shape[1]
        x = _embedding_dropout(self.embedding, tokens, self.embedding_dropout, self.training)
        x = _locked_dropout(x, self.input_dropout, self.training)
        packed_lengths = None
        if lengths is not None and bool((lengths < total_length).any()):
            packed_lengths = lengths.cpu()
        new_state: EncoderState = []
        last = len(self.rnns) - 1
        for i, rnn in enumerate(self.rnns):
            hx = state[i] if state is not None else None
            x, layer_state = self._layer(rnn, x, packed_lengths, hx, total_length)
            new_state.append(layer_state)
            if i != last:
                x = _locked_dropout(x, self.hidden_dropout, self.training)
        return x, new_state

    def _layer(
        self, rnn: nn.RNNBase, x: torch.Tensor, lengths: torch.Tensor | None, hx: Any, total_length: int
    ) -> tuple[torch.Tensor, Any]:
        drop_weights = self.training and self.weight_dropout > 0.0
        if lengths is None:
            if not drop_weights:
                return rnn(x, hx)  # type: ignore[no-any-return]
            if hx is None:
                zeros = x.new_zeros(1, x.shape[0], rnn.hidden_size)
                hx = (zeros, zeros) if isinstance(rnn, nn.LSTM) else zeros
            return _run_layer(rnn, x, None, hx, self.weight_dropout, True)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        if not drop_weights:  # nn.LSTM/GRU put the state in and out of the packed order themselves
            packed_out, state = rnn(packed, hx)
        else:
            if hx is None:
                zeros = x.new_zeros(1, x.shape[0], rnn.hidden_size)
                hx = (zeros, zeros) if isinstance(rnn, nn.LSTM) else zeros
            hx = _reorder(hx, packed.sorted_indices)
            data, state = _run_layer(rnn, packed.data, packed.batch_sizes, hx, self.weight_dropout, True)
            packed_out = packed._replace(data=data)
            state = _reorder(state, packed.unsorted_indices)
        out, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=total_length)
        return out, state


def _reorder(state: Any, order: torch.Tensor | None) -> Any:
    """A layer state with its batch dimension (1) permuted by ``order``."""
    if order is None:
        return state
    if isinstance(state, tuple):
        return tuple(s.index_select(1, order) for s in state)
    return state.index_select(1, order)
