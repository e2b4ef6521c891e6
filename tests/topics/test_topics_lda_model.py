"""nlptk.LDA: topics found, inference, similarity, persistence, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
from conftest import FRUIT, MACHINE

import nlptk
from nlptk.embed.lsa import LSA
from nlptk.errors import DataError, InputFileError, NotFittedError, ParameterError
from nlptk.topics import LDA, LDAConfig


def _fit(texts, **params):
    settings = {"n_topics": 2, "passes": 15, "workers": 1, "no_below": 1, "no_above": 1.0, "seed": 1}
    return LDA(**{**settings, **params}).fit(texts)


@pytest.fixture(scope="module")
def model(two_topic_texts):
    return _fit(two_topic_texts)


def test_two_separate_vocabularies_give_two_topics(model, two_topic_texts):
    tops = [{w for w, _ in topic} for topic in model.topics(top_n=8)]
    assert sorted(map(sorted, tops)) == sorted([sorted(FRUIT), sorted(MACHINE)])
    fruit_topic = 0 if tops[0] == set(FRUIT) else 1
    dominant = model.document_vectors_.argmax(axis=1)
    expected = [fruit_topic if i % 2 == 0 else 1 - fruit_topic for i in range(len(two_topic_texts))]
    assert dominant.tolist() == expected
    assert model.document_vectors_.max(axis=1).min() > 0.9
    mixture = model.infer("pear plum pear apple")
    assert mixture[fruit_topic] > 0.8 and mixture.sum() == pytest.approx(1.0, abs=1e-5)


def test_fitted_attributes_have_the_documented_shapes(model, two_topic_texts):
    n_terms = len(FRUIT) + len(MACHINE)
    assert model.components_.shape == model.lambda_.shape == (2, n_terms)
    assert np.allclose(model.components_.sum(axis=1), 1.0, atol=1e-5)
    assert model.document_vectors_.shape == (len(two_topic_texts), 2)
    assert model.alpha_.shape == (2,) and model.eta_.shape == (n_terms,)
    assert sorted(model.terms_) == sorted(FRUIT + MACHINE)
    assert model.document_lengths_.tolist() == [20] * len(two_topic_texts)
    assert model.backend_ == "LdaModel" and model.n_topics == 2
    assert model.documents_[0] == two_topic_texts[0]


def test_perplexity_is_reported_after_every_pass_and_falls(two_topic_texts):
    events = []
    model = LDA(n_topics=2, passes=4, workers=1, no_below=1, no_above=1.0).fit(
        two_topic_texts, progress=events.append
    )
    per_pass = [
        e.metrics for e in events if e.phase == "train" and "perplexity" in e.metrics and e.kind == "step"
    ]
    assert [m["pass"] for m in per_pass] == [1, 2, 3, 4]
    assert [m["perplexity"] for m in per_pass] == model.perplexity_
    assert model.perplexity_[-1] < model.perplexity_[0]
    assert {e.phase for e in events} >= {"vocabulary", "train", "infer"}


def test_similar_documents_by_hellinger_and_cosine(model, two_topic_texts):
    for metric in ("hellinger", "cosine"):
        matches = model.similar_documents("engine gear brake", top_n=5, metric=metric)
        assert len(matches) == 5
        assert all(m.index % 2 == 1 for m in matches), matches  # machine documents
        assert matches[0].score >= matches[-1].score > 0.7
    with pytest.raises(ParameterError, match="metric"):
        model.similar_documents("engine", metric="euclid")


@pytest.mark.parametrize("call", ["infer", "similar", "transform"])
def test_text_without_known_words_is_refused_not_given_a_uniform_mixture(model, call):
    with pytest.raises(DataError, match="no word of the model's vocabulary"):
        if call == "infer":
            model.infer("zebra xylophone")
        elif call == "similar":
            model.similar_documents("zebra xylophone")
        else:
            model.transform(["apple pear", "zebra"])


def test_save_load_round_trip_and_a_fresh_process(model, tmp_path):
    folder = model.save(tmp_path / "lda")
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["dictionary.tsv", "lda.json", "lda_arrays.npz", "lda_documents.jsonl"]
    info = json.loads((folder / "lda.json").read_text(encoding="utf-8"))
    assert info["format"] == "nlptk-lda" and info["config"]["n_topics"] == 2
    loaded = LDA.load(folder)
    texts = ["apple pear plum", "engine gear", "apple engine"]
    assert np.allclose(loaded.transform(texts), model.transform(texts), atol=1e-6)
    assert [[w for w, _ in t] for t in loaded.topics(3)] == [[w for w, _ in t] for t in model.topics(3)]
    assert np.array_equal(loaded.document_vectors_, model.document_vectors_)
    code = (
        "import json, sys; from nlptk.topics import LDA; "
        "m = LDA.load(sys.argv[1]); "
        "print(json.dumps(m.transform(['apple pear plum', 'engine gear']).tolist()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True
    )
    assert np.allclose(json.loads(out.stdout), model.transform(["apple pear plum", "engine gear"]), atol=1e-6)


def test_lsa_and_lda_folders_are_told_apart(model, tmp_path, two_topic_texts):
    lda_dir = model.save(tmp_path / "lda")
    lsa_dir = LSA(2).fit(two_topic_texts).save(tmp_path / "lsa")
    with pytest.raises(InputFileError, match="this is an LSA model folder"):
        LDA.load(lsa_dir)
    with pytest.raises(InputFileError, match="this is an LDA model folder"):
        LSA.load(lda_dir)
    with pytest.raises(InputFileError, match="not an LDA model folder"):
        LDA.load(tmp_path)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_topics": 0}, "n_topics=0 must be an integer >= 1"),
        ({"n_topics": 61}, "more than the number of documents"),
        ({"n_topics": 17}, "more than the number of words kept"),
        ({"no_below": 40}, "no word is left after no_below=40"),
        ({"no_above": 0.4}, "no word is left after no_above=0.4"),
        ({"alpha": [0.1, 0.2, 0.3]}, "alpha=.* has 3 values but n_topics is 2"),
        ({"alpha": "0.1,0.2,0.3"}, "has 3 values but n_topics is 2"),
        ({"alpha": "uniform"}, "is not one of symmetric, asymmetric, auto"),
        ({"eta": [0.1] * 3}, "eta=.* has 3 values but the vocabulary has 16 words"),
        ({"eta": "asymmetric"}, "is not one of symmetric, auto"),
        ({"alpha": -1.0}, "must be > 0"),
        ({"passes": 0}, "passes=0 must be"),
    ],
)
def test_bad_parameters_and_data_are_refused_with_the_numbers(two_topic_texts, params, message):
    with pytest.raises((ParameterError, DataError), match=message):
        _fit(two_topic_texts, **{"passes": 1, **params})


def test_no_documents_and_one_string_are_refused():
    with pytest.raises(DataError, match="no documents"):
        LDA(n_topics=2).fit([])
    with pytest.raises(ParameterError, match="not one string"):
        LDA(n_topics=2).fit("apple pear")


def test_explicit_priors_and_learned_alpha(two_topic_texts):
    explicit = _fit(two_topic_texts, passes=2, alpha="0.3,0.7", eta=0.05)
    assert explicit.alpha_.tolist() == pytest.approx([0.3, 0.7])
    assert explicit.eta_ == pytest.approx(np.full(16, 0.05))
    learned = _fit(two_topic_texts, passes=3, alpha="auto", workers=2)
    assert learned.backend_ == "LdaModel"  # LdaMulticore cannot learn alpha
    assert not np.allclose(learned.alpha_, 0.5)


def test_workers_above_one_train_with_ldamulticore(two_topic_texts):
    model = _fit(two_topic_texts, workers=2, passes=10)
    assert model.backend_ == "LdaMulticore"
    assert sorted(sorted(w for w, _ in t) for t in model.topics(8)) == sorted(
        [sorted(FRUIT), sorted(MACHINE)]
    )


def test_scikit_learn_conventions(two_topic_texts):
    from sklearn.base import clone

    lda = LDA(n_topics=3, passes=2, seed=5)
    assert lda.get_params()["n_topics"] == 3 and lda.seed == 5
    assert repr(LDA(n_topics=3)) == "LDA(n_topics=3)"
    assert repr(lda) == "LDA(n_topics=3, passes=2, seed=5)"  # scikit-learn's: every changed parameter
    assert isinstance(lda.config, LDAConfig)
    copy = clone(lda)
    assert copy.get_params() == lda.get_params() and copy is not lda
    assert lda.set_params(passes=4).passes == 4
    with pytest.raises(ParameterError, match="unknown"):
        lda.set_params(n_components=3)
    with pytest.raises(NotFittedError):
        lda.transform(["apple"])
    with pytest.raises(NotFittedError):
        lda.topics()
    assert nlptk.LDA is LDA


def test_lda_is_a_scikit_learn_estimator(two_topic_texts, tmp_path):
    from sklearn.base import BaseEstimator, clone

    lda = LDA(10, passes=5, workers=1)
    assert isinstance(lda, BaseEstimator) and (lda.n_topics, lda.passes, lda.workers) == (10, 5, 1)
    # all settings at once; keywords beside the config win; clone keeps them all
    given = LDA(config=LDAConfig(n_topics=4, passes=3, alpha="0.1,0.2,0.3,0.4"), passes=6)
    assert (given.n_topics, given.passes, given.alpha) == (4, 6, (0.1, 0.2, 0.3, 0.4))
    assert clone(given).get_params() == given.get_params() == LDA(**given.get_params()).get_params()
    # __init__ only stores; fit (or reading .config) checks, with the same one-line messages
    bad = LDA(n_topics=0)
    assert bad.n_topics == 0
    with pytest.raises(ParameterError, match=r"^n_topics=0 must be an integer >= 1$"):
        bad.fit(two_topic_texts)
    with pytest.raises(ParameterError, match="unexpected keyword argument 'n_components'"):
        LDA(n_components=3)
    # set_params, then fit: fit runs with the new values; the fitted settings stay with the model
    model = LDA(n_topics=3, workers=1, no_below=1, no_above=1.0, passes=2, seed=1)
    model.set_params(n_topics=2, passes=4).fit(two_topic_texts)
    assert model.components_.shape[0] == 2 and model.config_.passes == 4
    model.set_params(n_topics=5)
    assert model.config_.n_topics == 2 and model.transform(["apple pear"]).shape == (1, 2)
    loaded = LDA.load(model.save(tmp_path / "lda"))
    assert loaded.config_ == model.config_ and loaded.n_topics == 2


def test_lda_in_a_pipeline_and_a_grid_search(two_topic_texts):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    labels = [i % 2 for i in range(len(two_topic_texts))]  # fruit 0, machine parts 1
    lda = LDA(n_topics=2, workers=1, no_below=1, no_above=1.0, seed=1)
    pipe = Pipeline([("lda", lda), ("clf", LogisticRegression())])
    search = GridSearchCV(pipe, {"lda__passes": [5, 10]}, cv=2).fit(two_topic_texts, labels)
    assert sorted(search.cv_results_["param_lda__passes"]) == [5, 10]
    assert search.best_score_ == 1.0
    best = search.best_estimator_.named_steps["lda"]
    assert best.passes == search.best_params_["lda__passes"] == best.config_.passes
    assert search.predict(["apple pear plum", "engine gear axle"]).tolist() == [0, 1]
    assert not hasattr(lda, "lambda_")  # the search fitted clones, not the estimator given


def test_lsa_takes_seed_and_keeps_random_state_with_a_warning(two_topic_texts):
    assert LSA(2, seed=3).get_params()["seed"] == 3
    with pytest.warns(DeprecationWarning, match="use seed"):
        old = LSA(2, random_state=3)
    assert old.seed == 3 and "random_state" not in old.get_params()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = LSA(2, seed=3).fit(two_topic_texts).document_vectors_
    assert np.allclose(np.abs(a), np.abs(old.fit(two_topic_texts).document_vectors_))


def test_one_pass_bags_of_words_equal_gensims_doc2bow(two_topic_texts):
    from gensim.corpora import Dictionary

    from nlptk.topics._bow import build_bag_of_words

    docs = [t.split()[: 5 + i % 7] for i, t in enumerate(two_topic_texts)] + [["zebra"], [], ["apple"] * 3]
    dictionary, bow = build_bag_of_words(docs, no_below=3, no_above=0.4, keep_n=12)
    reference = Dictionary(docs)
    reference.filter_extremes(no_below=3, no_above=0.4, keep_n=12)
    assert dictionary.token2id == reference.token2id
    assert [bow.document(i) for i in range(len(bow))] == [reference.doc2bow(d) for d in docs]


def test_training_is_gensims_ldamodel_with_the_same_parameters(two_topic_texts):
    """nlptk adds the perplexity after each pass without changing what gensim learns."""
    from gensim.models import LdaModel

    model = _fit(two_topic_texts, passes=3, seed=7, alpha="asymmetric", eta=0.02)
    tokenizer = model.tokenizer_
    corpus = [model.dictionary_.doc2bow(tokenizer(t)) for t in two_topic_texts]
    direct = LdaModel(
        corpus, num_topics=2, id2word=model.dictionary_, passes=3, random_state=7, alpha="asymmetric",
        eta=0.02, eval_every=None, dtype=np.float32,
    )  # fmt: skip
    assert len(model.perplexity_) == 3
    assert np.allclose(model.lambda_, direct.state.get_lambda(), rtol=1e-5)
