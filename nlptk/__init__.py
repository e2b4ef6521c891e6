"""nlptk: word embeddings and recurrent text classifiers.

Train or load embeddings, measure and explore them, use them in spaCy, start text
classifiers from them, and look at them in the TensorFlow Embedding Projector.

>>> import nlptk
>>> vectors = nlptk.load_vectors("vectors.txt")          # doctest: +SKIP
>>> vectors.most_similar("king", topn=5)                 # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from nlptk.errors import NlptkError
from nlptk.vectors.container import Vectors

__all__ = ["NlptkError", "Vectors", "__version__"]
