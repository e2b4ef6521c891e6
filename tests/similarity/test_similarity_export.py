"""export_spacy: a pipeline folder that spacy.load opens, in this process and in a fresh one."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import spacy
from gensim.test.utils import datapath

from nlptk.errors import OutputExistsError, ParameterError
from nlptk.similarity import export_spacy, use_vectors
from nlptk.vectors.container import Vectors

TEXTS = [
    "Bushfires are burning near Sydney.",
    "Fire crews battled the blazes overnight.",
    "Israeli troops and Palestinian militants clashed in Gaza.",
]


@pytest.fixture(scope="module")
def lee_vec() -> Vectors:
    from gensim.models import KeyedVectors

    return Vectors.from_gensim(KeyedVectors.load_word2vec_format(datapath("lee_fasttext.vec")))


def _pairs(nlp) -> list[float]:
    docs = [nlp(t) for t in TEXTS]
    return [docs[i].similarity(docs[j]) for i in range(3) for j in range(i + 1, 3)]


def test_export_loads_in_a_fresh_process_with_the_same_similarities(tmp_path, lee_vec: Vectors) -> None:
    from importlib.metadata import entry_points

    if "nlptk_vectors" not in {ep.name for ep in entry_points(group="spacy_factories")}:
        pytest.fail("nlptk's spacy_factories entry point is not installed: run `pip install -e .`")
    out = tmp_path / "pipeline"
    info = export_spacy(lee_vec, out, component=True)
    assert info.n_words == len(lee_vec) and info.n_rows == len(lee_vec) and info.dim == lee_vec.dim
    expected = _pairs(use_vectors(lee_vec))
    script = textwrap.dedent(
        f"""
        import json, sys, spacy
        nlp = spacy.load({str(out)!r})
        docs = [nlp(t) for t in {TEXTS!r}]
        sims = [docs[i].similarity(docs[j]) for i in range(3) for j in range(i + 1, 3)]
        print(json.dumps({{"sims": sims, "pipes": nlp.pipe_names, "n_keys": nlp.vocab.vectors.n_keys,
                           "imported_nlptk_first": False}}))
        """
    )
    # a fresh interpreter, run outside the repository: spaCy finds the component by entry point
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["pipes"] == ["nlptk_vectors"]
    assert got["n_keys"] == len(lee_vec)
    np.testing.assert_allclose(got["sims"], expected, atol=1e-6)
    # and in this process, with the word neighbours in place
    again = spacy.load(out)
    np.testing.assert_allclose(_pairs(again), expected, atol=1e-6)


def test_prune_maps_dropped_words_to_their_nearest_kept_vector(tmp_path, lee_vec: Vectors) -> None:
    keep = 200
    info = export_spacy(lee_vec, tmp_path / "pruned", prune=keep)
    assert info.n_rows == keep and info.n_words == len(lee_vec)
    assert info.remapped == len(lee_vec) - keep
    nlp = spacy.load(tmp_path / "pruned")
    table = nlp.vocab.vectors
    kept = lee_vec.vectors[:keep]
    unit = kept / np.linalg.norm(kept, axis=1, keepdims=True)
    for word in lee_vec.words[keep : keep + 30]:
        row = table.key2row[nlp.vocab.strings[word]]
        nearest = int(np.argmax(unit @ lee_vec[word]))
        assert np.allclose(table.data[row], kept[nearest])
    for word in lee_vec.words[:keep:20]:  # kept words keep their own vector
        np.testing.assert_array_equal(table.data[table.key2row[nlp.vocab.strings[word]]], lee_vec[word])


def test_export_refuses_to_overwrite_and_checks_prune(tmp_path, lee_vec: Vectors) -> None:
    out = tmp_path / "p"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(OutputExistsError):
        export_spacy(lee_vec, out)
    assert (out / "mine.txt").read_text() == "keep me"
    with pytest.raises(ParameterError, match="prune"):
        export_spacy(lee_vec, tmp_path / "q", prune=0)
    assert not (tmp_path / "q").exists()
    export_spacy(lee_vec, out, force=True)
    assert (out / "config.cfg").exists() and not (out / "mine.txt").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary leftovers
