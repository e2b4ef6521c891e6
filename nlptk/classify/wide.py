"""The wide part of a wide-and-deep classifier: a linear bag of hashed word n-grams.

A TF-IDF + logistic regression baseline is hard to beat on small sentence sets because a
linear model over uni- and bigrams learns cue phrases from few examples. :class:`WideNgrams`
gives the recurrent classifier that same term, trained jointly and added to its logits
(Cheng et al., 2016, "Wide & Deep Learning"), so the RNN only has to learn what the bag
of n-grams misses.

The n-grams are formed from the token ids the model already receives, inside ``forward``:
unigrams use the word's id directly (no collisions), longer n-grams are hashed into
``buckets`` rows with a fixed polynomial hash of their ids (deterministic across processes,
unlike Python's ``hash``). So the data pipeline, the predictor and the saved vocabulary stay
as they are, and the weights (``buckets + vocab_size`` rows, ``n_classes`` columns, zero at
the start) live in the model's ``state_dict``. The text's term is the mean of its n-grams'
rows, as fastText's supervised model averages its inputs.
"""

from __future__ import annotations

import torch
from torch import nn

from nlptk.errors import ParameterError

__all__ = ["WideNgrams", "ngram_ids"]

# odd 31-bit multipliers for the rolling hash of n-gram ids (one per position after the first)
_MULTIPLIERS = (1_000_003, 999_999_937, 1_299_709, 2_147_483_629, 433_494_437)
# the hash stays below this 31-bit prime, so ``hash * multiplier`` never overflows int64
_PRIME = 2_147_483_647


def ngram_ids(
    x: torch.Tensor, lengths: torch.Tensor, *, ngrams: int, vocab_size: int, buckets: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Row ids of every n-gram (n = 1..``ngrams``) of a padded batch, and their validity mask.

    Parameters
    ----------
    x : LongTensor of shape (batch, time)
        Token ids (0 = padding).
    lengths : LongTensor of shape (batch,)
    ngrams : int
        Longest n-gram (1: words only).
    vocab_size, buckets : int
        Unigram ids are ``x`` itself; n-grams of 2 or more words go to
        ``vocab_size + hash % buckets``.

    Returns
    -------
    ids : LongTensor of shape (batch, n_positions)
    mask : BoolTensor of the same shape
        False where the n-gram runs past the text's end.

    Examples
    --------
    >>> ids, mask = ngram_ids(torch.tensor([[2, 3, 0]]), torch.tensor([2]), ngrams=2,
    ...                       vocab_size=5, buckets=7)
    >>> ids[0, :3].tolist(), mask.tolist()
    ([2, 3, 0], [[True, True, False, True, False]])
    """
    if ngrams > len(_MULTIPLIERS) + 1:
        raise ParameterError(f"ngrams={ngrams} is more than {len(_MULTIPLIERS) + 1}")
    time = x.shape[1]
    positions = torch.arange(time, device=x.device)
    lengths = lengths.to(x.device)
    all_ids = [x]
    all_masks = [positions[None, :] < lengths[:, None]]
    rolling = x.clone()
    for n in range(2, ngrams + 1):
        if time < n:
            break
        width = time - n + 1
        rolling = (rolling[:, :width] * _MULTIPLIERS[n - 2] + x[:, n - 1 : n - 1 + width]) % _PRIME
        all_ids.append(vocab_size + rolling % buckets)
        all_masks.append(positions[None, :width] + n <= lengths[:, None])
    return torch.cat(all_ids, dim=1), torch.cat(all_masks, dim=1)


class WideNgrams(nn.Module):
    """A linear term over the bag of word n-grams of each text (the "wide" part).

    Parameters
    ----------
    vocab_size : int
        Rows for the unigrams (the classifier's vocabulary).
    n_classes : int
    ngrams : int, default=2
        Longest n-gram (>= 1).
    buckets : int, default=2**18
        Hash rows shared by all longer n-grams.
    lr_factor : float, default=1.0
        The term's output is ``lr_factor`` times the mean of its rows: with Adam, whose steps
        do not depend on the gradient's scale, this is the term's learning rate relative to the
        rest of the model (a linear bag of n-grams needs large steps to learn from few updates,
        as fastText's learning rate of 0.1-1.0 shows).

    Examples
    --------
    >>> wide = WideNgrams(10, 3, ngrams=2, buckets=16)
    >>> wide(torch.tensor([[2, 3, 4], [5, 0, 0]]), torch.tensor([3, 1])).shape
    torch.Size([2, 3])
    """

    def __init__(
        self,
        vocab_size: int,
        n_classes: int,
        *,
        ngrams: int = 2,
        buckets: int = 2**18,
        lr_factor: float = 1.0,
    ) -> None:
        super().__init__()
        if ngrams < 1:
            raise ParameterError(f"ngrams={ngrams} must be >= 1 (0 means no wide component)")
        if buckets < 1:
            raise ParameterError(f"ngram_buckets={buckets} must be >= 1")
        if not lr_factor > 0:
            raise ParameterError(f"ngram_lr_factor={lr_factor} must be > 0")
        self.vocab_size = vocab_size
        self.ngrams = ngrams
        self.lr_factor = float(lr_factor)
        self.buckets = buckets if ngrams > 1 else 0
        self.weight = nn.Parameter(torch.zeros(vocab_size + self.buckets, n_classes))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The wide logits, shape ``(batch, n_classes)``: the mean of the n-grams' rows."""
        ids, mask = ngram_ids(
            x, lengths, ngrams=self.ngrams, vocab_size=self.vocab_size, buckets=max(self.buckets, 1)
        )
        rows = self.weight[ids] * mask.unsqueeze(-1).to(self.weight.dtype)
        mean = rows.sum(dim=1) / mask.sum(dim=1, keepdim=True).clamp(min=1).to(self.weight.dtype)
        return self.lr_factor * mean
