"""`nlptk topics`: what LSA and LDA models share: topic coherence and the topics figure."""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nlptk.cli._common import console

__all__ = ["CoherenceChoice", "app", "coherence_after_training", "print_coherence"]

app = typer.Typer(help="Topic models (LSA, LDA): coherence and figures.", no_args_is_help=True)


class CoherenceChoice(StrEnum):
    """The measures ``--measure`` / ``--coherence`` accept."""

    c_v = "c_v"
    u_mass = "u_mass"
    c_npmi = "c_npmi"


def print_coherence(results: list, *, per_topic: bool = True, topics: list[list[str]] | None = None) -> None:
    """One table: a row per topic and measure, then the overall score and the sample used."""
    if not results:
        return
    first = results[0]
    if per_topic:
        table = Table(title="topic coherence", title_justify="left")
        table.add_column("topic", justify="right")
        for r in results:
            table.add_column(r.measure, justify="right")
        table.add_column("top words scored")
        for i in range(len(first.per_topic)):
            cells = ["-" if math.isnan(r.per_topic[i]) else f"{r.per_topic[i]:.4f}" for r in results]
            words = " ".join((topics or first.topics)[i][:8]) if (topics or first.topics) else ""
            table.add_row(str(i), *cells, escape(words))
        console.print(table)
    sample = (
        f"a random sample of {first.documents:,} of the {first.documents_total:,} documents"
        if first.sampled
        else f"all {first.documents:,} documents"
    )
    scores = ", ".join(f"{r.measure} {r.overall:.4f}" for r in results)
    console.print(f"coherence (top {first.top_n} words, mean over topics): {scores}; counted on {sample}")


def coherence_after_training(model: object, tokens: Path, measure: str | None, max_documents: int) -> None:
    """The coherence line ``lsa train`` and ``lda train`` print at the end (one measure, a sample)."""
    if measure is None or measure == "none":
        return
    from nlptk.topics.coherence import topic_coherence

    with console.status(f"scoring topic coherence ({measure})..."):
        result = topic_coherence(model, tokens, measure=str(measure), max_documents=max_documents)
    print_coherence([result], per_topic=False)


CoherenceOpt = Annotated[
    str,
    typer.Option(
        "--coherence",
        help="Coherence measure printed at the end: c_v, u_mass, c_npmi, or none.",
        case_sensitive=False,
    ),
]
CoherenceDocsOpt = Annotated[
    int, typer.Option("--coherence-docs", help="Documents sampled for that coherence score.", min=1)
]


@app.command("coherence")
def coherence_command(
    model_dir: Annotated[Path, typer.Argument(help="An LSA or LDA model folder.")],
    corpus: Annotated[
        str | None,
        typer.Argument(
            help="Corpus to count on (default: the model's training corpus, when it recorded it)."
        ),
    ] = None,
    measure: Annotated[
        list[CoherenceChoice] | None,
        typer.Option("--measure", "-m", help="c_v, u_mass or c_npmi; repeat for several. [default: c_v]"),
    ] = None,
    top: Annotated[int, typer.Option("--top", "-n", help="Top words per topic.", min=2)] = 10,
    max_documents: Annotated[
        int,
        typer.Option(
            "--max-documents", help="Count on a seeded random sample of this many documents.", min=1
        ),
    ] = 2000,
    all_documents: Annotated[bool, typer.Option("--all-documents", help="Count on every document.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 0,
    encoding: Annotated[str, typer.Option(help="Text encoding of CORPUS.")] = "utf-8",
    column: Annotated[str | None, typer.Option(help="Text column of a CSV/TSV/JSONL CORPUS.")] = None,
) -> None:
    """Score each topic's coherence (gensim's CoherenceModel) and the mean over topics."""
    from nlptk.topics.coherence import coherence_for_folder

    measures = [m.value for m in measure] if measure else ["c_v"]
    with console.status("scoring topic coherence..."):
        results = coherence_for_folder(
            model_dir,
            corpus,
            measures=measures,
            top_n=top,
            max_documents=None if all_documents else max_documents,
            seed=seed,
            encoding=encoding,
            column=column,
        )
    print_coherence(results)


@app.command("plot")
def plot_command(
    model_dir: Annotated[Path, typer.Argument(help="An LSA or LDA model folder.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Image to write (.png, .svg, .pdf).")],
    top: Annotated[int, typer.Option("--top", "-n", help="Words per topic.", min=1)] = 10,
    topics: Annotated[
        int | None, typer.Option("--topics", "-k", help="Only the first K topics (default: all, at most 50).")
    ] = None,
    columns: Annotated[int, typer.Option(help="Panels per row.", min=1)] = 5,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing image.")] = False,
) -> None:
    """Draw a grid with one panel per topic: its top words as bars of their weights."""
    from nlptk.topics.figure import plot_topics
    from nlptk.topics.persist import load_topic_model

    model = load_topic_model(model_dir)
    path = plot_topics(model, out, top_n=top, n_topics=topics, columns=columns, force=force)
    console.print(f"wrote {escape(str(path))}")
