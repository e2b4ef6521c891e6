"""The wide n-gram term of the classifier (issue 11): hashing, joint training, the model folder."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nlptk.classify.config import ClassifierConfig
from nlptk.classify.model import RNNClassifierNet
from nlptk.classify.predictor import TrainedClassifier
from nlptk.classify.training import train_classifier
from nlptk.classify.wide import WideNgrams, ngram_ids
from nlptk.errors import ParameterError
from nlptk.text.labelled import LabelledData

pytestmark = pytest.mark.usefixtures("one_thread")


def test_ngram_ids_are_masked_and_deterministic():
    x = torch.tensor([[2, 3, 4, 0], [3, 2, 0, 0]])
    lengths = torch.tensor([3, 2])
    ids, mask = ngram_ids(x, lengths, ngrams=3, vocab_size=10, buckets=1000)
    # 4 unigram, 3 bigram and 2 trigram positions
    assert ids.shape == mask.shape == (2, 9)
    assert mask.tolist() == [
        [True, True, True, False, True, True, False, True, False],
        [True, True, False, False, True, False, False, False, False],
    ]
    assert ids[0, :3].tolist() == [2, 3, 4]  # unigrams are the word ids
    assert (ids[:, 4:] >= 10).all() and (ids[:, 4:] < 1010).all()
    # "2 3" and "3 2" are different bigrams; the same bigram hashes alike in any batch
    assert ids[0, 4] != ids[1, 4]
    again, _ = ngram_ids(torch.tensor([[7, 2, 3]]), torch.tensor([3]), ngrams=2, vocab_size=10, buckets=1000)
    assert again[0, 4] == ids[0, 4]


def order_task(n: int = 64) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Texts "w 2 3 w" or "w 3 2 w": the same words, the class only in the bigram order."""
    rng = np.random.default_rng(0)
    y = torch.tensor(np.arange(n) % 2)
    rows = []
    for label in y.tolist():
        filler = rng.integers(4, 20, size=2).tolist()
        pair = [2, 3] if label else [3, 2]
        rows.append([filler[0], *pair, filler[1]])
    return torch.tensor(rows), torch.full((n,), 4), y


@pytest.mark.parametrize(("ngrams", "learns"), [(2, True), (1, False)])
def test_wide_term_fits_a_task_only_bigrams_reveal(ngrams, learns):
    torch.manual_seed(0)
    x, lengths, y = order_task()
    model = RNNClassifierNet(20, 4, 2, cell="gru", hidden_size=4, ngrams=ngrams, ngram_buckets=64)
    # only the wide term trains: what it learns is what the n-grams reveal
    for name, p in model.named_parameters():
        p.requires_grad_(name.startswith("wide."))
    model.eval()  # no dropout: the deep part is a fixed function
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.5)
    for _ in range(60):
        optimizer.zero_grad()
        F.cross_entropy(model(x, lengths), y).backward()
        optimizer.step()
    accuracy = float((model(x, lengths).argmax(1) == y).float().mean())
    assert (accuracy == 1.0) if learns else (accuracy < 0.75), accuracy


def test_wide_settings_are_checked():
    with pytest.raises(ParameterError, match="ngrams"):
        WideNgrams(10, 2, ngrams=0)
    with pytest.raises(ParameterError, match="ngrams"):
        ClassifierConfig(ngrams=-2)
    with pytest.raises(ParameterError, match="ngram_buckets"):
        ClassifierConfig(ngram_buckets=0)
    with pytest.raises(ParameterError, match="ngram_lr_factor"):
        ClassifierConfig(ngram_lr_factor=0.0)
    assert RNNClassifierNet(10, 4, 2, ngrams=0).wide is None


def test_wide_lr_factor_scales_the_terms_steps():
    x, lengths, y = order_task()
    moved = {}
    for factor in (1.0, 10.0):
        torch.manual_seed(0)
        wide = WideNgrams(20, 2, ngrams=2, buckets=64, lr_factor=factor)
        optimizer = torch.optim.Adam(wide.parameters(), lr=0.01)
        F.cross_entropy(wide(x, lengths), y).backward()
        optimizer.step()
        moved[factor] = float(wide(x, lengths).detach().abs().max())
    # one Adam step moves every weight by about lr whatever the gradient's scale
    assert moved[10.0] == pytest.approx(10 * moved[1.0], rel=1e-3)


def test_wide_classifier_trains_saves_and_loads(tmp_path):
    rng = np.random.default_rng(0)
    texts, labels = [], []
    for i in range(120):
        fill = " ".join(rng.choice(["a", "b", "c", "d", "e"], size=3))
        texts.append(f"{fill} not good {fill}" if i % 2 else f"{fill} good not {fill}")
        labels.append(i % 2)
    data = LabelledData(texts, labels, ["x", "y"])
    config = ClassifierConfig(
        hidden_size=4, embedding_dim=4, epochs=3, lr=3e-2, ngrams=2, ngram_buckets=512, device="cpu"
    )
    clf = train_classifier(data, config=config, out=tmp_path / "m")
    assert clf.model.wide is not None and float(clf.model.wide.weight.detach().abs().sum()) > 0
    body = json.loads((tmp_path / "m" / "config.json").read_text())
    assert body["format_version"] == 2 and body["config"]["ngrams"] == 2
    loaded = TrainedClassifier.load(tmp_path / "m")
    assert np.allclose(loaded.predict_proba(texts[:10]), clf.predict_proba(texts[:10]), atol=1e-6)
