"""Delayed, event-driven delivery of spikes and device output to a target population."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..connectivity import Connections
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Dynamics, Module
from ..core._state import ShortTermState, State
from ..ops import csr_event_delayed


class DelayedDelivery(Module):
    """Delivers what a source emits in one step to its targets ``delay`` steps later.

    The source's output of step ``i`` (spikes, or a device's spike counts or current)
    goes through :class:`~neurodyn.connectivity.Connections`: synapse ``k`` adds
    ``weight[k] * output[pre[k]]`` to slot ``i + delay[k]`` of a ring buffer on the
    target side (:func:`neurodyn.ops.csr_event_delayed`, cost proportional to spikes ×
    fan-out), and the slot of step ``i + 1`` is taken out into ``arrived``. In step
    ``i + delay[k]`` the target reads ``arrived``: as a delta input (``kind='spike'``,
    labelled with the receptor) or as a current input (``kind='current'``). The delays
    are whole steps, at least one, as NEST rounds them.

    **Arguments:**

    - ``connections``: the synapses (indices local to the source and the target).
    - ``target``: the target population.
    - ``kind``: ``'spike'`` or ``'current'``.
    - ``receptor``: the receptor label of spike input (``None``: the default port).
    - ``unit``: the unit of what arrives: of the weights for spikes (the source emits
      counts), of the source's output for currents (the weights are factors).

    States: ``buffer`` (slots × targets), ``arrived`` (what arrives in this step).
    """

    def __init__(
        self,
        connections: Connections,
        target: Dynamics,
        kind: str,
        receptor: str | None,
        unit: u.Unit,
        name: str | None = None,
    ):
        super().__init__(name)
        if kind not in ("spike", "current"):
            raise ParameterError(f"kind must be 'spike' or 'current', got {kind!r}")
        self.kind, self.receptor, self.unit = kind, receptor, unit
        self.n_source, self.n_target = connections.n_pre, target.num
        delays = connections.delay_steps(environ.get_dt())
        self.max_delay = int(np.max(delays)) if np.size(delays) else 1
        self.n_slots = self.max_delay + 1
        weight = connections.weight
        if kind == "current" and u.has_unit(weight):
            raise ParameterError(
                f"the weight of a current device's connection is a dimensionless factor, "
                f"got {u.describe(weight)}"
            )
        weight = u.to_float(weight, unit) if u.has_unit(weight) else weight
        # Structure in states: compiled programs take it as arguments, not constants.
        self.indptr = State(jnp.asarray(connections.indptr, jnp.int32), name="indptr")
        self.indices = State(jnp.asarray(connections.post, jnp.int32), name="indices")
        self.weight = State(jnp.asarray(weight, environ.dftype()), name="weight")
        self.delay = State(jnp.asarray(delays, jnp.int32), name="delay")
        key = f"{self.name}-{id(self):x}"
        if kind == "spike":
            target.add_delta_input(key, self._arrived, label=receptor)
        else:
            target.add_current_input(key, lambda *_: self._arrived())

    def init_state(self, batch_size: int | None = None) -> None:
        dtype = environ.dftype()
        self.buffer = ShortTermState(jnp.zeros((self.n_slots, self.n_target), dtype), "buffer")
        self.arrived = ShortTermState(jnp.zeros((self.n_target,), dtype), name="arrived")

    def _arrived(self) -> Any:
        return u.with_unit(self.arrived.value, self.unit)

    def send(self, output: Any) -> None:
        """End of step ``i``: route the source's ``output`` of this step (spikes or
        counts, or a current in ``unit``) into the slots of the steps to come, and
        take out what arrives in step ``i + 1``."""
        output = u.to_float(output, self.unit) if u.has_unit(output) else output
        output = jnp.broadcast_to(jnp.asarray(output), (self.n_source,))
        if output.dtype != jnp.bool_:
            output = output.astype(self.buffer.value.dtype)
        self.buffer.value, self.arrived.value = csr_event_delayed(
            output,
            self.indptr.value,
            self.indices.value,
            self.weight.value,
            self.delay.value,
            self.buffer.value,
            environ.get("i") % self.n_slots,
        )
