"""Choosing what a Projector export or a scatter plot shows, and how each metadata cell is written.

The input side of :mod:`nlptk.export.projector` (which writes the folder) and of
:mod:`nlptk.export.scatter` (which draws it): the vectors (:func:`resolve_vectors`), the rows
(:func:`select_rows`), the metadata columns (:func:`word_columns`), the files that list words
and extra columns (:func:`read_word_list`, :func:`read_metadata_table`), and the escaping of a
cell (:func:`escape_cell`). Import these from :mod:`nlptk.export.projector`, their public home.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nlptk.errors import DataError, FormatError, ParameterError
from nlptk.io import iter_lines
from nlptk.vectors.container import Vectors

__all__ = [
    "BUILTIN_COLUMNS",
    "escape_cell",
    "read_metadata_table",
    "read_word_list",
    "resolve_vectors",
    "select_rows",
    "word_columns",
]

PathLike = str | os.PathLike[str]

BUILTIN_COLUMNS = ("word", "count", "rank")
"""Metadata columns every word-vector export can have (``count`` only when the vectors have counts)."""

_ESCAPES = str.maketrans({"\t": "\\t", "\n": "\\n", "\r": "\\r"})


# what JavaScript's String.prototype.trim() removes (WhiteSpace and LineTerminator); Python's
# str.strip() differs (it keeps U+FEFF, removes U+001C-U+001F)
_JS_TRIMMED = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def _visible_if_blank(cell: str) -> str:
    r"""A cell the Projector would read as a blank line, spelled out (``\u00a0``); others as they are.

    >>> _visible_if_blank("\u00a0"), _visible_if_blank(""), _visible_if_blank("cat")
    ('\\u00a0', '<empty>', 'cat')
    """
    if not cell:
        return "<empty>"
    if cell.strip(_JS_TRIMMED):
        return cell
    return "".join(f"\\u{ord(c):04x}" for c in cell)


def escape_cell(value: Any) -> str:
    """One metadata cell as text, with tabs and line breaks made visible (``\\t``, ``\\n``, ``\\r``).

    ``None`` becomes an empty cell; floats are written with 4 significant digits.

    Examples
    --------
    >>> escape_cell("new\\tyork")
    'new\\\\tyork'
    >>> escape_cell(0.123456), escape_cell(None), escape_cell(3)
    ('0.1235', '', '3')
    """
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    return str(value).translate(_ESCAPES)


def _truncate(text: str, max_chars: int | None) -> str:
    if max_chars is None or len(text) <= max_chars:
        return text
    return text[: max_chars - 1] + "…"


def read_word_list(path: PathLike, *, encoding: str = "utf-8") -> list[str]:
    """Read a words file: one word per line (surrounding whitespace and blank lines ignored,
    duplicates dropped, order kept). A tab-separated line uses its first field.

    Raises
    ------
    InputFileError
        The file is missing or empty.
    DataError
        The file has no words.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "w.txt"
    >>> _ = f.write_text("king\\nqueen\\n\\nking\\n")
    >>> read_word_list(f)
    ['king', 'queen']
    """
    words: dict[str, None] = {}
    for line in iter_lines(path, encoding=encoding):
        word = line.split("\t", 1)[0].strip()
        if word:
            words.setdefault(word, None)
    if not words:
        raise DataError("the words file lists no words", path=path, hint="put one word per line")
    return list(words)


def read_metadata_table(path: PathLike, *, encoding: str = "utf-8") -> dict[str, dict[str, str]]:
    """Read extra metadata columns from a TSV file with a header row; the first column is the word.

    Returns ``{column: {word: value}}`` for every column after the first.

    Raises
    ------
    FormatError
        No header with at least two columns, or a row with the wrong number of fields.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "m.tsv"
    >>> _ = f.write_text("word\\tcluster\\nking\\t3\\nqueen\\t3\\n")
    >>> read_metadata_table(f)
    {'cluster': {'king': '3', 'queen': '3'}}
    """
    lines = iter_lines(path, encoding=encoding)
    header = next(lines, "").split("\t")
    if len(header) < 2:
        raise FormatError(
            "expected a header row with the word column and at least one more column, tab-separated",
            path=path,
            line=1,
            hint="for example: word<TAB>cluster",
        )
    names = [h.strip() for h in header[1:]]
    table: dict[str, dict[str, str]] = {name: {} for name in names}
    for lineno, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            raise FormatError(
                f"has {len(fields)} tab-separated fields, expected {len(header)} (as the header)",
                path=path,
                line=lineno,
            )
        for name, value in zip(names, fields[1:], strict=True):
            table[name][fields[0]] = value
    return table


def resolve_vectors(source: Vectors | PathLike, *, limit: int | None = None) -> Vectors:
    """Vectors from a :class:`Vectors`, any vectors path :func:`nlptk.vectors.formats.load_vectors`
    reads, or an LSA model folder (its term vectors)."""
    if isinstance(source, Vectors):
        return source
    from nlptk.embed.lsa import LSA, is_lsa_model

    if is_lsa_model(source):
        vectors = LSA.load(source).term_vectors()
        return vectors if limit is None else _subset(vectors, np.arange(min(limit, len(vectors))))
    from nlptk.vectors.formats import load_vectors

    return load_vectors(source, limit=limit)


def _subset(vectors: Vectors, rows: np.ndarray) -> Vectors:
    counts = None if vectors.counts is None else vectors.counts[rows]
    return Vectors(
        [vectors.words[i] for i in rows], np.asarray(vectors.vectors[rows]), counts=counts, meta=vectors.meta
    )


def select_rows(
    vectors: Vectors, *, words: Sequence[str] | None = None, limit: int | None = None
) -> tuple[np.ndarray, list[str]]:
    """Rows to export: the listed ``words`` (in their order) or all rows, then the first ``limit``.

    Returns
    -------
    rows : ndarray of int
    missing : list of str
        Listed words the vocabulary does not have.

    Raises
    ------
    ParameterError
        ``limit`` < 1.
    DataError
        Nothing left to export.
    """
    if limit is not None and limit < 1:
        raise ParameterError(f"limit must be >= 1, got {limit}")
    missing: list[str] = []
    if words is None:
        rows = np.arange(len(vectors) if limit is None else min(limit, len(vectors)))
    else:
        index = vectors.key_to_index
        found: list[int] = []
        for word in dict.fromkeys(words):
            row = index.get(word)
            if row is None:
                missing.append(word)
            else:
                found.append(row)
        rows = np.asarray(found[:limit] if limit is not None else found, dtype=np.int64)
    if rows.size == 0:
        if words is not None:
            shown = ", ".join(repr(w) for w in missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise DataError(
                f"none of the {len(missing)} words asked for is in the vocabulary "
                f"({len(vectors)} words): {shown}",
                hint="check the words file (case, tokenization) against the vectors",
            )
        raise DataError("the vectors have no words: nothing to export")
    return rows, missing


def word_columns(
    vectors: Vectors,
    rows: np.ndarray,
    names: Sequence[str],
    *,
    extra_columns: Mapping[str, Mapping[str, Any] | Sequence[Any]] | None = None,
) -> dict[str, list[Any]]:
    """Metadata values for the chosen rows: built-in columns (word, count, rank) and extra ones.

    ``extra_columns`` maps a column name to ``{word: value}`` (words without a value get an
    empty cell) or to a sequence aligned with the full vocabulary.

    Raises
    ------
    ParameterError
        A column that does not exist; the message lists the available ones.
    """
    extra = dict(extra_columns or {})
    available = ["word", "rank"]
    if vectors.counts is not None:
        available.insert(1, "count")
    available += [name for name in extra if name not in available]
    if not names:
        raise ParameterError("no metadata columns asked for", hint=f"available: {', '.join(available)}")
    out: dict[str, list[Any]] = {}
    for name in names:
        if name in out:
            continue
        if name == "word":
            out[name] = [vectors.words[i] for i in rows]
        elif name == "rank":
            out[name] = (rows + 1).tolist()
        elif name == "count" and vectors.counts is not None:
            out[name] = vectors.counts[rows].tolist()
        elif name in extra:
            values = extra[name]
            if isinstance(values, Mapping):
                out[name] = [values.get(vectors.words[i]) for i in rows]
            else:
                if len(values) != len(vectors):
                    raise ParameterError(
                        f"column {name!r} has {len(values)} values for {len(vectors)} words; they must match"
                    )
                out[name] = [values[i] for i in rows]
        else:
            why = " (these vectors have no counts)" if name == "count" else ""
            raise ParameterError(
                f"no metadata column {name!r}{why}", hint=f"available columns: {', '.join(available)}"
            )
    return out
