"""GloVe training: the loss goes down, structure is learned, seeds reproduce, reuse and bad input."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from gensim.test.utils import datapath

from nlptk.embed.glove import (
    COOCCURRENCE_FILE,
    GloVe,
    count_cooccurrences,
    fit_glove,
    resolve_device,
    train_glove,
)
from nlptk.errors import DataError, DeviceError, FormatError, NotFittedError, ParameterError, TrainingError
from nlptk.progress import ProgressEvent
from nlptk.vectors.container import Vectors


@pytest.fixture(scope="module")
def lee_tokens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with open(datapath("lee_background.cor"), encoding="utf-8") as f:
        lines = [" ".join(re.findall(r"[a-z]+", line.lower())) for line in f]
    path = tmp_path_factory.mktemp("lee") / "tokens.txt"
    path.write_text("\n".join(lines[:80]) + "\n", encoding="utf-8")
    return path


TOPICS = {
    "pets": ["cat", "dog", "puppy", "kitten", "fur", "leash", "vet", "paw"],
    "money": ["stock", "market", "price", "trade", "bank", "loan", "profit", "shares"],
}


@pytest.fixture(scope="module")
def planted_tokens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Lines that each talk about one topic, with shared function words in between."""
    rng = np.random.default_rng(0)
    glue = ["the", "a", "of", "and", "to", "is"]
    lines = []
    for k in range(400):
        topic = TOPICS["pets"] if k % 2 else TOPICS["money"]
        lines.append(
            " ".join(rng.choice(topic) if rng.random() < 0.6 else rng.choice(glue) for _ in range(14))
        )
    path = tmp_path_factory.mktemp("planted") / "tokens.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_related_words_end_up_closer(planted_tokens: Path) -> None:
    v = train_glove(planted_tokens, dim=16, window=4, min_count=1, epochs=20, x_max=10, device="cpu", seed=1,
                    batch_size=32)  # fmt: skip
    pets, money = TOPICS["pets"], TOPICS["money"]
    within = [v.similarity(a, b) for group in (pets, money) for a in group for b in group if a < b]
    across = [v.similarity(a, b) for a in pets for b in money]
    assert np.mean(within) > np.mean(across) + 0.1
    for word in pets + money:
        own, other = (pets, money) if word in pets else (money, pets)
        to_own = np.mean([v.similarity(word, w) for w in own if w != word])
        to_other = np.mean([v.similarity(word, w) for w in other])
        assert to_own > to_other, (word, to_own, to_other)


def test_loss_decreases_and_progress_is_reported(lee_tokens: Path) -> None:
    events: list[ProgressEvent] = []
    v = train_glove(
        lee_tokens, dim=20, window=5, min_count=2, epochs=8, x_max=10, device="cpu", progress=events.append
    )
    losses = v.meta["losses"]
    assert len(losses) == 8
    assert losses[-1] < 0.6 * losses[0]
    assert all(b < a for a, b in itertools.pairwise(losses))
    train_steps = [e for e in events if e.phase == "train" and e.kind == "step"]
    assert [e.step for e in train_steps] == list(range(1, 9))
    assert train_steps[0].metrics["loss"] == pytest.approx(losses[0])
    assert "words_per_s" in train_steps[0].metrics
    assert {e.kind for e in events if e.phase == "count"} == {"start", "step", "end"}


def test_vectors_rows_counts_and_meta(lee_tokens: Path) -> None:
    m = count_cooccurrences(lee_tokens, window=5, min_count=3)
    v = train_glove(lee_tokens, dim=8, window=5, min_count=3, epochs=2, device="cpu", cooccurrence=m)
    assert isinstance(v, Vectors)
    assert v.words == m.words and v.vectors.dtype == np.float32 and v.vectors.shape == (m.n_words, 8)
    assert v.counts.tolist() == sorted(v.counts.tolist(), reverse=True)
    params = v.meta["params"]
    assert v.meta["method"] == "glove"
    for key in ("dim", "window", "min_count", "max_vocab", "symmetric", "x_max", "alpha", "epochs", "lr",
                "batch_size", "memory", "device", "workers", "seed", "output", "cooccurrence"):  # fmt: skip
        assert key in params
    assert params["device"] == "cpu" and params["x_max"] == 100.0


