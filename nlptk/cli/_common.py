"""What every command shares: the consoles, the progress display, small option helpers.

Library errors are turned into one-line messages in :mod:`nlptk.cli.app`; commands just
call the library and render its results.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from nlptk.progress import ProgressEvent

__all__ = ["console", "err_console", "print_wide", "progress_display", "setup_logging"]

console = Console()
err_console = Console(stderr=True)


_settings = {"quiet": False}  # --quiet: only warnings and errors, no progress bars either


def print_wide(renderable: Any, width: int = 160) -> None:
    """Print a wide table on stdout; into a pipe or a file at ``width`` columns, not the default 80.

    A terminal's own width is kept (rich folds the columns to fit it).
    """
    if console.is_terminal:
        console.print(renderable)
    else:
        Console(width=max(console.width, width), highlight=False).print(renderable)


def setup_logging(verbose: int = 0, quiet: bool = False) -> None:
    """Log nlptk at INFO (DEBUG with -vv) to stderr; dependencies at WARNING (INFO with -vv)."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, RichHandler):
            root.removeHandler(h)
    handler = RichHandler(console=err_console, show_path=False, show_time=False, markup=False)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root.addHandler(handler)
    level = logging.WARNING if quiet else (logging.DEBUG if verbose >= 2 else logging.INFO)
    _settings["quiet"] = quiet
    if os.environ.get("RANK", "0") not in ("", "0") and verbose < 2:
        level = max(level, logging.WARNING)  # under torchrun the other ranks repeat rank 0's log
    logging.getLogger("nlptk").setLevel(level)
    root.setLevel(logging.INFO if verbose >= 2 else logging.WARNING)
    for noisy in ("gensim", "smart_open", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose >= 2 else logging.WARNING)


def _format_metrics(metrics: dict[str, Any]) -> str:
    parts = []
    for key, value in metrics.items():
        if isinstance(value, float):
            parts.append(f"{key}={value:,.0f}" if abs(value) >= 1000 else f"{key}={value:.4g}")
        else:
            parts.append(f"{key}={value}")
    return " ".join(parts)


@contextmanager
def progress_display(enabled: bool = True) -> Iterator[Any]:
    """A rich progress display; yields a callback for the library's ``progress=`` argument.

    One bar per phase, with the latest metrics (loss, words/s...) beside it. Off under ``--quiet``.
    """
    if not enabled or _settings["quiet"]:
        yield None
        return
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[info]}"),
        console=err_console,
        transient=False,
    )
    tasks: dict[str, TaskID] = {}

    def callback(event: ProgressEvent) -> None:
        task = tasks.get(event.phase)
        if task is None:
            task = progress.add_task(event.phase, total=event.total, info="")
            tasks[event.phase] = task
        info = _format_metrics(event.metrics)
        if event.kind == "start":
            progress.update(task, total=event.total, completed=event.step, info=info)
        elif event.kind == "step":
            progress.update(task, completed=event.step, total=event.total or None, info=info)
        else:  # the bar ends where the phase ended: an early stop shows 4/8, not 8/8
            total = event.total if event.total is not None else event.step
            fields = {"info": info} if info else {}  # keep the last step's metrics otherwise
            if event.step < total:
                shown = info or next(t.fields.get("info", "") for t in progress.tasks if t.id == task)
                fields["info"] = f"{shown} (stopped after {event.step} of {total})".lstrip()
            progress.update(task, completed=event.step, total=total, **fields)

    with progress:
        yield callback


def print_similar_documents(matches: Any, title: str) -> None:
    """The table of nearest documents that ``lsa similar`` and ``lda similar`` print: rank,
    document index, score and text (each match has ``index``, ``score`` and ``text``)."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("doc", justify="right")
    table.add_column("score", justify="right")
    table.add_column("text")
    for rank, match in enumerate(matches, start=1):
        table.add_row(str(rank), str(match.index), f"{match.score:.3f}", escape(match.text))
    console.print(table)
