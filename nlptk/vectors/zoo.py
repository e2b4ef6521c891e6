"""A zoo of pretrained word vectors: ``nlptk.load_vectors("glove.6B.100d")``.

The well-known public sets (GloVe 6B / 42B / 840B / Twitter, fastText wiki-news and Common
Crawl with and without subwords, word2vec Google News) are entries of the corpus registry
(``corpora/registry.json``, ``"kind": "vectors"``) with their dimension, vocabulary size,
license, address and, where the publisher gives one, size and checksum.

:func:`download_vectors` fetches an entry's file into the data folder
(``$NLPTK_DATA`` or ``~/nlptk_data``, under ``vectors/``):

* **resumable**: the bytes arrive in ``<file>.part``; when a download breaks off, the part
  stays, and the next call asks the server for the rest (an HTTP ``Range`` request);
* **verified**: the size and the SHA-256/MD5 the registry gives are checked on the whole
  file; on a mismatch the part is removed and :class:`~nlptk.errors.DownloadError` says so
  (publishers of these sets give no checksums: the registry says so, and the SHA-256
  computed on arrival is recorded in the converted folder's ``meta.json``);
* **converted once** to nlptk's native, memory-mapped folder (``vectors/<name>/``), which
  later loads open in milliseconds; the member read from the archive is deleted afterwards
  (the archive is kept, since several entries may share it).

Without a network the error says so and where to put a file fetched elsewhere.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import http.client
import logging
import os
import shutil
import socket
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from nlptk.errors import DownloadError, FormatError, InputFileError, ParameterError
from nlptk.progress import ProgressCallback, report

__all__ = ["download_vectors", "list_vectors", "load_zoo_vectors", "vectors_info", "zoo_path"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

_CHUNK = 1 << 20
_TIMEOUT_S = 30


def list_vectors() -> list[Any]:
    """The registry's pretrained vectors (:class:`~nlptk.text.registry.CorpusInfo` entries)."""
    from nlptk.text.registry import registry_entries

    return registry_entries("vectors")


def vectors_info(name: str) -> Any:
    """The registry entry of pretrained vectors ``name``.

    Raises
    ------
    ParameterError
        Unknown name; the message lists the close names.

    Examples
    --------
    >>> vectors_info("glove.6B.100d").extra["dim"]
    100
    """
    entries = {e.name: e for e in list_vectors()}
    if name in entries:
        return entries[name]
    close = difflib.get_close_matches(name, list(entries), n=4, cutoff=0.5)
    if not close:  # the family: "glove", "fasttxt", "word2vec"
        families = {n.split(".")[0] for n in entries}
        family = difflib.get_close_matches(name.lower().split(".")[0], sorted(families), n=1, cutoff=0.6)
        close = [n for n in entries if family and n.split(".")[0] == family[0]][:4]
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise ParameterError(
        f"{name!r} is neither a vectors file nor a name in the vectors zoo",
        hint=f"{hint}see `nlptk vectors list` for the names",
    )


def _root(data_dir: PathLike | None) -> Path:
    from nlptk.text.registry import default_data_dir

    return Path(data_dir).expanduser() if data_dir is not None else default_data_dir()


def zoo_path(name: str, *, data_dir: PathLike | None = None) -> Path:
    """Where the converted (native) folder of ``name`` lives: ``<data folder>/vectors/<name>``."""
    vectors_info(name)
    return _root(data_dir) / "vectors" / name


def _no_network(url: str, reason: object, target: Path) -> DownloadError:
    host = urllib.request.urlparse(url).hostname or url
    offline = isinstance(reason, (socket.gaierror, ConnectionRefusedError, TimeoutError, socket.timeout))
    what = "there is no network connection (or " + host + " cannot be reached)" if offline else str(reason)
    return DownloadError(
        f"cannot download {url}: {what}",
        hint=f"connect and run the command again, or fetch the file elsewhere and save it as {target}",
    )


def _check_file(path: Path, item: dict[str, Any]) -> str:
    """Check the size and checksums the registry gives; return the file's SHA-256."""
    size = path.stat().st_size
    expected_size = item.get("size")
    if expected_size is not None and size != int(expected_size):
        raise DownloadError(
            f"{path.name} has {size} bytes, expected {expected_size}",
            hint="the download was corrupted or the file on the server changed; it was removed, try again",
        )
    digests = {"sha256": hashlib.sha256(), **({"md5": hashlib.md5()} if item.get("md5") else {})}
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            for h in digests.values():
                h.update(chunk)
    for alg in ("sha256", "md5"):
        if item.get(alg) and digests[alg].hexdigest() != item[alg]:
            raise DownloadError(
                f"{alg} checksum of {path.name} is {digests[alg].hexdigest()}, expected {item[alg]}",
                hint="the download was corrupted or the file on the server changed; it was removed",
            )
    return digests["sha256"].hexdigest()


