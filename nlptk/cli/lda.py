"""`nlptk lda`: LDA (gensim) topics, topic mixtures and document similarity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nlptk.cli._common import console, print_similar_documents, progress_display
from nlptk.cli._params import config_options
from nlptk.cli.topics import CoherenceDocsOpt, CoherenceOpt, coherence_after_training
from nlptk.topics.config import LDAConfig

__all__ = ["app"]

app = typer.Typer(
    help="LDA (gensim): probabilistic topics, topic mixtures and document similarity.", no_args_is_help=True
)

ModelArg = Annotated[Path, typer.Argument(help="An LDA model folder (written by `nlptk lda train`).")]


@app.command("train")
@config_options(LDAConfig)
def train_command(
    corpus: Annotated[
        str,
        typer.Argument(
            help="Corpus: a text file (one document per line), folder, CSV/TSV/JSONL, or a registry name."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write.")],
    tokenizer: Annotated[str, typer.Option(help="regex, whitespace or spacy.")] = "regex",
    encoding: Annotated[str, typer.Option(help="Text encoding of the corpus.")] = "utf-8",
    column: Annotated[str | None, typer.Option(help="Text column of a CSV/TSV/JSONL corpus.")] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Tokens cache folder (default: $NLPTK_CACHE or ~/.cache/nlptk).")
    ] = None,
    coherence: CoherenceOpt = "c_v",
    coherence_docs: CoherenceDocsOpt = 2000,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bars.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing model folder.")] = False,
    *,
    config: LDAConfig,
) -> None:
    """Train LDA on CORPUS (tokenized once into the tokens cache) and save it to --out
    (arrays, JSON and the dictionary as TSV; no pickle)."""
    from nlptk.params import check_choice
    from nlptk.topics.coherence import MEASURES
    from nlptk.topics.train import train_lda

    check_choice("--coherence", coherence, (*MEASURES, "none"))
    with progress_display(not no_progress) as callback:
        model = train_lda(
            corpus,
            out,
            config=config,
            tokenizer={"name": tokenizer},
            encoding=encoding,
            column=column,
            cache_dir=cache_dir,
            force=force,
            progress=callback,
        )
    perplexity = f", perplexity {model.perplexity_[-1]:,.1f}" if model.perplexity_ else ""
    console.print(
        f"LDA ({model.backend_}): {model.n_documents_:,} documents, {len(model.terms_):,} words, "
        f"{config.n_topics} topics, {config.passes} pass{'es' if config.passes > 1 else ''}{perplexity} "
        f"-> {escape(str(out))}"
    )
    _topics_table(model.topics(top_n=8)[:5], title="first topics")
    coherence_after_training(model, Path(model.source_["tokens_file"]), coherence, coherence_docs)


def _topics_table(topics: list[list[tuple[str, float]]], *, title: str, start: int = 0) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("topic", justify="right")
    table.add_column("top words (probability)")
    for i, words in enumerate(topics, start=start):
        table.add_row(str(i), ", ".join(f"{escape(w)} ({p:.3f})" for w, p in words))
    console.print(table)


@app.command("topics")
def topics_command(
    model_dir: ModelArg,
    top: Annotated[int, typer.Option("--top", "-n", help="Words per topic.", min=1)] = 10,
    topics: Annotated[
        int | None, typer.Option("--topics", "-k", help="Show only the first K topics.")
    ] = None,
) -> None:
    """Print each topic's most probable words with their probabilities."""
    from nlptk.topics.persist import load_lda

    model = load_lda(model_dir)
    found = model.topics(top_n=top)
    if topics is not None:
        found = found[: max(topics, 0)]
    for i, words in enumerate(found):
        table = Table(title=f"topic {i}  (alpha {float(model.alpha_[i]):.3g})", title_justify="left")
        table.add_column("#", justify="right")
        table.add_column("word")
        table.add_column("probability", justify="right")
        for rank, (word, p) in enumerate(words, start=1):
            table.add_row(str(rank), escape(word), f"{p:.4f}")
        console.print(table)


def _query_text(query: str | None, file: Path | None, encoding: str) -> str:
    from nlptk.errors import ParameterError

    if (query is None) == (file is None):
        raise ParameterError("give either a query text or --file, not both or neither")
    if file is not None:
        from nlptk.io import iter_lines

        return "\n".join(iter_lines(file, encoding=encoding))
    return query or ""


QueryArg = Annotated[str | None, typer.Argument(help="The text (or use --file).")]
FileOpt = Annotated[Path | None, typer.Option("--file", "-f", help="Read the text from a file.")]
EncodingOpt = Annotated[str, typer.Option(help="Encoding of --file.")]


@app.command("similar")
def similar_command(
    model_dir: ModelArg,
    query: QueryArg = None,
    file: FileOpt = None,
    top: Annotated[int, typer.Option("--top", "-n", help="Documents to show.", min=1)] = 10,
    metric: Annotated[str, typer.Option(help="hellinger (1 - Hellinger distance) or cosine.")] = "hellinger",
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Rank the model's documents by how close their topic mixtures are to the text's."""
    from nlptk.topics.persist import load_lda

    text = _query_text(query, file, encoding)
    model = load_lda(model_dir)
    matches = model.similar_documents(text, top_n=top, metric=metric)
    print_similar_documents(
        matches,
        f"documents nearest the text in topic space ({metric}; {len(model.documents_):,} in the model)",
    )


@app.command("infer")
def infer_command(
    model_dir: ModelArg,
    query: QueryArg = None,
    file: FileOpt = None,
    top: Annotated[int, typer.Option("--top", "-n", help="Topics to show.", min=1)] = 5,
    words: Annotated[int, typer.Option("--words", "-w", help="Words shown per topic.", min=1)] = 8,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Print the topic mixture of a new text: its strongest topics and their words."""
    import numpy as np

    from nlptk.topics.persist import load_lda

    text = _query_text(query, file, encoding)
    model = load_lda(model_dir)
    mixture = model.infer(text)
    topics = model.topics(top_n=words)
    table = Table(title="topic mixture of the text", title_justify="left")
    table.add_column("topic", justify="right")
    table.add_column("share", justify="right")
    table.add_column("top words")
    for i in np.argsort(-mixture, kind="stable")[:top]:
        table.add_row(
            str(int(i)), f"{float(mixture[i]):.3f}", escape(", ".join(w for w, _ in topics[int(i)]))
        )
    console.print(table)
