"""Topic models beside LSA: LDA on gensim, topic coherence for LSA and LDA, the topics figure.

>>> import nlptk
>>> lda = nlptk.LDA(n_topics=20, passes=10).fit(documents)               # doctest: +SKIP
>>> nlptk.topics.topic_coherence(lda, "tokens.txt", measure="c_v")       # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module that defines it, imported on first use: the command line reads
# LDAConfig (nlptk.topics.config) without loading gensim or scikit-learn through LDA
_LAZY = {
    "LDA": "nlptk.topics.lda",
    "CoherenceResult": "nlptk.topics.coherence",
    "DocumentMatch": "nlptk.topics.lda",
    "LDAConfig": "nlptk.topics.config",
    "coherence_for_folder": "nlptk.topics.coherence",
    "is_lda_model": "nlptk.topics.persist",
    "load_lda": "nlptk.topics.persist",
    "load_topic_model": "nlptk.topics.persist",
    "plot_topics": "nlptk.topics.figure",
    "topic_coherence": "nlptk.topics.coherence",
    "train_lda": "nlptk.topics.train",
}

__all__ = [
    "LDA",
    "CoherenceResult",
    "DocumentMatch",
    "LDAConfig",
    "coherence_for_folder",
    "is_lda_model",
    "load_lda",
    "load_topic_model",
    "plot_topics",
    "topic_coherence",
    "train_lda",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if not name.startswith("_"):  # a submodule, as when this package imported them all
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError:
            pass
    raise AttributeError(f"module 'nlptk.topics' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
