"""LSA (latent semantic analysis): TF-IDF weighting and a truncated SVD, with scikit-learn.

:class:`LSA` is an estimator in scikit-learn's style: parameters in ``__init__``, ``fit``
returns ``self``, learned attributes end in ``_``. It gives

* topics: the terms that weigh most in each SVD component (:meth:`LSA.topics`);
* document vectors (:attr:`LSA.document_vectors_`, :meth:`LSA.transform` for new text) and a
  similarity search over the fitted documents (:meth:`LSA.similar_documents`);
* term vectors as an nlptk :class:`~nlptk.vectors.Vectors` (:meth:`LSA.term_vectors`), so
  evaluation, nearest neighbours and the Projector export work on them.

The tokenizer is nlptk's (the default :class:`~nlptk.text.tokenize.RegexTokenizer` unless
another is given), passed to ``TfidfVectorizer`` as its analyzer; its config is saved with
the model so queries are tokenized the same way later.

Saved models are a folder of arrays and JSON, no pickle (:meth:`LSA.save`, :meth:`LSA.load`):
``lsa.json`` (format version, parameters, tokenizer, the terms in column order),
``lsa_arrays.npz`` (idf, components, singular values, explained variance, document
vectors, document frequencies; read with ``allow_pickle=False``), ``lsa_documents.jsonl``
(an id and a text snippet per fitted document), and ``term_vectors/`` (the term vectors in
nlptk's native format). Loading rebuilds the TF-IDF vectorizer from the vocabulary and idf,
so transforms after loading are identical to those before saving.

:func:`train_lsa` is the trainer behind ``nlptk embed train --method lsa``.

:func:`fit_lsa` and :func:`train_lsa` live in :mod:`nlptk.embed.lsa_train` and are importable
from here as well.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator

from nlptk.errors import (
    DataError,
    IncompatibleModelError,
    InputFileError,
    NlptkError,
    NotFittedError,
    ParameterError,
)
from nlptk.io import atomic_directory, check_input_dir, iter_lines, reading
from nlptk.params import Params, ParamsEstimatorMixin, documented, estimator_init, param
from nlptk.text.tokenize import get_tokenizer
from nlptk.vectors.container import Vectors

__all__ = ["LSA", "LSA_FORMAT_VERSION", "DocumentMatch", "LSAConfig", "is_lsa_model"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

LSA_FORMAT_VERSION = 1
_MODEL_FILE = "lsa.json"
_ARRAYS_FILE = "lsa_arrays.npz"
_DOCUMENTS_FILE = "lsa_documents.jsonl"
_TERM_VECTORS_DIR = "term_vectors"


class DocumentMatch(NamedTuple):
    """One result of :meth:`LSA.similar_documents`."""

    index: int
    """0-based position of the document in the fitted corpus."""
    score: float
    """Cosine similarity to the query in topic space."""
    text: str
    """A snippet of the document."""


def is_lsa_model(path: PathLike) -> bool:
    """True when ``path`` is a folder holding a saved LSA model."""
    p = Path(path)
    return p.is_dir() and (p / _MODEL_FILE).is_file()


def _snippet(text: str, max_chars: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


@documented
@dataclass(frozen=True)
class LSAConfig(Params):
    """The settings of an :class:`LSA` model (scikit-learn's names in brackets where they differ).

    ``nlptk embed train --method lsa`` has its own, shorter set
    (:class:`~nlptk.embed.params.LSAParams`: ``dim``, ``min_count``, ...), named like the other
    embedding methods' options.
    """

    setting_label: ClassVar[str | None] = "LSA parameter"

    n_topics: int = param(
        100,
        help="Number of SVD components (n_components): below the number of terms, at most the "
        "number of documents.",
        flag="--topics",
    )
    min_df: int | float = param(
        1, help="Ignore terms found in fewer documents (an int) or a smaller share of them (a float)."
    )
    max_df: int | float = param(
        1.0,
        help="Ignore terms found in more documents (an int) or a larger share (a float), such as "
        "stop words with 0.5.",
    )
    max_features: int | None = param(None, help="Keep only the terms with the highest corpus frequency.")
    sublinear_tf: bool = param(True, help="Use 1 + log(tf) instead of the raw term count.")
    seed: int | None = param(0, help="Seed of the randomized SVD; None: a new one each run.", min=0)
    n_iter: int = param(5, help="Power iterations of the randomized SVD.", min=0)
    snippet_chars: int = param(200, help="Length of the document snippets kept for similar_documents.")

    def check(self) -> None:
        # These bounds are checked here, not with param(min=...), so that the messages stay
        # word for word what LSA has always said (`nlptk lsa train`'s exit-2 lines included).
        if self.n_topics < 1:
            raise ParameterError(f"n_topics must be an integer >= 1, got {self.n_topics!r}")
        for name in ("min_df", "max_df"):
            value = getattr(self, name)
            if value < 0:
                raise ParameterError(
                    f"{name} must be a count (int >= 0) or a share (float in 0..1), got {value!r}"
                )
            if isinstance(value, float) and value > 1:
                raise ParameterError(f"{name} as a share must be within 0..1, got {value}")
        if self.max_features is not None and self.max_features < 1:
            raise ParameterError(f"max_features must be an integer >= 1, got {self.max_features!r}")
        if self.snippet_chars < 1:
            raise ParameterError(f"snippet_chars must be >= 1, got {self.snippet_chars}")


class LSA(ParamsEstimatorMixin, BaseEstimator):  # type: ignore[misc]
    """Latent semantic analysis: TF-IDF + truncated SVD.

    A scikit-learn estimator: ``get_params``, ``set_params``, ``clone``, ``Pipeline`` and
    ``GridSearchCV`` work as for scikit-learn's own.

    Parameters
    ----------
    n_topics : int, default=100
        Number of SVD components (topics); must be smaller than the number of terms and at
        most the number of documents. The only parameter that may be given by position.
    min_df, max_df, max_features, sublinear_tf, seed, n_iter, snippet_chars
        The fields of :class:`LSAConfig`, keyword-only, with its defaults; checked by ``fit``.
    tokenizer : str, dict or Tokenizer, optional
        nlptk tokenizer (name, config or instance); default: :class:`RegexTokenizer`.
    config : LSAConfig, optional
        All settings at once (keywords given beside it win); not a parameter of its own.
    random_state : int, optional
        Deprecated name of ``seed`` (a :class:`DeprecationWarning`); kept working.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Term -> column of :attr:`components_`.
    terms_ : list of str
        Terms in column order.
    idf_ : ndarray of shape (n_terms,)
    components_ : ndarray of shape (n_topics, n_terms)
        Right singular vectors (topic -> term weights).
    singular_values_ : ndarray of shape (n_topics,)
    explained_variance_ratio_ : ndarray of shape (n_topics,)
    document_vectors_ : ndarray of shape (n_documents, n_topics)
        The fitted documents in topic space (``transform`` of the training documents).
    document_frequency_ : ndarray of shape (n_terms,)
        Number of fitted documents that contain each term.
    documents_ : list of str
        A snippet of each fitted document.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> from nlptk.text.corpus import TextLineCorpus
    >>> lsa = LSA(n_topics=20).fit(TextLineCorpus(datapath("lee_background.cor")))
    >>> lsa.document_vectors_.shape
    (300, 20)
    >>> [t for t, _ in lsa.topics(top_n=5)[0]]  # doctest: +SKIP
    ['the', 'to', 'of', 'in', 'and']
    """

    # The parameters are LSAConfig's fields plus the tokenizer: derived, never restated.
    __init__ = estimator_init(
        LSAConfig, positional=("n_topics",), extra={"tokenizer": None}, accepts_config=True
    )

    # scikit-learn keeps every __init__ parameter as an attribute of the same name and rebuilds
    # estimators from get_params() (clone, grid search). Keeping random_state as a parameter
    # next to seed would show two names for one setting in get_params and repr, and warn again
    # on every clone. So the old name is translated at the door instead: LSA(random_state=3)
    # (or set_params(random_state=3)) warns once and is LSA(seed=3) from then on.
    renamed_params: ClassVar[dict[str, str]] = {"random_state": "seed"}

    @property
    def config(self) -> LSAConfig:
        """The parameters as one checked :class:`LSAConfig` (a bad value raises ParameterError)."""
        return LSAConfig(**{name: getattr(self, name) for name in LSAConfig.param_names()})

    def _vectorizer(self, config: LSAConfig, vocabulary: dict[str, int] | None = None) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer

        tokenizer = self.tokenizer_
        return TfidfVectorizer(
            analyzer=tokenizer,  # the nlptk tokenizer: a callable text -> tokens
            min_df=config.min_df,
            max_df=config.max_df,
            max_features=config.max_features,
            sublinear_tf=config.sublinear_tf,
            vocabulary=vocabulary,
            dtype=np.float64,
        )

    def fit(self, documents: Iterable[str], y: Any = None) -> LSA:
        """Learn the vocabulary, idf and topics from ``documents`` (an iterable of texts).

        Parameters
        ----------
        documents : iterable of str
            One text per document: a list, or an nlptk corpus such as ``TextLineCorpus``.
            Read once.
        y : ignored

        Returns
        -------
        self

        Raises
        ------
        ParameterError
            Bad parameters, or ``n_topics`` too large for the data.
        DataError
            No documents, or no terms left after ``min_df``/``max_df``.
        """
        from sklearn.decomposition import TruncatedSVD

        config = self.config
        if isinstance(documents, str):
            raise ParameterError("documents must be an iterable of texts, not one string", hint="pass [text]")
        self.tokenizer_ = get_tokenizer(self.tokenizer)
        snippets: list[str] = []

        def recorded() -> Iterator[str]:
            for doc in documents:
                snippets.append(_snippet(doc, config.snippet_chars))
                yield doc

        started = time.perf_counter()
        vectorizer = self._vectorizer(config)
        try:
            tfidf = vectorizer.fit_transform(recorded())
        except NlptkError:  # the corpus's own error (an undecodable line, say) says more
            raise
        except (
            ValueError
        ) as exc:  # sklearn: "empty vocabulary" or "max_df corresponds to < documents than min_df"
            if not snippets:
                raise DataError(
                    "no documents to fit", hint="give a corpus with at least one document"
                ) from None
            if "empty vocabulary" in str(exc):
                raise DataError(
                    f"no terms left: the {len(snippets)} documents hold no tokens after tokenization",
                    hint="give a corpus with text in it",
                ) from None
            raise DataError(
                f"no terms left from {len(snippets)} documents with min_df={config.min_df}, "
                f"max_df={config.max_df} ({exc})",
                hint="lower min_df or raise max_df",
            ) from None
        n_docs, n_terms = tfidf.shape
        n_topics = config.n_topics
        if n_topics >= n_terms:
            raise ParameterError(
                f"n_topics({n_topics}) must be < number of terms({n_terms})", hint="ask for fewer topics"
            )
        if n_topics > n_docs:
            raise ParameterError(
                f"n_topics({n_topics}) must be <= number of documents({n_docs})",
                hint="ask for fewer topics",
            )
        svd = TruncatedSVD(
            n_components=n_topics,
            algorithm="randomized",
            n_iter=config.n_iter,
            random_state=config.seed,
        )
        # On small problems several BLAS threads only wait for each other (seconds instead of
        # a tenth of a second on a busy 2-core machine): use one thread there.
        from threadpoolctl import threadpool_limits

        small = n_docs * (n_topics + 10) < 5_000_000
        with threadpool_limits(limits=1 if small else None, user_api="blas"):
            self.document_vectors_ = svd.fit_transform(tfidf)
        self.vectorizer_ = vectorizer
        self.vocabulary_ = {str(t): int(i) for t, i in vectorizer.vocabulary_.items()}
        self.terms_ = [str(t) for t in vectorizer.get_feature_names_out()]
        self.idf_ = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.components_ = svd.components_
        self.singular_values_ = svd.singular_values_
        self.explained_variance_ratio_ = svd.explained_variance_ratio_
        self.document_frequency_ = np.bincount(tfidf.indices, minlength=n_terms).astype(np.int64)
        self.documents_ = snippets
        self.n_documents_ = n_docs
        self.source_: dict[str, Any] | None = None
        logger.info(
            "LSA: %d documents, %d terms, %d topics (%.1f%% of the variance) in %.1fs",
            n_docs,
            n_terms,
            n_topics,
            100 * float(self.explained_variance_ratio_.sum()),
            time.perf_counter() - started,
        )
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise NotFittedError(
                "this LSA model is not fitted yet", hint="call fit(documents) first, or LSA.load(folder)"
            )

    def transform(self, documents: Iterable[str]) -> np.ndarray:
        """Topic-space vectors of ``documents``.

        Returns
        -------
        ndarray of shape (n_documents, n_topics)

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        self._check_fitted()
        if isinstance(documents, str):
            raise ParameterError("documents must be an iterable of texts, not one string", hint="pass [text]")
        tfidf = self.vectorizer_.transform(documents)
        return np.asarray(tfidf @ self.components_.T)

    def fit_transform(self, documents: Iterable[str], y: Any = None) -> np.ndarray:
        """Fit and return the document vectors of the fitted documents."""
        return self.fit(documents).document_vectors_

    # -- results -------------------------------------------------------------------------
    def topics(self, top_n: int = 10) -> list[list[tuple[str, float]]]:
        """The ``top_n`` terms of each topic with their weights, strongest first.

        The sign of an SVD component is arbitrary; scikit-learn fixes it so that each
        component's largest weight is positive, and the top terms are the largest weights.

        Examples
        --------
        >>> lsa.topics(top_n=3)[1]  # doctest: +SKIP
        [('fire', 0.31), ('fires', 0.2), ('sydney', 0.17)]
        """
        self._check_fitted()
        if top_n < 1:
            raise ParameterError(f"top_n must be >= 1, got {top_n}")
        top_n = min(top_n, len(self.terms_))
        out = []
        for row in self.components_:
            best = np.argsort(-row, kind="stable")[:top_n]
            out.append([(self.terms_[i], float(row[i])) for i in best])
        return out

    def similar_documents(self, query: str, top_n: int = 10) -> list[DocumentMatch]:
        """Rank the fitted documents by cosine similarity to ``query`` in topic space.

        Raises
        ------
        DataError
            The query has no term of the model's vocabulary.

        Examples
        --------
        >>> lsa.similar_documents("bushfires in sydney", top_n=1)  # doctest: +SKIP
        [DocumentMatch(index=12, score=0.93, text='Hundreds of people have been forced ...')]
        """
        self._check_fitted()
        if top_n < 1:
            raise ParameterError(f"top_n must be >= 1, got {top_n}")
        tfidf = self.vectorizer_.transform([query])
        if tfidf.nnz == 0:
            raise DataError(
                f"the query has no term of the model's vocabulary ({len(self.terms_)} terms): {query[:80]!r}",
                hint="use words that occur in the corpus",
            )
        q = np.asarray(tfidf @ self.components_.T)[0]
        docs = self.document_vectors_
        norms = np.linalg.norm(docs, axis=1) * (np.linalg.norm(q) or 1.0)
        scores = np.divide(docs @ q, norms, out=np.zeros(len(docs)), where=norms > 0)
        best = np.argsort(-scores, kind="stable")[: min(top_n, len(scores))]
        return [DocumentMatch(int(i), float(scores[i]), self.documents_[i]) for i in best]

    def term_vectors(self) -> Vectors:
        """Term vectors: ``components_.T`` scaled by the singular values, as nlptk :class:`Vectors`.

        Rows are ordered by document frequency (most frequent first, ties alphabetical);
        ``counts`` are the document frequencies.
        """
        self._check_fitted()
        order = np.lexsort((np.arange(len(self.terms_)), -self.document_frequency_))
        matrix = (self.components_.T * self.singular_values_)[order].astype(np.float32)
        return Vectors(
            [self.terms_[i] for i in order],
            matrix,
            counts=self.document_frequency_[order],
            meta={"method": "lsa", "params": self._effective_params()},
        )

    def _effective_params(self) -> dict[str, Any]:
        params = self.get_params()
        params["tokenizer"] = self.tokenizer_.to_config() if hasattr(self, "tokenizer_") else self.tokenizer
        return params

    # -- persistence ---------------------------------------------------------------------
    def _write_files(self, folder: Path, *, tokenizer_from_manifest: bool = False) -> list[str]:
        """Write the model files into an existing folder; return their names."""
        params = self._effective_params()
        info = {
            "format": "nlptk-lsa",
            "format_version": LSA_FORMAT_VERSION,
            "params": params,
            "tokenizer": None if tokenizer_from_manifest else params["tokenizer"],
            "n_documents": int(self.n_documents_),
            "n_terms": len(self.terms_),
            "terms": self.terms_,
            "corpus": getattr(self, "source_", None),
        }
        (folder / _MODEL_FILE).write_text(json.dumps(info, ensure_ascii=False) + "\n", encoding="utf-8")
        with open(folder / _ARRAYS_FILE, "wb") as handle:
            np.savez(
                handle,
                idf=self.idf_,
                components=self.components_,
                singular_values=self.singular_values_,
                explained_variance_ratio=self.explained_variance_ratio_,
                document_vectors=self.document_vectors_,
                document_frequency=self.document_frequency_,
            )
        with open(folder / _DOCUMENTS_FILE, "w", encoding="utf-8", newline="\n") as handle:
            for i, text in enumerate(self.documents_):
                handle.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
        return [_MODEL_FILE, _ARRAYS_FILE, _DOCUMENTS_FILE]

    def save(self, path: PathLike, *, force: bool = False) -> Path:
        """Save the fitted model to a folder (arrays and JSON, no pickle), atomically.

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        OutputExistsError
            ``path`` exists and ``force`` is false.
        """
        self._check_fitted()
        with atomic_directory(path, force=force) as tmp:
            self._write_files(tmp)
            self.term_vectors().save(tmp / _TERM_VECTORS_DIR, format="native")
        logger.info("saved the LSA model to %s", path)
        return Path(path)

    @classmethod
    def load(cls, path: PathLike) -> LSA:
        """Load a model saved by :meth:`save` (or by ``nlptk embed train --method lsa``).

        Raises
        ------
        InputFileError
            Not an LSA model folder.
        IncompatibleModelError
            Written by a newer format version.
        FormatError
            The files are damaged or disagree.
        """
        folder = check_input_dir(path, what="LSA model folder")
        if not (folder / _MODEL_FILE).is_file() and (folder / "lda.json").is_file():
            raise InputFileError(
                "this is an LDA model folder, not an LSA one",
                path=folder,
                hint="use `nlptk lda ...` for it, or give a folder that `nlptk lsa train` wrote",
            )
        if not (folder / _MODEL_FILE).is_file():
            raise InputFileError(
                f"not an LSA model folder (no {_MODEL_FILE})",
                path=folder,
                hint="give a folder that `nlptk lsa train` wrote",
            )
        with reading(folder, "LSA model folder"):
            return cls._load(folder)

    @classmethod
    def _load(cls, folder: Path) -> LSA:
        try:
            info = json.loads((folder / _MODEL_FILE).read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise IncompatibleModelError(f"damaged model file ({exc})", path=folder / _MODEL_FILE) from None
        version = info.get("format_version")
        if info.get("format") != "nlptk-lsa" or not isinstance(version, int):
            raise IncompatibleModelError("not an nlptk LSA model file", path=folder / _MODEL_FILE)
        if version > LSA_FORMAT_VERSION:
            raise IncompatibleModelError(
                f"written with LSA format version {version}; this nlptk reads up to {LSA_FORMAT_VERSION}",
                path=folder,
                hint="upgrade nlptk",
            )
        tokenizer_config = info.get("tokenizer")
        if tokenizer_config is None:  # trained through `embed train`: the run manifest has it
            manifest = folder / "meta.json"
            if manifest.is_file():
                tokenizer_config = json.loads(manifest.read_text(encoding="utf-8")).get("tokenizer")
        params = dict(info["params"])
        if "random_state" in params:  # saved before the parameter was named seed
            params.setdefault("seed", params.pop("random_state"))
        params["tokenizer"] = tokenizer_config
        known = cls._get_param_names()
        model = cls(**{k: v for k, v in params.items() if k in known})
        model.tokenizer_ = get_tokenizer(tokenizer_config) if tokenizer_config else get_tokenizer(None)
        try:
            with np.load(folder / _ARRAYS_FILE, allow_pickle=False) as arrays:
                model.idf_ = arrays["idf"]
                model.components_ = arrays["components"]
                model.singular_values_ = arrays["singular_values"]
                model.explained_variance_ratio_ = arrays["explained_variance_ratio"]
                model.document_vectors_ = arrays["document_vectors"]
                model.document_frequency_ = arrays["document_frequency"]
        except (OSError, KeyError, ValueError) as exc:
            raise IncompatibleModelError(
                f"cannot read the model arrays ({exc})", path=folder / _ARRAYS_FILE
            ) from None
        model.terms_ = list(info["terms"])
        model.vocabulary_ = {t: i for i, t in enumerate(model.terms_)}
        n_terms = len(model.terms_)
        if model.components_.shape[1] != n_terms or model.idf_.shape != (n_terms,):
            raise IncompatibleModelError(
                f"the arrays have {model.components_.shape[1]} term columns "
                f"but lsa.json lists {n_terms} terms",
                path=folder,
            )
        vectorizer = model._vectorizer(model.config, vocabulary=model.vocabulary_)
        vectorizer.idf_ = model.idf_
        model.vectorizer_ = vectorizer
        model.documents_ = []
        if (folder / _DOCUMENTS_FILE).is_file():
            model.documents_ = [
                json.loads(line)["text"] for line in iter_lines(folder / _DOCUMENTS_FILE) if line
            ]
        model.n_documents_ = int(info.get("n_documents", len(model.document_vectors_)))
        model.source_ = info.get("corpus")
        if len(model.documents_) != len(model.document_vectors_):
            model.documents_ = [f"document {i}" for i in range(len(model.document_vectors_))]
        return model


def __getattr__(name: str) -> Any:
    # the tokens-file trainer lives in nlptk.embed.lsa_train (it imports LSA from here)
    if name in ("fit_lsa", "train_lsa"):
        from nlptk.embed import lsa_train

        return getattr(lsa_train, name)
    raise AttributeError(f"module 'nlptk.embed.lsa' has no attribute {name!r}")
