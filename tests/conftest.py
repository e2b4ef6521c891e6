"""Test-wide settings.

Tests check behaviour, not speed, and CI machines are small (2 cores) and may be busy: an
OpenMP runtime that spin-waits (PyTorch's default) makes small tensor work many times slower
when cores are oversubscribed, so threads wait passively here. Set before torch is imported.
"""

from __future__ import annotations

import os
import random as _random

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


def toy_sentiment(n: int = 120, *, seed: int = 0, dim: int = 8):
    """Short texts whose class is given by one sentiment word, and random vectors for its words.

    Returns ``(texts, labels, vectors)``: ``labels`` are ``"pos"``/``"neg"``, alternating.
    """
    import numpy as np

    from nlptk.vectors.container import Vectors

    rng = np.random.default_rng(seed)
    positive = ["good", "great", "fine", "lovely", "superb"]
    negative = ["bad", "awful", "poor", "dull", "boring"]
    filler = ["the", "film", "was", "a", "movie", "plot", "acting", "story"]
    texts, labels = [], []
    for i in range(n):
        cls = i % 2
        words = [str(w) for w in rng.choice(filler, 4)] + [str(rng.choice(positive if cls else negative))]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append("pos" if cls else "neg")
    words = positive + negative + filler
    vectors = Vectors(words, rng.normal(size=(len(words), dim)).astype(np.float32))
    return texts, labels, vectors


# -- topic models --------------------------------------------------------------------------
FRUIT = ("apple", "banana", "cherry", "grape", "mango", "peach", "pear", "plum")
MACHINE = ("engine", "wheel", "brake", "gear", "piston", "clutch", "tire", "axle")


def _two_topic_texts(n_per_topic: int = 30, length: int = 20, seed: int = 0) -> list[str]:
    rng = _random.Random(seed)
    texts = []
    for i in range(2 * n_per_topic):
        words = FRUIT if i % 2 == 0 else MACHINE
        texts.append(" ".join(rng.choice(words) for _ in range(length)))
    return texts


@pytest.fixture(scope="session")
def two_topic_texts() -> list[str]:
    """60 texts alternating between two vocabularies that share no word (fruit, machine parts)."""
    return _two_topic_texts()


@pytest.fixture(scope="session")
def two_topic_corpus(tmp_path_factory, two_topic_texts) -> str:
    """The same texts as a one-document-per-line file."""
    path = tmp_path_factory.mktemp("two_topics") / "docs.txt"
    path.write_text("\n".join(two_topic_texts) + "\n", encoding="utf-8")
    return str(path)
