"""`nlptk classify review` and `nlptk classify clean`: find likely label errors, then apply decisions.

Registered on the ``classify`` group by :func:`register`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlptk.classify.review import ReviewConfig
from nlptk.cli._common import console
from nlptk.cli._params import config_options

__all__ = ["register"]

FormatOpt = Annotated[
    str | None, typer.Option("--format", help="csv, tsv, jsonl, fasttext, label-first (detected).")
]
EncodingOpt = Annotated[str | None, typer.Option("--encoding", help="Encoding of the data file (utf-8).")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing output.")]


@config_options(ReviewConfig)
def review_command(
    model: Annotated[
        str,
        typer.Argument(
            help="'tfidf': out-of-fold probabilities of a k-fold TF-IDF + logistic regression "
            "(unbiased); or a model folder (its predictions; in-sample if trained on DATA)."
        ),
    ],
    data: Annotated[str, typer.Argument(help="The labelled data file to review (or a registry name).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The review CSV to write.")] = Path("review.csv"),
    format: FormatOpt = None,
    encoding: EncodingOpt = None,
    force: ForceOpt = False,
    *,
    config: ReviewConfig,
) -> None:
    """List likely label errors (confident learning) and near-duplicates, with a decision column to fill."""
    from nlptk.classify.review import review_labels
    from nlptk.io import check_output

    check_output(out, force=force)
    review = review_labels(data, model=model, config=config, format=format, encoding=encoding)
    review.write_csv(out, force=force)
    for warning in review.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    issues, duplicates = review.label_issues, review.duplicates
    console.print(
        f"{review.n_examples} examples reviewed with {review.source}: "
        f"{len(issues)} likely label errors, {len(duplicates)} near-duplicates; written to {out}",
        markup=False,
        highlight=False,
    )
    for row in issues[:5]:
        text = " ".join(row.text.split())
        console.print(
            f"  line {row.line}: {row.given_label} -> {row.suggested_label} (p={row.score:.3f})  {text[:70]}",
            markup=False,
            highlight=False,
        )
    console.print(
        "set the decision column to keep, drop or relabel:<class>, then run "
        f"`nlptk classify clean DATA {out} --out CLEANED`",
        markup=False,
        highlight=False,
    )


def clean_command(
    data: Annotated[str, typer.Argument(help="The labelled data file that was reviewed.")],
    review: Annotated[Path, typer.Argument(help="The review CSV with its decision column filled in.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The cleaned data file to write (a new file).")],
    format: FormatOpt = None,
    encoding: EncodingOpt = None,
    label_column: Annotated[str, typer.Option("--label-column", help="Label column of a table.")] = "label",
    force: ForceOpt = False,
) -> None:
    """Write DATA with the review's decisions applied (same format; the original is left alone)."""
    from nlptk.classify.clean import clean_dataset

    summary = clean_dataset(
        data, review, out, force=force, format=format, encoding=encoding, label_column=label_column
    )
    console.print(
        f"{summary.examples} examples: {summary.dropped} dropped, {summary.relabelled} relabelled, "
        f"{summary.kept} written to {summary.out}",
        markup=False,
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``review`` and ``clean`` to the ``classify`` command group."""
    app.command("review")(review_command)
    app.command("clean")(clean_command)
