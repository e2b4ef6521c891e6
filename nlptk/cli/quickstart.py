"""`nlptk quickstart`: train, explore, evaluate and save word vectors in seconds, no download."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from nlptk.cli._common import console, progress_display
from nlptk.embed.quickstart import QUICKSTART_CORPUS, run_quickstart

__all__ = ["quickstart"]


def quickstart(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the vectors.")] = Path(
        "nlptk-quickstart"
    ),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Tokens cache folder (default $NLPTK_CACHE).")
    ] = None,
) -> None:
    """Train word2vec on a small news corpus shipped with gensim, show neighbours, evaluate, save."""
    console.print(
        f"[bold]nlptk quickstart[/]: word2vec (skip-gram) on [cyan]{QUICKSTART_CORPUS}[/] "
        "(300 news articles shipped with gensim, no download)"
    )
    # the progress bars show the epochs: the per-epoch log lines would only bury the tables
    # (`nlptk -v quickstart` shows them)
    nlptk_logger = logging.getLogger("nlptk")
    level = nlptk_logger.level
    if not ctx.find_root().params.get("verbose"):
        nlptk_logger.setLevel(max(level, logging.WARNING))
    try:
        with progress_display() as callback:
            result = run_quickstart(out, force=force, cache_dir=cache_dir, progress=callback)
    finally:
        nlptk_logger.setLevel(level)
    meta = result.vectors.meta
    console.print(
        f"{meta['corpus']['tokens']:,} tokens -> {len(result.vectors):,} words x {result.vectors.dim} dims "
        f"in {sum(meta['timings'].values()):.1f} s"
    )
    table = Table(title="Nearest neighbours (cosine similarity)", title_justify="left")
    table.add_column("word", style="bold")
    table.add_column("neighbours")
    for word, neighbours in result.neighbours.items():
        table.add_row(word, ", ".join(f"{w} ({s:.2f})" for w, s in neighbours))
    console.print(table)
    _render_evaluation(result.evaluation)
    console.print(
        f"Vectors written to [bold]{result.out}/[/] (native format, plus vectors.txt in word2vec text "
        f"format).\nNext: [cyan]nlptk embed similar {result.out} police[/], or train on your own text with "
        f"[cyan]nlptk embed train FILE --out DIR[/]."
    )


def _render_evaluation(report: dict[str, Any]) -> None:
    table = Table(title="Evaluation (a 60,000-token corpus knows few benchmark words)", title_justify="left")
    table.add_column("benchmark", style="bold")
    table.add_column("score", justify="right")
    table.add_column("coverage", justify="right")
    for key, label in (("wordsim", "WordSim353 Spearman"), ("simlex", "SimLex-999 Spearman")):
        entry = report.get(key)
        if entry:
            score = "n/a" if entry.get("spearman") is None else f"{entry['spearman']:.3f}"
            table.add_row(label, score, f"{entry['scored']}/{entry['pairs']} pairs ({entry['coverage']:.0%})")
    entry = report.get("analogies")
    if entry:
        score = "n/a" if entry.get("accuracy") is None else f"{entry['accuracy']:.1%}"
        table.add_row(
            "Google analogies accuracy",
            score,
            f"{entry['scored']:,}/{entry['questions']:,} questions ({entry['coverage']:.0%})",
        )
    console.print(table)
