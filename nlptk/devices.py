"""One place that turns a device name into a ``torch.device``: every trainer and model uses it.

``"auto"`` picks CUDA, then Apple's MPS, then the CPU. A name torch does not know is a
:class:`~nlptk.errors.ParameterError`; a device this machine lacks is a
:class:`~nlptk.errors.DeviceError` that says what the machine has.
"""

from __future__ import annotations

import torch

from nlptk.errors import DeviceError, ParameterError

__all__ = ["DEVICE_NAMES", "mps_available", "resolve_device"]

#: What a device option accepts, for messages and help.
DEVICE_NAMES = "auto, cpu, cuda, cuda:N or mps"


def mps_available() -> bool:
    """Whether Apple's Metal backend is usable here."""
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def resolve_device(spec: str | torch.device = "auto") -> torch.device:
    """The torch device for ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.

    Raises
    ------
    ParameterError
        Not a device name (``"tpu9"``).
    DeviceError
        The device asked for is not on this machine (``"cuda"`` without a GPU).

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    name = str(spec).strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ParameterError(f"unknown device {spec!r}", hint=f"use {DEVICE_NAMES}") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(
                f"device {spec!r} was asked for, but no CUDA GPU is available "
                f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'none'})",
                hint="use --device cpu (device='cpu') or auto",
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceError(
                f"device {spec!r} was asked for, but this machine has {torch.cuda.device_count()} GPU(s)",
                hint="use cuda or cuda:0",
            )
    elif device.type == "mps" and not mps_available():
        raise DeviceError(f"device {spec!r} was asked for, but MPS is not available", hint="use --device cpu")
    elif device.type not in ("cpu", "cuda", "mps"):
        raise ParameterError(f"device type {device.type!r} is not supported", hint=f"use {DEVICE_NAMES}")
    return device
