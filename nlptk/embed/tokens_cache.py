"""The tokens cache: a corpus tokenized once into a file that every trainer reads.

The file has one document per line and tokens separated by single spaces (what gensim's
``corpus_file``, fastText's ``input``, GloVe counting and LSA read). It lives in
``<cache_dir>/tokens/<key>.tokens.txt`` with a JSON sidecar ``<key>.json`` (documents,
tokens, bytes, corpus fingerprint, tokenizer config, time taken). The key is a SHA-256 of the
corpus fingerprint (path, size, modification time, reader options) and the tokenizer
config: a changed file or tokenizer gives a new entry, an unchanged one is reused.

Tokenization streams: large one-document-per-line files are read in blocks of whole lines
that worker processes decode and tokenize, and the output is written in large chunks. Text
that is already tokenized (the ``whitespace`` tokenizer without lowercasing) takes a path
that only normalises spaces.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import logging
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from nlptk.errors import DataError, EncodingError, ParameterError
from nlptk.io import atomic_write, is_compressed, make_folder, open_binary
from nlptk.progress import ProgressCallback, report
from nlptk.text.corpus import Corpus, TextLineCorpus
from nlptk.text.tokenize import Tokenizer, WhitespaceTokenizer, tokenizer_from_config

__all__ = ["CacheEntry", "TokensCache", "clear_cache", "default_cache_dir", "list_cache", "tokenize_to_cache"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

_CACHE_VERSION = 1
_BLOCK_BYTES = 4 << 20  # bytes of input per tokenization block
_PARALLEL_MIN_BYTES = 16 << 20  # below this, tokenize in this process


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def default_cache_dir() -> Path:
    """``$NLPTK_CACHE`` when set, else ``~/.cache/nlptk``."""
    env = os.environ.get("NLPTK_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "nlptk"


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
    corpus : dict
        The corpus's :meth:`~nlptk.text.corpus.Corpus.describe`, taken once when the cache
        key was made (run manifests use it as it is).
    """

    path: Path
    documents: int
    tokens: int
    reused: bool
    seconds: float
    corpus: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CacheEntry:
    """One tokenized corpus in the cache, as :func:`list_cache` describes it.

    Attributes
    ----------
    key : str
        The cache key (file name stem).
    tokens_file : Path
        The tokens file.
    bytes : int
        Disk space of the entry (tokens file and sidecar).
    documents, tokens : int or None
        Counts from the sidecar (None when it is unreadable).
    source : str or None
        The corpus path it was made from.
    source_exists : bool
        Whether that path still exists (an entry whose source is gone can never be reused).
    tokenizer : dict
        The tokenizer config.
    created : str or None
        ISO time of creation.
    """

    key: str
    tokens_file: Path
    bytes: int
    documents: int | None
    tokens: int | None
    source: str | None
    source_exists: bool
    tokenizer: dict[str, Any]
    created: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            **{k: getattr(self, k) for k in self.__dataclass_fields__},
            "tokens_file": str(self.tokens_file),
        }


def _entry_files(folder: Path, key: str) -> list[Path]:
    return [p for p in (folder / f"{key}.tokens.txt", folder / f"{key}.json") if p.exists()]


def list_cache(cache_dir: PathLike | None = None) -> list[CacheEntry]:
    """The tokenized corpora in the tokens cache, largest first.

    Parameters
    ----------
    cache_dir : path, optional
        Cache folder; default :func:`default_cache_dir` (``$NLPTK_CACHE`` or ``~/.cache/nlptk``).

    Returns
    -------
    list of CacheEntry

    Examples
    --------
    >>> import tempfile
    >>> list_cache(tempfile.mkdtemp())
    []
    """
    folder = (Path(cache_dir) if cache_dir is not None else default_cache_dir()) / "tokens"
    if not folder.is_dir():
        return []
    keys = {p.name.split(".", 1)[0] for p in folder.iterdir() if not p.name.startswith(".")}
    entries = []
    for key in keys:
        sidecar = folder / f"{key}.json"
        try:
            info = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        corpus = info.get("corpus") if isinstance(info.get("corpus"), dict) else {}
        source = corpus.get("path")
        entries.append(
            CacheEntry(
                key=key,
                tokens_file=folder / f"{key}.tokens.txt",
                bytes=sum(p.stat().st_size for p in _entry_files(folder, key)),
                documents=info.get("documents"),
                tokens=info.get("tokens"),
                source=None if source is None else str(source),
                source_exists=source is not None and Path(source).exists(),
                tokenizer=info.get("tokenizer") or {},
                created=info.get("created"),
            )
        )
    return sorted(entries, key=lambda e: (-e.bytes, e.key))


