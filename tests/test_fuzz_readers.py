"""Property-based fuzzing of every reader nlptk has (issue 13).

Each reader gets a small valid file (or folder) made here, then hypothesis damages one of
its files: random bytes, a cut at any offset or at a structural boundary (a newline, a tab,
a NUL, the end of a header), replaced or inserted bytes, and, for text formats, mutated
tokens and rows (``nan``, an empty field, a huge number, a duplicated or dropped row...).

The property: the reader returns a valid result (checked per reader) or raises an
:class:`~nlptk.errors.NlptkError`, within a time limit; never another exception, never a
hang, and it writes nothing. gensim pickles (``.kv``/``.model``) are not fuzzed: reading one
with ``trust=True`` runs whatever code it holds, which is why nlptk refuses them by default.

What it found when it was written (all fixed; the examples are hypothesis's shrunk ones):

* a fastText ``.bin`` cut short or made of random bytes: gensim's reader looped forever
  (found by hand first; ``nlptk.vectors._fasttext_bin`` checks the structure now);
* ``vectors.npy`` empty or cut: ``EOFError`` ("No data left in file") from ``np.load``;
* ``vocab.tsv`` with a non-UTF-8 byte: ``UnicodeDecodeError``;
* co-occurrence ``.npz`` and LSA ``lsa_arrays.npz`` damaged: ``zipfile.BadZipFile`` ("Bad
  CRC-32", "File is not a zip file", "Bad magic number"), ``EOFError``;
* LSA ``lsa_documents.jsonl`` damaged: ``json.JSONDecodeError``;
* text vectors with ``nan``/``inf`` values were accepted (found by hand; refused now).

One thing is not checked, on purpose: the values in a native folder's ``vectors.npy`` are
not scanned for nan/inf when it is opened (it is memory-mapped and opens in milliseconds at
any size).

The default run keeps each reader to a few examples (``FAST``, the whole file in well under
a minute); ``pytest -m slow tests/test_fuzz_readers.py`` runs the same properties with many
more (``DEEP``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gensim.test.utils import datapath
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlptk.errors import NlptkError

FAST = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
DEEP = settings(FAST, max_examples=400, derandomize=False)
TIME_LIMIT = 20.0  # seconds per example; a reader that hangs fails here


# -- the readers and their seeds -------------------------------------------------------------
@dataclass(frozen=True)
class Reader:
    """A reader under test: how to make a valid input, which file to damage, how to read it."""

    name: str
    make: Callable[[Path], Path]  # writes a valid input under the folder; returns what `read` takes
    target: str  # the file to damage, relative to the folder
    read: Callable[[Path], Any]
    check: Callable[[Any], None]
    text: bool = False  # line-oriented text: also mutate tokens and rows


def _check_vectors(v: Any, *, finite: bool = True) -> None:
    from nlptk.vectors import Vectors

    assert isinstance(v, Vectors)
    matrix = np.asarray(v.vectors)
    assert matrix.ndim == 2 and matrix.shape[0] == len(v.words)
    if finite:
        assert np.isfinite(matrix).all()
    assert len(set(v.words)) == len(v.words)
    if len(v):
        v.most_similar(v.words[0], topn=1)


WORDS = ["the", "cat", "sat", "on", "mat", "dog", "ran", "café"]


def _seed_vectors() -> Any:
    from nlptk.vectors import Vectors

    rng = np.random.default_rng(0)
    return Vectors(WORDS, rng.normal(size=(len(WORDS), 4)).astype(np.float32))


def _vectors_file(fmt: str, name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        from nlptk.vectors import save_vectors

        save_vectors(_seed_vectors(), folder / name, fmt, precision=6 if fmt != "word2vec-binary" else None)
        return folder / name

    return make


def _load(fmt: str | None = None) -> Callable[[Path], Any]:
    def read(path: Path) -> Any:
        from nlptk.vectors import load_vectors

        return load_vectors(path, fmt)

    return read


def _copy(source: str, name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        shutil.copyfile(source, folder / name)
        return folder / name

    return make


def _native(folder: Path) -> Path:
    from nlptk.vectors import save_vectors

    save_vectors(_seed_vectors(), folder / "nat", "native")
    return folder / "nat"


def _spacy(folder: Path) -> Path:
    from nlptk.vectors import save_vectors

    save_vectors(_seed_vectors(), folder / "sp", "spacy")
    return folder / "sp"


CORPUS = "the cat sat on the mat\nthe dog ran\n\ncafé au lait\n"


def _corpus_file(name: str, content: str | None = None) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        import gzip

        data = (content if content is not None else CORPUS).encode("utf-8")
        path = folder / name
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        return path

    return make


def _read_corpus(path: Path) -> Any:
    from nlptk.text.corpus import open_corpus

    corpus = open_corpus(path)
    return [list(corpus), list(corpus)]  # twice: re-iterable


def _check_corpus(passes: Any) -> None:
    first, second = passes
    assert first == second and all(isinstance(doc, str) for doc in first)


LABELLED = {
    "csv": 'text,label\nthe cat sat,pos\n"a, quoted one",neg\nthe dog ran,neg\nnice mat,pos\n',
    "tsv": "text\tlabel\nthe cat sat\tpos\nthe dog ran\tneg\nnice mat\tpos\nbad day\tneg\n",
    "jsonl": '{"text": "the cat sat", "label": "pos"}\n{"text": "the dog ran", "label": "neg"}\n'
    '{"text": "nice", "label": "pos"}\n{"text": "bad", "label": "neg"}\n',
    "lf": "pos the cat sat\nneg the dog ran\npos nice mat\nneg bad\n",
    "txt": "__label__pos the cat sat\n__label__neg the dog ran\n__label__pos nice mat\n__label__neg bad\n",
}


def _labelled(ext: str) -> Callable[[Path], Path]:
    return _corpus_file(f"data.{ext}", LABELLED[ext])


def _read_labelled(path: Path) -> Any:
    from nlptk.text.labelled import load_labelled

    return load_labelled(path, format="label-first" if path.suffix == ".lf" else None)


def _check_labelled(data: Any) -> None:
    assert len(data.texts) == len(data.labels)
    assert all(0 <= int(y) < len(data.classes) for y in data.labels)


def _labelled_folders(folder: Path) -> Path:
    root = folder / "data"
    for cls, texts in (("neg", ["bad film", "awful"]), ("pos", ["good film", "great"])):
        (root / cls).mkdir(parents=True)
        for i, text in enumerate(texts):
            (root / cls / f"{i}.txt").write_text(text)
    return root


def _cooccurrence(folder: Path) -> Path:
    from nlptk.embed.glove import count_cooccurrences

    tokens = folder / "tokens.txt"
    tokens.write_text("the cat sat on the mat\nthe dog sat on the cat\n" * 3)
    count_cooccurrences(tokens, window=3, min_count=1).save(folder / "co.npz")
    tokens.unlink()
    return folder / "co.npz"


def _read_cooccurrence(path: Path) -> Any:
    from nlptk.embed.glove import CooccurrenceMatrix

    return CooccurrenceMatrix.load(path)


def _check_cooccurrence(m: Any) -> None:
    n = len(m.words)
    assert len(m.rows) == len(m.cols) == len(m.values) and len(m.counts) == n
    assert (len(m.rows) == 0) or (m.rows.min() >= 0 and m.rows.max() < n and m.cols.max() < n)
    assert np.isfinite(m.values).all()


_CLASSIFIER: dict[str, Path] = {}


def _classifier(folder: Path) -> Path:
    shutil.copytree(_CLASSIFIER["folder"], folder / "model")
    return folder / "model"


def _read_classifier(path: Path) -> Any:
    from nlptk.classify.predictor import TrainedClassifier

    clf = TrainedClassifier.load(path, device="cpu")
    return clf, clf.predict_proba(["the cat sat", ""])


def _check_classifier(result: Any) -> None:
    _, proba = result
    assert proba.shape[0] == 2 and np.isfinite(proba).all()


def _lsa(folder: Path) -> Path:
    from nlptk.embed.lsa import fit_lsa

    fit_lsa(["the cat sat", "the dog ran", "a cat and a dog", "mat on the floor"], folder / "lsa", n_topics=2)
    return folder / "lsa"


def _read_lsa(path: Path) -> Any:
    from nlptk.embed.lsa import LSA

    model = LSA.load(path)
    return model, model.similar_documents("the cat", top_n=2), model.topics(2)


def _registry(folder: Path) -> Path:
    from nlptk.corpora import load_manifest

    path = folder / "registry.json"
    path.write_text(json.dumps(load_manifest(), indent=1))
    return path


def _read_registry(path: Path) -> Any:
    from nlptk.text.registry import read_registry

    return read_registry(path)


def _check_registry(entries: Any) -> None:
    for info in entries.values():
        info.to_dict()


READERS = [
    Reader("word2vec", _vectors_file("word2vec", "v.txt"), "v.txt", _load(), _check_vectors, text=True),
    Reader("glove", _vectors_file("glove", "g.txt"), "g.txt", _load(), _check_vectors, text=True),
    Reader("word2vec-gz", _vectors_file("word2vec", "v.txt.gz"), "v.txt.gz", _load(), _check_vectors),
    Reader("word2vec-binary", _vectors_file("word2vec-binary", "v.bin"), "v.bin", _load(), _check_vectors),
    Reader("fasttext-bin", _copy(datapath("toy-model.bin"), "m.bin"), "m.bin", _load(), _check_vectors),
    Reader(
        "fasttext-bin-old", _copy(datapath("cp852_fasttext.bin"), "m.bin"), "m.bin", _load(), _check_vectors
    ),
    # a native folder opens in milliseconds at any size (a memory map), so its values are not
    # scanned for nan/inf when opened: damaged values there are the one thing not caught
    Reader("native-npy", _native, "nat/vectors.npy", _load(), partial(_check_vectors, finite=False)),
    Reader("native-vocab", _native, "nat/vocab.tsv", _load(), _check_vectors, text=True),
    Reader("native-meta", _native, "nat/meta.json", _load(), _check_vectors, text=True),
    Reader("spacy-vectors", _spacy, "sp/vectors", _load(), _check_vectors),
    Reader("spacy-strings", _spacy, "sp/strings.json", _load(), _check_vectors, text=True),
    Reader("corpus-lines", _corpus_file("c.txt"), "c.txt", _read_corpus, _check_corpus, text=True),
    Reader("corpus-gz", _corpus_file("c.txt.gz"), "c.txt.gz", _read_corpus, _check_corpus),
    Reader(
        "corpus-csv", _corpus_file("c.csv", LABELLED["csv"]), "c.csv", _read_corpus, _check_corpus, text=True
    ),
    Reader(
        "corpus-jsonl",
        _corpus_file("c.jsonl", LABELLED["jsonl"]),
        "c.jsonl",
        _read_corpus,
        _check_corpus,
        text=True,
    ),
    Reader("labelled-csv", _labelled("csv"), "data.csv", _read_labelled, _check_labelled, text=True),
    Reader("labelled-tsv", _labelled("tsv"), "data.tsv", _read_labelled, _check_labelled, text=True),
    Reader("labelled-jsonl", _labelled("jsonl"), "data.jsonl", _read_labelled, _check_labelled, text=True),
    Reader("labelled-fasttext", _labelled("txt"), "data.txt", _read_labelled, _check_labelled, text=True),
    Reader("labelled-label-first", _labelled("lf"), "data.lf", _read_labelled, _check_labelled, text=True),
    Reader("labelled-folders", _labelled_folders, "data/pos/0.txt", _read_labelled, _check_labelled),
    Reader("cooccurrence", _cooccurrence, "co.npz", _read_cooccurrence, _check_cooccurrence),
    Reader("classifier-config", _classifier, "model/config.json", _read_classifier, _check_classifier, True),
    Reader("classifier-vocab", _classifier, "model/vocab.json", _read_classifier, _check_classifier, True),
    Reader("classifier-weights", _classifier, "model/model.pt", _read_classifier, _check_classifier),
    Reader("lsa-model", _lsa, "lsa/lsa.json", _read_lsa, lambda r: None, text=True),
    Reader("lsa-arrays", _lsa, "lsa/lsa_arrays.npz", _read_lsa, lambda r: None),
    Reader("lsa-documents", _lsa, "lsa/lsa_documents.jsonl", _read_lsa, lambda r: None, text=True),
    Reader("registry", _registry, "registry.json", _read_registry, _check_registry, text=True),
]


# -- damage --------------------------------------------------------------------------------------
NASTY_TOKENS = [
    b"nan", b"inf", b"-inf", b"1e999", b"", b"-", b"0x1p3", b"\x00", b"\xff\xfe", b"caf\xe9", b"9" * 400,
    b"-1", b"null", b"{}", b"[]", b'"', b"\\", b"\t", b"\r", b"\xc2\xa0", b"__label__", b"1e-999",
]  # fmt: skip
_BOUNDARIES = (b"\n", b"\t", b" ", b"\x00", b",", b":", b'"', b"}")


@st.composite
def damaged(draw: st.DrawFn, data: bytes, text: bool) -> bytes:
    """One damaged version of ``data``."""
    kinds = ["random", "cut", "cut-at-boundary", "replace", "insert", "delete"]
    if text:
        kinds += ["token", "row"]
    kind = draw(st.sampled_from(kinds))
    if kind == "random":
        return draw(st.binary(max_size=2048))
    if kind == "cut":
        return data[: draw(st.integers(0, max(len(data) - 1, 0)))]
    if kind == "cut-at-boundary":
        marks = [i for i, b in enumerate(data) if bytes([b]) in _BOUNDARIES] or [0]
        at = draw(st.sampled_from(marks)) + draw(st.integers(-1, 1))
        return data[: max(at, 0)]
    if kind == "replace":
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            if out:
                out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
        return bytes(out)
    if kind == "insert":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    if kind == "delete":
        start = draw(st.integers(0, len(data)))
        return data[:start] + data[start + draw(st.integers(1, 64)) :]
    lines = data.split(b"\n")
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "token":
        tokens = lines[i].split(b" ") if b" " in lines[i] else lines[i].split(b"\t")
        j = draw(st.integers(0, len(tokens) - 1))
        tokens[j] = draw(st.sampled_from(NASTY_TOKENS))
        lines[i] = (b" " if b" " in lines[i] else b"\t").join(tokens)
    else:
        op = draw(st.sampled_from(["duplicate", "drop", "blank", "swap", "extra-field", "spaces"]))
        if op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "drop":
            del lines[i]
        elif op == "blank":
            lines.insert(i, b"")
        elif op == "swap" and len(lines) > 1:
            lines[0], lines[i] = lines[i], lines[0]
        elif op == "extra-field":
            lines[i] += b" 0.5"
        else:
            lines[i] = b" " + lines[i].replace(b" ", b"  ") + b" "
    return b"\n".join(lines)


# -- the property ----------------------------------------------------------------------------
def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def _run(reader: Reader, draw: st.DataObject, deadline: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        argument = reader.make(folder)
        target = folder / reader.target
        bad = draw.draw(damaged(target.read_bytes(), reader.text), label="damaged")
        target.write_bytes(bad)
        before = _listing(folder)
        try:
            with deadline(TIME_LIMIT):
                result = reader.read(argument)
        except NlptkError as exc:
            assert str(exc).strip() and "\n" not in str(exc), repr(str(exc))
        else:
            reader.check(result)
        assert _listing(folder) == before, "a reader wrote or changed files"


@pytest.fixture(scope="module", autouse=True)
def _classifier_seed(tiny_classifier_folder: Path) -> None:
    _CLASSIFIER["folder"] = tiny_classifier_folder


@pytest.mark.parametrize("reader", READERS, ids=[r.name for r in READERS])
@FAST
@given(draw=st.data())
def test_reader_survives_damage(reader: Reader, draw: st.DataObject, deadline) -> None:
    _run(reader, draw, deadline)


@pytest.mark.slow
@pytest.mark.parametrize("reader", READERS, ids=[r.name for r in READERS])
@DEEP
@given(draw=st.data())
def test_reader_survives_damage_deep(reader: Reader, draw: st.DataObject, deadline) -> None:
    _run(reader, draw, deadline)


@pytest.mark.parametrize("reader", READERS, ids=[r.name for r in READERS])
def test_seed_is_valid(reader: Reader, tmp_path: Path) -> None:
    """The undamaged input reads back: the damage is what the fuzzing tests."""
    reader.check(reader.read(reader.make(tmp_path)))


def test_no_reader_is_left_out() -> None:
    """A new vectors format or labelled format gets a fuzzed reader here."""
    from nlptk.text.labelled import LABELLED_FORMATS
    from nlptk.vectors.formats import FORMATS

    fuzzed = {r.name.split("-")[0] for r in READERS} | {r.name for r in READERS}
    for fmt in FORMATS:
        if fmt in ("gensim", "fasttext-vec"):  # pickles (see the module docstring); .vec is word2vec text
            continue
        assert fmt in fuzzed, fmt
    assert set(LABELLED_FORMATS) <= {
        r.name.removeprefix("labelled-").replace("txt", "fasttext") for r in READERS
    }
