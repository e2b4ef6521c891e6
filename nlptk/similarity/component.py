"""The spaCy pipeline component that gives docs, spans and tokens nlptk's vectors.

spaCy lets a component replace how ``Doc``/``Span``/``Token`` compute ``vector``,
``has_vector``, ``vector_norm`` and ``similarity`` through ``doc.user_hooks``,
``doc.user_span_hooks`` and ``doc.user_token_hooks``. The ``nlptk_vectors`` component
(registered with :meth:`spacy.language.Language.factory`, and advertised through the
``spacy_factories`` entry point so ``spacy.load`` finds it without importing nlptk first)
installs such hooks, reading the vectors from ``nlp.vocab.vectors``. A saved pipeline
therefore reloads without the original nlptk object: the vectors live in the vocab, and
the subword table (for ``oov="subword"``) is written into the component's own folder.

Unseen-word policies (``oov``):

``"skip"`` (default)
    Tokens without a vector are left out of the average. A text with no known word has no
    vector: ``Doc.similarity`` returns ``nan`` (and warns) instead of a silent 0.
``"zero"``
    spaCy's own behaviour: unknown tokens count as zero vectors in the average (the doc
    vector is the sum over known tokens divided by the number of tokens); a text with no
    known word scores 0.0 (with a warning). The cosine of two texts is the same as with
    ``"skip"`` (cosine ignores scale); the vectors and norms differ.
``"subword"``
    Unknown word tokens get a vector built from their character n-grams (fastText), as
    ``gensim``'s ``FastTextKeyedVectors.get_vector`` does; punctuation and spaces without a
    vector are skipped.

Tokens taken into account ("considered") are all tokens except whitespace (which never
counts, even when the vectors have an entry for it), and except punctuation that has no
vector. *Coverage* is the share of considered tokens that have a
vector.

This module is imported by spaCy for every ``Language`` it creates (through the entry
point), so it imports only spaCy and NumPy at module level.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from spacy.attrs import IDS, IS_PUNCT, IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

__all__ = [
    "FACTORY_NAME",
    "KEY_ATTRS",
    "OOV_POLICIES",
    "NoVectorWarning",
    "SubwordTable",
    "TextVector",
    "VectorsComponent",
    "make_vectors_component",
]

logger = logging.getLogger(__name__)

FACTORY_NAME = "nlptk_vectors"
OOV_POLICIES = ("skip", "zero", "subword")
KEY_ATTRS = ("ORTH", "LOWER")
_SUBWORD_CFG = "subwords.json"
_SUBWORD_DATA = "ngrams.npy"


class NoVectorWarning(UserWarning):
    """A similarity was asked of a text or token that has no vector."""


@dataclass(frozen=True)
class SubwordTable:
    """fastText character n-gram vectors: what builds vectors for unseen words.

    Parameters
    ----------
    ngrams : ndarray of shape (bucket, dim)
        The n-gram bucket vectors (gensim's ``FastTextKeyedVectors.vectors_ngrams``).
    min_n, max_n : int
        Shortest and longest character n-gram.
    """

    ngrams: np.ndarray
    min_n: int
    max_n: int

    @classmethod
    def from_gensim(cls, kv: Any) -> SubwordTable:
        """The table of a gensim ``FastTextKeyedVectors`` (shared, not copied)."""
        return cls(np.asarray(kv.vectors_ngrams, dtype=np.float32), int(kv.min_n), int(kv.max_n))

    @property
    def bucket(self) -> int:
        """Number of hash buckets."""
        return int(self.ngrams.shape[0])

    def vector(self, word: str) -> np.ndarray | None:
        """The subword vector of ``word`` (mean of its n-gram vectors), or None without n-grams."""
        from gensim.models.fasttext import ft_ngram_hashes  # heavy import, only when used

        hashes = ft_ngram_hashes(word, self.min_n, self.max_n, self.bucket)
        if not hashes:
            return None
        return np.asarray(self.ngrams[hashes], dtype=np.float32).mean(axis=0)

    def to_disk(self, path: Path) -> None:
        """Write ``ngrams.npy`` and ``subwords.json`` into the folder ``path``."""
        np.save(path / _SUBWORD_DATA, np.ascontiguousarray(self.ngrams), allow_pickle=False)
        cfg = {"min_n": self.min_n, "max_n": self.max_n, "bucket": self.bucket}
        (path / _SUBWORD_CFG).write_text(json.dumps(cfg), encoding="utf-8")

    @classmethod
    def from_disk(cls, path: Path) -> SubwordTable | None:
        """Read a table written by :meth:`to_disk` (memory-mapped); None when there is none."""
        cfg_path = path / _SUBWORD_CFG
        if not cfg_path.exists():
            return None
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        ngrams = np.load(path / _SUBWORD_DATA, mmap_mode="r", allow_pickle=False)
        return cls(ngrams, int(cfg["min_n"]), int(cfg["max_n"]))


@dataclass(slots=True)
class TextVector:
    """The vector of a text (doc or span) under a policy, and how much of it was known.

    Attributes
    ----------
    vector : ndarray of shape (dim,) or None
        None when no considered token has a vector (or the text is empty).
    n_known : int
        Considered tokens that have a vector.
    n_tokens : int
        Considered tokens (all but whitespace and punctuation without a vector).
    """

    vector: np.ndarray | None
    n_known: int
    n_tokens: int

    @property
    def coverage(self) -> float:
        """Share of considered tokens with a vector (0.0 for an empty text)."""
        return self.n_known / self.n_tokens if self.n_tokens else 0.0


class VectorsComponent:
    """Installs similarity hooks on each doc; see the module docstring for the policies.

    Parameters
    ----------
    vocab : spacy.vocab.Vocab
        The pipeline's vocab; its ``vectors`` table is read at call time.
    name : str
        Component name in the pipeline.
    oov : {"skip", "zero", "subword"}, default="skip"
        What tokens without a vector contribute.
    attr : {"ORTH", "LOWER"}, default="ORTH"
        Which token attribute is looked up in the vectors table (``LOWER`` for lowercased
        vectors). spaCy does not save this setting with the vectors; the component keeps it
        in the pipeline's ``config.cfg``.

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("nlptk_vectors", config={"oov": "skip", "attr": "LOWER"})
    """

    def __init__(self, vocab: Vocab, name: str = FACTORY_NAME, *, oov: str = "skip", attr: str = "ORTH"):
        if oov not in OOV_POLICIES:
            from nlptk.errors import ParameterError

            raise ParameterError(f"unknown oov policy {oov!r}; expected one of {', '.join(OOV_POLICIES)}")
        if attr.upper() not in KEY_ATTRS:
            from nlptk.errors import ParameterError

            raise ParameterError(f"unknown key attribute {attr!r}; expected one of {', '.join(KEY_ATTRS)}")
        self.vocab = vocab
        self.name = name
        self.oov = oov
        self.attr = attr.upper()
        self.attr_id = IDS[self.attr]
        self.subwords: SubwordTable | None = None
        self._table: tuple[Any, np.ndarray, np.ndarray] | None = None  # (signature, keys, rows)
        self._cache: weakref.WeakKeyDictionary[Doc, dict[tuple, TextVector]] = weakref.WeakKeyDictionary()
        self._build_hooks()

    # -- setup -----------------------------------------------------------------------------
    def set_subwords(self, table: SubwordTable | None) -> None:
        """Give the component the n-gram table used by ``oov="subword"``."""
        if table is not None and self.vocab.vectors.shape[1] not in (0, table.ngrams.shape[1]):
            from nlptk.errors import DataError

            raise DataError(
                f"subword vectors have {table.ngrams.shape[1]} dims but the pipeline's vectors have "
                f"{self.vocab.vectors.shape[1]}"
            )
        self.subwords = table

    @property
    def uses_subwords(self) -> bool:
        """True when unseen words get subword vectors."""
        return self.oov == "subword" and self.subwords is not None

    @property
    def dim(self) -> int:
        """Width of the vectors."""
        return int(self.vocab.vectors.shape[1])

    def _lookup_table(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted vector keys and their rows, rebuilt when the vocab's vectors change."""
        vectors = self.vocab.vectors
        key2row = vectors.key2row
        signature = (id(vectors), len(key2row), vectors.shape)
        if self._table is None or self._table[0] != signature:
            keys = np.fromiter(key2row.keys(), dtype=np.uint64, count=len(key2row))
            rows = np.fromiter(key2row.values(), dtype=np.int64, count=len(key2row))
            order = np.argsort(keys)
            self._table = (signature, keys[order], rows[order])
        return self._table[1], self._table[2]

    def rows(self, keys: np.ndarray) -> np.ndarray:
        """Vector rows of an array of key hashes; -1 where there is none."""
        sorted_keys, rows = self._lookup_table()
        out = np.full(len(keys), -1, dtype=np.int64)
        if len(sorted_keys) == 0 or len(keys) == 0:
            return out
        pos = np.searchsorted(sorted_keys, keys)
        pos[pos == len(sorted_keys)] = 0
        found = sorted_keys[pos] == keys
        out[found] = rows[pos[found]]
        return out

    # -- the computation -------------------------------------------------------------------
    def text_vector(self, obj: Doc | Span) -> TextVector:
        """The vector and coverage of a doc or span under the component's policy.

        Vectorised: one ``to_array`` call, one sorted-key lookup, one mean.
        """
        doc = obj if isinstance(obj, Doc) else obj.doc
        start, end = (0, len(doc)) if isinstance(obj, Doc) else (obj.start, obj.end)
        # Cached per doc (weakly: the cache dies with the doc); the key changes when the doc is
        # retokenized or the vocab's vectors are replaced.
        vectors = self.vocab.vectors
        key = (start, end, len(doc), id(vectors), vectors.shape, self.oov)
        per_doc = self._cache.get(doc)
        if per_doc is not None and key in per_doc:
            return per_doc[key]
        result = self._compute_text_vector(doc, start, end)
        if per_doc is None:
            per_doc = self._cache[doc] = {}
        per_doc[key] = result
        return result

    def _compute_text_vector(self, doc: Doc, start: int, end: int) -> TextVector:
        if end <= start:
            return TextVector(None, 0, 0)
        # Plain dict lookups beat array operations on a sentence's worth of tokens.
        tokens = doc.to_array([self.attr_id, IS_PUNCT, IS_SPACE])[start:end].tolist()
        get_row = self.vocab.vectors.key2row.get
        known_rows: list[int] = []
        unseen: list[int] = []  # word tokens without a vector
        n_tokens = 0
        for i, (key, punct, space) in enumerate(tokens):
            if space:
                continue
            row = get_row(key, -1)
            if row >= 0:
                known_rows.append(row)
                n_tokens += 1
            elif not punct:
                unseen.append(i)
                n_tokens += 1
        data = self.vocab.vectors.data
        total = np.asarray(data[known_rows], dtype=np.float32).sum(axis=0) if known_rows else None
        n_known = len(known_rows)
        if self.uses_subwords:
            for i in unseen:
                vec = self.subwords.vector(doc[start + i].text)  # type: ignore[union-attr]
                if vec is not None:
                    total = vec.copy() if total is None else total + vec
                    n_known += 1
        if total is None or n_known == 0:
            return TextVector(None, 0, n_tokens)
        denominator = (end - start) if self.oov == "zero" else n_known
        return TextVector(total / np.float32(denominator), n_known, n_tokens)

    def text_vectors(self, docs: Sequence[Doc]) -> tuple[np.ndarray, list[TextVector]]:
        """Vectors of many docs at once: one key lookup and one sparse product for all.

        Returns
        -------
        matrix : ndarray of shape (n_docs, dim)
            Doc vectors; zeros where a doc has none.
        stats : list of TextVector
            Per doc (their ``vector`` is a row of ``matrix`` or None).
        """
        n_docs, dim = len(docs), self.dim
        if self.uses_subwords or n_docs == 0:  # subword vectors are built token by token
            stats = [self.text_vector(doc) for doc in docs]
            matrix = np.zeros((n_docs, dim), dtype=np.float32)
            for i, tv in enumerate(stats):
                if tv.vector is not None:
                    matrix[i] = tv.vector
            return matrix, stats
        import scipy.sparse as sp

        columns = [self.attr_id, IS_PUNCT, IS_SPACE]
        arrays = [doc.to_array(columns).reshape(-1, 3) for doc in docs]
        lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=n_docs)
        flat = np.concatenate(arrays) if lengths.sum() else np.zeros((0, 3), dtype=np.uint64)
        rows = self.rows(flat[:, 0].astype(np.uint64))
        space = flat[:, 2] != 0
        known = (rows >= 0) & ~space
        considered = ~space & (known | (flat[:, 1] == 0))
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        known_cum = np.concatenate([[0], np.cumsum(known)])
        considered_cum = np.concatenate([[0], np.cumsum(considered)])
        n_known = known_cum[bounds[1:]] - known_cum[bounds[:-1]]
        n_tokens = considered_cum[bounds[1:]] - considered_cum[bounds[:-1]]
        data = self.vocab.vectors.data
        bag = sp.csr_matrix(
            (np.ones(int(known.sum()), dtype=np.float32), rows[known], known_cum[bounds]),
            shape=(n_docs, data.shape[0]),
        )
        sums = np.asarray(bag @ data, dtype=np.float32)
        denominator = lengths if self.oov == "zero" else n_known
        matrix = sums / np.maximum(denominator, 1)[:, None].astype(np.float32)
        matrix[n_known == 0] = 0.0
        stats = [
            TextVector(matrix[i] if n_known[i] else None, int(n_known[i]), int(n_tokens[i]))
            for i in range(n_docs)
        ]
        return matrix, stats

    def token_vector(self, token: Token) -> np.ndarray | None:
        """The vector of one token under the policy, or None."""
        key = token.lower if self.attr == "LOWER" else token.orth
        row = self.vocab.vectors.key2row.get(key, -1)
        if row >= 0:
            return np.asarray(self.vocab.vectors.data[row], dtype=np.float32)
        if self.uses_subwords and not (token.is_punct or token.is_space):
            return self.subwords.vector(token.text)  # type: ignore[union-attr]
        return None

    def word_vector(self, word: str) -> np.ndarray | None:
        """The vector of a word string (looked up like a token), or None."""
        key_text = word.lower() if self.attr == "LOWER" else word
        key = self.vocab.strings.add(key_text, allow_transient=True)
        row = self.vocab.vectors.key2row.get(key, -1)
        if row >= 0:
            return np.asarray(self.vocab.vectors.data[row], dtype=np.float32)
        if self.uses_subwords:
            return self.subwords.vector(word)  # type: ignore[union-attr]
        return None

    # -- hooks -----------------------------------------------------------------------------
    def _zeros(self) -> np.ndarray:
        return np.zeros(self.dim, dtype=np.float32)

    def _doc_vector(self, obj: Doc | Span) -> np.ndarray:
        vector = self.text_vector(obj).vector
        return self._zeros() if vector is None else vector

    def _doc_has_vector(self, obj: Doc | Span) -> bool:
        return self.text_vector(obj).vector is not None

    def _doc_vector_norm(self, obj: Doc | Span) -> float:
        return float(np.linalg.norm(self._doc_vector(obj)))

    def _token_vector(self, token: Token) -> np.ndarray:
        vector = self.token_vector(token)
        return self._zeros() if vector is None else vector

    def _token_has_vector(self, token: Token) -> bool:
        return self.token_vector(token) is not None

    def _token_vector_norm(self, token: Token) -> float:
        return float(np.linalg.norm(self._token_vector(token)))

    def _owns(self, doc: Doc) -> bool:
        return getattr(doc.user_hooks.get("vector"), "__self__", None) is self

    def _vector_or_none(self, obj: Any) -> np.ndarray | None:
        """The vector of a doc, span, token or lexeme, computed once; None when it has none."""
        if isinstance(obj, Doc) and self._owns(obj):
            return self.text_vector(obj).vector
        if isinstance(obj, (Span, Token)) and self._owns(obj.doc):
            return self.text_vector(obj).vector if isinstance(obj, Span) else self.token_vector(obj)
        return np.asarray(obj.vector) if obj.has_vector else None  # a Lexeme, or another pipeline's doc

    def _similarity(self, this: Any, other: Any) -> float:
        vec_this = self._vector_or_none(this)
        vec_other = self._vector_or_none(other)
        if vec_this is None or vec_other is None:
            what = type(this).__name__ if vec_this is None else type(other).__name__
            text = this.text if vec_this is None else other.text
            if self.oov == "zero":
                warnings.warn(
                    f"{what} {text!r} has no known word; its similarity is 0.0 (spaCy's behaviour, "
                    "oov='zero')",
                    NoVectorWarning,
                    stacklevel=3,
                )
                return 0.0
            warnings.warn(
                f"{what} {text!r} has no known word; its similarity is undefined (nan)",
                NoVectorWarning,
                stacklevel=3,
            )
            return math.nan
        return cosine(vec_this, vec_other)

    def _build_hooks(self) -> None:
        # Bound once: building 11 bound methods per doc made the garbage collector run often
        # enough to double the cost of nlp.pipe.
        self._doc_hooks = {
            "vector": self._doc_vector,
            "has_vector": self._doc_has_vector,
            "vector_norm": self._doc_vector_norm,
            "similarity": self._similarity,
        }
        # No span "vector_norm" hook: spaCy 3.8's Span.vector_norm calls the "vector" hook
        # under that name; its default (the norm of span.vector) already uses our vector.
        self._span_hooks = {
            "vector": self._doc_vector,
            "has_vector": self._doc_has_vector,
            "similarity": self._similarity,
        }
        self._token_hooks = {
            "vector": self._token_vector,
            "has_vector": self._token_has_vector,
            "vector_norm": self._token_vector_norm,
            "similarity": self._similarity,
        }

    def __call__(self, doc: Doc) -> Doc:
        """Install the hooks on ``doc`` (other hooks already there are kept)."""
        doc.user_hooks.update(self._doc_hooks)
        doc.user_span_hooks.update(self._span_hooks)
        doc.user_token_hooks.update(self._token_hooks)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 1000) -> Iterable[Doc]:
        """Install the hooks on a stream of docs."""
        for doc in docs:
            yield self(doc)

    # -- serialisation (spaCy calls these from nlp.to_disk / spacy.load) --------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the subword table (when there is one) into the component's folder."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.subwords is not None:
            self.subwords.to_disk(path)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> VectorsComponent:
        """Read the subword table back (memory-mapped), if the folder has one."""
        path = Path(path)
        if path.is_dir():
            self.subwords = SubwordTable.from_disk(path)
        if self.oov == "subword" and self.subwords is None:
            logger.warning(
                "the %s component asks for subword vectors but %s has none; unknown words are skipped",
                self.name,
                path,
            )
        return self


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors, clipped to [-1, 1]; 0.0 when one is all zeros."""
    na = float(np.linalg.norm(a))
    nb = float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(min(1.0, max(-1.0, float(np.dot(a, b)) / (na * nb))))


@Language.factory(
    FACTORY_NAME,
    default_config={"oov": "skip", "attr": "ORTH"},
    assigns=[],
    requires=[],
)
def make_vectors_component(nlp: Language, name: str, oov: str, attr: str) -> VectorsComponent:
    """spaCy factory of :class:`VectorsComponent` (``nlp.add_pipe("nlptk_vectors")``)."""
    return VectorsComponent(nlp.vocab, name, oov=oov, attr=attr)
