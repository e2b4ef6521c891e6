"""Conditioning of pretrained embedding rows, and what the trainer says about the vectors.

Word vectors trained on a modest corpus share a large common direction: issue 6 measured a
mean vector of norm 1.44 against an average row norm of 1.45 on a small corpus, so every row
is nearly the same vector plus a little signal. A recurrent classifier that starts from such
rows (and keeps them frozen first) sees almost the same input for every word. Three linear
transforms remove that, each fitted on the pretrained rows the classifier's vocabulary found:

``"center"``
    subtract the mean row;
``"standardize"``
    subtract the mean and divide every dimension by its standard deviation;
``"abtt"``
    "all-but-the-top" (Mu & Viswanath, 2018): subtract the mean and project out the top
    principal components, which carry frequency rather than meaning.

Every transform is ``rows -> (rows - mean_) @ matrix_``, so one pair of arrays describes it;
the classifier saves them in its model folder (``conditioning.npz``) and applies the same
transform to rows it adds later (words the training texts lacked, subword rows).

:func:`vector_diagnostics` reports the coverage of the training tokens and how collinear the
pretrained rows are, with warnings for the cases the benchmark found harmful.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from nlptk.errors import FormatError, ParameterError
from nlptk.text.vocab import Vocabulary

if TYPE_CHECKING:
    from nlptk.vectors.container import Vectors

__all__ = [
    "COLLINEARITY_WARNING",
    "CONDITIONINGS",
    "CONDITIONING_CHOICES",
    "COVERAGE_WARNING",
    "Conditioning",
    "collinearity",
    "condition_rows",
    "extend_embeddings",
    "fit_conditioning",
    "summary_lines",
    "vector_diagnostics",
]

logger = logging.getLogger(__name__)

CONDITIONINGS = ("none", "center", "standardize", "abtt")
# "auto": standardize nearly collinear rows (collinearity >= COLLINEARITY_WARNING), leave others
CONDITIONING_CHOICES = ("auto", *CONDITIONINGS)
# a dimension whose standard deviation is below this (relative to the largest one) is
# treated as constant: it is centred but never divided by its (near-zero) deviation
_ZERO_VARIANCE = 1e-6
# warnings in the training summary (see vector_diagnostics)
# collinearity (mean-vector norm / mean row norm) above which "auto" standardises and the
# summary warns: on the issue-11 benchmark (1 seed) standardising gave gensim's lee_fasttext.vec
# (collinearity 0.78) +2.0 points on TREC-500, and nlptk's enwiki skip-gram vectors (0.51-0.57)
# -1.7 points on SST-2-500, so the threshold sits between
COLLINEARITY_WARNING = 0.7
# share of training tokens: lee_fasttext.vec covered 55% of TREC-500's and ended 4.8 points
# below random initialisation; nlptk's enwiki vectors covered 96-97% (not a measured break point)
COVERAGE_WARNING = 0.5


@dataclass
class Conditioning:
    """A fitted linear transform of embedding rows: ``(rows - mean_) @ matrix_``.

    Parameters
    ----------
    method : {"none", "center", "standardize", "abtt"}
    mean_ : ndarray of shape (dim,)
    matrix_ : ndarray of shape (dim, dim)
    details : dict
        What the fit found (rows used, constant dimensions, removed variance share).

    Examples
    --------
    >>> rows = np.array([[1.0, 2.0], [3.0, 2.0]], dtype=np.float32)
    >>> c = fit_conditioning(rows, "standardize")
    >>> c.transform(rows).tolist(), c.details["constant_dims"]
    ([[-1.0, 0.0], [1.0, 0.0]], 1)
    """

    method: str
    mean_: np.ndarray
    matrix_: np.ndarray
    details: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Conditioning {self.method!r} dim={self.dim} {self.details}>"

    @property
    def dim(self) -> int:
        return int(self.mean_.shape[0])

    def transform(self, rows: np.ndarray) -> np.ndarray:
        """Conditioned copy of ``rows`` (shape ``(n, dim)`` or ``(dim,)``), float32."""
        rows = np.asarray(rows, dtype=np.float32)
        if rows.shape[-1] != self.dim:
            raise ParameterError(
                f"rows of {rows.shape[-1]} dimensions given to a {self.dim}-dimensional conditioning"
            )
        if self.method == "none":
            return rows.copy()
        return ((rows - self.mean_) @ self.matrix_).astype(np.float32)

    def describe(self) -> dict[str, Any]:
        """A JSON-able summary for ``config.json`` and the training summary."""
        return {"method": self.method, "dim": self.dim, **self.details}

    # -- files ---------------------------------------------------------------------------------
    def save(self, file: str | Path | BinaryIO) -> None:
        """Write ``mean`` and ``matrix`` to an ``.npz`` file or binary file object (no pickle)."""
        np.savez(file, mean=self.mean_, matrix=self.matrix_, method=np.array(self.method))

    @classmethod
    def load(cls, path: str | Path, details: dict[str, Any] | None = None) -> Conditioning:
        """Read :meth:`save` output (``allow_pickle=False``)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                mean = np.asarray(data["mean"], dtype=np.float32)
                matrix = np.asarray(data["matrix"], dtype=np.float32)
                method = str(data["method"])
        except (OSError, KeyError, ValueError) as exc:
            raise FormatError(f"cannot read the embedding conditioning ({exc})", path=path) from None
        if method not in CONDITIONINGS or matrix.shape != (mean.shape[0], mean.shape[0]):
            raise FormatError(
                f"damaged embedding conditioning: method {method!r}, mean {mean.shape}, "
                f"matrix {matrix.shape}",
                path=path,
            )
        extra = {k: v for k, v in (details or {}).items() if k not in ("method", "dim")}
        return cls(method, mean, matrix, extra)


