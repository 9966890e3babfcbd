"""Event-driven CSR spike delivery: the public operator, its gradient and batching rule."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax import Array

from ._build import ffi_target
from ._reference import (
    check_arguments,
    csr_event_matvec_reference,
    in_range_targets,
    row_of_synapse,
    weight_dtype,
)

_KERNEL = "spikes"
_SYMBOL = "neurodyn_csr_event_matvec"
_KERNEL_DTYPES = (jnp.dtype(jnp.float32), jnp.dtype(jnp.float64))


def csr_event_matvec(spikes: Any, indptr: Any, indices: Any, weights: Any, n_post: int) -> Array:
    """Deliver presynaptic spikes through CSR connectivity: ``out = W^T s``.

    Only neurons with a nonzero spike value are visited: on CPU a compiled kernel
    costs O(spikes × fan-out + n_pre + n_post), correct also when every neuron
    spikes at once. Elsewhere (or with ``NEURODYN_DISABLE_KERNELS=1``, or without a
    C compiler) the plain-JAX :func:`csr_event_matvec_reference` computes the same.
    Works under ``jit``, ``lax.scan``, ``vmap`` and reverse-mode autodiff.

    Parameters
    ----------
    spikes : array, shape (n_pre,) or (batch, n_pre)
        Bool or float. A float vector weights each contribution by its value (zeros
        are skipped), which makes the operator differentiable in the spikes
        (surrogate gradients). More leading batch dimensions work too.
    indptr : int32 array, shape (n_pre + 1,)
        CSR row pointer; row ``i`` holds the synapses of presynaptic neuron ``i``.
    indices : int32 array, shape (nnz,)
        Postsynaptic target of every synapse; targets outside ``[0, n_post)`` are
        dropped.
    weights : scalar or array, shape (nnz,)
        Homogeneous weight or one per synapse, float32 or float64 (other float types
        use the reference), without units.
    n_post : int
        Number of postsynaptic neurons.

    Returns
    -------
    out : array, shape (n_post,) or (batch, n_post)
        ``out[j] = sum over synapses (i -> j) of weight * spikes[i]``, in the
        weights' dtype.

    Notes
    -----
    Gradients flow to ``spikes`` (float only) and ``weights`` through a custom VJP
    (gathers of the output cotangent); ``indptr`` and ``indices`` get none.
    Forward-mode autodiff (``jvp``) is not supported.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> indptr = jnp.array([0, 2, 3], jnp.int32)  # neuron 0 -> {0, 2}, neuron 1 -> {2}
    >>> indices = jnp.array([0, 2, 2], jnp.int32)
    >>> csr_event_matvec(jnp.array([True, True]), indptr, indices, 0.5, n_post=3)
    Array([0.5, 0. , 1. ], dtype=float32)
    >>> weights = jnp.array([1.0, 2.0, 3.0])
    >>> csr_event_matvec(jnp.array([0.0, 2.0]), indptr, indices, weights, n_post=3)
    Array([0., 0., 6.], dtype=float32)
    """
    check_arguments(spikes, indptr, indices, weights, n_post)
    dtype = weight_dtype(weights)
    spikes = jnp.asarray(spikes)
    if spikes.dtype != jnp.bool_:
        spikes = spikes.astype(dtype)
    indptr = jnp.asarray(indptr, jnp.int32)
    indices = jnp.asarray(indices, jnp.int32)
    return _delivery(spikes, indptr, indices, jnp.asarray(weights, dtype), int(n_post))


@functools.partial(jax.custom_vjp, nondiff_argnums=(4,))
def _delivery(spikes: Array, indptr: Array, indices: Array, weights: Array, n_post: int) -> Array:
    reference = functools.partial(csr_event_matvec_reference, n_post=n_post)
    if weights.dtype not in _KERNEL_DTYPES or ffi_target(_KERNEL, _SYMBOL) is None:
        return reference(spikes, indptr, indices, weights)
    return jax.lax.platform_dependent(
        spikes, indptr, indices, weights, cpu=_cpu_kernel(n_post), default=reference
    )


def _delivery_fwd(spikes, indptr, indices, weights, n_post):
    return _delivery(spikes, indptr, indices, weights, n_post), (spikes, indptr, indices, weights)


def _delivery_bwd(n_post, residuals, ct_out):
    """Transpose of the scatter-add: gathers of the output cotangent at the synapses."""
    spikes, indptr, indices, weights = residuals
    nnz = indices.shape[0]
    rows = row_of_synapse(indptr, nnz)
    targets = in_range_targets(indices, n_post)
    ct_synapse = jnp.take(ct_out, targets, axis=-1, mode="fill", fill_value=0)  # (..., nnz)
    if spikes.dtype == jnp.bool_:
        ct_spikes = None
    else:
        ct_spikes = jnp.zeros(spikes.shape, spikes.dtype).at[..., rows].add(weights * ct_synapse)
    ct_weights = spikes[..., rows].astype(weights.dtype) * ct_synapse
    if weights.ndim == 0:
        ct_weights = ct_weights.sum()
    else:
        ct_weights = ct_weights.reshape(-1, nnz).sum(axis=0)
    return ct_spikes, None, None, ct_weights


_delivery.defvjp(_delivery_fwd, _delivery_bwd)


@functools.cache
def _cpu_kernel(n_post: int) -> Callable[..., Array]:
    """The FFI kernel for ``n_post`` targets, with its batching rule."""

    @jax.custom_batching.custom_vmap
    def kernel(spikes, indptr, indices, weights):
        out_type = jax.ShapeDtypeStruct((*spikes.shape[:-1], n_post), weights.dtype)
        return jax.ffi.ffi_call(_SYMBOL, out_type)(spikes, indptr, indices, weights)

    @kernel.def_vmap
    def kernel_vmap(axis_size, in_batched, spikes, indptr, indices, weights):
        spikes_batched, *structure_batched = in_batched
        if any(structure_batched):  # per-example connectivity or weights: no kernel for that
            in_axes = tuple(0 if batched else None for batched in in_batched)
            reference = functools.partial(csr_event_matvec_reference, n_post=n_post)
            return jax.vmap(reference, in_axes)(spikes, indptr, indices, weights), True
        # The kernel treats every leading dimension of the spikes as a batch dimension.
        return kernel(spikes, indptr, indices, weights), spikes_batched

    return kernel
