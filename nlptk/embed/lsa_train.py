"""Training LSA from a corpus or a tokens file: :func:`fit_lsa` and :func:`train_lsa`.

The estimator and its model folder are :mod:`nlptk.embed.lsa` (which re-exports both
functions); :func:`train_lsa` is the trainer behind ``nlptk embed train --method lsa``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from nlptk.embed.lsa import LSA
from nlptk.embed.params import LSAParams
from nlptk.errors import (
    DataError,
    NlptkError,
)
from nlptk.io import iter_lines
from nlptk.params import resolve_params
from nlptk.progress import ProgressCallback, report
from nlptk.text.tokenize import Tokenizer
from nlptk.vectors.container import Vectors

__all__ = ["fit_lsa", "train_lsa"]

logger = logging.getLogger("nlptk.embed.lsa")

PathLike = str | os.PathLike[str]


def fit_lsa(
    corpus: PathLike | Iterable[str],
    out: PathLike | None = None,
    *,
    n_topics: int = 100,
    tokenizer: str | dict[str, Any] | Tokenizer | None = None,
    encoding: str = "utf-8",
    column: str | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    **params: Any,
) -> LSA:
    """Fit an :class:`LSA` model on a corpus (a path, a registry name or texts) and save it to ``out``.

    ``params`` go to :class:`LSA` (``min_df``, ``max_df``, ``max_features``, ``sublinear_tf``,
    ``seed``...). An existing ``out`` is refused before any work unless ``force``.

    Examples
    --------
    >>> model = fit_lsa("lee_background", "lee-lsa/", n_topics=50)  # doctest: +SKIP
    """
    from nlptk.io import check_output
    from nlptk.text.corpus import Corpus, open_corpus

    if out is not None:
        check_output(out, force=force)
    documents: Iterable[str]
    if isinstance(corpus, (str, os.PathLike)):
        documents = open_corpus(corpus, column=column, encoding=encoding)
    else:
        documents = corpus
    model = LSA(n_topics, tokenizer=tokenizer, **params)
    report(progress, "train", "start", 0, 1)
    try:
        model.fit(documents)
    except NlptkError as exc:  # "no documents to fit" and the like: say which corpus
        if exc.path is None and isinstance(corpus, (str, os.PathLike)):
            exc.path = os.fspath(corpus)
        raise
    # where the corpus is, so that `nlptk topics coherence` can count on it later
    model.source_ = documents.describe() if isinstance(documents, Corpus) else None
    report(progress, "train", "end", 1, 1, explained_variance=float(model.explained_variance_ratio_.sum()))
    if out is not None:
        model.save(out, force=force)
    return model


def _tokens_documents(tokens_file: Path) -> Iterator[str]:
    for line in iter_lines(tokens_file):
        if line.strip():
            yield line


class _TokensFile:
    """A re-iterable view of a tokens file (one document per line)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[str]:
        return _tokens_documents(self.path)


def train_lsa(
    tokens_file: Path,
    *,
    workdir: Path | None = None,
    progress: ProgressCallback | None = None,
    config: LSAParams | None = None,
    **params: Any,
) -> Vectors:
    """Train LSA term vectors from a tokens file (the ``embed train`` trainer protocol).

    Parameters
    ----------
    tokens_file : Path
        One document per line, tokens separated by spaces (already tokenized).
    workdir : Path, optional
        Output folder being built; the LSA model files go there (see :class:`LSA`), so the
        folder also works with ``nlptk lsa topics`` and ``nlptk lsa similar``.
    progress : callable, optional
        Receives a "train" start and end event.
    config : LSAParams, optional
        The settings (:class:`~nlptk.embed.params.LSAParams`: ``dim`` topics, ``min_count``
        documents, ...); or the same names as keywords.

    Returns
    -------
    Vectors
        Term vectors, most frequent (by document frequency) first.

    Raises
    ------
    ParameterError
        ``dim`` < 1 or larger than the data allows, ``min_count`` < 1.
    DataError
        An empty vocabulary after ``min_count``.
    """
    config = resolve_params(LSAParams, config, params)
    min_count = config.min_count
    model = LSA(
        n_topics=config.dim,
        min_df=min_count,
        max_df=config.max_df,
        sublinear_tf=config.sublinear_tf,
        tokenizer={"name": "whitespace", "lowercase": False},
        seed=config.seed,
    )
    report(progress, "train", "start", 0, 1)
    started = time.perf_counter()
    try:
        model.fit(_TokensFile(Path(tokens_file)))
    except DataError as exc:
        if "no terms left from" not in exc.message:  # no documents, no tokens: say that as it is
            exc.path = exc.path or os.fspath(tokens_file)
            raise
        raise DataError(  # said in the user's terms: min_count, not scikit-learn's min_df/max_df
            f"empty vocabulary with min_count={min_count}: no word occurs in that many documents",
            path=tokens_file,
            hint="lower min_count or give a larger corpus",
        ) from None
    seconds = time.perf_counter() - started
    report(progress, "train", "end", 1, 1, seconds=seconds)
    vectors = model.term_vectors()
    vectors.meta["params"] = config.to_dict()
    vectors.meta["explained_variance"] = float(model.explained_variance_ratio_.sum())
    if workdir is not None:
        # queries must be tokenized like the corpus: the run manifest's tokenizer is used on load
        vectors.meta["files"] = model._write_files(Path(workdir), tokenizer_from_manifest=True)
    return vectors