def fit_conditioning(rows: np.ndarray, method: str, *, components: int = 2) -> Conditioning:
    """Fit a :class:`Conditioning` on pretrained ``rows`` (shape ``(n, dim)``).

    Parameters
    ----------
    rows : ndarray of shape (n, dim)
        The pretrained rows to condition (those the classifier's vocabulary found).
    method : {"none", "center", "standardize", "abtt"}
    components : int, default=2
        ``"abtt"``: top principal components removed (at most ``dim - 1`` and ``n - 1``).

    Raises
    ------
    ParameterError
        Unknown ``method``, ``components < 1`` or no rows.

    Notes
    -----
    Constant dimensions (standard deviation below ``1e-6`` of the largest) are centred and
    left unscaled: dividing by a zero deviation would turn them into NaN or huge values.
    """
    if method not in CONDITIONINGS:
        raise ParameterError(f"conditioning={method!r} is not one of {', '.join(CONDITIONINGS)}")
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or len(rows) == 0:
        raise ParameterError(f"cannot fit a conditioning on {rows.shape} rows; at least one row is needed")
    n, dim = rows.shape
    details: dict[str, Any] = {"fitted_on_rows": int(n)}
    if method == "none":
        return Conditioning(method, np.zeros(dim, np.float32), np.eye(dim, dtype=np.float32), details)
    mean = rows.mean(axis=0)
    centred = rows - mean
    std = centred.std(axis=0)
    constant = std <= _ZERO_VARIANCE * max(float(std.max()), 1e-30)
    details["constant_dims"] = int(constant.sum())
    if constant.any():
        logger.warning(
            "%d of %d vector dimensions are constant over the %d pretrained rows; they are centred "
            "but not scaled",
            int(constant.sum()),
            dim,
            n,
        )
    matrix = np.eye(dim)
    if method == "standardize":
        matrix = np.diag(np.where(constant, 1.0, 1.0 / np.where(constant, 1.0, std)))
    elif method == "abtt":
        if components < 1:
            raise ParameterError(f"conditioning_components={components} must be >= 1 for abtt")
        k = min(components, dim - 1, max(n - 1, 0))
        if k >= 1:
            # principal directions of the centred rows (right singular vectors)
            _, singular, vt = np.linalg.svd(centred, full_matrices=False)
            top = vt[:k]
            matrix = np.eye(dim) - top.T @ top
            total = float((singular**2).sum())
            details["removed_variance_share"] = (
                round(float((singular[:k] ** 2).sum()) / total, 4) if total else 0.0
            )
        details["components"] = int(k)
    return Conditioning(method, mean.astype(np.float32), matrix.astype(np.float32), details)


def collinearity(rows: np.ndarray) -> float:
    """Norm of the mean row over the mean row norm, in [0, 1]: 1 when all rows point one way.

    Examples
    --------
    >>> round(collinearity(np.array([[1.0, 0.0], [-1.0, 0.0]])), 3)
    0.0
    >>> round(collinearity(np.array([[1.0, 0.1], [1.0, -0.1]])), 3)
    0.995
    """
    rows = np.asarray(rows, dtype=np.float64)
    if len(rows) == 0:
        return 0.0
    mean_norm = float(np.linalg.norm(rows, axis=1).mean())
    return float(np.linalg.norm(rows.mean(axis=0)) / mean_norm) if mean_norm > 0 else 0.0


