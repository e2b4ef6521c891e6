"""nlptk's CPU threading defaults (issue 13, point 7): passive OpenMP waiting unless the user
chose otherwise, and ``nlptk --threads N``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch

from nlptk.errors import ParameterError
from nlptk.threads import default_threads, set_threads


def _python(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**clean, **env}, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_nlptk_makes_openmp_threads_wait_passively() -> None:
    code = "import os, nlptk, nlptk.threads as t; print(os.environ['OMP_WAIT_POLICY'], t.wait_policy())"
    assert _python(code) == "PASSIVE PASSIVE"


def test_a_wait_policy_the_user_set_is_kept() -> None:
    code = "import os, nlptk, nlptk.threads as t; print(os.environ['OMP_WAIT_POLICY'], t.wait_policy())"
    assert _python(code, OMP_WAIT_POLICY="ACTIVE") == "ACTIVE ACTIVE"


def test_torch_loaded_before_nlptk_is_reported() -> None:
    # libgomp read its settings when torch loaded: nlptk's default came too late for this process
    assert _python("import torch, nlptk, nlptk.threads as t; print(t.wait_policy())") == "default"


def test_thread_count_is_left_alone_by_default() -> None:
    code = "import nlptk, torch; from nlptk.threads import set_threads; print(set_threads(None))"
    assert _python(code, OMP_NUM_THREADS="1") == "1"


def test_set_threads_and_bad_values() -> None:
    before = torch.get_num_threads()
    try:
        assert set_threads(1) == 1 == torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ParameterError, match="threads must be a positive integer"):
            set_threads(bad)  # type: ignore[arg-type]


def test_cli_threads_option(invoke_cli) -> None:
    before = torch.get_num_threads()
    try:
        result = invoke_cli("--threads", "1", "corpus", "list")
        assert result.exit_code == 0, result.output
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    result = invoke_cli("--threads", "0", "corpus", "list")
    assert result.exit_code == 2 and "--threads" in result.output


def test_default_threads_is_half_the_cores_within_torchs_default() -> None:
    assert default_threads(cores=1) == 1
    assert default_threads(cores=2) == 1
    assert default_threads(cores=8) == min(4, torch.get_num_threads())
    assert default_threads(cores=10_000) == torch.get_num_threads()


@pytest.mark.parametrize(
    ("args", "env", "applies"),
    [
        (["classify", "--help"], {}, True),  # a torch command group: nlptk's default
        (["lm", "--help"], {}, True),
        (["corpus", "list"], {}, False),  # no torch: the count is left alone
        (["classify", "--help"], {"OMP_NUM_THREADS": "2"}, False),  # the user chose
    ],
)
def test_cli_default_threads_for_torch_commands(invoke_cli, monkeypatch, args, env, applies) -> None:
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before = torch.get_num_threads()
    marker = before + 3  # a count nlptk would never choose
    torch.set_num_threads(marker)
    try:
        expected = default_threads() if applies else marker
        result = invoke_cli(*args)
        assert result.exit_code == 0, result.output
        assert torch.get_num_threads() == expected
    finally:
        torch.set_num_threads(before)
