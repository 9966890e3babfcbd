"""Recording spikes as events: this step's (step, sender) pairs appended to a list."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax import Array

from ._build import ffi_target
from ._reference import append_spike_events_reference

_KERNEL = "spikes"
_SYMBOL = "neurodyn_append_spike_events"


def append_spike_events(
    spikes: Any, indices: Any, ids: Any, step: Any, steps: Any, senders: Any, count: Any
) -> tuple[Array, Array, Array]:
    """Append the spikes of one step to an event list of fixed capacity.

    For each recorded neuron ``indices[k]`` that spiked (a nonzero entry of ``spikes``),
    the pair ``(step, ids[k])`` goes to position ``count`` of ``steps`` / ``senders``,
    in the order of ``indices``, and ``count`` grows by one. Past the capacity the pairs
    are lost but ``count`` still grows, so the caller sees that the list overflowed. On
    CPU a compiled kernel costs O(len(indices)) and updates the lists in place;
    elsewhere (or with ``NEURODYN_DISABLE_KERNELS=1``) the plain-JAX
    :func:`append_spike_events_reference` computes the same. No gradient flows through it.

    Parameters
    ----------
    spikes : array (n,)
        Bool or float spikes of a population.
    indices, ids : int32 arrays (m,)
        The recorded neurons and their sender ids.
    step : int
        The step to record.
    steps, senders : int32 arrays (capacity,)
        The event list.
    count : int32 scalar
        The number of events recorded so far.

    Returns
    -------
    steps, senders, count
        The updated list and count.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> empty = jnp.zeros(3, jnp.int32)
    >>> spikes = jnp.array([True, False, True, True])
    >>> steps, senders, count = append_spike_events(spikes, jnp.arange(4), jnp.arange(4) + 1,
    ...                                             5, empty, empty, 0)
    >>> steps.tolist(), senders.tolist(), int(count)  # the third pair did not fit
    ([5, 5, 5], [1, 3, 4], 3)
    """
    spikes = jax.lax.stop_gradient(jnp.asarray(spikes))
    if spikes.dtype not in (jnp.bool_, jnp.float32, jnp.float64):
        spikes = spikes.astype(jnp.float32)
    args = (
        spikes,
        jnp.asarray(indices, jnp.int32),
        jnp.asarray(ids, jnp.int32),
        jnp.asarray(step, jnp.int32),
        jnp.asarray(steps, jnp.int32),
        jnp.asarray(senders, jnp.int32),
        jnp.asarray(count, jnp.int32),
    )
    if ffi_target(_KERNEL, _SYMBOL) is None:
        return append_spike_events_reference(*args)
    return jax.lax.platform_dependent(
        *args, cpu=_cpu_kernel(), default=append_spike_events_reference
    )


@functools.cache
def _cpu_kernel() -> Callable[..., tuple[Array, Array, Array]]:
    """The FFI kernel (lists updated in place), batched by the reference."""

    @jax.custom_batching.custom_vmap
    def kernel(spikes, indices, ids, step, steps, senders, count):
        out_type = (
            jax.ShapeDtypeStruct(steps.shape, jnp.int32),
            jax.ShapeDtypeStruct(senders.shape, jnp.int32),
            jax.ShapeDtypeStruct((), jnp.int32),
        )
        call = jax.ffi.ffi_call(_SYMBOL, out_type, input_output_aliases={4: 0, 5: 1, 6: 2})
        return call(spikes, indices, ids, step, steps, senders, count)

    @kernel.def_vmap
    def kernel_vmap(axis_size, in_batched, *args):
        in_axes = tuple(0 if batched else None for batched in in_batched)
        out = jax.vmap(append_spike_events_reference, in_axes)(*args)
        return out, (True, True, True)

    return kernel