def fetch(item: dict[str, Any], target: Path, *, progress: ProgressCallback | None = None) -> str:
    """Download ``item["url"]`` to ``target``, resuming a ``.part`` file; return its SHA-256.

    Raises
    ------
    DownloadError
        No network, an HTTP error, a broken-off transfer (the part is kept: call again to
        resume) or a size/checksum mismatch (the part is removed).
    """
    url = item["url"]
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=_TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing left to send: the part is complete
            response = None
        else:
            raise DownloadError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _no_network(url, getattr(exc, "reason", exc), target) from None
    if response is not None:
        with response:
            resumed = have > 0 and response.status == 206
            if have and not resumed:
                logger.info("the server ignored the range request: downloading %s from the start", url)
                have = 0
            elif resumed:
                logger.info("resuming %s after %d bytes", url, have)
            length = response.headers.get("Content-Length")
            total = have + int(length) if length and length.isdigit() else item.get("size")
            received = have
            report(progress, "download", "start", received, total)
            with open(part, "ab" if resumed else "wb") as out:
                while True:
                    try:
                        chunk = response.read(_CHUNK)
                    except (OSError, http.client.HTTPException) as exc:
                        raise DownloadError(
                            f"the download of {url} broke off after {received} bytes ({exc})",
                            hint="run the same command again: it resumes where it stopped",
                        ) from None
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                    report(progress, "download", "step", received, total)
            if total is not None and received < int(total):
                raise DownloadError(
                    f"the download of {url} broke off after {received} of {total} bytes",
                    hint="run the same command again: it resumes where it stopped",
                )
            report(progress, "download", "end", received, total)
    try:
        sha256 = _check_file(part, item)
    except DownloadError:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, target)
    if not (item.get("sha256") or item.get("md5")):
        logger.warning("no checksum is known for %s; its SHA-256 is %s", url, sha256)
    return sha256


def _extract(archive: Path, item: dict[str, Any], dest_dir: Path) -> Path:
    """The vectors file inside ``archive`` (a zip member or a gunzipped copy), written beside it."""
    kind = item.get("archive")
    if kind == "zip":
        member = item.get("member")
        try:
            with zipfile.ZipFile(archive) as zf:
                names = zf.namelist()
                if member not in names:
                    listing = ", ".join(names[:5])
                    message = f"the archive has no member {member!r} (it has {listing})"
                    raise FormatError(message, path=archive)
                out = dest_dir / Path(member).name
                with zf.open(member) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK)
                return out
        except zipfile.BadZipFile:
            raise FormatError("the downloaded archive is not a valid zip file", path=archive) from None
    if kind == "gz":
        out = dest_dir / archive.name.removesuffix(".gz")
        try:
            with gzip.open(archive, "rb") as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
        except (OSError, EOFError) as exc:
            raise FormatError(f"the downloaded file is not valid gzip ({exc})", path=archive) from None
        return out
    return archive


def download_vectors(
    name: str,
    *,
    data_dir: PathLike | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> Path:
    """Download pretrained vectors ``name`` and convert them once to the native format.

    Parameters
    ----------
    name : str
        A zoo name (``nlptk vectors list``).
    data_dir : path, optional
        The data folder (default ``$NLPTK_DATA`` or ``~/nlptk_data``).
    force : bool, default=False
        Download and convert again even when the converted folder exists.
    progress : callable, optional
        Receives :class:`~nlptk.progress.ProgressEvent` s (phase ``"download"``, bytes).

    Returns
    -------
    Path
        The converted native folder (``<data folder>/vectors/<name>``).

    Raises
    ------
    ParameterError
        Unknown name (close names are listed).
    DownloadError
        No network, a broken-off transfer (call again to resume), a checksum mismatch.

    Examples
    --------
    >>> download_vectors("glove.6B.100d")                      # doctest: +SKIP
    PosixPath('/home/me/nlptk_data/vectors/glove.6B.100d')
    """
    from nlptk.vectors.formats import load_vectors, save_vectors

    info = vectors_info(name)
    root = _root(data_dir)
    folder = root / "vectors" / info.name
    if folder.exists() and not force:
        logger.info("%s is already converted in %s", info.name, folder)
        return folder
    item = info.downloads[0]
    archive = root / item["file"]
    sha256 = None
    if not archive.exists() or force:
        sha256 = fetch(item, archive, progress=progress)
    extracted = _extract(archive, item, archive.parent)
    try:
        vectors = load_vectors(extracted, format=info.format)
        vectors.meta.update(
            {
                "zoo_name": info.name,
                "source_url": item["url"],
                "license": info.license,
                **({"download_sha256": sha256} if sha256 else {}),
            }
        )
        save_vectors(vectors, folder, format="native", force=True)
    finally:
        if extracted != archive:
            extracted.unlink(missing_ok=True)
    logger.info("%s converted to %s", info.name, folder)
    return folder


def load_zoo_vectors(
    name: str, *, limit: int | None = None, data_dir: PathLike | None = None, download: bool = False
) -> Any:
    """The vectors of zoo entry ``name`` from their converted folder (downloaded if asked).

    Raises
    ------
    ParameterError
        Unknown name (close names are listed).
    InputFileError
        Not downloaded yet and ``download`` is false (the message gives the command).
    """
    from nlptk.vectors.formats import load_vectors

    folder = zoo_path(name, data_dir=data_dir)
    if not folder.exists():
        if not download:
            raise InputFileError(
                f"pretrained vectors {name!r} are not downloaded yet (expected {folder})",
                hint=f"run `nlptk vectors download {name}` (or load_vectors({name!r}, download=True))",
            )
        download_vectors(name, data_dir=data_dir)
    return load_vectors(folder, format="native", limit=limit)
