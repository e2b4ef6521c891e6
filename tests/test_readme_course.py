"""The README's notebook section runs top to bottom, as a script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _course_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The course workflow, in a notebook", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.slow  # word2vec on the Lee corpus, the lr finder and four epochs: ~20 s of CPU
def test_the_notebook_section_runs(tmp_path, monkeypatch) -> None:
    import torch

    torch.set_num_threads(1)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(_course_block(), "README.md (course workflow)", "exec"), namespace)
    learn = namespace["learn"]
    assert (tmp_path / "models" / "stage-1.pt").is_file()
    assert (tmp_path / "polarity-clf" / "model.pt").is_file()
    assert len(learn.recorder) == 4
