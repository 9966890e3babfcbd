"""Initializers: values for states and parameters, drawn from the seeded stream.

An initializer is called with a shape and returns an array or quantity of that
shape. :func:`initialize` accepts an initializer, a callable or a plain value.

>>> import neurodyn as nd
>>> from neurodyn import units as u
>>> nd.init.Constant(-65. * u.mV)((2,))
Quantity([-65. -65.], "mV")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from . import units as u
from .core import environ
from .core import random as nd_random

__all__ = ["Initializer", "Constant", "ZeroInit", "Normal", "Uniform", "initialize"]


class Initializer:
    """Base class: ``init(shape) -> array or quantity``."""

    def __call__(self, shape: tuple[int, ...]) -> Any:
        raise NotImplementedError


class Constant(Initializer):
    """Every element equal to ``value`` (which may carry units)."""

    def __init__(self, value: Any):
        self.value = value

    def __call__(self, shape: tuple[int, ...]) -> Any:
        unit = u.get_unit(self.value)
        magnitude = jnp.broadcast_to(
            jnp.asarray(u.to_float(self.value, unit), environ.dftype()), shape
        )
        return u.with_unit(magnitude, unit)

    def __repr__(self) -> str:
        return f"Constant({self.value!r})"


class ZeroInit(Constant):
    """Zeros in ``unit``."""

    def __init__(self, unit: u.Unit = u.UNITLESS):
        super().__init__(u.with_unit(0.0, unit))


class Normal(Initializer):
    """Normal samples with mean ``mean`` and standard deviation ``std`` (may carry units)."""

    def __init__(self, mean: Any = 0.0, std: Any = 1.0):
        self.mean, self.std = mean, std

    def __call__(self, shape: tuple[int, ...]) -> Any:
        return nd_random.normal(self.mean, self.std, size=shape)


class Uniform(Initializer):
    """Uniform samples in ``[low, high)`` (may carry units)."""

    def __init__(self, low: Any = 0.0, high: Any = 1.0):
        self.low, self.high = low, high

    def __call__(self, shape: tuple[int, ...]) -> Any:
        return nd_random.uniform(self.low, self.high, size=shape)


def initialize(
    init: Any | Callable[[tuple[int, ...]], Any],
    shape: tuple[int, ...],
    batch_size: int | None = None,
) -> Any:
    """A value of ``shape`` (with a leading ``batch_size`` axis if given) from ``init``."""
    full = tuple(shape) if batch_size is None else (batch_size, *shape)
    if callable(init):
        value = init(full)
    else:
        unit = u.get_unit(init)
        magnitude = np.asarray(u.to_float(init, unit))
        value = u.with_unit(jnp.broadcast_to(jnp.asarray(magnitude, environ.dftype()), full), unit)
    if tuple(jnp.shape(u.magnitude(value))) != full:
        raise ValueError(
            f"initializer {init!r} gave shape {jnp.shape(u.magnitude(value))}, expected {full}"
        )
    return value
