"""What a notebook shows of a classifier's interpretation: tables and figures.

:class:`ExampleTable` is a list of :class:`~nlptk.classify.interpret.ExampleRow` that renders
itself as an HTML table in Jupyter (``_repr_html_``) and as aligned plain text elsewhere
(``str``/``repr``). :class:`LearnerInterpretation` is an
:class:`~nlptk.classify.interpret.Interpretation` whose lists are such tables, with the
figures fastai's ``ClassificationInterpretation`` draws: :meth:`~LearnerInterpretation.plot_confusion_matrix`
and :meth:`~LearnerInterpretation.plot_top_losses` (a table figure: text, labels, loss,
probability). Figures are built without pyplot, so a notebook shows each once, as the
cell's value, and a script can save it (``fig.savefig(...)`` or the ``path`` argument).
"""

from __future__ import annotations

import html
import os
import textwrap
from typing import TYPE_CHECKING

from nlptk.classify.interpret import ConfusedPair, ExampleRow, Interpretation

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ConfusedTable", "ExampleTable", "LearnerInterpretation"]

PathLike = str | os.PathLike[str]

_COLUMNS = ("index", "true", "predicted", "confidence", "loss", "text")


def _snippet(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ExampleTable(list[ExampleRow]):
    """Example rows that show as a table (HTML in Jupyter, aligned text elsewhere).

    Parameters
    ----------
    rows : iterable of ExampleRow
    title : str, default=""
        A caption.
    """

    def __init__(self, rows: list[ExampleRow], title: str = "") -> None:
        super().__init__(rows)
        self.title = title

    def _cells(self, r: ExampleRow, limit: int) -> list[str]:
        return [
            str(r.index),
            r.true_label,
            r.predicted_label,
            f"{r.confidence:.3f}",
            f"{r.loss:.3f}",
            _snippet(r.text, limit),
        ]

    def to_text(self, snippet: int = 80) -> str:
        """An aligned plain-text table (the text column cut to ``snippet`` characters)."""
        if not self:
            return f"{self.title}: (none)" if self.title else "(none)"
        rows = [list(_COLUMNS), *(self._cells(r, snippet) for r in self)]
        widths = [max(len(row[c]) for row in rows) for c in range(len(_COLUMNS) - 1)]
        lines = [self.title] if self.title else []
        for row in rows:
            cells = [
                row[c].rjust(widths[c]) if c != 1 and c != 2 else row[c].ljust(widths[c]) for c in range(5)
            ]
            lines.append("  ".join([*cells, row[5]]))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{c}</th>" for c in _COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in self._cells(r, 300)) + "</tr>"
            for r in self
        )
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class ConfusedTable(list[ConfusedPair]):
    """Most-confused pairs that show as a table (HTML in Jupyter, text elsewhere)."""

    def to_text(self) -> str:
        if not self:
            return "(no pair reaches min_val)"
        return "\n".join(f"{p.true_label} -> {p.predicted_label}: {p.count}" for p in self)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(p.true_label)}</td><td>{html.escape(p.predicted_label)}</td>"
            f"<td>{p.count}</td></tr>"
            for p in self
        )
        head = "<thead><tr><th>true</th><th>predicted</th><th>count</th></tr></thead>"
        return f"<table>{head}<tbody>{rows}</tbody></table>"


class LearnerInterpretation(Interpretation):
    """An :class:`~nlptk.classify.interpret.Interpretation` for notebooks (see the module doc).

    Examples
    --------
    >>> interp = learn.interpret()                 # doctest: +SKIP
    >>> interp.plot_confusion_matrix()             # doctest: +SKIP
    >>> interp.most_confused(min_val=2)            # doctest: +SKIP
    >>> interp.plot_top_losses(9)                  # doctest: +SKIP
    >>> interp.confident_mistakes(5)               # doctest: +SKIP
    """

    @classmethod
    def of(cls, base: Interpretation) -> LearnerInterpretation:
        """The same predictions, with the notebook views."""
        return cls(base.texts, base.y_true, base.probabilities, base.classes, base.losses)

    def most_confident_correct(self, k: int | None = 10) -> ExampleTable:
        return ExampleTable(super().most_confident_correct(k), "most confident (correct) predictions")

    def most_confident(self, k: int | None = 10) -> ExampleTable:
        """The correct predictions the model was surest of (mistakes: :meth:`confident_mistakes`)."""
        return self.most_confident_correct(k)

    def least_confident(self, k: int | None = 10) -> ExampleTable:
        return ExampleTable(super().least_confident(k), "least confident predictions")

    def confident_mistakes(self, k: int | None = 10) -> ExampleTable:
        return ExampleTable(super().confident_mistakes(k), "confident mistakes")

    def top_losses(self, k: int | None = 10) -> ExampleTable:
        return ExampleTable(super().top_losses(k), "top losses")

    def most_confused(self, min_val: int = 1) -> ConfusedTable:
        return ConfusedTable(super().most_confused(min_val))

    def plot_confusion_matrix(
        self, path: PathLike | None = None, *, normalize: bool = False, force: bool = False
    ) -> Figure:
        """The confusion matrix figure (rows: true, columns: predicted); saved too when ``path`` is given."""
        from nlptk.export.plots import confusion_matrix_figure

        fig = confusion_matrix_figure(self.confusion, [str(c) for c in self.classes], normalize=normalize)
        return _maybe_save(fig, path, force)

    def plot_top_losses(
        self, k: int = 9, path: PathLike | None = None, *, width: int = 60, force: bool = False
    ) -> Figure:
        """A table figure of the ``k`` largest losses: text, true and predicted label, loss, probability.

        ``probability`` is the model's probability of the true label (low for a top loss).
        Long texts are wrapped to ``width`` characters, at most three lines each.
        """
        from matplotlib.figure import Figure

        rows = super().top_losses(k)
        cells = []
        heights = []
        for r in rows:
            wrapped = textwrap.wrap(" ".join(r.text.split()), width) or [""]
            if len(wrapped) > 3:
                wrapped = [*wrapped[:2], wrapped[2][: width - 1] + "…"]
            heights.append(len(wrapped))
            cells.append(
                [
                    "\n".join(wrapped),
                    r.true_label,
                    r.predicted_label,
                    f"{r.loss:.3f}",
                    f"{r.true_probability:.3f}",
                ]
            )
        lines = sum(heights) + 1
        fig = Figure(figsize=(11, 0.8 + 0.28 * lines))
        ax = fig.subplots()
        ax.axis("off")
        ax.set_title(f"top {len(rows)} losses (probability: of the true label)")
        if cells:
            table = ax.table(
                cellText=cells,
                colLabels=["text", "true", "predicted", "loss", "probability"],
                colWidths=[0.62, 0.1, 0.1, 0.08, 0.1],
                cellLoc="left",
                loc="upper center",
            )
            table.auto_set_font_size(False)
            table.set_fontsize(8)
            unit = 1.0 / lines
            for (row, _col), cell in table.get_celld().items():
                cell.set_height(unit * (1 if row == 0 else heights[row - 1]))
        return _maybe_save(fig, path, force)


def _maybe_save(fig: Figure, path: PathLike | None, force: bool) -> Figure:
    if path is not None:
        from nlptk.export._figure import save_figure

        save_figure(fig, path, force=force)
    return fig
