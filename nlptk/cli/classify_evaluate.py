"""Commands registered on their group by `register(app)`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this file's commands to ``app``."""
