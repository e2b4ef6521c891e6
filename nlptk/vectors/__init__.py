"""Word vectors: the :class:`Vectors` container, every file format, evaluation."""

from nlptk.vectors.container import Vectors
from nlptk.vectors.evaluate import evaluate_analogies, evaluate_pairs, evaluate_vectors
from nlptk.vectors.formats import FORMATS, detect_format, load_vectors, save_vectors

__all__ = [
    "FORMATS",
    "Vectors",
    "detect_format",
    "evaluate_analogies",
    "evaluate_pairs",
    "evaluate_vectors",
    "load_vectors",
    "save_vectors",
]
