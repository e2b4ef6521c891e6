""":class:`TextClassifier`: the RNN classifier as a scikit-learn estimator.

It takes raw texts (``X``, a list of strings) and any labels (``y``), so it fits in
``cross_val_score``, ``GridSearchCV`` and ``Pipeline`` next to a TF-IDF baseline. Its
parameters mirror :class:`~nlptk.classify.config.ClassifierConfig`, plus ``vectors`` and ``encoder``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from nlptk.classify.config import ClassifierConfig
from nlptk.classify.predictor import TrainedClassifier
from nlptk.errors import DataError, NotFittedError
from nlptk.params import ParamsEstimatorMixin, estimator_init
from nlptk.vectors.container import Vectors

__all__ = ["TextClassifier"]

PathLike = str | os.PathLike[str]


def _texts(X: Any) -> list[str]:
    if isinstance(X, str):
        raise DataError("X must be a list of texts, got one string", hint="wrap it in a list: [text]")
    texts = [x if isinstance(x, str) else str(x) for x in np.asarray(X, dtype=object).reshape(-1)]
    return texts


class TextClassifier(ParamsEstimatorMixin, ClassifierMixin, BaseEstimator):
    """An RNN / LSTM / GRU text classifier with scikit-learn's interface.

    Parameters
    ----------
    vectors : Vectors or path, optional
        Pretrained vectors (a :class:`~nlptk.vectors.container.Vectors` or a file any nlptk
        loader reads); ``None`` starts from random embeddings of ``embedding_dim``.
    **settings
        Every field of :class:`~nlptk.classify.config.ClassifierConfig` (``cell``,
        ``hidden_size``, ``epochs``, ``lr``, ...), keyword-only, with its default; ``tokenizer``
        may also be a tokenizer name such as ``"whitespace"`` (``None``: the default regex one).
    encoder : LanguageModel or path, optional
        A language model (or its folder): the classifier starts from its embedding and
        recurrent layers (ULMFiT; see :func:`~nlptk.classify.training.train_classifier`) and
        tokenizes as it does; ``vectors`` then give rows for the task's words it lacks.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in ``fit``, sorted.
    classifier_ : TrainedClassifier
        The trained model (``classifier_.save(path)`` writes a model folder).
    history_ : list of dict
        Per-epoch training records.

    Examples
    --------
    >>> from sklearn.model_selection import cross_val_score
    >>> scores = cross_val_score(TextClassifier(epochs=3), texts, labels, cv=3)  # doctest: +SKIP
    """

    # the parameters are ClassifierConfig's fields (plus ``vectors``): derived, never restated
    __init__ = estimator_init(
        ClassifierConfig, leading={"vectors": None}, extra={"encoder": None}, overrides={"tokenizer": None}
    )

    def _config(self) -> ClassifierConfig:
        from nlptk.text.tokenize import get_tokenizer

        names = [f.name for f in dataclasses.fields(ClassifierConfig) if f.name != "tokenizer"]
        settings = {name: getattr(self, name) for name in names}
        return ClassifierConfig(**settings, tokenizer=get_tokenizer(self.tokenizer).to_config())

    def _vectors(self) -> Vectors | None:
        if self.vectors is None or isinstance(self.vectors, Vectors):
            return self.vectors
        from nlptk.vectors.formats import load_vectors

        return load_vectors(self.vectors)

    def fit(self, X: Sequence[str], y: Sequence[Any]) -> TextClassifier:
        """Train on texts ``X`` and labels ``y`` (a seeded 10% of them for validation).

        Returns
        -------
        self
        """
        from nlptk.classify.training import train_classifier
        from nlptk.text.labelled import LabelledData

        texts = _texts(X)
        labels = np.asarray(y).reshape(-1)
        if len(labels) != len(texts):
            raise DataError(f"{len(texts)} texts but {len(labels)} labels; give one label per text")
        self.classes_, indices = np.unique(labels, return_inverse=True)
        data = LabelledData(texts, indices.tolist(), [str(c) for c in self.classes_], source="X")
        self.classifier_ = train_classifier(
            data, vectors=self._vectors(), encoder=self.encoder, config=self._config()
        )
        self.history_ = self.classifier_.history
        return self

    def _check_fitted(self) -> TrainedClassifier:
        if not hasattr(self, "classifier_"):
            raise NotFittedError(
                "this TextClassifier is not fitted yet", hint="call fit(texts, labels) before predicting"
            )
        return self.classifier_

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Class probabilities, shape ``(n_texts, n_classes)``, columns in ``classes_`` order."""
        return self._check_fitted().predict_proba(_texts(X))

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """The most probable label of each text (values from ``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def transform(self, X: Sequence[str]) -> np.ndarray:
        """The pooled sentence representation of each text (features for another model)."""
        return self._check_fitted().sentence_vectors(_texts(X))
