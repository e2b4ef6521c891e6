"""The bad-input gaps of issue 13, points 3 to 5: half-written outputs, raw errors, misleading messages.

Each test reproduces a case the issue lists (it failed before the fix). Commands run through
the real CLI (``invoke_cli``: CliRunner with a deadline, or ``run_cli``: a subprocess).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nlptk.errors import EncodingError, FormatError, InputFileError, ParameterError
from nlptk.io import atomic_write, iter_lines

VECTORS = "cat 1 0 0.1\ndog 0 1 0.2\nfish 0.1 -0.2 1\nsat -0.6 0.5 -0.4\n"  # not degenerate: no warning
TEXTS = "the cat sat\nthe dog sat\na fish\n"


def one_line(result, name: str) -> str:  # type: ignore[no-untyped-def]
    """Exit code 2, one line on stderr that names ``name``, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.stderr
    assert name in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "v.txt").write_text(VECTORS)
    (tmp_path / "texts.txt").write_text(TEXTS)
    return tmp_path


# -- 3. half-written output ----------------------------------------------------------------------
def test_similarity_matrix_checks_every_output_before_writing(files: Path, invoke_cli) -> None:
    (files / "m.png").write_bytes(b"precious")
    result = invoke_cli(
        "-q", "similarity", "matrix", str(files / "texts.txt"), "--vectors", str(files / "v.txt"),
        "--out", str(files / "m.csv"), "--heatmap", str(files / "m.png"),
    )  # fmt: skip
    assert "output already exists" in one_line(result, "m.png")
    assert not (files / "m.csv").exists()
    assert (files / "m.png").read_bytes() == b"precious"


def test_similarity_matrix_heatmap_folder_refused_before_csv(files: Path, invoke_cli) -> None:
    (files / "plots").mkdir()
    result = invoke_cli(
        "-q", "similarity", "matrix", str(files / "texts.txt"), "--vectors", str(files / "v.txt"),
        "--out", str(files / "m.csv"), "--heatmap", str(files / "plots"), "--force",
    )  # fmt: skip
    assert "folder" in one_line(result, "plots")
    assert not (files / "m.csv").exists()


# -- 4. raw errors -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "suffix, compress",
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)],
)
def test_truncated_compressed_file_names_the_file(tmp_path: Path, suffix: str, compress) -> None:  # type: ignore[no-untyped-def]
    whole = compress(("some text here\n" * 2000).encode())
    path = tmp_path / f"corpus.txt{suffix}"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(FormatError, match="compressed file ends too early") as info:
        list(iter_lines(path))
    assert info.value.path == str(path)


def test_corrupt_compressed_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "corpus.txt.gz"
    path.write_bytes(b"this is not gzip at all\n")
    with pytest.raises(FormatError, match="compressed file is damaged") as info:
        list(iter_lines(path))
    assert info.value.path == str(path)


def test_truncated_gz_corpus_through_the_cli(tmp_path: Path, invoke_cli) -> None:
    whole = gzip.compress(b"hello world\nfoo bar\n" * 500)
    path = tmp_path / "c.txt.gz"
    path.write_bytes(whole[:30])
    line = one_line(invoke_cli("-q", "corpus", "stats", str(path)), "c.txt.gz")
    assert "EOFError" not in line


def test_output_folder_where_a_file_is_expected(files: Path, invoke_cli) -> None:
    (files / "D").mkdir()
    with pytest.raises(InputFileError, match="found a folder"), atomic_write(files / "D", force=True) as out:
        out.write("x")
    result = invoke_cli("-q", "export", "plot", str(files / "v.txt"), "--out", str(files / "D"), "--force")
    assert "IsADirectoryError" not in one_line(result, "D")
    assert list((files / "D").iterdir()) == []


def test_cache_dir_naming_a_file(files: Path, invoke_cli) -> None:
    (files / "afile").write_text("not a folder")
    (files / "corpus.txt").write_text("the cat sat on the mat\n" * 50)
    result = invoke_cli(
        "-q", "embed", "train", str(files / "corpus.txt"), "--out", str(files / "E"),
        "--cache-dir", str(files / "afile"),
    )  # fmt: skip
    assert "a file of that name is in the way" in one_line(result, "afile")
    assert not (files / "E").exists()


def test_os_errors_about_a_path_are_bad_input(files: Path, invoke_cli, monkeypatch) -> None:
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied", str(files / "locked.txt"))

    monkeypatch.setattr("nlptk.cli.embed_vectors.load_vectors", refuse)
    line = one_line(invoke_cli("-q", "embed", "similar", str(files / "v.txt"), "cat"), "locked.txt")
    assert "Permission denied" in line and "PermissionError" not in line


