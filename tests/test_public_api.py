"""The public API is ``nlptk.__all__``: this test holds it steady and checks every name resolves."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import nlptk

EXPECTED = {
    "ClassifierConfig",
    "GloVe",
    "LDA",
    "LSA",
    "LabelledData",
    "LanguageModel",
    "LanguageModelConfig",
    "NlptkError",
    "TextClassifier",
    "TrainedClassifier",
    "Vectors",
    "Vocabulary",
    "__version__",
    "classifier_learner",
    "classify",
    "corpus_stats",
    "download_corpus",
    "embed",
    "errors",
    "evaluate_classifier",
    "evaluate_vectors",
    "export",
    "export_documents",
    "export_projector",
    "export_spacy",
    "finetune_language_model",
    "get_tokenizer",
    "io",
    "list_corpora",
    "load_labelled_splits",
    "load_language_model",
    "lm",
    "load_vectors",
    "open_corpus",
    "plot_vectors",
    "load_classifier",
    "load_labelled",
    "resolve_corpus",
    "save_vectors",
    "similarity",
    "similarity_matrix",
    "text",
    "topics",
    "train_classifier",
    "train_embeddings",
    "train_language_model",
    "train_val_split",
    "use_vectors",
    "vectors",
}


def test_all_is_held_steady() -> None:
    assert set(nlptk.__all__) == EXPECTED


def test_every_public_name_resolves() -> None:
    for name in nlptk.__all__:
        assert getattr(nlptk, name) is not None, name
    assert nlptk.train_embeddings is nlptk.embed.train_embeddings
    assert nlptk.load_vectors is nlptk.vectors.load_vectors
    assert nlptk.LanguageModel is nlptk.lm.LanguageModel


def test_import_is_light() -> None:
    """``import nlptk`` must not pull torch, spaCy or gensim (they load on first use)."""
    code = "import sys, nlptk; print(sorted(m for m in ('torch', 'spacy', 'gensim') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_command_line_import_is_light() -> None:
    """``nlptk --help`` and every command start without torch, spaCy, gensim or scikit-learn."""
    code = (
        "import sys, nlptk.cli.app; "
        "print(sorted(m for m in ('torch', 'spacy', 'gensim', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_subpackages_resolve_names_lazily() -> None:
    import nlptk.classify
    import nlptk.lm

    for package in (nlptk.classify, nlptk.lm):
        for name in package.__all__:
            assert getattr(package, name) is not None, f"{package.__name__}.{name}"
        assert set(package.__all__) <= set(dir(package))
    assert nlptk.classify.ClassifierConfig is nlptk.ClassifierConfig
    assert nlptk.lm.EncoderConfig is importlib.import_module("nlptk.lm.encoder").EncoderConfig
    with pytest.raises(AttributeError):
        _ = nlptk.classify.no_such_name


def test_package_ships_type_information() -> None:
    from importlib.resources import files

    assert files("nlptk").joinpath("py.typed").is_file()
