"""File input and output shared by all of nlptk: one opener, one line reader, one atomic writer.

* :func:`check_input_file` / :func:`check_input_dir` turn a missing, empty or wrong-kind
  path into an :class:`~nlptk.errors.InputFileError` with a one-line message.
* :func:`open_binary` opens plain, ``.gz``, ``.bz2`` and ``.xz`` files alike.
* :func:`iter_lines` yields decoded lines and reports undecodable bytes with the file name
  and byte offset (an :class:`~nlptk.errors.EncodingError`), instead of a bare
  ``UnicodeDecodeError`` from somewhere deep in a trainer.
* :func:`atomic_write` and :func:`atomic_directory` write to a temporary name beside the
  target and rename it into place only when complete, so an interrupted run never leaves a
  half-written output that looks whole. An existing output is refused unless ``force=True``.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import io
import lzma
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

from nlptk.errors import EncodingError, FormatError, InputFileError, NlptkError, OutputExistsError

__all__ = [
    "COMPRESSED_SUFFIXES",
    "TABLE_SUFFIXES",
    "atomic_binary_output",
    "atomic_directory",
    "atomic_write",
    "check_encoding",
    "check_input_dir",
    "check_input_file",
    "check_output",
    "is_compressed",
    "iter_lines",
    "make_folder",
    "open_binary",
    "open_text",
    "reading",
    "strip_compression_suffix",
    "table_format",
]

PathLike = str | os.PathLike[str]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")

#: Table file suffix -> format, for CSV/TSV/JSONL corpora and labelled data (after any compression suffix).
TABLE_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def is_compressed(path: PathLike) -> bool:
    """Whether the name ends in ``.gz``, ``.bz2`` or ``.xz`` (the compressions nlptk reads and writes)."""
    return Path(path).name.endswith(COMPRESSED_SUFFIXES)


def table_format(path: PathLike) -> str | None:
    """``"csv"``, ``"tsv"`` or ``"jsonl"`` from a table file's suffix (``a.tsv.gz`` -> tsv), else ``None``."""
    return TABLE_SUFFIXES.get(Path(strip_compression_suffix(path)).suffix.lower())


def strip_compression_suffix(path: PathLike) -> str:
    """Return the file name without a ``.gz``/``.bz2``/``.xz`` suffix (``a.txt.gz`` -> ``a.txt``)."""
    name = Path(path).name
    for suffix in COMPRESSED_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def check_input_file(path: PathLike, *, allow_empty: bool = False, what: str = "input file") -> Path:
    """Check that ``path`` is an existing, readable, non-empty regular file.

    Raises
    ------
    InputFileError
        When it is missing, a folder, unreadable, or empty (unless ``allow_empty``).
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{what} not found", path=p, hint="check the path")
    if p.is_dir():
        raise InputFileError(f"expected a file but found a folder ({what})", path=p, hint="give a file path")
    if not os.access(p, os.R_OK):
        raise InputFileError(f"{what} is not readable", path=p, hint="check its permissions")
    if not allow_empty and p.stat().st_size == 0:
        raise InputFileError(f"{what} is empty", path=p, hint="give a file with content")
    return p


def check_input_dir(path: PathLike, *, what: str = "input folder") -> Path:
    """Check that ``path`` is an existing folder; raise :class:`InputFileError` otherwise."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{what} not found", path=p, hint="check the path")
    if not p.is_dir():
        raise InputFileError(f"expected a folder but found a file ({what})", path=p)
    return p


class _CheckedDecompression(io.RawIOBase):
    """A decompressing stream whose damage errors name the file.

    gzip, bz2 and lzma report a truncated or corrupt file as ``EOFError`` ("Compressed file
    ended before the end-of-stream marker was reached"), ``zlib.error``, ``lzma.LZMAError``
    or ``OSError`` ("Invalid data stream"), with no file name; every reader would have to
    catch all four. Here they become one :class:`~nlptk.errors.FormatError`.
    """

    def __init__(self, inner: IO[bytes], path: Path) -> None:
        super().__init__()
        self._inner, self._path, self._offset = inner, path, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            n = self._inner.readinto(buffer)  # type: ignore[attr-defined]
        except (EOFError, OSError, ValueError, zlib.error, lzma.LZMAError) as exc:
            reason = "ends too early (truncated)" if isinstance(exc, EOFError) else f"is damaged ({exc})"
            where = f" after {self._offset:,} decompressed bytes" if self._offset else ""
            raise FormatError(
                f"the compressed file {reason}{where}",
                path=self._path,
                hint="download or compress the file again",
            ) from None
        self._offset += n or 0
        return n

    def close(self) -> None:
        self._inner.close()
        super().close()


