"""Tests of nlptk.text.tokenize: what the tokenizers do with Unicode, numbers and punctuation."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from nlptk.errors import ParameterError
from nlptk.text.tokenize import (
    RegexTokenizer,
    SpacyTokenizer,
    WhitespaceTokenizer,
    get_tokenizer,
    tokenizer_from_config,
)


def test_regex_default_words_contractions_hyphens_and_lowercase():
    tok = RegexTokenizer()
    assert tok("Don't panic: STATE-of-the-art models!") == ["don't", "panic", "state-of-the-art", "models"]
    assert RegexTokenizer(lowercase=False)("Don't Panic") == ["Don't", "Panic"]


def test_regex_unicode_letters_accents_and_scripts():
    tok = RegexTokenizer()
    assert tok("Café naïve Straße") == ["café", "naïve", "straße"]
    assert tok("Привет, мир!") == ["привет", "мир"]
    assert tok("l’homme d'affaires") == ["l’homme", "d'affaires"]
    # combining marks stay inside the word (e + U+0301)
    assert tok("cafe\u0301 ok") == ["cafe\u0301", "ok"]


def test_regex_numbers_keep_drop_token():
    text = "It cost 1,000.50 dollars in 2024 and 3rd place"
    assert RegexTokenizer()(text) == [
        "it",
        "cost",
        "1,000.50",
        "dollars",
        "in",
        "2024",
        "and",
        "3rd",
        "place",
    ]
    assert RegexTokenizer(numbers="drop")(text) == ["it", "cost", "dollars", "in", "and", "3rd", "place"]
    assert RegexTokenizer(numbers="token")(text).count("<num>") == 2


def test_regex_punctuation_drop_and_keep():
    assert RegexTokenizer()("Hello, world... (yes)!") == ["hello", "world", "yes"]
    assert RegexTokenizer(punctuation="keep")("Hi, you.") == ["hi", ",", "you", "."]
    assert RegexTokenizer()("--- ... !!!") == []


@pytest.mark.parametrize("punctuation", ["drop", "keep"])
def test_regex_ascii_fast_paths_find_what_the_unicode_pattern_finds(punctuation):
    """ASCII text goes through re.ASCII (or str.split for letters and spaces only): every pair
    of ASCII characters, alone and between letters and digits, gives the Unicode pattern's tokens."""
    from nlptk.text.tokenize import _patterns

    tok = RegexTokenizer(lowercase=False, punctuation=punctuation)
    reference = re.compile(_patterns(punctuation == "keep")).findall
    for a, b in itertools.product(map(chr, range(128)), repeat=2):
        for text in (a + b, f"x{a}y{b}1", f"ab{a}{b}cd ef"):
            assert tok(text) == reference(text), (text, punctuation)
    text8 = " anarchism originated as a term of abuse first used against early working class"
    assert tok(text8) == reference(text8) == text8.split()
    assert tok("Abc\x1cdef") == reference("Abc\x1cdef") == ["Abc", "def"]  # a Unicode separator


def test_regex_rejects_bad_options():
    with pytest.raises(ParameterError, match="numbers='all'"):
        RegexTokenizer(numbers="all")
    with pytest.raises(ParameterError):
        RegexTokenizer(punctuation="maybe")


def test_whitespace_tokenizer_keeps_tokens_as_written():
    assert WhitespaceTokenizer()("It 's  a GOOD\tfilm .") == ["It", "'s", "a", "GOOD", "film", "."]
    assert WhitespaceTokenizer(lowercase=True)("A B") == ["a", "b"]


def test_spacy_tokenizer_splits_clitics_and_drops_punctuation():
    tok = SpacyTokenizer()
    assert tok("Don't stop, OK?") == ["do", "n't", "stop", "ok"]
    assert SpacyTokenizer(punctuation="keep", lowercase=False)("Hi, you.") == ["Hi", ",", "you", "."]
    with pytest.raises(ParameterError, match="no language"):
        SpacyTokenizer("xx-not-a-language")


@pytest.mark.parametrize(
    "tok",
    [
        RegexTokenizer(),
        RegexTokenizer(lowercase=False, numbers="token", punctuation="keep"),
        WhitespaceTokenizer(lowercase=True),
        SpacyTokenizer(punctuation="keep"),
    ],
)
def test_config_round_trip_through_json_gives_the_same_tokenization(tok):
    config = json.loads(json.dumps(tok.to_config()))
    again = tokenizer_from_config(config)
    assert again == tok and type(again) is type(tok)
    text = "Mr. O'Neil paid $3.50 -- twice!"
    assert again(text) == tok(text)


def test_get_tokenizer_names_dicts_instances_and_unknown():
    assert isinstance(get_tokenizer(), RegexTokenizer)
    assert get_tokenizer("whitespace", lowercase=True)("A b") == ["a", "b"]
    inst = RegexTokenizer(numbers="drop")
    assert get_tokenizer(inst) is inst
    assert get_tokenizer({"name": "regex", "numbers": "drop"}) == inst
    with pytest.raises(ParameterError, match="unknown tokenizer 'bpe'"):
        get_tokenizer("bpe")
