"""Trace how far a command-line argument travels through nlptk before it is used.

Issue 12 measured "the walk of ``embed train``'s corpus argument": every nlptk function that
receives the corpus (as a string, a path or an open ``Corpus``), from the command down to the
trainer, how many files those calls are spread over, and how often the walk climbs back up to
a file it had already left. This script takes that measure the same way on any checkout, so a
before/after comparison is two runs:

    python scripts/corpus_walk.py                 # this checkout
    git stash; python scripts/corpus_walk.py; git stash pop

It runs ``nlptk embed train lee_background --method word2vec`` in process with a tiny
configuration (1 epoch, dim 8) under ``sys.setprofile`` and prints one JSON object.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

CORPUS = "lee_background"


def _mentions_corpus(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return value == CORPUS or value.endswith("lee_background.cor")
    if isinstance(value, os.PathLike):
        return Path(value).name in ("lee_background.cor", CORPUS)
    return depth == 0 and type(value).__name__.endswith("Corpus")


def main() -> int:
    import nlptk

    root = Path(nlptk.__file__).parent
    stops: list[tuple[str, str]] = []

    def profiler(frame: Any, event: str, arg: Any) -> None:
        if event != "call":
            return
        filename = frame.f_code.co_filename
        if not filename.startswith(str(root)):
            return
        if frame.f_code.co_name.startswith("<"):
            return
        values = [frame.f_locals.get(name) for name in frame.f_code.co_varnames[: frame.f_code.co_argcount]]
        values += [
            frame.f_locals.get(name) for name in frame.f_code.co_varnames[frame.f_code.co_argcount :][:4]
        ]
        if any(_mentions_corpus(v) for v in values):
            stops.append((str(Path(filename).relative_to(root.parent)), frame.f_code.co_name))

    from typer.testing import CliRunner

    from nlptk.cli.app import app

    with tempfile.TemporaryDirectory() as tmp:
        args = ["embed", "train", CORPUS, "--out", f"{tmp}/out", "--cache-dir", f"{tmp}/cache"]
        args += ["--dim", "8", "--epochs", "1", "--min-count", "5", "--no-progress"]
        sys.setprofile(profiler)
        try:
            result = CliRunner().invoke(app, args)
        finally:
            sys.setprofile(None)
    files = [f for f, _ in stops]
    climbs = 0
    left: set[str] = set()
    for previous, current in itertools.pairwise(files):
        if current != previous:
            if current in left:
                climbs += 1
            left.add(previous)
    print(
        json.dumps(
            {
                "exit_code": result.exit_code,
                "stops": len(stops),
                "files": len(set(files)),
                "returns_to_a_file_already_left": climbs,
                "walk": [f"{f}:{name}" for f, name in stops],
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
