"""Augmenting small training sets: nearest-neighbour word replacement and EDA's swap and delete.

Off by default (``ClassifierConfig.augment="none"``). With ``augment="neighbours"`` (or a
comma list such as ``"neighbours,swap"``), each epoch sees a fresh, seeded variant of the
training texts (the validation and test texts are never changed):

* **neighbours** -- in a text picked for augmentation (probability ``augment_prob``), a
  share ``augment_share`` of its words (at least one) is replaced by one of their
  ``augment_topn`` nearest neighbours in the pretrained vectors whose cosine similarity is
  at least ``augment_threshold``. Stop words (spaCy's English list), tokens that are not
  words (punctuation, numbers) and the user's protected words (``augment_protect``, such as
  label words: "good", "bad") are never replaced nor used as replacements. The neighbours
  are added to the classifier's vocabulary, so their pretrained rows are in the embedding
  layer. nlptk's tokenizers give no part of speech, so the word class is not matched.
* **swap** -- as many random swaps of two words as ``augment_share`` of the length (EDA's
  random swap, Wei & Zou 2019);
* **delete** -- each word dropped with probability ``augment_share`` (EDA's random
  deletion; at least one word stays).

Measured (``scripts/bench/augment.py``: bidirectional GRU, word2vec vectors trained on the
benchmark's Wikipedia corpus, share 0.1, prob 0.5, threshold 0.6; 1 torch thread on a shared
2-core machine): neighbour replacement helped TREC (+1.7 points with 100 training sentences,
+2.4 with 500, 3 seeds; +0.4 on the full set, 1 seed) and hurt SST-2 (-0.6 with 100 sentences,
where every model is near chance, -3.2 with 500, -1.4 on the full set), +0.1 points averaged over
the four small sets: it does not pay in general, hence off by default. It also enlarges the
vocabulary (2,875 -> 16,082 words for 500 SST-2 sentences), which slows the unfrozen epochs.

The variant of epoch ``e`` is drawn from ``seed`` and ``e``, so a run is reproducible and a
resumed run continues the same sequence. When the vectors cover almost none of the
training words (under 5% of the replaceable tokens have a neighbour), neighbour replacement
is switched off with a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch

from nlptk.classify.data import EncodedDataset
from nlptk.errors import ParameterError

if TYPE_CHECKING:
    from nlptk.classify.config import ClassifierConfig
    from nlptk.text.vocab import Vocabulary
    from nlptk.vectors.container import Vectors

__all__ = [
    "AUGMENT_METHODS",
    "AugmentedDataset",
    "TextAugmenter",
    "make_augmenter",
    "neighbour_words",
    "neighbours_for_augmentation",
    "parse_methods",
]

logger = logging.getLogger(__name__)

AUGMENT_METHODS = ("neighbours", "swap", "delete")
#: Below this share of replaceable training tokens with a neighbour, replacement is switched off.
MIN_COVERAGE = 0.05


def parse_methods(spec: str) -> tuple[str, ...]:
    """``"neighbours,swap"`` -> ``("neighbours", "swap")``; ``"none"`` -> ``()``.

    Examples
    --------
    >>> parse_methods("neighbours, delete"), parse_methods("none")
    (('neighbours', 'delete'), ())
    """
    parts = [p.strip().lower() for p in spec.split(",") if p.strip()]
    if parts in ([], ["none"]):
        return ()
    unknown = [p for p in parts if p not in AUGMENT_METHODS]
    if unknown:
        raise ParameterError(
            f"augment={spec!r}: unknown method(s) {', '.join(unknown)}",
            hint=f"use none, or a comma list of {', '.join(AUGMENT_METHODS)}",
        )
    return tuple(dict.fromkeys(parts))


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _replaceable(word: str, excluded: frozenset[str]) -> bool:
    return word.isalpha() and word.lower() not in excluded


def neighbour_words(
    words: Sequence[str],
    vectors: Vectors,
    *,
    topn: int = 10,
    threshold: float = 0.6,
    excluded: frozenset[str] = frozenset(),
    block: int = 1024,
) -> dict[str, list[str]]:
    """For each replaceable word the vectors know, its nearest neighbours above ``threshold``.

    Cosine similarity over the whole vectors matrix, ``block`` words at a time; neighbours
    that are stop words, protected or not words are skipped.

    Examples
    --------
    >>> from nlptk.vectors.container import Vectors
    >>> v = Vectors(["good", "great", "bad", "the"], np.array([[1, 0], [0.9, 0.1], [-1, 0], [0.95, 0]], "f4"))
    >>> neighbour_words(["good", "the"], v, topn=3, threshold=0.5, excluded=frozenset({"the"}))
    {'good': ['great']}
    """
    index = vectors.key_to_index
    sources = [w for w in dict.fromkeys(words) if w in index and _replaceable(w, excluded)]
    if not sources:
        return {}
    matrix = np.asarray(vectors.vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1)
    unit = matrix / np.where(norms > 0, norms, 1.0)[:, None]
    candidates = np.array([_replaceable(w, excluded) for w in vectors.words])
    k = min(topn + 1, len(unit))
    out: dict[str, list[str]] = {}
    for start in range(0, len(sources), block):
        chunk = sources[start : start + block]
        rows = np.array([index[w] for w in chunk])
        sims = unit[rows] @ unit.T
        sims[:, ~candidates] = -np.inf
        sims[np.arange(len(rows)), rows] = -np.inf
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        for word, row, cols in zip(chunk, sims, top, strict=True):
            cols = cols[np.argsort(-row[cols])]
            found = [vectors.words[c] for c in cols[:topn] if row[c] >= threshold]
            if found:
                out[word] = found
    return out


class TextAugmenter:
    """Draws augmented token-id sequences (see the module docstring).

    Parameters
    ----------
    neighbours : dict of int to ndarray
        Token id -> ids of its replacement candidates (empty: neighbour replacement off).
    methods : tuple of str
    share, prob : float
        ``augment_share`` and ``augment_prob``.
    seed : int
    """

    def __init__(
        self,
        neighbours: dict[int, np.ndarray],
        methods: tuple[str, ...],
        *,
        share: float = 0.1,
        prob: float = 0.5,
        seed: int = 0,
    ) -> None:
        self.neighbours = neighbours
        self.methods = methods
        self.share = share
        self.prob = prob
        self.seed = seed

    @property
    def active(self) -> bool:
        return bool(self.methods)

    @classmethod
    def build(
        cls,
        vocab: Vocabulary,
        vectors: Vectors | None,
        methods: tuple[str, ...],
        *,
        token_lists: Sequence[Sequence[str]] | None = None,
        table: dict[str, list[str]] | None = None,
        share: float = 0.1,
        prob: float = 0.5,
        threshold: float = 0.6,
        topn: int = 10,
        protected: Sequence[str] = (),
        seed: int = 0,
    ) -> TextAugmenter:
        """The augmenter for a classifier's vocabulary (``table``: neighbours already found)."""
        methods = tuple(methods)
        neighbours: dict[int, np.ndarray] = {}
        if "neighbours" in methods:
            excluded = _stop_words() | {w.lower() for w in protected}
            if vectors is None:
                logger.warning("augment=neighbours needs pretrained vectors: neighbour replacement is off")
            else:
                if table is None:
                    table = neighbour_words(
                        vocab.words, vectors, topn=topn, threshold=threshold, excluded=excluded
                    )
                index = vocab._index
                for word, found in table.items():
                    ids = [index[w] for w in found if w in index]
                    if word in index and ids:
                        neighbours[index[word]] = np.asarray(ids, dtype=np.int64)
                if token_lists is not None:
                    tokens = [t for doc in token_lists for t in doc if _replaceable(t, excluded)]
                    covered = sum(1 for t in tokens if index.get(t, -1) in neighbours) / max(len(tokens), 1)
                    logger.info(
                        "augmentation: %d words have neighbours (cosine >= %.2f), %.1f%% of replaceable "
                        "training tokens",
                        len(neighbours),
                        threshold,
                        100 * covered,
                    )
                    if covered < MIN_COVERAGE:
                        logger.warning(
                            "the vectors give neighbours to only %.1f%% of the replaceable training tokens "
                            "(under %.0f%%): neighbour replacement is off",
                            100 * covered,
                            100 * MIN_COVERAGE,
                        )
                        neighbours = {}
            if not neighbours:
                methods = tuple(m for m in methods if m != "neighbours")
        return cls(neighbours, methods, share=share, prob=prob, seed=seed)

    def augment(self, ids: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        """One augmented variant of a token-id sequence (or the sequence itself)."""
        if not self.methods or rng.random() >= self.prob:
            return ids
        seq = ids.tolist()
        n = len(seq)
        changes = max(1, round(self.share * n))
        for method in self.methods:
            if method == "neighbours":
                spots = [i for i, t in enumerate(seq) if t in self.neighbours]
                if spots:
                    for i in rng.choice(spots, size=min(changes, len(spots)), replace=False):
                        options = self.neighbours[seq[i]]
                        seq[i] = int(options[rng.integers(len(options))])
            elif method == "swap" and len(seq) > 1:
                for _ in range(changes):
                    i, j = rng.integers(len(seq), size=2)
                    seq[i], seq[j] = seq[j], seq[i]
            elif method == "delete" and len(seq) > 1:
                kept = [t for t in seq if rng.random() >= self.share]
                seq = kept or [seq[int(rng.integers(len(seq)))]]
        return torch.tensor(seq, dtype=torch.long)


class AugmentedDataset(EncodedDataset):
    """An :class:`~nlptk.classify.data.EncodedDataset` whose texts are redrawn each epoch.

    The learner calls :meth:`set_epoch` before each epoch; epoch ``e``'s variant comes from
    ``seed`` and ``e`` only.
    """

    def __init__(self, ids: list[torch.Tensor], labels: np.ndarray, augmenter: TextAugmenter) -> None:
        super().__init__(ids, labels)
        self.base_ids = ids
        self.augmenter = augmenter
        self.epoch = -1

    def set_epoch(self, epoch: int) -> None:
        """Draw the variant of ``epoch`` (a no-op when it is already drawn)."""
        if epoch == self.epoch:
            return
        rng = np.random.default_rng([self.augmenter.seed, epoch, 0xA06])
        self.ids = [self.augmenter.augment(t, rng) for t in self.base_ids]
        self.epoch = epoch


def _protected(config: ClassifierConfig) -> list[str]:
    return [w.strip() for w in config.augment_protect.split(",") if w.strip()]


def neighbours_for_augmentation(
    token_lists: Sequence[Sequence[str]], vectors: Vectors | None, config: ClassifierConfig
) -> tuple[dict[str, list[str]] | None, list[str]]:
    """The neighbour table of the training words and the new words it brings (for the vocabulary);
    ``(None, [])`` when neighbour replacement is not asked for or there are no vectors."""
    if "neighbours" not in parse_methods(config.augment) or vectors is None:
        return None, []
    excluded = _stop_words() | {w.lower() for w in _protected(config)}
    words = [t for doc in token_lists for t in doc]
    table = neighbour_words(
        words, vectors, topn=config.augment_topn, threshold=config.augment_threshold, excluded=excluded
    )
    known = set(words)
    extra = sorted({w for found in table.values() for w in found} - known)
    return table, extra


def make_augmenter(
    vocab: Vocabulary,
    vectors: Vectors | None,
    config: ClassifierConfig,
    *,
    token_lists: Sequence[Sequence[str]] | None = None,
    table: dict[str, list[str]] | None = None,
) -> TextAugmenter:
    """The :class:`TextAugmenter` that ``config`` asks for (inactive for ``augment="none"``)."""
    return TextAugmenter.build(
        vocab,
        vectors,
        parse_methods(config.augment),
        token_lists=token_lists,
        table=table,
        share=config.augment_share,
        prob=config.augment_prob,
        threshold=config.augment_threshold,
        topn=config.augment_topn,
        protected=_protected(config),
        seed=config.seed,
    )
