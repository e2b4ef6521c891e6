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

__all__ = ["BagOfWords", "BowStream", "TokensFile", "build_bag_of_words", "snippet", "to_bag_of_words"]

logger = logging.getLogger(__name__)


def snippet(text: str, max_chars: int) -> str:
    """``text`` with its whitespace collapsed, cut to ``max_chars`` (an ellipsis marks a cut)."""
    text = " ".join(text.split())
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


class TokensFile:
    """A re-iterable view of a tokens file (one document per line, tokens separated by spaces).

    Blank lines are kept as empty documents so that row ``i`` is line ``i``. With
    ``snippet_chars``, the first pass also keeps a snippet of every line in :attr:`snippets`.
    """

    def __init__(self, path: Path, *, snippet_chars: int | None = None) -> None:
        self.path = Path(path)
        self.snippet_chars = snippet_chars
        self.snippets: list[str] = []

    def __iter__(self) -> Iterator[list[str]]:
        keep = self.snippets.append if self.snippet_chars is not None and not self.snippets else None
        for line in iter_lines(self.path):
            if keep is not None:
                keep(snippet(line, self.snippet_chars))  # type: ignore[arg-type]
            yield line.split()


def build_bag_of_words(
    documents: Iterable[list[str]],
    *,
    no_below: int,
    no_above: float,
    keep_n: int | None,
    progress: ProgressCallback | None = None,
) -> tuple[Any, BagOfWords]:
    """A gensim ``Dictionary`` filtered like ``filter_extremes``, and the bags of words of
    ``documents`` under it, in **one** pass over the documents.

    Every document goes through ``Dictionary.doc2bow(allow_update=True)`` (what
    ``Dictionary.add_documents`` does) and its bag is kept with the unfiltered ids; after the
    filters the ids are mapped to the kept words' ids with NumPy, and each document's pairs are
    sorted by id, so the bags equal what ``doc2bow`` under the filtered dictionary gives, without
    reading and splitting the corpus a second time. gensim's pruning of the dictionary at two
    million words is not done (it would renumber the ids mid-pass).

    Raises
    ------
    DataError
        No documents, no tokens, or no word left after the filters; the message names the
        filter that removed the last words and the numbers behind it.
    """
    from gensim.corpora import Dictionary

    dictionary = Dictionary()
    doc2bow = dictionary.doc2bow
    indptr = array("q", [0])
    ids = array("i")
    counts = array("i")
    report(progress, "vocabulary", "start", 0, None)
    seen = 0
    for doc in documents:
        bow = doc2bow(doc, allow_update=True)
        if bow:
            word_ids, word_counts = zip(*bow, strict=True)
            ids.extend(word_ids)
            counts.extend(word_counts)
        indptr.append(len(ids))
        seen += 1
        if seen % 10_000 == 0:
            report(progress, "vocabulary", "step", seen, None, words=len(dictionary))
    if seen == 0:
        raise DataError("no documents to fit", hint="give a corpus with at least one document")
    if len(dictionary) == 0:
        raise DataError(f"the {seen:,} documents have no tokens", hint="check the corpus and the tokenizer")
    _check_filters(dictionary, no_below=no_below, no_above=no_above)
    before = dict(dictionary.token2id)
    dictionary.filter_extremes(no_below=no_below, no_above=no_above, keep_n=keep_n)
    logger.info(
        "vocabulary: %d words in %d documents, %d kept (no_below=%d, no_above=%s, keep_n=%s)",
        len(before),
        seen,
        len(dictionary),
        no_below,
        no_above,
        keep_n,
    )
    new_id = np.full(len(before), -1, dtype=np.int64)
    for token, kept_id in dictionary.token2id.items():
        new_id[before[token]] = kept_id
    bow = _remap(
        np.frombuffer(indptr, dtype=np.int64),
        np.frombuffer(ids, dtype=np.int32),
        np.frombuffer(counts, dtype=np.int32),
        new_id,
    )
    report(progress, "vocabulary", "end", seen, seen, words=len(dictionary))
    return dictionary, bow


def _check_filters(dictionary: Any, *, no_below: int, no_above: float) -> None:
    """Name the filter that would leave no word, with the numbers."""
    n_docs = dictionary.num_docs
    dfs = np.fromiter(dictionary.dfs.values(), dtype=np.int64, count=len(dictionary.dfs))
    pass_below = dfs >= no_below
    if not pass_below.any():
        raise DataError(
            f"no word is left after no_below={no_below}: all {len(dfs):,} words occur in fewer "
            f"documents (the most widespread is in {int(dfs.max()):,} of {n_docs:,})",
            hint="lower no_below or give more documents",
        )
    if not (pass_below & (dfs <= no_above * n_docs)).any():
        raise DataError(
            f"no word is left after no_above={no_above}: the {int(pass_below.sum()):,} words kept "
            f"by no_below={no_below} all occur in more than {no_above:.0%} of the {n_docs:,} documents",
            hint="raise no_above (1.0 keeps every word) or give more documents",
        )


def _remap(indptr: np.ndarray, ids: np.ndarray, counts: np.ndarray, new_id: np.ndarray) -> BagOfWords:
    """Bags of words with ids mapped through ``new_id`` (-1: dropped), sorted by id per document."""
    n_docs = len(indptr) - 1
    document = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(indptr))
    mapped = new_id[ids]
    keep = mapped >= 0
    document, mapped, kept_counts = document[keep], mapped[keep], counts[keep]
    order = np.lexsort((mapped, document))
    per_document = np.bincount(document, minlength=n_docs)
    return BagOfWords(
        np.concatenate(([0], np.cumsum(per_document))).astype(np.int64),
        mapped[order].astype(np.int32),
        kept_counts[order].astype(np.int32),
    )


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
        pairs = list(zip(self.ids[lo:hi].tolist(), self.counts[lo:hi].tolist(), strict=True))
        bounds = (self.indptr[start : stop + 1] - lo).tolist()
        return [pairs[a:b] for a, b in pairwise(bounds)]


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
