"""``train_lda``: corpus -> tokens cache -> :class:`~nlptk.topics.lda.LDA` -> model folder.

The corpus is tokenized once into nlptk's tokens cache (:mod:`nlptk.embed.tokens_cache`), the
same file ``nlptk embed train`` uses for that corpus and tokenizer, so training LDA after
word2vec (or again with other settings) does not tokenize again.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from nlptk.embed.tokens_cache import tokenize_to_cache
from nlptk.io import check_output
from nlptk.progress import ProgressCallback
from nlptk.text.corpus import Corpus, open_corpus
from nlptk.text.tokenize import Tokenizer, get_tokenizer
from nlptk.topics._bow import TokensFile, snippet
from nlptk.topics.lda import LDA, LDAConfig

__all__ = ["train_lda"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


def train_lda(
    corpus: PathLike | Corpus,
    out: PathLike | None = None,
    *,
    config: LDAConfig | None = None,
    tokenizer: str | dict[str, Any] | Tokenizer | None = None,
    encoding: str = "utf-8",
    column: str | None = None,
    cache_dir: PathLike | None = None,
    data_dir: PathLike | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    **params: Any,
) -> LDA:
    """Train an :class:`LDA` model on a corpus and save it to ``out``.

    Parameters
    ----------
    corpus : path, registry name or Corpus
        One document per line of a text file, a folder of files, a CSV/TSV/JSONL column
        (``column``), or a registry name such as ``"lee_background"``.
    out : path, optional
        Model folder to write (refused before any work if it exists, unless ``force``).
    config : LDAConfig, optional
        The settings; ``**params`` override its fields (``n_topics=20, passes=5``...).
    tokenizer : str, dict or Tokenizer, optional
        ``"regex"`` (default), ``"whitespace"``, ``"spacy"``, a config or an instance.
    encoding, column, data_dir
        How to read the corpus (see :func:`nlptk.text.corpus.open_corpus`).
    cache_dir : path, optional
        Tokens cache folder (default ``$NLPTK_CACHE`` or ``~/.cache/nlptk``).
    progress : callable, optional
        Receives ``tokenize``, ``vocabulary``, ``train`` (perplexity per pass) and ``infer`` events.

    Returns
    -------
    LDA
        Fitted; ``source_`` describes the corpus and its tokens file.

    Examples
    --------
    >>> model = train_lda("lee_background", "lee-lda/", n_topics=20, passes=10)  # doctest: +SKIP
    """
    settings = config if config is not None else LDAConfig()
    if params:
        settings = settings.replace(**params)
    if out is not None:
        check_output(out, force=force)
    tok = get_tokenizer(tokenizer)
    source = open_corpus(corpus, column=column, encoding=encoding, data_dir=data_dir)
    cache = tokenize_to_cache(source, tok, cache_dir=cache_dir, progress=progress)
    model = LDA(config=settings, tokenizer=tok.to_config())
    # Snippets of the original text (what `lda similar` shows), read without tokenizing; when
    # the tokens cache dropped a document that has no token, rows would not line up, so the
    # snippets then come from the tokens instead.
    snippets: list[str] | None = [snippet(doc, settings.snippet_chars) for doc in source]
    if len(snippets) != cache.documents:
        snippets = None
    tokens = TokensFile(cache.path, snippet_chars=settings.snippet_chars if snippets is None else None)
    model._fit_tokens(tokens, snippets, tok, progress=progress)
    model.source_ = {
        **source.describe(),
        "documents": cache.documents,
        "tokens": cache.tokens,
        "tokens_file": os.fspath(cache.path),
        "tokenizer": tok.to_config(),
    }
    if out is not None:
        model.save(out, force=force, extra={"corpus": model.source_})
        logger.info("wrote %s", Path(out))
    return model
