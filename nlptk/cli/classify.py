"""`nlptk classify`: RNN / LSTM / GRU text classifiers from pretrained vectors.

The commands live in files by theme, each with a ``register(app)``: ``classify_train``
(train, lr-find, predict), ``classify_evaluate`` (evaluate) and
``classify_review`` (review, clean).
"""

from __future__ import annotations

import typer

from nlptk.cli import classify_evaluate, classify_review, classify_train

__all__ = ["app"]

app = typer.Typer(help="RNN / LSTM / GRU text classifiers from pretrained vectors.", no_args_is_help=True)
classify_train.register(app)
classify_evaluate.register(app)
classify_review.register(app)
