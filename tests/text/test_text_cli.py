"""Tests of `nlptk corpus ...` through typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from nlptk.cli.app import app

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


def _one_line_error(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_stats_on_the_default_corpus_prints_summary_and_frequencies():
    result = _run("corpus", "stats", "lee_background", "--top", "3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "documents" in out and "300" in out and "vocabulary size" in out
    assert "most frequent" in out and "the" in out


def test_stats_json_options_column_and_tokenizer(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("id,body\n1,It 's good .\n2,Bad !\n", encoding="utf-8")
    result = _run("corpus", "stats", str(path), "--column", "body", "--tokenizer", "whitespace", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["documents"] == 2 and data["tokens"] == 6
    assert data["tokenizer"]["name"] == "whitespace"


def test_stats_latin1_file_exits_2_naming_byte_offset_and_encoding_fixes_it(tmp_path):
    path = tmp_path / "mr.txt"
    path.write_bytes("ok line\nclich\u00e9\n".encode("latin-1"))
    result = _run("corpus", "stats", str(path))
    assert result.exit_code == 2
    line = _one_line_error(result)
    assert "byte offset 13" in line and "mr.txt" in line and "--encoding" in line
    fixed = _run("corpus", "stats", str(path), "--encoding", "latin-1", "--json")
    assert fixed.exit_code == 0 and json.loads(fixed.stdout)["tokens"] == 3


def test_stats_bad_inputs_exit_2_with_one_line(tmp_path):
    missing = _run("corpus", "stats", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 2 and "not found" in _one_line_error(missing)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = _run("corpus", "stats", str(empty))
    assert result.exit_code == 2 and "empty" in _one_line_error(result)
    folder = tmp_path / "folder"
    folder.mkdir()
    result = _run("corpus", "stats", str(folder))
    assert result.exit_code == 2 and "no files matching" in _one_line_error(result)
    table = tmp_path / "d.csv"
    table.write_text("title\nx\n", encoding="utf-8")
    result = _run("corpus", "stats", str(table), "--column", "text")
    assert result.exit_code == 2 and "no column 'text'" in _one_line_error(result)
    unknown = _run("corpus", "stats", "lee_backgrund")
    assert unknown.exit_code == 2 and "did you mean lee_background" in _one_line_error(unknown)


def test_list_shows_names_and_availability():
    result = _run("corpus", "list", "--json")
    assert result.exit_code == 0, result.output
    entries = {e["name"]: e for e in json.loads(result.stdout)}
    assert entries["lee_background"]["local_path"].endswith("lee_background.cor")
    assert entries["sst2"]["downloadable"] is True
    table = _run("corpus", "list")
    assert table.exit_code == 0 and "lee_background" in table.stdout


def test_path_prints_local_path_or_fails_with_download_command(tmp_path):
    ok = _run("corpus", "path", "lee", "--data-dir", str(tmp_path))
    assert ok.exit_code == 0 and ok.stdout.strip().endswith("lee.cor")
    missing = _run("corpus", "path", "trec:test", "--data-dir", str(tmp_path))
    assert missing.exit_code == 2
    assert "nlptk corpus download trec" in _one_line_error(missing)


def test_download_offline_exits_1_with_one_line(tmp_path, monkeypatch):
    import urllib.error

    from nlptk.text import registry

    def offline(url, timeout=None):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(registry.urllib.request, "urlopen", offline)
    result = _run("corpus", "download", "mr", "--data-dir", str(tmp_path))
    assert result.exit_code == 1
    assert "network is unreachable" in result.stderr and "cannot download corpus 'mr'" in result.stderr
    assert not any(tmp_path.rglob("*.all"))
