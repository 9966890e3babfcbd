"""NEST's Hodgkin–Huxley point neurons, integrated by adaptive RKF45 as NEST does.

What the models (``hh_psc_alpha`` here; ``hh_cond_exp_traub``, ``hh_psc_alpha_gap``,
``hh_cond_beta_gap_traub``, ``hh_psc_alpha_clopath``) share lives in
:class:`NESTHodgkinHuxley`: the state (``V``, gating variables,
synaptic variables), NEST's default initial gating values, and NEST's spike rule.
There is no reset: a spike is emitted at the end of a step in which ``V`` is at or
above the threshold **and** has fallen during the step (the action potential's peak
lies in the previous step) **and** the neuron is not refractory. Refractoriness only
blocks detection; the dynamics run on.

Each step follows NEST's order: remember ``V`` as ``V_old``; integrate over ``dt``
with GSL-style RKF45 (per-neuron persistent step size); add the arriving spikes to
the synaptic variables; count the refractory period down or test for a spike;
buffer the stimulation current for the next step.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core._params import Param, parameter
from ..core._state import HiddenState
from ..neurons._base import initial_value, refractory_steps
from ..surrogate import Surrogate
from ._base import NESTNeuron

#: NEST's control for ``hh_psc_alpha`` and ``hh_cond_exp_traub``:
#: ``gsl_odeiv_control_y_new(1e-3, 0)`` (absolute 1e-3 in mV, pA, nS, gates).
CONTROL_1E3 = dict(eps_abs=1e-3, eps_rel=0.0, a_y=1.0, a_dydt=0.0)


class NESTHodgkinHuxley(NESTNeuron):
    """Base of NEST's Hodgkin–Huxley models (not a model itself).

    A subclass declares ``GATES`` (state name → NEST recordable), ``SYNAPSES`` (the
    synaptic state names with their units), ``CONTROL`` (the RKF45 control), and
    implements ``rates(v)`` (``{gate: (alpha, beta)}`` at ``v`` in mV),
    ``derivatives(y, t, *args)`` and ``update``. A gate without an initializer starts
    at ``alpha / (alpha + beta)`` of ``rates`` at the initial ``V``, as NEST's default
    state does (for ``hh_cond_exp_traub`` that is NEST's quirk: the rates taken at ``V``
    itself, not at ``V - V_T``).
    """

    GATES: dict[str, str] = {}
    SYNAPSES: dict[str, Any] = {}
    CONTROL: dict[str, float] = CONTROL_1E3

    def __init__(
        self,
        in_size: Any,
        I_e: Any,
        V_initializer: Any,
        gate_initializers: dict[str, Any],
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(in_size, I_e, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.V_initializer = V_initializer
        for gate, init in gate_initializers.items():
            _check_gate(f"{gate}_initializer", init, self.varshape)
        self.gate_initializers = gate_initializers

    @staticmethod
    def rates(v: Any) -> dict[str, tuple[Any, Any]]:
        raise NotImplementedError

    def initial_values(self) -> tuple[tuple[str, Any], dict[str, tuple[str, Any]]]:
        """Where the initial state comes from: ``(name, V's initializer)`` and
        ``{gate: (name, initializer or None)}`` (names for error messages)."""
        inits = self.gate_initializers
        gates = {gate: (f"{gate}_initializer", init) for gate, init in inits.items()}
        return ("V_initializer", self.V_initializer), gates

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        (V_name, V_init), gate_inits = self.initial_values()
        V = initial_value(V_name, V_init, u.mV, self.varshape, batch_size)
        self.V = HiddenState(V, name="V")
        rates = self.rates(u.to_float(V, u.mV))
        for gate in self.GATES:
            name, init = gate_inits.get(gate, (gate, None))
            if init is None:
                alpha, beta = rates[gate]
                value = alpha / (alpha + beta)
            else:
                value = initial_value(name, init, u.UNITLESS, self.varshape, batch_size)
            value = jnp.broadcast_to(jnp.asarray(value, V.mantissa.dtype), V.shape)
            setattr(self, gate, HiddenState(value, name=gate))
        zeros = jnp.zeros_like(V.mantissa)
        for state, unit in self.SYNAPSES.items():
            setattr(self, state, HiddenState(u.with_unit(zeros, unit), name=state))
        self.init_adaptive_step(V.shape)

    def ode_state(self) -> dict[str, Any]:
        """The integrated variables, as the dict ``derivatives`` takes."""
        names = ("V", *self.GATES, *self.SYNAPSES)
        return {name: getattr(self, name).value for name in names}

    def _store(self, y: dict[str, Any]) -> None:
        for name, value in y.items():
            getattr(self, name).value = value

    def _recordable(self, name: str) -> Any:
        if name == "V_m":
            return self.V.value
        state = {recorded: gate for gate, recorded in self.GATES.items()}.get(name, name)
        return getattr(self, state).value

    def spike_threshold(self) -> Any:
        """The voltage a spike must reach: 0 mV (NEST's ``hh_psc_alpha*``)."""
        return 0.0 * u.mV

    def spike_argument(self, V: Any) -> Any:
        """``V - spike_threshold()`` in mV (no reset to scale by), as the page's
        ``get_spike`` divides ``V`` by 1 mV."""
        return u.to_float(V - self.spike_threshold(), u.mV)

    def detect_spike(self, V_old: Any, V: Any, refractory: Any) -> Any:
        """NEST's rule: ``V >= spike_threshold()`` and ``V_old > V`` (past the peak), not
        refractory.

        The surrogate sees :meth:`spike_argument`; the local-maximum and refractory
        conditions are gates without gradient.
        """
        falling = jax.lax.stop_gradient(u.to_float(V_old, u.mV) > u.to_float(V, u.mV))
        return self.get_spike(V) * falling * ~refractory


class hh_psc_alpha(NESTHodgkinHuxley):  # noqa: N801 (NEST's model name)
    r"""Hodgkin–Huxley neuron with alpha-shaped synaptic currents (NEST ``hh_psc_alpha``).

    .. math::

       C_m \frac{dV}{dt} &= -g_{Na} m^3 h (V - E_{Na}) - g_K n^4 (V - E_K) - g_L (V - E_L)
                            + I_{syn,ex} + I_{syn,in} + I_e + I_{stim} \\
       \frac{dx}{dt} &= \alpha_x(V)(1 - x) - \beta_x(V)\, x, \qquad x \in \{m, h, n\} \\
       \frac{d\,dI_{syn}}{dt} &= -\frac{dI_{syn}}{\tau_{syn}}, \qquad
       \frac{dI_{syn}}{dt} = dI_{syn} - \frac{I_{syn}}{\tau_{syn}}

    with the squid-axon rates (1/ms, ``V`` in mV)

    .. math::

       \alpha_m &= \frac{0.1 (V + 40)}{1 - e^{-(V + 40)/10}}, &
       \beta_m &= 4\, e^{-(V + 65)/18}, \\
       \alpha_h &= 0.07\, e^{-(V + 65)/20}, &
       \beta_h &= \frac{1}{1 + e^{-(V + 35)/10}}, \\
       \alpha_n &= \frac{0.01 (V + 55)}{1 - e^{-(V + 55)/10}}, &
       \beta_n &= 0.125\, e^{-(V + 65)/80}.

    A spike of weight ``w`` (pA) adds ``w e / tau_syn`` to ``dI_syn_ex`` (``w > 0``) or
    ``dI_syn_in`` (``w < 0``, so ``I_syn_in <= 0``): the current peaks at ``w``
    ``tau_syn`` after the arrival.

    Each step, in NEST's order: keep ``V_old``; integrate over ``(t, t + dt]`` by RKF45
    (absolute tolerance 1e-3 in mV, pA, pA/ms; per-neuron persistent step size) with
    ``I_stim`` of the previous step and ``I_e``; add the arriving spikes; if refractory
    count down, else emit a spike where ``V >= 0 mV`` and ``V_old > V`` (``V`` fell:
    the peak was in the previous step) and start the refractory count; buffer this
    step's stimulation current. There is no reset: ``t_ref`` only blocks detection.

    ==================  ============  ==========================================
    parameter           default       meaning
    ==================  ============  ==========================================
    ``t_ref``           2 ms          refractory period (no spike detection)
    ``g_Na``            12000 nS      sodium peak conductance
    ``g_K``             3600 nS       potassium peak conductance
    ``g_L``             30 nS         leak conductance
    ``C_m``             100 pF        membrane capacitance
    ``E_Na``            50 mV         sodium reversal potential
    ``E_K``             -77 mV        potassium reversal potential
    ``E_L``             -54.402 mV    leak reversal potential
    ``tau_syn_ex``      0.2 ms        excitatory alpha-current time constant
    ``tau_syn_in``      2 ms          inhibitory alpha-current time constant
    ``I_e``             0 pA          constant input current
    ``V_initializer``   -65 mV        initial ``V`` (NEST's ``V_m``)
    ``m_initializer``   ``None``      initial ``m`` (``Act_m``); ``None``: equilibrium at ``V``
    ``h_initializer``   ``None``      initial ``h`` (``Inact_h``); ``None``: equilibrium
    ``n_initializer``   ``None``      initial ``n`` (``Act_n``); ``None``: equilibrium
    ==================  ============  ==========================================

    NEST's rules: ``C_m > 0``, ``t_ref >= 0``, ``tau_syn_* > 0``, conductances ``>= 0``,
    gating variables ``>= 0``.

    States: ``V``, ``m``, ``h``, ``n``, ``dI_syn_ex``, ``I_syn_ex``, ``dI_syn_in``,
    ``I_syn_in``, ``I_stim``, ``refractory_step_count``, ``integration_step``,
    ``integration_status``, ``last_spike_time``, ``spike``. Recordables (NEST's names):
    ``V_m``, ``I_syn_ex``, ``I_syn_in``, ``Act_m``, ``Inact_h``, ``Act_n``.
    Delta inputs: weights in pA, labelled ``'ex'`` / ``'in'`` (magnitudes) or
    unlabelled (the sign picks the receptor, as in NEST).

    References: A. L. Hodgkin & A. F. Huxley (1952), J. Physiol. 117:500–544;
    W. Gerstner & W. Kistler (2002), *Spiking Neuron Models*, Cambridge Univ. Press;
    NEST ``hh_psc_alpha``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.hh_psc_alpha(2, I_e=1000. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> n.record("V_m")  # NEST's default state
    Quantity([-65. -65.], "mV")
    >>> [round(float(n.record(name)[0]), 6) for name in ("Act_m", "Inact_h", "Act_n")]
    [0.052932, 0.596121, 0.317677]
    """

    RECORDABLES = ("V_m", "I_syn_ex", "I_syn_in", "Act_m", "Inact_h", "Act_n")
    RECEPTOR_TYPES = {"ex": 0, "in": 0}
    GATES = {"m": "Act_m", "h": "Inact_h", "n": "Act_n"}
    SYNAPSES = {
        "dI_syn_ex": u.pA / u.ms,
        "I_syn_ex": u.pA,
        "dI_syn_in": u.pA / u.ms,
        "I_syn_in": u.pA,
    }

    t_ref = Param(u.ms, nonnegative=True)
    C_m = Param(u.pF, positive=True)
    g_Na = Param(u.nS, nonnegative=True)
    g_K = Param(u.nS, nonnegative=True)
    g_L = Param(u.nS, nonnegative=True)
    E_Na = Param(u.mV)
    E_K = Param(u.mV)
    E_L = Param(u.mV)
    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        t_ref: Any = 2.0 * u.ms,
        g_Na: Any = 12000.0 * u.nS,
        g_K: Any = 3600.0 * u.nS,
        g_L: Any = 30.0 * u.nS,
        C_m: Any = 100.0 * u.pF,
        E_Na: Any = 50.0 * u.mV,
        E_K: Any = -77.0 * u.mV,
        E_L: Any = -54.402 * u.mV,
        tau_syn_ex: Any = 0.2 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = -65.0 * u.mV,
        m_initializer: Any = None,
        h_initializer: Any = None,
        n_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        name: str | None = None,
    ):
        gates = {"m": m_initializer, "h": h_initializer, "n": n_initializer}
        super().__init__(in_size, I_e, V_initializer, gates, spk_fun=spk_fun, name=name)
        self.t_ref = t_ref
        self.C_m = C_m
        self.g_Na = g_Na
        self.g_K = g_K
        self.g_L = g_L
        self.E_Na = E_Na
        self.E_K = E_K
        self.E_L = E_L
        self.tau_syn_ex = tau_syn_ex
        self.tau_syn_in = tau_syn_in

    @staticmethod
    def rates(v: Any) -> dict[str, tuple[Any, Any]]:
        """``{gate: (alpha, beta)}`` in 1/ms at ``v`` (mV, plain numbers), NEST's formulas."""
        return {
            "n": ((0.01 * (v + 55.0)) / (1.0 - jnp.exp(-(v + 55.0) / 10.0)),
                  0.125 * jnp.exp(-(v + 65.0) / 80.0)),
            "m": ((0.1 * (v + 40.0)) / (1.0 - jnp.exp(-(v + 40.0) / 10.0)),
                  4.0 * jnp.exp(-(v + 65.0) / 18.0)),
            "h": (0.07 * jnp.exp(-(v + 65.0) / 20.0),
                  1.0 / (1.0 + jnp.exp(-(v + 35.0) / 10.0))),
        }  # fmt: skip

    def derivatives(self, y: dict, t: Any, I_stim: Any) -> dict:
        """The vector field, NEST's ``hh_psc_alpha_dynamics``."""
        V, m, h, n = y["V"], y["m"], y["h"], y["n"]
        rates = self.rates(u.to_float(V, u.mV))
        I_Na = self.g_Na * m * m * m * h * (V - self.E_Na)
        I_K = self.g_K * n * n * n * n * (V - self.E_K)
        I_L = self.g_L * (V - self.E_L)
        I = -(I_Na + I_K + I_L) + I_stim + self.I_e + y["I_syn_ex"] + y["I_syn_in"]
        return {"V": I / self.C_m, **_gates(y, rates), **_alpha_currents(self, y)}

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        V_old = self.V.value
        refractory = self.refractory_step_count.value > 0
        y = self.integrate_adaptive(
            self.derivatives, self.ode_state(), self.I_stim.value, **self.CONTROL
        ).y
        y = _add_alpha_spikes(self, y)
        spike = self.detect_spike(V_old, y["V"], refractory)
        self._store(y)
        self.emit(spike, refractory_steps(self.t_ref))
        self.buffer_current(x)
        return spike


def _gates(y: dict, rates: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """``dx/dt = alpha (1 - x) - beta x`` for each gate, in 1/ms."""
    return {
        gate: (alpha * (1 - y[gate]) - beta * y[gate]) / u.ms
        for gate, (alpha, beta) in rates.items()
    }


def _alpha_currents(model: Any, y: dict) -> dict[str, Any]:
    """The alpha-current pairs: ``d dI/dt = -dI / tau``, ``dI/dt = dI - I / tau``."""
    return {
        "dI_syn_ex": -y["dI_syn_ex"] / model.tau_syn_ex,
        "I_syn_ex": y["dI_syn_ex"] - y["I_syn_ex"] / model.tau_syn_ex,
        "dI_syn_in": -y["dI_syn_in"] / model.tau_syn_in,
        "I_syn_in": y["dI_syn_in"] - y["I_syn_in"] / model.tau_syn_in,
    }


def _add_alpha_spikes(model: Any, y: dict) -> dict:
    """This step's spikes: ``dI_syn += w e / tau_syn`` (``w`` signed, in pA)."""
    y = dict(y)
    y["dI_syn_ex"] = _plus(
        y["dI_syn_ex"], model.spike_inputs("ex", sign=+1), math.e / model.tau_syn_ex
    )
    y["dI_syn_in"] = _plus(
        y["dI_syn_in"], model.spike_inputs("in", sign=-1), math.e / model.tau_syn_in
    )
    return y


def _plus(value: Any, jump: Any, scale: Any = None) -> Any:
    """``value + jump * scale``; no inputs (``jump`` a plain 0) leave ``value`` as it is."""
    if not u.has_unit(jump):
        return value
    return value + (jump if scale is None else jump * scale)


def _check_gate(name: str, value: Any, shape: tuple[int, ...]) -> None:
    """NEST's rule for an initial gating value: non-negative (checked when concrete)."""
    if value is None or callable(value) or isinstance(value, jax.core.Tracer):
        return
    parameter(name, np.asarray(value), shape=shape, nonnegative=True)