def test_output_w_plus_c_and_w_only(lee_tokens: Path) -> None:
    m = count_cooccurrences(lee_tokens, window=5, min_count=3)
    fit = fit_glove(m, dim=8, epochs=2, device="cpu", seed=3)
    both = train_glove(
        lee_tokens, dim=8, window=5, min_count=3, epochs=2, device="cpu", seed=3, cooccurrence=m
    )
    w_only = train_glove(
        lee_tokens, dim=8, window=5, min_count=3, epochs=2, device="cpu", seed=3, cooccurrence=m, output="W"
    )
    np.testing.assert_array_equal(both.vectors, fit.word_vectors + fit.context_vectors)
    np.testing.assert_array_equal(w_only.vectors, fit.word_vectors)


def test_same_seed_same_vectors_other_seed_differs(lee_tokens: Path) -> None:
    m = count_cooccurrences(lee_tokens, window=5, min_count=3)
    a = fit_glove(m, dim=8, epochs=3, device="cpu", seed=7, batch_size=4000)
    b = fit_glove(m, dim=8, epochs=3, device="cpu", seed=7, batch_size=4000)
    c = fit_glove(m, dim=8, epochs=3, device="cpu", seed=8, batch_size=4000)
    np.testing.assert_array_equal(a.word_vectors, b.word_vectors)
    np.testing.assert_array_equal(a.context_biases, b.context_biases)
    assert a.losses == b.losses
    assert not np.allclose(a.word_vectors, c.word_vectors)


def test_workdir_saves_matrix_and_reuse_gives_same_vectors(lee_tokens: Path, tmp_path: Path) -> None:
    first = train_glove(lee_tokens, dim=8, window=5, min_count=3, epochs=2, device="cpu", workdir=tmp_path)
    saved = tmp_path / COOCCURRENCE_FILE
    assert first.meta["files"] == [COOCCURRENCE_FILE] and saved.is_file()
    again = train_glove(lee_tokens, dim=8, window=5, min_count=3, epochs=2, device="cpu", cooccurrence=saved)
    np.testing.assert_array_equal(first.vectors, again.vectors)
    assert again.meta["cooccurrence"]["reused"] is True
    assert again.meta["params"]["cooccurrence"] == str(saved)


def test_reuse_with_other_vocabulary_or_window_is_refused(lee_tokens: Path, tmp_path: Path) -> None:
    saved = count_cooccurrences(lee_tokens, window=5, min_count=3).save(tmp_path / "c.npz")
    with pytest.raises(DataError, match="different corpus or vocabulary"):
        train_glove(lee_tokens, window=5, min_count=2, epochs=1, device="cpu", cooccurrence=saved)
    other = tmp_path / "other.txt"
    other.write_text(lee_tokens.read_text(encoding="utf-8").replace("the ", "a "), encoding="utf-8")
    with pytest.raises(DataError, match="different corpus or vocabulary"):
        train_glove(other, window=5, min_count=3, epochs=1, device="cpu", cooccurrence=saved)
    with pytest.raises(ParameterError, match="window=5"):
        train_glove(lee_tokens, window=10, min_count=3, epochs=1, device="cpu", cooccurrence=saved)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"\x00" * 10)
    with pytest.raises(FormatError):
        train_glove(lee_tokens, epochs=1, device="cpu", cooccurrence=junk)


