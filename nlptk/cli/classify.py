"""`nlptk classify`: RNN / LSTM / GRU text classifiers from pretrained vectors."""

from __future__ import annotations

import typer

app = typer.Typer(help="RNN / LSTM / GRU text classifiers from pretrained vectors.", no_args_is_help=True)
