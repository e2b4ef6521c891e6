"""Recurrent text classifiers (RNN / LSTM / GRU) that start from pretrained word vectors.

Layers, bottom up:

* :mod:`~nlptk.classify.data` -- tokens, vocabulary, padded length-bucketed batches;
* :mod:`~nlptk.classify.embeddings` -- :func:`match_embeddings` (pretrained rows, coverage);
* :mod:`~nlptk.classify.model` -- :class:`RNNClassifier`;
* :mod:`~nlptk.classify.encoder_model` -- :class:`EncoderClassifier`, a language model's
  encoder under ULMFiT's concat pooling and head (``train_classifier(encoder=...)``);
* :mod:`~nlptk.classify.learner`, :mod:`~nlptk.classify.callbacks`,
  :mod:`~nlptk.classify.lr_finder` -- ``fit``, ``fit_one_cycle``, early stopping,
  checkpoints, the lr finder;
* :mod:`~nlptk.classify.transfer` -- layer groups, gradual unfreezing, discriminative rates;
* :mod:`~nlptk.classify.feature_cache` -- a head-only stage trains on features computed once;
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

from nlptk.classify.config import ClassifierConfig
from nlptk.classify.embeddings import match_embeddings
from nlptk.classify.encoder_model import EncoderClassifier
from nlptk.classify.estimator import TextClassifier
from nlptk.classify.learner import Learner
from nlptk.classify.lr_finder import LRFinderResult, lr_find
from nlptk.classify.model import RNNClassifier
from nlptk.classify.predictor import TrainedClassifier
from nlptk.classify.train import find_learning_rate, train_classifier

__all__ = [
    "ClassifierConfig",
    "EncoderClassifier",
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
