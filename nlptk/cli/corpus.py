"""`nlptk corpus`: corpus statistics and the registry of named corpora.

Every command takes a path or a registry name (``lee_background``, ``sst2:test``); named
corpora are looked for in ``--data-dir`` (default ``$NLPTK_DATA`` or ``~/nlptk_data``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nlptk.cli._common import console, err_console, print_wide
from nlptk.text.registry import (
    default_corpus,
    default_data_dir,
    download_corpus,
    find_local,
    list_corpora,
    resolve_corpus,
)
from nlptk.text.stats import corpus_stats
from nlptk.text.tokenize import get_tokenizer

__all__ = ["app"]

app = typer.Typer(help="Corpora: statistics and the registry of named corpora.", no_args_is_help=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder holding downloaded corpora (default: $NLPTK_DATA, else ~/nlptk_data).",
        file_okay=False,
    ),
]


def _count(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


@app.command("stats")
def stats(
    corpus: Annotated[str, typer.Argument(help="A text file, folder, CSV/TSV/JSONL file or registry name.")],
    tokenizer: Annotated[
        str, typer.Option("--tokenizer", "-t", help="Tokenizer: regex (default), whitespace or spacy.")
    ] = "regex",
    lowercase: Annotated[
        bool | None,
        typer.Option(
            "--lowercase/--no-lowercase",
            help="Lowercase tokens (default: the tokenizer's own; whitespace does not lowercase).",
        ),
    ] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", "-e", help="Text encoding of the files (e.g. latin-1).")
    ] = "utf-8",
    column: Annotated[
        str | None, typer.Option("--column", "-c", help="Text column of a CSV/TSV/JSONL file.")
    ] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=0, help="How many frequent words to list.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Documents, tokens, vocabulary size and the most frequent words of a corpus."""
    tok = get_tokenizer(tokenizer) if lowercase is None else get_tokenizer(tokenizer, lowercase=lowercase)
    result = corpus_stats(corpus, tok, top=top, encoding=encoding, column=column, data_dir=data_dir)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return

    summary = Table(title=f"Corpus statistics: {corpus}", show_header=False, title_justify="left")
    summary.add_column("measure", style="bold")
    summary.add_column("value", justify="right")
    share_hapax = result.hapax / result.vocabulary_size if result.vocabulary_size else 0.0
    rows = [
        ("documents", _count(result.documents)),
        ("tokens", _count(result.tokens)),
        ("vocabulary size", _count(result.vocabulary_size)),
        ("types seen once", f"{result.hapax:,} ({share_hapax:.1%})"),
        ("document length: mean", f"{result.mean_length:,.1f}"),
        ("document length: median", f"{result.median_length:,.1f}"),
        ("document length: min / max", f"{result.min_length:,} / {result.max_length:,}"),
    ]
    if result.empty_documents:
        rows.append(("documents with no token", _count(result.empty_documents)))
    for key, share in result.coverage.items():
        rows.append((f"tokens covered by the {key.split('_')[1]} most frequent", f"{share:.1%}"))
    rows.append(("tokenizer", ", ".join(f"{k}={v}" for k, v in result.tokenizer.items())))
    rows.append(("read in", f"{result.seconds:.2f} s"))
    for name, value in rows:
        summary.add_row(name, value)
    console.print(summary)

    if result.top:
        freq = Table(title=f"{len(result.top)} most frequent words", title_justify="left")
        freq.add_column("rank", justify="right")
        freq.add_column("word")
        freq.add_column("count", justify="right")
        freq.add_column("share", justify="right")
        freq.add_column("cumulative", justify="right")
        cumulative = 0
        for rank, (word, count) in enumerate(result.top, start=1):
            cumulative += count
            freq.add_row(
                str(rank),
                word,
                f"{count:,}",
                f"{count / result.tokens:.2%}",
                f"{cumulative / result.tokens:.1%}",
            )
        console.print(freq)


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """The named corpora nlptk knows, and whether each is available here."""
    infos = list_corpora()
    default = default_corpus()
    if as_json:
        out = [{**i.to_dict(), "local_path": _local(i.name, data_dir)} for i in infos]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    wide = console.width >= 130 or not console.is_terminal  # a pipe or a file gets every column
    title = f"Named corpora (* default; data folder: {data_dir or default_data_dir()})"
    table = Table(title=title, title_justify="left")
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("docs", justify="right", no_wrap=True)
    table.add_column("words", justify="right", no_wrap=True)
    table.add_column("splits", min_width=6)
    table.add_column("here", no_wrap=True)
    if wide:
        table.add_column("description", overflow="fold")
    for info in infos:
        status = "download" if info.downloadable else "no"
        if _local(info.name, data_dir) is not None:
            status = info.shipped_by or "yes"
        name = f"{info.name} *" if info.name == default else info.name
        kind = info.kind if info.kind == "text" else info.format
        row = [name, kind, _count(info.documents), _count(info.tokens), ", ".join(info.splits), status]
        table.add_row(*row, *([info.title] if wide else []))
    print_wide(table)
    console.print(
        "words: whitespace-separated, as the source counts them (wc -w); `nlptk corpus stats` counts "
        "tokens with a tokenizer, so its numbers differ",
        soft_wrap=True,
    )


def _local(name: str, data_dir: Path | None) -> str | None:
    path = find_local(name, data_dir=data_dir)
    return None if path is None else str(path)


@app.command("path")
def path(
    name: Annotated[str, typer.Argument(help="Registry name, optionally with a split: sst2:test.")],
    data_dir: DataDirOption = None,
) -> None:
    """Print the local path of a named corpus (fails if it is not here)."""
    typer.echo(str(resolve_corpus(name, data_dir=data_dir)))


@app.command("download")
def download(
    name: Annotated[str, typer.Argument(help="Registry name (see `nlptk corpus list`).")],
    data_dir: DataDirOption = None,
    force: Annotated[bool, typer.Option("--force", help="Download again even if present.")] = False,
) -> None:
    """Download a named corpus into the data folder, checking its size and checksum."""
    target = data_dir or default_data_dir()
    err_console.print(f"downloading [bold]{name}[/] into {target} ...")
    path = download_corpus(name.split(":", 1)[0], data_dir=target, force=force)
    typer.echo(str(path))


@app.command("make-topics")
def make_topics(
    out: Annotated[Path, typer.Argument(help="Folder to write: train.csv and test.csv (text,label).")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing folder.")] = False,
) -> None:
    """Write a labelled example: lee_background's sentences with their article's topic.

    Articles are labelled by keyword rules (nlptk.text.examples.TOPIC_WORDS): about 1,200
    sentences in six topics. Whole articles go to test.csv, so its sentences come from articles
    that training never sees.
    """
    from nlptk.text.examples import make_topic_dataset

    data = make_topic_dataset(out, force=force)
    table = Table(title=f"{out}: sentences of {data.articles} labelled articles", title_justify="left")
    table.add_column("topic", style="bold")
    table.add_column("train.csv", justify="right")
    table.add_column("test.csv", justify="right")
    for topic in data.train:
        table.add_row(topic, f"{data.train[topic]:,}", f"{data.test.get(topic, 0):,}")
    table.add_row("all", f"{sum(data.train.values()):,}", f"{sum(data.test.values()):,}", style="bold")
    console.print(table)