def clear_cache(
    cache_dir: PathLike | None = None, *, keys: list[str] | None = None, missing_only: bool = False
) -> list[CacheEntry]:
    """Delete tokens-cache entries; they are remade the next time their corpus is used.

    Parameters
    ----------
    cache_dir : path, optional
        Cache folder; default :func:`default_cache_dir`.
    keys : list of str, optional
        Delete only these entries (a unique prefix of a key is enough); default: all.
    missing_only : bool, default=False
        Delete only the entries whose source corpus no longer exists.

    Returns
    -------
    list of CacheEntry
        The entries deleted.

    Raises
    ------
    ParameterError
        A key that matches no entry, or several.
    """
    entries = list_cache(cache_dir)
    if keys:
        chosen = []
        for wanted in keys:
            matches = [e for e in entries if e.key.startswith(wanted)]
            if len(matches) != 1:
                found = "no entry" if not matches else f"{len(matches)} entries"
                raise ParameterError(
                    f"cache key {wanted!r} matches {found}", hint="see the keys with `nlptk cache list`"
                )
            chosen.append(matches[0])
        entries = chosen
    if missing_only:
        entries = [e for e in entries if not e.source_exists]
    for entry in entries:
        # the tokens file first: a sidecar without its tokens file is never reused
        for path in _entry_files(entry.tokens_file.parent, entry.key):
            path.unlink(missing_ok=True)
    if entries:
        logger.info("deleted %d tokens-cache entries (%d bytes)", len(entries), sum(e.bytes for e in entries))
    return entries


@dataclass(frozen=True)
class _Source:
    """What the cache knows of a corpus, computed once per call: its description, its
    fingerprint, the tokenizer config, and the cache key made from them."""

    corpus: Corpus
    description: dict[str, Any]
    fingerprint: str
    tokenizer: dict[str, Any]

    @classmethod
    def of(cls, corpus: Corpus, tokenizer: Tokenizer) -> _Source:
        return cls(corpus, corpus.describe(), corpus.fingerprint(), tokenizer.to_config())

    @property
    def key(self) -> str:
        blob = json.dumps(
            {"version": _CACHE_VERSION, "corpus": self.fingerprint, "tokenizer": self.tokenizer},
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
    if isinstance(tokenizer, WhitespaceTokenizer) and not tokenizer.lowercase:  # already-tokenized text
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
    sink: IO[bytes],
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
    compressed = is_compressed(path)
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
    corpus: Corpus, tokenizer: Tokenizer, sink: IO[bytes], progress: ProgressCallback | None
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
    source = _Source.of(corpus, tokenizer)
    key = source.key
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
            documents, tokens = int(info["documents"]), int(info["tokens"])
            return TokensCache(tokens_path, documents, tokens, True, 0.0, source.description)
    created = [p for p in (folder, *folder.parents) if not p.exists()]  # deepest first
    make_folder(folder)
    try:
        return _tokenize(source, tokenizer, key, tokens_path, sidecar_path, processes, progress)
    except BaseException:
        for made in created:  # a failed first run leaves no empty cache folders behind
            with contextlib.suppress(OSError):
                made.rmdir()
        raise


def _tokenize(
    source: _Source,
    tokenizer: Tokenizer,
    key: str,
    tokens_path: Path,
    sidecar_path: Path,
    processes: int | None,
    progress: ProgressCallback | None,
) -> TokensCache:
    if processes is None:
        processes = min(os.cpu_count() or 1, 4)
    corpus = source.corpus
    logger.info("tokenizing %s with %r into %s", source.description.get("path"), tokenizer, tokens_path)
    start = time.perf_counter()
    # The handle is an io.BufferedWriter; both paths hand it chunks of about _BLOCK_BYTES,
    # which it passes straight to the file.
    with atomic_write(tokens_path, "wb", force=True) as sink:
        if isinstance(corpus, TextLineCorpus) and corpus.limit is None:
            documents, tokens, read = _tokenize_text_file(corpus, tokenizer, sink, processes, progress)
        else:
            documents, tokens, read = _tokenize_documents(corpus, tokenizer, sink, progress)
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
        "fingerprint": source.fingerprint,
        "corpus": source.description,
        "tokenizer": source.tokenizer,
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
    return TokensCache(tokens_path, documents, tokens, False, seconds, source.description)
