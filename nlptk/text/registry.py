"""The registry of named corpora: ``open_corpus("lee_background")``, ``nlptk corpus path text8``.

The manifest (``corpora/registry.json``, installed as ``nlptk.corpora``) lists two kinds of
corpora:

* corpora a dependency ships, resolved through ``gensim.test.utils.datapath`` (no download):
  ``lee_background`` (the default corpus), ``lee``, ``pang_lee_polarity``, ``text8_sample``,
  ``crime_and_punishment``;
* well-known public corpora with their download address and checksum: ``text8``,
  ``wikitext2``, ``wikitext2_raw``, ``sst2``, ``glue_sst2``, ``trec``, ``mr``, ``bbc``; and
  the shared benchmark files ``text8_12m`` and ``enwiki_100m`` (local only).

A name may carry a split: ``"sst2:test"``, ``"wikitext2:valid"``; without one it means the
first split listed (``train``).

**Data folder.** A named corpus is looked for first in the data folder: the ``data_dir``
argument (``--data-dir``), else ``$NLPTK_DATA``, else ``~/nlptk_data`` (one visible folder
in the home directory, as NLTK's ``~/nltk_data``). Each entry lists the relative paths it
may have there (``sst2/stsa.binary.train`` as downloaded, ``classification/sst2/...`` as in
the shared benchmark folder), each also tried with ``.gz``, ``.bz2`` and ``.xz``. Then the
copy a dependency ships is used. :func:`download_corpus` fetches the files with
:mod:`urllib`, checks their size and checksum, writes them atomically and unpacks zip
archives.
"""

from __future__ import annotations

import difflib
import hashlib
import http.client
import json
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from nlptk.errors import DataError, DownloadError, EncodingError, FormatError, InputFileError, ParameterError
from nlptk.io import COMPRESSED_SUFFIXES, atomic_write, check_input_file

