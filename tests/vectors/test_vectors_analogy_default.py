"""`Vectors.analogy` and `nlptk embed analogy` give the same number of answers by default."""

from __future__ import annotations

import inspect

import numpy as np
from typer.testing import CliRunner

from nlptk.cli.app import app
from nlptk.cli.embed_vectors import analogy as analogy_command
from nlptk.vectors import Vectors
from nlptk.vectors.container import ANALOGY_TOPN


def test_library_and_command_line_share_one_default(tmp_path):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(20)]
    vectors = Vectors(words, rng.normal(size=(20, 6)).astype(np.float32))
    answers = vectors.analogy("w0", "w1", "w2")
    assert len(answers) == ANALOGY_TOPN > 1
    assert inspect.signature(analogy_command).parameters["topn"].default == ANALOGY_TOPN
    vectors.save(tmp_path / "v")
    result = CliRunner().invoke(app, ["embed", "analogy", str(tmp_path / "v"), "w0", "w1", "w2"])
    assert result.exit_code == 0, result.output
    shown = [word for word, _ in answers if word in result.stdout]
    assert shown == [word for word, _ in answers]
