"""`nlptk classify`: RNN / LSTM / GRU text classifiers from pretrained vectors.

Training, the lr finder and prediction are defined here; `evaluate` lives in
``classify_evaluate`` and is added by its ``register(app)``.
"""

from __future__ import annotations

import typer

from nlptk.cli import classify_evaluate

app = typer.Typer(help="RNN / LSTM / GRU text classifiers from pretrained vectors.", no_args_is_help=True)
classify_evaluate.register(app)
