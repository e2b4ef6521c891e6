"""The parameters of every embedding method, declared once.

Each method's settings are one frozen :class:`~nlptk.params.Params` dataclass. The trainer
functions take ``config=`` (or the same names as keywords), ``nlptk.train_embeddings`` checks them
before tokenizing, the run manifest records ``config.to_dict()``, and ``nlptk.train_embeddings``
derives its options from these classes (an option that belongs to another method is refused).
This module is light on purpose (no gensim, fastText or torch import), so ``--help`` is fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from nlptk.errors import ParameterError
from nlptk.params import Params, documented, param

__all__ = [
    "METHOD_PARAMS",
    "FastTextParams",
    "GloVeParams",
    "LSAParams",
    "Word2VecParams",
    "default_workers",
]


def default_workers() -> int:
    """Worker threads used when none are given: the CPU count, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


@documented
@dataclass(frozen=True)
class Word2VecParams(Params):
    """word2vec's settings (gensim's ``Word2Vec``; its names in brackets where they differ)."""

    setting_label: ClassVar[str | None] = "word2vec parameter"

    dim: int = param(100, help="Vector dimensions.", min=1)
    window: int = param(5, help="Maximum distance between a word and a context word.", min=1)
    min_count: int = param(5, help="Ignore words with fewer occurrences.", min=1)
    epochs: int = param(5, help="Passes over the corpus.", min=1)
    sg: bool = param(False, help="Skip-gram (--sg) or CBOW (--cbow).", flag="--sg/--cbow")
    hs: bool = param(False, help="Hierarchical softmax.", flag="--hs/--no-hs")
    negative: int = param(5, help="Negative samples per positive one (0: none; then --hs).", min=0)
    sample: float = param(1e-3, help="Down-sampling threshold for frequent words (0: off).", min=0.0)
    ns_exponent: float = param(0.75, help="Shape of the negative-sampling distribution (1: by frequency).")
    lr: float = param(0.025, help="Initial learning rate (alpha).", min=0.0, min_exclusive=True)
    workers: int | None = param(None, help="Worker threads (default: the CPU count, at most 8).", min=1)
    seed: int = param(1, help="Random seed.", min=0)
    deterministic: bool = param(False, help="One thread, so equal inputs give equal vectors.")

    def check(self) -> None:
        if not self.hs and self.negative == 0:
            raise ParameterError(
                "negative=0 without hs leaves word2vec nothing to train", hint="set hs or negative"
            )


@documented
@dataclass(frozen=True)
class FastTextParams(Params):
    """fastText's unsupervised settings (the fastText tool's names in brackets)."""

    setting_label: ClassVar[str | None] = "fastText parameter"

    dim: int = param(100, help="Vector dimensions (-dim).", min=1)
    window: int = param(5, help="Context window (-ws).", min=1)
    min_count: int = param(5, help="Ignore words with fewer occurrences (-minCount).", min=1)
    epochs: int = param(5, help="Passes over the corpus (-epoch).", min=1)
    sg: bool = param(True, help="Skip-gram (--sg) or CBOW (--cbow).", flag="--sg/--cbow")
    minn: int = param(3, help="Shortest character n-gram (-minn).", min=0)
    maxn: int = param(6, help="Longest character n-gram (-maxn; 0: no subwords).", min=0)
    word_ngrams: int = param(1, help="Word n-grams (-wordNgrams).", min=1)
    negative: int = param(5, help="Negative samples (-neg).", min=0)
    sample: float = param(1e-4, help="Down-sampling threshold (-t).", min=0.0)
    lr: float = param(0.05, help="Learning rate (-lr).", min=0.0, min_exclusive=True)
    bucket: int = param(
        2_000_000, help="Hash buckets for n-grams (model.bin holds bucket x dim floats).", min=0
    )
    workers: int | None = param(None, help="Threads (-thread; default: the CPU count, at most 8).", min=1)
    seed: int = param(0, help="Random seed (-seed).", min=0)

    def check(self) -> None:
        if self.maxn and self.minn > self.maxn:
            raise ParameterError(f"minn({self.minn}) must be <= maxn({self.maxn})")
        if self.maxn and self.bucket == 0:
            raise ParameterError("bucket=0 leaves no room for subwords", hint="set bucket >= 1 or maxn=0")


@documented
@dataclass(frozen=True)
class GloVeParams(Params):
    """GloVe's settings (the Stanford tool's meaning; its demo uses x_max=10)."""

    setting_label: ClassVar[str | None] = "GloVe parameter"

    dim: int = param(50, help="Vector size.", min=1)
    window: int = param(15, help="Context words on each side, weighted 1/distance.", min=1)
    min_count: int = param(5, help="Words seen fewer times are dropped before windowing.", min=1)
    max_vocab: int | None = param(None, help="Keep at most this many most frequent words.", min=1)
    symmetric: bool = param(True, help="Count contexts on both sides (else left only).")
    x_max: float = param(
        100.0, help="Weighting cut-off: f(x) = min(1, (x / x_max) ** alpha).", min=0.0, min_exclusive=True
    )
    alpha: float = param(0.75, help="Weighting exponent.", min=0.0, min_exclusive=True)
    epochs: int = param(15, help="Passes over the co-occurrence matrix.", min=1)
    lr: float = param(0.05, help="AdaGrad's initial learning rate.", min=0.0, min_exclusive=True)
    batch_size: int | None = param(
        None, help="Non-zero entries per update (default: 32768, fewer on small matrices).", min=1
    )
    memory: float = param(4.0, help="Memory budget in GB for counting.", min=0.0, min_exclusive=True)
    device: str = param("auto", help="auto, cpu, cuda, cuda:N or mps.")
    workers: int | None = param(
        None, help="CPU threads for training (>1: Hogwild, not bit-reproducible).", min=1
    )
    seed: int = param(0, help="Random seed.", min=0)
    output: str = param("W+C", help="Word plus context vectors, or word vectors only.", choices=("W+C", "W"))
    cooccurrence: Path | None = param(
        None, help="Reuse a saved co-occurrence matrix (cooccurrence.npz) instead of counting."
    )


@documented
@dataclass(frozen=True)
class LSAParams(Params):
    """LSA term vectors' settings (TF-IDF + truncated SVD, scikit-learn's names in brackets)."""

    setting_label: ClassVar[str | None] = "LSA parameter"

    dim: int = param(100, help="Number of topics (n_components).", min=1)
    min_count: int = param(1, help="Minimum number of documents a term appears in (min_df).", min=1)
    max_df: int | float = param(
        1.0, help="Drop terms in more than this share (a float) or number (an int) of documents (max_df)."
    )
    sublinear_tf: bool = param(True, help="Use 1 + log(tf) (sublinear_tf).")
    seed: int = param(0, help="Random seed (random_state).", min=0)

    def check(self) -> None:
        if isinstance(self.max_df, int) and self.max_df < 1:
            raise ParameterError(f"max_df={self.max_df} must be >= 1 as a number of documents")
        if isinstance(self.max_df, float) and not 0.0 < self.max_df <= 1.0:
            raise ParameterError(f"max_df={self.max_df} must be within (0, 1] as a share of documents")


#: Method name -> its parameters' declaration.
METHOD_PARAMS: dict[str, type[Params]] = {
    "word2vec": Word2VecParams,
    "fasttext": FastTextParams,
    "glove": GloVeParams,
    "lsa": LSAParams,
}
