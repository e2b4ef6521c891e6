"""`nlptk embed train`: train word vectors with word2vec, fastText, GloVe or LSA.

The options come from each method's declaration (:mod:`nlptk.embed.params`); an option is
passed only to the method that takes it, and giving one to another method is an error
("--x-max applies to glove only").
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from nlptk.cli._common import console, progress_display
from nlptk.cli._params import method_options
from nlptk.embed.params import METHOD_PARAMS
from nlptk.embed.pipeline import FORMAT_FILES, train_embeddings
from nlptk.params import Params

__all__ = ["register", "train_command"]


def train_command(
    corpus: Annotated[str, typer.Argument(help="Text file, folder, CSV/TSV/JSONL file, or registry name.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (refused if it exists).")],
    method: Annotated[
        str, typer.Option("--method", "-m", help="word2vec, fasttext, glove or lsa.")
    ] = "word2vec",
    format: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help=f"Extra format (repeatable): {', '.join(sorted(FORMAT_FILES))}."),
    ] = None,
    tokenizer: Annotated[str, typer.Option(help="regex, whitespace or spacy.")] = "regex",
    lowercase: Annotated[
        bool | None, typer.Option("--lowercase/--no-lowercase", help="Lowercase tokens.")
    ] = None,
    encoding: Annotated[str, typer.Option(help="Text encoding of the corpus.")] = "utf-8",
    column: Annotated[str | None, typer.Option(help="Text column of a CSV/TSV/JSONL corpus.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Tokens cache folder (default $NLPTK_CACHE).")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder of named corpora (default $NLPTK_DATA).")
    ] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bars.")] = False,
    *,
    config: Params,
) -> None:
    """Train word vectors on CORPUS and write them to --out.

    The corpus is tokenized once into a cache that later runs reuse. The output folder holds
    the vectors in nlptk's native format, the extra --format files, meta.json (the run
    manifest) and, for fastText, model.bin (vectors for unseen words). Each method's options
    are listed with the methods that take them; giving one to another method is an error.
    """
    from nlptk.launch_env import env_rank  # not nlptk.distributed: word2vec needs no torch

    tok: dict[str, Any] = {"name": tokenizer}
    if lowercase is not None:
        tok["lowercase"] = lowercase
    started = time.perf_counter()
    with progress_display(not no_progress and env_rank() == 0) as callback:
        vectors = train_embeddings(
            corpus,
            method,
            out=out,
            formats=tuple(format or ()),
            tokenizer=tok,
            encoding=encoding,
            cache_dir=cache_dir,
            force=force,
            progress=callback,
            column=column,
            data_dir=data_dir,
            config=config,
        )
    if env_rank() == 0:  # under torchrun, rank 0 alone shows the summary
        _render_summary(vectors.meta, out, time.perf_counter() - started)


def _render_summary(meta: dict[str, Any], out: Path, seconds: float) -> None:
    corpus = meta.get("corpus", {})
    timings = meta.get("timings", {})
    table = Table(title=f"{meta.get('method')} vectors", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("corpus", f"{corpus.get('path')} ({corpus.get('documents'):,} documents, "
                  f"{corpus.get('tokens'):,} tokens)")  # fmt: skip
    cached = " (cached)" if corpus.get("tokens_cache_reused") else ""
    table.add_row("vocabulary", f"{meta.get('vocab_size'):,} words x {meta.get('dim')} dims")
    table.add_row(
        "time",
        f"{seconds:.1f} s: tokenize {timings.get('tokenize', 0):.1f} s{cached}, "
        f"train {timings.get('train', 0):.1f} s, write {timings.get('write', 0):.1f} s",
    )
    if meta.get("words_per_s"):
        table.add_row("speed", f"{meta['words_per_s']:,} words/s")
    table.add_row("peak memory", f"{meta.get('peak_memory_mb', 0):,.0f} MB")
    files = ["vectors.npy", "vocab.tsv", "meta.json", *meta.get("files", [])]
    table.add_row("written", f"{out}/  ({', '.join(files)})")
    console.print(table)


train_command = method_options(
    METHOD_PARAMS, aliases={"--topics": ("lsa", "dim", "LSA: number of topics (another name for --dim).")}
)(train_command)


def register(app: typer.Typer) -> None:
    """Add this file's commands to ``app``."""
    app.command("train")(train_command)
