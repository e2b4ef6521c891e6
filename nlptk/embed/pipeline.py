"""The embedding-training entry point: corpus -> cached tokens -> trainer -> output folder.

:func:`train_embeddings` opens a corpus (a path or a registry name), tokenizes it **once** into a
cached tokens file (one document per line, tokens separated by single spaces), hands that
file to the method's trainer (``train_word2vec``, ``train_fasttext``, ``train_glove``,
``train_lsa``), and writes the output folder atomically: the vectors in nlptk's native
layout (``vectors.npy``, ``vocab.tsv``, ``meta.json``), any extra formats asked for, and
the run manifest in ``meta.json``.

The tokens cache is :mod:`nlptk.embed.tokens_cache`: a changed corpus file or tokenizer
gives a new cache entry, an unchanged one is reused.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import logging
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlptk.embed.params import METHOD_PARAMS
from nlptk.embed.tokens_cache import TokensCache, tokenize_to_cache
from nlptk.errors import NlptkError, ParameterError
from nlptk.io import atomic_directory, atomic_write, check_output
from nlptk.params import Params
from nlptk.progress import ProgressCallback
from nlptk.text.corpus import Corpus, open_corpus
from nlptk.text.tokenize import Tokenizer, get_tokenizer
from nlptk.vectors.container import Vectors
from nlptk.vectors.health import check_vectors

__all__ = ["FORMAT_FILES", "METHODS", "METHOD_PARAMETERS", "get_trainer", "make_params", "train_embeddings"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

#: Method name -> "module:function" of its trainer (each follows the trainer protocol).
METHODS: dict[str, str] = {
    "word2vec": "nlptk.embed.word2vec:train_word2vec",
    "fasttext": "nlptk.embed.fasttext:train_fasttext",
    "glove": "nlptk.embed.glove:train_glove",
    "lsa": "nlptk.embed.lsa_train:train_lsa",
}

#: The parameters each method takes (derived from their declarations in :mod:`nlptk.embed.params`).
METHOD_PARAMETERS: dict[str, frozenset[str]] = {
    method: frozenset(cls.param_names()) for method, cls in METHOD_PARAMS.items()
}

#: Extra output formats -> file name inside the output folder.
FORMAT_FILES: dict[str, str] = {
    "word2vec": "vectors.txt",
    "word2vec-binary": "vectors.bin",
    "glove": "vectors.glove.txt",
    "fasttext-vec": "vectors.vec",
}

# -- methods and parameters --------------------------------------------------------------------


def get_trainer(method: str) -> Callable[..., Vectors]:
    """The trainer function of ``method``.

    Raises
    ------
    ParameterError
        Unknown method, or its module is not installed.
    """
    if method not in METHODS:
        raise ParameterError(f"unknown method {method!r}", hint=f"use one of {', '.join(sorted(METHODS))}")
    module_name, func_name = METHODS[method].split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ParameterError(f"method {method!r} is not available ({exc})") from exc
    return getattr(module, func_name)  # type: ignore[no-any-return]


def make_params(method: str, params: dict[str, Any]) -> Params:
    """The method's settings object, checked: fails fast, before tokenizing, on a parameter the
    method does not take (naming the methods that do) or a bad value."""
    if method not in METHOD_PARAMS:
        raise ParameterError(f"unknown method {method!r}", hint=f"use one of {', '.join(sorted(METHODS))}")
    for name in params:
        if name not in METHOD_PARAMETERS[method] and not (method == "fasttext" and name == "model"):
            takers = sorted(m for m, names in METHOD_PARAMETERS.items() if name in names)
            where = f"it applies to {', '.join(takers)}" if takers else "no method takes it"
            raise ParameterError(f"parameter {name!r} does not apply to {method} ({where})")
    if method == "fasttext" and "model" in params:  # fastText's own name, deprecated for sg
        from nlptk.embed.fasttext import _translate_model

        params = _translate_model(params)
    return METHOD_PARAMS[method](**params)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _versions(method: str) -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    def ver(dist: str) -> str | None:
        try:
            return version(dist)
        except PackageNotFoundError:
            return None

    import numpy

    from nlptk._version import __version__

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
    from nlptk.vectors.formats import save_vectors

    save_vectors(vectors, path, format=fmt, force=True)


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
    model, vectors.subword_model = vectors.subword_model, None  # already in the folder: no second copy
    try:
        _save_vectors(vectors, staging, "native")
    finally:
        vectors.subword_model = model
    for item in staging.iterdir():
        os.replace(item, folder / item.name)
    staging.rmdir()


# -- the entry point ---------------------------------------------------------------------------


def train_embeddings(
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
    config: Params | None = None,
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
    config : Params, optional
        The method's settings object (``Word2VecParams(...)`` etc.); ``params`` are applied on top.
    **params
        The method's parameters, declared in :mod:`nlptk.embed.params` (``dim``, ``window``,
        ``min_count``, ``epochs``, ``seed``, ``workers``, ``lr`` and the method's own).

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
    >>> import nlptk, tempfile
    >>> vectors = nlptk.train_embeddings("lee_background", "word2vec", dim=50, epochs=20,
    ...                                  min_count=3, cache_dir=tempfile.mkdtemp())  # doctest: +SKIP
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
    if config is None:
        config = make_params(method, params)
    else:
        expected = METHOD_PARAMS.get(method)
        if expected is None or not isinstance(config, expected):
            raise ParameterError(f"config is a {type(config).__name__}, but method={method!r} was asked for")
        if params:
            config = config.replace(**params)
    if out is not None:
        check_output(out, force=force)
    ctx = _distributed_context(method, config)
    is_main = ctx is None or ctx.is_main
    tok = get_tokenizer(tokenizer)
    source = open_corpus(corpus, column=column, encoding=encoding, data_dir=data_dir)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if ctx is not None and not is_main:
        ctx.barrier()  # under torchrun rank 0 tokenizes; the others then find its cache
    cache = tokenize_to_cache(source, tok, cache_dir=cache_dir, progress=progress)
    if ctx is not None and is_main:
        ctx.barrier()
    timings["tokenize"] = round(time.perf_counter() - started, 3)

    def run(workdir: Path | None) -> Vectors:
        t0 = time.perf_counter()
        try:
            vectors = trainer(cache.path, workdir=workdir, progress=progress, config=config)
        except NlptkError as exc:  # the tokens cache is an inner file: name the user's corpus
            if exc.path is not None and Path(exc.path) == Path(cache.path):
                exc.path = cache.corpus.get("path") or os.fspath(corpus)
            raise
        timings["train"] = round(time.perf_counter() - t0, 3)
        cosine = check_vectors(vectors, source=f"{method} vectors")
        if cosine is not None:
            vectors.meta["mean_pairwise_cosine"] = round(cosine, 4)
        vectors.meta.update(_manifest(method, vectors, tok, cache, timings))
        if workdir is not None:
            t1 = time.perf_counter()
            _write_output(vectors, workdir, formats)
            timings["write"] = round(time.perf_counter() - t1, 3)
            vectors.meta["timings"] = dict(timings)
            vectors.meta["peak_memory_mb"] = _peak_memory_mb()
            _rewrite_meta(workdir, vectors.meta)
        return vectors

    if out is None or not is_main:  # rank 0 alone writes
        return run(None)
    with atomic_directory(out, force=force) as workdir:
        vectors = run(workdir)
    logger.info("wrote %s", out)
    vectors.meta["path"] = os.fspath(out)
    if vectors.subword_model is not None:  # it was written inside the folder, which has been renamed
        vectors.subword_model = Path(out) / vectors.subword_model.name
    return vectors


def _distributed_context(method: str, config: Any) -> Any:
    """The torchrun context, or None for one process (without torchrun, torch is not loaded:
    word2vec and fastText do not need it); only GloVe trains on several ranks."""
    from nlptk.launch_env import env_world_size

    world = env_world_size()
    if world == 1:
        return None
    if method != "glove":
        raise ParameterError(
            f"{method} trains on one machine (many threads), but it was launched on {world} ranks",
            hint=f"run `nlptk embed train --method {method} --workers N` without torchrun; "
            "only --method glove runs under torchrun",
        )
    from nlptk.distributed import init_distributed
    from nlptk.embed.glove.trainer import resolve_device

    return init_distributed(resolve_device(getattr(config, "device", "auto")))


def _manifest(
    method: str,
    vectors: Vectors,
    tokenizer: Tokenizer,
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
            **cache.corpus,
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
    """Refresh the manifest in meta.json with the final timings (the native writer nests it
    under ``"meta"``)."""
    path = folder / "meta.json"
    info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    if isinstance(info.get("meta"), dict):
        info["meta"].update(meta)
    else:
        info.update(meta)
    with atomic_write(path, force=True) as fh:
        json.dump(info, fh, indent=2, default=str, ensure_ascii=False)
