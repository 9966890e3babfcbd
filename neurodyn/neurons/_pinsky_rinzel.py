"""The Pinsky–Rinzel two-compartment pyramidal neuron."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core._errors import ParameterError
from ..core._params import Param, parameter
from ..core._state import HiddenState
from ..integrators import check_method, integrate
from ..surrogate import Surrogate
from ._base import Neuron
from ._biophysical import (
    CAPACITANCE_DENSITY,
    CONDUCTANCE_DENSITY,
    CURRENT_DENSITY,
    NOISE_UNIT,
    add_noise,
    check_current_density,
    gating,
    in_mV,
    linoid,
    steady_state,
    threshold_crossing,
)

# Calcium balance, dCa/dt = -CA_INFLUX * I_Ca - CA_DECAY * Ca (Ca in arbitrary units).
CA_INFLUX = 0.13 / (CURRENT_DENSITY * u.ms)
CA_DECAY = 0.075 / u.ms


class PinskyRinzelModel(Neuron):
    r"""Pinsky–Rinzel neuron: a soma and a dendrite coupled by a conductance, the
    two-compartment reduction of Traub's CA3 pyramidal cell, which bursts.

    The soma carries fast sodium and delayed-rectifier potassium currents, the
    dendrite calcium, calcium-activated potassium (``C``) and after-hyperpolarisation
    (``AHP``) currents; ``p`` is the fraction of the membrane area in the soma:

    .. math::

       C_m \frac{dV_s}{dt} &= -I_L(V_s) - I_{Na} - I_{K}
            + \frac{g_c}{p}(V_d - V_s) + \frac{I_s}{p} \\
       C_m \frac{dV_d}{dt} &= -I_L(V_d) - I_{Ca} - I_{C} - I_{AHP}
            + \frac{g_c}{1 - p}(V_s - V_d) + \frac{I_d}{1 - p} \\
       \frac{dCa}{dt} &= -0.13\, I_{Ca} - 0.075\, Ca \\
       I_{Na} &= g_{Na}\, m_\infty^2(V_s)\, h\, (V_s - E_{Na}), \quad
       I_K = g_K\, n\, (V_s - E_K), \quad I_L(V) = g_L (V - E_L) \\
       I_{Ca} &= g_{Ca}\, s^2 (V_d - E_{Ca}), \quad
       I_C = g_C\, c\, \chi(Ca)\, (V_d - E_K), \quad
       I_{AHP} = g_{AHP}\, q\, (V_d - E_K), \quad \chi(Ca) = \min(Ca/250, 1)

    Each gate :math:`x \in \{h, n, s, c, q\}` obeys
    :math:`dx/dt = \alpha_x (1 - x) - \beta_x x`, with rates in 1/ms of the voltage in
    mV (``Vs`` for ``m, h, n``; ``Vd`` for ``s, c``) or of ``Ca`` (for ``q``):

    .. math::

       \alpha_m &= \frac{0.32 (-46.9 - V)}{e^{(-46.9 - V)/4} - 1}, &
       \beta_m &= \frac{0.28 (V + 19.9)}{e^{(V + 19.9)/5} - 1}, \\
       \alpha_h &= 0.128\, e^{(-43 - V)/18}, &
       \beta_h &= \frac{4}{1 + e^{(-20 - V)/5}}, \\
       \alpha_n &= \frac{0.016 (-24.9 - V)}{e^{(-24.9 - V)/5} - 1}, &
       \beta_n &= 0.25\, e^{-1 - 0.025 V}, \\
       \alpha_s &= \frac{1.6}{1 + e^{-0.072 (V - 5)}}, &
       \beta_s &= \frac{0.02 (V + 8.9)}{e^{(V + 8.9)/5} - 1}, \\
       \alpha_c &= \begin{cases} e^{(V + 50)/11 - (V + 53.5)/27} / 18.975 & V \le -10 \\
                                2\, e^{(-53.5 - V)/27} & V > -10 \end{cases}, &
       \beta_c &= \begin{cases} 2\, e^{(-53.5 - V)/27} - \alpha_c & V \le -10 \\
                               0 & V > -10 \end{cases}, \\
       \alpha_q &= \min(2 \cdot 10^{-5}\, Ca,\ 0.01), &
       \beta_q &= 0.001.

    (These are the functions of Traub et al. 1991 with the resting potential moved
    from 0 to -60 mV.) A spike is an upward crossing of ``V_th`` by the somatic
    potential: ``Vs_prev < V_th <= Vs`` across a step. The spikes of a burst ride on
    a dendritic calcium spike and may stay below the default ``V_th``; a lower
    ``V_th`` counts them.

    Each step, in order: (1) sum the somatic and dendritic input current densities,
    (2) integrate all eight variables together over ``dt`` and add delta inputs to
    ``Vs``, (3) add independent noise increments to ``Vs`` and ``Vd`` if ``noise`` is
    set (Euler–Maruyama: ``noise * sqrt(dt) * xi``, ``xi`` standard normal),
    (4) detect the threshold crossing of ``Vs``.

    Currents, conductances and the capacitance are per unit membrane area; the inputs
    ``I_s``, ``I_d`` are per unit area of the whole cell.

    ===================  ============  ===================================================
    parameter            default       meaning
    ===================  ============  ===================================================
    ``gNa``              30 mS/cm^2    maximal sodium conductance (soma)
    ``gK``               15 mS/cm^2    maximal delayed-rectifier conductance (soma)
    ``gCa``              10 mS/cm^2    maximal calcium conductance (dendrite)
    ``gAHP``             0.8 mS/cm^2   maximal AHP potassium conductance (dendrite)
    ``gC``               15 mS/cm^2    maximal calcium-activated potassium conductance
    ``gL``               0.1 mS/cm^2   leak conductance (both compartments)
    ``ENa``              60 mV         sodium reversal potential
    ``EK``               -75 mV        potassium reversal potential
    ``ECa``              80 mV         calcium reversal potential
    ``EL``               -60 mV        leak reversal potential
    ``gc``               2.1 mS/cm^2   soma–dendrite coupling conductance
    ``V_th``             20 mV         spike threshold of ``Vs`` (upward crossing)
    ``Cm``               3 uF/cm^2     membrane capacitance
    ``p``                0.5           fraction of the membrane area in the soma, in (0, 1)
    ``Vs_initializer``   -64.6 mV      initial somatic potential
    ``Vd_initializer``   -64.5 mV      initial dendritic potential
    ``Ca_initializer``   0.2           initial calcium (arbitrary units, >= 0)
    ``noise``            ``None``      noise amplitude of ``Vs`` and ``Vd`` (mV/sqrt(ms))
    ``spk_fun``          ReluGrad()    surrogate spike function of ``Vs - V_th`` in mV
    ``method``           rk4           integrator (``docs/integrators.md``)
    ===================  ============  ===================================================

    States: ``Vs``, ``Vd`` (somatic and dendritic potentials), ``Ca`` (dendritic
    calcium), ``h``, ``n`` (somatic sodium inactivation, potassium activation),
    ``s``, ``c``, ``q`` (dendritic calcium, calcium-activated potassium and AHP
    activations), ``spike`` (last step's spikes). The gates start at their steady
    state at the initial ``Vs``, ``Vd`` and ``Ca``. Inputs: ``update(x, x_dend)``,
    the somatic and dendritic current densities (e.g. ``u.uA / u.cm2``); current
    inputs of projections are added to the soma.

    References: Pinsky, P. F. & Rinzel, J. (1994). Intrinsic and network
    rhythmogenesis in a reduced Traub model for CA3 neurons. *J. Comput. Neurosci.*
    1(1), 39–60. Traub, R. D., Wong, R. K., Miles, R. & Michelson, H. (1991). A model
    of a CA3 hippocampal pyramidal neuron incorporating voltage-clamp data on intrinsic
    conductances. *J. Neurophysiol.* 66(2), 635–650.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> pr = nd.PinskyRinzelModel(2)
    >>> _ = nd.init_all_states(pr)
    >>> round(float(pr.h.value[0]), 4)  # steady state at Vs = -64.6 mV
    0.9987
    >>> pr(0.75 * u.uA / u.cm2).shape
    (2,)
    """

    VOLTAGE = "Vs"  # get_spike() reads the somatic potential

    gNa = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    gK = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    gCa = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    gAHP = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    gC = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    gL = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    gc = Param(CONDUCTANCE_DENSITY, nonnegative=True)
    ENa = Param(u.mV)
    EK = Param(u.mV)
    ECa = Param(u.mV)
    EL = Param(u.mV)
    V_th = Param(u.mV)
    Cm = Param(CAPACITANCE_DENSITY, positive=True)
    p = Param(positive=True)
    noise = Param(NOISE_UNIT, nonnegative=True, optional=True)

    def __init__(
        self,
        in_size: Any,
        gNa: Any = 30.0 * CONDUCTANCE_DENSITY,
        gK: Any = 15.0 * CONDUCTANCE_DENSITY,
        gCa: Any = 10.0 * CONDUCTANCE_DENSITY,
        gAHP: Any = 0.8 * CONDUCTANCE_DENSITY,
        gC: Any = 15.0 * CONDUCTANCE_DENSITY,
        gL: Any = 0.1 * CONDUCTANCE_DENSITY,
        ENa: Any = 60.0 * u.mV,
        EK: Any = -75.0 * u.mV,
        ECa: Any = 80.0 * u.mV,
        EL: Any = -60.0 * u.mV,
        gc: Any = 2.1 * CONDUCTANCE_DENSITY,
        V_th: Any = 20.0 * u.mV,
        Cm: Any = 3.0 * CAPACITANCE_DENSITY,
        p: Any = 0.5,
        Vs_initializer: Any = -64.6 * u.mV,
        Vd_initializer: Any = -64.5 * u.mV,
        Ca_initializer: Any = 0.2,
        noise: Any = None,
        spk_fun: Surrogate | None = None,
        method: str = "rk4",
        name: str | None = None,
    ):
        super().__init__(in_size, spk_fun=spk_fun, name=name)
        self.gNa = gNa
        self.gK = gK
        self.gCa = gCa
        self.gAHP = gAHP
        self.gC = gC
        self.gL = gL
        self.gc = gc
        self.ENa = ENa
        self.EK = EK
        self.ECa = ECa
        self.EL = EL
        self.V_th = V_th
        self.Cm = Cm
        self.p = p
        if not callable(Ca_initializer):
            parameter("Ca_initializer", Ca_initializer, shape=None, nonnegative=True)
        self.noise = noise
        self.Vs_initializer = Vs_initializer
        self.Vd_initializer = Vd_initializer
        self.Ca_initializer = Ca_initializer
        self.method = check_method(method)

    def check_parameters(self) -> None:
        super().check_parameters()
        if "p" in self.__dict__ and (np.asarray(self.p) >= 1.0).any():
            raise ParameterError(
                f"PinskyRinzelModel.p must lie in (0, 1), got {u.describe(self.p)}"
            )

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, Vs=u.mV, Vd=u.mV, Ca=u.UNITLESS)
        Vs, Vd, Ca = self.Vs.value, self.Vd.value, self.Ca.value
        if not isinstance(Ca, jax.core.Tracer):
            parameter("Ca_initializer", Ca, shape=None, nonnegative=True)
        rates = self.soma_rates(Vs) | self.dendrite_rates(Vd, Ca)
        for gate in ("h", "n", "s", "c", "q"):
            setattr(self, gate, HiddenState(steady_state(*rates[gate]), name=gate))

    @staticmethod
    def m_inf(Vs: Any) -> Any:
        """Somatic sodium activation, at its steady state (instantaneous) at ``Vs``."""
        v = in_mV(Vs)
        return steady_state(0.32 * linoid(v + 46.9, 4.0), 0.28 * linoid(-(v + 19.9), 5.0))

    @staticmethod
    def soma_rates(Vs: Any) -> dict[str, tuple[Any, Any]]:
        """``{gate: (alpha, beta)}`` in 1/ms of the somatic gates ``h``, ``n`` at ``Vs``."""
        v = in_mV(Vs)
        return {
            "h": (0.128 * jnp.exp((-43.0 - v) / 18.0), 4.0 / (1.0 + jnp.exp((-20.0 - v) / 5.0))),
            "n": (0.016 * linoid(v + 24.9, 5.0), 0.25 * jnp.exp(-1.0 - 0.025 * v)),
        }

    @staticmethod
    def dendrite_rates(Vd: Any, Ca: Any) -> dict[str, tuple[Any, Any]]:
        """``{gate: (alpha, beta)}`` in 1/ms of the dendritic gates ``s``, ``c``, ``q``."""
        v = in_mV(Vd)
        low = v <= -10.0
        decay_c = 2.0 * jnp.exp((-53.5 - v) / 27.0)
        alpha_c_low = jnp.exp((v + 50.0) / 11.0 - (v + 53.5) / 27.0) / 18.975
        return {
            "s": (1.6 / (1.0 + jnp.exp(-0.072 * (v - 5.0))), 0.02 * linoid(-(v + 8.9), 5.0)),
            "c": (jnp.where(low, alpha_c_low, decay_c), jnp.where(low, decay_c - alpha_c_low, 0.0)),
            "q": (jnp.minimum(2e-5 * Ca, 0.01), jnp.full_like(v, 0.001)),
        }

    def derivative(self, y: dict[str, Any], t: Any, I_s: Any, I_d: Any) -> dict[str, Any]:
        """The vector field: ``{"Vs": dVs/dt, "Vd": dVd/dt, "Ca": dCa/dt, "h": dh/dt, ...}``."""
        Vs, Vd, Ca = y["Vs"], y["Vd"], y["Ca"]
        h, n, s, c, q = y["h"], y["n"], y["s"], y["c"], y["q"]
        p = self.p
        I_Na = self.gNa * self.m_inf(Vs) ** 2 * h * (Vs - self.ENa)
        I_K = self.gK * n * (Vs - self.EK)
        I_Ca = self.gCa * s**2 * (Vd - self.ECa)
        I_C = self.gC * c * jnp.minimum(Ca / 250.0, 1.0) * (Vd - self.EK)
        I_AHP = self.gAHP * q * (Vd - self.EK)
        I_sd = self.gc * (Vd - Vs)  # from dendrite to soma
        dVs = (-self.gL * (Vs - self.EL) - I_Na - I_K + I_sd / p + I_s / p) / self.Cm
        dVd = (
            -self.gL * (Vd - self.EL) - I_Ca - I_C - I_AHP - I_sd / (1 - p) + I_d / (1 - p)
        ) / self.Cm
        rates = self.soma_rates(Vs) | self.dendrite_rates(Vd, Ca)
        derivatives = {gate: gating(y[gate], *rates[gate]) for gate in ("h", "n", "s", "c", "q")}
        return {"Vs": dVs, "Vd": dVd, "Ca": -CA_INFLUX * I_Ca - CA_DECAY * Ca} | derivatives

    def spike_argument(self, V: Any) -> Any:
        """``V - V_th`` in mV: the argument of ``spk_fun`` (:meth:`get_spike`)."""
        return in_mV(V - self.V_th)

    def update(self, x: Any = 0.0 * CURRENT_DENSITY, x_dend: Any = 0.0 * CURRENT_DENSITY) -> Any:
        check_current_density(self.name, "x", x)
        check_current_density(self.name, "x_dend", x_dend)
        Vs_prev = self.Vs.value
        names = ("Vs", "Vd", "Ca", "h", "n", "s", "c", "q")
        y = integrate(
            lambda y, t: self.derivative(y, t, self.sum_current_inputs(x, y["Vs"]), x_dend),
            {name: getattr(self, name).value for name in names},
            method=self.method,
        )
        y["Vs"] = add_noise(self.sum_delta_inputs(y["Vs"]), self.noise)
        y["Vd"] = add_noise(y["Vd"], self.noise)
        spike = threshold_crossing(self.spk_fun, Vs_prev, y["Vs"], self.V_th)
        for name in names:
            getattr(self, name).value = y[name]
        self.spike.value = spike
        return spike
