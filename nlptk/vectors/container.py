"""The one vectors container that every nlptk loader and trainer returns.

:class:`Vectors` holds a ``(n_words, dim)`` float32 matrix (possibly memory-mapped), the
words in row order, optional corpus counts, optional subword information (for fastText
models) and a ``meta`` dict (method, parameters, tokenizer). It is built on gensim's
``KeyedVectors``: :meth:`Vectors.to_gensim` and :meth:`Vectors.from_gensim` convert both
ways without copying the matrix, and neighbour search is gensim's.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlptk.errors import ParameterError, VocabularyError

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

__all__ = ["ANALOGY_TOPN", "Vectors"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

#: Answers :meth:`Vectors.analogy` and ``nlptk embed analogy`` give by default.
ANALOGY_TOPN = 5


class Vectors:
    """Word vectors: a matrix, its words, and what made them.

    Parameters
    ----------
    words : sequence of str
        The vocabulary, in row order (most frequent first by convention). Must be unique.
    vectors : ndarray of shape (n_words, dim)
        The vectors; kept as given (a memory map stays a memory map) when already float32.
    counts : ndarray of shape (n_words,), optional
        Corpus frequency of each word, when known.
    meta : dict, optional
        Method, parameters, tokenizer config, corpus statistics.
    keyed_vectors : gensim KeyedVectors, optional
        A gensim object sharing this matrix; ``FastTextKeyedVectors`` supply vectors for
        unseen words from subwords.
    subword_model : path, optional
        The fastText ``.bin`` these vectors (and their subwords) came from, when it is on
        disk: saving to the native format copies it, and ``format="fasttext-bin"`` writes it.
    key_to_index : dict of str to int, optional
        The word -> row index, when the caller has built it already (a reader that checked
        for duplicate words; ``keyed_vectors``' own index is used by default). It must agree
        with ``words``; otherwise the index is built on first use.

    Attributes
    ----------
    words : list of str
        Vocabulary in row order. Assigning a new list starts a new vocabulary: the word index
        and the gensim view (:meth:`to_gensim`) are rebuilt from it, and fastText subwords,
        which belong to the old words, are dropped.
    vectors : ndarray of shape (n_words, dim)
        Assigning a new matrix keeps the gensim view in step (it shares the new matrix).
    counts : ndarray of shape (n_words,) or None
    meta : dict
    subword_model : Path or None
        The fastText model file behind the subwords (``None``: unknown or none).

    Examples
    --------
    >>> import numpy as np
    >>> v = Vectors(["king", "queen", "apple"], np.eye(3, dtype=np.float32))
    >>> v.dim, len(v), "king" in v
    (3, 3, True)
    >>> v["queen"].tolist()
    [0.0, 1.0, 0.0]
    """

    def __init__(
        self,
        words: Sequence[str],
        vectors: np.ndarray,
        *,
        counts: np.ndarray | Sequence[int] | None = None,
        meta: dict[str, Any] | None = None,
        keyed_vectors: KeyedVectors | None = None,
        subword_model: str | os.PathLike[str] | None = None,
        key_to_index: dict[str, int] | None = None,
    ) -> None:
        if vectors.ndim != 2:
            raise ParameterError(f"vectors must be a 2-d matrix, got shape {vectors.shape}")
        if len(words) != vectors.shape[0]:
            raise ParameterError(f"{len(words)} words but {vectors.shape[0]} vector rows; they must match")
        if vectors.dtype != np.float32:
            vectors = vectors.astype(np.float32)
        self._words: list[str] = list(words)
        self._vectors: np.ndarray = vectors
        self._counts: np.ndarray | None = None if counts is None else np.asarray(counts, dtype=np.int64)
        if self._counts is not None and len(self._counts) != len(self._words):
            raise ParameterError(f"{len(self._counts)} counts for {len(self._words)} words")
        self.meta: dict[str, Any] = dict(meta or {})
        # the word -> row index, when a reader built it already (the gensim view has one)
        if key_to_index is None and keyed_vectors is not None:
            key_to_index = keyed_vectors.key_to_index
        if key_to_index is not None and len(key_to_index) != len(self._words):
            raise ParameterError(f"an index of {len(key_to_index)} words for {len(self._words)} words")
        self._index: dict[str, int] | None = key_to_index
        self._kv = keyed_vectors
        self.subword_model: Path | None = None if subword_model is None else Path(subword_model)

    # -- the state a gensim view is built from ------------------------------------------
    # ``to_gensim`` hands out a KeyedVectors that shares ``words`` and ``vectors``; these
    # properties keep that view (and the word index) in step when either is reassigned,
    # rather than leaving a stale copy behind.
    @property
    def words(self) -> list[str]:
        """The vocabulary, in row order."""
        return self._words

    @words.setter
    def words(self, words: Sequence[str]) -> None:
        self._words = list(words)
        self._index = None
        if self._kv is not None:
            if self.has_subwords:
                logger.info("new words for fastText vectors: the subwords of the old words are dropped")
            self._kv = None  # rebuilt from the new words on demand

    @property
    def vectors(self) -> np.ndarray:
        """The ``(n_words, dim)`` matrix."""
        return self._vectors

    @vectors.setter
    def vectors(self, vectors: np.ndarray) -> None:
        self._vectors = vectors
        # keep the subwords: the fastText view takes the new matrix
        if self._kv is not None and self.has_subwords:
            self._kv.vectors = vectors  # type: ignore[union-attr]
            self._kv.norms = None  # type: ignore[union-attr]
        else:
            self._kv = None  # rebuilt from the new matrix on demand

    @property
    def counts(self) -> np.ndarray | None:
        """Corpus frequency of each word, or ``None``."""
        return self._counts

    @counts.setter
    def counts(self, counts: np.ndarray | Sequence[int] | None) -> None:
        self._counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        if self._kv is not None and not self.has_subwords:
            self._kv = None  # its "count" expando is rebuilt on demand

    # -- basic container protocol -------------------------------------------------------
    @property
    def dim(self) -> int:
        """Number of dimensions."""
        return int(self.vectors.shape[1])

    @property
    def key_to_index(self) -> dict[str, int]:
        """Word -> row mapping (built on first use)."""
        if self._index is None:
            index = dict(zip(self.words, range(len(self.words)), strict=True))
            if len(index) != len(self.words):
                seen: set[str] = set()
                dup = next(w for w in self.words if w in seen or seen.add(w))  # type: ignore[func-returns-value]
                raise ParameterError(f"duplicate word {dup!r} in the vocabulary")
            self._index = index
        return self._index

    @property
    def has_subwords(self) -> bool:
        """True when vectors for unseen words can be built from subwords (fastText)."""
        from gensim.models.fasttext import FastTextKeyedVectors

        return isinstance(self._kv, FastTextKeyedVectors)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.words)

    def __repr__(self) -> str:
        method = self.meta.get("method")
        extra = f", method={method!r}" if method else ""
        sub = ", subwords" if self.has_subwords else ""
        return f"<Vectors {len(self)} words x {self.dim} dims{extra}{sub}>"

    def index(self, word: str) -> int:
        """Row of ``word``; raises :class:`~nlptk.errors.VocabularyError` when unknown."""
        try:
            return self.key_to_index[word]
        except KeyError:
            raise VocabularyError(
                f"word {word!r} is not in the vocabulary ({len(self)} words)",
                hint="check its spelling and case, or use vectors with subwords (fastText .bin)",
            ) from None

    def get_vector(self, word: str, *, norm: bool = False) -> np.ndarray:
        """The vector of ``word``; unseen words get a subword vector when the source has subwords.

        Raises
        ------
        VocabularyError
            ``word`` is unknown and there is no subword information.
        """
        if word in self.key_to_index:
            vec = np.asarray(self.vectors[self.key_to_index[word]])
        elif self.has_subwords:
            vec = self._kv.get_vector(word)  # type: ignore[union-attr]
        else:
            self.index(word)  # raises
            raise AssertionError  # pragma: no cover
        if norm:
            n = float(np.linalg.norm(vec))
            return vec / n if n > 0 else vec
        return vec

    def __getitem__(self, word: str) -> np.ndarray:
        return self.get_vector(word)

    # -- gensim interoperation ----------------------------------------------------------
    def to_gensim(self) -> KeyedVectors:
        """A gensim ``KeyedVectors`` sharing this matrix (no copy).

        A ``FastTextKeyedVectors`` is returned as is when the vectors came from fastText.
        The view follows reassignments of :attr:`words`, :attr:`vectors` and :attr:`counts`
        (call ``to_gensim()`` again after one); changes made inside the arrays are shared.
        """
        if self._kv is None:
            from gensim.models import KeyedVectors

            kv = KeyedVectors(self.dim, count=0, dtype=np.float32)
            kv.index_to_key = self.words
            kv.key_to_index = self.key_to_index
            kv.vectors = self.vectors
            kv.norms = None
            if self.counts is not None:
                kv.expandos["count"] = self.counts
            self._kv = kv
        return self._kv

    @classmethod
    def from_gensim(
        cls,
        kv: KeyedVectors,
        *,
        meta: dict[str, Any] | None = None,
        subword_model: str | os.PathLike[str] | None = None,
    ) -> Vectors:
        """Wrap a gensim ``KeyedVectors`` (or ``FastTextKeyedVectors``) without copying.

        ``subword_model``: the fastText ``.bin`` a ``FastTextKeyedVectors`` was read from.
        """
        counts = None
        if "count" in getattr(kv, "expandos", {}):
            counts = kv.expandos["count"]
            if np.all(counts == 0) or len(counts) != len(kv.index_to_key):
                counts = None
        vecs = kv.vectors
        if vecs.dtype != np.float32:
            vecs = vecs.astype(np.float32)
            kv.vectors = vecs
        return cls(
            kv.index_to_key, vecs, counts=counts, meta=meta, keyed_vectors=kv, subword_model=subword_model
        )

    # -- queries ------------------------------------------------------------------------
    def _check_words(self, words: Iterable[str]) -> None:
        for w in words:
            if w not in self.key_to_index and not self.has_subwords:
                self.index(w)  # raises VocabularyError

    def most_similar(
        self,
        positive: str | np.ndarray | Sequence[str | np.ndarray] = (),
        negative: str | np.ndarray | Sequence[str | np.ndarray] = (),
        *,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Nearest neighbours by cosine similarity (gensim's ``most_similar``).

        Parameters
        ----------
        positive, negative : word, vector, or a list of them
            Words or vectors added or subtracted.
        topn : int, default=10
            Number of neighbours.
        restrict_vocab : int, optional
            Search only the first (most frequent) words.

        Returns
        -------
        list of (word, similarity)
        """
        if topn < 1:
            raise ParameterError(f"topn must be >= 1, got {topn}")
        pos = [positive] if isinstance(positive, (str, np.ndarray)) else list(positive)
        neg = [negative] if isinstance(negative, (str, np.ndarray)) else list(negative)
        self._check_words([w for w in pos + neg if isinstance(w, str)])
        result = self.to_gensim().most_similar(
            positive=pos, negative=neg, topn=topn, restrict_vocab=restrict_vocab
        )
        return [(w, float(s)) for w, s in result]

    def similar_by_vector(self, vector: np.ndarray, *, topn: int = 10) -> list[tuple[str, float]]:
        """Words nearest to a vector."""
        return [(w, float(s)) for w, s in self.to_gensim().similar_by_vector(vector, topn=topn)]

    def analogy(self, a: str, b: str, c: str, *, topn: int = ANALOGY_TOPN) -> list[tuple[str, float]]:
        """Solve ``a : b :: c : ?`` by 3CosAdd (``b - a + c``), excluding the three input words.

        Parameters
        ----------
        a, b, c : str
        topn : int, default=5
            Answers returned, best first (``nlptk embed analogy`` shows the same number).

        Examples
        --------
        ``vectors.analogy("man", "king", "woman")[0]`` -> ``("queen", 0.71)`` on good vectors.
        """
        return self.most_similar(positive=[b, c], negative=[a], topn=topn)

    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two words."""
        v1, v2 = self.get_vector(w1, norm=True), self.get_vector(w2, norm=True)
        return float(np.dot(v1, v2))

    # -- I/O ----------------------------------------------------------------------------
    def save(self, path: PathLike, format: str = "native", *, force: bool = False) -> None:
        """Write the vectors in a format (see :func:`nlptk.vectors.formats.save_vectors`)."""
        from nlptk.vectors.formats import save_vectors

        save_vectors(self, path, format=format, force=force)

    @classmethod
    def load(cls, path: PathLike, format: str | None = None, *, limit: int | None = None) -> Vectors:
        """Read vectors in any format (see :func:`nlptk.vectors.formats.load_vectors`)."""
        from nlptk.vectors.formats import load_vectors

        return load_vectors(path, format=format, limit=limit)
