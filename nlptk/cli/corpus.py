"""`nlptk corpus`: Corpora: statistics and the registry of named corpora."""

from __future__ import annotations

import typer

app = typer.Typer(help="Corpora: statistics and the registry of named corpora.", no_args_is_help=True)
