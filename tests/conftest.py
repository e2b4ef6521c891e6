"""Test-wide settings.

Tests check behaviour, not speed, and CI machines are small (2 cores) and may be busy: an
OpenMP runtime that spin-waits (PyTorch's default) makes small tensor work many times slower
when cores are oversubscribed, so threads wait passively here. Set before torch is imported.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _make_language_model(
    words: list[str] | None = None,
    *,
    cell: str = "lstm",
    embedding_dim: int = 8,
    hidden_size: int = 12,
    **config,
):  # type: ignore[no-untyped-def]
    """A tiny untrained :class:`nlptk.lm.LanguageModel` (random weights) over ``words``.

    For tests that need an LM folder without training one: ``make_language_model().save(path)``
    (the ``make_language_model`` fixture returns this function).
    """
    import torch

    from nlptk.lm import SPECIALS, LanguageModel, LanguageModelConfig, RNNLanguageModel
    from nlptk.text.tokenize import RegexTokenizer
    from nlptk.text.vocab import Vocabulary

    words = words or ["the", "cat", "sat", "on", "mat", "dog", "ran"]
    vocabulary = Vocabulary(words, list(range(len(words), 0, -1)), specials=list(SPECIALS))
    settings = {"cell": cell, "hidden_size": hidden_size, "num_layers": 2, **config}
    resolved = LanguageModelConfig(**settings).resolve(
        vocab_size=len(vocabulary), embedding_dim=embedding_dim
    )
    torch.manual_seed(0)
    network = RNNLanguageModel(resolved, len(vocabulary))
    return LanguageModel(network, config=resolved, vocabulary=vocabulary, tokenizer=RegexTokenizer())


@pytest.fixture
def make_language_model():  # type: ignore[no-untyped-def]
    """The factory :func:`_make_language_model` (a tiny untrained language model)."""
    return _make_language_model
