"""Files for the TensorFlow Embedding Projector (projector.tensorflow.org and TensorBoard).

An export folder holds:

* ``vectors.tsv``: one row per point, tab-separated floats (``%.6g``), no header;
* ``metadata.tsv``: one row per point. A single column has **no** header row; several
  columns **do** (the first line is the column names), as the Projector requires. Tabs,
  newlines and carriage returns inside values are written as ``\\t``, ``\\n``, ``\\r`` so
  the row counts always match;
* ``projector_config.json``: the standalone Projector's config (``embeddings`` with
  ``tensorName``, ``tensorShape``, ``tensorPath``, ``metadataPath``);
* ``projector_config.pbtxt``: TensorBoard's projector plugin config (``embeddings {
  tensor_name, tensor_path, metadata_path }``): ``tensorboard --logdir OUT`` shows it;
* ``missing_words.txt``: only when some words asked for were not in the vocabulary.

The folder is written atomically (:func:`nlptk.io.atomic_directory`); an existing folder is
refused unless ``force``. The writer checks that the vector and metadata row counts agree
before the folder is moved into place.

Use :func:`export_projector` for word vectors and :func:`export_documents` for any other
matrix of points with metadata (LSA document vectors, a classifier's sentence representations).

Choosing the vectors, rows and metadata columns, reading word lists and metadata tables, and
escaping cells live in :mod:`nlptk.export._metadata` (shared with the scatter plots); they are
imported here, so ``from nlptk.export.projector import read_word_list`` and the like keep working.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from nlptk.errors import DataError, ParameterError
from nlptk.export._metadata import (
    BUILTIN_COLUMNS,
    _truncate,
    _visible_if_blank,
    escape_cell,
    read_metadata_table,
    read_word_list,
    resolve_vectors,
    select_rows,
    word_columns,
)
from nlptk.export.tsv import write_matrix_tsv
from nlptk.io import atomic_directory, check_output
from nlptk.vectors.container import Vectors

__all__ = [
    "BUILTIN_COLUMNS",
    "ProjectorExport",
    "escape_cell",
    "export_documents",
    "export_lsa_documents",
    "export_projector",
    "read_metadata_table",
    "read_word_list",
    "resolve_vectors",
    "select_rows",
    "word_columns",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class ProjectorExport:
    """What an export wrote.

    Attributes
    ----------
    path : Path
        The export folder.
    n_rows, dim : int
        Shape of ``vectors.tsv``.
    columns : list of str
        Metadata columns, in order (a header row is written when there are several).
    missing_words : list of str
        Words asked for that the vocabulary does not have (also in ``missing_words.txt``).
    """

    path: Path
    n_rows: int
    dim: int
    columns: list[str]
    missing_words: list[str] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        """The files in the folder."""
        return sorted(p for p in self.path.iterdir() if p.is_file())


def _write_folder(
    out_dir: PathLike,
    matrix: np.ndarray,
    columns: Mapping[str, Sequence[Any]],
    *,
    tensor_name: str,
    normalize: bool,
    force: bool,
    max_chars: int | None,
    missing_words: Sequence[str] = (),
) -> ProjectorExport:
    """Write the Projector files for ``matrix`` and its metadata ``columns`` atomically."""
    check_output(out_dir, force=force)
    matrix = np.asarray(matrix)
    if matrix.ndim != 2:
        raise ParameterError(f"expected a 2-d matrix of points, got shape {matrix.shape}")
    n, dim = matrix.shape
    if n == 0 or dim == 0:
        raise DataError(f"nothing to export: the matrix has shape {matrix.shape}")
    if not columns:
        raise ParameterError("at least one metadata column is needed")
    names = [str(name) for name in columns]
    for name, values in columns.items():
        if len(values) != n:
            raise DataError(
                f"metadata column {name!r} has {len(values)} values for {n} vectors; they must match"
            )
    if matrix.dtype != np.float32:
        matrix = matrix.astype(np.float32)
    if normalize:
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    single = len(names) == 1
    cells = [[_truncate(escape_cell(v), max_chars) for v in values] for values in columns.values()]
    if single:  # a line blank after JavaScript's trim() is dropped by the Projector: rows shift
        cells[0] = [_visible_if_blank(c) for c in cells[0]]
    lines = ["\t".join(names)] if not single else []
    lines += ["\t".join(row) for row in zip(*cells, strict=True)]
    with atomic_directory(out_dir, force=force) as tmp:
        with open(tmp / "vectors.tsv", "wb") as handle:
            write_matrix_tsv(matrix, handle)
        with open(tmp / "metadata.tsv", "w", encoding="utf-8", newline="\n") as handle:
            handle.write("\n".join(lines) + "\n")
        _check_row_counts(tmp, n, header=not single)
        shape = [int(n), int(dim)]
        standalone = {
            "embeddings": [
                {
                    "tensorName": tensor_name,
                    "tensorShape": shape,
                    "tensorPath": "vectors.tsv",
                    "metadataPath": "metadata.tsv",
                }
            ]
        }
        (tmp / "projector_config.json").write_text(json.dumps(standalone, indent=2) + "\n", encoding="utf-8")
        (tmp / "projector_config.pbtxt").write_text(
            "embeddings {\n"
            f"  tensor_name: {json.dumps(tensor_name)}\n"
            f"  tensor_shape: {n}\n"
            f"  tensor_shape: {dim}\n"
            '  tensor_path: "vectors.tsv"\n'
            '  metadata_path: "metadata.tsv"\n'
            "}\n",
            encoding="utf-8",
        )
        if missing_words:
            (tmp / "missing_words.txt").write_text(
                "".join(escape_cell(w) + "\n" for w in missing_words), encoding="utf-8"
            )
    logger.info("wrote %d x %d vectors and %d metadata column(s) to %s", n, dim, len(names), out_dir)
    return ProjectorExport(Path(out_dir), int(n), int(dim), names, list(missing_words))


def _check_row_counts(folder: Path, n: int, *, header: bool) -> None:
    """Count the lines actually written; a mismatch is a bug, never a silent bad export."""

    def count_lines(path: Path) -> int:
        lines = 0
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 24):
                lines += chunk.count(b"\n")
        return lines

    vec_rows = count_lines(folder / "vectors.tsv")
    meta_rows = count_lines(folder / "metadata.tsv") - (1 if header else 0)
    if vec_rows != n or meta_rows != n:
        raise DataError(
            f"row counts disagree: vectors.tsv has {vec_rows} rows, metadata.tsv {meta_rows}, expected {n}"
        )


def export_projector(
    vectors: Vectors | PathLike,
    out_dir: PathLike,
    *,
    limit: int | None = None,
    words: Sequence[str] | None = None,
    metadata: Sequence[str] | None = None,
    extra_columns: Mapping[str, Mapping[str, Any] | Sequence[Any]] | None = None,
    normalize: bool = False,
    force: bool = False,
    tensor_name: str = "word_vectors",
    on_missing: Literal["warn", "error"] = "warn",
) -> ProjectorExport:
    """Write word vectors as Embedding Projector files.

    Parameters
    ----------
    vectors : Vectors or path
        The vectors, or a path :func:`nlptk.vectors.formats.load_vectors` reads, or an LSA
        model folder (its term vectors).
    out_dir : str or PathLike
        The folder to write (must not exist unless ``force``).
    limit : int, optional
        Export only the first ``limit`` rows (the most frequent words), after ``words``.
    words : sequence of str, optional
        Export these words, in this order. Unknown words are left out and reported:
        logged, listed in ``missing_words.txt`` and in the result (or an error, see ``on_missing``).
    metadata : sequence of str, optional
        Metadata columns: ``word``, ``count`` (when the vectors have counts), ``rank``
        (1-based row) and the names in ``extra_columns``. Default: ``word`` and every extra
        column. One column is written without a header, several with one.
    extra_columns : mapping, optional
        More columns: name -> ``{word: value}`` or a sequence aligned with the vocabulary
        (see :func:`read_metadata_table` for a TSV file).
    normalize : bool, default=False
        Scale every vector to unit length (the Projector's cosine views then match dot products).
    force : bool, default=False
        Replace an existing folder.
    tensor_name : str, default="word_vectors"
        The name the Projector shows.
    on_missing : {"warn", "error"}, default="warn"
        What to do with words that are not in the vocabulary.

    Returns
    -------
    ProjectorExport

    Raises
    ------
    OutputExistsError
        ``out_dir`` exists and ``force`` is false.
    ParameterError
        An unknown metadata column (the message lists the available ones), ``limit`` < 1.
    DataError
        Nothing to export, or (``on_missing="error"``) unknown words.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> v = Vectors(["king", "queen", "apple"], np.eye(3, dtype=np.float32), counts=[30, 20, 10])
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "proj"
    >>> result = export_projector(v, out, metadata=["word", "count"])
    >>> (out / "metadata.tsv").read_text().splitlines()[:2]
    ['word\\tcount', 'king\\t30']
    """
    if on_missing not in ("warn", "error"):
        raise ParameterError(f"on_missing={on_missing!r} is not one of 'warn', 'error'")
    check_output(out_dir, force=force)
    if limit is not None and limit < 1:
        raise ParameterError(f"limit must be >= 1, got {limit}")
    # without a word list only the first rows are needed: big text files are read that far only
    vectors = resolve_vectors(vectors, limit=limit if words is None else None)
    rows, missing = select_rows(vectors, words=words, limit=limit)
    if missing:
        shown = ", ".join(repr(w) for w in missing[:10]) + (" ..." if len(missing) > 10 else "")
        message = f"{len(missing)} of {len(missing) + len(rows)} words are not in the vocabulary: {shown}"
        if on_missing == "error":
            raise DataError(message, hint="remove them from the words file, or allow them to be skipped")
        logger.warning("%s (left out; all listed in %s)", message, Path(out_dir) / "missing_words.txt")
    names = list(metadata) if metadata is not None else ["word", *(extra_columns or {})]
    columns = word_columns(vectors, rows, names, extra_columns=extra_columns)
    matrix = np.asarray(vectors.vectors[rows])
    return _write_folder(
        out_dir,
        matrix,
        columns,
        tensor_name=tensor_name,
        normalize=normalize,
        force=force,
        max_chars=None,
        missing_words=missing,
    )


def export_documents(
    doc_vectors: np.ndarray,
    out_dir: PathLike,
    *,
    metadata: Mapping[str, Sequence[Any]],
    normalize: bool = False,
    force: bool = False,
    tensor_name: str = "documents",
    max_chars: int | None = 200,
) -> ProjectorExport:
    """Write any matrix of points with per-point metadata as Embedding Projector files.

    For LSA document vectors (id, text snippet) and a classifier's sentence representations
    (text snippet, true label, predicted label, confidence): one call.

    Parameters
    ----------
    doc_vectors : ndarray of shape (n_documents, dim)
    out_dir : str or PathLike
    metadata : mapping of str to sequence
        Column name -> one value per document, in column order. Values are written as text
        (floats with 4 significant digits), tabs and newlines escaped, cut to ``max_chars``.
    normalize : bool, default=False
        Scale every vector to unit length.
    force : bool, default=False
        Replace an existing folder.
    tensor_name : str, default="documents"
    max_chars : int or None, default=200
        Longest metadata value (longer ones end in "…"); None keeps them whole.

    Returns
    -------
    ProjectorExport

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "docs"
    >>> r = export_documents(np.random.rand(2, 4), out, metadata={
    ...     "text": ["a good film", "bad"], "true_label": ["pos", "neg"],
    ...     "predicted_label": ["pos", "pos"], "confidence": [0.93, 0.51]})
    >>> (out / "metadata.tsv").read_text().splitlines()[1]
    'a good film\\tpos\\tpos\\t0.93'
    """
    return _write_folder(
        out_dir,
        np.asarray(doc_vectors),
        dict(metadata),
        tensor_name=tensor_name,
        normalize=normalize,
        force=force,
        max_chars=max_chars,
    )


def export_lsa_documents(
    model: Any,
    out_dir: PathLike,
    *,
    limit: int | None = None,
    normalize: bool = False,
    force: bool = False,
) -> ProjectorExport:
    """Write a topic model's document vectors: LSA's topic-space vectors or LDA's topic mixtures.

    Metadata: document id and text snippet, and for LDA the strongest topic of each document
    (colour the points by it in the Projector).

    Parameters
    ----------
    model : LSA, LDA or path
        A fitted :class:`~nlptk.embed.lsa.LSA` or :class:`~nlptk.topics.lda.LDA`, or a saved
        model folder of either.
    out_dir : str or PathLike
    limit : int, optional
        Only the first ``limit`` documents.
    normalize : bool, default=False
    force : bool, default=False

    Examples
    --------
    >>> export_lsa_documents("lee-lsa/", "lee-docs/")  # doctest: +SKIP
    """
    from nlptk.topics.persist import load_topic_model

    check_output(out_dir, force=force)
    if not hasattr(model, "document_vectors_"):
        model = load_topic_model(model)
    if limit is not None and limit < 1:
        raise ParameterError(f"limit must be >= 1, got {limit}")
    vectors = model.document_vectors_
    n = len(vectors) if limit is None else min(limit, len(vectors))
    metadata: dict[str, Any] = {"id": list(range(n)), "text": model.documents_[:n]}
    kind = type(model).__name__.lower()
    if kind == "lda":
        metadata["topic"] = [int(t) for t in np.argmax(vectors[:n], axis=1)]
    return export_documents(
        vectors[:n],
        out_dir,
        metadata=metadata,
        normalize=normalize,
        force=force,
        tensor_name=f"{kind}_documents",
    )
