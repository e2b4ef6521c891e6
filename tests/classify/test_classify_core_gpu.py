"""CUDA paths: the same predictions as on the CPU, mixed-precision training that learns."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import FILLER_WORDS, keyword_data, small_config

from nlptk.classify.predictor import TrainedClassifier
from nlptk.classify.training import train_classifier
from nlptk.text.labelled import LabelledData

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


def make_data(n: int, seed: int) -> LabelledData:
    keywords = {"neg": ["bad", "awful", "dull"], "pos": ["good", "great", "superb"]}
    return keyword_data(
        n, seed, keywords=keywords, filler=FILLER_WORDS[:7] + FILLER_WORDS[8:11], length=(2, 30)
    )


@pytest.mark.parametrize("mixed_precision", [True, False])
def test_cuda_training_learns_and_matches_cpu(tmp_path, mixed_precision):
    config = small_config(
        hidden_size=32,
        embedding_dim=32,
        batch_size=32,
        lr=1e-2,
        device="cuda",
        mixed_precision=mixed_precision,
    )
    train, test = make_data(800, 0), make_data(200, 1)
    clf = train_classifier(train, config=config, out=tmp_path / "m")
    assert clf.device.type == "cuda"
    assert next(clf.model.parameters()).is_cuda
    assert clf.score(test)["accuracy"] > 0.9
    assert all(r["train_sentences_per_s"] > 0 for r in clf.history)
    cpu = TrainedClassifier.load(tmp_path / "m", device="cpu")
    gpu = TrainedClassifier.load(tmp_path / "m", device="cuda")
    tol = 2e-2 if mixed_precision else 1e-4
    np.testing.assert_allclose(gpu.predict_proba(test.texts), cpu.predict_proba(test.texts), atol=tol)
    assert gpu.predict(test.texts) == cpu.predict(test.texts) or mixed_precision