def test_tiny_corpus_trains(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text("a b c\n", encoding="utf-8")
    v = train_glove(path, dim=4, window=15, min_count=1, epochs=2, device="cpu")
    assert v.words == ["a", "b", "c"] and np.isfinite(v.vectors).all()


def test_single_word_corpus_has_nothing_to_train(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("a\nb\n", encoding="utf-8")
    with pytest.raises(TrainingError, match="no two vocabulary words share a window"):
        train_glove(path, min_count=1, device="cpu")


def test_empty_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "rare.txt"
    path.write_text("all different words\n", encoding="utf-8")
    with pytest.raises(DataError, match="min_count=5"):
        train_glove(path, device="cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_gpu_is_a_device_error(lee_tokens: Path) -> None:
    with pytest.raises(DeviceError, match="no CUDA GPU is available"):
        train_glove(lee_tokens, device="cuda")
    assert resolve_device("auto") == torch.device("cpu")


def test_bad_parameters(lee_tokens: Path) -> None:
    with pytest.raises(ParameterError, match="unknown GloVe parameter"):
        train_glove(lee_tokens, negative=5)
    with pytest.raises(ParameterError, match="output"):
        train_glove(lee_tokens, output="C")
    with pytest.raises(ParameterError, match="device"):
        train_glove(lee_tokens, device="tpu")
    m = count_cooccurrences(lee_tokens, window=2, min_count=3)
    for bad in ({"dim": 0}, {"epochs": 0}, {"x_max": 0}, {"lr": -1}, {"batch_size": 0}, {"threads": 0}):
        with pytest.raises(ParameterError):
            fit_glove(m, device="cpu", **bad)


def test_sklearn_style_class(planted_tokens: Path) -> None:
    model = GloVe(dim=6, window=3, min_count=1, epochs=2, device="cpu")
    with pytest.raises(NotFittedError):
        model.transform(["cat"])
    assert model.fit(planted_tokens) is model
    assert model.transform(["cat", "dog"]).shape == (2, 6)
    assert len(model.losses_) == 2
    assert model.get_params()["dim"] == 6
    assert model.set_params(dim=7).dim == 7
    with pytest.raises(ParameterError, match=r"unknown parameter 'dimension'") as info:
        model.set_params(dimension=7)
    assert "dim" in str(info.value.hint)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cpu_and_cuda_agree(lee_tokens: Path) -> None:
    m = count_cooccurrences(lee_tokens, window=5, min_count=3)
    cpu = fit_glove(m, dim=16, epochs=5, device="cpu", seed=0)
    gpu = fit_glove(m, dim=16, epochs=5, device="cuda", seed=0)
    assert gpu.device.startswith("cuda")
    np.testing.assert_allclose(cpu.losses, gpu.losses, rtol=1e-4)
    np.testing.assert_allclose(cpu.word_vectors, gpu.word_vectors, atol=1e-3)
    np.testing.assert_allclose(cpu.context_biases, gpu.context_biases, atol=1e-3)


def test_hogwild_threads_train_as_well_as_the_deterministic_path(lee_tokens: Path) -> None:
    """threads=2 on the CPU runs two Hogwild workers: not bit-identical, but the same fit."""
    m = count_cooccurrences(lee_tokens, window=5, min_count=3)
    threads_before = torch.get_num_threads()
    serial = fit_glove(m, dim=8, epochs=5, device="cpu", seed=7, batch_size=2000)
    hogwild = fit_glove(m, dim=8, epochs=5, device="cpu", seed=7, batch_size=2000, threads=2)
    assert all(b < a for a, b in zip(hogwild.losses, hogwild.losses[1:], strict=False))
    assert abs(hogwild.losses[-1] - serial.losses[-1]) / serial.losses[-1] < 0.05
    assert torch.get_num_threads() == threads_before  # the intra-op setting was restored


def _reference_step(words, contexts, words_sq, contexts_sq, i, j, log_x, weight, lr, dim):  # type: ignore[no-untyped-def]
    """The step written plainly: gradients, AdaGrad accumulators summed over the batch, then the update."""
    w, c = words[i], contexts[j]
    diff = (w[:, :dim] * c[:, :dim]).sum(1) + w[:, dim] + c[:, dim] - log_x
    fdiff = weight * diff
    grad_w = torch.cat((fdiff[:, None] * c[:, :dim], fdiff[:, None]), 1) * lr
    grad_c = torch.cat((fdiff[:, None] * w[:, :dim], fdiff[:, None]), 1) * lr
    words_sq.index_put_((i,), grad_w**2, accumulate=True)
    contexts_sq.index_put_((j,), grad_c**2, accumulate=True)
    words.index_put_((i,), -grad_w / words_sq[i].sqrt(), accumulate=True)
    contexts.index_put_((j,), -grad_c / contexts_sq[j].sqrt(), accumulate=True)
    return 0.5 * (fdiff * diff).sum().double()


def test_step_matches_the_plain_formulas() -> None:
    from nlptk.embed.glove.trainer import _step

    g = torch.Generator().manual_seed(0)
    n, dim, b = 7, 5, 40  # few rows: every batch repeats words and contexts
    tables = [torch.rand(n, dim + 1, generator=g) - 0.5 for _ in range(2)] + [
        1 + torch.rand(n, dim + 1, generator=g) for _ in range(2)
    ]
    i, j = torch.randint(n, (b,), generator=g), torch.randint(n, (b,), generator=g)
    log_x, weight = torch.rand(b, generator=g) * 3, torch.rand(b, generator=g)
    expected = [t.clone() for t in tables]
    loss_expected = _reference_step(*expected, i, j, log_x, weight, 0.1, dim)
    loss = _step(*tables, i, j, log_x, weight, 0.1, dim)
    assert float(loss) == pytest.approx(float(loss_expected), rel=1e-5)
    for got, want in zip(tables, expected, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)


def test_batches_are_a_shuffle_sorted_inside_each_batch() -> None:
    from nlptk.embed.glove.trainer import _batch_order

    nnz, batch = 1003, 100
    order = _batch_order(nnz, batch, torch.Generator().manual_seed(3)).numpy()
    plain = torch.randperm(nnz, generator=torch.Generator().manual_seed(3)).numpy()
    assert sorted(order) == list(range(nnz))
    for lo in range(0, nnz, batch):  # the same batches as a plain shuffle, each in row order
        assert list(order[lo : lo + batch]) == sorted(plain[lo : lo + batch])


def test_compiling_is_automatic_only_for_large_trainings_and_failures_fall_back(
    lee_tokens: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from nlptk.embed.glove import trainer

    m = count_cooccurrences(lee_tokens, window=5, min_count=3)
    eager = fit_glove(m, dim=8, epochs=3, device="cpu", seed=7, batch_size=2000)
    assert eager.compile_seconds is None  # far below COMPILE_MIN_UPDATES

    def broken_compile(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no working C++ compiler")

    monkeypatch.setattr(torch, "compile", broken_compile)
    with caplog.at_level("WARNING", logger="nlptk.embed.glove.trainer"):
        fallback = fit_glove(m, dim=8, epochs=3, device="cpu", seed=7, batch_size=2000, compile_step=True)
    assert "could not compile the GloVe step" in caplog.text
    assert fallback.compile_seconds is None
    np.testing.assert_array_equal(fallback.word_vectors, eager.word_vectors)

    # by default a large training compiles only when a C++ compiler is found
    monkeypatch.setattr(trainer, "COMPILE_MIN_UPDATES", 0)
    monkeypatch.setattr(trainer, "_cxx_compiler", lambda: None)
    caplog.clear()
    no_compiler = fit_glove(m, dim=8, epochs=3, device="cpu", seed=7, batch_size=2000)
    assert no_compiler.compile_seconds is None and "could not compile" not in caplog.text


@pytest.mark.slow
def test_compiled_step_trains_like_the_eager_one(lee_tokens: Path) -> None:
    """torch.compile (needs a C++ compiler): the same losses, deterministic with one thread."""
    m = count_cooccurrences(lee_tokens, window=5, min_count=3)
    settings = {"dim": 8, "epochs": 4, "device": "cpu", "seed": 7, "batch_size": 2000}
    eager = fit_glove(m, **settings, compile_step=False)
    compiled = fit_glove(m, **settings, compile_step=True)
    again = fit_glove(m, **settings, compile_step=True)
    hogwild = fit_glove(m, **settings, compile_step=True, threads=2)
    assert compiled.compile_seconds is not None and hogwild.compile_seconds is not None
    np.testing.assert_allclose(compiled.losses, eager.losses, rtol=1e-4)
    np.testing.assert_allclose(compiled.word_vectors, eager.word_vectors, atol=1e-4)
    np.testing.assert_array_equal(again.word_vectors, compiled.word_vectors)
    assert abs(hogwild.losses[-1] - eager.losses[-1]) / eager.losses[-1] < 0.05
