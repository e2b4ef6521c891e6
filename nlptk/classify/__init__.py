"""Recurrent text classifiers (RNN / LSTM / GRU) that start from pretrained word vectors.

Layers, bottom up:

* :mod:`~nlptk.classify.data` -- tokens, vocabulary, padded length-bucketed batches;
* :mod:`~nlptk.classify.embeddings` -- :func:`match_embeddings` (pretrained rows, coverage);
* :mod:`~nlptk.classify.model` -- :class:`RNNClassifierNet`;
* :mod:`~nlptk.classify.encoder_model` -- :class:`EncoderClassifierNet`, a language model's
  encoder under ULMFiT's concat pooling and head (``train_classifier(encoder=...)``);
* :mod:`~nlptk.classify.learner`, :mod:`~nlptk.classify.callbacks`,
  :mod:`~nlptk.classify.lr_finder` -- ``fit``, ``fit_one_cycle``, early stopping,
  checkpoints, the lr finder;
* :mod:`~nlptk.classify.transfer` -- layer groups, gradual unfreezing, discriminative rates;
* :mod:`~nlptk.classify.feature_cache` -- a head-only stage trains on features computed once;
* :mod:`~nlptk.classify.training` -- :func:`train_classifier`, :func:`find_learning_rate`;
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

from nlptk._lazy import lazy_getattr

# public name -> module that defines it, imported on first use so that importing
# ``nlptk.classify.config`` (the command line does, to derive its options) does not load torch
_LAZY = {
    "ClassifierConfig": "nlptk.classify.config",
    "EncoderClassifierNet": "nlptk.classify.encoder_model",
    "LRFinderResult": "nlptk.classify.lr_finder",
    "Learner": "nlptk.classify.learner",
    "RNNClassifierNet": "nlptk.classify.model",
    "TextClassifier": "nlptk.classify.estimator",
    "TrainedClassifier": "nlptk.classify.predictor",
    "find_learning_rate": "nlptk.classify.training",
    "load_classifier": "nlptk.classify.predictor",
    "lr_find": "nlptk.classify.lr_finder",
    "match_embeddings": "nlptk.classify.embeddings",
    "train_classifier": "nlptk.classify.training",
}

__all__ = [
    "ClassifierConfig",
    "EncoderClassifierNet",
    "LRFinderResult",
    "Learner",
    "RNNClassifierNet",
    "TextClassifier",
    "TrainedClassifier",
    "find_learning_rate",
    "load_classifier",
    "lr_find",
    "match_embeddings",
    "train_classifier",
]


# names imported on first use (nlptk._lazy); old names kept for one release (nlptk._deprecated)
__getattr__ = lazy_getattr(
    __name__,
    _LAZY,
    renamed={
        "RNNClassifier": "nlptk.classify.model.RNNClassifierNet",
        "EncoderClassifier": "nlptk.classify.encoder_model.EncoderClassifierNet",
    },
)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
