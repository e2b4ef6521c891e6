"""Text similarity through a spaCy pipeline made by :func:`~nlptk.similarity.bridge.use_vectors`.

Every score comes with its coverage (the share of tokens that have a vector), and a text
with no known word gets ``score=None`` and a reason instead of a silent 0.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nlptk.errors import DataError, ParameterError, VocabularyError
from nlptk.io import atomic_write, check_input_file, iter_lines
from nlptk.similarity.bridge import get_component
from nlptk.similarity.component import TextVector, VectorsComponent

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "SimilarityMatrix",
    "SimilarityResult",
    "TextPair",
    "most_similar_words",
    "read_pairs",
    "read_texts",
    "score_pairs",
    "similarity",
    "similarity_matrix",
    "write_matrix_csv",
    "write_pairs_csv",
]

logger = logging.getLogger(__name__)

# spaCy refuses longer texts (E088, nlp.max_length's default): say so with the file and line
MAX_TEXT_CHARS = 1_000_000


def _check_length(text: str, path: os.PathLike[str] | str, line: int) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise DataError(
            f"a text of {len(text):,} characters; spaCy takes at most {MAX_TEXT_CHARS:,} (nlp.max_length)",
            path=path,
            line=line,
            hint="split the text into several lines",
        )


_HEADER_NAMES = {
    "a",
    "b",
    "text_a",
    "text_b",
    "text1",
    "text2",
    "text_1",
    "text_2",
    "sentence1",
    "sentence2",
    "sentence_a",
    "sentence_b",
    "left",
    "right",
    "first",
    "second",
    "query",
    "document",
    "s1",
    "s2",
}


@dataclass(frozen=True)
class SimilarityResult:
    """The similarity of two texts, with how much of each the vectors know.

    Attributes
    ----------
    score : float or None
        Cosine similarity of the averaged vectors; None when a text has no known word.
    coverage_a, coverage_b : float
        Share of each text's tokens that have a vector (0.0 to 1.0).
    reason : str or None
        Why ``score`` is None ("no known words in text A"), else None.
    """

    score: float | None
    coverage_a: float
    coverage_b: float
    reason: str | None = None


@dataclass(frozen=True)
class SimilarityMatrix:
    """Pairwise similarities of several texts.

    Attributes
    ----------
    scores : ndarray of shape (n_texts, n_texts)
        Cosine similarities; ``nan`` in the rows and columns of texts with no known word.
    coverage : ndarray of shape (n_texts,)
        Share of each text's tokens that have a vector.
    """

    scores: np.ndarray
    coverage: np.ndarray

    @property
    def missing(self) -> list[int]:
        """Indices of the texts that have no vector."""
        return [int(i) for i in np.flatnonzero(np.isnan(np.diag(self.scores)))]


@dataclass(frozen=True)
class TextPair:
    """One line of a pairs file."""

    line: int
    text_a: str
    text_b: str


def _docs(nlp: Language, texts: Iterable[str | Doc], batch_size: int = 256) -> list[Doc]:
    from spacy.tokens import Doc

    items = list(texts)
    if all(isinstance(t, Doc) for t in items):
        return items  # type: ignore[return-value]
    for i, t in enumerate(items):
        if not isinstance(t, (str, Doc)):
            raise ParameterError(f"text {i + 1} is a {type(t).__name__}, expected a str")
    strings = [t for t in items if isinstance(t, str)]
    for i, t in enumerate(strings):
        if len(t) > nlp.max_length:
            raise DataError(
                f"text {i + 1} has {len(t):,} characters; the pipeline takes at most "
                f"{nlp.max_length:,} (nlp.max_length)",
                hint="split the text, or raise nlp.max_length if the pipeline only tokenizes",
            )
    parsed = iter(nlp.pipe(strings, batch_size=batch_size))
    return [t if isinstance(t, Doc) else next(parsed) for t in items]


def _reason(a: TextVector, b: TextVector) -> str | None:
    def why(tv: TextVector, name: str) -> str | None:
        if tv.vector is not None:
            return None
        if tv.n_tokens == 0:
            return f"text {name} is empty"
        return f"no known words in text {name} (0 of {tv.n_tokens} tokens have a vector)"

    reasons = [r for r in (why(a, "A"), why(b, "B")) if r]
    return "; ".join(reasons) or None


def _result(a: TextVector, b: TextVector) -> SimilarityResult:
    from nlptk.similarity.component import cosine

    reason = _reason(a, b)
    score = None if reason else cosine(a.vector, b.vector)  # type: ignore[arg-type]
    return SimilarityResult(score, a.coverage, b.coverage, reason)


def similarity(text_a: str | Doc, text_b: str | Doc, nlp: Language) -> SimilarityResult:
    """Similarity of two texts with the score's coverage; a clear marker when undefined.

    Parameters
    ----------
    text_a, text_b : str or spacy Doc
        The texts.
    nlp : spacy.language.Language
        A pipeline made by :func:`~nlptk.similarity.bridge.use_vectors`.

    Returns
    -------
    SimilarityResult
        ``score`` is None, with a ``reason``, when a text is empty or has no known word
        (whatever the policy: a missing vector is never reported as a similarity of 0).

    Examples
    --------
    >>> import numpy as np
    >>> from nlptk import Vectors
    >>> from nlptk.similarity import use_vectors
    >>> nlp = use_vectors(Vectors(["cat", "dog"], np.array([[1, 0], [1, 1]], "f")))
    >>> result = similarity("a cat", "a dog", nlp)
    >>> round(result.score, 4), result.coverage_a, result.coverage_b
    (0.7071, 0.5, 0.5)
    >>> similarity("a cat", "a bird", nlp).reason
    'no known words in text B (0 of 2 tokens have a vector)'
    """
    component = get_component(nlp)
    doc_a, doc_b = _docs(nlp, [text_a, text_b])
    return _result(component.text_vector(doc_a), component.text_vector(doc_b))


def _text_vectors(
    component: VectorsComponent, docs: Sequence[Doc]
) -> tuple[np.ndarray, np.ndarray, list[TextVector]]:
    """Unit-normalised doc vectors (zeros where none), a has-vector mask, and the raw stats."""
    matrix, stats = component.text_vectors(docs)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    has = np.array([tv.vector is not None for tv in stats], dtype=bool) & (norms[:, 0] > 0)
    norms[norms == 0] = 1.0
    return matrix / norms, has, stats


def similarity_matrix(
    texts: Sequence[str | Doc], nlp: Language, *, batch_size: int = 256
) -> SimilarityMatrix:
    """All pairwise similarities of ``texts``: average once, normalise, one matrix product.

    Parameters
    ----------
    texts : sequence of str or Doc
    nlp : spacy.language.Language
        A pipeline made by :func:`~nlptk.similarity.bridge.use_vectors`.
    batch_size : int, default=256
        Texts per ``nlp.pipe`` batch.

    Returns
    -------
    SimilarityMatrix
        Texts without a vector have ``nan`` rows and columns (their ``missing`` list).

    Examples
    --------
    >>> import numpy as np
    >>> from nlptk import Vectors
    >>> from nlptk.similarity import use_vectors
    >>> nlp = use_vectors(Vectors(["cat", "dog"], np.array([[1, 0], [0, 1]], "f")))
    >>> similarity_matrix(["cat", "dog", "bird"], nlp).missing
    [2]
    """
    if len(texts) == 0:
        raise DataError("no texts to compare", hint="give at least one text")
    component = get_component(nlp)
    docs = _docs(nlp, texts, batch_size)
    unit, has, stats = _text_vectors(component, docs)
    scores = np.clip(unit @ unit.T, -1.0, 1.0).astype(np.float64)
    scores[~has, :] = np.nan
    scores[:, ~has] = np.nan
    np.fill_diagonal(scores, np.where(has, 1.0, np.nan))
    coverage = np.array([tv.coverage for tv in stats], dtype=np.float64)
    return SimilarityMatrix(scores, coverage)


def score_pairs(
    pairs: Iterable[TextPair | tuple[str, str]], nlp: Language, *, batch_size: int = 256
) -> list[SimilarityResult]:
    """Similarity of many text pairs (one ``nlp.pipe`` pass and vectorised cosines).

    Parameters
    ----------
    pairs : iterable of TextPair or (text_a, text_b)
        Texts as str or spaCy ``Doc``.
    nlp : spacy.language.Language
        A pipeline made by :func:`~nlptk.similarity.bridge.use_vectors`.

    Returns
    -------
    list of SimilarityResult
        In the order of ``pairs``.
    """
    items = list(pairs)
    if not items:
        return []
    component = get_component(nlp)
    left = [p.text_a if isinstance(p, TextPair) else p[0] for p in items]
    right = [p.text_b if isinstance(p, TextPair) else p[1] for p in items]
    n = len(items)
    docs = _docs(nlp, left + right, batch_size)
    unit, has, stats = _text_vectors(component, docs)
    cosines = np.clip(np.einsum("ij,ij->i", unit[:n], unit[n:]), -1.0, 1.0).tolist()
    results = []
    for k in range(n):
        a, b = stats[k], stats[n + k]
        if has[k] and has[n + k]:
            results.append(SimilarityResult(cosines[k], a.coverage, b.coverage, None))
        else:
            reason = _reason(a, b) or "a text's vector is all zeros"
            results.append(SimilarityResult(None, a.coverage, b.coverage, reason))
    return results


def read_pairs(
    path: str | os.PathLike[str], *, header: bool | None = None, encoding: str = "utf-8"
) -> list[TextPair]:
    """Read a tab-separated file of text pairs (first two columns; extra columns ignored).

    Parameters
    ----------
    path : str or path
        The TSV file (``.gz``/``.bz2``/``.xz`` too).
    header : bool or None, default=None
        Whether the first line is a header; None guesses: a first line whose two fields are
        names such as ``text_a``/``text_b``, ``sentence1``/``sentence2`` is a header.

    Raises
    ------
    DataError
        A line with fewer than two columns (its line number is in the message), or no pairs.
    """
    p = check_input_file(path, what="pairs file")
    pairs: list[TextPair] = []
    first = True
    for lineno, line in enumerate(iter_lines(p, encoding=encoding), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if first:
            first = False
            names = {f.strip().lower() for f in fields[:2]}
            is_header = header if header is not None else (len(fields) >= 2 and names <= _HEADER_NAMES)
            if is_header:
                continue
        if len(fields) < 2:
            raise DataError(
                "has 1 column, expected 2 (text A <TAB> text B)",
                path=p,
                line=lineno,
                hint="separate the two texts with a tab",
            )
        _check_length(fields[0], p, lineno)
        _check_length(fields[1], p, lineno)
        pairs.append(TextPair(lineno, fields[0], fields[1]))
    if not pairs:
        raise DataError("no text pairs found", path=p, hint="one pair per line: text A <TAB> text B")
    return pairs


def read_texts(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> tuple[list[int], list[str]]:
    """Read one text per line, skipping blank lines; returns (line numbers, texts)."""
    p = check_input_file(path, what="texts file")
    lines: list[int] = []
    texts: list[str] = []
    for lineno, line in enumerate(iter_lines(p, encoding=encoding), start=1):
        if line.strip():
            _check_length(line, p, lineno)
            lines.append(lineno)
            texts.append(line)
    if not texts:
        raise DataError("no texts found (only blank lines)", path=p, hint="write one text per line")
    return lines, texts


def most_similar_words(word: str, nlp: Language, *, topn: int = 10) -> list[tuple[str, float]]:
    """Nearest words by cosine through spaCy's ``Vectors.most_similar``.

    Parameters
    ----------
    word : str
        The query; looked up like a token (lowercased when the vectors are). Unseen words use
        subword vectors when the pipeline has them (``oov="subword"``).
    nlp : spacy.language.Language
        A pipeline made by :func:`~nlptk.similarity.bridge.use_vectors`.
    topn : int, default=10

    Returns
    -------
    list of (word, similarity)
        The word itself is left out; spaCy rounds scores to 4 decimals.

    Examples
    --------
    >>> import numpy as np
    >>> from nlptk import Vectors
    >>> from nlptk.similarity import use_vectors
    >>> v = Vectors(["cat", "dog", "car"], np.array([[1, 0, 0], [.9, .1, 0], [0, 0, 1]], "f"))
    >>> most_similar_words("cat", use_vectors(v), topn=1)
    [('dog', 0.9939)]
    """
    if topn < 1:
        raise ParameterError(f"topn must be >= 1, got {topn}")
    component = get_component(nlp)
    table = nlp.vocab.vectors
    query = component.word_vector(word)
    if query is None:
        raise VocabularyError(
            f"word {word!r} has no vector ({table.n_keys} words in the vectors)",
            hint="check its spelling, or use fastText .bin vectors with --oov subword",
        )
    key_text = word.lower() if component.attr == "LOWER" else word
    own_row = table.key2row.get(nlp.vocab.strings[key_text], -1) if key_text in nlp.vocab.strings else -1
    n_rows = len(set(table.key2row.values()))
    n = min(topn + 1, n_rows)
    if n < 1:
        return []
    keys, rows, scores = table.most_similar(np.array([query], dtype=np.float32), n=n)
    out: list[tuple[str, float]] = []
    for key, row, score in zip(keys[0], rows[0], scores[0], strict=False):
        if int(row) == own_row:
            continue
        out.append((nlp.vocab.strings[int(key)], round(float(score), 4)))
    return out[:topn]


def write_pairs_csv(
    pairs: Sequence[TextPair],
    results: Sequence[SimilarityResult],
    path: str | os.PathLike[str],
    *,
    force: bool = False,
) -> None:
    """Write pair scores as CSV: line, text_a, text_b, score (empty when none), coverages, reason."""
    if len(pairs) != len(results):
        raise ParameterError(f"{len(pairs)} pairs but {len(results)} results")
    with atomic_write(path, force=force, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "text_a", "text_b", "score", "coverage_a", "coverage_b", "reason"])
        for pair, r in zip(pairs, results, strict=True):
            score = "" if r.score is None else f"{r.score:.6f}"
            writer.writerow(
                [
                    pair.line,
                    pair.text_a,
                    pair.text_b,
                    score,
                    f"{r.coverage_a:.4f}",
                    f"{r.coverage_b:.4f}",
                    r.reason or "",
                ]
            )


def write_matrix_csv(
    matrix: SimilarityMatrix,
    labels: Sequence[str],
    path: str | os.PathLike[str],
    *,
    force: bool = False,
) -> None:
    """Write a similarity matrix as CSV: a header of labels, one row per text (empty cells for nan)."""
    n = matrix.scores.shape[0]
    if len(labels) != n:
        raise ParameterError(f"{len(labels)} labels for a {n} x {n} matrix")
    with atomic_write(path, force=force, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", *labels])
        for label, row in zip(labels, matrix.scores, strict=True):
            writer.writerow([label, *("" if np.isnan(s) else f"{s:.6f}" for s in row)])
