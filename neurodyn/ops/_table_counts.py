"""Random counts by inverse transform from a keyed hash: the Poisson drive of a network."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax import Array

from ._build import ffi_target
from ._reference import table_counts_reference

_KERNEL = "spikes"
_SYMBOL = "neurodyn_table_counts"


def table_counts(key: Any, thresholds: Any, n: int) -> Array:
    """``n`` independent counts with the survival table ``thresholds``.

    Draw ``i`` takes the uniform word ``w_i`` hashed from its index under ``key``
    (:func:`~neurodyn.ops.hashed_words`) and counts the thresholds above it:
    ``N_i = #{k : w_i < thresholds[k]}``, so ``P(N_i > k) = thresholds[k] / 2^32``; with
    ``thresholds[k] = round(2^32 P(N > k))`` of a distribution (e.g. Poisson's, cut
    where the tail is below 2^-32) the counts follow it. On CPU a compiled kernel
    hashes and compares in vectorised blocks; elsewhere (or with
    ``NEURODYN_DISABLE_KERNELS=1``) :func:`table_counts_reference` computes the same
    counts in plain JAX.

    Parameters
    ----------
    key : uint32 array (2,)
        The two key words (a fresh pair per step, from the seeded stream).
    thresholds : uint32 array (K,)
        Decreasing survival thresholds.
    n : int
        The number of draws.

    Returns
    -------
    counts : int32 array (n,)

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> table = jnp.array([2**31, 2**30], jnp.uint32)  # P(N > 0) = 1/2, P(N > 1) = 1/4
    >>> counts = table_counts(jnp.array([1, 2], jnp.uint32), table, 100000)
    >>> round(float(counts.mean()), 2)  # E[N] = P(N > 0) + P(N > 1)
    0.75
    """
    key = jnp.asarray(key, jnp.uint32).reshape(-1)[-2:]
    thresholds = jnp.asarray(thresholds, jnp.uint32)
    if ffi_target(_KERNEL, _SYMBOL) is None:
        return table_counts_reference(key, thresholds, n)
    return jax.lax.platform_dependent(
        key,
        thresholds,
        cpu=_cpu_kernel(int(n)),
        default=functools.partial(table_counts_reference, n=int(n)),
    )


@functools.cache
def _cpu_kernel(n: int) -> Callable[..., Array]:
    """The FFI kernel for ``n`` draws, batched by the reference."""

    @jax.custom_batching.custom_vmap
    def kernel(key, thresholds):
        out_type = jax.ShapeDtypeStruct((n,), jnp.int32)
        return jax.ffi.ffi_call(_SYMBOL, out_type)(key, thresholds)

    @kernel.def_vmap
    def kernel_vmap(axis_size, in_batched, key, thresholds):
        in_axes = tuple(0 if batched else None for batched in in_batched)
        reference = functools.partial(table_counts_reference, n=n)
        return jax.vmap(reference, in_axes)(key, thresholds), True

    return kernel
