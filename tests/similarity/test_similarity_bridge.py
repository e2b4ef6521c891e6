"""The spaCy bridge: vectors in a pipeline, policies, coverage, neighbours, bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import spacy
from gensim.test.utils import datapath

from nlptk.errors import DataError, InputFileError, ParameterError, VocabularyError
from nlptk.similarity import (
    NoVectorWarning,
    get_component,
    load_pipeline,
    most_similar_words,
    similarity,
    similarity_matrix,
    use_vectors,
)
from nlptk.vectors.container import Vectors

FIRE = [
    "Bushfires are burning out of control near Sydney and firefighters are battling the blazes.",
    "Fire crews worked through the night to contain the bushfire as strong winds fanned the flames.",
    "Hundreds of homes were threatened by bushfires in the Blue Mountains west of Sydney.",
]
CONFLICT = [
    "Israeli troops fired on Palestinian protesters in the West Bank as violence continued.",
    "Palestinian militants and Israeli security forces clashed again in Gaza.",
    "Arafat condemned the Israeli helicopter attack on the Palestinian town.",
]


@pytest.fixture()
def hand_vectors() -> Vectors:
    """3-d vectors made by hand: cat ~ dog, car apart."""
    words = ["cat", "dog", "car", "sat"]
    matrix = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1], [0, 1, 0]], dtype=np.float32)
    return Vectors(words, matrix)


@pytest.fixture(scope="module")
def lee_w2v() -> Vectors:
    """word2vec trained on gensim's Lee corpus (fixed seed, one worker: reproducible)."""
    from gensim.models import Word2Vec
    from gensim.utils import simple_preprocess

    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        sentences = [simple_preprocess(line) for line in fh]
    model = Word2Vec(sentences, vector_size=50, min_count=2, seed=1, workers=1, epochs=20)
    return Vectors.from_gensim(model.wv)


@pytest.fixture(scope="module")
def lee_fasttext() -> Vectors:
    from gensim.models.fasttext import load_facebook_vectors

    return Vectors.from_gensim(load_facebook_vectors(datapath("lee_fasttext.bin")))


# -- the pipeline gets the vectors --------------------------------------------------------------
def test_tokens_spans_docs_have_the_vectors(hand_vectors: Vectors) -> None:
    nlp = use_vectors(hand_vectors, "en")
    assert nlp.pipe_names == ["nlptk_vectors"]
    doc = nlp("the cat sat on a car")
    np.testing.assert_array_equal(doc[1].vector, hand_vectors["cat"])
    assert doc[1].has_vector and not doc[0].has_vector
    # skip policy: the doc vector is the mean of the known words only
    np.testing.assert_allclose(
        doc.vector, (hand_vectors["cat"] + hand_vectors["sat"] + hand_vectors["car"]) / 3, rtol=1e-6
    )
    np.testing.assert_allclose(doc[1:3].vector, (hand_vectors["cat"] + hand_vectors["sat"]) / 2, rtol=1e-6)
    cat_dog = 0.9 / math.sqrt(0.82)
    assert doc[1].similarity(nlp("dog")[0]) == pytest.approx(cat_dog, abs=1e-6)
    assert nlp("a cat").similarity(nlp("the dog")) == pytest.approx(cat_dog, abs=1e-6)
    assert doc[1:2].similarity(nlp("dog")) == pytest.approx(cat_dog, abs=1e-6)
    assert nlp("cat").similarity(nlp("car")) == pytest.approx(0.0, abs=1e-7)


def test_cached_doc_vectors_follow_retokenization(hand_vectors: Vectors) -> None:
    nlp = use_vectors(hand_vectors)
    doc = nlp("cat sat")
    np.testing.assert_allclose(doc.vector, (hand_vectors["cat"] + hand_vectors["sat"]) / 2)
    assert get_component(nlp).text_vector(doc).n_tokens == 2
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[0:2])  # one token "cat sat" (spaCy gives it the span's vector)
    assert get_component(nlp).text_vector(doc).n_tokens == 1
    np.testing.assert_allclose(doc.vector, (hand_vectors["cat"] + hand_vectors["sat"]) / 2)
    assert doc.similarity(nlp("dog")) == pytest.approx(nlp("cat sat").similarity(nlp("dog")), abs=1e-6)


def test_lowercased_vectors_are_looked_up_by_lowercase(hand_vectors: Vectors) -> None:
    nlp = use_vectors(hand_vectors)
    assert get_component(nlp).attr == "LOWER"
    assert nlp("The CAT")[1].has_vector
    cased = Vectors(["Cat", "cat"], np.eye(2, dtype=np.float32))
    assert get_component(use_vectors(cased)).attr == "ORTH"


