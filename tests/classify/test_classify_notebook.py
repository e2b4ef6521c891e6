"""The notebook learner: lr_find, fit_one_cycle, stages, freezing, rates per group, interpretation, export."""

from __future__ import annotations

import pytest
import torch
from conftest import toy_sentiment
from matplotlib.figure import Figure

from nlptk.classify.notebook import classifier_learner
from nlptk.classify.predictor import TrainedClassifier
from nlptk.errors import IncompatibleModelError, InputFileError, ParameterError


@pytest.fixture
def learn(tmp_path):
    texts, labels, vectors = toy_sentiment()
    return classifier_learner(
        texts, vectors, labels=labels, path=tmp_path, cell="gru", hidden_size=8, batch_size=16, device="cpu"
    )


def _trainable(learn) -> list[bool]:
    from nlptk.classify.notebook import layer_groups

    return [all(p.requires_grad for p in ps) for _, ps in layer_groups(learn.model)]


def test_groups_and_freezing(learn) -> None:
    assert learn.group_names == ["embedding", "rnn.0", "head"]
    assert _trainable(learn) == [False, True, True]  # pretrained embedding frozen at the start
    learn.unfreeze()
    assert _trainable(learn) == [True, True, True]
    learn.freeze_to(-2)
    assert _trainable(learn) == [False, True, True]
    learn.freeze()
    assert _trainable(learn) == [False, False, True]


def test_random_embeddings_start_unfrozen(tmp_path) -> None:
    texts, labels, _ = toy_sentiment()
    learn = classifier_learner(
        texts, labels=labels, path=tmp_path, hidden_size=8, embedding_dim=6, device="cpu"
    )
    assert _trainable(learn) == [True, True, True]


def test_lr_find_fit_save_load_export(learn, tmp_path) -> None:
    result = learn.lr_find(num_steps=20)
    assert result.suggestion is not None and result.suggestion > 0
    assert isinstance(result.plot(), Figure)
    learn.fit_one_cycle(1, 1e-2)
    assert len(learn.recorder) == 1
    stage = learn.save("stage-1")
    assert stage == tmp_path / "models" / "stage-1.pt"
    torch.load(stage, weights_only=True)  # a state_dict file, no pickled objects
    saved = {k: v.clone() for k, v in learn.model.state_dict().items()}
    learn.unfreeze()
    learn.fit_one_cycle(2, lr=slice(1e-4, 1e-2))
    groups = learn.learner.optimizer.param_groups
    peaks = [g["max_lr"] for g in groups]
    assert [g["name"] for g in groups] == learn.group_names
    assert peaks == pytest.approx([1e-4, 1e-3, 1e-2])  # geometric, lowest at the bottom
    assert len(learn.recorder) == 3
    assert not torch.equal(learn.model.state_dict()["head.weight"], saved["head.weight"])
    learn.load("stage-1")
    for k, v in learn.model.state_dict().items():
        assert torch.equal(v, saved[k]), k
    assert isinstance(learn.recorder.plot_loss(), Figure)
    assert learn.recorder.diagnose().kind in {"ok", "underfitting", "overfitting", "diverging"}
    out = learn.export(tmp_path / "model")
    clf = TrainedClassifier.load(out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["config.json", "vocab.json", "model.pt", "history.json", "history.png"]
    )
    texts = ["a good film", "a dull plot"]
    assert clf.predict(texts) == learn.predict(texts)


def test_rates_per_group(learn) -> None:
    assert learn.group_rates(1e-3) == [1e-3] * 3
    assert learn.group_rates(slice(1e-2)) == pytest.approx([1e-3, 1e-3, 1e-2])
    assert learn.group_rates([1e-4, 1e-3, 1e-2]) == [1e-4, 1e-3, 1e-2]


def test_bad_freezing_and_rates(learn) -> None:
    with pytest.raises(ParameterError, match="3 layer groups"):
        learn.freeze_to(3)
    with pytest.raises(ParameterError, match="3 layer groups"):
        learn.freeze_to(-4)
    with pytest.raises(ParameterError, match="4 learning rates for 3 layer groups"):
        learn.fit_one_cycle(1, lr=[1e-4, 1e-3, 1e-2, 1e-1])
    with pytest.raises(ParameterError, match="no step"):
        learn.fit_one_cycle(1, lr=slice(1e-4, 1e-2, 2))
    with pytest.raises(ParameterError, match="positive"):
        learn.fit_one_cycle(1, lr=-1.0)
    assert len(learn.recorder) == 0


def test_stage_from_another_architecture_is_refused(learn, tmp_path) -> None:
    learn.save("gru-8")
    texts, labels, vectors = toy_sentiment()
    other = classifier_learner(
        texts, vectors, labels=labels, path=tmp_path, cell="gru", hidden_size=12, batch_size=16, device="cpu"
    )
    with pytest.raises(IncompatibleModelError, match=r"hidden_size 8 \(this learner: 12"):
        other.load("gru-8")
    with pytest.raises(InputFileError, match="saved stages: gru-8"):
        other.load("nope")
    smaller = classifier_learner(
        texts[:60], vectors, labels=labels[:60], path=tmp_path, cell="gru", hidden_size=8, device="cpu"
    )
    if smaller.model.embedding.num_embeddings == learn.model.embedding.num_embeddings:
        with pytest.raises(IncompatibleModelError, match="vocabulary"):
            smaller.load("gru-8")


def test_interpretation_views(learn) -> None:
    learn.fit_one_cycle(1, 1e-2)
    interp = learn.interpret()
    assert len(interp) == len(learn.val_data)
    mistakes = interp.confident_mistakes(3)
    assert "<table>" in mistakes._repr_html_() and "<table>" in interp.most_confused()._repr_html_()
    assert str(interp.least_confident(2)).splitlines()[1].split()[:2] == ["index", "true"]
    assert len(interp.most_confident(4)) <= 4
    assert all(p.count >= 2 for p in interp.most_confused(min_val=2))
    fig = interp.plot_top_losses(5)
    assert isinstance(fig, Figure) and fig.axes[0].tables
    assert isinstance(interp.plot_confusion_matrix(), Figure)


def test_in_memory_data_needs_labels(tmp_path) -> None:
    with pytest.raises(ParameterError, match="no labels"):
        classifier_learner(["a", "b"], path=tmp_path)


def test_learner_from_a_language_model_encoder(tmp_path, make_language_model) -> None:
    texts, labels, vectors = toy_sentiment()
    words = sorted({w for t in texts for w in t.split()})
    lm = make_language_model(words[:-3], num_layers=2)  # three task words the LM lacks
    learn = classifier_learner(
        texts, labels=labels, vectors=vectors, encoder=lm, path=tmp_path, device="cpu", batch_size=16
    )
    # the embedding and both recurrent layers come from the language model, in their own groups
    assert learn.group_names[0] == "embedding" and learn.group_names[-1] == "head"
    assert len(learn.group_names) == 4
    embedding = learn.model.encoder.embedding.weight.detach()
    lm_rows = lm.encoder.embedding.weight.detach()
    torch.testing.assert_close(embedding[: lm_rows.shape[0]], lm_rows)
    assert learn.frozen_to == len(learn.group_names) - 1  # the head trains first
    learn.fit_one_cycle(1, 1e-2)
    learn.unfreeze()
    learn.fit_one_cycle(1, slice(1e-4, 1e-3))
    folder = learn.export(tmp_path / "exported")
    loaded = TrainedClassifier.load(folder)
    assert loaded.predict(texts[:4]) == learn.predict(texts[:4])
