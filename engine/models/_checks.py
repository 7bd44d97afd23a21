"""Checks of scorer parameters and of the user indices a scorer is asked to score."""

from __future__ import annotations

import inspect
import logging
import math
from numbers import Integral, Real

import numpy as np

from engine.errors import NotBuiltError

_log = logging.getLogger(__name__)


def shown_value(value) -> str:
    """Format ``value`` for an error message, with true, false and null as JSON.

    ``--param`` reads those spellings, so a message shows what the user typed.
    """
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return repr(value)


def check_positive_int(name: str, value) -> int:
    """Return ``value`` as an int; raise ``ValueError`` unless a whole number > 0."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value <= 0:
        raise ValueError(
            f"invalid {name}: {shown_value(value)}, expected a positive integer"
        )
    return int(value)


def check_count(name: str, value) -> int:
    """Return ``value`` as an int, or raise ``ValueError`` unless it is a count.

    A count is a whole number >= 0.
    """
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise ValueError(
            f"invalid {name}: {shown_value(value)}, expected a whole number >= 0"
        )
    return int(value)


def check_non_negative(name: str, value) -> float:
    """Return ``value`` as a float; raise ``ValueError`` unless finite and >= 0."""
    return _check_real(name, value, lambda number: number >= 0, "a finite number >= 0")


def check_positive(name: str, value) -> float:
    """Return ``value`` as a float; raise ``ValueError`` unless finite and > 0."""
    return _check_real(name, value, lambda number: number > 0, "a positive number")


def check_fraction(name: str, value) -> float:
    """Return ``value`` as a float, or raise ``ValueError`` unless 0 <= value <= 1."""
    return _check_real(
        name, value, lambda number: 0 <= number <= 1, "a number from 0 to 1"
    )


def _check_real(name: str, value, in_range, expected: str) -> float:
    """Return ``value`` as a float if finite, real and accepted by ``in_range``.

    Otherwise raise ``ValueError`` naming ``name``, the value and ``expected``.
    Booleans are rejected although Python counts them as numbers.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, Real)
        or not math.isfinite(value)
        or not in_range(value)
    ):
        raise ValueError(f"invalid {name}: {shown_value(value)}, expected {expected}")
    return float(value)


def check_fitted(scorer, attribute: str) -> None:
    """Raise :class:`NotBuiltError` when ``scorer`` has no fitted ``attribute``."""
    if getattr(scorer, attribute, None) is None:
        raise NotBuiltError(
            f"scorer {scorer.name!r} is not fitted (call fit, or load a saved scorer)"
        )


def check_users(users, user_count: int) -> np.ndarray:
    """Return ``users`` as a 1-d int64 array of indices below ``user_count``.

    Raises
    ------
    TypeError
        When the values are not integers.
    ValueError
        When the array is not 1-d or an index is outside ``0 .. user_count - 1``.
    """
    array = np.asarray(users)
    if array.size == 0:
        array = array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            f"invalid users dtype: {array.dtype}, expected integer user indices "
            "(map original ids with InteractionData.user_index)"
        )
    if array.ndim != 1:
        raise ValueError(
            f"invalid users shape: {array.shape}, expected a 1-d array of user indices"
        )
    outside = (array < 0) | (array >= user_count)
    if outside.any() and user_count == 0:
        raise ValueError(
            f"invalid user index: {int(array[0])}, the scorer was fitted on no users "
            "(fit it on data with users)"
        )
    if outside.any():
        raise ValueError(
            f"invalid user index: {int(array[outside][0])}, expected 0 to "
            f"{user_count - 1} (indices of the data the scorer was fitted on)"
        )
    return array.astype(np.int64, copy=False)


def check_scorers(scorers) -> None:
    """Run ``check_params`` of each (name, scorer) pair; errors start with the name.

    Jobs call it before the first fit, so that a bad value of their last
    model fails the job at once instead of after the other fits.
    """
    for name, scorer in scorers:
        try:
            scorer.check_params()
        except (TypeError, ValueError) as error:
            raise type(error)(f"model {name}: {error}") from error


def check_params(name: str, scorer_class: type, params: dict) -> dict:
    """Return ``params``, or raise ``ValueError`` for a key ``scorer_class`` lacks.

    ``name`` is the model's name in the message.
    """
    accepted = [
        parameter
        for parameter in inspect.signature(scorer_class).parameters
        if parameter not in ("self", "args", "kwargs")
    ]
    unknown = sorted(set(params) - set(accepted))
    if unknown and not accepted:
        raise ValueError(
            f"unknown parameter of {name}: {unknown[0]!r}, {name} takes no parameters"
        )
    if unknown:
        raise ValueError(
            f"unknown parameter of {name}: {unknown[0]!r}, "
            f"expected one of {', '.join(accepted)}"
        )
    return params


def fits_catalogue(label: str, scorer, item_count: int) -> bool:
    """Return whether ``scorer`` (a class or an instance) fits ``item_count`` items.

    A scorer without ``max_items`` fits any catalogue. When it does not fit,
    a warning names ``label`` as the model that a job leaves out.
    """
    limit = scorer.max_items
    if limit is None or item_count <= limit:
        return True
    _log.warning(
        "%s left out: the catalogue has %d items and it fits at most %d",
        label,
        item_count,
        limit,
    )
    return False
