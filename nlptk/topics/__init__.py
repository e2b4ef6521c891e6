"""Topic models beside LSA: LDA on gensim, topic coherence for LSA and LDA, topic figures."""

from __future__ import annotations

from nlptk.topics.lda import LDA, LDAConfig
from nlptk.topics.persist import is_lda_model, load_topic_model
from nlptk.topics.train import train_lda

__all__ = ["LDA", "LDAConfig", "is_lda_model", "load_topic_model", "train_lda"]
