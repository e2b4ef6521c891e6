"""`nlptk export`: the TensorFlow Embedding Projector, plots, and spaCy pipelines.

Commands live in ``export_projector`` (projector, plot) and ``export_spacy`` (spacy); each
has a ``register(app)``.
"""

from __future__ import annotations

import typer

from nlptk.cli import export_projector, export_spacy

app = typer.Typer(
    help="Export vectors: Embedding Projector TSV, plots, spaCy pipelines.", no_args_is_help=True
)
export_projector.register(app)
export_spacy.register(app)
