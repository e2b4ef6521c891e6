"""The token stream of a language model: vocabulary, ids and truncated-BPTT batches.

The stream is the tokens cache of ``nlptk embed train`` (one document per line, tokens
separated by spaces; :func:`nlptk.embed.tokens_cache.tokenize_to_cache`) read as one long
sequence, with ``<eos>`` after every document. The vocabulary puts ``<pad>`` (0), ``<unk>``
(1) and ``<eos>`` (2) first, then the words by decreasing frequency (which the adaptive
softmax relies on). Ids are held as one int32 NumPy array (4 bytes a token: 60 MB for the 15M
tokens of the enwiki slice), never as Python strings.

:func:`batchify` cuts the stream into ``batch_size`` contiguous rows, and
:func:`bptt_windows` walks them ``bptt`` tokens at a time, as the PyTorch word-language-model
example and AWD-LSTM do; the hidden state is carried from one window to the next.
"""

from __future__ import annotations

import logging
import os
from array import array
from collections import Counter
from collections.abc import Iterator

import numpy as np
import torch

from nlptk.errors import DataError
from nlptk.text.vocab import Vocabulary

__all__ = [
    "EOS",
    "EOS_ID",
    "PAD",
    "PAD_ID",
    "SPECIALS",
    "UNK",
    "UNK_ID",
    "batchify",
    "bptt_windows",
    "build_stream_vocabulary",
    "encode_stream",
    "encode_tokens",
    "n_windows",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

PAD, UNK, EOS = "<pad>", "<unk>", "<eos>"
PAD_ID, UNK_ID, EOS_ID = 0, 1, 2
SPECIALS = (PAD, UNK, EOS)


def _lines(path: PathLike) -> Iterator[str]:
    with open(path, encoding="utf-8") as handle:
        yield from handle


def build_stream_vocabulary(
    tokens_path: PathLike, *, min_count: int = 1, max_size: int | None = None
) -> Vocabulary:
    """Count the words of a tokens file and keep the frequent ones, specials first.

    ``max_size`` counts the specials, so the vocabulary has at most ``max_size`` ids.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = path.write_text("a b a\\nc a\\n")
    >>> build_stream_vocabulary(path).words
    ['<pad>', '<unk>', '<eos>', 'a', 'b', 'c']
    """
    counts: Counter[str] = Counter()
    documents = 0
    for line in _lines(tokens_path):
        counts.update(line.split())
        documents += 1
    if not counts:
        raise DataError("the corpus has no tokens", path=tokens_path)
    ranked = sorted(((w, c) for w, c in counts.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))
    ranked = [(w, c) for w, c in ranked if w not in SPECIALS]
    if max_size is not None:
        ranked = ranked[: max(0, max_size - len(SPECIALS))]
    if not ranked:
        raise DataError(
            f"no word occurs at least min_count={min_count} times ({len(counts)} distinct words)",
            path=tokens_path,
            hint="lower --min-count or use a bigger corpus",
        )
    vocab = Vocabulary([w for w, _ in ranked], [c for _, c in ranked], specials=list(SPECIALS))
    vocab.n_documents = documents
    vocab.n_tokens = int(sum(counts.values()))
    kept = sum(c for _, c in ranked)
    logger.info(
        "vocabulary: %d words (min_count=%d, max_vocab=%s) cover %.2f%% of %d tokens",
        len(ranked),
        min_count,
        max_size,
        100.0 * kept / max(vocab.n_tokens, 1),
        vocab.n_tokens,
    )
    return vocab


def encode_tokens(tokens: list[str], vocab: Vocabulary) -> list[int]:
    """Ids of ``tokens`` (unknown words -> ``<unk>``)."""
    index = vocab._index
    return [index.get(t, UNK_ID) for t in tokens]


def encode_stream(tokens_path: PathLike, vocab: Vocabulary) -> np.ndarray:
    """The whole tokens file as one int32 id array, ``<eos>`` after each document."""
    index = vocab._index
    get = index.get
    ids = array("i")
    for line in _lines(tokens_path):
        words = line.split()
        if words:
            ids.extend([get(w, UNK_ID) for w in words])
            ids.append(EOS_ID)
    return np.frombuffer(ids, dtype=np.int32).copy() if len(ids) else np.zeros(0, np.int32)


def batchify(ids: np.ndarray, batch_size: int) -> torch.Tensor:
    """Cut a stream into ``batch_size`` contiguous rows, ``(batch_size, len(ids) // batch_size)``.

    The remainder is dropped.

    Examples
    --------
    >>> batchify(np.arange(10), 3).tolist()
    [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    """
    length = len(ids) // batch_size
    return torch.from_numpy(
        np.asarray(ids[: batch_size * length], dtype=np.int64).reshape(batch_size, length)
    )


def bptt_windows(data: torch.Tensor, bptt: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """``(inputs, targets)`` windows of at most ``bptt`` steps over a batchified stream.

    Examples
    --------
    >>> [(x.tolist(), y.tolist()) for x, y in bptt_windows(torch.arange(6).view(1, 6), 3)]
    [([[0, 1, 2]], [[1, 2, 3]]), ([[3, 4]], [[4, 5]])]
    """
    length = data.shape[1]
    for start in range(0, length - 1, bptt):
        end = min(start + bptt, length - 1)
        yield data[:, start:end], data[:, start + 1 : end + 1]


def n_windows(length: int, bptt: int) -> int:
    """How many windows :func:`bptt_windows` yields for rows of ``length`` tokens."""
    return max(0, -(-(length - 1) // bptt))
