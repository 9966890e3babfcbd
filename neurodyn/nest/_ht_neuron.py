"""NEST's ``ht_neuron``: Hill & Tononi's thalamocortical neuron, integrated as NEST does.

The model is a conductance-based integrate-and-fire neuron with a dynamic threshold,
four beta-function receptors and four intrinsic currents. NEST's units are loose: the
conductances are dimensionless, so every current is in mV and ``tau_m`` turns it into
a rate; a stimulation current (pA) is added to them number for number.

Spikes happen *inside* a step: after every accepted RKF45 substep NEST clamps ``V``
(voltage-clamp mode), caps the NMDA unblock variables at their equilibrium, and, if
the neuron is not refractory and ``V >= theta``, emits a spike, sets ``V`` and
``theta`` to ``E_Na`` and starts the repolarising current ``I_spike``, which acts on
the rest of the step. Here that is the integrator's ``event``.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState, ShortTermState
from ..neurons._base import initial_value, refractory_steps
from ..surrogate import Surrogate
from ._base import NESTNeuron
from ._conductance import beta_normalization
from ._hh import CONTROL_1E3

#: NEST's default ``V_m``: the leak equilibrium of the *default* parameters (NEST does
#: not recompute it when parameters change).
NEST_V_M = (0.2 * 30.0 + 1.0 * -90.0) / (0.2 + 1.0)
#: NEST adds a stimulation current (pA) to the model's currents (mV) number for number.
MV_PER_PA = u.mV / u.pA
RECEPTORS = ("AMPA", "NMDA", "GABA_A", "GABA_B")
INTRINSIC = ("I_NaP", "I_KNa", "I_T", "I_h")


def _sigmoid(x: Any) -> Any:
    return 1.0 / (1.0 + jnp.exp(x))


class ht_neuron(NESTNeuron):  # noqa: N801 (NEST's model name)
    r"""Hill–Tononi thalamocortical neuron (NEST ``ht_neuron``).

    .. math::

       \frac{dV}{dt} &= \frac{I_{Na} + I_K + I_{syn} + I_{NaP} + I_{KNa} + I_T + I_h
                        + I_{stim}}{\tau_m} + I_{spike} \\
       I_{Na} &= -g_{NaL}(V - E_{Na}), \quad I_K = -g_{KL}(V - E_K), \quad
       I_{spike} = -\frac{V - E_K}{\tau_{spike}} \text{ while refractory} \\
       I_{syn} &= -\sum_X g_X (V - E_{rev,X}), \quad g_{NMDA} = g^{tc}_{NMDA}\, m_{NMDA}(V) \\
       \frac{d\theta}{dt} &= -\frac{\theta - \theta_{eq}}{\tau_\theta}, \qquad
       \frac{d\,dg_X}{dt} = -\frac{dg_X}{\tau_{rise,X}}, \quad
       \frac{dg_X}{dt} = dg_X - \frac{g_X}{\tau_{decay,X}}

    with the intrinsic currents (``V`` in mV)

    .. math::

       I_{NaP} &= -g_{NaP}\, m_{NaP,\infty}^{N_{NaP}} (V - E_{NaP}), &
       m_{NaP,\infty} &= 1 / (1 + e^{-(V + 55.7)/7.7}) \\
       I_{KNa} &= -g_{KNa}\, \frac{V - E_{KNa}}{1 + (0.25/D)^{3.5}}, &
       \frac{dD}{dt} &= \frac{0.001 + 0.025\,\tau_D / (1 + e^{-(V + 10)/5}) - D}{\tau_D} \\
       I_T &= -g_T\, m_T^{N_T} h_T (V - E_T), &
       I_h &= -g_h\, m_h (V - E_h)

    where ``m_T``, ``h_T``, ``m_h`` relax to ``1/(1 + e^{-(V+59)/6.2})``,
    ``1/(1 + e^{(V+83)/4})``, ``1/(1 + e^{(V+75)/5.5})`` with NEST's voltage-dependent
    time constants. NMDA unblocking: ``m_eq = 1/(1 + e^{-S_act (V - V_act)})``; with
    ``instant_unblock_NMDA`` ``m_NMDA = m_eq``, else ``m_NMDA = A_1 m_fast + (1 - A_1)
    m_slow``, ``A_1 = 0.51 - 0.0028 V``, where ``m_fast``, ``m_slow`` relax to ``m_eq``
    with ``tau_Mg_fast_NMDA``, ``tau_Mg_slow_NMDA`` and never exceed it.

    A spike of weight ``w`` (dimensionless; NEST's receptors 1..4 are the labels
    ``'AMPA'``, ``'NMDA'``, ``'GABA_A'``, ``'GABA_B'``) adds ``w g_peak_X kappa_X`` to
    ``dg_X`` (:func:`beta_normalization`: ``g_X`` peaks at ``w g_peak_X``).

    Each step, in NEST's order: integrate over ``(t, t + dt]`` by RKF45 (absolute
    tolerance 1e-3; per-neuron persistent step size) with ``I_stim`` of the previous
    step, and after every accepted substep (NEST's loop body): clamp ``V`` to its
    initial value if ``voltage_clamp``; cap ``m_fast``, ``m_slow`` at ``m_eq(V)``;
    if not refractory and ``V >= theta``: spike, ``V = theta = E_Na``, refractory for
    ``t_ref`` plus the rest of this step. Then count the refractory period down; add
    the arriving spikes; buffer the stimulation current. The recorded ``I_NaP``,
    ``I_KNa``, ``I_T``, ``I_h`` are those of NEST's last vector-field call: at the end
    of the step's last substep, before its clamp and spike.

    ========================  =========  ============================================
    parameter                 default    meaning
    ========================  =========  ============================================
    ``E_Na``                  30 mV      sodium reversal potential
    ``E_K``                   -90 mV     potassium reversal potential
    ``g_NaL``                 0.2        sodium leak conductance
    ``g_KL``                  1          potassium leak conductance
    ``tau_m``                 16 ms      membrane time constant
    ``theta_eq``              -51 mV     threshold equilibrium
    ``tau_theta``             2 ms       threshold time constant
    ``tau_spike``             1.75 ms    time constant of the repolarising current
    ``t_ref``                 2 ms       refractory period (``I_spike`` on)
    ``g_peak_AMPA``           0.1        AMPA peak conductance
    ``tau_rise_AMPA``         0.5 ms     AMPA rise (``< tau_decay_AMPA``)
    ``tau_decay_AMPA``        2.4 ms     AMPA decay
    ``E_rev_AMPA``            0 mV       AMPA reversal potential
    ``g_peak_NMDA``           0.075      NMDA peak conductance
    ``tau_rise_NMDA``         4 ms       NMDA rise (``< tau_decay_NMDA``)
    ``tau_decay_NMDA``        40 ms      NMDA decay
    ``E_rev_NMDA``            0 mV       NMDA reversal potential
    ``V_act_NMDA``            -25.57 mV  NMDA unblock midpoint
    ``S_act_NMDA``            0.081 /mV  NMDA unblock slope (``>= 0``)
    ``tau_Mg_slow_NMDA``      22.7 ms    slow unblocking
    ``tau_Mg_fast_NMDA``      0.68 ms    fast unblocking (``< tau_Mg_slow_NMDA``)
    ``instant_unblock_NMDA``  False      ``m_NMDA = m_eq`` (no unblocking kinetics)
    ``g_peak_GABA_A``         0.33       GABA_A peak conductance
    ``tau_rise_GABA_A``       1 ms       GABA_A rise (``< tau_decay_GABA_A``)
    ``tau_decay_GABA_A``      7 ms       GABA_A decay
    ``E_rev_GABA_A``          -70 mV     GABA_A reversal potential
    ``g_peak_GABA_B``         0.0132     GABA_B peak conductance
    ``tau_rise_GABA_B``       60 ms      GABA_B rise (``< tau_decay_GABA_B``)
    ``tau_decay_GABA_B``      200 ms     GABA_B decay
    ``E_rev_GABA_B``          -90 mV     GABA_B reversal potential
    ``g_peak_NaP``            1          persistent sodium peak conductance
    ``E_rev_NaP``             30 mV      its reversal potential
    ``N_NaP``                 3          exponent of its activation
    ``g_peak_KNa``            1          sodium-activated potassium peak conductance
    ``E_rev_KNa``             -90 mV     its reversal potential
    ``tau_D_KNa``             1250 ms    time constant of ``D``
    ``g_peak_T``              1          low-threshold calcium peak conductance
    ``E_rev_T``               0 mV       its reversal potential
    ``N_T``                   2          exponent of its activation
    ``g_peak_h``              1          hyperpolarisation-activated peak conductance
    ``E_rev_h``               -40 mV     its reversal potential
    ``voltage_clamp``         False      hold ``V`` at its initial value
    ``V_m_init``              -70 mV     initial ``V`` (NEST's default ``V_m``)
    ``theta_init``            -51 mV     initial ``theta`` (NEST's default)
    ========================  =========  ============================================

    NEST's model has no ``I_e``; the base class's (0 pA) is added to ``I_stim``. The
    intrinsic gates start at their equilibria at ``V_m_init``: NEST's default state,
    or NEST's state after ``equilibrate`` (NEST without it keeps the default gates).
    NEST's rules: conductances ``>= 0``, time constants ``> 0``, ``t_ref >= 0``,
    ``S_act_NMDA >= 0``, each rise faster than its decay.

    States: ``V``, ``theta``, ``dg_X``, ``g_X`` (``g_NMDA_timecourse`` for NMDA),
    ``m_fast_NMDA``, ``m_slow_NMDA``, ``m_Ih``, ``D_IKNa``, ``m_IT``, ``h_IT``,
    ``I_NaP``, ``I_KNa``, ``I_T``, ``I_h`` (mV), ``V_clamp``, ``I_stim``,
    ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``last_spike_time``, ``spike``. Recordables: ``V_m``, ``theta``, ``g_AMPA``,
    ``g_NMDA``, ``g_GABA_A``, ``g_GABA_B``, ``I_NaP``, ``I_KNa``, ``I_T``, ``I_h``.

    References: S. Hill & G. Tononi (2005), J. Neurophysiol. 93:1671–1698;
    A. Compte et al. (2003), J. Neurophysiol. 89:2707; M. Vargas-Caballero &
    H. P. C. Robinson (2003), J. Neurophysiol. 89:2778; NEST ``ht_neuron``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.ht_neuron(2)
    >>> _ = nd.init_all_states(n)
    >>> float(n.record("V_m")[0].to_decimal(u.mV)), round(float(n.h_IT.value[0]), 4)
    (-70.0, 0.0373)
    >>> n.RECEPTOR_TYPES
    {'AMPA': 1, 'NMDA': 2, 'GABA_A': 3, 'GABA_B': 4}
    """

    WEIGHT_UNIT = u.UNITLESS
    RECORDABLES = ("V_m", "theta", "g_AMPA", "g_NMDA", "g_GABA_A", "g_GABA_B", *INTRINSIC)
    RECEPTOR_TYPES = {name: number for number, name in enumerate(RECEPTORS, 1)}
    ORDERED = (
        *((f"tau_rise_{x}", f"tau_decay_{x}") for x in RECEPTORS),
        ("tau_Mg_fast_NMDA", "tau_Mg_slow_NMDA"),
    )

    E_Na = Param(u.mV)
    E_K = Param(u.mV)
    g_NaL = Param(nonnegative=True)
    g_KL = Param(nonnegative=True)
    tau_m = Param(u.ms, positive=True)
    theta_eq = Param(u.mV)
    tau_theta = Param(u.ms, positive=True)
    tau_spike = Param(u.ms, positive=True)
    t_ref = Param(u.ms, nonnegative=True)
    g_peak_AMPA = Param(nonnegative=True)
    tau_rise_AMPA = Param(u.ms, positive=True)
    tau_decay_AMPA = Param(u.ms, positive=True)
    E_rev_AMPA = Param(u.mV)
    g_peak_NMDA = Param(nonnegative=True)
    tau_rise_NMDA = Param(u.ms, positive=True)
    tau_decay_NMDA = Param(u.ms, positive=True)
    E_rev_NMDA = Param(u.mV)
    V_act_NMDA = Param(u.mV)
    S_act_NMDA = Param(u.mV**-1, nonnegative=True)
    tau_Mg_slow_NMDA = Param(u.ms, positive=True)
    tau_Mg_fast_NMDA = Param(u.ms, positive=True)
    instant_unblock_NMDA = Param(flag=True)
    g_peak_GABA_A = Param(nonnegative=True)
    tau_rise_GABA_A = Param(u.ms, positive=True)
    tau_decay_GABA_A = Param(u.ms, positive=True)
    E_rev_GABA_A = Param(u.mV)
    g_peak_GABA_B = Param(nonnegative=True)
    tau_rise_GABA_B = Param(u.ms, positive=True)
    tau_decay_GABA_B = Param(u.ms, positive=True)
    E_rev_GABA_B = Param(u.mV)
    g_peak_NaP = Param(nonnegative=True)
    E_rev_NaP = Param(u.mV)
    N_NaP = Param()
    g_peak_KNa = Param(nonnegative=True)
    E_rev_KNa = Param(u.mV)
    tau_D_KNa = Param(u.ms, positive=True)
    g_peak_T = Param(nonnegative=True)
    E_rev_T = Param(u.mV)
    N_T = Param()
    g_peak_h = Param(nonnegative=True)
    E_rev_h = Param(u.mV)
    voltage_clamp = Param(flag=True)
    V_m_init = Param(u.mV)
    theta_init = Param(u.mV)

    def __init__(
        self,
        in_size: Any,
        E_Na: Any = 30.0 * u.mV,
        E_K: Any = -90.0 * u.mV,
        g_NaL: Any = 0.2,
        g_KL: Any = 1.0,
        tau_m: Any = 16.0 * u.ms,
        theta_eq: Any = -51.0 * u.mV,
        tau_theta: Any = 2.0 * u.ms,
        tau_spike: Any = 1.75 * u.ms,
        t_ref: Any = 2.0 * u.ms,
        g_peak_AMPA: Any = 0.1,
        tau_rise_AMPA: Any = 0.5 * u.ms,
        tau_decay_AMPA: Any = 2.4 * u.ms,
        E_rev_AMPA: Any = 0.0 * u.mV,
        g_peak_NMDA: Any = 0.075,
        tau_rise_NMDA: Any = 4.0 * u.ms,
        tau_decay_NMDA: Any = 40.0 * u.ms,
        E_rev_NMDA: Any = 0.0 * u.mV,
        V_act_NMDA: Any = -25.57 * u.mV,
        S_act_NMDA: Any = 0.081 / u.mV,
        tau_Mg_slow_NMDA: Any = 22.7 * u.ms,
        tau_Mg_fast_NMDA: Any = 0.68 * u.ms,
        instant_unblock_NMDA: bool = False,
        g_peak_GABA_A: Any = 0.33,
        tau_rise_GABA_A: Any = 1.0 * u.ms,
        tau_decay_GABA_A: Any = 7.0 * u.ms,
        E_rev_GABA_A: Any = -70.0 * u.mV,
        g_peak_GABA_B: Any = 0.0132,
        tau_rise_GABA_B: Any = 60.0 * u.ms,
        tau_decay_GABA_B: Any = 200.0 * u.ms,
        E_rev_GABA_B: Any = -90.0 * u.mV,
        g_peak_NaP: Any = 1.0,
        E_rev_NaP: Any = 30.0 * u.mV,
        N_NaP: Any = 3.0,
        g_peak_KNa: Any = 1.0,
        E_rev_KNa: Any = -90.0 * u.mV,
        tau_D_KNa: Any = 1250.0 * u.ms,
        g_peak_T: Any = 1.0,
        E_rev_T: Any = 0.0 * u.mV,
        N_T: Any = 2.0,
        g_peak_h: Any = 1.0,
        E_rev_h: Any = -40.0 * u.mV,
        voltage_clamp: bool = False,
        V_m_init: Any = NEST_V_M * u.mV,
        theta_init: Any = -51.0 * u.mV,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        # NEST's model has no I_e: the base class's stays 0 pA.
        super().__init__(in_size, 0.0 * u.pA, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        arguments = locals()
        self.set(**{key: arguments[key] for key in self.declared_params() if key in arguments})

    # -- equilibria of the intrinsic gates (V in mV, plain numbers) ---------------------

    def m_eq_NMDA(self, v: Any) -> Any:  # noqa: N802 (NEST's name)
        slope = u.to_float(self.S_act_NMDA, u.mV**-1)
        return _sigmoid(-slope * (v - u.to_float(self.V_act_NMDA, u.mV)))

    def D_eq_KNa(self, v: Any) -> Any:  # noqa: N802 (NEST's name)
        influx = 0.025 / (1.0 + jnp.exp(-(v - -10.0) / 5.0))
        return u.to_float(self.tau_D_KNa, u.ms) * influx + 0.001

    @staticmethod
    def gate_equilibria(v: Any) -> dict[str, Any]:
        """Equilibria of ``m_IT``, ``h_IT``, ``m_Ih`` at ``v`` (mV)."""
        return {
            "m_IT": _sigmoid(-(v + 59.0) / 6.2),
            "h_IT": _sigmoid((v + 83.0) / 4.0),
            "m_Ih": _sigmoid((v - -75.0) / 5.5),
        }

    def m_NMDA(self, v: Any, m_fast: Any, m_slow: Any) -> Any:  # noqa: N802 (NEST's name)
        """The NMDA unblocking at ``v`` (mV) given the unblock variables."""
        if self.instant_unblock_NMDA:
            return self.m_eq_NMDA(v)
        A1 = 0.51 - 0.0028 * v
        return A1 * m_fast + (1 - A1) * m_slow

    # -- state ----------------------------------------------------------------------------

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        V = initial_value("V_m_init", self.V_m_init, u.mV, self.varshape, batch_size)
        theta = initial_value("theta_init", self.theta_init, u.mV, self.varshape, batch_size)
        shape = jnp.broadcast_shapes(jnp.shape(V.mantissa), jnp.shape(theta.mantissa))
        dtype = environ.dftype()
        V = u.math.broadcast_to(V, shape).astype(dtype)
        self.V = HiddenState(V, name="V")
        self.theta = HiddenState(u.math.broadcast_to(theta, shape).astype(dtype), name="theta")
        self.V_clamp = ShortTermState(V, name="V_clamp")  # NEST's V_clamp_
        zeros = jnp.zeros(shape, dtype)
        for x in RECEPTORS:
            g_name = "g_NMDA_timecourse" if x == "NMDA" else f"g_{x}"
            setattr(self, f"dg_{x}", HiddenState(u.with_unit(zeros, u.ms**-1), name=f"dg_{x}"))
            setattr(self, g_name, HiddenState(zeros, name=g_name))
        v = u.to_float(V, u.mV)
        m_eq = self.m_eq_NMDA(v)
        gates = {"m_fast_NMDA": m_eq, "m_slow_NMDA": m_eq, "D_IKNa": self.D_eq_KNa(v),
                 **self.gate_equilibria(v)}  # fmt: skip
        for key, value in gates.items():
            setattr(self, key, HiddenState(jnp.broadcast_to(value, shape).astype(dtype), name=key))
        for key in INTRINSIC:
            setattr(self, key, ShortTermState(u.with_unit(zeros, u.mV), name=key))
        self.init_adaptive_step(shape)

    def ode_state(self) -> dict[str, Any]:
        names = ("V", "theta", "dg_AMPA", "g_AMPA", "dg_NMDA", "g_NMDA_timecourse",
                 "dg_GABA_A", "g_GABA_A", "dg_GABA_B", "g_GABA_B", "m_fast_NMDA",
                 "m_slow_NMDA", "m_Ih", "D_IKNa", "m_IT", "h_IT")  # fmt: skip
        return {name: getattr(self, name).value for name in names}

    def spike_threshold(self) -> Any:
        """The current threshold ``theta``."""
        return self.theta.value

    def spike_argument(self, V: Any) -> Any:
        """``V - theta`` in mV (the model has no reset depth to scale by)."""
        return u.to_float(V - self.spike_threshold(), u.mV)

    def _recordable(self, name: str) -> Any:
        if name == "g_NMDA":
            v = u.to_float(self.V.value, u.mV)
            m = self.m_NMDA(v, self.m_fast_NMDA.value, self.m_slow_NMDA.value)
            return self.g_NMDA_timecourse.value * m
        return getattr(self, {"V_m": "V"}.get(name, name)).value

    # -- the vector field -------------------------------------------------------------

    def intrinsic_currents(self, V: Any, y: dict) -> dict[str, Any]:
        """``I_NaP``, ``I_KNa``, ``I_T``, ``I_h`` (mV) at the membrane potential ``V``."""
        v = u.to_float(V, u.mV)
        m_NaP = _sigmoid(-(v - -55.7) / 7.7)
        m_KNa = 1.0 / (1.0 + jnp.power(0.25 / y["D_IKNa"], 3.5))
        return {
            "I_NaP": -self.g_peak_NaP * jnp.power(m_NaP, self.N_NaP) * (V - self.E_rev_NaP),
            "I_KNa": -self.g_peak_KNa * m_KNa * (V - self.E_rev_KNa),
            "I_T": -self.g_peak_T * jnp.power(y["m_IT"], self.N_T) * y["h_IT"] * (V - self.E_rev_T),
            "I_h": -self.g_peak_h * y["m_Ih"] * (V - self.E_rev_h),
        }

    def membrane_potential(self, y: dict, V_clamp: Any) -> Any:
        """The ``V`` the vector field sees: the clamp value in voltage-clamp mode."""
        return u.math.broadcast_to(V_clamp, y["V"].shape) if self.voltage_clamp else y["V"]

    def derivatives(self, y: dict, t: Any, I_stim: Any, *, aux: dict) -> dict:
        """The vector field, NEST's ``ht_neuron_dynamics``."""
        V = self.membrane_potential(y, aux["V_clamp"])
        v = u.to_float(V, u.mV)
        m_eq = self.m_eq_NMDA(v)
        m_fast = jnp.minimum(m_eq, y["m_fast_NMDA"])
        m_slow = jnp.minimum(m_eq, y["m_slow_NMDA"])
        I_syn = (
            -y["g_AMPA"] * (V - self.E_rev_AMPA)
            - y["g_NMDA_timecourse"] * self.m_NMDA(v, m_fast, m_slow) * (V - self.E_rev_NMDA)
            - y["g_GABA_A"] * (V - self.E_rev_GABA_A)
            - y["g_GABA_B"] * (V - self.E_rev_GABA_B)
        )
        I_spike = u.math.where(aux["ref_steps"] > 0, -(V - self.E_K) / self.tau_spike,
                               0.0 * u.mV / u.ms)  # fmt: skip
        I_Na = -self.g_NaL * (V - self.E_Na)
        I_K = -self.g_KL * (V - self.E_K)
        intrinsic = self.intrinsic_currents(V, y)
        I_NaP, I_KNa, I_T, I_h = (intrinsic[key] for key in INTRINSIC)
        I = I_Na + I_K + I_syn + I_NaP + I_KNa + I_T + I_h + I_stim * MV_PER_PA
        tau_m_T = 0.22 / (jnp.exp(-(v + 132.0) / 16.7) + jnp.exp((v + 16.8) / 18.2)) + 0.13
        tau_h_T = 8.2 + (56.6 + 0.27 * jnp.exp((v + 115.2) / 5.0)) / (
            1.0 + jnp.exp((v + 86.0) / 3.2)
        )
        tau_m_h = 1.0 / (jnp.exp(-14.59 - 0.086 * v) + jnp.exp(-1.87 + 0.0701 * v))
        eq = self.gate_equilibria(v)
        out = {
            "V": I / self.tau_m + I_spike,
            "theta": -(y["theta"] - self.theta_eq) / self.tau_theta,
        }
        for x in RECEPTORS:
            g = "g_NMDA_timecourse" if x == "NMDA" else f"g_{x}"
            out[f"dg_{x}"] = -y[f"dg_{x}"] / getattr(self, f"tau_rise_{x}")
            out[g] = y[f"dg_{x}"] - y[g] / getattr(self, f"tau_decay_{x}")
        out["m_fast_NMDA"] = (m_eq - m_fast) / self.tau_Mg_fast_NMDA
        out["m_slow_NMDA"] = (m_eq - m_slow) / self.tau_Mg_slow_NMDA
        out["m_Ih"] = (eq["m_Ih"] - y["m_Ih"]) / (tau_m_h * u.ms)
        out["D_IKNa"] = (self.D_eq_KNa(v) - y["D_IKNa"]) / self.tau_D_KNa
        out["m_IT"] = (eq["m_IT"] - y["m_IT"]) / (tau_m_T * u.ms)
        out["h_IT"] = (eq["h_IT"] - y["h_IT"]) / (tau_h_T * u.ms)
        return out

    # -- after every accepted substep (NEST's loop body) ------------------------------

    def after_substep(self, y: dict, aux: dict) -> tuple[dict, dict]:
        """Record the intrinsic currents of the substep's end (NEST's last vector-field
        call), clamp ``V``, cap the NMDA unblocking, and spike."""
        aux = dict(aux, **self.intrinsic_currents(self.membrane_potential(y, aux["V_clamp"]), y))
        y = dict(y)
        if self.voltage_clamp:
            y["V"] = u.math.broadcast_to(aux["V_clamp"], y["V"].shape)
        m_eq = self.m_eq_NMDA(u.to_float(y["V"], u.mV))
        y["m_fast_NMDA"] = jnp.minimum(m_eq, y["m_fast_NMDA"])
        y["m_slow_NMDA"] = jnp.minimum(m_eq, y["m_slow_NMDA"])
        fires = (aux["ref_steps"] == 0) & (y["V"] >= y["theta"])
        y["V"] = u.math.where(fires, self.E_Na, y["V"])
        y["theta"] = u.math.where(fires, self.E_Na, y["theta"])
        aux["ref_steps"] = jnp.where(fires, aux["counts"] + 1, aux["ref_steps"])
        aux["fired"] = aux["fired"] | fires
        return y, aux

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        if None in self.delta_input_labels():
            raise ParameterError(
                f"{self.name}: unlabelled spike input; ht_neuron takes spikes on its "
                f"receptors {sorted(self.RECEPTOR_TYPES)} only (NEST's receptor_type 1..4), "
                "label each input with one"
            )
        shape = jnp.shape(self.V.value.mantissa)
        counts = jnp.broadcast_to(refractory_steps(self.t_ref), shape)
        aux = {
            "ref_steps": self.refractory_step_count.value,
            "counts": counts,
            "fired": jnp.zeros(shape, bool),
            "V_clamp": self.V_clamp.value,
            **{key: getattr(self, key).value for key in INTRINSIC},
        }
        result = self.integrate_adaptive(
            self.derivatives, self.ode_state(), self.buffered_current(),
            event=self.after_substep, aux=aux, **CONTROL_1E3,
        )  # fmt: skip
        y, aux = dict(result.y), result.aux
        for key in INTRINSIC:
            getattr(self, key).value = aux[key]
        spike = aux["fired"].astype(environ.dftype())
        self.emit(spike, counts)
        y.update(self.add_spikes(y))
        for name, value in y.items():
            getattr(self, name).value = value
        self.buffer_current(x)
        return spike

    def add_spikes(self, y: dict) -> dict:
        """``dg_X += w g_peak_X kappa_X`` for this step's spikes on each receptor."""
        out = {}
        for x in RECEPTORS:
            w = self.spike_inputs(x)
            if isinstance(w, float):  # no input on this receptor
                continue
            kappa = beta_normalization(
                getattr(self, f"tau_rise_{x}"), getattr(self, f"tau_decay_{x}")
            )
            out[f"dg_{x}"] = y[f"dg_{x}"] + w * getattr(self, f"g_peak_{x}") * kappa
        return out
