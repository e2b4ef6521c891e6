"""Train word embeddings: word2vec, fastText, GloVe and LSA behind one entry point.

>>> import nlptk.embed
>>> vectors = nlptk.embed.train("lee_background", "word2vec", out="lee-w2v")  # doctest: +SKIP
"""

from __future__ import annotations

from nlptk.embed.pipeline import FORMAT_FILES, METHOD_PARAMETERS, METHODS, train

__all__ = ["FORMAT_FILES", "METHODS", "METHOD_PARAMETERS", "train"]
