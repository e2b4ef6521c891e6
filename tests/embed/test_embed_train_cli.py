"""`nlptk embed train` and `nlptk quickstart` through typer's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from gensim.test.utils import datapath
from typer.testing import CliRunner

from nlptk.cli.app import app
from nlptk.embed import quickstart as quickstart_module
from nlptk.vectors.formats import load_vectors

LEE = datapath("lee_background.cor")
runner = CliRunner()
FAST = ["--dim", "8", "--epochs", "1", "--min-count", "2", "--workers", "1", "--no-progress"]


def _one_line_error(result, exit_code: int = 2) -> str:
    assert result.exit_code == exit_code, (result.exit_code, result.stdout, result.stderr)
    # INFO log lines (tokenizing...) may come first; the error itself is one line, no traceback
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    after = result.stderr.split(lines[0], 1)[1]
    assert not after.strip(), result.stderr
    return lines[0]


def test_train_writes_vectors_formats_and_manifest(tmp_path):
    out = tmp_path / "out"
    args = ["embed", "train", LEE, "--out", str(out), "--format", "word2vec", "--format", "glove"]
    result = runner.invoke(app, [*args, "--cache-dir", str(tmp_path / "c"), "--sg", "--seed", "3", *FAST])
    assert result.exit_code == 0, result.stderr
    assert "2,8" in result.stdout or "words x 8 dims" in result.stdout
    meta = json.loads((out / "meta.json").read_text())["meta"]
    assert meta["params"]["sg"] is True and meta["params"]["seed"] == 3 and meta["params"]["dim"] == 8
    assert (out / "vectors.txt").is_file() and (out / "vectors.glove.txt").is_file()
    assert load_vectors(out).dim == 8


def test_word2vec_and_fasttext_runs_do_not_load_torch(tmp_path):
    """Only GloVe, LSA's GPU path and the classifiers need torch; loading it (a second or more)
    was most of the fixed cost of a small word2vec run (issue 17)."""
    code = (
        "import sys; from nlptk.cli.app import main; sys.argv[0] = 'nlptk'\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(sorted(m for m in ('torch', 'sklearn', 'spacy') if m in sys.modules))"
    )
    for method in ("word2vec", "fasttext"):
        args = ["-q", "embed", "train", LEE, "--method", method, "--out", str(tmp_path / method)]
        args += ["--cache-dir", str(tmp_path / "c"), *FAST]
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip().splitlines()[-1] == "[]", (method, out.stdout)


def test_registry_name_and_fasttext_options(tmp_path):
    out = tmp_path / "ft"
    args = ["embed", "train", "lee_background", "--method", "fasttext", "--out", str(out), "--cbow"]
    result = runner.invoke(app, [*args, "--minn", "2", "--maxn", "4", "--bucket", "1000", *FAST])
    assert result.exit_code == 0, result.stderr
    meta = json.loads((out / "meta.json").read_text())["meta"]
    assert meta["params"]["sg"] is False and (meta["params"]["minn"], meta["params"]["maxn"]) == (2, 4)
    assert (out / "model.bin").is_file()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--dim", "0"], "--dim 0 must be an integer >= 1"),
        (["--method", "bogus"], "unknown method 'bogus'; use one of fasttext, glove, lsa, word2vec"),
        (["--x-max", "10"], "--x-max applies to glove only"),
        (["--minn", "2"], "--minn applies to fasttext only"),
        (["--hs", "--method", "fasttext"], "--hs applies to word2vec only"),
        (["--topics", "5"], "--topics applies to lsa only"),
        (["--min-count", "100000"], "no word occurs at least min_count=100000 times"),
        (["--format", "xml"], "unknown output format 'xml'"),
    ],
)
def test_bad_options_exit_2_with_one_line(tmp_path, extra, message):
    args = [
        "embed",
        "train",
        LEE,
        "--out",
        str(tmp_path / "out"),
        "--cache-dir",
        str(tmp_path),
        "--no-progress",
    ]
    line = _one_line_error(runner.invoke(app, [*args, *extra]))
    assert message in line
    assert not (tmp_path / "out").exists()


def test_bad_corpus_exit_2(tmp_path):
    empty = tmp_path / "punct.txt"
    empty.write_text("!!! ...\n", encoding="utf-8")
    base = ["--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "c"), *FAST]
    assert "no tokens after tokenization" in _one_line_error(
        runner.invoke(app, ["embed", "train", str(empty), *base])
    )
    missing = str(tmp_path / "gone.txt")
    assert "not found" in _one_line_error(runner.invoke(app, ["embed", "train", missing, *base]))


def test_existing_output_refused_then_forced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    base = ["embed", "train", LEE, "--out", str(out), "--cache-dir", str(tmp_path / "c"), *FAST]
    assert "already exists" in _one_line_error(runner.invoke(app, base))
    assert runner.invoke(app, [*base, "--force"]).exit_code == 0
    assert (out / "vectors.npy").is_file()


def test_ctrl_c_exits_130_and_leaves_nothing(tmp_path, monkeypatch):
    from gensim.models.word2vec import Word2Vec

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Word2Vec, "train", interrupted)
    out = tmp_path / "work" / "out"
    args = ["embed", "train", LEE, "--out", str(out), "--cache-dir", str(tmp_path / "c"), *FAST]
    line = _one_line_error(runner.invoke(app, args), exit_code=130)
    assert "interrupted" in line
    assert not out.exists() and not list((tmp_path / "work").iterdir())


def test_lsa_topics_is_another_name_for_dim(tmp_path):
    out = tmp_path / "lsa"
    args = ["embed", "train", LEE, "--method", "lsa", "--topics", "7", "--out", str(out)]
    result = runner.invoke(app, [*args, "--cache-dir", str(tmp_path / "c")])
    assert result.exit_code == 0, result.stderr
    assert json.loads((out / "meta.json").read_text())["meta"]["params"]["dim"] == 7
    line = _one_line_error(runner.invoke(app, [*args, "--dim", "5"]), exit_code=2)
    assert "give either --topics or --dim for lsa, not both" in line
    line = _one_line_error(runner.invoke(app, ["embed", "train", LEE, "--topics", "5", "--out", str(out)]), 2)
    assert "--topics applies to lsa only" in line


def test_quickstart_fast(tmp_path, monkeypatch):
    monkeypatch.setitem(quickstart_module.QUICKSTART_PARAMS, "epochs", 2)
    out = tmp_path / "qs"
    result = runner.invoke(app, ["quickstart", "--out", str(out), "--cache-dir", str(tmp_path / "c")])
    assert result.exit_code == 0, result.stderr
    assert "Nearest neighbours" in result.stdout and "WordSim353" in result.stdout
    assert "Vectors written to" in result.stdout
    assert load_vectors(out).meta["corpus"]["documents"] == 300
    assert (out / "vectors.txt").is_file()
    again = runner.invoke(app, ["quickstart", "--out", str(out), "--cache-dir", str(tmp_path / "c")])
    assert "already exists" in _one_line_error(again)


@pytest.mark.slow
def test_quickstart_full_under_two_minutes_with_good_neighbours(tmp_path):
    start = time.perf_counter()
    result = quickstart_module.run_quickstart(tmp_path / "qs", cache_dir=tmp_path / "c")
    assert time.perf_counter() - start < 120
    names = {w: [n for n, _ in result.neighbours[w]] for w in result.neighbours}
    assert "prime" in names["minister"] and "george" in names["bush"]
    assert 0 < result.evaluation["wordsim"]["coverage"] < 1
