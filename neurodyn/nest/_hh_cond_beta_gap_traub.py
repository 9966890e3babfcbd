"""NEST's ``hh_cond_beta_gap_traub``: Traub's Hodgkin–Huxley neuron with beta-function
conductances that takes gap-junction input (:mod:`neurodyn.nest._gap_neuron`)."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core._params import Param
from ..surrogate import Surrogate
from ._conductance import beta_normalization
from ._gap_neuron import GapJunctionNeuron
from ._hh import _plus
from ._hh_cond_exp_traub import hh_cond_exp_traub

#: NEST's default initial ``V_m``: the default ``E_L`` (NEST does not follow a changed ``E_L``).
NEST_V_M = -60.0


class hh_cond_beta_gap_traub(GapJunctionNeuron):  # noqa: N801 (NEST's model name)
    r"""Traub's HH neuron, beta conductances, gap junctions (NEST ``hh_cond_beta_gap_traub``).

    .. math::

       C_m \frac{dV}{dt} &= -g_{Na} m^3 h (V - E_{Na}) - g_K n^4 (V - E_K) - g_L (V - E_L)
                            - g_{ex}(V - E_{ex}) - g_{in}(V - E_{in}) + I_e + I_{stim}
                            + I_{gap} \\
       \frac{dx}{dt} &= \alpha_x(u) - (\alpha_x(u) + \beta_x(u))\, x, \quad x \in \{m, h, n\},
       \qquad u = V - V_T \\
       \frac{d\,dg}{dt} &= -\frac{dg}{\tau_{decay}}, \qquad
       \frac{dg}{dt} = dg - \frac{g}{\tau_{rise}} \qquad \text{(each of ex, in)} \\
       I_{gap}(t) &= -G\, V(t) + c_0 + c_1 s + c_2 s^2 + c_3 s^3, \qquad s = t / dt

    with Traub & Miles' rates of :class:`hh_cond_exp_traub` and the gap input of
    :class:`~neurodyn.nest.GapJunction` (``G`` and ``c_k`` set before each update by
    :meth:`receive_gap`, cleared after it; without a junction ``I_gap = 0``).

    A spike of weight ``w`` (nS) adds :math:`|w| \kappa` to ``dg_ex`` (``w > 0``) or
    ``dg_in`` (``w < 0``), with :math:`\kappa` of :func:`beta_normalization` (NEST's
    ``beta_normalization_factor``), so that the conductance peaks at ``|w|``; with
    ``tau_rise == tau_decay`` it is the alpha function (:math:`\kappa = e/\tau`).
    A spike is emitted at the end of a step where ``V >= V_T + 30 mV``, ``V`` fell
    during the step and the neuron is not refractory; there is no reset.

    Each step, in NEST's order: keep ``V_old``; integrate over ``(t, t + dt]`` by RKF45
    (absolute tolerance ``gsl_error_tol`` in mV, nS, nS/ms, gates; per-neuron persistent
    step size) with ``I_stim`` of the previous step, ``I_e`` and ``I_gap``; add the
    arriving spikes; count the refractory period down or detect a spike; buffer the
    stimulation current; clear the gap input.

    ==================  ============  =================================================
    parameter           default       meaning
    ==================  ============  =================================================
    ``E_L``             -60 mV        leak reversal potential
    ``C_m``             200 pF        membrane capacitance
    ``g_Na``            20000 nS      sodium peak conductance
    ``g_K``             6000 nS       potassium peak conductance
    ``g_L``             10 nS         leak conductance
    ``E_Na``            50 mV         sodium reversal potential
    ``E_K``             -90 mV        potassium reversal potential
    ``V_T``             -50 mV        voltage offset of the rates (threshold ``V_T + 30``)
    ``E_ex``            0 mV          excitatory reversal potential
    ``E_in``            -80 mV        inhibitory reversal potential
    ``t_ref``           2 ms          refractory period (no spike detection)
    ``tau_rise_ex``     0.5 ms        excitatory rise time constant
    ``tau_decay_ex``    5 ms          excitatory decay time constant
    ``tau_rise_in``     0.5 ms        inhibitory rise time constant
    ``tau_decay_in``    10 ms         inhibitory decay time constant
    ``I_e``             0 pA          constant input current
    ``gsl_error_tol``   1e-3          RKF45 absolute tolerance (NEST hard-codes 1e-3)
    ``V_m_init``        -60 mV        initial ``V`` (NEST's default ``V_m``; ``None``: it)
    ``Act_m_init``      ``None``      initial ``m`` in [0, 1]; ``None``: NEST's default
    ``Inact_h_init``    ``None``      initial ``h`` in [0, 1]; ``None``: NEST's default
    ``Act_n_init``      ``None``      initial ``n`` in [0, 1]; ``None``: NEST's default
    ``spk_fun``         ReluGrad()    surrogate of ``V - V_T - 30 mV`` in mV
    ``spk_reset``       ``'hard'``    accepted for the API; there is no reset
    ==================  ============  =================================================

    NEST's default gating values are ``alpha / (alpha + beta)`` of the rates taken at
    ``u = V`` (without the ``V_T`` shift), as for :class:`hh_cond_exp_traub`. The
    arguments come in the order of BrainPy's ``hh_cond_beta_gap_traub``. NEST's rules:
    ``C_m > 0``, ``t_ref >= 0``, time constants ``> 0``, conductances ``>= 0``.

    States: ``V``, ``m``, ``h``, ``n``, ``dg_ex``, ``g_ex``, ``dg_in``, ``g_in``,
    ``gap_conductance``, ``gap_coefficients``, ``I_stim``, ``refractory_step_count``,
    ``integration_step``, ``integration_status``, ``last_spike_time``, ``spike``.
    Recordables: ``V_m``, ``g_ex``, ``g_in``, ``Act_m``, ``Inact_h``, ``Act_n``.
    Delta inputs: weights in nS, labelled ``'ex'`` / ``'in'`` (magnitudes) or
    unlabelled (the sign picks the receptor, as in NEST).

    References: R. D. Traub & R. Miles (1991), *Neuronal Networks of the
    Hippocampus*, Cambridge Univ. Press; R. Brette et al. (2007), J. Comput. Neurosci.
    23:349–398; J. Hahne et al. (2015), Front. Neuroinform. 9:22; NEST
    ``hh_cond_beta_gap_traub``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.hh_cond_beta_gap_traub(2, I_e=300. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> float(n.record("V_m")[0].to_decimal(u.mV)), round(float(n.record("Act_n")[0]), 12)
    (-60.0, 2.55158e-07)
    """

    WEIGHT_UNIT = u.nS

    RECORDABLES = ("V_m", "g_ex", "g_in", "Act_m", "Inact_h", "Act_n")
    RECEPTOR_TYPES = {"ex": 0, "in": 0}
    GATES = {"m": "Act_m", "h": "Inact_h", "n": "Act_n"}
    SYNAPSES = {"dg_ex": u.nS / u.ms, "g_ex": u.nS, "dg_in": u.nS / u.ms, "g_in": u.nS}

    E_L = Param(u.mV)
    C_m = Param(u.pF, positive=True)
    g_Na = Param(u.nS, nonnegative=True)
    g_K = Param(u.nS, nonnegative=True)
    g_L = Param(u.nS, nonnegative=True)
    E_Na = Param(u.mV)
    E_K = Param(u.mV)
    V_T = Param(u.mV)
    E_ex = Param(u.mV)
    E_in = Param(u.mV)
    t_ref = Param(u.ms, nonnegative=True)
    tau_rise_ex = Param(u.ms, positive=True)
    tau_decay_ex = Param(u.ms, positive=True)
    tau_rise_in = Param(u.ms, positive=True)
    tau_decay_in = Param(u.ms, positive=True)
    Act_m_init = Param(bounds=(0.0, 1.0), optional=True)
    Inact_h_init = Param(bounds=(0.0, 1.0), optional=True)
    Act_n_init = Param(bounds=(0.0, 1.0), optional=True)

    rates = staticmethod(hh_cond_exp_traub.rates)
    spike_threshold = hh_cond_exp_traub.spike_threshold

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -60.0 * u.mV,
        C_m: Any = 200.0 * u.pF,
        g_Na: Any = 20000.0 * u.nS,
        g_K: Any = 6000.0 * u.nS,
        g_L: Any = 10.0 * u.nS,
        E_Na: Any = 50.0 * u.mV,
        E_K: Any = -90.0 * u.mV,
        V_T: Any = -50.0 * u.mV,
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -80.0 * u.mV,
        t_ref: Any = 2.0 * u.ms,
        tau_rise_ex: Any = 0.5 * u.ms,
        tau_decay_ex: Any = 5.0 * u.ms,
        tau_rise_in: Any = 0.5 * u.ms,
        tau_decay_in: Any = 10.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        gsl_error_tol: float = 1e-3,
        V_m_init: Any = None,
        Act_m_init: Any = None,
        Inact_h_init: Any = None,
        Act_n_init: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(in_size, I_e, None, {}, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.E_L = E_L
        self.C_m = C_m
        self.g_Na = g_Na
        self.g_K = g_K
        self.g_L = g_L
        self.E_Na = E_Na
        self.E_K = E_K
        self.V_T = V_T
        self.E_ex = E_ex
        self.E_in = E_in
        self.t_ref = t_ref
        self.tau_rise_ex = tau_rise_ex
        self.tau_decay_ex = tau_decay_ex
        self.tau_rise_in = tau_rise_in
        self.tau_decay_in = tau_decay_in
        self.gsl_error_tol = gsl_error_tol
        self.V_m_init = V_m_init if V_m_init is not None else NEST_V_M * u.mV
        self.Act_m_init = Act_m_init
        self.Inact_h_init = Inact_h_init
        self.Act_n_init = Act_n_init

    def derivatives(
        self, y: dict, t: Any, I_stim: Any, conductance: Any, coefficients: Any
    ) -> dict:
        """The vector field, NEST's ``hh_cond_beta_gap_traub_dynamics``; ``t`` is the time
        since the start of the step."""
        V, m, h, n = y["V"], y["m"], y["h"], y["n"]
        I_Na = self.g_Na * m * m * m * h * (V - self.E_Na)
        I_K = self.g_K * n * n * n * n * (V - self.E_K)
        I_L = self.g_L * (V - self.E_L)
        I_ex = y["g_ex"] * (V - self.E_ex)
        I_in = y["g_in"] * (V - self.E_in)
        I_gap = self.gap_current(V, t, conductance, coefficients)
        I = -I_Na - I_K - I_L - I_ex - I_in + I_stim + I_gap + self.I_e
        rates = self.rates(u.to_float(V - self.V_T, u.mV))
        gates = {
            gate: (alpha - (alpha + beta) * y[gate]) / u.ms for gate, (alpha, beta) in rates.items()
        }
        return {
            "V": I / self.C_m,
            **gates,
            "dg_ex": -y["dg_ex"] / self.tau_decay_ex,
            "g_ex": y["dg_ex"] - y["g_ex"] / self.tau_rise_ex,
            "dg_in": -y["dg_in"] / self.tau_decay_in,
            "g_in": y["dg_in"] - y["g_in"] / self.tau_rise_in,
        }

    def add_spikes(self, y: dict) -> dict:
        """This step's spikes: ``dg += |w| kappa`` on the receptor of ``w``'s sign."""
        y = dict(y)
        kappa_ex = beta_normalization(self.tau_rise_ex, self.tau_decay_ex)
        kappa_in = beta_normalization(self.tau_rise_in, self.tau_decay_in)
        y["dg_ex"] = _plus(y["dg_ex"], self.spike_inputs("ex", sign=+1), kappa_ex)
        y["dg_in"] = _plus(y["dg_in"], -self.spike_inputs("in", sign=-1), kappa_in)
        return y
