"""fastText (the official C++ library, through fasttext-wheel) trained on a tokens file.

:func:`train_fasttext` follows the trainer protocol (see :func:`nlptk.train_embeddings`). It
trains an unsupervised skip-gram or CBOW model with character n-gram subwords, saves the
model as ``model.bin`` in the output folder (kept, so that words never seen in training
still get vectors), and returns :class:`~nlptk.vectors.Vectors` backed by gensim's
``FastTextKeyedVectors`` loaded from that file: ``vectors["unseenword"]`` works.

The output folder's ``meta.json`` names the model file under ``"subwords"``
(``{"format": "fasttext-bin", "file": "model.bin"}``) so that loading the folder again
restores the subword vectors.

Notes
-----
* fastText reads the file itself and marks each line end with the token ``</s>``, which
  therefore appears in its vocabulary (as in any fastText ``.vec`` file).
* fastText has no per-epoch callback: progress reports the start and the end of training.
  It only prints its loss to the terminal (``verbose >= 2``), so no loss is reported.
* ``seed`` is fastText's ``-seed``; results are reproducible only with ``workers=1``.
* Only the unsupervised API is used here; it works under NumPy 2 (fasttext-wheel 0.9.2's
  ``predict`` does not, but training and word vectors do).
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from nlptk.embed.params import FastTextParams, default_workers
from nlptk.errors import DataError, ParameterError
from nlptk.params import param_error, resolve_params
from nlptk.progress import ProgressCallback, report
from nlptk.vectors.container import Vectors

__all__ = ["MODEL_FILE", "train_fasttext"]

logger = logging.getLogger(__name__)

#: The fastText model kept in the output folder.
MODEL_FILE = "model.bin"


def _translate_model(params: dict[str, Any]) -> dict[str, Any]:
    """fastText's ``model="skipgram"|"cbow"`` -> ``sg`` (the name word2vec uses too)."""
    params = dict(params)
    model = params.pop("model")
    warnings.warn(
        "train_fasttext(model=...) is deprecated; use sg=True (skipgram) or sg=False (cbow)",
        DeprecationWarning,
        stacklevel=3,
    )
    if model not in ("skipgram", "cbow"):
        raise param_error("model", model, "is not one of skipgram, cbow")
    if "sg" in params and params["sg"] != (model == "skipgram"):
        raise ParameterError(f"model={model!r} and sg={params['sg']!r} disagree", hint="give sg only")
    params["sg"] = model == "skipgram"
    return params


def _fit(tokens_file: str, options: dict[str, Any], seed: int) -> Any:
    """``fasttext.train_unsupervised`` with the seed set (the public function has no seed)."""
    from fasttext import FastText as ft

    names = [
        "input", "model", "lr", "dim", "ws", "epoch", "minCount", "minn", "maxn", "neg",
        "wordNgrams", "loss", "bucket", "thread", "lrUpdateRate", "t", "verbose",
    ]  # fmt: skip
    try:
        args, manual = ft.read_args((), {"input": tokens_file, **options}, names, ft.unsupervised_default)
        args["seed"] = seed
        built = ft._build_args(args, manual)
        model = ft._FastText(args=built)
        ft.fasttext.train(model.f, built)
        model.set_args(model.f.getArgs())
        return model
    except AttributeError:  # pragma: no cover - a fasttext release without these internals
        if seed != 0:
            logger.warning("this fasttext version takes no seed; training with its default")
        import fasttext

        return fasttext.train_unsupervised(input=tokens_file, **options)


