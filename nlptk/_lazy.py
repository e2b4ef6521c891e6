"""A package's ``__getattr__`` that imports its public names on first use.

``import nlptk`` (and ``nlptk.classify``, ``nlptk.lm``) must stay light: torch, spaCy and
gensim load only when a name that needs them is first used. Each package lists its names
with the module that defines them, and gets its ``__getattr__`` from :func:`lazy_getattr`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from typing import Any

from nlptk._deprecated import renamed_names

__all__ = ["lazy_getattr"]


def lazy_getattr(
    package: str,
    names: dict[str, str],
    *,
    subpackages: Iterable[str] = (),
    renamed: dict[str, str] | None = None,
) -> Callable[[str], Any]:
    """A ``__getattr__`` for ``package`` that imports ``names`` on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__`` (it must be in ``sys.modules``: call this from its
        ``__init__``).
    names : dict of str to str
        Public name -> the module that defines it. A name, once imported, is kept in the
        package, so ``__getattr__`` runs once per name.
    subpackages : iterable of str
        Subpackages reachable as attributes without an import statement (``nlptk.embed``).
    renamed : dict of str to str, optional
        Old name -> new dotted path, served with a ``DeprecationWarning``
        (:func:`nlptk._deprecated.renamed_names`).
    """
    namespace = sys.modules[package].__dict__
    subpackages = frozenset(subpackages)

    def lazy(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(names[name]), name)
            namespace[name] = value
            return value
        if name in subpackages:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return renamed_names(package, renamed or {}, fallback=lazy)