def test_coverage_is_exact_on_hand_made_texts(hand_vectors: Vectors) -> None:
    nlp = use_vectors(hand_vectors)
    # 6 word tokens, 3 known; punctuation without a vector is not counted
    result = similarity("The cat sat on a car.", "dog, bird", nlp)
    assert result.coverage_a == pytest.approx(3 / 6)
    assert result.coverage_b == pytest.approx(1 / 2)
    assert result.reason is None
    expected = np.dot(
        (hand_vectors["cat"] + hand_vectors["sat"] + hand_vectors["car"]) / 3, hand_vectors["dog"]
    )
    expected /= np.linalg.norm(
        (hand_vectors["cat"] + hand_vectors["sat"] + hand_vectors["car"]) / 3
    ) * np.linalg.norm(hand_vectors["dog"])
    assert result.score == pytest.approx(float(expected), abs=1e-6)
    # whitespace tokens never count, even when the vectors have an entry for them
    spaced = Vectors(["cat", "  "], np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float32))
    assert similarity("cat   zebra", "cat", use_vectors(spaced)).coverage_a == pytest.approx(1 / 2)


def test_no_known_words_and_empty_text_give_a_marker_not_zero(hand_vectors: Vectors) -> None:
    for oov in ("skip", "zero"):
        nlp = use_vectors(hand_vectors, oov=oov)
        result = similarity("a bird flew", "the cat", nlp)
        assert result.score is None
        assert result.reason == "no known words in text A (0 of 3 tokens have a vector)"
        assert result.coverage_a == 0.0 and result.coverage_b == 0.5
        empty = similarity("cat", "", nlp)
        assert empty.score is None and empty.reason == "text B is empty"
        both = similarity("", "  ", nlp)
        assert both.score is None and "text A is empty" in both.reason and "text B is empty" in both.reason


def test_policies_behave_as_documented(hand_vectors: Vectors) -> None:
    skip, zero = use_vectors(hand_vectors, oov="skip"), use_vectors(hand_vectors, oov="zero")
    np.testing.assert_allclose(skip("cat bird").vector, hand_vectors["cat"])
    np.testing.assert_allclose(
        zero("cat bird").vector, hand_vectors["cat"] / 2
    )  # spaCy's mean over all tokens
    # cosine ignores scale: the two policies agree on scores between texts with known words
    assert skip("cat bird").similarity(skip("dog")) == pytest.approx(zero("cat bird").similarity(zero("dog")))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert math.isnan(skip("bird").similarity(skip("cat")))
        assert zero("bird").similarity(zero("cat")) == 0.0
    assert sum(issubclass(w.category, NoVectorWarning) for w in caught) == 2


def test_subword_policy_builds_vectors_for_unseen_words(lee_fasttext: Vectors) -> None:
    word = "bushfirez"
    assert word not in lee_fasttext
    skip = use_vectors(lee_fasttext, oov="skip")
    sub = use_vectors(lee_fasttext, oov="subword")
    assert not skip(word)[0].has_vector
    token = sub(word)[0]
    assert token.has_vector
    np.testing.assert_allclose(token.vector, lee_fasttext.get_vector(word), rtol=1e-5, atol=1e-6)
    assert similarity("xqzzy bushfirez", "fire", skip).score is None
    result = similarity("xqzzy bushfirez", "fire", sub)
    assert result.coverage_a == 1.0 and result.score is not None
    with pytest.raises(ParameterError, match="subword"):
        use_vectors(Vectors(["a"], np.ones((1, 3), np.float32)), oov="subword")


def test_related_documents_score_above_unrelated(lee_w2v: Vectors, lee_fasttext: Vectors) -> None:
    for nlp in (use_vectors(lee_w2v), use_vectors(lee_fasttext, oov="subword")):
        scores = similarity_matrix(FIRE + CONFLICT, nlp).scores
        for i in range(6):
            same = [scores[i, j] for j in range(6) if j != i and (j < 3) == (i < 3)]
            other = [scores[i, j] for j in range(6) if (j < 3) != (i < 3)]
            assert min(same) > max(other), (i, same, other)
        single = similarity(FIRE[0], FIRE[1], nlp).score
        assert single == pytest.approx(scores[0, 1], abs=1e-5)
        assert single > similarity(FIRE[0], CONFLICT[0], nlp).score


def test_matrix_marks_texts_without_vectors(hand_vectors: Vectors) -> None:
    result = similarity_matrix(["cat", "zebra", "dog", ""], use_vectors(hand_vectors))
    assert result.missing == [1, 3]
    assert np.isnan(result.scores[1]).all() and np.isnan(result.scores[:, 3]).all()
    assert result.scores[0, 0] == 1.0 and result.scores[0, 2] == pytest.approx(0.9 / math.sqrt(0.82))
    np.testing.assert_array_equal(result.coverage, [1.0, 0.0, 1.0, 0.0])
    with pytest.raises(DataError):
        similarity_matrix([], use_vectors(hand_vectors))


