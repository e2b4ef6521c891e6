"""The ``nlptk`` command: the root app, its command groups, and the one place where errors
become one-line messages and exit codes.

Exit codes: 0 success, 2 bad input or usage (a :class:`~nlptk.errors.NlptkError` with
``exit_code == 2``, or a typer/click usage error), 1 any other failure, 130 interrupted.
``--debug`` prints the traceback too.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
import traceback
from typing import Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from nlptk._version import __version__
from nlptk.cli._common import err_console, setup_logging
from nlptk.errors import NlptkError

__all__ = ["GROUPS", "app", "build_app", "invoked_group", "main"]

app: typer.Typer  # the whole app: built on first use, by the module's __getattr__ below


def _passthrough_exceptions() -> tuple[type[BaseException], ...]:
    """Exceptions typer/click handle themselves (usage errors, --help, Exit, Abort)."""
    kinds: list[type[BaseException]] = [typer.Exit, typer.Abort]
    if hasattr(typer, "TyperException"):  # typer >= 0.2x vendors click under this base
        kinds.append(typer.TyperException)
    try:
        import click

        kinds += [click.ClickException, click.exceptions.Exit, click.Abort]
    except ImportError:  # pragma: no cover
        pass
    return tuple(kinds)


_PASSTHROUGH = _passthrough_exceptions()
# operating-system errors about a path the user gave: bad input (exit 2), not a failure
_PATH_ERRNOS = frozenset(
    {
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EACCES,
        errno.EPERM,
        errno.EEXIST,
        errno.EROFS,
        errno.ENAMETOOLONG,
    }
)


def _fail(message: str, exit_code: int) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(exit_code)


class NlptkGroup(TyperGroup):
    """Root group: library errors become one line on stderr and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except _PASSTHROUGH:
            raise
        except NlptkError as exc:
            if debug:
                traceback.print_exc()
            raise _fail(str(exc), exc.exit_code) from exc
        except BrokenPipeError:  # `nlptk ... | head`: click stops quietly (exit 1), as for --help
            raise
        except OSError as exc:
            if exc.errno not in _PATH_ERRNOS or exc.filename is None:
                raise _unforeseen(exc, debug) from exc
            if debug:
                traceback.print_exc()
            path = exc.filename if exc.filename2 is None else exc.filename2
            raise _fail(f"{os.fsdecode(path)}: {exc.strerror}", 2) from exc
        except KeyboardInterrupt:
            if debug:
                traceback.print_exc()
            raise _fail(
                "interrupted; outputs are written only when complete, so none was left half-written", 130
            ) from None
        except Exception as exc:  # a bug or an unforeseen failure: still one line
            raise _unforeseen(exc, debug) from exc


def _unforeseen(exc: BaseException, debug: bool) -> typer.Exit:
    if debug:
        traceback.print_exc()
    hint = "" if debug else " (rerun with --debug for the traceback)"
    return _fail(f"{type(exc).__name__}: {exc}{hint}", 1)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nlptk {__version__}")
        raise typer.Exit()


# command groups whose commands run PyTorch models on the CPU thread pool (nlptk.threads);
# GloVe sets its own threads (--workers), and the other groups do not load torch
_TORCH_GROUPS = frozenset({"classify", "lm"})


def root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More logging (-vv: dependencies too).")
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")] = False,
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads",
            min=1,
            help="CPU threads for PyTorch (classifier, language model, GloVe on CPU). Default for "
            "classify and lm: half the cores (at least 1), or OMP_NUM_THREADS; idle threads sleep "
            "instead of spinning (OMP_WAIT_POLICY).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """nlptk: word embeddings and recurrent text classifiers."""
    setup_logging(verbose, quiet)
    if threads is not None:
        from nlptk.threads import set_threads

        set_threads(threads)
    elif ctx.invoked_subcommand in _TORCH_GROUPS:
        from nlptk.threads import default_threads, set_threads, threads_set_by_user

        if not threads_set_by_user():
            set_threads(default_threads())


#: Command group -> the module whose ``app`` holds its commands, in ``--help`` order.
GROUPS: dict[str, str] = {
    "corpus": "nlptk.cli.corpus",
    "embed": "nlptk.cli.embed",
    "lsa": "nlptk.cli.lsa",
    "lda": "nlptk.cli.lda",
    "topics": "nlptk.cli.topics",
    "similarity": "nlptk.cli.similarity",
    "classify": "nlptk.cli.classify",
    "lm": "nlptk.cli.lm",
    "export": "nlptk.cli.export",
    "cache": "nlptk.cli.cache",
    "vectors": "nlptk.cli.vectors",
}
# root options that take a value (the others are flags)
_VALUE_OPTIONS = frozenset({"--threads"})


def build_app(only: str | None = None) -> typer.Typer:
    """The root app with every command group, or with the group ``only`` alone.

    Each group's module is imported here, so a run of one command imports (and typer builds)
    that command's group only: the start-up a small ``nlptk embed train`` pays (issue 17).
    """
    root_app = typer.Typer(
        name="nlptk",
        cls=NlptkGroup,
        help="Word embeddings and recurrent text classifiers: train, load, evaluate, explore, transfer.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    root_app.callback()(root)
    for name, module in GROUPS.items():
        if only is None or only == name:
            root_app.add_typer(importlib.import_module(module).app, name=name)
    if only is None or only == "quickstart":
        from nlptk.cli.quickstart import quickstart

        root_app.command("quickstart")(quickstart)
    return root_app


def invoked_group(args: list[str]) -> str | None:
    """The command group (or top-level command) ``args`` run, or None when it is not clear
    (help, version, no command, an unknown name): then the whole app answers.

    Examples
    --------
    >>> invoked_group(["-q", "embed", "train", "corpus.txt"])
    'embed'
    >>> invoked_group(["--threads", "2", "classify", "train"]), invoked_group(["--help"])
    ('classify', None)
    """
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-h", "--help", "--version"):
            return None
        if arg.startswith("-"):
            i += 2 if arg in _VALUE_OPTIONS else 1
            continue
        return arg if arg in GROUPS or arg == "quickstart" else None
    return None


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole app, built on first use (tests, typer's CliRunner)
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console-script entry point: builds only the command group the arguments name."""
    build_app(invoked_group(sys.argv[1:]))()
