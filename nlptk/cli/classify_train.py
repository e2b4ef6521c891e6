"""`nlptk classify train | lr-find | predict`: train a classifier, find its learning rate, predict."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from nlptk.classify.config import ClassifierConfig
from nlptk.cli._common import console, progress_display
from nlptk.cli._params import config_args, config_options

__all__ = ["register"]


DataArg = Annotated[
    str,
    typer.Argument(
        help="Labelled data: a CSV/TSV/JSONL or fastText file, a <class>/*.txt "
        "folder, a folder with train/ (val/, test/) splits, or a registry name."
    ),
]
ValOpt = Annotated[Path | None, typer.Option("--val", help="Validation data (default: a seeded 10% split).")]
TestOpt = Annotated[Path | None, typer.Option("--test", help="Test data, scored after training.")]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="folders, csv, tsv, jsonl, fasttext or label-first (default: detected)."),
]
EncodingOpt = Annotated[str | None, typer.Option("--encoding", help="Encoding of the data files (utf-8).")]
VectorsOpt = Annotated[
    Path | None,
    typer.Option("--vectors", help="Pretrained vectors (any format nlptk reads); none: random start."),
]
VectorsLimitOpt = Annotated[
    int | None, typer.Option("--vectors-limit", min=1, help="Read only the first N vectors.")
]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto, cpu, cuda, cuda:N or mps.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing output.")]
TokenizerOpt = Annotated[
    str | None,
    typer.Option(
        "--tokenizer",
        help="regex (default: lowercased words), whitespace (pre-tokenized text), spacy; "
        "with --encoder, the language model's.",
    ),
]
EncoderOpt = Annotated[
    Path | None,
    typer.Option(
        "--encoder",
        help="A language model's folder, written by nlptk lm train or lm finetune: the classifier "
        "starts from its embedding and recurrent layers and uses its tokenizer (ULMFiT); --vectors "
        "then give rows for task words it lacks.",
    ),
]


def _tokenizer_config(name: str) -> dict[str, Any]:
    from nlptk.text.tokenize import get_tokenizer

    return get_tokenizer(name).to_config()


def _load_vectors(path: Path | None, limit: int | None) -> Any:
    if path is None:
        return None
    from nlptk.vectors.formats import load_vectors

    return load_vectors(path, limit=limit)


@config_options(ClassifierConfig)
def train_command(
    data: DataArg,
    val: ValOpt = None,
    test: TestOpt = None,
    format: FormatOpt = None,
    encoding: EncodingOpt = None,
    vectors: VectorsOpt = None,
    vectors_limit: VectorsLimitOpt = None,
    encoder: EncoderOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write.")] = Path("classifier"),
    tokenizer: TokenizerOpt = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run of --out.")] = False,
    force: ForceOpt = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show progress bars.")] = True,
    find_lr: Annotated[
        bool,
        typer.Option(
            "--find-lr",
            help="Run the lr finder first (as `classify lr-find` does) and train at its suggestion.",
        ),
    ] = False,
    *,
    config: ClassifierConfig,
) -> None:
    """Train a text classifier, starting from pretrained vectors (frozen first, then fine-tuned)."""
    from nlptk.classify.training import find_learning_rate, load_splits, train_classifier
    from nlptk.distributed import env_rank

    if tokenizer is not None:
        config = config.replace(tokenizer=_tokenizer_config(tokenizer))
    if find_lr and config.lr != ClassifierConfig().lr:
        from nlptk.errors import ParameterError

        raise ParameterError("give --lr or --find-lr, not both")
    splits = load_splits(data, val=val, test=test, format=format, encoding=encoding)
    loaded_vectors = _load_vectors(vectors, vectors_limit)
    main_rank = env_rank() == 0  # under torchrun, rank 0 alone shows progress and results
    if find_lr:
        with progress_display(progress and main_rank) as callback:
            found = find_learning_rate(
                splits["train"], vectors=loaded_vectors, encoder=encoder, config=config, progress=callback
            )
        if main_rank:
            console.print(f"training at the lr finder's suggestion: [bold]--lr {found.suggestion:.2g}[/]")
        config = config.replace(lr=float(f"{found.suggestion:.2g}"))
    with progress_display(progress and main_rank) as callback:
        clf = train_classifier(
            splits["train"],
            vectors=loaded_vectors,
            encoder=encoder,
            val=splits.get("val"),
            config=config,
            out=out,
            force=force,
            resume=resume,
            progress=callback,
        )
    if not main_rank:
        return
    kind = "language-model" if encoder is not None else config.cell
    table = Table(title=f"{kind} classifier saved to {out}")
    for column in (
        "epoch",
        "stage",
        "train loss",
        "val loss",
        "val acc",
        "val macro-F1",
        "lr",
        "sent/s",
        "s",
    ):
        table.add_column(column, justify="left" if column == "stage" else "right")
    best = clf.info.get("training", {}).get("best_epoch")
    for r in clf.history:
        style = "bold green" if r["epoch"] == best else None
        table.add_row(
            str(r["epoch"]),
            r["stage"],
            _num(r["train_loss"]),
            _num(r.get("val_loss")),
            _num(r.get("val_accuracy")),
            _num(r.get("val_macro_f1")),
            f"{r['lr']:.1e}",
            f"{r.get('train_sentences_per_s') or 0:,.0f}",
            f"{r['seconds']:.1f}",
            style=style,
        )
    console.print(table)
    coverage = clf.info.get("embeddings", {}).get("coverage")
    if coverage and "lm_words" in coverage:
        console.print(
            f"the language model knows {coverage['token_coverage']:.1%} of the training tokens; "
            f"{coverage['added_words']:,} task words added ({coverage['added_from_vectors']:,} from vectors, "
            f"{coverage['added_mean_row']:,} from its mean row)"
        )
    else:
        from nlptk.classify.conditioning import summary_lines

        for line in summary_lines(clf.info):
            console.print(line, style="yellow" if line.startswith("warning:") else None, markup=False)
    if clf.info.get("training", {}).get("wide_ngrams"):
        console.print(f"wide term: hashed word 1..{clf.config.ngrams}-grams added to the logits")
    if best:
        console.print(f"kept epoch {best} (best {clf.config.monitor})")
    diagnosis = clf.info.get("training", {}).get("diagnosis")
    if diagnosis:
        console.print(diagnosis["message"], markup=False, highlight=False)
    if "test" in splits:
        scores = clf.score(splits["test"])
        console.print(
            f"test: accuracy {scores['accuracy']:.4f}, macro-F1 {scores['macro_f1']:.4f}, "
            f"loss {scores['loss']:.4f} on {scores['n']} texts"
        )


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


@config_options(
    ClassifierConfig,
    exclude=(
        "epochs",
        "lr",
        "patience",
        "monitor",
        "schedule",
        "lower_lr_factor",
        "lr_decay",
        "cache_features",
        "cache_memory",
    ),
    help_overrides={
        "freeze_epochs": "0: search with trainable embeddings; else frozen pretrained embeddings."
    },
)
def lr_find_command(
    data: DataArg,
    vectors: VectorsOpt = None,
    vectors_limit: VectorsLimitOpt = None,
    encoder: EncoderOpt = None,
    format: FormatOpt = None,
    encoding: EncodingOpt = None,
    tokenizer: TokenizerOpt = None,
    steps: Annotated[int, typer.Option("--steps", min=2, help="Steps of the range test.")] = 100,
    start_lr: Annotated[float, typer.Option("--start-lr", min=0.0)] = 1e-7,
    end_lr: Annotated[float, typer.Option("--end-lr", min=0.0)] = 10.0,
    plot: Annotated[Path | None, typer.Option("--plot", help="Save the loss-vs-rate plot (PNG).")] = None,
    force: ForceOpt = False,
    *,
    config: ClassifierConfig,
) -> None:
    """Find a learning rate: the loss while the rate rises exponentially, and a suggestion."""
    from nlptk.classify.training import find_learning_rate, load_splits

    if tokenizer is not None:
        config = config.replace(tokenizer=_tokenizer_config(tokenizer))
    splits = load_splits(data, format=format, encoding=encoding)
    loaded_vectors = _load_vectors(vectors, vectors_limit)
    with progress_display() as callback:
        result = find_learning_rate(
            splits["train"],
            vectors=loaded_vectors,
            encoder=encoder,
            config=config,
            start_lr=start_lr,
            end_lr=end_lr,
            num_steps=steps,
            plot=plot,
            force=force,
            progress=callback,
        )
    console.print(f"suggested learning rate: [bold]{result.suggestion:.2g}[/]")
    console.print(_suggestion_reason(result))
    if plot is not None:
        console.print(f"plot saved to {plot}")
    command = ["nlptk", "classify", "train", data]
    for flag, value in (
        ("--vectors", vectors),
        ("--vectors-limit", vectors_limit),
        ("--format", format),
        ("--encoding", encoding),
    ):
        if value is not None:
            command += [flag, str(value)]
    if tokenizer != "regex":
        command += ["--tokenizer", tokenizer]
    command += [*config_args(config, exclude=("tokenizer",)), "--lr", f"{result.suggestion:.2g}"]
    console.print(
        "next, train at this rate (or give classify train --find-lr to find it and train in one go):\n  "
        + escape(shlex.join(command)),
        highlight=False,
        soft_wrap=True,
    )


def _suggestion_reason(result: Any) -> str:
    """Where the suggestion comes from, in words (the finder's two rules)."""
    lowest = f"lowest loss at {result.min_loss_lr:.2g}" if result.min_loss_lr else "no lowest loss"
    steps = f"{len(result.lrs)} steps" + (", stopped when the loss diverged" if result.diverged else "")
    if result.steepest_lr:
        return f"the loss falls fastest at {result.steepest_lr:.2g} ({lowest}; {steps})"
    return (
        f"the loss never fell clearly before it rose, so no steepest descent: the suggestion is a tenth "
        f"of the rate with the lowest loss ({lowest}; {steps})"
    )


def _read_texts(texts: list[str], file: Path | None, encoding: str) -> Iterator[str]:
    from nlptk.io import iter_lines

    if texts and file is not None:
        from nlptk.errors import ParameterError

        raise ParameterError("give texts or --file, not both")
    if texts:
        yield from texts
    elif file is not None:
        yield from iter_lines(file, encoding=encoding)
    else:
        for line in sys.stdin:
            yield line.rstrip("\r\n")


def _chunks(texts: Iterator[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def predict_command(
    model: Annotated[Path, typer.Argument(help="Model folder written by `nlptk classify train`.")],
    texts: Annotated[
        list[str] | None, typer.Argument(help="Texts to classify (default: --file or stdin).")
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="One text per line.")] = None,
    encoding: Annotated[str, typer.Option("--encoding", help="Encoding of --file.")] = "utf-8",
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON lines with the text and every class probability.")
    ] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 256,
    device: DeviceOpt = "auto",
) -> None:
    """Classify texts: one line per text with the label and its probability (tab-separated)."""
    from nlptk.classify.predictor import TrainedClassifier
    from nlptk.errors import DataError

    clf = TrainedClassifier.load(model, device=device)
    n = 0
    # stream in chunks so a large --file is never held whole
    for chunk in _chunks(_read_texts(list(texts or []), file, encoding), 8192):
        proba = clf.predict_proba(chunk, batch_size=batch_size)
        best = proba.argmax(axis=1)
        for text, row, k in zip(chunk, proba, best, strict=True):
            if as_json:
                record = {
                    "text": text,
                    "label": clf.classes[k],
                    "probability": round(float(row[k]), 6),
                    "probabilities": {c: round(float(p), 6) for c, p in zip(clf.classes, row, strict=True)},
                }
                typer.echo(json.dumps(record, ensure_ascii=False))
            else:
                typer.echo(f"{clf.classes[k]}\t{row[k]:.4f}")
        n += len(chunk)
    if n == 0:
        raise DataError("no texts to classify", hint="give texts as arguments, --file, or lines on stdin")


def register(app: typer.Typer) -> None:
    """Add this file's commands (``train``, ``lr-find``, ``predict``) to the ``classify`` group ``app``."""
    app.command("train")(train_command)
    app.command("lr-find")(lr_find_command)
    app.command("predict")(predict_command)
