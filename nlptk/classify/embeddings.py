"""Initial embedding rows from pretrained vectors (the transfer in text transfer learning).

:func:`match_embeddings` is a pure function, as fastai's ``match_embeds``: for each word of
the classifier's vocabulary it copies the pretrained vector when the vectors know the word,
builds one from subwords when the vectors have them (fastText ``.bin``), and otherwise
draws a small random vector (or the mean vector). The padding row is zero. It also returns
the coverage, which the trainer logs and saves in ``config.json``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from nlptk.errors import ParameterError
from nlptk.text.vocab import Vocabulary

if TYPE_CHECKING:
    from nlptk.vectors.container import Vectors

__all__ = ["match_embeddings", "match_embeddings_masked", "random_embeddings"]

logger = logging.getLogger(__name__)


def random_embeddings(n_words: int, dim: int, *, seed: int = 0, scale: float = 0.1) -> np.ndarray:
    """A ``(n_words, dim)`` float32 matrix of N(0, scale²) values, row 0 (padding) zero."""
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0.0, scale, size=(n_words, dim)).astype(np.float32)
    matrix[0] = 0.0
    return matrix


def match_embeddings(
    vocab: Vocabulary,
    vectors: Vectors,
    *,
    unknown: Literal["random", "mean"] = "random",
    seed: int = 0,
    padding_idx: int | None = 0,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Embedding rows for ``vocab`` taken from pretrained ``vectors``.

    :func:`match_embeddings_masked` without the mask; see it for the parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from nlptk.vectors.container import Vectors
    >>> vocab = Vocabulary(["good", "zzz"], [3, 1], specials=["<pad>", "<unk>"])
    >>> vectors = Vectors(["good", "bad"], np.array([[1, 2], [3, 4]], dtype=np.float32))
    >>> matrix, coverage = match_embeddings(vocab, vectors, unknown="mean")
    >>> matrix.tolist()
    [[0.0, 0.0], [2.0, 3.0], [1.0, 2.0], [2.0, 3.0]]
    >>> coverage["coverage"], coverage["token_coverage"]
    (0.5, 0.75)
    """
    matrix, coverage, _ = match_embeddings_masked(
        vocab, vectors, unknown=unknown, seed=seed, padding_idx=padding_idx
    )
    return matrix, coverage


def match_embeddings_masked(
    vocab: Vocabulary,
    vectors: Vectors,
    *,
    unknown: Literal["random", "mean"] = "random",
    seed: int = 0,
    padding_idx: int | None = 0,
) -> tuple[np.ndarray, dict[str, Any], np.ndarray]:
    """Embedding rows for ``vocab`` taken from pretrained ``vectors``.

    Parameters
    ----------
    vocab : Vocabulary
        The classifier's vocabulary (specials first).
    vectors : Vectors
        Pretrained vectors.
    unknown : {"random", "mean"}, default="random"
        Rows of words the vectors do not know (and cannot build from subwords): a small
        random vector (normal, with the pretrained vectors' per-dimension standard deviation
        times 0.5, around their mean) or the mean pretrained vector.
    seed : int, default=0
        Seed of the random rows.
    padding_idx : int or None, default=0
        Row left at zero (the padding token).

    Returns
    -------
    matrix : ndarray of shape (len(vocab), vectors.dim), float32
    coverage : dict
        ``known`` (words copied), ``subword`` (built from subwords), ``missing``, ``total``
        (words, specials excluded), ``coverage`` (share of words found, either way) and
        ``token_coverage`` (the same, weighted by training-text counts).
    found : ndarray of shape (len(vocab),), bool
        True for the rows that came from the vectors (copied or built from subwords).

    Examples
    --------
    >>> import numpy as np
    >>> from nlptk.vectors.container import Vectors
    >>> vocab = Vocabulary(["good", "zzz"], [3, 1], specials=["<pad>", "<unk>"])
    >>> vectors = Vectors(["good", "bad"], np.array([[1, 2], [3, 4]], dtype=np.float32))
    >>> match_embeddings_masked(vocab, vectors)[2].tolist()
    [False, False, True, False]
    """
    if unknown not in ("random", "mean"):
        raise ParameterError(f"unknown={unknown!r} is not one of 'random', 'mean'")
    n, dim = len(vocab), vectors.dim
    source = np.asarray(vectors.vectors)
    index = vectors.key_to_index
    rows = np.array([index.get(w, -1) for w in vocab.words], dtype=np.int64)
    is_special = np.zeros(n, dtype=bool)
    for s in vocab.specials:
        is_special[vocab[s]] = True
    known = (rows >= 0) & ~is_special

    # statistics of the pretrained space (a sample is enough for huge matrices)
    sample = source if len(source) <= 100_000 else source[:: max(1, len(source) // 100_000)]
    mean = sample.mean(axis=0).astype(np.float32) if len(sample) else np.zeros(dim, np.float32)
    std = sample.std(axis=0).astype(np.float32) if len(sample) else np.full(dim, 0.1, np.float32)
    if unknown == "mean":
        matrix = np.tile(mean, (n, 1))
    else:
        rng = np.random.default_rng(seed)
        matrix = (mean + rng.normal(size=(n, dim)).astype(np.float32) * (0.5 * std)).astype(np.float32)
    if known.any():
        matrix[known] = source[rows[known]]

    from_subwords = np.zeros(n, dtype=bool)
    if vectors.has_subwords:
        for i in np.flatnonzero(~known & ~is_special):
            try:
                matrix[i] = vectors.get_vector(vocab.words[i])
                from_subwords[i] = True
            except KeyError:  # no n-gram of the word in the model
                continue
    if padding_idx is not None:
        matrix[padding_idx] = 0.0

    words = ~is_special
    found_mask = known | from_subwords
    total, found = int(words.sum()), int(found_mask.sum())
    n_known, n_subword = int(known.sum()), int(from_subwords.sum())
    counts = vocab.counts.astype(np.float64)
    total_count = float(counts[words].sum())
    token_found = float(counts[found_mask].sum())
    coverage = {
        "known": n_known,
        "subword": n_subword,
        "missing": total - found,
        "total": total,
        "coverage": found / total if total else 0.0,
        "token_coverage": token_found / total_count if total_count else 0.0,
    }
    logger.info(
        "pretrained vectors cover %d of %d words (%.1f%%, %.1f%% of training tokens)%s",
        found,
        total,
        100 * coverage["coverage"],
        100 * coverage["token_coverage"],
        f"; {n_subword} from subwords" if n_subword else "",
    )
    return matrix, coverage, found_mask
