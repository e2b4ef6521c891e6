"""`nlptk lsa`: LSA: TF-IDF + truncated SVD topics and document similarity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from nlptk.cli._common import console, print_similar_documents
from nlptk.cli.topics import CoherenceDocsOpt, CoherenceOpt, coherence_after_training

__all__ = ["app"]

app = typer.Typer(help="LSA: TF-IDF + truncated SVD topics and document similarity.", no_args_is_help=True)


@app.command("train")
def train_command(
    corpus: Annotated[
        str,
        typer.Argument(
            help="Corpus: a text file (one document per line), folder, CSV/TSV/JSONL, or a registry name."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write.")],
    topics: Annotated[int, typer.Option("--topics", "-k", help="Number of topics (SVD components).")] = 100,
    tokenizer: Annotated[str, typer.Option(help="regex, whitespace or spacy.")] = "regex",
    encoding: Annotated[str, typer.Option(help="Text encoding of the corpus.")] = "utf-8",
    column: Annotated[str | None, typer.Option(help="Text column of a CSV/TSV/JSONL corpus.")] = None,
    min_df: Annotated[
        float, typer.Option(help="Ignore terms in fewer documents (>= 1: a count, < 1: a share).")
    ] = 1,
    max_df: Annotated[
        float, typer.Option(help="Ignore terms in more documents (<= 1: a share, > 1: a count).")
    ] = 1.0,
    max_features: Annotated[int | None, typer.Option(help="Keep only the most frequent terms.")] = None,
    sublinear_tf: Annotated[
        bool, typer.Option("--sublinear-tf/--raw-tf", help="1 + log(tf) or raw counts.")
    ] = True,
    seed: Annotated[int, typer.Option(help="Random seed of the SVD.")] = 0,
    coherence: CoherenceOpt = "c_v",
    coherence_docs: CoherenceDocsOpt = 2000,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing model folder.")] = False,
) -> None:
    """Fit LSA on CORPUS and save the model (arrays and JSON, no pickle) to --out."""
    from nlptk.embed.lsa_train import fit_lsa
    from nlptk.params import check_choice
    from nlptk.topics.coherence import MEASURES, model_tokens

    check_choice("--coherence", coherence, (*MEASURES, "none"))

    def as_df(value: float, share_if_at_most_one: bool) -> int | float:
        if share_if_at_most_one:
            return float(value) if value <= 1 else int(value)
        return float(value) if value < 1 else int(value)

    with console.status("fitting TF-IDF + truncated SVD..."):
        model = fit_lsa(
            corpus,
            out,
            n_topics=topics,
            tokenizer={"name": tokenizer},
            encoding=encoding,
            column=column,
            force=force,
            min_df=as_df(min_df, False),
            max_df=as_df(max_df, True),
            max_features=max_features,
            sublinear_tf=sublinear_tf,
            seed=seed,
        )
    console.print(
        f"LSA: {model.n_documents_:,} documents, {len(model.terms_):,} terms, {topics} topics "
        f"({100 * float(model.explained_variance_ratio_.sum()):.1f}% of the variance) -> {escape(str(out))}"
    )
    _topics_table(model.topics(top_n=8)[:5], model.explained_variance_ratio_, title="first topics")
    if coherence != "none":
        tokens = model_tokens(model, corpus, encoding=encoding, column=column)
        coherence_after_training(model, tokens, coherence, coherence_docs)


def _topics_table(
    topics: list[list[tuple[str, float]]], variance: Any, *, title: str, start: int = 0
) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("topic", justify="right")
    table.add_column("variance", justify="right")
    table.add_column("top terms (weight)")
    for i, terms in enumerate(topics, start=start):
        text = ", ".join(f"{escape(t)} ({w:.2f})" for t, w in terms)
        table.add_row(str(i), f"{100 * float(variance[i]):.1f}%", text)
    console.print(table)


@app.command("topics")
def topics_command(
    model_dir: Annotated[Path, typer.Argument(help="An LSA model folder.")],
    top: Annotated[int, typer.Option("--top", "-n", help="Terms per topic.")] = 10,
    topics: Annotated[
        int | None, typer.Option("--topics", "-k", help="Show only the first K topics.")
    ] = None,
) -> None:
    """Print each topic's top terms with their weights."""
    from nlptk.embed.lsa import LSA

    model = LSA.load(model_dir)
    found = model.topics(top_n=top)
    if topics is not None:
        found = found[: max(topics, 0)]
    for i, terms in enumerate(found):
        share = 100 * float(model.explained_variance_ratio_[i])
        table = Table(title=f"topic {i}  ({share:.1f}%)", title_justify="left")
        table.add_column("#", justify="right")
        table.add_column("term")
        table.add_column("weight", justify="right")
        for rank, (term, weight) in enumerate(terms, start=1):
            table.add_row(str(rank), escape(term), f"{weight:.4f}")
        console.print(table)


@app.command("similar")
def similar_command(
    model_dir: Annotated[Path, typer.Argument(help="An LSA model folder.")],
    query: Annotated[str | None, typer.Argument(help="Query text (or use --file).")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the query text from a file.")
    ] = None,
    top: Annotated[int, typer.Option("--top", "-n", help="Documents to show.")] = 10,
    encoding: Annotated[str, typer.Option(help="Encoding of --file.")] = "utf-8",
) -> None:
    """Rank the model's documents by similarity to a query text."""
    from nlptk.embed.lsa import LSA
    from nlptk.errors import ParameterError

    if (query is None) == (file is None):
        raise ParameterError("give either a query text or --file, not both or neither")
    if file is not None:
        from nlptk.io import iter_lines

        query = "\n".join(iter_lines(file, encoding=encoding))
    model = LSA.load(model_dir)
    matches = model.similar_documents(query or "", top_n=top)
    print_similar_documents(
        matches, f"documents most similar to the query ({len(model.documents_):,} in the model)"
    )
