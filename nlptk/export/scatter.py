"""Labelled 2-D scatter plots of vectors: PCA or t-SNE, labels placed to overlap little.

* :func:`project_2d` - scikit-learn PCA or t-SNE to two dimensions;
* :func:`nudge_labels` - greedy label placement (adjustText-like, no dependency);
* :func:`plot_embedding` - a matrix and its labels, coloured by a category or a number;
* :func:`plot_vectors` - the same from vectors (a path, an LSA model, or :class:`Vectors`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from nlptk.errors import DataError, ParameterError
from nlptk.export._figure import pyplot as _pyplot
from nlptk.export._figure import save_figure as _save_figure
from nlptk.io import check_output
from nlptk.params import renamed_keyword

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["PlotResult", "nudge_labels", "plot_embedding", "plot_vectors", "project_2d"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class PlotResult:
    """What :func:`plot_vectors` drew: the file, the number of points, words left out."""

    path: Path
    n_points: int
    missing_words: list[str] = field(default_factory=list)


# -- 2-D projection and labels ------------------------------------------------------------
def project_2d(
    vectors: np.ndarray,
    method: Literal["pca", "tsne"] = "pca",
    *,
    seed: int = 0,
    perplexity: float | None = None,
    random_state: int | None = None,
) -> np.ndarray:
    """Project rows to 2-D with scikit-learn PCA or t-SNE.

    Parameters
    ----------
    vectors : ndarray of shape (n, dim)
    method : {"pca", "tsne"}, default="pca"
    seed : int, default=0
        Random seed of the projection.
    perplexity : float, optional
        t-SNE perplexity; default ``min(30, (n - 1) / 3)`` so small sets work.
    random_state : int, optional
        Deprecated name of ``seed`` (a :class:`DeprecationWarning`; removed in the next release).

    Returns
    -------
    ndarray of shape (n, 2)

    Examples
    --------
    >>> project_2d(np.eye(4, dtype=np.float32)).shape
    (4, 2)
    """
    from threadpoolctl import threadpool_limits

    seed = renamed_keyword("project_2d", "random_state", random_state, "seed", seed, default=0)
    x = np.asarray(vectors, dtype=np.float64)
    n = x.shape[0]
    if n < 2:
        raise DataError(f"need at least 2 points to plot, got {n}", hint="choose more words")
    # A plot has a few thousand points at most; there, extra BLAS/OpenMP threads only spin
    # against each other (t-SNE of 30 points: 27 s with 2 threads, 0.2 s with 1 on a busy machine).
    with threadpool_limits(limits=1 if n <= 5000 else None):
        return _project(x, method, seed=seed, perplexity=perplexity)


def _project(x: np.ndarray, method: str, *, seed: int, perplexity: float | None) -> np.ndarray:
    n = x.shape[0]
    if method == "pca":
        from sklearn.decomposition import PCA

        if x.shape[1] < 2:
            return np.column_stack([x[:, 0], np.zeros(n)])
        return PCA(n_components=2, random_state=seed).fit_transform(x)
    if method == "tsne":
        from sklearn.manifold import TSNE

        if n < 4:
            raise DataError(f"t-SNE needs at least 4 points, got {n}", hint="use --method pca")
        perp = perplexity if perplexity is not None else min(30.0, max(1.0, (n - 1) / 3))
        if perp >= n:
            raise ParameterError(f"perplexity({perp}) must be < number of points({n})")
        tsne = TSNE(n_components=2, perplexity=perp, init="pca", random_state=seed)
        return tsne.fit_transform(x)
    raise ParameterError(f"unknown projection method {method!r}", hint="use 'pca' or 'tsne'")


def nudge_labels(
    points: np.ndarray,
    label_sizes: np.ndarray,
    *,
    rings: int = 6,
    gap: float = 2.0,
) -> np.ndarray:
    """Place label boxes near their points so that they overlap little.

    Greedy placement, most important label first (row order: most frequent words first):
    each label tries candidate spots around its point (right, left, above, below, then
    rings further out) and takes the one with the least overlap with labels already
    placed and with other points, preferring spots close to its own point.

    Parameters
    ----------
    points : ndarray of shape (n, 2)
        Anchor points in display units (pixels).
    label_sizes : ndarray of shape (n, 2)
        Width and height of each label box in the same units.
    rings : int, default=6
        How many rings of candidates, each one label height further out, to try.
    gap : float, default=2.0
        Space between a point and its label, in pixels.

    Returns
    -------
    ndarray of shape (n, 2)
        Lower-left corners of the label boxes.

    Examples
    --------
    >>> pts = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> boxes = nudge_labels(pts, np.array([[20.0, 8.0], [20.0, 8.0]]))
    >>> bool(abs(boxes[0, 1] - boxes[1, 1]) >= 8 or abs(boxes[0, 0] - boxes[1, 0]) >= 20)
    True
    """
    pts = np.asarray(points, dtype=np.float64)
    size = np.asarray(label_sizes, dtype=np.float64)
    n = len(pts)
    out = np.zeros((n, 2))
    placed = np.zeros((n, 4))  # x0, y0, x1, y1 of the labels placed so far
    dot = 3.0  # half-size of the box kept clear around each point
    for i in range(n):
        (x, y), (w, h) = pts[i], size[i]
        base = np.array(
            [
                [x + gap, y - h / 2],  # right
                [x + gap, y + gap],  # upper right
                [x + gap, y - h - gap],  # lower right
                [x - w - gap, y - h / 2],  # left
                [x - w / 2, y + gap],  # above
                [x - w / 2, y - h - gap],  # below
                [x - w - gap, y + gap],  # upper left
                [x - w - gap, y - h - gap],  # lower left
            ]
        )
        direction = base + np.array([w / 2, h / 2]) - np.array([x, y])
        direction /= np.maximum(np.linalg.norm(direction, axis=1, keepdims=True), 1e-9)
        cands = np.concatenate([base + direction * (r * 1.2 * h) for r in range(rings + 1)])
        x0, y0 = cands[:, 0:1], cands[:, 1:2]
        x1, y1 = x0 + w, y0 + h
        if i:
            p = placed[:i]
            ox = np.clip(np.minimum(x1, p[:, 2]) - np.maximum(x0, p[:, 0]), 0, None)
            oy = np.clip(np.minimum(y1, p[:, 3]) - np.maximum(y0, p[:, 1]), 0, None)
            label_overlap = (ox * oy).sum(axis=1)
        else:
            label_overlap = np.zeros(len(cands))
        others = np.delete(pts, i, axis=0)
        covered = (
            (others[:, 0] + dot > x0)
            & (others[:, 0] - dot < x1)
            & (others[:, 1] + dot > y0)
            & (others[:, 1] - dot < y1)
        ).sum(axis=1)
        distance = np.hypot(cands[:, 0] + w / 2 - x, cands[:, 1] + h / 2 - y)
        score = label_overlap + covered * (w * h * 0.3) + distance * 0.5
        best = int(np.argmin(score))
        out[i] = cands[best]
        placed[i] = [cands[best, 0], cands[best, 1], cands[best, 0] + w, cands[best, 1] + h]
    return out


def _as_numbers(values: Sequence[Any]) -> np.ndarray | None:
    """The values as floats when every one is a number (or numeric text); else None."""
    try:
        out = np.array([float(v) for v in values], dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return out if np.isfinite(out).all() else None


def _category_colors(categories: Sequence[Any]) -> tuple[np.ndarray, list[Any], Any]:
    plt = _pyplot()
    values = [str(c) for c in categories]
    uniques = sorted(
        set(values), key=lambda v: (not v.lstrip("-").isdigit(), int(v) if v.lstrip("-").isdigit() else 0, v)
    )
    cmap = plt.get_cmap("tab10" if len(uniques) <= 10 else "tab20")
    index = {v: i for i, v in enumerate(uniques)}
    ids = np.array([index[v] for v in values])
    colors = np.array([cmap(i % cmap.N) for i in ids])
    return colors, uniques, cmap


def plot_embedding(
    vectors: np.ndarray,
    labels: Sequence[str],
    path: PathLike,
    *,
    method: Literal["pca", "tsne"] = "pca",
    categories: Sequence[Any] | None = None,
    category_name: str = "category",
    title: str | None = None,
    seed: int = 0,
    force: bool = False,
    max_labels: int = 500,
    random_state: int | None = None,
) -> Path:
    """Draw a labelled 2-D scatter of ``vectors`` and write it to ``path``.

    Parameters
    ----------
    vectors : ndarray of shape (n, dim)
    labels : sequence of str
        One label per row (words, or document snippets).
    path : str or PathLike
        Output figure; format from the suffix (``.png``, ``.svg``, ``.pdf``).
    method : {"pca", "tsne"}, default="pca"
    categories : sequence, optional
        One value per row (cluster id, class label); points are coloured by it, with a legend.
    category_name : str, default="category"
        Legend title.
    title : str, optional
    seed : int, default=0
        Random seed of the projection.
    force : bool, default=False
        Replace an existing file.
    max_labels : int, default=500
        Above this many points, only the points are drawn (text would be unreadable).
    random_state : int, optional
        Deprecated name of ``seed`` (a :class:`DeprecationWarning`; removed in the next release).

    Returns
    -------
    Path

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "fig.png"
    >>> _ = plot_embedding(np.random.rand(5, 3), list("abcde"), out)
    >>> out.exists()
    True
    """
    seed = renamed_keyword("plot_embedding", "random_state", random_state, "seed", seed, default=0)
    check_output(path, force=force)
    x = np.asarray(vectors)
    if len(labels) != len(x):
        raise ParameterError(f"{len(labels)} labels for {len(x)} vectors; they must match")
    if categories is not None and len(categories) != len(x):
        raise ParameterError(f"{len(categories)} categories for {len(x)} vectors; they must match")
    xy = project_2d(x, method, seed=seed)
    plt = _pyplot()
    n = len(xy)
    size = 10 if n <= 30 else 8 if n <= 100 else 6.5 if n <= 250 else 5
    side = 8 if n <= 100 else 11 if n <= 250 else 14
    fig, ax = plt.subplots(figsize=(side, side * 0.8))
    numeric = _as_numbers(categories) if categories is not None else None
    if numeric is not None and len(set(numeric.tolist())) > 12:  # a continuous scale (count, rank...)
        from matplotlib.colors import LogNorm, Normalize

        positive = bool((numeric > 0).all())
        wide = positive and numeric.max() / numeric.min() > 100
        norm = LogNorm(numeric.min(), numeric.max()) if wide else Normalize(numeric.min(), numeric.max())
        cmap = plt.get_cmap("viridis")
        colors = cmap(norm(numeric))
        points = ax.scatter(
            xy[:, 0], xy[:, 1], c=numeric, cmap=cmap, norm=norm, s=18, alpha=0.85, linewidths=0
        )
        fig.colorbar(points, ax=ax, fraction=0.04, pad=0.02, label=category_name)
    elif categories is not None:
        colors, uniques, cmap = _category_colors(categories)
        ax.scatter(xy[:, 0], xy[:, 1], c=colors, s=18, alpha=0.85, linewidths=0)
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], marker="o", linestyle="", color=cmap(i % cmap.N), label=str(u))
            for i, u in enumerate(uniques[:20])
        ]
        ax.legend(handles=handles, title=category_name, loc="best", fontsize=8, framealpha=0.8)
    else:
        colors = None
        ax.scatter(xy[:, 0], xy[:, 1], s=14, alpha=0.8, color="tab:blue", linewidths=0)
    # leave a margin for labels
    span = np.ptp(xy, axis=0)
    span[span == 0] = 1.0
    ax.set_xlim(xy[:, 0].min() - 0.05 * span[0], xy[:, 0].max() + 0.15 * span[0])
    ax.set_ylim(xy[:, 1].min() - 0.05 * span[1], xy[:, 1].max() + 0.08 * span[1])
    if n <= max_labels:
        _draw_labels(fig, ax, xy, [str(lab) for lab in labels], size, colors)
    else:
        logger.info("%d points: labels omitted (more than max_labels=%d)", n, max_labels)
    ax.set_title(title or f"{method.upper()} projection of {n} vectors")
    ax.set_xticks([])
    ax.set_yticks([])
    return _save_figure(fig, path, force=force)


def _draw_labels(
    fig: Figure, ax: Axes, xy: np.ndarray, labels: list[str], fontsize: float, colors: np.ndarray | None
) -> None:
    """Place text labels near their points, nudged apart in pixel space."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = [ax.text(0, 0, lab, fontsize=fontsize) for lab in labels]
    sizes = np.array(
        [[t.get_window_extent(renderer).width, t.get_window_extent(renderer).height] for t in texts]
    )
    anchors = ax.transData.transform(xy)
    boxes = nudge_labels(anchors, sizes)
    inverse = ax.transData.inverted()
    for i, t in enumerate(texts):
        x, y = inverse.transform(boxes[i])
        t.set_position((x, y))
        t.set_ha("left")
        t.set_va("bottom")
        if colors is not None:
            t.set_color(tuple(np.asarray(colors[i][:3]) * 0.7))
        # a thin leader line when the label ended up away from its point
        corner = boxes[i]
        nearest = np.clip(anchors[i], corner, corner + sizes[i])
        if np.hypot(*(nearest - anchors[i])) > 6:
            end = inverse.transform(nearest)
            ax.plot([xy[i, 0], end[0]], [xy[i, 1], end[1]], color="0.6", linewidth=0.4, zorder=0)


