"""Put nlptk vectors behind a spaCy pipeline.

:func:`use_vectors` loads (or creates) a pipeline, replaces its vectors table with an nlptk
:class:`~nlptk.vectors.container.Vectors` object and adds the ``nlptk_vectors`` component
(:mod:`nlptk.similarity.component`), so that tokens, spans and docs have vectors and
``similarity`` follows the unseen-word policy chosen.

:func:`load_pipeline` is the one place where a pipeline spec becomes a ``Language``: a
language code (``"en"`` -> ``spacy.blank("en")``), an installed pipeline package name, or
a pipeline folder. It never downloads anything.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nlptk.errors import DataError, FormatError, InputFileError, ParameterError
from nlptk.similarity.component import (
    FACTORY_NAME,
    KEY_ATTRS,
    OOV_POLICIES,
    SubwordTable,
    VectorsComponent,
)

if TYPE_CHECKING:
    from spacy.language import Language

    from nlptk.vectors.container import Vectors

__all__ = ["get_component", "load_pipeline", "use_vectors"]

logger = logging.getLogger(__name__)

_LANG_CODE = re.compile(r"^[a-z]{2,3}$")
_INSTALL_HINT = (
    "install one with `python -m spacy download en_core_web_sm`, give a pipeline folder, "
    "or use a blank pipeline for a language (--lang en)"
)


def _load_folder(path: Path) -> Language:
    import spacy

    if not path.exists():
        raise InputFileError("spaCy pipeline folder not found", path=path, hint="check the path")
    if not path.is_dir():
        raise InputFileError("expected a spaCy pipeline folder but found a file", path=path)
    if not (path / "config.cfg").exists():
        raise InputFileError(
            "not a spaCy pipeline folder (it has no config.cfg)",
            path=path,
            hint="give a folder written by nlp.to_disk or `nlptk export spacy`",
        )
    try:
        return spacy.load(path)
    except (OSError, ValueError, KeyError, ImportError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FormatError(f"spaCy cannot load this pipeline folder: {first}", path=path) from exc


def _blank(lang: str) -> Language:
    import spacy
    from spacy.util import get_lang_class

    try:
        get_lang_class(lang)
    except (ImportError, KeyError):
        raise ParameterError(
            f"unknown language code {lang!r}",
            hint="use a code spaCy knows (en, de, fr, es, xx for multi-language...) or an installed pipeline",
        ) from None
    try:
        return spacy.blank(lang)
    except ImportError as exc:  # e.g. ja needs sudachipy, zh needs jieba/pkuseg
        raise ParameterError(f"spaCy's {lang!r} language needs extra packages: {exc}") from exc


def load_pipeline(spec: str | os.PathLike[str] | Language | None = None) -> Language:
    """A spaCy ``Language`` from a language code, an installed pipeline name or a folder.

    Parameters
    ----------
    spec : str, path, Language or None, default=None
        ``None`` or a language code (``"en"``) gives ``spacy.blank(code)``; the name of an
        installed pipeline package (``"en_core_web_sm"``) gives ``spacy.load(name)``; a path to
        a pipeline folder gives ``spacy.load(path)``; a ``Language`` is returned as is.
        Nothing is ever downloaded.

    Raises
    ------
    ParameterError
        An unknown language code.
    InputFileError
        A pipeline name that is not installed, or a folder that is not a pipeline.

    Examples
    --------
    >>> load_pipeline("en").lang
    'en'
    """
    from spacy.language import Language
    from spacy.util import is_package

    if spec is None:
        return _blank("en")
    if isinstance(spec, Language):
        return spec
    if isinstance(spec, os.PathLike):
        return _load_folder(Path(spec))
    name = str(spec).strip()
    if not name:
        raise ParameterError("empty pipeline name", hint="give a language code such as 'en' or a pipeline")
    if Path(name).exists() or os.sep in name or name.startswith("."):
        return _load_folder(Path(name))
    if _LANG_CODE.match(name) or name == "xx":
        return _blank(name)
    if is_package(name):
        import spacy

        return spacy.load(name)
    raise InputFileError(f"spaCy pipeline {name!r} is not installed", hint=_INSTALL_HINT)


def get_component(nlp: Language) -> VectorsComponent:
    """The ``nlptk_vectors`` component of a pipeline made by :func:`use_vectors`.

    Raises
    ------
    ParameterError
        The pipeline has no such component.
    """
    for _name, component in nlp.pipeline:
        if isinstance(component, VectorsComponent):
            return component
    raise ParameterError(
        "this spaCy pipeline has no nlptk_vectors component",
        hint="build it with nlptk.similarity.use_vectors(vectors, nlp)",
    )


def _key_attr(vectors: Vectors, attr: str) -> str:
    attr = attr.upper()
    if attr != "AUTO":
        if attr not in KEY_ATTRS:
            raise ParameterError(f"unknown key attribute {attr!r}; expected auto, {', '.join(KEY_ATTRS)}")
        return attr
    tokenizer = vectors.meta.get("tokenizer")
    if isinstance(tokenizer, dict) and tokenizer.get("lowercase") is True:
        return "LOWER"
    # Lowercased vocabularies are looked up by the token's lowercase form, so "The" finds "the".
    return "LOWER" if all(w == w.lower() for w in vectors.words) else "ORTH"


def use_vectors(
    vectors: Vectors,
    nlp: str | os.PathLike[str] | Language | None = None,
    *,
    oov: str = "skip",
    attr: str = "auto",
) -> Language:
    """Put nlptk vectors into a spaCy pipeline; docs, spans and tokens then use them.

    Parameters
    ----------
    vectors : Vectors
        Any nlptk vectors (loaded or trained).
    nlp : str, path, Language or None, default=None
        The pipeline (see :func:`load_pipeline`): ``None`` or ``"en"`` for a blank English
        pipeline, an installed pipeline name or folder, or a ``Language`` (changed in place).
    oov : {"skip", "zero", "subword"}, default="skip"
        What unseen words contribute (see :mod:`nlptk.similarity.component`). ``"subword"``
        needs vectors with subword information (a fastText ``.bin``).
    attr : {"auto", "ORTH", "LOWER"}, default="auto"
        Which token form is looked up: ``auto`` uses ``LOWER`` when the vectors' vocabulary is
        lowercased (or their tokenizer lowercased), ``ORTH`` otherwise.

    Returns
    -------
    spacy.language.Language
        The pipeline, with ``nlp.vocab.vectors`` holding the vectors (the matrix is shared,
        not copied) and an ``nlptk_vectors`` component last.

    Raises
    ------
    DataError
        The pipeline already has vectors of another dimension.
    ParameterError
        An unknown policy, or ``oov="subword"`` with vectors that have no subwords.

    Examples
    --------
    >>> import numpy as np
    >>> from nlptk import Vectors
    >>> v = Vectors(["cat", "dog", "car"], np.array([[1, 0, 0], [.9, .1, 0], [0, 0, 1]], "f"))
    >>> nlp = use_vectors(v, "en")
    >>> round(nlp("a cat").similarity(nlp("the dog")), 3)
    0.994
    """
    from spacy.vectors import Vectors as SpacyVectors

    if oov not in OOV_POLICIES:
        raise ParameterError(f"unknown oov policy {oov!r}; expected one of {', '.join(OOV_POLICIES)}")
    if oov == "subword" and not vectors.has_subwords:
        raise ParameterError(
            "oov='subword' needs vectors with subword information, and these have none",
            hint="load a fastText .bin model, or use oov='skip'",
        )
    if len(vectors) == 0:
        raise DataError("the vectors are empty (0 words)")
    key_attr = _key_attr(vectors, attr)
    source = nlp
    nlp = load_pipeline(nlp)
    existing = nlp.vocab.vectors
    existing_dim = int(existing.shape[1]) if existing.shape[0] > 0 else 0
    if existing_dim and existing_dim != vectors.dim:
        where = source if isinstance(source, (str, os.PathLike)) else "the pipeline"
        raise DataError(
            f"the vectors have {vectors.dim} dims but {where} already has {existing_dim}-dim vectors "
            "(its components may depend on them)",
            hint=f"use {existing_dim}-dim vectors, or a blank pipeline (--lang en) for these",
        )
    if existing_dim and getattr(existing, "n_keys", 0) > 0:
        logger.warning(
            "replacing the pipeline's %d vectors with %d nlptk vectors; components trained on the old "
            "vectors may behave differently",
            existing.n_keys,
            len(vectors),
        )
    matrix = vectors.vectors
    if not (isinstance(matrix, np.ndarray) and matrix.flags.c_contiguous and matrix.dtype == np.float32):
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    name = getattr(existing, "name", None) or "nlptk_vectors"
    strings = nlp.vocab.strings
    keys = [strings.add(word) for word in vectors.words]  # spaCy hashes keys but keeps no strings
    nlp.vocab.vectors = SpacyVectors(strings=strings, data=matrix, keys=keys, name=name, attr=key_attr)
    for pipe_name, component in list(nlp.pipeline):
        if isinstance(component, VectorsComponent):
            nlp.remove_pipe(pipe_name)
    component = nlp.add_pipe(FACTORY_NAME, last=True, config={"oov": oov, "attr": key_attr})
    if oov == "subword":
        component.set_subwords(SubwordTable.from_gensim(vectors.to_gensim()))
    logger.info(
        "spaCy %s pipeline %r now has %d vectors x %d dims (oov=%s, keys by %s)",
        nlp.lang,
        nlp.meta.get("name"),
        len(vectors),
        vectors.dim,
        oov,
        key_attr,
    )
    return nlp
