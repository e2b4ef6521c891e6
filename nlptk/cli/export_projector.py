"""`nlptk export projector` and `nlptk export plot`: Embedding Projector files and 2-D scatter plots.

Commands registered on their group by `register(app)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from nlptk.cli._common import console

__all__ = ["plot_command", "projector_command", "register"]


def _split_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


def _extra_columns(metadata_file: Path | None, encoding: str) -> dict[str, Any] | None:
    if metadata_file is None:
        return None
    from nlptk.export.projector import read_metadata_table

    return dict(read_metadata_table(metadata_file, encoding=encoding))


def projector_command(
    vectors: Annotated[
        Path, typer.Argument(help="Vectors (any format nlptk reads), or an LSA or LDA model folder.")
    ],
    out: Annotated[Path, typer.Argument(help="Output folder for the Projector files.")],
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", help="Only the N most frequent words.")
    ] = None,
    words: Annotated[
        Path | None, typer.Option("--words", "-w", help="File with the words to export, one per line.")
    ] = None,
    metadata: Annotated[
        str | None,
        typer.Option(
            "--metadata",
            "-m",
            help="Metadata columns, comma-separated: word, count, rank, or columns of --metadata-file.",
        ),
    ] = None,
    metadata_file: Annotated[
        Path | None,
        typer.Option(help="TSV with a header: the word, then extra columns (e.g. a cluster id)."),
    ] = None,
    normalize: Annotated[bool, typer.Option("--normalize", help="Scale vectors to unit length.")] = False,
    documents: Annotated[
        bool, typer.Option("--documents", help="LSA or LDA model: export its document vectors instead.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail when --words lists unknown words (default: warn).")
    ] = False,
    encoding: Annotated[str, typer.Option(help="Encoding of --words and --metadata-file.")] = "utf-8",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
) -> None:
    """Write vectors.tsv, metadata.tsv and the Projector configs to OUT.

    Open projector.tensorflow.org and load vectors.tsv and metadata.tsv, or run
    `tensorboard --logdir OUT` (projector_config.pbtxt).
    """
    from nlptk.errors import ParameterError
    from nlptk.export.projector import export_lsa_documents, export_projector, read_word_list

    if documents:
        from nlptk.embed.lsa import is_lsa_model
        from nlptk.topics.persist import is_lda_model

        if not (is_lsa_model(vectors) or is_lda_model(vectors)):
            raise ParameterError(f"--documents needs an LSA or LDA model folder; {vectors} is not one")
        if words is not None or metadata is not None or metadata_file is not None:
            raise ParameterError("--words, --metadata and --metadata-file do not apply with --documents")
        result = export_lsa_documents(vectors, out, limit=limit, normalize=normalize, force=force)
    else:
        word_list = read_word_list(words, encoding=encoding) if words is not None else None
        result = export_projector(
            vectors,
            out,
            limit=limit,
            words=word_list,
            metadata=_split_list(metadata),
            extra_columns=_extra_columns(metadata_file, encoding),
            normalize=normalize,
            force=force,
            on_missing="error" if strict else "warn",
        )
    console.print(
        f"wrote {result.n_rows:,} x {result.dim} vectors with metadata ({', '.join(result.columns)}) "
        f"to {escape(str(out))}"
    )


def plot_command(
    vectors: Annotated[Path, typer.Argument(help="Vectors (any format nlptk reads) or an LSA model folder.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Figure to write (.png, .svg, .pdf).")],
    words: Annotated[
        str | None,
        typer.Option("--words", "-w", help="Comma-separated words, or a file with one word per line."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", help="The N most frequent words (default 100).")
    ] = None,
    method: Annotated[str, typer.Option("--method", help="pca or tsne.")] = "pca",
    color_by: Annotated[
        str | None, typer.Option("--color-by", help="Metadata column to colour by (count, rank, ...).")
    ] = None,
    metadata_file: Annotated[
        Path | None,
        typer.Option(help="TSV with a header: the word, then extra columns (e.g. a cluster id)."),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Figure title.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (t-SNE).")] = 0,
    encoding: Annotated[str, typer.Option(help="Encoding of the words file and --metadata-file.")] = "utf-8",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing figure.")] = False,
) -> None:
    """Draw a labelled 2-D scatter (PCA or t-SNE) of chosen or frequent words."""
    from nlptk.errors import ParameterError
    from nlptk.export.plots import plot_vectors
    from nlptk.export.projector import read_word_list

    if method not in ("pca", "tsne"):
        raise ParameterError(f"unknown --method {method!r}", hint="use pca or tsne")
    word_list = None
    if words is not None:
        is_file = "," not in words and Path(words).is_file()
        word_list = read_word_list(Path(words), encoding=encoding) if is_file else _split_list(words)
        if not word_list:
            raise ParameterError("--words lists no words")
    result = plot_vectors(
        vectors,
        out,
        words=word_list,
        limit=limit,
        method=method,  # type: ignore[arg-type]
        color_by=color_by,
        extra_columns=_extra_columns(metadata_file, encoding),
        title=title,
        seed=seed,
        force=force,
    )
    console.print(f"drew {result.n_points} points ({method}) to {escape(str(result.path))}")


def register(app: typer.Typer) -> None:
    """Add this file's commands (projector, plot) to ``app``."""
    app.command("projector")(projector_command)
    app.command("plot")(plot_command)
