"""Surrogate spike functions: a Heaviside step forward, a smooth gradient backward.

Each function maps a scaled distance to threshold ``x`` (spike when ``x >= 0``)
to a spike in {0, 1}; ``jax.grad`` sees the surrogate derivative instead of the
Dirac delta (Neftci, Mostafa & Zenke 2019, IEEE Signal Processing Magazine 36(6)).

>>> import jax, jax.numpy as jnp, neurodyn as nd
>>> f = nd.surrogate.ReluGrad(alpha=0.3, width=1.0)
>>> f(jnp.array([-0.5, 0.2]))
Array([0., 1.], dtype=float32)
>>> float(jax.grad(lambda x: f(x))(0.2))
0.24...
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from typing import Any

import jax
import jax.numpy as jnp

from .core._errors import ParameterError

__all__ = ["Surrogate", "ReluGrad", "Sigmoid", "Arctan", "SoftSign", "GaussianGrad"]


@functools.partial(jax.custom_jvp, nondiff_argnums=(0,))
def _spike(surrogate: Surrogate, x: Any) -> Any:
    x = jnp.asarray(x)
    dtype = x.dtype if jnp.issubdtype(x.dtype, jnp.floating) else jnp.float32
    return (x >= 0).astype(dtype)


@_spike.defjvp
def _spike_jvp(surrogate: Surrogate, primals: tuple, tangents: tuple) -> tuple:
    (x,), (dx,) = primals, tangents
    return _spike(surrogate, x), surrogate.derivative(x) * dx


@dataclass(frozen=True)
class Surrogate:
    """Base class: ``__call__`` spikes, :meth:`derivative` is the surrogate gradient."""

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not value > 0:
                raise ParameterError(
                    f"{type(self).__name__}: {field.name} must be > 0, got {value!r}"
                )

    def __call__(self, x: Any) -> Any:
        return _spike(self, x)

    def derivative(self, x: Any) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class ReluGrad(Surrogate):
    """Triangular surrogate: ``alpha * max(width - |x|, 0)`` (Neftci et al. 2019)."""

    alpha: float = 0.3
    width: float = 1.0

    def derivative(self, x: Any) -> Any:
        return self.alpha * jnp.maximum(self.width - jnp.abs(x), 0.0)


@dataclass(frozen=True)
class Sigmoid(Surrogate):
    """Sigmoid surrogate: ``alpha * s(alpha x) (1 - s(alpha x))``, ``s`` the logistic."""

    alpha: float = 4.0

    def derivative(self, x: Any) -> Any:
        s = jax.nn.sigmoid(self.alpha * x)
        return self.alpha * s * (1.0 - s)


@dataclass(frozen=True)
class Arctan(Surrogate):
    """Arctangent surrogate: ``(alpha/2) / (1 + (pi alpha x / 2)^2)``, the derivative of
    ``arctan(pi alpha x / 2) / pi + 1/2`` (Fang et al. 2021, ICCV)."""

    alpha: float = 2.0

    def derivative(self, x: Any) -> Any:
        return 0.5 * self.alpha / (1.0 + (0.5 * jnp.pi * self.alpha * x) ** 2)


@dataclass(frozen=True)
class SoftSign(Surrogate):
    """Fast-sigmoid surrogate: ``alpha / (2 (1 + alpha |x|)^2)``, the derivative of
    ``(alpha x / (1 + alpha |x|) + 1) / 2`` (SuperSpike; Zenke & Ganguli 2018)."""

    alpha: float = 2.0

    def derivative(self, x: Any) -> Any:
        return 0.5 * self.alpha / (1.0 + self.alpha * jnp.abs(x)) ** 2


@dataclass(frozen=True)
class GaussianGrad(Surrogate):
    """Gaussian surrogate: ``alpha N(x; 0, sigma^2)`` (Yin et al. 2021)."""

    sigma: float = 0.5
    alpha: float = 0.5

    def derivative(self, x: Any) -> Any:
        norm = self.alpha / (jnp.sqrt(2.0 * jnp.pi) * self.sigma)
        return norm * jnp.exp(-0.5 * (x / self.sigma) ** 2)
