"""`nlptk embed convert|eval|similar|analogy`: work with vectors files of any format.

Thin over :mod:`nlptk.vectors`: each command loads vectors with
:func:`~nlptk.vectors.load_vectors`, calls one library function and renders the result.
Errors (unknown words, malformed files) are turned into one-line messages by the root app.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from nlptk.cli._common import console
from nlptk.vectors import FORMATS, Vectors, evaluate_vectors, load_vectors, save_vectors
from nlptk.vectors.container import ANALOGY_TOPN

__all__ = ["register"]

_FORMAT_HELP = "One of: " + ", ".join(FORMATS) + "."

VectorsArg = Annotated[
    Path,
    typer.Argument(metavar="VECTORS", help="Vectors file or folder (format detected).", show_default=False),
]
FromOpt = Annotated[
    str | None, typer.Option("--from", help="Input format (default: detected). " + _FORMAT_HELP)
]
LimitOpt = Annotated[int | None, typer.Option("--limit", min=1, help="Read only the first N words.")]
EncodingOpt = Annotated[str, typer.Option("--encoding", help="Encoding of the words in text files.")]
TrustOpt = Annotated[
    bool, typer.Option("--trust", help="Allow gensim .kv/.model files (pickles: they can run code).")
]
TopnOpt = Annotated[int, typer.Option("--topn", "-n", min=1, help="Number of neighbours to show.")]


def _load(path: Path, fmt: str | None, limit: int | None, encoding: str, trust: bool) -> Vectors:
    return load_vectors(path, fmt, limit=limit, encoding=encoding, trust=trust)


def convert(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="IN", help="Vectors to read (format detected unless --from).", show_default=False
        ),
    ],
    target: Annotated[
        Path, typer.Argument(metavar="OUT", help="File or folder to write.", show_default=False)
    ],
    to: Annotated[str, typer.Option("--to", help="Output format. " + _FORMAT_HELP)] = "native",
    from_format: FromOpt = None,
    limit: LimitOpt = None,
    precision: Annotated[
        int | None,
        typer.Option(
            "--precision", min=1, max=17, help="Significant digits in text output (default: exact)."
        ),
    ] = None,
    encoding: EncodingOpt = "utf-8",
    trust: TrustOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
) -> None:
    """Convert vectors between formats (word2vec text/binary, GloVe, fastText, spaCy, native)."""
    vectors = _load(source, from_format, limit, encoding, trust)
    save_vectors(vectors, target, to, force=force, precision=precision)
    console.print(f"wrote {len(vectors):,} words x {vectors.dim} dims as [bold]{to}[/] to {target}")


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _coverage(part: int, whole: int) -> str:
    return f"{part:,} / {whole:,} ({part / whole:.1%})" if whole else "-"


def _eval_table(report: dict[str, Any]) -> Table:
    table = Table(title=f"{report['vectors']['n_words']:,} words x {report['vectors']['dim']} dims")
    table.add_column("benchmark")
    table.add_column("metric")
    table.add_column("score", justify="right")
    table.add_column("scored / total", justify="right")
    for key, title in (("wordsim", "WordSim353"), ("simlex", "SimLex-999")):
        if key in report:
            r = report[key]
            name = (
                title
                if Path(r["file"]).name == {"wordsim": "wordsim353.tsv", "simlex": "simlex999.txt"}[key]
                else r["file"]
            )
            table.add_row(name, "Spearman", _fmt(r["spearman"]), _coverage(r["scored"], r["pairs"]))
            table.add_row("", "Pearson", _fmt(r["pearson"]), "")
    if "analogies" in report:
        r = report["analogies"]
        name = "Google analogies" if Path(r["file"]).name == "questions-words.txt" else r["file"]
        table.add_row(name, "accuracy", _fmt(r["accuracy"]), _coverage(r["scored"], r["questions"]))
        for part in ("semantic", "syntactic"):
            sub = r[part]
            if sub["questions"]:
                table.add_row(
                    "", f"  {part}", _fmt(sub["accuracy"]), _coverage(sub["scored"], sub["questions"])
                )
    return table


def evaluate(
    vectors_path: VectorsArg,
    wordsim: Annotated[
        Path | None, typer.Option("--wordsim", help="Word-pair file (default: WordSim353).")
    ] = None,
    simlex: Annotated[
        Path | None, typer.Option("--simlex", help="Word-pair file (default: SimLex-999).")
    ] = None,
    analogies: Annotated[
        Path | None, typer.Option("--analogies", help="Analogy file (default: Google's questions-words).")
    ] = None,
    skip_analogies: Annotated[
        bool, typer.Option("--skip-analogies", help="Skip the analogy test (slow on large vocabularies).")
    ] = False,
    restrict_vocab: Annotated[
        int, typer.Option("--restrict-vocab", min=1, help="Only the first N words count as known.")
    ] = 300_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    from_format: FromOpt = None,
    limit: LimitOpt = None,
    encoding: EncodingOpt = "utf-8",
    trust: TrustOpt = False,
) -> None:
    """Spearman on WordSim353 and SimLex-999, accuracy on the Google analogies, with coverage."""
    vectors = _load(vectors_path, from_format, limit, encoding, trust)
    report = evaluate_vectors(
        vectors,
        wordsim=wordsim,
        simlex=simlex,
        analogies=False if skip_analogies else analogies,
        restrict_vocab=restrict_vocab,
        encoding=encoding,
    )
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        console.print(_eval_table(report))


def _neighbour_table(title: str, neighbours: list[tuple[str, float]]) -> Table:
    table = Table(title=title)
    table.add_column("#", justify="right")
    table.add_column("word")
    table.add_column("cosine", justify="right")
    for rank, (word, score) in enumerate(neighbours, start=1):
        table.add_row(str(rank), word, f"{score:.4f}")
    return table


def similar(
    vectors_path: VectorsArg,
    words: Annotated[
        list[str], typer.Argument(metavar="WORD...", help="Words to look up.", show_default=False)
    ],
    topn: TopnOpt = 10,
    from_format: FromOpt = None,
    limit: LimitOpt = None,
    encoding: EncodingOpt = "utf-8",
    trust: TrustOpt = False,
) -> None:
    """Nearest neighbours of each WORD, one table per word."""
    vectors = _load(vectors_path, from_format, limit, encoding, trust)
    for word in words:  # every word checked before any table is printed
        vectors.get_vector(word)
    for word in words:
        console.print(_neighbour_table(f"nearest to {word!r}", vectors.most_similar(word, topn=topn)))


def analogy(
    vectors_path: VectorsArg,
    a: Annotated[str, typer.Argument(help="A in 'A is to B as C is to ?'.", show_default=False)],
    b: Annotated[str, typer.Argument(help="B.", show_default=False)],
    c: Annotated[str, typer.Argument(help="C.", show_default=False)],
    topn: TopnOpt = ANALOGY_TOPN,
    from_format: FromOpt = None,
    limit: LimitOpt = None,
    encoding: EncodingOpt = "utf-8",
    trust: TrustOpt = False,
) -> None:
    """Solve A : B :: C : ? (3CosAdd: B - A + C, the three words excluded)."""
    vectors = _load(vectors_path, from_format, limit, encoding, trust)
    answers = vectors.analogy(a, b, c, topn=topn)
    console.print(_neighbour_table(f"{a} : {b} :: {c} : ?", answers))


def register(app: typer.Typer) -> None:
    """Add this file's commands to ``app`` (the ``nlptk embed`` group)."""
    app.command("convert")(convert)
    app.command("eval")(evaluate)
    app.command("similar")(similar)
    app.command("analogy")(analogy)
