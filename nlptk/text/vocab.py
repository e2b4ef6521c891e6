"""A word vocabulary: words in a fixed order, their counts, and word -> id lookup.

:class:`Vocabulary` is what a classifier's embedding layer, a co-occurrence counter or a
vectors file agree on. Special tokens (``"<pad>"``, ``"<unk>"``) come first, in the order
given, with count 0; then the words, most frequent first when built from documents
(ties broken alphabetically, so the order is deterministic).

It is saved as JSON (``{"format": "nlptk.vocabulary", "version": 1, "words": [...],
"counts": [...], ...}``) through :func:`nlptk.io.atomic_write`.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlptk.errors import DataError, FormatError, IncompatibleModelError, ParameterError, VocabularyError
from nlptk.io import atomic_write, check_input_file

__all__ = ["Vocabulary"]

PathLike = str | os.PathLike[str]

_FORMAT = "nlptk.vocabulary"
_VERSION = 1


class Vocabulary:
    """Words with ids (their position) and counts.

    Parameters
    ----------
    words : sequence of str
        The words, in id order (after the specials). Must be unique.
    counts : sequence of int, optional
        One count per word (zeros when omitted).
    specials : sequence of str, default=()
        Special tokens placed first, in order, with count 0 (``"<pad>"`` first gives it id 0).

    Attributes
    ----------
    words : list of str
        All entries, specials first; ``words[i]`` has id ``i``.
    counts : ndarray of shape (len(words),), int64
        Corpus count of each entry (0 for specials).
    specials : list of str
        The special tokens.
    n_documents : int
        Documents seen by :meth:`build` (0 otherwise).
    n_tokens : int
        Tokens seen by :meth:`build`, including those later cut by ``min_count``/``max_size``.

    Examples
    --------
    >>> vocab = Vocabulary.build([["a", "b", "a"], ["c", "a"]], specials=["<pad>", "<unk>"])
    >>> vocab.words
    ['<pad>', '<unk>', 'a', 'b', 'c']
    >>> vocab["a"], vocab.encode(["a", "zzz", "c"], unknown=vocab["<unk>"])
    (2, [2, 1, 4])
    """

    def __init__(
        self,
        words: Sequence[str],
        counts: Sequence[int] | np.ndarray | None = None,
        *,
        specials: Sequence[str] = (),
    ) -> None:
        words = list(words)
        specials = list(specials)
        if counts is None:
            word_counts = np.zeros(len(words), dtype=np.int64)
        else:
            word_counts = np.asarray(counts, dtype=np.int64).reshape(-1)
            if len(word_counts) != len(words):
                raise ParameterError(
                    f"{len(words)} words but {len(word_counts)} counts; give one count per word"
                )
        all_words = specials + [w for w in words if w not in set(specials)]
        if len(all_words) != len(specials) + len(words):
            # a special also listed among the words: keep the special's place, drop the word's
            keep = [i for i, w in enumerate(words) if w not in set(specials)]
            word_counts = word_counts[keep]
        self.words: list[str] = all_words
        self.specials: list[str] = specials
        self.counts: np.ndarray = np.concatenate([np.zeros(len(specials), dtype=np.int64), word_counts])
        self._index: dict[str, int] = {w: i for i, w in enumerate(self.words)}
        if len(self._index) != len(self.words):
            seen: set[str] = set()
            dup = next(w for w in self.words if w in seen or seen.add(w))  # type: ignore[func-returns-value]
            raise ParameterError(f"word {dup!r} appears more than once; vocabulary words must be unique")
        self.n_documents: int = 0
        self.n_tokens: int = int(word_counts.sum())

    # -- building -------------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        documents: Iterable[Sequence[str]],
        *,
        min_count: int = 1,
        max_size: int | None = None,
        specials: Sequence[str] = (),
    ) -> Vocabulary:
        """Count the tokens of tokenized documents and keep the frequent ones.

        Parameters
        ----------
        documents : iterable of sequences of str
            Tokenized documents (a :class:`~nlptk.text.corpus.TokenizedCorpus`, a list of lists).
            Read once, streaming.
        min_count : int, default=1
            Keep words seen at least this many times.
        max_size : int, optional
            Keep at most this many words (specials not counted), the most frequent.
        specials : sequence of str, default=()
            Special tokens placed first.

        Returns
        -------
        Vocabulary
            Words sorted by count (descending), then alphabetically.

        Raises
        ------
        ParameterError
            ``min_count < 1`` or ``max_size < 1``.
        DataError
            No word is left (no tokens at all, or all below ``min_count``).

        Examples
        --------
        >>> v = Vocabulary.build([["b", "a"], ["a"]], min_count=2)
        >>> v.words, v.n_documents, v.n_tokens
        (['a'], 2, 3)
        """
        if min_count < 1:
            raise ParameterError(f"min_count={min_count} must be >= 1")
        if max_size is not None and max_size < 1:
            raise ParameterError(f"max_size={max_size} must be >= 1 (or None for no limit)")
        counter: Counter[str] = Counter()
        n_documents = 0
        for doc in documents:
            counter.update(doc)
            n_documents += 1
        n_tokens = sum(counter.values())
        items = [(w, c) for w, c in counter.items() if c >= min_count and w not in set(specials)]
        items.sort(key=lambda wc: (-wc[1], wc[0]))
        if max_size is not None:
            items = items[:max_size]
        if not items:
            if n_tokens == 0:
                raise DataError(
                    f"no tokens in {n_documents} documents; the vocabulary would be empty",
                    hint="check the corpus and the tokenizer",
                )
            best = counter.most_common(1)[0][1] if counter else 0
            raise DataError(
                f"no word occurs at least min_count={min_count} times "
                f"(the most frequent occurs {best} times)",
                hint="lower min_count or use a larger corpus",
            )
        vocab = cls([w for w, _ in items], [c for _, c in items], specials=specials)
        vocab.n_documents = n_documents
        vocab.n_tokens = n_tokens
        return vocab

    # -- lookup ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __getitem__(self, word: str) -> int:
        try:
            return self._index[word]
        except KeyError:
            raise VocabularyError(
                f"word {word!r} is not in the vocabulary ({len(self.words)} words)",
                hint="use .get(word) or encode(..., unknown=id) for words that may be missing",
            ) from None

    def get(self, word: str, default: int | None = None) -> int | None:
        """The id of ``word``, or ``default`` when it is not in the vocabulary."""
        return self._index.get(word, default)

    def encode(self, tokens: Sequence[str], *, unknown: int | None = None) -> list[int]:
        """Map tokens to ids.

        Parameters
        ----------
        tokens : sequence of str
            The tokens of one document.
        unknown : int, optional
            Id given to unknown tokens; ``None`` drops them.

        Examples
        --------
        >>> v = Vocabulary(["a", "b"])
        >>> v.encode(["b", "x", "a"]), v.encode(["b", "x"], unknown=-1)
        ([1, 0], [1, -1])
        """
        index = self._index
        if unknown is None:
            return [index[t] for t in tokens if t in index]
        get = index.get
        return [get(t, unknown) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Map ids back to words."""
        words = self.words
        return [words[i] for i in ids]

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Vocabulary)
            and self.words == other.words
            and self.specials == other.specials
            and np.array_equal(self.counts, other.counts)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        head = ", ".join(repr(w) for w in self.words[:5])
        more = ", ..." if len(self.words) > 5 else ""
        return f"Vocabulary({len(self.words)} words: [{head}{more}])"

    # -- serialisation --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict; :meth:`from_dict` rebuilds the vocabulary."""
        n_special = len(self.specials)
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "specials": list(self.specials),
            "words": self.words[n_special:],
            "counts": self.counts[n_special:].tolist(),
            "n_documents": int(self.n_documents),
            "n_tokens": int(self.n_tokens),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Vocabulary:
        """Rebuild a vocabulary from :meth:`to_dict` output.

        Raises
        ------
        FormatError
            A required key is missing or of the wrong type.
        IncompatibleModelError
            Written by a newer, incompatible version.
        """
        if not isinstance(d, dict) or "words" not in d:
            raise FormatError("not an nlptk vocabulary (no 'words' list)")
        version = d.get("version", _VERSION)
        if not isinstance(version, int) or version > _VERSION:
            raise IncompatibleModelError(
                f"vocabulary format version {version!r} is newer than this nlptk supports ({_VERSION})",
                hint="upgrade nlptk",
            )
        words, counts, specials = d["words"], d.get("counts"), d.get("specials", [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise FormatError("vocabulary 'words' must be a list of strings")
        if counts is not None and (
            not isinstance(counts, list) or not all(isinstance(c, int) for c in counts)
        ):
            raise FormatError("vocabulary 'counts' must be a list of integers")
        try:
            vocab = cls(words, counts, specials=specials)
        except ParameterError as exc:
            raise FormatError(f"bad vocabulary: {exc.message}") from None
        vocab.n_documents = int(d.get("n_documents", 0))
        vocab.n_tokens = int(d.get("n_tokens", vocab.n_tokens))
        return vocab

    def save(self, path: PathLike, *, force: bool = False) -> Path:
        """Write the vocabulary as JSON, atomically; an existing file needs ``force=True``."""
        target = Path(path)
        with atomic_write(target, force=force) as fh:
            json.dump(self.to_dict(), fh, ensure_ascii=False)
            fh.write("\n")
        return target

    @classmethod
    def load(cls, path: PathLike) -> Vocabulary:
        """Read a vocabulary written by :meth:`save`.

        Raises
        ------
        InputFileError
            Missing, empty or a folder.
        FormatError
            Not valid JSON or not a vocabulary.
        """
        p = check_input_file(path, what="vocabulary file")
        try:
            with open(p, encoding="utf-8") as fh:
                data = json.load(fh)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            raise FormatError(
                f"not a valid JSON vocabulary ({getattr(exc, 'msg', exc)})", path=p, line=line
            ) from None
        try:
            return cls.from_dict(data)
        except FormatError as exc:
            exc.path = str(p)
            raise
