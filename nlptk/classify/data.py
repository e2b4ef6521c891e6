"""The classifier's data pipeline: texts -> token ids -> padded, length-bucketed batches.

* :func:`build_vocabulary` builds the :class:`~nlptk.text.vocab.Vocabulary` of the training
  texts, with ``"<pad>"`` (id 0) and ``"<unk>"`` (id 1) first.
* :func:`encode_texts` tokenizes and maps to ids. Texts longer than ``max_length`` tokens are
  **truncated** to their first ``max_length`` tokens; a text with no tokens (empty, or only
  punctuation) becomes the single token ``<unk>`` (length 1), so it still gets a prediction.
* :class:`EncodedDataset` holds the id tensors and labels; :func:`collate_fn` pads a batch
  and returns the lengths; :class:`BucketBatchSampler` groups texts of similar length into
  batches (less padding, faster RNNs) and shuffles the batches, seeded per epoch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from nlptk.errors import DataError, ParameterError
from nlptk.text.tokenize import Tokenizer
from nlptk.text.vocab import Vocabulary

if TYPE_CHECKING:
    from nlptk.text.labelled import LabelledData

__all__ = [
    "PAD",
    "PAD_ID",
    "UNK",
    "UNK_ID",
    "BucketBatchSampler",
    "EncodedDataset",
    "build_vocabulary",
    "collate_fn",
    "data_fingerprint",
    "encode_labels",
    "encode_texts",
    "make_loader",
]

logger = logging.getLogger(__name__)

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1
NO_LABEL = -1


def data_fingerprint(data: LabelledData) -> str:
    """A digest of a labelled dataset's examples (text and class name), independent of their order.

    A model folder keeps the fingerprints of its training and validation data, so that
    ``classify evaluate`` can say when the data it scores is data the model has seen.

    Examples
    --------
    >>> from nlptk.text.labelled import LabelledData
    >>> a = LabelledData(["good", "bad"], [1, 0], ["neg", "pos"])
    >>> b = LabelledData(["bad", "good"], [1, 0], ["pos", "neg"])  # other order, other ids
    >>> data_fingerprint(a) == data_fingerprint(b)
    True
    """
    import hashlib

    digests = sorted(
        hashlib.sha1(f"{data.classes[y]}\t{text}".encode(), usedforsecurity=False).digest()
        for text, y in zip(data.texts, data.labels, strict=True)
    )
    return hashlib.sha256(b"".join(digests)).hexdigest()[:32]


def build_vocabulary(
    token_lists: Sequence[Sequence[str]], *, min_count: int = 1, max_size: int | None = None
) -> Vocabulary:
    """The vocabulary of tokenized training texts, with ``<pad>`` = 0 and ``<unk>`` = 1.

    Examples
    --------
    >>> build_vocabulary([["good", "film"], ["bad", "film"]]).words
    ['<pad>', '<unk>', 'film', 'bad', 'good']
    """
    return Vocabulary.build(token_lists, min_count=min_count, max_size=max_size, specials=[PAD, UNK])


def encode_texts(
    texts: Sequence[str], tokenizer: Tokenizer, vocab: Vocabulary, *, max_length: int
) -> list[torch.Tensor]:
    """Tokenize texts and map them to id tensors (truncated at ``max_length``; never empty).

    Unknown words get ``<unk>``'s id. A text without tokens becomes ``[<unk>]``.

    Examples
    --------
    >>> from nlptk.text.tokenize import RegexTokenizer
    >>> vocab = build_vocabulary([["good", "film"]])
    >>> [t.tolist() for t in encode_texts(["Good film, good!", ""], RegexTokenizer(), vocab, max_length=2)]
    [[3, 2], [1]]
    """
    if max_length < 1:
        raise ParameterError(f"max_length={max_length} must be >= 1")
    index = vocab._index  # the hot loop: plain dict lookups
    out: list[torch.Tensor] = []
    n_truncated = 0
    for text in texts:
        if not isinstance(text, str):
            raise DataError(f"expected text strings, got {type(text).__name__} ({text!r:.40})")
        tokens = tokenizer(text)
        if len(tokens) > max_length:
            n_truncated += 1
            tokens = tokens[:max_length]
        ids = [index.get(t, UNK_ID) for t in tokens] or [UNK_ID]
        out.append(torch.tensor(ids, dtype=torch.long))
    if n_truncated:
        logger.debug("%d of %d texts truncated to max_length=%d tokens", n_truncated, len(out), max_length)
    return out


def encode_labels(labels: Sequence[Any], classes: Sequence[str], *, where: str = "data") -> np.ndarray:
    """Class indices for labels given as class names or as indices into ``classes``.

    Raises
    ------
    DataError
        A label is not one of ``classes`` (for example a class seen in test data only).
    """
    index = {c: i for i, c in enumerate(classes)}
    out = np.empty(len(labels), dtype=np.int64)
    for i, label in enumerate(labels):
        if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
            if not 0 <= int(label) < len(classes):
                raise DataError(f"label index {label} in {where} is outside 0..{len(classes) - 1}")
            out[i] = int(label)
        else:
            j = index.get(str(label))
            if j is None:
                raise DataError(
                    f"label {label!r} (example {i + 1} of {where}) is not one of the "
                    f"{len(classes)} training classes ({', '.join(map(str, classes[:10]))})",
                    hint="the model can only predict classes it was trained on; remove or relabel it",
                )
            out[i] = j
    return out


class EncodedDataset(Dataset):
    """Token-id tensors with their class indices (``-1`` when unlabelled).

    Parameters
    ----------
    ids : list of 1-d LongTensor
        From :func:`encode_texts`.
    labels : array of int, optional
        Class indices, one per text.
    """

    def __init__(self, ids: list[torch.Tensor], labels: np.ndarray | Sequence[int] | None = None) -> None:
        if labels is not None and len(labels) != len(ids):
            raise DataError(f"{len(ids)} texts but {len(labels)} labels; give one label per text")
        self.ids = ids
        self.labels = (
            torch.full((len(ids),), NO_LABEL, dtype=torch.long)
            if labels is None
            else torch.as_tensor(np.asarray(labels, dtype=np.int64))
        )
        self.lengths = np.fromiter((len(t) for t in ids), dtype=np.int64, count=len(ids))

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.ids[i], self.labels[i]


def collate_fn(batch: Sequence[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, ...]:
    """Pad a batch: ``(ids (B, T) long padded with 0, lengths (B,) long, labels (B,) long)``.

    Examples
    --------
    >>> x, lengths, y = collate_fn([(torch.tensor([5, 6, 7]), torch.tensor(1)),
    ...                             (torch.tensor([8]), torch.tensor(0))])
    >>> x.tolist(), lengths.tolist(), y.tolist()
    ([[5, 6, 7], [8, 0, 0]], [3, 1], [1, 0])
    """
    seqs = [ids for ids, _ in batch]
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    padded = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=PAD_ID)
    labels = torch.stack([label for _, label in batch])
    return padded, lengths, labels


class BucketBatchSampler(Sampler[list[int]]):
    """Batches of texts with similar lengths, in a shuffled order, reproducible per epoch.

    With ``shuffle``, the indices are permuted, cut into pools of ``batch_size * pool_batches``,
    each pool sorted by length and cut into batches, and the batches shuffled: little padding,
    yet a different mix every epoch. Without it, batches follow the length order (prediction;
    the caller restores the input order).

    Parameters
    ----------
    lengths : sequence of int
        Length of each example.
    batch_size : int
    shuffle : bool, default=True
    seed : int, default=0
        The permutation of epoch ``e`` comes from ``seed + e`` (see :meth:`set_epoch`).
    pool_batches : int, default=50

    Examples
    --------
    >>> sampler = BucketBatchSampler([5, 1, 4, 2], batch_size=2, shuffle=False)
    >>> list(sampler)
    [[1, 3], [2, 0]]
    """

    def __init__(
        self,
        lengths: Sequence[int] | np.ndarray,
        batch_size: int,
        *,
        shuffle: bool = True,
        seed: int = 0,
        pool_batches: int = 50,
    ) -> None:
        if batch_size < 1:
            raise ParameterError(f"batch_size={batch_size} must be >= 1")
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.pool_batches = pool_batches
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Choose the epoch whose permutation the next iteration uses."""
        self.epoch = epoch

    def __len__(self) -> int:
        return (len(self.lengths) + self.batch_size - 1) // self.batch_size

    def __iter__(self) -> Iterator[list[int]]:
        n, size = len(self.lengths), self.batch_size
        if not self.shuffle:
            order = np.argsort(self.lengths, kind="stable")
            for start in range(0, n, size):
                yield order[start : start + size].tolist()
            return
        rng = np.random.default_rng(self.seed + self.epoch)
        perm = rng.permutation(n)
        pool = size * self.pool_batches
        batches: list[np.ndarray] = []
        for start in range(0, n, pool):
            chunk = perm[start : start + pool]
            chunk = chunk[np.argsort(self.lengths[chunk], kind="stable")]
            batches.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
        for b in rng.permutation(len(batches)):
            yield batches[b].tolist()


def make_loader(
    dataset: EncodedDataset, *, batch_size: int, shuffle: bool, seed: int = 0, pin_memory: bool = False
) -> DataLoader:
    """A ``DataLoader`` over ``dataset`` with a :class:`BucketBatchSampler` and :func:`collate_fn`.

    The sampler is ``loader.batch_sampler``; call its ``set_epoch`` before each epoch. Batches
    are built in the main process (padding a few token-id tensors is cheaper than starting
    workers); ``pin_memory`` speeds up copies to a CUDA device.
    """
    sampler = BucketBatchSampler(dataset.lengths, batch_size, shuffle=shuffle, seed=seed)
    return DataLoader(
        dataset, batch_sampler=sampler, collate_fn=collate_fn, num_workers=0, pin_memory=pin_memory
    )
