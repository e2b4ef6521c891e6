"""Parameters declared once: typed, frozen dataclasses whose fields carry their own bounds and help.

A trainer's or model's settings are one dataclass deriving from :class:`Params`, each field
declared with :func:`param`. Everything else is derived from that declaration:

* the checks (type, bounds, choices, then the class's own :meth:`Params.check` for rules that
  tie several fields together) run once, when the object is made; inner layers trust it;
* the library signature (a function takes ``config=`` or ``**params`` forwarded to the class);
* the run manifest (:meth:`Params.to_dict`) and resume comparisons (:meth:`Params.diff`);
* the command-line options (:func:`nlptk.cli._params.config_options` makes one option per
  field, with the field's help and default).

Adding a parameter to a trainer is then one ``param(...)`` line plus the code that uses it.

The checkers below (:func:`check_int`, :func:`check_float`, :func:`check_choice`) are the one
shared set for values that enter through a plain function argument rather than a dataclass.

Estimators built on a declaration (:func:`estimator_init`, :class:`ParamsEstimatorMixin`) and
renamed keywords (:func:`renamed_keyword`) live in :mod:`nlptk._estimator`; import them from here.

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class ToyConfig(Params):
...     dim: int = param(100, help="Vector dimensions.", min=1)
...     rate: float = param(0.05, help="Learning rate.", min=0.0, min_exclusive=True)
...     mode: str = param("fast", help="Speed or care.", choices=("fast", "careful"))
>>> ToyConfig(dim=50).to_dict()
{'dim': 50, 'rate': 0.05, 'mode': 'fast'}
>>> ToyConfig(dim=0)
Traceback (most recent call last):
...
nlptk.errors.ParameterError: dim=0 must be an integer >= 1
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
import os
import types
import typing
from dataclasses import MISSING, dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from nlptk._estimator import ParamsEstimatorMixin, estimator_init, renamed_keyword
from nlptk.errors import ParameterError

__all__ = [
    "ParamSpec",
    "Params",
    "ParamsEstimatorMixin",
    "check_choice",
    "check_float",
    "check_int",
    "documented",
    "estimator_init",
    "param",
    "param_error",
    "renamed_keyword",
    "resolve_params",
]

_META_KEY = "nlptk.param"

P = TypeVar("P", bound="Params")


@dataclass(frozen=True)
class ParamSpec:
    """What :func:`param` records about a field: its help, bounds, choices and option name."""

    help: str
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    choices: tuple[Any, ...] | None = None
    flag: str | None = None
    cli: bool = True


def param(
    default: Any = MISSING,
    *,
    help: str,
    min: float | None = None,
    max: float | None = None,
    min_exclusive: bool = False,
    max_exclusive: bool = False,
    choices: tuple[Any, ...] | None = None,
    flag: str | None = None,
    cli: bool = True,
    default_factory: Any = MISSING,
) -> Any:
    """Declare one field of a :class:`Params` dataclass.

    Parameters
    ----------
    default : object
        The default value (or give ``default_factory`` for mutable defaults).
    help : str
        One line for the docs and the command line's ``--help``.
    min, max : float, optional
        Bounds for numbers (and for each number of a tuple field); inclusive unless
        ``min_exclusive`` / ``max_exclusive``.
    choices : tuple, optional
        The values allowed.
    flag : str, optional
        The command-line option (``"--topics"``; ``"--sg/--cbow"`` for a bool); default
        ``--field-name``.
    cli : bool, default=True
        ``False``: not offered as a command-line option (set by the command itself or library-only).
    default_factory : callable, optional
        Makes the default (``dataclasses.field``'s meaning).
    """
    spec = ParamSpec(
        help=help,
        min=min,
        max=max,
        min_exclusive=min_exclusive,
        max_exclusive=max_exclusive,
        choices=None if choices is None else tuple(choices),
        flag=flag,
        cli=cli,
    )
    if default_factory is not MISSING:
        return dataclasses.field(default_factory=default_factory, metadata={_META_KEY: spec})
    return dataclasses.field(default=default, metadata={_META_KEY: spec})


def param_error(name: str, value: Any, reason: str, *, hint: str | None = None) -> ParameterError:
    """A :class:`~nlptk.errors.ParameterError` that knows the parameter it is about.

    ``error.param`` is the name, ``error.value`` the value and ``error.reason`` the bare reason,
    so the command line can restate it with the option's flag.
    """
    error = ParameterError(f"{name}={value!r} {reason}", hint=hint)
    error.param = name  # type: ignore[attr-defined]
    error.value = value  # type: ignore[attr-defined]
    error.reason = reason  # type: ignore[attr-defined]
    return error


# -- the shared checkers -----------------------------------------------------------------------


def _bound_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    return " and ".join(parts)


def _check_bounds(
    name: str,
    value: float,
    kind: str,
    low: float | None,
    high: float | None,
    low_open: bool = False,
    high_open: bool = False,
    shown: Any = None,
) -> None:
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        shown = value if shown is None else shown
        raise param_error(name, shown, f"must be {kind} {_bound_text(low, high, low_open, high_open)}")


def check_int(
    name: str,
    value: Any,
    *,
    min: int | None = None,
    max: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """``value`` as an int within ``[min, max]``, else a :class:`ParameterError` naming ``name``.

    >>> check_int("epochs", 5, min=1)
    5
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        bound = _bound_text(min, max, False, False)
        raise param_error(name, value, f"must be an integer{' ' + bound if bound else ''}")
    _check_bounds(name, int(value), "an integer", min, max)
    return int(value)


def check_float(
    name: str,
    value: Any,
    *,
    min: float | None = None,
    max: float | None = None,
    min_exclusive: bool = False,
    max_exclusive: bool = False,
    allow_none: bool = False,
) -> float | None:
    """``value`` as a finite float within the bounds, else a :class:`ParameterError`.

    >>> check_float("lr", 1e-3, min=0.0, min_exclusive=True)
    0.001
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        bound = _bound_text(min, max, min_exclusive, max_exclusive)
        raise param_error(name, value, f"must be a finite number{' ' + bound if bound else ''}")
    _check_bounds(name, float(value), "a number", min, max, min_exclusive, max_exclusive, shown=value)
    return float(value)


def check_choice(name: str, value: Any, choices: tuple[Any, ...] | list[Any]) -> Any:
    """``value`` if it is one of ``choices``, else a :class:`ParameterError` listing them.

    >>> check_choice("cell", "gru", ("rnn", "lstm", "gru"))
    'gru'
    """
    if value not in choices:
        listed = ", ".join(str(c) for c in choices)
        raise param_error(name, value, f"is not one of {listed}")
    return value


# -- type handling -----------------------------------------------------------------------------


def _split_optional(hint: Any) -> tuple[tuple[Any, ...], bool]:
    """(member types, allows None) of a type hint."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(hint)
        return tuple(m for m in members if m is not type(None)), type(None) in members
    return (hint,), False


def _coerce(name: str, value: Any, hint: Any, spec: ParamSpec) -> Any:
    """Check ``value`` against the field's type and spec; return it, converted where lossless."""
    members, optional = _split_optional(hint)
    if value is None:
        if optional:
            return None
        raise param_error(name, value, "must be given (None is not allowed)")
    errors: list[ParameterError] = []
    for member in members:
        try:
            return _coerce_one(name, value, member, spec)
        except ParameterError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    kinds = ", ".join(getattr(m, "__name__", str(m)) for m in members)
    raise param_error(name, value, f"must be one of the types {kinds}")


def _coerce_one(name: str, value: Any, hint: Any, spec: ParamSpec) -> Any:
    origin = typing.get_origin(hint)
    if hint is Any:
        result = value
    elif hint is bool:
        if not isinstance(value, bool):
            raise param_error(name, value, "must be true or false")
        result = value
    elif hint is int:
        result = check_int(name, value)
        _check_bounds(name, result, "an integer", spec.min, spec.max, spec.min_exclusive, spec.max_exclusive)  # type: ignore[arg-type]
    elif hint is float:
        result = check_float(
            name,
            value,
            min=spec.min,
            max=spec.max,
            min_exclusive=spec.min_exclusive,
            max_exclusive=spec.max_exclusive,
        )
    elif hint is str:
        if not isinstance(value, str):
            raise param_error(name, value, "must be a string")
        result = value
    elif hint is Path:
        if not isinstance(value, (str, os.PathLike)):
            raise param_error(name, value, "must be a path")
        result = Path(value)
    elif origin is tuple:
        if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
            raise param_error(name, value, "must be a sequence of values")
        args = typing.get_args(hint)
        element = args[0] if args else Any
        item_spec = dataclasses.replace(spec, choices=None)
        result = tuple(_coerce(name, item, element, item_spec) for item in value)
        if spec.choices is not None:
            for item in result:
                check_choice(name, item, spec.choices)
        return result
    elif origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise param_error(name, value, "must be a mapping")
        result = value
    else:  # a type this module does not know: trust it
        result = value
    if spec.choices is not None:
        check_choice(name, result, spec.choices)
    return result


def _spec(field: dataclasses.Field[Any]) -> ParamSpec:
    spec = field.metadata.get(_META_KEY)
    return spec if spec is not None else ParamSpec(help="")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


# -- the base class ----------------------------------------------------------------------------


class Params:
    """Base of every settings dataclass (decorate the subclass with ``@dataclass(frozen=True)``).

    Making an instance checks every field (type, bounds, choices from :func:`param`), then
    :meth:`check`; a bad value raises :class:`~nlptk.errors.ParameterError` naming the field
    (``error.param``). Fields of type ``float`` accept ints, ``Path`` fields accept strings,
    ``tuple`` fields accept lists (converted).
    """

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
    #: What one field is called in messages ("unknown classifier setting: colour").
    setting_label: ClassVar[str | None] = None
    _hints_cache: ClassVar[dict[type, dict[str, Any]]] = {}

    def __post_init__(self) -> None:
        hints = self._hints()
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            checked = _coerce(field.name, value, hints.get(field.name, Any), _spec(field))
            if checked is not value:
                object.__setattr__(self, field.name, checked)
        self.check()

    def check(self) -> None:
        """Rules that tie several fields together; raise :class:`ParameterError` (override)."""

    @classmethod
    def _hints(cls) -> dict[str, Any]:
        hints = Params._hints_cache.get(cls)
        if hints is None:
            hints = typing.get_type_hints(cls)
            Params._hints_cache[cls] = hints
        return hints

    @classmethod
    def param_names(cls) -> tuple[str, ...]:
        """The field names, in declaration order."""
        return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    @classmethod
    def specs(cls) -> dict[str, ParamSpec]:
        """Field name -> its :class:`ParamSpec`."""
        return {f.name: _spec(f) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]

    @classmethod
    def describe(cls) -> dict[str, str]:
        """Field name -> one-line help."""
        return {name: spec.help for name, spec in cls.specs().items()}

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Field name -> default value (fields without a default are left out)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.default is not MISSING:
                out[f.name] = f.default
            elif f.default_factory is not MISSING:
                out[f.name] = f.default_factory()
        return out

    @classmethod
    def check_names(cls, names: typing.Iterable[str], *, what: str | None = None) -> None:
        """Refuse names that are not fields, listing the known ones."""
        known = cls.param_names()
        unknown = sorted(set(names) - set(known))
        if unknown:
            label = what or cls.setting_label or f"{cls.__name__} setting"
            plural = "s" if len(unknown) > 1 else ""
            raise ParameterError(
                f"unknown {label}{plural}: {', '.join(unknown)}", hint=f"known: {', '.join(known)}"
            )

    @classmethod
    def from_dict(cls: type[P], data: dict[str, Any]) -> P:
        """Rebuild from :meth:`to_dict` output; unknown keys raise :class:`ParameterError`."""
        cls.check_names(data)
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field (paths as strings, tuples as lists)."""
        return {name: _jsonable(getattr(self, name)) for name in self.param_names()}

    def replace(self: P, **changes: Any) -> P:
        """A checked copy with some fields changed."""
        self.check_names(changes)
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def diff(self, other: Params) -> list[str]:
        """Names of the fields whose values differ between ``self`` and ``other`` (same class)."""
        return [name for name in self.param_names() if getattr(self, name) != getattr(other, name, MISSING)]


def documented(cls: type[P]) -> type[P]:
    """Class decorator (above ``@dataclass``): append a NumPy ``Parameters`` section built from the
    fields' declarations, so the docs never restate a default or a bound by hand."""
    hints = cls._hints()
    lines = ["", "Parameters", "----------"]
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        spec = _spec(field)
        hint = hints.get(field.name, Any)
        kind = getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
        if spec.choices is not None:
            kind = "{" + ", ".join(repr(c) for c in spec.choices) + "}"
        if field.default is not MISSING:
            kind += f", default={field.default!r}"
        lines.append(f"{field.name} : {kind}")
        bound = _bound_text(spec.min, spec.max, spec.min_exclusive, spec.max_exclusive)
        text = spec.help
        if bound:
            text = f"{text.rstrip('.')} ({bound})."
        lines.append(f"    {text}")
    doc = typing.cast(str, cls.__doc__ or "")
    head, sep, examples = doc.partition("\n    Examples\n")
    body = inspect.cleandoc(head) + "\n" + "\n".join(lines)
    if sep:
        body += "\n\nExamples\n" + inspect.cleandoc("\n" + examples)
    cls.__doc__ = body
    return cls


def resolve_params(cls: type[P], config: P | None, params: dict[str, Any]) -> P:
    """The settings a library function runs with: ``config`` (or the defaults) with ``params``
    (keyword arguments) applied; unknown names and bad values raise :class:`ParameterError`.

    >>> from nlptk.classify.config import ClassifierConfig
    >>> resolve_params(ClassifierConfig, None, {"epochs": 2}).epochs
    2
    """
    if config is not None and not isinstance(config, cls):
        raise ParameterError(f"config must be a {cls.__name__}, got {type(config).__name__}")
    cls.check_names(params)
    if config is None:
        return cls(**params)
    return config.replace(**params) if params else config
