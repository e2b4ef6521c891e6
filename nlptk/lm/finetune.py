"""Fine-tuning a pretrained language model on a task's texts (ULMFiT's second step).

:func:`finetune_language_model` continues a :class:`~nlptk.lm.language_model.LanguageModel` on
new text: a corpus, or a labelled dataset read without its labels (its training and
validation texts; the test texts are left alone). The model's tokenizer is applied, through
the tokens cache. With ``new_words`` (the default), words of the new texts that the model
lacks and that occur at least ``min_count`` times are appended to the vocabulary: their
embedding rows come from ``vectors`` when given (else the mean pretrained row, as ULMFiT
does), and the decoder grows to match (new rows start at the mean of the old ones). The
shape settings (cell, sizes, decoder, tokenizer) stay those of the pretrained model; the
training settings and dropouts are this call's.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from nlptk.classify.callbacks import Callback
from nlptk.classify.runtime import seed_everything
from nlptk.errors import ParameterError
from nlptk.io import check_output
from nlptk.lm.config import FINETUNE_FIXED, LanguageModelConfig
from nlptk.lm.language_model import LanguageModel, load_language_model
from nlptk.lm.model import RNNLanguageModelNet
from nlptk.lm.persist import checkpoint_path
from nlptk.lm.stream import SPECIALS, build_stream_vocabulary, encode_stream
from nlptk.lm.training import _as_vectors, _check_resume, _fit, _load_resume
from nlptk.progress import ProgressCallback
from nlptk.text.corpus import Corpus, open_corpus
from nlptk.text.labelled import LabelledData
from nlptk.text.vocab import Vocabulary

if TYPE_CHECKING:
    from nlptk.vectors.container import Vectors

__all__ = ["finetune_language_model", "open_texts"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


class TextsCorpus(Corpus):
    """Texts held in memory (a labelled dataset's texts), as a corpus for the tokens cache."""

    def __init__(self, texts: Sequence[str], name: str) -> None:
        self.texts = [t for t in texts if t and not t.isspace()]
        digest = hashlib.sha256()
        for text in self.texts:
            digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
        self.sha256 = digest.hexdigest()
        self.name = name

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "texts",
            "path": None,
            "source": self.name,
            "texts": len(self.texts),
            "sha256": self.sha256,
        }


def open_texts(
    source: PathLike | Corpus | LabelledData | Sequence[str],
    *,
    format: str | None = None,
    encoding: str = "utf-8",
    column: str | None = None,
    data_dir: PathLike | None = None,
) -> Corpus:
    """A corpus of a task's texts, labels dropped.

    ``source`` is a corpus (path, registry name, :class:`Corpus`), a list of texts, a
    :class:`~nlptk.text.labelled.LabelledData`, or a labelled dataset on disk: a split root
    (``train/``, ``val/``...: its training and validation texts), or any file or folder when
    ``format`` names its labelled layout (``"folders"``, ``"csv"``, ``"fasttext"``,
    ``"label-first"``...). Registry names of labelled datasets (``sst2``) give their texts.
    """
    from nlptk.text.labelled import load_labelled, load_labelled_splits

    if isinstance(source, Corpus):
        return source
    if isinstance(source, LabelledData):
        return TextsCorpus(source.texts, str(source.source or "labelled data"))
    if isinstance(source, (list, tuple)):
        return TextsCorpus(source, "texts")
    path = Path(source)  # type: ignore[arg-type]
    if path.is_dir() and (path / "train").is_dir():
        splits = load_labelled_splits(path, format=format)
        texts = [t for name in ("train", "val") if name in splits for t in splits[name].texts]
        logger.info(
            "fine-tuning on the texts of %s (%s)", path, ", ".join(n for n in ("train", "val") if n in splits)
        )
        return TextsCorpus(texts, os.fspath(path))
    if format is not None:
        options: dict[str, Any] = {"format": format, "encoding": encoding}
        return TextsCorpus(load_labelled(source, **options).texts, os.fspath(source))  # type: ignore[arg-type]
    return open_corpus(source, column=column, encoding=encoding, data_dir=data_dir)  # type: ignore[arg-type]


def _grow(
    network: RNNLanguageModelNet, config: LanguageModelConfig, vocab_size: int, new_rows: np.ndarray | None
) -> RNNLanguageModelNet:
    """A copy of ``network`` for a vocabulary grown at its end: old rows kept, new rows set.

    Every parameter whose first dimension is the vocabulary (the embedding, the decoder's
    weight and bias, the adaptive softmax's last tail) gets its old rows copied; the new
    rows are ``new_rows`` for the embedding and the mean old row elsewhere.
    """
    grown = RNNLanguageModelNet(config, vocab_size)
    old_state = network.state_dict()
    state = grown.state_dict()
    for key, target in state.items():
        source = old_state[key]
        if source.shape == target.shape:
            state[key] = source
            continue
        old = source.shape[0]
        value = source.new_empty(target.shape)
        value[:old] = source
        # rows indexed by word id start with the specials, which are no model for a word
        words = source[len(SPECIALS) :] if old == network.encoder.vocab_size else source
        value[old:] = words.mean(dim=0, keepdim=True)
        if key == "encoder.embedding.weight" and new_rows is not None:
            value[old:] = torch.from_numpy(new_rows)
        state[key] = value
    grown.load_state_dict(state)
    return grown


