"""`nlptk vectors`: the zoo of pretrained word vectors (list, download)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nlptk.cli._common import console, print_wide, progress_display

__all__ = ["app"]

app = typer.Typer(
    help="Pretrained word vectors: GloVe, fastText, word2vec (list, download).", no_args_is_help=True
)

DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Data folder (default: $NLPTK_DATA, else ~/nlptk_data).", file_okay=False
    ),
]


@app.command("list")
def list_command(
    data_dir: DataDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The vectors nlptk can download: dimension, words, download size, license, and whether they are here."""
    from nlptk.vectors.zoo import list_vectors, zoo_path

    entries = list_vectors()
    rows = []
    for e in entries:
        here = zoo_path(e.name, data_dir=data_dir).exists()
        item = e.downloads[0] if e.downloads else {}
        rows.append(
            {
                "name": e.name,
                "dim": e.extra.get("dim"),
                "words": e.extra.get("words"),
                "download": e.extra.get("download_size") or "?",
                "subwords": bool(e.extra.get("subwords")),
                "license": e.license,
                "checksum": "sha256" if item.get("sha256") else "md5" if item.get("md5") else "unknown",
                "url": item.get("url"),
                "downloaded": here,
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="Pretrained vectors (nlptk vectors download NAME)", title_justify="left")
    for column in ("name", "dim", "words", "download", "subwords", "license", "checksum", "here"):
        table.add_column(
            column, justify="right" if column in ("dim", "words") else "left", no_wrap=column == "name"
        )
    for r in rows:
        table.add_row(
            escape(r["name"]),
            str(r["dim"]),
            f"{r['words']:,}" if r["words"] else "?",
            r["download"],
            "yes" if r["subwords"] else "",
            escape(str(r["license"]).split(" (")[0]),
            r["checksum"],
            "yes" if r["downloaded"] else "",
        )
    print_wide(table)


@app.command("download")
def download_command(
    name: Annotated[str, typer.Argument(help="A name from `nlptk vectors list`.")],
    data_dir: DataDirOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Download and convert again.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
) -> None:
    """Download pretrained vectors (resuming a broken-off download), check them, convert them once."""
    from nlptk.vectors.zoo import download_vectors

    with progress_display(progress) as callback:
        folder = download_vectors(name, data_dir=data_dir, force=force, progress=callback)
    console.print(
        f"{name} is ready in {folder}; load it with nlptk.load_vectors({name!r}) or --vectors {folder}",
        markup=False,
        highlight=False,
    )
