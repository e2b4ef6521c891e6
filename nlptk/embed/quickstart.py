"""The quickstart: nlptk's main job end to end on a corpus that needs no download.

:func:`run_quickstart` trains word2vec (skip-gram) on ``lee_background`` (300 news
articles, 60,000 tokens, shipped with gensim), finds the nearest neighbours of a few
frequent words, evaluates the vectors on WordSim353, SimLex-999 and the Google analogies
(coverage is low on so small a corpus, and the result says so), and writes the vectors.
It takes seconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlptk.embed.pipeline import train_embeddings
from nlptk.progress import ProgressCallback
from nlptk.vectors.container import Vectors

__all__ = ["QUICKSTART_CORPUS", "QUICKSTART_PARAMS", "QUICKSTART_WORDS", "QuickstartResult", "run_quickstart"]

#: The default corpus: a registry name that resolves to gensim's shipped file.
QUICKSTART_CORPUS = "lee_background"
#: Parameters suited to a 60,000-token corpus: skip-gram, many epochs.
QUICKSTART_PARAMS: dict[str, Any] = {
    "sg": True,
    "dim": 50,
    "window": 5,
    "min_count": 3,
    "epochs": 20,
    "seed": 1,
}
#: Frequent words of the corpus whose neighbours are shown.
QUICKSTART_WORDS = ("bush", "minister", "israeli", "fire", "sydney", "taliban")


@dataclass
class QuickstartResult:
    """What the quickstart did.

    Attributes
    ----------
    vectors : Vectors
        The trained vectors.
    out : Path
        Where they were written.
    neighbours : dict
        Word -> list of (neighbour, cosine similarity).
    evaluation : dict
        The report of :func:`nlptk.vectors.evaluate.evaluate_vectors`.
    """

    vectors: Vectors
    out: Path
    neighbours: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    evaluation: dict[str, Any] = field(default_factory=dict)


def run_quickstart(
    out: str | os.PathLike[str] = "nlptk-quickstart",
    *,
    force: bool = False,
    corpus: str | os.PathLike[str] = QUICKSTART_CORPUS,
    words: tuple[str, ...] = QUICKSTART_WORDS,
    topn: int = 5,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
    **params: Any,
) -> QuickstartResult:
    """Train word2vec on a small corpus, find neighbours, evaluate, and write the vectors.

    Parameters
    ----------
    out : path, default="nlptk-quickstart"
        Output folder (refused if it exists, unless ``force``).
    force : bool, default=False
        Replace an existing ``out``.
    corpus : path or registry name, default="lee_background"
        The corpus.
    words : tuple of str
        Words whose nearest neighbours are listed (unknown ones are skipped).
    topn : int, default=5
        Neighbours per word.
    cache_dir : path, optional
        Tokens cache folder.
    progress : callable, optional
        Progress events of the training.
    **params
        Overrides of :data:`QUICKSTART_PARAMS`.

    Returns
    -------
    QuickstartResult

    Examples
    --------
    >>> result = run_quickstart("quickstart-vectors")           # doctest: +SKIP
    >>> result.neighbours["minister"][0][0]                      # doctest: +SKIP
    'prime'
    """
    from nlptk.vectors.evaluate import evaluate_vectors

    options = {**QUICKSTART_PARAMS, **params}
    vectors = train_embeddings(
        corpus,
        "word2vec",
        out=out,
        force=force,
        formats=("word2vec",),
        cache_dir=cache_dir,
        progress=progress,
        **options,
    )
    neighbours = {w: vectors.most_similar(w, topn=topn) for w in words if w in vectors}
    evaluation = evaluate_vectors(vectors)
    return QuickstartResult(vectors=vectors, out=Path(out), neighbours=neighbours, evaluation=evaluation)
