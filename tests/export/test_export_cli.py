"""`nlptk export projector` and `nlptk export plot` from the command line."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.test.utils import datapath
from typer.testing import CliRunner

from nlptk.cli.app import app

runner = CliRunner()
VEC = datapath("lee_fasttext.vec")  # word2vec text format, 1762 words x 10 dims


def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_projector_from_a_word2vec_file(tmp_path):
    out = tmp_path / "proj"
    result = _invoke("export", "projector", VEC, out, "--limit", 100, "--metadata", "word,rank")
    assert result.exit_code == 0, result.output
    assert "wrote 100 x 10 vectors" in result.output
    meta = (out / "metadata.tsv").read_text().splitlines()
    assert meta[0] == "word\trank" and len(meta) == 101
    rows = (out / "vectors.tsv").read_text().splitlines()
    assert len(rows) == 100 and all(len(r.split("\t")) == 10 for r in rows)


def test_projector_words_file_with_unknown_words(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("the\nzzqx\nof\n", encoding="utf-8")
    out = tmp_path / "p"
    result = _invoke("export", "projector", VEC, out, "--words", words)
    assert result.exit_code == 0, result.output
    assert (out / "metadata.tsv").read_text().splitlines() == ["the", "of"]
    assert (out / "missing_words.txt").read_text() == "zzqx\n"
    strict = _invoke("export", "projector", VEC, tmp_path / "q", "--words", words, "--strict")
    assert strict.exit_code == 2 and "1 of 3 words are not in the vocabulary: 'zzqx'" in strict.output
    assert not (tmp_path / "q").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--metadata", "word,cluster"], "no metadata column 'cluster'; available columns: word, rank"),
        (["--words", "{tmp}/unknown.txt"], "none of the 2 words asked for is in the vocabulary"),
        (["--words", "{tmp}/empty.txt"], "is empty"),
        (["--limit", "0"], "limit must be >= 1"),
        (["--documents"], "--documents needs an LSA or LDA model folder"),
    ],
)
def test_projector_bad_input(tmp_path, extra, message):
    (tmp_path / "unknown.txt").write_text("zzqx\nqqzx\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    args = [a.format(tmp=tmp_path) for a in extra]
    result = _invoke("export", "projector", VEC, tmp_path / "out", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_projector_refuses_an_existing_folder(tmp_path):
    out = tmp_path / "p"
    out.mkdir()
    result = _invoke("export", "projector", VEC, out)
    assert result.exit_code == 2 and "already exists" in result.output
    assert _invoke("export", "projector", VEC, out, "--force", "--limit", 5).exit_code == 0
    assert len((out / "vectors.tsv").read_text().splitlines()) == 5


def test_lsa_model_terms_and_documents(tmp_path):
    model = tmp_path / "lsa"
    trained = _invoke("lsa", "train", datapath("lee_background.cor"), "--topics", 10, "--out", model)
    assert trained.exit_code == 0, trained.output
    terms = _invoke(
        "export", "projector", model, tmp_path / "terms", "--limit", 50, "--metadata", "word,count"
    )
    assert terms.exit_code == 0, terms.output
    assert (tmp_path / "terms" / "metadata.tsv").read_text().splitlines()[0] == "word\tcount"
    docs = _invoke("export", "projector", model, tmp_path / "docs", "--documents", "--normalize")
    assert docs.exit_code == 0, docs.output
    assert "wrote 300 x 10 vectors with metadata (id, text)" in docs.output
    matrix = np.loadtxt(tmp_path / "docs" / "vectors.tsv", delimiter="\t")
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, rtol=1e-4)
    plot = _invoke(
        "export", "plot", model, "--limit", 40, "--out", tmp_path / "terms.png", "--color-by", "count"
    )
    assert plot.exit_code == 0, plot.output
    assert (tmp_path / "terms.png").read_bytes()[:4] == b"\x89PNG"


def test_plot_words_list_metadata_file_and_bad_input(tmp_path):
    meta = tmp_path / "clusters.tsv"
    meta.write_text("word\tcluster\nthe\tA\nof\tA\nand\tB\nto\tB\nin\tC\n", encoding="utf-8")
    out = tmp_path / "fig.png"
    result = _invoke(
        "export",
        "plot",
        VEC,
        "--words",
        "the,of,and,to,in,zzqx",
        "--out",
        out,
        "--color-by",
        "cluster",
        "--metadata-file",
        meta,
    )
    assert result.exit_code == 0, result.output
    assert "drew 5 points (pca)" in result.output and out.exists()
    again = _invoke("export", "plot", VEC, "--limit", 10, "--out", out)
    assert again.exit_code == 2 and "already exists" in again.output
    bad_method = _invoke(
        "export", "plot", VEC, "--limit", 10, "--out", tmp_path / "x.png", "--method", "umap"
    )
    assert bad_method.exit_code == 2 and "unknown --method 'umap'" in bad_method.output
    bad_column = _invoke(
        "export", "plot", VEC, "--limit", 10, "--out", tmp_path / "x.png", "--color-by", "nope"
    )
    assert bad_column.exit_code == 2 and "no metadata column 'nope'" in bad_column.output
    tsne = _invoke("export", "plot", VEC, "--limit", 30, "--out", tmp_path / "t.png", "--method", "tsne")
    assert tsne.exit_code == 0, tsne.output
