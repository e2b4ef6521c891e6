"""Train word embeddings: word2vec, fastText, GloVe and LSA behind one entry point.

>>> import nlptk
>>> vectors = nlptk.train_embeddings("lee_background", "word2vec", out="lee-w2v")  # doctest: +SKIP
"""

from __future__ import annotations

from nlptk._deprecated import renamed_names
from nlptk.embed.pipeline import FORMAT_FILES, METHOD_PARAMETERS, METHODS, train_embeddings

__all__ = ["FORMAT_FILES", "METHODS", "METHOD_PARAMETERS", "train_embeddings"]

# nlptk.embed.train was the entry point's name until 0.2 (a function beside modules and
# functions elsewhere called train): it keeps working, with a DeprecationWarning
__getattr__ = renamed_names(__name__, {"train": "nlptk.embed.pipeline.train_embeddings"})
