"""Uniform random numbers from a keyed hash: the escape noise of stochastic neurons."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax import Array

from ._build import ffi_target
from ._reference import hashed_uniform_reference

_KERNEL = "spikes"
_SYMBOL = "neurodyn_hashed_uniform"


def hashed_uniform(key: Any, shape: tuple[int, ...], dtype: Any) -> Array:
    """Uniform numbers in ``[0, 1)`` of ``shape`` and ``dtype`` (float32 or float64),
    those of :func:`~neurodyn.ops.hashed_uniform_reference` bit for bit.

    On CPU a compiled kernel writes them once per step. In plain JAX, XLA fuses the
    hash into every computation that reads the numbers and so computes it several times
    (a stochastic neuron's spike decision is read by its reset, its refractory count and
    its output); elsewhere (or with ``NEURODYN_DISABLE_KERNELS=1``) the reference runs.

    Parameters
    ----------
    key : uint32 array (2,)
        The two key words (a fresh pair per step, from the seeded stream).
    shape : tuple of int
    dtype : float32 or float64

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> key = jnp.array([1, 2], jnp.uint32)
    >>> u = hashed_uniform(key, (2, 3), jnp.float32)
    >>> bool((u == hashed_uniform_reference(key, (2, 3), jnp.float32)).all())
    True
    """
    key = jnp.asarray(key, jnp.uint32).reshape(-1)[-2:]
    shape, dtype = tuple(int(n) for n in shape), jnp.dtype(dtype)
    if ffi_target(_KERNEL, _SYMBOL) is None:
        return hashed_uniform_reference(key, shape, dtype)
    return jax.lax.platform_dependent(
        key,
        cpu=_cpu_kernel(shape, dtype),
        default=functools.partial(hashed_uniform_reference, shape=shape, dtype=dtype),
    )


@functools.cache
def _cpu_kernel(shape: tuple[int, ...], dtype: Any) -> Callable[..., Array]:
    """The FFI kernel for ``shape`` (drawn flat), batched by the reference."""

    @jax.custom_batching.custom_vmap
    def kernel(key):
        out_type = jax.ShapeDtypeStruct((math.prod(shape),), dtype)
        return jax.ffi.ffi_call(_SYMBOL, out_type)(key).reshape(shape)

    @kernel.def_vmap
    def kernel_vmap(axis_size, in_batched, key):
        reference = functools.partial(hashed_uniform_reference, shape=shape, dtype=dtype)
        return jax.vmap(reference)(key), True

    return kernel
