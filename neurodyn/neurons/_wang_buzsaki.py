"""The Wang–Buzsáki interneuron."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core._params import Param
from ..integrators import check_method
from ..surrogate import Surrogate
from ._base import Neuron
from ._biophysical import (
    CAPACITANCE_DENSITY,
    CONDUCTANCE_DENSITY,
    CURRENT_DENSITY,
    NOISE_UNIT,
    check_current_density,
    check_fraction,
    crossing_step,
    gating,
    in_mV,
    init_gates,
    linoid,
    steady_state,
)


class WangBuzsakiModel(Neuron):
    r"""Wang–Buzsáki neuron: a Hodgkin–Huxley-type model of a fast-spiking hippocampal
    interneuron, with instantaneous sodium activation.

    .. math::

       C \frac{dV}{dt} &= -g_{Na} m_\infty^3(V)\, h (V - E_{Na}) - g_K n^4 (V - E_K)
                          - g_L (V - E_L) + I(t) \\
       \frac{dx}{dt} &= \phi \left(\alpha_x(V)(1 - x) - \beta_x(V)\, x\right),
       \qquad x \in \{h, n\}, \qquad m_\infty = \frac{\alpha_m}{\alpha_m + \beta_m}

    with rates in 1/ms of the voltage in mV:

    .. math::

       \alpha_m &= \frac{0.1 (V + 35)}{1 - e^{-(V + 35)/10}}, &
       \beta_m &= 4\, e^{-(V + 60)/18}, \\
       \alpha_h &= 0.07\, e^{-(V + 58)/20}, &
       \beta_h &= \frac{1}{1 + e^{-(V + 28)/10}}, \\
       \alpha_n &= \frac{0.01 (V + 34)}{1 - e^{-(V + 34)/10}}, &
       \beta_n &= 0.125\, e^{-(V + 44)/80}.

    A spike is an upward crossing of ``V_th``: ``V_prev < V_th <= V`` across a step.

    Each step, in order: (1) sum the input current density, (2) integrate ``V``, ``h``,
    ``n`` together over ``dt`` and add delta inputs to ``V``, (3) add the noise
    increment to ``V`` if ``noise`` is set (Euler–Maruyama: ``noise * sqrt(dt) * xi``,
    ``xi`` standard normal), (4) detect the threshold crossing.

    Currents, conductances and the capacitance are per unit membrane area.

    ===================  ============  ===================================================
    parameter            default       meaning
    ===================  ============  ===================================================
    ``ENa``              55 mV         sodium reversal potential
    ``gNa``              35 mS/cm^2    maximal sodium conductance
    ``EK``               -90 mV        potassium reversal potential
    ``gK``               9 mS/cm^2     maximal potassium conductance
    ``EL``               -65 mV        leak reversal potential
    ``gL``               0.1 mS/cm^2   leak conductance
    ``V_th``             20 mV         spike threshold (upward crossing)
    ``phi``              5             temperature factor of the ``h`` and ``n`` kinetics
    ``C``                1 uF/cm^2     membrane capacitance
    ``V_initializer``    -65 mV        initial ``V``
    ``h_initializer``    0.6           initial ``h``; ``None``: steady state at ``V``
    ``n_initializer``    0.32          initial ``n``; ``None``: steady state at ``V``
    ``noise``            ``None``      noise amplitude of ``V`` (mV/sqrt(ms))
    ``spk_fun``          ReluGrad()    surrogate spike function of ``V - V_th`` in mV
    ``method``           rk2           integrator (``docs/integrators.md``)
    ===================  ============  ===================================================

    States: ``V`` (membrane potential), ``h`` (sodium inactivation), ``n``
    (potassium activation), ``spike`` (last step's spikes). Input: ``update(x)``, ``x``
    a current density (e.g. ``u.uA / u.cm2``).

    Reference: Wang, X.-J. & Buzsáki, G. (1996). Gamma oscillation by synaptic
    inhibition in a hippocampal interneuronal network model. *J. Neurosci.* 16(20),
    6402–6413.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> wb = nd.WangBuzsakiModel(2, h_initializer=None, n_initializer=None)
    >>> _ = nd.init_all_states(wb)
    >>> round(float(wb.n.value[0]), 4)  # steady state at -65 mV
    0.0826
    >>> wb(1. * u.uA / u.cm2).shape
    (2,)
    """

    ENa = Param(u.mV)
    gNa = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    EK = Param(u.mV)
    gK = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    EL = Param(u.mV)
    gL = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    V_th = Param(u.mV)
    phi = Param(positive=True)
    C = Param(CAPACITANCE_DENSITY, positive=True)

    noise = Param(NOISE_UNIT, nonnegative=True, optional=True)

    def __init__(
        self,
        in_size: Any,
        ENa: Any = 55.0 * u.mV,
        gNa: Any = 35.0 * CONDUCTANCE_DENSITY,
        EK: Any = -90.0 * u.mV,
        gK: Any = 9.0 * CONDUCTANCE_DENSITY,
        EL: Any = -65.0 * u.mV,
        gL: Any = 0.1 * CONDUCTANCE_DENSITY,
        V_th: Any = 20.0 * u.mV,
        phi: Any = 5.0,
        C: Any = 1.0 * CAPACITANCE_DENSITY,
        V_initializer: Any = -65.0 * u.mV,
        h_initializer: Any = 0.6,
        n_initializer: Any = 0.32,
        noise: Any = None,
        spk_fun: Surrogate | None = None,
        method: str = "rk2",
        name: str | None = None,
    ):
        super().__init__(in_size, spk_fun=spk_fun, name=name)
        self.ENa = ENa
        self.gNa = gNa
        self.EK = EK
        self.gK = gK
        self.EL = EL
        self.gL = gL
        self.V_th = V_th
        self.phi = phi
        self.C = C
        self.noise = noise
        check_fraction("h_initializer", h_initializer)
        check_fraction("n_initializer", n_initializer)
        self.V_initializer = V_initializer
        self.h_initializer = h_initializer
        self.n_initializer = n_initializer
        self.method = check_method(method)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, V=u.mV)
        rates = self.rates(self.V.value)
        init_gates(self, batch_size, {gate: steady_state(*rates[gate]) for gate in "hn"})

    @staticmethod
    def m_inf(V: Any) -> Any:
        """Sodium activation, at its steady state (instantaneous) at ``V``."""
        v = in_mV(V)
        return steady_state(0.1 * linoid(v + 35.0, 10.0), 4.0 * jnp.exp(-(v + 60.0) / 18.0))

    @staticmethod
    def rates(V: Any) -> dict[str, tuple[Any, Any]]:
        """``{gate: (alpha, beta)}`` in 1/ms at the voltage ``V``, before the factor ``phi``."""
        v = in_mV(V)
        return {
            "h": (0.07 * jnp.exp(-(v + 58.0) / 20.0), 1.0 / (1.0 + jnp.exp(-(v + 28.0) / 10.0))),
            "n": (0.01 * linoid(v + 34.0, 10.0), 0.125 * jnp.exp(-(v + 44.0) / 80.0)),
        }

    def derivative(self, y: dict[str, Any], t: Any, I: Any) -> dict[str, Any]:
        """The vector field: ``{"V": dV/dt, "h": dh/dt, "n": dn/dt}``."""
        V, h, n = y["V"], y["h"], y["n"]
        I_Na = self.gNa * self.m_inf(V) ** 3 * h * (V - self.ENa)
        I_K = self.gK * n**4 * (V - self.EK)
        I_L = self.gL * (V - self.EL)
        rates = self.rates(V)
        return {
            "V": (-I_Na - I_K - I_L + I) / self.C,
            "h": self.phi * gating(h, *rates["h"]),
            "n": self.phi * gating(n, *rates["n"]),
        }

    def spike_argument(self, V: Any) -> Any:
        """``V - V_th`` in mV: the argument of ``spk_fun`` (:meth:`get_spike`)."""
        return in_mV(V - self.V_th)

    def update(self, x: Any = 0.0 * CURRENT_DENSITY) -> Any:
        check_current_density(self.name, "x", x)
        return crossing_step(self, x, ("V", "h", "n"), self.noise)