def plot_vectors(
    source: Any,
    path: PathLike,
    *,
    words: Sequence[str] | None = None,
    limit: int | None = None,
    method: Literal["pca", "tsne"] = "pca",
    color_by: str | None = None,
    extra_columns: Mapping[str, Mapping[str, Any] | Sequence[Any]] | None = None,
    title: str | None = None,
    seed: int = 0,
    force: bool = False,
    random_state: int | None = None,
) -> PlotResult:
    """Plot word vectors (chosen words, or the ``limit`` most frequent) as a labelled 2-D scatter.

    Parameters
    ----------
    source : Vectors or path
        Vectors, any vectors path, or an LSA model folder (its term vectors).
    path : str or PathLike
        Output figure (``.png``, ``.svg``, ``.pdf``).
    words : sequence of str, optional
        The words to draw; unknown ones are left out and returned in ``missing_words``.
    limit : int, optional
        Draw the first ``limit`` words (after ``words``); default 100 when no words are given.
    method : {"pca", "tsne"}, default="pca"
    color_by : str, optional
        A metadata column (``count``, ``rank`` or one of ``extra_columns``) to colour by.
    extra_columns : mapping, optional
        As in :func:`nlptk.export.projector.export_projector` (for example a cluster id per word).
    title : str, optional
    seed : int, default=0
        Random seed of the projection.
    force : bool, default=False
    random_state : int, optional
        Deprecated name of ``seed`` (a :class:`DeprecationWarning`; removed in the next release).

    Returns
    -------
    PlotResult

    Examples
    --------
    >>> plot_vectors("vectors.txt", "fig.png", limit=150, method="tsne")  # doctest: +SKIP
    """
    from nlptk.export._metadata import resolve_vectors, select_rows, word_columns

    seed = renamed_keyword("plot_vectors", "random_state", random_state, "seed", seed, default=0)
    check_output(path, force=force)
    if words is None and limit is None:
        limit = 100
    if limit is not None and limit < 1:
        raise ParameterError(f"limit must be >= 1, got {limit}")
    vectors = resolve_vectors(source, limit=limit if words is None else None)
    rows, missing = select_rows(vectors, words=words, limit=limit)
    if missing:
        logger.warning(
            "%d of %d words are not in the vocabulary: %s",
            len(missing),
            len(missing) + len(rows),
            ", ".join(missing[:10]),
        )
    categories = None
    if color_by is not None:
        categories = word_columns(vectors, rows, [color_by], extra_columns=extra_columns)[color_by]
    out = plot_embedding(
        np.asarray(vectors.vectors[rows]),
        [vectors.words[i] for i in rows],
        path,
        method=method,
        categories=categories,
        category_name=color_by or "category",
        title=title,
        seed=seed,
        force=force,
    )
    return PlotResult(out, len(rows), missing)
