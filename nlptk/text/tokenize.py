"""Tokenizers: a fast regex tokenizer (the default), a whitespace tokenizer and spaCy's.

Every tokenizer has a ``name`` and a :meth:`~Tokenizer.to_config` dict that is saved with
anything trained from it (``meta.json`` of vectors, ``config.json`` of a classifier), so
:func:`tokenizer_from_config` applies the same tokenization later.

The default, :class:`RegexTokenizer`, works this way (all of it Unicode-aware):

* a *word* is a run of letters, digits, marks and underscores, and may hold inner
  apostrophes or hyphens: ``don't``, ``state-of-the-art``, ``l'homme`` stay one token;
* ``lowercase=True`` (the default) lowercases with :meth:`str.lower`;
* ``numbers``: ``"keep"`` keeps number tokens as written (``1,000.5`` is one token),
  ``"drop"`` removes them, ``"token"`` replaces each with ``<num>``; the default is ``"keep"``;
* ``punctuation``: ``"drop"`` (the default) drops punctuation and symbols, ``"keep"`` makes
  each punctuation character a token of its own, as word2vec corpora such as WikiText do.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any, ClassVar, Literal

from nlptk.errors import ParameterError

__all__ = [
    "RegexTokenizer",
    "SpacyTokenizer",
    "Tokenizer",
    "WhitespaceTokenizer",
    "get_tokenizer",
    "tokenizer_from_config",
]

_NUMBER = r"[+-]?\d+(?:[.,]\d+)*"
_IS_NUMBER = re.compile(rf"^{_NUMBER}$")


@functools.cache
def _mark_class() -> str:
    """Regex ranges of the combining marks (Unicode categories Mn, Mc, Me) in planes 0-1.

    Python's ``\\w`` does not match marks, which would cut ``हिन्दी`` into single letters and
    drop the accent of a decomposed ``e\\u0301``; word patterns add them explicitly.
    Built once, lazily (about 50 ms).
    """
    ranges: list[str] = []
    start = prev = -1
    for cp in range(0x20000):
        if unicodedata.category(chr(cp))[0] == "M":
            if start < 0:
                start = cp
            prev = cp
        elif start >= 0:
            ranges.append(
                f"\\u{start:04x}-\\u{prev:04x}" if prev <= 0xFFFF else f"\\U{start:08x}-\\U{prev:08x}"
            )
            start = -1
    return "".join(ranges)


def _patterns(punctuation: bool, *, ascii: bool = False) -> str:
    """The tokenizer's pattern; ``ascii=True`` gives the one to compile with :data:`re.ASCII`,
    which finds the same tokens in ASCII text, faster (no mark ranges to test)."""
    marks = "" if ascii else _mark_class()
    # On ASCII text re.ASCII's \s lacks the separators \x1c-\x1f, which Unicode \s has.
    space = r"\s\x1c-\x1f" if ascii else r"\s"
    word_char = rf"[\w{marks}]"
    alnum = rf"\d+[^\W\d_]{word_char}*"
    word = rf"[^\W\d_](?:{word_char}|['’\-](?={word_char}))*|_+{word_char}*"
    parts = [alnum, _NUMBER, word]
    if punctuation:
        parts.append(rf"[^\w{space}{marks}]")
    return "|".join(parts)


#: Finds a character other than an ASCII letter or ASCII whitespace. Text without one (text8 and
#: other cleaned corpora) has the letter runs as tokens: ``str.split`` finds them 10x faster.
_NOT_LETTER_OR_SPACE = re.compile(r"[^A-Za-z \t\n\r\x0b\x0c]").search


class Tokenizer:
    """Base class: a callable that turns one text into a list of tokens."""

    name: ClassVar[str] = "base"

    def __call__(self, text: str) -> list[str]:
        raise NotImplementedError

    def to_config(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict from which :func:`tokenizer_from_config` rebuilds it."""
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_config().items() if k != "name")
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tokenizer) and self.to_config() == other.to_config()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.to_config().items())))


