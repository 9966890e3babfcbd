"""Plain-JAX reference of event-driven CSR spike delivery.

Used on accelerators (where XLA's scatter is fast), as the fallback when the
compiled CPU kernel is unavailable, and as the reference in tests.
"""

from __future__ import annotations

import numbers
from typing import Any

import jax
import jax.numpy as jnp
from jax import Array


def weight_dtype(weights: Any) -> jnp.dtype:
    """Floating dtype of the output: the weights' dtype (default float for non-floats)."""
    dtype = jnp.result_type(weights)
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.result_type(float)
    return jnp.dtype(dtype)


def check_arguments(spikes: Any, indptr: Any, indices: Any, weights: Any, n_post: int) -> None:
    """Raise ``ValueError`` for inconsistent shapes (static checks only)."""
    n_pre = jnp.shape(indptr)[0] - 1 if jnp.ndim(indptr) == 1 else -1
    if n_pre < 0:
        raise ValueError(f"indptr must have shape (n_pre + 1,), got {jnp.shape(indptr)}")
    if jnp.ndim(indices) != 1:
        raise ValueError(f"indices must have shape (nnz,), got {jnp.shape(indices)}")
    if jnp.ndim(spikes) < 1 or jnp.shape(spikes)[-1] != n_pre:
        raise ValueError(
            f"spikes must have shape (n_pre,) or (batch, n_pre) with n_pre = {n_pre}, "
            f"got {jnp.shape(spikes)}"
        )
    if jnp.ndim(weights) != 0 and jnp.shape(weights) != jnp.shape(indices):
        raise ValueError(
            f"weights must be a scalar or have shape (nnz,) = {jnp.shape(indices)}, "
            f"got {jnp.shape(weights)}"
        )
    if isinstance(n_post, bool) or not isinstance(n_post, numbers.Integral) or n_post < 0:
        raise ValueError(f"n_post must be a python int >= 0, got {n_post!r}")


def row_of_synapse(indptr: Array, nnz: int) -> Array:
    """Presynaptic row of every synapse, ``(nnz,)`` int32, from the CSR row pointer."""
    n_pre = indptr.shape[0] - 1
    return jnp.repeat(jnp.arange(n_pre, dtype=jnp.int32), jnp.diff(indptr), total_repeat_length=nnz)


def in_range_targets(indices: Array, n_post: int) -> Array:
    """Targets with negative ones moved past ``n_post``, so scatters and gathers drop them."""
    return jnp.where(indices < 0, n_post, indices)


def csr_event_matvec_reference(
    spikes: Any, indptr: Any, indices: Any, weights: Any, n_post: int
) -> Array:
    """Spike delivery through CSR connectivity, ``out = W^T s``, in plain JAX.

    Every synapse is visited (cost O(nnz)); see :func:`neurodyn.ops.csr_event_matvec`
    for the arguments and the event-driven version.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> indptr = jnp.array([0, 2, 3], jnp.int32)
    >>> indices = jnp.array([0, 2, 2], jnp.int32)
    >>> csr_event_matvec_reference(jnp.array([True, True]), indptr, indices, 0.5, 3)
    Array([0.5, 0. , 1. ], dtype=float32)
    """
    check_arguments(spikes, indptr, indices, weights, n_post)
    dtype = weight_dtype(weights)
    indptr = jnp.asarray(indptr, jnp.int32)
    indices = jnp.asarray(indices, jnp.int32)
    weights = jnp.asarray(weights, dtype)
    spikes = jnp.asarray(spikes).astype(dtype)
    contributions = spikes[..., row_of_synapse(indptr, indices.shape[0])] * weights
    out = jnp.zeros((*spikes.shape[:-1], n_post), dtype)
    return out.at[..., in_range_targets(indices, n_post)].add(contributions, mode="drop")


def delayed_targets(indices: Array, delays: Array, cursor: Array, n_slots: int, n_post: int):
    """Flat ``slot * n_post + target`` of every synapse in a ``(n_slots, n_post)`` ring
    buffer (targets or delays out of range moved past the end, so scatters and gathers
    drop them)."""
    slots = jnp.mod(cursor + delays, n_slots)
    valid = (indices >= 0) & (indices < n_post) & (delays >= 0) & (delays < n_slots)
    return jnp.where(valid, slots * n_post + indices, n_slots * n_post)


def csr_event_delayed_reference(
    spikes: Any,
    indptr: Any,
    indices: Any,
    weights: Any,
    delays: Any,
    buffer: Any,
    cursor: Any,
) -> Array:
    """Spike delivery into a ring buffer of future steps, then the next step's slot
    taken out, in plain JAX.

    Every synapse is visited (cost O(nnz)); see :func:`neurodyn.ops.csr_event_delayed`
    for the arguments and the event-driven version.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> indptr = jnp.array([0, 2, 3], jnp.int32)
    >>> indices = jnp.array([0, 2, 2], jnp.int32)
    >>> ring = jnp.zeros((3, 3))
    >>> spikes = jnp.array([True, True])
    >>> ring, arrived = csr_event_delayed_reference(spikes, indptr, indices, 1.0, 2, ring, 0)
    >>> ring, arrived
    (Array([[0., 0., 0.],
           [0., 0., 0.],
           [1., 0., 2.]], dtype=float32), Array([0., 0., 0.], dtype=float32))
    """
    buffer = jnp.asarray(buffer)
    n_slots, n_post = buffer.shape[-2:]
    check_arguments(spikes, indptr, indices, weights, n_post)
    dtype = weight_dtype(weights)
    indptr = jnp.asarray(indptr, jnp.int32)
    indices = jnp.asarray(indices, jnp.int32)
    weights = jnp.asarray(weights, dtype)
    spikes = jnp.asarray(spikes).astype(dtype)
    contributions = spikes[..., row_of_synapse(indptr, indices.shape[0])] * weights
    target = delayed_targets(indices, jnp.asarray(delays), jnp.asarray(cursor), n_slots, n_post)
    batch = jnp.broadcast_shapes(spikes.shape[:-1], buffer.shape[:-2])
    flat = jnp.broadcast_to(buffer.astype(dtype), (*batch, n_slots, n_post))
    flat = flat.reshape(*batch, n_slots * n_post)
    flat = flat.at[..., target].add(contributions, mode="drop")
    buffer = flat.reshape(*batch, n_slots, n_post)
    following = jnp.mod(jnp.asarray(cursor) + 1, n_slots)
    arrived = jnp.take(buffer, following, axis=-2)
    return buffer.at[..., following, :].set(0), arrived


