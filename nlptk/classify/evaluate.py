"""Evaluate a trained classifier on labelled data, and export what it sees to the Projector.

* :func:`evaluate_classifier` loads a model folder (or takes a loaded
  :class:`~nlptk.classify.predictor.TrainedClassifier`), reads the data with the model's
  classes, predicts, and returns an :class:`~nlptk.classify.interpret.Interpretation`,
  written to a folder when ``out`` is given.
* :func:`export_classifier_projector` writes the classifier's sentence representations
  (the pooled vector its linear head sees) for a labelled dataset as TensorFlow Embedding
  Projector files, with the text snippet, true label, predicted label and confidence as
  metadata, so one can see how the classifier separates the classes.
* :func:`fasttext_probabilities` gives a fastText supervised model's probabilities in the
  same (n, n_classes) layout, so a baseline can be interpreted the same way. It calls the
  low-level binding (``model.f.predict``): in fasttext-wheel 0.9.2 the single-string
  ``model.predict(text)`` fails under NumPy 2 (``np.array(..., copy=False)``), and the list
  form ``model.predict(texts, k=-1)`` repeats the top probability for every label (its
  labels and top-1 probability are right, so it serves for accuracy and speed).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlptk.classify.interpret import Interpretation, interpret
from nlptk.errors import DataError, ParameterError

if TYPE_CHECKING:
    from nlptk.classify.predictor import TrainedClassifier
    from nlptk.text.labelled import LabelledData

__all__ = [
    "SEEN_DATA_NOTICE",
    "evaluate_classifier",
    "export_classifier_projector",
    "fasttext_probabilities",
    "load_evaluation_data",
    "seen_data",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

#: Characters of each text kept in the Projector metadata.
SNIPPET_CHARS = 100


def _load_model(model: PathLike | TrainedClassifier, device: str = "auto") -> TrainedClassifier:
    from nlptk.classify.predictor import TrainedClassifier

    if isinstance(model, TrainedClassifier):
        return model
    return TrainedClassifier.load(model, device=device)


def load_evaluation_data(
    data: PathLike | LabelledData,
    classes: Sequence[str],
    *,
    encoding: str | None = None,
    format: str | None = None,
) -> LabelledData:
    """Labelled data with class ids that match ``classes`` (the model's).

    A path (or registry name) is read with :func:`nlptk.text.labelled.load_labelled`
    and ``classes=classes``; a :class:`~nlptk.text.labelled.LabelledData` is re-indexed by
    class name.

    Raises
    ------
    DataError
        A label in the data is not one of ``classes`` (a class the model never saw).

    Examples
    --------
    >>> from nlptk.text.labelled import LabelledData
    >>> data = LabelledData(["good", "bad"], [0, 1], ["pos", "neg"])
    >>> load_evaluation_data(data, ["neg", "pos"]).labels
    [1, 0]
    """
    from nlptk.text.labelled import LabelledData, load_labelled

    classes = [str(c) for c in classes]
    if not isinstance(data, LabelledData):
        return load_labelled(data, format=format, encoding=encoding, classes=classes)
    if list(data.classes) == classes:
        return data
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted({data.classes[y] for y in data.labels} - set(index))
    if unknown:
        raise DataError(
            f"the data has label(s) {unknown} that the model was not trained on (its classes: {classes})",
            path=data.source,
            hint="evaluate on data with the training classes, or retrain with these labels",
        )
    labels = [index[data.classes[y]] for y in data.labels]
    return LabelledData(list(data.texts), labels, classes, data.source, dict(data.meta))


#: What ``classify evaluate`` says when it scores data the model has seen (``%s``: the data).
SEEN_DATA_NOTICE = {
    "train": "%s is the data this model was trained on: these scores say how well it fits its training "
    "data, not how well it does on new text; evaluate on held-out data (a test split)",
    "val": "%s is the validation data this model chose its best epoch on: these scores are optimistic; "
    "evaluate on held-out data (a test split) for an unbiased estimate",
}


def seen_data(clf: TrainedClassifier, data: LabelledData) -> str | None:
    """``"train"`` or ``"val"`` when ``data`` is the model's training or validation data, else None.

    Compares :func:`~nlptk.classify.data.data_fingerprint` with the fingerprints the model folder
    keeps (models saved before they were kept give None).
    """
    from nlptk.classify.data import data_fingerprint

    known = clf.info.get("training", {}).get("data") or {}
    if not known:
        return None
    fingerprint = data_fingerprint(data)
    return next((split for split in ("train", "val") if known.get(split) == fingerprint), None)


def evaluate_classifier(
    model: PathLike | TrainedClassifier,
    data: PathLike | LabelledData,
    *,
    out: PathLike | None = None,
    force: bool = False,
    encoding: str | None = None,
    format: str | None = None,
    top: int = 10,
    batch_size: int = 256,
    projector: PathLike | None = None,
    device: str = "auto",
) -> Interpretation:
    """Evaluate a trained classifier on labelled data.

    Parameters
    ----------
    model : str, PathLike or TrainedClassifier
        A saved model folder or a loaded classifier.
    data : str, PathLike or LabelledData
        Labelled data (any layout :func:`~nlptk.text.labelled.load_labelled` reads, or a
        registry name); read with the model's classes.
    out : str or PathLike, optional
        Folder for the report (:meth:`Interpretation.write`); nothing is written when omitted.
    force : bool, default=False
        Replace existing ``out`` / ``projector`` folders.
    encoding : str, optional
        Encoding of ``data`` (UTF-8 unless a registry entry says otherwise).
    format : str, optional
        Format of ``data``; detected when omitted.
    top : int, default=10
        Rows in each example list of the written report.
    batch_size : int, default=256
        Prediction batch size.
    projector : str or PathLike, optional
        Also write the sentence representations as Embedding Projector files there
        (see :func:`export_classifier_projector`).
    device : str, default="auto"
        Device to load the model on (when ``model`` is a path).

    Returns
    -------
    Interpretation

    Raises
    ------
    DataError
        A label in ``data`` that the model was not trained on, or no examples.
    OutputExistsError
        ``out`` or ``projector`` exists and ``force`` is false.

    Examples
    --------
    >>> result = evaluate_classifier("model/", "test.csv", out="eval/")  # doctest: +SKIP
    >>> result.accuracy, result.most_confused()[:3]  # doctest: +SKIP
    """
    from nlptk.io import check_output

    # refuse existing outputs before the (slow) prediction
    for target in (out, projector):
        if target is not None:
            check_output(target, force=force)
    clf = _load_model(model, device)
    dataset = load_evaluation_data(data, clf.classes, encoding=encoding, format=format)
    if len(dataset) == 0:
        raise DataError("no examples to evaluate", path=dataset.source)
    probs = np.asarray(clf.predict_proba(dataset.texts, batch_size=batch_size))
    result = interpret(dataset.texts, dataset.labels, probs, clf.classes)
    result.training_diagnosis = clf.info.get("training", {}).get("diagnosis")
    result.seen_data = seen_data(clf, dataset)
    if result.seen_data is not None:
        logger.warning(SEEN_DATA_NOTICE[result.seen_data], dataset.source or "the data")
    logger.info(
        "evaluated %d examples: accuracy %.4f, macro-F1 %.4f", len(result), result.accuracy, result.macro_f1
    )
    if out is not None:
        result.write(out, force=force, top=top)
    if projector is not None:
        vectors = np.asarray(clf.sentence_vectors(dataset.texts, batch_size=batch_size))
        _write_projector(vectors, result, projector, force=force)
    return result


def _snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())  # tabs and newlines would break the metadata rows
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _write_projector(vectors: np.ndarray, result: Interpretation, out_dir: PathLike, *, force: bool) -> Path:
    from nlptk.export.projector import export_documents

    if vectors.shape[0] != len(result):
        raise DataError(f"got {vectors.shape[0]} sentence vectors for {len(result)} texts")
    metadata = {
        "text": [_snippet(t) for t in result.texts],
        "true_label": [result.classes[y] for y in result.y_true],
        "predicted_label": [result.classes[y] for y in result.y_pred],
        "confidence": [f"{c:.4f}" for c in result.confidence],
    }
    export_documents(vectors, out_dir, metadata=metadata, force=force)
    logger.info("wrote %d sentence representations to %s", len(result), out_dir)
    return Path(out_dir)


def export_classifier_projector(
    model: PathLike | TrainedClassifier,
    data: PathLike | LabelledData,
    out_dir: PathLike,
    *,
    force: bool = False,
    encoding: str | None = None,
    format: str | None = None,
    batch_size: int = 256,
    device: str = "auto",
) -> Interpretation:
    """Write a classifier's sentence representations of labelled data as Projector files.

    One row per example: the pooled vector the classifier's linear head sees
    (:meth:`TrainedClassifier.sentence_vectors`), with metadata columns ``text`` (the first
    100 characters, whitespace collapsed), ``true_label``, ``predicted_label`` and
    ``confidence``. Files as :func:`nlptk.export.projector.export_documents` writes them
    (``vectors.tsv``, ``metadata.tsv`` with a header, projector configs).

    Parameters
    ----------
    model : str, PathLike or TrainedClassifier
    data : str, PathLike or LabelledData
        Read with the model's classes.
    out_dir : str or PathLike
        New folder; an existing one is refused unless ``force``.
    force : bool, default=False
    encoding, format : str, optional
        As for :func:`evaluate_classifier`.
    batch_size : int, default=256
    device : str, default="auto"

    Returns
    -------
    Interpretation
        The evaluation of the same predictions.

    Examples
    --------
    >>> export_classifier_projector("model/", "test.csv", "projector/")  # doctest: +SKIP
    """
    from nlptk.io import check_output

    check_output(out_dir, force=force)
    clf = _load_model(model, device)
    dataset = load_evaluation_data(data, clf.classes, encoding=encoding, format=format)
    if len(dataset) == 0:
        raise DataError("no examples to export", path=dataset.source)
    probs = np.asarray(clf.predict_proba(dataset.texts, batch_size=batch_size))
    result = interpret(dataset.texts, dataset.labels, probs, clf.classes)
    vectors = np.asarray(clf.sentence_vectors(dataset.texts, batch_size=batch_size))
    _write_projector(vectors, result, out_dir, force=force)
    return result


def fasttext_probabilities(
    model: Any,
    texts: Sequence[str],
    classes: Sequence[str],
    *,
    label_prefix: str = "__label__",
) -> np.ndarray:
    """Class probabilities of a fastText supervised model, columns in ``classes`` order.

    Goes through fastText's low-level binding, one line per text, because both Python paths
    of fasttext-wheel 0.9.2 fall short (see the module docstring). Newlines in texts are
    replaced by spaces (fastText reads one line per text).

    Parameters
    ----------
    model : fasttext.FastText._FastText
        A model from ``fasttext.train_supervised``.
    texts : sequence of str
    classes : sequence of str
        Class names, as the labels were written without ``label_prefix``.
    label_prefix : str, default="__label__"

    Returns
    -------
    ndarray of shape (n, n_classes), float64
        Rows sum to 1.

    Raises
    ------
    ParameterError
        The model has a label that is not among ``classes``.

    Examples
    --------
    >>> probs = fasttext_probabilities(ft_model, ["a good film"], ["0", "1"])  # doctest: +SKIP
    """
    classes = [str(c) for c in classes]
    column = {label_prefix + c: j for j, c in enumerate(classes)}
    unknown = sorted(lab for lab in model.get_labels() if lab not in column)
    if unknown:
        raise ParameterError(
            f"the fastText model has labels {unknown} that are not among the classes {classes}",
            hint="pass the class names the model was trained with",
        )
    out = np.zeros((len(texts), len(classes)), dtype=np.float64)
    predict_line = model.f.predict
    for i, text in enumerate(texts):
        line = text.replace("\n", " ").replace("\r", " ") + "\n"
        for prob, label in predict_line(line, -1, 0.0, "strict"):
            out[i, column[label]] = prob
    # fastText's softmax output is float32 with rounding; make rows sum to 1
    sums = out.sum(axis=1, keepdims=True)
    np.divide(out, sums, out=out, where=sums > 0)
    return out
