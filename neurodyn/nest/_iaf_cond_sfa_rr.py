"""NEST's ``iaf_cond_exp_sfa_rr``: ``iaf_cond_exp`` with two spike-triggered conductances,
one for spike-frequency adaptation and one for relative refractoriness."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core._params import Param
from ..surrogate import Surrogate
from ._iaf_cond import iaf_cond_exp


class iaf_cond_exp_sfa_rr(iaf_cond_exp):  # noqa: N801 (NEST's model name)
    r"""Conductance-based leaky integrate-and-fire neuron with spike-frequency adaptation
    and relative refractoriness (NEST ``iaf_cond_exp_sfa_rr``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) + I_e + I_{stim} - g_{ex}(V - E_{ex})
       - g_{in}(V - E_{in}) - g_{sfa}(V - E_{sfa}) - g_{rr}(V - E_{rr}),

       \frac{dg_{ex,in}}{dt} = -\frac{g_{ex,in}}{\tau_{syn,ex,in}}, \qquad
       \frac{dg_{sfa}}{dt} = -\frac{g_{sfa}}{\tau_{sfa}}, \qquad
       \frac{dg_{rr}}{dt} = -\frac{g_{rr}}{\tau_{rr}}

    Every spike adds ``q_sfa`` to ``g_sfa`` (a slow conductance: the rate adapts) and
    ``q_rr`` to ``g_rr`` (a fast one: the neuron is hard to excite right after a spike,
    beyond the absolute refractory period ``t_ref``). As in ``iaf_cond_exp``, inside the
    vector field ``V`` is bounded by ``V_th`` and, while refractory, held at ``V_reset``
    with :math:`dV/dt = 0`; a spike of weight ``w`` (nS) adds ``|w|`` to ``g_ex``
    (``w > 0``) or ``g_in`` (``w < 0``).

    ==================  ============  ==========================================
    parameter           default       meaning
    ==================  ============  ==========================================
    ``V_th``            -57 mV        spike threshold
    ``V_reset``         -70 mV        reset potential (``< V_th``)
    ``t_ref``           0.5 ms        absolute refractory period (``>= 0``)
    ``g_L``             28.95 nS      leak conductance
    ``C_m``             289.5 pF      membrane capacitance (``> 0``)
    ``E_ex``            0 mV          excitatory reversal potential
    ``E_in``            -75 mV        inhibitory reversal potential
    ``E_L``             -70 mV        leak reversal potential
    ``tau_syn_ex``      1.5 ms        excitatory conductance time constant (``> 0``)
    ``tau_syn_in``      10 ms         inhibitory conductance time constant (``> 0``)
    ``I_e``             0 pA          constant input current
    ``tau_sfa``         110 ms        adaptation conductance time constant (``> 0``)
    ``tau_rr``          1.97 ms       relative refractory time constant (``> 0``)
    ``E_sfa``           -70 mV        adaptation reversal potential
    ``E_rr``            -70 mV        relative refractory reversal potential
    ``q_sfa``           14.48 nS      adaptation jump per spike (``>= 0``)
    ``q_rr``            3214 nS       relative refractory jump per spike (``>= 0``)
    ``V_initializer``   ``E_L``       initial membrane potential
    ==================  ============  ==========================================

    Each step: (1) integrate ``(V, g_ex, g_in, g_sfa, g_rr)`` over ``dt`` by RKF45 with
    the current buffered in the previous step plus ``I_e``; (2) add the arriving spikes to
    ``g_ex``, ``g_in``; (3) clamp refractory neurons to ``V_reset`` and count down, or
    spike where ``V >= V_th``: reset, start the refractory count and add ``q_sfa``,
    ``q_rr`` to ``g_sfa``, ``g_rr``; (4) buffer the stimulation current.

    States: ``V``, ``g_ex``, ``g_in``, ``g_sfa``, ``g_rr``, ``I_stim``,
    ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``last_spike_time``, ``spike``. Recordables: ``V_m``, ``g_ex``, ``g_in``, ``g_sfa``,
    ``g_rr``. Delta inputs: weights in nS, labelled ``'ex'`` / ``'in'`` (magnitudes) or
    unlabelled (the sign picks the receptor, as in NEST).

    References: Dayan & Abbott (2001), *Theoretical Neuroscience*, MIT Press, p. 166;
    Meffin, Burkitt & Grayden (2004), J. Comput. Neurosci. 16:159; NEST
    ``iaf_cond_exp_sfa_rr``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_cond_exp_sfa_rr(1, I_e=1000. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 100. * u.ms, monitors={"spike": n.spike})
    >>> steps = out["spike"][:, 0].nonzero()[0]
    >>> bool(steps[2] - steps[1] > steps[1] - steps[0])  # the intervals grow: adaptation
    True
    """

    RECORDABLES = ("V_m", "g_ex", "g_in", "g_sfa", "g_rr")
    SYNAPTIC_STATES = {"g_ex": u.nS, "g_in": u.nS, "g_sfa": u.nS, "g_rr": u.nS}

    tau_sfa = Param(u.ms, positive=True)
    tau_rr = Param(u.ms, positive=True)
    E_sfa = Param(u.mV)
    E_rr = Param(u.mV)
    q_sfa = Param(u.nS, nonnegative=True)
    q_rr = Param(u.nS, nonnegative=True)

    def __init__(
        self,
        in_size: Any,
        V_th: Any = -57.0 * u.mV,
        V_reset: Any = -70.0 * u.mV,
        t_ref: Any = 0.5 * u.ms,
        g_L: Any = 28.95 * u.nS,
        C_m: Any = 289.5 * u.pF,
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -75.0 * u.mV,
        E_L: Any = -70.0 * u.mV,
        tau_syn_ex: Any = 1.5 * u.ms,
        tau_syn_in: Any = 10.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        tau_sfa: Any = 110.0 * u.ms,
        tau_rr: Any = 1.97 * u.ms,
        E_sfa: Any = -70.0 * u.mV,
        E_rr: Any = -70.0 * u.mV,
        q_sfa: Any = 14.48 * u.nS,
        q_rr: Any = 3214.0 * u.nS,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, V_th, V_reset, t_ref, g_L, C_m, E_ex, E_in, E_L, tau_syn_ex, tau_syn_in,
            I_e, V_initializer, spk_fun, spk_reset, name,
        )  # fmt: skip
        self.tau_sfa = tau_sfa
        self.tau_rr = tau_rr
        self.E_sfa = E_sfa
        self.E_rr = E_rr
        self.q_sfa = q_sfa
        self.q_rr = q_rr

    def derivatives(self, y: dict, t: Any, I_stim: Any, refractory: Any) -> dict:
        """The vector field, NEST's ``iaf_cond_exp_sfa_rr_dynamics`` (its order of terms)."""
        V = self._seen_V(y["V"], refractory)
        I_syn_ex = y["g_ex"] * (V - self.E_ex)
        I_syn_in = y["g_in"] * (V - self.E_in)
        I_L = self.g_L * (V - self.E_L)
        I_sfa = y["g_sfa"] * (V - self.E_sfa)
        I_rr = y["g_rr"] * (V - self.E_rr)
        dV = (-I_L + I_stim + self.I_e - I_syn_ex - I_syn_in - I_sfa - I_rr) / self.C_m
        return {
            "V": u.math.where(refractory, 0.0 * dV, dV),
            "g_ex": -y["g_ex"] / self.tau_syn_ex,
            "g_in": -y["g_in"] / self.tau_syn_in,
            "g_sfa": -y["g_sfa"] / self.tau_sfa,
            "g_rr": -y["g_rr"] / self.tau_rr,
        }

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        """``iaf_cond_exp``'s step, then the spike-triggered jumps of ``g_sfa``, ``g_rr``."""
        spike = super().update(x)
        self.g_sfa.value = self.g_sfa.value + self.q_sfa * spike
        self.g_rr.value = self.g_rr.value + self.q_rr * spike
        return spike
