"""Tests of nlptk.text.registry: the manifest, resolving names, downloading (no network)."""

from __future__ import annotations

import gzip
import hashlib
import io
import urllib.error
import zipfile

import pytest

from nlptk.errors import DownloadError, FormatError, InputFileError, ParameterError
from nlptk.text import registry
from nlptk.text.registry import (
    CorpusInfo,
    corpus_info,
    default_corpus,
    default_data_dir,
    download_corpus,
    list_corpora,
    resolve_corpus,
)

PAYLOAD = b"0 a small test corpus\n1 with two lines\n"


def _register(monkeypatch, info: CorpusInfo) -> None:
    monkeypatch.setitem(registry._registry(), info.name, info)


def _fake_urlopen(monkeypatch, payload: bytes, calls: list[str] | None = None) -> None:
    def fake(url, timeout=None):
        if calls is not None:
            calls.append(url)
        return io.BytesIO(payload)

    monkeypatch.setattr(registry.urllib.request, "urlopen", fake)


def test_manifest_lists_shipped_and_public_corpora_with_checksums():
    names = [c.name for c in list_corpora()]
    for expected in [
        "lee_background",
        "lee",
        "pang_lee_polarity",
        "text8",
        "wikitext2",
        "sst2",
        "trec",
        "mr",
    ]:
        assert expected in names
    assert default_corpus() == "lee_background"
    for info in list_corpora():
        assert info.splits, info.name
        for item in info.downloads:
            assert item["url"].startswith(("http://", "https://")) and item["file"]
            has_check = any(item.get(k) for k in ("sha256", "md5", "size"))
            assert has_check or info.checksum_note, f"{info.name} download has no check and no note"
    assert corpus_info("mr").encoding == "cp1252" and corpus_info("sst2").labelled_format == "label-first"


def test_shipped_corpus_resolves_without_download(tmp_path):
    path = resolve_corpus("lee_background", data_dir=tmp_path)
    assert path.name == "lee_background.cor" and path.exists()


def test_data_dir_copy_wins_over_shipped_and_compressed_variants_are_found(tmp_path, monkeypatch):
    own = tmp_path / "lee_background.cor"
    own.write_text("my own lee\n")
    assert resolve_corpus("lee_background", data_dir=tmp_path) == own
    (tmp_path / "classification" / "trec").mkdir(parents=True)
    gz = tmp_path / "classification" / "trec" / "TREC.test.all.gz"
    with gzip.open(gz, "wt") as fh:
        fh.write("0 what is it ?\n")
    assert resolve_corpus("trec:test", data_dir=tmp_path) == gz
    monkeypatch.setenv("NLPTK_DATA", str(tmp_path))
    assert default_data_dir() == tmp_path
    assert resolve_corpus("trec:test") == gz


def test_unknown_name_and_split_suggest_close_names():
    with pytest.raises(ParameterError) as info:
        resolve_corpus("wikitex2")
    assert "did you mean wikitext2" in str(info.value)
    with pytest.raises(ParameterError, match=r"has no split 'validation'.*train, valid, test"):
        resolve_corpus("wikitext2:validation")


def test_missing_corpus_says_how_to_download(tmp_path):
    with pytest.raises(InputFileError) as info:
        resolve_corpus("sst2:test", data_dir=tmp_path)
    message = str(info.value)
    assert "nlptk corpus download sst2" in message and str(tmp_path) in message and "\n" not in message
    with pytest.raises(InputFileError, match="cannot be downloaded"):
        resolve_corpus("enwiki_100m", data_dir=tmp_path)


def test_download_checks_sha256_writes_atomically_and_resolves(tmp_path, monkeypatch):
    _register(
        monkeypatch,
        CorpusInfo(
            name="tiny",
            kind="labelled",
            format="label-first",
            splits={"train": ["tiny/tiny.txt"]},
            downloads=[
                {
                    "url": "https://example.org/tiny.txt",
                    "file": "tiny/tiny.txt",
                    "size": len(PAYLOAD),
                    "sha256": hashlib.sha256(PAYLOAD).hexdigest(),
                    "md5": hashlib.md5(PAYLOAD).hexdigest(),
                }
            ],
        ),
    )
    calls: list[str] = []
    _fake_urlopen(monkeypatch, PAYLOAD, calls)
    path = resolve_corpus("tiny", data_dir=tmp_path, download=True)
    assert path == tmp_path / "tiny" / "tiny.txt" and path.read_bytes() == PAYLOAD
    assert calls == ["https://example.org/tiny.txt"]
    download_corpus("tiny", tmp_path)  # already there: not fetched again
    assert len(calls) == 1
    assert not [p for p in (tmp_path / "tiny").iterdir() if p.name.endswith(".part")]


