"""Find likely label errors and near-duplicates in a labelled dataset, for a person to review.

:func:`review_labels` gives every example a probability for each class that did not come
from a model trained on it, then applies the **confident-learning** rule (Northcutt, Jiang
and Chuang, "Confident Learning: Estimating Uncertainty in Dataset Labels", JAIR 2021),
as cleanlab's ``find_label_issues(filter_by="prune_by_noise_rate")`` does:

1. the threshold of class ``j`` is the mean probability of ``j`` over the examples labelled
   ``j`` (how confident the model is, on average, where the label is ``j``);
2. an example labelled ``i`` *confidently belongs* to ``j`` when its probability of ``j``
   reaches that threshold (the largest such ``j`` when several do); counting these gives
   the confident joint ``C[i, j]``, calibrated so each row sums to the count of label ``i``;
3. for each pair ``i != j``, the ``C[i, j]`` examples labelled ``i`` with the largest margin
   ``p(j) - p(i)`` are flagged, keeping at least one example of each class;
4. flagged examples are ranked by their *label quality*, the probability of the given
   label (self-confidence), lowest first.

The probabilities come from a k-fold cross-validation of a quick model (TF-IDF of words
and word pairs + logistic regression, scikit-learn): each example is predicted by the
model trained on the other folds (out-of-fold). A trained nlptk classifier can give them
instead; when it was trained on the same data its probabilities are in-sample, biased
towards the given labels, and label errors it memorised are missed (a warning says so).

Why not cleanlab itself: cleanlab 2.9 (Apache-2.0) is on PyPI and implements exactly this,
but it brings pandas, termcolor and tqdm as required dependencies (pandas alone is larger
than the rest of what ``review`` needs), for a rule that is the thirty lines of
:func:`find_label_issues` below.

**Near-duplicates** are pairs of texts whose TF-IDF vectors have a cosine similarity of at
least ``duplicate_threshold`` (0.9); a pair with different labels is the most telling.

:meth:`Review.write_csv` writes one row per finding: ``line`` (1-based line of the example
in the data file), ``text``, ``given_label``, ``suggested_label``, ``score`` (label quality,
low is suspect; the cosine for a duplicate), ``issue`` and ``decision`` (``keep`` until the
reviewer changes it to ``relabel:<class>`` or ``drop``), which ``nlptk classify clean``
applies (:mod:`nlptk.classify.clean`).
"""

from __future__ import annotations

import csv
import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlptk.errors import DataError, ParameterError
from nlptk.params import Params, param

__all__ = [
    "REVIEW_COLUMNS",
    "Review",
    "ReviewConfig",
    "ReviewRow",
    "find_label_issues",
    "near_duplicates",
    "review_labels",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

REVIEW_COLUMNS = ("line", "text", "given_label", "suggested_label", "score", "issue", "decision")
#: The quick model's name on the command line.
QUICK_MODEL = "tfidf"


@dataclass(frozen=True)
class ReviewConfig(Params):
    """Settings of :func:`review_labels`."""

    folds: int = param(5, help="Folds of the cross-validated quick model.", min=2)
    duplicate_threshold: float = param(
        0.9,
        help="TF-IDF cosine from which two texts are near-duplicates.",
        min=0.0,
        max=1.0,
        min_exclusive=True,
    )
    seed: int = param(0, help="Seed of the folds.")


def find_label_issues(labels: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of likely label errors (confident learning, prune by noise rate), most suspect first.

    Parameters
    ----------
    labels : ndarray of shape (n,)
        Given class indices.
    probs : ndarray of shape (n, k)
        Out-of-sample class probabilities.

    Returns
    -------
    issues : ndarray of int
        Flagged examples, by increasing probability of their given label.
    suggested : ndarray of shape (n,)
        For every example, the class it was flagged towards (its most probable class otherwise).

    Examples
    --------
    >>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.2, 0.8], [0.1, 0.9], [0.85, 0.15]])
    >>> issues, suggested = find_label_issues(np.array([0, 0, 1, 1, 1]), probs)
    >>> issues.tolist(), int(suggested[4])
    ([4], 0)
    """
    y = np.asarray(labels, dtype=np.int64)
    p = np.asarray(probs, dtype=np.float64)
    n, k = p.shape
    counts = np.bincount(y, minlength=k)
    thresholds = np.array([p[y == j, j].mean() if counts[j] else 1.0 for j in range(k)])
    above = p >= thresholds[None, :] - 1e-12
    confident = np.where(above.any(axis=1), np.where(above, p, -1.0).argmax(axis=1), -1)
    joint = np.zeros((k, k))
    has = confident >= 0
    np.add.at(joint, (y[has], confident[has]), 1)
    row_sums = joint.sum(axis=1, keepdims=True)
    calibrated = np.divide(joint, row_sums, out=np.zeros_like(joint), where=row_sums > 0) * counts[:, None]
    suggested = p.argmax(axis=1)
    flagged = np.zeros(n, dtype=bool)
    for i in range(k):
        members = np.flatnonzero(y == i)
        budget = max(len(members) - 1, 0)  # keep at least one example of each class
        for j in np.argsort(-calibrated[i]):
            take = min(int(np.rint(calibrated[i, j])), budget) if j != i else 0
            if take <= 0:
                continue
            free = members[~flagged[members]]
            margin = p[free, j] - p[free, i]
            chosen = free[np.argsort(-margin, kind="stable")[:take]]
            chosen = chosen[p[chosen, j] > p[chosen, i]]  # never flag an example its label fits best
            flagged[chosen] = True
            suggested[chosen] = j
            budget -= len(chosen)
    issues = np.flatnonzero(flagged)
    order = np.argsort(p[issues, y[issues]], kind="stable")
    return issues[order], suggested


def _tfidf(texts: list[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)


def out_of_fold_probabilities(
    texts: list[str], labels: np.ndarray, n_classes: int, *, folds: int = 5, seed: int = 0
) -> np.ndarray:
    """Class probabilities of each text from a TF-IDF + logistic-regression model trained
    on the other ``folds - 1`` folds (stratified, seeded)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline

    smallest = int(
        np.bincount(labels, minlength=n_classes)[np.bincount(labels, minlength=n_classes) > 0].min()
    )
    n_folds = min(folds, smallest)
    if n_folds < 2:
        raise DataError(
            f"a class has only {smallest} example; k-fold cross-validation needs at least 2 per class",
            hint="remove that class or give a trained model instead",
        )
    if n_folds < folds:
        logger.warning("the smallest class has %d examples: %d folds instead of %d", smallest, n_folds, folds)
    probs = np.zeros((len(texts), n_classes))
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    array = np.asarray(texts, dtype=object)
    for fold, (train_idx, test_idx) in enumerate(splitter.split(array, labels), start=1):
        model = make_pipeline(_tfidf(texts), LogisticRegression(C=4.0, max_iter=2000))
        model.fit(array[train_idx], labels[train_idx])
        columns = model.classes_
        probs[np.ix_(test_idx, columns)] = model.predict_proba(array[test_idx])
        logger.info("review: fold %d of %d done", fold, n_folds)
    return probs