def vector_diagnostics(
    rows: np.ndarray,
    coverage: dict[str, Any],
    conditioning: Conditioning | None,
    *,
    conditioned_rows: np.ndarray | None = None,
) -> dict[str, Any]:
    """What the training summary says about the pretrained rows, with warnings.

    Parameters
    ----------
    rows : ndarray of shape (n, dim)
        The pretrained rows the vocabulary found, before conditioning.
    coverage : dict
        From :func:`~nlptk.classify.embeddings.match_embeddings` (``token_coverage`` ...).
    conditioning : Conditioning, optional
    conditioned_rows : ndarray, optional
        The same rows after conditioning (their collinearity is reported too).

    Returns
    -------
    dict
        ``token_coverage``, ``coverage``, ``collinearity`` (before and after conditioning),
        ``conditioning`` (its description) and ``warnings`` (list of str).
    """
    warnings: list[str] = []
    token_coverage = float(coverage.get("token_coverage", 0.0))
    before = collinearity(rows)
    after = collinearity(conditioned_rows) if conditioned_rows is not None else None
    if token_coverage < COVERAGE_WARNING:
        warnings.append(
            f"the pretrained vectors cover only {token_coverage:.1%} of the training tokens "
            f"(below {COVERAGE_WARNING:.0%}); the other "
            "words start from random rows: check that the vectors' tokenizer and casing match"
        )
    if len(rows) > 1 and before >= COLLINEARITY_WARNING:
        fix = (
            f" (conditioning {conditioning.method!r} brings it to {after:.2f})"
            if conditioning is not None and conditioning.method != "none" and after is not None
            else "; --conditioning standardize or abtt removes the common direction"
        )
        warnings.append(
            f"the pretrained rows are nearly collinear: mean-vector norm / mean row norm = {before:.2f}"
            f"{fix}; vectors trained on a small corpus often look like this"
        )
    for message in warnings:
        logger.warning(message)
    return {
        "token_coverage": round(token_coverage, 4),
        "coverage": round(float(coverage.get("coverage", 0.0)), 4),
        "collinearity": round(before, 4),
        "collinearity_conditioned": None if after is None else round(after, 4),
        "conditioning": conditioning.describe() if conditioning is not None else {"method": "none"},
        "warnings": warnings,
    }


def condition_rows(
    matrix: np.ndarray,
    found: np.ndarray,
    method: str,
    *,
    components: int = 2,
    trainable: np.ndarray | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, Conditioning | None]:
    """A copy of an embedding ``matrix`` whose pretrained rows are conditioned.

    Parameters
    ----------
    matrix : ndarray of shape (n_words, dim)
        From :func:`~nlptk.classify.embeddings.match_embeddings_masked`.
    found : bool ndarray of shape (n_words,)
        The rows that came from the vectors; the conditioning is fitted on them.
    method : {"auto", "none", "center", "standardize", "abtt"}
        ``"auto"``: ``"standardize"`` when the found rows are nearly collinear
        (:func:`collinearity` >= ``COLLINEARITY_WARNING``), else ``"none"``.
    components : int, default=2
        ``"abtt"``: principal components removed.
    trainable : bool ndarray, optional
        Rows that are random stand-ins (words the vectors lack, ``<unk>``): they are drawn
        again around the conditioned rows (their mean, half their per-dimension deviation),
        so they live on the same scale.
    seed : int, default=0

    Returns
    -------
    matrix : ndarray, float32
        A conditioned copy.
    conditioning : Conditioning or None
        ``None`` when ``method`` is ``"none"`` or no row was found (nothing to fit on).
    """
    chosen_by = None
    if method == "auto":
        # measured (scripts/bench/classify.py, issue 11): standardising helped nearly collinear
        # vectors and did not help well-spread ones, so only the former are standardised
        score = collinearity(matrix[found]) if int(found.sum()) > 1 else 0.0
        method = "standardize" if score >= COLLINEARITY_WARNING else "none"
        chosen_by = f"auto (collinearity {score:.2f}, threshold {COLLINEARITY_WARNING})"
        logger.info("conditioning %s: %s", chosen_by, method)
    if method == "none":
        return matrix, None
    if not found.any():
        logger.warning("no pretrained row to fit the %r conditioning on: rows left as they are", method)
        return matrix, None
    conditioning = fit_conditioning(matrix[found], method, components=components)
    if chosen_by is not None:
        conditioning.details["chosen_by"] = chosen_by
    out = matrix.astype(np.float32, copy=True)
    out[found] = conditioning.transform(matrix[found])
    if trainable is not None and trainable.any():
        rows = out[found]
        rng = np.random.default_rng(seed)
        spread = 0.5 * rows.std(axis=0) if len(rows) > 1 else np.full(out.shape[1], 0.05, np.float32)
        spread = np.where(spread > 0, spread, 0.05)
        noise = rng.normal(size=(int(trainable.sum()), out.shape[1])).astype(np.float32)
        out[trainable] = rows.mean(axis=0) + noise * spread.astype(np.float32)
    return out, conditioning


