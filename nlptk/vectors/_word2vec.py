"""Readers and writers for the word2vec family of files: text with a header (word2vec,
fastText ``.vec``), text without one (GloVe), and word2vec binary.

All word2vec-format parsing goes through this module (gensim's rule, kept here).

Why not gensim's ``load_word2vec_format``: it converts every value with a Python call
(``np.float32(x).item()``), about 0.5 µs a value. Here the file is read in large blocks;
each line is split once at its first space (the word), and the numeric parts of a whole
block go to :func:`numpy.loadtxt`, whose C parser converts them in bulk (about 10x faster
on 400,000 x 300, see ``scripts/bench/load_vectors.py``). Validation costs nothing on good
files: ``loadtxt`` raises on rows of different lengths and on non-numbers, and the result's
shape is checked against the expected dimension. Only when a block fails is it rescanned
line by line in Python to name the first bad line and say what is wrong with it.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from nlptk.errors import EncodingError, FormatError, InputFileError, ParameterError
from nlptk.io import check_encoding, is_compressed, open_binary

__all__ = [
    "parse_header",
    "read_text_vectors",
    "read_word2vec_binary",
    "write_text_vectors",
    "write_word2vec_binary",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

BLOCK_BYTES = 1 << 22  # 4 MiB of text per bulk conversion (larger blocks: more memory, no faster)
_MAX_WORD_BYTES = 10_000
_BOM = b"\xef\xbb\xbf"


def parse_header(line: bytes) -> tuple[int, int] | None:
    """``b"400000 300\\n"`` -> ``(400000, 300)``; None when the line is not two integers."""
    parts = line.split()
    if len(parts) != 2:
        return None
    try:
        return int(parts[0]), int(parts[1])
    except ValueError:
        return None


def _is_number(token: bytes) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _show(token: bytes, encoding: str) -> str:
    text = token.decode(encoding, "replace")
    return repr(text if len(text) <= 30 else text[:27] + "...")


def _iter_blocks(handle: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """Yield ``(byte_offset, block)`` where each block holds whole lines ending in ``\\n``."""
    pending = b""
    offset = 0
    while True:
        data = handle.read(BLOCK_BYTES)
        if not data:
            if pending:
                yield offset, pending + b"\n"
            return
        if pending:
            data = pending + data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            pending = data
            continue
        block, pending = data[:cut], data[cut:]
        yield offset, block
        offset += len(block)


class _TextReader:
    """State of one text vectors read: expected dimension, rows so far, where we are."""

    def __init__(self, path: Path, *, header: bool, limit: int | None, encoding: str) -> None:
        self.path = path
        self.header = header
        self.limit = limit
        self.encoding = encoding
        self.n_header: int | None = None
        self.dim: int | None = None
        self.dim_source = ""
        self.words: list[str] = []
        self.parts: list[np.ndarray] = []
        self.matrix: np.ndarray | None = None
        self.rows = 0
        self.first_data_line = 2 if header else 1
        self.reached_header_count = False

    # -- errors ------------------------------------------------------------------------
    def _error(self, message: str, line: int, hint: str | None = None) -> FormatError:
        return FormatError(message, path=self.path, line=line, hint=hint)

    def _diagnose(self, lines: list[bytes], first_line: int) -> np.ndarray:
        """Find and raise the first bad line; if none is bad, parse the block slowly."""
        dim = self.dim
        assert dim is not None
        rows = []
        for i, raw in enumerate(lines):
            lineno = first_line + i
            line = raw.rstrip(b"\r")
            if not line.strip():
                raise self._error(
                    "is empty", lineno, "remove blank lines; every line must be a word and its values"
                )
            word, _, rest = line.partition(b" ")
            if not word:
                raise self._error("starts with a space, so the word is missing", lineno)
            tokens = rest.split()
            bad = next((j for j, tok in enumerate(tokens) if not _is_number(tok)), None)
            if bad is not None:
                extra = len(tokens) - dim
                if extra > 0 and bad < extra and all(_is_number(t) for t in tokens[extra:]):
                    words = b" ".join([word, *tokens[:extra]])
                    raise self._error(
                        f"the word {_show(words, self.encoding)} contains a space; this format "
                        "splits words from values at the first space",
                        lineno,
                        "replace the spaces inside words (for example by '_')",
                    )
                raise self._error(
                    f"value {bad + 1} ({_show(tokens[bad], self.encoding)}) is not a number",
                    lineno,
                    self._binary_hint(lines),
                )
            if len(tokens) != dim:
                raise self._error(f"has {len(tokens)} values, expected {dim} ({self.dim_source})", lineno)
            rows.append([float(t) for t in tokens])
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), dim)

    def _binary_hint(self, lines: list[bytes]) -> str | None:
        sample = b"\n".join(lines[:20])[:4096]
        controls = sum(1 for b in sample if b < 9 or 13 < b < 32 or b == 127)
        if controls:
            return "this looks like binary data; if it is a word2vec binary file use format 'word2vec-binary'"
        return None

    def _decode_words(
        self, words: list[bytes], lines: list[bytes], first_line: int, offset: int
    ) -> list[str]:
        joined = b"\n".join(words)
        try:
            return joined.decode(self.encoding).split("\n")
        except UnicodeDecodeError as exc:
            index = joined.count(b"\n", 0, exc.start)
            in_word = exc.start - (joined.rfind(b"\n", 0, exc.start) + 1)
            byte_offset = offset + sum(len(line) + 1 for line in lines[:index]) + in_word
            bad = exc.object[exc.start : exc.start + 1]
            raise EncodingError(
                f"cannot decode byte 0x{bad.hex()} at byte offset {byte_offset} as {self.encoding}",
                byte_offset=byte_offset,
                path=self.path,
                line=first_line + index,
                hint="pass the file's encoding (for example --encoding latin-1), "
                "or check that this is a text vectors file",
            ) from None

    def _check_blank(self, lines: list[bytes], first_line: int) -> None:
        """Lines after the header's word count must be blank."""
        for i, line in enumerate(lines):
            if line.strip():
                raise self._error(
                    f"is beyond the {self.n_header} words the header announces",
                    first_line + i,
                    "fix the header's word count",
                )

    # -- parsing -----------------------------------------------------------------------
    def _start(self, block: bytes) -> bytes:
        """Read the header or infer the dimension from the first line; return the rest."""
        if b"\x00" in block[:65536]:
            raise FormatError(
                "contains NUL bytes: this is binary data, not a text vectors file",
                path=self.path,
                hint="give the right format (word2vec-binary, fasttext-bin) or check the file",
            )
        sample = block[:4096]
        controls = sample.translate(None, bytes(range(32, 256)) + b"\t\n\r\x0b\x0c")
        if len(controls) > max(2, len(sample) // 100):  # a stray control byte in a word is allowed
            raise FormatError(
                "contains control bytes: this is binary data, not a text vectors file",
                path=self.path,
                hint="give the right format (word2vec-binary, fasttext-bin) or check the file",
            )
        if block.startswith(_BOM):
            block = block[len(_BOM) :]
        first, _, rest = block.partition(b"\n")
        if self.header:
            parsed = parse_header(first)
            if parsed is None or parsed[0] < 0 or parsed[1] < 1:
                raise self._error(
                    f"expected a header 'N_WORDS DIM', got {_show(first.strip(), self.encoding)}",
                    1,
                    "for files without a header (GloVe) use format 'glove'",
                )
            self.n_header, self.dim = parsed
            self.dim_source = f"the header says dim={self.dim}"
            return rest
        word, _, values = first.rstrip(b"\r").partition(b" ")
        tokens = values.split()
        if not tokens:
            raise self._error(
                f"has no values after the word {_show(word, self.encoding)}",
                1,
                "each line must be a word and its numbers separated by spaces; is this a text vectors file?",
            )
        if parse_header(first) is not None:
            raise self._error(
                f"looks like a word2vec header ({_show(first.strip(), self.encoding)}), not a vector",
                1,
                "use format 'word2vec' for files with a header",
            )
        leading = next((i for i, tok in enumerate(tokens) if _is_number(tok)), len(tokens))
        if 0 < leading < len(tokens) and all(_is_number(t) for t in tokens[leading:]):
            words = b" ".join([word, *tokens[:leading]])
            raise self._error(
                f"the word {_show(words, self.encoding)} contains a space; this format "
                "splits words from values at the first space",
                1,
                "replace the spaces inside words (for example by '_')",
            )
        self.dim = len(tokens)
        self.dim_source = f"line 1 has {self.dim}"
        return block

    def _allocate(self, size_hint: int | None) -> None:
        """Preallocate the matrix when the header's word count is plausible for the file size."""
        if self.n_header is None or self.dim is None:
            return
        rows = self.n_header if self.limit is None else min(self.n_header, self.limit)
        if size_hint is not None and rows * (self.dim + 1) * 2 > size_hint:
            return  # not plausible (compressed, or a wrong header): grow from blocks instead
        self.matrix = np.empty((rows, self.dim), dtype=np.float32)

    def _add_block(self, block: bytes, offset: int, first_line: int) -> bool:
        """Parse one block of whole lines; return False once ``limit`` rows are read."""
        lines = block.split(b"\n")
        lines.pop()  # the block ends with "\n"
        by_limit = None if self.limit is None else self.limit - self.rows
        by_header = None if self.n_header is None else self.n_header - self.rows
        stop = False
        if by_header is not None and (by_limit is None or by_header < by_limit) and len(lines) >= by_header:
            self._check_blank(lines[by_header:], first_line + by_header)
            lines = lines[:by_header]
            self.reached_header_count = True
            stop = True
        elif by_limit is not None and len(lines) >= by_limit:
            lines = lines[:by_limit]
            stop = True
        if not lines:
            return not stop
        words: list[bytes] = []
        rests: list[bytes] = []
        add_word, add_rest = words.append, rests.append
        for line in lines:
            word, _, rest = line.partition(b" ")
            add_word(word)
            add_rest(rest)
        values: np.ndarray | None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                values = np.loadtxt(rests, dtype=np.float32, comments=None, ndmin=2)
        except ValueError:
            values = None
        if values is None or values.shape != (len(lines), self.dim) or b"" in words:
            values = self._diagnose(lines, first_line)
        self.words.extend(self._decode_words(words, lines, first_line, offset))
        if self.matrix is not None:
            self.matrix[self.rows : self.rows + len(values)] = values
        else:
            self.parts.append(values)
        self.rows += len(values)
        return not stop

    def read(self, handle: IO[bytes], size_hint: int | None) -> tuple[list[str], np.ndarray]:
        line = 1
        started = done = False
        for offset, block in _iter_blocks(handle):
            start_line = line
            line += block.count(b"\n")
            if done:  # only the header's word count was reached: the rest must be blank
                self._check_blank(block.split(b"\n"), start_line)
                continue
            if not started:
                started = True
                before = len(block)
                block = self._start(block)
                start_line += 1 if self.header else 0
                offset += before - len(block)
                self._allocate(size_hint)
                if not block:
                    continue
            if not self._add_block(block, offset, start_line):
                if not self.reached_header_count:
                    break
                done = True
        if not started:
            raise InputFileError("input file is empty", path=self.path, hint="give a file with content")
        if (
            self.n_header is not None
            and self.rows < self.n_header
            and (self.limit is None or self.rows < self.limit)
        ):
            raise self._error(
                f"the header says {self.n_header} words but the file has {self.rows} rows",
                1,
                "fix the header's word count, or the file is truncated",
            )
        if self.dim is None:
            raise self._error("has no vectors", 1)
        if self.matrix is not None:
            matrix = self.matrix[: self.rows]
        elif len(self.parts) == 1:
            matrix = self.parts[0]
        elif self.parts:
            matrix = np.concatenate(self.parts)
        else:
            matrix = np.empty((0, self.dim), dtype=np.float32)
        return self.words, matrix


def read_text_vectors(
    path: PathLike, *, header: bool, limit: int | None = None, encoding: str = "utf-8"
) -> tuple[list[str], np.ndarray, int]:
    """Read a word2vec text file (``header=True``) or a GloVe file (``header=False``).

    Returns
    -------
    words : list of str
    matrix : ndarray of shape (n_words, dim), float32
    first_data_line : int
        1-based line number of the first vector (for messages about duplicates).

    Raises
    ------
    InputFileError, EncodingError, FormatError
        Missing or empty file; undecodable word; any malformed line (with its number).
    """
    check_encoding(encoding)
    p = Path(path)
    reader = _TextReader(p, header=header, limit=limit, encoding=encoding)
    compressed = is_compressed(p)
    with open_binary(p) as handle:
        size_hint = None if compressed else p.stat().st_size
        words, matrix = reader.read(handle, size_hint)
    return words, matrix, reader.first_data_line


def read_word2vec_binary(
    path: PathLike, *, limit: int | None = None, encoding: str = "utf-8"
) -> tuple[list[str], np.ndarray]:
    """Read a word2vec binary file: a text header ``N DIM``, then ``word<space><DIM float32>`` records.

    A newline after each record (the C tool writes one) is accepted.

    Raises
    ------
    FormatError
        Bad header, a record without a word, a truncated file, data after the last record.
    """
    check_encoding(encoding)
    p = Path(path)
    with open_binary(p) as handle:
        first = handle.readline(1024)
        parsed = parse_header(first)
        if parsed is None or parsed[0] < 0 or parsed[1] < 1:
            raise FormatError(
                f"expected a header 'N_WORDS DIM', got {_show(first.strip()[:40], encoding)}",
                path=p,
                line=1,
                hint="this is not a word2vec binary file; check the format",
            )
        n_words, dim = parsed
        rows = n_words if limit is None else min(n_words, limit)
        record = dim * 4
        compressed = is_compressed(p)
        if not compressed and rows * record > p.stat().st_size:
            raise FormatError(
                f"the header says {n_words} words of dim {dim} ({n_words * record:,} bytes of vectors) "
                f"but the file has {p.stat().st_size:,} bytes",
                path=p,
                line=1,
                hint="the file is truncated or the header is wrong",
            )
        matrix = np.empty((rows, dim), dtype=np.float32)
        raw_words: list[bytes] = []
        starts: list[int] = []
        buf = b""
        pos = 0
        base = len(first)  # file offset of buf[0]
        i = 0
        while i < rows:
            space = buf.find(b" ", pos)
            if space < 0 or len(buf) - space - 1 < record:
                more = handle.read(BLOCK_BYTES)
                if not more:
                    raise FormatError(
                        f"the file ends inside word {i + 1} of {n_words} "
                        f"(the header says {n_words} words of dim {dim}, {record} bytes each)",
                        path=p,
                        hint="the file is truncated; write or download it again",
                    )
                base += pos
                buf = buf[pos:] + more
                pos = 0
                continue
            if space - pos > _MAX_WORD_BYTES:
                raise FormatError(
                    f"word {i + 1} at byte offset {base + pos} has no space within {_MAX_WORD_BYTES} bytes",
                    path=p,
                    hint="the header's dim may be wrong, or this is not a word2vec binary file",
                )
            word = buf[pos:space].lstrip(b"\n")
            if not word:
                raise FormatError(f"word {i + 1} at byte offset {base + pos} is empty", path=p)
            raw_words.append(word)
            starts.append(base + pos)
            matrix[i] = np.frombuffer(buf, dtype="<f4", count=dim, offset=space + 1)
            pos = space + 1 + record
            i += 1
        if limit is None or limit >= n_words:
            rest = buf[pos:] + handle.read(1 << 20)
            if rest.strip():
                raise FormatError(
                    f"has data after the {n_words} words the header announces (byte offset {base + pos})",
                    path=p,
                    hint="fix the header's word count",
                )
    words = []
    for i, word in enumerate(raw_words):
        try:
            words.append(word.decode(encoding))
        except UnicodeDecodeError as exc:
            offset = starts[i] + exc.start + (len(word) - len(word.lstrip(b"\n")))
            raise EncodingError(
                f"cannot decode word {i + 1} as {encoding} (byte offset {offset})",
                byte_offset=offset,
                path=p,
                hint="pass the file's encoding (for example --encoding latin-1)",
            ) from None
    return words, matrix


def _check_writable_words(words: list[str], fmt: str) -> None:
    for word in words:
        if not word or " " in word or "\n" in word or "\r" in word:
            raise ParameterError(
                f"cannot write the word {word!r} in {fmt} format: words must be non-empty and "
                "contain no spaces or line breaks there",
                hint="save in the native format, which keeps any word",
            )


def _format_rows(rows: np.ndarray, precision: int | None) -> list[str]:
    if precision is None:  # shortest text that reads back to the same float32
        return [" ".join(map(str, row)) for row in rows]
    template = " ".join([f"%.{precision}g"] * rows.shape[1])
    return [template % tuple(row) for row in rows.tolist()]


def write_text_vectors(
    handle: IO[bytes],
    words: list[str],
    vectors: np.ndarray,
    *,
    header: bool,
    precision: int | None = None,
    fmt: str = "word2vec",
) -> None:
    """Write word2vec text (``header=True``) or GloVe text to an open binary handle."""
    _check_writable_words(words, fmt)
    if header:
        handle.write(f"{len(words)} {vectors.shape[1]}\n".encode())
    step = 10_000
    for start in range(0, len(words), step):
        rows = np.asarray(vectors[start : start + step], dtype=np.float32)
        texts = _format_rows(rows, precision)
        chunk = "".join(f"{w} {t}\n" for w, t in zip(words[start : start + step], texts, strict=True))
        handle.write(chunk.encode("utf-8"))


def write_word2vec_binary(handle: IO[bytes], words: list[str], vectors: np.ndarray) -> None:
    """Write word2vec binary (as the C tool does: a newline after each record)."""
    _check_writable_words(words, "word2vec-binary")
    handle.write(f"{len(words)} {vectors.shape[1]}\n".encode())
    step = 10_000
    for start in range(0, len(words), step):
        rows = np.asarray(vectors[start : start + step], dtype="<f4")
        handle.write(
            b"".join(
                w.encode("utf-8") + b" " + row.tobytes() + b"\n"
                for w, row in zip(words[start : start + step], rows, strict=True)
            )
        )
