"""A linear ramp between two values over a time window."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._params import ANY_UNIT, Param
from . import _steps as steps


class RampInput(Module):
    r"""A value that rises (or falls) linearly from ``c_start`` to ``c_end``.

    The ramp is the line through :math:`(t_\mathrm{start}, c_\mathrm{start})` and
    :math:`(t_\mathrm{end}, c_\mathrm{end})`, read at the start time :math:`i\,dt` of
    each step while the ramp is on:

    .. math::

        I_i = c_\mathrm{start} + (c_\mathrm{end} - c_\mathrm{start})
              \frac{i\,dt - t_\mathrm{start}}{t_\mathrm{end} - t_\mathrm{start}}
        \quad \text{for } n_\mathrm{start} \le i < n_\mathrm{end},
        \qquad I_i = 0 \text{ otherwise},

    with :math:`n = \mathrm{round}(t / dt)` (the nearest step boundary). With times on
    the grid, the first step gives ``c_start`` and the last
    :math:`c_\mathrm{end} - (c_\mathrm{end} - c_\mathrm{start})\,dt / (t_\mathrm{end}
    - t_\mathrm{start})`.

    ==============  =======  ==========  ==========================================
    parameter       default  unit        meaning
    ==============  =======  ==========  ==========================================
    ``c_start``     --       any (user)  value at ``t_start`` (scalar or per neuron)
    ``c_end``       --       as c_start  value the line reaches at ``t_end``
    ``t_end``       --       time        end of the ramp (``> t_start``)
    ``t_start``     0 ms     time        start of the ramp
    ==============  =======  ==========  ==========================================

    **Returns** of :meth:`update`: the value of the current step.

    Follows ``brainpy.state.RampInput`` (``ramp_input`` in BrainPy).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> ramp = nd.inputs.RampInput(0. * u.nA, 1. * u.nA, t_end=0.4 * u.ms, t_start=0.1 * u.ms)
    >>> _ = nd.init_all_states(ramp)
    >>> values = nd.for_loop(ramp.update, length=6, clock=ramp).to_decimal(u.nA)
    >>> [round(float(v), 3) for v in values]
    [0.0, 0.0, 0.333, 0.667, 0.0, 0.0]
    """

    ORDERED = (("t_start", "t_end"),)

    c_start = Param(ANY_UNIT)
    c_end = Param(ANY_UNIT)
    t_start = Param(u.ms, per_neuron=False)
    t_end = Param(u.ms, per_neuron=False)

    def __init__(
        self,
        c_start: Any,
        c_end: Any,
        t_end: Any,
        t_start: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(name)
        self.set(c_start=c_start, c_end=c_end, t_start=t_start, t_end=t_end)

    def check_parameters(self) -> None:
        super().check_parameters()
        if "c_start" in self.__dict__ and "c_end" in self.__dict__:
            unit = u.get_unit(self.c_start)
            if u.get_unit(self.c_end).dim != unit.dim:
                raise ParameterError(
                    f"RampInput.c_end must have the dimension of c_start ({unit}), got "
                    f"c_start={u.describe(self.c_start)}, c_end={u.describe(self.c_end)}"
                )

    def update(self) -> Any:
        dtype = environ.dftype()
        unit = u.get_unit(self.c_start)
        c_start = jnp.asarray(u.to_float(self.c_start, unit), dtype)
        c_end = jnp.asarray(u.to_float(self.c_end, unit), dtype)
        t_start, t_end = float(steps.ms(self.t_start)), float(steps.ms(self.t_end))
        n_start, n_end = steps.nearest_steps(self.t_start), steps.nearest_steps(self.t_end)
        i = steps.step_index()
        fraction = (i * steps.dt_ms() - t_start) / (t_end - t_start)
        on = (i >= n_start) & (i < n_end)
        return u.with_unit(jnp.where(on, c_start + (c_end - c_start) * fraction, 0.0), unit)
