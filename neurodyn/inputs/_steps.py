"""Shared helpers of the input generators: times on the step grid, list checks."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError


def dt_ms() -> float:
    """The current step ``dt`` in ms (host float64)."""
    return float(u.to_float(environ.get_dt(), u.ms))


def ms(value: Any) -> np.ndarray:
    """A time quantity as float64 milliseconds (host array)."""
    return np.asarray(u.to_float(value, u.ms), dtype=np.float64)


def nearest_steps(times: Any) -> np.ndarray:
    """The step boundaries nearest to ``times``: ``round(t / dt)`` (int64, host; a time
    half-way between two boundaries goes to the even one, as ``numpy.rint``)."""
    return np.rint(ms(times) / dt_ms()).astype(np.int64)


def step_index() -> Any:
    """The index of the current step (traced inside a loop; 0 outside)."""
    return jnp.asarray(environ.get("i"), jnp.int32)


def first_axis_length(owner: str, name: str, value: Any) -> int:
    """The length of a list parameter (its first axis); scalars are refused."""
    shape = np.shape(u.magnitude(value))
    if not shape:
        raise ParameterError(f"{owner}.{name} must be a list (1 value or more), got a scalar")
    return shape[0]


def require_same_length(owner: str, name_a: str, a: Any, name_b: str, b: Any) -> None:
    """Raise unless the lists ``a`` and ``b`` have the same number of entries."""
    len_a = first_axis_length(owner, name_a, a)
    len_b = first_axis_length(owner, name_b, b)
    if len_a != len_b:
        raise ParameterError(
            f"{owner}.{name_a} and {owner}.{name_b} must have the same length, got "
            f"{len_a} {name_a} and {len_b} {name_b}"
        )


def require_one_dimensional(owner: str, name: str, value: Any) -> None:
    """Raise unless ``value`` is a 1-d list."""
    shape = np.shape(u.magnitude(value))
    if len(shape) != 1:
        raise ParameterError(f"{owner}.{name} must be a 1-d list, got shape {shape}")


def require_sorted(owner: str, name: str, times: Any) -> None:
    """Raise unless the 1-d list of times is sorted in non-descending order."""
    values = ms(times)
    drops = np.nonzero(np.diff(values) < 0)[0]
    if drops.size:
        k = int(drops[0])
        raise ParameterError(
            f"{owner}.{name} must be sorted in non-descending order, got {values[k]:g} ms "
            f"before {values[k + 1]:g} ms"
        )
