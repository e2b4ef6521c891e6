"""The embedding-training entry point: corpus -> cached tokens -> trainer -> output folder.

:func:`train` opens a corpus (a path or a registry name), tokenizes it **once** into a
cached tokens file (one document per line, tokens separated by single spaces), hands that
file to the method's trainer (``train_word2vec``, ``train_fasttext``, ``train_glove``,
``train_lsa``), and writes the output folder atomically: the vectors in nlptk's native
layout (``vectors.npy``, ``vocab.tsv``, ``meta.json``), any extra formats asked for, and
the run manifest in ``meta.json``.

The tokens cache lives in ``<cache_dir>/tokens/<key>.tokens.txt`` with a JSON sidecar
``<key>.json`` (documents, tokens, corpus fingerprint). The key is a SHA-256 of the corpus
fingerprint (path, size, modification time, reader options) and the tokenizer config, so
a changed file or tokenizer gives a new cache entry and an unchanged one is reused.
Large plain-text corpora are tokenized in parallel blocks by worker processes.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import importlib
import json
import logging
import multiprocessing
import os
import platform
import resource
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from nlptk.errors import DataError, EncodingError, ParameterError
from nlptk.io import atomic_directory, atomic_write, check_output, open_binary
from nlptk.progress import ProgressCallback, report
from nlptk.text.corpus import Corpus, TextLineCorpus, open_corpus
from nlptk.text.tokenize import Tokenizer, get_tokenizer, tokenizer_from_config
from nlptk.vectors.container import Vectors

__all__ = [
    "FORMAT_FILES",
    "METHODS",
    "METHOD_PARAMETERS",
    "TokensCache",
    "default_cache_dir",
    "get_trainer",
    "tokenize_to_cache",
    "train",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

#: Method name -> "module:function" of its trainer (each follows the trainer protocol).
METHODS: dict[str, str] = {
    "word2vec": "nlptk.embed.word2vec:train_word2vec",
    "fasttext": "nlptk.embed.fasttext:train_fasttext",
    "glove": "nlptk.embed.glove:train_glove",
    "lsa": "nlptk.embed.lsa:train_lsa",
}

_SHARED = {"dim", "window", "min_count", "epochs", "seed", "workers", "lr"}

#: The parameters each method takes (the trainer protocol's names).
METHOD_PARAMETERS: dict[str, frozenset[str]] = {
    "word2vec": frozenset(_SHARED | {"sg", "hs", "negative", "sample", "deterministic"}),
    "fasttext": frozenset(_SHARED | {"model", "minn", "maxn", "word_ngrams", "negative", "sample", "bucket"}),
    "glove": frozenset(
        _SHARED
        | {
            "max_vocab",
            "symmetric",
            "x_max",
            "alpha",
            "batch_size",
            "memory",
            "device",
            "output",
            "cooccurrence",
        }
    ),
    "lsa": frozenset({"dim", "min_count", "max_df", "sublinear_tf", "seed"}),
}

#: Extra output formats -> file name inside the output folder.
FORMAT_FILES: dict[str, str] = {
    "word2vec": "vectors.txt",
    "word2vec-binary": "vectors.bin",
    "glove": "vectors.glove.txt",
    "fasttext-vec": "vectors.vec",
}

_CACHE_VERSION = 1
_BLOCK_BYTES = 4 << 20  # bytes of input per tokenization block
_PARALLEL_MIN_BYTES = 16 << 20  # below this, tokenize in this process


def default_cache_dir() -> Path:
    """``$NLPTK_CACHE`` when set, else ``~/.cache/nlptk``."""
    env = os.environ.get("NLPTK_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "nlptk"


# -- the tokens cache --------------------------------------------------------------------------


@dataclass(frozen=True)
class TokensCache:
    """A tokenized corpus on disk: one document per line, tokens separated by single spaces.

    Attributes
    ----------
    path : Path
        The tokens file.
    documents : int
        Lines (non-empty documents) in it.
    tokens : int
        Tokens in it.
    reused : bool
        True when an existing cache entry was used.
    seconds : float
        Time spent tokenizing (0 when reused).
    """

    path: Path
    documents: int
    tokens: int
    reused: bool
    seconds: float


def _cache_key(corpus: Corpus, tokenizer: Tokenizer) -> str:
    blob = json.dumps(
        {"version": _CACHE_VERSION, "corpus": corpus.fingerprint(), "tokenizer": tokenizer.to_config()},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def _tokenize_block(
    block: bytes, encoding: str, tokenizer: Tokenizer, strip_bom: bool
) -> tuple[bytes, int, int] | tuple[None, int, int]:
    """Tokenize a block of whole lines; return (output bytes, documents, tokens).

    On a decoding error return ``(None, error_start, 0)`` so the caller can report the
    offset and line.
    """
    try:
        text = block.decode(encoding)
    except UnicodeDecodeError as exc:
        return None, exc.start, 0
    if strip_bom and text.startswith("\ufeff"):
        text = text[1:]
    out: list[str] = []
    append = out.append
    n_tokens = 0
    if isinstance(tokenizer, _WHITESPACE_TYPES) and not tokenizer.lowercase:  # already-tokenized text
        for line in text.split("\n"):
            tokens = line.split()
            if tokens:
                n_tokens += len(tokens)
                append(" ".join(tokens))
    else:
        for line in text.split("\n"):
            if not line or line.isspace():
                continue
            tokens = tokenizer(line)
            if tokens:
                n_tokens += len(tokens)
                append(" ".join(tokens))
    if not out:
        return b"", 0, 0
    return ("\n".join(out) + "\n").encode("utf-8"), len(out), n_tokens


def _whitespace_types() -> tuple[type, ...]:
    from nlptk.text.tokenize import WhitespaceTokenizer

    return (WhitespaceTokenizer,)


_WHITESPACE_TYPES = _whitespace_types()

_worker_tokenizer: Tokenizer | None = None


def _worker_init(config: dict[str, Any]) -> None:
    global _worker_tokenizer
    _worker_tokenizer = tokenizer_from_config(config)


def _worker_block(args: tuple[bytes, str, bool]) -> tuple[bytes | None, int, int]:
    block, encoding, strip_bom = args
    assert _worker_tokenizer is not None
    return _tokenize_block(block, encoding, _worker_tokenizer, strip_bom)


def _read_blocks(handle: IO[bytes]) -> Iterator[bytes]:
    """Blocks of about ``_BLOCK_BYTES`` that end at a line break."""
    while True:
        block = handle.read(_BLOCK_BYTES)
        if not block:
            return
        if not block.endswith(b"\n"):
            block += handle.readline()
        yield block


def _tokenize_text_file(
    corpus: TextLineCorpus,
    tokenizer: Tokenizer,
    sink: _BufferedSink,
    processes: int,
    progress: ProgressCallback | None,
) -> tuple[int, int, int]:
    """Fast path for one-document-per-line files: blocks of lines, in parallel when large.

    At most ``2 * processes`` blocks are in flight, so memory stays bounded.
    Returns (documents, tokens, lines read).
    """
    path = corpus.path
    assert path is not None
    size = path.stat().st_size
    compressed = path.name.endswith((".gz", ".bz2", ".xz"))
    total_mb = None if compressed else max(1, size >> 20)
    big = size >= (_PARALLEL_MIN_BYTES // 4 if compressed else _PARALLEL_MIN_BYTES)
    state = {"documents": 0, "tokens": 0, "offset": 0, "lines": 0}

    def consume(block: bytes, result: tuple[bytes | None, int, int]) -> None:
        out, n_docs, n_tokens = result
        if out is None:  # n_docs holds the offset of the bad byte inside the block
            at = state["offset"] + n_docs
            raise EncodingError(
                f"cannot decode byte 0x{block[n_docs : n_docs + 1].hex()} at byte offset {at} "
                f"as {corpus.encoding}",
                byte_offset=at,
                path=path,
                line=state["lines"] + block.count(b"\n", 0, n_docs) + 1,
                hint="pass the file's encoding (for example --encoding latin-1)",
            )
        sink.write(out)
        state["documents"] += n_docs
        state["tokens"] += n_tokens
        state["offset"] += len(block)
        state["lines"] += block.count(b"\n")
        if total_mb is not None:
            report(progress, "tokenize", "step", min(total_mb, state["offset"] >> 20), total_mb)

    report(progress, "tokenize", "start", 0, total_mb)
    with open_binary(path) as handle:
        if processes <= 1 or not big:
            for i, block in enumerate(_read_blocks(handle)):
                consume(block, _tokenize_block(block, corpus.encoding, tokenizer, i == 0))
        else:
            ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
            pool = ctx.Pool(processes, initializer=_worker_init, initargs=(tokenizer.to_config(),))
            try:
                window: deque[tuple[bytes, Any]] = deque()
                for i, block in enumerate(_read_blocks(handle)):
                    job = pool.apply_async(_worker_block, ((block, corpus.encoding, i == 0),))
                    window.append((block, job))
                    if len(window) >= 2 * processes:
                        done, job = window.popleft()
                        consume(done, job.get())
                while window:
                    done, job = window.popleft()
                    consume(done, job.get())
            finally:
                pool.terminate()
                pool.join()
    return state["documents"], state["tokens"], state["lines"]


def _tokenize_documents(
    corpus: Corpus, tokenizer: Tokenizer, sink: _BufferedSink, progress: ProgressCallback | None
) -> tuple[int, int, int]:
    """General path: any corpus, document by document, written in large chunks."""
    documents = tokens = read = 0
    buffer: list[str] = []
    buffered = 0
    report(progress, "tokenize", "start", 0, None)
    for doc in corpus:
        read += 1
        toks = tokenizer(doc)
        if not toks:
            continue
        line = " ".join(t for t in toks if t and not t.isspace())
        if not line:
            continue
        buffer.append(line)
        buffered += len(line)
        documents += 1
        tokens += len(toks)
        if buffered >= _BLOCK_BYTES:
            sink.write(("\n".join(buffer) + "\n").encode("utf-8"))
            buffer.clear()
            buffered = 0
            report(progress, "tokenize", "step", documents, None, tokens=tokens)
    if buffer:
        sink.write(("\n".join(buffer) + "\n").encode("utf-8"))
    return documents, tokens, read


def tokenize_to_cache(
    corpus: Corpus,
    tokenizer: Tokenizer,
    *,
    cache_dir: PathLike | None = None,
    processes: int | None = None,
    progress: ProgressCallback | None = None,
) -> TokensCache:
    """Tokenize ``corpus`` once into the tokens cache, or reuse the cached file.

    Parameters
    ----------
    corpus : Corpus
        An nlptk corpus (see :func:`nlptk.text.corpus.open_corpus`).
    tokenizer : Tokenizer
        The tokenizer; its config is part of the cache key.
    cache_dir : path, optional
        Cache folder; default :func:`default_cache_dir`.
    processes : int, optional
        Worker processes for large one-document-per-line files (default: CPU count, at most 4).
    progress : callable, optional
        Receives a ``"tokenize"`` phase.

    Returns
    -------
    TokensCache

    Raises
    ------
    DataError
        The corpus has no tokens after tokenization.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> from nlptk.text.corpus import TextLineCorpus
    >>> from nlptk.text.tokenize import RegexTokenizer
    >>> import tempfile
    >>> cache = tokenize_to_cache(TextLineCorpus(datapath("lee_background.cor")), RegexTokenizer(),
    ...                           cache_dir=tempfile.mkdtemp())
    >>> cache.documents
    300
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder = folder / "tokens"
    key = _cache_key(corpus, tokenizer)
    tokens_path = folder / f"{key}.tokens.txt"
    sidecar_path = folder / f"{key}.json"
    if tokens_path.is_file() and sidecar_path.is_file():
        try:
            info = json.loads(sidecar_path.read_text(encoding="utf-8"))
            valid = info.get("bytes") == tokens_path.stat().st_size and info.get("key") == key
        except (OSError, ValueError):
            valid = False
        if valid:
            logger.info(
                "reusing tokenized cache %s (%d documents, %d tokens)",
                tokens_path,
                info["documents"],
                info["tokens"],
            )
            report(progress, "tokenize", "end", 1, 1, tokens=info["tokens"], cached=True)
            return TokensCache(tokens_path, int(info["documents"]), int(info["tokens"]), True, 0.0)
    folder.mkdir(parents=True, exist_ok=True)
    if processes is None:
        processes = min(os.cpu_count() or 1, 4)
    logger.info("tokenizing %s with %r into %s", corpus.describe().get("path"), tokenizer, tokens_path)
    start = time.perf_counter()
    with atomic_write(tokens_path, "wb", force=True) as sink:
        buffered = _BufferedSink(sink)
        if isinstance(corpus, TextLineCorpus) and corpus.limit is None:
            documents, tokens, read = _tokenize_text_file(corpus, tokenizer, buffered, processes, progress)
        else:
            documents, tokens, read = _tokenize_documents(corpus, tokenizer, buffered, progress)
        buffered.flush()
        if tokens == 0:
            raise DataError(
                f"the corpus has no tokens after tokenization ({read} lines or documents read, "
                f"tokenizer {tokenizer.name})",
                path=corpus.path,
                hint="check the file's content and encoding, or try --tokenizer whitespace",
            )
    seconds = time.perf_counter() - start
    info = {
        "key": key,
        "version": _CACHE_VERSION,
        "documents": documents,
        "tokens": tokens,
        "bytes": tokens_path.stat().st_size,
        "fingerprint": corpus.fingerprint(),
        "corpus": corpus.describe(),
        "tokenizer": tokenizer.to_config(),
        "seconds": round(seconds, 3),
        "tokens_per_s": round(tokens / seconds) if seconds > 0 else None,
        "created": _now(),
    }
    with atomic_write(sidecar_path, force=True) as fh:
        json.dump(info, fh, indent=2)
    logger.info(
        "tokenized %d documents, %d tokens in %.1f s (%.0f tokens/s)",
        documents,
        tokens,
        seconds,
        tokens / max(seconds, 1e-9),
    )
    report(progress, "tokenize", "end", 1, 1, tokens=tokens, tokens_per_s=tokens / max(seconds, 1e-9))
    return TokensCache(tokens_path, documents, tokens, False, seconds)


