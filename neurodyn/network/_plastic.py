"""Event-driven delivery through plastic connections: per-connection variables that a
synapse rule updates at presynaptic and at (dendritically delayed) postsynaptic spikes.

Work in step ``i`` (after the populations' update; ``t = (i + 1) dt`` the stamp of
this step's spikes), in NEST's order:

1. **Postsynaptic events.** A postsynaptic spike of step ``j`` reaches a connection
   with dendritic delay ``D`` steps in step ``j + D`` (NEST's ``t_post + d``). The
   postsynaptic neurons that spiked ``D`` steps ago, for the delays present, are
   gathered; over each one's incoming connections (the post-sorted permutation of
   :class:`~neurodyn.connectivity.Connections`) the rule's ``on_post`` runs where the
   spike is seen now.
2. **Presynaptic events.** Over the outgoing connections of each neuron spiking now
   (rows of the pre-sorted CSR) the rule's ``on_pre`` runs with the postsynaptic trace
   at ``t - d`` (spikes strictly before), read from a short archive of each
   postsynaptic neuron's trace (``max delay + 2`` steps), and returns the weight the
   spike carries; a ``weight_recorder`` records it.
3. **Trigger** (neuromodulated rules, ``USES_TRANSMITTER``). Where step ``i`` ends a
   block of the rule's ``volume_transmitter``, the rule's ``on_trigger`` runs over all
   connections (NEST's ``trigger_update_weight``: rules whose variables change between
   spikes are integrated up to ``t``). Other rules skip this (nothing is traced).
4. **Archive.** This step's postsynaptic spikes enter the archive (NEST's
   ``Kminus ← Kminus e^{(t_last - t)/τ_-} + 1`` and its triplet twin).
5. **Delivery.** The carried weights go into the target's ring buffer ``delay`` steps
   ahead (:func:`neurodyn.ops.csr_event_delayed`), as for static connections.

Spiking neurons are processed in chunks of fixed size (a loop runs as many chunks as
there are spikes), so the cost per step is proportional to spikes × fan-out (pre) and
spikes × fan-in (post), never to the number of connections.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..connectivity import Connections
from ..core import environ
from ..core import random as nd_random
from ..core._loop import repeat_states
from ..core._module import Dynamics, Module
from ..core._state import ShortTermState, State
from ..nest.synapses import PostSpike, PostTrace, SynapseModel
from ..ops import csr_event_delayed

#: The most spiking neurons one chunk processes ...
CHUNK = 16
#: ... and about the most connections (fewer rows for neurons of large fan-out).
CHUNK_CONNECTIONS = 1024


class PlasticDelivery(Module):
    """Delivers a population's spikes through plastic connections (see the module
    docstring for the order of the work in a step).

    **Arguments:**

    - ``connections``: the synapses (indices local to the source and target).
    - ``target``: the target population; for rules that read postsynaptic spikes it
      must be an archiving node (``tau_minus``, ``tau_minus_triplet``).
    - ``model``: the synapse rule, a :class:`~neurodyn.nest.synapses.SynapseModel`.
    - ``variables``: initial values of the connection variables (scalars or arrays in
      the connections' order).
    - ``receptor``, ``unit``: the receptor label and the unit of the weights.
    - ``recorder``: a ``weight_recorder`` (or ``None``), with ``source_ids`` and
      ``target_ids`` the global ids of the source and target neurons.

    States: one per connection variable (``weight``, ``Kplus``, ...), ``t_last`` (each
    source neuron's last spike, ms), ``carried`` (the weight of each connection's last
    transmitted spike), the ring ``buffer`` and ``arrived``, and the postsynaptic
    archive (``post_spiked``, ``archive_t``, ``archive_K``, ``archive_K_triplet``).
    """

    def __init__(
        self,
        connections: Connections,
        target: Dynamics,
        model: SynapseModel,
        variables: dict[str, Any],
        receptor: str | None,
        unit: u.Unit,
        recorder: Module | None = None,
        source_ids: np.ndarray | None = None,
        target_ids: np.ndarray | None = None,
        name: str | None = None,
    ):
        super().__init__(name)
        self.kind, self.receptor, self.unit, self.model = "spike", receptor, unit, model
        self.target, self.recorder = target, recorder
        self.n_source, self.n_target = connections.n_pre, target.num
        self.n_connections = connections.n_connections
        delays = np.asarray(connections.delay_steps(environ.get_dt()), np.int64)
        delays = np.broadcast_to(delays, (self.n_connections,))
        self.max_delay = int(delays.max()) if delays.size else 1
        self.n_slots = self.max_delay + 1
        self.n_archive = self.max_delay + 2
        self.lags = tuple(sorted({int(d) for d in delays}))
        indptr = np.asarray(connections.indptr, np.int64)
        self.fan_out = int(np.diff(indptr).max()) if self.n_connections else 0
        self.indptr = State(jnp.asarray(indptr, jnp.int32), name="indptr")
        self.post = State(jnp.asarray(connections.post, jnp.int32), name="post")
        self.pre = State(
            jnp.asarray(np.repeat(np.arange(self.n_source), np.diff(indptr)), jnp.int32), "pre"
        )
        self.delay = State(jnp.asarray(delays, jnp.int32), name="delay")
        if model.USES_POST:
            post_indptr = np.asarray(connections.post_indptr, np.int64)
            self.fan_in = int(np.diff(post_indptr).max()) if self.n_connections else 0
            self.post_indptr = State(jnp.asarray(post_indptr, jnp.int32), name="post_indptr")
            self.post_order = State(
                jnp.asarray(connections.post_order, jnp.int32), name="post_order"
            )
        weight = connections.weight
        weight = u.to_float(weight, unit) if u.has_unit(weight) else weight
        self.initial = {"weight": np.broadcast_to(np.asarray(weight, float), (self.n_connections,))}
        for key, default in {**model.VARIABLES, **model.HIDDEN}.items():
            value = np.asarray(variables.get(key, default), float)
            self.initial[key] = np.broadcast_to(value, (self.n_connections,))
        self.source_ids = None if source_ids is None else np.asarray(source_ids, np.int64)
        self.target_ids = None if target_ids is None else np.asarray(target_ids, np.int64)
        self.key = np.asarray(nd_random.split_key())
        target.add_delta_input(f"{self.name}-{id(self):x}", self._arrived, label=receptor)

    @property
    def variable_names(self) -> tuple[str, ...]:
        """The connection variables, NEST's first (``weight``, ...), then hidden ones."""
        return tuple(self.initial)

    def init_state(self, batch_size: int | None = None) -> None:
        dtype = environ.dftype()
        for key, value in self.initial.items():
            setattr(self, f"var_{key}", State(jnp.asarray(value, dtype), name=key))
        self.t_last = State(jnp.full((self.n_source,), self.model.T_LAST, dtype), "t_last")
        self.carried = State(jnp.zeros((self.n_connections,), dtype), name="carried")
        self.buffer = ShortTermState(jnp.zeros((self.n_slots, self.n_target), dtype), "buffer")
        self.arrived = ShortTermState(jnp.zeros((self.n_target,), dtype), name="arrived")
        if self.model.USES_POST:
            shape = (self.n_archive, self.n_target)
            self.post_spiked = State(jnp.zeros(shape, jnp.bool_), name="post_spiked")
            self.archive_t = State(jnp.full(shape, -1.0, dtype), name="archive_t")
            self.archive_K = State(jnp.zeros(shape, dtype), name="archive_K")
            self.archive_K_triplet = State(jnp.zeros(shape, dtype), name="archive_K_triplet")

    def variables(self) -> dict[str, Any]:
        """The current connection variables (arrays in the connections' order)."""
        return {key: getattr(self, f"var_{key}").value for key in self.initial}

    def _arrived(self) -> Any:
        return u.with_unit(self.arrived.value, self.unit)

    # -- one step ---------------------------------------------------------------------

    def send(self, spikes: Any) -> None:
        """End of step ``i``: the plasticity events of this step and the delivery of
        this step's spikes (see the module docstring)."""
        step = environ.get("i")
        dt = float(u.to_float(environ.get_dt(), u.ms))
        dtype = environ.dftype()
        t_spike = (jnp.asarray(step, dtype) + 1.0) * dt
        spiking = jnp.broadcast_to(jnp.asarray(u.magnitude(spikes)) > 0, (self.n_source,))
        if self.model.USES_POST:
            self._post_events(step, dt)
        self._pre_events(spiking, step, t_spike, dt)
        if self.model.USES_TRANSMITTER:
            self._trigger(t_spike)
        if self.model.USES_POST:
            self._archive(step, t_spike)
        self.buffer.value, self.arrived.value = csr_event_delayed(
            spiking,
            self.indptr.value,
            self.post.value,
            self.carried.value,
            self.delay.value,
            self.buffer.value,
            step % self.n_slots,
        )

    def _post_events(self, step: Any, dt: float) -> None:
        spiked = self.post_spiked.value
        active = jnp.zeros((self.n_target,), jnp.bool_)
        for lag in self.lags:
            active = active | spiked[(step - lag) % self.n_archive]

        def chunk(rows: Any, valid_row: Any) -> None:
            start = self.post_indptr.value[rows]
            end = self.post_indptr.value[rows + 1]
            pos = start[:, None] + jnp.arange(self.fan_in)[None, :]
            valid = valid_row[:, None] & (pos < end[:, None])
            ids = self.post_order.value[jnp.where(valid, pos, 0)]
            lag = self.delay.value[ids]
            slot = (step - lag) % self.n_archive
            neuron = jnp.broadcast_to(rows[:, None], ids.shape)
            seen = valid & spiked[slot, neuron]
            t_seen = self.archive_t.value[slot, neuron] + lag * dt
            post = PostSpike(t_seen=t_seen, K_triplet=self.archive_K_triplet.value[slot, neuron])
            v = {key: getattr(self, f"var_{key}").value[ids] for key in self.initial}
            t_last = self.t_last.value[self.pre.value[ids]]
            new = self.model.on_post(v, t_last, post)
            self._scatter(ids, seen, new)

        _in_chunks(active, chunk, self.fan_in)

    def _pre_events(self, spiking: Any, step: Any, t_spike: Any, dt: float) -> None:
        key = jax.random.fold_in(jnp.asarray(self.key), step)

        def chunk(rows: Any, valid_row: Any) -> None:
            start = self.indptr.value[rows]
            end = self.indptr.value[rows + 1]
            pos = start[:, None] + jnp.arange(self.fan_out)[None, :]
            valid = valid_row[:, None] & (pos < end[:, None])
            ids = jnp.where(valid, pos, 0)
            v = {name: getattr(self, f"var_{name}").value[ids] for name in self.initial}
            t_last = jnp.broadcast_to(self.t_last.value[rows][:, None], ids.shape)
            trace = self._trace(ids, t_spike, dt) if self.model.USES_POST else None
            new, carried, sent = self.model.on_pre(
                v, t_last, t_spike, trace, jax.random.fold_in(key, rows[0])
            )
            sent = valid & jnp.broadcast_to(sent, ids.shape)
            self._scatter(ids, valid, new)
            carried = jnp.where(sent, carried, 0.0)
            target = jnp.where(valid, ids, self.n_connections)
            self.carried.value = self.carried.value.at[target].set(carried, mode="drop")
            self.t_last.value = self.t_last.value.at[jnp.where(valid_row, rows, self.n_source)].set(
                t_spike, mode="drop"
            )
            if self.recorder is not None:
                senders = jnp.broadcast_to(jnp.asarray(self.source_ids)[rows][:, None], ids.shape)
                targets = jnp.asarray(self.target_ids)[self.post.value[ids]]
                self.recorder.append(step, senders, targets, carried, sent)

        _in_chunks(spiking, chunk, self.fan_out)

    def _trigger(self, t: Any) -> None:
        """All connections at a trigger of the rule's volume transmitter at ``t`` (a
        ``cond``: steps without a trigger cost nothing)."""
        values = self.variables()
        new = jax.lax.cond(
            self.model.volume_transmitter.triggers(),
            lambda v: {key: jnp.asarray(value).astype(v[key].dtype)
                       for key, value in self.model.on_trigger(v, t).items()},
            lambda v: v,
            values,
        )  # fmt: skip
        for key in self.initial:
            getattr(self, f"var_{key}").value = new[key]

    def _trace(self, ids: Any, t_spike: Any, dt: float) -> PostTrace:
        """The postsynaptic traces at ``t_spike - d`` of each connection (spikes
        strictly before), from the archive as it was at the end of step ``i - D - 1``."""
        step = environ.get("i")
        lag = self.delay.value[ids]
        neuron = self.post.value[ids]
        slot = (step - lag - 1) % self.n_archive
        t_h = self.archive_t.value[slot, neuron]
        k_h = self.archive_K.value[slot, neuron]
        inv_minus, inv_triplet = self._inverse_taus()
        elapsed = t_h - (t_spike - lag * dt)
        spiked = k_h > 0.0
        return PostTrace(
            K=k_h * jnp.exp(elapsed * inv_minus[neuron]),
            nearest=jnp.where(spiked, jnp.exp(elapsed * inv_minus[neuron]), 0.0),
            K_triplet=self.archive_K_triplet.value[slot, neuron]
            * jnp.exp(elapsed * inv_triplet[neuron]),
        )

    def _archive(self, step: Any, t_spike: Any) -> None:
        spiked = jnp.asarray(u.magnitude(self.target.spike.value)) > 0
        previous, current = (step - 1) % self.n_archive, step % self.n_archive
        t_h = self.archive_t.value[previous]
        inv_minus, inv_triplet = self._inverse_taus()
        k = self.archive_K.value[previous]
        k_trip = self.archive_K_triplet.value[previous]
        k = jnp.where(spiked, k * jnp.exp((t_h - t_spike) * inv_minus) + 1.0, k)
        k_trip = jnp.where(spiked, k_trip * jnp.exp((t_h - t_spike) * inv_triplet) + 1.0, k_trip)
        self.archive_K.value = self.archive_K.value.at[current].set(k)
        self.archive_K_triplet.value = self.archive_K_triplet.value.at[current].set(k_trip)
        self.archive_t.value = self.archive_t.value.at[current].set(jnp.where(spiked, t_spike, t_h))
        self.post_spiked.value = self.post_spiked.value.at[current].set(spiked)

    def _inverse_taus(self) -> tuple[Any, Any]:
        """``1 / tau_minus`` and ``1 / tau_minus_triplet`` of each target neuron (1/ms)."""
        shape = (self.n_target,)
        return tuple(
            jnp.broadcast_to(1.0 / jnp.asarray(u.to_float(getattr(self.target, key), u.ms)), shape)
            for key in ("tau_minus", "tau_minus_triplet")
        )

    def _scatter(self, ids: Any, where: Any, new: dict[str, Any]) -> None:
        target = jnp.where(where, ids, self.n_connections)
        for key in self.initial:
            state = getattr(self, f"var_{key}")
            value = jnp.broadcast_to(new[key], ids.shape).astype(state.value.dtype)
            state.value = state.value.at[target].set(value, mode="drop")


def _in_chunks(selected: Any, body: Any, width: int) -> None:
    """Call ``body(rows, valid)`` for the selected indices, a chunk of rows at a time
    (``rows`` padded with a valid index, ``valid`` marking the real ones), as many
    times as needed: a loop whose length is the number of selected indices / chunk.
    A chunk has ``CHUNK`` rows, fewer when rows are ``width`` connections wide, so that
    it spans about ``CHUNK_CONNECTIONS`` connections."""
    n = selected.shape[0]
    size = max(1, min(CHUNK, n, CHUNK_CONNECTIONS // max(width, 1)))
    rank = jnp.cumsum(selected) - 1
    count = jnp.sum(selected)

    def run(c: Any) -> None:
        mine = selected & (rank // size == c)
        rows = (
            jnp.full((size,), n, jnp.int32)
            .at[jnp.where(mine, rank % size, size)]
            .set(jnp.arange(n, dtype=jnp.int32), mode="drop")
        )
        valid = rows < n
        body(jnp.where(valid, rows, 0), valid)

    n_chunks = (count + size - 1) // size
    repeat_states(n_chunks, run)
