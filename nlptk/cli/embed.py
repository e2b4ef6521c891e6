"""`nlptk embed`: train, convert, evaluate and query word embeddings.

The commands live in two files by theme: ``embed_train`` (training) and ``embed_vectors``
(convert, eval, similar, analogy); each has a ``register(app)``.
"""

from __future__ import annotations

import typer

from nlptk.cli import embed_train, embed_vectors

app = typer.Typer(help="Train, convert, evaluate and query word embeddings.", no_args_is_help=True)
embed_train.register(app)
embed_vectors.register(app)
