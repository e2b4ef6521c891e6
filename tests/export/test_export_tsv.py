"""The vectorised TSV writer: byte-identical to numpy.savetxt(fmt="%.6g")."""

from __future__ import annotations

import io

import numpy as np
import pytest

from nlptk.errors import DataError
from nlptk.export.tsv import format_matrix_block, write_matrix_tsv


def _savetxt(matrix: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savetxt(buf, matrix, fmt="%.6g", delimiter="\t")
    return buf.getvalue()


def test_identical_to_savetxt_over_the_whole_float32_range():
    rng = np.random.default_rng(7)
    magnitude = 10.0 ** rng.uniform(-45, 38.5, size=(400, 50))
    matrix = (rng.choice([-1.0, 1.0], size=magnitude.shape) * magnitude).astype(np.float32)
    matrix[rng.random(matrix.shape) < 0.02] = 0.0
    assert np.isfinite(matrix).all()
    assert format_matrix_block(matrix) == _savetxt(matrix)


@pytest.mark.parametrize(
    "value",
    [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        1e-4,
        9.999995e-5,
        1e-5,
        123456.0,
        999999.5,
        1e6,
        1234567.0,
        12345.25,
        0.1,
        0.3,
        100.0,
        2.5e-38,
        1.4e-45,
        3.4028235e38,
        99999.95,
        0.000123456,
    ],
)
def test_edge_values(value):
    matrix = np.array([[value, -value, 1.0]], dtype=np.float32)
    assert format_matrix_block(matrix) == _savetxt(matrix)


def test_typical_embeddings_and_rounding_ties_in_several_blocks_and_threads(monkeypatch):
    monkeypatch.setattr("nlptk.export.tsv._CELLS_PER_BLOCK", 5000)  # many blocks, kept in order
    rng = np.random.default_rng(0)
    matrix = (rng.normal(size=(3000, 37)) * 0.3).astype(np.float32)
    ties = rng.integers(-2_000_000, 2_000_000, size=(500, 37)) / rng.choice(
        [1, 2, 4, 8, 16, 100], size=(500, 37)
    )
    matrix = np.vstack([matrix, ties.astype(np.float32)])
    expected = _savetxt(matrix)
    for threads in (1, 2):
        buf = io.BytesIO()
        written = write_matrix_tsv(matrix, buf, threads=threads)
        assert buf.getvalue() == expected and written == len(expected)


def test_non_finite_values_are_refused():
    with pytest.raises(DataError, match="NaN or infinite"):
        format_matrix_block(np.array([[1.0, np.inf]], dtype=np.float32))
    assert format_matrix_block(np.zeros((0, 3), dtype=np.float32)) == b""