def test_a_line_longer_than_spacy_takes(files: Path, invoke_cli) -> None:
    (files / "long.txt").write_text("short line\n" + "word " * 300_000 + "\n")
    result = invoke_cli(
        "-q", "similarity", "matrix", str(files / "long.txt"), "--vectors", str(files / "v.txt"),
        "--out", str(files / "m.csv"),
    )  # fmt: skip
    line = one_line(result, "long.txt, line 2")
    assert "1,500,000 characters" in line and "E088" not in line
    assert not (files / "m.csv").exists()


def test_help_into_a_closed_pipe_is_quiet() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "nlptk", "classify", "train", "--help"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(20)
    proc.stdout.close()  # what `| head -c 20` does
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "BrokenPipe" not in err and "Traceback" not in err and "error" not in err, err


class _RunsCode:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (print, ("this pickle ran code",))


@pytest.mark.parametrize("damage", ["pickle", "truncated", "garbage"])
def test_damaged_model_pt_is_one_line(  # type: ignore[no-untyped-def]
    tmp_path: Path, tiny_classifier_folder: Path, damage: str, invoke_cli
) -> None:
    import torch

    folder = tmp_path / "model"
    shutil.copytree(tiny_classifier_folder, folder)
    weights = folder / "model.pt"
    if damage == "pickle":
        torch.save({"model": _RunsCode()}, weights)
    elif damage == "truncated":
        weights.write_bytes(weights.read_bytes()[:300])
    else:
        weights.write_bytes(b"\x00garbage" * 100)
    result = invoke_cli("-q", "classify", "predict", str(folder), "a great film")
    line = one_line(result, "model.pt")
    assert "weights_only" not in line and "this pickle ran code" not in result.output
    if damage == "pickle":
        assert "never unpickles" in line


# -- 5. misleading messages ----------------------------------------------------------------------
def _latin1(path: Path, n: int = 6) -> Path:
    path.write_bytes("café au lait très bon\nune autre phrase ici\n".encode("latin-1") * n)
    return path


def test_lsa_on_latin1_text_reports_the_decoding_error(tmp_path: Path) -> None:
    from nlptk.embed.lsa import fit_lsa

    corpus = _latin1(tmp_path / "latin.txt")
    with pytest.raises(EncodingError, match="cannot decode byte 0xe9") as info:
        fit_lsa(corpus, n_topics=2)
    assert info.value.path is not None and info.value.path.endswith("latin.txt")


def test_lsa_on_documents_without_terms_does_not_blame_min_df() -> None:
    from nlptk.embed.lsa import LSA

    with pytest.raises(Exception, match="no terms left: the 3 documents hold no tokens") as info:
        LSA(n_topics=1).fit(["...", "!!!", "?"])
    assert "min_df" not in str(info.value)


@pytest.mark.parametrize("command", ["matrix", "file"])
def test_similarity_has_the_encoding_option_its_hint_names(files: Path, invoke_cli, command: str) -> None:
    latin = _latin1(files / "latin.txt", n=1)
    if command == "matrix":
        args = ["similarity", "matrix", str(latin), "--vectors", str(files / "v.txt")]
    else:
        other = str(files / "texts.txt")
        args = ["similarity", "--file", str(latin), "--file", other, "--vectors", str(files / "v.txt")]
    assert "--encoding latin-1" in one_line(invoke_cli("-q", *args), "latin.txt")
    result = invoke_cli("-q", *args, "--encoding", "latin-1")
    assert result.exit_code in (0, 2) and "decode" not in result.stderr, result.output


def test_embed_eval_encoding_applies_to_the_benchmark_files(files: Path, invoke_cli) -> None:
    wordsim = files / "ws.tsv"
    wordsim.write_bytes("café\tcat\t5.0\ndog\tcat\t7.0\nfish\tdog\t3.0\n".encode("latin-1"))
    args = ["embed", "eval", str(files / "v.txt"), "--wordsim", str(wordsim), "--simlex", str(wordsim)]
    assert "--encoding latin-1" in one_line(invoke_cli("-q", *args, "--skip-analogies"), "ws.tsv")
    result = invoke_cli("-q", *args, "--skip-analogies", "--encoding", "latin-1")
    assert result.exit_code == 0, result.output


def test_glove_min_count_names_the_corpus_not_the_cache(files: Path, invoke_cli) -> None:
    (files / "corpus.txt").write_text("the cat sat on the mat\n" * 50)
    result = invoke_cli(
        "-q", "embed", "train", str(files / "corpus.txt"), "--method", "glove", "--min-count", "100000",
        "--out", str(files / "E"), "--cache-dir", str(files / "cache"),
    )  # fmt: skip
    line = one_line(result, "corpus.txt")
    assert "tokens.txt" not in line and str(files / "cache") not in line


@pytest.mark.parametrize("source", ["-", "/dev/stdin"])
def test_embed_train_from_stdin_says_why_it_needs_a_file(files: Path, run_cli, source: str) -> None:
    done = run_cli(
        "-q", "embed", "train", source, "--out", str(files / "E"), "--cache-dir", str(files / "cache"),
        stdin=b"the cat sat on the mat\n" * 50,
    )  # fmt: skip
    err = done.stderr.decode()
    assert done.returncode == 2 and "read more than once" in err and "empty" not in err, err
    assert len(err.strip().splitlines()) == 1


