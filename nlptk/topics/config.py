"""The settings of an LDA model, declared once (:class:`LDAConfig`).

A module of its own, without gensim or scikit-learn, so that the command line builds its
options from the declaration without loading either. :mod:`nlptk.topics.lda` re-exports it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from nlptk.params import Params, documented, param, param_error

__all__ = ["LDAConfig"]

_ALPHA_NAMES = ("symmetric", "asymmetric", "auto")
_ETA_NAMES = ("symmetric", "auto")


def _prior_from_text(value: Any) -> Any:
    """``"0.1,0.2"`` (the command line's form of a list) -> ``(0.1, 0.2)``; anything else as is."""
    if isinstance(value, str) and "," in value:
        try:
            return tuple(float(item) for item in value.split(",") if item.strip())
        except ValueError:
            return value  # reported by check() with the allowed forms
    return value


@documented
@dataclass(frozen=True)
class LDAConfig(Params):
    """The settings of an :class:`~nlptk.topics.lda.LDA` model (each field's help is its documentation).

    ``alpha`` and ``eta`` take gensim's forms: a name, one number for every topic (word), or
    a sequence of numbers, one per topic (alpha) or per vocabulary word (eta; its length is
    checked once the vocabulary is known).
    """

    n_topics: int = param(100, help="Number of topics.", min=1, flag="--topics")
    passes: int = param(1, help="Passes over the corpus.", min=1)
    iterations: int = param(50, help="Most inference iterations per document and chunk.", min=1)
    chunksize: int = param(2000, help="Documents per training chunk.", min=1)
    alpha: str | float | tuple[float, ...] = param(
        "symmetric",
        help="Document-topic prior: symmetric, asymmetric, auto (learned, one process), "
        "a number, or one number per topic (comma-separated).",
    )
    eta: str | float | tuple[float, ...] = param(
        "symmetric", help="Topic-word prior: symmetric, auto (learned), a number, or one number per word."
    )
    decay: float = param(0.5, help="Online learning rate decay (kappa, in 0.5..1).", min=0.5, max=1.0)
    offset: float = param(1.0, help="Online learning rate offset (tau0).", min=0.0)
    no_below: int = param(5, help="Drop words found in fewer documents than this.", min=1)
    no_above: float = param(
        0.5,
        help="Drop words found in more than this share of documents.",
        min=0.0,
        max=1.0,
        min_exclusive=True,
    )
    keep_n: int | None = param(100_000, help="Then keep only this many most frequent words.", min=1)
    workers: int | None = param(
        None,
        help="E-step worker processes (default: cores - 1); 1 trains in one process (reproducible).",
        min=1,
    )
    seed: int = param(0, help="Random seed.")
    eval_documents: int = param(
        500,
        help="Training documents sampled for the per-pass perplexity, at most a 50th of them (0: none).",
        min=0,
    )
    snippet_chars: int = param(200, help="Length of the document snippets kept.", min=1, cli=False)

    def __post_init__(self) -> None:
        for name in ("alpha", "eta"):
            object.__setattr__(self, name, _prior_from_text(getattr(self, name)))
        super().__post_init__()

    def check(self) -> None:
        for name, names in (("alpha", _ALPHA_NAMES), ("eta", _ETA_NAMES)):
            value = getattr(self, name)
            if isinstance(value, str) and value not in names:
                raise param_error(
                    name, value, f"is not one of {', '.join(names)}, a number or a comma-separated list"
                )
            numbers = value if isinstance(value, tuple) else (value,) if isinstance(value, float) else ()
            if any(v <= 0 for v in numbers):
                raise param_error(name, value, "must be > 0 (Dirichlet priors are positive)")
            if isinstance(value, tuple) and not value:
                raise param_error(name, value, "is an empty list")
        if isinstance(self.alpha, tuple) and len(self.alpha) != self.n_topics:
            raise param_error(
                "alpha",
                self.alpha,
                f"has {len(self.alpha)} values but n_topics is {self.n_topics}",
                hint="give one value per topic, or one number for all",
            )

    @property
    def single_process(self) -> bool:
        """True when gensim's ``LdaModel`` trains in this process (one worker, or alpha='auto')."""
        return self.alpha == "auto" or self._workers() == 1

    def _workers(self) -> int:
        return self.workers if self.workers is not None else max(1, (os.cpu_count() or 1) - 1)
