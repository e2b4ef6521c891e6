"""Recurrent text classifiers (RNN / LSTM / GRU) that start from pretrained word vectors.

Layers, bottom up:

* :mod:`~nlptk.classify.data` -- tokens, vocabulary, padded length-bucketed batches;
* :mod:`~nlptk.classify.embeddings` -- :func:`match_embeddings` (pretrained rows, coverage);
* :mod:`~nlptk.classify.model` -- :class:`RNNClassifier`;
* :mod:`~nlptk.classify.learner`, :mod:`~nlptk.classify.callbacks`,
  :mod:`~nlptk.classify.lr_finder` -- ``fit``, ``fit_one_cycle``, early stopping,
  checkpoints, the lr finder;
* :mod:`~nlptk.classify.train` -- :func:`train_classifier`, :func:`find_learning_rate`;
* :mod:`~nlptk.classify.predictor` -- :class:`TrainedClassifier` (load, predict, save);
* :mod:`~nlptk.classify.estimator` -- :class:`TextClassifier`, a scikit-learn estimator.

Example
-------
>>> from nlptk.classify import ClassifierConfig, train_classifier       # doctest: +SKIP
>>> clf = train_classifier(train, vectors=vectors, config=ClassifierConfig(cell="gru"),
...                        out="sentiment-model")                       # doctest: +SKIP
>>> clf.predict(["a moving, beautifully acted film"])                    # doctest: +SKIP
['pos']
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module that defines it, imported on first use so that importing
# ``nlptk.classify.config`` (the command line does, to derive its options) does not load torch
_LAZY = {
    "ClassifierConfig": "nlptk.classify.config",
    "LRFinderResult": "nlptk.classify.lr_finder",
    "Learner": "nlptk.classify.learner",
    "RNNClassifier": "nlptk.classify.model",
    "TextClassifier": "nlptk.classify.estimator",
    "TrainedClassifier": "nlptk.classify.predictor",
    "find_learning_rate": "nlptk.classify.train",
    "lr_find": "nlptk.classify.lr_finder",
    "match_embeddings": "nlptk.classify.embeddings",
    "train_classifier": "nlptk.classify.train",
}

__all__ = [
    "ClassifierConfig",
    "LRFinderResult",
    "Learner",
    "RNNClassifier",
    "TextClassifier",
    "TrainedClassifier",
    "find_learning_rate",
    "lr_find",
    "match_embeddings",
    "train_classifier",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nlptk.classify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
