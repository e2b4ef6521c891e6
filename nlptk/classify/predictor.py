"""A trained classifier ready to predict: :class:`TrainedClassifier`.

It bundles the model with the tokenizer, vocabulary and classes it was trained with, so
predictions in a fresh process tokenize exactly as training did. Texts are batched by
length for speed and the results are returned in the input order.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nlptk.classify.conditioning import Conditioning
from nlptk.classify.config import ClassifierConfig
from nlptk.classify.data import EncodedDataset, encode_labels, encode_texts, make_loader
from nlptk.classify.learner import move_batch
from nlptk.classify.model import RNNClassifierNet
from nlptk.classify.persist import (
    CONDITIONED_FORMAT_VERSION,
    FORMAT_VERSION,
    read_model_folder,
    write_model_folder,
)
from nlptk.classify.runtime import resolve_device
from nlptk.errors import DataError, IncompatibleModelError, NlptkError
from nlptk.io import reading
from nlptk.text.tokenize import Tokenizer, tokenizer_from_config
from nlptk.text.vocab import Vocabulary

if TYPE_CHECKING:
    from nlptk.text.labelled import LabelledData
    from nlptk.vectors.container import Vectors

__all__ = ["TrainedClassifier", "load_classifier"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


class TrainedClassifier:
    """A trained RNN text classifier with its tokenizer, vocabulary and classes.

    Made by :func:`nlptk.classify.training.train_classifier` or :meth:`load`.

    Parameters
    ----------
    model : RNNClassifierNet or EncoderClassifierNet
    config : ClassifierConfig
    vocab : Vocabulary
    classes : list of str
    history : list of dict, optional
        Per-epoch training records.
    info : dict, optional
        What else ``config.json`` records (embedding coverage, training summary).
    device : str, default="auto"
    conditioning : Conditioning, optional
        The transform applied to the pretrained embedding rows in training (saved with the
        model; rows added later must go through it too).

    Attributes
    ----------
    classes : list of str
    config : ClassifierConfig
    tokenizer : Tokenizer
    vocab : Vocabulary
    history : list of dict
        ``epoch, stage, train_loss, val_loss, val_accuracy, val_macro_f1, lr, seconds,
        train_sentences_per_s`` per epoch.
    model : RNNClassifierNet or EncoderClassifierNet
    device : torch.device
    conditioning : Conditioning or None

    Examples
    --------
    >>> clf = TrainedClassifier.load("sentiment-model")          # doctest: +SKIP
    >>> clf.predict(["a great film", "dull and tedious"])         # doctest: +SKIP
    ['pos', 'neg']
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        config: ClassifierConfig,
        vocab: Vocabulary,
        classes: Sequence[str],
        history: list[dict[str, Any]] | None = None,
        info: dict[str, Any] | None = None,
        device: str | torch.device = "auto",
        conditioning: Conditioning | None = None,
    ) -> None:
        self.config = config
        self.conditioning = conditioning
        self.tokenizer: Tokenizer = tokenizer_from_config(config.tokenizer)
        self.vocab = vocab
        self.classes = [str(c) for c in classes]
        self.history = list(history or [])
        self.info = dict(info or {})
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()

    def __repr__(self) -> str:
        c = self.config
        spec = getattr(self.model, "spec", None)
        if callable(spec):
            encoder = spec()["encoder"]
            return (
                f"<TrainedClassifier on a language model's {encoder['cell']} encoder "
                f"({encoder['num_layers']} layers), {len(self.classes)} classes, {len(self.vocab)} words>"
            )
        return (
            f"<TrainedClassifier {c.cell} {'bi' if c.bidirectional else 'uni'}directional "
            f"{c.num_layers}x{c.hidden_size}, {len(self.classes)} classes, {len(self.vocab)} words>"
        )

    # -- persistence ----------------------------------------------------------------------------
    def save(self, path: PathLike, *, force: bool = False) -> Path:
        """Write the model folder (config.json, vocab.json, model.pt, history.json, history.png)."""
        from nlptk.classify.encoder_model import EncoderClassifierNet

        sizes: dict[str, Any] = {
            "vocab_size": self.model.embedding.num_embeddings,
            "embedding_dim": self.model.embedding.embedding_dim,
            "n_classes": len(self.classes),
        }
        if isinstance(self.model, EncoderClassifierNet):  # a language model's encoder under the head
            sizes["architecture"] = self.model.spec()
        body = {
            "classes": self.classes,
            "model": sizes,
            "config": self.config.to_dict(),
            **{k: v for k, v in self.info.items() if k not in ("classes", "model", "config")},
        }
        files: dict[str, bytes] = {}
        if self.conditioning is not None:
            buffer = io.BytesIO()
            self.conditioning.save(buffer)
            files["conditioning.npz"] = buffer.getvalue()
            body["conditioning"] = self.conditioning.describe()
        # a folder an older reader would misread carries the newer format version
        newer = self.conditioning is not None or getattr(self.model, "wide", None) is not None
        return write_model_folder(
            path,
            config=body,
            vocab=self.vocab.to_dict(),
            state_dict=self.model.state_dict(),
            history=self.history,
            force=force,
            files=files,
            format_version=CONDITIONED_FORMAT_VERSION if newer else FORMAT_VERSION,
        )

    @classmethod
    def load(cls, path: PathLike, *, device: str | torch.device = "auto") -> TrainedClassifier:
        """Read a model folder written by :meth:`save` or ``nlptk classify train``.

        Raises
        ------
        InputFileError
            Not a folder, or a file missing.
        IncompatibleModelError
            Written by an incompatible nlptk version or not a classifier.
        """
        with reading(path, "classifier model folder"):
            return cls._load(path, device)

    @classmethod
    def _load(cls, path: PathLike, device: str | torch.device) -> TrainedClassifier:
        parts = read_model_folder(path)
        body = parts["config"]
        try:
            config = ClassifierConfig.from_dict(body["config"])
            sizes = body["model"]
            classes = list(body["classes"])
            vocab = Vocabulary.from_dict(parts["vocab"])
            model: nn.Module
            if sizes.get("architecture") is not None:
                from nlptk.classify.encoder_model import EncoderClassifierNet

                model = EncoderClassifierNet.from_spec(
                    sizes["architecture"],
                    vocab_size=int(sizes["vocab_size"]),
                    n_classes=int(sizes["n_classes"]),
                )
            else:
                model = RNNClassifierNet.from_config(
                    config,
                    vocab_size=int(sizes["vocab_size"]),
                    embedding_dim=int(sizes["embedding_dim"]),
                    n_classes=int(sizes["n_classes"]),
                )
            model.load_state_dict(parts["state_dict"])
            conditioning = None
            if "conditioning" in body:
                conditioning = Conditioning.load(
                    Path(path) / "conditioning.npz", details=body["conditioning"]
                )
        except (KeyError, TypeError, RuntimeError, NlptkError) as exc:
            raise IncompatibleModelError(
                f"the model folder does not match this nlptk's classifier ({type(exc).__name__}: {exc})",
                path=path,
                hint="retrain the model with this nlptk version",
            ) from None
        if len(vocab) != model.embedding.num_embeddings or len(classes) != model.head.out_features:
            raise IncompatibleModelError(
                f"vocab.json has {len(vocab)} words and config.json {len(classes)} classes, but the "
                f"weights have {model.embedding.num_embeddings} rows and {model.head.out_features} outputs",
                path=path,
            )
        info = {k: v for k, v in body.items() if k not in ("format", "format_version", "nlptk_version")}
        return cls(
            model,
            config=config,
            vocab=vocab,
            classes=classes,
            history=parts["history"],
            info=info,
            device=device,
            conditioning=conditioning,
        )

    def add_words(self, vectors: Vectors, words: Sequence[str] | None = None) -> int:
        """Give words the training texts lacked their rows from ``vectors`` (before predicting).

        Without this, such words map to ``<unk>``. The rows go through the conditioning the
        training rows went through (:attr:`conditioning`); subword rows too. Save the model
        again to keep them.

        Parameters
        ----------
        vectors : Vectors
            Pretrained vectors of the model's embedding dimension (the ones it was trained from).
        words : sequence of str, optional
            Only these words (for example the words of the texts to classify); default: all.

        Returns
        -------
        int
            The number of words added.
        """
        from nlptk.classify.conditioning import extend_embeddings

        self.vocab, added = extend_embeddings(self.model, self.vocab, vectors, self.conditioning, words)
        self.model.to(self.device).eval()
        return added

    # -- prediction -----------------------------------------------------------------------------
    def _check_texts(self, texts: Sequence[str]) -> list[str]:
        if isinstance(texts, str):
            raise DataError("expected a list of texts, got one string", hint="wrap it in a list: [text]")
        return list(texts)

    @torch.inference_mode()
    def _run(self, texts: Sequence[str], batch_size: int, labels: np.ndarray | None, what: str) -> np.ndarray:
        texts = self._check_texts(texts)
        ids = encode_texts(texts, self.tokenizer, self.vocab, max_length=self.config.max_length)
        dataset = EncodedDataset(ids, labels)
        loader = make_loader(
            dataset, batch_size=batch_size, shuffle=False, pin_memory=self.device.type == "cuda"
        )
        use_amp = self.device.type == "cuda" and self.config.mixed_precision
        self.model.eval()
        parts: list[np.ndarray] = []
        order: list[int] = []
        for indices, batch in zip(loader.batch_sampler, loader, strict=True):
            x, lengths, y = move_batch(batch, self.device)
            with torch.autocast(self.device.type, enabled=use_amp):
                out = self.model.encode(x, lengths) if what == "vectors" else self.model(x, lengths)
            out = out.float()
            if what == "proba":
                out = F.softmax(out, dim=-1)
            elif what == "losses":
                out = F.cross_entropy(out, y, reduction="none")
            parts.append(out.cpu().numpy())
            order.extend(indices)
        width = {"vectors": self.model.output_size, "losses": None}.get(what, len(self.classes))
        if not parts:
            return np.zeros((0,) if width is None else (0, width), dtype=np.float32)
        result = np.concatenate(parts)
        restored = np.empty_like(result)
        restored[np.asarray(order)] = result
        return restored

    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 256) -> np.ndarray:
        """Class probabilities, shape ``(n_texts, n_classes)``; rows sum to 1, columns follow ``classes``."""
        return self._run(texts, batch_size, None, "proba")

    def predict(self, texts: Sequence[str], *, batch_size: int = 256) -> list[str]:
        """The most probable class of each text."""
        proba = self.predict_proba(texts, batch_size=batch_size)
        return [self.classes[i] for i in proba.argmax(axis=1)] if len(proba) else []

    def sentence_vectors(self, texts: Sequence[str], *, batch_size: int = 256) -> np.ndarray:
        """The pooled representation the head sees, shape ``(n_texts, model.output_size)``."""
        return self._run(texts, batch_size, None, "vectors")

    def losses(self, texts: Sequence[str], labels: Sequence[Any], *, batch_size: int = 256) -> np.ndarray:
        """Per-text cross-entropy against ``labels`` (class indices or class names), shape ``(n_texts,)``."""
        texts = self._check_texts(texts)
        if len(labels) != len(texts):
            raise DataError(f"{len(texts)} texts but {len(labels)} labels; give one label per text")
        y = encode_labels(list(labels), self.classes, where="the labels given")
        return self._run(texts, batch_size, y, "losses")

    def score(self, data: LabelledData, *, batch_size: int = 256) -> dict[str, float]:
        """Accuracy, macro-F1 and mean cross-entropy on labelled data (labels matched by class name).

        Raises
        ------
        DataError
            A label of ``data`` is not one of the model's classes.

        Examples
        --------
        >>> clf.score(load_labelled("test.tsv"))              # doctest: +SKIP
        {'accuracy': 0.87, 'macro_f1': 0.869, 'loss': 0.31, 'n': 1821}
        """
        from sklearn.metrics import f1_score

        names = [str(data.classes[int(y)]) for y in data.labels]
        y = encode_labels(names, self.classes, where=data.source or "the data")
        proba = self.predict_proba(data.texts, batch_size=batch_size)
        if len(y) == 0:
            raise DataError("no examples to score", path=data.source)
        predicted = proba.argmax(axis=1)
        all_labels = list(range(len(self.classes)))
        picked = np.clip(proba[np.arange(len(y)), y], 1e-12, 1.0)
        return {
            "accuracy": float((predicted == y).mean()),
            "macro_f1": float(f1_score(y, predicted, labels=all_labels, average="macro", zero_division=0)),
            "loss": float(-np.log(picked).mean()),
            "n": len(y),
        }


def load_classifier(path: PathLike, *, device: str | torch.device = "auto") -> TrainedClassifier:
    """Load a classifier model folder (``nlptk classify train --out``, :meth:`TrainedClassifier.save`).

    The same as :meth:`TrainedClassifier.load`, named like :func:`~nlptk.load_vectors` and
    :func:`~nlptk.load_language_model`.

    Parameters
    ----------
    path : path
        The model folder.
    device : str or torch.device, default="auto"
        Where the model runs: ``"auto"`` (CUDA, then MPS, then the CPU), ``"cpu"``, ``"cuda"``...

    Returns
    -------
    TrainedClassifier

    Examples
    --------
    >>> clf = nlptk.load_classifier("polarity-clf")                      # doctest: +SKIP
    >>> clf.predict(["a moving , beautifully acted film"])               # doctest: +SKIP
    ['pos']
    """
    return TrainedClassifier.load(path, device=device)
