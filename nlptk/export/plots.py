"""Plots: the training plots classifiers need, and (re-exported) the labelled vector scatter.

All functions draw with matplotlib's non-interactive Agg backend (no display needed) and
write the figure atomically (:func:`nlptk.io.atomic_write`): the format comes from the
file suffix (``.png``, ``.svg``, ``.pdf``...).

* :func:`plot_confusion_matrix` - counts (and row-normalised shading) per true/predicted class.
* :func:`plot_lr_finder` - loss against learning rate (log scale) with the suggestion marked.
* :func:`plot_history` - training curves, one panel per metric family (loss, accuracy...).
* :func:`confusion_matrix_figure`, :func:`lr_finder_figure`, :func:`history_figure` - the
  same figures returned instead of saved (a notebook shows them as a cell's value).
* :func:`plot_embedding`, :func:`plot_vectors` - see :mod:`nlptk.export.scatter`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nlptk.errors import DataError, ParameterError
from nlptk.export._figure import save_figure as _save_figure
from nlptk.export.scatter import PlotResult, nudge_labels, plot_embedding, plot_vectors, project_2d
from nlptk.io import check_output

__all__ = [
    "PlotResult",
    "confusion_matrix_figure",
    "history_figure",
    "lr_finder_figure",
    "nudge_labels",
    "plot_confusion_matrix",
    "plot_embedding",
    "plot_history",
    "plot_lr_finder",
    "plot_vectors",
    "project_2d",
]

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PathLike = str | os.PathLike[str]


def _new_figure(size: tuple[float, float]) -> Figure:
    # the object-oriented API: no pyplot state, no backend switch, nothing to close
    from matplotlib.figure import Figure

    return Figure(figsize=size)


# -- training plots -----------------------------------------------------------------------
def plot_confusion_matrix(
    cm: np.ndarray | Sequence[Sequence[int]],
    classes: Sequence[str],
    path: PathLike,
    *,
    normalize: bool = False,
    title: str = "Confusion matrix",
    force: bool = False,
) -> Path:
    """Draw a confusion matrix (rows: true class, columns: predicted class) with counts in the cells.

    Parameters
    ----------
    cm : array-like of shape (n_classes, n_classes)
        Counts, as :func:`sklearn.metrics.confusion_matrix` returns them.
    classes : sequence of str
        Class names in the matrix order.
    path : str or PathLike
    normalize : bool, default=False
        Show row proportions instead of counts (shading is always row-normalised).
    title : str
    force : bool, default=False

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "cm.png"
    >>> _ = plot_confusion_matrix([[5, 1], [2, 7]], ["neg", "pos"], out)
    """
    check_output(path, force=force)
    fig = confusion_matrix_figure(cm, classes, normalize=normalize, title=title)
    return _save_figure(fig, path, force=force)


def confusion_matrix_figure(
    cm: np.ndarray | Sequence[Sequence[int]],
    classes: Sequence[str],
    *,
    normalize: bool = False,
    title: str = "Confusion matrix",
) -> Figure:
    """The figure :func:`plot_confusion_matrix` saves, returned instead (a notebook shows it).

    Drawn without pyplot, so it is shown once (as the cell's value) and never left open.
    """
    m = np.asarray(cm, dtype=np.float64)
    k = len(classes)
    if m.shape != (k, k):
        raise ParameterError(f"confusion matrix has shape {m.shape}, expected ({k}, {k}) for {k} classes")
    rows = m.sum(axis=1, keepdims=True)
    share = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    side = max(4.0, 0.6 * k + 2)
    fig = _new_figure((side + 1, side))
    ax = fig.subplots()
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="share of true class")
    ax.set_xticks(
        range(k), [str(c) for c in classes], rotation=45 if k > 4 else 0, ha="right" if k > 4 else "center"
    )
    ax.set_yticks(range(k), [str(c) for c in classes])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fontsize = 10 if k <= 10 else 7 if k <= 20 else 5
    for i in range(k):
        for j in range(k):
            text = f"{share[i, j]:.2f}" if normalize else f"{int(m[i, j])}"
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=fontsize,
                color="white" if share[i, j] > 0.5 else "black",
            )
    return fig


def plot_lr_finder(
    lrs: Sequence[float],
    losses: Sequence[float],
    suggestion: float | None,
    path: PathLike,
    *,
    title: str = "Learning-rate finder",
    force: bool = False,
) -> Path:
    """Plot loss against learning rate (log x axis) and mark the suggested learning rate.

    Parameters
    ----------
    lrs, losses : sequences of float, same length
    suggestion : float or None
        The learning rate to mark (a vertical line and a dot on the curve).
    path : str or PathLike
    title : str
    force : bool, default=False

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "lr.png"
    >>> _ = plot_lr_finder([1e-4, 1e-3, 1e-2, 1e-1], [1.0, 0.8, 0.5, 2.0], 1e-2, out)
    """
    check_output(path, force=force)
    fig = lr_finder_figure(lrs, losses, suggestion, title=title)
    return _save_figure(fig, path, force=force)


def lr_finder_figure(
    lrs: Sequence[float],
    losses: Sequence[float],
    suggestion: float | None,
    *,
    title: str = "Learning-rate finder",
) -> Figure:
    """The figure :func:`plot_lr_finder` saves, returned instead (a notebook shows it)."""
    lr = np.asarray(lrs, dtype=np.float64)
    loss = np.asarray(losses, dtype=np.float64)
    if len(lr) != len(loss):
        raise ParameterError(f"{len(lr)} learning rates but {len(loss)} losses; they must match")
    if len(lr) == 0:
        raise DataError("no learning rates to plot")
    fig = _new_figure((7, 4.5))
    ax = fig.subplots()
    ax.plot(lr, loss, color="tab:blue")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("loss")
    ax.set_title(title)
    finite = loss[np.isfinite(loss)]
    if len(finite):  # keep a final divergence from squashing the curve
        low, high = finite.min(), np.percentile(finite, 95)
        pad = 0.1 * (high - low or 1.0)
        ax.set_ylim(low - pad, high + 3 * pad)
    if suggestion is not None:
        at = float(np.interp(np.log10(suggestion), np.log10(lr), loss))
        ax.axvline(suggestion, color="tab:red", linestyle="--", linewidth=1)
        ax.plot([suggestion], [at], "o", color="tab:red", label=f"suggested lr = {suggestion:.2e}")
        ax.legend(loc="best")
    ax.grid(True, which="both", alpha=0.3)
    return fig


def _metric_family(name: str) -> str:
    base = name
    for prefix in ("train_", "val_", "valid_", "test_"):
        if base.startswith(prefix):
            base = base[len(prefix) :]
            break
    return base


def plot_history(
    history: Mapping[str, Sequence[float]],
    path: PathLike,
    *,
    title: str = "Training history",
    force: bool = False,
) -> Path:
    """Plot training curves: one panel per metric family, train and validation together.

    ``train_loss`` and ``val_loss`` share the "loss" panel; ``val_accuracy`` gets an
    "accuracy" panel; an ``lr`` series gets its own panel. The x axis is the epoch (1-based).

    Parameters
    ----------
    history : mapping of str to list of float
        Per-epoch values, as a learner's history records them.
    path : str or PathLike
    title : str
    force : bool, default=False

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "hist.png"
    >>> _ = plot_history({"train_loss": [1.0, 0.6], "val_loss": [1.1, 0.8], "val_accuracy": [0.5, 0.7]}, out)
    """
    check_output(path, force=force)
    fig = history_figure(history, title=title)
    return _save_figure(fig, path, force=force)


def history_figure(history: Mapping[str, Sequence[float]], *, title: str = "Training history") -> Figure:
    """The figure :func:`plot_history` saves, returned instead (a notebook shows it)."""
    series = {k: np.asarray(v, dtype=np.float64) for k, v in history.items() if len(v) > 0}
    if not series:
        raise DataError("the history is empty: nothing to plot")
    families: dict[str, list[str]] = {}
    for name in series:
        families.setdefault(_metric_family(name), []).append(name)
    from matplotlib.ticker import MaxNLocator

    n = len(families)
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig = _new_figure((4.5 * cols, 3.3 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, (family, names) in zip(axes.flat, families.items(), strict=False):
        for name in names:
            y = series[name]
            ax.plot(
                np.arange(1, len(y) + 1), y, marker="o" if len(y) <= 30 else None, markersize=3, label=name
            )
        ax.set_title(family)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
