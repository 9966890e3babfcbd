"""NEST's ``volume_transmitter``: collects the spikes of a pool of neuromodulatory
(dopamine) neurons for the neuromodulated synapses (``stdp_dopamine_synapse``).

Neurons are connected to it like to any node (``net.connect(dopa, vt, syn_spec={"delay":
1.0})``); a spike counts at its **arrival**, its emitter's stamp plus the connection
delay, with the number of connections it came through as multiplicity. The transmitter
keeps the list of the spikes that arrived since its last trigger, starting with a pseudo
spike of multiplicity 0 at that trigger (at t = 0 before the first). At the end of every
block of ``deliver_interval · min_delay`` (``min_delay``: the smallest delay of all the
network's connections, as NEST computes it; blocks counted from t = 0) it **triggers**:
every synapse that uses it is integrated up to then
(:meth:`~neurodyn.nest.synapses.SynapseModel.on_trigger`), and the list restarts.

Work in step ``i`` (stamp ``t = (i + 1) dt``), ordered by the network:

1. after the neurons' update, :meth:`arrive`: the spikes arriving in step ``i`` join
   the list (so the synapses of this step see a dopamine spike at ``t``);
2. the synapses' events of step ``i``, then their trigger where step ``i`` ends a block;
3. :meth:`receive`: the spikes of step ``i`` enter the ring buffer, ``delay`` steps
   ahead; :meth:`finish`: after a trigger the list restarts at ``t``.

**Limit (min_delay > dt).** The synapses' events are processed in the step they
happen. NEST delivers a presynaptic spike at the start of the next ``min_delay`` slice,
so where that slice ends with a trigger, NEST triggers first and then integrates the
connection *backwards* to the spike. The postsynaptic spikes that the synapse sees
between the spike and the trigger are then counted twice, and a dopamine spike that
arrives in that interval is integrated back to the spike. neurodyn does not reproduce
this. With ``min_delay = dt`` the order makes no difference, and neurodyn matches NEST
to float64 rounding. Where none of these cases occur, larger ``min_delay`` values also
match (the reference run with min_delay 1 ms agrees to 4e-15).

>>> import neurodyn as nd
>>> net = nd.Network()
>>> vt = net.create("volume_transmitter", params={"deliver_interval": 5})
>>> dopa = net.create("parrot_neuron")
>>> net.connect(dopa, vt, syn_spec={"delay": 1.0})
>>> pre, post = net.create("parrot_neuron"), net.create("iaf_psc_alpha")
>>> net.set_defaults("stdp_dopamine_synapse", {"volume_transmitter": vt})
>>> net.connect(pre, post, syn_spec={"synapse_model": "stdp_dopamine_synapse"})
>>> net.min_delay  # the smallest delay of all connections
Quantity(1., "ms")
>>> net.simulate(20.0)  # triggers every 5 * 1 ms
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._params import Param
from ..core._state import State


class _Sources:
    """The neurons connected to a transmitter (kept out of the module tree, so the
    populations are not walked as its submodules)."""

    def __init__(self) -> None:
        self.parts: list[tuple[Module, np.ndarray, np.ndarray]] = []


class volume_transmitter(Module):  # noqa: N801 (NEST's name)
    """Collects neuromodulatory spikes and triggers the synapses that use it (see the
    module docstring).

    **Arguments:**

    - ``deliver_interval``: the trigger period in units of ``min_delay`` (NEST's
      default 1).

    States: ``buffer`` (incoming multiplicities, a ring over the delays),
    ``spike_times``, ``spike_counts`` and ``n_spikes`` (the list since the last
    trigger).
    """

    deliver_interval = Param(u.UNITLESS, positive=True, per_neuron=False)

    def __init__(self, deliver_interval: Any = 1, name: str | None = None):
        super().__init__(name)
        self.deliver_interval = deliver_interval
        self.sources = _Sources()
        self.n_slots = 2
        self.capacity = int(self.deliver_interval) + 1
        self.period = int(self.deliver_interval)

    def check_parameters(self) -> None:
        super().check_parameters()
        value = self.__dict__.get("deliver_interval")
        if value is not None and (
            isinstance(value, bool) or np.ndim(value) or float(value) != int(float(value))
        ):
            raise ParameterError(
                f"volume_transmitter.deliver_interval must be a positive whole number (of "
                f"min_delay), got {value!r}"
            )

    def init_state(self, batch_size: int | None = None) -> None:
        dtype = environ.dftype()
        self.buffer = State(jnp.zeros((self.n_slots,), dtype), name="buffer")
        self.spike_times = State(jnp.zeros((self.capacity,), dtype), name="spike_times")
        self.spike_counts = State(jnp.zeros((self.capacity,), dtype), name="spike_counts")
        self.n_spikes = State(jnp.ones((), jnp.int32), name="n_spikes")

    # -- building (the network calls these) --------------------------------------------

    def add_source(
        self, population: Module, indices: np.ndarray, delays: np.ndarray, step: int = 0
    ) -> None:
        """Neurons ``indices`` of ``population`` send their spikes here, ``delays``
        steps (>= 1) later; the ring buffer grows to the largest delay (``step``: the
        network's current step, to keep pending arrivals in place)."""
        delays = np.asarray(delays, np.int64)
        self.sources.parts.append((population, np.asarray(indices, np.int32), delays))
        n_slots = int(max(self.n_slots, delays.max() + 1))
        if n_slots != self.n_slots:
            old = np.asarray(self.buffer.value)
            new = np.zeros(n_slots, old.dtype)
            for k in range(self.n_slots):  # pending arrivals keep their steps
                new[(step + k) % n_slots] = old[(step + k) % self.n_slots]
            self.n_slots = n_slots
            self.buffer = State(jnp.asarray(new), name="buffer")

    def min_delay_steps(self) -> int | None:
        """The smallest delay (steps) of the connections into the transmitter."""
        delays = [int(d.min()) for _, _, d in self.sources.parts if d.size]
        return min(delays) if delays else None

    def prepare(self, min_delay_steps: int) -> None:
        """Before a simulation: the trigger period ``deliver_interval · min_delay`` (in
        steps) and room for the list of one period (its spikes are kept)."""
        self.period = int(self.deliver_interval) * int(min_delay_steps)
        capacity = self.period + 1
        if capacity > self.capacity:
            count = int(self.n_spikes.value)
            for key in ("spike_times", "spike_counts"):
                old = np.asarray(getattr(self, key).value)
                new = np.zeros(capacity, old.dtype)
                new[:count] = old[:count]
                setattr(self, key, State(jnp.asarray(new), name=key))
            self.capacity = capacity

    # -- one step -----------------------------------------------------------------------

    def _t(self) -> Any:
        dt = float(u.to_float(environ.get_dt(), u.ms))
        return (jnp.asarray(environ.get("i"), environ.dftype()) + 1.0) * dt

    def triggers(self) -> Any:
        """Whether the current step ends a block (a traced boolean)."""
        return (environ.get("i") + 1) % self.period == 0

    def arrive(self) -> None:
        """The spikes arriving in this step join the list."""
        slot = environ.get("i") % self.n_slots
        count = self.buffer.value[slot]
        self.buffer.value = self.buffer.value.at[slot].set(0.0)
        n = self.n_spikes.value
        where = jnp.where(count > 0, n, self.capacity)
        self.spike_times.value = self.spike_times.value.at[where].set(self._t(), mode="drop")
        self.spike_counts.value = self.spike_counts.value.at[where].set(count, mode="drop")
        self.n_spikes.value = jnp.where(count > 0, n + 1, n)

    def receive(self) -> None:
        """This step's spikes of the connected neurons enter the ring buffer."""
        step = environ.get("i")
        for population, indices, delays in self.sources.parts:
            spiked = jnp.asarray(u.magnitude(population.spike.value)) > 0
            count = spiked[jnp.asarray(indices)].astype(self.buffer.value.dtype)
            slots = (step + jnp.asarray(delays, jnp.int32)) % self.n_slots
            self.buffer.value = self.buffer.value.at[slots].add(count)

    def finish(self) -> None:
        """After a trigger the list restarts with a pseudo spike at the trigger time."""
        fire = self.triggers()
        self.spike_times.value = jnp.where(
            fire, self.spike_times.value.at[0].set(self._t()), self.spike_times.value
        )
        self.spike_counts.value = jnp.where(
            fire, self.spike_counts.value.at[0].set(0.0), self.spike_counts.value
        )
        self.n_spikes.value = jnp.where(fire, 1, self.n_spikes.value)
