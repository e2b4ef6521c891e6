"""Bag-of-words plumbing for the topic models: token documents -> a filtered gensim Dictionary ->
a compact bag-of-words matrix that gensim's LDA streams over.

gensim's tutorials keep the corpus as a list of ``[(id, count), ...]`` lists; for a Wikipedia
sample that is millions of small Python tuples (hundreds of MB). Here the bags of words are
three NumPy arrays in CSR layout (about 8 bytes per distinct word of a document) and
:class:`BowStream` makes the ``(id, count)`` lists of one document at a time, once per pass.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from nlptk.errors import DataError
from nlptk.io import iter_lines
from nlptk.progress import ProgressCallback, report

__all__ = ["BagOfWords", "BowStream", "TokensFile", "build_dictionary", "to_bag_of_words"]

logger = logging.getLogger(__name__)


class TokensFile:
    """A re-iterable view of a tokens file (one document per line, tokens separated by spaces).

    Blank lines are kept as empty documents so that row ``i`` is line ``i``.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __iter__(self) -> Iterator[list[str]]:
        for line in iter_lines(self.path):
            yield line.split()


def build_dictionary(
    documents: Iterable[list[str]],
    *,
    no_below: int,
    no_above: float,
    keep_n: int | None,
    progress: ProgressCallback | None = None,
) -> Any:
    """A gensim ``Dictionary`` of ``documents``, filtered like ``filter_extremes``.

    Raises
    ------
    DataError
        No documents, no tokens, or no word left after the filters; the message names the
        filter that removed the last words and the numbers behind it.
    """
    from gensim.corpora import Dictionary

    dictionary = Dictionary()
    report(progress, "vocabulary", "start", 0, None)
    batch: list[list[str]] = []
    seen = 0
    for doc in documents:
        batch.append(doc)
        if len(batch) >= 10_000:
            dictionary.add_documents(batch)
            seen += len(batch)
            batch.clear()
            report(progress, "vocabulary", "step", seen, None, words=len(dictionary))
    if batch:
        dictionary.add_documents(batch)
        seen += len(batch)
    if seen == 0:
        raise DataError("no documents to fit", hint="give a corpus with at least one document")
    if len(dictionary) == 0:
        raise DataError(f"the {seen:,} documents have no tokens", hint="check the corpus and the tokenizer")
    n_docs = dictionary.num_docs
    dfs = np.fromiter(dictionary.dfs.values(), dtype=np.int64, count=len(dictionary.dfs))
    above_limit = no_above * n_docs
    pass_below = dfs >= no_below
    if not pass_below.any():
        raise DataError(
            f"no word is left after no_below={no_below}: all {len(dfs):,} words occur in fewer "
            f"documents (the most widespread is in {int(dfs.max()):,} of {n_docs:,})",
            hint="lower no_below or give more documents",
        )
    if not (pass_below & (dfs <= above_limit)).any():
        raise DataError(
            f"no word is left after no_above={no_above}: the {int(pass_below.sum()):,} words kept "
            f"by no_below={no_below} all occur in more than {no_above:.0%} of the {n_docs:,} documents",
            hint="raise no_above (1.0 keeps every word) or give more documents",
        )
    before = len(dictionary)
    dictionary.filter_extremes(no_below=no_below, no_above=no_above, keep_n=keep_n)
    logger.info(
        "vocabulary: %d words in %d documents, %d kept (no_below=%d, no_above=%s, keep_n=%s)",
        before,
        n_docs,
        len(dictionary),
        no_below,
        no_above,
        keep_n,
    )
    report(progress, "vocabulary", "end", seen, seen, words=len(dictionary))
    return dictionary


@dataclass(frozen=True)
class BagOfWords:
    """Bags of words in CSR layout: document ``i`` is ``ids[indptr[i]:indptr[i+1]]`` with its counts."""

    indptr: np.ndarray
    ids: np.ndarray
    counts: np.ndarray

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def lengths(self) -> np.ndarray:
        """Tokens kept per document (sum of counts), shape (n_documents,)."""
        running = np.concatenate(([0], np.cumsum(self.counts, dtype=np.int64)))
        return running[self.indptr[1:]] - running[self.indptr[:-1]]

    def document(self, i: int) -> list[tuple[int, int]]:
        start, stop = int(self.indptr[i]), int(self.indptr[i + 1])
        return list(zip(self.ids[start:stop].tolist(), self.counts[start:stop].tolist(), strict=True))

    def documents(self, start: int, stop: int) -> list[list[tuple[int, int]]]:
        """The ``(id, count)`` lists of documents ``start..stop-1``."""
        lo, hi = int(self.indptr[start]), int(self.indptr[stop])
        ids = self.ids[lo:hi].tolist()
        counts = self.counts[lo:hi].tolist()
        bounds = (self.indptr[start : stop + 1] - lo).tolist()
        return [list(zip(ids[a:b], counts[a:b], strict=True)) for a, b in pairwise(bounds)]


def to_bag_of_words(documents: Iterable[list[str]], dictionary: Any) -> BagOfWords:
    """Every document through ``dictionary.doc2bow``, stored as :class:`BagOfWords`."""
    indptr = array("q", [0])
    ids = array("i")
    counts = array("i")
    doc2bow = dictionary.doc2bow
    for doc in documents:
        for word_id, count in doc2bow(doc):
            ids.append(word_id)
            counts.append(count)
        indptr.append(len(ids))
    return BagOfWords(
        np.frombuffer(indptr, dtype=np.int64).copy(),
        np.frombuffer(ids, dtype=np.int32).copy(),
        np.frombuffer(counts, dtype=np.int32).copy(),
    )


class BowStream:
    """The re-iterable corpus given to gensim: one ``(id, count)`` list per document.

    ``on_pass(p)`` is called when pass ``p`` (0-based) starts, from the second pass on: gensim
    has then finished every update of the pass before, so the model can be measured.
    """

    def __init__(
        self,
        bow: BagOfWords,
        *,
        passes: int,
        on_pass: Callable[[int], None] | None = None,
        progress: ProgressCallback | None = None,
        block: int = 1000,
    ) -> None:
        self.bow = bow
        self.passes = passes
        self.on_pass = on_pass
        self.progress = progress
        self.block = block
        self.passes_started = 0

    def __len__(self) -> int:
        return len(self.bow)

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        pass_index = self.passes_started
        self.passes_started += 1
        if pass_index > 0 and self.on_pass is not None:
            self.on_pass(pass_index)
        n = len(self.bow)
        total = n * self.passes
        for start in range(0, n, self.block):
            stop = min(n, start + self.block)
            yield from self.bow.documents(start, stop)
            report(self.progress, "train", "step", pass_index * n + stop, total, **{"pass": pass_index + 1})
