"""`nlptk similarity`: spaCy similarity with any nlptk vectors.

Command lines::

    nlptk similarity TEXT_A TEXT_B --vectors V [--oov skip|zero|subword] [--lang en | --pipeline NAME]
    nlptk similarity --file A.txt --file B.txt --vectors V
    nlptk similarity --pairs pairs.tsv --vectors V [--out scores.csv]
    nlptk similarity matrix FILE --vectors V [--out matrix.csv] [--heatmap fig.png]
    nlptk similarity words WORD --vectors V [--topn N]

How: ``similarity`` is a typer group whose class, :class:`DefaultCommandGroup`, sends any
first argument that is not a subcommand name (``matrix``, ``words``, ``score``) to the
default command ``score``. So ``nlptk similarity "a cat" "a dog" --vectors V`` runs
``score``, while ``nlptk similarity matrix ...`` runs ``matrix``. To score a text that is
literally "matrix" or "words", name the default command: ``nlptk similarity score matrix
words --vectors V``. A subcommand name must come first (``nlptk similarity words cat
--vectors V``, not ``nlptk similarity --vectors V words cat``, which scores "words" against
"cat").
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from nlptk.cli._common import console, err_console
from nlptk.errors import DataError, ParameterError
from nlptk.io import check_input_file, check_output, iter_lines

__all__ = ["DefaultCommandGroup", "app"]


class DefaultCommandGroup(TyperGroup):
    """A command group that runs ``default_command`` when the first argument is not a subcommand."""

    default_command = "score"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return ["TEXT_A TEXT_B --vectors V [OPTIONS] | COMMAND [ARGS]..."]


app = typer.Typer(
    cls=DefaultCommandGroup,
    help=(
        "spaCy similarity with any nlptk vectors. Without a command, scores two texts "
        "(TEXT_A TEXT_B, --file A --file B, or --pairs FILE.tsv); see `score --help`."
    ),
    no_args_is_help=True,
)


class Oov(enum.StrEnum):
    """Unseen-word policy."""

    skip = "skip"
    zero = "zero"
    subword = "subword"


VectorsOpt = Annotated[
    Path, typer.Option("--vectors", "-V", help="Vectors in any format nlptk loads (file or folder).")
]
OovOpt = Annotated[
    Oov,
    typer.Option(
        "--oov",
        help="Unseen words: skip them in the average, count them as zero vectors (spaCy's way), "
        "or build them from subwords (fastText .bin).",
    ),
]
LangOpt = Annotated[
    str | None, typer.Option("--lang", help="Language code of a blank spaCy pipeline (default: en).")
]
PipelineOpt = Annotated[
    str | None, typer.Option("--pipeline", help="An installed spaCy pipeline name or a pipeline folder.")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace existing output files.")]
EncodingOpt = Annotated[str, typer.Option("--encoding", help="Encoding of the text files read.")]


def _pipeline(vectors_path: Path, oov: Oov, lang: str | None, pipeline: str | None) -> Any:
    from nlptk.similarity import use_vectors
    from nlptk.vectors.container import Vectors

    if lang is not None and pipeline is not None:
        raise ParameterError("give --lang or --pipeline, not both")
    with err_console.status(f"loading {vectors_path}"):
        vectors = Vectors.load(vectors_path)
        return use_vectors(vectors, pipeline if pipeline is not None else (lang or "en"), oov=oov.value)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _score_text(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.4f}"


def _read_text_file(path: Path, encoding: str) -> str:
    p = check_input_file(path, allow_empty=True, what="text file")
    text = "\n".join(iter_lines(p, encoding=encoding))
    if not text.strip():
        raise DataError("the text file is empty (only blank lines)", path=p, hint="give a file with text")
    return text


@app.command("score")
def score(
    text_a: Annotated[str | None, typer.Argument(help="First text.", show_default=False)] = None,
    text_b: Annotated[str | None, typer.Argument(help="Second text.", show_default=False)] = None,
    vectors: VectorsOpt = ...,  # type: ignore[assignment]
    file: Annotated[
        list[Path] | None, typer.Option("--file", "-f", help="Read a text from a file (give it twice).")
    ] = None,
    pairs: Annotated[
        Path | None, typer.Option("--pairs", help="TSV of text pairs (two columns, optional header).")
    ] = None,
    header: Annotated[
        bool | None,
        typer.Option("--header/--no-header", help="Whether --pairs has a header (default: guess)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the --pairs scores as CSV.")] = None,
    oov: OovOpt = Oov.skip,
    lang: LangOpt = None,
    pipeline: PipelineOpt = None,
    force: ForceOpt = False,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Similarity of two texts (the default command), with the coverage of each."""
    from nlptk.similarity import read_pairs, score_pairs, similarity, write_pairs_csv

    given = [bool(text_a is not None or text_b is not None), bool(file), pairs is not None]
    if sum(given) != 1:
        raise ParameterError("give two texts, or --file A --file B, or --pairs FILE.tsv (one of them)")
    if out is not None and pairs is None:
        raise ParameterError("--out is for --pairs; a single score is printed")
    if pairs is not None:
        if out is not None:
            check_output(out, force=force, file=True)
        items = read_pairs(pairs, header=header, encoding=encoding)
        nlp = _pipeline(vectors, oov, lang, pipeline)
        results = score_pairs(items, nlp)
        missing = sum(r.score is None for r in results)
        if out is not None:
            write_pairs_csv(items, results, out, force=force)
            err_console.print(
                f"wrote {len(results)} scores to {escape(str(out))}", highlight=False, soft_wrap=True
            )
        else:
            table = Table("line", "score", "coverage A", "coverage B", "text A", "text B", "note")
            for item, r in zip(items, results, strict=True):
                table.add_row(
                    str(item.line),
                    _score_text(r.score),
                    _pct(r.coverage_a),
                    _pct(r.coverage_b),
                    escape(_short(item.text_a)),
                    escape(_short(item.text_b)),
                    escape(r.reason or ""),
                )
            console.print(table)
        if missing:
            err_console.print(
                f"[yellow]warning:[/] {missing} of {len(results)} pairs have no score "
                "(a text without known words)",
                highlight=False,
                soft_wrap=True,
            )
        return
    if file:
        if len(file) != 2:
            raise ParameterError(f"--file needs exactly two files (A and B), got {len(file)}")
        text_a, text_b = _read_text_file(file[0], encoding), _read_text_file(file[1], encoding)
    elif text_a is None or text_b is None:
        raise ParameterError("give two texts: TEXT_A TEXT_B")
    nlp = _pipeline(vectors, oov, lang, pipeline)
    result = similarity(text_a, text_b, nlp)
    if result.score is None:
        raise DataError(
            f"no similarity: {result.reason}",
            hint="check the texts' language and case, or use fastText .bin vectors with --oov subword",
        )
    console.print(
        f"similarity [bold]{result.score:.4f}[/]  (coverage: A {_pct(result.coverage_a)}, "
        f"B {_pct(result.coverage_b)} of tokens have a vector)",
        highlight=False,
        soft_wrap=True,
    )


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command("matrix")
def matrix(
    file: Annotated[Path, typer.Argument(help="Texts, one per line (blank lines are skipped).")],
    vectors: VectorsOpt = ...,  # type: ignore[assignment]
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the matrix as CSV.")] = None,
    heatmap: Annotated[Path | None, typer.Option("--heatmap", help="Write a heat-map PNG.")] = None,
    oov: OovOpt = Oov.skip,
    lang: LangOpt = None,
    pipeline: PipelineOpt = None,
    force: ForceOpt = False,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Similarity matrix of the texts in FILE (CSV and a heat map on request)."""
    from nlptk.similarity import plot_similarity_heatmap, read_texts, similarity_matrix, write_matrix_csv

    for output in (out, heatmap):  # all outputs checked before the first is written
        if output is not None:
            check_output(output, force=force, file=True)
    if out is not None and heatmap is not None and out.resolve() == heatmap.resolve():
        raise ParameterError("--out and --heatmap name the same file", path=out)
    lines, texts = read_texts(file, encoding=encoding)
    nlp = _pipeline(vectors, oov, lang, pipeline)
    result = similarity_matrix(texts, nlp)
    labels = [str(n) for n in lines]
    if out is not None:
        write_matrix_csv(result, labels, out, force=force)
        err_console.print(
            f"wrote {len(texts)} x {len(texts)} matrix to {escape(str(out))}", highlight=False, soft_wrap=True
        )
    if heatmap is not None:
        plot_similarity_heatmap(result.scores, heatmap, labels=labels, force=force)
        err_console.print(f"wrote heat map to {escape(str(heatmap))}", highlight=False, soft_wrap=True)
    if out is None and heatmap is None:
        if len(texts) <= 12:
            table = Table("line", *labels, "coverage")
            for i, label in enumerate(labels):
                cells = ["n/a" if s != s else f"{s:.3f}" for s in result.scores[i]]
                table.add_row(label, *cells, _pct(result.coverage[i]))
            console.print(table)
        else:
            console.print(f"{len(texts)} x {len(texts)} matrix computed; write it with --out matrix.csv")
    console.print(f"mean coverage {_pct(float(result.coverage.mean()))} over {len(texts)} texts")
    if result.missing:
        shown = ", ".join(labels[i] for i in result.missing[:10])
        more = "…" if len(result.missing) > 10 else ""
        err_console.print(
            f"[yellow]warning:[/] {len(result.missing)} texts have no known words "
            f"(lines {shown}{more}); their rows are empty (nan)",
            highlight=False,
            soft_wrap=True,
        )


@app.command("words")
def words(
    word: Annotated[str, typer.Argument(help="The word to find neighbours of.")],
    vectors: VectorsOpt = ...,  # type: ignore[assignment]
    topn: Annotated[int, typer.Option("--topn", "-n", min=1, help="How many neighbours.")] = 10,
    oov: OovOpt = Oov.skip,
    lang: LangOpt = None,
    pipeline: PipelineOpt = None,
) -> None:
    """Nearest words through spaCy's Vectors.most_similar."""
    from nlptk.similarity import most_similar_words

    nlp = _pipeline(vectors, oov, lang, pipeline)
    neighbours = most_similar_words(word, nlp, topn=topn)
    table = Table("rank", "word", "similarity", title=f"nearest to {escape(word)!r}")
    for rank, (other, sim) in enumerate(neighbours, start=1):
        table.add_row(str(rank), escape(other), f"{sim:.4f}")
    console.print(table)
