"""Plots: the labelled scatter (PCA / t-SNE), label placement, and the classifier helpers."""

from __future__ import annotations

import numpy as np
import pytest

from nlptk.errors import DataError, OutputExistsError, ParameterError
from nlptk.export.plots import (
    nudge_labels,
    plot_confusion_matrix,
    plot_embedding,
    plot_history,
    plot_lr_finder,
    plot_vectors,
    project_2d,
)
from nlptk.vectors.container import Vectors

PNG = b"\x89PNG\r\n\x1a\n"


def _png_size(path):
    from PIL import Image

    with Image.open(path) as image:
        return image.size


def test_scatter_is_written_as_png_and_refuses_to_overwrite(tmp_path):
    rng = np.random.default_rng(0)
    out = tmp_path / "fig.png"
    plot_embedding(
        rng.normal(size=(60, 8)), [f"w{i}" for i in range(60)], out, categories=rng.integers(0, 3, 60)
    )
    assert out.read_bytes().startswith(PNG)
    width, height = _png_size(out)
    assert width > 600 and height > 400
    with pytest.raises(OutputExistsError):
        plot_embedding(rng.normal(size=(5, 3)), list("abcde"), out)
    plot_embedding(rng.normal(size=(5, 3)), list("abcde"), out, force=True, method="tsne")
    svg = tmp_path / "fig.svg"
    plot_embedding(rng.normal(size=(5, 3)), ["alpha", "b", "c", "d", "e"], svg)
    assert "alpha" in svg.read_text()  # labels are drawn


def test_projection_checks():
    assert project_2d(np.eye(5), "tsne").shape == (5, 2)
    with pytest.raises(DataError, match="at least 2 points"):
        project_2d(np.ones((1, 3)))
    with pytest.raises(DataError, match="t-SNE needs at least 4 points"):
        project_2d(np.eye(3), "tsne")
    with pytest.raises(ParameterError, match="unknown projection method"):
        project_2d(np.eye(3), "umap")  # type: ignore[arg-type]


