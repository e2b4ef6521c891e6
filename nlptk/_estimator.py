"""scikit-learn estimators whose parameters are a :class:`~nlptk.params.Params` declaration,
and keywords renamed for one release.

Import these from :mod:`nlptk.params`, their public home: :func:`estimator_init` derives an
estimator's ``__init__`` from the declaration, :class:`ParamsEstimatorMixin` gives it a
``set_params`` that refuses unknown names with a :class:`~nlptk.errors.ParameterError`, and
:func:`renamed_keyword` serves a function's old keyword with a :class:`DeprecationWarning`.
This module needs neither scikit-learn nor the rest of :mod:`nlptk.params` at import time.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, ClassVar

from nlptk._deprecated import old_keyword_value
from nlptk.errors import ParameterError

if TYPE_CHECKING:
    from nlptk.params import Params

__all__ = ["ParamsEstimatorMixin", "estimator_init", "renamed_keyword"]


def renamed_keyword(
    where: str, old: str, old_value: Any, new: str, new_value: Any, *, default: Any, stacklevel: int = 3
) -> Any:
    """The value a function runs with when a keyword was renamed: ``new_value``, or the value the
    caller gave under the deprecated name ``old`` (with a :class:`DeprecationWarning`).

    ``old_value`` is ``None`` when the old name was not used. Giving both names with different
    values raises :class:`~nlptk.errors.ParameterError`. ``stacklevel`` points the warning at the
    caller of ``where`` (3: the caller of the function that calls this one).

    >>> renamed_keyword("plot", "random_state", None, "seed", 3, default=0)
    3
    """
    if old_value is None:
        return new_value
    return old_keyword_value(
        where, old, old_value, new, new_value, new_given=new_value != default, stacklevel=stacklevel
    )


def _rename_deprecated(where: str, given: dict[str, Any], renamed: dict[str, str], stacklevel: int) -> None:
    """Move values given under an old name (``renamed``: old -> new) to the new name, in place,
    with a :class:`DeprecationWarning`; both names with different values is an error."""
    for old, new in renamed.items():
        if old in given:
            value = given.pop(old)
            given[new] = old_keyword_value(
                where, old, value, new, given.get(new), new_given=new in given, stacklevel=stacklevel + 1
            )


def estimator_init(
    cls: type[Params],
    *,
    leading: dict[str, Any] | None = None,
    positional: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
    accepts_config: bool = False,
) -> Any:
    """An ``__init__`` for a scikit-learn estimator whose parameters are ``cls``'s fields.

    scikit-learn reads an estimator's parameters from its ``__init__`` signature (``get_params``,
    ``clone``, grid search); this builds that signature from the declaration, so the estimator
    never restates a field. The ``__init__`` only stores the values (scikit-learn's rule);
    checking happens when ``fit`` builds ``cls`` from them.

    Two conveniences are accepted as keywords without being scikit-learn parameters (they are
    not in the signature, so ``get_params`` and ``clone`` never see them): ``config=`` (with
    ``accepts_config``), an instance of ``cls`` whose fields become the values of the
    parameters not given; and the old names in the class's ``renamed_params`` (old -> new;
    see :class:`ParamsEstimatorMixin`), stored under the new name with a
    :class:`DeprecationWarning`.

    Parameters
    ----------
    cls : type of Params
        The settings declaration.
    leading : dict, optional
        Name -> default of parameters placed first, positional or keyword (``{"vectors": None}``).
    positional : tuple of str, optional
        Fields that may also be given by position, after ``leading`` (``("n_topics",)``); the
        other fields are keyword-only.
    extra : dict, optional
        Name -> default of further keyword-only parameters that are not fields.
    overrides : dict, optional
        Field name -> another default for the estimator (``{"tokenizer": None}``).
    accepts_config : bool, default=False
        Accept ``config=`` (an instance of ``cls``).
    """
    leading = leading or {}
    extra = extra or {}
    defaults = {**cls.defaults(), **(overrides or {})}
    unknown = set(positional) - set(cls.param_names())
    if unknown:
        raise TypeError(f"positional names that are not fields of {cls.__name__}: {sorted(unknown)}")
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    parameters += [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=value)
        for name, value in leading.items()
    ]
    parameters += [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=defaults[name])
        for name in positional
    ]
    parameters += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=defaults[name])
        for name in cls.param_names()
        if name not in positional
    ]
    parameters += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=value)
        for name, value in extra.items()
    ]
    signature = inspect.Signature(parameters)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        name = type(self).__name__
        _rename_deprecated(name, kwargs, getattr(self, "renamed_params", {}), stacklevel=2)
        config = kwargs.pop("config", None) if accepts_config else None
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError as exc:
            raise ParameterError(
                f"{name}: {exc}", hint=f"known: {', '.join(list(signature.parameters)[1:])}"
            ) from None
        if config is not None:
            if not isinstance(config, cls):
                raise ParameterError(f"config must be a {cls.__name__}, got {type(config).__name__}")
            for field in cls.param_names():  # the config's values where no keyword was given
                bound.arguments.setdefault(field, getattr(config, field))
        bound.apply_defaults()
        for param_name, value in bound.arguments.items():
            if param_name != "self":
                setattr(self, param_name, value)

    __init__.__signature__ = signature  # type: ignore[attr-defined]
    return __init__


class ParamsEstimatorMixin:
    """``set_params`` for an estimator built with :func:`estimator_init` (list it before
    scikit-learn's ``BaseEstimator``): an unknown name raises :class:`~nlptk.errors.ParameterError`
    listing the known ones, and an old name in ``renamed_params`` is accepted with a
    :class:`DeprecationWarning`, as ``__init__`` does.
    """

    #: Old parameter name -> its new name, accepted (with a warning) for one release.
    renamed_params: ClassVar[dict[str, str]] = {}

    def set_params(self, **params: Any) -> Any:
        """Set parameters (scikit-learn's ``set_params``, nested ``step__name`` keys included)."""
        name = type(self).__name__
        _rename_deprecated(f"{name}.set_params", params, self.renamed_params, stacklevel=2)
        known = self._get_param_names()  # type: ignore[attr-defined]
        for key in params:
            if key.partition("__")[0] not in known:
                raise ParameterError(
                    f"unknown parameter {key!r}: {name} has no parameter of that name",
                    hint=f"use one of {', '.join(known)}",
                )
        return super().set_params(**params)  # type: ignore[misc]