class _BufferedSink:
    """Collects small writes into large ones (the tokens file is written in big chunks)."""

    def __init__(self, raw: IO[bytes], size: int = 8 << 20) -> None:
        self._raw = raw
        self._parts: list[bytes] = []
        self._size = 0
        self._limit = size

    def write(self, data: bytes) -> None:
        self._parts.append(data)
        self._size += len(data)
        if self._size >= self._limit:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            self._raw.write(b"".join(self._parts))
            self._parts.clear()
            self._size = 0


# -- methods and parameters --------------------------------------------------------------------


def get_trainer(method: str) -> Callable[..., Vectors]:
    """The trainer function of ``method``.

    Raises
    ------
    ParameterError
        Unknown method, or its module is not installed.
    """
    if method not in METHODS:
        raise ParameterError(
            f"unknown method {method!r}", hint=f"use one of {', '.join(sorted(METHODS))}"
        )
    module_name, func_name = METHODS[method].split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ParameterError(f"method {method!r} is not available ({exc})") from exc
    return getattr(module, func_name)  # type: ignore[no-any-return]


def _check_params(method: str, params: dict[str, Any]) -> None:
    """Fail fast, before tokenizing, on parameters the method does not take or obvious bad values."""
    allowed = METHOD_PARAMETERS.get(method, frozenset())
    for name in params:
        if name not in allowed:
            takers = sorted(m for m, names in METHOD_PARAMETERS.items() if name in names)
            where = f"it applies to {', '.join(takers)}" if takers else "no method takes it"
            raise ParameterError(f"parameter {name!r} does not apply to {method} ({where})")
    for name in ("dim", "epochs", "window", "min_count", "workers"):
        value = params.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ParameterError(f"{name} must be an integer >= 1, got {value!r}")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _versions(method: str) -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    def ver(dist: str) -> str | None:
        try:
            return version(dist)
        except PackageNotFoundError:
            return None

    import numpy

    from nlptk import __version__

    out: dict[str, str | None] = {
        "nlptk": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "gensim": ver("gensim"),
    }
    if method == "fasttext" or "fasttext" in sys.modules:
        out["fasttext"] = ver("fasttext-wheel") or ver("fasttext")
    if "torch" in sys.modules:
        out["torch"] = ver("torch")
    if "sklearn" in sys.modules:
        out["scikit-learn"] = ver("scikit-learn")
    if "spacy" in sys.modules:
        out["spacy"] = ver("spacy")
    return out


