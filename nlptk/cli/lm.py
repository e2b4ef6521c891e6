"""`nlptk lm`: recurrent language models -- pretrain, fine-tune, evaluate, generate.

The training options come from :class:`~nlptk.lm.config.LanguageModelConfig` (declared once,
see :mod:`nlptk.cli._params`); ``lm finetune`` offers the training settings only, the shape
of the network being the pretrained model's.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from nlptk.cli._common import console, progress_display
from nlptk.cli._params import config_options
from nlptk.lm.config import FINETUNE_FIXED, LanguageModelConfig

__all__ = ["app"]

app = typer.Typer(
    help="Recurrent language models: pretrain on a corpus, fine-tune on a task's texts, evaluate, generate.",
    no_args_is_help=True,
)

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Model folder to write (refused if it exists).")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", help="Continue an interrupted run from <out>.checkpoint/ (same settings).")
]
VectorsOpt = Annotated[
    Path | None,
    typer.Option("--vectors", help="Pretrained vectors for the embedding (any format nlptk reads)."),
]
VectorsLimitOpt = Annotated[
    int | None, typer.Option("--vectors-limit", min=1, help="Read only the first N vectors.")
]
EncodingOpt = Annotated[str, typer.Option("--encoding", help="Text encoding of the corpus.")]
ColumnOpt = Annotated[str | None, typer.Option("--column", help="Text column of a CSV/TSV/JSONL corpus.")]
CacheOpt = Annotated[
    Path | None, typer.Option("--cache-dir", help="Tokens cache folder (default $NLPTK_CACHE).")
]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Folder of named corpora (default $NLPTK_DATA).")
]
NoProgressOpt = Annotated[bool, typer.Option("--no-progress", help="No progress bars.")]
ModelArg = Annotated[Path, typer.Argument(help="A language model folder (nlptk lm train / lm finetune).")]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto, cpu, cuda, cuda:N or mps.")]


def _load_vectors(path: Path | None, limit: int | None) -> Any:
    if path is None:
        return None
    from nlptk.vectors.formats import load_vectors

    return load_vectors(path, limit=limit)


def _render_training(lm: Any, out: Path, title: str) -> None:
    meta = lm.meta
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    c = lm.config
    table.add_row(
        "model",
        f"{c.num_layers} x {c.cell} ({', '.join(str(s) for s in c.layer_sizes())} units), "
        f"embedding {c.embedding_dim}, {c.decoder} softmax{' (tied)' if lm.network.tied else ''}",
    )
    table.add_row("vocabulary", f"{len(lm.vocab):,} words")
    corpus = meta.get("corpus", {})
    table.add_row(
        "corpus", f"{corpus.get('path') or corpus.get('source')} ({corpus.get('tokens', 0):,} tokens)"
    )
    history = meta.get("history", [])
    if history:
        curve = ", ".join(
            "-" if r.get("val_perplexity") is None else f"{r['val_perplexity']:.1f}" for r in history
        )
        table.add_row("val perplexity", f"{curve} (per epoch)")
    if meta.get("best_epoch"):
        table.add_row(
            "kept", f"epoch {meta['best_epoch']} (val perplexity {meta['best_val_perplexity']:.2f})"
        )
    seconds = max(meta.get("train_seconds", 0.0), 1e-9)
    seen = meta.get("tokens_seen", 0)
    stopped = f"; stopped by {meta['stopped_by']}" if meta.get("stopped_by") else ""
    table.add_row(
        "training",
        f"{seen:,} tokens in {seconds:.1f} s ({seen / seconds:,.0f} tokens/s) "
        f"on {meta.get('device')}{stopped}",
    )
    table.add_row("written", f"{out}/  (config.json, vocab.json, model.pt, meta.json)")
    console.print(table)


def _tokenizer(name: str, lowercase: bool | None) -> dict[str, Any]:
    from nlptk.text.tokenize import get_tokenizer

    options = {} if lowercase is None else {"lowercase": lowercase}
    return get_tokenizer(name, **options).to_config()


@app.command("train")
@config_options(LanguageModelConfig, exclude=("new_words",))
def train_command(
    corpus: Annotated[
        str,
        typer.Argument(
            help="Text file (one document per line), folder, CSV/TSV/JSONL file, or registry name."
        ),
    ],
    out: OutOpt,
    vectors: VectorsOpt = None,
    vectors_limit: VectorsLimitOpt = None,
    tokenizer: Annotated[
        str, typer.Option("--tokenizer", help="regex, whitespace or spacy (as for nlptk embed train).")
    ] = "regex",
    lowercase: Annotated[
        bool | None, typer.Option("--lowercase/--no-lowercase", help="Lowercase tokens.")
    ] = None,
    encoding: EncodingOpt = "utf-8",
    column: ColumnOpt = None,
    cache_dir: CacheOpt = None,
    data_dir: DataDirOpt = None,
    force: ForceOpt = False,
    resume: ResumeOpt = False,
    no_progress: NoProgressOpt = False,
    *,
    config: LanguageModelConfig,
) -> None:
    """Pretrain a language model on CORPUS and write it to --out.

    The corpus is tokenized once into the tokens cache that nlptk embed train also uses (same
    corpus and tokenizer options: same cache). Each epoch ends with the validation perplexity
    on the end of the stream; the best epoch's weights are kept. --max-tokens and --max-minutes
    budget the run: the schedule fits the budget and the best model that fits is saved.
    """
    from nlptk.distributed import env_rank
    from nlptk.lm.training import train_language_model

    config = config.replace(tokenizer=_tokenizer(tokenizer, lowercase))
    with progress_display(not no_progress and env_rank() == 0) as callback:
        lm = train_language_model(
            corpus,
            vectors=_load_vectors(vectors, vectors_limit),
            config=config,
            out=out,
            force=force,
            resume=resume,
            progress=callback,
            cache_dir=cache_dir,
            encoding=encoding,
            column=column,
            data_dir=data_dir,
        )
    if env_rank() == 0:  # under torchrun, rank 0 alone shows the results
        _render_training(lm, out, "language model")


@app.command("finetune")
@config_options(LanguageModelConfig, exclude=FINETUNE_FIXED)
def finetune_command(
    model: ModelArg,
    texts: Annotated[
        str,
        typer.Argument(
            help="The task's texts: a corpus, or a labelled dataset (a folder with train/, a registry "
            "name such as sst2, or a file with --format) read without its labels."
        ),
    ],
    out: OutOpt,
    vectors: Annotated[
        Path | None, typer.Option("--vectors", help="Rows for the words added to the vocabulary.")
    ] = None,
    vectors_limit: VectorsLimitOpt = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="TEXTS is labelled data in this layout: csv, tsv, jsonl, fasttext, label-first, folders.",
        ),
    ] = None,
    encoding: EncodingOpt = "utf-8",
    column: ColumnOpt = None,
    cache_dir: CacheOpt = None,
    data_dir: DataDirOpt = None,
    force: ForceOpt = False,
    resume: ResumeOpt = False,
    no_progress: NoProgressOpt = False,
    *,
    config: LanguageModelConfig,
) -> None:
    """Fine-tune the language model MODEL on TEXTS and write it to --out (ULMFiT's second step).

    New words of TEXTS (seen --min-count times) join the vocabulary. The network's shape and
    tokenizer stay MODEL's; the training settings and dropouts are this command's (use
    --lr-decay 2.6 for ULMFiT's discriminative rates).
    """
    from nlptk.distributed import env_rank
    from nlptk.lm.finetune import finetune_language_model

    with progress_display(not no_progress and env_rank() == 0) as callback:
        lm = finetune_language_model(
            model,
            texts,
            vectors=_load_vectors(vectors, vectors_limit),
            config=config,
            out=out,
            force=force,
            resume=resume,
            progress=callback,
            cache_dir=cache_dir,
            format=format,
            encoding=encoding,
            column=column,
            data_dir=data_dir,
        )
    if env_rank() == 0:  # under torchrun, rank 0 alone shows the results
        _render_training(lm, out, "fine-tuned language model")


@app.command("eval")
def eval_command(
    model: ModelArg,
    corpus: Annotated[str, typer.Argument(help="Text file, folder, CSV/TSV/JSONL, or registry name.")],
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Parallel streams.")] = 16,
    bptt: Annotated[
        int | None, typer.Option("--bptt", min=2, help="Window length (default: the model's).")
    ] = None,
    encoding: EncodingOpt = "utf-8",
    cache_dir: CacheOpt = None,
    device: DeviceOpt = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Perplexity of MODEL on CORPUS (tokenized with the model's tokenizer; unknown words count as <unk>)."""
    from nlptk.lm.language_model import load_language_model

    lm = load_language_model(model, device=device)
    result = lm.perplexity(corpus, batch_size=batch_size, bptt=bptt, cache_dir=cache_dir, encoding=encoding)
    if as_json:
        typer.echo(json.dumps({"model": str(model), "corpus": corpus, **result}))
        return
    table = Table(title=f"{model} on {corpus}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    ppl = result["perplexity"]
    table.add_row("perplexity", "inf" if math.isinf(ppl) else f"{ppl:.2f}")
    table.add_row("loss", f"{result['loss']:.4f} nats/token")
    table.add_row("tokens", f"{result['tokens']:,}")
    table.add_row("unknown words", f"{100 * result['unknown_rate']:.2f}%")
    console.print(table)


@app.command("generate")
def generate_command(
    model: ModelArg,
    prompt: Annotated[str, typer.Argument(help="Text to continue (empty: start a document).")] = "",
    tokens: Annotated[int, typer.Option("--tokens", "-n", min=1, help="Tokens to generate.")] = 50,
    temperature: Annotated[
        float,
        typer.Option("--temperature", "-t", min=0.0, help="Below 1: safer words; above 1: more varied."),
    ] = 1.0,
    top_k: Annotated[
        int | None, typer.Option("--top-k", min=1, help="Sample among the K likeliest words.")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (same seed, same text).")] = None,
    device: DeviceOpt = "cpu",
) -> None:
    """Sample a continuation of PROMPT from MODEL: shows what the model learned."""
    from nlptk.lm.language_model import load_language_model

    lm = load_language_model(model, device=device)
    text = lm.generate(prompt, tokens=tokens, temperature=temperature, top_k=top_k, seed=seed)
    start = " ".join(lm.tokenizer(prompt))
    shown = f"[bold]{escape(start)}[/bold] {escape(text)}" if start else escape(text)
    console.print(shown, highlight=False)
