"""What `nlptk corpus list` and `nlptk quickstart` print: whole tables in pipes, no log noise."""

from __future__ import annotations

from typer.testing import CliRunner

from nlptk.cli.app import app
from nlptk.embed import quickstart as quickstart_module

runner = CliRunner()


def test_corpus_list_into_a_pipe_keeps_the_description_and_says_what_it_counts():
    # CliRunner's output is not a terminal, like a pipe or a file
    result = runner.invoke(app, ["corpus", "list"])
    assert result.exit_code == 0, result.output
    assert "description" in result.stdout and "Lee background corpus" in result.stdout
    assert "59,890" in result.stdout  # `wc -w` of gensim's lee_background.cor
    assert "wc -w" in result.stdout and "corpus stats" in result.stdout


def test_quickstart_shows_tables_without_per_epoch_log_lines(tmp_path, monkeypatch):
    monkeypatch.setitem(quickstart_module.QUICKSTART_PARAMS, "epochs", 2)
    args = ["quickstart", "--out", str(tmp_path / "qs"), "--cache-dir", str(tmp_path / "c")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Nearest neighbours" in result.stdout
    assert "epoch 1/2" not in result.output and "INFO" not in result.output
    verbose = runner.invoke(app, ["-v", "quickstart", "--out", str(tmp_path / "qs2"), *args[3:]])
    assert verbose.exit_code == 0, verbose.output
    assert "epoch 1/2" in verbose.output
