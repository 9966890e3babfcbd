"""Noise inputs: the Ornstein-Uhlenbeck process and Wiener increments."""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._module import Dynamics
from ..core._params import ANY_UNIT, Param
from ..core._state import HiddenState
from . import _steps as steps


class OUProcessInput(Dynamics):
    r"""Independent Ornstein-Uhlenbeck processes, one per element, updated exactly.

    .. math::

        dx = \frac{\mu - x}{\tau}\,dt + \sigma \sqrt{2/\tau}\; dW,

    parameterised by its stationary standard deviation :math:`\sigma`: the stationary
    distribution is :math:`N(\mu, \sigma^2)` and the autocorrelation at lag :math:`s`
    is :math:`e^{-|s|/\tau}`. Each step uses the exact transition (no Euler error),

    .. math::

        x_{i+1} = \mu + (x_i - \mu)\,e^{-dt/\tau}
                  + \sigma \sqrt{1 - e^{-2 dt/\tau}}\;\xi_i, \qquad \xi_i \sim N(0, 1),

    and :math:`x_0` is drawn from the stationary distribution, so the output is
    stationary from the first step. (BrainPy's ``sigma`` is the noise intensity
    :math:`\sigma_\mathrm{BP} = \sigma\sqrt{2/\tau}`.) Draws come from the seeded
    stream :mod:`neurodyn.random`.

    ==========  =======  ==========  ===============================================
    parameter   default  unit        meaning
    ==========  =======  ==========  ===============================================
    ``mean``    --       any (user)  :math:`\mu`, the stationary mean (per neuron)
    ``sigma``   --       as mean     :math:`\sigma`, the stationary std, ``>= 0``
    ``tau``     --       time        :math:`\tau`, the correlation time, ``> 0``
    ==========  =======  ==========  ===============================================

    State: ``x`` (the process, in the unit of ``mean``).
    **Returns** of :meth:`update`: ``x`` after the step.

    Follows ``brainpy.state.OUProcessInput`` (``ou_process`` in BrainPy); reference:
    Gillespie (1996), Exact numerical simulation of the Ornstein-Uhlenbeck process and
    its integral, Phys. Rev. E 54, 2084.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> ou = nd.inputs.OUProcessInput(1000, mean=1. * u.nA, sigma=0.1 * u.nA, tau=5. * u.ms)
    >>> _ = nd.init_all_states(ou)
    >>> x = ou.update()
    >>> abs(float(x.to_decimal(u.nA).mean()) - 1.0) < 0.02
    True
    """

    mean = Param(ANY_UNIT)
    sigma = Param(ANY_UNIT, nonnegative=True)
    tau = Param(u.ms, positive=True)

    def __init__(self, in_size: Any, mean: Any, sigma: Any, tau: Any, name: str | None = None):
        super().__init__(in_size, name=name)
        self.set(mean=mean, sigma=sigma, tau=tau)

    def check_parameters(self) -> None:
        super().check_parameters()
        if "mean" in self.__dict__ and "sigma" in self.__dict__:
            unit = u.get_unit(self.mean)
            if u.get_unit(self.sigma).dim != unit.dim:
                raise ParameterError(
                    f"OUProcessInput.sigma must have the dimension of mean ({unit}), got "
                    f"mean={u.describe(self.mean)}, sigma={u.describe(self.sigma)}"
                )

    def _magnitudes(self) -> tuple[Any, Any, Any]:
        unit = u.get_unit(self.mean)
        dtype = environ.dftype()
        mean = jnp.asarray(u.to_float(self.mean, unit), dtype)
        sigma = jnp.asarray(u.to_float(self.sigma, unit), dtype)
        return mean, sigma, unit

    def init_state(self, batch_size: int | None = None) -> None:
        shape = self.varshape if batch_size is None else (batch_size, *self.varshape)
        mean, sigma, unit = self._magnitudes()
        x0 = mean + sigma * nd_random.normal(size=shape)
        self.x = HiddenState(u.with_unit(x0, unit), name="x")

    def update(self) -> Any:
        mean, sigma, unit = self._magnitudes()
        x = u.to_float(self.x.value, unit)
        dt_over_tau = steps.dt_ms() / jnp.asarray(steps.ms(self.tau), environ.dftype())
        decay = jnp.exp(-dt_over_tau)
        spread = sigma * jnp.sqrt(-jnp.expm1(-2.0 * dt_over_tau))
        noise = nd_random.normal(size=jnp.shape(x))
        new = mean + (x - mean) * decay + spread * noise
        self.x.value = u.with_unit(new, unit)
        return self.x.value


class WienerProcessInput(Dynamics):
    r"""Increments of independent Wiener processes, one per element.

    .. math::

        \Delta W_i = \sigma \sqrt{dt}\; \xi_i, \qquad \xi_i \sim N(0, 1)
        \text{ independent across elements and steps},

    so that :math:`\sum_i \Delta W_i` is :math:`\sigma W(t)`. The increments carry the
    unit of ``sigma`` times :math:`\sqrt{\mathrm{ms}}` (multiply by a noise amplitude
    per :math:`\sqrt{\mathrm{time}}`, or divide by ``dt`` for a white-noise current).
    Draws come from the seeded stream :mod:`neurodyn.random`.

    ==========  =======  ==========  ===============================================
    parameter   default  unit        meaning
    ==========  =======  ==========  ===============================================
    ``sigma``   1        any (user)  :math:`\sigma`, the scale, ``>= 0`` (per neuron)
    ==========  =======  ==========  ===============================================

    **Returns** of :meth:`update`: this step's increments.

    Follows ``brainpy.state.WienerProcessInput`` (``wiener_process`` in BrainPy).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> dw = nd.inputs.WienerProcessInput(10000).update()  # dt = 0.1 ms
    >>> abs(float(dw.to_decimal(u.ms**0.5).var()) - 0.1) < 0.01
    True
    """

    sigma = Param(ANY_UNIT, nonnegative=True)

    def __init__(self, in_size: Any, sigma: Any = 1.0, name: str | None = None):
        super().__init__(in_size, name=name)
        self.set(sigma=sigma)

    def update(self) -> Any:
        unit = u.get_unit(self.sigma)
        sigma = jnp.asarray(u.to_float(self.sigma, unit), environ.dftype())
        xi = nd_random.normal(size=self.varshape)
        return u.with_unit(sigma * math.sqrt(steps.dt_ms()) * xi, unit * u.ms**0.5)
