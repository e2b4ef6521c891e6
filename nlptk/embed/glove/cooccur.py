"""GloVe's first half: the vocabulary and the word-word co-occurrence matrix.

The counting follows the Stanford tool (``vocab_count`` + ``cooccur``): words below
``min_count`` are dropped from the token stream *before* windowing (so a window spans
``window`` in-vocabulary words), windows never cross a line (one document per line), and a
context word at distance ``d`` adds ``1/d``. A symmetric window counts both sides.

It is vectorised: the tokens file is read in blocks, each block is mapped to word ids in one
pass, and for each offset ``d`` the (word, context) pairs are array slices. The pairs of a
block are combined into int64 keys, sorted, and summed by key; the block's sparse matrix is
then added to the running total (a linear merge of sorted CSR matrices). The ``memory``
budget sets the block size; the temporary arrays of a block never exceed about half of it.

Only left contexts are counted; the symmetric matrix is ``L + L.T``, which halves the work.

The weights are summed as integers: a pair at distance ``d`` adds ``lcm(1..window) / d``, an
exact integer, and the sums are divided by ``lcm(1..window)`` once at the end (for windows up
to :data:`EXACT_WINDOW`; larger windows sum ``1/d`` in floating point). Integer sums do not
depend on the order of the additions, so the matrix is the same bit for bit whatever the
block size, and the sharded counting of several processes (:mod:`.distributed`) gives
exactly the single-process matrix.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from nlptk.errors import DataError, FormatError, IncompatibleModelError, ParameterError
from nlptk.io import atomic_write, check_input_file, reading
from nlptk.progress import ProgressCallback, report

from .vocabulary import (
    _count_vocabulary,
    _iter_text_blocks,
    _VocabularyCount,
    build_vocabulary,
)

__all__ = [
    "CooccurrenceMatrix",
    "build_vocabulary",
    "count_cooccurrences",
    "minimum_memory_gb",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

_FORMAT = "nlptk.glove.cooccurrence"
_VERSION = 1
_MIN_BLOCK_BYTES = 1 << 16
#: The smallest block of tokens counted at once; ``memory`` must hold one.
MIN_CHUNK_TOKENS = 1 << 16
# Rough bytes per token of a block: the token strings of ``str.split`` plus the id arrays,
# and per (word, context) pair: the keys, their sort and the reduction temporaries.
_BYTES_PER_TOKEN = 96
_BYTES_PER_PAIR = 40
_DOC_BREAK = "\x00"  # marks line ends in a block; a NUL is no real token
#: The largest window whose weights are summed exactly (as multiples of 1/lcm(1..window));
#: lcm(1..20) = 232,792,560 leaves room for 4e10 occurrences of one pair in an int64.
EXACT_WINDOW = 20


def weight_scale(window: int) -> int | None:
    """``lcm(1..window)``: every ``1/d`` weight is an integer multiple of its inverse (None: too large).

    Examples
    --------
    >>> weight_scale(15), weight_scale(21)
    (360360, None)
    """
    return math.lcm(*range(1, window + 1)) if window <= EXACT_WINDOW else None


def _bytes_per_token(window: int) -> int:
    return _BYTES_PER_TOKEN + _BYTES_PER_PAIR * window


def minimum_memory_gb(window: int) -> float:
    """The smallest ``memory`` budget (GB) that counting with ``window`` accepts.

    Examples
    --------
    >>> round(minimum_memory_gb(15), 3)
    0.091
    """
    # a block uses at most half of the budget; the other half is for the running total
    return 2 * MIN_CHUNK_TOKENS * _bytes_per_token(window) / 1e9


# -- the matrix ------------------------------------------------------------------------------
@dataclass
class CooccurrenceMatrix:
    """A weighted word-word co-occurrence matrix in coordinate form, rows sorted.

    ``values[k]`` is the (1/distance weighted) number of times ``words[cols[k]]`` occurred in
    the window of ``words[rows[k]]``. Saved as an ``.npz`` of plain arrays (no pickle) so that
    several trainings reuse one counting.

    Attributes
    ----------
    rows, cols : ndarray of shape (nnz,), int32
        Word ids (positions in ``words``).
    values : ndarray of shape (nnz,), float64
    words : list of str
        The vocabulary, most frequent first.
    counts : ndarray of shape (n_words,), int64
        Corpus count of each word.
    window : int
    symmetric : bool
    weighting : str
        ``"1/d"`` (the Stanford tool's distance weighting).
    min_count : int
    max_vocab : int or None
    n_tokens : int
        Tokens in the corpus, out-of-vocabulary ones included.
    n_documents : int
        Lines in the corpus.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_text("a b c\\n")
    >>> m = count_cooccurrences(p, window=2, min_count=1)
    >>> m.to_dense().tolist()   # words sorted: a, b, c
    [[0.0, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.0]]
    """

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    words: list[str]
    counts: np.ndarray
    window: int
    symmetric: bool
    weighting: str = "1/d"
    min_count: int = 1
    max_vocab: int | None = None
    n_tokens: int = 0
    n_documents: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def nnz(self) -> int:
        """Number of non-zero entries."""
        return len(self.values)

    @property
    def n_words(self) -> int:
        """Vocabulary size."""
        return len(self.words)

    def to_scipy(self) -> sp.csr_matrix:
        """The matrix as a SciPy CSR matrix of shape ``(n_words, n_words)``."""
        return sp.csr_matrix((self.values, (self.rows, self.cols)), shape=(self.n_words, self.n_words))

    def to_dense(self) -> np.ndarray:
        """The matrix as a dense array (small vocabularies only)."""
        return self.to_scipy().toarray()

    def describe(self) -> dict[str, Any]:
        """The parameters and statistics, JSON-ready."""
        return {
            "window": self.window,
            "symmetric": self.symmetric,
            "weighting": self.weighting,
            "min_count": self.min_count,
            "max_vocab": self.max_vocab,
            "n_words": self.n_words,
            "nnz": self.nnz,
            "n_tokens": self.n_tokens,
            "n_documents": self.n_documents,
        }

    # -- I/O -------------------------------------------------------------------------------
    def save(self, path: PathLike, *, force: bool = False) -> Path:
        """Write the matrix as an ``.npz`` (atomically; refuses an existing file unless ``force``).

        Examples
        --------
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
        >>> _ = p.write_text("a b c\\n")
        >>> m = count_cooccurrences(p, window=2, min_count=1)
        >>> out = m.save(p.with_name("cooc.npz"))
        >>> CooccurrenceMatrix.load(out).nnz == m.nnz
        True
        """
        target = Path(path)
        header = {"format": _FORMAT, "version": _VERSION, **self.describe(), "extra": self.extra}
        words_blob = np.frombuffer("\n".join(self.words).encode("utf-8"), dtype=np.uint8)
        with atomic_write(target, "wb", force=force) as handle:
            np.savez(
                handle,
                header=np.array(json.dumps(header)),
                rows=self.rows.astype(np.int32, copy=False),
                cols=self.cols.astype(np.int32, copy=False),
                values=self.values,
                words=words_blob,
                counts=self.counts,
            )
        return target

    @classmethod
    def load(cls, path: PathLike) -> CooccurrenceMatrix:
        """Read a matrix written by :meth:`save`.

        Raises
        ------
        FormatError
            Not an nlptk co-occurrence file, or its arrays disagree.
        IncompatibleModelError
            Written by a newer format version.
        """
        path = check_input_file(path, what="co-occurrence file")
        with reading(path, "co-occurrence matrix"):
            return cls._load(path)

    @classmethod
    def _load(cls, path: Path) -> CooccurrenceMatrix:
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in ("header", "rows", "cols", "values", "words", "counts")}
        except KeyError as exc:
            raise FormatError(
                f"not an nlptk co-occurrence matrix: array {exc} is missing",
                path=path,
                hint="give a cooccurrence.npz written by nlptk's GloVe trainer",
            ) from None
        except (OSError, ValueError, EOFError) as exc:
            raise FormatError(
                f"cannot read the co-occurrence matrix ({exc})",
                path=path,
                hint="give a cooccurrence.npz written by nlptk's GloVe trainer",
            ) from None
        try:
            header = json.loads(str(arrays["header"]))
        except json.JSONDecodeError:
            header = {}
        if not isinstance(header, dict) or header.get("format") != _FORMAT:
            raise FormatError(
                "not an nlptk co-occurrence matrix (no format header)",
                path=path,
                hint="give a cooccurrence.npz written by nlptk's GloVe trainer",
            )
        if int(header.get("version", 0)) > _VERSION:
            raise IncompatibleModelError(
                f"co-occurrence format version {header['version']} is newer than this nlptk "
                f"reads ({_VERSION})",
                path=path,
                hint="upgrade nlptk or count the corpus again",
            )
        words = arrays["words"].tobytes().decode("utf-8").split("\n") if arrays["words"].size else []
        n = len(words)
        rows, cols, values = arrays["rows"], arrays["cols"], arrays["values"]
        if len(arrays["counts"]) != n or not (len(rows) == len(cols) == len(values)):
            raise FormatError(
                f"inconsistent co-occurrence file: {n} words, {len(arrays['counts'])} counts, "
                f"{len(rows)} rows, {len(cols)} cols, {len(values)} values",
                path=path,
                hint="the file is damaged; count the corpus again",
            )
        if len(rows) and (min(rows.min(), cols.min()) < 0 or max(rows.max(), cols.max()) >= n):
            raise FormatError(
                f"inconsistent co-occurrence file: word ids outside the {n}-word vocabulary",
                path=path,
                hint="the file is damaged; count the corpus again",
            )
        return cls(
            rows=rows,
            cols=cols,
            values=values,
            words=words,
            counts=arrays["counts"],
            window=int(header["window"]),
            symmetric=bool(header["symmetric"]),
            weighting=str(header.get("weighting", "1/d")),
            min_count=int(header.get("min_count", 1)),
            max_vocab=header.get("max_vocab"),
            n_tokens=int(header.get("n_tokens", 0)),
            n_documents=int(header.get("n_documents", 0)),
            extra=dict(header.get("extra") or {}),
        )

    def check_vocabulary(self, words: list[str], counts: np.ndarray, *, path: PathLike | None = None) -> None:
        """Raise :class:`~nlptk.errors.DataError` unless the matrix was counted with this vocabulary."""
        if self.words == words and np.array_equal(self.counts, counts):
            return
        if len(self.words) != len(words):
            what = f"it has {len(self.words):,} words, the corpus gives {len(words):,}"
        else:
            k = next(
                (i for i, (a, b) in enumerate(zip(self.words, words, strict=True)) if a != b),
                None,
            )
            if k is not None:
                what = f"word {k} is {self.words[k]!r} there but {words[k]!r} in the corpus"
            else:
                k = int(np.flatnonzero(self.counts != counts)[0])
                what = f"the count of {words[k]!r} is {self.counts[k]} there but {counts[k]} in the corpus"
        raise DataError(
            f"the co-occurrence matrix was built from a different corpus or vocabulary ({what}; "
            f"it was counted with min_count={self.min_count}, max_vocab={self.max_vocab})",
            path=path,
            hint="give the corpus and min_count/max_vocab it was counted from, or count again",
        )


# -- counting --------------------------------------------------------------------------------
class _PairAccumulator:
    """Sums (word, left context) pairs block by block into a running CSR matrix."""

    def __init__(self, n_words: int, window: int, budget_bytes: float = float("inf")) -> None:
        self.n_words = n_words
        self.window = window
        self.scale = weight_scale(window)  # integer weights scale/d when not None
        self.budget_bytes = budget_bytes
        self.warned = False
        self.bits = int(window).bit_length()  # room for the distance in the low bits of a key
        self.total: sp.csr_matrix | None = None

    def add_block(self, ids: np.ndarray, docs: np.ndarray, first_center: int) -> int:
        """Count pairs whose word is at position >= ``first_center`` (earlier ids are context)."""
        n = len(ids)
        if n - first_center <= 0:
            return 0
        positions = np.arange(n, dtype=np.int64)
        new_doc = np.empty(n, dtype=bool)
        new_doc[0] = True
        np.not_equal(docs[1:], docs[:-1], out=new_doc[1:])
        pos_in_doc = positions - np.maximum.accumulate(np.where(new_doc, positions, 0))
        word_key = ids.astype(np.int64) * (self.n_words << self.bits)
        ctx_key = ids.astype(np.int64) << self.bits
        parts = []
        for d in range(1, self.window + 1):
            lo = max(d, first_center)
            if lo >= n:
                break
            keys = word_key[lo:] + ctx_key[lo - d : n - d]
            keys += d
            parts.append(keys[pos_in_doc[lo:] >= d])
        keys = np.concatenate(parts) if parts else np.empty(0, np.int64)
        del parts, word_key, ctx_key, pos_in_doc, new_doc, positions
        if len(keys) == 0:
            return 0
        keys.sort()
        # runs of equal (word, context, distance) -> count/distance, then sum per (word, context)
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        run_counts = np.diff(starts, append=len(keys))
        run_keys = keys[starts]
        del keys, starts
        distances = run_keys & ((1 << self.bits) - 1)
        # exact: integer multiples of 1 / scale (floats only for very large windows)
        weights = run_counts / distances if self.scale is None else run_counts * (self.scale // distances)
        pair_keys = run_keys >> self.bits
        firsts = np.flatnonzero(np.concatenate(([True], pair_keys[1:] != pair_keys[:-1])))
        values = np.add.reduceat(weights, firsts)
        pair_keys = pair_keys[firsts]
        rows = (pair_keys // self.n_words).astype(np.int32)
        cols = (pair_keys % self.n_words).astype(np.int32)
        indptr = np.zeros(self.n_words + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=self.n_words), out=indptr[1:])
        block = sp.csr_matrix((values, cols, indptr), shape=(self.n_words, self.n_words))
        block.has_sorted_indices = True
        block.has_canonical_format = True
        self.total = block if self.total is None else self.total + block
        held = self.total.data.nbytes + self.total.indices.nbytes + self.total.indptr.nbytes
        if held > self.budget_bytes and not self.warned:
            # the running total is the result itself: it cannot be made smaller, only reported
            logger.warning(
                "the co-occurrence matrix alone holds %.2f GB, more than half the memory budget; "
                "counting goes on, but raise memory or min_count if the machine runs short",
                held / 1e9,
            )
            self.warned = True
        return int(run_counts.sum())

    def result(self) -> sp.csr_matrix:
        """The summed left-context weights (int64 multiples of ``1/scale``, or float64)."""
        if self.total is None:
            dtype = np.float64 if self.scale is None else np.int64
            return sp.csr_matrix((self.n_words, self.n_words), dtype=dtype)
        return self.total


def _count_left(
    path: Path,
    index: dict[str, int],
    *,
    window: int,
    memory: float,
    block_bytes: int,
    total_blocks: int,
    start: int = 0,
    end: int | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[sp.csr_matrix, int, int | None]:
    """Left-context sums of bytes ``start``..``end`` (whole lines): ``(matrix, pairs, scale)``."""
    n_words = sum(1 for i in index.values() if i >= 0)
    accumulator = _PairAccumulator(n_words, window, memory * 1e9 / 2)
    carry_ids = np.empty(0, np.int32)
    carry_docs = np.empty(0, np.int64)
    doc_offset = 0
    n_pairs = 0
    for step, block in enumerate(_iter_text_blocks(path, block_bytes, start, end), start=1):
        tokens = block.replace("\n", " " + _DOC_BREAK + " ").split()
        ids = np.fromiter(map(index.get, tokens, repeat(-1)), dtype=np.int32, count=len(tokens))
        del tokens
        breaks = ids == -2
        docs = np.cumsum(breaks, dtype=np.int64)
        docs += doc_offset
        doc_offset = int(docs[-1]) if len(docs) else doc_offset
        keep = ids >= 0
        ids, docs = ids[keep], docs[keep]
        all_ids = np.concatenate((carry_ids, ids))
        all_docs = np.concatenate((carry_docs, docs))
        n_pairs += accumulator.add_block(all_ids, all_docs, len(carry_ids))
        carry_ids, carry_docs = all_ids[-window:], all_docs[-window:]
        report(progress, "count", "step", step, max(total_blocks, step), pairs=n_pairs)
    return accumulator.result(), n_pairs, accumulator.scale


def _symmetric_values(left: sp.csr_matrix, symmetric: bool) -> sp.coo_matrix:
    """``L + L.T`` (or ``L``) in canonical row-then-column order, still in integer units."""
    matrix = (left + left.T).tocsr() if symmetric else left
    matrix.sort_indices()
    return matrix.tocoo()


def _as_weights(values: np.ndarray, scale: int | None) -> np.ndarray:
    """Integer sums (multiples of ``1/scale``) -> float64 weights; float sums unchanged."""
    return values.astype(np.float64) if scale is None else values / float(scale)


def _word_index(words: list[str]) -> dict[str, int]:
    index = {w: i for i, w in enumerate(words)}
    index[_DOC_BREAK] = -2
    return index


def _block_plan(vocab: _VocabularyCount, window: int, memory: float) -> tuple[int, int]:
    """Bytes read per counting block (from the memory budget) and the expected number of blocks."""
    chunk_tokens = max(MIN_CHUNK_TOKENS, int(memory * 1e9 / 2 / _bytes_per_token(window)))
    chars_per_token = max(1.0, vocab.n_chars / max(vocab.n_tokens, 1))
    block_bytes = max(_MIN_BLOCK_BYTES, int(chunk_tokens * chars_per_token))
    return block_bytes, max(1, -(-vocab.n_chars // block_bytes))


def _check_count_params(window: int, min_count: int, max_vocab: int | None, memory: float) -> None:
    if window < 1:
        raise ParameterError(f"window must be >= 1, got {window}")
    if min_count < 1:
        raise ParameterError(f"min_count must be >= 1, got {min_count}")
    if max_vocab is not None and max_vocab < 1:
        raise ParameterError(f"max_vocab must be >= 1 (or None for no limit), got {max_vocab}")
    need = minimum_memory_gb(window)
    if not memory >= need:
        raise ParameterError(
            f"memory={memory} GB is too small to count one block of {MIN_CHUNK_TOKENS:,} tokens "
            f"with window={window}; give memory >= {need:.3f}"
        )


def count_cooccurrences(
    tokens_file: PathLike,
    *,
    window: int = 15,
    min_count: int = 5,
    max_vocab: int | None = None,
    symmetric: bool = True,
    memory: float = 4.0,
    progress: ProgressCallback | None = None,
) -> CooccurrenceMatrix:
    """Count the 1/distance-weighted co-occurrences of a tokens file.

    Parameters
    ----------
    tokens_file : path
        UTF-8 text, one document per line, tokens separated by whitespace (``.gz`` etc. too).
    window : int, default=15
        Context words on each side (on the left only when ``symmetric=False``).
    min_count : int, default=5
        Words seen fewer times are dropped before windowing.
    max_vocab : int, optional
        Keep only this many most frequent words.
    symmetric : bool, default=True
        Count contexts on both sides; otherwise ``X[i, j]`` counts ``j`` to the left of ``i``.
    memory : float, default=4.0
        Budget in GB for the counting's temporary arrays (sets the block size).
    progress : callable, optional
        Receives "count" phase events (one step per block, ``total`` = expected blocks).

    Returns
    -------
    CooccurrenceMatrix

    Raises
    ------
    ParameterError
        A bad parameter, or ``memory`` below :func:`minimum_memory_gb`.
    DataError
        The corpus has no tokens or the vocabulary is empty after ``min_count``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_text("a b a\\n")
    >>> m = count_cooccurrences(p, window=2, min_count=1)
    >>> m.words, m.to_dense().tolist()
    (['a', 'b'], [[1.0, 2.0], [2.0, 0.0]])
    """
    _check_count_params(window, min_count, max_vocab, memory)
    path = Path(tokens_file)
    t0 = time.perf_counter()
    vocab = _count_vocabulary(path, min_count=min_count, max_vocab=max_vocab)
    n_words = len(vocab.words)
    logger.info(
        "vocabulary: %d words with min_count=%d from %d tokens (%.1f s)",
        n_words,
        min_count,
        vocab.n_tokens,
        time.perf_counter() - t0,
    )
    block_bytes, total_blocks = _block_plan(vocab, window, memory)
    index = _word_index(vocab.words)
    report(progress, "count", "start", 0, total_blocks, words=n_words)
    left, n_pairs, scale = _count_left(path, index, window=window, memory=memory, block_bytes=block_bytes,
                                       total_blocks=total_blocks, progress=progress)  # fmt: skip
    coo = _symmetric_values(left, symmetric)
    del left  # the symmetric sum replaces it: free it before the final arrays are made
    elapsed = time.perf_counter() - t0
    logger.info(
        "co-occurrences: %d non-zero entries from %d pairs, window=%d, symmetric=%s (%.1f s)",
        coo.nnz,
        n_pairs,
        window,
        symmetric,
        elapsed,
    )
    result = CooccurrenceMatrix(
        rows=coo.row.astype(np.int32, copy=False),
        cols=coo.col.astype(np.int32, copy=False),
        values=_as_weights(coo.data, scale),
        words=vocab.words,
        counts=vocab.counts,
        window=window,
        symmetric=symmetric,
        min_count=min_count,
        max_vocab=max_vocab,
        n_tokens=vocab.n_tokens,
        n_documents=vocab.n_documents,
    )
    report(progress, "count", "end", total_blocks, total_blocks, nnz=result.nnz, seconds=elapsed)
    return result
