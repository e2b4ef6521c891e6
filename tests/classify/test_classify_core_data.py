"""Data pipeline, embedding matching, the model's pooling and packing, devices."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nlptk.classify.config import ClassifierConfig
from nlptk.classify.data import (
    PAD_ID,
    UNK_ID,
    BucketBatchSampler,
    EncodedDataset,
    build_vocabulary,
    collate_fn,
    encode_labels,
    encode_texts,
    make_loader,
)
from nlptk.classify.embeddings import match_embeddings
from nlptk.classify.model import RNNClassifierNet
from nlptk.classify.runtime import resolve_device
from nlptk.errors import DataError, DeviceError, ParameterError
from nlptk.text.tokenize import RegexTokenizer
from nlptk.text.vocab import Vocabulary
from nlptk.vectors.container import Vectors


def test_vocabulary_specials_and_encoding():
    tok = RegexTokenizer()
    vocab = build_vocabulary([tok("a good film"), tok("a bad film")])
    assert vocab.words[:2] == ["<pad>", "<unk>"] and vocab["<pad>"] == PAD_ID and vocab["<unk>"] == UNK_ID
    ids = encode_texts(["A good film!", "", "...", "zzz good", "film " * 50], tok, vocab, max_length=5)
    assert ids[0].tolist() == [vocab["a"], vocab["good"], vocab["film"]]
    assert ids[1].tolist() == [UNK_ID] and ids[2].tolist() == [UNK_ID]  # no tokens -> one <unk>
    assert ids[3].tolist() == [UNK_ID, vocab["good"]]
    assert len(ids[4]) == 5  # truncated at max_length


def test_encode_labels():
    assert encode_labels(["b", "a", 1], ["a", "b"]).tolist() == [1, 0, 1]
    with pytest.raises(DataError, match="'c'"):
        encode_labels(["a", "c"], ["a", "b"], where="test.tsv")


def test_collate_pads_and_returns_lengths():
    x, lengths, y = collate_fn(
        [(torch.tensor([4, 5]), torch.tensor(1)), (torch.tensor([6, 7, 8]), torch.tensor(0))]
    )
    assert x.tolist() == [[4, 5, PAD_ID], [6, 7, 8]] and lengths.tolist() == [2, 3] and y.tolist() == [1, 0]


def test_bucket_sampler_groups_lengths_and_is_seeded():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 100, size=1000)
    sampler = BucketBatchSampler(lengths, 20, shuffle=True, seed=3, pool_batches=10)
    batches = list(sampler)
    assert sorted(i for b in batches for i in b) == list(range(1000))
    assert len(batches) == len(sampler) == 50
    spread = np.mean([lengths[b].max() - lengths[b].min() for b in batches])
    random_spread = np.mean(
        [lengths[b].max() - lengths[b].min() for b in np.array_split(rng.permutation(1000), 50)]
    )
    assert spread < random_spread / 3  # similar lengths share a batch
    assert list(BucketBatchSampler(lengths, 20, seed=3, pool_batches=10)) == batches
    sampler.set_epoch(1)
    assert list(sampler) != batches  # another mix each epoch


def test_match_embeddings_copies_known_rows_and_reports_coverage():
    vocab = Vocabulary(["good", "bad", "zzz"], [5, 3, 2], specials=["<pad>", "<unk>"])
    matrix_in = np.arange(12, dtype=np.float32).reshape(4, 3)
    vectors = Vectors(["bad", "good", "fine", "ok"], matrix_in)
    matrix, coverage = match_embeddings(vocab, vectors, seed=1)
    assert matrix.shape == (5, 3) and matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix[vocab["good"]], matrix_in[1])
    np.testing.assert_array_equal(matrix[vocab["bad"]], matrix_in[0])
    assert np.all(matrix[0] == 0)  # padding
    assert coverage["known"] == 2 and coverage["missing"] == 1 and coverage["total"] == 3
    assert coverage["coverage"] == pytest.approx(2 / 3) and coverage["token_coverage"] == pytest.approx(0.8)
    mean, _ = match_embeddings(vocab, vectors, unknown="mean")
    np.testing.assert_allclose(mean[vocab["zzz"]], matrix_in.mean(axis=0))


def test_match_embeddings_uses_subwords():
    from gensim.models import FastText

    sentences = [["goodness", "gracious", "good", "film"], ["bad", "badly", "film", "acting"]] * 20
    model = FastText(sentences, vector_size=8, min_count=1, epochs=2, seed=0, workers=1, min_n=3, max_n=4)
    vectors = Vectors.from_gensim(model.wv)
    assert vectors.has_subwords
    vocab = Vocabulary(["good", "goodly"], specials=["<pad>", "<unk>"])
    matrix, coverage = match_embeddings(vocab, vectors)
    assert coverage["known"] == 1 and coverage["subword"] == 1 and coverage["coverage"] == 1.0
    np.testing.assert_allclose(matrix[vocab["goodly"]], model.wv["goodly"], rtol=1e-5)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("pooling", ["last", "max", "mean", "concat"])
def test_padding_does_not_change_the_output(cell, pooling):
    torch.manual_seed(0)
    model = RNNClassifierNet(20, 6, 3, cell=cell, hidden_size=5, num_layers=2, pooling=pooling).eval()
    short = torch.tensor([[3, 4, 5]])
    batch = torch.tensor([[3, 4, 5, 0, 0, 0], [6, 7, 8, 9, 10, 11]])
    with torch.no_grad():
        alone = model.encode(short, torch.tensor([3]))
        padded = model.encode(batch, torch.tensor([3, 6]))
        logits = model(batch, torch.tensor([3, 6]))
    torch.testing.assert_close(padded[0], alone[0], rtol=1e-5, atol=1e-6)
    assert logits.shape == (2, 3)
    factor = 3 if pooling == "concat" else 1
    assert padded.shape == (2, 5 * 2 * factor) == (2, model.output_size)


@pytest.mark.parametrize("pooling", ["max", "mean", "concat"])
def test_pooling_matches_the_masked_reference_with_and_without_gradients(pooling):
    """The pooled features (and their gradients) equal a masked_fill reference bit for bit."""
    torch.manual_seed(0)
    model = RNNClassifierNet(30, 6, 3, hidden_size=5, pooling=pooling).eval()
    x = torch.randint(2, 30, (7, 9))
    lengths = torch.tensor([9, 1, 4, 9, 2, 7, 3])
    x[torch.arange(9)[None, :] >= lengths[:, None]] = 0

    def reference() -> torch.Tensor:
        embedded = model.embedding(x)
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            embedded, lengths, batch_first=True, enforce_sorted=False
        )
        out, (hidden, _) = model.rnn(packed)
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=9)
        mask = (torch.arange(9)[None, :] < lengths[:, None]).unsqueeze(-1)
        maximum = out.masked_fill(~mask, float("-inf")).max(dim=1).values
        mean = out.masked_fill(~mask, 0.0).sum(dim=1) / lengths[:, None]
        last = torch.cat(list(hidden[-2:]), dim=-1)
        return {"max": maximum, "mean": mean, "concat": torch.cat([last, maximum, mean], dim=-1)}[pooling]

    expected = reference()
    expected.sum().backward()
    expected_grads = [p.grad.clone() for p in model.rnn.parameters()]
    model.zero_grad()
    pooled = model.encode(x, lengths)
    pooled.sum().backward()
    assert torch.equal(pooled, expected)
    for got, want in zip((p.grad for p in model.rnn.parameters()), expected_grads, strict=True):
        assert torch.equal(got, want)
    with torch.inference_mode():
        assert torch.equal(model.encode(x, lengths), expected.detach())


def test_model_and_config_reject_bad_values():
    with pytest.raises(ParameterError):
        RNNClassifierNet(10, 4, 2, cell="transformer")
    with pytest.raises(ParameterError, match="n_classes"):
        RNNClassifierNet(10, 4, 1)
    with pytest.raises(ParameterError, match="pooling"):
        ClassifierConfig(pooling="sum")
    with pytest.raises(ParameterError, match="dropout"):
        ClassifierConfig(dropout=1.5)
    with pytest.raises(ParameterError, match="unknown classifier setting"):
        ClassifierConfig.from_dict({"cell": "gru", "colour": "red"})
    assert ClassifierConfig.from_dict(ClassifierConfig(cell="rnn").to_dict()).cell == "rnn"


def test_devices():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match="CUDA"):
            resolve_device("cuda")
    with pytest.raises(ParameterError, match="unknown device 'tpu9'; use auto, cpu"):
        resolve_device("tpu9")


def test_loader_batches_follow_the_sampler():
    tok = RegexTokenizer()
    texts = ["a b c", "a", "a b", "a b c d e"]
    vocab = build_vocabulary([tok(t) for t in texts])
    ds = EncodedDataset(encode_texts(texts, tok, vocab, max_length=10), [0, 1, 0, 1])
    loader = make_loader(ds, batch_size=2, shuffle=False)
    lengths = [b[1].tolist() for b in loader]
    assert lengths == [[1, 2], [3, 5]]
