"""The topics figure: a grid with one panel per topic, its top words as bars of their weights."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from nlptk.errors import ParameterError
from nlptk.export._figure import pyplot, save_figure
from nlptk.io import check_output

__all__ = ["plot_topics"]

PathLike = str | os.PathLike[str]

_MAX_DEFAULT_TOPICS = 50


def plot_topics(
    model: Any,
    path: PathLike,
    *,
    top_n: int = 10,
    n_topics: int | None = None,
    columns: int = 5,
    force: bool = False,
) -> Path:
    """Draw each topic's ``top_n`` words with their weights, one panel per topic.

    Parameters
    ----------
    model : LSA or LDA
        A fitted model (LDA weights are probabilities; LSA weights are SVD loadings).
    path : str or PathLike
        The image; its format comes from the suffix (``.png``, ``.svg``, ``.pdf``).
    top_n : int, default=10
    n_topics : int, optional
        Only the first ``n_topics`` topics (default: all, at most 50).
    columns : int, default=5
        Panels per row.
    force : bool, default=False
        Replace an existing file.

    Examples
    --------
    >>> plot_topics(LDA.load("lee-lda/"), "topics.png", top_n=8)  # doctest: +SKIP
    """
    if n_topics is not None and n_topics < 1:
        raise ParameterError(f"n_topics must be >= 1, got {n_topics}")
    if columns < 1:
        raise ParameterError(f"columns must be >= 1, got {columns}")
    check_output(path, force=force)
    topics = model.topics(top_n=top_n)
    topics = topics[: n_topics if n_topics is not None else _MAX_DEFAULT_TOPICS]
    kind = "probability" if type(model).__name__ == "LDA" else "weight"
    cols = min(columns, len(topics))
    rows = math.ceil(len(topics) / cols)
    plt = pyplot()
    fig, axes = plt.subplots(
        rows, cols, figsize=(2.8 * cols, 0.28 * len(topics[0]) * rows + 0.6 * rows), squeeze=False
    )
    for index, ax in enumerate(axes.flat):
        if index >= len(topics):
            ax.axis("off")
            continue
        words = [w for w, _ in topics[index]][::-1]
        weights = [v for _, v in topics[index]][::-1]
        ax.barh(range(len(words)), weights, color="tab:blue")
        ax.set_yticks(range(len(words)), labels=words, fontsize=8)
        ax.set_title(f"topic {index}", fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlabel(kind, fontsize=7)
    fig.suptitle(f"{type(model).__name__}: top {len(topics[0])} words of {len(topics)} topics", fontsize=11)
    fig.tight_layout()
    return save_figure(fig, path, force=force)
