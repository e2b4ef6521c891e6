"""Export: TensorFlow Embedding Projector files and plots."""

from __future__ import annotations

from nlptk.export.plots import plot_confusion_matrix, plot_embedding, plot_history, plot_lr_finder

__all__ = ["plot_confusion_matrix", "plot_embedding", "plot_history", "plot_lr_finder"]
