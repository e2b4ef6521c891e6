"""Topic models beside LSA: LDA on gensim, topic coherence for LSA and LDA, the topics figure.

>>> import nlptk
>>> lda = nlptk.LDA(n_topics=20, passes=10).fit(documents)               # doctest: +SKIP
>>> nlptk.topics.topic_coherence(lda, "tokens.txt", measure="c_v")       # doctest: +SKIP
"""

from __future__ import annotations

from nlptk.topics.coherence import CoherenceResult, coherence_for_folder, topic_coherence
from nlptk.topics.figure import plot_topics
from nlptk.topics.lda import LDA, DocumentMatch, LDAConfig
from nlptk.topics.persist import is_lda_model, load_lda, load_topic_model
from nlptk.topics.train import train_lda

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
