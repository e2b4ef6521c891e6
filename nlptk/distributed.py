"""Running nlptk's PyTorch trainers on several processes: ``torchrun`` and ``torch.distributed``.

Nothing here is a new launcher: a user starts nlptk with ``torchrun`` (or Slurm's ``srun``, or
a Kubernetes job) exactly as any PyTorch program, and the trainers find out from the
environment variables the launcher sets (``WORLD_SIZE``, ``RANK``, ``LOCAL_RANK``,
``MASTER_ADDR``, ``MASTER_PORT``) that they are one rank of many.

* :func:`env_world_size` and :func:`env_rank` (from :mod:`nlptk.launch_env`, which does not
  load torch) read what the launcher set.
* :func:`init_distributed` joins the process group once per process (NCCL when training on
  CUDA, gloo on the CPU), with a timeout (``NLPTK_DIST_TIMEOUT`` seconds, default 600) so that
  a rank that dies makes the others stop instead of waiting for ever. Without ``WORLD_SIZE``
  (or with ``WORLD_SIZE=1``) it returns the single-process context, and every helper below is
  then a no-op: a single-process run takes exactly the path it took before.
* :class:`DistContext` carries the rank, the world size and the device, and the few
  collectives the trainers need: wrap a model in ``DistributedDataParallel``, sum a tensor,
  gather arrays, broadcast rank 0's decision, compare checksums.
* :func:`check_same` compares a checksum of what each rank read (data, vectors): ranks that
  disagree would otherwise train a model that is silently wrong.
* :func:`collective_errors` turns a broken collective (a rank died, a timeout) into one clear
  :class:`~nlptk.errors.DistributedError`.

Examples
--------
>>> ctx = init_distributed("cpu")    # WORLD_SIZE not set: one process
>>> ctx.active, ctx.rank, ctx.world_size, ctx.is_main
(False, 0, 1, True)
>>> ctx.broadcast_flag(True)
True
"""

from __future__ import annotations

import atexit
import datetime
import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from nlptk.errors import DataError, DistributedError, NlptkError, ParameterError
from nlptk.launch_env import LAUNCH_HINT, env_rank, env_world_size

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "DistContext",
    "check_same",
    "collective_errors",
    "digest",
    "env_rank",
    "env_world_size",
    "init_distributed",
    "ranks_summary",
    "refuse_distributed",
]

logger = logging.getLogger(__name__)

#: Seconds a collective waits for the other ranks before the job stops (``NLPTK_DIST_TIMEOUT``).
DEFAULT_TIMEOUT_S = 600.0


def _env_int(name: str, world_size: int, default: int | None = None) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        if default is not None:
            return default
        raise ParameterError(
            f"WORLD_SIZE={world_size} asks for a distributed run, but {name} is not set", hint=LAUNCH_HINT
        )
    try:
        value = int(raw)
    except ValueError:
        raise ParameterError(f"{name}={raw!r} must be an integer", hint=LAUNCH_HINT) from None
    if not 0 <= value < world_size:
        raise ParameterError(f"{name}={value} is outside 0..{world_size - 1} (WORLD_SIZE={world_size})")
    return value


def _timeout_s(timeout_s: float | None) -> float:
    if timeout_s is not None:
        value = float(timeout_s)
    else:
        raw = os.environ.get("NLPTK_DIST_TIMEOUT", "").strip()
        try:
            value = float(raw) if raw else DEFAULT_TIMEOUT_S
        except ValueError:
            raise ParameterError(f"NLPTK_DIST_TIMEOUT={raw!r} must be a number of seconds") from None
    if not value > 0:
        raise ParameterError(f"the distributed timeout must be > 0 seconds, got {value}")
    return value


def refuse_distributed(what: str, hint: str) -> None:
    """Raise :class:`~nlptk.errors.ParameterError` when launched on several ranks.

    For the steps that make no sense distributed (the lr finder: one process, a few hundred
    steps). Checks the environment only, so it fails before any rendezvous.
    """
    world = env_world_size()
    if world > 1:
        raise ParameterError(f"{what} runs in one process, but it was launched on {world} ranks", hint=hint)


