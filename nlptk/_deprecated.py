"""Old public names that keep working for one release, with a :class:`DeprecationWarning`.

Every rename of a public name goes through here, so that the old names, their new homes and
the release that removes them are listed in one place (the README's "Renamed" list says the
same to users). Two kinds of renames exist:

* a **name** inside a module (a function or class): the module's ``__getattr__`` is
  :func:`renamed_names`, which serves the old name with a warning;
* a whole **module**: the old file is a two-line shim whose ``__getattr__`` is
  :func:`moved_module`, which warns once when the old module is imported;
* a **keyword** of a function or estimator: :func:`old_keyword_value` (through
  :func:`nlptk.params.renamed_keyword` and estimators' ``renamed_params``).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any

from nlptk.errors import ParameterError

__all__ = ["REMOVED_IN", "moved_module", "old_keyword_value", "renamed_names", "warn_renamed"]

#: The release in which the old names go away.
REMOVED_IN = "0.3"


def warn_renamed(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that ``old`` is now ``new`` (a :class:`DeprecationWarning`)."""
    warnings.warn(
        f"{old} is renamed {new}; the old name will be removed in nlptk {REMOVED_IN}",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def renamed_names(
    module: str, names: dict[str, str], fallback: Callable[[str], Any] | None = None
) -> Callable[[str], Any]:
    """A module ``__getattr__`` that serves old names with a warning.

    Parameters
    ----------
    module : str
        The module's ``__name__``.
    names : dict of str to str
        Old name -> the new one's full dotted path (``"nlptk.embed.pipeline.train_embeddings"``).
    fallback : callable, optional
        The module's own ``__getattr__`` for every other name (lazy imports).
    """

    def __getattr__(name: str) -> Any:
        if name in names:
            target = names[name]
            owner, _, attr = target.rpartition(".")
            warn_renamed(f"{module}.{name}", target)
            return getattr(importlib.import_module(owner), attr)
        if fallback is not None:
            return fallback(name)
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


def moved_module(old: str, new: str) -> Callable[[str], Any]:
    """Warn that module ``old`` is now ``new``; return a ``__getattr__`` that reads from ``new``."""
    warn_renamed(f"module {old}", new, stacklevel=4)
    target = importlib.import_module(new)

    def __getattr__(name: str) -> Any:
        return getattr(target, name)

    return __getattr__


def old_keyword_value(
    where: str, old: str, old_value: Any, new: str, new_value: Any, *, new_given: bool, stacklevel: int
) -> Any:
    """``old_value``, given under the deprecated keyword ``old`` of ``where``, now called ``new``.

    Warns (a :class:`DeprecationWarning` naming the release that removes ``old``); raises
    :class:`~nlptk.errors.ParameterError` when ``new`` was given too (``new_given``) with
    another value. ``stacklevel`` counts from the caller of this function.
    """
    if new_given and new_value != old_value:
        raise ParameterError(
            f"{where}() got {new}={new_value!r} and its old name {old}={old_value!r}", hint=f"give {new} only"
        )
    warnings.warn(
        f"{where}({old}=...) is deprecated; use {new}=... ({old} will be removed in nlptk {REMOVED_IN})",
        DeprecationWarning,
        stacklevel=stacklevel + 1,
    )
    return old_value
