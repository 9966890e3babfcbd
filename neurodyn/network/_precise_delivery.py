"""Delayed delivery of spikes with their offsets to precise-timing neurons (``*_ps``).

A precise source (an off-grid neuron: a ``*_ps`` model or ``iaf_chxk_2008``; or a
``spike_generator`` with ``precise_times=True``) emits in step ``i`` spikes with offsets
``delta`` (the spike at ``(i + 1) h - delta``; see :mod:`neurodyn.nest._precise`).
Over a connection of weight ``w`` and delay ``d`` steps such a spike reaches its
``*_ps`` target in step ``i + d`` with the same offset, as NEST's ``SliceRingBuffer``
delivers it: the target takes each step's events as a ``'precise'`` delta input,
``(offset, weight)`` arrays of shape ``(n_target, K)`` (empty slots: offset -1). ``K``
is the most events one target can get in a step (its number of incoming connections
times the source's spikes per step), so nothing is ever dropped.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..connectivity import Connections
from ..core import environ
from ..core._module import Dynamics, Module
from ..core._state import ShortTermState, State
from ..devices._spike import spike_generator
from ..nest._precise import PRECISE, PreciseIAF


def is_precise_connection(source: Module, target: Module) -> bool:
    """Whether ``source`` sends off-grid spikes that ``target`` takes with their offsets."""
    precise_generator = isinstance(source, spike_generator) and bool(source.precise_times)
    off_grid = bool(getattr(source, "OFF_GRID", False))
    return isinstance(target, PreciseIAF) and (off_grid or precise_generator)


class PreciseDelivery(Module):
    """Delivers a precise source's spikes with their offsets ``delay`` steps later.

    **Arguments:**

    - ``connections``: the synapses (indices local to the source and the target; a
      device has one source per connection).
    - ``source``: the off-grid population or precise ``spike_generator``.
    - ``target``: the ``*_ps`` population.
    - ``unit``: the unit of the weights (the target's ``WEIGHT_UNIT``).

    States: ``offsets`` and ``weights`` (slots × targets × ``K``), ``fill`` (events per
    slot and target), ``arrived_offsets`` / ``arrived_weights`` (this step's events).
    """

    def __init__(
        self,
        connections: Connections,
        source: Module,
        target: Dynamics,
        unit: u.Unit,
        name: str | None = None,
    ):
        super().__init__(name)
        # the most spikes one source sends in a step
        generator = isinstance(source, spike_generator)
        spikes_per_step = source.precise_table()[1].shape[1] if generator else 1
        self.unit, self.n_source, self.n_target = unit, connections.n_pre, target.num
        delays = connections.delay_steps(environ.get_dt())
        self.n_slots = (int(np.max(delays)) if np.size(delays) else 1) + 1
        pre = np.repeat(np.arange(connections.n_pre), np.diff(connections.indptr))
        post = np.asarray(connections.post)
        in_degree = np.bincount(post, minlength=self.n_target).max(initial=0)
        self.capacity = max(int(in_degree) * spikes_per_step, 1)
        weight = connections.weight
        weight = u.to_float(weight, unit) if u.has_unit(weight) else weight
        self.pre = State(jnp.asarray(pre, jnp.int32), name="pre")
        self.post = State(jnp.asarray(post, jnp.int32), name="post")
        self.weight = State(
            jnp.broadcast_to(jnp.asarray(weight, environ.dftype()), post.shape), name="weight"
        )
        self.delay = State(jnp.asarray(delays, jnp.int32), name="delay")
        target.add_delta_input(f"{self.name}-{id(self):x}", self._arrived, label=PRECISE)

    def init_state(self, batch_size: int | None = None) -> None:
        dtype = environ.dftype()
        shape = (self.n_slots, self.n_target, self.capacity)
        self.offsets = ShortTermState(-jnp.ones(shape, dtype), name="offsets")
        self.weights = ShortTermState(jnp.zeros(shape, dtype), name="weights")
        self.fill = ShortTermState(jnp.zeros(shape[:2], jnp.int32), name="fill")
        self.arrived_offsets = ShortTermState(-jnp.ones(shape[1:], dtype), name="arrived_offsets")
        self.arrived_weights = ShortTermState(jnp.zeros(shape[1:], dtype), name="arrived_weights")

    def _arrived(self) -> tuple[Any, Any]:
        return (
            u.with_unit(self.arrived_offsets.value, u.ms),
            u.with_unit(self.arrived_weights.value, self.unit),
        )

    def send_from(self, source: Module) -> None:
        """End of step ``i``: the spikes ``source`` emitted in this step, with offsets."""
        if not isinstance(source, spike_generator):  # an off-grid neuron
            fired = source.spike.value > 0
            offsets = jnp.where(fired, u.to_float(source.spike_offset.value, u.ms), -1.0)
            self.send(offsets[:, None], fired[:, None].astype(offsets.dtype))
        else:  # a precise spike_generator: the same spikes through every connection
            shape = (self.n_source, source.precise_offsets.value.shape[0])
            offsets = jnp.broadcast_to(source.precise_offsets.value, shape)
            self.send(offsets, jnp.broadcast_to(source.precise_multiplicities.value, shape))

    def send(self, offsets: Any, multiplicities: Any) -> None:
        """Put the spikes of step ``i`` (``offsets``, ``multiplicities``: sources × slots;
        offset -1 for none) into the slots of the steps to come, and take out what
        arrives in step ``i + 1``."""
        i = environ.get("i")
        n_slots, n_target, K = self.offsets.value.shape
        offset = offsets[self.pre.value]  # connections × source slots
        weight = self.weight.value[:, None] * multiplicities[self.pre.value]
        slot = (i + self.delay.value) % n_slots
        key = jnp.where(offset >= 0.0, (slot * n_target + self.post.value)[:, None], -1)
        key, offset, weight = key.ravel(), offset.ravel(), weight.ravel()
        order = jnp.argsort(key, stable=True)
        key, offset, weight = key[order], offset[order], weight[order]
        rank = jnp.arange(key.shape[0]) - jnp.searchsorted(key, key, side="left")
        valid = key >= 0
        fill = self.fill.value.ravel()
        position = fill[jnp.where(valid, key, 0)] + rank
        flat = jnp.where(valid, key * K + position, n_slots * n_target * K)
        offsets_buf = self.offsets.value.ravel().at[flat].set(offset, mode="drop")
        weights_buf = self.weights.value.ravel().at[flat].set(weight, mode="drop")
        fill = fill.at[jnp.where(valid, key, n_slots * n_target)].add(1, mode="drop")
        offsets_buf = offsets_buf.reshape(n_slots, n_target, K)
        weights_buf = weights_buf.reshape(n_slots, n_target, K)
        fill = fill.reshape(n_slots, n_target)
        nxt = (i + 1) % n_slots
        self.arrived_offsets.value = offsets_buf[nxt]
        self.arrived_weights.value = weights_buf[nxt]
        self.offsets.value = offsets_buf.at[nxt].set(-1.0)
        self.weights.value = weights_buf.at[nxt].set(0.0)
        self.fill.value = fill.at[nxt].set(0)
