"""NEST's ``parrot_neuron``: repeats the spikes it receives."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._state import ShortTermState
from ..neurons._base import Neuron
from ._base import NEVER, ArchivingNode


class parrot_neuron(Neuron, ArchivingNode):  # noqa: N801 (NEST's name)
    """Emits a spike in every step in which a spike arrives on receptor 0.

    Spikes arriving on receptor 1 (``receptor_type=1``, label ``'no_repeat'``) are not
    repeated: a parrot on receptor 1 is the postsynaptic side of a plastic connection
    whose own spikes are driven separately, as in NEST's STDP tests. The weight of
    an arriving spike is ignored (any nonzero arrival is one spike; NEST's spike
    multiplicity is not reproduced). It is an archiving node (``tau_minus``,
    ``tau_minus_triplet``) and has no other parameters.

    State: ``spike``, ``last_spike_time``.

    >>> import neurodyn as nd
    >>> net = nd.Network()
    >>> gen = net.create("spike_generator", params={"spike_times": [2.0, 5.0]})
    >>> parrot = net.create("parrot_neuron")
    >>> rec = net.create("spike_recorder")
    >>> net.connect(gen, parrot, syn_spec={"delay": 0.1})
    >>> net.connect(parrot, rec)
    >>> net.simulate(10.0)
    >>> rec.get("events")["times"].round(6).tolist()
    [2.1, 5.1]
    """

    RECORDABLES: tuple[str, ...] = ()
    RECEPTOR_TYPES = {"no_repeat": 1}
    WEIGHT_UNIT = u.UNITLESS

    def __init__(self, in_size: Any, name: str | None = None):
        super().__init__(in_size, name=name)
        self.default_archive()

    @property
    def recordables(self) -> tuple[str, ...]:
        return self.RECORDABLES

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        shape = self.varshape if batch_size is None else (batch_size, *self.varshape)
        self.last_spike_time = ShortTermState(
            u.with_unit(jnp.full(shape, NEVER, environ.dftype()), u.ms), name="last_spike_time"
        )

    def update(self, x: Any = None) -> Any:
        arrived = sum((jnp.asarray(u.magnitude(a)) for a in self.delta_inputs()), 0.0)
        spiked = jnp.broadcast_to(arrived != 0, self.varshape)
        dtype = environ.dftype()
        t = u.to_float(environ.get("t") + environ.get_dt(), u.ms)
        last = u.to_float(self.last_spike_time.value, u.ms)
        self.last_spike_time.value = u.with_unit(jnp.where(spiked, t, last), u.ms)
        self.spike.value = spiked.astype(dtype)
        return self.spike.value
