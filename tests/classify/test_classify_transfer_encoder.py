"""A classifier on a language model's encoder (ULMFiT): rows, training, files, commands, bad input,
and a toy language where pretraining is what makes the task learnable."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from nlptk.classify.config import ClassifierConfig
from nlptk.classify.encoder_model import EncoderClassifierNet, encoder_from_language_model
from nlptk.classify.predictor import TrainedClassifier
from nlptk.classify.training import find_learning_rate, train_classifier
from nlptk.cli.app import app
from nlptk.errors import IncompatibleModelError, ParameterError
from nlptk.text.labelled import LabelledData
from nlptk.vectors.container import Vectors

runner = CliRunner()
WORDS = ["the", "cat", "sat", "on", "mat", "dog", "ran", "good", "bad"]


pytestmark = pytest.mark.usefixtures("one_thread")


def sentiment_data(n: int = 80, seed: int = 0) -> LabelledData:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        y = i % 2
        words = [*rng.choices(["the", "cat", "sat", "on", "mat", "zebra"], k=3), "good" if y else "bad"]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(y)
    return LabelledData(texts, labels, ["neg", "pos"], source="synthetic")


def write_fasttext(path, data: LabelledData) -> None:
    lines = [f"__label__{data.classes[y]} {t}\n" for t, y in zip(data.texts, data.labels, strict=True)]
    path.write_text("".join(lines))


def encoder_config(**changes) -> ClassifierConfig:
    base = dict(batch_size=16, lr=3e-2, epochs=4, patience=None, device="cpu", seed=0, dropout=0.1)
    base.update(changes)
    return ClassifierConfig(**base)


def test_encoder_keeps_the_language_models_rows_and_adds_task_words(make_language_model):
    lm = make_language_model(WORDS, embedding_dim=8)
    vectors = Vectors(["zebra", "good"], np.full((2, 8), 7.0, dtype=np.float32))
    tokens = [["the", "zebra", "okapi"], ["okapi", "good"]]
    encoder, vocab, info = encoder_from_language_model(lm, tokens, vectors=vectors)
    assert vocab.words[: len(lm.vocab)] == lm.vocab  # same ids for every word the LM knows
    assert vocab.words[len(lm.vocab) :] == ["okapi", "zebra"]  # then the task's new words
    source = lm.encoder.embedding.weight.detach()
    weight = encoder.embedding.weight.detach()
    assert torch.equal(weight[: len(lm.vocab)], source)
    assert torch.equal(weight[vocab["zebra"]], torch.full((8,), 7.0))  # from the vectors
    assert torch.allclose(weight[vocab["okapi"]], source[3:].mean(dim=0))  # the mean word row
    for key, value in lm.encoder.state_dict().items():
        if key != "embedding.weight":
            assert torch.equal(encoder.state_dict()[key], value), key
    assert info["added_words"] == 2 and info["added_from_vectors"] == 1 and info["added_mean_row"] == 1
    assert info["token_coverage"] == pytest.approx(2 / 5)
    with pytest.raises(ParameterError, match="5 dimensions but the language model's embeddings have 8"):
        encoder_from_language_model(lm, tokens, vectors=Vectors(["zebra"], np.ones((1, 5), np.float32)))


def test_encoder_classifier_pools_only_real_positions(make_language_model):
    lm = make_language_model(WORDS, embedding_dim=8, hidden_size=10)
    model = EncoderClassifierNet(lm.encoder, 3).eval()
    x = torch.tensor([[3, 4, 5, 6], [3, 4, 0, 0]])
    pooled = model.encode(x, torch.tensor([4, 2]))
    alone = model.encode(x[1:, :2], torch.tensor([2]))
    assert pooled.shape == (2, 3 * lm.encoder.out_dim)
    assert torch.allclose(pooled[1], alone[0], atol=1e-6)  # padding changes nothing
    assert model(pooled, torch.tensor([4, 2])).shape == (2, 3)  # features in, logits out
    assert len(model.layer_groups()[0]) == 1  # the embedding is the bottom group
    assert len(model.layer_groups()) == len(lm.encoder.layer_groups()) + 1


def test_train_save_load_predict_and_lr_find_with_an_encoder(make_language_model, tmp_path):
    lm_dir = tmp_path / "lm"
    make_language_model(WORDS, embedding_dim=8).save(lm_dir)
    data = sentiment_data(160)
    out = tmp_path / "clf"
    clf = train_classifier(
        data, encoder=lm_dir, config=encoder_config(epochs=6, unfreeze_schedule=(3, 1, 1)), out=out
    )
    assert [r["stage"] for r in clf.history] == ["head"] * 3 + ["top-2", "top-3", "all"]
    body = json.loads((out / "config.json").read_text())
    assert body["model"]["architecture"]["kind"] == "lm_encoder"
    assert body["model"]["architecture"]["encoder"]["num_layers"] == 2
    assert body["embeddings"]["coverage"]["added_words"] == 1  # "zebra"
    loaded = TrainedClassifier.load(out, device="cpu")
    assert isinstance(loaded.model, EncoderClassifierNet)
    texts = ["the cat good", "bad mat", "zebra"]
    np.testing.assert_allclose(loaded.predict_proba(texts), clf.predict_proba(texts), atol=1e-6)
    assert "language model" in repr(loaded)
    assert clf.score(data)["accuracy"] > 0.85  # "good" / "bad" decide the class
    result = find_learning_rate(data, encoder=lm_dir, config=encoder_config(), num_steps=10)
    assert len(result.lrs) >= 2


def test_cli_train_evaluate_predict_with_an_encoder(make_language_model, tmp_path):
    lm_dir = tmp_path / "lm"
    make_language_model(WORDS, embedding_dim=8).save(lm_dir)
    data = sentiment_data()
    path = tmp_path / "data.txt"
    write_fasttext(path, data)
    small = ["--batch-size", "16", "--lr", "0.03", "--device", "cpu", "--no-progress"]
    out = tmp_path / "clf"
    result = runner.invoke(
        app,
        [
            "classify",
            "train",
            str(path),
            "--encoder",
            str(lm_dir),
            "--epochs",
            "3",
            "--out",
            str(out),
            *small,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "language model knows" in result.output
    result = runner.invoke(
        app, ["classify", "predict", str(out), "the cat good", "--json", "--device", "cpu"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[0])["label"] in ("neg", "pos")
    report = tmp_path / "report"
    result = runner.invoke(app, ["classify", "evaluate", str(out), str(path), "--out", str(report)])
    assert result.exit_code == 0, result.output
    assert (report / "confusion_matrix.csv").exists() or any(report.iterdir())
    result = runner.invoke(
        app, ["classify", "lr-find", str(path), "--encoder", str(lm_dir), "--steps", "5", "--device", "cpu"]
    )
    assert result.exit_code == 0, result.output


def test_bad_encoder_input_is_refused_in_one_line(make_language_model, tmp_path):
    lm_dir = tmp_path / "lm"
    make_language_model(WORDS, embedding_dim=8).save(lm_dir)
    data = sentiment_data(20)
    path = tmp_path / "data.txt"
    write_fasttext(path, data)
    vectors = tmp_path / "vectors.txt"
    vectors.write_text("2 5\ngood 1 2 3 4 5\nbad 5 4 3 2 1\n")
    base = ["classify", "train", str(path), "--encoder", str(lm_dir), "--epochs", "1", "--no-progress"]

    def error_of(args):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        return result.output

    out = error_of([*base, "--vectors", str(vectors), "--out", str(tmp_path / "a")])
    assert "5 dimensions" in out and "8" in out
    out = error_of([*base, "--tokenizer", "whitespace", "--out", str(tmp_path / "b")])
    assert "tokenize as its language model" in out
    # a language model folder from another version, and a folder that is not a language model
    config = json.loads((lm_dir / "config.json").read_text())
    old = tmp_path / "old-lm"
    make_language_model(WORDS, embedding_dim=8).save(old)
    (old / "config.json").write_text(json.dumps({**config, "format_version": 99}))
    out = error_of([*base[:3], "--encoder", str(old), "--out", str(tmp_path / "c"), "--no-progress"])
    assert "version" in out
    with pytest.raises(IncompatibleModelError):
        train_classifier(data, encoder=old, config=encoder_config())
    clf_dir = tmp_path / "clf"
    train_classifier(data, config=encoder_config(epochs=1, hidden_size=4, embedding_dim=4), out=clf_dir)
    out = error_of([*base[:3], "--encoder", str(clf_dir), "--out", str(tmp_path / "d"), "--no-progress"])
    assert "language model" in out
    assert not any((tmp_path / name).exists() for name in "abcd")


# -- a toy language where only a pretrained encoder can tell the classes apart -------------------
#
# Mode words come in two classes, P and N, and the corpus shows each between two markers,
# in an order that depends on its class: "... b p3 a ..." for P, "... a n3 b ..." for N,
# among random fillers. Predicting the word after a mode word needs its class, so a language
# model's state learns the class of every mode word of the corpus. Skip-gram sees the same
# bag of neighbours ({a, b} and fillers) around both classes, so word2vec vectors carry no
# class; only the order does. The labelled task shows a mode word among fillers (no
# markers): its training texts use two mode words per class, its test texts the other
# three, so a model must know the unseen mode words' classes from pretraining.

MODES = {"P": [f"p{i}" for i in range(5)], "N": [f"n{i}" for i in range(5)]}
FILLERS = [f"f{i}" for i in range(8)]
MARKERS = {"P": ("b", "a"), "N": ("a", "b")}


def toy_corpus(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        cls = rng.choice("PN")
        before, after = MARKERS[cls]
        words = [
            *rng.choices(FILLERS, k=rng.randint(1, 3)),
            before,
            rng.choice(MODES[cls]),
            after,
            *rng.choices(FILLERS, k=rng.randint(1, 3)),
        ]
        lines.append(" ".join(words))
    return lines


def toy_task(modes: slice, n: int, seed: int) -> LabelledData:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        y = i % 2
        words = [*rng.choices(FILLERS, k=rng.randint(1, 3)), rng.choice(MODES["P" if y else "N"][modes])]
        texts.append(" ".join(words + rng.choices(FILLERS, k=rng.randint(1, 3))))
        labels.append(y)
    return LabelledData(texts, labels, ["N", "P"], source="toy")


@pytest.mark.slow
def test_pretrained_encoder_separates_a_toy_task_that_vectors_alone_cannot(tmp_path):
    import nlptk.embed
    from nlptk.lm.training import train_language_model

    corpus = tmp_path / "toy.txt"
    corpus.write_text("\n".join(toy_corpus(2000, seed=0)) + "\n")
    lm = train_language_model(
        str(corpus),
        cache_dir=tmp_path / "cache",
        embedding_dim=16,
        hidden_size=32,
        num_layers=1,
        epochs=10,
        lr=3e-2,
        batch_size=16,
        bptt=20,
        min_count=1,
        weight_decay=0.0,
        embedding_dropout=0.0,
        weight_dropout=0.0,
        device="cpu",
        seed=0,
    )
    ids = torch.tensor([[lm.vocabulary[w] for w in ["f1", "b", "p4", "f2", "a", "n4"]]])
    with torch.no_grad():
        hidden, _ = lm.network.eval().encoder(ids)
        next_words = lm.network.log_probs(hidden[0, [2, 5]]).argmax(dim=-1).tolist()
    assert [lm.vocab[i] for i in next_words] == ["a", "b"]  # the language model knows the classes
    vectors = nlptk.train_embeddings(
        str(corpus), "word2vec", dim=16, window=2, min_count=1, epochs=5, workers=1, seed=0
    )
    train, val = toy_task(slice(0, 2), 200, seed=1), toy_task(slice(0, 2), 60, seed=2)
    test = toy_task(slice(2, 5), 300, seed=3)  # mode words never seen with a label
    config = encoder_config(epochs=6, unfreeze_schedule=(6,), lr=1e-2)  # the head alone on the encoder
    with_lm = train_classifier(train, encoder=lm, val=val, config=config)
    vectors_only = train_classifier(
        train, vectors=vectors, val=val, config=encoder_config(epochs=6, hidden_size=16, freeze_epochs=2)
    )
    random_init = train_classifier(
        train, val=val, config=encoder_config(epochs=6, hidden_size=16, embedding_dim=16)
    )
    lm_acc = with_lm.score(test)["accuracy"]
    vectors_acc = vectors_only.score(test)["accuracy"]
    random_acc = random_init.score(test)["accuracy"]
    assert with_lm.score(val)["accuracy"] > 0.95 and vectors_only.score(val)["accuracy"] > 0.95
    assert lm_acc > 0.9, (lm_acc, vectors_acc, random_acc)
    assert vectors_acc < 0.75 and random_acc < 0.75, (lm_acc, vectors_acc, random_acc)


def test_text_classifier_takes_an_encoder(make_language_model, tmp_path):
    from sklearn.base import clone

    from nlptk.classify.estimator import TextClassifier

    lm_dir = tmp_path / "lm"
    make_language_model(WORDS, embedding_dim=8).save(lm_dir)
    data = sentiment_data(80)
    labels = [data.classes[y] for y in data.labels]
    estimator = TextClassifier(encoder=lm_dir, epochs=2, unfreeze_schedule=(2,), batch_size=16, device="cpu")
    assert clone(estimator).get_params()["encoder"] == lm_dir
    estimator.fit(data.texts, labels)
    assert isinstance(estimator.classifier_.model, EncoderClassifierNet)
    assert estimator.transform(["the cat"]).shape == (1, estimator.classifier_.model.output_size)
    assert set(estimator.predict(["good cat", "bad mat"])) <= {"neg", "pos"}