def _peak_memory_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes
    return round(peak / (1 << 20) if sys.platform == "darwin" else peak / 1024, 1)


# -- writing the output folder -----------------------------------------------------------------


def _save_vectors(vectors: Vectors, path: Path, fmt: str) -> None:
    """Write through :mod:`nlptk.vectors.formats` when present, else the small private writer."""
    try:
        from nlptk.vectors.formats import save_vectors
    except ImportError:  # the formats module has not landed yet
        _private_save(vectors, path, fmt)
    else:
        save_vectors(vectors, path, format=fmt, force=True)


def _private_save(vectors: Vectors, path: Path, fmt: str) -> None:
    import numpy as np

    if fmt == "native":
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "vectors.npy", np.ascontiguousarray(vectors.vectors, dtype=np.float32))
        counts = vectors.counts if vectors.counts is not None else [0] * len(vectors)
        with open(path / "vocab.tsv", "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(f"{w}\t{int(c)}\n" for w, c in zip(vectors.words, counts, strict=True))
        meta = {"format": "nlptk.vectors", "version": 1, "dim": vectors.dim, "count": len(vectors)}
        with open(path / "meta.json", "w", encoding="utf-8") as fh:
            json.dump({**meta, **vectors.meta}, fh, indent=2, default=str, ensure_ascii=False)
        return
    kv = vectors.to_gensim()
    binary = fmt == "word2vec-binary"
    kv.save_word2vec_format(os.fspath(path), binary=binary, write_header=fmt != "glove")


def _write_output(vectors: Vectors, folder: Path, formats: tuple[str, ...]) -> None:
    """Native layout (vectors.npy, vocab.tsv, meta.json) plus the extra formats, into ``folder``."""
    files = list(vectors.meta.get("files", []))
    for fmt in formats:
        name = FORMAT_FILES[fmt]
        _save_vectors(vectors, folder / name, fmt)
        if name not in files:
            files.append(name)
    vectors.meta["files"] = files
    # The native writer owns its folder; write it aside, then move its files in beside the others.
    staging = folder / ".native"
    _save_vectors(vectors, staging, "native")
    for item in staging.iterdir():
        os.replace(item, folder / item.name)
    staging.rmdir()


# -- the entry point ---------------------------------------------------------------------------


def train(
    corpus: PathLike | Corpus,
    method: str = "word2vec",
    *,
    out: PathLike | None = None,
    formats: tuple[str, ...] | list[str] = (),
    tokenizer: str | dict[str, Any] | Tokenizer | None = None,
    encoding: str = "utf-8",
    cache_dir: PathLike | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    column: str | None = None,
    data_dir: PathLike | None = None,
    **params: Any,
) -> Vectors:
    """Train word vectors on a corpus with one method, and write them to a folder.

    Parameters
    ----------
    corpus : path, registry name or Corpus
        A text file (one document per line, ``.gz/.bz2/.xz`` too), a folder of ``*.txt``
        files, a CSV/TSV/JSONL file (with ``column``), or a registry name such as
        ``"lee_background"``.
    method : {"word2vec", "fasttext", "glove", "lsa"}, default="word2vec"
        The trainer.
    out : path, optional
        Output folder, written atomically: native vectors (``vectors.npy``, ``vocab.tsv``),
        ``meta.json`` (the run manifest), the extra ``formats``, and method artefacts
        (fastText ``model.bin``). ``None``: nothing is written except the tokens cache.
    formats : sequence of str, default=()
        Extra formats: ``"word2vec"`` (vectors.txt), ``"word2vec-binary"`` (vectors.bin),
        ``"glove"`` (vectors.glove.txt), ``"fasttext-vec"`` (vectors.vec).
    tokenizer : str, dict or Tokenizer, optional
        ``"regex"`` (default), ``"whitespace"``, ``"spacy"``, a config dict or an instance.
    encoding : str, default="utf-8"
        Text encoding of the corpus.
    cache_dir : path, optional
        Where the tokens cache lives (default ``$NLPTK_CACHE`` or ``~/.cache/nlptk``).
    force : bool, default=False
        Replace an existing ``out``.
    progress : callable, optional
        Receives :class:`~nlptk.progress.ProgressEvent` (phases ``tokenize`` and ``train``).
    column : str, optional
        Text column of a CSV/TSV/JSONL corpus.
    data_dir : path, optional
        Local folder of named corpora (for registry names).
    **params
        The method's parameters (``dim``, ``window``, ``min_count``, ``epochs``, ``seed``,
        ``workers``, ``lr`` and the method-specific ones; see each ``train_<method>``).

    Returns
    -------
    Vectors
        ``meta`` holds the manifest also written to ``meta.json``.

    Raises
    ------
    ParameterError
        Unknown method or format, a parameter the method does not take, a bad value.
    OutputExistsError
        ``out`` exists and ``force`` is false.
    DataError
        No tokens, or an empty vocabulary after ``min_count``.

    Examples
    --------
    >>> import nlptk.embed, tempfile
    >>> vectors = nlptk.embed.train("lee_background", "word2vec", dim=50, epochs=20,
    ...                             min_count=3, cache_dir=tempfile.mkdtemp())  # doctest: +SKIP
    >>> vectors.most_similar("police", topn=3)                                 # doctest: +SKIP
    """
    trainer = get_trainer(method)
    formats = tuple(formats)
    for fmt in formats:
        if fmt not in FORMAT_FILES:
            raise ParameterError(
                f"unknown output format {fmt!r}", hint=f"use one of {', '.join(sorted(FORMAT_FILES))}"
            )
    if formats and out is None:
        raise ParameterError("formats were asked for but no output folder (out=) was given")
    _check_params(method, params)
    if out is not None:
        check_output(out, force=force)
    tok = get_tokenizer(tokenizer)
    source = open_corpus(corpus, column=column, encoding=encoding, data_dir=data_dir)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    cache = tokenize_to_cache(source, tok, cache_dir=cache_dir, progress=progress)
    timings["tokenize"] = round(time.perf_counter() - started, 3)

    def run(workdir: Path | None) -> Vectors:
        t0 = time.perf_counter()
        vectors = trainer(cache.path, workdir=workdir, progress=progress, **params)
        timings["train"] = round(time.perf_counter() - t0, 3)
        vectors.meta.update(_manifest(method, vectors, tok, source, cache, timings))
        if workdir is not None:
            t1 = time.perf_counter()
            _write_output(vectors, workdir, formats)
            timings["write"] = round(time.perf_counter() - t1, 3)
            vectors.meta["timings"] = dict(timings)
            vectors.meta["peak_memory_mb"] = _peak_memory_mb()
            _rewrite_meta(workdir, vectors.meta)
        return vectors

    if out is None:
        return run(None)
    with atomic_directory(out, force=force) as workdir:
        vectors = run(workdir)
    logger.info("wrote %s", out)
    vectors.meta["path"] = os.fspath(out)
    return vectors


def _manifest(
    method: str,
    vectors: Vectors,
    tokenizer: Tokenizer,
    corpus: Corpus,
    cache: TokensCache,
    timings: dict[str, float],
) -> dict[str, Any]:
    params = dict(vectors.meta.get("params", {}))
    return {
        "method": method,
        "params": params,
        "seed": params.get("seed"),
        "tokenizer": tokenizer.to_config(),
        "corpus": {
            **corpus.describe(),
            "documents": cache.documents,
            "tokens": cache.tokens,
            "tokens_file": os.fspath(cache.path),
            "tokens_cache_reused": cache.reused,
            "tokens_per_s": round(cache.tokens / cache.seconds) if cache.seconds > 0 else None,
        },
        "vocab_size": len(vectors),
        "dim": vectors.dim,
        "timings": dict(timings),
        "peak_memory_mb": _peak_memory_mb(),
        "versions": _versions(method),
        "date": _now(),
    }


def _rewrite_meta(folder: Path, meta: dict[str, Any]) -> None:
    """Refresh meta.json with the final timings, keeping what the native writer put there."""
    path = folder / "meta.json"
    current: dict[str, Any] = {}
    if path.is_file():
        current = json.loads(path.read_text(encoding="utf-8"))
    current.update(meta)
    with atomic_write(path, force=True) as fh:
        json.dump(current, fh, indent=2, default=str, ensure_ascii=False)
