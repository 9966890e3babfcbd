"""The Traub–Miles Hodgkin–Huxley neuron of the COBAHH benchmark."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core._params import Param
from ..integrators import check_method
from ..surrogate import Surrogate
from ._base import Neuron, check_current
from ._biophysical import (
    check_fraction,
    crossing_step,
    gating,
    in_mV,
    init_gates,
    linoid,
    steady_state,
)


class TraubMilesHH(Neuron):
    r"""Traub–Miles Hodgkin–Huxley point neuron, as in benchmark 3 (COBAHH) of Brette
    et al. (2007): sodium, potassium and leak currents of a whole cell.

    .. math::

       C_m \frac{dV}{dt} &= -g_{Na} m^3 h (V - E_{Na}) - g_K n^4 (V - E_K)
                            - g_L (V - E_L) + I(t) \\
       \frac{dx}{dt} &= \alpha_x(V)(1 - x) - \beta_x(V)\, x, \qquad x \in \{m, h, n\}

    with Traub & Miles' rates in 1/ms of :math:`v = V - V_T` in mV:

    .. math::

       \alpha_m &= \frac{0.32 (13 - v)}{e^{(13 - v)/4} - 1}, &
       \beta_m &= \frac{0.28 (v - 40)}{e^{(v - 40)/5} - 1}, \\
       \alpha_h &= 0.128\, e^{(17 - v)/18}, &
       \beta_h &= \frac{4}{1 + e^{(40 - v)/5}}, \\
       \alpha_n &= \frac{0.032 (15 - v)}{e^{(15 - v)/5} - 1}, &
       \beta_n &= 0.5\, e^{(10 - v)/40}.

    A spike is an upward crossing of ``V_th``: ``V_prev < V_th <= V`` across a step.
    There is no reset; the action potential is the model's own dynamics. With the
    defaults the isolated cell has no stable rest: it fires on its own at about 14 Hz
    without input (-0.04 nA silences it); in COBAHH, inhibition holds it down.

    Each step, in order: (1) sum the input current, (2) integrate ``V``, ``m``, ``h``,
    ``n`` together over ``dt`` and add delta inputs to ``V``, (3) detect the threshold
    crossing.

    Parameters are per cell, not per membrane area: the defaults are the benchmark's
    densities times its membrane area of 20 000 um^2 (1 uF/cm^2 gives 200 pF,
    5e-5 S/cm^2 gives 10 nS, 100 mS/cm^2 gives 20 uS, 30 mS/cm^2 gives 6 uS).

    ===================  ===========  ==================================================
    parameter            default      meaning
    ===================  ===========  ==================================================
    ``C_m``              200 pF       membrane capacitance
    ``g_L``              10 nS        leak conductance
    ``g_Na``             20 uS        maximal sodium conductance
    ``g_K``              6 uS         maximal potassium (delayed rectifier) conductance
    ``E_L``              -60 mV       leak reversal potential
    ``E_Na``             50 mV        sodium reversal potential
    ``E_K``              -90 mV       potassium reversal potential
    ``V_T``              -63 mV       offset of the rate functions (sets the threshold)
    ``V_th``             -20 mV       spike threshold (upward crossing)
    ``V_initializer``    -60 mV       initial ``V``
    ``m_initializer``    ``None``     initial ``m``; ``None``: steady state at ``V``
    ``h_initializer``    ``None``     initial ``h``; ``None``: steady state at ``V``
    ``n_initializer``    ``None``     initial ``n``; ``None``: steady state at ``V``
    ``spk_fun``          ReluGrad()   surrogate spike function of ``V - V_th`` in mV
    ``method``           exp_euler    integrator (as Brian2 and BrainPy use for COBAHH)
    ===================  ===========  ==================================================

    States: ``V`` (membrane potential), ``m``, ``h`` (sodium activation and
    inactivation), ``n`` (potassium activation), ``spike`` (last step's spikes).
    Input: ``update(x)``, ``x`` a current (e.g. ``u.nA``); conductance-based synapses
    (:class:`~neurodyn.COBA` outputs) add theirs through the current inputs.

    References: Traub, R. D. & Miles, R. (1991). *Neuronal Networks of the
    Hippocampus.* Cambridge University Press. Brette, R. et al. (2007). Simulation of
    networks of spiking neurons: a review of tools and strategies. *J. Comput.
    Neurosci.* 23(3), 349–398 (benchmark 3).

    >>> from neurodyn import units as u
    >>> from neurodyn import init_all_states
    >>> from neurodyn.neurons import TraubMilesHH
    >>> cells = TraubMilesHH(2, V_initializer=-63. * u.mV)
    >>> _ = init_all_states(cells)
    >>> round(float(cells.h.value[0]), 4)  # steady state at V = V_T
    0.9959
    >>> cells(0.5 * u.nA).shape
    (2,)
    """

    C_m = Param(u.pF, positive=True)
    g_L = Param(u.nS, nonnegative=True)
    g_Na = Param(u.nS, nonnegative=True)
    g_K = Param(u.nS, nonnegative=True)
    E_L = Param(u.mV)
    E_Na = Param(u.mV)
    E_K = Param(u.mV)
    V_T = Param(u.mV)
    V_th = Param(u.mV)

    def __init__(
        self,
        in_size: Any,
        C_m: Any = 200.0 * u.pF,
        g_L: Any = 10.0 * u.nS,
        g_Na: Any = 20.0 * u.uS,
        g_K: Any = 6.0 * u.uS,
        E_L: Any = -60.0 * u.mV,
        E_Na: Any = 50.0 * u.mV,
        E_K: Any = -90.0 * u.mV,
        V_T: Any = -63.0 * u.mV,
        V_th: Any = -20.0 * u.mV,
        V_initializer: Any = -60.0 * u.mV,
        m_initializer: Any = None,
        h_initializer: Any = None,
        n_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        method: str = "exp_euler",
        name: str | None = None,
    ):
        super().__init__(in_size, spk_fun=spk_fun, name=name)
        self.C_m = C_m
        self.g_L = g_L
        self.g_Na = g_Na
        self.g_K = g_K
        self.E_L = E_L
        self.E_Na = E_Na
        self.E_K = E_K
        self.V_T = V_T
        self.V_th = V_th
        for gate, init in (("m", m_initializer), ("h", h_initializer), ("n", n_initializer)):
            check_fraction(f"{gate}_initializer", init)
        self.V_initializer = V_initializer
        self.m_initializer = m_initializer
        self.h_initializer = h_initializer
        self.n_initializer = n_initializer
        self.method = check_method(method)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, V=u.mV)
        rates = self.rates(self.V.value)
        init_gates(self, batch_size, {gate: steady_state(*rates[gate]) for gate in "mhn"})

    def rates(self, V: Any) -> dict[str, tuple[Any, Any]]:
        """``{gate: (alpha, beta)}`` in 1/ms at the voltage ``V``."""
        v = in_mV(V - self.V_T)
        return {
            "m": (0.32 * linoid(v - 13.0, 4.0), 0.28 * linoid(40.0 - v, 5.0)),
            "h": (0.128 * jnp.exp((17.0 - v) / 18.0), 4.0 / (1.0 + jnp.exp((40.0 - v) / 5.0))),
            "n": (0.032 * linoid(v - 15.0, 5.0), 0.5 * jnp.exp((10.0 - v) / 40.0)),
        }

    def derivative(self, y: dict[str, Any], t: Any, I: Any) -> dict[str, Any]:
        """The vector field: ``{"V": dV/dt, "m": dm/dt, "h": dh/dt, "n": dn/dt}``."""
        V, m, h, n = y["V"], y["m"], y["h"], y["n"]
        I_Na = self.g_Na * m**3 * h * (V - self.E_Na)
        I_K = self.g_K * n**4 * (V - self.E_K)
        I_L = self.g_L * (V - self.E_L)
        rates = self.rates(V)
        return {
            "V": (-I_Na - I_K - I_L + I) / self.C_m,
            "m": gating(m, *rates["m"]),
            "h": gating(h, *rates["h"]),
            "n": gating(n, *rates["n"]),
        }

    def spike_argument(self, V: Any) -> Any:
        """``V - V_th`` in mV: the argument of ``spk_fun`` (:meth:`get_spike`)."""
        return in_mV(V - self.V_th)

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        check_current(self.name, x)
        return crossing_step(self, x, ("V", "m", "h", "n"))
