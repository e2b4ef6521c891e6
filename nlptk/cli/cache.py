"""`nlptk cache`: see and clear the tokens cache (``$NLPTK_CACHE``, else ``~/.cache/nlptk``).

Every corpus that ``embed train``, ``lsa train`` or ``quickstart`` reads is tokenized once into
this cache and reused while the file and the tokenizer are unchanged; entries are safe to
delete (they are remade when needed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nlptk.cli._common import console, print_wide
from nlptk.embed.tokens_cache import clear_cache, default_cache_dir, list_cache

__all__ = ["app"]

app = typer.Typer(
    help="The tokens cache: corpora tokenized once and reused ($NLPTK_CACHE, else ~/.cache/nlptk).",
    no_args_is_help=True,
)

CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir", help="Cache folder (default: $NLPTK_CACHE, else ~/.cache/nlptk).", file_okay=False
    ),
]


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def _tokenizer_text(config: dict[str, object]) -> str:
    name = str(config.get("name", "?"))
    extra = ", ".join(f"{k}={v}" for k, v in config.items() if k != "name")
    return f"{name} ({extra})" if extra else name


@app.command("list")
def list_command(
    cache_dir: CacheDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The tokenized corpora in the cache: source, tokenizer, counts and disk space."""
    folder = cache_dir or default_cache_dir()
    entries = list_cache(folder)
    if as_json:
        typer.echo(json.dumps([e.to_dict() for e in entries], indent=2, ensure_ascii=False))
        return
    total = sum(e.bytes for e in entries)
    table = Table(
        title=f"Tokens cache {folder}: {len(entries)} entries, {_size(total)}", title_justify="left"
    )
    table.add_column("key", no_wrap=True)
    table.add_column("source", overflow="fold")
    table.add_column("tokenizer", overflow="fold")
    table.add_column("docs", justify="right")
    table.add_column("tokens", justify="right")
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("created", no_wrap=True)
    for e in entries:
        source = escape(e.source or "?") + ("" if e.source_exists else " [red](gone)[/]")
        table.add_row(
            e.key[:12],
            source,
            escape(_tokenizer_text(e.tokenizer)),
            "" if e.documents is None else f"{e.documents:,}",
            "" if e.tokens is None else f"{e.tokens:,}",
            _size(e.bytes),
            (e.created or "")[:16].replace("T", " "),
        )
    print_wide(table)
    if entries:
        console.print("Delete with [cyan]nlptk cache clear[/] (all), a key, or --missing (sources gone).")


@app.command("clear")
def clear_command(
    keys: Annotated[
        list[str] | None,
        typer.Argument(help="Entries to delete (a key or its first characters); default: all."),
    ] = None,
    missing: Annotated[
        bool, typer.Option("--missing", help="Only the entries whose source corpus no longer exists.")
    ] = False,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Delete tokens-cache entries; a corpus is tokenized again the next time it is used."""
    folder = cache_dir or default_cache_dir()
    removed = clear_cache(folder, keys=list(keys or []), missing_only=missing)
    freed = sum(e.bytes for e in removed)
    console.print(f"deleted {len(removed)} entries ({_size(freed)}) from {folder}")
