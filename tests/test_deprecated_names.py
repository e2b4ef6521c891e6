"""Every renamed public name still works for one release, with a DeprecationWarning naming the new one."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import nlptk
from nlptk._deprecated import REMOVED_IN

# (module, old name, module of the new name, new name)
RENAMED = [
    ("nlptk", "read_labelled", "nlptk.text.labelled", "load_labelled"),
    ("nlptk.text", "read_labelled", "nlptk.text.labelled", "load_labelled"),
    ("nlptk.text.labelled", "read_labelled", "nlptk.text.labelled", "load_labelled"),
    ("nlptk.embed", "train", "nlptk.embed.pipeline", "train_embeddings"),
    ("nlptk.classify", "RNNClassifier", "nlptk.classify.model", "RNNClassifierNet"),
    ("nlptk.classify.model", "RNNClassifier", "nlptk.classify.model", "RNNClassifierNet"),
    ("nlptk.classify", "EncoderClassifier", "nlptk.classify.encoder_model", "EncoderClassifierNet"),
    ("nlptk.classify.training", "read_splits", "nlptk.classify.preparation", "load_splits"),
    ("nlptk.lm", "RNNLanguageModel", "nlptk.lm.model", "RNNLanguageModelNet"),
]


@pytest.mark.parametrize(("module", "old", "new_module", "new"), RENAMED)
def test_old_name_warns_and_is_the_new_object(module: str, old: str, new_module: str, new: str) -> None:
    owner = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=rf"{old} is renamed {new_module}\.{new}.*{REMOVED_IN}"):
        value = getattr(owner, old)
    assert value is getattr(importlib.import_module(new_module), new)


@pytest.mark.parametrize("old", ["nlptk.classify.train", "nlptk.lm.train"])
def test_old_module_path_warns_and_reads_the_new_module(old: str) -> None:
    new = old.replace(".train", ".training")
    code = (
        "import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
        f"try:\n    import {old}\nexcept DeprecationWarning as w:\n    print(w)\n"
        "warnings.simplefilter('ignore')\n"
        f"import {old} as m, {new} as n\n"
        "print(all(getattr(m, k) is getattr(n, k) for k in n.__all__))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert f"module {old} is renamed {new}" in out
    assert out.strip().endswith("True")


def test_new_names_do_not_warn(recwarn: pytest.WarningsRecorder) -> None:
    for name in ("load_labelled", "train_embeddings", "load_classifier"):
        getattr(nlptk, name)
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]


def test_unknown_names_still_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        nlptk.no_such_name  # noqa: B018
    with pytest.raises(AttributeError, match="no_such_name"):
        importlib.import_module("nlptk.classify").no_such_name  # noqa: B018


def test_load_classifier_is_trained_classifier_load(tmp_path) -> None:
    from conftest import keyword_data

    from nlptk.classify import ClassifierConfig, train_classifier

    train = keyword_data(60, seed=0)
    train_classifier(
        train, config=ClassifierConfig(epochs=1, hidden_size=8, embedding_dim=8), out=tmp_path / "m"
    )
    clf = nlptk.load_classifier(tmp_path / "m", device="cpu")
    assert isinstance(clf, nlptk.TrainedClassifier)
    again = nlptk.TrainedClassifier.load(tmp_path / "m", device="cpu")
    assert clf.classes == again.classes
    assert clf.predict(train.texts[:20]) == again.predict(train.texts[:20])