__all__ = [
    "CorpusInfo",
    "corpus_info",
    "default_corpus",
    "default_data_dir",
    "download_corpus",
    "find_local",
    "is_registry_name",
    "list_corpora",
    "lookup_corpus",
    "read_registry",
    "registry_entries",
    "resolve_corpus",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

DATA_ENV = "NLPTK_DATA"
_CHUNK = 1 << 20
_TIMEOUT_S = 30


@dataclass(frozen=True)
class CorpusInfo:
    """One entry of the corpus registry.

    Attributes
    ----------
    name : str
        The name used on the command line and in :func:`~nlptk.text.corpus.open_corpus`.
    title, description : str
        What it is.
    kind : {"text", "labelled"}
        Plain text for embeddings, or labelled examples for classifiers.
    format : str
        ``"lines"`` for text; for labelled data a :func:`~nlptk.text.labelled.load_labelled`
        format (``"fasttext"``, ``"label-first"``, ``"folders"``, ``"tsv"``).
    encoding : str
        The encoding to read it with.
    splits : dict of str to list of str
        Per split, the relative paths it may have in the data folder.
    shipped : dict of str to str
        Per split, the file a dependency ships (``gensim.test.utils.datapath`` names).
    downloads : list of dict
        ``url``, ``file`` (relative path in the data folder), and ``size``, ``sha256``,
        ``md5``, ``archive`` where known.
    """

    name: str
    title: str = ""
    description: str = ""
    kind: str = "text"
    format: str = "lines"
    encoding: str = "utf-8"
    language: str = "en"
    splits: dict[str, list[str]] = field(default_factory=dict)
    shipped: dict[str, str] = field(default_factory=dict)
    shipped_by: str | None = None
    downloads: list[dict[str, Any]] = field(default_factory=list)
    documents: int | None = None
    tokens: int | None = None
    classes: list[str] | None = None
    class_names: dict[str, str] | None = None
    text_column: str = "text"
    label_column: str = "label"
    tokenizer: str | None = None
    homepage: str | None = None
    license: str | None = None
    checksum_note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def labelled_format(self) -> str | None:
        """The :func:`~nlptk.text.labelled.load_labelled` format, or None for plain text."""
        return self.format if self.kind == "labelled" else None

    @property
    def default_split(self) -> str:
        """The split a bare name means (the first listed)."""
        return next(iter(self.splits), "train")

    @property
    def downloadable(self) -> bool:
        return bool(self.downloads)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable view (for ``nlptk corpus list --json`` and run manifests)."""
        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "format": self.format,
            "encoding": self.encoding,
            "language": self.language,
            "splits": list(self.splits),
            "shipped_by": self.shipped_by,
            "downloadable": self.downloadable,
            "documents": self.documents,
            "tokens": self.tokens,
            "homepage": self.homepage,
        }


_KNOWN_KEYS = {
    "name", "title", "description", "kind", "format", "encoding", "language", "splits", "shipped",
    "download", "documents", "tokens", "classes", "class_names", "text_column", "label_column",
    "tokenizer", "homepage", "license", "checksum_note",
}  # fmt: skip


def is_registry_name(source: object) -> bool:
    """Whether ``source`` is meant as a registry name: text that is not an existing path and has
    no path separator (``"lee_background"``, ``"sst2:test"``), the one test every reader uses."""
    if not isinstance(source, (str, os.PathLike)):
        return False
    text = os.fspath(source)
    if not isinstance(text, str) or not text or Path(text).exists():
        return False
    return not any(sep in text for sep in ("/", os.sep))


def _load_manifest() -> dict[str, Any]:
    try:
        from nlptk.corpora import load_manifest

        return load_manifest()
    except ModuleNotFoundError:  # a source checkout whose editable install predates corpora/
        path = Path(__file__).resolve().parents[2] / "corpora" / "registry.json"
        if not path.is_file():
            raise InputFileError(
                "the corpus registry (package nlptk.corpora) is not installed",
                hint="reinstall nlptk (pip install -e . from a checkout)",
            ) from None
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)


def _parse_entry(raw: dict[str, Any]) -> CorpusInfo:
    shipped = raw.get("shipped") or {}
    return CorpusInfo(
        name=raw["name"],
        title=raw.get("title", ""),
        description=raw.get("description", ""),
        kind=raw.get("kind", "text"),
        format=raw.get("format", "lines"),
        encoding=raw.get("encoding", "utf-8"),
        language=raw.get("language", "en"),
        splits={k: list(v) for k, v in (raw.get("splits") or {}).items()},
        shipped=dict(shipped.get("splits") or {}),
        shipped_by=shipped.get("package"),
        downloads=list(raw.get("download") or []),
        documents=raw.get("documents"),
        tokens=raw.get("tokens"),
        classes=raw.get("classes"),
        class_names=raw.get("class_names"),
        text_column=raw.get("text_column", "text"),
        label_column=raw.get("label_column", "label"),
        tokenizer=raw.get("tokenizer"),
        homepage=raw.get("homepage"),
        license=raw.get("license"),
        checksum_note=raw.get("checksum_note"),
        extra={k: v for k, v in raw.items() if k not in _KNOWN_KEYS},
    )


_CACHE: dict[str, CorpusInfo] | None = None


def _parse_manifest(manifest: Any, source: PathLike | None) -> dict[str, CorpusInfo]:
    """The entries of a parsed registry; a malformed one is a :class:`FormatError` naming it."""
    entries = manifest.get("corpora") if isinstance(manifest, dict) else None
    if not isinstance(entries, list):
        raise FormatError("a corpus registry must be a JSON object with a 'corpora' list", path=source)
    parsed: dict[str, CorpusInfo] = {}
    for i, raw in enumerate(entries, start=1):
        name = raw.get("name") if isinstance(raw, dict) else None
        try:
            if not isinstance(name, str) or not name:
                raise TypeError("no 'name'")
            info = _parse_entry(raw)
            info.to_dict()
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise FormatError(
                f"corpus registry entry {i} ({name!r}) is malformed ({type(exc).__name__}: {exc})",
                path=source,
                hint="each entry is an object with a 'name' and the fields of registry.json",
            ) from None
        parsed[name] = info
    return parsed


def read_registry(path: PathLike) -> dict[str, CorpusInfo]:
    """Read a corpus registry file laid out like the shipped ``corpora/registry.json``.

    Returns
    -------
    dict
        Corpus name -> :class:`CorpusInfo`, in file order.

    Raises
    ------
    InputFileError, EncodingError, FormatError
        Missing or empty file; not UTF-8; not JSON, or an entry without its fields.
    """
    p = check_input_file(path, what="corpus registry")
    try:
        manifest = json.loads(p.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise EncodingError(f"not UTF-8 (byte offset {exc.start})", path=p, byte_offset=exc.start) from None
    except ValueError as exc:
        raise FormatError(f"not valid JSON ({exc})", path=p) from None
    return _parse_manifest(manifest, p)


def _registry() -> dict[str, CorpusInfo]:
    global _CACHE
    if _CACHE is None:
        _CACHE = _parse_manifest(_load_manifest(), "corpora/registry.json")
    return _CACHE


def registry_entries(kind: str | None = None) -> list[CorpusInfo]:
    """Every registry entry (corpora and pretrained vectors), or those of one ``kind``.

    Pretrained vectors (``kind="vectors"``) share the registry's format; :mod:`nlptk.vectors.zoo`
    reads them through this function.
    """
    return [e for e in _registry().values() if kind is None or e.kind == kind]


def list_corpora() -> list[CorpusInfo]:
    """All registered corpora (not the pretrained vectors), in manifest order.

    Examples
    --------
    >>> [c.name for c in list_corpora()][:3]
    ['lee_background', 'lee', 'pang_lee_polarity']
    """
    return [e for e in _registry().values() if e.kind != "vectors"]


def default_corpus() -> str:
    """The name of the corpus used when none is given (needs no download)."""
    return str(_load_manifest().get("default", "lee_background"))


def corpus_info(name: str) -> CorpusInfo:
    """The registry entry of ``name`` (a ``:split`` suffix is ignored).

    Raises
    ------
    ParameterError
        Unknown name; the message lists the close names.
    """
    base = name.split(":", 1)[0]
    registry = {n: e for n, e in _registry().items() if e.kind != "vectors"}
    if base in registry:
        return registry[base]
    close = difflib.get_close_matches(base, list(registry), n=3, cutoff=0.5)
    suggestion = f"did you mean {', '.join(close)}? " if close else ""
    raise ParameterError(
        f"{name!r} is neither an existing path nor a registered corpus",
        hint=f"{suggestion}see `nlptk corpus list` for the names",
    )


def default_data_dir() -> Path:
    """``$NLPTK_DATA`` if set, else ``~/nlptk_data``."""
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else Path.home() / "nlptk_data"


def _data_dir(data_dir: PathLike | None) -> Path:
    return Path(data_dir).expanduser() if data_dir is not None else default_data_dir()


def _split_of(info: CorpusInfo, name: str) -> str:
    split = name.split(":", 1)[1] if ":" in name else info.default_split
    if info.splits and split not in info.splits:
        raise ParameterError(
            f"corpus {info.name!r} has no split {split!r}", hint=f"use one of {', '.join(info.splits)}"
        )
    return split


def _shipped_path(info: CorpusInfo, split: str) -> Path | None:
    file = info.shipped.get(split)
    if file is None or info.shipped_by != "gensim":
        return None
    try:
        from gensim.test.utils import datapath
    except ImportError:  # pragma: no cover - gensim is a dependency
        return None
    p = Path(datapath(file))
    return p if p.exists() else None


def _find_local(info: CorpusInfo, name: str, data_dir: PathLike | None) -> Path | None:
    split = _split_of(info, name)
    root = _data_dir(data_dir)
    for rel in info.splits.get(split, []):
        base = root / rel
        for candidate in [base, *(base.with_name(base.name + s) for s in COMPRESSED_SUFFIXES)]:
            if info.format == "folders" and candidate.is_dir():
                if any(p.is_dir() for p in candidate.iterdir()):
                    return candidate
            elif candidate.is_file():
                return candidate
    return _shipped_path(info, split)


def find_local(name: str, *, data_dir: PathLike | None = None) -> Path | None:
    """The local path of a named corpus (data folder first, then shipped copies), or None."""
    return _find_local(corpus_info(name), name, data_dir)


def resolve_corpus(name: str, *, data_dir: PathLike | None = None, download: bool = False) -> Path:
    """The path of a named corpus, optionally downloading it.

    Parameters
    ----------
    name : str
        A registry name, optionally with a split: ``"lee_background"``, ``"sst2:test"``.
    data_dir : str or PathLike, optional
        The data folder (default ``$NLPTK_DATA`` or ``~/nlptk_data``).
    download : bool, default=False
        Download the corpus when it is not found locally.

    Raises
    ------
    ParameterError
        Unknown name or split.
    InputFileError
        Not found locally and ``download`` is false; the message gives the command that
        downloads it.
    DownloadError
        The download failed.

    Examples
    --------
    >>> resolve_corpus("lee_background").name
    'lee_background.cor'
    """
    return lookup_corpus(name, data_dir=data_dir, download=download)[1]


def lookup_corpus(
    name: str, *, data_dir: PathLike | None = None, download: bool = False
) -> tuple[CorpusInfo, Path]:
    """The registry entry of a named corpus and its path, looked up once.

    The same as ``(corpus_info(name), resolve_corpus(name, ...))``, for readers that need
    both (the entry says how to read the file: encoding, format, text column).

    Raises
    ------
    ParameterError, InputFileError, DownloadError
        As :func:`resolve_corpus`.

    Examples
    --------
    >>> info, path = lookup_corpus("lee_background")
    >>> info.format, path.name
    ('lines', 'lee_background.cor')
    """
    info = corpus_info(name)
    found = _find_local(info, name, data_dir)
    if found is not None:
        return info, found
    root = _data_dir(data_dir)
    if download and info.downloadable:
        download_corpus(info.name, data_dir=root)
        found = _find_local(info, name, data_dir)
        if found is not None:
            return info, found
        raise DataError(
            f"downloaded corpus {info.name!r} but found none of its expected files",
            path=root,
            hint="please report this; the registry entry may be out of date",
        )
    split = _split_of(info, name)
    expected = info.splits.get(split, ["?"])[0]
    if info.downloadable:
        flag = f" --data-dir {root}" if data_dir is not None else ""
        hint = f"download it with `nlptk corpus download {info.name}{flag}`"
    else:
        hint = f"it cannot be downloaded; put it there or set {DATA_ENV} to the folder that holds it"
    raise InputFileError(f"corpus {name!r} not found (expected {root / expected})", hint=hint)


# -- downloading -------------------------------------------------------------------------------


def _safe_relative(rel: str) -> PurePosixPath:
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts:
        raise FormatError(f"unsafe path {rel!r} in a registry entry or archive")
    return p


def _fetch(item: dict[str, Any], target: Path, *, name: str, force: bool) -> None:
    url = item["url"]
    hashes = {alg: hashlib.new(alg) for alg in ("sha256", "md5") if item.get(alg)}
    logger.info("downloading %s from %s", name, url)
    try:
        response = urllib.request.urlopen(url, timeout=_TIMEOUT_S)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"cannot download corpus {name!r} from {url} ({reason})",
            hint=f"check the network connection, or fetch the file by hand and save it as {target}",
        ) from None
    size = 0
    with response, atomic_write(target, "wb", force=force) as out:
        while True:
            try:
                chunk = response.read(_CHUNK)
            except (OSError, http.client.HTTPException) as exc:
                raise DownloadError(
                    f"download of corpus {name!r} from {url} broke off after {size} bytes ({exc})",
                    hint="try again; nothing was kept",
                ) from None
            if not chunk:
                break
            size += len(chunk)
            for h in hashes.values():
                h.update(chunk)
            out.write(chunk)
        expected_size = item.get("size")
        if expected_size is not None and size != int(expected_size):
            raise DownloadError(
                f"downloaded {size} bytes of corpus {name!r} from {url}, expected {expected_size}",
                hint="the file may have changed or the download broke off; nothing was kept",
            )
        for alg, h in hashes.items():
            if h.hexdigest() != item[alg]:
                raise DownloadError(
                    f"{alg} checksum of the file downloaded from {url} is {h.hexdigest()}, "
                    f"expected {item[alg]}",
                    hint="the file on the server changed or was corrupted; nothing was kept",
                )
    if not hashes:
        checked = "its size only" if item.get("size") else "nothing"
        logger.warning("%s: no checksum is known for %s; checked %s", name, url, checked)


def _extract_zip(archive: Path, dest: Path) -> None:
    """Unpack ``archive`` into ``dest`` through a temporary folder; existing entries are kept."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise FormatError("downloaded archive is not a valid zip file", path=archive) from None
    tmp = Path(tempfile.mkdtemp(prefix=".extract.", suffix=".part", dir=dest))
    try:
        with zf:
            for member in zf.infolist():
                _safe_relative(member.filename)
            zf.extractall(tmp)
        for entry in tmp.iterdir():
            if entry.name.startswith("__MACOSX"):
                continue
            final = dest / entry.name
            if not final.exists():
                os.replace(entry, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def download_corpus(name: str, data_dir: PathLike | None = None, *, force: bool = False) -> Path:
    """Download a registered corpus into the data folder and return its path.

    Files that are already present are kept (unless ``force``). Each file is written under a
    temporary name, checked against the size and checksum the registry gives, and renamed
    into place only when it matches; zip archives are then unpacked beside it.

    Raises
    ------
    ParameterError
        Unknown name, or a corpus that cannot be downloaded (shipped or local-only).
    DownloadError
        Offline, a failed request, or a size/checksum mismatch (nothing is kept).

    Examples
    --------
    >>> download_corpus("sst2", "/data/nlp")   # doctest: +SKIP
    PosixPath('/data/nlp/sst2/stsa.binary.train')
    """
    info = corpus_info(name)
    if not info.downloadable:
        where = f"it is shipped with {info.shipped_by}" if info.shipped_by else "it is local only"
        raise ParameterError(f"corpus {info.name!r} has no download address ({where})")
    root = _data_dir(data_dir)
    for item in info.downloads:
        target = root / _safe_relative(item["file"])
        if target.exists() and not force:
            logger.info("%s already present", target)
        else:
            _fetch(item, target, name=info.name, force=force)
        if item.get("archive") == "zip":
            _extract_zip(target, target.parent)
    return resolve_corpus(info.name, data_dir=root)
