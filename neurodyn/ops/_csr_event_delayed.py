"""Event-driven CSR spike delivery into a ring buffer of future steps (synaptic delays)."""

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
    csr_event_delayed_reference,
    delayed_targets,
    row_of_synapse,
    weight_dtype,
)

_KERNEL = "spikes"
_SYMBOL = "neurodyn_csr_event_delayed"
_KERNEL_DTYPES = (jnp.dtype(jnp.float32), jnp.dtype(jnp.float64))


def csr_event_delayed(
    spikes: Any, indptr: Any, indices: Any, weights: Any, delays: Any, buffer: Any, cursor: Any
) -> Array:
    """Add this step's spikes to a ring buffer of the steps to come, then take out
    what arrives in the next step.

    Synapse ``k`` (presynaptic ``i`` → postsynaptic ``indices[k]``) adds
    ``weights[k] * spikes[i]`` to slot ``(cursor + delays[k]) mod n_slots`` of
    ``buffer``: ``cursor`` is the slot of the current step, so the contribution is
    due ``delays[k]`` steps later. Then slot ``cursor + 1`` (the next step's, which
    may have just received the contributions with delay 1) is returned and emptied.
    Only spiking neurons are visited: on CPU a compiled kernel costs
    O(n_pre + spikes × fan-out + n_post) and updates the buffer in place; elsewhere
    (or with ``NEURODYN_DISABLE_KERNELS=1``) the plain-JAX
    :func:`csr_event_delayed_reference` computes the same. Works under ``jit``,
    ``lax.scan``, ``vmap`` and reverse-mode autodiff (to ``spikes``, ``weights`` and
    ``buffer``).

    Parameters
    ----------
    spikes : array, shape (..., n_pre)
        Bool or float (a float weights each contribution by its value).
    indptr, indices : int32 arrays, shapes (n_pre + 1,) and (nnz,)
        CSR connectivity, rows by presynaptic neuron; targets outside
        ``[0, n_post)`` are dropped.
    weights : scalar or array (nnz,)
        Without units, float32 or float64.
    delays : int scalar or int32 array (nnz,)
        Delays in steps, each in ``[1, n_slots - 1]``; synapses with a delay outside
        ``[0, n_slots)`` are dropped.
    buffer : array, shape (..., n_slots, n_post)
        The ring buffer, in the weights' dtype.
    cursor : int scalar
        The slot of the current step (``step mod n_slots``).

    Returns
    -------
    buffer : array, shape (..., n_slots, n_post)
        ``buffer`` with the contributions added and the next step's slot emptied.
    arrived : array, shape (..., n_post)
        The next step's slot: what arrives at the targets in step ``cursor + 1``.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> indptr = jnp.array([0, 2, 3], jnp.int32)  # neuron 0 -> {0, 2}, neuron 1 -> {2}
    >>> indices = jnp.array([0, 2, 2], jnp.int32)
    >>> delays = jnp.array([1, 2, 1], jnp.int32)
    >>> ring = jnp.zeros((3, 3))
    >>> ring, arrived = csr_event_delayed(jnp.array([True, False]), indptr, indices, 0.5,
    ...                                   delays, ring, 2)
    >>> arrived  # delay 1: slot 0, the next step's
    Array([0.5, 0. , 0. ], dtype=float32)
    >>> ring  # delay 2: slot 1, in two steps
    Array([[0. , 0. , 0. ],
           [0. , 0. , 0.5],
           [0. , 0. , 0. ]], dtype=float32)
    """
    buffer = jnp.asarray(buffer)
    check_arguments(spikes, indptr, indices, weights, buffer.shape[-1])
    if jnp.ndim(delays) != 0 and jnp.shape(delays) != jnp.shape(indices):
        raise ValueError(f"delays must be a scalar or have shape (nnz,), got {jnp.shape(delays)}")
    dtype = weight_dtype(weights)
    spikes = jnp.asarray(spikes)
    if spikes.dtype != jnp.bool_:
        spikes = spikes.astype(dtype)
    return _delivery(
        spikes,
        jnp.asarray(indptr, jnp.int32),
        jnp.asarray(indices, jnp.int32),
        jnp.asarray(weights, dtype),
        jnp.asarray(delays, jnp.int32),
        buffer.astype(dtype),
        jnp.asarray(cursor, jnp.int32),
    )