def _word_vectors(vocab: np.ndarray, ngrams: np.ndarray, buckets: list[np.ndarray]) -> np.ndarray:
    """Each word's vector: the mean of its own row and its n-gram rows, as fastText computes it.

    The same float32 sums in the same order as gensim's ``FastTextKeyedVectors.adjust_vectors``
    (so the same bits), but one NumPy step per n-gram position instead of a Python loop over
    the words: 0.7 s less for a 20,000-word vocabulary.

    Examples
    --------
    >>> vocab = np.ones((2, 2), dtype=np.float32)
    >>> ngrams = np.arange(6, dtype=np.float32).reshape(3, 2)
    >>> out = _word_vectors(vocab, ngrams, [np.array([0, 2]), np.array([], dtype=np.uint32)])
    >>> out.astype(float).round(3).tolist()  # (1 + 0 + 4) / 3, (1 + 1 + 5) / 3; no n-grams: as is
    [[1.667, 2.333], [1.0, 1.0]]
    """
    out = np.array(vocab, dtype=np.float32)
    lengths = np.fromiter((len(b) for b in buckets), dtype=np.int64, count=len(buckets))
    if not len(buckets) or not lengths.any():
        return out
    # row i of `padded` holds word i's n-gram rows, in order, then zeros
    padded = np.zeros((len(buckets), int(lengths.max())), dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    position = np.arange(int(lengths.sum())) - np.repeat(starts, lengths)
    padded[np.repeat(np.arange(len(buckets)), lengths), position] = np.concatenate(buckets)
    for j in range(padded.shape[1]):
        rows = np.flatnonzero(lengths > j)
        out[rows] += ngrams[padded[rows, j]]
    out /= (lengths + 1).astype(np.float32)[:, None]
    return out


def _keyed_vectors(ft_model: Any, words: list[str], counts: np.ndarray) -> Any:
    """gensim vectors straight from the trained model's input matrix (no file round trip).

    The same as ``gensim.models.fasttext.load_facebook_vectors("model.bin")`` gives, built in
    a fraction of the time: the word rows and n-gram buckets are the model's input matrix.
    """
    from gensim.models import KeyedVectors
    from gensim.models.fasttext import FastTextKeyedVectors

    args = ft_model.f.getArgs()
    matrix = ft_model.get_input_matrix()  # (n_words + bucket, dim), a copy owned by NumPy
    n_words = len(words)
    if args.maxn == 0 or matrix.shape[0] == n_words:  # no subwords: plain word vectors
        kv = KeyedVectors(args.dim, count=0, dtype=np.float32)
        kv.add_vectors(words, matrix[:n_words])
    else:
        kv = FastTextKeyedVectors(args.dim, args.minn, args.maxn, args.bucket, count=0)
        kv.index_to_key = words
        kv.key_to_index = {w: i for i, w in enumerate(words)}
        kv.vectors_vocab = matrix[:n_words]
        kv.vectors_ngrams = matrix[n_words:]
        kv.recalc_char_ngram_buckets()
        kv.vectors = _word_vectors(kv.vectors_vocab, kv.vectors_ngrams, kv.buckets_word)
    kv.expandos["count"] = counts
    return kv


def _empty_vocab_error(tokens_file: str, min_count: int) -> DataError:
    counts: Counter[str] = Counter()
    documents = 0
    with open(tokens_file, encoding="utf-8") as fh:
        for line in fh:
            documents += 1
            counts.update(line.split())
    top = max(counts.values(), default=0)
    return DataError(
        f"no word occurs at least min_count={min_count} times (the corpus has "
        f"{sum(counts.values())} tokens in {documents} documents; the most frequent word occurs {top} times)",
        hint=f"lower min_count to {max(1, top)} or less, or use a larger corpus",
    )


def train_fasttext(
    tokens_file: str | os.PathLike[str],
    *,
    workdir: Path | None = None,
    progress: ProgressCallback | None = None,
    config: FastTextParams | None = None,
    **params: Any,
) -> Vectors:
    """Train unsupervised fastText vectors with subwords.

    Parameters
    ----------
    tokens_file : path
        UTF-8 text, one document per line, tokens separated by single spaces.
    workdir : Path, optional
        The output folder in the making: ``model.bin`` is saved there. Without it nothing is
        written; the returned vectors keep their subword information in memory either way.
    progress : callable, optional
        Receives a ``"train"`` phase (start and end; fastText has no per-epoch hook).
    config : FastTextParams, optional
        The settings (:class:`~nlptk.embed.params.FastTextParams`: dimensions, n-gram
        lengths, skip-gram or CBOW, buckets, ...); or the same names as keywords.
        ``model="skipgram"|"cbow"`` (fastText's name) is still accepted, with a
        ``DeprecationWarning``: use ``sg=True|False``.

    Returns
    -------
    Vectors
        With subwords (``has_subwords`` is true), rows in fastText's vocabulary order (most
        frequent first), ``counts`` filled.

    Raises
    ------
    ParameterError
        A parameter out of range.
    DataError
        No word reaches ``min_count``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "tokens.txt"
    >>> _ = f.write_text("the cat sat on the mat\\n" * 50)
    >>> v = train_fasttext(f, dim=8, min_count=1, epochs=1, bucket=1000, workers=1)
    >>> v.has_subwords, v["mats"].shape
    (True, (8,))
    """
    if "model" in params:
        params = _translate_model(params)
    config = resolve_params(FastTextParams, config, params)
    workers = config.workers or default_workers()
    path = os.fspath(tokens_file)
    options = {
        "model": "skipgram" if config.sg else "cbow",
        "dim": config.dim,
        "ws": config.window,
        "epoch": config.epochs,
        "minCount": config.min_count,
        "minn": config.minn,
        "maxn": config.maxn,
        "neg": config.negative,
        "wordNgrams": config.word_ngrams,
        "loss": "ns",
        "lr": config.lr,
        "t": config.sample,
        "bucket": config.bucket,
        "thread": workers,
        "verbose": 0,
    }
    epochs = config.epochs
    report(progress, "train", "start", 0, epochs)
    started = time.perf_counter()
    try:
        ft_model = _fit(path, options, config.seed)
    except (ValueError, RuntimeError) as exc:
        if "empty vocabulary" in str(exc).lower():
            raise _empty_vocab_error(path, config.min_count) from None
        raise
    seconds = time.perf_counter() - started
    words, freqs = ft_model.get_words(include_freq=True)
    n_tokens = int(np.sum(freqs))
    speed = n_tokens * epochs / max(seconds, 1e-9)
    logger.info("fastText trained %d words in %.1f s (%.0f words/s)", len(words), seconds, speed)
    report(progress, "train", "step", epochs, epochs, words_per_s=speed)

    if workdir is not None:
        ft_model.save_model(os.fspath(Path(workdir) / MODEL_FILE))
    kv = _keyed_vectors(ft_model, list(words), np.asarray(freqs, dtype=np.int64))
    del ft_model
    report(progress, "train", "end", epochs, epochs, words_per_s=speed)
    params = {**config.to_dict(), "workers": workers}
    meta: dict[str, Any] = {
        "method": "fasttext",
        "params": params,
        "words_per_s": round(speed),
        "train_seconds": round(seconds, 3),
    }
    model_path = None
    if workdir is not None:
        meta["files"] = [MODEL_FILE]
        meta["subwords"] = {"format": "fasttext-bin", "file": MODEL_FILE}
        model_path = Path(workdir) / MODEL_FILE  # the pipeline repoints it when the folder is renamed
    return Vectors.from_gensim(kv, meta=meta, subword_model=model_path)
