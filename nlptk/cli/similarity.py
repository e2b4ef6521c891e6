"""`nlptk similarity`: spaCy similarity with any nlptk vectors."""

from __future__ import annotations

import typer

app = typer.Typer(help="spaCy similarity with any nlptk vectors.", no_args_is_help=True)
