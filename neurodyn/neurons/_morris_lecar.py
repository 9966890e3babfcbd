"""The Morris–Lecar neuron."""

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
    in_mV,
    init_gates,
)


class MorrisLecar(Neuron):
    r"""Morris–Lecar neuron: an instantaneous calcium current and a delayed potassium
    current, the two-variable model of the barnacle muscle fibre.

    .. math::

       C \frac{dV}{dt} &= -g_{Ca} M_\infty(V) (V - V_{Ca}) - g_K W (V - V_K)
                          - g_{leak} (V - V_{leak}) + I(t) \\
       \frac{dW}{dt} &= \frac{W_\infty(V) - W}{\tau_W(V)} \\
       M_\infty(V) &= \tfrac12 \left(1 + \tanh\frac{V - V_1}{V_2}\right), \quad
       W_\infty(V) = \tfrac12 \left(1 + \tanh\frac{V - V_3}{V_4}\right), \quad
       \tau_W(V) = \frac{1}{\phi \cosh\frac{V - V_3}{2 V_4}}

    A spike is an upward crossing of ``V_th``: ``V_prev < V_th <= V`` across a step.

    Each step, in order: (1) sum the input current density, (2) integrate ``V`` and
    ``W`` together over ``dt`` and add delta inputs to ``V``, (3) add the noise
    increment to ``V`` if ``noise`` is set (Euler–Maruyama: ``noise * sqrt(dt) * xi``,
    ``xi`` standard normal), (4) detect the threshold crossing.

    Currents, conductances and the capacitance are per unit membrane area.

    ===================  ====================  ===========================================
    parameter            default               meaning
    ===================  ====================  ===========================================
    ``V_Ca``             130 mV                calcium reversal potential
    ``g_Ca``             4.4 mS/cm^2           maximal calcium conductance
    ``V_K``              -84 mV                potassium reversal potential
    ``g_K``              8 mS/cm^2             maximal potassium conductance
    ``V_leak``           -60 mV                leak reversal potential
    ``g_leak``           2 mS/cm^2             leak conductance
    ``C``                20 uF/cm^2            membrane capacitance
    ``V1``               -1.2 mV               half-activation voltage of :math:`M_\infty`
    ``V2``               18 mV                 slope of :math:`M_\infty`
    ``V3``               2 mV                  half-activation voltage of :math:`W_\infty`
    ``V4``               30 mV                 slope of :math:`W_\infty`
    ``phi``              0.04 / ms             rate scale of ``W`` (temperature factor)
    ``V_th``             10 mV                 spike threshold (upward crossing)
    ``W_initializer``    0.02                  initial ``W``; ``None``: steady state at ``V``
    ``V_initializer``    Uniform(-70, -60) mV  initial ``V``
    ``noise``            ``None``              noise amplitude of ``V`` (mV/sqrt(ms))
    ``spk_fun``          ReluGrad()            surrogate spike function of ``V - V_th`` in mV
    ``method``           rk2                   integrator (``docs/integrators.md``)
    ===================  ====================  ===========================================

    States: ``V`` (membrane potential), ``W`` (fraction of open potassium
    channels), ``spike`` (last step's spikes). Input: ``update(x)``, ``x`` a current
    density (e.g. ``u.uA / u.cm2``).

    Reference: Morris, C. & Lecar, H. (1981). Voltage oscillations in the barnacle
    giant muscle fiber. *Biophys. J.* 35(1), 193–213.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> ml = nd.MorrisLecar(2, V_initializer=-60. * u.mV)
    >>> _ = nd.init_all_states(ml)
    >>> round(float(ml.W.value[0]), 6)
    0.02
    >>> ml(100. * u.uA / u.cm2).shape
    (2,)
    """

    V_Ca = Param(u.mV)
    g_Ca = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    V_K = Param(u.mV)
    g_K = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    V_leak = Param(u.mV)
    g_leak = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    C = Param(CAPACITANCE_DENSITY, positive=True)
    V1 = Param(u.mV)
    V2 = Param(u.mV, positive=True)
    V3 = Param(u.mV)
    V4 = Param(u.mV, positive=True)
    phi = Param(u.kHz, positive=True)
    V_th = Param(u.mV)

    noise = Param(NOISE_UNIT, nonnegative=True, optional=True)

    def __init__(
        self,
        in_size: Any,
        V_Ca: Any = 130.0 * u.mV,
        g_Ca: Any = 4.4 * CONDUCTANCE_DENSITY,
        V_K: Any = -84.0 * u.mV,
        g_K: Any = 8.0 * CONDUCTANCE_DENSITY,
        V_leak: Any = -60.0 * u.mV,
        g_leak: Any = 2.0 * CONDUCTANCE_DENSITY,
        C: Any = 20.0 * CAPACITANCE_DENSITY,
        V1: Any = -1.2 * u.mV,
        V2: Any = 18.0 * u.mV,
        V3: Any = 2.0 * u.mV,
        V4: Any = 30.0 * u.mV,
        phi: Any = 0.04 / u.ms,
        V_th: Any = 10.0 * u.mV,
        W_initializer: Any = 0.02,
        V_initializer: Any = None,
        noise: Any = None,
        spk_fun: Surrogate | None = None,
        method: str = "rk2",
        name: str | None = None,
    ):
        super().__init__(in_size, spk_fun=spk_fun, name=name)
        self.V_Ca = V_Ca
        self.g_Ca = g_Ca
        self.V_K = V_K
        self.g_K = g_K
        self.V_leak = V_leak
        self.g_leak = g_leak
        self.C = C
        self.V1 = V1
        self.V2 = V2
        self.V3 = V3
        self.V4 = V4
        self.phi = phi
        self.V_th = V_th
        self.noise = noise
        check_fraction("W_initializer", W_initializer)
        self.W_initializer = W_initializer
        self.V_initializer = (
            V_initializer if V_initializer is not None else Uniform(-70.0 * u.mV, -60.0 * u.mV)
        )
        self.method = check_method(method)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, V=u.mV)
        init_gates(self, batch_size, {"W": self.W_inf(self.V.value)})

    def M_inf(self, V: Any) -> Any:
        """Open fraction of the (instantaneous) calcium channels at ``V``."""
        return 0.5 * (1.0 + jnp.tanh(u.magnitude((V - self.V1) / self.V2)))

    def W_inf(self, V: Any) -> Any:
        """Steady-state open fraction of the potassium channels at ``V``."""
        return 0.5 * (1.0 + jnp.tanh(u.magnitude((V - self.V3) / self.V4)))

    def tau_W(self, V: Any) -> Any:
        """Time constant of ``W`` at ``V``."""
        return 1.0 / (self.phi * jnp.cosh(u.magnitude((V - self.V3) / (2.0 * self.V4))))

    def derivative(self, y: dict[str, Any], t: Any, I: Any) -> dict[str, Any]:
        """The vector field: ``{"V": dV/dt, "W": dW/dt}``."""
        V, W = y["V"], y["W"]
        I_Ca = self.g_Ca * self.M_inf(V) * (V - self.V_Ca)
        I_K = self.g_K * W * (V - self.V_K)
        I_leak = self.g_leak * (V - self.V_leak)
        return {
            "V": (-I_Ca - I_K - I_leak + I) / self.C,
            "W": (self.W_inf(V) - W) / self.tau_W(V),
        }

    def spike_argument(self, V: Any) -> Any:
        """``V - V_th`` in mV: the argument of ``spk_fun`` (:meth:`get_spike`)."""
        return in_mV(V - self.V_th)

    def update(self, x: Any = 0.0 * CURRENT_DENSITY) -> Any:
        check_current_density(self.name, "x", x)
        return crossing_step(self, x, ("V", "W"), self.noise)