def near_duplicates(
    texts: list[str], *, threshold: float = 0.9, block: int = 2048
) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, cosine)`` with ``i < j`` whose TF-IDF vectors are at least ``threshold`` alike.

    Computed block by block on the sparse matrix (memory grows with the block, not with n²).

    Examples
    --------
    >>> near_duplicates(["a fine film", "A fine film!", "a dull plot"])
    [(0, 1, 1.0)]
    """
    if not 0 < threshold <= 1:
        raise ParameterError(f"duplicate threshold {threshold} must be in (0, 1]")
    if len(texts) < 2:
        return []
    try:
        matrix = _tfidf(texts).fit_transform(texts).tocsr()
    except ValueError:  # an empty vocabulary: no words at all
        return []
    pairs: list[tuple[int, int, float]] = []
    for start in range(0, matrix.shape[0], block):
        sims = (matrix[start : start + block] @ matrix.T).tocoo()
        keep = (sims.data >= threshold - 1e-9) & (sims.row + start < sims.col)
        for r, c, v in zip(sims.row[keep], sims.col[keep], sims.data[keep], strict=True):
            pairs.append((int(r) + start, int(c), round(float(min(v, 1.0)), 4)))
    pairs.sort(key=lambda t: (-t[2], t[0], t[1]))
    return pairs


@dataclass(frozen=True)
class ReviewRow:
    """One finding: an example that may be mislabelled, or one of a pair of near-duplicates."""

    line: int
    text: str
    given_label: str
    suggested_label: str
    score: float
    issue: str
    decision: str = "keep"


@dataclass
class Review:
    """The findings of :func:`review_labels`.

    Attributes
    ----------
    rows : list of ReviewRow
        Label issues (most suspect first), then near-duplicates.
    classes : list of str
    probabilities : ndarray of shape (n, n_classes)
        The probabilities the rule used.
    source : str
        Where they came from (``"5-fold TF-IDF + logistic regression"`` or a model folder).
    warnings : list of str
    """

    rows: list[ReviewRow]
    classes: list[str]
    probabilities: np.ndarray
    source: str
    n_examples: int
    warnings: list[str] = field(default_factory=list)

    @property
    def label_issues(self) -> list[ReviewRow]:
        return [r for r in self.rows if r.issue == "label"]

    @property
    def duplicates(self) -> list[ReviewRow]:
        return [r for r in self.rows if r.issue != "label"]

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(REVIEW_COLUMNS)
        for r in self.rows:
            writer.writerow(
                [r.line, r.text, r.given_label, r.suggested_label, f"{r.score:.4f}", r.issue, r.decision]
            )
        return buffer.getvalue()

    def write_csv(self, path: PathLike, *, force: bool = False) -> Path:
        """Write the findings as CSV (atomically; an existing file only with ``force``)."""
        from nlptk.io import atomic_write

        with atomic_write(path, "w", force=force, encoding="utf-8", newline="") as fh:
            fh.write(self.to_csv())
        return Path(path)


def _model_probabilities(model: Any, texts: list[str], classes: list[str]) -> tuple[np.ndarray, str]:
    from nlptk.classify.predictor import TrainedClassifier

    clf = model if isinstance(model, TrainedClassifier) else TrainedClassifier.load(model)
    missing = sorted(set(classes) - set(clf.classes))
    if missing:
        raise DataError(
            f"the data has label(s) {missing} that the model was not trained on (its classes: {clf.classes})",
            hint="review with the quick k-fold model (model='tfidf') instead",
        )
    probs = clf.predict_proba(texts)
    columns = [clf.classes.index(c) for c in classes]
    return probs[:, columns] / np.clip(probs[:, columns].sum(axis=1, keepdims=True), 1e-12, None), (
        f"the classifier in {model}" if not isinstance(model, TrainedClassifier) else "a trained classifier"
    )


def review_labels(
    data: PathLike,
    *,
    model: Any = QUICK_MODEL,
    config: ReviewConfig | None = None,
    format: str | None = None,
    encoding: str | None = None,
    **params: Any,
) -> Review:
    """Likely label errors and near-duplicates of a labelled data file.

    Parameters
    ----------
    data : path or registry name
        A labelled file (CSV/TSV/JSONL, fastText, label-first) or ``<class>/*.txt`` folder.
    model : "tfidf", path or TrainedClassifier, default="tfidf"
        ``"tfidf"``: out-of-fold probabilities from a ``folds``-fold TF-IDF + logistic
        regression. A model folder or :class:`~nlptk.classify.predictor.TrainedClassifier`:
        its predictions (in-sample if it was trained on ``data``: a warning says so).
    config : ReviewConfig, optional
        ``folds`` (5), ``duplicate_threshold`` (0.9, TF-IDF cosine), ``seed`` (0); single
        fields can be given as ``**params``.
    format, encoding : str, optional
        As for :func:`~nlptk.text.labelled.load_labelled`.

    Returns
    -------
    Review

    Examples
    --------
    >>> review = review_labels("reviews.csv")                  # doctest: +SKIP
    >>> review.write_csv("review.csv")                         # doctest: +SKIP
    """
    from nlptk.text.labelled import read_labelled_rows

    config = config.replace(**params) if config is not None else ReviewConfig(**params)
    folds = config.folds
    rows, fmt, _, path = read_labelled_rows(data, format=format, encoding=encoding)
    if not rows:
        raise DataError("no labelled examples to review", path=path)
    texts = [t for t, _, _ in rows]
    names = [label for _, label, _ in rows]
    classes = sorted(set(names))
    if len(classes) < 2:
        raise DataError(f"only one class ({classes[0]!r}): no label can be wrong", path=path)
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[n] for n in names], dtype=np.int64)
    warnings: list[str] = []
    if isinstance(model, str) and model == QUICK_MODEL:
        probs = out_of_fold_probabilities(texts, y, len(classes), folds=folds, seed=config.seed)
        source = f"{min(folds, int(np.bincount(y).min()))}-fold TF-IDF + logistic regression (out of fold)"
    else:
        probs, source = _model_probabilities(model, texts, classes)
        warnings.append(
            f"the probabilities come from {source}; if it was trained on this data they are "
            "in-sample, biased towards the given labels, and errors it memorised are missed "
            "(the default k-fold model has no such bias)"
        )
        logger.warning(warnings[-1])
    issues, suggested = find_label_issues(y, probs)
    found: list[ReviewRow] = []
    for i in issues:
        found.append(
            ReviewRow(
                line=rows[i][2],
                text=texts[i],
                given_label=names[i],
                suggested_label=classes[int(suggested[i])],
                score=float(probs[i, y[i]]),
                issue="label",
            )
        )
    for a, b, cosine in near_duplicates(texts, threshold=config.duplicate_threshold):
        same = names[a] == names[b]
        what = "same label" if same else f"labelled {names[a]!r} there"
        found.append(
            ReviewRow(
                line=rows[b][2],
                text=texts[b],
                given_label=names[b],
                suggested_label=names[b] if same else classes[int(probs[b].argmax())],
                score=cosine,
                issue=f"near-duplicate of line {rows[a][2]} ({what})",
            )
        )
    logger.info(
        "review of %d examples (%s, %s): %d likely label errors, %d near-duplicates",
        len(rows),
        fmt,
        source,
        len(issues),
        len(found) - len(issues),
    )
    return Review(found, classes, probs, source, len(rows), warnings)
