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
from .core._errors import ParameterError

__all__ = [
    "Initializer",
    "Constant",
    "ZeroInit",
    "Normal",
    "Uniform",
    "VarianceScaling",
    "KaimingNormal",
    "KaimingUniform",
    "XavierNormal",
    "XavierUniform",
    "initialize",
]


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


class VarianceScaling(Initializer):
    r"""Zero-mean weights with variance ``scale / n``, ``n`` the fan chosen by ``mode``.

    For a weight of shape ``(..., fan_in, fan_out)`` (receptive-field axes first),
    ``n`` is ``fan_in``, ``fan_out`` or their mean (``mode='fan_in'|'fan_out'|'fan_avg'``).
    ``distribution='normal'`` draws :math:`N(0, scale/n)`; ``'uniform'`` draws from
    :math:`U(-\sqrt{3 scale/n}, \sqrt{3 scale/n})`, which has the same variance. The
    samples are in ``unit`` (default: no units).
    """

    def __init__(
        self,
        scale: float,
        mode: str,
        distribution: str,
        unit: u.Unit = u.UNITLESS,
    ):
        if not scale > 0:
            raise ParameterError(f"scale must be > 0, got {scale!r}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ParameterError(f"mode must be 'fan_in', 'fan_out' or 'fan_avg', got {mode!r}")
        if distribution not in ("normal", "uniform"):
            raise ParameterError(
                f"distribution must be 'normal' or 'uniform', got {distribution!r}"
            )
        self.scale, self.mode, self.distribution, self.unit = scale, mode, distribution, unit

    def __call__(self, shape: tuple[int, ...]) -> Any:
        if len(shape) < 2:
            raise ParameterError(
                f"{type(self).__name__} needs a weight shape (..., fan_in, fan_out), got {shape}"
            )
        receptive = int(np.prod(shape[:-2]))
        fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        std = float(np.sqrt(self.scale / fan))
        if self.distribution == "normal":
            values = nd_random.normal(0.0, std, size=shape)
        else:
            bound = float(np.sqrt(3.0)) * std
            values = nd_random.uniform(-bound, bound, size=shape)
        return u.with_unit(values, self.unit)


class KaimingNormal(VarianceScaling):
    """:math:`N(0, 2/fan_{in})`, for ReLU-like units (He et al. 2015, ICCV).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.init.KaimingNormal(unit=u.mS)((100, 10)).shape
    (100, 10)
    """

    def __init__(self, scale: float = 2.0, mode: str = "fan_in", unit: u.Unit = u.UNITLESS):
        super().__init__(scale, mode, "normal", unit)


class KaimingUniform(VarianceScaling):
    """Uniform with variance :math:`2/fan_{in}` (He et al. 2015, ICCV)."""

    def __init__(self, scale: float = 2.0, mode: str = "fan_in", unit: u.Unit = u.UNITLESS):
        super().__init__(scale, mode, "uniform", unit)


class XavierNormal(VarianceScaling):
    """:math:`N(0, 2/(fan_{in}+fan_{out}))` (Glorot & Bengio 2010, AISTATS)."""

    def __init__(self, scale: float = 1.0, unit: u.Unit = u.UNITLESS):
        super().__init__(scale, "fan_avg", "normal", unit)


class XavierUniform(VarianceScaling):
    """Uniform with variance :math:`2/(fan_{in}+fan_{out})` (Glorot & Bengio 2010)."""

    def __init__(self, scale: float = 1.0, unit: u.Unit = u.UNITLESS):
        super().__init__(scale, "fan_avg", "uniform", unit)


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