class RegexTokenizer(Tokenizer):
    """The default tokenizer: one compiled regular expression, Unicode-aware.

    Parameters
    ----------
    lowercase : bool, default=True
        Lowercase tokens.
    numbers : {"keep", "drop", "token"}, default="keep"
        What to do with number tokens (``12``, ``3.5``, ``1,000``).
    punctuation : {"drop", "keep"}, default="drop"
        Drop punctuation and symbols, or keep each character as a token.

    Examples
    --------
    >>> RegexTokenizer()("Don't panic: 42 state-of-the-art models, café!")
    ["don't", 'panic', '42', 'state-of-the-art', 'models', 'café']
    >>> RegexTokenizer(numbers="token", punctuation="keep")("It costs 3.50 $.")
    ['it', 'costs', '<num>', '$', '.']
    """

    name = "regex"

    def __init__(
        self,
        *,
        lowercase: bool = True,
        numbers: Literal["keep", "drop", "token"] = "keep",
        punctuation: Literal["drop", "keep"] = "drop",
    ) -> None:
        if numbers not in ("keep", "drop", "token"):
            raise ParameterError(f"numbers={numbers!r} is not one of 'keep', 'drop', 'token'")
        if punctuation not in ("drop", "keep"):
            raise ParameterError(f"punctuation={punctuation!r} is not one of 'drop', 'keep'")
        self.lowercase = lowercase
        self.numbers = numbers
        self.punctuation = punctuation
        keep = punctuation == "keep"
        self._findall_ascii: Callable[[str], list[str]] = re.compile(
            _patterns(keep, ascii=True), re.ASCII
        ).findall
        self._findall_unicode: Callable[[str], list[str]] | None = None  # compiled on first use

    def _findall(self, text: str) -> list[str]:
        """The pattern's matches in ``text``, by the fastest of three equivalent ways."""
        if text.isascii():
            if _NOT_LETTER_OR_SPACE(text) is None:
                return text.split()
            return self._findall_ascii(text)
        if self._findall_unicode is None:
            self._findall_unicode = re.compile(_patterns(self.punctuation == "keep")).findall
        return self._findall_unicode(text)

    def __call__(self, text: str) -> list[str]:
        if self.lowercase:
            text = text.lower()
        tokens = self._findall(text)
        if self.numbers == "keep":
            return tokens
        if self.numbers == "drop":
            return [t for t in tokens if not _IS_NUMBER.match(t)]
        return ["<num>" if _IS_NUMBER.match(t) else t for t in tokens]

    def to_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "lowercase": self.lowercase,
            "numbers": self.numbers,
            "punctuation": self.punctuation,
        }


class WhitespaceTokenizer(Tokenizer):
    """Split on whitespace only: for text that is already tokenized (SST-2, WikiText, text8).

    Examples
    --------
    >>> WhitespaceTokenizer(lowercase=False)("It 's a GOOD film .")
    ['It', "'s", 'a', 'GOOD', 'film', '.']
    """

    name = "whitespace"

    def __init__(self, *, lowercase: bool = False) -> None:
        self.lowercase = lowercase

    def __call__(self, text: str) -> list[str]:
        return (text.lower() if self.lowercase else text).split()

    def to_config(self) -> dict[str, Any]:
        return {"name": self.name, "lowercase": self.lowercase}


class SpacyTokenizer(Tokenizer):
    """spaCy's rule-based tokenizer for a language (from ``spacy.blank(lang)``; no model needed).

    Parameters
    ----------
    lang : str, default="en"
        spaCy language code.
    lowercase : bool, default=True
        Lowercase tokens.
    punctuation : {"drop", "keep"}, default="drop"
        Drop punctuation and whitespace tokens, or keep punctuation.
    """

    name = "spacy"

    def __init__(
        self,
        lang: str = "en",
        *,
        lowercase: bool = True,
        punctuation: Literal["drop", "keep"] = "drop",
    ) -> None:
        import spacy

        try:
            self._nlp = spacy.blank(lang)
        except (ImportError, KeyError, ValueError) as exc:
            raise ParameterError(
                f"spaCy has no language {lang!r}", hint="use a code such as en, de, fr, es"
            ) from exc
        if punctuation not in ("drop", "keep"):
            raise ParameterError(f"punctuation={punctuation!r} is not one of 'drop', 'keep'")
        self.lang = lang
        self.lowercase = lowercase
        self.punctuation = punctuation

    def __call__(self, text: str) -> list[str]:
        doc = self._nlp.tokenizer(text)
        keep_punct = self.punctuation == "keep"
        out = [t.text for t in doc if not t.is_space and (keep_punct or not (t.is_punct or t.is_quote))]
        return [t.lower() for t in out] if self.lowercase else out

    def to_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "lang": self.lang,
            "lowercase": self.lowercase,
            "punctuation": self.punctuation,
        }


_REGISTRY: dict[str, type[Tokenizer]] = {
    RegexTokenizer.name: RegexTokenizer,
    WhitespaceTokenizer.name: WhitespaceTokenizer,
    SpacyTokenizer.name: SpacyTokenizer,
}


def tokenizer_from_config(config: dict[str, Any]) -> Tokenizer:
    """Rebuild a tokenizer from :meth:`Tokenizer.to_config` output."""
    config = dict(config)
    name = config.pop("name", None)
    if name not in _REGISTRY:
        raise ParameterError(f"unknown tokenizer {name!r}", hint=f"use one of {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](**config)


def get_tokenizer(spec: str | dict[str, Any] | Tokenizer | None = None, **options: Any) -> Tokenizer:
    """Return a tokenizer from a name (``"regex"``, ``"whitespace"``, ``"spacy"``), a config dict
    or an instance; ``None`` gives the default :class:`RegexTokenizer`.

    Examples
    --------
    >>> get_tokenizer("whitespace", lowercase=True)("A b")
    ['a', 'b']
    """
    if spec is None:
        spec = "regex"
    if isinstance(spec, Tokenizer):
        return spec
    if isinstance(spec, dict):
        return tokenizer_from_config({**spec, **options})
    return tokenizer_from_config({"name": spec, **options})
