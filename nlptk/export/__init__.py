"""Export: TensorFlow Embedding Projector files and plots.

* :func:`export_projector` - word vectors (and metadata columns) as Projector files;
* :func:`export_documents` - any points with metadata (LSA documents, a classifier's
  sentence representations);
* :func:`plot_vectors` / :func:`plot_embedding` - labelled 2-D PCA / t-SNE scatter plots;
* :func:`plot_confusion_matrix`, :func:`plot_lr_finder`, :func:`plot_history` - training plots.
"""

from __future__ import annotations

from nlptk.export.plots import (
    plot_confusion_matrix,
    plot_embedding,
    plot_history,
    plot_lr_finder,
    plot_vectors,
)
from nlptk.export.projector import export_documents, export_lsa_documents, export_projector

__all__ = [
    "export_documents",
    "export_lsa_documents",
    "export_projector",
    "plot_confusion_matrix",
    "plot_embedding",
    "plot_history",
    "plot_lr_finder",
    "plot_vectors",
]
