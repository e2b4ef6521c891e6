"""The tokens cache seen and cleared: `list_cache`, `clear_cache`, `nlptk cache list|clear`."""

from __future__ import annotations

import json
import shutil

import pytest
from gensim.test.utils import datapath
from typer.testing import CliRunner

from nlptk.cli.app import app
from nlptk.embed.tokens_cache import clear_cache, list_cache, tokenize_to_cache
from nlptk.errors import ParameterError
from nlptk.text.corpus import TextLineCorpus
from nlptk.text.tokenize import RegexTokenizer, WhitespaceTokenizer

runner = CliRunner()


@pytest.fixture
def cache(tmp_path):
    """A cache with two entries: one whose source still exists, one whose source was deleted."""
    folder = tmp_path / "cache"
    kept = tmp_path / "kept.txt"
    gone = tmp_path / "gone.txt"
    shutil.copy(datapath("lee_background.cor"), kept)
    gone.write_text("a few words here\nand there\n", encoding="utf-8")
    tokenize_to_cache(TextLineCorpus(kept), RegexTokenizer(), cache_dir=folder)
    tokenize_to_cache(TextLineCorpus(gone), WhitespaceTokenizer(), cache_dir=folder)
    gone.unlink()
    return folder, kept, gone


def test_list_describes_each_entry(cache):
    folder, kept, gone = cache
    entries = list_cache(folder)
    assert [e.source for e in entries] == [str(kept), str(gone)]  # largest first
    big, small = entries
    assert big.documents == 300 and big.tokens > 50_000 and big.source_exists
    assert big.tokenizer["name"] == "regex" and big.created
    sidecar = folder / "tokens" / f"{big.key}.json"
    assert big.bytes == big.tokens_file.stat().st_size + sidecar.stat().st_size
    assert not small.source_exists and small.tokens == 6
    assert list_cache(folder / "nothing-here") == []


def test_clear_missing_only_then_by_key_then_all(cache):
    folder, kept, _ = cache
    removed = clear_cache(folder, missing_only=True)
    assert len(removed) == 1 and not removed[0].source_exists
    (left,) = list_cache(folder)
    assert left.source == str(kept)
    with pytest.raises(ParameterError, match="matches no entry"):
        clear_cache(folder, keys=["zzzz"])
    assert [e.key for e in clear_cache(folder, keys=[left.key[:6]])] == [left.key]
    assert list_cache(folder) == [] and not any((folder / "tokens").iterdir())
    assert clear_cache(folder) == []


def test_cleared_entry_is_made_again(cache):
    folder, kept, _ = cache
    clear_cache(folder)
    again = tokenize_to_cache(TextLineCorpus(kept), RegexTokenizer(), cache_dir=folder)
    assert not again.reused and again.documents == 300


def test_cache_commands(cache):
    folder, kept, _ = cache
    listed = runner.invoke(app, ["cache", "list", "--cache-dir", str(folder)])
    assert listed.exit_code == 0, listed.output
    assert "2 entries" in listed.stdout and "kept.txt" in listed.stdout and "(gone)" in listed.stdout
    as_json = json.loads(runner.invoke(app, ["cache", "list", "--cache-dir", str(folder), "--json"]).stdout)
    assert {e["source"] for e in as_json} == {str(kept), str(folder.parent / "gone.txt")}
    cleared = runner.invoke(app, ["cache", "clear", "--missing", "--cache-dir", str(folder)])
    assert cleared.exit_code == 0 and "deleted 1 entries" in cleared.stdout
    bad = runner.invoke(app, ["cache", "clear", "nosuchkey", "--cache-dir", str(folder)])
    assert bad.exit_code == 2 and "matches no entry" in bad.output
    everything = runner.invoke(app, ["cache", "clear", "--cache-dir", str(folder)])
    assert everything.exit_code == 0 and "deleted 1 entries" in everything.stdout
    assert list_cache(folder) == []


def test_default_folder_is_nlptk_cache_env(cache, monkeypatch):
    folder, _, _ = cache
    monkeypatch.setenv("NLPTK_CACHE", str(folder))
    listed = runner.invoke(app, ["cache", "list"])
    assert listed.exit_code == 0 and str(folder) in listed.stdout.replace("\n", "")
