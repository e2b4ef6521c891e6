"""`nlptk lsa train|topics|similar` on gensim's lee_background.cor."""

from __future__ import annotations

import pytest
from gensim.test.utils import datapath
from typer.testing import CliRunner

from nlptk.cli.app import app

runner = CliRunner()
LEE = datapath("lee_background.cor")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("lsa") / "model"
    result = runner.invoke(
        app, ["lsa", "train", LEE, "--topics", "30", "--min-df", "2", "--max-df", "0.5", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "300 documents" in result.output and "30 topics" in result.output
    return out


def test_train_refuses_an_existing_folder_and_replaces_it_with_force(model_dir):
    result = runner.invoke(app, ["lsa", "train", LEE, "--topics", "5", "--out", str(model_dir)])
    assert result.exit_code == 2
    assert "already exists" in result.output and "--force" in result.output


def test_topics_prints_a_table_per_topic(model_dir):
    result = runner.invoke(app, ["lsa", "topics", str(model_dir), "--top", "8"])
    assert result.exit_code == 0, result.output
    assert result.output.count("topic ") == 30
    assert "palestinian" in result.output and "qaeda" in result.output
    short = runner.invoke(app, ["lsa", "topics", str(model_dir), "--top", "3", "--topics", "2"])
    assert short.output.count("topic ") == 2


def test_similar_ranks_documents_for_a_query_text_or_file(model_dir, tmp_path):
    with open(LEE, encoding="utf-8") as handle:
        first_doc = handle.readline()
    query_file = tmp_path / "q.txt"
    query_file.write_text(first_doc, encoding="utf-8")
    result = runner.invoke(app, ["lsa", "similar", str(model_dir), "--file", str(query_file), "--top", "3"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith("│ 1 ")]
    assert rows and "│   0 │ 1.000 │ Hundreds of people" in rows[0]
    text = runner.invoke(app, ["lsa", "similar", str(model_dir), "bushfire firefighters sydney", "-n", "2"])
    assert text.exit_code == 0 and "fire" in text.output.lower()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lsa", "similar", "{model}"], "either a query text or --file"),
        (["lsa", "similar", "{model}", "zzzqx"], "no term of the model's vocabulary"),
        (["lsa", "topics", "{tmp}"], "not an LSA model folder"),
        (["lsa", "train", LEE, "--topics", "0", "--out", "{tmp}/x"], "n_topics must be"),
        (["lsa", "train", "{tmp}/missing.txt", "--out", "{tmp}/y"], "not found"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(model_dir, tmp_path, args, message):
    args = [a.format(model=model_dir, tmp=tmp_path) for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
