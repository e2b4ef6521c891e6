"""nlptk's own vectors format: a folder that is safe to open from anyone and opens in milliseconds.

* ``vectors.npy``: the float32 matrix, opened with ``np.load(mmap_mode="r", allow_pickle=False)``;
* ``vocab.tsv``: one ``word<TAB>count`` line per row (tabs, newlines, carriage returns and
  backslashes in words escaped as ``\\t``, ``\\n``, ``\\r``, ``\\\\``; count 0 when unknown);
* ``meta.json``: ``format_version``, ``nlptk_version``, ``n_words``, ``dim``, ``has_counts``
  and the vectors' ``meta``;
* ``model.bin`` (optional): the fastText model that gives unseen words their subword vectors,
  named by ``meta["subwords"]`` in ``meta.json`` (in memory: :attr:`Vectors.subword_model`).

Used through :func:`nlptk.vectors.formats.load_vectors` / ``save_vectors``.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import numpy as np

from nlptk.errors import FormatError, IncompatibleModelError, InputFileError, ParameterError
from nlptk.io import atomic_directory, check_input_dir, reading
from nlptk.vectors.container import Vectors

__all__ = ["NATIVE_FORMAT_VERSION", "fasttext_model", "read_native", "write_native"]

logger = logging.getLogger(__name__)

NATIVE_FORMAT_VERSION = 1
_SUBWORD_MODEL = "model.bin"  # a fastText model kept in a native folder (meta["subwords"])

# -- native ------------------------------------------------------------------------------
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {v[1]: k for k, v in _ESCAPES.items()}
_ESCAPE_RE = re.compile(r"[\\\t\n\r]")
_UNESCAPE_RE = re.compile(r"\\(.)")


def _escape(word: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], word)


def _unescape(word: str) -> str:
    return _UNESCAPE_RE.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(0)), word)


def _nlptk_version() -> str:
    from nlptk._version import __version__

    return __version__


def fasttext_model(vectors: Vectors) -> Path | None:
    """The fastText ``.bin`` that gives these vectors their subwords, when it is at hand."""
    if not vectors.has_subwords or vectors.subword_model is None:
        return None
    return vectors.subword_model if vectors.subword_model.is_file() else None


def write_native(vectors: Vectors, path: Path, force: bool) -> None:
    meta = dict(vectors.meta)
    model = fasttext_model(vectors)
    if model is not None:
        meta["subwords"] = {"format": "fasttext-bin", "file": _SUBWORD_MODEL}
    elif vectors.has_subwords and "subwords" not in meta:
        logger.warning("the fastText model behind these vectors is unknown: subwords are not saved")
    info = {
        "format": "nlptk-vectors",
        "format_version": NATIVE_FORMAT_VERSION,
        "nlptk_version": _nlptk_version(),
        "n_words": len(vectors),
        "dim": vectors.dim,
        "has_counts": vectors.counts is not None,
        "meta": meta,
    }
    try:
        text = json.dumps(info, ensure_ascii=False, indent=2, default=str) + "\n"
    except (TypeError, ValueError) as exc:  # pragma: no cover - default=str catches most
        raise ParameterError(f"the vectors' meta cannot be written as JSON: {exc}") from exc
    counts = vectors.counts
    with atomic_directory(path, force=force) as tmp:
        matrix = np.ascontiguousarray(vectors.vectors, dtype=np.float32)
        np.save(tmp / "vectors.npy", matrix, allow_pickle=False)
        count_texts = map(str, counts.tolist()) if counts is not None else ("0" for _ in vectors.words)
        lines = [f"{_escape(w)}\t{c}\n" for w, c in zip(vectors.words, count_texts, strict=True)]
        (tmp / "vocab.tsv").write_text("".join(lines), encoding="utf-8", newline="\n")
        (tmp / "meta.json").write_text(text, encoding="utf-8")
        if model is not None:
            shutil.copyfile(model, tmp / _SUBWORD_MODEL)


def _attach_subwords(vectors: Vectors, folder: Path, limit: int | None) -> Vectors:
    """Give vectors read from a native folder their fastText subwords, as ``meta["subwords"]`` says."""
    spec = vectors.meta.get("subwords")
    if not isinstance(spec, dict) or spec.get("format") != "fasttext-bin" or not spec.get("file"):
        return vectors
    model = folder / str(spec["file"])
    if limit is not None:
        logger.info("limit=%d: the fastText subwords in %s are not loaded", limit, model)
        return vectors
    if not model.is_file():
        logger.warning("%s names the subword model %s, which is missing: no subwords", folder, model)
        return vectors
    from nlptk.vectors._fasttext_bin import load_fasttext_bin

    kv = load_fasttext_bin(model, what="subword model")
    if kv.index_to_key != vectors.words:
        logger.warning("%s: the subword model's vocabulary differs from vocab.tsv: no subwords", folder)
        return vectors
    return Vectors(
        vectors.words,
        vectors.vectors,
        counts=vectors.counts,
        meta=vectors.meta,
        keyed_vectors=kv,
        subword_model=model.resolve(),
    )


def read_native(path: Path, limit: int | None) -> Vectors:
    folder = check_input_dir(path, what="vectors folder")
    with reading(folder, "nlptk vectors folder"):
        return _read_native(folder, limit)


def _read_native(folder: Path, limit: int | None) -> Vectors:
    for name in ("vectors.npy", "vocab.tsv", "meta.json"):
        if not (folder / name).is_file():
            raise InputFileError(
                f"nlptk vectors folder lacks {name}", path=folder, hint="save the vectors again"
            )
    try:
        info = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"meta.json is not valid JSON: {exc}", path=folder / "meta.json") from exc
    if not isinstance(info, dict):
        raise FormatError("meta.json must hold a JSON object", path=folder / "meta.json")
    version = info.get("format_version")
    if not isinstance(version, int) or version > NATIVE_FORMAT_VERSION:
        raise IncompatibleModelError(
            f"vectors folder has format_version {version!r}; this nlptk "
            f"({_nlptk_version()}) reads up to {NATIVE_FORMAT_VERSION}",
            path=folder,
            hint="upgrade nlptk, or convert the vectors with the nlptk that wrote them",
        )
    try:
        matrix = np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False)
    except (ValueError, EOFError, OSError) as exc:
        raise FormatError(f"vectors.npy cannot be read: {exc}", path=folder / "vectors.npy") from exc
    if matrix.dtype.kind not in "fiu":
        raise FormatError(
            f"vectors.npy holds {matrix.dtype} values, expected numbers", path=folder / "vectors.npy"
        )
    if matrix.ndim != 2 or matrix.shape != (info.get("n_words"), info.get("dim")):
        raise FormatError(
            f"vectors.npy has shape {matrix.shape} but meta.json says "
            f"{info.get('n_words')} words x {info.get('dim')} dims",
            path=folder,
            hint="the folder was modified or damaged; save the vectors again",
        )
    if limit is not None:
        matrix = matrix[:limit]
    words, counts = _read_vocab(folder / "vocab.tsv", matrix.shape[0], bool(info.get("has_counts")))
    if len(set(words)) != len(words):
        seen: set[str] = set()
        first = next(w for w in words if w in seen or seen.add(w))  # type: ignore[func-returns-value]
        raise FormatError(
            f"vocab.tsv lists the word {first!r} twice",
            path=folder / "vocab.tsv",
            hint="the folder was modified or damaged; save the vectors again",
        )
    vectors = Vectors(words, matrix, counts=counts, meta=info.get("meta") or {})
    return _attach_subwords(vectors, folder, limit)


def _vocab_error(path: Path, lines: list[bytes], rows: int) -> FormatError:
    """Name the first line of vocab.tsv that is not ``word<TAB>digits``."""
    bad = len(lines) + 1
    for i, line in enumerate(lines[:rows]):
        _, tab, count = line.partition(b"\t")
        if not tab or b"\t" in count or not count.isdigit():
            bad = i + 1
            break
    return FormatError(
        f"vocab.tsv must hold one 'word<TAB>count' line for each of the {rows} vector rows",
        path=path,
        line=bad,
        hint="the folder was modified or damaged; save the vectors again",
    )


def _read_vocab(path: Path, rows: int, has_counts: bool) -> tuple[list[str], np.ndarray | None]:
    """Read the first ``rows`` lines of vocab.tsv fast: words by one split, counts vectorised.

    Opening a native folder must take milliseconds even for 400,000 words, so the
    ``word<TAB>count`` lines are not split one by one: NumPy finds the tabs and newlines,
    drops the count columns from the bytes before one decode and one split into words, and
    reads the counts' digits column by column.
    """
    raw = path.read_bytes()
    buf = np.frombuffer(raw, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    if len(newlines) < rows:
        raise _vocab_error(path, raw.split(b"\n"), rows)
    if rows == 0:
        return [], np.zeros(0, dtype=np.int64) if has_counts else None
    end = int(newlines[rows - 1]) + 1
    buf, newlines = buf[:end], newlines[:rows]
    tabs = np.flatnonzero(buf == 9)
    if len(tabs) != rows or np.any(tabs >= newlines) or np.any(tabs[1:] <= newlines[:-1]):
        raise _vocab_error(path, raw[:end].split(b"\n"), rows)
    # keep [line start, tab) and drop [tab, newline) of every line: the words, one per line
    bounds = np.empty(2 * rows, dtype=np.int64)
    bounds[0::2], bounds[1::2] = tabs, newlines
    keep = np.repeat(np.tile(np.array([True, False]), rows), np.diff(bounds, prepend=0))
    try:
        words = buf[: end - 1][keep].tobytes().decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise FormatError(f"vocab.tsv is not UTF-8 ({exc.reason})", path=path) from None
    if b"\\" in raw[:end]:
        words = [_unescape(w) if "\\" in w else w for w in words]
    counts = None
    if has_counts:
        widths = newlines - tabs - 1
        if np.any(widths < 1) or np.any(widths > 18):
            raise _vocab_error(path, raw[:end].split(b"\n"), rows)
        counts = np.zeros(rows, dtype=np.int64)
        for k in range(int(widths.max())):  # the k-th digit from the right of every count
            has = widths > k
            digit = buf[newlines[has] - 1 - k] - np.uint8(48)  # a non-digit wraps to > 9
            if np.any(digit > 9):
                raise _vocab_error(path, raw[:end].split(b"\n"), rows)
            counts[has] += digit.astype(np.int64) * 10**k
    return words, counts
