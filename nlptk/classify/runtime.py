"""Where and how reproducibly training runs: device choice, seeding, RNG state capture.

``device="auto"`` resolves to CUDA, then Apple's MPS, then the CPU. :func:`seed_everything`
seeds Python's ``random``, NumPy and torch (all devices), as Lightning's ``seed_everything``
does; :func:`get_rng_state` / :func:`set_rng_state` capture and restore all of them so a
resumed run continues exactly where an interrupted one stopped.
"""

from __future__ import annotations

import logging
import random
from typing import Any

import numpy as np
import torch

from nlptk.devices import resolve_device

__all__ = ["get_rng_state", "resolve_device", "seed_everything", "set_rng_state"]

logger = logging.getLogger(__name__)


def seed_everything(seed: int) -> None:
    """Seed ``random``, NumPy's global generator and torch (CPU and every CUDA device).

    Examples
    --------
    >>> seed_everything(1); a = torch.rand(1)
    >>> seed_everything(1); bool(torch.equal(a, torch.rand(1)))
    True
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device


def get_rng_state() -> dict[str, Any]:
    """All random generators' states, as tensors and plain Python values (``weights_only``-safe)."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": (
            kind,
            torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            int(pos),
            int(has_gauss),
            float(cached),
        ),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`get_rng_state` captured."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        try:
            torch.cuda.set_rng_state_all(state["cuda"])
        except (RuntimeError, IndexError):  # resumed on a machine with fewer GPUs
            logger.warning("could not restore the CUDA random state; results may differ slightly")
