"""The shape and regularisation of an RNN encoder, apart from the network (no torch here).

:class:`EncoderConfig` lives in its own light module so that :mod:`nlptk.lm.config`, which the
command line imports to derive ``nlptk lm`` options, loads without torch;
:mod:`nlptk.lm.encoder` re-exports it beside :class:`~nlptk.lm.encoder.RNNEncoder`.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlptk.params import Params, param

__all__ = ["CELLS", "EncoderConfig"]

CELLS = ("lstm", "gru")


@dataclass(frozen=True)
class EncoderConfig(Params):
    """The shape and regularisation of an :class:`~nlptk.lm.encoder.RNNEncoder`.

    Each field's help is its documentation; the layer sizes are ``[hidden_size] * (num_layers - 1)
    + [output_size or hidden_size]``.
    """

    cell: str = param("lstm", help="Recurrent cell.", choices=CELLS)
    embedding_dim: int | None = param(
        None, help="Word vector size (None: the vectors' dimension, or 100 without vectors).", min=1
    )
    hidden_size: int = param(512, help="Units of each recurrent layer but the last.", min=1)
    num_layers: int = param(2, help="Stacked recurrent layers.", min=1, max=3, flag="--layers")
    output_size: int | None = param(
        None,
        help="Units of the last layer (None: embedding_dim when the decoder is tied, else hidden_size).",
        min=1,
    )
    embedding_dropout: float = param(
        0.02, help="Share of vocabulary words dropped whole from the embedding matrix.", min=0.0, max=1.0,
        max_exclusive=True,
    )  # fmt: skip
    input_dropout: float = param(
        0.1, help="Locked dropout on the embedded words.", min=0.0, max=1.0, max_exclusive=True
    )
    hidden_dropout: float = param(
        0.15, help="Locked dropout between recurrent layers.", min=0.0, max=1.0, max_exclusive=True
    )
    weight_dropout: float = param(
        0.2,
        help="DropConnect on the hidden-to-hidden weights (AWD-LSTM; 0: off).",
        min=0.0,
        max=1.0,
        max_exclusive=True,
    )

    def encoder_config(self) -> EncoderConfig:
        """The :class:`EncoderConfig` part of this config (itself for an ``EncoderConfig``)."""
        names = EncoderConfig.param_names()
        return EncoderConfig(**{name: getattr(self, name) for name in names})

    def layer_sizes(self) -> list[int]:
        """Units of each recurrent layer, bottom-up."""
        last = self.output_size if self.output_size is not None else self.hidden_size
        return [self.hidden_size] * (self.num_layers - 1) + [last]
