"""Event-driven updates of the synapses of the neurons that spiked, in plain JAX.

A :class:`SynapseRows` is one side of a sparse connectivity: the synapses grouped in
rows by the neuron they leave (CSR by presynaptic neuron) or reach (the post-sorted
view of :class:`~neurodyn.connectivity.Connections`). :meth:`SynapseRows.update`
rewrites the synapses of the rows whose neuron spiked: the spiking rows are listed
(:func:`neurodyn.ops.append_spike_events`, a compiled O(rows) kernel on CPU), then
visited a few rows at a time in a loop that updates the weights in place, so a step
costs O(rows + spikes × row length). When the spiking rows hold more than a quarter
of the synapses, one pass over all synapses is cheaper and is done instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..core._state import State
from ..ops import append_spike_events

#: ``new_weight(w, drive) -> w'``: the weights of synapses whose row neuron spiked.
NewWeight = Callable[[Any, Any], Any]

#: Synapses visited per loop iteration (rows per iteration: this over the row length).
SYNAPSES_PER_ITERATION = 1024

#: Past this fraction of all synapses in spiking rows, one pass over all is cheaper.
DENSE_FRACTION = 0.25


class SynapseRows:
    """Synapses in rows: row ``r`` holds positions ``ptr[r]:ptr[r + 1]``.

    **Arguments:**

    - ``ptr``: the row pointer, a state of shape ``(n_rows + 1,)``.
    - ``order``: the synapse at each position (a state), or ``None``: position is synapse.
    - ``row_of``: the row neuron of each synapse, in synapse order (a state).
    - ``partner_of``: the neuron at the other end of each synapse, in synapse order.
    - ``row_lengths``: the host array of row lengths.
    """

    def __init__(
        self,
        ptr: State,
        order: State | None,
        row_of: State,
        partner_of: State,
        row_lengths: np.ndarray,
    ):
        self.ptr, self.order, self.row_of, self.partner_of = ptr, order, row_of, partner_of
        self.n_rows = int(row_lengths.size)
        self.n_synapses = int(row_lengths.sum())
        self.width = int(row_lengths.max()) if row_lengths.size else 0
        self.rows_per_iteration = max(1, SYNAPSES_PER_ITERATION // max(self.width, 1))

    def update(self, w: Any, counts: Any, partner_trace: Any, new_weight: NewWeight) -> Any:
        """``w`` (one per synapse) with the synapses of every row whose neuron spiked
        (``counts[row] > 0``) set to ``new_weight(w, counts[row] * partner_trace[partner])``."""
        if self.n_synapses == 0:
            return w
        ptr, row_of, partner_of = self.ptr.value, self.row_of.value, self.partner_of.value
        order = None if self.order is None else self.order.value
        k = self.rows_per_iteration
        rows = jnp.arange(self.n_rows, dtype=jnp.int32)
        unused = jnp.full(self.n_rows + k, self.n_rows, jnp.int32)  # n_rows: an empty row
        _, spiking, n_spiking = append_spike_events(counts, rows, rows, 0, unused, unused, 0)
        dense = n_spiking * self.width > DENSE_FRACTION * self.n_synapses

        def visit(carry: tuple[Any, Any]) -> tuple[Any, Any]:
            i, w = carry
            some = jax.lax.dynamic_slice(spiking, (i * k,), (k,))
            start = jnp.take(ptr, some, mode="clip")
            stop = jnp.take(ptr, some + 1, mode="clip")
            position = start[:, None] + jnp.arange(self.width, dtype=start.dtype)
            inside = position < stop[:, None]
            synapse = position if order is None else jnp.take(order, position, mode="clip")
            synapse = jnp.where(inside, synapse, self.n_synapses)  # out of range: dropped
            drive = jnp.take(counts, some, mode="fill", fill_value=0)[:, None]
            drive = drive * partner_trace[jnp.take(partner_of, synapse, mode="clip")]
            new = new_weight(jnp.take(w, synapse, mode="clip"), drive)
            return i + 1, w.at[synapse].set(new, mode="drop")

        def every_synapse(w: Any) -> Any:
            count = counts[row_of]
            new = new_weight(w, count * partner_trace[partner_of])
            return jnp.where(count > 0, new, w)

        _, w = jax.lax.while_loop(
            lambda carry: (carry[0] * k < n_spiking) & ~dense, visit, (jnp.int32(0), w)
        )
        return jax.lax.cond(dense, every_synapse, lambda w: w, w)
