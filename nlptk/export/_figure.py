"""Shared figure plumbing: matplotlib's Agg backend and atomic figure files."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlptk.errors import ParameterError
from nlptk.io import atomic_write

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["pyplot", "save_figure"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Figure, path: PathLike, *, force: bool, dpi: int = 150) -> Path:
    """Write ``fig`` to ``path`` atomically (format from the suffix) and close it."""
    plt = pyplot()
    target = Path(path)
    fmt = target.suffix.lstrip(".").lower() or "png"
    supported = fig.canvas.get_supported_filetypes()
    try:
        if fmt not in supported:
            raise ParameterError(
                f"cannot write a figure as {fmt!r} ({target.name})",
                hint=f"use one of {', '.join(sorted(supported))}",
            )
        with atomic_write(target, "wb", force=force) as handle:
            fig.savefig(handle, format=fmt, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    logger.info("wrote %s", target)
    return target
