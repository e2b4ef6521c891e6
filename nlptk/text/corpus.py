"""Streaming, re-iterable corpora.

A corpus yields documents as strings and reopens its source on every ``iter()``, like
gensim's ``LineSentence``, so multi-pass trainers can read it many times without holding
it in memory. :class:`TokenizedCorpus` wraps any corpus with a tokenizer and yields lists
of tokens, which is what gensim's trainers take.

* :class:`TextLineCorpus`: one document per line of a text file (``.gz/.bz2/.xz`` too);
  blank lines are skipped.
* :class:`DirectoryCorpus`: one document per file in a folder (recursively, ``*.txt`` by default).
* :class:`ColumnCorpus`: one column of a CSV, TSV or JSON Lines file.

:func:`open_corpus` picks the right one from a path, or resolves a registry name (see
:mod:`nlptk.text.registry`).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from nlptk.errors import FormatError, InputFileError, ParameterError
from nlptk.io import check_input_dir, check_input_file, iter_lines, table_format
from nlptk.text.registry import is_registry_name
from nlptk.text.tokenize import Tokenizer, get_tokenizer

__all__ = [
    "ColumnCorpus",
    "Corpus",
    "DirectoryCorpus",
    "TextLineCorpus",
    "TokenizedCorpus",
    "ensure_reiterable",
    "open_corpus",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

# Fields in real CSV files (a whole article in one cell) exceed the csv module's default limit.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class Corpus:
    """Base class of re-iterable document streams: ``iter(corpus)`` yields ``str`` documents."""

    path: Path | None = None

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """A JSON-serialisable description (kind, path, options) for run manifests."""
        return {"kind": type(self).__name__, "path": None if self.path is None else str(self.path)}

    def fingerprint(self) -> str:
        """A string that changes when the source changes (path, size, modification time)."""
        parts = [json.dumps(self.describe(), sort_keys=True)]
        if self.path is not None:
            files = sorted(self.path.rglob("*")) if self.path.is_dir() else [self.path]
            for f in files:
                if f.is_file():
                    st = f.stat()
                    parts.append(f"{f}:{st.st_size}:{st.st_mtime_ns}")
        return "|".join(parts)


class TextLineCorpus(Corpus):
    """One document per line of a text file, possibly compressed.

    Parameters
    ----------
    path : str or PathLike
        A text file; ``.gz``, ``.bz2`` and ``.xz`` are decompressed on the fly.
    encoding : str, default="utf-8"
        Text encoding; an undecodable byte raises :class:`~nlptk.errors.EncodingError`
        naming the byte offset.
    limit : int, optional
        Read at most this many documents.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> corpus = TextLineCorpus(datapath("lee_background.cor"))
    >>> sum(1 for _ in corpus)
    300
    """

    def __init__(self, path: PathLike, *, encoding: str = "utf-8", limit: int | None = None) -> None:
        self.path = check_input_file(path)
        self.encoding = encoding
        self.limit = limit

    def __iter__(self) -> Iterator[str]:
        count = 0
        for line in iter_lines(self.path, encoding=self.encoding):
            if not line.strip():
                continue
            yield line
            count += 1
            if self.limit is not None and count >= self.limit:
                return

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "encoding": self.encoding, "limit": self.limit}


class DirectoryCorpus(Corpus):
    """One document per file in a folder.

    Parameters
    ----------
    path : str or PathLike
        The folder.
    pattern : str, default="*.txt"
        Glob pattern of the files to read (matched recursively).
    encoding : str, default="utf-8"
        Text encoding of the files.
    """

    def __init__(self, path: PathLike, *, pattern: str = "*.txt", encoding: str = "utf-8") -> None:
        self.path = check_input_dir(path)
        self.pattern = pattern
        self.encoding = encoding
        if not self.files():
            raise InputFileError(
                f"folder has no files matching {pattern!r}",
                path=self.path,
                hint="check the folder or pass another pattern",
            )

    def files(self) -> list[Path]:
        """The files read, in sorted order."""
        return sorted(p for p in self.path.rglob(self.pattern) if p.is_file())  # type: ignore[union-attr]

    def __iter__(self) -> Iterator[str]:
        for f in self.files():
            if f.stat().st_size == 0:
                continue
            text = "\n".join(iter_lines(f, encoding=self.encoding))
            if text.strip():
                yield text

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "pattern": self.pattern, "encoding": self.encoding}


def _table_kind(path: Path, format: str | None) -> str:
    if format is not None:
        if format not in ("csv", "tsv", "jsonl"):
            raise ParameterError(f"unknown table format {format!r}", hint="use csv, tsv or jsonl")
        return format
    return table_format(path) or "csv"


def iter_table_rows(
    path: PathLike, *, format: str | None = None, encoding: str = "utf-8"
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, row_dict)`` from a CSV (with header), TSV (with header) or JSONL file.

    Shared by :class:`ColumnCorpus` and the labelled-data readers.
    """
    p = check_input_file(path)
    kind = _table_kind(p, format)
    if kind == "jsonl":
        for lineno, line in enumerate(iter_lines(p, encoding=encoding), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FormatError(f"not valid JSON ({exc.msg})", path=p, line=lineno) from None
            if not isinstance(row, dict):
                raise FormatError("expected a JSON object per line", path=p, line=lineno)
            yield lineno, row
        return
    delimiter = "\t" if kind == "tsv" else ","
    # Lines come through iter_lines so an undecodable byte is an EncodingError with its byte
    # offset; keep_ends lets csv see the newlines inside quoted fields. TSV has no quoting
    # convention (GLUE's files hold bare '"'), so quotes are literal there.
    lines = iter_lines(p, encoding=encoding, keep_ends=True)
    quoting = csv.QUOTE_NONE if kind == "tsv" else csv.QUOTE_MINIMAL
    reader = csv.DictReader(lines, delimiter=delimiter, quoting=quoting)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise FormatError(f"malformed {kind.upper()} ({exc})", path=p, line=reader.line_num) from None


def table_columns(path: PathLike, *, format: str | None = None, encoding: str = "utf-8") -> list[str]:
    """The column names of a CSV/TSV header or of the first JSONL object."""
    for _, row in iter_table_rows(path, format=format, encoding=encoding):
        return list(row)
    return []


class ColumnCorpus(Corpus):
    """One column of a CSV, TSV (both with a header row) or JSON Lines file.

    Parameters
    ----------
    path : str or PathLike
        The table file (compressed files too); its kind comes from the suffix unless ``format``.
    column : str, default="text"
        Column (or JSON key) holding the text.
    format : {"csv", "tsv", "jsonl"}, optional
        Override the kind given by the suffix.
    encoding : str, default="utf-8"
        Text encoding.
    """

    def __init__(
        self,
        path: PathLike,
        *,
        column: str = "text",
        format: str | None = None,
        encoding: str = "utf-8",
    ) -> None:
        self.path = check_input_file(path)
        self.column = column
        self.format = _table_kind(self.path, format)
        self.encoding = encoding
        columns = table_columns(self.path, format=self.format, encoding=encoding)
        if column not in columns:
            raise FormatError(
                f"no column {column!r} (columns: {', '.join(map(str, columns)) or 'none'})",
                path=self.path,
                hint="pass the name of the text column",
            )

    def __iter__(self) -> Iterator[str]:
        for lineno, row in iter_table_rows(self.path, format=self.format, encoding=self.encoding):
            value = row.get(self.column)
            if value is None:
                raise FormatError(f"row has no {self.column!r} value", path=self.path, line=lineno)
            text = str(value)
            if text.strip():
                yield text

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "column": self.column, "format": self.format, "encoding": self.encoding}