def test_projection_takes_seed_and_the_old_random_state_with_a_warning(monkeypatch):
    import warnings

    import sklearn.manifold

    seeds = []
    real = sklearn.manifold.TSNE

    def recording(**kwargs):
        seeds.append(kwargs["random_state"])
        return real(**kwargs)

    monkeypatch.setattr(sklearn.manifold, "TSNE", recording)
    x = np.random.default_rng(0).normal(size=(12, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seeded = project_2d(x, "tsne", seed=3)
    with pytest.warns(DeprecationWarning, match=r"project_2d\(random_state=...\) is deprecated; use seed"):
        old = project_2d(x, "tsne", random_state=3)
    assert seeds == [3, 3] and np.array_equal(old, seeded)
    with pytest.raises(ParameterError, match="seed=4 and its old name random_state=3"):
        project_2d(x, "tsne", seed=4, random_state=3)


def test_plots_pass_seed_on_and_warn_for_random_state(tmp_path, monkeypatch):
    import nlptk.export.scatter as scatter

    seeds = []
    real = scatter.project_2d

    def recording(x, method="pca", **kwargs):
        seeds.append(kwargs["seed"])
        return real(x, method, **kwargs)

    monkeypatch.setattr(scatter, "project_2d", recording)
    rng = np.random.default_rng(0)
    vectors = Vectors([f"w{i}" for i in range(6)], rng.normal(size=(6, 4)).astype(np.float32))
    plot_vectors(vectors, tmp_path / "a.png", seed=7)
    plot_embedding(vectors.vectors, vectors.words, tmp_path / "b.png", seed=8)
    with pytest.warns(DeprecationWarning, match=r"plot_vectors\(random_state=...\) is deprecated"):
        plot_vectors(vectors, tmp_path / "c.png", random_state=9)
    with pytest.warns(DeprecationWarning, match=r"plot_embedding\(random_state=...\) is deprecated"):
        plot_embedding(vectors.vectors, vectors.words, tmp_path / "d.png", random_state=10)
    assert seeds == [7, 8, 9, 10]


def _overlaps(corners, sizes):
    x0, y0 = corners[:, 0], corners[:, 1]
    x1, y1 = x0 + sizes[:, 0], y0 + sizes[:, 1]
    ox = np.minimum(x1[:, None], x1[None]) - np.maximum(x0[:, None], x0[None])
    oy = np.minimum(y1[:, None], y1[None]) - np.maximum(y0[:, None], y0[None])
    hit = (ox > 0) & (oy > 0)
    np.fill_diagonal(hit, False)
    return int(hit.sum() // 2)


def test_label_placement_removes_most_overlaps():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(150, 2)) * 120 + 500
    sizes = np.tile([40.0, 9.0], (150, 1))
    naive = points + 2
    placed = nudge_labels(points, sizes)
    assert _overlaps(placed, sizes) < _overlaps(naive, sizes) / 3
    # every label stays near its point
    centres = placed + sizes / 2
    assert np.max(np.hypot(*(centres - points).T)) < 150


def test_confusion_matrix_lr_finder_and_history(tmp_path):
    plot_confusion_matrix([[50, 3], [4, 40]], ["neg", "pos"], tmp_path / "cm.png")
    plot_confusion_matrix(
        np.eye(12, dtype=int) * 5, [f"c{i}" for i in range(12)], tmp_path / "cm12.png", normalize=True
    )
    lrs = np.logspace(-6, 0, 50)
    losses = np.concatenate([np.linspace(2.0, 0.5, 40), np.linspace(0.6, 8.0, 10)])
    plot_lr_finder(lrs, losses, 1e-3, tmp_path / "lr.png")
    plot_lr_finder(lrs, losses, None, tmp_path / "lr2.png")
    plot_history(
        {"train_loss": [1.0, 0.7, 0.5], "val_loss": [1.1, 0.8, 0.7], "val_accuracy": [0.5, 0.7, 0.8]},
        tmp_path / "history.png",
    )
    for name in ("cm.png", "cm12.png", "lr.png", "lr2.png", "history.png"):
        assert (tmp_path / name).read_bytes().startswith(PNG)
    with pytest.raises(ParameterError, match=r"shape \(2, 2\), expected \(3, 3\)"):
        plot_confusion_matrix([[1, 2], [3, 4]], ["a", "b", "c"], tmp_path / "bad.png")
    with pytest.raises(ParameterError, match="must match"):
        plot_lr_finder([1e-3, 1e-2], [1.0], None, tmp_path / "bad.png")
    with pytest.raises(DataError, match="history is empty"):
        plot_history({"loss": []}, tmp_path / "bad.png")
    with pytest.raises(ParameterError, match="cannot write a figure as 'xyz'"):
        plot_history({"loss": [1.0]}, tmp_path / "bad.xyz")
    assert not (tmp_path / "bad.png").exists()


def test_plot_vectors_selects_words_and_colours_by_a_column(tmp_path):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    vectors = Vectors(words, rng.normal(size=(30, 6)).astype(np.float32), counts=np.arange(3000, 0, -100))
    result = plot_vectors(vectors, tmp_path / "a.png", words=["w1", "w2", "w3", "nope"], color_by="count")
    assert result.n_points == 3 and result.missing_words == ["nope"]
    result = plot_vectors(vectors, tmp_path / "b.png", limit=25, color_by="count")  # continuous colour scale
    assert result.n_points == 25
    clusters = {"cluster": {w: str(i % 3) for i, w in enumerate(words)}}
    plot_vectors(vectors, tmp_path / "c.png", color_by="cluster", extra_columns=clusters, method="tsne")
    with pytest.raises(ParameterError, match="available columns: word, count, rank"):
        plot_vectors(vectors, tmp_path / "d.png", color_by="cluster")
    with pytest.raises(DataError, match="none of the 1 words"):
        plot_vectors(vectors, tmp_path / "d.png", words=["nope"])
