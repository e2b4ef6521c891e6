"""Topic coherence for LSA and LDA models, with gensim's ``CoherenceModel``.

Coherence scores a topic by how often its top words occur together in real text:

* ``c_v``: normalised PMI over a 110-token sliding window, compared as cosine of context
  vectors (Röder et al. 2015); about 0.3-0.7, higher is better;
* ``c_npmi``: normalised PMI over a 10-token window; -1..1, higher is better;
* ``u_mass``: log conditional probability over whole documents (Mimno et al. 2011); negative,
  closer to 0 is better.

The counts come from a **sample** of the corpus documents (``max_documents``, seeded, 2,000
by default) so that scoring stays cheap on large corpora; the result says how many
documents were used. Top words absent from the sample are left out of their topic; a topic
left with fewer than two words scores NaN and is left out of the overall mean.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlptk.errors import DataError, InputFileError, ParameterError
from nlptk.io import iter_lines
from nlptk.params import check_choice, check_int
from nlptk.progress import ProgressCallback, report

__all__ = ["MEASURES", "CoherenceResult", "coherence_for_folder", "sample_token_documents", "topic_coherence"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

MEASURES = ("c_v", "u_mass", "c_npmi")


@dataclass(frozen=True)
class CoherenceResult:
    """Coherence of every topic of a model and their mean.

    Attributes
    ----------
    measure : str
        ``c_v``, ``u_mass`` or ``c_npmi``.
    per_topic : list of float
        One score per topic (NaN: fewer than two of its top words occur in the sample).
    overall : float
        Mean of the finite per-topic scores.
    top_n : int
        Top words per topic that were scored.
    documents : int
        Documents the counts came from.
    documents_total : int
        Documents in the corpus (``documents < documents_total``: a sample).
    seconds : float
    missing_words : int
        Top words (over all topics) that do not occur in the sample.
    """

    measure: str
    per_topic: list[float]
    overall: float
    top_n: int
    documents: int
    documents_total: int
    seconds: float
    missing_words: int = 0
    topics: list[list[str]] = field(default_factory=list)

    @property
    def sampled(self) -> bool:
        """True when the counts came from a sample of the corpus."""
        return self.documents < self.documents_total

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (NaN as None)."""
        return {
            "measure": self.measure,
            "overall": None if math.isnan(self.overall) else self.overall,
            "per_topic": [None if math.isnan(v) else v for v in self.per_topic],
            "top_n": self.top_n,
            "documents": self.documents,
            "documents_total": self.documents_total,
            "seconds": round(self.seconds, 3),
            "missing_words": self.missing_words,
        }


def sample_token_documents(
    documents: PathLike | Sequence[list[str]], max_documents: int | None, *, seed: int = 0
) -> tuple[list[list[str]], int]:
    """Up to ``max_documents`` token lists chosen at random (seeded), in corpus order.

    ``documents`` is a tokens file (one document per line) or a sequence of token lists.
    Returns the sample and the number of documents there were.
    """
    if isinstance(documents, (str, os.PathLike)):
        path = Path(documents)
        total = sum(1 for _ in iter_lines(path))
        keep = _chosen(total, max_documents, seed)
        chosen = [line.split() for i, line in enumerate(iter_lines(path)) if keep is None or i in keep]
        return [doc for doc in chosen if doc], total
    total = len(documents)
    keep = _chosen(total, max_documents, seed)
    return [list(doc) for i, doc in enumerate(documents) if (keep is None or i in keep) and doc], total


def _chosen(total: int, max_documents: int | None, seed: int) -> set[int] | None:
    if max_documents is None or total <= max_documents:
        return None
    picked = np.random.default_rng(seed).choice(total, size=max_documents, replace=False)
    return set(picked.tolist())


def _model_topics(model: Any, top_n: int) -> list[list[str]]:
    return [[word for word, _ in topic] for topic in model.topics(top_n=top_n)]


