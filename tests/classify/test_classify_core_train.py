"""Training: the classifier learns, transfer stages, schedules, lr finder, resume, reproducibility, NaN."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from conftest import FILLER_WORDS, SENTIMENT_WORDS, keyword_data, small_config

from nlptk.classify.callbacks import Callback
from nlptk.classify.data import EncodedDataset, build_vocabulary, encode_texts, make_loader
from nlptk.classify.learner import Learner
from nlptk.classify.lr_finder import lr_find
from nlptk.classify.model import RNNClassifierNet
from nlptk.classify.persist import checkpoint_path
from nlptk.classify.training import find_learning_rate, train_classifier
from nlptk.errors import DataError, ParameterError, TrainingError
from nlptk.text.labelled import LabelledData
from nlptk.text.tokenize import RegexTokenizer
from nlptk.vectors.container import Vectors

POS, NEG, FILLER = SENTIMENT_WORDS["pos"], SENTIMENT_WORDS["neg"], FILLER_WORDS


def make_data(n: int, seed: int) -> LabelledData:
    """Sentences of filler words with one sentiment word that decides the class."""
    return keyword_data(n, seed)


def fake_vectors(dim: int = 12, seed: int = 0) -> Vectors:
    """Vectors where sentiment words sit on opposite sides of one axis."""
    rng = np.random.default_rng(seed)
    words = POS + NEG + FILLER
    matrix = rng.normal(0, 0.3, size=(len(words), dim)).astype(np.float32)
    matrix[: len(POS), 0] += 2.0
    matrix[len(POS) : len(POS) + len(NEG), 0] -= 2.0
    return Vectors(words, matrix)


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def data():
    return make_data(320, seed=0), make_data(60, seed=1), make_data(200, seed=2)


def accuracy(clf, data: LabelledData) -> float:
    predicted = clf.predict(data.texts)
    return float(np.mean([p == data.classes[y] for p, y in zip(predicted, data.labels, strict=True)]))


def test_training_learns_and_history_is_complete(data):
    train, val, test = data
    clf = train_classifier(train, val=val, config=small_config(epochs=5))
    assert accuracy(clf, test) >= 0.9  # chance is 0.5
    losses = [r["train_loss"] for r in clf.history]
    assert losses[-1] < losses[0] * 0.5
    assert [r["epoch"] for r in clf.history] == [1, 2, 3, 4, 5]
    for record in clf.history:
        for key in (
            "train_loss",
            "val_loss",
            "val_accuracy",
            "val_macro_f1",
            "lr",
            "seconds",
            "train_sentences_per_s",
            "stage",
        ):
            assert record[key] is not None, key
    proba = clf.predict_proba(test.texts[:7])
    assert proba.shape == (7, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert clf.sentence_vectors(test.texts[:3]).shape == (3, clf.model.output_size)
    losses = clf.losses(test.texts[:4], test.labels[:4])
    assert losses.shape == (4,) and np.all(losses >= 0)


def test_pretrained_vectors_frozen_then_unfrozen(data):
    train, val, _ = data
    vectors = fake_vectors()
    snapshots = []

    class Snapshot(Callback):
        name = "snapshot"

        def on_epoch_end(self, learner, record):
            snapshots.append((record["stage"], learner.model.embedding.weight.detach().clone()))

    clf = train_classifier(
        train,
        val=val,
        vectors=vectors,
        config=small_config(epochs=3, freeze_epochs=2),
        callbacks=[Snapshot()],
    )
    assert [s for s, _ in snapshots] == ["frozen", "frozen", "unfrozen"]
    # the rows of known words start as the pretrained vectors
    good = clf.vocab["good"]
    first = snapshots[0][1]
    np.testing.assert_allclose(first[good].numpy(), vectors["good"], rtol=1e-6)
    # frozen: the pretrained rows are unchanged (<unk>, a stand-in, may train: freeze_rows="pretrained")
    known = [clf.vocab[w] for w in vectors.words]
    assert torch.equal(snapshots[0][1][known], snapshots[1][1][known])
    assert not torch.equal(snapshots[1][1], snapshots[2][1])  # unfrozen: trained
    assert clf.info["embeddings"]["coverage"]["coverage"] == 1.0
    assert [r["stage"] for r in clf.history] == ["frozen", "frozen", "unfrozen"]


def test_one_cycle_schedule_shape(data):
    train, _, _ = data
    tokenizer = RegexTokenizer()
    vocab = build_vocabulary([tokenizer(t) for t in train.texts])
    ds = EncodedDataset(encode_texts(train.texts, tokenizer, vocab, max_length=50), train.labels)
    model = RNNClassifierNet(len(vocab), 8, 2, hidden_size=8)
    lrs = []

    class RecordLr(Callback):
        def on_batch_end(self, learner, batch, n_batches, loss):
            lrs.append(learner.optimizer.param_groups[-1]["lr"])

    learner = Learner(
        model,
        make_loader(ds, batch_size=16, shuffle=True),
        None,
        n_classes=2,
        device=torch.device("cpu"),
        callbacks=[RecordLr()],
    )
    learner.fit_one_cycle(2, 1e-2, lower_lr_factor=0.1)
    peak = int(np.argmax(lrs))
    assert lrs[0] < 1e-2 / 10 and max(lrs) == pytest.approx(1e-2, rel=0.05)
    assert 0.1 * len(lrs) < peak < 0.5 * len(lrs)  # warm-up over the first quarter
    assert all(a <= b + 1e-12 for a, b in itertools.pairwise(lrs[: peak + 1]))
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(lrs[peak:]))
    assert lrs[-1] < 1e-5
    groups = learner.optimizer.param_groups
    assert groups[0]["name"] == "embedding" and groups[0]["initial_lr"] == pytest.approx(
        0.1 * groups[1]["initial_lr"]
    )


def test_lr_finder_restores_weights_and_optimizer(data, tmp_path):
    train, _, _ = data
    tokenizer = RegexTokenizer()
    vocab = build_vocabulary([tokenizer(t) for t in train.texts])
    ds = EncodedDataset(encode_texts(train.texts, tokenizer, vocab, max_length=50), train.labels)
    model = RNNClassifierNet(len(vocab), 8, 2, hidden_size=8)
    learner = Learner(
        model, make_loader(ds, batch_size=16, shuffle=True), None, n_classes=2, device=torch.device("cpu")
    )
    learner.fit(1, 1e-3)  # gives the optimizer some state
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    opt_state = {k: v.clone() for k, v in learner.optimizer.state_dict()["state"][1].items()}
    result = lr_find(learner, num_steps=60)
    for key, value in model.state_dict().items():
        assert torch.equal(value, weights[key]), key
    for key, value in learner.optimizer.state_dict()["state"][1].items():
        assert torch.equal(value, opt_state[key]), key
    assert len(result.lrs) == len(result.losses) <= 60
    assert result.lrs[0] == pytest.approx(1e-7)
    assert all(b > a for a, b in zip(result.lrs, result.lrs[1:], strict=False))
    assert result.suggestion is not None and 1e-7 < result.suggestion < 10


def test_find_learning_rate_plot(data, tmp_path):
    train, _, _ = data
    result = find_learning_rate(train, config=small_config(), num_steps=30, plot=tmp_path / "lr.png")
    assert (tmp_path / "lr.png").stat().st_size > 0
    assert result.suggestion is not None


def test_reproducible_on_cpu(data):
    train, val, _ = data
    a = train_classifier(train, val=val, config=small_config(epochs=2))
    b = train_classifier(train, val=val, config=small_config(epochs=2))
    strip = [{k: v for k, v in r.items() if k not in ("seconds", "train_sentences_per_s")} for r in a.history]
    assert strip == [
        {k: v for k, v in r.items() if k not in ("seconds", "train_sentences_per_s")} for r in b.history
    ]
    for (name, x), (_, y) in zip(a.model.state_dict().items(), b.model.state_dict().items(), strict=True):
        assert torch.equal(x, y), name


def test_resume_continues_from_last_epoch(data, tmp_path):
    train, val, _ = data
    config = small_config(epochs=3, freeze_epochs=1)
    vectors = fake_vectors()
    full = train_classifier(train, val=val, vectors=vectors, config=config)

    class Interrupt(Callback):
        name = "interrupt"

        def on_epoch_end(self, learner, record):
            if record["epoch"] == 2:
                raise KeyboardInterrupt

    out = tmp_path / "model"
    with pytest.raises(KeyboardInterrupt):
        train_classifier(train, val=val, vectors=vectors, config=config, out=out, callbacks=[Interrupt()])
    assert not out.exists() and checkpoint_path(out).exists()
    epochs_seen = []

    class Seen(Callback):
        name = "seen"

        def on_epoch_end(self, learner, record):
            epochs_seen.append(record["epoch"])

    resumed = train_classifier(
        train, val=val, vectors=vectors, config=config, out=out, resume=True, callbacks=[Seen()]
    )
    assert epochs_seen == [3]
    assert out.exists() and not checkpoint_path(out).parent.exists()
    assert [r["epoch"] for r in resumed.history] == [1, 2, 3]
    assert resumed.info["training"]["resumed"] is True
    for (name, x), (_, y) in zip(
        full.model.state_dict().items(), resumed.model.state_dict().items(), strict=True
    ):
        assert torch.equal(x, y), name  # bit for bit: the resumed run is the uninterrupted one


def test_resume_point_is_applied_by_the_stage_it_names(data):
    """load_training_state restores the weights at once and hands back the stage's optimizer
    state, which only the fit of that stage takes: nothing waits hidden in the learner."""
    train, _, _ = data
    tokenizer = RegexTokenizer()
    vocab = build_vocabulary([tokenizer(t) for t in train.texts])
    ds = EncodedDataset(encode_texts(train.texts, tokenizer, vocab, max_length=50), train.labels)

    def learner() -> Learner:
        torch.manual_seed(0)
        model = RNNClassifierNet(len(vocab), 8, 2, hidden_size=8)
        loader = make_loader(ds, batch_size=32, shuffle=True)
        return Learner(model, loader, None, n_classes=2, device=torch.device("cpu"))

    first = learner()
    first.fit_one_cycle(1, 1e-2, stage="head")
    first.fit_one_cycle(3, 1e-2, stage="body")
    state = first.training_state()
    first.fit_one_cycle(3, 1e-2, stage="after")  # continues past the checkpoint

    second = learner()
    point = second.load_training_state(state)
    assert (point.stage, point.stage_epoch, second.epoch) == ("body", 3, 4)
    assert not [name for name in vars(second) if "resume" in name]
    for (name, x), (_, y) in zip(second.model.state_dict().items(), state["model"].items(), strict=True):
        assert torch.equal(x, y), name  # the weights are back before any fit
    with pytest.raises(ParameterError, match="'body'"):
        second.fit_one_cycle(3, 1e-2, stage="after", resume=point)
    seen = []
    second.callbacks.append(type("Seen", (Callback,), {"on_epoch_end": lambda s, lr, r: seen.append(1)})())
    second.fit_one_cycle(3, 1e-2, stage="body", resume=point)  # the stage was complete: no epoch
    assert (
        seen == []
        and second.optimizer.state_dict()["state"][1]["step"] == state["optimizer"]["state"][1]["step"]
    )


def test_resume_with_other_vectors_dimension_is_refused(data, tmp_path):
    train, val, _ = data

    class Interrupt(Callback):
        def on_epoch_end(self, learner, record):
            raise KeyboardInterrupt

    out = tmp_path / "model"
    with pytest.raises(KeyboardInterrupt):
        train_classifier(
            train,
            val=val,
            vectors=fake_vectors(12),
            config=small_config(epochs=2),
            out=out,
            callbacks=[Interrupt()],
        )
    with pytest.raises(ParameterError, match="12"):
        train_classifier(
            train, val=val, vectors=fake_vectors(7), config=small_config(epochs=2), out=out, resume=True
        )
    with pytest.raises(ParameterError, match="hidden_size"):
        train_classifier(
            train,
            val=val,
            vectors=fake_vectors(12),
            config=small_config(epochs=2, hidden_size=5),
            out=out,
            resume=True,
        )


def test_nan_loss_stops_and_saves_nothing(data, tmp_path, monkeypatch):
    train, val, _ = data
    import nlptk.classify.learner as learner_module

    real = learner_module.F.cross_entropy

    def nan_loss(*args, **kwargs):
        return real(*args, **kwargs) * float("nan")

    monkeypatch.setattr(learner_module.F, "cross_entropy", nan_loss)
    out = tmp_path / "model"
    with pytest.raises(TrainingError, match="nan"):
        train_classifier(train, val=val, config=small_config(epochs=2), out=out)
    assert not out.exists()


def test_bad_training_data(data):
    train, _, _ = data
    one_class = LabelledData(["good film", "great film"], [0, 0], ["pos", "neg"])
    with pytest.raises(DataError, match="one class"):
        train_classifier(one_class, config=small_config())
    val = LabelledData(["a question"], [0], ["other"])
    with pytest.raises(DataError, match="'other'"):
        train_classifier(train, val=val, config=small_config())


def test_empty_and_long_texts(data):
    train, val, _ = data
    texts = ["", "!!!", "good " * 1000, *train.texts]
    labels = [0, 0, 1, *train.labels]
    clf = train_classifier(
        LabelledData(texts, labels, train.classes), val=val, config=small_config(epochs=1, max_length=20)
    )
    proba = clf.predict_proba(["", "   ", "great " * 5000, "bad"])
    assert proba.shape == (4, 2) and np.all(np.isfinite(proba))


@pytest.mark.parametrize("n_examples, epochs", [(12, 1), (30, 1), (30, 2), (50, 1)])
def test_tiny_data_few_steps(n_examples, epochs):
    # 1 to 6 optimizer steps: the one-cycle schedule must still work (or fall back to constant)
    clf = train_classifier(
        make_data(n_examples, 3), config=small_config(epochs=epochs, freeze_epochs=1, batch_size=16)
    )
    assert len(clf.history) == epochs
    assert np.isfinite(clf.history[-1]["train_loss"])


def test_random_embeddings_are_not_frozen(data):
    train, val, _ = data
    clf = train_classifier(
        train, val=val, config=small_config(epochs=2, freeze_epochs=1, lower_lr_factor=0.1)
    )
    assert [r["stage"] for r in clf.history] == ["train", "train"]
    assert clf.info["embeddings"]["pretrained"] is False