class TokenizedCorpus:
    """A corpus seen through a tokenizer: re-iterable, yields lists of tokens.

    Documents with no tokens are skipped.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> docs = TokenizedCorpus(TextLineCorpus(datapath("lee_background.cor")))
    >>> next(iter(docs))[:4]
    ['hundreds', 'of', 'people', 'have']
    """

    def __init__(self, corpus: Iterable[str], tokenizer: Tokenizer | str | None = None) -> None:
        self.corpus = ensure_reiterable(corpus)
        self.tokenizer = get_tokenizer(tokenizer)

    def __iter__(self) -> Iterator[list[str]]:
        tokenize = self.tokenizer
        for doc in self.corpus:
            tokens = tokenize(doc)
            if tokens:
                yield tokens


def ensure_reiterable(obj: Iterable[Any], what: str = "corpus") -> Iterable[Any]:
    """Reject one-shot iterators (generators), which a multi-pass reader would see empty.

    Raises
    ------
    ParameterError
        When ``iter(obj) is obj``.
    """
    if iter(obj) is obj:
        raise ParameterError(
            f"the {what} is a one-shot iterator (a generator?) and would be empty on its second pass",
            hint="pass a list, a path, or an nlptk corpus such as TextLineCorpus",
        )
    return obj


def open_corpus(
    source: PathLike | Corpus,
    *,
    column: str | None = None,
    encoding: str = "utf-8",
    pattern: str = "*.txt",
    data_dir: PathLike | None = None,
    limit: int | None = None,
) -> Corpus:
    """Open a corpus from a path or a registry name.

    * a folder gives a :class:`DirectoryCorpus`;
    * ``.csv``, ``.tsv``, ``.jsonl`` (possibly compressed), or any file when ``column`` is
      given, gives a :class:`ColumnCorpus`;
    * another file gives a :class:`TextLineCorpus`;
    * a name that is not an existing path is looked up in the corpus registry
      (:func:`nlptk.text.registry.lookup_corpus`).

    Examples
    --------
    >>> corpus = open_corpus("lee_background")   # shipped with gensim, no download
    >>> sum(1 for _ in corpus)
    300
    """
    if isinstance(source, Corpus):
        return source
    path = Path(source)
    if str(source) == "-" or (path.exists() and not path.is_dir() and not path.is_file()):
        raise InputFileError(
            "a corpus is read more than once (vocabulary, then every epoch), so it must be a file "
            "or folder, not standard input or a pipe",
            path=source,
            hint="save the text to a file first (for example: cat ... > corpus.txt)",
        )
    if is_registry_name(source):
        from nlptk.text.registry import lookup_corpus  # a registry name

        info, path = lookup_corpus(str(source), data_dir=data_dir)
        if encoding == "utf-8":  # the default: use the encoding the registry knows (lee.cor is cp1252)
            encoding = info.encoding
        if column is None and info.format in ("csv", "tsv", "jsonl"):
            column = info.text_column
        if info.format in ("fasttext", "label-first") and path.is_file():
            from nlptk.text.labelled import LabelledTextCorpus  # texts without their labels

            return LabelledTextCorpus(path, format=info.format, encoding=encoding, limit=limit)
    if path.is_dir():
        return DirectoryCorpus(path, pattern=pattern, encoding=encoding)
    if column is not None or table_format(path) is not None:
        return ColumnCorpus(path, column=column or "text", encoding=encoding)
    return TextLineCorpus(path, encoding=encoding, limit=limit)
