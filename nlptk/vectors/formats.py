"""Every vectors file format nlptk reads and writes, and detection of the format from the file.

Formats (``FORMATS``), with what is read and written:

* ``native``: nlptk's folder, ``vectors.npy`` (float32, opened memory-mapped, no pickle),
  ``vocab.tsv`` (``word<TAB>count``, tabs/newlines/backslashes escaped) and ``meta.json``
  (dim, n_words, nlptk and format versions, the vectors' meta). Read and written; opens
  in milliseconds at any size. Subword information is not kept (keep the ``.bin``).
* ``word2vec``: text with an ``N DIM`` header; fastText ``.vec`` is the same format
  (alias ``fasttext-vec``). Read and written.
* ``word2vec-binary``: the C tool's binary (header, then ``word<space>`` and DIM float32
  per word). Read and written.
* ``glove``: text without a header. Read and written.
* ``fasttext-bin``: a fastText model, read with gensim so that unseen words get subword
  vectors; "written" only by copying the ``.bin`` the vectors came from.
* ``spacy``: a spaCy ``Vectors`` folder (read and written) or a pipeline folder (read).
* ``gensim``: gensim ``.kv``/``.model`` files; pickles, so read only with ``trust=True``.

Text files may be compressed (``.gz``, ``.bz2``, ``.xz``), read and written. Writers go
through :func:`nlptk.io.atomic_write` / :func:`nlptk.io.atomic_directory` and refuse an
existing output unless ``force=True``.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import numpy as np

from nlptk.errors import FormatError, InputFileError, ParameterError
from nlptk.io import (
    atomic_binary_output,
    atomic_directory,
    atomic_write,
    check_input_dir,
    check_input_file,
    open_binary,
)
from nlptk.vectors._fasttext_bin import load_fasttext_bin
from nlptk.vectors._native import NATIVE_FORMAT_VERSION, fasttext_model, read_native, write_native
from nlptk.vectors._word2vec import (
    parse_header,
    read_text_vectors,
    read_word2vec_binary,
    write_text_vectors,
    write_word2vec_binary,
)
from nlptk.vectors.container import Vectors
from nlptk.vectors.health import check_vectors

__all__ = ["FORMATS", "NATIVE_FORMAT_VERSION", "detect_format", "load_vectors", "save_vectors"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

FORMATS: tuple[str, ...] = (
    "native",
    "word2vec",
    "fasttext-vec",
    "word2vec-binary",
    "glove",
    "fasttext-bin",
    "spacy",
    "gensim",
)
_ALIASES = {"fasttext-vec": "word2vec", "vec": "word2vec", "word2vec-text": "word2vec", "nlptk": "native"}
_FASTTEXT_MAGIC = (793712314).to_bytes(4, "little")
_GENSIM_SUFFIXES = (".kv", ".model", ".wv")
# bytes that may follow the first word of a text vectors line: numbers, nan/inf, whitespace
_NUMERIC_TEXT = b"0123456789.-+eE \t\r\nnaNAifIF"


def _canonical(format: str) -> str:
    name = format.strip().lower()
    name = _ALIASES.get(name, name)
    if name not in FORMATS:
        raise ParameterError(f"unknown vectors format {format!r}", hint="use one of: " + ", ".join(FORMATS))
    return name


# -- detection ---------------------------------------------------------------------------
def _is_spacy_vectors_dir(folder: Path) -> bool:
    return (folder / "vectors").is_file() and (folder / "vectors.cfg").is_file()


def _looks_like_binary_record(rest: bytes, dim: int) -> bool:
    """True when the bytes after the header hold a binary record rather than a text line.

    A text line is a word, then only numeric text (at least two values, or ``dim`` of them
    when ``dim`` is 1); the bytes of binary float32 values almost never look like that.
    """
    if not rest.strip():
        return False  # a header and nothing else
    _, _, values = rest.split(b"\n", 1)[0].partition(b" ")
    numeric = bool(values.strip()) and not values.translate(None, _NUMERIC_TEXT)
    return not (numeric and len(values.split()) >= min(dim, 2))


def detect_format(path: PathLike) -> str:
    """Tell the format of a vectors file or folder from its content (and, for pickles, its suffix).

    Folders: ``vectors.npy`` -> ``native``; a spaCy vectors or pipeline folder -> ``spacy``.
    Files: ``.kv``/``.model``/``.wv`` or a pickle -> ``gensim``; the fastText magic number
    -> ``fasttext-bin``; an ``N DIM`` header followed by binary -> ``word2vec-binary``,
    followed by text -> ``word2vec``; otherwise ``glove``.

    Raises
    ------
    InputFileError
        The path is missing, empty, or a folder that holds no vectors.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
    >>> _ = f.write_text("2 3\\nking 1 0 0\\nqueen 0 1 0\\n")
    >>> detect_format(f)
    'word2vec'
    """
    p = Path(path)
    if p.is_dir():
        if (p / "vectors.npy").is_file():
            return "native"
        if _is_spacy_vectors_dir(p) or _is_spacy_vectors_dir(p / "vocab"):
            return "spacy"
        raise InputFileError(
            "folder holds no vectors (no vectors.npy, no spaCy vectors)",
            path=p,
            hint="give an nlptk vectors folder, a spaCy vectors or pipeline folder, or a vectors file",
        )
    check_input_file(p, what="vectors file")
    name = p.name.lower()
    if name.endswith(_GENSIM_SUFFIXES):
        return "gensim"
    with open_binary(p) as handle:
        head = handle.read(1 << 16)
    if not head:
        raise InputFileError("vectors file is empty", path=p, hint="give a file with content")
    if head[:4] == _FASTTEXT_MAGIC:
        return "fasttext-bin"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "gensim"
    first, _, rest = head.partition(b"\n")
    parsed = parse_header(first)
    if parsed is not None:
        return "word2vec-binary" if _looks_like_binary_record(rest, parsed[1]) else "word2vec"
    if name.endswith(".bin"):  # fastText files from before the magic number (version < 11)
        return "fasttext-bin"
    return "glove"


# -- text and binary word2vec family -----------------------------------------------------
def _check_unique(words: list[str], path: Path, first_line: int | None) -> dict[str, int]:
    index = dict(zip(words, range(len(words)), strict=True))
    if len(index) == len(words):
        return index
    seen: dict[str, int] = {}
    for i, word in enumerate(words):
        if word in seen:
            where = (
                f"(first on line {first_line + seen[word]})"
                if first_line is not None
                else f"(first as word {seen[word] + 1})"
            )
            raise FormatError(
                f"duplicate word {word!r} {where}",
                path=path,
                line=None if first_line is None else first_line + i,
                hint="words must be unique; remove one of the two rows",
            )
        seen[word] = i
    raise AssertionError  # pragma: no cover


def _check_finite(words: list[str], matrix: np.ndarray, path: Path, first_line: int | None) -> None:
    """Refuse nan and inf: they make every cosine with the word nan, and plots fail later."""
    finite = np.isfinite(matrix).all(axis=1)
    if finite.all():
        return
    row = int(np.flatnonzero(~finite)[0])
    column = int(np.flatnonzero(~np.isfinite(matrix[row]))[0])
    raise FormatError(
        f"the vector of {words[row]!r} has a non-finite value ({matrix[row, column]}) in column "
        f"{column + 1}" + ("" if first_line is not None else f" (word {row + 1})"),
        path=path,
        line=None if first_line is None else first_line + row,
        hint="vectors must hold finite numbers; fix or remove that row",
    )


def _from_words(
    words: list[str], matrix: np.ndarray, path: Path, first_line: int | None, fmt: str
) -> Vectors:
    _check_finite(words, matrix, path, first_line)
    index = _check_unique(words, path, first_line)
    # the index was built while checking for duplicates
    return Vectors(words, matrix, meta={"source_format": fmt, "source": str(path)}, key_to_index=index)


# -- fastText, spaCy, gensim -------------------------------------------------------------
def _read_fasttext_bin(path: Path, limit: int | None) -> Vectors:
    check_input_file(path, what="fastText model")
    kv = load_fasttext_bin(path)
    _check_finite(kv.index_to_key, kv.vectors, path, None)
    meta = {"source_format": "fasttext-bin", "source": str(path)}
    if limit is not None and limit < len(kv.index_to_key):
        logger.warning(
            "limit=%d: keeping the first %d of %d words and dropping the subword information",
            limit,
            limit,
            len(kv.index_to_key),
        )
        return Vectors(kv.index_to_key[:limit], np.asarray(kv.vectors[:limit], dtype=np.float32), meta=meta)
    return Vectors.from_gensim(kv, meta=meta, subword_model=path.resolve())


def _write_fasttext_bin(vectors: Vectors, path: Path, force: bool) -> None:
    source = fasttext_model(vectors)
    if source is None:
        raise ParameterError(
            "cannot write a fastText .bin: it holds a whole fastText model (subword buckets, "
            "training state), and these vectors did not come from one whose .bin is still at hand",
            hint="write 'fasttext-vec' (text) instead, or train with fastText to get a .bin",
        )
    with atomic_write(path, "wb", force=force) as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out, 1 << 20)


def _read_spacy(path: Path, limit: int | None) -> Vectors:
    from spacy.strings import StringStore
    from spacy.vectors import Vectors as SpacyVectors

    folder = check_input_dir(path, what="spaCy folder")
    if not _is_spacy_vectors_dir(folder):
        if not _is_spacy_vectors_dir(folder / "vocab"):
            raise InputFileError(
                "not a spaCy vectors folder (no 'vectors' and 'vectors.cfg') nor a pipeline folder "
                "(no 'vocab/vectors')",
                path=folder,
            )
        folder = folder / "vocab"
    strings = StringStore()
    table = SpacyVectors(strings=strings)
    try:
        table.from_disk(folder)
    except Exception as exc:
        raise FormatError(f"cannot read spaCy vectors ({type(exc).__name__}: {exc})", path=folder) from exc
    if str(table.mode) != "default":
        raise FormatError(
            f"spaCy vectors in {table.mode!r} mode are hashed subword tables without a word list",
            path=folder,
            hint="only default-mode spaCy vectors can be read",
        )
    data = np.asarray(table.data)
    pairs = sorted((int(row), int(key)) for key, row in table.key2row.items())
    if not pairs or data.size == 0:
        raise FormatError("the spaCy folder holds no word vectors", path=folder)
    if limit is not None:
        pairs = pairs[:limit]
    try:
        words = [strings[key] for _, key in pairs]
    except KeyError as exc:
        raise FormatError(
            f"a vector key ({exc}) has no string in strings.json", path=folder, hint="save the folder again"
        ) from None
    rows = np.fromiter((row for row, _ in pairs), dtype=np.int64, count=len(pairs))
    in_order = bool(np.array_equal(rows, np.arange(len(rows))))
    matrix = data[: len(rows)] if in_order else data[rows]
    _check_finite(words, matrix, path, None)
    return Vectors(
        words, np.asarray(matrix, dtype=np.float32), meta={"source_format": "spacy", "source": str(path)}
    )


def _write_spacy(vectors: Vectors, path: Path, force: bool) -> None:
    from spacy.strings import StringStore
    from spacy.vectors import Vectors as SpacyVectors

    strings = StringStore(vectors.words)
    table = SpacyVectors(
        strings=strings, data=np.ascontiguousarray(vectors.vectors, dtype=np.float32), keys=vectors.words
    )
    with atomic_directory(path, force=force) as tmp:
        table.to_disk(tmp)


def _read_gensim(path: Path, limit: int | None, trust: bool) -> Vectors:
    from gensim.models import KeyedVectors
    from gensim.utils import SaveLoad

    check_input_file(path, what="gensim file")
    if not trust:
        raise ParameterError(
            "gensim .kv/.model files are Python pickles: opening one can run any code its author put in",
            path=path,
            hint="pass trust=True (--trust) only for a file you trust, then save it in the native format",
        )
    try:
        obj = SaveLoad.load(str(path))
    except Exception as exc:
        raise FormatError(f"cannot read as a gensim file ({type(exc).__name__}: {exc})", path=path) from exc
    kv = getattr(obj, "wv", obj)
    if not isinstance(kv, KeyedVectors):
        raise FormatError(f"the gensim file holds a {type(obj).__name__}, not word vectors", path=path)
    meta = {"source_format": "gensim", "source": str(path)}
    if limit is not None and limit < len(kv.index_to_key):
        return Vectors(kv.index_to_key[:limit], np.asarray(kv.vectors[:limit], dtype=np.float32), meta=meta)
    return Vectors.from_gensim(kv, meta=meta)


# -- front doors -------------------------------------------------------------------------
# a missing path with one of these suffixes is a file name, never a zoo name
_FILE_SUFFIXES = {".txt", ".vec", ".bin", ".gz", ".bz2", ".xz", ".kv", ".model", ".npy", ".tsv"}


def load_vectors(
    path: PathLike,
    format: str | None = None,
    *,
    limit: int | None = None,
    encoding: str = "utf-8",
    trust: bool = False,
    download: bool = False,
) -> Vectors:
    """Read word vectors in any supported format, detecting it from the file when not given.

    A name from the vectors zoo (``"glove.6B.100d"``, ``nlptk vectors list``) opens its
    converted folder in the data folder (:mod:`nlptk.vectors.zoo`).

    Parameters
    ----------
    path : str or path-like
        A file (text may be ``.gz``/``.bz2``/``.xz``) or a folder (native, spaCy).
    format : str, optional
        One of :data:`FORMATS` (``fasttext-vec`` is an alias of ``word2vec``); detected by
        :func:`detect_format` when None.
    limit : int, optional
        Read only the first ``limit`` words (the most frequent ones in most files). A native
        folder slices its memory map; a fastText ``.bin`` loses its subwords when limited.
    encoding : str, default="utf-8"
        Encoding of the words in text and word2vec-binary files.
    trust : bool, default=False
        Allow gensim ``.kv``/``.model`` files, which are pickles and can run code when opened.
    download : bool, default=False
        For a zoo name: download and convert the vectors when they are not there yet.

    Returns
    -------
    Vectors
        ``meta["source_format"]`` names the format read.

    Raises
    ------
    InputFileError
        Missing or empty file, a folder where a file is expected (or the reverse).
    FormatError
        Malformed content; the message gives the line and the numbers.
    EncodingError
        Words that cannot be decoded with ``encoding`` (message gives line and byte offset).
    ParameterError
        Unknown format, bad ``limit``, or a gensim pickle without ``trust``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
    >>> _ = f.write_text("king 1 0 0\\nqueen 0 1 0\\n")
    >>> v = load_vectors(f)
    >>> v.meta["source_format"], len(v), v.dim
    ('glove', 2, 3)
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ParameterError(f"limit must be a positive integer, got {limit!r}")
    p = Path(path)
    if not p.exists():
        text = os.fspath(path)
        if not any(sep in text for sep in ("/", os.sep)) and Path(text).suffix.lower() not in _FILE_SUFFIXES:
            from nlptk.vectors.zoo import load_zoo_vectors

            return load_zoo_vectors(text, limit=limit, download=download)
        raise InputFileError("vectors file not found", path=p, hint="check the path")
    fmt = detect_format(p) if format is None else _canonical(format)
    logger.info("reading %s vectors from %s", fmt, p)
    vectors = _read_format(p, fmt, limit, encoding, trust)
    check_vectors(vectors, source=os.fspath(p))
    return vectors


