"""One opener, one line reader, one atomic writer."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path

import pytest

from nlptk.errors import EncodingError, InputFileError, OutputExistsError
from nlptk.io import (
    atomic_directory,
    atomic_write,
    check_input_file,
    iter_lines,
    strip_compression_suffix,
)

TEXT = "first line\nsecond line, café\r\nthird\n"


@pytest.mark.parametrize("opener", [None, gzip.open, bz2.open, lzma.open])
def test_iter_lines_reads_plain_and_compressed(tmp_path: Path, opener) -> None:  # type: ignore[no-untyped-def]
    suffix = {None: "", gzip.open: ".gz", bz2.open: ".bz2", lzma.open: ".xz"}[opener]
    path = tmp_path / f"corpus.txt{suffix}"
    data = TEXT.encode("utf-8")
    if opener is None:
        path.write_bytes(data)
    else:
        with opener(path, "wb") as fh:
            fh.write(data)
    assert list(iter_lines(path)) == ["first line", "second line, café", "third"]
    assert strip_compression_suffix(path) == "corpus.txt"


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffhello\nworld\n".encode())
    assert list(iter_lines(path)) == ["hello", "world"]


def test_undecodable_byte_reports_line_and_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("plain ascii\nun caf\xe9 noir\n".encode("latin-1"))
    with pytest.raises(EncodingError) as info:
        list(iter_lines(path))
    err = info.value
    assert err.line == 2
    assert err.byte_offset == len(b"plain ascii\nun caf")
    assert "0xe9" in str(err) and "--encoding latin-1" in str(err)
    # and the fix the message suggests works
    assert list(iter_lines(path, encoding="latin-1"))[1] == "un café noir"


def test_unknown_encoding_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x\n")
    with pytest.raises(EncodingError, match="unknown encoding 'klingon'"):
        list(iter_lines(path, encoding="klingon"))


def test_missing_empty_and_directory_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not found"):
        check_input_file(tmp_path / "nope.txt")
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(InputFileError, match="is empty"):
        check_input_file(tmp_path / "empty.txt")
    with pytest.raises(InputFileError, match="found a folder"):
        check_input_file(tmp_path)


def test_atomic_write_refuses_existing_output_and_keeps_it(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("precious")
    with pytest.raises(OutputExistsError, match="--force"), atomic_write(target) as fh:
        fh.write("new")
    assert target.read_text() == "precious"
    with atomic_write(target, force=True) as fh:
        fh.write("new")
    assert target.read_text() == "new"


def test_atomic_write_leaves_nothing_when_interrupted(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(KeyboardInterrupt), atomic_write(target) as fh:
        fh.write("half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_atomic_directory_replaces_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "model"
    with atomic_directory(target) as tmp:
        (tmp / "a.txt").write_text("1")
    assert (target / "a.txt").read_text() == "1"

    with pytest.raises(RuntimeError), atomic_directory(target, force=True) as tmp:
        (tmp / "b.txt").write_text("2")
        raise RuntimeError("training crashed")
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]  # the old output is intact
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temporary left behind

    with atomic_directory(target, force=True) as tmp:
        (tmp / "b.txt").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
