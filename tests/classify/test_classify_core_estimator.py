"""TextClassifier follows scikit-learn conventions: cross_val_score, Pipeline, clone, get_params."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from nlptk.classify.estimator import TextClassifier
from nlptk.errors import NotFittedError, ParameterError

WORDS = {
    "sport": ["goal", "match", "team"],
    "tech": ["chip", "software", "code"],
    "food": ["bread", "soup", "cake"],
}
FILLER = ["the", "a", "today", "news", "about", "new"]


def make(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    names = sorted(WORDS)
    for i in range(n):
        label = names[i % 3]
        words = [*rng.choices(FILLER, k=rng.randint(1, 4)), rng.choice(WORDS[label])]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


def small(**kw) -> TextClassifier:
    params = dict(
        hidden_size=8,
        embedding_dim=8,
        batch_size=16,
        lr=5e-2,
        epochs=4,
        freeze_epochs=0,
        patience=None,
        device="cpu",
    )
    params.update(kw)
    return TextClassifier(**params)


pytestmark = pytest.mark.usefixtures("one_thread")


def test_params_and_clone():
    est = small(cell="gru")
    params = est.get_params()
    assert params["cell"] == "gru" and params["hidden_size"] == 8 and params["vectors"] is None
    twin = clone(est)
    assert twin.get_params() == params
    est.set_params(cell="rnn")
    assert est.cell == "rnn"
    # an unknown name is one clear ParameterError naming the known ones, as in __init__
    with pytest.raises(ParameterError, match=r"unknown parameter 'hiden_size'") as info:
        est.set_params(hiden_size=4)
    assert "hidden_size" in str(info.value.hint)
    with pytest.raises(NotFittedError):
        est.predict(["x"])


def test_fit_predict_score():
    X, y = make(240, 0)
    Xt, yt = make(90, 1)
    est = small().fit(X, y)
    assert list(est.classes_) == ["food", "sport", "tech"]
    assert est.score(Xt, yt) > 0.8
    proba = est.predict_proba(Xt[:5])
    assert proba.shape == (5, 3)
    assert set(est.predict(Xt)) <= set(est.classes_)
    assert est.transform(Xt[:2]).shape[0] == 2


def test_cross_val_score_and_pipeline():
    X, y = make(240, 2)
    scores = cross_val_score(small(epochs=5), X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.8
    pipe = Pipeline([("upper", FunctionTransformer(lambda xs: [x.upper() for x in xs])), ("clf", small())])
    pipe.fit(X, y)
    Xt, yt = make(60, 3)
    assert pipe.score(Xt, yt) > 0.8
    assert np.asarray(pipe.predict(Xt)).shape == (60,)


def test_vectors_given_as_a_path(tmp_path):
    from nlptk.vectors.container import Vectors

    words = sorted({w for ws in WORDS.values() for w in ws} | set(FILLER))
    rng = np.random.default_rng(0)
    path = tmp_path / "vectors.txt"
    Vectors(words, rng.normal(size=(len(words), 6)).astype(np.float32)).to_gensim().save_word2vec_format(
        str(path)
    )
    X, y = make(60, 4)
    est = small(vectors=str(path), epochs=1, freeze_epochs=1).fit(X, y)
    assert est.classifier_.model.embedding.embedding_dim == 6
    assert est.classifier_.info["embeddings"]["coverage"]["coverage"] == 1.0
