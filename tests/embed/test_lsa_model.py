"""LSA estimator on gensim's lee_background.cor: topics, similarity search, persistence, term vectors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gensim.test.utils import datapath

from nlptk.embed.lsa import LSA, LSAConfig, fit_lsa, is_lsa_model, train_lsa
from nlptk.errors import (
    DataError,
    IncompatibleModelError,
    InputFileError,
    NotFittedError,
    OutputExistsError,
    ParameterError,
)
from nlptk.text.corpus import TextLineCorpus
from nlptk.text.tokenize import RegexTokenizer
from nlptk.vectors.container import Vectors

LEE = datapath("lee_background.cor")


@pytest.fixture(scope="module")
def docs() -> list[str]:
    return list(TextLineCorpus(LEE))


@pytest.fixture(scope="module")
def model(docs) -> LSA:
    return LSA(n_topics=40, min_df=2, max_df=0.5).fit(docs)


def test_fitted_attributes_have_the_documented_shapes(model, docs):
    n_terms = len(model.terms_)
    assert model.components_.shape == (40, n_terms)
    assert model.document_vectors_.shape == (len(docs), 40) == (300, 40)
    assert model.explained_variance_ratio_.shape == (40,)
    assert model.idf_.shape == model.document_frequency_.shape == (n_terms,)
    assert model.vocabulary_["israeli"] == model.terms_.index("israeli")
    assert len(model.documents_) == 300 and model.documents_[0].startswith("Hundreds of people")
    # max_df=0.5 drops terms found in more than half the documents
    assert "the" not in model.vocabulary_
    # fit_transform gives the document vectors; transform of the same texts agrees
    np.testing.assert_allclose(model.transform(docs[:5]), model.document_vectors_[:5], atol=1e-10)


def test_topics_hold_terms_that_occur_together(model):
    topics = [{term for term, _ in topic} for topic in model.topics(top_n=10)]
    assert any({"israeli", "palestinian", "arafat"} <= t for t in topics)
    assert any({"bin", "laden", "qaeda"} <= t for t in topics)
    assert any({"fire", "firefighters"} <= t for t in topics)
    weights = [w for _, w in model.topics(top_n=10)[1]]
    assert weights == sorted(weights, reverse=True) and weights[0] > 0


@pytest.mark.parametrize("index", [0, 17, 150, 299])
def test_a_query_built_from_a_document_ranks_it_first(model, docs, index):
    matches = model.similar_documents(docs[index], top_n=3)
    assert matches[0].index == index
    assert matches[0].score == pytest.approx(1.0, abs=1e-6)
    assert matches[0].score >= matches[1].score >= matches[2].score
    assert matches[0].text == model.documents_[index]


def test_a_short_query_finds_documents_on_its_subject(model):
    matches = model.similar_documents("bushfires burning homes near sydney, firefighters", top_n=3)
    assert all("fire" in m.text.lower() for m in matches)


def test_query_without_known_terms_is_a_clear_error(model):
    with pytest.raises(DataError, match="no term of the model's vocabulary"):
        model.similar_documents("zzzqx qqqzw")


def test_term_vectors_are_nlptk_vectors_usable_by_most_similar(model):
    vectors = model.term_vectors()
    assert isinstance(vectors, Vectors)
    assert vectors.dim == 40 and len(vectors) == len(model.terms_)
    assert vectors.meta["method"] == "lsa" and vectors.meta["params"]["n_topics"] == 40
    # counts are document frequencies, most frequent first
    assert list(vectors.counts) == sorted(vectors.counts, reverse=True)
    tok = RegexTokenizer()
    docs_with = sum("palestinian" in set(tok(d)) for d in TextLineCorpus(LEE))
    assert vectors.counts[vectors.index("palestinian")] == docs_with
    neighbours = [w for w, _ in vectors.most_similar("israeli", topn=10)]
    assert {"palestinian", "arafat"} & set(neighbours)
    # rows are components^T scaled by the singular values
    col = model.vocabulary_["israeli"]
    np.testing.assert_allclose(
        vectors["israeli"], model.components_[:, col] * model.singular_values_, rtol=1e-5
    )


def test_save_load_round_trip_gives_identical_results(model, docs, tmp_path):
    out = model.save(tmp_path / "lsa")
    assert is_lsa_model(out) and not is_lsa_model(tmp_path)
    with np.load(out / "lsa_arrays.npz", allow_pickle=False) as arrays:  # no pickle inside
        assert set(arrays.files) >= {"idf", "components", "document_vectors"}
    info = json.loads((out / "lsa.json").read_text())
    assert info["tokenizer"] == RegexTokenizer().to_config()
    loaded = LSA.load(out)
    assert np.array_equal(loaded.transform(docs[:30]), model.transform(docs[:30]))
    assert loaded.topics(5) == model.topics(5)
    assert loaded.similar_documents(docs[3], top_n=5) == model.similar_documents(docs[3], top_n=5)
    assert loaded.get_params() == {**model.get_params(), "tokenizer": RegexTokenizer().to_config()}
    # the term vectors are also saved in nlptk's native format
    native = Vectors.load(out / "term_vectors")
    assert native.words[:20] == model.term_vectors().words[:20]
    with pytest.raises(OutputExistsError):
        model.save(out)
    model.save(out, force=True)


def test_load_refuses_what_is_not_a_model(tmp_path, model):
    with pytest.raises(InputFileError, match="not an LSA model folder"):
        LSA.load(tmp_path)
    out = model.save(tmp_path / "m")
    info = json.loads((out / "lsa.json").read_text())
    info["format_version"] = 99
    (out / "lsa.json").write_text(json.dumps(info))
    with pytest.raises(IncompatibleModelError, match="version 99"):
        LSA.load(out)


def test_not_fitted_errors():
    lsa = LSA(n_topics=5)
    for call in (
        lambda: lsa.transform(["a b"]),
        lambda: lsa.topics(),
        lambda: lsa.term_vectors(),
        lambda: lsa.similar_documents("a"),
        lambda: lsa.save("never-written"),
    ):
        with pytest.raises(NotFittedError, match="not fitted"):
            call()


def test_bad_parameters_and_data(docs):
    with pytest.raises(ParameterError, match="n_topics must be"):
        LSA(n_topics=0).fit(docs[:10])
    with pytest.raises(ParameterError, match=r"n_topics\(50\) must be <= number of documents\(10\)"):
        LSA(n_topics=50).fit(docs[:10])
    with pytest.raises(ParameterError, match=r"must be < number of terms"):
        LSA(n_topics=3).fit(["a b", "b c", "a c"])
    with pytest.raises(DataError, match="no documents"):
        LSA(n_topics=2).fit([])
    with pytest.raises(DataError, match="no terms left"):
        LSA(n_topics=2).fit(["!!!", "..."])
    with pytest.raises(ParameterError, match="not one string"):
        LSA(n_topics=2).fit("one text")
    with pytest.raises(ParameterError, match="no parameter"):
        LSA().set_params(topics=3)


def test_scikit_learn_conventions(two_topic_texts):
    import warnings

    from sklearn.base import BaseEstimator, clone

    lsa = LSA(n_topics=7, min_df=2)
    assert isinstance(lsa, BaseEstimator)
    assert clone(lsa).get_params() == lsa.get_params()
    assert lsa.set_params(n_topics=3) is lsa and lsa.n_topics == 3
    assert not hasattr(lsa, "components_")  # __init__ only stores parameters
    assert repr(lsa) == "LSA(min_df=2, n_topics=3)"  # scikit-learn's: the parameters that differ
    assert repr(LSA(20)) == "LSA(n_topics=20)"
    # set_params, then fit: fit runs with the new values
    lsa.set_params(n_topics=2, min_df=1, tokenizer="whitespace")
    assert lsa.fit(two_topic_texts).document_vectors_.shape == (len(two_topic_texts), 2)
    assert lsa.tokenizer_.to_config()["name"] == "whitespace"
    # the old seed name: translated once at the door, so a clone neither has it nor warns again
    with pytest.warns(DeprecationWarning, match="use seed"):
        old = LSA(2, random_state=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        copy = clone(old)
    assert copy.get_params() == LSA(2, seed=4).get_params()
    with pytest.warns(DeprecationWarning, match="use seed"):
        assert LSA(2).set_params(random_state=5).seed == 5
    # all settings at once
    assert LSA(config=LSAConfig(n_topics=9, min_df=3), min_df=4).get_params() == LSA(9, min_df=4).get_params()
    assert LSA(9, max_df=0.5).config == LSAConfig(n_topics=9, max_df=0.5)


def test_bad_values_are_stored_and_refused_by_fit_with_one_line(two_topic_texts):
    bad = LSA(n_topics=0, max_features=0)  # scikit-learn's rule: __init__ only stores
    assert bad.n_topics == 0
    with pytest.raises(ParameterError, match=r"^n_topics must be an integer >= 1, got 0$"):
        bad.fit(two_topic_texts)
    for params, message in [
        ({"min_df": -1}, r"min_df must be a count \(int >= 0\) or a share \(float in 0..1\), got -1"),
        ({"max_df": 1.5}, "max_df as a share must be within 0..1, got 1.5"),
        ({"max_features": 0}, "max_features must be an integer >= 1, got 0"),
        ({"snippet_chars": 0}, "snippet_chars must be >= 1, got 0"),
        ({"n_topics": "2"}, "n_topics='2' must be an integer"),
    ]:
        with pytest.raises(ParameterError, match=message):
            LSA(**params).fit(two_topic_texts)
    with pytest.raises(ParameterError, match="got an unexpected keyword argument 'topics'"):
        LSA(topics=3)


def test_lsa_in_a_pipeline_and_a_grid_search(two_topic_texts):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    labels = [i % 2 for i in range(len(two_topic_texts))]  # fruit 0, machine parts 1
    pipe = Pipeline([("lsa", LSA(n_topics=2)), ("clf", LogisticRegression())])
    grid = {"lsa__n_topics": [2, 3], "lsa__seed": [0, 1]}
    search = GridSearchCV(pipe, grid, cv=3).fit(two_topic_texts, labels)
    assert sorted(search.cv_results_["param_lsa__n_topics"]) == [2, 2, 3, 3]
    assert search.best_score_ == 1.0
    best = search.best_estimator_.named_steps["lsa"]
    assert best.n_topics == search.best_params_["lsa__n_topics"] == best.components_.shape[0]
    assert search.predict(["apple pear plum", "engine gear axle"]).tolist() == [0, 1]


def test_fit_lsa_from_a_registry_name_refuses_existing_output_first(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(OutputExistsError):
        fit_lsa("lee_background", tmp_path / "taken", n_topics=5)
    model = fit_lsa(LEE, tmp_path / "new", n_topics=5, min_df=2)
    assert LSA.load(tmp_path / "new").topics(3) == model.topics(3)


def test_train_lsa_follows_the_trainer_protocol(tmp_path, docs):
    tok = RegexTokenizer()
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("".join(" ".join(tok(d)) + "\n" for d in docs), encoding="utf-8")
    events = []
    workdir = tmp_path / "out"
    workdir.mkdir()
    vectors = train_lsa(tokens, workdir=workdir, progress=events.append, dim=20, min_count=2, seed=1)
    assert vectors.dim == 20 and vectors.meta["method"] == "lsa"
    assert vectors.meta["params"] == {
        "dim": 20,
        "min_count": 2,
        "max_df": 1.0,
        "sublinear_tf": True,
        "seed": 1,
    }
    assert set(vectors.meta["files"]) == {"lsa.json", "lsa_arrays.npz", "lsa_documents.jsonl"}
    assert [e.kind for e in events] == ["start", "end"] and events[0].phase == "train"
    assert vectors.counts is not None and vectors.counts[0] == max(vectors.counts)
    # the folder is an LSA model; with no run manifest the default tokenizer is used
    assert LSA.load(workdir).similar_documents(docs[5], top_n=1)[0].index == 5
    with pytest.raises(ParameterError, match="dim=0 must be an integer >= 1"):
        train_lsa(tokens, dim=0)
    with pytest.raises(DataError, match="empty vocabulary with min_count=1000"):
        train_lsa(tokens, dim=5, min_count=1000)
