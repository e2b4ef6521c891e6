"""Intrinsic evaluation of word vectors: word-pair similarity and analogies.

Scores come from gensim (``KeyedVectors.evaluate_word_pairs`` and
``evaluate_word_analogies``) on :meth:`Vectors.to_gensim`, so numbers match what a gensim
user gets. nlptk adds what gensim leaves out:

* the benchmark files are validated first: a malformed line raises a
  :class:`~nlptk.errors.FormatError` with its line number instead of being skipped;
* coverage is reported as counts and shares (pairs or questions scored out of the total),
  since a score on 10% of a benchmark means little;
* analogy accuracy is split into semantic and syntactic sections (Google's convention:
  sections whose name starts with ``gram`` are syntactic).

The defaults are the files gensim ships: WordSim353 (``wordsim353.tsv``), SimLex-999
(``simlex999.txt``) and the Google analogy set (``questions-words.txt``).
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path
from typing import Any, Literal

from nlptk.errors import DataError, FormatError
from nlptk.io import iter_lines
from nlptk.vectors.container import Vectors

__all__ = ["default_benchmark_path", "evaluate_analogies", "evaluate_pairs", "evaluate_vectors"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

_DEFAULT_FILES = {
    "wordsim": "wordsim353.tsv",
    "simlex": "simlex999.txt",
    "analogies": "questions-words.txt",
}


def default_benchmark_path(name: Literal["wordsim", "simlex", "analogies"]) -> Path:
    """Path of the benchmark file gensim ships for ``name``."""
    from gensim.test.utils import datapath

    return Path(datapath(_DEFAULT_FILES[name]))


def _read_pairs(path: Path, encoding: str) -> list[tuple[str, str, float]]:
    """Parse a tab-separated ``word1<TAB>word2<TAB>score`` file; ``#`` lines are comments."""
    pairs = []
    for lineno, line in enumerate(iter_lines(path, encoding=encoding), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise FormatError(
                f"has {len(fields)} tab-separated fields, expected 3 (word1, word2, score)",
                path=path,
                line=lineno,
                hint="word-pair files are tab-separated; start comment lines with '#'",
            )
        try:
            score = float(fields[2])
        except ValueError:
            raise FormatError(f"the score {fields[2]!r} is not a number", path=path, line=lineno) from None
        pairs.append((fields[0], fields[1], score))
    if not pairs:
        raise DataError("holds no word pairs", path=path, hint="lines must be word1<TAB>word2<TAB>score")
    return pairs


def _read_questions(path: Path, encoding: str) -> list[tuple[str, int]]:
    """Parse an analogy file into ``(section, n_questions)``; each question line has 4 words."""
    sections: list[tuple[str, int]] = []
    for lineno, line in enumerate(iter_lines(path, encoding=encoding), start=1):
        if not line.strip():
            continue
        if line.startswith(":"):
            sections.append((line[1:].strip(), 0))
            continue
        if len(line.split()) != 4:
            raise FormatError(
                f"has {len(line.split())} words, expected 4 (a b c d for a:b :: c:d)",
                path=path,
                line=lineno,
                hint="analogy files hold ': section' lines and 4-word question lines",
            )
        if not sections:
            raise FormatError(
                "a question comes before any ': section' line",
                path=path,
                line=lineno,
                hint="start the file with a line such as ': capital-common-countries'",
            )
        name, count = sections[-1]
        sections[-1] = (name, count + 1)
    if not any(count for _, count in sections):
        raise DataError("holds no analogy questions", path=path)
    return sections


def _ok_vocab(vectors: Vectors, restrict_vocab: int, case_insensitive: bool) -> set[str]:
    words = vectors.words[:restrict_vocab]
    return {w.upper() for w in words} if case_insensitive else set(words)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def evaluate_pairs(
    vectors: Vectors,
    path: PathLike,
    *,
    restrict_vocab: int = 300_000,
    case_insensitive: bool = True,
    encoding: str = "utf-8",
) -> dict[str, Any]:
    """Spearman and Pearson correlation with human similarity scores, with coverage.

    Parameters
    ----------
    vectors : Vectors
    path : str or path-like
        Tab-separated ``word1<TAB>word2<TAB>score`` lines; ``#`` starts a comment.
    restrict_vocab : int, default=300000
        Only the first (most frequent) words count as known.
    case_insensitive : bool, default=True
        Compare words upper-cased (gensim's convention).

    Returns
    -------
    dict
        ``file``, ``pairs`` (total), ``scored``, ``coverage`` (share scored), ``spearman``,
        ``spearman_p``, ``pearson``, ``pearson_p``; correlations are None when fewer than
        two pairs could be scored.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> from nlptk.vectors import load_vectors
    >>> v = load_vectors(datapath("lee_fasttext.vec"))
    >>> result = evaluate_pairs(v, datapath("wordsim353.tsv"))
    >>> result["pairs"], result["scored"] > 0
    (353, True)
    """
    p = Path(path)
    pairs = _read_pairs(p, encoding)
    known = _ok_vocab(vectors, restrict_vocab, case_insensitive)
    norm = str.upper if case_insensitive else str
    scored = sum(1 for a, b, _ in pairs if norm(a) in known and norm(b) in known)
    result: dict[str, Any] = {
        "file": str(p),
        "pairs": len(pairs),
        "scored": scored,
        "coverage": _share(scored, len(pairs)),
        "spearman": None,
        "spearman_p": None,
        "pearson": None,
        "pearson_p": None,
    }
    if scored < 2:
        logger.warning("%s: only %d of %d pairs have both words in the vocabulary", p, scored, len(pairs))
        return result
    pearson, spearman, _oov = vectors.to_gensim().evaluate_word_pairs(
        str(p),
        delimiter="\t",
        encoding=encoding,
        restrict_vocab=restrict_vocab,
        case_insensitive=case_insensitive,
    )

    def finite(x: Any) -> float | None:
        x = float(x)
        return None if math.isnan(x) else x

    result.update(
        spearman=finite(spearman[0]),
        spearman_p=finite(spearman[1]),
        pearson=finite(pearson[0]),
        pearson_p=finite(pearson[1]),
    )
    return result


def _section_kind(name: str) -> str:
    return "syntactic" if name.lower().startswith("gram") else "semantic"


def evaluate_analogies(
    vectors: Vectors,
    path: PathLike,
    *,
    restrict_vocab: int = 300_000,
    case_insensitive: bool = True,
    encoding: str = "utf-8",
) -> dict[str, Any]:
    """Analogy accuracy (3CosAdd, gensim's ``evaluate_word_analogies``) with coverage.

    A question is scored when its four words are among the first ``restrict_vocab`` words.

    Returns
    -------
    dict
        ``file``, ``questions`` (total), ``scored``, ``coverage``, ``correct``, ``accuracy``
        (None when nothing was scored), ``semantic`` and ``syntactic`` (each with
        ``questions``, ``scored``, ``correct``, ``accuracy``) and ``sections`` (a list of
        the same per section).

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> from nlptk.vectors import load_vectors
    >>> v = load_vectors(datapath("lee_fasttext.vec"))
    >>> result = evaluate_analogies(v, datapath("questions-words.txt"))
    >>> result["questions"]
    19544
    """
    p = Path(path)
    totals = _read_questions(p, encoding)
    _score, sections = vectors.to_gensim().evaluate_word_analogies(
        str(p), restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
    )
    scored_by_name: dict[str, tuple[int, int]] = {}
    for section in sections:
        if section["section"] == "Total accuracy":
            continue
        correct, incorrect = len(section["correct"]), len(section["incorrect"])
        old = scored_by_name.get(section["section"], (0, 0))
        scored_by_name[section["section"]] = (old[0] + correct, old[1] + correct + incorrect)

    def summary(questions: int, correct: int, scored: int) -> dict[str, Any]:
        return {
            "questions": questions,
            "scored": scored,
            "coverage": _share(scored, questions),
            "correct": correct,
            "accuracy": correct / scored if scored else None,
        }

    per_section = []
    groups: dict[str, list[int]] = {"semantic": [0, 0, 0], "syntactic": [0, 0, 0]}
    seen: set[str] = set()
    for name, questions in totals:
        if name in seen:  # a section name repeated in the file: gensim merges them too
            continue
        seen.add(name)
        questions = sum(n for other, n in totals if other == name)
        correct, scored = scored_by_name.get(name, (0, 0))
        per_section.append(
            {"section": name, "kind": _section_kind(name), **summary(questions, correct, scored)}
        )
        group = groups[_section_kind(name)]
        group[0] += questions
        group[1] += correct
        group[2] += scored
    total_q = sum(n for _, n in totals)
    total_correct = sum(g[1] for g in groups.values())
    total_scored = sum(g[2] for g in groups.values())
    return {
        "file": str(p),
        **summary(total_q, total_correct, total_scored),
        "semantic": summary(*groups["semantic"]),
        "syntactic": summary(*groups["syntactic"]),
        "sections": per_section,
    }


def evaluate_vectors(
    vectors: Vectors,
    *,
    wordsim: PathLike | Literal[False] | None = None,
    simlex: PathLike | Literal[False] | None = None,
    analogies: PathLike | Literal[False] | None = None,
    restrict_vocab: int = 300_000,
    case_insensitive: bool = True,
    encoding: str = "utf-8",
) -> dict[str, Any]:
    """Evaluate vectors on WordSim353, SimLex-999 and the Google analogy set.

    Parameters
    ----------
    vectors : Vectors
    wordsim, simlex : path, None or False
        Word-pair files (tab-separated ``word1 word2 score``). None uses the file gensim
        ships; False skips the benchmark.
    analogies : path, None or False
        Analogy file (``: section`` lines and ``a b c d`` questions). None uses the
        Google set gensim ships; False skips it.
    restrict_vocab : int, default=300000
        Only the first (most frequent) words count as known, as in gensim.
    case_insensitive : bool, default=True
    encoding : str, default="utf-8"
        Encoding of the benchmark files given.

    Returns
    -------
    dict
        ``{"vectors": {"n_words", "dim"}, "wordsim": {...}, "simlex": {...},
        "analogies": {...}}`` with the entries of :func:`evaluate_pairs` and
        :func:`evaluate_analogies`; skipped benchmarks are absent.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> from nlptk.vectors import load_vectors
    >>> v = load_vectors(datapath("lee_fasttext.vec"))
    >>> report = evaluate_vectors(v, analogies=False)
    >>> report["wordsim"]["pairs"], report["simlex"]["pairs"]
    (353, 999)
    """
    options = {"restrict_vocab": restrict_vocab, "case_insensitive": case_insensitive, "encoding": encoding}
    report: dict[str, Any] = {"vectors": {"n_words": len(vectors), "dim": vectors.dim}}
    for key, given in (("wordsim", wordsim), ("simlex", simlex)):
        if given is False:
            continue
        path = default_benchmark_path(key) if given is None else Path(given)  # type: ignore[arg-type]
        report[key] = evaluate_pairs(vectors, path, **options)  # type: ignore[arg-type]
    if analogies is not False:
        path = default_benchmark_path("analogies") if analogies is None else Path(analogies)
        report["analogies"] = evaluate_analogies(vectors, path, **options)  # type: ignore[arg-type]
    return report
