"""LDA (latent Dirichlet allocation), the probabilistic topic model, on gensim.

:class:`LDA` is an estimator in scikit-learn's style, like :class:`nlptk.LSA`: parameters in
``__init__`` (declared once, in :class:`LDAConfig`), ``fit`` returns ``self``, learned
attributes end in ``_``. It gives

* topics: each topic's most probable words (:meth:`LDA.topics`);
* the topic mixture of each fitted document (:attr:`LDA.document_vectors_`) and of new text
  (:meth:`LDA.transform`, :meth:`LDA.infer`), and a similarity search over the fitted documents
  in topic space, by Hellinger distance or cosine (:meth:`LDA.similar_documents`).

Training is gensim's online variational Bayes: ``LdaMulticore`` (the E-step in ``workers``
processes) or ``LdaModel`` in this process when ``workers=1`` (then the result is the same on
every run with the same seed; ``LdaMulticore``'s is not, its merge order follows the OS
scheduler) or when ``alpha="auto"`` (``LdaMulticore`` refuses to learn alpha). The gensim
model stays available as :attr:`LDA.model_`.

The bags of words are kept as NumPy arrays rather than gensim's usual list of tuple lists
(:mod:`nlptk.topics._bow`), which keeps a Wikipedia-sized corpus in tens of MB instead of
hundreds; after each pass the perplexity of a fixed sample of the training documents is
reported to ``progress`` and kept in :attr:`LDA.perplexity_`.

Saved models are arrays and JSON, no pickle: see :mod:`nlptk.topics.persist`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator

from nlptk.errors import DataError, NotFittedError, ParameterError
from nlptk.params import ParamsEstimatorMixin, estimator_init, param_error
from nlptk.progress import ProgressCallback, report
from nlptk.text.tokenize import Tokenizer, get_tokenizer
from nlptk.topics._bow import BagOfWords, BowStream, TokensFile, build_bag_of_words, snippet, to_bag_of_words
from nlptk.topics._infer import infer_mixtures
from nlptk.topics.config import LDAConfig

__all__ = ["LDA", "DocumentMatch", "LDAConfig"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

_METRICS = ("hellinger", "cosine")


class DocumentMatch(NamedTuple):
    """One result of :meth:`LDA.similar_documents`."""

    index: int
    """0-based position of the document in the fitted corpus."""
    score: float
    """Similarity to the query in topic space: 1 - Hellinger distance, or cosine."""
    text: str
    """A snippet of the document."""


def _sample_indices(lengths: np.ndarray, size: int) -> np.ndarray:
    """Up to ``size`` evenly spread indices of documents with words (the perplexity sample)."""
    candidates = np.flatnonzero(lengths > 0)
    if size <= 0 or len(candidates) == 0:
        return candidates[:0]
    if len(candidates) <= size:
        return candidates
    return candidates[np.linspace(0, len(candidates) - 1, size).round().astype(np.int64)]


def _perplexity(model: Any, sample: list[list[tuple[int, int]]]) -> float:
    """gensim's perplexity estimate (``2 ** -log_perplexity``) of ``sample``; the model's random
    state is left as it was, so measuring does not change training."""
    rng = model.random_state.get_state()
    bound = model.log_perplexity(sample)
    model.random_state.set_state(rng)
    return float(np.exp2(-bound))


class LDA(ParamsEstimatorMixin, BaseEstimator):  # type: ignore[misc]
    """Latent Dirichlet allocation on gensim, as a scikit-learn estimator.

    ``get_params``, ``set_params``, ``clone``, ``Pipeline`` and ``GridSearchCV`` work as for
    scikit-learn's own estimators.

    Parameters
    ----------
    n_topics : int, default=100
        Number of topics; at most the number of documents and of words kept. The only
        parameter that may be given by position.
    passes, iterations, chunksize, alpha, eta, decay, offset, no_below, no_above, keep_n, workers
        The other fields of :class:`LDAConfig`, keyword-only, with its defaults; checked by
        ``fit`` (or by reading :attr:`config`); also ``seed``, ``eval_documents`` and
        ``snippet_chars``.
    tokenizer : str, dict or Tokenizer, optional
        nlptk tokenizer for texts given to :meth:`fit`, :meth:`transform` and the queries;
        default :class:`~nlptk.text.tokenize.RegexTokenizer`.
    config : LDAConfig, optional
        All settings at once (keywords given beside it win); not a parameter of its own.

    Attributes
    ----------
    model_ : gensim LdaModel or LdaMulticore
        The trained gensim model.
    dictionary_ : gensim Dictionary
        Word <-> id, with document frequencies (after the vocabulary filters).
    terms_ : list of str
        Words in id order (columns of :attr:`components_`).
    components_ : ndarray of shape (n_topics, n_terms)
        Topic-word probabilities (rows sum to 1).
    lambda_ : ndarray of shape (n_topics, n_terms)
        The variational topic-word parameters (what inference needs).
    alpha_ : ndarray of shape (n_topics,)
        Document-topic prior (learned with ``alpha="auto"``).
    eta_ : ndarray of shape (n_terms,)
        Topic-word prior.
    document_vectors_ : ndarray of shape (n_documents, n_topics)
        Topic mixture of each fitted document (rows sum to 1; all zero for a document left
        with no word of the vocabulary).
    document_lengths_ : ndarray of shape (n_documents,)
        Tokens of each document that are in the vocabulary.
    documents_ : list of str
        A snippet of each fitted document.
    perplexity_ : list of float
        Perplexity of the sampled training documents after each pass.
    backend_ : str
        ``"LdaMulticore"`` or ``"LdaModel"``.
    config_ : LDAConfig
        The settings the model was fitted with (:meth:`transform` and :meth:`save` use them,
        whatever ``set_params`` changed since).
    timings_ : dict of str to float
        Seconds spent on ``vocabulary`` (with the bags of words), ``train`` and ``infer``.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> from nlptk.text.corpus import TextLineCorpus
    >>> lda = LDA(n_topics=10, passes=5, workers=1).fit(TextLineCorpus(datapath("lee_background.cor")))
    >>> lda.document_vectors_.shape
    (300, 10)
    >>> lda.topics(top_n=5)[0]  # doctest: +SKIP
    [('fire', 0.02), ('sydney', 0.01), ...]
    """

    # The parameters are LDAConfig's fields plus the tokenizer: derived, never restated.
    __init__ = estimator_init(
        LDAConfig, positional=("n_topics",), extra={"tokenizer": None}, accepts_config=True
    )

    @property
    def config(self) -> LDAConfig:
        """The parameters as one checked :class:`LDAConfig` (a bad value raises ParameterError)."""
        return LDAConfig(**{name: getattr(self, name) for name in LDAConfig.param_names()})

    # -- fitting -------------------------------------------------------------------------
    def fit(
        self, documents: Iterable[str], y: Any = None, *, progress: ProgressCallback | None = None
    ) -> LDA:
        """Learn the vocabulary and the topics from ``documents`` (texts).

        Parameters
        ----------
        documents : iterable of str
            One text per document (a list or an nlptk corpus); read once and tokenized with
            ``tokenizer``. To train on a corpus through the tokens cache use
            :func:`nlptk.topics.train_lda`.
        y : ignored
        progress : callable, optional
            Receives ``vocabulary``, ``train`` (with the perplexity after each pass) and
            ``infer`` events.

        Returns
        -------
        self

        Raises
        ------
        ParameterError
            More topics than documents or words, or an eta list of the wrong length.
        DataError
            No documents, or no word left after a vocabulary filter (named in the message).
        """
        config = self.config
        if isinstance(documents, str):
            raise ParameterError("documents must be an iterable of texts, not one string", hint="pass [text]")
        tokenizer = get_tokenizer(self.tokenizer)
        texts = list(documents)
        tokens = [tokenizer(text) for text in texts]
        snippets = [snippet(text, config.snippet_chars) for text in texts]
        return self._fit_tokens(tokens, snippets, tokenizer, progress=progress)

    def _fit_tokens(
        self,
        tokens: Iterable[list[str]],
        snippets: list[str] | None,
        tokenizer: Tokenizer,
        *,
        progress: ProgressCallback | None = None,
    ) -> LDA:
        """Fit on token lists (read once); ``snippets`` align with them (None: a
        :class:`TokensFile` keeps its own)."""
        config = self.config_ = self.config
        started = time.perf_counter()
        dictionary, bow = build_bag_of_words(
            tokens,
            no_below=config.no_below,
            no_above=config.no_above,
            keep_n=config.keep_n,
            progress=progress,
        )
        if snippets is None:
            snippets = tokens.snippets if isinstance(tokens, TokensFile) else []
        timings = {"vocabulary": time.perf_counter() - started}
        n_docs, n_terms = len(bow), len(dictionary)
        if config.n_topics > n_docs:
            raise param_error(
                "n_topics",
                config.n_topics,
                f"is more than the number of documents ({n_docs:,})",
                hint="ask for fewer topics",
            )
        if config.n_topics > n_terms:
            raise param_error(
                "n_topics",
                config.n_topics,
                f"is more than the number of words kept ({n_terms:,} after no_below={config.no_below}, "
                f"no_above={config.no_above}, keep_n={config.keep_n})",
                hint="ask for fewer topics or keep more words",
            )
        if isinstance(config.eta, tuple) and len(config.eta) != n_terms:
            raise param_error(
                "eta",
                f"<{len(config.eta)} values>",
                f"has {len(config.eta)} values but the vocabulary has {n_terms:,} words",
            )
        lengths = bow.lengths()
        if not lengths.any():
            raise DataError("no document has a word of the vocabulary", hint="lower no_below")
        self.tokenizer_ = tokenizer
        self.dictionary_ = dictionary
        self.terms_ = [dictionary[i] for i in range(n_terms)]
        self.document_lengths_ = lengths
        self.documents_ = snippets if len(snippets) == n_docs else [f"document {i}" for i in range(n_docs)]
        self.n_documents_ = n_docs
        self.model_ = self._new_gensim_model(dictionary)
        self.backend_ = type(self.model_).__name__
        self.perplexity_: list[float] = []
        self.source_: dict[str, Any] | None = None
        # the perplexity sample: at most 2% of the documents (at least 100), so that measuring
        # costs little beside a pass
        picked = _sample_indices(lengths, min(config.eval_documents, max(100, n_docs // 50)))
        sample = [bow.document(int(i)) for i in picked]

        def after_pass(done: int) -> None:  # `done` passes are complete
            if sample:
                self.perplexity_.append(_perplexity(self.model_, sample))
                logger.info("LDA pass %d/%d: perplexity %.1f", done, config.passes, self.perplexity_[-1])
                report(
                    progress,
                    "train",
                    "step",
                    done * n_docs,
                    n_docs * config.passes,
                    **{"pass": done, "perplexity": self.perplexity_[-1]},
                )

        stream = BowStream(bow, passes=config.passes, on_pass=after_pass, progress=progress)
        report(progress, "train", "start", 0, n_docs * config.passes)
        mark = time.perf_counter()
        self.model_.update(stream)
        after_pass(config.passes)
        metrics = {"perplexity": self.perplexity_[-1]} if self.perplexity_ else {}
        report(progress, "train", "end", n_docs * config.passes, n_docs * config.passes, **metrics)
        self._refresh_from_model()
        timings["train"] = time.perf_counter() - mark
        mark = time.perf_counter()
        self.document_vectors_ = self._infer_bow(bow, progress=progress)
        timings["infer"] = time.perf_counter() - mark
        self.timings_ = {name: round(seconds, 3) for name, seconds in timings.items()}
        logger.info(
            "LDA (%s): %d documents, %d words, %d topics, %d passes in %.1fs",
            self.backend_,
            n_docs,
            n_terms,
            config.n_topics,
            config.passes,
            time.perf_counter() - started,
        )
        return self

    def _prior(self, value: Any) -> Any:
        return np.asarray(value, dtype=np.float32) if isinstance(value, tuple) else value

    def _new_gensim_model(self, dictionary: Any, *, alpha: Any = None, eta: Any = None) -> Any:
        """An untrained gensim model with this config (``alpha``/``eta`` override the config's)."""
        from gensim.models import LdaModel, LdaMulticore

        config = self.config_
        common = {
            "num_topics": config.n_topics,
            "id2word": dictionary,
            "chunksize": config.chunksize,
            "passes": config.passes,
            "alpha": self._prior(config.alpha) if alpha is None else alpha,
            "eta": self._prior(config.eta) if eta is None else eta,
            "decay": config.decay,
            "offset": config.offset,
            "eval_every": None,  # nlptk measures the perplexity after each pass instead
            "iterations": config.iterations,
            "random_state": config.seed,
            "dtype": np.float32,
        }
        if config.single_process or alpha is not None:
            if config.alpha == "auto" and config.workers not in (None, 1):
                logger.info("alpha='auto' is learned in one process (gensim's LdaMulticore cannot learn it)")
            return LdaModel(**common)
        return LdaMulticore(workers=config._workers(), **common)

    def _refresh_from_model(self) -> None:
        model = self.model_
        self.lambda_ = np.asarray(model.state.get_lambda(), dtype=np.float32)
        self.components_ = self.lambda_ / self.lambda_.sum(axis=1, keepdims=True)
        self.alpha_ = np.asarray(model.alpha, dtype=np.float32)
        self.eta_ = np.asarray(model.eta, dtype=np.float32)

    def _infer_bow(self, bow: BagOfWords, *, progress: ProgressCallback | None = None) -> np.ndarray:
        """Topic mixtures of the documents of ``bow`` (rows of zeros for empty documents)."""
        config = self.config_
        workers = 1 if config.single_process else config._workers()
        return infer_mixtures(
            self.model_,
            bow,
            seed=config.seed,
            chunksize=config.chunksize,
            workers=workers,
            progress=progress,
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "lambda_"):
            raise NotFittedError(
                "this LDA model is not fitted yet", hint="call fit(documents) first, or LDA.load(folder)"
            )

    # -- new text ------------------------------------------------------------------------
    def _bow_of_texts(self, documents: Iterable[str]) -> BagOfWords:
        if isinstance(documents, str):
            raise ParameterError("documents must be an iterable of texts, not one string", hint="pass [text]")
        tokenizer = self.tokenizer_
        return to_bag_of_words((tokenizer(text) for text in documents), self.dictionary_)

    def transform(self, documents: Iterable[str]) -> np.ndarray:
        """Topic mixtures of new texts.

        Returns
        -------
        ndarray of shape (n_documents, n_topics)
            Rows sum to 1.

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        DataError
            A text has no word of the model's vocabulary: LDA would only return its prior
            (an uninformed mixture), so it is refused; the message lists the texts.
        """
        self._check_fitted()
        bow = self._bow_of_texts(documents)
        empty = np.flatnonzero(bow.lengths() == 0)
        if len(empty):
            listed = ", ".join(str(i) for i in empty[:10]) + (", ..." if len(empty) > 10 else "")
            raise DataError(
                f"{len(empty)} of {len(bow)} texts have no word of the model's vocabulary "
                f"({len(self.terms_):,} words): texts {listed}",
                hint="drop them, or use words that occur in the training corpus",
            )
        return infer_mixtures(self.model_, bow, seed=self.config_.seed, chunksize=self.config_.chunksize)

    def fit_transform(self, documents: Iterable[str], y: Any = None) -> np.ndarray:
        """Fit and return the topic mixtures of the fitted documents."""
        return self.fit(documents).document_vectors_

    def infer(self, text: str) -> np.ndarray:
        """The topic mixture of one text, shape (n_topics,).

        Raises
        ------
        DataError
            The text has no word of the model's vocabulary (see :meth:`transform`).
        """
        self._check_fitted()
        if not isinstance(text, str):
            raise ParameterError(f"text must be a string, got {type(text).__name__}")
        self._check_query(text)
        return self.transform([text])[0]

    def _check_query(self, text: str) -> None:
        if not self._bow_of_texts([text]).lengths()[0]:
            raise DataError(
                f"the text has no word of the model's vocabulary ({len(self.terms_):,} words): {text[:80]!r}",
                hint="use words that occur in the training corpus",
            )

    # -- results -------------------------------------------------------------------------
    def topics(self, top_n: int = 10) -> list[list[tuple[str, float]]]:
        """The ``top_n`` most probable words of each topic with their probabilities.

        Examples
        --------
        >>> lda.topics(top_n=3)[1]  # doctest: +SKIP
        [('fire', 0.031), ('sydney', 0.012), ('firefighters', 0.011)]
        """
        self._check_fitted()
        if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
            raise ParameterError(f"top_n must be an integer >= 1, got {top_n!r}")
        top_n = min(top_n, len(self.terms_))
        out = []
        for row in self.components_:
            best = np.argsort(-row, kind="stable")[:top_n]
            out.append([(self.terms_[i], float(row[i])) for i in best])
        return out

    def similar_documents(
        self, query: str, top_n: int = 10, *, metric: str = "hellinger"
    ) -> list[DocumentMatch]:
        """Rank the fitted documents by similarity to ``query`` in topic space.

        Parameters
        ----------
        query : str
        top_n : int, default=10
        metric : {"hellinger", "cosine"}, default="hellinger"
            ``hellinger``: score = 1 - Hellinger distance between the topic mixtures (the
            distance made for probability distributions); ``cosine``: their cosine.

        Raises
        ------
        DataError
            The query has no word of the model's vocabulary.
        """
        self._check_fitted()
        if top_n < 1:
            raise ParameterError(f"top_n must be >= 1, got {top_n}")
        if metric not in _METRICS:
            raise param_error("metric", metric, f"is not one of {', '.join(_METRICS)}")
        q = self.infer(query)
        docs = self.document_vectors_
        if metric == "hellinger":
            distance = np.sqrt(0.5 * ((np.sqrt(docs) - np.sqrt(q)) ** 2).sum(axis=1))
            scores = 1.0 - distance
        else:
            norms = np.linalg.norm(docs, axis=1) * np.linalg.norm(q)
            scores = np.divide(docs @ q, norms, out=np.zeros(len(docs)), where=norms > 0)
        scores = np.where(self.document_lengths_ > 0, scores, -np.inf)  # documents with no word: never
        best = np.argsort(-scores, kind="stable")[: min(top_n, int(np.isfinite(scores).sum()))]
        return [DocumentMatch(int(i), float(scores[i]), self.documents_[i]) for i in best]

    # -- persistence ---------------------------------------------------------------------
    def save(self, path: PathLike, *, force: bool = False, extra: dict[str, Any] | None = None) -> Any:
        """Save to a folder (arrays, JSON and the dictionary as TSV; no pickle), atomically.

        See :func:`nlptk.topics.persist.save_lda`.
        """
        from nlptk.topics.persist import save_lda

        self._check_fitted()
        return save_lda(self, path, force=force, extra=extra)

    @classmethod
    def load(cls, path: PathLike) -> LDA:
        """Load a model written by :meth:`save` (see :func:`nlptk.topics.persist.load_lda`)."""
        from nlptk.topics.persist import load_lda

        return load_lda(path)
