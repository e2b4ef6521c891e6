"""Every command family against one shared table of bad inputs, through the real command line.

For each (command, bad input) pair whose kinds match, the command must exit with code 2,
print exactly one line on stderr (run with ``-q``: no progress, no logging) that names the
bad file, show no traceback, and leave every file as it was (nothing written, nothing
changed). A hang fails after ``TIME_LIMIT`` seconds.

To cover a new bad input, add one line to ``BAD_INPUTS``; a new command, one line to
``COMMANDS``. Kinds: ``vectors`` (a vectors file or folder), ``corpus`` (plain text, one
document per line), ``texts`` (texts to score), ``predict`` (texts to classify: blank lines
are texts there), ``labelled`` (labelled data), ``train`` (labelled data that is fine to
evaluate on but cannot train, one class), ``model`` (a classifier folder), ``lsa`` (an LSA
model folder).
"""

from __future__ import annotations

import gzip
import random
import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from gensim.test.utils import datapath

TIME_LIMIT = 60.0

GOOD_VECTORS = "cat 1 0 0.1\ndog 0 1 0.2\nfish 0.1 -0.2 1\nsat -0.6 0.5 -0.4\nthe 0.3 -0.7 -0.5\n"


# -- the bad inputs --------------------------------------------------------------------------
def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return make


def _missing(folder: Path) -> Path:
    return folder / "missing.txt"


def _folder(folder: Path) -> Path:
    (folder / "afolder").mkdir()
    (folder / "afolder" / "junk.dat").write_bytes(b"\x00\x01")
    return folder / "afolder"


