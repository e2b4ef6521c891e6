"""Saving and loading LDA models without pickle, and opening any topic model folder (LSA or LDA).

An LDA folder holds

* ``lda.json``: format name and version, the :class:`~nlptk.topics.lda.LDAConfig`, the
  tokenizer config, the gensim backend, the perplexity after each pass, and where the
  training corpus was (for ``nlptk topics coherence`` without a corpus argument);
* ``lda_arrays.npz`` (read with ``allow_pickle=False``): ``lambda`` (the variational
  topic-word parameters), ``alpha``, ``eta``, the document topic mixtures and lengths;
* ``dictionary.tsv``: gensim's own text format of its ``Dictionary``
  (``Dictionary.save_as_text``: the document count, then id, word and document frequency);
* ``lda_documents.jsonl``: an id and a snippet per fitted document.

Loading rebuilds a gensim ``LdaModel`` from ``lambda``, ``alpha`` and ``eta``, so inference
after loading (in a fresh process too) gives what it gave before saving.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from nlptk.errors import IncompatibleModelError, InputFileError
from nlptk.io import atomic_directory, check_input_dir, iter_lines
from nlptk.text.tokenize import get_tokenizer

__all__ = ["LDA_FORMAT_VERSION", "is_lda_model", "load_lda", "load_topic_model", "save_lda"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

LDA_FORMAT_VERSION = 1
MODEL_FILE = "lda.json"
_ARRAYS_FILE = "lda_arrays.npz"
_DICTIONARY_FILE = "dictionary.tsv"
_DOCUMENTS_FILE = "lda_documents.jsonl"


def is_lda_model(path: PathLike) -> bool:
    """True when ``path`` is a folder holding a saved LDA model."""
    p = Path(path)
    return p.is_dir() and (p / MODEL_FILE).is_file()


def save_lda(model: Any, path: PathLike, *, force: bool = False, extra: dict[str, Any] | None = None) -> Path:
    """Write a fitted :class:`~nlptk.topics.lda.LDA` to the folder ``path``, atomically.

    ``extra`` (JSON-able) is stored in ``lda.json``, e.g. the training corpus.

    Raises
    ------
    OutputExistsError
        ``path`` exists and ``force`` is false.
    """
    import gensim

    info = {
        "format": "nlptk-lda",
        "format_version": LDA_FORMAT_VERSION,
        "config": model.config_.to_dict(),
        "tokenizer": model.tokenizer_.to_config(),
        "backend": model.backend_,
        "n_documents": int(model.n_documents_),
        "n_terms": len(model.terms_),
        "perplexity": list(model.perplexity_),
        "timings": dict(getattr(model, "timings_", {})),
        "gensim": gensim.__version__,
        **(extra or {}),
    }
    with atomic_directory(path, force=force) as tmp:
        (tmp / MODEL_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        with open(tmp / _ARRAYS_FILE, "wb") as handle:
            np.savez(
                handle,
                **{"lambda": model.lambda_},
                alpha=model.alpha_,
                eta=model.eta_,
                document_vectors=model.document_vectors_,
                document_lengths=model.document_lengths_,
            )
        model.dictionary_.save_as_text(os.fspath(tmp / _DICTIONARY_FILE), sort_by_word=False)
        with open(tmp / _DOCUMENTS_FILE, "w", encoding="utf-8", newline="\n") as handle:
            for i, text in enumerate(model.documents_):
                handle.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
    logger.info("saved the LDA model to %s", path)
    return Path(path)


def _refuse_other_kinds(folder: Path) -> None:
    if (folder / "lsa.json").is_file():
        raise InputFileError(
            "this is an LSA model folder, not an LDA one",
            path=folder,
            hint="use `nlptk lsa ...` for it, or give a folder that `nlptk lda train` wrote",
        )
    if not (folder / MODEL_FILE).is_file():
        raise InputFileError(
            f"not an LDA model folder (no {MODEL_FILE})",
            path=folder,
            hint="give a folder that `nlptk lda train` wrote",
        )


def read_info(folder: Path) -> dict[str, Any]:
    """The checked content of ``lda.json``."""
    try:
        info = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IncompatibleModelError(f"damaged model file ({exc})", path=folder / MODEL_FILE) from None
    version = info.get("format_version") if isinstance(info, dict) else None
    if not isinstance(info, dict) or info.get("format") != "nlptk-lda" or not isinstance(version, int):
        raise IncompatibleModelError("not an nlptk LDA model file", path=folder / MODEL_FILE)
    if version > LDA_FORMAT_VERSION:
        raise IncompatibleModelError(
            f"written with LDA format version {version}; this nlptk reads up to {LDA_FORMAT_VERSION}",
            path=folder,
            hint="upgrade nlptk",
        )
    return info


def load_lda(path: PathLike) -> Any:
    """Load an LDA model folder written by :func:`save_lda`.

    Raises
    ------
    InputFileError
        Not an LDA model folder (an LSA folder is named as such).
    IncompatibleModelError
        A newer format version, or damaged / disagreeing files.
    """
    from gensim.corpora import Dictionary

    from nlptk.topics.lda import LDA, LDAConfig

    folder = check_input_dir(path, what="LDA model folder")
    _refuse_other_kinds(folder)
    info = read_info(folder)
    model = LDA(config=LDAConfig.from_dict(info["config"]), tokenizer=info.get("tokenizer"))
    model.config_ = model.config
    model.tokenizer_ = get_tokenizer(info.get("tokenizer"))
    try:
        with np.load(folder / _ARRAYS_FILE, allow_pickle=False) as arrays:
            lambda_ = arrays["lambda"]
            alpha = arrays["alpha"]
            eta = arrays["eta"]
            model.document_vectors_ = arrays["document_vectors"]
            model.document_lengths_ = arrays["document_lengths"]
        dictionary = Dictionary.load_from_text(os.fspath(folder / _DICTIONARY_FILE))
    except (OSError, KeyError, ValueError) as exc:
        raise IncompatibleModelError(f"cannot read the model files ({exc})", path=folder) from None
    n_topics, n_terms = lambda_.shape
    if len(dictionary) != n_terms or n_topics != model.config_.n_topics or alpha.shape != (n_topics,):
        raise IncompatibleModelError(
            f"the files disagree: lambda is {n_topics} x {n_terms}, the dictionary has "
            f"{len(dictionary)} words, the config says {model.config_.n_topics} topics",
            path=folder,
        )
    gensim_model = model._new_gensim_model(dictionary, alpha=alpha, eta=eta)
    gensim_model.state.sstats = (lambda_ - eta).astype(np.float32)
    gensim_model.sync_state()
    model.model_ = gensim_model
    model.backend_ = str(info.get("backend", "LdaModel"))
    model.dictionary_ = dictionary
    model.terms_ = [dictionary[i] for i in range(n_terms)]
    model.perplexity_ = [float(p) for p in info.get("perplexity", [])]
    model.n_documents_ = int(info.get("n_documents", len(model.document_vectors_)))
    model._refresh_from_model()
    documents: list[str] = []
    if (folder / _DOCUMENTS_FILE).is_file():
        documents = [json.loads(line)["text"] for line in iter_lines(folder / _DOCUMENTS_FILE) if line]
    if len(documents) != len(model.document_vectors_):
        documents = [f"document {i}" for i in range(len(model.document_vectors_))]
    model.documents_ = documents
    model.source_ = info.get("corpus")
    return model


def load_topic_model(path: PathLike) -> Any:
    """An LSA or LDA model from its folder, whichever it holds.

    Raises
    ------
    InputFileError
        The folder holds neither.
    """
    folder = check_input_dir(path, what="topic model folder")
    if (folder / MODEL_FILE).is_file():
        return load_lda(folder)
    if (folder / "lsa.json").is_file():
        from nlptk.embed.lsa import LSA

        return LSA.load(folder)
    raise InputFileError(
        "not a topic model folder (no lda.json or lsa.json)",
        path=folder,
        hint="give a folder that `nlptk lda train` or `nlptk lsa train` wrote",
    )
