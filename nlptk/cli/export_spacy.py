"""`nlptk export spacy`: vectors as a spaCy pipeline folder. Registered by ``register(app)``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from nlptk.cli._common import console, err_console
from nlptk.cli.similarity import Oov

__all__ = ["register"]


def spacy_command(
    vectors: Annotated[Path, typer.Argument(help="Vectors in any format nlptk loads.")],
    out: Annotated[Path, typer.Argument(help="The pipeline folder to write.")],
    lang: Annotated[str, typer.Option("--lang", help="Language code of the blank pipeline.")] = "en",
    prune: Annotated[
        int | None,
        typer.Option(
            "--prune",
            min=1,
            help="Keep N vectors; map every other word to its nearest kept vector (spaCy's prune_vectors).",
        ),
    ] = None,
    oov: Annotated[
        Oov, typer.Option("--oov", help="Unseen-word policy saved with the component (--with-component).")
    ] = Oov.skip,
    component: Annotated[
        bool,
        typer.Option(
            "--with-component",
            help="Add nlptk's nlptk_vectors component (unseen-word policy, fastText subwords); the "
            "folder then loads only where nlptk is installed. Default: a plain spaCy pipeline.",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing OUT folder.")] = False,
) -> None:
    """Write VECTORS as a spaCy pipeline folder that spacy.load(OUT) opens."""
    from nlptk.io import check_output
    from nlptk.similarity import export_spacy
    from nlptk.vectors.container import Vectors

    check_output(out, force=force)  # fail before loading large vectors
    with err_console.status(f"loading {vectors}"):
        loaded = Vectors.load(vectors)
    with err_console.status(f"writing {out}"):
        info = export_spacy(
            loaded, out, lang=lang, prune=prune, oov=oov.value, component=component, force=force
        )
    pruned = f", {info.remapped} words mapped to their nearest kept vector" if info.remapped else ""
    console.print(
        f"wrote {escape(str(info.path))}: {info.n_words} words, {info.n_rows} vectors x {info.dim} dims"
        f"{pruned} ({info.seconds:.1f} s); load it with spacy.load({escape(repr(str(info.path)))})",
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add ``spacy`` to the ``nlptk export`` group."""
    app.command("spacy")(spacy_command)
