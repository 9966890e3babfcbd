"""NEST's ``ignore_and_fire``: fires at a fixed rate, whatever its input."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._params import Param
from ..core._state import ShortTermState
from ..neurons._base import Neuron, refractory_steps
from ._base import NEVER, ArchivingNode


class ignore_and_fire(Neuron, ArchivingNode):  # noqa: N801 (NEST's name)
    """Emits spikes at a fixed ``rate`` with a fixed phase, ignoring every input
    (NEST ``ignore_and_fire``, a neuron for benchmarking connectivity and
    communication: the network's traffic is set by the user, not by its dynamics).

    The firing period ``1 / rate`` and the time to the first spike ``phase / rate``
    are counted in whole steps as NEST counts them (rounded to the microsecond, then
    *up* to steps): :math:`T` and :math:`P` steps. The neuron counts :math:`P` down
    one per step; in the step in which the count is 0 it fires and the count restarts
    at :math:`T - 1`. So with step ``h`` the spikes are at
    :math:`(P + 1 + jT)\\,h`, :math:`j = 0, 1, \\ldots` (at 100.1, 200.1, ... ms with
    NEST's defaults and ``h = 0.1`` ms). Spikes and currents sent to it are accepted
    and dropped.

    =============  ========  ===================================================
    parameter      default   meaning
    =============  ========  ===================================================
    ``phase``      1         time to the first spike, as a fraction of the period
                             (``0 < phase <= 1``)
    ``rate``       10 Hz     firing rate
    =============  ========  ===================================================

    It is an archiving node (``tau_minus``, ``tau_minus_triplet``) and records nothing.
    States: ``phase_steps`` (steps until the next spike, NEST's ``phase_steps_``; set
    from ``phase`` and ``rate`` when the states are initialised), ``last_spike_time``,
    ``spike``.

    Reference: NEST ``ignore_and_fire``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.ignore_and_fire(2, rate=[100.0, 250.0] * u.Hz, phase=[1.0, 0.5])
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 30. * u.ms, monitors={"spike": n.spike})
    >>> [(out["spike"][:, k].nonzero()[0] + 1).tolist() for k in range(2)]  # spike steps
    [[101, 201], [21, 61, 101, 141, 181, 221, 261]]
    """

    RECORDABLES: tuple[str, ...] = ()
    RECEPTOR_TYPES: dict[str, int] = {}
    WEIGHT_UNIT = u.UNITLESS

    phase = Param(u.UNITLESS, positive=True, bounds=(0.0, 1.0))
    rate = Param(u.Hz, positive=True)

    def __init__(
        self,
        in_size: Any,
        phase: Any = 1.0,
        rate: Any = 10.0 * u.Hz,
        name: str | None = None,
    ):
        super().__init__(in_size, name=name)
        self.phase = phase
        self.rate = rate
        self.default_archive()

    @property
    def recordables(self) -> tuple[str, ...]:
        return self.RECORDABLES

    def period_steps(self) -> Any:
        """The firing period ``1 / rate`` in whole steps (NEST's ``firing_period_steps_``)."""
        return refractory_steps(1.0 / self.rate)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        shape = self.varshape if batch_size is None else (batch_size, *self.varshape)
        self.phase_steps = ShortTermState(
            jnp.broadcast_to(refractory_steps(self.phase / self.rate), shape), name="phase_steps"
        )
        self.last_spike_time = ShortTermState(
            u.with_unit(jnp.full(shape, NEVER, environ.dftype()), u.ms), name="last_spike_time"
        )

    def update(self, x: Any = None) -> Any:
        count = self.phase_steps.value
        fires = count == 0
        self.phase_steps.value = jnp.where(fires, self.period_steps() - 1, count - 1)
        t = u.to_float(environ.get("t") + environ.get_dt(), u.ms)
        last = u.to_float(self.last_spike_time.value, u.ms)
        self.last_spike_time.value = u.with_unit(jnp.where(fires, t, last), u.ms)
        self.spike.value = fires.astype(environ.dftype())
        return self.spike.value
