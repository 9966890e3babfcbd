"""NEST's ``sinusoidal_poisson_generator``: Poisson counts with a sinusoidal rate."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._params import Param
from . import _nest_time as nt
from . import _sampling as sampling
from ._generator import Generator
from ._sine import oscillator


class sinusoidal_poisson_generator(Generator):  # noqa: N801 (NEST's model name)
    r"""Poisson spike counts with a sinusoidally modulated rate (NEST
    ``sinusoidal_poisson_generator``).

    In step ``i`` the rate is

    .. math::

       r_i = \max\!\big(0,\; \mathrm{rate} + \mathrm{amplitude}\,
             \sin(\omega (i + 1) h + \phi)\big),

    (NEST turns its oscillator in every step, active or not, from the phase ``phi`` at
    ``t = 0``; a negative ``rate + amplitude sin`` is clipped to 0, so neither ``rate``
    nor ``amplitude`` needs to be positive), and each target receives a count
    :math:`N \sim \mathrm{Poisson}(r_i h)`: independent per target when
    ``individual_spike_trains`` (the default), else one count shared by all targets.
    NEST declares this device a *current* generator (``get_type``), so it is active in
    steps ``t_min - 1 <= i <= t_max - 2``, not in the spike-generator window
    (``models/sinusoidal_poisson_generator.cpp``, ``.h``).

    Sampling: inverse transform from one uniform 32-bit word per target and step against
    the survival table of ``Poisson(r_i h)``, computed each step in the working precision
    (``_sampling``); ``jax.random.poisson`` when ``(rate + |amplitude|) h`` is so large
    that the table would pass 64 entries.

    ===========================  =======  ===============================================
    parameter                    default  meaning
    ===========================  =======  ===============================================
    ``rate``                     0 Hz     mean rate
    ``amplitude``                0 Hz     amplitude of the modulation
    ``frequency``                0 Hz     modulation frequency
    ``phase``                    0        modulation phase at ``t = 0``, degrees
    ``individual_spike_trains``  True     one train per target (else one shared train)
    ``start``                    0 ms     activation time, relative to ``origin``
    ``stop``                     inf ms   deactivation time, relative to ``origin``
    ``origin``                   0 ms     offset of ``start`` and ``stop``
    ===========================  =======  ===============================================

    **Returns** of :meth:`update`: the spike counts emitted in this step (floats),
    ``(n_targets,)`` for individual trains, a scalar for a shared train.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn import devices
    >>> sp = devices.sinusoidal_poisson_generator(
    ...     rate=100. * u.Hz, amplitude=100. * u.Hz, frequency=10. * u.Hz)
    >>> sp.bind(500)
    >>> _ = nd.init_all_states(sp)
    >>> counts = nd.for_loop(sp.update, length=1000, clock=sp)  # one period
    >>> rising, falling = counts[:500].mean(), counts[500:].mean()
    >>> bool(rising > 2 * falling)
    True
    """

    kind = "spike"
    ACTIVITY_SHIFT = 2

    rate = Param(u.Hz, per_neuron=False)
    amplitude = Param(u.Hz, per_neuron=False)
    frequency = Param(u.Hz, per_neuron=False)
    phase = Param(u.UNITLESS, per_neuron=False)
    individual_spike_trains = Param(u.UNITLESS, per_neuron=False)

    def __init__(
        self,
        rate: Any = 0.0 * u.Hz,
        amplitude: Any = 0.0 * u.Hz,
        frequency: Any = 0.0 * u.Hz,
        phase: Any = 0.0,
        individual_spike_trains: bool = True,
        *,
        start: Any = 0.0 * u.ms,
        stop: Any = jnp.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(
            start=start, stop=stop, origin=origin, name=name, rate=rate, amplitude=amplitude,
            frequency=frequency, phase=phase, individual_spike_trains=individual_spike_trains,
        )  # fmt: skip

    def rate_at(self, step: Any) -> jax.Array:
        """The rate ``r_i`` (Hz, clipped at 0) of step ``step`` (traceable)."""
        dtype = environ.dftype()
        cycles_per_step = float(nt.in_unit(self.frequency, u.Hz)) * nt.dt_ms() / 1000.0
        _, sine = oscillator(step + 1, cycles_per_step, float(self.phase) * math.pi / 180.0)
        rate = float(nt.in_unit(self.rate, u.Hz))
        amplitude = float(nt.in_unit(self.amplitude, u.Hz))
        return jnp.maximum(rate + amplitude * sine, 0.0).astype(dtype)

    def update(self) -> Any:
        dtype = environ.dftype()
        i = self.step_index()
        h_s = nt.dt_ms() / 1000.0
        mean = self.rate_at(i) * h_s
        largest = max(
            float(nt.in_unit(self.rate, u.Hz)) + abs(float(nt.in_unit(self.amplitude, u.Hz))),
            0.0,
        )
        shape = self.target_shape() if bool(self.individual_spike_trains) else self.shared_shape()
        key = nd_random.split_key()
        terms = sampling.poisson_terms(largest * h_s)
        if terms is None:
            counts = jax.random.poisson(key, mean, shape).astype(jnp.int32)
        else:
            thresholds = sampling.traced_poisson_thresholds(mean, terms)
            counts = sampling.count_below(sampling.random_words(key, shape), thresholds)
        return jnp.where(self.is_active(i), counts, 0).astype(dtype)
