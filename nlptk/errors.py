"""The exceptions nlptk raises.

Every error a user can cause is an :class:`NlptkError`. Each subclass also inherits
the matching built-in exception, so ``except ValueError`` or ``except FileNotFoundError``
keeps working for code that does not know nlptk.

A message says what was received, what was expected and how to fix it; ``path`` and
``line`` say where. ``str(error)`` is the one line the command line prints:

>>> from nlptk.errors import FormatError
>>> print(FormatError("has 99 values, expected 100 (the header says dim=100)",
...                   path="vectors.txt", line=17, hint="fix or remove that line"))
vectors.txt, line 17: has 99 values, expected 100 (the header says dim=100); fix or remove that line

``exit_code`` is what the command line exits with: 2 for bad input (the user can fix
it), 1 for other failures.
"""

from __future__ import annotations

import os

__all__ = [
    "DataError",
    "DeviceError",
    "DistributedError",
    "DownloadError",
    "EncodingError",
    "FormatError",
    "IncompatibleModelError",
    "InputFileError",
    "NlptkError",
    "NotFittedError",
    "OutputExistsError",
    "ParameterError",
    "TrainingError",
    "VocabularyError",
]


class NlptkError(Exception):
    """Base class of every error nlptk raises on purpose.

    Parameters
    ----------
    message : str
        What was wrong, with the numbers in.
    path : str or os.PathLike, optional
        The file or folder concerned.
    line : int, optional
        1-based line number inside ``path``.
    hint : str, optional
        How to fix it.
    """

    exit_code: int = 1

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else os.fspath(path)
        self.line = line
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}, line {self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        text = where + self.message
        if self.hint:
            text += "; " + self.hint
        # one line, always: a line break quoted from the input (a CSV header, a word) is shown escaped
        return text.replace("\r", "\\r").replace("\n", "\\n")


class InputFileError(NlptkError, OSError):
    """An input file or folder is missing, empty, unreadable or of the wrong kind."""

    exit_code = 2

    def __str__(self) -> str:  # OSError would format its own way
        return NlptkError.__str__(self)


class EncodingError(NlptkError, ValueError):
    """A file's bytes cannot be decoded with the encoding asked for.

    ``byte_offset`` is the 0-based offset of the first bad byte in the (decompressed) file.
    """

    exit_code = 2

    def __init__(self, message: str, *, byte_offset: int | None = None, **kwargs: object) -> None:
        self.byte_offset = byte_offset
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class FormatError(NlptkError, ValueError):
    """A file's content is malformed: a short row, a non-number, a bad header, a truncated binary."""

    exit_code = 2


class IncompatibleModelError(FormatError):
    """A saved model or vectors folder was written by an incompatible nlptk version."""


class DataError(NlptkError, ValueError):
    """The data cannot serve the job: no tokens, an empty vocabulary, one class, no labels."""

    exit_code = 2


class ParameterError(NlptkError, ValueError):
    """A parameter or option has a value outside what it accepts (``dim=0``, an unknown method)."""

    exit_code = 2


class VocabularyError(NlptkError, KeyError):
    """A word is not in the vocabulary and the vectors have no subword information."""

    exit_code = 2

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return NlptkError.__str__(self)


class NotFittedError(NlptkError, AttributeError):
    """A model was used before ``fit`` (scikit-learn's convention)."""

    exit_code = 2


class OutputExistsError(NlptkError, FileExistsError):
    """An output already exists and ``force`` was not given."""

    exit_code = 2

    def __str__(self) -> str:
        return NlptkError.__str__(self)


class DeviceError(NlptkError, RuntimeError):
    """A device was asked for that this machine does not have (``--device cuda`` with no GPU)."""

    exit_code = 2


class TrainingError(NlptkError, RuntimeError):
    """Training failed in a way the data or parameters explain (a NaN loss, say)."""

    exit_code = 1


class DistributedError(NlptkError, RuntimeError):
    """A multi-process run broke: a rank died, did not answer in time, or could not join."""

    exit_code = 1


class DownloadError(NlptkError, ConnectionError):
    """A download failed, was refused (offline) or did not match its checksum."""

    exit_code = 1

    def __str__(self) -> str:
        return NlptkError.__str__(self)
