"""Layer groups, gradual unfreezing and discriminative learning rates (ULMFiT's fine-tuning)."""

from __future__ import annotations

import itertools
import random

import pytest
import torch

from nlptk.classify.callbacks import Callback
from nlptk.classify.data import EncodedDataset, build_vocabulary, encode_texts, make_loader
from nlptk.classify.model import RNNClassifierNet
from nlptk.classify.transfer import (
    Stage,
    TransferLearner,
    discriminative_lrs,
    freeze_to,
    layer_groups,
    run_stages,
    unfreezing_stages,
)
from nlptk.errors import ParameterError
from nlptk.text.tokenize import RegexTokenizer

WORDS = ["good", "bad", "film", "plot", "the", "a", "was", "very", "not", "story"]


pytestmark = pytest.mark.usefixtures("one_thread")


def make_learner(num_layers: int = 2, lr_decay: float = 2.6, callbacks=()) -> TransferLearner:
    rng = random.Random(0)
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(1, 8))) for _ in range(48)]
    labels = [int("good" in t) for t in texts]
    tokenizer = RegexTokenizer()
    vocab = build_vocabulary([tokenizer(t) for t in texts])
    dataset = EncodedDataset(encode_texts(texts, tokenizer, vocab, max_length=20), labels)
    torch.manual_seed(0)
    model = RNNClassifierNet(len(vocab), 6, 2, hidden_size=5, num_layers=num_layers)
    return TransferLearner(
        model,
        make_loader(dataset, batch_size=16, shuffle=True),
        make_loader(dataset, batch_size=64, shuffle=False),
        n_classes=2,
        device=torch.device("cpu"),
        lr_decay=lr_decay,
        callbacks=list(callbacks),
    )


def test_layer_groups_of_the_rnn_classifier_cover_every_parameter_once():
    model = RNNClassifierNet(20, 4, 3, hidden_size=5, num_layers=3)
    groups = layer_groups(model)
    assert len(groups) == 5  # embedding, 3 recurrent layers, head
    assert groups[0] == [model.embedding.weight]
    assert {id(p) for p in groups[-1]} == {id(p) for p in model.head.parameters()}
    layer1 = {n for n, p in model.rnn.named_parameters() if any(p is q for q in groups[2])}
    assert layer1 and all("_l1" in n for n in layer1)
    assert sum(len(g) for g in groups) == len(list(model.parameters()))


def test_freeze_to_trains_only_the_top_groups():
    model = RNNClassifierNet(20, 4, 3, hidden_size=5, num_layers=2)
    groups = layer_groups(model)
    for k in range(1, len(groups) + 2):
        freeze_to(model, k)
        trainable = [all(p.requires_grad for p in g) for g in groups]
        frozen = [not any(p.requires_grad for p in g) for g in groups]
        top = min(k, len(groups))
        assert trainable == [i >= len(groups) - top for i in range(len(groups))]
        assert all(t or f for t, f in zip(trainable, frozen, strict=True))
    with pytest.raises(ParameterError, match="trainable_groups"):
        freeze_to(model, 0)


def test_unfreezing_stages_follow_the_schedule():
    stages = unfreezing_stages(4, (1, 1, 1), epochs=6)
    assert stages == [
        Stage("head", 1, 1, 1.0),
        Stage("top-2", 1, 2, 0.5),
        Stage("top-3", 1, 3, 0.25),
        Stage("all", 3, 4, 0.125),
    ]
    assert unfreezing_stages(3, (), epochs=2) == [Stage("all", 2, 3)]
    assert unfreezing_stages(3, (2, 0, 5), epochs=4) == [Stage("head", 2, 1), Stage("all", 2, 3, 0.5)]
    assert unfreezing_stages(3, (1, 1), epochs=1) == [Stage("head", 1, 1)]
    with pytest.raises(ParameterError):
        unfreezing_stages(3, (1, -1), epochs=3)


def test_discriminative_lrs_divide_by_the_decay_per_group():
    lrs = discriminative_lrs(1e-2, 4, 2.6)
    assert lrs[-1] == pytest.approx(1e-2)
    for lower, upper in itertools.pairwise(lrs):
        assert upper / lower == pytest.approx(2.6)
    with pytest.raises(ParameterError, match="lr_decay"):
        discriminative_lrs(1e-2, 3, 0.5)


class Recorder(Callback):
    """At the start of each stage: which groups train and each optimizer group's peak rate."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, list[bool], list[float]]] = []
        self.snapshots: dict[str, dict[str, torch.Tensor]] = {}

    def on_fit_begin(self, learner) -> None:
        groups = layer_groups(learner.model)
        trains = [all(p.requires_grad for p in g) for g in groups]
        assert all(t or not any(p.requires_grad for p in g) for t, g in zip(trains, groups, strict=True))
        peaks = [g.get("max_lr", g["lr"]) for g in learner.optimizer.param_groups]
        self.stages.append((learner.stage, trains, peaks))

    def on_fit_end(self, learner) -> None:
        self.snapshots[learner.stage] = {k: v.clone() for k, v in learner.model.state_dict().items()}


def test_stage_schedule_applies_requires_grad_and_rates_per_stage():
    recorder = Recorder()
    learner = make_learner(num_layers=2, lr_decay=2.6, callbacks=[recorder])
    initial = {k: v.clone() for k, v in learner.model.state_dict().items()}
    n_groups = len(layer_groups(learner.model))
    stages = unfreezing_stages(n_groups, (1, 1, 1), epochs=5)
    run_stages(learner, stages, lr=1e-2)
    assert [s[0] for s in recorder.stages] == ["head", "top-2", "top-3", "all"]
    assert [s[1] for s in recorder.stages] == [
        [False, False, False, True],
        [False, False, True, True],
        [False, True, True, True],
        [True, True, True, True],
    ]
    for i, (_, _, peaks) in enumerate(recorder.stages):  # one optimizer group per layer group, 2.6 apart
        assert len(peaks) == n_groups and peaks[-1] == pytest.approx(1e-2 * 0.5**i)  # halved per stage
        for lower, upper in itertools.pairwise(peaks):
            assert upper / lower == pytest.approx(2.6)
    # unfreezing did something: each stage moved exactly the groups it unfroze
    head = recorder.snapshots["head"]
    assert torch.equal(head["embedding.weight"], initial["embedding.weight"])
    assert torch.equal(head["rnn.weight_hh_l1"], initial["rnn.weight_hh_l1"])
    assert not torch.equal(head["head.weight"], initial["head.weight"])
    top2 = recorder.snapshots["top-2"]
    assert not torch.equal(top2["rnn.weight_hh_l1"], head["rnn.weight_hh_l1"])
    assert torch.equal(top2["rnn.weight_hh_l0"], initial["rnn.weight_hh_l0"])
    final = recorder.snapshots["all"]
    assert not torch.equal(final["embedding.weight"], initial["embedding.weight"])
    assert all(p.requires_grad for p in learner.model.parameters())  # everything trainable after