def append_spike_events_reference(
    spikes: Any,
    indices: Any,
    ids: Any,
    step: Any,
    steps: Any,
    senders: Any,
    count: Any,
) -> tuple[Array, Array, Array]:
    """This step's spikes appended to an event list, in plain JAX (a scatter of every
    recorded neuron); see :func:`neurodyn.ops.append_spike_events`.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> spikes = jnp.array([0.0, 1.0, 1.0])
    >>> empty = jnp.zeros(4, jnp.int32)
    >>> out = append_spike_events_reference(spikes, jnp.arange(3), jnp.arange(3) + 10, 7,
    ...                                     empty, empty, 0)
    >>> [a.tolist() for a in out]
    [[7, 7, 0, 0], [11, 12, 0, 0], 2]
    """
    capacity = jnp.shape(steps)[0]
    fired = jnp.asarray(spikes)[jnp.asarray(indices)] != 0
    position = jnp.asarray(count, jnp.int32) + jnp.cumsum(fired, dtype=jnp.int32) - 1
    slot = jnp.where(fired, position, capacity)  # out of range: dropped
    steps = jnp.asarray(steps).at[slot].set(jnp.asarray(step, jnp.int32), mode="drop")
    senders = jnp.asarray(senders).at[slot].set(jnp.asarray(ids, jnp.int32), mode="drop")
    return steps, senders, jnp.asarray(count, jnp.int32) + fired.sum(dtype=jnp.int32)


#: The multipliers of MurmurHash3's 32-bit finaliser (Appleby), a full-avalanche bijection.
_FMIX_MULTIPLIERS = (0x85EBCA6B, 0xC2B2AE35)


def _fmix32(h: Array) -> Array:
    h = h ^ (h >> 16)
    h = h * jnp.uint32(_FMIX_MULTIPLIERS[0])
    h = h ^ (h >> 13)
    h = h * jnp.uint32(_FMIX_MULTIPLIERS[1])
    return h ^ (h >> 16)


def hashed_words(key: Any, shape: tuple[int, ...]) -> Array:
    """Uniform uint32 words, one per draw: ``fmix32(fmix32(index ^ k0) + k1)`` of each
    draw's flat index under the two words ``(k0, k1)`` of ``key`` (uint32 ``(2,)``).

    ``fmix32`` is MurmurHash3's finaliser, a bijection with full avalanche: a
    counter-based generator, so one fresh key gives every draw of a step.
    """
    k0, k1 = jnp.asarray(key, jnp.uint32).reshape(-1)[-2:]
    size = 1
    for n in shape:
        size *= n
    index = jax.lax.iota(jnp.uint32, size).reshape(shape)
    return _fmix32(_fmix32(index ^ k0) + k1)


def hashed_uniform_reference(key: Any, shape: tuple[int, ...], dtype: Any) -> Array:
    """Uniform numbers in ``[0, 1)`` from :func:`hashed_words`: in float64 53 random bits
    each, ``(w_{2i} 2^21 + (w_{2i+1} >> 11)) 2^-53`` from the words of the flat indices
    ``2i`` and ``2i + 1``; in float32 24 bits, ``(w_i >> 8) 2^-24``. Every value is exact,
    so no probability above ``2^-53`` (``2^-24``) is rounded away.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> u = hashed_uniform_reference(jnp.array([3, 4], jnp.uint32), (100000,), jnp.float32)
    >>> round(float(u.mean()), 2), bool((u >= 0).all() & (u < 1).all())
    (0.5, True)
    """
    if jnp.dtype(dtype) == jnp.float64:
        words = hashed_words(key, (*shape, 2))
        high = words[..., 0].astype(jnp.float64)
        low = (words[..., 1] >> 11).astype(jnp.float64)
        return (high * 2.0**21 + low) * 2.0**-53
    return (hashed_words(key, shape) >> 8).astype(dtype) * jnp.asarray(2.0**-24, dtype)


def table_counts_reference(key: Any, thresholds: Any, n: int) -> Array:
    """``#{k : w_i < thresholds[k]}`` (int32, ``(n,)``) for the hashed words ``w_i`` of
    ``key``: counts drawn by inverse transform against a survival table; see
    :func:`neurodyn.ops.table_counts`.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> table = jnp.array([2**31, 2**30], jnp.uint32)  # P(N > 0) = 1/2, P(N > 1) = 1/4
    >>> counts = table_counts_reference(jnp.array([1, 2], jnp.uint32), table, 100000)
    >>> round(float(counts.mean()), 2)  # 1/2 + 1/4
    0.75
    """
    words = hashed_words(key, (n,))
    return jnp.sum(words[:, None] < jnp.asarray(thresholds, jnp.uint32), axis=-1, dtype=jnp.int32)
