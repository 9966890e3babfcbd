"""Seeded random streams usable inside compiled loops.

The default stream keeps its JAX key in a :class:`State`, so a compiled loop
threads it like any model state: the same seed gives the same spikes. Build-time
randomness (connectivity) uses :func:`host_rng`, a NumPy generator drawn from the
same stream.

>>> import neurodyn as nd
>>> nd.random.seed(1); a = nd.random.uniform(size=3)
>>> nd.random.seed(1); b = nd.random.uniform(size=3)
>>> bool((a == b).all())
True
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from . import environ
from ._errors import ParameterError
from ._state import State

__all__ = [
    "seed",
    "split_key",
    "split",
    "normal",
    "uniform",
    "bernoulli",
    "host_rng",
    "RandomStream",
]


class RandomStream:
    """A stream of JAX random keys held in a state.

    **Arguments:**

    - ``seed``: an integer seed.
    """

    def __init__(self, seed: int = 0):
        self.key = State(jax.random.PRNGKey(seed), name="random_key")

    def seed(self, seed: int) -> None:
        """Restart the stream from ``seed``."""
        self.key._value = jax.random.PRNGKey(seed)

    def split_key(self) -> jax.Array:
        """A fresh key; advances the stream."""
        key, sub = split(self.key.value)
        self.key.value = key
        return sub


DEFAULT = RandomStream(0)


def seed(value: int) -> None:
    """Seed the default stream."""
    DEFAULT.seed(value)


def split_key() -> jax.Array:
    """A fresh key from the default stream."""
    return DEFAULT.split_key()


def _shape(size: Any) -> tuple[int, ...]:
    if size is None:
        return ()
    return (size,) if isinstance(size, (int, np.integer)) else tuple(size)


def uniform(low: Any = 0.0, high: Any = 1.0, size: Any = None, key: Any = None) -> Any:
    """Uniform samples in ``[low, high)``; ``low``/``high`` may carry units."""
    unit = u.get_unit(low)
    low_m, high_m = u.to_float(low, unit), u.to_float(high, unit)
    key = split_key() if key is None else key
    shape = np.broadcast_shapes(_shape(size), jnp.shape(low_m), jnp.shape(high_m))
    sample = jax.random.uniform(key, shape, dtype=environ.dftype())
    return u.with_unit(low_m + (high_m - low_m) * sample, unit)


def normal(loc: Any = 0.0, scale: Any = 1.0, size: Any = None, key: Any = None) -> Any:
    """Normal samples with mean ``loc`` and standard deviation ``scale`` (may carry units)."""
    unit = u.get_unit(loc) if u.has_unit(loc) else u.get_unit(scale)
    loc_m, scale_m = u.to_float(loc, unit), u.to_float(scale, unit)
    key = split_key() if key is None else key
    shape = np.broadcast_shapes(_shape(size), jnp.shape(loc_m), jnp.shape(scale_m))
    sample = jax.random.normal(key, shape, dtype=environ.dftype())
    return u.with_unit(loc_m + scale_m * sample, unit)


def bernoulli(p: Any, size: Any = None, key: Any = None) -> jax.Array:
    """Boolean samples that are True with probability ``p``."""
    key = split_key() if key is None else key
    shape = np.broadcast_shapes(_shape(size), jnp.shape(p))
    return jax.random.bernoulli(key, p, shape)


def split(key: jax.Array, num: int = 2) -> jax.Array:
    """``jax.random.split(key, num)``, bit for bit, without its loop on a CPU.

    XLA:CPU lowers Threefry-2x32 as a 5-iteration ``while`` loop, which inside a
    simulation step costs more than the step's arithmetic; this is the same 20 rounds
    written out (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3").
    Keys of another generator go to ``jax.random.split``.
    """
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 0:
        raise ParameterError(f"num (the number of keys) must be a whole number >= 0, got {num!r}")
    key = jnp.asarray(key)
    threefry = jax.config.jax_default_prng_impl == "threefry2x32"
    if not threefry or key.shape != (2,) or key.dtype != jnp.uint32:
        return jax.random.split(key, num)
    if jax.config.jax_threefry_partitionable:
        high, low = jnp.zeros(num, jnp.uint32), jnp.arange(num, dtype=jnp.uint32)
        keys = jnp.stack(_threefry2x32(key[0], key[1], high, low), axis=1)
    else:
        counts = jnp.arange(2 * num, dtype=jnp.uint32)
        first, second = _threefry2x32(key[0], key[1], counts[:num], counts[num:])
        keys = jnp.concatenate([first, second]).reshape(num, 2)
    # materialised: XLA would otherwise redo the rounds inside every fusion that
    # reads a key, once per element of that fusion's output
    return jax.lax.optimization_barrier(keys)


_THREEFRY_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def _threefry2x32(k0: Any, k1: Any, x0: Any, x1: Any) -> tuple[Any, Any]:
    """Threefry-2x32 of the counter words ``(x0, x1)`` under the key ``(k0, k1)``."""
    schedule = (k0, k1, k0 ^ k1 ^ np.uint32(0x1BD11BDA))
    x0, x1 = x0 + schedule[0], x1 + schedule[1]
    for block in range(5):
        for rotation in _THREEFRY_ROTATIONS[block % 2]:
            x0 = x0 + x1
            x1 = x0 ^ ((x1 << np.uint32(rotation)) | (x1 >> np.uint32(32 - rotation)))
        x0 = x0 + schedule[(block + 1) % 3]
        x1 = x1 + schedule[(block + 2) % 3] + np.uint32(block + 1)
    return x0, x1


def host_rng() -> np.random.Generator:
    """A NumPy generator seeded from the default stream (for build-time sampling)."""
    bits = np.asarray(split_key()).astype(np.uint64).ravel()
    return np.random.default_rng([int(b) for b in bits])
