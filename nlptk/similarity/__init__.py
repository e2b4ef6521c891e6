"""spaCy similarity with any nlptk vectors, and export as a spaCy pipeline.

>>> from nlptk.similarity import use_vectors, similarity      # doctest: +SKIP
>>> nlp = use_vectors(vectors, "en", oov="skip")              # doctest: +SKIP
>>> nlp("the cat sat").similarity(nlp("a dog lay"))           # doctest: +SKIP
>>> similarity("the cat sat", "a dog lay", nlp)               # doctest: +SKIP
SimilarityResult(score=0.83, coverage_a=1.0, coverage_b=0.67, reason=None)
"""

from __future__ import annotations

from nlptk.similarity.bridge import get_component, load_pipeline, use_vectors
from nlptk.similarity.component import OOV_POLICIES, NoVectorWarning, TextVector, VectorsComponent
from nlptk.similarity.export import SpacyExport, export_spacy
from nlptk.similarity.heatmap import plot_similarity_heatmap
from nlptk.similarity.scoring import (
    SimilarityMatrix,
    SimilarityResult,
    TextPair,
    most_similar_words,
    read_pairs,
    read_texts,
    score_pairs,
    similarity,
    similarity_matrix,
    write_matrix_csv,
    write_pairs_csv,
)

__all__ = [
    "OOV_POLICIES",
    "NoVectorWarning",
    "SimilarityMatrix",
    "SimilarityResult",
    "SpacyExport",
    "TextPair",
    "TextVector",
    "VectorsComponent",
    "export_spacy",
    "get_component",
    "load_pipeline",
    "most_similar_words",
    "plot_similarity_heatmap",
    "read_pairs",
    "read_texts",
    "score_pairs",
    "similarity",
    "similarity_matrix",
    "use_vectors",
    "write_matrix_csv",
    "write_pairs_csv",
]