def digest(*parts: Any) -> str:
    """A SHA-256 hex digest of strings, bytes, NumPy arrays, tensors and (nested) lists of them.

    Examples
    --------
    >>> digest(["a", "b"], np.arange(3)) == digest(["a", "b"], np.arange(3))
    True
    >>> digest(["a", "b"]) == digest(["ab"])
    False
    """
    sha = hashlib.sha256()

    def feed(part: Any) -> None:
        if isinstance(part, torch.Tensor):
            part = part.detach().cpu().contiguous().numpy()
        if isinstance(part, np.ndarray):
            sha.update(f"{part.dtype.str}{part.shape}".encode())
            sha.update(np.ascontiguousarray(part).tobytes())
        elif isinstance(part, bytes):
            sha.update(len(part).to_bytes(8, "little") + part)
        elif isinstance(part, str):
            feed(part.encode("utf-8"))
        elif isinstance(part, (list, tuple)):
            sha.update(b"[%d]" % len(part))
            for item in part:
                feed(item)
        else:
            feed(repr(part))

    for part in parts:
        feed(part)
    return sha.hexdigest()


@dataclass(frozen=True)
class DistContext:
    """Where this process stands in a (possibly one-process) job, and the collectives it uses.

    Every method is a no-op (or the identity) when ``world_size == 1``.

    Attributes
    ----------
    rank, world_size, local_rank : int
    device : torch.device
        This rank's device (``cuda:LOCAL_RANK`` on GPUs).
    backend : str or None
        ``"nccl"`` or ``"gloo"``; None in a single process.
    timeout_s : float
        How long a collective waits for the other ranks.
    """

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    backend: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def active(self) -> bool:
        """True when there are several ranks."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """True on rank 0, the one that writes files and shows progress."""
        return self.rank == 0

    def wrap(self, model: nn.Module, *, find_unused_parameters: bool = False) -> nn.Module:
        """``DistributedDataParallel(model)`` over the parameters that require gradients now.

        DDP fixes the set of synchronised parameters when it is built, so a trainer that
        freezes or unfreezes layers wraps again at the start of each stage (cheap: it
        broadcasts rank 0's weights, which every rank already has). Returns ``model`` itself
        in a single process.
        """
        if not self.active:
            return model
        from torch.nn.parallel import DistributedDataParallel

        device_ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(
            model, device_ids=device_ids, find_unused_parameters=find_unused_parameters
        )

    def sum_(self, tensor: torch.Tensor) -> torch.Tensor:
        """Sum ``tensor`` over the ranks, in place; returns it."""
        if self.active:
            dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        return tensor

    def broadcast_flag(self, value: bool) -> bool:
        """Rank 0's ``value`` on every rank (a decision taken once: stop early, say)."""
        if not self.active:
            return bool(value)
        flag = torch.tensor([1 if value else 0], dtype=torch.int32, device=self._comm_device)
        dist.broadcast(flag, src=0)
        return bool(flag.item())

    def broadcast_object(self, obj: Any) -> Any:
        """Rank 0's picklable ``obj`` on every rank."""
        if not self.active:
            return obj
        box = [obj]
        dist.broadcast_object_list(box, src=0, device=self._comm_device)
        return box[0]

    def all_gather_object(self, obj: Any) -> list[Any]:
        """Every rank's picklable ``obj``, in rank order."""
        if not self.active:
            return [obj]
        out: list[Any] = [None] * self.world_size
        dist.all_gather_object(out, obj)
        return out

    def gather_arrays(self, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
        """Concatenate each array over the ranks (rank order), on every rank."""
        if not self.active:
            return arrays
        gathered = self.all_gather_object(arrays)
        return tuple(np.concatenate([g[k] for g in gathered]) for k in range(len(arrays)))

    def gather_object(self, obj: Any, dst: int = 0) -> list[Any] | None:
        """Every rank's picklable ``obj`` on rank ``dst`` (rank order); None on the others."""
        if not self.active:
            return [obj]
        out: list[Any] | None = [None] * self.world_size if self.rank == dst else None
        dist.gather_object(obj, out, dst=dst, group=self.cpu_group())
        return out

    def cpu_group(self) -> Any:
        """A process group for CPU tensors: the default one under gloo, a gloo side group under NCCL.

        Counting (NumPy, on the CPU) exchanges its arrays there, whatever device trains.
        """
        if not self.active or self.backend == "gloo":
            return None
        if "gloo" not in _GROUPS:
            _GROUPS["gloo"] = dist.new_group(backend="gloo")  # every rank calls this at the same point
        return _GROUPS["gloo"]

    def barrier(self) -> None:
        """Wait for every rank."""
        if self.active:
            dist.barrier()

    def seed_rank(self) -> None:
        """Give each rank its own torch random stream (dropout), drawn from the shared one.

        Every rank draws the same number from the common stream (so they stay reproducible)
        and adds its rank. Nothing changes in a single process.
        """
        if not self.active:
            return
        base = int(torch.randint(0, 2**31 - 1, (1,)).item())
        torch.manual_seed(base + self.rank)

    @property
    def _comm_device(self) -> torch.device:
        return self.device if self.backend == "nccl" else torch.device("cpu")


#: The context of a single process.
LOCAL = DistContext()
_GROUPS: dict[str, Any] = {}


def init_distributed(device: torch.device | str = "cpu", *, timeout_s: float | None = None) -> DistContext:
    """Join the job's process group, when the launcher started several ranks.

    Parameters
    ----------
    device : torch.device or str
        The device training asked for. On CUDA each rank takes ``cuda:LOCAL_RANK`` (unless an
        index was given) and the backend is NCCL; on the CPU it is gloo.
    timeout_s : float, optional
        Seconds a rendezvous or collective waits for the others (default
        ``NLPTK_DIST_TIMEOUT`` or :data:`DEFAULT_TIMEOUT_S`).

    Returns
    -------
    DistContext
        The single-process context when ``WORLD_SIZE`` is unset or 1. A process group that
        is already initialised (by the caller) is reused.

    Raises
    ------
    ParameterError
        ``WORLD_SIZE > 1`` but ``RANK``, ``MASTER_ADDR`` or ``MASTER_PORT`` missing or bad;
        Apple MPS (no distributed backend).
    DistributedError
        The rendezvous failed (no rank 0 at ``MASTER_ADDR:MASTER_PORT`` before the timeout).
    """
    device = torch.device(device) if isinstance(device, str) else device
    timeout = _timeout_s(timeout_s)
    if dist.is_available() and dist.is_initialized():
        world, rank = dist.get_world_size(), dist.get_rank()
        local_rank = int(os.environ.get("LOCAL_RANK", rank))
        device = _rank_device(device, local_rank, world)
        return DistContext(rank, world, local_rank, device, dist.get_backend(), timeout)
    world = env_world_size()
    if world == 1:
        return DistContext(device=device, timeout_s=timeout)
    if not dist.is_available():
        raise DistributedError("this PyTorch build has no torch.distributed support")
    rank = _env_int("RANK", world)
    local_rank = _env_int("LOCAL_RANK", world, default=rank)
    for name in ("MASTER_ADDR", "MASTER_PORT"):
        if not os.environ.get(name, "").strip():
            raise ParameterError(
                f"WORLD_SIZE={world} asks for a distributed run, but {name} is not set "
                "(rank 0's address and port, where the ranks meet)",
                hint=LAUNCH_HINT,
            )
    if device.type == "mps":
        raise ParameterError(
            "Apple MPS has no torch.distributed backend", hint="use --device cpu (gloo) or CUDA GPUs (NCCL)"
        )
    device = _rank_device(device, local_rank, world)
    backend = "nccl" if device.type == "cuda" else "gloo"
    where = f"{os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']}"
    logger.info("rank %d of %d joining the %s process group at %s", rank, world, backend, where)
    try:
        dist.init_process_group(
            backend, rank=rank, world_size=world, timeout=datetime.timedelta(seconds=timeout)
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise DistributedError(
            f"rank {rank} of {world} could not join the {backend} process group at {where}: "
            f"{_first_line(exc)}",
            hint=f"check that every rank was started and can reach {where} (timeout {timeout:g} s, "
            "NLPTK_DIST_TIMEOUT)",
        ) from exc
    atexit.register(_destroy)
    return DistContext(rank, world, local_rank, device, backend, timeout)


def _rank_device(device: torch.device, local_rank: int, world: int) -> torch.device:
    if device.type != "cuda":
        return device
    if device.index is None:
        device = torch.device("cuda", local_rank % max(torch.cuda.device_count(), 1))
    elif world > 1:
        logger.warning("device %s was given explicitly: every rank of this machine uses it", device)
    torch.cuda.set_device(device)
    return device


def _destroy() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


_COMM_MARKERS = ("gloo", "nccl", "connection", "timed out", "timeout", "socket", "peer", "broken pipe")


def _is_comm_failure(exc: BaseException) -> bool:
    dist_error = getattr(dist, "DistError", None)
    if dist_error is not None and isinstance(exc, dist_error):
        return True
    return isinstance(exc, RuntimeError) and any(m in str(exc).lower() for m in _COMM_MARKERS)


@contextmanager
def collective_errors(ctx: DistContext, what: str) -> Iterator[None]:
    """Turn a failed collective in ``what`` into a :class:`~nlptk.errors.DistributedError`.

    A rank that dies closes its connections (gloo and NCCL report it at the next collective)
    or stops answering (the others give up after ``ctx.timeout_s``). Either way the survivors
    stop with a message naming the step, instead of a backend traceback or a hang.
    """
    if not ctx.active:
        yield
        return
    try:
        yield
    except NlptkError:
        raise
    except Exception as exc:
        if not _is_comm_failure(exc):
            raise
        raise DistributedError(
            f"rank {ctx.rank} of {ctx.world_size} lost contact with the other ranks during {what} "
            f"({_first_line(exc)})",
            hint="another rank failed or was killed (see its own error above) or did not answer within "
            f"{ctx.timeout_s:g} s (NLPTK_DIST_TIMEOUT); fix it and rerun, with --resume if a "
            "checkpoint was written",
        ) from exc


def check_same(ctx: DistContext, checksums: dict[str, str], *, hint: str | None = None) -> None:
    """Raise :class:`~nlptk.errors.DataError` on every rank unless all ranks have the same checksums.

    Parameters
    ----------
    ctx : DistContext
    checksums : dict
        What was read (``"training data"``, ``"vectors"``) -> its :func:`digest`.
    """
    if not ctx.active:
        return
    with collective_errors(ctx, "the data checksum"):
        gathered = ctx.all_gather_object(checksums)
    reference = gathered[0]
    problems = []
    for name in checksums:
        ranks = [r for r, g in enumerate(gathered) if g.get(name) != reference.get(name)]
        if ranks:
            problems.append(
                f"{name} (rank {', '.join(map(str, ranks))} differ{'s' if len(ranks) == 1 else ''} from "
                f"rank 0: sha256 {str(gathered[ranks[0]].get(name))[:12]} vs {str(reference.get(name))[:12]})"
            )
    if problems:
        raise DataError(
            f"the {ctx.world_size} ranks did not read the same inputs: {'; '.join(problems)}",
            hint=hint
            or "every rank must read identical files: use a shared filesystem or copy the same "
            "data and vectors to every machine, with the same options",
        )


def ranks_summary(ctx: DistContext) -> dict[str, Any]:
    """``{"world_size", "backend"}`` for manifests and histories (empty in one process)."""
    if not ctx.active:
        return {}
    return {"world_size": ctx.world_size, "backend": ctx.backend}
