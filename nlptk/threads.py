"""CPU threading defaults that hold up when other processes compete for the cores.

PyTorch runs its CPU operations on an OpenMP thread pool (GNU libgomp in the Linux wheels).
Between parallel regions libgomp's threads *spin* for a while before they sleep
(``OMP_WAIT_POLICY=ACTIVE`` behaviour). On a quiet machine that saves a few microseconds
per region; on a busy one the spinning threads take the cores from the threads that have
work, including each other, and every region waits for its slowest thread: on a 2-core
machine beside one CPU-bound process, classifier epochs of identical work took from 2.4 s
to 38 s (issue 13). Two defaults fix that, and neither overrides what the user chose:

* ``OMP_WAIT_POLICY=PASSIVE`` (waiting threads sleep) is put in the environment when
  :mod:`nlptk` is imported, unless the variable is already set. libgomp reads it once, when
  it is loaded, so it takes effect when nlptk is imported before torch (the command line
  always is); :func:`wait_policy` tells what the running process got.
* The number of threads: ``--threads N`` (``nlptk --threads 1 classify train ...``) calls
  :func:`set_threads`. Without it, the ``classify`` and ``lm`` commands use
  :func:`default_threads`: half the cores this process may run on, at least one, and never
  more than torch's own default; ``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` keep precedence. A
  parallel region waits for its slowest thread, so a thread that shares its core with another
  process slows every operation: leaving half the cores free keeps the pool on cores of its
  own. On 2 cores (``scripts/bench/threads.py``, quiet and beside one CPU-bound process) one
  PASSIVE thread was as fast as two spinning ones when quiet for a small GRU (1.04 s against
  0.94 s per epoch) and 3.6x faster beside the competitor (1.08 s against 3.92 s); for a
  512-unit GRU two spinning threads were 1.23x faster quiet but 2.7x slower busy. The
  library leaves torch's thread count alone: call :func:`set_threads` (or
  ``torch.set_num_threads``) there.
"""

from __future__ import annotations

import os

from nlptk.errors import ParameterError

__all__ = [
    "WAIT_POLICY_ENV",
    "default_threads",
    "set_threads",
    "set_wait_policy_default",
    "threads_set_by_user",
    "wait_policy",
]

WAIT_POLICY_ENV = "OMP_WAIT_POLICY"
_AT_IMPORT: dict[str, object] = {}


def set_wait_policy_default() -> None:
    """Put ``OMP_WAIT_POLICY=PASSIVE`` in the environment unless it is set already.

    Called when :mod:`nlptk` is imported. It only matters before torch is first imported
    (libgomp reads it when it loads); a value the user set is never changed.
    """
    import sys

    _AT_IMPORT["user_value"] = os.environ.get(WAIT_POLICY_ENV)
    _AT_IMPORT["torch_loaded"] = "torch" in sys.modules
    os.environ.setdefault(WAIT_POLICY_ENV, "PASSIVE")


def wait_policy() -> str:
    """The OpenMP wait policy of this process as nlptk knows it.

    The user's ``OMP_WAIT_POLICY`` when they set one; ``"PASSIVE"`` when nlptk set it before
    torch was loaded; ``"default"`` when torch was loaded first (libgomp then spins for a
    while before it sleeps).
    """
    if _AT_IMPORT.get("user_value"):
        return str(_AT_IMPORT["user_value"]).upper()
    if _AT_IMPORT.get("torch_loaded", True):
        return "default"
    return "PASSIVE"


def set_threads(threads: int | None) -> int:
    """Use ``threads`` CPU threads for torch's operations; return the number in use.

    ``None`` keeps the current setting (torch's default, ``OMP_NUM_THREADS``, or what the
    program chose). Raises :class:`~nlptk.errors.ParameterError` for a number below 1.
    """
    import torch

    if threads is not None:
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ParameterError(f"threads must be a positive integer, got {threads!r}")
        torch.set_num_threads(threads)
    return torch.get_num_threads()


#: Environment variables through which a user chooses the thread count themselves.
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


def threads_set_by_user() -> bool:
    """True when ``OMP_NUM_THREADS`` or ``MKL_NUM_THREADS`` is set (nlptk then chooses nothing)."""
    return any(os.environ.get(name) for name in THREAD_ENV)


def default_threads(cores: int | None = None) -> int:
    """The command line's default number of torch CPU threads for training and prediction.

    Half of ``cores`` (default: the cores this process may run on), at least one, and no more
    than torch's current setting (its count of physical cores unless changed). The module
    docstring gives the measurements behind it.
    """
    import torch

    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(torch.get_num_threads(), cores // 2))