def test_checksum_mismatch_keeps_nothing(tmp_path, monkeypatch):
    _register(
        monkeypatch,
        CorpusInfo(
            name="tiny",
            splits={"train": ["tiny.txt"]},
            downloads=[{"url": "https://example.org/t", "file": "tiny.txt", "sha256": "0" * 64}],
        ),
    )
    _fake_urlopen(monkeypatch, PAYLOAD)
    with pytest.raises(DownloadError, match=r"sha256 checksum .* expected 0000"):
        download_corpus("tiny", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_size_mismatch_is_a_download_error(tmp_path, monkeypatch):
    _register(
        monkeypatch,
        CorpusInfo(
            name="tiny", splits={"train": ["t"]}, downloads=[{"url": "https://x/t", "file": "t", "size": 5}]
        ),
    )
    _fake_urlopen(monkeypatch, PAYLOAD)
    with pytest.raises(DownloadError, match="expected 5"):
        download_corpus("tiny", tmp_path)
    assert not (tmp_path / "t").exists()


def test_offline_gives_a_clear_download_error(tmp_path, monkeypatch):
    _register(
        monkeypatch,
        CorpusInfo(
            name="tiny", splits={"train": ["t"]}, downloads=[{"url": "https://x.invalid/t", "file": "t"}]
        ),
    )

    def offline(url, timeout=None):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(registry.urllib.request, "urlopen", offline)
    with pytest.raises(DownloadError) as info:
        download_corpus("tiny", tmp_path)
    message = str(info.value)
    assert "cannot download corpus 'tiny' from https://x.invalid/t" in message
    assert "name resolution" in message and "check the network connection" in message


def test_refused_connection_with_real_urlopen(tmp_path, monkeypatch):
    # port 9 (discard) on the loopback: refused at once, no network involved
    _register(
        monkeypatch,
        CorpusInfo(
            name="tiny", splits={"train": ["t"]}, downloads=[{"url": "http://127.0.0.1:9/t", "file": "t"}]
        ),
    )
    with pytest.raises(DownloadError, match="cannot download corpus 'tiny'"):
        download_corpus("tiny", tmp_path)


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_zip_archive_is_unpacked_beside_it(tmp_path, monkeypatch):
    archive = _zip_bytes({"wt/wiki.train.tokens": b"a b c\n", "wt/wiki.test.tokens": b"d\n"})
    _register(
        monkeypatch,
        CorpusInfo(
            name="wt",
            splits={"train": ["wt/wt/wiki.train.tokens"], "test": ["wt/wt/wiki.test.tokens"]},
            downloads=[
                {
                    "url": "https://x/wt.zip",
                    "file": "wt/wt.zip",
                    "md5": hashlib.md5(archive).hexdigest(),
                    "archive": "zip",
                }
            ],
        ),
    )
    _fake_urlopen(monkeypatch, archive)
    path = download_corpus("wt", tmp_path)
    assert path.read_text() == "a b c\n"
    assert resolve_corpus("wt:test", data_dir=tmp_path).read_text() == "d\n"


def test_zip_with_unsafe_member_is_refused(tmp_path, monkeypatch):
    archive = _zip_bytes({"../evil.txt": b"x"})
    _register(
        monkeypatch,
        CorpusInfo(
            name="evil",
            splits={"train": ["evil/evil.txt"]},
            downloads=[{"url": "https://x/e.zip", "file": "evil/e.zip", "archive": "zip"}],
        ),
    )
    _fake_urlopen(monkeypatch, archive)
    with pytest.raises(FormatError, match="unsafe path"):
        download_corpus("evil", tmp_path)
    assert not (tmp_path / "evil.txt").exists()


def test_shipped_corpus_cannot_be_downloaded(tmp_path):
    with pytest.raises(ParameterError, match="shipped with gensim"):
        download_corpus("lee_background", tmp_path)
