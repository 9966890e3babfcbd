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
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp

__all__ = ["Surrogate", "ReluGrad", "Sigmoid"]


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
