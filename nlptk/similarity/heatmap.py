"""A heat map of a similarity matrix (matplotlib, Agg backend, written atomically)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlptk.errors import ParameterError
from nlptk.export._figure import save_figure

__all__ = ["plot_similarity_heatmap"]

_MAX_TICK_LABELS = 40


def plot_similarity_heatmap(
    scores: np.ndarray,
    path: str | os.PathLike[str],
    *,
    labels: Sequence[str] | None = None,
    title: str | None = "Text similarity",
    force: bool = False,
) -> Path:
    """Write a PNG heat map of a square similarity matrix.

    Parameters
    ----------
    scores : ndarray of shape (n, n)
        Similarities; ``nan`` cells (texts without a vector) are drawn grey.
    path : str or path
        The PNG to write.
    labels : sequence of str, optional
        Tick labels (shown when there are at most 40 texts); default ``1..n``.
    title : str or None, default="Text similarity"
    force : bool, default=False
        Replace an existing file.

    Returns
    -------
    Path

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "m.png"
    >>> plot_similarity_heatmap(np.eye(3), out).exists()
    True
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 2 or scores.shape[0] != scores.shape[1]:
        raise ParameterError(f"expected a square matrix, got shape {scores.shape}")
    n = scores.shape[0]
    labels = [str(i + 1) for i in range(n)] if labels is None else [str(x) for x in labels]
    if len(labels) != n:
        raise ParameterError(f"{len(labels)} labels for a {n} x {n} matrix")

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    size = min(12.0, max(4.0, 0.3 * n + 2.5))
    fig = Figure(figsize=(size + 1.0, size))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    cmap = _cmap()
    image = ax.imshow(np.ma.masked_invalid(scores), cmap=cmap, vmin=-1.0, vmax=1.0, interpolation="nearest")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="cosine similarity")
    if n <= _MAX_TICK_LABELS:
        short = [lab if len(lab) <= 24 else lab[:23] + "…" for lab in labels]
        ax.set_xticks(range(n), short, rotation=90, fontsize=8)
        ax.set_yticks(range(n), short, fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return save_figure(fig, path, force=force, dpi=100)


def _cmap():  # type: ignore[no-untyped-def]
    from matplotlib import colormaps

    return colormaps["RdBu_r"].with_extremes(bad="lightgrey")
