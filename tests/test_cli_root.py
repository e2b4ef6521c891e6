"""The root command: help, version, and the single place where errors become exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from nlptk import __version__
from nlptk.cli.app import GROUPS, NlptkGroup, app, build_app, invoked_group
from nlptk.errors import DataError, ParameterError

runner = CliRunner()


def test_help_lists_the_command_groups() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("corpus", "embed", "lsa", "similarity", "classify", "export"):
        assert group in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_python_dash_m_runs_the_same_app() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "nlptk", "--help"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0
    assert "embed" in proc.stdout


@pytest.mark.parametrize(
    ("args", "group"),
    [
        (["embed", "train", "c.txt"], "embed"),
        (["-q", "-v", "--debug", "lsa", "fit"], "lsa"),
        (["--threads", "2", "classify", "train"], "classify"),
        (["--threads=2", "lm"], "lm"),
        (["quickstart", "--out", "x"], "quickstart"),
        (["--help"], None),
        (["-q", "--version", "embed"], None),
        (["nosuch", "embed"], None),
        ([], None),
    ],
)
def test_invoked_group_reads_past_the_root_options(args, group) -> None:
    assert invoked_group(args) == group


def test_one_group_app_answers_as_the_whole_app() -> None:
    for args in (["embed", "train", "--help"], ["embed", "nosuch"], ["cache", "list", "--help"]):
        alone, whole = runner.invoke(build_app(args[0]), args), runner.invoke(app, args)
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output), args
    assert set(GROUPS) | {"quickstart"} == {c for c in typer.main.get_command(app).commands}


def test_a_command_run_imports_only_its_group() -> None:
    """``nlptk embed ...`` does not import (nor build) the classify, lm or lda commands."""
    code = (
        "import sys; from nlptk.cli.app import main; sys.argv = ['nlptk', 'embed', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('nlptk.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    loaded = out.stdout.strip().splitlines()[-1]
    assert "nlptk.cli.embed'" in loaded
    for other in ("classify", "lm", "lda", "corpus", "similarity", "export"):
        assert f"nlptk.cli.{other}'" not in loaded, loaded


def _app_raising(exc: BaseException) -> typer.Typer:
    test_app = typer.Typer(cls=NlptkGroup)

    @test_app.callback()
    def root(debug: bool = typer.Option(False, "--debug")) -> None:
        pass

    @test_app.command()
    def boom() -> None:
        raise exc

    return test_app


@pytest.mark.parametrize(
    ("exc", "code", "text"),
    [
        (
            DataError("needs at least two classes, found only 'pos'", path="d.csv"),
            2,
            "error: d.csv: needs at least two classes, found only 'pos'",
        ),
        (ParameterError("dim must be >= 1, got 0"), 2, "error: dim must be >= 1, got 0"),
        (RuntimeError("disk on fire"), 1, "error: RuntimeError: disk on fire (rerun with --debug"),
        (KeyboardInterrupt(), 130, "error: interrupted"),
    ],
)
def test_errors_become_one_line_and_an_exit_code(exc: BaseException, code: int, text: str) -> None:
    result = runner.invoke(_app_raising(exc), ["boom"])
    assert result.exit_code == code
    assert text in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_debug_shows_the_traceback() -> None:
    result = runner.invoke(_app_raising(ParameterError("bad")), ["--debug", "boom"])
    assert result.exit_code == 2
    assert "Traceback" in result.output


def test_usage_errors_exit_2() -> None:
    result = runner.invoke(app, ["no-such-command"])
    assert result.exit_code == 2
