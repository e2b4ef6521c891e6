"""Write nlptk vectors as a spaCy pipeline folder that ``spacy.load`` opens."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nlptk._version import __version__
from nlptk.errors import ParameterError
from nlptk.io import atomic_directory, check_output
from nlptk.similarity.bridge import use_vectors
from nlptk.similarity.component import FACTORY_NAME

if TYPE_CHECKING:
    from nlptk.vectors.container import Vectors

__all__ = ["SpacyExport", "export_spacy"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpacyExport:
    """What :func:`export_spacy` wrote.

    Attributes
    ----------
    path : Path
        The pipeline folder.
    n_words : int
        Words with a vector (keys).
    n_rows : int
        Distinct vectors kept (``prune`` or all).
    dim : int
        Vector width.
    remapped : int
        Words whose vector was dropped by pruning and now share their nearest kept vector.
    seconds : float
        Wall time of the export.
    """

    path: Path
    n_words: int
    n_rows: int
    dim: int
    remapped: int
    seconds: float


def export_spacy(
    vectors: Vectors,
    out_dir: str | os.PathLike[str],
    *,
    lang: str = "en",
    prune: int | None = None,
    oov: str = "skip",
    component: bool = False,
    force: bool = False,
) -> SpacyExport:
    """Write a blank spaCy pipeline with these vectors; ``spacy.load(out_dir)`` opens it.

    By default the folder is a plain blank ``lang`` pipeline whose vocab holds the vectors:
    it loads wherever spaCy is installed, nlptk or not, and spaCy's own rules apply (an
    unseen word has a zero vector). With ``component=True`` it also holds the
    ``nlptk_vectors`` component, which keeps nlptk's unseen-word policy (``oov``), the key
    attribute and, for ``oov="subword"``, the fastText n-gram table; spaCy finds that
    component through nlptk's ``spacy_factories`` entry point, so such a folder loads only
    where nlptk is installed. The folder is written under a temporary name and renamed when
    complete.

    Parameters
    ----------
    vectors : Vectors
    out_dir : str or path
        The pipeline folder to create.
    lang : str, default="en"
        Language code of the blank pipeline.
    prune : int, optional
        Keep only the first ``prune`` vectors (nlptk orders words by frequency); every other
        word is mapped to its nearest kept vector by cosine, with spaCy's
        ``Vocab.prune_vectors``.
    oov : {"skip", "zero", "subword"}, default="skip"
        The unseen-word policy saved with the component (``component=True`` only).
    component : bool, default=False
        Add the ``nlptk_vectors`` component (needs nlptk to load).
    force : bool, default=False
        Replace an existing ``out_dir``.

    Returns
    -------
    SpacyExport

    Examples
    --------
    >>> export_spacy(vectors, "my_pipeline", prune=20000)       # doctest: +SKIP
    >>> import spacy; nlp = spacy.load("my_pipeline")           # doctest: +SKIP
    >>> nlp("cats purr").similarity(nlp("dogs bark"))           # doctest: +SKIP
    """
    start = time.perf_counter()
    check_output(out_dir, force=force)
    if prune is not None and prune < 1:
        raise ParameterError(f"prune must be >= 1, got {prune}")
    if not component and oov != "skip":
        raise ParameterError(
            f"oov={oov!r} is kept by the nlptk_vectors component, which a plain spaCy pipeline lacks",
            hint="add the component (--with-component) or leave the unseen-word policy to spaCy",
        )
    nlp = use_vectors(vectors, lang, oov=oov)
    if not component:
        nlp.remove_pipe(FACTORY_NAME)  # the vectors stay in the vocab
    remapped = 0
    if prune is not None and prune < len(vectors):
        logger.info("pruning %d vectors to %d rows", len(vectors), prune)
        remapped = len(nlp.vocab.prune_vectors(prune))
    nlp.meta["name"] = "nlptk_vectors"
    nlp.meta["version"] = __version__
    nlp.meta["description"] = (
        f"Blank {lang} pipeline with nlptk vectors ({len(vectors)} words x {vectors.dim} dims)"
    )
    nlp.meta["requirements"] = [f"nlptk>={__version__}"] if component else []
    with atomic_directory(out_dir, force=force) as tmp:
        nlp.to_disk(tmp)
    table = nlp.vocab.vectors
    result = SpacyExport(
        path=Path(out_dir),
        n_words=int(table.n_keys),
        n_rows=len(set(table.key2row.values())),
        dim=int(table.shape[1]),
        remapped=remapped,
        seconds=time.perf_counter() - start,
    )
    logger.info("wrote spaCy pipeline %s (%d words, %d vectors)", out_dir, result.n_words, result.n_rows)
    return result
