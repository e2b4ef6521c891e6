"""Recurrent language models (AWD-LSTM / ULMFiT style) whose embedding starts from nlptk vectors.

Layers, bottom up:

* :mod:`~nlptk.lm.encoder` -- :class:`EncoderConfig`, :class:`RNNEncoder` (embedding + 1-3
  single-layer LSTM/GRU modules, AWD-LSTM dropouts, weight dropout that keeps plain
  ``nn.LSTM`` state_dict keys);
* :mod:`~nlptk.lm.config` -- :class:`LanguageModelConfig` (encoder + decoder + vocabulary +
  training settings, declared once);
* :mod:`~nlptk.lm.model` -- :class:`RNNLanguageModelNet` (encoder + tied full softmax or
  ``nn.AdaptiveLogSoftmaxWithLoss``);
* :mod:`~nlptk.lm.stream` -- vocabulary and the id stream from the tokens cache of
  ``nlptk embed train``; truncated-BPTT batches;
* :mod:`~nlptk.lm.persist` -- the model folder and the training checkpoint;
* :mod:`~nlptk.lm.language_model` -- :class:`LanguageModel`, :func:`load_language_model`.

The interface a classifier builds on
-------------------------------------
``load_language_model(path, device="cpu") -> LanguageModel`` reads a model folder::

    config.json  {"format": "nlptk.language_model", "format_version": 1, "nlptk_version",
                  "tokenizer": {...tokenizer config...}, "config": {...LanguageModelConfig...},
                  "encoder": {...EncoderConfig...}, "network": {"vocab_size", "embedding_dim",
                  "out_dim", "decoder", "tied", "cutoffs"}, "specials": {"<pad>": 0, "<unk>": 1,
                  "<eos>": 2}}
    vocab.json   nlptk.text.vocab.Vocabulary.to_dict(): words in id order, with counts
    model.pt     {"model": state_dict}, read with torch.load(weights_only=True)
    meta.json    history (val_loss / val_perplexity per epoch), tokens_seen, seconds, corpus...

``LanguageModel`` has ``.encoder`` (:class:`RNNEncoder`), ``.vocab`` (list of words in id
order: ``<pad>`` = 0, ``<unk>`` = 1, ``<eos>`` = 2, then words by decreasing frequency),
``.vocabulary`` (the :class:`~nlptk.text.vocab.Vocabulary`), ``.config``, ``.tokenizer``
(rebuilt from config.json) and ``.network``.

``RNNEncoder(config: EncoderConfig, vocab_size)``;
``encoder(tokens[B, T], lengths[B] | None = None, state=None) -> (outputs[B, T, out_dim], state)``
(padded sequences are packed when ``lengths`` is given: the state is each sequence's state at
its last token); ``encoder.out_dim``; ``encoder.layer_groups()`` = ``[embedding, rnn_0, ...,
rnn_{n-1}]``. The encoder's state_dict keys are ``embedding.weight`` and
``rnns.{i}.weight_ih_l0`` / ``weight_hh_l0`` / ``bias_ih_l0`` / ``bias_hh_l0``; an
LM's network prefixes them with ``encoder.``, so
``RNNEncoder(lm.config.encoder_config(), len(lm.vocab)).load_state_dict(lm.encoder.state_dict())``
rebuilds it (``config.replace(weight_dropout=0.0)`` and other dropouts may differ).

Example
-------
>>> import nlptk                                                               # doctest: +SKIP
>>> lm = nlptk.train_language_model("corpus.txt", vectors="w2v", out="lm",
...                                 cell="lstm", num_layers=2, hidden_size=512)  # doctest: +SKIP
>>> lm = nlptk.lm.load_language_model("lm")                                      # doctest: +SKIP
>>> outputs, state = lm.encoder(torch.tensor([[5, 6, 7]]))                       # doctest: +SKIP
"""

from __future__ import annotations

from nlptk._lazy import lazy_getattr

# public name -> module that defines it, imported on first use so that importing
# ``nlptk.lm.config`` (the command line does, to derive its options) does not load torch
_LAZY = {
    "EOS": "nlptk.lm.stream",
    "EOS_ID": "nlptk.lm.stream",
    "PAD": "nlptk.lm.stream",
    "PAD_ID": "nlptk.lm.stream",
    "SPECIALS": "nlptk.lm.stream",
    "UNK": "nlptk.lm.stream",
    "UNK_ID": "nlptk.lm.stream",
    "EncoderConfig": "nlptk.lm.encoder_config",
    "LanguageModel": "nlptk.lm.language_model",
    "LanguageModelConfig": "nlptk.lm.config",
    "RNNEncoder": "nlptk.lm.encoder",
    "RNNLanguageModelNet": "nlptk.lm.model",
    "load_language_model": "nlptk.lm.language_model",
}

__all__ = [
    "EOS",
    "EOS_ID",
    "PAD",
    "PAD_ID",
    "SPECIALS",
    "UNK",
    "UNK_ID",
    "EncoderConfig",
    "LanguageModel",
    "LanguageModelConfig",
    "RNNEncoder",
    "RNNLanguageModelNet",
    "load_language_model",
]


# names imported on first use (nlptk._lazy); old names kept for one release (nlptk._deprecated)
__getattr__ = lazy_getattr(
    __name__, _LAZY, renamed={"RNNLanguageModel": "nlptk.lm.model.RNNLanguageModelNet"}
)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
