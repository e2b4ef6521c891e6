"""`nlptk classify evaluate`: accuracy, macro-F1, confusions and the examples worth reading.

Registered on the ``classify`` group by :func:`register`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nlptk.cli._common import console

if TYPE_CHECKING:
    from nlptk.classify.interpret import ExampleRow, Interpretation

__all__ = ["evaluate_command", "register"]


def _confusion_table(result: Interpretation) -> Table:
    table = Table(
        title="Confusion matrix", caption="rows: true class, columns: predicted class", title_justify="left"
    )
    table.add_column("true \\ predicted", style="bold")
    for name in result.classes:
        table.add_column(escape(name), justify="right")
    for i, name in enumerate(result.classes):
        cells = []
        for j, count in enumerate(result.confusion[i]):
            text = str(int(count))
            if i == j:
                text = f"[green]{text}[/]"
            elif count:
                text = f"[red]{text}[/]"
            cells.append(text)
        table.add_row(escape(name), *cells)
    return table


def _per_class_table(result: Interpretation) -> Table:
    table = Table(title="Per class", title_justify="left")
    for name in ("class", "precision", "recall", "F1", "support"):
        table.add_column(name, justify="left" if name == "class" else "right")
    for row in result.per_class:
        table.add_row(
            escape(row["label"]),
            f"{row['precision']:.4f}",
            f"{row['recall']:.4f}",
            f"{row['f1']:.4f}",
            str(row["support"]),
        )
    return table


def _examples_table(title: str, rows: list[ExampleRow], width: int = 90) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("true")
    table.add_column("predicted")
    table.add_column("conf.", justify="right")
    table.add_column("text", overflow="fold")
    for r in rows:
        text = " ".join(r.text.split())
        text = text if len(text) <= width else text[: width - 1] + "…"
        style = "green" if r.correct else "red"
        table.add_row(
            str(r.index),
            escape(r.true_label),
            f"[{style}]{escape(r.predicted_label)}[/]",
            f"{r.confidence:.3f}",
            escape(text),
        )
    return table


def evaluate_command(
    model: Annotated[Path, typer.Argument(help="Model folder written by `nlptk classify train`.")],
    data: Annotated[
        Path,
        typer.Argument(help="Labelled data: class folders, CSV/TSV/JSONL, fastText or label-first lines."),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Also write the report, plots and predictions.csv to this folder."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output folders.")] = False,
    encoding: Annotated[
        str | None, typer.Option(help="Encoding of DATA (default UTF-8; MR needs latin-1).")
    ] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", help="folders, csv, tsv, jsonl, fasttext or label-first (default: detect)."),
    ] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="Rows in each example list.")] = 10,
    projector: Annotated[
        Path | None,
        typer.Option(
            "--projector",
            help="Also write the sentence representations (with text, true/predicted label, confidence) "
            "as Embedding Projector files to this folder.",
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Prediction batch size.")] = 256,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, cuda:N or mps.")] = "auto",
) -> None:
    """Evaluate MODEL on labelled DATA and print the report.

    Prints accuracy, macro-F1, the per-class report, the confusion matrix, the most
    confused pairs and the example lists (most confident correct, least confident,
    confident mistakes); with --out, also writes them with the confusion-matrix plot and
    the full predictions (predictions.csv) to that folder. Says so when DATA is the data
    the model was trained or validated on.
    """
    from nlptk.classify.evaluate import evaluate_classifier

    result = evaluate_classifier(
        model,
        data,
        out=out,
        force=force,
        encoding=encoding,
        format=format,
        top=top,
        batch_size=batch_size,
        projector=projector,
        device=device,
    )
    console.print(
        f"[bold]{len(result)}[/] examples, {len(result.classes)} classes: "
        f"accuracy [bold]{result.accuracy:.4f}[/], macro-F1 [bold]{result.macro_f1:.4f}[/]",
        highlight=False,
    )
    console.print(_per_class_table(result))
    console.print(_confusion_table(result))
    pairs = result.most_confused()[:top]
    if pairs:
        table = Table(title="Most confused", title_justify="left")
        table.add_column("true")
        table.add_column("predicted")
        table.add_column("count", justify="right")
        for p in pairs:
            table.add_row(escape(p.true_label), escape(p.predicted_label), str(p.count))
        console.print(table)
    else:
        console.print("No confusions: every example was classified correctly.")
    console.print(_examples_table("Most confident correct", result.most_confident_correct(top)))
    console.print(_examples_table("Least confident", result.least_confident(top)))
    mistakes = result.confident_mistakes(top)
    if mistakes:
        console.print(_examples_table("Confident mistakes", mistakes))
    if out is not None:
        console.print(f"Report written to [bold]{escape(str(out))}[/]", highlight=False)
    if projector is not None:
        console.print(
            f"Projector files written to [bold]{escape(str(projector))}[/] "
            "(load vectors.tsv and metadata.tsv at projector.tensorflow.org)",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add this file's commands (``evaluate``) to the ``classify`` group ``app``."""
    app.command("evaluate")(evaluate_command)