def topic_coherence(
    model: Any,
    documents: PathLike | Sequence[list[str]],
    *,
    measure: str = "c_v",
    top_n: int = 10,
    max_documents: int | None = 2000,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> CoherenceResult:
    """Coherence of each topic of a fitted LSA or LDA model.

    Parameters
    ----------
    model : LSA or LDA
        Fitted; its :meth:`topics` give the words scored.
    documents : path or sequence of list of str
        The corpus as tokens (tokenized like the model's training text): a tokens file (one
        document per line) or token lists.
    measure : {"c_v", "u_mass", "c_npmi"}, default="c_v"
    top_n : int, default=10
        Top words per topic.
    max_documents : int or None, default=2000
        Score on a seeded random sample of this many documents (None: all).
    seed : int, default=0

    Returns
    -------
    CoherenceResult

    Raises
    ------
    DataError
        No topic has two top words in the documents.

    Examples
    --------
    >>> result = topic_coherence(lda, "tokens.txt", measure="u_mass")  # doctest: +SKIP
    >>> result.overall, result.per_topic[:3]                           # doctest: +SKIP
    (-1.9, [-1.2, -2.4, -1.7])
    """
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    check_choice("measure", measure, MEASURES)
    check_int("top_n", top_n, min=2)
    check_int("max_documents", max_documents, min=1, allow_none=True)
    started = time.perf_counter()
    report(progress, "coherence", "start", 0, None)
    texts, total = sample_token_documents(documents, max_documents, seed=seed)
    if not texts:
        raise DataError("no documents to score coherence on", hint="give the corpus the model was trained on")
    dictionary = Dictionary(texts)
    topics = _model_topics(model, top_n)
    kept = [[w for w in topic if w in dictionary.token2id] for topic in topics]
    missing = sum(len(t) - len(k) for t, k in zip(topics, kept, strict=True))
    scored = [i for i, words in enumerate(kept) if len(words) >= 2]
    if not scored:
        raise DataError(
            f"none of the {len(topics)} topics has two of its top {top_n} words in the "
            f"{len(texts):,} documents scored",
            hint="give the corpus the model was trained on (tokenized the same way)",
        )
    cm = CoherenceModel(
        topics=[kept[i] for i in scored],
        texts=texts,
        corpus=[dictionary.doc2bow(t) for t in texts] if measure == "u_mass" else None,
        dictionary=dictionary,
        coherence=measure,
        topn=top_n,
        processes=1,
    )
    values = cm.get_coherence_per_topic()
    per_topic = [math.nan] * len(topics)
    for i, value in zip(scored, values, strict=True):
        per_topic[i] = float(value)
    finite = [v for v in per_topic if math.isfinite(v)]
    overall = float(np.mean(finite)) if finite else math.nan
    seconds = time.perf_counter() - started
    report(progress, "coherence", "end", 1, 1, **{measure: overall})
    logger.info(
        "coherence %s = %.4f over %d topics, from %d of %d documents in %.1fs",
        measure,
        overall,
        len(finite),
        len(texts),
        total,
        seconds,
    )
    return CoherenceResult(measure, per_topic, overall, top_n, len(texts), total, seconds, missing, kept)


def _recorded_tokens(model: Any, folder: Path | None) -> Path | None:
    """The tokens file the model was trained from, when it is still there."""
    candidates: list[Any] = []
    source = getattr(model, "source_", None)
    if isinstance(source, dict):
        candidates.append(source.get("tokens_file"))
    if folder is not None and (folder / "meta.json").is_file():  # trained through `embed train`
        import json

        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        meta = meta.get("meta", meta)
        candidates.append((meta.get("corpus") or {}).get("tokens_file"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def model_tokens(
    model: Any,
    corpus: PathLike | None = None,
    *,
    folder: Path | None = None,
    encoding: str = "utf-8",
    column: str | None = None,
    cache_dir: PathLike | None = None,
    data_dir: PathLike | None = None,
    progress: ProgressCallback | None = None,
) -> Path:
    """A tokens file of ``corpus`` (or of the model's recorded training corpus), tokenized with
    the model's tokenizer through the tokens cache."""
    from nlptk.embed.tokens_cache import tokenize_to_cache
    from nlptk.text.corpus import open_corpus

    if corpus is None:
        recorded = _recorded_tokens(model, folder)
        if recorded is not None:
            return recorded
        source = getattr(model, "source_", None) or {}
        corpus = source.get("path")
        if not corpus or not Path(corpus).exists():
            raise InputFileError(
                "the model does not say where its training corpus is (or it has moved)",
                path=folder,
                hint="give the corpus: nlptk topics coherence MODEL CORPUS",
            )
        encoding = source.get("encoding", encoding)
        column = source.get("column", column)
    opened = open_corpus(corpus, encoding=encoding, column=column, data_dir=data_dir)
    return tokenize_to_cache(opened, model.tokenizer_, cache_dir=cache_dir, progress=progress).path


def coherence_for_folder(
    path: PathLike,
    corpus: PathLike | None = None,
    *,
    measures: Iterable[str] = ("c_v",),
    top_n: int = 10,
    max_documents: int | None = 2000,
    seed: int = 0,
    encoding: str = "utf-8",
    column: str | None = None,
    cache_dir: PathLike | None = None,
    progress: ProgressCallback | None = None,
) -> list[CoherenceResult]:
    """Coherence of the topics of a saved LSA or LDA model, one result per measure.

    Without ``corpus`` the model's training tokens are used when the model recorded them
    (``nlptk lda train``, ``nlptk lsa train``, ``nlptk embed train --method lsa``).

    Raises
    ------
    InputFileError
        Not a topic model folder, or no corpus given and none recorded.
    ParameterError
        An unknown measure.
    """
    from nlptk.topics.persist import load_topic_model

    measures = list(measures)
    for m in measures:
        check_choice("measure", m, MEASURES)
    if not measures:
        raise ParameterError("no coherence measure asked for", hint=f"use {', '.join(MEASURES)}")
    folder = Path(path)
    model = load_topic_model(folder)
    tokens = model_tokens(
        model, corpus, folder=folder, encoding=encoding, column=column, cache_dir=cache_dir, progress=progress
    )
    return [
        topic_coherence(
            model, tokens, measure=m, top_n=top_n, max_documents=max_documents, seed=seed, progress=progress
        )
        for m in measures
    ]
