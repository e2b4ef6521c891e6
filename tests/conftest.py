"""Test-wide settings.

Tests check behaviour, not speed, and CI machines are small (2 cores) and may be busy: an
OpenMP runtime that spin-waits (PyTorch's default) makes small tensor work many times slower
when cores are oversubscribed, so threads wait passively here. Set before torch is imported.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


# -- topic models --------------------------------------------------------------------------
import random as _random

import pytest

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
