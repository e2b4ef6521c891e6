"""`nlptk lsa`: LSA: TF-IDF + truncated SVD topics and document similarity."""

from __future__ import annotations

import typer

app = typer.Typer(help="LSA: TF-IDF + truncated SVD topics and document similarity.", no_args_is_help=True)
