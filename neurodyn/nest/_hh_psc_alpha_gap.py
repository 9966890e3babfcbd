"""NEST's ``hh_psc_alpha_gap``: a Hodgkin–Huxley interneuron that takes gap-junction input
(the gap input's mechanics: :mod:`neurodyn.nest._gap_neuron`)."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core._params import Param
from ..surrogate import Surrogate
from ._gap_neuron import GapJunctionNeuron
from ._hh import _add_alpha_spikes, _alpha_currents, _gates

#: NEST's default initial ``V_m`` (mV): the resting potential of the default parameters.
NEST_V_M = -69.60401191631222


class hh_psc_alpha_gap(GapJunctionNeuron):  # noqa: N801 (NEST's model name)
    r"""Hodgkin–Huxley interneuron with alpha currents, gap junctions (NEST ``hh_psc_alpha_gap``).

    .. math::

       C_m \frac{dV}{dt} &= -g_{Na} m^3 h (V - E_{Na}) - (g_{Kv1} n^4 + g_{Kv3} p^2)(V - E_K)
                            - g_L (V - E_L) + I_{syn,ex} + I_{syn,in} + I_e + I_{stim}
                            + I_{gap} \\
       \frac{dx}{dt} &= \alpha_x(V)(1 - x) - \beta_x(V)\, x, \qquad x \in \{m, h, n, p\} \\
       I_{gap}(t) &= -G\, V(t) + c_0 + c_1 s + c_2 s^2 + c_3 s^3, \qquad s = t / dt

    with the alpha currents of :class:`hh_psc_alpha` and the rates (1/ms, ``V`` in mV)
    of Mancilla et al.:

    .. math::

       \alpha_m &= \frac{40 (V - 75.5)}{1 - e^{-(V - 75.5)/13.5}}, &
       \beta_m &= 1.2262\, e^{-V/42.248}, \\
       \alpha_h &= 0.0035\, e^{-V/24.186}, &
       \beta_h &= \frac{0.017 (V + 51.25)}{1 - e^{-(V + 51.25)/5.2}}, \\
       \alpha_n &= \frac{0.014 (V + 44)}{1 - e^{-(V + 44)/2.3}}, &
       \beta_n &= 0.0043\, e^{-(V + 44)/34}, \\
       \alpha_p &= \frac{V - 95}{1 - e^{-(V - 95)/11.8}}, &
       \beta_p &= 0.025\, e^{-V/22.222}.

    ``G = sum_j g_ij`` and the coefficients ``c_k = sum_j g_ij a_jk`` (``a_jk`` the
    partner ``j``'s voltage polynomial for this step) are set by a
    :class:`~neurodyn.nest.GapJunction` before each update (:meth:`receive_gap`) and
    cleared after it, as NEST clears its gap buffers; without one, ``I_gap = 0``.

    A spike of weight ``w`` (pA) adds ``w e / tau_syn`` to ``dI_syn_ex`` (``w > 0``)
    or ``dI_syn_in`` (``w < 0``). A spike is emitted at the end of a step where
    ``V >= 0 mV``, ``V`` fell during the step and the neuron is not refractory; no reset.

    Each step, in NEST's order: keep ``V_old``; integrate over ``(t, t + dt]`` by RKF45
    (absolute tolerance 1e-6, per-neuron persistent step size) with ``I_stim`` of the
    previous step, ``I_e`` and ``I_gap``; add the arriving spikes; count the refractory
    period down or detect a spike; buffer the stimulation current; clear the gap input.

    ==================  ===============  ================================================
    parameter           default          meaning
    ==================  ===============  ================================================
    ``E_L``             -70 mV           leak reversal potential
    ``C_m``             40 pF            membrane capacitance
    ``g_Na``            4500 nS          sodium peak conductance
    ``g_Kv1``           9 nS             Kv1 (slow, ``n^4``) peak conductance
    ``g_Kv3``           9000 nS          Kv3 (fast, ``p^2``) peak conductance
    ``g_L``             10 nS            leak conductance
    ``E_Na``            74 mV            sodium reversal potential
    ``E_K``             -90 mV           potassium reversal potential
    ``t_ref``           2 ms             refractory period (no spike detection)
    ``tau_syn_ex``      0.2 ms           excitatory alpha-current time constant
    ``tau_syn_in``      2 ms             inhibitory alpha-current time constant
    ``I_e``             0 pA             constant input current
    ``V_m_init``        -69.604012 mV    initial ``V`` (NEST's default ``V_m``; ``None``: it)
    ``Act_m_init``      ``None``         initial ``m`` in [0, 1]; ``None``: equilibrium at ``V``
    ``Inact_h_init``    ``None``         initial ``h`` in [0, 1]; ``None``: equilibrium
    ``Act_n_init``      ``None``         initial ``n`` in [0, 1]; ``None``: equilibrium
    ``Inact_p_init``    ``None``         initial ``p`` in [0, 1]; ``None``: equilibrium
    ``spk_fun``         ReluGrad()       surrogate of ``V`` in mV (:meth:`get_spike`)
    ``spk_reset``       ``'hard'``       accepted for the API; there is no reset
    ``gsl_error_tol``   1e-6             RKF45 absolute tolerance (NEST hard-codes 1e-6)
    ==================  ===============  ================================================

    The arguments come in the order of BrainPy's ``hh_psc_alpha_gap`` (the parameter
    table above). NEST's rules: ``C_m > 0``, ``t_ref >= 0``, ``tau_syn_* > 0``,
    conductances ``>= 0``; the initial gating values lie in [0, 1].

    States: ``V``, ``m``, ``h``, ``n``, ``p``, ``dI_syn_ex``, ``I_syn_ex``, ``dI_syn_in``,
    ``I_syn_in``, ``gap_conductance`` (``G``, nS), ``gap_coefficients`` (``c_0..c_3``,
    pA, a trailing axis of 4), ``I_stim``, ``refractory_step_count``,
    ``integration_step``, ``integration_status``, ``last_spike_time``, ``spike``.
    Recordables: ``V_m``, ``I_syn_ex``, ``I_syn_in``, ``Act_m``, ``Inact_h``, ``Act_n``,
    ``Inact_p``.
    Delta inputs: weights in pA, labelled ``'ex'`` / ``'in'`` (magnitudes) or
    unlabelled (the sign picks the receptor, as in NEST).

    References: J. G. Mancilla, T. J. Lewis, D. J. Pinto, J. Rinzel & B. W. Connors
    (2007), J. Neurosci. 27:2058–2073; J. Hahne, M. Helias, S. Kunkel, J. Igarashi,
    M. Bolten, A. Frommer & M. Diesmann (2015), Front. Neuroinform. 9:22;
    NEST ``hh_psc_alpha_gap``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.hh_psc_alpha_gap(2, I_e=300. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> round(float(n.record("Inact_p")[0]), 8)  # NEST's default state
    0.00025113
    >>> n.recordables
    ('V_m', 'I_syn_ex', 'I_syn_in', 'Act_m', 'Inact_h', 'Act_n', 'Inact_p')
    """

    RECORDABLES = ("V_m", "I_syn_ex", "I_syn_in", "Act_m", "Inact_h", "Act_n", "Inact_p")
    RECEPTOR_TYPES = {"ex": 0, "in": 0}
    GATES = {"m": "Act_m", "h": "Inact_h", "n": "Act_n", "p": "Inact_p"}
    SYNAPSES = {
        "dI_syn_ex": u.pA / u.ms,
        "I_syn_ex": u.pA,
        "dI_syn_in": u.pA / u.ms,
        "I_syn_in": u.pA,
    }

    t_ref = Param(u.ms, nonnegative=True)
    C_m = Param(u.pF, positive=True)
    g_Na = Param(u.nS, nonnegative=True)
    g_Kv1 = Param(u.nS, nonnegative=True)
    g_Kv3 = Param(u.nS, nonnegative=True)
    g_L = Param(u.nS, nonnegative=True)
    E_Na = Param(u.mV)
    E_K = Param(u.mV)
    E_L = Param(u.mV)
    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)

    Act_m_init = Param(bounds=(0.0, 1.0), optional=True)
    Inact_h_init = Param(bounds=(0.0, 1.0), optional=True)
    Act_n_init = Param(bounds=(0.0, 1.0), optional=True)
    Inact_p_init = Param(bounds=(0.0, 1.0), optional=True)

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 40.0 * u.pF,
        g_Na: Any = 4500.0 * u.nS,
        g_Kv1: Any = 9.0 * u.nS,
        g_Kv3: Any = 9000.0 * u.nS,
        g_L: Any = 10.0 * u.nS,
        E_Na: Any = 74.0 * u.mV,
        E_K: Any = -90.0 * u.mV,
        t_ref: Any = 2.0 * u.ms,
        tau_syn_ex: Any = 0.2 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_m_init: Any = None,
        Act_m_init: Any = None,
        Inact_h_init: Any = None,
        Act_n_init: Any = None,
        Inact_p_init: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        gsl_error_tol: float = 1e-6,
        name: str | None = None,
    ):
        super().__init__(in_size, I_e, None, {}, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.E_L = E_L
        self.C_m = C_m
        self.g_Na = g_Na
        self.g_Kv1 = g_Kv1
        self.g_Kv3 = g_Kv3
        self.g_L = g_L
        self.E_Na = E_Na
        self.E_K = E_K
        self.t_ref = t_ref
        self.tau_syn_ex = tau_syn_ex
        self.tau_syn_in = tau_syn_in
        self.V_m_init = V_m_init if V_m_init is not None else NEST_V_M * u.mV
        self.Act_m_init = Act_m_init
        self.Inact_h_init = Inact_h_init
        self.Act_n_init = Act_n_init
        self.Inact_p_init = Inact_p_init
        self.gsl_error_tol = gsl_error_tol

    @staticmethod
    def rates(v: Any) -> dict[str, tuple[Any, Any]]:
        """``{gate: (alpha, beta)}`` in 1/ms at ``v`` (mV, plain numbers), NEST's formulas."""
        return {
            "m": (40.0 * (v - 75.5) / (1.0 - jnp.exp(-(v - 75.5) / 13.5)),
                  1.2262 / jnp.exp(v / 42.248)),
            "h": (0.0035 / jnp.exp(v / 24.186),
                  0.017 * (51.25 + v) / (1.0 - jnp.exp(-(51.25 + v) / 5.2))),
            "p": ((v - 95.0) / (1.0 - jnp.exp(-(v - 95.0) / 11.8)),
                  0.025 / jnp.exp(v / 22.222)),
            "n": (0.014 * (v + 44.0) / (1.0 - jnp.exp(-(v + 44.0) / 2.3)),
                  0.0043 / jnp.exp((v + 44.0) / 34.0)),
        }  # fmt: skip

    def derivatives(
        self, y: dict, t: Any, I_stim: Any, conductance: Any, coefficients: Any
    ) -> dict:
        """The vector field, NEST's ``hh_psc_alpha_gap_dynamics``; ``t`` is the time
        since the start of the step."""
        V, m, h, n, p = y["V"], y["m"], y["h"], y["n"], y["p"]
        rates = self.rates(u.to_float(V, u.mV))
        I_Na = self.g_Na * m * m * m * h * (V - self.E_Na)
        I_K = (self.g_Kv1 * n * n * n * n + self.g_Kv3 * p * p) * (V - self.E_K)
        I_L = self.g_L * (V - self.E_L)
        I_gap = self.gap_current(V, t, conductance, coefficients)
        I = -(I_Na + I_K + I_L) + I_stim + self.I_e + y["I_syn_ex"] + y["I_syn_in"] + I_gap
        return {"V": I / self.C_m, **_gates(y, rates), **_alpha_currents(self, y)}

    def add_spikes(self, y: dict) -> dict:
        """This step's spikes: ``dI_syn += w e / tau_syn`` (``w`` signed, in pA)."""
        return _add_alpha_spikes(self, y)
