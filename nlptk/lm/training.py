"""One-call training: :func:`train_language_model` (pretraining) and :func:`finetune_language_model`.

Pretraining tokenizes the corpus once into the tokens cache that ``nlptk embed train`` also
reads (same corpus and tokenizer: same cache file), builds the vocabulary from it, turns it
into one id stream with ``<eos>`` after each document, holds the end of the stream out for
validation, starts the embedding from the vectors when given
(:func:`~nlptk.classify.embeddings.match_embeddings`), and trains with
:class:`~nlptk.lm.learner.LMLearner`.

Fine-tuning (ULMFiT's second step) continues a pretrained model on a task's texts: a corpus,
or a labelled dataset read without its labels. Words of the new texts that the model lacks
are appended to its vocabulary (``new_words``): their embedding rows come from the vectors
when given, else the mean pretrained row, and the decoder grows to match.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from nlptk.classify.callbacks import Callback, EarlyStopping
from nlptk.classify.runtime import resolve_device, seed_everything
from nlptk.distributed import DistContext, check_same, collective_errors, digest, init_distributed
from nlptk.errors import DataError, InputFileError, ParameterError
from nlptk.io import check_output
from nlptk.lm.config import RESUMABLE_CHANGES, LanguageModelConfig
from nlptk.lm.language_model import LanguageModel
from nlptk.lm.learner import EpochCheckpoint, LMLearner, LMProgress
from nlptk.lm.model import RNNLanguageModelNet
from nlptk.lm.persist import checkpoint_path, load_checkpoint
from nlptk.lm.stream import batchify, build_stream_vocabulary, encode_stream
from nlptk.progress import ProgressCallback
from nlptk.text.corpus import Corpus, open_corpus
from nlptk.text.tokenize import tokenizer_from_config
from nlptk.text.vocab import Vocabulary

if TYPE_CHECKING:
    from nlptk.vectors.container import Vectors

__all__ = ["train_language_model"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


def _make_config(base: LanguageModelConfig | None, params: dict[str, Any]) -> LanguageModelConfig:
    if base is not None and params:
        return base.replace(**params)
    if base is not None:
        return base
    LanguageModelConfig.check_names(params, what="language model setting")
    return LanguageModelConfig(**params)


def _as_vectors(vectors: Vectors | PathLike | None) -> Vectors | None:
    if vectors is None or hasattr(vectors, "key_to_index"):
        return vectors  # type: ignore[return-value]
    from nlptk.vectors import load_vectors

    return load_vectors(vectors)  # type: ignore[arg-type]


@contextmanager
def _threads(n: int | None) -> Iterator[None]:
    if n is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _check_resume(config: LanguageModelConfig, saved: dict[str, Any], path: Path) -> None:
    saved_config = LanguageModelConfig.from_dict(saved)
    differ = [name for name in config.diff(saved_config) if name not in RESUMABLE_CHANGES]
    if differ:
        detail = ", ".join(
            f"{n}={getattr(config, n)!r} (checkpoint: {getattr(saved_config, n)!r})" for n in differ
        )
        raise ParameterError(
            f"cannot resume with different settings: {detail}",
            path=path,
            hint="resume with the settings of the interrupted run, or train again without --resume",
        )


def _split(
    ids: np.ndarray, config: LanguageModelConfig, source: str
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Training rows and validation rows (the end of the stream), or a clear refusal."""
    n_val = min(int(len(ids) * config.val_fraction), config.max_val_tokens)
    if 0 < n_val < 2:
        n_val = 0
    train_ids = ids[: len(ids) - n_val]
    window = config.batch_size * (config.bptt + 1)
    if len(train_ids) < window:
        raise DataError(
            f"the training stream has {len(train_ids):,} tokens (with <eos> after each document"
            f"{f', {n_val:,} more held out for validation' if n_val else ''}), fewer than one BPTT window "
            f"of batch_size x (bptt + 1) = {config.batch_size} x {config.bptt + 1} = {window:,}",
            path=source,
            hint="use a bigger corpus, or a smaller --batch-size or --bptt",
        )
    if config.max_tokens is not None and config.max_tokens < config.batch_size * config.bptt:
        raise ParameterError(
            f"max_tokens={config.max_tokens:,} is less than one batch "
            f"(batch_size x bptt = {config.batch_size} x {config.bptt} = "
            f"{config.batch_size * config.bptt:,} tokens)",
            hint="give a larger --max-tokens, or a smaller --batch-size / --bptt",
        )
    train = batchify(train_ids, config.batch_size)
    val = None
    if n_val:
        rows = max(1, min(config.batch_size, n_val // (config.bptt + 1)))
        val = batchify(ids[len(ids) - n_val :], rows)
    else:
        logger.warning(
            "no validation slice (val_fraction=%g): the last epoch's weights are kept", config.val_fraction
        )
    return train, val


def _fit(
    network: RNNLanguageModelNet,
    *,
    config: LanguageModelConfig,
    user_config: LanguageModelConfig,
    vocabulary: Vocabulary,
    ids: np.ndarray,
    source: str,
    out: Path | None,
    force: bool,
    resume_state: dict[str, Any] | None,
    progress: ProgressCallback | None,
    callbacks: list[Callback] | None,
    info: dict[str, Any],
    ctx: DistContext | None = None,
) -> LanguageModel:
    """Train ``network`` on the id stream and return (and save) the language model."""
    started = time.perf_counter()
    train, val = _split(ids, config, source)
    ctx = ctx or init_distributed(resolve_device(config.device))  # one process unless under torchrun
    device = ctx.device
    train_tokens = int(train.numel())
    train = _rows_of_rank(train, ctx, ids=ids, vocabulary=vocabulary, network=network)
    checkpoint = checkpoint_path(out) if out is not None else None
    early = EarlyStopping("val_loss", config.patience)
    all_callbacks: list[Callback] = [early]
    if checkpoint is not None and ctx.is_main:
        extra = {"config": user_config.to_dict(), "vocab": vocabulary.to_dict(), "info": info}
        all_callbacks.append(EpochCheckpoint(checkpoint, extra))
    all_callbacks.append(LMProgress(progress if ctx.is_main else None, config.epochs))
    all_callbacks.extend(callbacks or [])
    with _threads(config.threads):
        learner = LMLearner(
            network, train, val, config=config, device=device, callbacks=all_callbacks, distributed=ctx
        )
        if resume_state is not None:
            learner.load_training_state(resume_state)
            logger.info("resuming after epoch %d (%s tokens seen)", learner.epoch, f"{learner.tokens_seen:,}")
        ctx.seed_rank()  # under torchrun: each rank its own dropout stream
        logger.info(
            "training a %d-layer %s language model on %s: %s training and %s validation tokens, %d words, "
            "%s decoder",
            config.num_layers,
            config.cell,
            device,
            f"{train.numel():,}",
            f"{0 if val is None else val.numel():,}",
            len(vocabulary),
            config.decoder,
        )
        try:
            with collective_errors(ctx, "language-model training"):
                learner.fit()
        except KeyboardInterrupt:
            if checkpoint is not None and checkpoint.exists():
                logger.warning(
                    "interrupted; the checkpoint of epoch %d is in %s: rerun with --resume to continue",
                    learner.epoch,
                    checkpoint.parent,
                )
            raise
        for callback in learner.callbacks:
            callback.on_train_end(learner)
    network.eval()
    meta = {
        **info,
        "history": learner.history,
        "tokens_seen": learner.tokens_seen,
        "train_seconds": round(learner.train_seconds, 3),
        "seconds": round(time.perf_counter() - started, 3),
        "best_epoch": early.best_epoch or None,
        "best_val_perplexity": learner.history[early.best_epoch - 1]["val_perplexity"]
        if early.best_epoch
        else None,
        "stopped_by": learner.stop_reason or ("early stopping" if learner.stop_training else None),
        "device": str(device),
        "schedule": {
            "kind": config.schedule,
            "planned_steps": learner.planned_steps(),
            "schedule_steps": learner.schedule_steps,
            "calibration_steps": learner.calibration_steps,
            "steps": learner.step,
        },
        "resumed": resume_state is not None,
        "train_tokens": train_tokens,
        "val_tokens": 0 if val is None else int(val.numel()),
        **({"world_size": ctx.world_size, "backend": ctx.backend} if ctx.active else {}),
    }
    tokenizer = tokenizer_from_config(config.tokenizer)
    model = LanguageModel(
        network, config=config, vocabulary=vocabulary, tokenizer=tokenizer, meta=meta, device=device
    )
    if out is not None and ctx.is_main:
        model.save(out, force=force)
        if checkpoint is not None and checkpoint.parent.exists():
            shutil.rmtree(checkpoint.parent, ignore_errors=True)
    with collective_errors(ctx, "saving the language model"):
        ctx.barrier()  # the other ranks return once rank 0 has written the model
    return model


def _rows_of_rank(
    train: torch.Tensor, ctx: DistContext, *, ids: np.ndarray, vocabulary: Vocabulary, network: Any
) -> torch.Tensor:
    """Under torchrun, this rank's rows of the batchified stream (after checking the ranks agree).

    ``--batch-size`` stays the global number of rows: rank ``r`` takes rows ``r, r + N, ...``,
    so the steps per epoch, the schedule and the averaged gradient are those of one process.
    """
    if not ctx.active:
        return train
    rows = train.shape[0]
    if rows % ctx.world_size:  # the same on every rank: all refuse before any collective
        raise ParameterError(
            f"batch_size={rows} rows of the token stream cannot be shared equally by {ctx.world_size} ranks",
            hint=f"use a --batch-size that is a multiple of {ctx.world_size}",
        )
    state = network.state_dict()
    check_same(
        ctx,
        {
            "token stream": digest(ids),
            "vocabulary": digest(list(vocabulary.words)),
            "initial weights (vectors)": digest([state[k] for k in sorted(state)]),
        },
    )
    return train[ctx.rank :: ctx.world_size].contiguous()


def _load_resume(out: Path | None, resume: bool) -> dict[str, Any] | None:
    if not resume:
        return None
    if out is None:
        raise ParameterError("resume=True needs the model folder (out) whose checkpoint to continue")
    checkpoint = checkpoint_path(out)
    if not checkpoint.exists():
        raise InputFileError(
            "no checkpoint to resume from", path=checkpoint, hint="train again without --resume"
        )
    return load_checkpoint(checkpoint)


def train_language_model(
    corpus: PathLike | Corpus,
    *,
    vectors: Vectors | PathLike | None = None,
    config: LanguageModelConfig | None = None,
    out: PathLike | None = None,
    force: bool = False,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    callbacks: list[Callback] | None = None,
    cache_dir: PathLike | None = None,
    encoding: str = "utf-8",
    column: str | None = None,
    data_dir: PathLike | None = None,
    **params: Any,
) -> LanguageModel:
    """Pretrain a recurrent language model on a corpus.

    Parameters
    ----------
    corpus : path, registry name or Corpus
        A text file with one document per line (``.gz/.bz2/.xz`` too), a folder of ``.txt``
        files, a CSV/TSV/JSONL file (with ``column``) or a registry name.
    vectors : Vectors or path, optional
        Pretrained word vectors for the embedding layer (any format nlptk reads); the
        embedding size is theirs. ``None``: random embeddings of ``embedding_dim`` (100).
    config : LanguageModelConfig, optional
        All settings; or give them as keyword arguments (``cell="gru", num_layers=2``).
    out : path, optional
        Model folder to write (atomically). While training, a checkpoint is written after
        each epoch to ``<out>.checkpoint/`` and removed once the model is saved.
    force : bool, default=False
        Replace an existing ``out``.
    resume : bool, default=False
        Continue from ``<out>.checkpoint/last.pt``; settings that change the run must match.
    progress : callable, optional
        Receives :class:`~nlptk.progress.ProgressEvent` (``tokenize``, ``epochs``, ``batches``).
    callbacks : list of Callback, optional
        More learner callbacks.
    cache_dir : path, optional
        Tokens cache folder (the one ``nlptk embed train`` uses by default).
    encoding, column, data_dir
        How to read the corpus (see :func:`nlptk.text.corpus.open_corpus`).
    **params
        :class:`LanguageModelConfig` fields.

    Returns
    -------
    LanguageModel
        With the weights of the best validation epoch; ``meta["history"]`` has the
        perplexity curve.

    Raises
    ------
    DataError
        An empty corpus, or one shorter than one BPTT window.
    ParameterError
        A bad setting, a budget smaller than one batch, ``resume`` with changed settings.
    TrainingError
        The loss became NaN or infinite (nothing is saved).
    OutputExistsError
        ``out`` exists and not ``force``.

    Examples
    --------
    >>> lm = train_language_model("corpus.txt", vectors="w2v", out="lm", cell="lstm",
    ...                           num_layers=1, hidden_size=512, max_minutes=30)  # doctest: +SKIP
    >>> lm.meta["best_val_perplexity"]                                              # doctest: +SKIP
    """
    from nlptk.classify.embeddings import match_embeddings
    from nlptk.embed.tokens_cache import tokenize_to_cache

    config = _make_config(config, params)
    out_path = Path(out) if out is not None else None
    if out_path is not None:
        check_output(out_path, force=force)
    resume_state = _load_resume(out_path, resume)
    if resume_state is not None:
        _check_resume(config, resume_state["extra"]["config"], checkpoint_path(out_path))  # type: ignore[arg-type]
    ctx = init_distributed(resolve_device(config.device))  # one process unless under torchrun
    tokenizer = tokenizer_from_config(config.tokenizer)
    source = open_corpus(corpus, column=column, encoding=encoding, data_dir=data_dir)
    if not ctx.is_main:
        ctx.barrier()  # under torchrun rank 0 tokenizes; the others then find its cache
    cache = tokenize_to_cache(source, tokenizer, cache_dir=cache_dir, progress=progress)
    if ctx.is_main:
        ctx.barrier()
    loaded = _as_vectors(vectors)
    if resume_state is not None:
        vocabulary = Vocabulary.from_dict(resume_state["extra"]["vocab"])
        info = dict(resume_state["extra"]["info"])
        if info.get("corpus", {}).get("tokens") != cache.tokens:
            raise DataError(
                f"the corpus has {cache.tokens:,} tokens but the checkpoint was trained on "
                f"{info.get('corpus', {}).get('tokens')}",
                path=source.path,
                hint="resume with the same corpus, or train again without --resume",
            )
    else:
        vocabulary = build_stream_vocabulary(
            cache.path, min_count=config.min_count, max_size=config.max_vocab
        )
        info = {
            "corpus": {**source.describe(), "documents": cache.documents, "tokens": cache.tokens},
            "tokens_file": os.fspath(cache.path),
        }
    embedding_dim = loaded.dim if loaded is not None else (config.embedding_dim or 100)
    resolved = config.resolve(vocab_size=len(vocabulary), embedding_dim=embedding_dim)
    seed_everything(config.seed)
    network = RNNLanguageModelNet(resolved, len(vocabulary))
    if resume_state is None:
        if loaded is not None:
            matrix, coverage = match_embeddings(vocabulary, loaded, seed=config.seed)
            network.encoder.load_embeddings(torch.from_numpy(matrix))
            info["embeddings"] = {"pretrained": True, "dim": loaded.dim, "coverage": coverage}
        else:
            info["embeddings"] = {"pretrained": False, "dim": embedding_dim}
    ids = encode_stream(cache.path, vocabulary)
    return _fit(
        network,
        config=resolved,
        user_config=config,
        vocabulary=vocabulary,
        ids=ids,
        source=str(source.path or source.describe()),
        out=out_path,
        force=force,
        resume_state=resume_state,
        progress=progress,
        callbacks=callbacks,
        info=info,
        ctx=ctx,
    )
