"""NEST's ``ac_generator``: a sinusoidal current."""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._params import Param
from . import _nest_time as nt
from ._generator import Generator
from ._sine import oscillator


class ac_generator(Generator):  # noqa: N801 (NEST's model name)
    r"""A sinusoidal current (NEST ``ac_generator``).

    In step ``i`` (the interval ``(i h, (i + 1) h]``) it emits, when active,

    .. math::

       I_i = \mathrm{offset} + \mathrm{amplitude}\,
             \sin\!\big(\omega (i + 1) h + \phi\big), \qquad
       \omega = 2 \pi\, \mathrm{frequency}, \quad \phi = \mathrm{phase} \cdot \pi / 180,

    and 0 pA otherwise. NEST advances its oscillator by a rotation through ``omega h`` in
    every step, active or not, starting from the phase ``phi`` at ``t = 0``, so its
    value in step ``i`` is the sine at the *end* of the step; the phase does not depend
    on ``origin`` or ``start`` (``models/ac_generator.cpp``). Here the sine is evaluated
    in closed form with an exact phase (see ``_sine``), equal to NEST's rotation to
    about 1e-12 of the amplitude over 10^4 steps. Active steps (NEST current
    generator): ``t_min - 1 <= i <= t_max - 2``. All targets get the same current.

    =============  =======  ===============================================
    parameter      default  meaning
    =============  =======  ===============================================
    ``amplitude``  0 pA     amplitude of the sine
    ``offset``     0 pA     constant added to the sine
    ``frequency``  0 Hz     frequency
    ``phase``      0        phase at ``t = 0``, in degrees
    ``start``      0 ms     activation time, relative to ``origin``
    ``stop``       inf ms   deactivation time, relative to ``origin``
    ``origin``     0 ms     offset of ``start`` and ``stop``
    =============  =======  ===============================================

    **Returns** of :meth:`update`: the current emitted in this step (scalar, pA).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn import devices
    >>> ac = devices.ac_generator(amplitude=10. * u.pA, frequency=250. * u.Hz, phase=90.)
    >>> _ = nd.init_all_states(ac)
    >>> out = nd.for_loop(ac.update, length=4, clock=ac)  # a period is 40 steps
    >>> [round(float(x), 3) for x in out.to_decimal(u.pA)]
    [9.877, 9.511, 8.91, 8.09]
    """

    kind = "current"
    ACTIVITY_SHIFT = 2

    amplitude = Param(u.pA, per_neuron=False)
    offset = Param(u.pA, per_neuron=False)
    frequency = Param(u.Hz, per_neuron=False)
    phase = Param(u.UNITLESS, per_neuron=False)

    def __init__(
        self,
        amplitude: Any = 0.0 * u.pA,
        offset: Any = 0.0 * u.pA,
        frequency: Any = 0.0 * u.Hz,
        phase: Any = 0.0,
        *,
        start: Any = 0.0 * u.ms,
        stop: Any = jnp.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(
            start=start, stop=stop, origin=origin, name=name,
            amplitude=amplitude, offset=offset, frequency=frequency, phase=phase,
        )  # fmt: skip

    def update(self) -> Any:
        dtype = environ.dftype()
        i = self.step_index()
        cycles_per_step = float(nt.in_unit(self.frequency, u.Hz)) * nt.dt_ms() / 1000.0
        phase = float(self.phase) * math.pi / 180.0
        _, sine = oscillator(i + 1, cycles_per_step, phase)
        amplitude = jnp.asarray(u.to_float(self.amplitude, u.pA), dtype)
        offset = jnp.asarray(u.to_float(self.offset, u.pA), dtype)
        current = jnp.where(self.is_active(i), offset + amplitude * sine, 0.0)
        return u.with_unit(current.astype(dtype), u.pA)
