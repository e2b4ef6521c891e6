"""fastText baseline predictions through the batch path (works under NumPy 2)."""

from __future__ import annotations

import numpy as np
import pytest

from nlptk.classify.evaluate import fasttext_probabilities
from nlptk.classify.interpret import interpret
from nlptk.errors import ParameterError

fasttext = pytest.importorskip("fasttext")

POS = ["great fun film", "a great and lovely story", "lovely acting , great fun", "fun and lovely"]
NEG = ["dull boring mess", "a boring and awful plot", "awful acting , dull mess", "boring and awful"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("ft") / "train.txt"
    lines = [f"__label__pos {t}" for t in POS] + [f"__label__neg {t}" for t in NEG]
    path.write_text("\n".join(lines * 20) + "\n", encoding="utf-8")
    return fasttext.train_supervised(
        str(path), epoch=30, lr=0.5, wordNgrams=2, minCount=1, thread=1, seed=0, verbose=0, dim=10
    )


def test_full_probabilities_under_numpy2(model):
    texts = ["great lovely fun", "boring awful dull", "a great\nfilm"]
    probs = fasttext_probabilities(model, texts, ["neg", "pos"])
    assert probs.shape == (3, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)
    assert probs[0, 1] > 0.9 and probs[1, 0] > 0.9
    # a real distribution, not the top probability repeated (the list API's 0.9.2 bug)
    assert probs[0, 0] < 0.1 and probs[1, 1] < 0.1
    result = interpret(texts[:2], ["pos", "neg"], probs[:2], ["neg", "pos"])
    assert result.accuracy == 1.0
    assert result.losses[0] == pytest.approx(-np.log(probs[0, 1]))


def test_batch_list_predict_gives_labels_and_top1(model):
    """The benchmark's fast path: ``model.predict(list, k=1)`` works under NumPy 2."""
    texts = ["great lovely fun", "boring awful dull"]
    labels, top = model.predict(texts, k=1)
    assert [lab[0] for lab in labels] == ["__label__pos", "__label__neg"]
    probs = fasttext_probabilities(model, texts, ["neg", "pos"])
    np.testing.assert_allclose([t[0] for t in top], probs.max(axis=1), atol=1e-4)


def test_single_string_predict_is_not_needed(model):
    """fasttext-wheel 0.9.2's single-string predict breaks under NumPy 2; our paths must not."""
    if int(np.__version__.split(".")[0]) >= 2:
        try:
            model.predict("great lovely fun")
        except ValueError as exc:  # the known NumPy 2 incompatibility ("copy=False")
            assert "copy" in str(exc)
    assert fasttext_probabilities(model, ["great lovely fun"], ["neg", "pos"]).shape == (1, 2)


def test_empty_and_unknown_labels(model):
    assert fasttext_probabilities(model, [], ["neg", "pos"]).shape == (0, 2)
    with pytest.raises(ParameterError, match="__label__neg"):
        fasttext_probabilities(model, ["x"], ["pos", "other"])
