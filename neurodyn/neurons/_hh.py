"""The Hodgkin–Huxley neuron."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core._params import Param
from ..init import Uniform
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


class HH(Neuron):
    r"""Hodgkin–Huxley neuron: sodium, potassium and leak currents of the squid axon.

    .. math::

       C \frac{dV}{dt} &= -\bar g_{Na} m^3 h (V - E_{Na}) - \bar g_K n^4 (V - E_K)
                          - g_L (V - E_L) + I(t) \\
       \frac{dx}{dt} &= \alpha_x(V)(1 - x) - \beta_x(V)\, x, \qquad x \in \{m, h, n\}

    with rates in 1/ms of the voltage in mV (the resting potential near -65 mV):

    .. math::

       \alpha_m &= \frac{0.1 (V + 40)}{1 - e^{-(V + 40)/10}}, &
       \beta_m &= 4\, e^{-(V + 65)/18}, \\
       \alpha_h &= 0.07\, e^{-(V + 65)/20}, &
       \beta_h &= \frac{1}{1 + e^{-(V + 35)/10}}, \\
       \alpha_n &= \frac{0.01 (V + 55)}{1 - e^{-(V + 55)/10}}, &
       \beta_n &= 0.125\, e^{-(V + 65)/80}.

    A spike is an upward crossing of ``V_th``: ``V_prev < V_th <= V`` across a step.
    There is no reset; the action potential is the model's own dynamics.

    Each step, in order: (1) sum the input current density, (2) integrate ``V``, ``m``,
    ``h``, ``n`` together over ``dt`` and add delta inputs to ``V``, (3) add the noise
    increment to ``V`` if ``noise`` is set (Euler–Maruyama: ``noise * sqrt(dt) * xi``,
    ``xi`` standard normal), (4) detect the threshold crossing.

    Currents, conductances and the capacitance are per unit membrane area.

    ===================  ====================  ===========================================
    parameter            default               meaning
    ===================  ====================  ===========================================
    ``ENa``              50 mV                 sodium reversal potential
    ``gNa``              120 mS/cm^2           maximal sodium conductance
    ``EK``               -77 mV                potassium reversal potential
    ``gK``               36 mS/cm^2            maximal potassium conductance
    ``EL``               -54.387 mV            leak reversal potential
    ``gL``               0.03 mS/cm^2          leak conductance
    ``V_th``             20 mV                 spike threshold (upward crossing)
    ``C``                1 uF/cm^2             membrane capacitance
    ``V_initializer``    Uniform(-70, -60) mV  initial ``V``
    ``m_initializer``    ``None``              initial ``m``; ``None``: steady state at ``V``
    ``h_initializer``    ``None``              initial ``h``; ``None``: steady state at ``V``
    ``n_initializer``    ``None``              initial ``n``; ``None``: steady state at ``V``
    ``noise``            ``None``              noise amplitude of ``V`` (mV/sqrt(ms))
    ``spk_fun``          ReluGrad()            surrogate spike function of ``V - V_th`` in mV
    ``method``           rk2                   integrator (``docs/integrators.md``)
    ===================  ====================  ===========================================

    The default integrator, ``rk2``, reproduces solve_ivp's f–I curve at dt = 0.01 ms;
    at dt = 0.1 ms every Runge–Kutta method exceeds the stability limit of the fast
    sodium activation (the run stops with a :class:`~neurodyn.SimulationError`): use
    dt <= 0.05 ms, or ``method="exp_euler"``, which is stable there but less accurate.

    States: ``V`` (membrane potential), ``m``, ``h`` (sodium activation and
    inactivation), ``n`` (potassium activation), ``spike`` (last step's spikes).
    Input: ``update(x)``, ``x`` a current density (e.g. ``u.uA / u.cm2``).

    Reference: Hodgkin, A. L. & Huxley, A. F. (1952). A quantitative description of
    membrane current and its application to conduction and excitation in nerve.
    *J. Physiol.* 117(4), 500–544.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> hh = nd.HH(2, V_initializer=-65. * u.mV)
    >>> _ = nd.init_all_states(hh)
    >>> round(float(hh.m.value[0]), 4)  # steady state at -65 mV
    0.0529
    >>> hh(10. * u.uA / u.cm2).shape
    (2,)
    """

    ENa = Param(u.mV)
    gNa = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    EK = Param(u.mV)
    gK = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    EL = Param(u.mV)
    gL = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    V_th = Param(u.mV)
    C = Param(CAPACITANCE_DENSITY, positive=True)

    noise = Param(NOISE_UNIT, nonnegative=True, optional=True)

    def __init__(
        self,
        in_size: Any,
        ENa: Any = 50.0 * u.mV,
        gNa: Any = 120.0 * CONDUCTANCE_DENSITY,
        EK: Any = -77.0 * u.mV,
        gK: Any = 36.0 * CONDUCTANCE_DENSITY,
        EL: Any = -54.387 * u.mV,
        gL: Any = 0.03 * CONDUCTANCE_DENSITY,
        V_th: Any = 20.0 * u.mV,
        C: Any = 1.0 * CAPACITANCE_DENSITY,
        V_initializer: Any = None,
        m_initializer: Any = None,
        h_initializer: Any = None,
        n_initializer: Any = None,
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
        self.C = C
        self.noise = noise
        self.V_initializer = (
            V_initializer if V_initializer is not None else Uniform(-70.0 * u.mV, -60.0 * u.mV)
        )
        for gate, init in (("m", m_initializer), ("h", h_initializer), ("n", n_initializer)):
            check_fraction(f"{gate}_initializer", init)
        self.m_initializer = m_initializer
        self.h_initializer = h_initializer
        self.n_initializer = n_initializer
        self.method = check_method(method)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, V=u.mV)
        rates = self.rates(self.V.value)
        init_gates(self, batch_size, {gate: steady_state(*rates[gate]) for gate in "mhn"})

    @staticmethod
    def rates(V: Any) -> dict[str, tuple[Any, Any]]:
        """``{gate: (alpha, beta)}`` in 1/ms at the voltage ``V``."""
        v = in_mV(V)
        return {
            "m": (0.1 * linoid(v + 40.0, 10.0), 4.0 * jnp.exp(-(v + 65.0) / 18.0)),
            "h": (0.07 * jnp.exp(-(v + 65.0) / 20.0), 1.0 / (1.0 + jnp.exp(-(v + 35.0) / 10.0))),
            "n": (0.01 * linoid(v + 55.0, 10.0), 0.125 * jnp.exp(-(v + 65.0) / 80.0)),
        }

    def derivative(self, y: dict[str, Any], t: Any, I: Any) -> dict[str, Any]:
        """The vector field: ``{"V": dV/dt, "m": dm/dt, "h": dh/dt, "n": dn/dt}``."""
        V, m, h, n = y["V"], y["m"], y["h"], y["n"]
        I_Na = self.gNa * m**3 * h * (V - self.ENa)
        I_K = self.gK * n**4 * (V - self.EK)
        I_L = self.gL * (V - self.EL)
        rates = self.rates(V)
        return {
            "V": (-I_Na - I_K - I_L + I) / self.C,
            "m": gating(m, *rates["m"]),
            "h": gating(h, *rates["h"]),
            "n": gating(n, *rates["n"]),
        }

    def spike_argument(self, V: Any) -> Any:
        """``V - V_th`` in mV: the argument of ``spk_fun`` (:meth:`get_spike`)."""
        return in_mV(V - self.V_th)

    def update(self, x: Any = 0.0 * CURRENT_DENSITY) -> Any:
        check_current_density(self.name, "x", x)
        return crossing_step(self, x, ("V", "m", "h", "n"), self.noise)
