"""A notebook learner's record of its epochs: a table, the loss plot and the diagnosis."""

from __future__ import annotations

import html
import itertools
import os
from typing import TYPE_CHECKING, Any

from nlptk.classify.diagnose import Diagnosis, diagnose

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from nlptk.classify.notebook import TextLearner

__all__ = ["Recorder", "loss_figure"]

PathLike = str | os.PathLike[str]

_COLUMNS = ("epoch", "stage", "train_loss", "val_loss", "val_accuracy", "val_macro_f1", "lr", "seconds")


def loss_figure(history: list[dict[str, Any]], *, title: str = "Loss") -> Figure:
    """Training and validation loss per epoch, the stages separated by dotted lines."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    epochs = [r["epoch"] for r in history]
    for key, label in (("train_loss", "training"), ("val_loss", "validation")):
        points = [(e, r[key]) for e, r in zip(epochs, history, strict=True) if r.get(key) is not None]
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", markersize=3, label=label)
    for previous, record in itertools.pairwise(history):
        if record.get("stage") != previous.get("stage"):
            ax.axvline(previous["epoch"] + 0.5, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    if history:
        ax.legend()
    return fig


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2e}" if abs(value) < 1e-3 and value != 0 else f"{value:.4f}"
    return str(value)


class Recorder:
    """The epochs a :class:`~nlptk.classify.notebook.TextLearner` has trained.

    Shows as a table (HTML in Jupyter). ``plot_loss()`` draws the curves and
    ``diagnose()`` reads them (:func:`nlptk.classify.diagnose.diagnose`).
    """

    def __init__(self, owner: TextLearner) -> None:
        self._owner = owner

    @property
    def history(self) -> list[dict[str, Any]]:
        """One record per epoch (see :class:`~nlptk.classify.learner.Learner`)."""
        return self._owner.learner.history

    def __len__(self) -> int:
        return len(self.history)

    def plot_loss(self, path: PathLike | None = None, *, force: bool = False) -> Figure:
        """Training and validation loss per epoch; saved too when ``path`` is given."""
        from nlptk.errors import DataError

        if not self.history:
            raise DataError("no epochs trained yet: nothing to plot", hint="call learn.fit_one_cycle first")
        fig = loss_figure(self.history)
        if path is not None:
            from nlptk.export._figure import save_figure

            save_figure(fig, path, force=force)
        return fig

    def diagnose(self) -> Diagnosis:
        """What the curves show: overfitting, underfitting or divergence, with the numbers."""
        owner = self._owner
        finder = owner.lr_finder_result
        return diagnose(
            self.history,
            n_classes=len(owner.classes),
            lr_suggestion=finder.suggestion if finder is not None else None,
            # the notebook's rates are given per call, not by config.lr: leave it unquoted
            settings={k: v for k, v in owner.config.to_dict().items() if k != "lr"},
        )

    def _rows(self) -> list[list[str]]:
        return [[_cell(r.get(c)) for c in _COLUMNS] for r in self.history]

    def __repr__(self) -> str:
        rows = [list(_COLUMNS), *self._rows()]
        widths = [max(len(row[c]) for row in rows) for c in range(len(_COLUMNS))]
        return "\n".join("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) for row in rows)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{c}</th>" for c in _COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in self._rows()
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