def _merge_config(
    lm: LanguageModel, config: LanguageModelConfig | None, params: dict[str, Any]
) -> LanguageModelConfig:
    fixed = [name for name in params if name in FINETUNE_FIXED]
    if fixed:
        raise ParameterError(
            f"{', '.join(fixed)} cannot change when fine-tuning (the pretrained network fixes them)",
            hint="leave them out; the pretrained model's values are used",
        )
    LanguageModelConfig.check_names(params, what="language model setting")
    if config is not None:
        changes = {
            n: getattr(config, n) for n in LanguageModelConfig.param_names() if n not in FINETUNE_FIXED
        }
        return lm.config.replace(**changes, **params)
    return lm.config.replace(**params)


def finetune_language_model(
    lm: LanguageModel | PathLike,
    texts: PathLike | Corpus | LabelledData | Sequence[str],
    *,
    vectors: Vectors | PathLike | None = None,
    config: LanguageModelConfig | None = None,
    out: PathLike | None = None,
    force: bool = False,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    callbacks: list[Callback] | None = None,
    cache_dir: PathLike | None = None,
    format: str | None = None,
    encoding: str = "utf-8",
    column: str | None = None,
    data_dir: PathLike | None = None,
    **params: Any,
) -> LanguageModel:
    """Continue training a language model on a task's texts.

    Parameters
    ----------
    lm : LanguageModel or path
        The pretrained model (or its folder).
    texts : path, registry name, Corpus, LabelledData or list of str
        The new texts (see :func:`open_texts`; ``format`` names a labelled file's layout).
    vectors : Vectors or path, optional
        Rows for the words added to the vocabulary (their dimension must be the model's).
    config : LanguageModelConfig, optional
        Training settings (``epochs``, ``lr``, ``lr_decay``, dropouts, budgets...); the
        shape settings stay the pretrained model's. Or give them as keyword arguments.
    out, force, resume, progress, callbacks, cache_dir, encoding, column, data_dir
        As for :func:`~nlptk.lm.training.train_language_model`.

    Returns
    -------
    LanguageModel
        ``meta["finetuned_from"]`` records the pretrained model and the words added.

    Examples
    --------
    >>> lm2 = finetune_language_model("wiki-lm", "sst2", out="sst2-lm", epochs=2,
    ...                               lr_decay=2.6)                        # doctest: +SKIP
    """
    from nlptk.embed.tokens_cache import tokenize_to_cache

    base = lm if isinstance(lm, LanguageModel) else load_language_model(lm)
    merged = _merge_config(base, config, params)
    out_path = Path(out) if out is not None else None
    if out_path is not None:
        check_output(out_path, force=force)
    resume_state = _load_resume(out_path, resume)
    if resume_state is not None:
        _check_resume(merged, resume_state["extra"]["config"], checkpoint_path(out_path))  # type: ignore[arg-type]
    corpus = open_texts(texts, format=format, encoding=encoding, column=column, data_dir=data_dir)
    cache = tokenize_to_cache(corpus, base.tokenizer, cache_dir=cache_dir, progress=progress)
    loaded = _as_vectors(vectors)
    if loaded is not None and loaded.dim != base.config.embedding_dim:
        raise ParameterError(
            f"the vectors have {loaded.dim} dimensions but the language model's embedding has "
            f"{base.config.embedding_dim}",
            hint="give vectors of the pretrained model's dimension, or none",
        )
    old_words = list(base.vocabulary.words)
    if resume_state is not None:
        vocabulary = Vocabulary.from_dict(resume_state["extra"]["vocab"])
        info = dict(resume_state["extra"]["info"])
    else:
        added: list[str] = []
        counts = list(base.vocabulary.counts)
        if merged.new_words:
            found = build_stream_vocabulary(cache.path, min_count=merged.min_count)
            known = set(old_words)
            for word, count in zip(found.words, found.counts, strict=True):
                if word not in known:
                    added.append(word)
                    counts.append(int(count))
        vocabulary = Vocabulary(
            old_words[len(SPECIALS) :] + added, counts[len(SPECIALS) :], specials=list(SPECIALS)
        )
        info = {
            "corpus": {**corpus.describe(), "documents": cache.documents, "tokens": cache.tokens},
            "tokens_file": os.fspath(cache.path),
            "finetuned_from": {
                "model": None if isinstance(lm, LanguageModel) else os.fspath(lm),
                "vocab_size": len(old_words),
                "words_added": len(added),
                "pretraining": {
                    k: base.meta.get(k) for k in ("corpus", "tokens_seen", "best_val_perplexity")
                },
            },
        }
        logger.info("%d words of the new texts added to the vocabulary (now %d)", len(added), len(vocabulary))
    seed_everything(merged.seed)
    new_rows = None
    n_new = len(vocabulary) - len(old_words)
    if n_new and loaded is not None and resume_state is None:
        from nlptk.classify.embeddings import match_embeddings

        new_vocab = Vocabulary(vocabulary.words[len(old_words) :], vocabulary.counts[len(old_words) :])
        matrix, coverage = match_embeddings(new_vocab, loaded, seed=merged.seed, padding_idx=None)
        new_rows = matrix
        info["finetuned_from"]["new_word_coverage"] = coverage
    network = _grow(base.network.cpu(), merged, len(vocabulary), new_rows)
    ids = encode_stream(cache.path, vocabulary)
    return _fit(
        network,
        config=merged,
        user_config=merged,
        vocabulary=vocabulary,
        ids=ids,
        source=str(corpus.path or corpus.describe().get("source")),
        out=out_path,
        force=force,
        resume_state=resume_state,
        progress=progress,
        callbacks=callbacks,
        info=info,
    )
