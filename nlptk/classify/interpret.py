"""Interpretation of a classifier's predictions: metrics, confusions and the examples to look at.

Everything here works on plain arrays: the texts, the true classes, the predicted
probabilities and the class names. Nothing depends on torch, so the same report serves
nlptk's recurrent classifiers and any other model that gives probabilities.

:func:`interpret` builds an :class:`Interpretation` with

* accuracy, macro-F1 and a per-class report (precision, recall, F1, support from
  :func:`sklearn.metrics.precision_recall_fscore_support`);
* the confusion matrix (:func:`sklearn.metrics.confusion_matrix`, rows: true class,
  columns: predicted class), as a text table, a CSV and a PNG;
* the most confused class pairs (off-diagonal counts, largest first, as fastai's
  ``most_confused``);
* the top losses (per-example cross-entropy, largest first);
* the three lists a user asks for: the most confident correct predictions, the least
  confident predictions, and the confident mistakes. Each row carries the original text as
  it was given (not its tokens), the true and predicted labels, the confidence (the
  probability of the predicted class) and the example's index in the input.

:meth:`Interpretation.write` writes all of it to a folder atomically.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlptk.errors import DataError
from nlptk.io import atomic_directory

__all__ = ["ConfusedPair", "ExampleRow", "Interpretation", "interpret"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

_EPS = 1e-12
#: The example lists written by :meth:`Interpretation.write` (file stem -> method name).
LISTS = {
    "most_confident_correct": "most_confident_correct",
    "least_confident": "least_confident",
    "confident_mistakes": "confident_mistakes",
    "top_losses": "top_losses",
}


@dataclass(frozen=True)
class ExampleRow:
    """One example in a list: where it was, what it said, what the model made of it."""

    index: int
    text: str
    true_label: str
    predicted_label: str
    confidence: float
    true_probability: float
    loss: float

    @property
    def correct(self) -> bool:
        """Whether the prediction was right."""
        return self.true_label == self.predicted_label


@dataclass(frozen=True)
class ConfusedPair:
    """A true class, the class it was mistaken for, and how often."""

    true_label: str
    predicted_label: str
    count: int


def _as_class_indices(y_true: Sequence[Any] | np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """Map labels (class names or integer indices into ``classes``) to an int array."""
    values = list(y_true)
    k = len(classes)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        out = np.asarray(values, dtype=np.int64)
        bad = np.flatnonzero((out < 0) | (out >= k))
        if bad.size:
            i = int(bad[0])
            raise DataError(
                f"true class index {out[i]} at position {i} is outside 0..{k - 1} ({k} classes)",
                hint="give labels as class names or indices into classes",
            )
        return out
    lookup = {str(c): i for i, c in enumerate(classes)}
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        try:
            out[i] = lookup[str(v)]
        except KeyError:
            raise DataError(
                f"label {v!r} at position {i} is not one of the classes {list(classes)}",
                hint="the model only knows the classes it was trained on",
            ) from None
    return out


def _cross_entropy(probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    p_true = probs[np.arange(len(y)), y]
    return -np.log(np.clip(p_true, _EPS, 1.0))


class Interpretation:
    """Metrics and example lists for a set of predictions; build it with :func:`interpret`.

    Attributes
    ----------
    texts : list of str
        The texts as given.
    classes : list of str
        Class names; column ``j`` of :attr:`probabilities` is ``classes[j]``.
    y_true, y_pred : ndarray of shape (n,)
        True and predicted class indices.
    probabilities : ndarray of shape (n, n_classes)
    losses : ndarray of shape (n,)
        Per-example cross-entropy.
    confidence : ndarray of shape (n,)
        Probability of the predicted class.
    accuracy, macro_f1 : float
    per_class : list of dict
        One dict per class: ``label, precision, recall, f1, support``.
    confusion : ndarray of shape (n_classes, n_classes)
        Rows: true class, columns: predicted class.
    """

    def __init__(
        self,
        texts: list[str],
        y_true: np.ndarray,
        probabilities: np.ndarray,
        classes: list[str],
        losses: np.ndarray,
    ) -> None:
        from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

        self.texts = texts
        self.classes = classes
        self.y_true = y_true
        self.probabilities = probabilities
        self.losses = losses
        self.y_pred = probabilities.argmax(axis=1)
        self.confidence = probabilities[np.arange(len(y_true)), self.y_pred]
        labels = list(range(len(classes)))
        self.accuracy = float(np.mean(self.y_pred == y_true))
        self.macro_f1 = float(f1_score(y_true, self.y_pred, labels=labels, average="macro", zero_division=0))
        precision, recall, f1, support = precision_recall_fscore_support(
            y_true, self.y_pred, labels=labels, zero_division=0
        )
        self.per_class = [
            {
                "label": c,
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, c in enumerate(classes)
        ]
        self.confusion = confusion_matrix(y_true, self.y_pred, labels=labels)
        #: What the model's training curves showed (nlptk.classify.diagnose), when known.
        self.training_diagnosis: dict[str, Any] | None = None
        #: "train" / "val" when the scored data is the model's training / validation data
        self.seen_data: str | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def __repr__(self) -> str:
        return (
            f"Interpretation(n={len(self)}, classes={len(self.classes)}, "
            f"accuracy={self.accuracy:.4f}, macro_f1={self.macro_f1:.4f})"
        )

    # -- rows ---------------------------------------------------------------------------
    def _row(self, i: int) -> ExampleRow:
        return ExampleRow(
            index=int(i),
            text=self.texts[i],
            true_label=self.classes[self.y_true[i]],
            predicted_label=self.classes[self.y_pred[i]],
            confidence=float(self.confidence[i]),
            true_probability=float(self.probabilities[i, self.y_true[i]]),
            loss=float(self.losses[i]),
        )

    def _ranked(
        self, mask: np.ndarray, key: np.ndarray, k: int | None, *, descending: bool
    ) -> list[ExampleRow]:
        idx = np.flatnonzero(mask)
        # stable sort: ties keep the input order
        order = np.argsort(-key[idx] if descending else key[idx], kind="stable")
        chosen = idx[order] if k is None else idx[order][: max(k, 0)]
        return [self._row(int(i)) for i in chosen]

    def most_confident_correct(self, k: int | None = 10) -> list[ExampleRow]:
        """Correct predictions, most confident first."""
        return self._ranked(self.y_pred == self.y_true, self.confidence, k, descending=True)

    def least_confident(self, k: int | None = 10) -> list[ExampleRow]:
        """All predictions, least confident (lowest predicted-class probability) first."""
        return self._ranked(np.ones(len(self), dtype=bool), self.confidence, k, descending=False)

    def confident_mistakes(self, k: int | None = 10) -> list[ExampleRow]:
        """Wrong predictions, most confident first."""
        return self._ranked(self.y_pred != self.y_true, self.confidence, k, descending=True)

    def top_losses(self, k: int | None = 10) -> list[ExampleRow]:
        """Examples with the largest loss first."""
        return self._ranked(np.ones(len(self), dtype=bool), self.losses, k, descending=True)

    def most_confused(self, min_val: int = 1) -> list[ConfusedPair]:
        """Off-diagonal confusion counts ``>= min_val``, largest first (ties by class order).

        Examples
        --------
        >>> probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])
        >>> pairs = interpret(["a", "b", "c"], ["x", "x", "y"], probs, ["x", "y"]).most_confused()
        >>> [(p.true_label, p.predicted_label, p.count) for p in pairs]
        [('x', 'y', 1), ('y', 'x', 1)]
        """
        pairs = [
            ConfusedPair(self.classes[i], self.classes[j], int(self.confusion[i, j]))
            for i in range(len(self.classes))
            for j in range(len(self.classes))
            if i != j and self.confusion[i, j] >= min_val and self.confusion[i, j] > 0
        ]
        return sorted(pairs, key=lambda p: -p.count)  # sorted() is stable

    # -- rendering ----------------------------------------------------------------------
    def confusion_table(self) -> str:
        """The confusion matrix as an aligned text table (rows: true, columns: predicted)."""
        names = [str(c) for c in self.classes]
        corner = "true \\ predicted"
        first = max(len(corner), *(len(n) for n in names))
        width = max(max(len(n) for n in names), len(str(int(self.confusion.max(initial=0)))), 3)
        lines = [corner.ljust(first) + " " + " ".join(n.rjust(width) for n in names)]
        for i, name in enumerate(names):
            cells = " ".join(str(int(v)).rjust(width) for v in self.confusion[i])
            lines.append(name.ljust(first) + " " + cells)
        return "\n".join(lines)

    def classification_report(self) -> str:
        """scikit-learn's text report (precision, recall, F1, support per class)."""
        from sklearn.metrics import classification_report

        return classification_report(
            self.y_true,
            self.y_pred,
            labels=list(range(len(self.classes))),
            target_names=[str(c) for c in self.classes],
            digits=4,
            zero_division=0,
        )

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        """A JSON-serialisable summary: metrics, per-class report, confusion matrix and lists.

        Parameters
        ----------
        top : int, default=10
            Rows kept in each example list.
        """
        return {
            "n_examples": len(self),
            "classes": [str(c) for c in self.classes],
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "mean_loss": float(np.mean(self.losses)) if len(self) else math.nan,
            "per_class": self.per_class,
            "confusion_matrix": self.confusion.astype(int).tolist(),
            "most_confused": [asdict(p) for p in self.most_confused()],
            **{name: [asdict(r) for r in getattr(self, method)(top)] for name, method in LISTS.items()},
            **({"training_diagnosis": self.training_diagnosis} if self.training_diagnosis else {}),
            **({"seen_data": self.seen_data} if self.seen_data else {}),
        }

    def to_text(self, top: int = 10, *, snippet: int = 100) -> str:
        """A human-readable report: metrics, per-class report, confusion matrix and lists."""
        out = [
            f"examples: {len(self)}",
            f"accuracy: {self.accuracy:.4f}",
            f"macro-F1: {self.macro_f1:.4f}",
            "",
            "per-class report",
            self.classification_report().rstrip(),
            "",
            "confusion matrix (rows: true class, columns: predicted class)",
            self.confusion_table(),
            "",
            "most confused pairs (true -> predicted: count)",
        ]
        pairs = self.most_confused()
        out += [f"  {p.true_label} -> {p.predicted_label}: {p.count}" for p in pairs] or ["  (none)"]
        for name, method in LISTS.items():
            out += ["", name.replace("_", " ")]
            rows = getattr(self, method)(top)
            if not rows:
                out.append("  (none)")
            for r in rows:
                text = r.text if len(r.text) <= snippet else r.text[: snippet - 1] + "…"
                text = " ".join(text.split())
                out.append(
                    f"  #{r.index} true={r.true_label} predicted={r.predicted_label} "
                    f"confidence={r.confidence:.3f} loss={r.loss:.3f}  {text}"
                )
        return "\n".join(out) + "\n"

    def write(self, out_dir: PathLike, *, force: bool = False, top: int = 10, plot: bool = True) -> Path:
        """Write the report to a new folder, atomically.

        Files: ``report.json`` (:meth:`to_dict`), ``report.txt`` (:meth:`to_text`),
        ``confusion_matrix.csv`` and ``.png``, ``predictions.csv`` (every example), and one
        CSV per list (``most_confident_correct.csv``, ``least_confident.csv``,
        ``confident_mistakes.csv``, ``top_losses.csv``, ``top`` rows each).

        Parameters
        ----------
        out_dir : str or PathLike
            The folder to create; an existing one is refused unless ``force``.
        force : bool, default=False
        top : int, default=10
        plot : bool, default=True
            Draw ``confusion_matrix.png`` (matplotlib).

        Returns
        -------
        Path
            ``out_dir``.
        """
        target = Path(out_dir)
        with atomic_directory(target, force=force) as tmp:
            (tmp / "report.json").write_text(
                json.dumps(self.to_dict(top), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            (tmp / "report.txt").write_text(self.to_text(top), encoding="utf-8")
            names = [str(c) for c in self.classes]
            _write_csv(
                tmp / "confusion_matrix.csv",
                ["true\\predicted", *names],
                [[n, *map(int, self.confusion[i])] for i, n in enumerate(names)],
            )
            header = [
                "index",
                "true_label",
                "predicted_label",
                "confidence",
                "true_probability",
                "loss",
                "text",
            ]
            for name, method in LISTS.items():
                _write_csv(tmp / f"{name}.csv", header, [_row_values(r) for r in getattr(self, method)(top)])
            _write_csv(tmp / "predictions.csv", header, [_row_values(self._row(i)) for i in range(len(self))])
            if plot:
                from nlptk.export.plots import plot_confusion_matrix

                plot_confusion_matrix(self.confusion, names, tmp / "confusion_matrix.png")
        logger.info("wrote the evaluation report to %s", target)
        return target


def _row_values(r: ExampleRow) -> list[Any]:
    return [
        r.index,
        r.true_label,
        r.predicted_label,
        f"{r.confidence:.6f}",
        f"{r.true_probability:.6f}",
        f"{r.loss:.6f}",
        r.text,
    ]


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def interpret(
    texts: Sequence[str],
    y_true: Sequence[Any] | np.ndarray,
    probs: np.ndarray | Sequence[Sequence[float]],
    classes: Sequence[str],
    *,
    losses: np.ndarray | Sequence[float] | None = None,
) -> Interpretation:
    """Interpret predicted probabilities against the true labels.

    Parameters
    ----------
    texts : sequence of str
        The examples as the user wrote them (shown in the lists unchanged).
    y_true : sequence of str or int
        True labels: class names, or integer indices into ``classes``.
    probs : array-like of shape (n, n_classes)
        Predicted probabilities; column ``j`` belongs to ``classes[j]``.
    classes : sequence of str
        Class names.
    losses : array-like of shape (n,), optional
        Per-example losses; the cross-entropy ``-log p(true class)`` when not given.

    Returns
    -------
    Interpretation

    Raises
    ------
    DataError
        Lengths or shapes disagree, there are no examples, or a label is not a class.

    Examples
    --------
    >>> probs = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8]])
    >>> result = interpret(["good", "meh", "bad"], ["pos", "pos", "neg"], probs, ["pos", "neg"])
    >>> round(result.accuracy, 3), result.confident_mistakes(1)[0].text
    (0.667, 'meh')
    """
    texts = [str(t) for t in texts]
    classes = [str(c) for c in classes]
    p = np.asarray(probs, dtype=np.float64)
    n = len(texts)
    if n == 0:
        raise DataError("no examples to evaluate", hint="give a non-empty dataset")
    if len(classes) < 2:
        raise DataError(f"need at least 2 classes to evaluate, got {len(classes)}")
    if p.ndim != 2 or p.shape != (n, len(classes)):
        raise DataError(
            f"probabilities have shape {p.shape}, expected ({n}, {len(classes)}) "
            f"for {n} texts and {len(classes)} classes"
        )
    if not np.all(np.isfinite(p)):
        raise DataError("probabilities contain NaN or infinite values")
    y = _as_class_indices(y_true, classes)
    if len(y) != n:
        raise DataError(f"got {n} texts but {len(y)} labels", hint="give one label per text")
    if losses is None:
        loss = _cross_entropy(p, y)
    else:
        loss = np.asarray(losses, dtype=np.float64).reshape(-1)
        if loss.shape != (n,):
            raise DataError(f"got {loss.shape[0]} losses for {n} texts")
    return Interpretation(texts, y, p, classes, loss)
