"""Read a fastText ``.bin`` model safely: check its structure before gensim parses it.

gensim's reader trusts the file: its vocabulary loop reads one byte at a time until a NUL
and, at the end of the file, reads ``b""`` forever, so random bytes named ``.bin`` or a
model cut short made nlptk spin at 100% CPU and never return. :func:`check_fasttext_bin`
walks the same layout (header, dictionary, the two matrices) with every count checked
against the bytes left, then :func:`load_fasttext_bin` hands a file known to be whole to
gensim. The walk reads the dictionary once with ``bytes.find`` and seeks over the
matrices, so it costs a small fraction of gensim's own load.

Layout (fastText's ``FastText::saveModel``; gensim's ``_fasttext_bin`` reads the same)::

    int32 magic, int32 version                     (files before version 11 have neither:
                                                    they start with int32 dim, int32 ws)
    args: int32 x 12 (dim ws epoch minCount neg wordNgrams loss model bucket minn maxn
          lrUpdateRate), float64 t                 (old files: 10 int32 + float64)
    dictionary: int32 size, nwords, nlabels; int64 ntokens; int64 pruneidx_size (new only)
          size x (word bytes, NUL, int64 count, int8 type); pruneidx_size x (int32, int32)
    input matrix: bool quant (new only), int64 rows, int64 cols, rows x cols float32
    output matrix: the same
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import IO

from nlptk.errors import FormatError
from nlptk.io import open_binary

__all__ = ["check_fasttext_bin", "load_fasttext_bin"]

MAGIC = 793712314
_MAX_VERSION = 12
_MAX_DIM = 1 << 16
_MAX_WORD_BYTES = 1 << 16
_CHUNK = 1 << 20
_HINT = "the file is truncated or not a fastText model; for .vec text use format 'fasttext-vec'"


class _Reader:
    """Sequential reads with the offset known; every short read is a :class:`FormatError`."""

    def __init__(self, handle: IO[bytes], path: Path, size: int | None) -> None:
        self.handle, self.path, self.size = handle, path, size
        self.buffer = bytearray()
        self.pos = 0  # next unread byte in buffer
        self.offset = 0  # file offset of buffer[0]

    def error(self, message: str) -> FormatError:
        return FormatError(
            f"not a readable fastText .bin model: {message} (at byte {self.offset + self.pos})",
            path=self.path,
            hint=_HINT,
        )

    def _fill(self, n: int) -> bool:
        if len(self.buffer) - self.pos >= n:
            return True
        del self.buffer[: self.pos]
        self.offset += self.pos
        self.pos = 0
        while len(self.buffer) < n:
            chunk = self.handle.read(max(_CHUNK, n - len(self.buffer)))
            if not chunk:
                return False
            self.buffer += chunk
        return True

    def take(self, n: int, what: str) -> bytes:
        if not self._fill(n):
            raise self.error(f"the file ends inside the {what}")
        data = bytes(self.buffer[self.pos : self.pos + n])
        self.pos += n
        return data

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def word(self, index: int) -> None:
        """Step over one NUL-terminated word."""
        while True:
            end = self.buffer.find(b"\0", self.pos, self.pos + _MAX_WORD_BYTES + 1)
            if end >= 0:
                self.pos = end + 1
                return
            have = len(self.buffer) - self.pos
            if have > _MAX_WORD_BYTES:
                raise self.error(f"word {index + 1} of the vocabulary is longer than {_MAX_WORD_BYTES} bytes")
            if not self._fill(have + 1):
                raise self.error(f"the file ends inside word {index + 1} of the vocabulary")

    def remaining(self) -> int | None:
        """Bytes left in a plain file (None for a compressed stream)."""
        if self.size is None:
            return None
        return self.size - (self.offset + self.pos)

    def skip(self, n: int, what: str) -> None:
        left = self.remaining()
        if left is not None and n > left:
            raise self.error(f"the {what} needs {n} bytes but only {left} are left")
        buffered = len(self.buffer) - self.pos
        if n <= buffered:
            self.pos += n
            return
        n -= buffered
        self.offset += len(self.buffer)
        self.buffer.clear()
        self.pos = 0
        if left is not None:
            self.handle.seek(n, os.SEEK_CUR)
            self.offset += n
            return
        while n > 0:  # a compressed stream: read through
            chunk = self.handle.read(min(n, _CHUNK))
            if not chunk:
                raise self.error(f"the file ends inside the {what}")
            n -= len(chunk)
            self.offset += len(chunk)

    def at_end(self) -> bool:
        return len(self.buffer) == self.pos and not self.handle.read(1)


def _check_matrix(reader: _Reader, what: str, new_format: bool, dim: int, rows: int | None) -> None:
    if new_format:
        (quant,) = reader.unpack("B", f"{what} header")
        if quant == 1:
            raise reader.error(f"the {what} is quantized (a .ftz model), which gensim cannot read")
        if quant != 0:
            raise reader.error(f"the {what}'s quantization flag is {quant}, expected 0 or 1")
    n_rows, n_cols = reader.unpack("2q", f"{what} header")
    if n_cols != dim or n_rows < 0 or (rows is not None and n_rows != rows):
        expected = f"{rows} x {dim}" if rows is not None else f"N x {dim}"
        raise reader.error(f"the {what} is {n_rows} x {n_cols}, expected {expected}")
    reader.skip(n_rows * n_cols * 4, what)


def _check(reader: _Reader) -> None:
    magic, version = reader.unpack("2i", "header")
    new_format = magic == MAGIC
    if new_format:
        if not 0 < version <= _MAX_VERSION:
            raise reader.error(f"version {version}, expected at most {_MAX_VERSION}")
        args = reader.unpack("12id", "header")
        dim, _ws, _epoch, _min_count, _neg, _ngrams, loss, model, bucket, minn, maxn = args[:11]
    else:  # before version 11 the file starts with dim and ws
        args = reader.unpack("10id", "header")
        dim = magic
        _epoch, _min_count, _neg, _ngrams, loss, model, bucket, minn, maxn = args[:9]
    if not 0 < dim <= _MAX_DIM:
        raise reader.error(f"vector size {dim} is out of range (1-{_MAX_DIM})")
    if model not in (1, 2, 3) or loss not in (1, 2, 3, 4):
        raise reader.error(f"model type {model} / loss type {loss} are not fastText's")
    if bucket < 0 or minn < 0 or maxn < 0 or (maxn > 0 and minn > maxn):
        raise reader.error(f"subword settings bucket={bucket}, minn={minn}, maxn={maxn} are invalid")
    size, nwords, nlabels = reader.unpack("3i", "dictionary header")
    (_ntokens,) = reader.unpack("q", "dictionary header")
    prune = reader.unpack("q", "dictionary header")[0] if new_format else 0
    if nwords < 0 or nlabels < 0 or size != nwords + nlabels or prune < -1:
        raise reader.error(f"dictionary counts size={size}, nwords={nwords}, nlabels={nlabels} disagree")
    if nlabels > 0:
        raise FormatError(
            f"a supervised fastText model ({nlabels} labels): its rows are classifier weights, "
            "not word vectors",
            path=reader.path,
            hint="give an unsupervised (skipgram or cbow) model",
        )
    left = reader.remaining()
    if left is not None and size * 10 > left:  # every entry takes at least 10 bytes
        raise reader.error(f"the dictionary has {size} words but only {left} bytes are left")
    for i in range(size):
        reader.word(i)
        _count, kind = reader.unpack("qb", "vocabulary")
        if kind != 0:
            raise reader.error(f"word {i + 1} of the vocabulary has entry type {kind}, expected 0 (a word)")
    reader.skip(max(prune, 0) * 8, "pruned index")
    _check_matrix(reader, "input matrix", new_format, dim, nwords + bucket)
    _check_matrix(reader, "output matrix", new_format, dim, None)
    if not reader.at_end():
        raise reader.error("there are bytes after the output matrix")


def check_fasttext_bin(path: Path) -> None:
    """Check that ``path`` is a whole, unsupervised, unquantized fastText model.

    Raises
    ------
    FormatError
        The file is truncated, has bytes to spare, or its counts disagree; the message
        names the first problem and its byte offset.
    """
    compressed = path.name.endswith((".gz", ".bz2", ".xz"))
    with open_binary(path) as handle:
        reader = _Reader(handle, path, None if compressed else path.stat().st_size)
        try:
            _check(reader)
        except (EOFError, OSError, ValueError) as exc:  # a damaged compressed stream
            if isinstance(exc, FormatError):
                raise
            raise reader.error(f"cannot decompress ({type(exc).__name__}: {exc})") from exc


def load_fasttext_bin(path: Path, what: str = "fastText .bin model"):  # -> gensim FastTextKeyedVectors
    """Check ``path`` with :func:`check_fasttext_bin`, then load its vectors with gensim."""
    from gensim.models.fasttext import load_facebook_vectors

    check_fasttext_bin(path)
    try:
        return load_facebook_vectors(str(path))
    except Exception as exc:  # gensim raises struct.error, ValueError, AssertionError...
        raise FormatError(
            f"cannot read as a {what} ({type(exc).__name__}: {exc})", path=path, hint=_HINT
        ) from exc
