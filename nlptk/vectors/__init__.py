"""Word vectors: the :class:`Vectors` container, every file format, evaluation."""

from nlptk.vectors.container import Vectors

__all__ = ["Vectors"]
