"""The labelled-data layouts nlptk reads: format detection and one reader per format.

:mod:`nlptk.text.labelled` is the public home (:func:`~nlptk.text.labelled.load_labelled`,
:func:`~nlptk.text.labelled.detect_labelled_format`, the layouts and the detection rules in its
docstring); this module holds how each layout is parsed into ``(text, label name, line)``
triples, apart from turning labels into class ids and from dataset splits.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

from nlptk.errors import DataError, FormatError, InputFileError
from nlptk.io import check_input_dir, check_input_file, iter_lines, table_format
from nlptk.text.corpus import iter_table_rows, table_columns

logger = logging.getLogger("nlptk.text.labelled")

PathLike = str | os.PathLike[str]

LABELLED_FORMATS = ("folders", "csv", "tsv", "jsonl", "fasttext", "label-first")
FASTTEXT_PREFIX = "__label__"
INTEGER = re.compile(r"^[+-]?\d+$")
SNIFF_LINES = 50


def sniff_lines(path: Path, encoding: str, errors: str) -> list[str]:
    lines: list[str] = []
    for line in iter_lines(path, encoding=encoding, errors=errors):
        if line.strip():
            lines.append(line)
            if len(lines) >= SNIFF_LINES:
                break
    return lines


def is_split_root(path: Path) -> bool:
    return (path / "train").is_dir() and any(p.is_dir() for p in (path / "train").iterdir())


def detect_labelled_format(path: PathLike, *, encoding: str = "utf-8", errors: str = "strict") -> str:
    """Guess the labelled-data format of ``path`` (the rules are in :mod:`nlptk.text.labelled`).

    Raises
    ------
    FormatError
        The format cannot be told; pass ``format=`` explicitly.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> detect_labelled_format(datapath("pang_lee_polarity.cor"), encoding="cp1252")
    'fasttext'
    """
    p = Path(path)
    if p.is_dir():
        return "folders"
    p = check_input_file(p)
    kind = table_format(p)
    if kind is not None:
        return kind
    lines = sniff_lines(p, encoding, errors)
    if not lines:
        raise InputFileError("labelled data file has only blank lines", path=p)
    if lines[0].lstrip().startswith(FASTTEXT_PREFIX):
        return "fasttext"
    firsts = [line.split(maxsplit=1) for line in lines]
    if all(len(parts) == 2 and INTEGER.match(parts[0]) for parts in firsts):
        return "label-first"
    raise FormatError(
        "cannot tell how this file is labelled (not a table, not fastText '__label__x text', "
        "and its lines do not all start with an integer label)",
        path=p,
        hint="pass format= one of " + ", ".join(LABELLED_FORMATS),
    )


# -- readers: (text, label name, line) triples; line 0 for a file of a folder -----------------


def read_folders(
    path: Path, *, pattern: str, encoding: str, errors: str
) -> tuple[list[tuple[str, str, int]], list[str]]:
    check_input_dir(path, what="labelled data folder")
    class_dirs = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise DataError(
            "folder has no class sub-folders",
            path=path,
            hint="lay the data out as <folder>/<class>/*.txt, one folder per class",
        )
    raw: list[tuple[str, str, int]] = []
    for class_dir in class_dirs:
        files = sorted(f for f in class_dir.rglob(pattern) if f.is_file())
        if not files:
            logger.warning("%s: class folder has no files matching %r", class_dir, pattern)
        for f in files:
            text = "" if f.stat().st_size == 0 else "\n".join(iter_lines(f, encoding=encoding, errors=errors))
            raw.append((text, class_dir.name, 0))
    return raw, [d.name for d in class_dirs]


def read_table(
    path: Path, kind: str, *, text_column: str, label_column: str, encoding: str
) -> list[tuple[str, str, int]]:
    columns = table_columns(path, format=kind, encoding=encoding)
    for column, what in ((text_column, "text"), (label_column, "label")):
        if column not in columns:
            raise FormatError(
                f"no {what} column {column!r} (columns: {', '.join(map(str, columns)) or 'none'})",
                path=path,
                hint=f"pass the name of the {what} column (--{what}-column)",
            )
    raw = []
    for lineno, row in iter_table_rows(path, format=kind, encoding=encoding):
        text, label = row.get(text_column), row.get(label_column)
        if label is None or str(label).strip() == "":
            raise DataError(f"no label in column {label_column!r}", path=path, line=lineno)
        raw.append(("" if text is None else str(text), str(label).strip(), lineno))
    return raw


def iter_nonblank(path: Path, encoding: str, errors: str) -> Iterator[tuple[int, str]]:
    for lineno, line in enumerate(iter_lines(path, encoding=encoding, errors=errors), start=1):
        if line.strip():
            yield lineno, line


def read_fasttext(path: Path, *, encoding: str, errors: str) -> list[tuple[str, str, int]]:
    raw = []
    multi = 0
    for lineno, line in iter_nonblank(path, encoding, errors):
        parts = line.split()
        labels = []
        while len(labels) < len(parts) and parts[len(labels)].startswith(FASTTEXT_PREFIX):
            labels.append(parts[len(labels)][len(FASTTEXT_PREFIX) :])
        if not labels or not labels[0]:
            raise DataError("line has no label (expected '__label__<class> text')", path=path, line=lineno)
        if len(labels) > 1:
            multi += 1
        raw.append((" ".join(parts[len(labels) :]), labels[0], lineno))
    if multi:
        logger.warning(
            "%s: %d lines have several labels; each is read with its first label only", path, multi
        )
    return raw


def read_label_first(path: Path, *, encoding: str, errors: str) -> list[tuple[str, str, int]]:
    raw = []
    for lineno, line in iter_nonblank(path, encoding, errors):
        parts = line.split(maxsplit=1)
        raw.append((parts[1].strip() if len(parts) > 1 else "", parts[0], lineno))
    return raw