def test_most_similar_words_agrees_with_nlptk(lee_w2v: Vectors, lee_fasttext: Vectors) -> None:
    nlp = use_vectors(lee_w2v)
    for word in ("fire", "police", "israeli"):
        ours = most_similar_words(word, nlp, topn=5)
        theirs = lee_w2v.most_similar(word, topn=5)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-4)
    with pytest.raises(VocabularyError):
        most_similar_words("qwzxv", nlp)
    # subword vectors answer for unseen words
    sub = use_vectors(lee_fasttext, oov="subword")
    ours = most_similar_words("bushfirez", sub, topn=3)
    theirs = lee_fasttext.most_similar(lee_fasttext.get_vector("bushfirez"), topn=3)
    assert [w for w, _ in ours] == [w for w, _ in theirs]


def test_saved_pipeline_reloads_without_the_nlptk_object(tmp_path, lee_fasttext: Vectors) -> None:
    nlp = use_vectors(lee_fasttext, oov="subword")
    before = nlp(FIRE[0]).similarity(nlp("bushfirez spreading"))
    nlp.to_disk(tmp_path / "p")
    again = spacy.load(tmp_path / "p")
    assert again.pipe_names == ["nlptk_vectors"]
    assert again(FIRE[0]).similarity(again("bushfirez spreading")) == pytest.approx(before, abs=1e-6)
    assert get_component(again).subwords is not None


# -- bad input ----------------------------------------------------------------------------------
def test_unknown_language_code(hand_vectors: Vectors) -> None:
    with pytest.raises(ParameterError, match="unknown language code 'zz'"):
        use_vectors(hand_vectors, "zz")


def test_pipeline_not_installed_says_how_to_install(hand_vectors: Vectors, monkeypatch) -> None:
    import spacy.cli

    def no_network(*args, **kwargs):  # pragma: no cover - the test fails if it is called
        raise AssertionError("tried to download")

    monkeypatch.setattr(spacy.cli, "download", no_network)
    with pytest.raises(InputFileError) as info:
        use_vectors(hand_vectors, "en_core_web_nonexistent")
    assert "not installed" in str(info.value)
    assert "python -m spacy download en_core_web_sm" in str(info.value)
    with pytest.raises(InputFileError, match="not found"):
        load_pipeline(str(tmp_missing := "./no/such/pipeline"))
    assert tmp_missing


def test_dimension_mismatch_with_an_existing_pipeline(tmp_path, hand_vectors: Vectors) -> None:
    from spacy.vectors import Vectors as SpacyVectors

    other = spacy.blank("en")
    keys = [other.vocab.strings.add(w) for w in ("x", "y")]
    other.vocab.vectors = SpacyVectors(strings=other.vocab.strings, data=np.ones((2, 5), "f"), keys=keys)
    other.to_disk(tmp_path / "five_dims")
    with pytest.raises(DataError, match=r"3 dims but .* already has 5-dim vectors"):
        use_vectors(hand_vectors, tmp_path / "five_dims")
    with pytest.raises(InputFileError, match=r"no config\.cfg"):
        use_vectors(hand_vectors, str(tmp_path))


def test_bad_policy_and_texts(hand_vectors: Vectors) -> None:
    with pytest.raises(ParameterError, match="unknown oov policy"):
        use_vectors(hand_vectors, oov="guess")
    with pytest.raises(ParameterError, match="no nlptk_vectors component"):
        similarity("a", "b", spacy.blank("en"))
    with pytest.raises(ParameterError):
        similarity(None, "b", use_vectors(hand_vectors))  # type: ignore[arg-type]


@pytest.mark.parametrize("oov", ["skip", "zero"])
def test_batch_vectors_equal_one_by_one(hand_vectors: Vectors, oov: str) -> None:
    nlp = use_vectors(hand_vectors, oov=oov)
    texts = ["The cat sat on a car.", "", "zebra !", "dog, dog", "  ", "CAR"]
    matrix, stats = get_component(nlp).text_vectors([nlp(t) for t in texts])
    for text, row, tv in zip(texts, matrix, stats, strict=True):
        one = get_component(nlp).text_vector(nlp(text))
        assert (tv.n_known, tv.n_tokens) == (one.n_known, one.n_tokens), text
        if one.vector is None:
            assert tv.vector is None and not row.any()
        else:
            np.testing.assert_allclose(tv.vector, one.vector, rtol=1e-6)
