"""Fast, exact text formatting of float matrices for ``vectors.tsv``.

:func:`write_matrix_tsv` writes a matrix as tab-separated rows, byte-identical to
``numpy.savetxt(fh, matrix, fmt="%.6g", delimiter="\\t")``, but several times faster:
instead of one Python ``%`` formatting call per row, each block of rows is formatted with
whole-array NumPy operations.

How: each float becomes a 6-digit decimal mantissa ``m`` and an exponent ``e`` (exact for
float32 input: scaling by a power of ten is exact over the range that matters, and rounding
is half-to-even, as ``%g`` does). The digits of ``m`` (with and without trailing zeros) come
from a lookup table of the 900,000 possible mantissas, packed eight characters to a 64-bit
word, so building a cell is a few integer shifts. Each cell is laid out in a fixed 16-byte
record where unused bytes are NUL; dropping the NUL bytes leaves the final text. Most
embedding values (``1e-4 <= |x| < 1``) share one layout, built for every cell with dense
array operations; the few other cells are patched. Blocks of 65,536 values (their
temporaries stay in the CPU cache) are formatted in order; a thread pool is available
(``threads=``) but one thread is the default.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO

import numpy as np

from nlptk.errors import DataError

__all__ = ["DEFAULT_THREADS", "format_matrix_block", "iter_matrix_tsv", "write_matrix_tsv"]

_U = np.uint64
_POW10 = np.array([float(f"1e{i}") for i in range(-400, 401)])
_POW_OFFSET = 400
_LEAD_ZEROS = np.array([0, 0x30, 0x3030, 0x303030], dtype=np.uint64)  # "", "0", "00", "000"
_CELLS_PER_BLOCK = 1 << 16  # 512 KB arrays stay in cache: 1.4x faster than 1M-value blocks

DEFAULT_THREADS = 1
"""Threads formatting blocks when none are given (read at call time). One by default: NumPy
releases the GIL, but on a busy machine two threads handing the GIL back and forth between
many short operations ran 3x slower than one (see scripts/bench/export_projector.py)."""


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Digits of every 6-digit mantissa (full and without trailing zeros), their significant
    digit counts, and the exponent suffixes ``e+XX``/``e-XX``, as packed little-endian words."""
    d = np.arange(1000)
    chars = np.stack([d // 100, d // 10 % 10, d % 10], axis=1).astype(np.uint64) + _U(48)
    full3 = chars[:, 0] | (chars[:, 1] << _U(8)) | (chars[:, 2] << _U(16))  # "007" for 7
    sig3 = np.where(d == 0, 0, np.where(d % 100 == 0, 1, np.where(d % 10 == 0, 2, 3)))
    strip3 = full3 & ((_U(1) << (_U(8) * sig3.astype(np.uint64))) - _U(1))  # "7" for 700
    m = np.arange(100_000, 1_000_000)
    high, low = np.divmod(m, 1000)
    full = full3[high] | (full3[low] << _U(24))
    stripped = np.where(low == 0, strip3[high], full3[high] | (strip3[low] << _U(24)))
    nsig = np.where(low == 0, sig3[high], 3 + sig3[low]).astype(np.uint8)
    exps = np.arange(-99, 100)
    mag = np.abs(exps)
    suffix = (
        _U(ord("e"))
        | (np.where(exps < 0, ord("-"), ord("+")).astype(np.uint64) << _U(8))
        | ((mag // 10 + 48).astype(np.uint64) << _U(16))
        | ((mag % 10 + 48).astype(np.uint64) << _U(24))
    )
    return full, stripped, nsig, suffix


def _low_bytes(nbytes: np.ndarray) -> np.ndarray:
    """A mask of the lowest ``nbytes`` bytes of a 64-bit word (``nbytes`` in 1..7)."""
    return (_U(1) << (_U(8) * nbytes)) - _U(1)


def format_matrix_block(block: np.ndarray) -> bytes:
    """Format a 2-D block as ``%.6g`` values, tab-separated, one line per row.

    Parameters
    ----------
    block : ndarray of shape (rows, dim)
        Finite float values (float32 in practice).

    Returns
    -------
    bytes
        The same bytes ``numpy.savetxt(fh, block, fmt="%.6g", delimiter="\\t")`` writes.

    Raises
    ------
    DataError
        The block holds NaN or infinite values.

    Examples
    --------
    >>> format_matrix_block(np.array([[0.5, -1e-05, 1234567.0]], dtype=np.float32))
    b'0.5\\t-1e-05\\t1.23457e+06\\n'
    """
    strip_table = _tables()[1]
    rows, dim = block.shape
    if block.size == 0:
        return b""
    if not np.isfinite(block).all():
        bad = int(np.flatnonzero(~np.isfinite(np.asarray(block).ravel()))[0])
        raise DataError(
            f"row {bad // dim + 1} (of this block) holds a NaN or infinite value",
            hint="the Projector cannot show such vectors; remove or fix those rows",
        )
    x = np.asarray(block, dtype=np.float64).ravel()
    n = x.size
    negative = np.signbit(x)
    a = np.abs(x)
    zero = a == 0
    a[zero] = 1.0
    # decimal exponent from the binary one: floor(b * log10(2)) is exact as (b * 78913) >> 18
    # for |b| < 1650, and is at most one too small for floor(log10(a)); fix that case
    binary_exp = (a.view(np.int64) >> 52) - 1023
    e = ((binary_exp * 78913) >> 18).astype(np.int32)
    e += a >= _POW10[e + 1 + _POW_OFFSET]
    m = np.rint(a * _POW10[5 - e + _POW_OFFSET]).astype(np.int32)  # 6 significant digits, half-even
    carry = m >= 1_000_000  # 999999.5 rounds up to 1e6: one more digit of exponent
    if carry.any():
        m[carry] = 100_000
        e[carry] += 1
    digits = strip_table[m - 100_000]
    # every cell in the "0.000ddd" layout (1e-4 <= |x| < 1: most embedding values), without
    # gathers or scatters; the other cells are patched below
    lead = np.clip(-1 - e, 0, 3)
    word0 = _LEAD_ZEROS[lead] << _U(24)  # bytes 0-7 of each cell's record
    word0 |= _U(0x2E30 << 8)  # "0." after the sign byte
    word0 |= (digits & _U(0xFFFF)) << _U(48)
    word0 |= negative.astype(np.uint64) * _U(ord("-"))
    word1 = digits >> _U(16)  # bytes 8-15
    word1 |= _U(ord("\t") << 56)
    others = np.flatnonzero((e >= 0) | (e < -4) | zero)
    if others.size:
        word0[others], word1[others] = _other_layouts(
            e[others], m[others] - 100_000, zero[others], negative[others]
        )
    word1.reshape(rows, dim)[:, -1] ^= _U((ord("\t") ^ ord("\n")) << 56)
    records = np.empty((n, 2), dtype=np.uint64)
    records[:, 0] = word0
    records[:, 1] = word1
    flat = records.view(np.uint8).ravel()
    return flat[flat != 0].tobytes()


def _other_layouts(
    e: np.ndarray, k: np.ndarray, zero: np.ndarray, negative: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Records of the cells that are not "0.000ddd": "123.45", "1.2345e-05" and "0"."""
    full_table, strip_table, nsig_table, suffix_table = _tables()
    word0 = np.zeros(e.size, dtype=np.uint64)
    word1 = np.full(e.size, _U(ord("\t") << 56), dtype=np.uint64)
    scientific = ((e < -4) | (e >= 6)) & ~zero
    plain = ~scientific & ~zero
    rows_ = np.flatnonzero(plain)  # 1 <= |x| < 1e6; byte 0 is kept for the sign
    if rows_.size:
        kk = k[rows_]
        int_digits = e[rows_].astype(np.uint64) + _U(1)
        keep_int = _low_bytes(int_digits)
        digits = strip_table[kk] | (full_table[kk] & keep_int)  # integer digits keep their zeros
        dot = np.where(nsig_table[kk].astype(np.uint64) > int_digits, _U(ord(".")), _U(0))
        word0[rows_] = (
            (digits & keep_int)
            | (dot << (_U(8) * int_digits))
            | ((digits >> (_U(8) * int_digits)) << (_U(8) * (int_digits + _U(1))))
        ) << _U(8)
    rows_ = np.flatnonzero(scientific)
    if rows_.size:
        kk = k[rows_]
        digits = strip_table[kk]
        dot = np.where(nsig_table[kk] > 1, _U(ord(".")), _U(0))
        word0[rows_] = ((digits & _U(0xFF)) << _U(8)) | (dot << _U(16)) | ((digits >> _U(8)) << _U(24))
        word1[rows_] |= suffix_table[e[rows_] + 99]
    word0[zero] = _U(ord("0") << 8)
    word0 |= negative.astype(np.uint64) * _U(ord("-"))
    return word0, word1


def iter_matrix_tsv(matrix: np.ndarray, *, threads: int | None = None) -> Iterator[bytes]:
    """Yield the TSV text of ``matrix`` in blocks of 65,536 values, in order."""
    if threads is None:
        threads = DEFAULT_THREADS
    rows, dim = matrix.shape
    step = max(1, _CELLS_PER_BLOCK // max(dim, 1))
    starts = range(0, rows, step)
    if threads <= 1 or rows <= step:
        for start in starts:
            yield format_matrix_block(np.asarray(matrix[start : start + step]))
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending = []
        for start in starts:
            pending.append(pool.submit(format_matrix_block, np.asarray(matrix[start : start + step])))
            if len(pending) > threads:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def write_matrix_tsv(matrix: np.ndarray, handle: IO[bytes], *, threads: int | None = None) -> int:
    """Write ``matrix`` to a binary file handle as tab-separated ``%.6g`` rows; return bytes written.

    Examples
    --------
    >>> import io
    >>> buf = io.BytesIO()
    >>> write_matrix_tsv(np.eye(2, dtype=np.float32), buf)
    8
    >>> buf.getvalue()
    b'1\\t0\\n0\\t1\\n'
    """
    if matrix.ndim != 2:
        raise DataError(f"expected a 2-d matrix, got shape {matrix.shape}")
    written = 0
    for chunk in iter_matrix_tsv(matrix, threads=threads):
        handle.write(chunk)
        written += len(chunk)
    return written
