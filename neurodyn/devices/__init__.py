"""NEST's stimulation devices (generators), with NEST's names, parameters and timing.

A generator is a :class:`Generator`: ``bind(n_targets)``, ``init_state()``, then
``update()`` once per step returns what it emits in that step: a current (pA) for
``kind == "current"``, spike multiplicities (counts per target) for ``kind == "spike"``.
The network layer applies connection weights and delays. Each device follows NEST's
activity rule for its type (see :class:`Generator`) and is checked against NEST.
"""

from ._ac import ac_generator
from ._dc import dc_generator
from ._gamma_sup import gamma_sup_generator
from ._generator import Generator
from ._inhomogeneous_poisson import inhomogeneous_poisson_generator
from ._noise import noise_generator
from ._poisson import poisson_generator
from ._pulsepacket import pulsepacket_generator
from ._sinusoidal_poisson import sinusoidal_poisson_generator
from ._spike import spike_generator
from ._step_current import step_current_generator

__all__ = [
    "Generator",
    # currents
    "dc_generator",
    "ac_generator",
    "step_current_generator",
    "noise_generator",
    # spike trains
    "poisson_generator",
    "sinusoidal_poisson_generator",
    "inhomogeneous_poisson_generator",
    "gamma_sup_generator",
    "spike_generator",
    "pulsepacket_generator",
]
