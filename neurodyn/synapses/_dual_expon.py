"""Dual-exponential synapse."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import units as u
from ..core import environ
from ..core._params import Param, parameter
from ._base import Synapse


class DualExpon(Synapse):
    r"""Synaptic variable with separate rise and decay, the difference of two exponentials.

    .. math::

       \frac{dg_{rise}}{dt} = -\frac{g_{rise}}{\tau_{rise}} + \sum_k x_k\,\delta(t-t_k),
       \qquad
       \frac{dg_{decay}}{dt} = -\frac{g_{decay}}{\tau_{decay}} + \sum_k x_k\,\delta(t-t_k),
       \qquad g = a\,(g_{decay} - g_{rise})

    integrated exactly. One unit input at :math:`t = 0` gives
    :math:`g(t) = a\,(e^{-t/\tau_{decay}} - e^{-t/\tau_{rise}})`, peaking at
    :math:`t_p = \frac{\tau_{decay}\tau_{rise}}{\tau_{decay}-\tau_{rise}}
    \ln\frac{\tau_{decay}}{\tau_{rise}}`. With ``A=None``, :math:`a` makes that peak 1;
    otherwise :math:`a = A` (Dayan & Abbott, *Theoretical Neuroscience*, 2001, eq. 5.35).

    ==================  =================  ===========================================
    parameter           default            meaning
    ==================  =================  ===========================================
    ``tau_decay``       10 ms              decay time constant
    ``tau_rise``        1 ms               rise time constant (``< tau_decay``)
    ``A``               None               amplitude factor; None: peak-normalised
    ``g_initializer``   ``ZeroInit(mS)``   initial components (sets the unit)
    ==================  =================  ===========================================

    States: ``g_rise``, ``g_decay`` (:class:`HiddenState`); parameter ``a``.
    """

    ORDERED = (("tau_rise", "tau_decay"),)
    tau_decay = Param(u.ms, positive=True)
    tau_rise = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        tau_decay: Any = 10.0 * u.ms,
        tau_rise: Any = 1.0 * u.ms,
        A: Any = None,
        g_initializer: Any = None,
        name: str | None = None,
    ):
        super().__init__(in_size, g_initializer, name)
        shape = self.varshape
        self.tau_decay = tau_decay
        self.tau_rise = tau_rise
        if A is None:
            d = np.asarray(u.to_float(self.tau_decay, u.ms))
            r = np.asarray(u.to_float(self.tau_rise, u.ms))
            t_peak = d * r / (d - r) * np.log(d / r)
            self.a = 1.0 / (np.exp(-t_peak / d) - np.exp(-t_peak / r))
        else:
            self.a = parameter("A", A, shape=shape)

    def init_state(self, batch_size: int | None = None) -> None:
        self.g_rise = self.new_variable("g_rise", batch_size)
        self.g_decay = self.new_variable("g_decay", batch_size)

    def output(self) -> Any:
        return self.a * (self.g_decay.value - self.g_rise.value)

    def update(self, x: Any = None) -> Any:
        dt = environ.get_dt()
        g_rise = self.g_rise.value * u.math.exp(-dt / self.tau_rise)
        g_decay = self.g_decay.value * u.math.exp(-dt / self.tau_decay)
        if x is not None:
            g_rise, g_decay = g_rise + x, g_decay + x
        self.g_rise.value = g_rise
        self.g_decay.value = g_decay
        return self.output()
