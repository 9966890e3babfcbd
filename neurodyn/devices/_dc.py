"""NEST's ``dc_generator``: a constant current."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._params import Param
from ._generator import Generator


class dc_generator(Generator):  # noqa: N801 (NEST's model name)
    """A constant current (NEST ``dc_generator``).

    Emits ``amplitude`` in every active step and 0 pA otherwise. As a NEST current
    generator it is active in steps ``i`` with ``t_min - 1 <= i <= t_max - 2``
    (``t_min = (origin + start) / dt``, ``t_max = (origin + stop) / dt``; NEST
    ``models/dc_generator.cpp``, ``nestkernel/stimulation_device.cpp``). The network
    delivers what is emitted in step ``i`` in step ``i + delay``. All targets get the
    same current.

    =============  =======  ===============================================
    parameter      default  meaning
    =============  =======  ===============================================
    ``amplitude``  0 pA     the current
    ``start``      0 ms     activation time, relative to ``origin``
    ``stop``       inf ms   deactivation time, relative to ``origin``
    ``origin``     0 ms     offset of ``start`` and ``stop``
    =============  =======  ===============================================

    **Returns** of :meth:`update`: the current emitted in this step (scalar, pA).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn import devices
    >>> dc = devices.dc_generator(amplitude=100. * u.pA, start=0.2 * u.ms, stop=0.5 * u.ms)
    >>> _ = nd.init_all_states(dc)
    >>> out = nd.for_loop(dc.update, length=6, clock=dc)
    >>> [float(x) for x in out.to_decimal(u.pA)]  # active in steps 1 .. 3
    [0.0, 100.0, 100.0, 100.0, 0.0, 0.0]
    """

    kind = "current"
    ACTIVITY_SHIFT = 2

    amplitude = Param(u.pA, per_neuron=False)

    def __init__(
        self,
        amplitude: Any = 0.0 * u.pA,
        *,
        start: Any = 0.0 * u.ms,
        stop: Any = jnp.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(start=start, stop=stop, origin=origin, name=name, amplitude=amplitude)

    def update(self) -> Any:
        amplitude = jnp.asarray(u.to_float(self.amplitude, u.pA), environ.dftype())
        current = jnp.where(self.is_active(self.step_index()), amplitude, 0.0)
        return u.with_unit(current, u.pA)
