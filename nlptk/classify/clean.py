"""Apply a reviewer's decisions to a labelled data file: ``nlptk classify clean DATA review.csv``.

The review CSV (:mod:`nlptk.classify.review`) names each example by its 1-based ``line`` in
the data file and carries a ``decision``: ``keep`` (or empty), ``drop`` or
``relabel:<class>``. :func:`clean_dataset` writes a new file in the data's own format
(fastText, label-first, CSV, TSV or JSON Lines) in which dropped examples are gone and
relabelled ones carry their new label; every other line is copied byte for byte (a CSV
record is rewritten only when its label changes). The original is never touched: the
output is a new file, written atomically, and an existing one is replaced only with
``force``. Folders of ``<class>/*.txt`` files have no line numbers and are not supported.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nlptk.errors import DataError, FormatError, ParameterError
from nlptk.io import atomic_write, check_input_file, iter_lines

__all__ = ["CleanSummary", "clean_dataset", "read_decisions"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

_RELABEL = "relabel:"


@dataclass(frozen=True)
class CleanSummary:
    """What :func:`clean_dataset` did."""

    out: Path
    examples: int
    dropped: int
    relabelled: int

    @property
    def kept(self) -> int:
        return self.examples - self.dropped


def read_decisions(review: PathLike, *, lines: set[int], classes: list[str]) -> dict[int, str | None]:
    """The decisions of a review CSV: ``{line: None}`` to drop, ``{line: class}`` to relabel.

    Raises
    ------
    FormatError
        No ``line`` or ``decision`` column.
    DataError
        A decision that is not ``keep``/``drop``/``relabel:<class>``, a class the data does
        not have, a line on which the data has no example, or two decisions for one line.
    """
    path = check_input_file(review, what="review CSV")
    decisions: dict[int, str | None] = {}
    reader = csv.DictReader(iter_lines(path, keep_ends=True))
    missing = {"line", "decision"} - set(reader.fieldnames or [])
    if missing:
        raise FormatError(
            f"the review CSV has no {' or '.join(sorted(missing))} column",
            path=path,
            hint="give the CSV written by nlptk classify review",
        )
    first, last = (min(lines), max(lines)) if lines else (0, 0)
    for row in reader:
        where = reader.line_num
        decision = (row.get("decision") or "").strip()
        if decision in ("", "keep"):
            continue
        raw_line = (row.get("line") or "").strip()
        try:
            line = int(raw_line)
        except ValueError:
            raise DataError(f"line {raw_line!r} is not a line number", path=path, line=where) from None
        if line not in lines:
            raise DataError(
                f"row id (line) {line} does not exist: the data has examples on {len(lines)} lines "
                f"between {first} and {last}",
                path=path,
                line=where,
                hint="keep the line numbers the review wrote, and clean the file that was reviewed",
            )
        if decision == "drop":
            new: str | None = None
        elif decision.startswith(_RELABEL):
            new = decision[len(_RELABEL) :].strip()
            if new not in classes:
                raise DataError(
                    f"decision {decision!r} names class {new!r}, which the data does not have "
                    f"(its classes: {', '.join(classes)})",
                    path=path,
                    line=where,
                    hint="relabel to one of the data's classes",
                )
        else:
            raise DataError(
                f"unknown decision {decision!r}",
                path=path,
                line=where,
                hint="use keep, drop or relabel:<class>",
            )
        if line in decisions and decisions[line] != new:
            raise DataError(f"two different decisions for line {line}", path=path, line=where)
        decisions[line] = new
    return decisions


def _relabel_fasttext(line: str, label: str) -> str:
    return re.sub(r"^(\s*)__label__\S*", lambda m: m.group(1) + "__label__" + label, line, count=1)


def _relabel_first(line: str, label: str) -> str:
    return re.sub(r"^(\s*)\S+", lambda m: m.group(1) + label, line, count=1)


def _relabel_json(line: str, label: str, column: str) -> str:
    body = line.rstrip("\r\n")
    record = json.loads(body)
    old = record.get(column)
    record[column] = int(label) if isinstance(old, int) and re.fullmatch(r"-?\d+", label) else label
    return json.dumps(record, ensure_ascii=False) + line[len(body) :]


def _table_records(path: Path, fmt: str, encoding: str) -> Iterator[tuple[int, list[str], list[str]]]:
    """``(last line number, raw lines, fields)`` of each CSV/TSV record, header included."""
    consumed: list[str] = []

    def feed() -> Iterator[str]:
        for line in iter_lines(path, encoding=encoding, keep_ends=True):
            consumed.append(line)
            yield line

    quoting = csv.QUOTE_NONE if fmt == "tsv" else csv.QUOTE_MINIMAL
    reader = csv.reader(feed(), delimiter="\t" if fmt == "tsv" else ",", quoting=quoting)
    for fields in reader:
        raw = list(consumed)
        consumed.clear()
        yield reader.line_num, raw, fields


def clean_dataset(
    data: PathLike,
    review: PathLike,
    out: PathLike,
    *,
    force: bool = False,
    format: str | None = None,
    encoding: str | None = None,
    label_column: str = "label",
) -> CleanSummary:
    """Write ``data`` with the review's decisions applied to ``out`` (same format, new file).

    Parameters
    ----------
    data : path
        The labelled file that was reviewed.
    review : path
        The review CSV with its ``decision`` column filled in.
    out : path
        The cleaned file; an existing one is replaced only with ``force``.
    format, encoding : str, optional
        As for :func:`~nlptk.text.labelled.load_labelled`.
    label_column : str, default="label"
        The label column of a CSV/TSV/JSONL file.

    Returns
    -------
    CleanSummary

    Examples
    --------
    >>> clean_dataset("train.txt", "review.csv", "train.clean.txt")   # doctest: +SKIP
    CleanSummary(out=PosixPath('train.clean.txt'), examples=6920, dropped=12, relabelled=31)
    """
    from nlptk.io import check_output
    from nlptk.text.labelled import read_labelled_rows

    rows, fmt, enc, path = read_labelled_rows(
        data, format=format, encoding=encoding, label_column=label_column
    )
    if fmt == "folders":
        raise ParameterError(
            "clean works on labelled files (fastText, label-first, CSV, TSV, JSONL), not on folders",
            path=path,
            hint="move or delete the files the review lists by hand",
        )
    target = check_output(out, force=force)
    if target.resolve() == path.resolve():
        raise ParameterError("the cleaned file must not replace the original", path=target)
    classes = sorted({label for _, label, _ in rows})
    decisions = read_decisions(review, lines={line for _, _, line in rows}, classes=classes)
    dropped = sum(1 for v in decisions.values() if v is None)
    relabelled = 0
    with atomic_write(target, "w", force=force, encoding=enc, newline="") as fh:
        if fmt in ("csv", "tsv"):
            header: list[str] | None = None
            writer = csv.writer(
                fh,
                delimiter="\t" if fmt == "tsv" else ",",
                quoting=csv.QUOTE_NONE if fmt == "tsv" else csv.QUOTE_MINIMAL,
                lineterminator="\n",
                escapechar="\\" if fmt == "tsv" else None,
            )
            for line, raw, fields in _table_records(path, fmt, enc):
                if header is None:
                    header = fields
                    fh.write("".join(raw))
                    continue
                if line not in decisions:
                    fh.write("".join(raw))
                elif decisions[line] is not None:
                    fields[header.index(label_column)] = str(decisions[line])
                    writer.writerow(fields)
                    relabelled += 1
        else:
            for line_no, line in enumerate(iter_lines(path, encoding=enc, keep_ends=True), start=1):
                if line_no not in decisions:
                    fh.write(line)
                    continue
                label = decisions[line_no]
                if label is None:
                    continue
                if fmt == "fasttext":
                    fh.write(_relabel_fasttext(line, label))
                elif fmt == "jsonl":
                    fh.write(_relabel_json(line, label, label_column))
                else:
                    fh.write(_relabel_first(line, label))
                relabelled += 1
    logger.info("cleaned %s: %d dropped, %d relabelled, written to %s", path, dropped, relabelled, target)
    return CleanSummary(target, len(rows), dropped, relabelled)
