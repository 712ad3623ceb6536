"""Checks on the arrays the analytics models read, and the errors they raise.

The errors are plain ``ValueError`` subclasses, not ``tessera.kit.errors.DomainError``: this area is pure NumPy
and SciPy with no Django, and its messages are for the engineer or analyst calling it. An interface that lets a
person start a fit maps them to translated domain errors.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


class InvalidHistory(ValueError):
    """The input cannot be a set of purchase histories: empty, negative, a last purchase after the end..."""


class InvalidParameters(ValueError):
    """Model parameters outside the model's domain (each must be positive and finite)."""


class SpendDependsOnFrequency(ValueError):
    """Gamma-Gamma assumes spend per purchase is independent of purchase frequency; here it is not."""

    def __init__(self, *, correlation: float, limit: float) -> None:
        super().__init__(
            f"frequency and mean value are correlated ({correlation:.3f}, limit {limit:.3f}): the Gamma-Gamma "
            "model assumes they are independent, so its spend estimates would be biased"
        )
        self.correlation = correlation
        self.limit = limit


def checked_vector(name: str, values: ArrayLike) -> FloatArray:
    array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if array.ndim != 1:
        raise InvalidHistory(f"{name} must be one value per member (a one-dimensional array)")
    if array.size == 0:
        raise InvalidHistory(f"{name} is empty: there are no members")
    if not np.isfinite(array).all():
        raise InvalidHistory(f"{name} must be finite (member at index {int(np.argmin(np.isfinite(array)))})")
    return array


def refuse_any(problems: list[tuple[NDArray[np.bool_], str]]) -> None:
    for bad, message in problems:
        if bad.any():
            raise InvalidHistory(f"{message} (member at index {int(np.argmax(bad))})")


def checked_frequency(values: ArrayLike) -> FloatArray:
    x = checked_vector("frequency", values)
    refuse_any([(x < 0, "frequency must not be negative"), (x != np.floor(x), "frequency must be a whole number")])
    return x


def checked_histories(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x, t_x, big_t = checked_frequency(frequency), checked_vector("recency", recency), checked_vector("age", age)
    if not x.size == t_x.size == big_t.size:
        raise InvalidHistory("frequency, recency and age must have one value per member each")
    refuse_any(
        [
            (t_x < 0, "recency must not be negative"),
            (big_t < 0, "age must not be negative"),
            (t_x > big_t, "recency must not exceed age: the last purchase is after the end of the period"),
            ((x > 0) & (t_x == 0), "a member with repeat purchases must have a recency above zero"),
            ((x == 0) & (t_x != 0), "a member without repeat purchases must have a recency of zero"),
        ]
    )
    return x, t_x, big_t


def checked_spend(frequency: ArrayLike, mean_value: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, m = checked_frequency(frequency), checked_vector("mean_value", mean_value)
    if x.size != m.size:
        raise InvalidHistory("frequency and mean_value must have one value per member each")
    refuse_any(
        [
            ((x > 0) & (m <= 0), "a repeat buyer's mean value must be positive"),
            ((x == 0) & (m != 0), "a member without repeat purchases has no mean value: pass 0"),
        ]
    )
    return x, m


def positive(**values: float) -> None:
    """Refuse a model parameter that is not a positive finite number."""
    for name, value in values.items():
        if not (math.isfinite(value) and value > 0):
            raise InvalidParameters(f"{name} must be positive and finite, not {value!r}")


# The fits search over log-parameters; these bounds (parameters between 3e-7 and 3e6) keep exp() finite while
# leaving every plausible value inside.
LOG_BOUNDS = (-15.0, 15.0)
