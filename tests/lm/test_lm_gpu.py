"""CUDA paths of the language model: mixed-precision training learns, and the model moves back to the CPU."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from nlptk.lm import load_language_model
from nlptk.lm.training import train_language_model

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]

WORDS = ["the", "cat", "sat", "on", "the", "mat", "and", "the", "dog", "ran", "to", "the", "park"]


@pytest.mark.parametrize("decoder", ["full", "adaptive"])
def test_cuda_mixed_precision_training_learns(tmp_path: Path, decoder: str) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(" ".join(WORDS[i % 5 :] + WORDS[: i % 5]) for i in range(400)) + "\n")
    lm = train_language_model(
        corpus, cache_dir=tmp_path / "cache", out=tmp_path / "lm", device="cuda", mixed_precision=True,
        embedding_dim=16, hidden_size=32, num_layers=2, batch_size=8, bptt=20, min_count=1, lr=1e-2,
        epochs=4, val_fraction=0.1, decoder=decoder, cutoffs=(6,) if decoder == "adaptive" else None,
    )  # fmt: skip
    assert lm.meta["device"].startswith("cuda")
    curve = [r["val_perplexity"] for r in lm.history]
    assert curve[-1] < curve[0] / 2, curve
    cpu = load_language_model(tmp_path / "lm", device="cpu")
    on_cpu = cpu.perplexity([" ".join(WORDS)] * 5)["perplexity"]
    on_gpu = load_language_model(tmp_path / "lm", device="cuda").perplexity([" ".join(WORDS)] * 5)[
        "perplexity"
    ]
    assert on_cpu == pytest.approx(on_gpu, rel=1e-3)
