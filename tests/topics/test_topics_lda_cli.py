"""`nlptk lda ...`, `nlptk topics coherence|plot` and `export projector --documents` on a toy corpus."""

from __future__ import annotations

import re

import pytest
from conftest import FRUIT, MACHINE
from typer.testing import CliRunner

from nlptk.cli.app import app

runner = CliRunner()

_TRAIN = ["--topics", "2", "--passes", "15", "--workers", "1", "--no-below", "1", "--no-above", "1.0"]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, two_topic_corpus, cache_dir):
    out = tmp_path_factory.mktemp("lda") / "model"
    result = runner.invoke(
        app,
        [
            "lda",
            "train",
            two_topic_corpus,
            *_TRAIN,
            "--cache-dir",
            cache_dir,
            "--no-progress",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "60 documents, 16 words, 2 topics, 15 passes" in output
    assert "coherence (top 10 words, mean over topics): c_v" in output
    assert "counted on all 60 documents" in output
    return out


@pytest.fixture(scope="module")
def lsa_dir(tmp_path_factory, two_topic_corpus, cache_dir):
    out = tmp_path_factory.mktemp("lsa") / "model"
    result = runner.invoke(
        app,
        ["lsa", "train", two_topic_corpus, "--topics", "2", "--coherence", "u_mass", "--out", str(out)],
        env={"NLPTK_CACHE": cache_dir},
    )
    assert result.exit_code == 0, result.output
    assert "coherence (top 10 words, mean over topics): u_mass" in " ".join(result.output.split())
    return out


def test_topics_show_the_two_vocabularies(model_dir):
    result = runner.invoke(app, ["lda", "topics", str(model_dir), "--top", "8"])
    assert result.exit_code == 0, result.output
    assert result.output.count("topic ") == 2
    for word in FRUIT + MACHINE:
        assert word in result.output


def test_similar_shows_the_original_text_and_falls_back_to_tokens(tmp_path, cache_dir):
    from nlptk.topics import train_lda

    corpus = tmp_path / "docs.txt"
    corpus.write_text("Apple, Pear!\nEngine; Gear.\nApple pear.\nGEAR engine\n", encoding="utf-8")
    model = train_lda(corpus, n_topics=2, no_below=1, no_above=1.0, workers=1, cache_dir=cache_dir)
    assert model.documents_[:2] == ["Apple, Pear!", "Engine; Gear."]
    corpus.write_text("Apple, Pear!\n?!\nEngine; Gear.\nGEAR engine\n", encoding="utf-8")
    model = train_lda(corpus, n_topics=2, no_below=1, no_above=1.0, workers=1, cache_dir=cache_dir)
    assert model.documents_ == ["apple pear", "engine gear", "gear engine"]  # "?!" has no token


def test_infer_and_similar(model_dir):
    result = runner.invoke(app, ["lda", "infer", str(model_dir), "engine brake gear", "--top", "1"])
    assert result.exit_code == 0, result.output
    assert "engine" in result.output.split("top words")[-1]
    result = runner.invoke(
        app, ["lda", "similar", str(model_dir), "apple pear", "-n", "3", "--metric", "cosine"]
    )
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if re.match(r"│ +\d", line)]
    assert len(rows) == 3 and all(any(f in row for f in FRUIT) for row in rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["lda", "train", "{corpus}", "--topics", "0", "--out", "{tmp}/x"],
            "--topics 0 must be an integer >= 1",
        ),
        (
            ["lda", "train", "{corpus}", "--topics", "100", "--out", "{tmp}/x"],
            "more than the number of documents",
        ),
        (
            ["lda", "train", "{corpus}", "--topics", "2", "--alpha", "0.1,0.2,0.3", "--out", "{tmp}/x"],
            "3 values",
        ),
        (
            ["lda", "train", "{corpus}", "--no-above", "0.3", "--out", "{tmp}/x"],
            "no word is left after no_above=0.3",
        ),
        (["lda", "train", "{corpus}", "--no-below", "99", "--out", "{tmp}/x"], "after no_below=99"),
        (["lda", "topics", "{lsa}"], "this is an LSA model folder"),
        (["lda", "infer", "{lsa}", "apple"], "this is an LSA model folder"),
        (["lsa", "topics", "{model}"], "this is an LDA model folder"),
        (["lda", "infer", "{model}", "zebra xylophone"], "no word of the model's vocabulary"),
        (["lda", "similar", "{model}", "zebra"], "no word of the model's vocabulary"),
        (["lda", "similar", "{model}"], "either a query text or --file"),
        (["topics", "coherence", "{tmp}"], "not a topic model folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args, message, model_dir, lsa_dir, two_topic_corpus, tmp_path, cache_dir
):
    values = {"corpus": two_topic_corpus, "tmp": str(tmp_path), "model": str(model_dir), "lsa": str(lsa_dir)}
    argv = [a.format(**values) for a in args]
    if argv[:2] == ["lda", "train"]:
        argv += ["--cache-dir", cache_dir, "--no-progress"]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()), result.output
    assert not (tmp_path / "x").exists()


def test_coherence_of_both_models_per_topic(model_dir, lsa_dir, two_topic_corpus, cache_dir):
    result = runner.invoke(app, ["topics", "coherence", str(model_dir), "-m", "u_mass", "-m", "c_npmi"])
    assert result.exit_code == 0, result.output
    assert "u_mass" in result.output and "c_npmi" in result.output and "all 60 documents" in result.output
    rows = [line for line in result.output.splitlines() if re.match(r"│ +\d", line)]
    assert len(rows) == 2
    sampled = runner.invoke(
        app, ["topics", "coherence", str(lsa_dir), two_topic_corpus, "--max-documents", "20"]
    )
    assert sampled.exit_code == 0, sampled.output
    assert "a random sample of 20 of the 60 documents" in " ".join(sampled.output.split())
    recorded = runner.invoke(app, ["topics", "coherence", str(lsa_dir)], env={"NLPTK_CACHE": cache_dir})
    assert recorded.exit_code == 0, recorded.output  # lsa train recorded where its corpus is
    assert "c_v" in recorded.output and "all 60 documents" in " ".join(recorded.output.split())


def test_trained_lda_separates_words_better_than_mixed_topics(model_dir):
    from nlptk.topics import load_lda, topic_coherence

    class Mixed:  # the same words, each topic half fruit and half machine parts
        def topics(self, top_n):
            return [[(w, 1.0) for w in FRUIT[:4] + MACHINE[:4]], [(w, 1.0) for w in FRUIT[4:] + MACHINE[4:]]]

    model = load_lda(model_dir)
    tokens = model.source_["tokens_file"]
    for measure in ("u_mass", "c_npmi"):
        trained = topic_coherence(model, tokens, measure=measure, top_n=8)
        mixed = topic_coherence(Mixed(), tokens, measure=measure, top_n=8)
        assert trained.overall > mixed.overall + 0.5, (measure, trained.overall, mixed.overall)


def test_topics_plot_and_projector_documents(model_dir, lsa_dir, tmp_path):
    png = tmp_path / "topics.png"
    result = runner.invoke(app, ["topics", "plot", str(model_dir), "--out", str(png), "--top", "5"])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name, folder in (("lda", model_dir), ("lsa", lsa_dir)):
        out = tmp_path / f"{name}_projector"
        result = runner.invoke(app, ["export", "projector", str(folder), str(out), "--documents"])
        assert result.exit_code == 0, result.output
        assert "60 x 2 vectors" in result.output
        header = (out / "metadata.tsv").read_text(encoding="utf-8").splitlines()[0]
        assert header == ("id\ttext\ttopic" if name == "lda" else "id\ttext")
