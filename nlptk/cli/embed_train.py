"""`nlptk embed train`: train word vectors with word2vec, fastText, GloVe or LSA.

Method-specific options are passed only to the method that takes them; giving one to
another method is an error ("--x-max applies to glove only").
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from nlptk.cli._common import console, progress_display
from nlptk.embed.pipeline import FORMAT_FILES, METHOD_PARAMETERS, METHODS, train
from nlptk.errors import ParameterError

__all__ = ["collect_method_params", "register", "train_command"]

# option flag -> parameter name of the trainer protocol
_FLAGS: dict[str, str] = {
    "--dim": "dim",
    "--window": "window",
    "--min-count": "min_count",
    "--epochs": "epochs",
    "--workers": "workers",
    "--seed": "seed",
    "--lr": "lr",
    "--sg/--cbow": "sg",
    "--hs": "hs",
    "--negative": "negative",
    "--sample": "sample",
    "--deterministic": "deterministic",
    "--minn": "minn",
    "--maxn": "maxn",
    "--word-ngrams": "word_ngrams",
    "--bucket": "bucket",
    "--max-vocab": "max_vocab",
    "--x-max": "x_max",
    "--alpha": "alpha",
    "--memory": "memory",
    "--device": "device",
    "--output": "output",
    "--cooccurrence": "cooccurrence",
    "--topics": "dim",
}
_LSA_ONLY = {"--topics"}


def collect_method_params(method: str, given: dict[str, Any]) -> dict[str, Any]:
    """Map the options given on the command line (flag -> value, ``None`` = not given) to the
    method's parameters, refusing options that belong to other methods.

    Raises
    ------
    ParameterError
        An unknown method, or an option the method does not take.
    """
    if method not in METHODS:
        raise ParameterError(f"unknown method {method!r}", hint=f"use one of {', '.join(sorted(METHODS))}")
    params: dict[str, Any] = {}
    for flag, value in given.items():
        if value is None:
            continue
        name = _FLAGS[flag]
        takers = (
            ["lsa"] if flag in _LSA_ONLY else sorted(m for m, ns in METHOD_PARAMETERS.items() if name in ns)
        )
        if flag == "--sg/--cbow" and method == "fasttext":  # fastText names the choice "model"
            params["model"] = "skipgram" if value else "cbow"
            continue
        if flag == "--dim" and method == "lsa" and given.get("--topics") is not None:
            raise ParameterError("give either --topics or --dim for lsa, not both")
        if flag == "--sg/--cbow":
            takers = ["fasttext", "word2vec"]
            flag = "--sg" if value else "--cbow"
        if method not in takers:
            only = " and ".join(takers)
            raise ParameterError(f"{flag} applies to {only} only", hint=f"remove it for --method {method}")
        params[name] = value
    return params


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
    dim: Annotated[int | None, typer.Option(help="Vector dimensions.")] = None,
    window: Annotated[int | None, typer.Option(help="Context window.")] = None,
    min_count: Annotated[int | None, typer.Option(help="Ignore rarer words.")] = None,
    epochs: Annotated[int | None, typer.Option(help="Passes over the corpus.")] = None,
    workers: Annotated[int | None, typer.Option(help="Threads.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    lr: Annotated[float | None, typer.Option(help="Initial learning rate.")] = None,
    sg: Annotated[bool | None, typer.Option("--sg/--cbow", help="Skip-gram or CBOW.")] = None,
    hs: Annotated[bool | None, typer.Option("--hs/--no-hs", help="word2vec: hierarchical softmax.")] = None,
    negative: Annotated[int | None, typer.Option(help="Negative samples.")] = None,
    sample: Annotated[float | None, typer.Option(help="Down-sampling threshold.")] = None,
    deterministic: Annotated[
        bool | None, typer.Option("--deterministic", help="word2vec: one thread, reproducible vectors.")
    ] = None,
    minn: Annotated[int | None, typer.Option(help="fastText: shortest character n-gram.")] = None,
    maxn: Annotated[int | None, typer.Option(help="fastText: longest character n-gram (0: none).")] = None,
    word_ngrams: Annotated[int | None, typer.Option(help="fastText: word n-grams.")] = None,
    bucket: Annotated[int | None, typer.Option(help="fastText: n-gram hash buckets.")] = None,
    max_vocab: Annotated[int | None, typer.Option(help="GloVe: keep the most frequent words.")] = None,
    x_max: Annotated[float | None, typer.Option(help="GloVe: weighting cut-off.")] = None,
    alpha: Annotated[float | None, typer.Option(help="GloVe: weighting exponent.")] = None,
    memory: Annotated[float | None, typer.Option(help="GloVe: memory for counting, in GB.")] = None,
    device: Annotated[str | None, typer.Option(help="GloVe: auto, cpu or cuda.")] = None,
    output: Annotated[str | None, typer.Option(help="GloVe: W+C or W.")] = None,
    cooccurrence: Annotated[
        Path | None, typer.Option(help="GloVe: reuse a saved co-occurrence matrix.")
    ] = None,
    topics: Annotated[int | None, typer.Option(help="LSA: number of topics.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Tokens cache folder (default $NLPTK_CACHE).")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder of named corpora (default $NLPTK_DATA).")
    ] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bars.")] = False,
) -> None:
    """Train word vectors on CORPUS and write them to --out.

    The corpus is tokenized once into a cache that later runs reuse. The output folder holds
    the vectors in nlptk's native format, the extra --format files, meta.json (the run
    manifest) and, for fastText, model.bin (vectors for unseen words).
    """
    given = {
        "--dim": dim,
        "--window": window,
        "--min-count": min_count,
        "--epochs": epochs,
        "--workers": workers,
        "--seed": seed,
        "--lr": lr,
        "--sg/--cbow": sg,
        "--hs": hs,
        "--negative": negative,
        "--sample": sample,
        "--deterministic": deterministic,
        "--minn": minn,
        "--maxn": maxn,
        "--word-ngrams": word_ngrams,
        "--bucket": bucket,
        "--max-vocab": max_vocab,
        "--x-max": x_max,
        "--alpha": alpha,
        "--memory": memory,
        "--device": device,
        "--output": output,
        "--cooccurrence": cooccurrence,
        "--topics": topics,
    }
    from nlptk.distributed import env_rank

    params = collect_method_params(method, given)
    tok: dict[str, Any] = {"name": tokenizer}
    if lowercase is not None:
        tok["lowercase"] = lowercase
    started = time.perf_counter()
    with progress_display(not no_progress and env_rank() == 0) as callback:
        vectors = train(
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
            **params,
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


def register(app: typer.Typer) -> None:
    """Add this file's commands to ``app``."""
    app.command("train")(train_command)