_DECOMPRESSORS: dict[str, Any] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def open_binary(path: PathLike) -> IO[bytes]:
    """Open a file for binary reading, decompressing ``.gz``, ``.bz2`` and ``.xz`` by suffix.

    The path is checked with :func:`check_input_file` first. A truncated or corrupt
    compressed file raises :class:`~nlptk.errors.FormatError` (naming the file) when read.
    """
    p = check_input_file(path)
    name = p.name
    opener = next((f for suffix, f in _DECOMPRESSORS.items() if name.endswith(suffix)), None)
    try:
        if opener is None:
            return open(p, "rb")
        inner: IO[bytes] = opener(p, "rb")
    except OSError as exc:  # pragma: no cover - permissions raced away
        raise InputFileError(f"cannot open: {exc.strerror or exc}", path=p) from exc
    return io.BufferedReader(_CheckedDecompression(inner, p), buffer_size=1 << 16)  # type: ignore[return-value]


@contextlib.contextmanager
def reading(path: PathLike, what: str) -> Iterator[None]:
    """Turn any failure while parsing a file nlptk wrote into a :class:`FormatError` naming it.

    Loaders of nlptk's own files (model folders, ``.npz`` arrays, JSON metadata) check what
    they can; a damaged file can still fail deep inside NumPy, ``zipfile`` or ``json`` with
    an exception of another kind (``BadZipFile``, ``EOFError``, ``JSONDecodeError``,
    ``KeyError``...). Inside this block those become one line that says which file is
    damaged; the original stays chained for ``--debug``. NlptkErrors pass unchanged.
    """
    try:
        yield
    except (NlptkError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:
        detail = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")[:160]
        raise FormatError(
            f"cannot read the {what}: it is damaged or was not written by nlptk "
            f"({type(exc).__name__}{': ' + detail if detail else ''})",
            path=path,
            hint="write it again with nlptk",
        ) from exc


@contextlib.contextmanager
def atomic_binary_output(path: PathLike, *, force: bool = False) -> Iterator[IO[bytes]]:
    """An atomic binary output (:func:`atomic_write`), compressed when the name ends in
    ``.gz``/``.bz2``/``.xz``: the writing side of :func:`open_binary`."""
    with atomic_write(path, "wb", force=force) as raw:
        name = Path(path).name
        if name.endswith(".gz"):
            with gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=6) as out:
                yield out  # type: ignore[misc]
        elif name.endswith(".bz2"):
            with bz2.BZ2File(raw, "wb") as out:
                yield out  # type: ignore[misc]
        elif name.endswith(".xz"):
            with lzma.LZMAFile(raw, "wb") as out:
                yield out  # type: ignore[misc]
        else:
            yield raw


def check_encoding(encoding: str) -> None:
    """Raise :class:`~nlptk.errors.EncodingError` for an unknown codec name."""
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise EncodingError(
            f"unknown encoding {encoding!r}", hint="use a Python codec name such as utf-8 or latin-1"
        ) from exc


def open_text(path: PathLike, *, encoding: str = "utf-8", errors: str = "strict") -> IO[str]:
    """Open a (possibly compressed) file for text reading.

    Prefer :func:`iter_lines` for line-by-line reading: it reports decoding errors with
    the byte offset. This function suits readers that hand the stream to a library
    (``csv``, ``json``).
    """
    check_encoding(encoding)
    return io.TextIOWrapper(open_binary(path), encoding=encoding, errors=errors, newline="")