def summary_lines(info: dict[str, Any]) -> list[str]:
    """The lines a training summary shows about the pretrained rows (from a classifier's ``info``).

    Examples
    --------
    >>> summary_lines({"embeddings": {"pretrained": False}})
    []
    """
    embeddings = info.get("embeddings") or {}
    coverage = embeddings.get("coverage")
    if not embeddings.get("pretrained") or not coverage:
        return []
    lines = [
        f"vectors cover {coverage['coverage']:.1%} of the vocabulary "
        f"({coverage['token_coverage']:.1%} of training tokens)"
    ]
    diagnostics = embeddings.get("diagnostics") or {}
    if diagnostics:
        method = (diagnostics.get("conditioning") or {}).get("method", "none")
        after = diagnostics.get("collinearity_conditioned")
        collinear = f"collinearity {diagnostics['collinearity']:.2f}" + (
            f" -> {after:.2f}" if after is not None and method != "none" else ""
        )
        lines.append(f"conditioning: {method} ({collinear})")
    training = info.get("training") or {}
    if training.get("freeze_rows"):
        frozen = training.get("frozen_steps")
        lines.append(
            f"frozen stage held {training['freeze_rows']} rows"
            + (f" for {frozen} steps" if frozen else "")
            + f"; {training.get('steps_per_epoch')} steps per epoch"
            + (f" ({training['epoch_repeats']} passes)" if training.get("epoch_repeats", 1) > 1 else "")
        )
    lines.extend(f"warning: {w}" for w in diagnostics.get("warnings", []))
    return lines


def extend_embeddings(
    model: Any,
    vocab: Vocabulary,
    vectors: Vectors,
    conditioning: Conditioning | None,
    words: Sequence[str] | None = None,
) -> tuple[Vocabulary, int]:
    """Give a trained model rows for words its training texts lacked, from pretrained ``vectors``.

    The new rows go through the same ``conditioning`` as the training rows (the model never
    saw raw rows), and are built from subwords where the vectors have them. A wide n-gram
    term gets zero rows for the new words (it has learned nothing about them).

    Parameters
    ----------
    model : RNNClassifierNet
        Changed in place: its embedding layer (and wide term) grow.
    vocab : Vocabulary
    vectors : Vectors
        Of the model's embedding dimension.
    conditioning : Conditioning, optional
    words : sequence of str, optional
        The words to add (those the vectors can give); default: every word of ``vectors``.

    Returns
    -------
    vocab : Vocabulary
        The extended vocabulary (the old ids unchanged).
    added : int
    """
    import torch
    from torch import nn

    from nlptk.classify.data import PAD_ID
    from nlptk.errors import DataError

    dim = model.embedding.embedding_dim
    if vectors.dim != dim:
        raise DataError(
            f"the vectors have {vectors.dim} dimensions but the model's embedding layer has {dim}",
            hint="give the vectors the model was trained from",
        )
    candidates = vectors.words if words is None else list(dict.fromkeys(words))
    new_words, rows = [], []
    for word in candidates:
        if word in vocab:
            continue
        try:
            rows.append(np.asarray(vectors.get_vector(word), dtype=np.float32))
        except KeyError:
            continue
        new_words.append(word)
    if not new_words:
        return vocab, 0
    block = np.stack(rows)
    if conditioning is not None:
        block = conditioning.transform(block)
    old = model.embedding.weight.detach()
    embedding = nn.Embedding(len(vocab) + len(new_words), dim, padding_idx=PAD_ID).to(old.device)
    with torch.no_grad():
        embedding.weight.copy_(torch.cat([old, torch.from_numpy(block).to(old)]))
    model.embedding = embedding
    wide = getattr(model, "wide", None)
    if wide is not None:
        weight = wide.weight.detach()
        grown = torch.cat(
            [
                weight[: wide.vocab_size],
                weight.new_zeros(len(new_words), weight.shape[1]),
                weight[wide.vocab_size :],
            ]
        )
        wide.weight = nn.Parameter(grown)
        wide.vocab_size += len(new_words)
    n_special = len(vocab.specials)
    extended = Vocabulary(
        vocab.words[n_special:] + new_words,
        np.concatenate([vocab.counts[n_special:], np.zeros(len(new_words), np.int64)]),
        specials=vocab.specials,
    )
    logger.info("added %d words from the vectors (conditioned: %s)", len(new_words), conditioning is not None)
    return extended, len(new_words)
