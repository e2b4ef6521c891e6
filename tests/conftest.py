"""Test-wide settings.

Tests check behaviour, not speed, and CI machines are small (2 cores) and may be busy: an
OpenMP runtime that spin-waits (PyTorch's default) makes small tensor work many times slower
when cores are oversubscribed, so threads wait passively here. Set before torch is imported.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
