"""The language-model folder: round trip, and clear refusals of folders this nlptk cannot use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from nlptk.errors import IncompatibleModelError, InputFileError, OutputExistsError
from nlptk.lm import LanguageModel, RNNEncoder, load_language_model


@pytest.mark.parametrize(
    "settings", [{"cell": "lstm"}, {"cell": "gru", "decoder": "adaptive", "cutoffs": (4,)}]
)
def test_round_trip(tmp_path: Path, settings: dict, make_language_model) -> None:
    lm = make_language_model(**settings)
    lm.save(tmp_path / "lm")
    assert sorted(p.name for p in (tmp_path / "lm").iterdir()) == [
        "config.json",
        "meta.json",
        "model.pt",
        "vocab.json",
    ]
    loaded = load_language_model(tmp_path / "lm")
    assert isinstance(loaded, LanguageModel) and isinstance(loaded.encoder, RNNEncoder)
    assert loaded.vocab == lm.vocab and loaded.vocab[:3] == ["<pad>", "<unk>", "<eos>"]
    assert loaded.config == lm.config and loaded.tokenizer == lm.tokenizer
    tokens = torch.tensor([[3, 4, 5, 6]])
    with torch.no_grad():
        torch.testing.assert_close(loaded.encoder.eval()(tokens)[0], lm.encoder.eval()(tokens)[0])
    body = json.loads((tmp_path / "lm" / "config.json").read_text())
    assert body["format"] == "nlptk.language_model" and body["nlptk_version"]
    assert body["specials"] == {"<pad>": 0, "<unk>": 1, "<eos>": 2}
    assert body["network"]["out_dim"] == loaded.encoder.out_dim
    # the encoder alone rebuilds from the saved encoder config (what a classifier does)
    encoder = RNNEncoder(loaded.config.encoder_config().replace(weight_dropout=0.0), len(loaded.vocab))
    encoder.load_state_dict(loaded.encoder.state_dict())


def test_tied_decoder_shares_the_embedding(make_language_model) -> None:
    lm = make_language_model(decoder="full")
    assert lm.network.tied and lm.network.decoder.weight is lm.encoder.embedding.weight
    assert lm.encoder.out_dim == lm.config.embedding_dim == 8
    untied = make_language_model(decoder="full", tie_weights=False)
    assert not untied.network.tied and untied.encoder.out_dim == 12


def test_refuses_to_overwrite(tmp_path: Path, make_language_model) -> None:
    lm = make_language_model()
    lm.save(tmp_path / "lm")
    with pytest.raises(OutputExistsError):
        lm.save(tmp_path / "lm")
    lm.save(tmp_path / "lm", force=True)


def _edit_config(folder: Path, **changes: object) -> None:
    path = folder / "config.json"
    body = json.loads(path.read_text())
    body.update(changes)
    path.write_text(json.dumps(body))


def test_refuses_another_format_version(tmp_path: Path, make_language_model) -> None:
    make_language_model().save(tmp_path / "lm")
    _edit_config(tmp_path / "lm", format_version=99, nlptk_version="9.0")
    with pytest.raises(IncompatibleModelError, match=r"format version 99 \(written by nlptk 9.0\)"):
        load_language_model(tmp_path / "lm")


def test_refuses_an_unknown_tokenizer(tmp_path: Path, make_language_model) -> None:
    make_language_model().save(tmp_path / "lm")
    _edit_config(tmp_path / "lm", tokenizer={"name": "sentencepiece", "model": "x.model"})
    with pytest.raises(IncompatibleModelError, match="tokenizer this nlptk cannot rebuild"):
        load_language_model(tmp_path / "lm")


def test_refuses_a_classifier_folder_and_missing_files(tmp_path: Path, make_language_model) -> None:
    make_language_model().save(tmp_path / "lm")
    _edit_config(tmp_path / "lm", format="nlptk.classifier")
    with pytest.raises(IncompatibleModelError, match="not an nlptk language model"):
        load_language_model(tmp_path / "lm")
    make_language_model().save(tmp_path / "lm2")
    (tmp_path / "lm2" / "model.pt").unlink()
    with pytest.raises(InputFileError):
        load_language_model(tmp_path / "lm2")
    with pytest.raises(InputFileError):
        load_language_model(tmp_path / "nothing")


def test_refuses_weights_that_do_not_fit(tmp_path: Path, make_language_model) -> None:
    make_language_model().save(tmp_path / "lm")
    _edit_config(
        tmp_path / "lm",
        config={**json.loads((tmp_path / "lm" / "config.json").read_text())["config"], "hidden_size": 20},
    )
    with pytest.raises(IncompatibleModelError, match="does not fit"):
        load_language_model(tmp_path / "lm")