def _decoding_error(
    path: PathLike, encoding: str, exc: UnicodeDecodeError, line_start: int, lineno: int
) -> EncodingError:
    offset = line_start + exc.start
    bad = exc.object[exc.start : exc.start + 1]
    return EncodingError(
        f"cannot decode byte 0x{bad.hex()} at byte offset {offset} as {encoding}",
        byte_offset=offset,
        path=path,
        line=lineno,
        hint="pass the file's encoding (for example --encoding latin-1)",
    )


def iter_lines(
    path: PathLike,
    *,
    encoding: str = "utf-8",
    errors: str = "strict",
    keep_ends: bool = False,
) -> Iterator[str]:
    """Yield the decoded lines of a (possibly compressed) text file.

    Lines are split on ``\\n``; a trailing ``\\r`` is dropped too unless ``keep_ends``.

    Raises
    ------
    InputFileError
        The file is missing, a folder or empty.
    EncodingError
        A line cannot be decoded; the message names the file, line and byte offset.
    """
    check_encoding(encoding)
    decoder_is_utf8 = codecs.lookup(encoding).name == "utf-8"
    with open_binary(path) as handle:
        position = 0
        for lineno, raw in enumerate(handle, start=1):
            try:
                text = raw.decode(encoding, errors)
            except UnicodeDecodeError as exc:
                raise _decoding_error(path, encoding, exc, position, lineno) from None
            position += len(raw)
            if lineno == 1 and decoder_is_utf8 and text.startswith("\ufeff"):
                text = text[1:]
            if not keep_ends:
                text = text.rstrip("\r\n")
            yield text


def make_folder(folder: PathLike) -> Path:
    """Create ``folder`` and its parents; a file in the way is an :class:`InputFileError`."""
    p = Path(folder)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((q for q in (p, *p.parents) if q.exists() and not q.is_dir()), p)
        raise InputFileError(
            "cannot create a folder there: a file of that name is in the way",
            path=blocker,
            hint="give a folder path, or move the file",
        ) from None
    return p


def check_output(path: PathLike, *, force: bool = False, file: bool = False) -> Path:
    """Refuse an existing output unless ``force``; return the path.

    Commands with several outputs call this for each before writing the first, so that a
    refusal never leaves some written and others not. ``file=True`` also refuses a folder
    where a file is to be written (``force`` cannot replace a folder with a file).

    Raises
    ------
    InputFileError
        ``file`` is true and ``path`` is a folder.
    OutputExistsError
        ``path`` exists and ``force`` is false.
    """
    p = Path(path)
    if file and p.is_dir():
        raise InputFileError(
            "expected a file name for the output but found a folder",
            path=p,
            hint="give a file name (for example inside that folder)",
        )
    if p.exists() and not force:
        raise OutputExistsError(
            "output already exists", path=p, hint="choose another name or pass --force to replace it"
        )
    return p


@contextlib.contextmanager
def atomic_write(
    path: PathLike,
    mode: Literal["w", "wb"] = "w",
    *,
    force: bool = False,
    encoding: str = "utf-8",
    newline: str | None = "\n",
) -> Iterator[IO]:
    """Write a file under a temporary name and rename it to ``path`` when the block succeeds.

    If the block raises (or the process is interrupted), the target is untouched and the
    temporary file is removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(target) as fh:
    ...     _ = fh.write("hello\\n")
    >>> target.read_text()
    'hello\\n'
    """
    target = check_output(path, force=force, file=True)
    make_folder(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual permissions
        if "b" in mode:
            handle: IO = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


@contextlib.contextmanager
def atomic_directory(path: PathLike, *, force: bool = False) -> Iterator[Path]:
    """Build an output folder under a temporary name and move it to ``path`` when complete.

    Yields the temporary folder to write into. On success an existing ``path`` (allowed
    only with ``force``) is replaced; on failure or interruption it is left as it was and
    the temporary folder is removed.
    """
    target = check_output(path, force=force)
    make_folder(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700
        yield tmp
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, old / "previous")
            try:
                os.replace(tmp, target)
            except BaseException:
                os.replace(old / "previous", target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
