"""The language-model network: an :class:`~nlptk.lm.encoder.RNNEncoder` and a decoder.

The decoder is a full softmax (an ``nn.Linear`` whose weight is the embedding matrix when the
last layer has ``embedding_dim`` units: weight tying, Inan et al. 2017; Press & Wolf 2017) or
``torch.nn.AdaptiveLogSoftmaxWithLoss`` (Grave et al. 2017) for large vocabularies: the
frequent words in a head, the rare ones in smaller tail clusters, so that a 50k-100k word
vocabulary trains at a useful speed on a CPU.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from nlptk._deprecated import renamed_names
from nlptk.lm.config import LanguageModelConfig
from nlptk.lm.encoder import EncoderState, RNNEncoder, _locked_dropout
from nlptk.lm.stream import bptt_windows

__all__ = ["RNNLanguageModelNet", "autocast_settings", "evaluate_stream"]


def autocast_settings(
    device: torch.device, *, mixed_precision: bool, cpu_bf16: bool = False
) -> dict[str, Any]:
    """Arguments of ``torch.autocast``: float16 on CUDA with ``mixed_precision``, bfloat16 on the
    CPU with ``cpu_bf16``, else disabled."""
    if device.type == "cuda" and mixed_precision:
        return {"device_type": "cuda", "dtype": torch.float16, "enabled": True}
    if device.type == "cpu" and cpu_bf16:
        return {"device_type": "cpu", "dtype": torch.bfloat16, "enabled": True}
    return {"device_type": device.type, "enabled": False}


class RNNLanguageModelNet(nn.Module):
    """Next-word prediction: ``encoder -> locked dropout -> decoder``.

    Parameters
    ----------
    config : LanguageModelConfig
        A resolved config (:meth:`LanguageModelConfig.resolve`).
    vocab_size : int

    Examples
    --------
    >>> config = LanguageModelConfig(embedding_dim=8, hidden_size=16, num_layers=2).resolve(
    ...     vocab_size=50, embedding_dim=8)
    >>> model = RNNLanguageModelNet(config, vocab_size=50)
    >>> tokens = torch.randint(3, 50, (4, 10))
    >>> loss, state = model(tokens[:, :-1], tokens[:, 1:])
    >>> model.tied, loss.shape
    (True, torch.Size([]))
    """

    def __init__(self, config: LanguageModelConfig, vocab_size: int) -> None:
        super().__init__()
        self.config = config
        self.encoder = RNNEncoder(config, vocab_size)
        self.output_dropout = config.output_dropout
        dim = self.encoder.out_dim
        self.decoder: nn.Module
        if config.decoder == "adaptive":
            assert config.cutoffs is not None, "resolve the config first"
            self.decoder = nn.AdaptiveLogSoftmaxWithLoss(
                dim, vocab_size, cutoffs=list(config.cutoffs), div_value=config.div_value
            )
        else:
            self.decoder = nn.Linear(dim, vocab_size)
            if config.tied:
                self.decoder.weight = self.encoder.embedding.weight
            nn.init.zeros_(self.decoder.bias)
        self.tied = config.tied
        self.adaptive = config.decoder == "adaptive"

    def hidden(
        self, tokens: torch.Tensor, state: EncoderState | None = None
    ) -> tuple[torch.Tensor, EncoderState]:
        """The decoder's input at each position, ``(batch, time, out_dim)``, and the new state."""
        outputs, state = self.encoder(tokens, None, state)
        return _locked_dropout(outputs, self.output_dropout, self.training), state

    def forward(
        self, tokens: torch.Tensor, targets: torch.Tensor, state: EncoderState | None = None
    ) -> tuple[torch.Tensor, EncoderState]:
        """Mean negative log-likelihood (nats per token) of ``targets`` given ``tokens``.

        Parameters
        ----------
        tokens, targets : LongTensor of shape (batch, time)
            Inputs and the next tokens (``targets[:, t]`` follows ``tokens[:, t]``).
        state : list, optional
            The encoder state carried over from the previous window.
        """
        hidden, state = self.hidden(tokens, state)
        flat = hidden.reshape(-1, hidden.shape[-1])
        if self.adaptive:
            loss = self.decoder(flat, targets.reshape(-1)).loss
        else:
            loss = F.cross_entropy(self.decoder(flat).float(), targets.reshape(-1))
        return loss, state

    def log_probs(self, hidden: torch.Tensor) -> torch.Tensor:
        """Log-probabilities over the vocabulary, ``(n, vocab_size)``, for hidden states ``(n, out_dim)``."""
        if self.adaptive:
            return self.decoder.log_prob(hidden.float() if hidden.dtype != torch.float32 else hidden)  # type: ignore[operator]
        return F.log_softmax(self.decoder(hidden).float(), dim=-1)


@torch.no_grad()
def evaluate_stream(
    model: RNNLanguageModelNet,
    data: torch.Tensor,
    *,
    bptt: int,
    device: torch.device,
    autocast: dict[str, Any] | None = None,
) -> tuple[float, int]:
    """Mean negative log-likelihood of a batchified stream, and the tokens it was measured on.

    Parameters
    ----------
    data : LongTensor of shape (batch, length)
        Rows are contiguous pieces of the stream (see :func:`nlptk.lm.stream.batchify`).
    bptt : int
        Window length; the state is carried across windows, as in training.

    Returns
    -------
    (loss, n_tokens)
        ``exp(loss)`` is the perplexity. ``(nan, 0)`` when ``data`` has fewer than 2 columns.
    """
    model.eval()
    autocast = autocast or {"device_type": device.type, "enabled": False}
    total = torch.zeros((), dtype=torch.float64, device=device)
    count = 0
    state = None
    for inputs, targets in bptt_windows(data, bptt):
        x = inputs.to(device, non_blocking=True)
        y = targets.to(device, non_blocking=True)
        with torch.autocast(**autocast):
            loss, state = model(x, y, state)
        total += loss.double() * y.numel()
        count += y.numel()
    if count == 0:
        return math.nan, 0
    return float(total) / count, count


# old public names, kept for one release with a DeprecationWarning (nlptk._deprecated)
__getattr__ = renamed_names(__name__, {"RNNLanguageModel": "nlptk.lm.model.RNNLanguageModelNet"})
