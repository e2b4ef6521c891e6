"""Progress reporting from the library to whoever listens (the command line renders it with rich).

Trainers accept ``progress: ProgressCallback | None``; they call it with a
:class:`ProgressEvent` at the start of a phase, after each step (epoch, chunk, batch) and
at the end. The library itself never prints; it also logs a line per epoch at INFO level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["ProgressCallback", "ProgressEvent", "report"]


@dataclass(frozen=True)
class ProgressEvent:
    """One progress report.

    Attributes
    ----------
    phase : str
        What is running: ``"tokenize"``, ``"count"``, ``"train"``, ``"lr_find"``...
    kind : {"start", "step", "end"}
        Start of the phase, one step done, or the phase finished.
    step : int
        Steps done so far (epochs, chunks or batches).
    total : int or None
        Steps in the phase, when known.
    metrics : dict
        Numbers to show with the step: ``loss``, ``words_per_s``, ``val_accuracy``...
    """

    phase: str
    kind: Literal["start", "step", "end"]
    step: int = 0
    total: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)


ProgressCallback = Callable[[ProgressEvent], None]


def report(
    callback: ProgressCallback | None,
    phase: str,
    kind: Literal["start", "step", "end"],
    step: int = 0,
    total: int | None = None,
    **metrics: Any,
) -> None:
    """Send an event to ``callback`` when there is one (a no-op otherwise)."""
    if callback is not None:
        callback(ProgressEvent(phase, kind, step, total, metrics))
