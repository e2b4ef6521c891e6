"""GloVe's vocabulary: the tokens file read in decoded blocks, its words counted and selected.

The first step of :mod:`.cooccur` (the Stanford tool's ``vocab_count``), kept apart from the
counting of the co-occurrence matrix; :mod:`.cooccur` re-exports :func:`build_vocabulary`, and
:mod:`.distributed` counts shards of the file with the same helpers.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlptk.errors import DataError, EncodingError
from nlptk.io import check_input_file, open_binary

__all__ = ["build_vocabulary"]

PathLike = str | os.PathLike[str]

_READ_BYTES = 1 << 24


# -- reading the tokens file ----------------------------------------------------------------
def _iter_text_blocks(
    path: Path, block_bytes: int | None = None, start: int = 0, end: int | None = None
) -> Iterator[str]:
    """Decoded blocks of the file (bytes ``start`` to ``end``), each ending at a whitespace byte."""
    block_bytes = block_bytes or _READ_BYTES
    with open_binary(path) as handle:
        if start:
            handle.seek(start)
        offset = start
        carry = b""
        while True:
            size = block_bytes if end is None else min(block_bytes, end - offset - len(carry))
            raw = handle.read(size) if size > 0 else b""
            data = carry + raw
            if not raw:
                if data:
                    yield _decode(data, path, offset)
                return
            cut = max(data.rfind(b"\n"), data.rfind(b" "))
            if cut < 0:  # one giant token so far: keep reading
                carry = data
                continue
            block, carry = data[: cut + 1], data[cut + 1 :]
            yield _decode(block, path, offset)
            offset += len(block)


def _decode(data: bytes, path: Path, offset: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        lineno = data.count(b"\n", 0, exc.start) + 1
        raise EncodingError(
            f"cannot decode byte 0x{data[exc.start : exc.start + 1].hex()} at byte offset "
            f"{offset + exc.start} as utf-8 (line {lineno} of this block)",
            byte_offset=offset + exc.start,
            path=path,
            hint="a tokens file must be UTF-8; re-tokenize the corpus with the right --encoding",
        ) from None


@dataclass
class _VocabularyCount:
    words: list[str]
    counts: np.ndarray
    n_tokens: int
    n_documents: int
    n_chars: int


def build_vocabulary(
    tokens_file: PathLike, *, min_count: int = 5, max_vocab: int | None = None
) -> tuple[list[str], np.ndarray]:
    """Count the words of a tokens file and keep the frequent ones, most frequent first.

    Parameters
    ----------
    tokens_file : path
        UTF-8 text, one document per line, tokens separated by whitespace.
    min_count : int, default=5
        Keep words seen at least this many times.
    max_vocab : int, optional
        Keep at most this many words (the most frequent; ties broken alphabetically).

    Returns
    -------
    words : list of str
    counts : ndarray of shape (len(words),), int64

    Raises
    ------
    DataError
        No token at all, or no word left after ``min_count``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_text("a b a\\nc a b\\n")
    >>> build_vocabulary(p, min_count=2)
    (['a', 'b'], array([3, 2]))
    """
    vocab = _count_vocabulary(Path(tokens_file), min_count=min_count, max_vocab=max_vocab)
    return vocab.words, vocab.counts


def _count_vocabulary(path: Path, *, min_count: int, max_vocab: int | None) -> _VocabularyCount:
    check_input_file(path, what="tokens file")
    counter, n_lines, n_chars = _count_words(path)
    return _select_vocabulary(counter, n_lines, n_chars, path, min_count=min_count, max_vocab=max_vocab)


def _count_words(path: Path, start: int = 0, end: int | None = None) -> tuple[Counter[str], int, int]:
    """Word counts, lines and characters of bytes ``start`` to ``end`` (whole lines) of the file."""
    counter: Counter[str] = Counter()
    n_lines = 0
    n_chars = 0
    last = ""
    for block in _iter_text_blocks(path, start=start, end=end):
        counter.update(block.split())  # C-level counting of a whole block
        n_lines += block.count("\n")
        n_chars += len(block)
        last = block
    if last and not last.endswith("\n"):
        n_lines += 1
    return counter, n_lines, n_chars


def _select_vocabulary(
    counter: Counter[str], n_lines: int, n_chars: int, path: Path, *, min_count: int, max_vocab: int | None
) -> _VocabularyCount:
    n_tokens = sum(counter.values())
    if n_tokens == 0:
        raise DataError("the corpus has no tokens", path=path, hint="give a corpus with text in it")
    kept = sorted(((w, c) for w, c in counter.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))
    if max_vocab is not None:
        kept = kept[:max_vocab]
    if not kept:
        raise DataError(
            f"the vocabulary is empty: none of the {len(counter):,} distinct words of the corpus "
            f"({n_tokens:,} tokens) occurs min_count={min_count} times (the most frequent occurs "
            f"{max(counter.values())} times)",
            path=path,
            hint="lower min_count or give a larger corpus",
        )
    words = [w for w, _ in kept]
    counts = np.fromiter((c for _, c in kept), dtype=np.int64, count=len(kept))
    return _VocabularyCount(words, counts, n_tokens, n_lines, n_chars)
