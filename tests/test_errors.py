"""The error family: messages, locations, built-in bases and exit codes."""

from __future__ import annotations

import pytest

from nlptk import errors


def test_message_names_file_line_and_hint() -> None:
    err = errors.FormatError(
        "has 99 values, expected 100 (the header says dim=100)",
        path="vectors.txt",
        line=17,
        hint="fix or remove that line",
    )
    assert str(err) == (
        "vectors.txt, line 17: has 99 values, expected 100 (the header says dim=100); fix or remove that line"
    )
    assert err.path == "vectors.txt" and err.line == 17


@pytest.mark.parametrize(
    ("cls", "builtin", "code"),
    [
        (errors.InputFileError, OSError, 2),
        (errors.EncodingError, ValueError, 2),
        (errors.FormatError, ValueError, 2),
        (errors.IncompatibleModelError, ValueError, 2),
        (errors.DataError, ValueError, 2),
        (errors.ParameterError, ValueError, 2),
        (errors.VocabularyError, KeyError, 2),
        (errors.NotFittedError, AttributeError, 2),
        (errors.OutputExistsError, FileExistsError, 2),
        (errors.DeviceError, RuntimeError, 2),
        (errors.TrainingError, RuntimeError, 1),
        (errors.DistributedError, RuntimeError, 1),
        (errors.DownloadError, ConnectionError, 1),
    ],
)
def test_each_error_is_also_the_matching_builtin(cls: type, builtin: type, code: int) -> None:
    err = cls("something is wrong", path="f.txt")
    assert isinstance(err, errors.NlptkError)
    assert isinstance(err, builtin)
    assert err.exit_code == code
    # every kind prints the same readable one-liner, whatever its built-in base does
    assert str(err) == "f.txt: something is wrong"
    with pytest.raises(builtin):
        raise err


def test_encoding_error_keeps_the_byte_offset() -> None:
    err = errors.EncodingError("cannot decode byte 0xe9", byte_offset=1234, path="mr.txt", line=3)
    assert err.byte_offset == 1234
    assert str(err).startswith("mr.txt, line 3: ")
