"""NEST's ``hh_cond_exp_traub``: Traub's Hodgkin–Huxley neuron with exponential
conductances, on the shared Hodgkin–Huxley machinery of :mod:`neurodyn.nest._hh`."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core._params import Param
from ..neurons._base import refractory_steps
from ..surrogate import Surrogate
from ._hh import NESTHodgkinHuxley, _plus


class hh_cond_exp_traub(NESTHodgkinHuxley):  # noqa: N801 (NEST's model name)
    r"""Traub's Hodgkin–Huxley neuron with exponential conductances (NEST ``hh_cond_exp_traub``).

    .. math::

       C_m \frac{dV}{dt} &= -g_{Na} m^3 h (V - E_{Na}) - g_K n^4 (V - E_K) - g_L (V - E_L)
                            - g_{ex}(V - E_{ex}) - g_{in}(V - E_{in}) + I_e + I_{stim} \\
       \frac{dx}{dt} &= \alpha_x(u) - (\alpha_x(u) + \beta_x(u))\, x, \quad x \in \{m, h, n\},
       \qquad u = V - V_T \\
       \frac{dg_{ex,in}}{dt} &= -\frac{g_{ex,in}}{\tau_{syn,ex,in}}

    with Traub & Miles' rates (1/ms, ``u`` in mV)

    .. math::

       \alpha_m &= \frac{0.32 (13 - u)}{e^{(13 - u)/4} - 1}, &
       \beta_m &= \frac{0.28 (u - 40)}{e^{(u - 40)/5} - 1}, \\
       \alpha_h &= 0.128\, e^{(17 - u)/18}, &
       \beta_h &= \frac{4}{1 + e^{(40 - u)/5}}, \\
       \alpha_n &= \frac{0.032 (15 - u)}{e^{(15 - u)/5} - 1}, &
       \beta_n &= 0.5\, e^{(10 - u)/40}.

    A spike of weight ``w`` (nS) adds ``|w|`` to ``g_ex`` (``w > 0``) or ``g_in``
    (``w < 0``).

    Each step, in NEST's order: keep ``V_old``; integrate over ``(t, t + dt]`` by RKF45
    (absolute tolerance 1e-3 in mV, nS; per-neuron persistent step size) with ``I_stim``
    of the previous step and ``I_e``; add the arriving spikes; if refractory count down,
    else emit a spike where ``V >= V_T + 30 mV`` and ``V_old > V`` and start the
    refractory count; buffer this step's stimulation current. No reset.

    ==================  ============  ==========================================
    parameter           default       meaning
    ==================  ============  ==========================================
    ``g_Na``            20000 nS      sodium peak conductance
    ``g_K``             6000 nS       potassium peak conductance
    ``g_L``             10 nS         leak conductance
    ``C_m``             200 pF        membrane capacitance
    ``E_Na``            50 mV         sodium reversal potential
    ``E_K``             -90 mV        potassium reversal potential
    ``E_L``             -60 mV        leak reversal potential
    ``V_T``             -63 mV        voltage offset of the rates (threshold ``V_T + 30``)
    ``E_ex``            0 mV          excitatory reversal potential
    ``E_in``            -80 mV        inhibitory reversal potential
    ``tau_syn_ex``      5 ms          excitatory conductance time constant
    ``tau_syn_in``      10 ms         inhibitory conductance time constant
    ``t_ref``           2 ms          refractory period (no spike detection)
    ``I_e``             0 pA          constant input current
    ``V_initializer``   -60 mV        initial ``V`` (NEST's default ``V_m``; fixed, not ``E_L``)
    ``m_initializer``   ``None``      initial ``m`` (``Act_m``); ``None``: NEST's default
    ``h_initializer``   ``None``      initial ``h`` (``Inact_h``); ``None``: NEST's default
    ``n_initializer``   ``None``      initial ``n`` (``Act_n``); ``None``: NEST's default
    ==================  ============  ==========================================

    NEST's default gating values are ``alpha / (alpha + beta)`` of the rates above taken
    at ``u = V`` (without the ``V_T`` shift): ``m = 9.9e-9``, ``h = 1 - 8.9e-10``,
    ``n = 2.6e-7`` at -60 mV, far from the true equilibrium, so a neuron started this
    way fires during its initial transient. NEST's rules: ``C_m > 0``,
    ``tau_syn_* > 0``, ``t_ref >= 0``, gating variables ``>= 0`` (conductances are
    not checked).

    States: ``V``, ``m``, ``h``, ``n``, ``g_ex``, ``g_in``, ``I_stim``,
    ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``last_spike_time``, ``spike``. Recordables: ``V_m``, ``g_ex``, ``g_in``,
    ``Act_m``, ``Inact_h``, ``Act_n``.
    Delta inputs: weights in nS, labelled ``'ex'`` / ``'in'`` (magnitudes) or
    unlabelled (the sign picks the receptor, as in NEST).

    References: R. D. Traub & R. Miles (1991), *Neuronal Networks of the
    Hippocampus*, Cambridge Univ. Press; R. Brette et al. (2007), J. Comput.
    Neurosci. 23:349–398 (the COBAHH benchmark); NEST ``hh_cond_exp_traub``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.hh_cond_exp_traub(2)
    >>> _ = nd.init_all_states(n)
    >>> float(n.record("V_m")[0].to_decimal(u.mV)), float(n.record("Act_m")[0]) < 1e-8
    (-60.0, True)
    """

    WEIGHT_UNIT = u.nS

    RECORDABLES = ("V_m", "g_ex", "g_in", "Act_m", "Inact_h", "Act_n")
    RECEPTOR_TYPES = {"ex": 0, "in": 0}
    GATES = {"m": "Act_m", "h": "Inact_h", "n": "Act_n"}
    SYNAPSES = {"g_ex": u.nS, "g_in": u.nS}

    g_Na = Param(u.nS, nonnegative=True)
    g_K = Param(u.nS, nonnegative=True)
    g_L = Param(u.nS, nonnegative=True)
    C_m = Param(u.pF, positive=True)
    E_Na = Param(u.mV)
    E_K = Param(u.mV)
    E_L = Param(u.mV)
    V_T = Param(u.mV)
    E_ex = Param(u.mV)
    E_in = Param(u.mV)
    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)
    t_ref = Param(u.ms, nonnegative=True)

    def __init__(
        self,
        in_size: Any,
        g_Na: Any = 20000.0 * u.nS,
        g_K: Any = 6000.0 * u.nS,
        g_L: Any = 10.0 * u.nS,
        C_m: Any = 200.0 * u.pF,
        E_Na: Any = 50.0 * u.mV,
        E_K: Any = -90.0 * u.mV,
        E_L: Any = -60.0 * u.mV,
        V_T: Any = -63.0 * u.mV,
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -80.0 * u.mV,
        tau_syn_ex: Any = 5.0 * u.ms,
        tau_syn_in: Any = 10.0 * u.ms,
        t_ref: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = -60.0 * u.mV,
        m_initializer: Any = None,
        h_initializer: Any = None,
        n_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        name: str | None = None,
    ):
        gates = {"m": m_initializer, "h": h_initializer, "n": n_initializer}
        super().__init__(in_size, I_e, V_initializer, gates, spk_fun=spk_fun, name=name)
        self.g_Na = g_Na
        self.g_K = g_K
        self.g_L = g_L
        self.C_m = C_m
        self.E_Na = E_Na
        self.E_K = E_K
        self.E_L = E_L
        self.V_T = V_T
        self.E_ex = E_ex
        self.E_in = E_in
        self.tau_syn_ex = tau_syn_ex
        self.tau_syn_in = tau_syn_in
        self.t_ref = t_ref

    @staticmethod
    def rates(v: Any) -> dict[str, tuple[Any, Any]]:
        """``{gate: (alpha, beta)}`` in 1/ms at ``v = V - V_T`` (mV, plain numbers)."""
        return {
            "n": (0.032 * (15.0 - v) / (jnp.exp((15.0 - v) / 5.0) - 1.0),
                  0.5 * jnp.exp((10.0 - v) / 40.0)),
            "m": (0.32 * (13.0 - v) / (jnp.exp((13.0 - v) / 4.0) - 1.0),
                  0.28 * (v - 40.0) / (jnp.exp((v - 40.0) / 5.0) - 1.0)),
            "h": (0.128 * jnp.exp((17.0 - v) / 18.0),
                  4.0 / (1.0 + jnp.exp((40.0 - v) / 5.0))),
        }  # fmt: skip

    def spike_threshold(self) -> Any:
        """``V_T + 30 mV``, NEST's threshold for this model."""
        return self.V_T + 30.0 * u.mV

    def derivatives(self, y: dict, t: Any, I_stim: Any) -> dict:
        """The vector field, NEST's ``hh_cond_exp_traub_dynamics``."""
        V, m, h, n = y["V"], y["m"], y["h"], y["n"]
        I_Na = self.g_Na * m * m * m * h * (V - self.E_Na)
        I_K = self.g_K * n * n * n * n * (V - self.E_K)
        I_L = self.g_L * (V - self.E_L)
        I_ex = y["g_ex"] * (V - self.E_ex)
        I_in = y["g_in"] * (V - self.E_in)
        I = -I_Na - I_K - I_L - I_ex - I_in + I_stim + self.I_e
        rates = self.rates(u.to_float(V - self.V_T, u.mV))
        gates = {
            gate: (alpha - (alpha + beta) * y[gate]) / u.ms for gate, (alpha, beta) in rates.items()
        }
        return {
            "V": I / self.C_m,
            **gates,
            "g_ex": -y["g_ex"] / self.tau_syn_ex,
            "g_in": -y["g_in"] / self.tau_syn_in,
        }

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        V_old = self.V.value
        refractory = self.refractory_step_count.value > 0
        y = self.integrate_adaptive(
            self.derivatives, self.ode_state(), self.I_stim.value, **self.CONTROL
        ).y
        y["g_ex"] = _plus(y["g_ex"], self.spike_inputs("ex", sign=+1))
        y["g_in"] = _plus(y["g_in"], -self.spike_inputs("in", sign=-1))
        spike = self.detect_spike(V_old, y["V"], refractory)
        self._store(y)
        self.emit(spike, refractory_steps(self.t_ref))
        self.buffer_current(x)
        return spike


# -- pieces shared by the alpha-current models -------------------------------------------