@jax.custom_vjp
def _delivery(spikes, indptr, indices, weights, delays, buffer, cursor):
    if weights.dtype not in _KERNEL_DTYPES or ffi_target(_KERNEL, _SYMBOL) is None:
        return csr_event_delayed_reference(spikes, indptr, indices, weights, delays, buffer, cursor)
    return jax.lax.platform_dependent(
        spikes,
        indptr,
        indices,
        weights,
        delays,
        buffer,
        cursor,
        cpu=_cpu_kernel(),
        default=csr_event_delayed_reference,
    )


def _delivery_fwd(spikes, indptr, indices, weights, delays, buffer, cursor):
    out = _delivery(spikes, indptr, indices, weights, delays, buffer, cursor)
    return out, (spikes, indptr, indices, weights, delays, cursor, buffer.shape)


def _delivery_bwd(residuals, cotangents):
    """The taken-out slot's cotangent goes back into that slot; the buffer passes its
    cotangent through; the contributions gather it at their (slot, target) positions
    (the transpose of the scatter-add)."""
    spikes, indptr, indices, weights, delays, cursor, shape = residuals
    ct_buffer, ct_arrived = cotangents
    n_slots, n_post = shape[-2:]
    following = jnp.mod(cursor + 1, n_slots)
    ct_out = ct_buffer.at[..., following, :].set(ct_arrived)
    nnz = indices.shape[0]
    rows = row_of_synapse(indptr, nnz)
    flat = ct_out.reshape(*shape[:-2], n_slots * n_post)
    target = delayed_targets(indices, delays, cursor, n_slots, n_post)
    ct_synapse = jnp.take(flat, target, axis=-1, mode="fill", fill_value=0)
    if spikes.dtype == jnp.bool_:
        ct_spikes = None
    else:
        ct_spikes = jnp.zeros(spikes.shape, spikes.dtype).at[..., rows].add(weights * ct_synapse)
    ct_weights = spikes[..., rows].astype(weights.dtype) * ct_synapse
    ct_weights = ct_weights.sum() if weights.ndim == 0 else ct_weights.reshape(-1, nnz).sum(0)
    return ct_spikes, None, None, ct_weights, None, ct_out, None


_delivery.defvjp(_delivery_fwd, _delivery_bwd)


@functools.cache
def _cpu_kernel() -> Callable[..., Array]:
    """The FFI kernel (buffer updated in place), with its batching rule."""

    @jax.custom_batching.custom_vmap
    def kernel(spikes, indptr, indices, weights, delays, buffer, cursor):
        out_type = (
            jax.ShapeDtypeStruct(buffer.shape, buffer.dtype),
            jax.ShapeDtypeStruct((*buffer.shape[:-2], buffer.shape[-1]), buffer.dtype),
        )
        call = jax.ffi.ffi_call(_SYMBOL, out_type, input_output_aliases={6: 0})
        return call(spikes, indptr, indices, weights, delays, cursor, buffer)

    @kernel.def_vmap
    def kernel_vmap(
        axis_size, in_batched, spikes, indptr, indices, weights, delays, buffer, cursor
    ):
        spikes_batched, *structure, buffer_batched, cursor_batched = in_batched
        if any(structure) or cursor_batched:  # per-example connectivity: no kernel for that
            in_axes = tuple(0 if batched else None for batched in in_batched)
            return jax.vmap(csr_event_delayed_reference, in_axes)(
                spikes, indptr, indices, weights, delays, buffer, cursor
            ), (True, True)
        if not spikes_batched:
            spikes = jnp.broadcast_to(spikes, (axis_size, *spikes.shape))
        if not buffer_batched:
            buffer = jnp.broadcast_to(buffer, (axis_size, *buffer.shape))
        # The kernel treats every leading dimension as a batch dimension.
        return kernel(spikes, indptr, indices, weights, delays, buffer, cursor), (True, True)

    return kernel
