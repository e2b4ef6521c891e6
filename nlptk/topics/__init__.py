"""Topic models beside LSA: LDA on gensim, topic coherence for LSA and LDA, the topics figure.

>>> import nlptk
>>> lda = nlptk.LDA(n_topics=20, passes=10).fit(documents)               # doctest: +SKIP
>>> nlptk.topics.topic_coherence(lda, "tokens.txt", measure="c_v")       # doctest: +SKIP
"""

from __future__ import annotations

from nlptk._lazy import lazy_getattr

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


# names imported on first use (nlptk._lazy); the submodules stay reachable as attributes
__getattr__ = lazy_getattr(
    __name__, _LAZY, subpackages=("coherence", "config", "figure", "lda", "persist", "train")
)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
