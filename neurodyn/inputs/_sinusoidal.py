"""A sinusoidal input."""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._module import Module
from ..core._params import ANY_UNIT, Param, require_less
from . import _steps as steps


class SinusoidalInput(Module):
    r"""A sine wave, optionally lifted by its amplitude so that it stays ``>= 0``.

    Read at the start time :math:`t_i = i\,dt` of each step,

    .. math::

        I_i = A \sin\!\big(2\pi f\,(t_i - t_\mathrm{start})\big) + b
        \quad \text{for } n_\mathrm{start} \le i < n_\mathrm{end},
        \qquad I_i = 0 \text{ otherwise},

    with :math:`b = A` if ``bias`` else 0, and :math:`n = \mathrm{round}(t / dt)`
    (the nearest step boundary; ``t_end = inf``: no end).

    ===============  =======  ==========  ========================================
    parameter        default  unit        meaning
    ===============  =======  ==========  ========================================
    ``amplitude``    --       any (user)  :math:`A` (scalar or per neuron)
    ``frequency``    --       frequency   :math:`f`, ``>= 0``
    ``t_start``      0 ms     time        start (the phase is 0 there)
    ``t_end``        inf ms   time        end (``> t_start``)
    ``bias``         False    --          add :math:`A` (a wave in ``[0, 2A]``)
    ===============  =======  ==========  ========================================

    **Returns** of :meth:`update`: the value of the current step.

    Follows ``brainpy.state.SinusoidalInput`` (``sinusoidal_input`` in BrainPy).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> sine = nd.inputs.SinusoidalInput(2. * u.pA, 2500. * u.Hz)  # 4 steps a period
    >>> _ = nd.init_all_states(sine)
    >>> values = nd.for_loop(sine.update, length=4, clock=sine).to_decimal(u.pA)
    >>> [round(float(v), 3) + 0.0 for v in values]
    [0.0, 2.0, 0.0, -2.0]
    """

    amplitude = Param(ANY_UNIT)
    frequency = Param(u.Hz, nonnegative=True, per_neuron=False)
    t_start = Param(u.ms, per_neuron=False)
    t_end = Param(u.ms, allow_inf=True, per_neuron=False)
    bias = Param(flag=True)

    def __init__(
        self,
        amplitude: Any,
        frequency: Any,
        t_start: Any = 0.0 * u.ms,
        t_end: Any = math.inf * u.ms,
        bias: bool = False,
        name: str | None = None,
    ):
        super().__init__(name)
        self.set(amplitude=amplitude, frequency=frequency, t_start=t_start, t_end=t_end, bias=bias)

    def check_parameters(self) -> None:
        # not an ORDERED rule: t_end may be infinite, t_start may not
        super().check_parameters()
        if "t_start" in self.__dict__ and "t_end" in self.__dict__:
            require_less("t_start", self.t_start, "t_end", self.t_end, type(self).__name__)

    def update(self) -> Any:
        dtype = environ.dftype()
        unit = u.get_unit(self.amplitude)
        amplitude = jnp.asarray(u.to_float(self.amplitude, unit), dtype)
        # phase in cycles, host float64 factors: cycles per step and the offset of t_start
        cycles_per_step = float(u.to_float(self.frequency, u.Hz)) * steps.dt_ms() / 1000.0
        start_cycles = float(u.to_float(self.frequency, u.Hz)) * float(steps.ms(self.t_start))
        start_cycles = math.fmod(start_cycles / 1000.0, 1.0)
        i = steps.step_index()
        cycles = jnp.mod(i * cycles_per_step - start_cycles, 1.0)
        value = amplitude * jnp.sin(2 * jnp.pi * cycles.astype(dtype))
        if self.bias:
            value = value + amplitude
        n_start = int(steps.nearest_steps(self.t_start))
        t_end = float(steps.ms(self.t_end))
        on = i >= n_start
        if math.isfinite(t_end):
            on = on & (i < int(steps.nearest_steps(self.t_end)))
        return u.with_unit(jnp.where(on, value, 0.0), unit)
