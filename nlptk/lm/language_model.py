""":class:`LanguageModel`: a trained language model with its vocabulary and tokenizer.

What :func:`nlptk.train_language_model` returns and :func:`load_language_model` reads back:
the network (``.network``, with ``.encoder`` the part a classifier reuses), ``.vocab`` (words
in id order), ``.config`` and ``.tokenizer``. It measures perplexity on new text and samples
text from a prompt.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nlptk.errors import DataError, IncompatibleModelError, NlptkError, ParameterError
from nlptk.lm.config import LanguageModelConfig
from nlptk.lm.encoder import RNNEncoder
from nlptk.lm.model import RNNLanguageModelNet, evaluate_stream
from nlptk.lm.persist import read_model_folder, write_model_folder
from nlptk.lm.stream import EOS, EOS_ID, PAD_ID, SPECIALS, UNK_ID, batchify, encode_tokens
from nlptk.text.corpus import Corpus
from nlptk.text.tokenize import Tokenizer
from nlptk.text.vocab import Vocabulary

__all__ = ["LanguageModel", "load_language_model"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


class LanguageModel:
    """A recurrent language model, its vocabulary and its tokenizer.

    Parameters
    ----------
    network : RNNLanguageModelNet
    config : LanguageModelConfig
        The resolved config the network was built from.
    vocabulary : Vocabulary
        ``<pad>`` = 0, ``<unk>`` = 1, ``<eos>`` = 2, then the words.
    tokenizer : Tokenizer
        The tokenizer of the training corpus (applied to every text given to the model).
    meta : dict, optional
        Training record: ``history`` (one dict per epoch with ``val_perplexity``...),
        ``tokens_seen``, ``seconds``, corpus and embedding information.

    Attributes
    ----------
    encoder : RNNEncoder
        The embedding and recurrent layers (``network.encoder``).
    vocab : list of str
        Words in id order.

    Examples
    --------
    >>> lm = load_language_model("wiki-lm")                          # doctest: +SKIP
    >>> lm.perplexity(["the cat sat on the mat"])["perplexity"]      # doctest: +SKIP
    212.4
    >>> lm.generate("the history of", tokens=20, seed=1)              # doctest: +SKIP
    """

    def __init__(
        self,
        network: RNNLanguageModelNet,
        *,
        config: LanguageModelConfig,
        vocabulary: Vocabulary,
        tokenizer: Tokenizer,
        meta: dict[str, Any] | None = None,
        device: torch.device | str = "cpu",
    ) -> None:
        self.network = network
        self.config = config
        self.vocabulary = vocabulary
        self.tokenizer = tokenizer
        self.meta: dict[str, Any] = dict(meta or {})
        self.device = torch.device(device)
        self.network.to(self.device)

    # -- views ----------------------------------------------------------------------------------
    @property
    def encoder(self) -> RNNEncoder:
        return self.network.encoder

    @property
    def vocab(self) -> list[str]:
        return self.vocabulary.words

    @property
    def history(self) -> list[dict[str, Any]]:
        return list(self.meta.get("history", []))

    def __repr__(self) -> str:
        c = self.config
        return (
            f"LanguageModel({c.cell}, layers={c.num_layers}, hidden={c.hidden_size}, "
            f"embedding={c.embedding_dim}, vocab={len(self.vocabulary)}, decoder={c.decoder})"
        )

    def to(self, device: torch.device | str) -> LanguageModel:
        """Move the network to ``device``; returns ``self``."""
        self.device = torch.device(device)
        self.network.to(self.device)
        return self

    # -- files ----------------------------------------------------------------------------------
    def folder_config(self) -> dict[str, Any]:
        """The body of ``config.json`` (without the format fields)."""
        return {
            "tokenizer": self.tokenizer.to_config(),
            "config": self.config.to_dict(),
            "encoder": self.config.encoder_config().to_dict(),
            "network": {
                "vocab_size": len(self.vocabulary),
                "embedding_dim": self.config.embedding_dim,
                "out_dim": self.encoder.out_dim,
                "decoder": self.config.decoder,
                "tied": self.network.tied,
                "cutoffs": list(self.config.cutoffs) if self.config.cutoffs else None,
            },
            "specials": {name: i for i, name in enumerate(SPECIALS)},
        }

    def save(self, path: PathLike, *, force: bool = False) -> Path:
        """Write the model folder (see :mod:`nlptk.lm.persist`) atomically."""
        return write_model_folder(
            path,
            config=self.folder_config(),
            vocab=self.vocabulary.to_dict(),
            state_dict=self.network.state_dict(),
            meta=self.meta,
            force=force,
        )

    @classmethod
    def load(cls, path: PathLike, *, device: torch.device | str = "cpu") -> LanguageModel:
        """Read a model folder written by :meth:`save` (see :func:`load_language_model`)."""
        folder = read_model_folder(path)
        body = folder["config"]
        try:
            config = LanguageModelConfig.from_dict({**body["config"], "tokenizer": body["tokenizer"]})
        except (NlptkError, KeyError, TypeError) as exc:
            raise IncompatibleModelError(
                f"config.json holds settings this nlptk does not know ({exc})",
                path=Path(path) / "config.json",
                hint=f"use the nlptk version that wrote it ({body.get('nlptk_version', '?')})",
            ) from None
        vocabulary = Vocabulary.from_dict(folder["vocab"])
        if vocabulary.words[: len(SPECIALS)] != list(SPECIALS):
            raise IncompatibleModelError(
                f"vocab.json starts with {vocabulary.words[:3]}, expected {list(SPECIALS)}",
                path=Path(path) / "vocab.json",
            )
        network = RNNLanguageModelNet(config, len(vocabulary))
        try:
            network.load_state_dict(folder["state_dict"])
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()[0:2]
            raise IncompatibleModelError(
                f"model.pt does not fit config.json and vocab.json ({' '.join(first)})",
                path=Path(path) / "model.pt",
            ) from None
        network.eval()
        return cls(
            network,
            config=config,
            vocabulary=vocabulary,
            tokenizer=folder["tokenizer"],
            meta=folder["meta"],
            device=device,
        )

    # -- text -> ids ------------------------------------------------------------------------------
    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` with the model's tokenizer (unknown words -> ``<unk>``)."""
        return encode_tokens(self.tokenizer(text), self.vocabulary)

    def _stream(
        self, source: PathLike | Corpus | Sequence[str], cache_dir: PathLike | None, encoding: str
    ) -> np.ndarray:
        if isinstance(source, (list, tuple)):
            ids: list[int] = []
            for text in source:
                tokens = self.tokenizer(text)
                if tokens:
                    ids.extend(encode_tokens(tokens, self.vocabulary))
                    ids.append(EOS_ID)
            return np.asarray(ids, dtype=np.int32)
        from nlptk.embed.tokens_cache import tokenize_to_cache
        from nlptk.lm.stream import encode_stream
        from nlptk.text.corpus import open_corpus

        corpus = open_corpus(source, encoding=encoding)  # type: ignore[arg-type]
        cache = tokenize_to_cache(corpus, self.tokenizer, cache_dir=cache_dir)
        return encode_stream(cache.path, self.vocabulary)

    # -- evaluation -----------------------------------------------------------------------------
    def perplexity(
        self,
        source: PathLike | Corpus | Sequence[str],
        *,
        batch_size: int = 16,
        bptt: int | None = None,
        cache_dir: PathLike | None = None,
        encoding: str = "utf-8",
    ) -> dict[str, Any]:
        """Perplexity of the model on a corpus (a path, registry name or Corpus) or a list of texts.

        The text is tokenized with the model's tokenizer (through the tokens cache for a
        corpus), ``<eos>`` ends each document, and unknown words count as ``<unk>``, whose
        share is reported.

        Returns
        -------
        dict
            ``perplexity``, ``loss`` (nats per token), ``tokens`` (predictions scored),
            ``unknown_rate``.

        Raises
        ------
        DataError
            Fewer than two tokens to score.
        """
        ids = self._stream(source, cache_dir, encoding)
        if len(ids) < 2:
            raise DataError(
                f"the text has {len(ids)} token(s) after tokenization; perplexity needs at least 2",
                hint="give more text",
            )
        window = bptt or self.config.bptt
        rows = max(1, min(batch_size, len(ids) // (window + 1)))
        data = batchify(ids, rows)
        loss, count = evaluate_stream(self.network, data, bptt=window, device=self.device)
        return {
            "perplexity": math.exp(loss) if math.isfinite(loss) and loss < 700 else math.inf,
            "loss": loss,
            "tokens": count,
            "unknown_rate": float(np.mean(ids == UNK_ID)),
        }

    # -- generation -----------------------------------------------------------------------------
    @torch.no_grad()
    def generate(
        self,
        prompt: str = "",
        *,
        tokens: int = 50,
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: int | None = None,
    ) -> str:
        """Sample a continuation of ``prompt``, word by word.

        Parameters
        ----------
        prompt : str
            Text to continue (tokenized with the model's tokenizer); empty: start a document.
        tokens : int, default=50
            Tokens to generate.
        temperature : float, default=1.0
            Divides the log-probabilities: below 1 more predictable, above 1 more varied.
        top_k : int, optional
            Sample among the ``top_k`` most likely words only.
        seed : int, optional
            Seed of the sampler (the same seed gives the same text).

        Returns
        -------
        str
            The generated tokens joined by spaces; a document end (``<eos>``) is a line break.
            ``<pad>`` and ``<unk>`` are never sampled.

        Raises
        ------
        DataError
            Every word of a non-empty prompt is unknown to the model.
        """
        if tokens < 1:
            raise ParameterError(f"tokens={tokens} must be >= 1")
        if not (temperature > 0 and math.isfinite(temperature)):
            raise ParameterError(f"temperature={temperature} must be a positive number")
        if top_k is not None and top_k < 1:
            raise ParameterError(f"top_k={top_k} must be >= 1")
        words = self.tokenizer(prompt)
        ids = encode_tokens(words, self.vocabulary)
        if words and all(i == UNK_ID for i in ids):
            shown = ", ".join(repr(w) for w in words[:5]) + (", ..." if len(words) > 5 else "")
            raise DataError(
                f"none of the prompt's words ({shown}) is in the model's vocabulary "
                f"of {len(self.vocabulary):,} words",
                hint="give a prompt with words the training corpus had, or an empty prompt",
            )
        unknown = [w for w, i in zip(words, ids, strict=True) if i == UNK_ID]
        if unknown:
            logger.warning("prompt words unknown to the model (read as <unk>): %s", ", ".join(unknown[:10]))
        generator = torch.Generator(device="cpu")
        generator.manual_seed(seed if seed is not None else torch.seed())
        network = self.network.eval()
        context = torch.tensor([[EOS_ID, *ids]], dtype=torch.long, device=self.device)
        hidden, state = network.hidden(context)
        out: list[str] = []
        banned = torch.tensor([PAD_ID, UNK_ID], device=self.device)
        for _ in range(tokens):
            log_probs = network.log_probs(hidden[:, -1]).squeeze(0) / temperature
            log_probs[banned] = -math.inf
            if top_k is not None and top_k < log_probs.numel():
                threshold = torch.topk(log_probs, top_k).values[-1]
                log_probs[log_probs < threshold] = -math.inf
            probs = torch.softmax(log_probs.float(), dim=-1).cpu()
            next_id = int(torch.multinomial(probs, 1, generator=generator))
            out.append("\n" if self.vocabulary.words[next_id] == EOS else self.vocabulary.words[next_id])
            step = torch.tensor([[next_id]], dtype=torch.long, device=self.device)
            hidden, state = network.hidden(step, state)
        return _join(out)


def _join(tokens: list[str]) -> str:
    """Tokens joined by spaces, with no space around line breaks."""
    text = ""
    for token in tokens:
        if token == "\n" or not text or text.endswith("\n"):
            text += token
        else:
            text += " " + token
    return text


def load_language_model(path: PathLike, *, device: torch.device | str = "cpu") -> LanguageModel:
    """Read a language model folder written by ``nlptk lm train`` / :meth:`LanguageModel.save`.

    Parameters
    ----------
    path : path
        The model folder (``config.json``, ``vocab.json``, ``model.pt``, ``meta.json``).
    device : str or torch.device, default="cpu"
        Where the network goes (``"auto"``: CUDA, then MPS, then the CPU).

    Raises
    ------
    InputFileError
        Not a folder, or a file missing.
    IncompatibleModelError
        Another kind of folder (a classifier), an unknown format version, a tokenizer this
        nlptk cannot rebuild, or weights that do not fit the config.

    Examples
    --------
    >>> lm = load_language_model("wiki-lm")          # doctest: +SKIP
    >>> lm.encoder.out_dim, lm.vocab[:3]             # doctest: +SKIP
    (100, ['<pad>', '<unk>', '<eos>'])
    """
    if isinstance(device, str) and device == "auto":
        from nlptk.classify.runtime import resolve_device

        device = resolve_device("auto")
    return LanguageModel.load(path, device=device)
