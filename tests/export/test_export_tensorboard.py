"""A real client check: TensorBoard's projector plugin reads an nlptk export folder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nlptk.export.projector import export_documents, export_projector
from nlptk.vectors.container import Vectors

projector_plugin = pytest.importorskip("tensorboard.plugins.projector.projector_plugin")
base_plugin = pytest.importorskip("tensorboard.plugins.base_plugin")
werkzeug_test = pytest.importorskip("werkzeug.test")
try:  # the plugin reads files through TensorBoard's TensorFlow stub, which needs absl
    from tensorboard.compat import tf as _tf

    _tf.io.gfile.exists  # noqa: B018 - the attribute access triggers the lazy import
except ImportError as exc:  # pragma: no cover
    pytest.skip(f"TensorBoard's file layer is not usable: {exc}", allow_module_level=True)


class _NoRuns:
    """A data provider with no runs: the plugin then serves the log folder itself as run '.'."""

    def list_runs(self, ctx, *, experiment_id):
        return []


def _client(logdir):
    context = base_plugin.TBContext(logdir=str(logdir), data_provider=_NoRuns())
    plugin = projector_plugin.ProjectorPlugin(context)
    apps = plugin.get_plugin_apps()
    return {route: werkzeug_test.Client(app) for route, app in apps.items()}


def _get(client, route, **params):
    response = client[route].get(route, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_tensorboard_projector_reads_word_export(tmp_path):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)] + ["new\tyork", "line\nbreak"]
    vectors = Vectors(words, rng.normal(size=(42, 7)).astype(np.float32), counts=np.arange(42, 0, -1))
    out = tmp_path / "proj"
    export_projector(vectors, out, metadata=["word", "count", "rank"], tensor_name="words")
    client = _client(out)

    assert json.loads(_get(client, "/runs").get_data(as_text=True)) == ["."]
    config = json.loads(_get(client, "/info", run=".").get_data(as_text=True))
    (embedding,) = config["embeddings"]
    assert embedding["tensorName"] == "words"
    assert [int(s) for s in embedding["tensorShape"]] == [42, 7]

    raw = _get(client, "/tensor", run=".", name="words").get_data()
    tensor = np.frombuffer(raw, dtype=np.float32).reshape(42, 7)
    np.testing.assert_allclose(tensor, vectors.vectors, rtol=1e-5, atol=1e-6)

    metadata = _get(client, "/metadata", run=".", name="words").get_data(as_text=True)
    lines = metadata.splitlines()
    assert lines[0] == "word\tcount\trank"  # several columns: a header row
    assert len(lines) == 1 + 42
    assert lines[41].split("\t") == ["new\\tyork", "2", "41"]
    assert all(len(line.split("\t")) == 3 for line in lines)


def test_tensorboard_projector_reads_single_column_and_documents(tmp_path):
    out = tmp_path / "docs"
    export_documents(
        np.eye(5, dtype=np.float32),
        out,
        metadata={"text": ["a", "b", "c", "d", "e"]},
    )
    client = _client(out)
    config = json.loads(_get(client, "/info", run=".").get_data(as_text=True))
    name = config["embeddings"][0]["tensorName"]
    raw = _get(client, "/tensor", run=".", name=name).get_data()
    assert np.frombuffer(raw, dtype=np.float32).reshape(5, 5).tolist() == np.eye(5).tolist()
    metadata = _get(client, "/metadata", run=".", name=name).get_data(as_text=True)
    assert metadata.splitlines() == ["a", "b", "c", "d", "e"]  # one column: no header
