"""Command-line options derived from a :class:`~nlptk.params.Params` dataclass.

:func:`config_options` turns each field of a settings dataclass into a typer option (its help,
its default shown from the dataclass), collects the options the user gave, and hands the
command one checked ``config`` object. The dataclass stays the single source of truth:
options not given are not passed, so its defaults apply.

Example
-------
>>> @app.command("train")                                               # doctest: +SKIP
... @config_options(LDAConfig, exclude=("verbose",))
... def train_command(corpus: str, *, config: LDAConfig) -> None:
...     train_lda(corpus, config=config)
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from nlptk.errors import ParameterError
from nlptk.params import Params, ParamSpec, _split_optional

__all__ = ["config_options", "method_options", "option_flag"]

_PREFIX = "config__"


def option_flag(name: str, spec: ParamSpec, *, is_bool: bool = False) -> str:
    """The option declaration of a field: its ``flag`` or ``--field-name`` (``--x/--no-x`` for bools)."""
    if spec.flag:
        return spec.flag
    dashed = name.replace("_", "-")
    return f"--{dashed}/--no-{dashed}" if is_bool else f"--{dashed}"


def _display_flag(decl: str, value: Any = None) -> str:
    if "/" not in decl:
        return decl
    on, off = decl.split("/", 1)
    return off if value is False else on


def _default_text(field: dataclasses.Field[Any]) -> str:
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _option_type(name: str, hint: Any, spec: ParamSpec) -> tuple[Any, Callable[[Any], Any]]:
    """(the type typer parses, a converter to the dataclass's value) for one field."""
    members, _ = _split_optional(hint)
    base = members[0] if len(members) == 1 else str
    if typing.get_origin(base) is tuple:
        args = typing.get_args(base)
        element = args[0] if args else str

        def split(text: str) -> tuple[Any, ...]:
            items = [item.strip() for item in str(text).split(",") if item.strip()]
            try:
                return tuple(element(item) for item in items)
            except (TypeError, ValueError) as exc:
                raise ParameterError(f"{text!r} is not a comma-separated list of {element.__name__}") from exc

        return str, split
    if spec.choices is not None and all(isinstance(c, str) for c in spec.choices):
        choice = enum.StrEnum(f"{name.title().replace('_', '')}Choice", {c: c for c in spec.choices})  # type: ignore[misc]
        return choice, lambda value: value.value if isinstance(value, enum.Enum) else value
    if len(members) > 1:  # a union such as `str | float`: parse numbers when they look like numbers
        numeric = [m for m in members if m in (int, float)]

        def parse(text: str) -> Any:
            for kind in numeric:
                try:
                    return kind(text)
                except ValueError:
                    continue
            return text

        return str, parse
    if base in (int, float, str, bool, Path):
        return base, lambda value: value
    return str, lambda value: value


def config_options(
    cls: type[Params],
    *,
    exclude: Iterable[str] = (),
    help_overrides: dict[str, str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a typer command so that every field of ``cls`` is an option.

    The command takes a keyword-only ``config`` parameter; the wrapper builds it from the
    options given (a bad value: one line naming the option, exit code 2).

    Parameters
    ----------
    cls : type of Params
        The settings dataclass.
    exclude : iterable of str
        Fields not offered (set by the command itself).
    help_overrides : dict, optional
        Field name -> help text for this command.
    """
    excluded = set(exclude)
    overrides = help_overrides or {}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(func, eval_str=True)
        if "config" not in signature.parameters:
            raise TypeError(f"{func.__name__} must take a keyword-only 'config' parameter")
        hints = cls._hints()
        fields = [
            f
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.name not in excluded and f.metadata.get("nlptk.param", ParamSpec(help="")).cli
        ]
        converters: dict[str, Callable[[Any], Any]] = {}
        flags: dict[str, str] = {}
        new_params: list[inspect.Parameter] = []
        for field in fields:
            spec: ParamSpec = field.metadata.get("nlptk.param", ParamSpec(help=""))
            option_type, converter = _option_type(field.name, hints.get(field.name, str), spec)
            decl = option_flag(field.name, spec, is_bool=option_type is bool)
            help_text = overrides.get(field.name, spec.help)
            option = typer.Option(
                *decl.split(" "),
                help=f"{help_text} {escape(f'[default: {_default_text(field)}]')}",
                show_default=False,
                case_sensitive=False,
            )
            annotation = Annotated[option_type | None, option]  # type: ignore[valid-type]
            new_params.append(
                inspect.Parameter(
                    _PREFIX + field.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
                )
            )
            converters[field.name] = converter
            flags[field.name] = decl

        kept = [p for p in signature.parameters.values() if p.name != "config"]
        positional = [p for p in kept if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        keyword = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            for p in kept
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        ]
        wrapper_signature = signature.replace(parameters=[*positional, *keyword, *new_params])

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given: dict[str, Any] = {}
            for name, converter in converters.items():
                value = kwargs.pop(_PREFIX + name, None)
                if value is not None:
                    given[name] = converter(value)
            try:
                config = cls(**given)
            except ParameterError as exc:
                name = getattr(exc, "param", None)
                if name in flags:
                    flag = _display_flag(flags[name], given.get(name))
                    raise ParameterError(
                        f"{flag} {given.get(name, getattr(exc, 'value', None))!r} {exc.reason}",  # type: ignore[attr-defined]
                        hint=exc.hint,
                    ) from exc
                raise
            return func(*args, config=config, **kwargs)

        wrapper.__signature__ = wrapper_signature  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in wrapper_signature.parameters.values()}
        wrapper.config_flags = dict(flags)  # type: ignore[attr-defined]
        return wrapper

    return decorate


def method_options(
    classes: dict[str, type[Params]],
    *,
    aliases: dict[str, tuple[str, str, str]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a command that trains one of several methods, each with its own settings class.

    Every field of every class becomes one option (a name shared by several methods is one
    option, its help saying which methods take it and their defaults). The command takes a
    ``method`` parameter and a keyword-only ``config``: the wrapper refuses an option the chosen
    method does not take ("--x-max applies to glove only") and builds the method's settings.

    Parameters
    ----------
    classes : dict
        Method name -> its settings class.
    aliases : dict, optional
        Extra flag -> (method, field, help): another name for one method's field
        (``{"--topics": ("lsa", "dim", "LSA: number of topics.")}``).
    """
    alias_table = aliases or {}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(func, eval_str=True)
        if "config" not in signature.parameters or "method" not in signature.parameters:
            raise TypeError(f"{func.__name__} must take 'method' and a keyword-only 'config'")
        takers: dict[str, list[str]] = {}
        first: dict[str, tuple[dataclasses.Field[Any], ParamSpec, Any]] = {}
        defaults: dict[str, dict[str, str]] = {}
        for method, cls in classes.items():
            hints = cls._hints()
            for field in dataclasses.fields(cls):  # type: ignore[arg-type]
                spec: ParamSpec = field.metadata.get("nlptk.param", ParamSpec(help=""))
                if not spec.cli:
                    continue
                takers.setdefault(field.name, []).append(method)
                first.setdefault(field.name, (field, spec, hints.get(field.name, str)))
                defaults.setdefault(field.name, {})[method] = _default_text(field)
        converters: dict[str, Callable[[Any], Any]] = {}
        flags: dict[str, str] = {}
        new_params: list[inspect.Parameter] = []
        for name, (_field, spec, hint) in first.items():
            option_type, converter = _option_type(name, hint, spec)
            decl = option_flag(name, spec, is_bool=option_type is bool)
            methods = takers[name]
            values = defaults[name]
            if len(set(values.values())) == 1:
                default = next(iter(values.values()))
            else:
                default = ", ".join(f"{v} ({m})" for m, v in values.items())
            scope = "" if len(methods) == len(classes) else f"{', '.join(methods)}: "
            option = typer.Option(
                *decl.split(" "),
                help=f"{scope}{spec.help} {escape(f'[default: {default}]')}",
                show_default=False,
                case_sensitive=False,
            )
            new_params.append(
                inspect.Parameter(
                    _PREFIX + name,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=None,
                    annotation=Annotated[option_type | None, option],  # type: ignore[valid-type]
                )
            )
            converters[name] = converter
            flags[name] = decl
        for flag, (_method, name, help_text) in alias_table.items():
            field, spec, hint = first[name]
            option_type, _ = _option_type(name, hint, spec)
            new_params.append(
                inspect.Parameter(
                    _PREFIX + "alias_" + flag.strip("-").replace("-", "_"),
                    inspect.Parameter.KEYWORD_ONLY,
                    default=None,
                    annotation=Annotated[option_type | None, typer.Option(flag, help=help_text)],  # type: ignore[valid-type]
                )
            )
        kept = [p for p in signature.parameters.values() if p.name != "config"]
        wrapper_signature = signature.replace(parameters=[*kept, *new_params])

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            method = kwargs["method"]
            method = method.value if isinstance(method, enum.Enum) else method
            if method not in classes:
                raise ParameterError(
                    f"unknown method {method!r}", hint=f"use one of {', '.join(sorted(classes))}"
                )
            given: dict[str, Any] = {}
            shown: dict[str, str] = {}
            for name, converter in converters.items():
                value = kwargs.pop(_PREFIX + name, None)
                if value is None:
                    continue
                flag = _display_flag(flags[name], value)
                if method not in takers[name]:
                    only = " and ".join(takers[name])
                    raise ParameterError(
                        f"{flag} applies to {only} only", hint=f"remove it for --method {method}"
                    )
                given[name] = converter(value)
                shown[name] = flag
            for flag, (alias_method, name, _) in alias_table.items():
                value = kwargs.pop(_PREFIX + "alias_" + flag.strip("-").replace("-", "_"), None)
                if value is None:
                    continue
                if method != alias_method:
                    raise ParameterError(
                        f"{flag} applies to {alias_method} only", hint=f"remove it for --method {method}"
                    )
                if name in given:
                    raise ParameterError(f"give either {flag} or {shown[name]} for {method}, not both")
                given[name] = value
                shown[name] = flag
            try:
                config = classes[method](**given)
            except ParameterError as exc:
                name = getattr(exc, "param", None)
                if name in shown:
                    raise ParameterError(
                        f"{shown[name]} {given[name]!r} {exc.reason}",  # type: ignore[attr-defined]
                        hint=exc.hint,
                    ) from exc
                raise
            return func(*args, config=config, **kwargs)

        wrapper.__signature__ = wrapper_signature  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in wrapper_signature.parameters.values()}
        return wrapper

    return decorate


def config_args(config: Params, *, exclude: Iterable[str] = ()) -> list[str]:
    """The command-line arguments that give ``config``'s non-default values (to print a command).

    >>> from dataclasses import dataclass
    >>> from nlptk.params import param
    >>> @dataclass(frozen=True)
    ... class Toy(Params):
    ...     dim: int = param(100, help="Dimensions.")
    ...     sg: bool = param(False, help="Skip-gram.", flag="--sg/--cbow")
    >>> config_args(Toy(dim=50, sg=True))
    ['--dim', '50', '--sg']
    """
    cls = type(config)
    default = cls()
    skipped = set(exclude)
    args: list[str] = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        spec: ParamSpec = field.metadata.get("nlptk.param", ParamSpec(help=""))
        value = getattr(config, field.name)
        if field.name in skipped or not spec.cli or value is None or value == getattr(default, field.name):
            continue
        if isinstance(value, bool):
            args.append(_display_flag(option_flag(field.name, spec, is_bool=True), value))
            continue
        text = (
            ",".join(str(v) for v in value)
            if isinstance(value, tuple)
            else f"{value:g}"
            if isinstance(value, float)
            else str(value)
        )
        args += [option_flag(field.name, spec).split(" ")[0], text]
    return args
