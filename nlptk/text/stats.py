"""Corpus statistics in one streaming pass: ``nlptk corpus stats``.

:func:`corpus_stats` reads a corpus once, document by document, keeping only the token
counts and one integer per document (its length), never the text.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from nlptk.errors import DataError
from nlptk.text.corpus import Corpus, open_corpus
from nlptk.text.tokenize import Tokenizer, get_tokenizer

__all__ = ["CorpusStats", "corpus_stats"]

PathLike = str | os.PathLike[str]


@dataclass
class CorpusStats:
    """What :func:`corpus_stats` measured.

    Attributes
    ----------
    documents : int
        Documents read (blank lines are not documents).
    empty_documents : int
        Documents with no token after tokenization.
    tokens : int
        Tokens in all documents.
    vocabulary_size : int
        Distinct tokens (types).
    hapax : int
        Types seen exactly once.
    mean_length, median_length : float
        Document length in tokens.
    max_length, min_length : int
        Longest and shortest document, in tokens.
    top : list of (str, int)
        The most frequent tokens with their counts.
    coverage : dict of str to float
        Share of all tokens covered by the most frequent 1,000 / 10,000 / 100,000 types
        (``{"top_1000": 0.71, ...}``); a cut above the vocabulary size is omitted.
    tokenizer : dict
        The tokenizer's config.
    source : dict
        The corpus description.
    seconds : float
        Wall time of the pass.
    """

    documents: int
    empty_documents: int
    tokens: int
    vocabulary_size: int
    hapax: int
    mean_length: float
    median_length: float
    max_length: int
    min_length: int
    top: list[tuple[str, int]] = field(default_factory=list)
    coverage: dict[str, float] = field(default_factory=dict)
    tokenizer: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (``top`` as ``[[word, count], ...]``)."""
        d = asdict(self)
        d["top"] = [[w, c] for w, c in self.top]
        return d


def corpus_stats(
    corpus: PathLike | Corpus | Iterable[str],
    tokenizer: Tokenizer | str | dict[str, Any] | None = None,
    *,
    top: int = 20,
    **open_options: Any,
) -> CorpusStats:
    """Count documents, tokens and types of a corpus in one streaming pass.

    Parameters
    ----------
    corpus : path, registry name, Corpus, or iterable of str
        What to read; paths and names go through :func:`~nlptk.text.corpus.open_corpus`
        (``open_options`` such as ``encoding=``, ``column=``, ``data_dir=`` are passed on).
    tokenizer : Tokenizer, str or dict, optional
        The tokenizer (default :class:`~nlptk.text.tokenize.RegexTokenizer`).
    top : int, default=20
        How many of the most frequent tokens to report.

    Returns
    -------
    CorpusStats

    Raises
    ------
    DataError
        The corpus has no documents.

    Examples
    --------
    >>> stats = corpus_stats(["the cat sat", "the dog"])
    >>> stats.documents, stats.tokens, stats.vocabulary_size, stats.hapax, stats.top[0]
    (2, 5, 4, 3, ('the', 2))
    """
    tok = get_tokenizer(tokenizer)
    if isinstance(corpus, (str, os.PathLike)):
        source: Iterable[str] = open_corpus(corpus, **open_options)
    else:
        source = corpus
    description = source.describe() if isinstance(source, Corpus) else {"kind": type(source).__name__}
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    lengths: list[int] = []
    update = counts.update
    append = lengths.append
    for doc in source:
        tokens = tok(doc)
        update(tokens)
        append(len(tokens))
    seconds = time.perf_counter() - started
    if not lengths:
        raise DataError("the corpus has no documents", path=description.get("path"))
    lens = np.asarray(lengths, dtype=np.int64)
    n_tokens = int(lens.sum())
    freqs = np.sort(np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))[::-1]
    cumulative = np.cumsum(freqs)
    coverage = {}
    for cut in (1_000, 10_000, 100_000):
        if cut < len(freqs):
            coverage[f"top_{cut}"] = float(cumulative[cut - 1] / n_tokens)
    return CorpusStats(
        documents=len(lengths),
        empty_documents=int((lens == 0).sum()),
        tokens=n_tokens,
        vocabulary_size=len(counts),
        hapax=int((freqs == 1).sum()),
        mean_length=float(lens.mean()),
        median_length=float(np.median(lens)),
        max_length=int(lens.max()),
        min_length=int(lens.min()),
        top=counts.most_common(top),
        coverage=coverage,
        tokenizer=tok.to_config(),
        source=description,
        seconds=seconds,
    )
