"""Labelled text for classifiers: one reader for every common layout.

:func:`load_labelled` returns a :class:`LabelledData` (texts, integer labels, class names)
from any of these, detected from the path when ``format`` is not given:

``"folders"``
    A folder with one sub-folder per class, ``<dir>/<class>/*.txt``, one example per file.
    Class ids come from the **sorted** folder names, as Keras' ``text_dataset_from_directory``
    does. A dataset root holding ``train/`` (and optionally ``val/``, ``valid/``, ``dev/``,
    ``test/``) is read through its ``train/`` split; :func:`load_labelled_splits` reads them all.
``"csv"``, ``"tsv"``, ``"jsonl"``
    A table with a header (or JSON objects) holding a text column and a label column
    (``text_column="text"``, ``label_column="label"``).
``"fasttext"``
    fastText's supervised format, ``__label__pos the movie was great``. A line with several
    labels is read with its first one (a warning says how many lines had several).
``"label-first"``
    The first whitespace-separated token is the label, the rest is the text:
    ``1 the movie was great`` (the SST-2, TREC and MR files of the shared benchmarks).

Detection when ``format=None``: a folder gives ``"folders"``; a ``.csv``/``.tsv``/``.jsonl``
suffix (also compressed) gives the table format; otherwise the first 50 non-empty lines are
looked at: if the first one starts with ``__label__`` it is ``"fasttext"``; if *every* one
of them starts with an integer token (``0``, ``1``, ``-1``, ``5``) followed by text, it is
``"label-first"``. Anything else is refused with a :class:`~nlptk.errors.FormatError`
asking for ``format=``: a file whose lines start with words (``pos great film``) could be
plain text as easily as labelled data, so non-numeric label-first files must be named
explicitly (``format="label-first"``).

Class ids: ``classes_`` is sorted; when every label is an integer the sort is numeric, so
labels ``0..5`` keep their ids (and ``10`` comes after ``9``). Folder names are sorted as
strings, exactly as Keras does. Pass ``classes=`` (the training classes) to read validation
or test data with the same ids; a label outside them is an error naming the file and line.

Empty texts are kept (a classifier must cope with them, and dropping them would shift
the examples against any other record of the file); one warning says how many there are.

A registry name (``"sst2"``, ``"mr"``, ``"pang_lee_polarity"``) is accepted in place of a
path; the registry supplies the format and encoding (MR is latin-1).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlptk._deprecated import renamed_names
from nlptk.errors import DataError, InputFileError, ParameterError
from nlptk.io import check_input_dir, check_input_file
from nlptk.text._labelled_formats import (
    FASTTEXT_PREFIX,
    INTEGER,
    LABELLED_FORMATS,
    detect_labelled_format,
    is_split_root,
    iter_nonblank,
    read_fasttext,
    read_folders,
    read_label_first,
    read_table,
)
from nlptk.text.corpus import Corpus
from nlptk.text.registry import is_registry_name

__all__ = [
    "LABELLED_FORMATS",
    "LabelledData",
    "LabelledTextCorpus",
    "detect_labelled_format",
    "load_labelled",
    "load_labelled_splits",
    "read_labelled_rows",
    "train_val_split",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

SPLIT_NAMES = {"train": ("train",), "val": ("val", "valid", "validation", "dev"), "test": ("test",)}


@dataclass
class LabelledData:
    """Texts with integer labels and the class names they index.

    Attributes
    ----------
    texts : list of str
        One text per example.
    labels : list of int
        ``labels[i]`` is the class id of ``texts[i]``, an index into ``classes``.
    classes : list of str
        Class names; id ``k`` is ``classes[k]``.
    source : str, optional
        Where the data came from (a path or registry name).

    Examples
    --------
    >>> data = LabelledData(["good", "bad", "fine"], [1, 0, 1], ["neg", "pos"])
    >>> len(data), data.class_counts()
    (3, {'neg': 1, 'pos': 2})
    >>> data.subset([0, 2]).texts
    ['good', 'fine']
    """

    texts: list[str]
    labels: list[int]
    classes: list[str]
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.labels):
            raise ParameterError(f"{len(self.texts)} texts but {len(self.labels)} labels")
        n = len(self.classes)
        bad = next((y for y in self.labels if not 0 <= y < n), None)
        if bad is not None:
            raise ParameterError(f"label id {bad} is outside the {n} classes {self.classes}")

    def __len__(self) -> int:
        return len(self.texts)

    def class_counts(self) -> dict[str, int]:
        """Number of examples per class name, in class-id order (zero counts included)."""
        counts = np.bincount(np.asarray(self.labels, dtype=np.int64), minlength=len(self.classes))
        return {name: int(c) for name, c in zip(self.classes, counts, strict=True)}

    def subset(self, indices: Sequence[int] | np.ndarray) -> LabelledData:
        """The examples at ``indices``, with the same classes."""
        idx = [int(i) for i in indices]
        return LabelledData(
            [self.texts[i] for i in idx],
            [self.labels[i] for i in idx],
            list(self.classes),
            self.source,
            dict(self.meta),
        )

    def describe(self) -> dict[str, Any]:
        """A JSON-serialisable summary for run manifests."""
        return {
            "source": self.source,
            "examples": len(self),
            "classes": list(self.classes),
            "class_counts": self.class_counts(),
            **self.meta,
        }


# -- helpers ---------------------------------------------------------------------------------


def _sort_classes(names: set[str] | list[str], *, numeric: bool = True) -> list[str]:
    names = list(names)
    if numeric and names and all(INTEGER.match(n) for n in names):
        return sorted(names, key=int)
    return sorted(names)


def _check_classes(classes: list[str], source: str) -> None:
    if not classes:
        raise DataError(f"no labels found in {source}", hint="check the file format and the label column")
    if len(classes) < 2:
        raise DataError(
            f"needs at least two classes, found only {classes[0]!r}",
            path=source,
            hint="a classifier needs examples of two or more classes",
        )


def _assign_ids(
    raw: list[tuple[str, str, int]],
    classes: Sequence[str] | None,
    path: PathLike,
    *,
    numeric_sort: bool = True,
    folder_names: list[str] | None = None,
) -> tuple[list[str], list[int], list[str]]:
    """Turn ``(text, label_name, line)`` triples into texts, ids and class names."""
    if classes is not None:
        class_list = [str(c) for c in classes]
        if len(set(class_list)) != len(class_list):
            raise ParameterError(f"classes={class_list} has duplicates")
        index = {c: i for i, c in enumerate(class_list)}
        labels = []
        for _, name, line in raw:
            if name not in index:
                where = f"line {line}" if line > 0 else "folder"
                raise DataError(
                    f"label {name!r} at {where} is not among the training classes {class_list}",
                    path=path,
                    hint="relabel it, or train with this class too",
                )
            labels.append(index[name])
    else:
        found = folder_names if folder_names is not None else {name for _, name, _ in raw}
        class_list = _sort_classes(found, numeric=numeric_sort)
        index = {c: i for i, c in enumerate(class_list)}
        labels = [index[name] for _, name, _ in raw]
    _check_classes(class_list, os.fspath(path))
    if not raw:
        raise DataError("no labelled examples found", path=path, hint="check the file or folder")
    texts = [text for text, _, _ in raw]
    n_empty = sum(1 for t in texts if not t.strip())
    if n_empty:
        first = next(line for text, _, line in raw if not text.strip())
        logger.warning(
            "%s: %d of %d examples have an empty text (first at %s); they are kept",
            os.fspath(path),
            n_empty,
            len(texts),
            f"line {first}" if first > 0 else "a file",
        )
    return texts, labels, class_list


class LabelledTextCorpus(Corpus):
    """The texts of a fastText or label-first file with the labels stripped, streamed.

    For training embeddings on labelled data: ``open_corpus("sst2")`` gives this, so the
    label tokens (``0``, ``__label__pos``) do not end up in the vocabulary.

    Parameters
    ----------
    path : str or PathLike
        The labelled file (compressed files too).
    format : {"fasttext", "label-first"}
        How the labels are written.
    encoding : str, default="utf-8"
        Text encoding.
    limit : int, optional
        Read at most this many documents.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> corpus = LabelledTextCorpus(datapath("pang_lee_polarity.cor"), format="fasttext", encoding="cp1252")
    >>> next(iter(corpus))
    'simplistic , silly and tedious .'
    """

    def __init__(
        self, path: PathLike, *, format: str, encoding: str = "utf-8", limit: int | None = None
    ) -> None:
        if format not in ("fasttext", "label-first"):
            raise ParameterError(f"format={format!r} is not one of 'fasttext', 'label-first'")
        self.path = check_input_file(path)
        self.format = format
        self.encoding = encoding
        self.limit = limit

    def __iter__(self) -> Iterator[str]:
        count = 0
        fasttext = self.format == "fasttext"
        for _, line in iter_nonblank(self.path, self.encoding, "strict"):
            if fasttext:
                parts = line.split()
                start = 0
                while start < len(parts) and parts[start].startswith(FASTTEXT_PREFIX):
                    start += 1
                text = " ".join(parts[start:])
            else:
                parts = line.split(maxsplit=1)
                text = parts[1].strip() if len(parts) > 1 else ""
            if text:
                yield text
                count += 1
                if self.limit is not None and count >= self.limit:
                    return

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "format": self.format, "encoding": self.encoding, "limit": self.limit}


def _resolve_source(
    source: PathLike, encoding: str | None, format: str | None, data_dir: PathLike | None
) -> tuple[Path, str, str | None]:
    """A path as given, or a registry name resolved with its format and encoding."""
    path = Path(source)
    text = os.fspath(source)
    if is_registry_name(text):
        from nlptk.text.registry import lookup_corpus

        info, path = lookup_corpus(text, data_dir=data_dir)
        return path, encoding or info.encoding, format or info.labelled_format
    return path, encoding or "utf-8", format


def load_labelled(
    path: PathLike,
    *,
    format: str | None = None,
    text_column: str = "text",
    label_column: str = "label",
    encoding: str | None = None,
    errors: str = "strict",
    classes: Sequence[str] | None = None,
    pattern: str = "*.txt",
    data_dir: PathLike | None = None,
) -> LabelledData:
    """Read labelled text from a folder, a table, a fastText or a label-first file.

    Parameters
    ----------
    path : str or PathLike
        A file, a folder, or a registry name (``"sst2"``, ``"sst2:test"``, ``"mr"``).
    format : {"folders", "csv", "tsv", "jsonl", "fasttext", "label-first"}, optional
        Detected when omitted (see the module docstring).
    text_column, label_column : str, default="text", "label"
        Columns of a CSV/TSV/JSONL file.
    encoding : str, optional
        Text encoding; UTF-8 unless a registry entry says otherwise. An undecodable byte
        raises :class:`~nlptk.errors.EncodingError` with its byte offset.
    errors : str, default="strict"
        Decoding error handler for text and folder formats (``"replace"`` to let bad bytes
        through as U+FFFD).
    classes : sequence of str, optional
        The class names to use, in id order (the training classes when reading val/test data).
    pattern : str, default="*.txt"
        Files read in each class folder.
    data_dir : str or PathLike, optional
        Data folder for registry names.

    Returns
    -------
    LabelledData

    Raises
    ------
    InputFileError, EncodingError, FormatError
        Missing/empty input, undecodable bytes, a missing column or an undetectable format.
    DataError
        No labels, a single class, a label outside ``classes``.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> data = load_labelled(datapath("pang_lee_polarity.cor"), encoding="cp1252")
    >>> len(data), data.classes
    (200, ['neg', 'pos'])
    >>> load_labelled("pang_lee_polarity").class_counts()   # by name: the registry knows the encoding
    {'neg': 100, 'pos': 100}
    """
    raw, fmt, enc, p, folder_names = _read_rows(
        path, format, text_column, label_column, encoding, errors, pattern, data_dir
    )
    texts, labels, class_list = _assign_ids(
        raw, classes, p, numeric_sort=fmt != "folders", folder_names=folder_names
    )
    data = LabelledData(texts, labels, class_list, os.fspath(path), {"format": fmt, "encoding": enc})
    logger.info("read %d examples of %d classes from %s (%s)", len(data), len(class_list), p, fmt)
    return data


def _read_rows(
    path: PathLike,
    format: str | None,
    text_column: str,
    label_column: str,
    encoding: str | None,
    errors: str,
    pattern: str,
    data_dir: PathLike | None,
) -> tuple[list[tuple[str, str, int]], str, str, Path, list[str] | None]:
    """``(text, label, line)`` triples (line 0 for files of a folder), the format, encoding,
    resolved path and the class folder names (folders only)."""
    p, enc, fmt = _resolve_source(path, encoding, format, data_dir)
    if fmt is not None and fmt not in LABELLED_FORMATS:
        raise ParameterError(
            f"unknown labelled format {fmt!r}", hint=f"use one of {', '.join(LABELLED_FORMATS)}"
        )
    if not p.exists():
        raise InputFileError("labelled data not found", path=p, hint="check the path")
    if p.is_dir() and (fmt in (None, "folders")) and is_split_root(p):
        logger.info("%s holds splits; reading its train/ folder", p)
        p = p / "train"
    fmt = fmt or detect_labelled_format(p, encoding=enc, errors=errors)
    folder_names = None
    if fmt == "folders":
        raw, folder_names = read_folders(p, pattern=pattern, encoding=enc, errors=errors)
    elif fmt in ("csv", "tsv", "jsonl"):
        if p.is_dir():
            raise InputFileError("expected a table file but found a folder", path=p)
        raw = read_table(p, fmt, text_column=text_column, label_column=label_column, encoding=enc)
    elif fmt == "fasttext":
        raw = read_fasttext(check_input_file(p), encoding=enc, errors=errors)
    else:
        raw = read_label_first(check_input_file(p), encoding=enc, errors=errors)
    return raw, fmt, enc, p, folder_names


def read_labelled_rows(
    path: PathLike,
    *,
    format: str | None = None,
    text_column: str = "text",
    label_column: str = "label",
    encoding: str | None = None,
    data_dir: PathLike | None = None,
) -> tuple[list[tuple[str, str, int]], str, str, Path]:
    """The examples of a labelled file as ``(text, label, line)``, its format, encoding and path.

    ``line`` is the 1-based line of the example in the file (of its last line, for a CSV
    record that spans several), 0 for the files of a ``<class>/*.txt`` folder. Reviewing
    and cleaning a dataset (``nlptk classify review`` / ``clean``) refer to examples by it.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> rows, fmt, _, _ = read_labelled_rows(datapath("pang_lee_polarity.cor"), encoding="cp1252")
    >>> fmt, rows[0][1:], len(rows)
    ('fasttext', ('neg', 1), 200)
    """
    raw, fmt, enc, p, _ = _read_rows(
        path, format, text_column, label_column, encoding, "strict", "*.txt", data_dir
    )
    return raw, fmt, enc, p


def find_split_files(folder: Path) -> dict[str, Path]:
    """The splits in a dataset folder: ``{"train": .., "val": .., "test": ..}`` where present.

    A split is a sub-folder (``train/``, ``val/`` or ``valid/`` or ``dev/``, ``test/``) or a
    file with that stem (``train.csv``, ``test.tsv``...).
    """
    found: dict[str, Path] = {}
    for split, names in SPLIT_NAMES.items():
        for name in names:
            if (folder / name).is_dir():
                found[split] = folder / name
                break
            files = sorted(f for f in folder.glob(f"{name}.*") if f.is_file() and not f.name.startswith("."))
            if files:
                found[split] = files[0]
                break
    return found


def load_labelled_splits(
    path: PathLike,
    *,
    format: str | None = None,
    data_dir: PathLike | None = None,
    **options: Any,
) -> dict[str, LabelledData]:
    """Read the ``train`` split and any ``val`` and ``test`` splits of a dataset.

    ``path`` is a folder holding ``train/`` (class folders) or ``train.<ext>`` files, with
    optional ``val``/``valid``/``validation``/``dev`` and ``test`` beside it, or a registry
    name with splits (``"sst2"``, ``"trec"``). The validation and test splits are read with
    the training classes, so the ids agree. Keys of the result: ``"train"``, and ``"val"``,
    ``"test"`` where present.

    Raises
    ------
    InputFileError
        There is no train split.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for split, cls, text in [("train", "neg", "bad"), ("train", "pos", "good"), ("test", "pos", "fine")]:
    ...     (root / split / cls).mkdir(parents=True, exist_ok=True)
    ...     _ = (root / split / cls / "1.txt").write_text(text)
    >>> splits = load_labelled_splits(root)
    >>> sorted(splits), splits["test"].labels
    (['test', 'train'], [1])
    """
    text = os.fspath(path)
    p = Path(path)
    if is_registry_name(text):
        from nlptk.text.registry import corpus_info

        info = corpus_info(text)
        names = list(info.splits) or ["train"]
        if "train" not in names:
            raise ParameterError(f"registry corpus {text!r} has no train split (splits: {names})")
        train = load_labelled(f"{text}:train", format=format, data_dir=data_dir, **options)
        out = {"train": train}
        for split in names:
            if split != "train":
                key = "val" if split in SPLIT_NAMES["val"] else split
                out[key] = load_labelled(
                    f"{text}:{split}", format=format, data_dir=data_dir, classes=train.classes, **options
                )
        return out
    check_input_dir(p, what="dataset folder")
    files = find_split_files(p)
    if "train" not in files:
        raise InputFileError(
            "dataset folder has no train split",
            path=p,
            hint="put the training data in train/<class>/*.txt or train.csv (val/ and test/ beside it)",
        )
    train = load_labelled(files["train"], format=format, **options)
    out = {"train": train}
    for split in ("val", "test"):
        if split in files:
            out[split] = load_labelled(files[split], format=format, classes=train.classes, **options)
    return out


def train_val_split(
    data: LabelledData,
    val_size: float | int = 0.1,
    seed: int = 0,
    stratify: bool = True,
) -> tuple[LabelledData, LabelledData]:
    """Split off a seeded validation set, stratified by class by default.

    Parameters
    ----------
    data : LabelledData
        The examples to split.
    val_size : float or int, default=0.1
        Fraction (0 < val_size < 1) or number of examples for validation.
    seed : int, default=0
        Random seed (the same seed gives the same split).
    stratify : bool, default=True
        Keep the class proportions in both parts. Falls back to a plain random split (with
        a warning) when a class has fewer than two examples.

    Returns
    -------
    (train, val) : tuple of LabelledData

    Examples
    --------
    >>> data = LabelledData([f"t{i}" for i in range(20)], [i % 2 for i in range(20)], ["a", "b"])
    >>> train, val = train_val_split(data, val_size=0.2, seed=1)
    >>> len(train), len(val), val.class_counts()
    (16, 4, {'a': 2, 'b': 2})
    """
    from sklearn.model_selection import train_test_split

    n = len(data)
    if isinstance(val_size, float):
        if not 0.0 < val_size < 1.0:
            raise ParameterError(f"val_size={val_size} must be between 0 and 1 (a fraction) or a count")
        n_val = int(np.ceil(val_size * n))
    else:
        n_val = int(val_size)
    if n_val < 1 or n_val >= n:
        raise DataError(
            f"val_size={val_size} leaves {n_val} of {n} examples for validation",
            hint="use more data or another val_size",
        )
    indices = np.arange(n)
    strat = np.asarray(data.labels) if stratify else None
    if strat is not None:
        counts = Counter(data.labels)
        n_classes = len(counts)
        if min(counts.values()) < 2 or n_val < n_classes or n - n_val < n_classes:
            logger.warning(
                "cannot stratify %d validation examples over %d classes (smallest class: %d); "
                "using a plain random split",
                n_val,
                n_classes,
                min(counts.values()),
            )
            strat = None
    train_idx, val_idx = train_test_split(indices, test_size=n_val, random_state=seed, stratify=strat)
    return data.subset(np.sort(train_idx)), data.subset(np.sort(val_idx))


# old public names, kept for one release with a DeprecationWarning (nlptk._deprecated)
__getattr__ = renamed_names(__name__, {"read_labelled": "nlptk.text.labelled.load_labelled"})
