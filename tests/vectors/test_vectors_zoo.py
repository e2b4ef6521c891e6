"""The vectors zoo: registry entries, resumable and verified downloads from a local HTTP server."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from typer.testing import CliRunner

import nlptk
from nlptk.cli.app import app
from nlptk.errors import DownloadError, InputFileError, ParameterError
from nlptk.text.registry import _parse_entry
from nlptk.vectors import zoo


class _Server(ThreadingHTTPServer):
    files: dict[str, bytes]
    cut_after: int | None = None
    ranges: list[str | None]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:
        data = self.server.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        wanted = self.headers.get("Range")
        self.server.ranges.append(wanted)
        start = int(wanted.split("=")[1].split("-")[0]) if wanted else 0
        if start >= len(data):
            self.send_response(416)
            self.end_headers()
            return
        self.send_response(206 if wanted else 200)
        if wanted:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        body = data[start:]
        if self.server.cut_after is not None:  # an interrupted transfer: part of the body, then hang up
            body, self.server.cut_after = body[: self.server.cut_after], None
            self.close_connection = True
        self.wfile.write(body)


@pytest.fixture
def server():
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.files, srv.ranges = {}, []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _glove_zip(n: int = 300, dim: int = 4) -> tuple[bytes, list[str], np.ndarray]:
    rng = np.random.default_rng(0)
    words = [f"word{i}" for i in range(n)]
    matrix = rng.normal(size=(n, dim)).round(4).astype(np.float32)
    text = "".join(f"{w} {' '.join(f'{x:.4f}' for x in row)}\n" for w, row in zip(words, matrix, strict=True))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("tiny.4d.txt", text)
    return buffer.getvalue(), words, matrix


@pytest.fixture
def tiny_zoo(server, monkeypatch, tmp_path):
    payload, words, matrix = _glove_zip()
    server.files["/tiny.zip"] = payload
    url = f"http://127.0.0.1:{server.server_address[1]}/tiny.zip"
    entry = {
        "name": "tiny.4d",
        "kind": "vectors",
        "format": "glove",
        "dim": 4,
        "words": len(words),
        "license": "CC0",
        "download": [
            {
                "url": url,
                "file": "vectors/downloads/tiny.zip",
                "archive": "zip",
                "member": "tiny.4d.txt",
                "size": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
            }
        ],
    }
    entries = [_parse_entry(entry)]
    monkeypatch.setattr(zoo, "list_vectors", lambda: entries)
    monkeypatch.setenv("NLPTK_DATA", str(tmp_path / "data"))
    return entry, words, matrix, payload


def test_the_registry_lists_the_well_known_sets() -> None:
    names = {e.name for e in zoo.list_vectors()}
    for name in (
        "glove.6B.100d",
        "glove.42B.300d",
        "glove.840B.300d",
        "glove.twitter.27B.200d",
        "fasttext.wiki-news-300d-1M",
        "fasttext.wiki-news-300d-1M-subword",
        "fasttext.crawl-300d-2M",
        "fasttext.crawl-300d-2M-subword",
        "word2vec.google-news-300",
    ):
        assert name in names
    for e in zoo.list_vectors():
        assert (
            e.extra["dim"] and e.extra["words"] and e.license and e.downloads[0]["url"].startswith("https://")
        )
        assert e.downloads[0].get("sha256") or e.checksum_note  # a checksum, or a note that none is known
    assert "glove.6B.100d" not in {c.name for c in nlptk.list_corpora()}  # vectors are not corpora


def test_unknown_names_list_the_close_ones() -> None:
    with pytest.raises(ParameterError, match=r"did you mean glove\.6B\.100d"):
        nlptk.load_vectors("glove.6B.10d")
    with pytest.raises(ParameterError, match=r"fasttext\.wiki-news-300d-1M"):
        nlptk.load_vectors("fasttxt")


def test_interrupted_download_resumes_then_converts_once(server, tiny_zoo, tmp_path) -> None:
    _, words, matrix, payload = tiny_zoo
    server.cut_after = len(payload) // 2
    with pytest.raises(DownloadError, match="broke off"):
        zoo.download_vectors("tiny.4d")
    part = tmp_path / "data" / "vectors" / "downloads" / "tiny.zip.part"
    assert part.stat().st_size == len(payload) // 2
    with pytest.raises(InputFileError, match=r"nlptk vectors download tiny\.4d"):
        nlptk.load_vectors("tiny.4d")
    folder = zoo.download_vectors("tiny.4d")
    assert server.ranges == [None, f"bytes={len(payload) // 2}-"]  # the second request asked for the rest
    assert not part.exists()
    vectors = nlptk.load_vectors("tiny.4d")
    assert vectors.words == words
    np.testing.assert_allclose(np.asarray(vectors.vectors), matrix, atol=1e-6)
    assert (folder / "vectors.npy").is_file() and isinstance(vectors.vectors, np.memmap)
    assert not (folder.parent / "downloads" / "tiny.4d.txt").exists()  # the extracted text is removed
    zoo.download_vectors("tiny.4d")  # already converted: no new request
    assert len(server.ranges) == 2


def test_a_corrupted_download_is_refused_and_removed(server, tiny_zoo, tmp_path) -> None:
    _, _, _, payload = tiny_zoo
    server.files["/tiny.zip"] = payload[:-10] + b"0123456789"  # same size, other bytes
    with pytest.raises(DownloadError, match="sha256 checksum"):
        zoo.download_vectors("tiny.4d")
    downloads = tmp_path / "data" / "vectors" / "downloads"
    assert list(downloads.iterdir()) == []
    assert not (tmp_path / "data" / "vectors" / "tiny.4d").exists()


def test_no_network_says_so(tiny_zoo) -> None:
    entry = tiny_zoo[0]
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    entry["download"][0]["url"] = f"http://127.0.0.1:{port}/tiny.zip"
    with pytest.raises(DownloadError, match="no network connection"):
        zoo.download_vectors("tiny.4d")


def test_command_line(server, tiny_zoo) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["vectors", "download", "tiny.4d", "--no-progress"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["vectors", "list", "--json"])
    assert result.exit_code == 0 and '"downloaded": true' in result.output
    result = runner.invoke(app, ["vectors", "download", "tiny4d"])
    assert result.exit_code == 2 and "did you mean tiny.4d" in result.output
