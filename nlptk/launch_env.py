"""What the launcher's environment says about this process, read without importing torch.

``torchrun`` (and Slurm's ``srun``, or a Kubernetes job) tells each process that it is one
rank of many through ``WORLD_SIZE`` and ``RANK``. Commands that may run on one process only
(``embed train`` with word2vec or fastText) read them here, so that a one-process run never
pays for loading torch; :mod:`nlptk.distributed` builds the process group on top of them.
"""

from __future__ import annotations

import os

from nlptk.errors import ParameterError

__all__ = ["LAUNCH_HINT", "env_rank", "env_world_size"]

#: How to launch a distributed run (the hint of every launch error).
LAUNCH_HINT = (
    "launch with `torchrun --nproc-per-node N -m nlptk ...` (it sets WORLD_SIZE, RANK, LOCAL_RANK, "
    "MASTER_ADDR and MASTER_PORT); by hand, set all five on every process"
)


def env_world_size() -> int:
    """``WORLD_SIZE`` from the environment (1 when unset): how many ranks the launcher started.

    Raises
    ------
    ParameterError
        ``WORLD_SIZE`` is not a positive integer.

    Examples
    --------
    >>> import os
    >>> env_world_size() if "WORLD_SIZE" not in os.environ else 1
    1
    """
    raw = os.environ.get("WORLD_SIZE", "").strip()
    if not raw:
        return 1
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ParameterError(f"WORLD_SIZE={raw!r} must be a positive integer", hint=LAUNCH_HINT)
    return value


def env_rank() -> int:
    """``RANK`` from the environment (0 when unset): the command line shows results on rank 0 only."""
    try:
        return int(os.environ.get("RANK", "0").strip() or 0)
    except ValueError:
        return 0
