"""The README teaches what runs: its tour and its library snippet run as written, in empty folders.

The tour is every ``bash`` block of the sections named in :data:`TOUR_SECTIONS`; the library
snippet every ``python`` block of :data:`LIBRARY_SECTIONS`. A block preceded by the line
:data:`SKIP_MARKER` (for example one that needs data nlptk does not ship) is left out. The full
runs take minutes, so they are marked slow; ``.ci/run`` runs this file explicitly.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
TOUR_SECTIONS = ("The command line",)
LIBRARY_SECTIONS = ("The library",)
SKIP_MARKER = "<!-- readme-test: skip -->"

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def sections(text: str) -> dict[str, str]:
    """``## `` heading -> the text under it (up to the next ``## `` heading)."""
    parts = re.split(r"^## +(.+)\n", text, flags=re.M)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def code_blocks(body: str, language: str) -> list[str]:
    """The fenced blocks of ``language`` in ``body``, except those marked with :data:`SKIP_MARKER`."""
    blocks = []
    for match in _FENCE.finditer(body):
        before = body[: match.start()].rstrip().splitlines()
        if match.group(1) == language and not (before and before[-1].strip() == SKIP_MARKER):
            blocks.append(match.group(2))
    return blocks


def _readme_blocks(titles: tuple[str, ...], language: str) -> list[str]:
    found = sections(README.read_text(encoding="utf-8"))
    missing = [t for t in titles if t not in found]
    assert not missing, f"README has no section {missing}: update TOUR_SECTIONS / LIBRARY_SECTIONS"
    return [block for title in titles for block in code_blocks(found[title], language)]


def _environment(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["NLPTK_CACHE"] = str(tmp_path / "cache")  # a fresh cache: nothing reused from earlier runs
    env["MPLBACKEND"] = "Agg"
    env["COLUMNS"] = "120"
    return env


def test_setup_commands_come_first_with_the_pytorch_choice_before_them():
    text = README.read_text(encoding="utf-8")
    first = _FENCE.search(text)
    assert first is not None and first.group(1) == "bash"
    assert first.group(2).splitlines() == [
        "pip install -e . && nlptk quickstart --force",
        'pip install -e ".[test]" && pytest',
    ]
    before = text[: first.start()]
    assert "torch" in before and "whl/cpu" in before  # the choice is read before the commands


def test_the_blocks_are_found_and_the_marker_skips():
    assert _readme_blocks(TOUR_SECTIONS, "bash") and _readme_blocks(LIBRARY_SECTIONS, "python")
    body = f"```bash\necho run\n```\n\n{SKIP_MARKER}\n```bash\necho skipped\n```\n```python\nx = 1\n```\n"
    assert code_blocks(body, "bash") == ["echo run\n"] and code_blocks(body, "python") == ["x = 1\n"]


@pytest.mark.slow
def test_the_tour_runs_top_to_bottom_in_an_empty_folder(tmp_path):
    work = tmp_path / "tour"
    work.mkdir()
    script = "\n".join(_readme_blocks(TOUR_SECTIONS, "bash"))
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=work,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    # what the tour shows is true: healthy vectors, a classifier that learned, honest evaluation
    assert "degenerate" not in output
    scores = [float(m) for m in re.findall(r"test: accuracy ([0-9.]+)", output)]
    assert scores and scores[0] > 0.6, output[-3000:]
    assert "trained on" not in output and "steepest descent at -" not in output


@pytest.mark.slow
def test_the_library_snippet_runs_as_written_in_an_empty_folder(tmp_path):
    work = tmp_path / "library"
    work.mkdir()
    snippet = "\n".join(_readme_blocks(LIBRARY_SECTIONS, "python"))
    result = subprocess.run(
        [sys.executable, "-c", snippet],
        cwd=work,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    # predict gives back the class names the classifier was given
    assert re.search(r"\['(afghanistan|bushfires|cricket|economy|industrial|middle-east)'\]", result.stdout)
