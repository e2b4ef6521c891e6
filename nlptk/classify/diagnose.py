"""Reading the loss curves: overfitting, underfitting, divergence, in a sentence or two.

:func:`diagnose` looks at a training history (one record per epoch with ``train_loss`` and
``val_loss``, as :class:`~nlptk.classify.learner.Learner` keeps it) and says what the
curves show, with the numbers:

* **diverging** -- the training loss ends well above its lowest value (more than 1.5 times
  it, and above its first epoch): the learning rate is too high; the lr finder's
  suggestion is proposed when known.
* **overfitting** -- the validation loss has risen for ``N >= 2`` epochs since its lowest
  point (by more than 2%) while the training loss kept falling: more dropout, fewer epochs
  (the best epoch is named), weight decay or more data.
* **underfitting** -- the last training and validation losses are close (within 10% of
  each other) and both high (at least half the loss of a uniform guess, ``ln K`` for
  ``K`` classes): a larger model, more epochs or a higher rate.
* **ok** -- none of these.

The rules are deliberately simple and stated here so that the sentence can be checked
against the curve; they are heuristics, not tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Diagnosis", "diagnose"]

#: How many epochs of rising validation loss count as overfitting.
OVERFIT_EPOCHS = 2
#: Relative rise of the validation loss above its minimum that counts.
OVERFIT_RISE = 0.02
#: Relative gap under which training and validation loss are "close".
CLOSE_GAP = 0.10
#: Share of the uniform-guess loss (ln K) above which a loss is "high".
HIGH_SHARE = 0.5
#: Training loss over its minimum (and over its first value) that counts as divergence.
DIVERGE_FACTOR = 1.5


@dataclass(frozen=True)
class Diagnosis:
    """What the curves show.

    Attributes
    ----------
    kind : {"overfitting", "underfitting", "diverging", "ok", "unknown"}
    message : str
        One or two sentences with the numbers.
    numbers : dict
        The figures the message quotes.
    suggestions : list of str
    """

    kind: str
    message: str
    numbers: dict[str, Any] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return asdict(self)


def _series(history: Sequence[Mapping[str, Any]], key: str) -> list[float | None]:
    out: list[float | None] = []
    for record in history:
        value = record.get(key)
        out.append(float(value) if isinstance(value, (int, float)) else None)
    return out


def diagnose(
    history: Sequence[Mapping[str, Any]],
    *,
    n_classes: int | None = None,
    lr_suggestion: float | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Diagnosis:
    """Say whether a run overfits, underfits or diverges (see the module docstring).

    Parameters
    ----------
    history : sequence of dict
        Per-epoch records with ``epoch``, ``train_loss`` and ``val_loss``.
    n_classes : int, optional
        For the uniform-guess loss ``ln K`` (underfitting); without it, 2 is assumed.
    lr_suggestion : float, optional
        The lr finder's suggestion, proposed after a divergence.
    settings : mapping, optional
        The run's settings (``dropout``, ``weight_decay``, ``hidden_size``, ``num_layers``,
        ``lr``), quoted in the suggestions.

    Returns
    -------
    Diagnosis

    Examples
    --------
    >>> h = [{"epoch": e, "train_loss": t, "val_loss": v}
    ...      for e, t, v in [(1, 0.6, 0.50), (2, 0.4, 0.45), (3, 0.2, 0.52), (4, 0.1, 0.70)]]
    >>> diagnose(h).kind
    'overfitting'
    >>> print(diagnose(h).message)  # doctest: +NORMALIZE_WHITESPACE
    Overfitting: the validation loss has risen for 2 epochs (0.450 at epoch 2 -> 0.700 at epoch 4)
    while the training loss fell (0.400 -> 0.100). Try more dropout, fewer epochs (the best was
    epoch 2), more weight decay or more data.
    """
    settings = dict(settings or {})
    epochs = [int(r.get("epoch", i + 1)) for i, r in enumerate(history)]
    train = _series(history, "train_loss")
    val = _series(history, "val_loss")
    if not history or all(t is None for t in train):
        return Diagnosis("unknown", "No epochs were trained: nothing to diagnose.")
    if any(t is not None and not math.isfinite(t) for t in train + val):
        return _diverging(epochs, train, lr_suggestion, settings, nonfinite=True)

    finite_train = [t for t in train if t is not None]
    first, last, low = finite_train[0], finite_train[-1], min(finite_train)
    if len(finite_train) >= 2 and last > DIVERGE_FACTOR * low and last > first:
        return _diverging(epochs, train, lr_suggestion, settings, nonfinite=False)

    pairs = [(e, t, v) for e, t, v in zip(epochs, train, val, strict=True) if t is not None and v is not None]
    if not pairs:
        return Diagnosis(
            "unknown",
            f"Training loss {last:.3f} after {len(finite_train)} epochs; no validation loss to compare with.",
            {"train_loss": last},
        )
    best_i = min(range(len(pairs)), key=lambda i: pairs[i][2])
    best_epoch, best_train, best_val = pairs[best_i]
    end_epoch, end_train, end_val = pairs[-1]
    rising = len(pairs) - 1 - best_i
    if rising >= OVERFIT_EPOCHS and end_val > best_val * (1 + OVERFIT_RISE) and end_train < best_train:
        suggestions = [
            "more dropout" + _now(settings, "dropout"),
            f"fewer epochs (the best was epoch {best_epoch})",
            "more weight decay" + _now(settings, "weight_decay"),
            "more data",
        ]
        message = (
            f"Overfitting: the validation loss has risen for {rising} epochs ({best_val:.3f} at epoch "
            f"{best_epoch} -> {end_val:.3f} at epoch {end_epoch}) while the training loss fell "
            f"({best_train:.3f} -> {end_train:.3f}). Try {_join(suggestions)}."
        )
        numbers = {
            "epochs_rising": rising,
            "best_epoch": best_epoch,
            "best_val_loss": best_val,
            "last_val_loss": end_val,
            "train_loss_at_best": best_train,
            "last_train_loss": end_train,
        }
        return Diagnosis("overfitting", message, numbers, suggestions)

    uniform = math.log(n_classes or 2)
    close = abs(end_val - end_train) <= CLOSE_GAP * max(end_val, end_train)
    high = min(end_train, end_val) >= HIGH_SHARE * uniform
    if close and high:
        size = ""
        if "hidden_size" in settings:
            size = f" (now {settings.get('num_layers', 1)} layer(s) of {settings['hidden_size']})"
        suggestions = [
            f"a larger model{size}",
            "more epochs",
            "a higher learning rate" + _now(settings, "lr"),
        ]
        message = (
            f"Underfitting: training and validation loss are close ({end_train:.3f} and {end_val:.3f} "
            f"at epoch {end_epoch}) and both high (a uniform guess scores {uniform:.3f}). "
            f"Try {_join(suggestions)}."
        )
        numbers = {"last_train_loss": end_train, "last_val_loss": end_val, "uniform_loss": uniform}
        return Diagnosis("underfitting", message, numbers, suggestions)

    message = (
        f"No sign of over- or underfitting: the validation loss is lowest at epoch {best_epoch} "
        f"({best_val:.3f}; training {best_train:.3f}) and ends at {end_val:.3f} after epoch {end_epoch}."
    )
    numbers = {"best_epoch": best_epoch, "best_val_loss": best_val, "last_val_loss": end_val}
    return Diagnosis("ok", message, numbers)


def _diverging(
    epochs: list[int],
    train: list[float | None],
    lr_suggestion: float | None,
    settings: Mapping[str, Any],
    *,
    nonfinite: bool,
) -> Diagnosis:
    rate = f" (now {settings['lr']:.2e})" if isinstance(settings.get("lr"), (int, float)) else ""
    if lr_suggestion:
        fix = f"use the lr finder's value, {lr_suggestion:.2e}"
    else:
        fix = "run the lr finder (learn.lr_find() or nlptk classify lr-find) and use its suggestion"
    finite = [(e, t) for e, t in zip(epochs, train, strict=True) if t is not None and math.isfinite(t)]
    if nonfinite or len(finite) < 2:
        where = next(
            (e for e, t in zip(epochs, train, strict=True) if t is None or not math.isfinite(t)), None
        )
        message = (
            f"Diverging: the loss became NaN or infinite (epoch {where}). "
            f"The learning rate{rate} is too high: {fix}."
        )
        numbers: dict[str, Any] = {"epoch": where}
    else:
        low_epoch, low = min(finite, key=lambda et: et[1])
        last_epoch, last = finite[-1]
        message = (
            f"Diverging: the training loss rose from {low:.3f} (epoch {low_epoch}) to {last:.3f} "
            f"(epoch {last_epoch}). The learning rate{rate} is too high: {fix}."
        )
        numbers = {"lowest_train_loss": low, "lowest_epoch": low_epoch, "last_train_loss": last}
    numbers["lr_suggestion"] = lr_suggestion
    return Diagnosis("diverging", message, numbers, [fix])


def _now(settings: Mapping[str, Any], key: str) -> str:
    value = settings.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f" (now {value:g})"
    return ""


def _join(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else items[0]