def _read_format(p: Path, fmt: str, limit: int | None, encoding: str, trust: bool) -> Vectors:
    if fmt == "native":
        return read_native(p, limit)
    if fmt in ("word2vec", "glove"):
        check_input_file(p, what="vectors file")
        words, matrix, first_line = read_text_vectors(
            p, header=fmt == "word2vec", limit=limit, encoding=encoding
        )
        return _from_words(words, matrix, p, first_line, fmt)
    if fmt == "word2vec-binary":
        check_input_file(p, what="vectors file")
        words, matrix = read_word2vec_binary(p, limit=limit, encoding=encoding)
        return _from_words(words, matrix, p, None, fmt)
    if fmt == "fasttext-bin":
        return _read_fasttext_bin(p, limit)
    if fmt == "spacy":
        return _read_spacy(p, limit)
    return _read_gensim(p, limit, trust)


def save_vectors(
    vectors: Vectors,
    path: PathLike,
    format: str = "native",
    *,
    force: bool = False,
    precision: int | None = None,
) -> None:
    """Write vectors in a format; an existing output is refused unless ``force``.

    Parameters
    ----------
    vectors : Vectors
    path : str or path-like
        A folder for ``native`` and ``spacy``, a file otherwise; text files whose name
        ends in ``.gz``/``.bz2``/``.xz`` are compressed.
    format : str, default="native"
        One of :data:`FORMATS` except ``gensim``. ``fasttext-bin`` copies the model file the
        vectors were read from (a ``.bin`` cannot be made from vectors alone).
    force : bool, default=False
        Replace an existing output.
    precision : int, optional
        Significant digits in text formats; None writes the shortest text that reads back
        to exactly the same float32 (slower to write).

    Raises
    ------
    OutputExistsError
        ``path`` exists and ``force`` is false.
    ParameterError
        Unknown format; words with spaces in a text format; a ``.bin`` that cannot be made.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> v = Vectors(["king", "queen"], np.eye(2, dtype=np.float32))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
    >>> save_vectors(v, out, "word2vec")
    >>> out.read_text()
    '2 2\\nking 1.0 0.0\\nqueen 0.0 1.0\\n'
    """
    fmt = _canonical(format)
    p = Path(path)
    if precision is not None and not 1 <= precision <= 17:
        raise ParameterError(f"precision must be between 1 and 17 digits, got {precision}")
    logger.info("writing %d vectors as %s to %s", len(vectors), fmt, p)
    if fmt == "native":
        write_native(vectors, p, force)
    elif fmt in ("word2vec", "glove"):
        with atomic_binary_output(p, force=force) as out:
            write_text_vectors(
                out, vectors.words, vectors.vectors, header=fmt == "word2vec", precision=precision, fmt=fmt
            )
    elif fmt == "word2vec-binary":
        with atomic_binary_output(p, force=force) as out:
            write_word2vec_binary(out, vectors.words, vectors.vectors)
    elif fmt == "fasttext-bin":
        _write_fasttext_bin(vectors, p, force)
    elif fmt == "spacy":
        _write_spacy(vectors, p, force)
    else:
        raise ParameterError(
            "writing gensim pickles is not supported: they are unsafe to share",
            hint="write 'native' (safe, memory-mapped) or 'word2vec-binary' instead",
        )