def test_freeze_epochs_beyond_epochs_is_refused() -> None:
    from nlptk.classify.config import ClassifierConfig

    with pytest.raises(ParameterError, match=r"freeze_epochs\(5\) must be <= epochs\(1\)"):
        ClassifierConfig(epochs=1, freeze_epochs=5)
    ClassifierConfig(epochs=1, freeze_epochs=5, freeze_embeddings=False)  # nothing is frozen: fine


def test_classify_format_help_lists_the_accepted_names(invoke_cli) -> None:
    from nlptk.text.labelled import LABELLED_FORMATS

    result = invoke_cli("classify", "train", "--help")
    text = " ".join(result.stdout.split())
    assert "folder (" not in text
    for name in LABELLED_FORMATS:
        assert name in text


# -- 6. exports a real client misreads -----------------------------------------------------------
JS_TRIM = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # noqa: E501


def test_projector_metadata_keeps_words_made_of_unicode_spaces(tmp_path: Path) -> None:
    import numpy as np

    from nlptk.export.projector import export_projector
    from nlptk.vectors import Vectors

    words = ["cat", "\u00a0", "dog", "\u3000", "\ufeff", "\u2002\u2009", "fish"]
    vectors = Vectors(words, np.arange(len(words) * 3, dtype=np.float32).reshape(-1, 3) + 1)
    export_projector(vectors, tmp_path / "p", metadata=["word"])
    lines = (tmp_path / "p" / "metadata.tsv").read_text(encoding="utf-8").split("\n")[:-1]
    # the standalone Projector and TensorBoard drop lines that are empty after JavaScript's trim()
    kept = [line for line in lines if line.strip(JS_TRIM)]
    assert len(kept) == len(words)
    assert kept[1] == "\\u00a0" and kept[-1] == "fish"


def test_export_spacy_writes_a_plain_pipeline_by_default(tmp_path: Path, invoke_cli) -> None:
    import spacy

    (tmp_path / "v.txt").write_text(VECTORS)
    source = str(tmp_path / "v.txt")
    result = invoke_cli("-q", "export", "spacy", source, str(tmp_path / "sp"))
    assert result.exit_code == 0, result.output
    config = (tmp_path / "sp" / "config.cfg").read_text()
    meta = (tmp_path / "sp" / "meta.json").read_text()
    assert "nlptk_vectors" not in config and "nlptk>=" not in meta  # nothing spaCy alone cannot load
    nlp = spacy.load(tmp_path / "sp")
    assert nlp.pipe_names == [] and nlp.vocab.vectors.n_keys == 4
    assert nlp("cat").similarity(nlp("fish")) != 0
    result = invoke_cli("-q", "export", "spacy", source, str(tmp_path / "c"), "--with-component")
    assert result.exit_code == 0 and spacy.load(tmp_path / "c").pipe_names == ["nlptk_vectors"]
    result = invoke_cli("-q", "export", "spacy", source, str(tmp_path / "d"), "--oov", "zero")
    assert result.exit_code == 2 and "--with-component" in result.stderr


def test_lsa_min_count_message_speaks_of_min_count_and_the_corpus(files: Path, invoke_cli) -> None:
    (files / "corpus.txt").write_text("the cat sat on the mat\n" * 50)
    result = invoke_cli(
        "-q", "embed", "train", str(files / "corpus.txt"), "--method", "lsa", "--min-count", "100000",
        "--dim", "2", "--out", str(files / "E"), "--cache-dir", str(files / "cache"),
    )  # fmt: skip
    line = one_line(result, "corpus.txt")
    assert "min_count=100000" in line and "min_df" not in line and "max_df" not in line


# -- found by the deep fuzzing run (pytest -m slow tests/test_fuzz_readers.py) ---------------------
def test_native_folder_with_a_duplicated_word_is_refused(tmp_path: Path) -> None:
    import numpy as np

    from nlptk.vectors import Vectors, load_vectors, save_vectors

    save_vectors(Vectors(["the", "cat", "sat"], np.eye(3, dtype=np.float32)), tmp_path / "nat")
    (tmp_path / "nat" / "vocab.tsv").write_text("the\t0\nthe\t0\nsat\t0\n")
    with pytest.raises(FormatError, match="lists the word 'the' twice"):
        load_vectors(tmp_path / "nat")


def test_error_messages_stay_on_one_line(tmp_path: Path) -> None:
    from nlptk.text.labelled import load_labelled

    path = tmp_path / "data.csv"
    path.write_text('"\nthe cat sat,pos\n"a, quoted one",neg\nthe dog ran,neg\n')
    with pytest.raises(FormatError) as info:
        load_labelled(path)
    assert "\n" not in str(info.value) and "\\n" in str(info.value)
