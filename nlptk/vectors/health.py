"""A cheap check that vectors carry information: are the frequent words' vectors nearly parallel?

Under-trained vectors can collapse onto one direction: fastText with its default learning rate
and 5 epochs on a 60k-token corpus gives vectors whose 500 most frequent words have a mean
pairwise cosine of 0.997, so every neighbour and every sentence similarity scores 0.99+ and
means nothing. Healthy vectors on the same corpus score 0.1 to 0.3 (word2vec 0.28, GloVe
0.09, fastText trained longer 0.22). :func:`check_vectors` measures this on at most
:data:`SAMPLE_WORDS` rows (a ``500 x 500`` product: milliseconds at any vocabulary size) and
logs a warning above :data:`DEGENERATE_COSINE`; the trainers and the loaders call it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nlptk.vectors.container import Vectors

__all__ = ["DEGENERATE_COSINE", "SAMPLE_WORDS", "check_vectors", "mean_pairwise_cosine"]

logger = logging.getLogger(__name__)

#: Above this mean pairwise cosine of the frequent words, vectors are reported as degenerate.
DEGENERATE_COSINE = 0.6
#: How many of the most frequent words the check looks at.
SAMPLE_WORDS = 500


def mean_pairwise_cosine(vectors: Vectors, n: int = SAMPLE_WORDS) -> float | None:
    """Mean cosine similarity over all pairs of the ``n`` most frequent words.

    The words are the ``n`` highest ``counts`` when counts are known, else the first ``n`` rows
    (files list the most frequent words first). Zero vectors are left out.

    Parameters
    ----------
    vectors : Vectors
    n : int, default=500

    Returns
    -------
    float or None
        In ``[-1, 1]``; ``None`` when fewer than two non-zero vectors are available.

    Examples
    --------
    >>> import numpy as np
    >>> from nlptk.vectors.container import Vectors
    >>> collapsed = Vectors(["a", "b", "c"], np.array([[1, 0], [1, 0.01], [1, -0.01]], dtype=np.float32))
    >>> round(mean_pairwise_cosine(collapsed), 3)
    1.0
    >>> round(mean_pairwise_cosine(Vectors(["a", "b"], np.eye(2, dtype=np.float32))), 3)
    0.0
    """
    if vectors.counts is not None and len(vectors.counts) > n:
        rows = np.sort(np.argsort(-vectors.counts, kind="stable")[:n])
        sample = np.asarray(vectors.vectors[rows], dtype=np.float64)
    else:
        sample = np.asarray(vectors.vectors[:n], dtype=np.float64)
    norms = np.linalg.norm(sample, axis=1)
    sample = sample[norms > 0] / norms[norms > 0, None]
    k = sample.shape[0]
    if k < 2:
        return None
    # sum over all pairs from the sum vector: |sum|^2 = k + 2 * sum_{i<j} cos(i, j)
    total = sample.sum(axis=0)
    return float((total @ total - k) / (k * (k - 1)))


def check_vectors(vectors: Vectors, *, source: str | None = None) -> float | None:
    """Measure :func:`mean_pairwise_cosine` and log a warning when the vectors look degenerate.

    Parameters
    ----------
    vectors : Vectors
    source : str, optional
        Where the vectors come from (a path), named in the warning.

    Returns
    -------
    float or None
        The mean pairwise cosine.
    """
    value = mean_pairwise_cosine(vectors)
    if value is None:
        return None
    if value > DEGENERATE_COSINE:
        n = min(SAMPLE_WORDS, len(vectors))
        where = f"{source}: " if source else ""
        logger.warning(
            "%sthe vectors look degenerate: the %d most frequent words have a mean pairwise cosine of "
            "%.3f (healthy vectors: about 0.1-0.3), so neighbours and similarities mean little; "
            "train longer or with a higher learning rate (--epochs, --lr)",
            where,
            n,
            value,
        )
    return value