def _cut_gz(folder: Path) -> Path:
    whole = gzip.compress(b"the cat sat on the mat\n" * 400)
    (folder / "cut.txt.gz").write_bytes(whole[: len(whole) // 2])
    return folder / "cut.txt.gz"


def _cut_fasttext(folder: Path) -> Path:
    (folder / "cut.bin").write_bytes(Path(datapath("lee_fasttext_new.bin")).read_bytes()[:106])
    return folder / "cut.bin"


def _damaged_model(damage: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        model = folder / "model"
        shutil.copytree(_SEEDS["classifier"], model)
        if damage == "config":
            (model / "config.json").write_text("{not json")
        elif damage == "weights":
            data = (model / "model.pt").read_bytes()
            (model / "model.pt").write_bytes(data[: len(data) // 3])
        else:
            (model / "vocab.json").unlink()
        return model

    return make


def _damaged_lsa(folder: Path) -> Path:
    model = folder / "lsa"
    shutil.copytree(_SEEDS["lsa"], model)
    (model / "lsa_arrays.npz").write_bytes(b"PK\x03\x04 truncated")
    return model


RANDOM = random.Random(13).randbytes(50_000)
LATIN1 = "café au lait\ntrès bon\nà bientôt\n".encode("latin-1") * 4


@dataclass(frozen=True)
class BadInput:
    id: str
    make: Callable[[Path], Path]
    kinds: frozenset[str]

    def __str__(self) -> str:
        return self.id


def bad(id: str, make: Callable[[Path], Path], *kinds: str) -> BadInput:
    return BadInput(id, make, frozenset(kinds))


ALL = ("vectors", "corpus", "texts", "labelled", "predict")
BAD_INPUTS = [
    bad("missing", _missing, *ALL, "model", "lsa"),
    bad("empty", _write("empty.txt", b""), *ALL),
    bad("folder-for-file", _folder, *ALL, "model", "lsa"),
    bad("random-bytes", _write("random.dat", RANDOM), *ALL),
    bad("random-bytes-bin", _write("random.bin", RANDOM), "vectors"),
    bad("latin1", _write("latin1.txt", LATIN1), "corpus", "texts", "labelled", "vectors", "predict"),
    bad("truncated-gz", _cut_gz, "corpus", "texts", "vectors", "predict"),
    bad("truncated-fasttext-bin", _cut_fasttext, "vectors"),
    bad("nan-row", _write("nan.txt", b"cat nan inf 0.3\ndog 0.2 0.1 0.3\n"), "vectors"),
    bad("short-row", _write("short.txt", b"2 3\ncat 0.1 0.2 0.3\ndog 0.2 0.1\n"), "vectors"),
    bad("header-count", _write("count.txt", b"5 3\ncat 0.1 0.2 0.3\ndog 0.2 0.1 0.3\n"), "vectors"),
    bad("duplicate-word", _write("dup.txt", b"cat 0.1 0.2 0.3\ncat 0.2 0.1 0.3\n"), "vectors"),
    bad("not-a-number", _write("nonum.txt", b"cat 0.1 x 0.3\ndog 0.2 0.1 0.3\n"), "vectors"),
    bad("blank-lines-only", _write("blank.txt", b"\n\n  \n\n"), "corpus", "texts", "labelled"),
    bad("one-class", _write("one.csv", b"text,label\ngood film,pos\nnice one,pos\ngreat,pos\n"), "train"),
    bad("no-label-column", _write("nolab.csv", b"text,other\ngood film,a\nbad film,b\n"), "labelled"),
    bad("fasttext-no-labels", _write("nolab.txt", b"good film\nbad film\n"), "labelled"),
    bad("model-config-damaged", _damaged_model("config"), "model"),
    bad("model-weights-truncated", _damaged_model("weights"), "model"),
    bad("model-vocab-missing", _damaged_model("vocab"), "model"),
    bad("lsa-arrays-damaged", _damaged_lsa, "lsa"),
]


# -- the commands ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Command:
    id: str
    kinds: frozenset[str]  # the kinds of input that may go into {bad}
    args: tuple[str, ...]  # {bad}: the bad input; {out}: an output folder; {good}: good vectors...

    def __str__(self) -> str:
        return self.id


def cmd(id: str, kinds: str, line: str) -> Command:
    return Command(id, frozenset(kinds.split()), tuple(shlex.split(line)))


COMMANDS = [
    cmd("embed-convert", "vectors", "embed convert {bad} {out}/o.txt --to word2vec"),
    cmd("embed-eval", "vectors", "embed eval {bad} --skip-analogies"),
    cmd("embed-similar", "vectors", "embed similar {bad} cat"),
    cmd("embed-analogy", "vectors", "embed analogy {bad} cat dog fish"),
    cmd("embed-train", "corpus", "embed train {bad} --out {out}/E --cache-dir {out}/c"),
    cmd("corpus-stats", "corpus", "corpus stats {bad}"),
    cmd("lsa-train", "corpus", "lsa train {bad} --out {out}/L --topics 2"),
    cmd("lsa-topics", "lsa", "lsa topics {bad}"),
    cmd("lda-train", "corpus", "lda train {bad} --out {out}/D --topics 2 --cache-dir {out}/c"),
    cmd("lm-train", "corpus", "lm train {bad} --out {out}/LM --cache-dir {out}/c"),
    cmd("topics-coherence", "lsa", "topics coherence {bad}"),
    cmd("topics-plot", "lsa", "topics plot {bad} --out {out}/t.png"),
    cmd("lsa-similar", "lsa", "lsa similar {bad} 'the cat'"),
    cmd("similarity-score", "vectors", "similarity score 'a cat' 'the dog' --vectors {bad}"),
    cmd("similarity-file", "texts", "similarity --file {bad} --file {texts} --vectors {good}"),
    cmd(
        "similarity-matrix", "texts", "similarity matrix {bad} -V {good} -o {out}/m.csv --heatmap {out}/m.png"
    ),
    cmd("similarity-words", "vectors", "similarity words cat --vectors {bad}"),
    cmd("export-projector", "vectors", "export projector {bad} {out}/p"),
    cmd("export-plot", "vectors", "export plot {bad} --out {out}/p.png"),
    cmd("export-spacy", "vectors", "export spacy {bad} {out}/sp"),
    cmd("classify-train", "labelled train", "classify train {bad} --out {out}/M --epochs 1"),
    cmd("classify-lr-find", "labelled train", "classify lr-find {bad}"),
    cmd("classify-train-vectors", "vectors", "classify train {labelled} --vectors {bad} --out {out}/M"),
    cmd("classify-predict", "model", "classify predict {bad} 'a great film'"),
    cmd("classify-predict-file", "predict", "classify predict {model} --file {bad}"),
    cmd("classify-evaluate", "model", "classify evaluate {bad} {labelled} --out {out}/R"),
    cmd("classify-evaluate-data", "labelled", "classify evaluate {model} {bad} --out {out}/R"),
]

CASES = [
    pytest.param(command, bad_input, id=f"{command}-{bad_input}")
    for command in COMMANDS
    for bad_input in BAD_INPUTS
    if command.kinds & bad_input.kinds
]

_SEEDS: dict[str, Path] = {}


@pytest.fixture(scope="module", autouse=True)
def _seeds(tiny_classifier_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from nlptk.embed.lsa import fit_lsa

    _SEEDS["classifier"] = tiny_classifier_folder
    lsa = tmp_path_factory.mktemp("lsa") / "lsa"
    fit_lsa(["the cat sat", "the dog ran", "a cat and a dog", "mat on the floor"], lsa, n_topics=2)
    _SEEDS["lsa"] = lsa


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder``; files with their size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else (0, 0)
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize(("command", "bad_input"), CASES)
def test_bad_input_gets_one_line_and_exit_2(
    command: Command, bad_input: BadInput, tmp_path: Path, invoke_cli
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    target = bad_input.make(work)
    (work / "good.txt").write_text(GOOD_VECTORS)
    (work / "texts.txt").write_text("the cat sat\nthe dog\n")
    (work / "labelled.csv").write_text("text,label\ngood film,pos\nbad film,neg\nfine,pos\nawful,neg\n")
    out = tmp_path / "out"  # outputs go beside `work`; nothing may appear in either
    out.mkdir()
    fill = {
        "bad": str(target),
        "out": str(out),
        "good": str(work / "good.txt"),
        "texts": str(work / "texts.txt"),
        "labelled": str(work / "labelled.csv"),
        "model": str(_SEEDS["classifier"]),
    }
    before = _snapshot(tmp_path)
    result = invoke_cli("-q", *(arg.format(**fill) for arg in command.args), timeout=TIME_LIMIT)
    assert result.exit_code == 2, f"exit {result.exit_code}: {result.output}"
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and target.name in lines[0], lines[0]
    after = _snapshot(tmp_path)
    assert after == before, f"files written or changed: {sorted(set(after.items()) ^ set(before.items()))}"


def test_every_command_family_is_in_the_matrix() -> None:
    from nlptk.cli.app import app

    no_input_files = {"cache", "vectors"}  # list, clear, download: nothing of the user's to read
    groups = {info.name for info in app.registered_groups} - no_input_files
    covered = {command.args[0] for command in COMMANDS}
    assert all(command.kinds for command in COMMANDS)
    assert groups <= covered, groups - covered
