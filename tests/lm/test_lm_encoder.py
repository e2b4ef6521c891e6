"""The LM encoder: shapes, packing, AWD dropouts, and weight dropout that keeps nn.LSTM's keys."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nlptk.errors import ParameterError
from nlptk.lm.encoder import EncoderConfig, RNNEncoder, _run_layer


def _encoder(cell: str = "lstm", **overrides: object) -> RNNEncoder:
    settings: dict[str, object] = {"cell": cell, "embedding_dim": 4, "hidden_size": 6, "num_layers": 2}
    settings.update(overrides)
    torch.manual_seed(0)
    return RNNEncoder(EncoderConfig(**settings), vocab_size=12)  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_shapes_layers_and_groups(cell: str) -> None:
    encoder = _encoder(cell, num_layers=3, output_size=4)
    outputs, state = encoder(torch.tensor([[2, 3, 4, 5], [6, 7, 8, 9]]))
    assert outputs.shape == (2, 4, 4) and encoder.out_dim == 4
    assert [rnn.hidden_size for rnn in encoder.rnns] == [6, 6, 4]
    assert all(
        isinstance(r, nn.LSTM if cell == "lstm" else nn.GRU) and r.num_layers == 1 for r in encoder.rnns
    )
    assert len(state) == 3
    groups = encoder.layer_groups()
    assert groups[0] is encoder.embedding and groups[1:] == list(encoder.rnns)


def test_config_is_checked_once() -> None:
    with pytest.raises(ParameterError) as info:
        EncoderConfig(num_layers=4)
    assert info.value.param == "num_layers"  # type: ignore[attr-defined]
    with pytest.raises(ParameterError):
        EncoderConfig(cell="rnn")
    with pytest.raises(ParameterError, match="embedding_dim"):
        RNNEncoder(EncoderConfig(), vocab_size=10)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("weight_dropout", [0.0, 0.5])
@torch.no_grad()
def test_lengths_pack_padded_sequences(cell: str, weight_dropout: float) -> None:
    encoder = _encoder(cell, weight_dropout=weight_dropout).eval()
    tokens = torch.tensor([[2, 3, 4], [5, 6, 0]])
    packed_out, state = encoder(tokens, torch.tensor([3, 2]))
    plain_out, _ = encoder(tokens)
    torch.testing.assert_close(packed_out[0], plain_out[0])
    torch.testing.assert_close(packed_out[1, :2], plain_out[1, :2])
    assert float(packed_out[1, 2].abs().max()) == 0.0
    last = state[-1][0] if cell == "lstm" else state[-1]
    torch.testing.assert_close(last[0, 1], packed_out[1, 1])  # the state at the real last token
    torch.testing.assert_close(last[0, 0], packed_out[0, 2])


def test_state_carries_over() -> None:
    encoder = _encoder().eval()
    tokens = torch.tensor([[2, 3, 4, 5]])
    whole, _ = encoder(tokens)
    first, state = encoder(tokens[:, :2])
    second, _ = encoder(tokens[:, 2:], None, state)
    torch.testing.assert_close(torch.cat([first, second], dim=1), whole)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_weight_dropout_drops_the_hidden_matrix(cell: str) -> None:
    rnn = _encoder(cell).rnns[0]
    inputs = torch.randn(2, 5, 4)
    zeros = torch.zeros(1, 2, 6)
    hx = (zeros, zeros) if cell == "lstm" else zeros
    torch.manual_seed(3)
    out, _ = _run_layer(rnn, inputs, None, hx, 0.5, True)
    torch.manual_seed(3)
    dropped = torch.nn.functional.dropout(rnn.weight_hh_l0, 0.5, True)
    reference = type(rnn)(4, 6, batch_first=True)
    reference.load_state_dict(rnn.state_dict())
    with torch.no_grad():
        reference.weight_hh_l0.copy_(dropped)
    expected, _ = reference(inputs)
    torch.testing.assert_close(out, expected)
    assert float((dropped == 0).float().mean()) > 0.2  # some weights really were dropped


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_weight_dropout_trains_and_keeps_plain_keys(cell: str) -> None:
    encoder = _encoder(cell, weight_dropout=0.5, embedding_dropout=0.1, hidden_dropout=0.2)
    tokens = torch.tensor([[2, 3, 4], [5, 6, 7]])
    outputs, _ = encoder.train()(tokens)
    outputs.sum().backward()
    assert all(float(r.weight_hh_l0.grad.abs().sum()) > 0 for r in encoder.rnns)
    assert float(encoder.embedding.weight.grad[0].abs().sum()) == 0.0  # padding row gets nothing
    keys = set(encoder.state_dict())
    assert "rnns.0.weight_hh_l0" in keys and not any("raw" in k for k in keys)
    plain = RNNEncoder(encoder.config.replace(weight_dropout=0.0), vocab_size=12)
    plain.load_state_dict(encoder.state_dict())
    # after training steps with dropped weights, eval mode uses the raw weights again
    torch.testing.assert_close(plain.eval()(tokens)[0], encoder.eval()(tokens)[0])


def test_dropouts_off_in_eval_mode() -> None:
    encoder = _encoder(
        embedding_dropout=0.5, input_dropout=0.5, hidden_dropout=0.5, weight_dropout=0.5
    ).eval()
    tokens = torch.tensor([[2, 3, 4]])
    torch.testing.assert_close(encoder(tokens)[0], encoder(tokens)[0])
