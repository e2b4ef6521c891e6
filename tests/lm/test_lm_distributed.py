"""The language model under torch.distributed: two gloo processes (CPU) against one.

``--batch-size`` stays the global number of stream rows; each rank takes every second row, so
two ranks take the steps one process takes, on the same data, and must end close to it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import run_ranks

from nlptk.distributed import DistContext, digest
from nlptk.errors import ParameterError
from nlptk.lm.training import _rows_of_rank, train_language_model

#: Validation perplexity of 2 ranks may differ from 1 process by this factor (same data, same steps).
PERPLEXITY_TOLERANCE = 1.10
SETTINGS = dict(embedding_dim=16, hidden_size=24, num_layers=1, batch_size=8, bptt=16, min_count=1,
                lr=1e-2, epochs=2, val_fraction=0.1, device="cpu", seed=0)  # fmt: skip


def _corpus(folder: Path) -> Path:
    words = ["the", "cat", "sat", "on", "the", "mat", "and", "the", "dog", "ran", "to", "the", "park"]
    path = folder / "corpus.txt"
    path.write_text("\n".join(" ".join(words[i % 7 :] + words[: i % 7]) for i in range(300)) + "\n")
    return path


def _ranks(rank: int, folder: str) -> dict:
    out = Path(folder)
    lm = train_language_model(out / "corpus.txt", cache_dir=out / "cache", out=out / "lm", **SETTINGS)
    state = lm.network.state_dict()
    return {"history": lm.history, "weights": digest([state[k] for k in sorted(state)]), "meta": lm.meta}


@pytest.mark.slow  # two spawned processes: 30-60 s on a busy 2-core machine
def test_two_ranks_train_the_language_model_like_one(tmp_path) -> None:
    _corpus(tmp_path)
    results = run_ranks(_ranks, str(tmp_path), world_size=2, timeout_s=60)
    assert all(results[r][0] == "ok" for r in (0, 1)), results
    zero, one = results[0][1], results[1][1]
    assert zero["weights"] == one["weights"]  # gradients synchronised
    assert zero["meta"]["world_size"] == 2
    single = train_language_model(tmp_path / "corpus.txt", cache_dir=tmp_path / "cache", **SETTINGS)
    assert zero["meta"]["train_tokens"] == single.meta["train_tokens"]
    assert zero["meta"]["tokens_seen"] == single.meta["tokens_seen"]  # global tokens, same steps
    assert [h["lr"] for h in zero["history"]] == pytest.approx([h["lr"] for h in single.history])
    ours, theirs = zero["history"][-1]["val_perplexity"], single.history[-1]["val_perplexity"]
    assert ours <= theirs * PERPLEXITY_TOLERANCE, (ours, theirs)
    assert (tmp_path / "lm" / "model.pt").exists()


def test_rows_that_cannot_be_shared_equally_are_refused() -> None:
    two = DistContext(rank=0, world_size=2)  # refused before any collective: no process group needed
    rows = torch.arange(30).view(3, 10)
    with pytest.raises(ParameterError, match=r"batch_size=3 rows .* 2 ranks"):
        _rows_of_rank(rows, two, ids=np.arange(30), vocabulary=None, network=None)  # type: ignore[arg-type]
    one = DistContext()
    assert _rows_of_rank(rows, one, ids=np.arange(30), vocabulary=None, network=None) is rows  # type: ignore[arg-type]
