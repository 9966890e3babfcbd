"""NEST's conductance-based leaky integrate-and-fire models, integrated by adaptive RKF45.

``iaf_cond_exp``, ``iaf_cond_alpha`` and ``iaf_cond_beta`` share the membrane and
differ in the time course of a synaptic conductance: a jump and exponential decay,
an alpha function, or a difference of exponentials (beta function). Each step follows
NEST's order: integrate ``V`` and the conductances over ``dt`` with GSL-style RKF45
(absolute tolerance 1e-3 in mV, nS and nS/ms; per-neuron persistent step size), add the
arriving spikes, then either count the refractory period down (``V`` clamped to
``V_reset``) or test the threshold, and buffer the stimulation current for the next step.
``iaf_cond_exp`` adds the spikes before the threshold test, the other two after it (as
NEST does; the order does not change the result, since spikes do not move ``V`` at once).
"""

from __future__ import annotations

import math
from typing import Any

from .. import units as u
from ..core._params import Param
from ..surrogate import Surrogate
from ._conductance import _CONTROL, _ConductanceIAF, beta_normalization


class iaf_cond_exp(_ConductanceIAF):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron, exponential conductances (NEST ``iaf_cond_exp``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) - g_{ex}(V - E_{ex}) - g_{in}(V - E_{in})
       + I_e + I_{stim},
       \qquad \frac{dg_{ex,in}}{dt} = -\frac{g_{ex,in}}{\tau_{syn,ex,in}}

    Inside the vector field ``V`` is bounded by ``V_th`` and, while refractory, held at
    ``V_reset`` with :math:`dV/dt = 0`, as in NEST. A spike of weight ``w`` (nS) adds
    ``|w|`` to ``g_ex`` (``w > 0``) or ``g_in`` (``w < 0``).

    ==================  ============  ==========================================
    parameter           default       meaning
    ==================  ============  ==========================================
    ``V_th``            -55 mV        spike threshold
    ``V_reset``         -60 mV        reset potential (``< V_th``)
    ``t_ref``           2 ms          refractory period
    ``g_L``             16.6667 nS    leak conductance
    ``C_m``             250 pF        membrane capacitance
    ``E_ex``            0 mV          excitatory reversal potential
    ``E_in``            -85 mV        inhibitory reversal potential
    ``E_L``             -70 mV        leak reversal potential
    ``tau_syn_ex``      0.2 ms        excitatory conductance time constant
    ``tau_syn_in``      2 ms          inhibitory conductance time constant
    ``I_e``             0 pA          constant input current
    ``V_initializer``   ``E_L``       initial membrane potential
    ==================  ============  ==========================================

    Each step: (1) integrate ``(V, g_ex, g_in)`` over ``dt`` by RKF45 with the buffered
    current; (2) add the arriving spikes to ``g_ex``, ``g_in``; (3) clamp refractory
    neurons to ``V_reset`` and count down, or spike where ``V >= V_th``, reset and start
    the refractory count; (4) buffer the stimulation current.

    States: ``V``, ``g_ex``, ``g_in``, ``I_stim``, ``refractory_step_count``,
    ``integration_step``, ``integration_status``, ``last_spike_time``, ``spike``.
    Delta inputs: weights in nS, labelled ``'ex'`` / ``'in'`` (magnitudes) or
    unlabelled (the sign picks the receptor, as in NEST).

    Reference: Meffin, Burkitt & Grayden (2004), J. Comput. Neurosci. 16:159;
    NEST ``iaf_cond_exp``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_cond_exp(2, I_e=400. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> n().shape
    (2,)
    """

    RECORDABLES = ("V_m", "g_ex", "g_in")
    SYNAPTIC_STATES = {"g_ex": u.nS, "g_in": u.nS}

    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -60.0 * u.mV,
        t_ref: Any = 2.0 * u.ms,
        g_L: Any = 16.6667 * u.nS,
        C_m: Any = 250.0 * u.pF,
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -85.0 * u.mV,
        E_L: Any = -70.0 * u.mV,
        tau_syn_ex: Any = 0.2 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, V_th, V_reset, t_ref, g_L, C_m, E_ex, E_in, E_L, I_e, V_initializer,
            spk_fun, spk_reset, name,
        )  # fmt: skip
        self.tau_syn_ex = tau_syn_ex
        self.tau_syn_in = tau_syn_in

    def derivatives(self, y: dict, t: Any, I_stim: Any, refractory: Any) -> dict:
        """The vector field, NEST's ``iaf_cond_exp_dynamics`` (terms summed in its order)."""
        V = self._seen_V(y["V"], refractory)
        I_syn_ex = y["g_ex"] * (V - self.E_ex)
        I_syn_in = y["g_in"] * (V - self.E_in)
        I_L = self.g_L * (V - self.E_L)
        dV = (-I_L + I_stim + self.I_e - I_syn_ex - I_syn_in) / self.C_m
        return {
            "V": u.math.where(refractory, 0.0 * dV, dV),
            "g_ex": -y["g_ex"] / self.tau_syn_ex,
            "g_in": -y["g_in"] / self.tau_syn_in,
        }

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        refractory = self.refractory_step_count.value > 0
        y = self.integrate_adaptive(
            self.derivatives, self._state(), self.I_stim.value, refractory, **_CONTROL
        ).y
        g_ex = y["g_ex"] + self.spike_inputs("ex", sign=+1)
        g_in = y["g_in"] - self.spike_inputs("in", sign=-1)
        spike, V = self._threshold(y["V"], refractory)
        synapses = {name: y[name] for name in self.SYNAPTIC_STATES} | {"g_ex": g_ex, "g_in": g_in}
        return self._finish(V, synapses, spike, x)


class _RiseDecayConductanceIAF(_ConductanceIAF):
    """``iaf_cond_alpha`` and ``iaf_cond_beta``: each conductance is driven by its
    derivative ``dg``, which a spike makes jump; :meth:`kinetics` gives the constants."""

    RECORDABLES = ("V_m", "g_ex", "g_in", "t_ref_remaining")
    SYNAPTIC_STATES = {"dg_ex": u.nS / u.ms, "g_ex": u.nS, "dg_in": u.nS / u.ms, "g_in": u.nS}

    def kinetics(self, receptor: str) -> tuple[Any, Any, Any]:
        """``(tau_rise, tau_decay, jump)`` of ``receptor`` (``'ex'`` or ``'in'``): a spike of
        weight ``w`` adds ``w * jump`` to ``dg``."""
        raise NotImplementedError

    def derivatives(self, y: dict, t: Any, I_stim: Any, refractory: Any) -> dict:
        """The vector field, NEST's ``iaf_cond_{alpha,beta}_dynamics`` (its order of terms)."""
        V = self._seen_V(y["V"], refractory)
        I_syn_ex = y["g_ex"] * (V - self.E_ex)
        I_syn_in = y["g_in"] * (V - self.E_in)
        I_leak = self.g_L * (V - self.E_L)
        dV = (-I_leak - I_syn_ex - I_syn_in + I_stim + self.I_e) / self.C_m
        tau_rise_ex, tau_decay_ex, _ = self.kinetics("ex")
        tau_rise_in, tau_decay_in, _ = self.kinetics("in")
        return {
            "V": u.math.where(refractory, 0.0 * dV, dV),
            "dg_ex": -y["dg_ex"] / tau_decay_ex,
            "g_ex": y["dg_ex"] - y["g_ex"] / tau_rise_ex,
            "dg_in": -y["dg_in"] / tau_decay_in,
            "g_in": y["dg_in"] - y["g_in"] / tau_rise_in,
        }

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        refractory = self.refractory_step_count.value > 0
        y = self.integrate_adaptive(
            self.derivatives, self._state(), self.I_stim.value, refractory, **_CONTROL
        ).y
        spike, V = self._threshold(y["V"], refractory)
        dg_ex = y["dg_ex"] + self._weight("ex", +1) * self.kinetics("ex")[2]
        dg_in = y["dg_in"] + self._weight("in", -1) * self.kinetics("in")[2]
        synapses = {"dg_ex": dg_ex, "g_ex": y["g_ex"], "dg_in": dg_in, "g_in": y["g_in"]}
        return self._finish(V, synapses, spike, x)


class iaf_cond_alpha(_RiseDecayConductanceIAF):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron, alpha-function conductances (NEST ``iaf_cond_alpha``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) - g_{ex}(V - E_{ex}) - g_{in}(V - E_{in})
       + I_e + I_{stim},

       \frac{d\,dg_{ex}}{dt} = -\frac{dg_{ex}}{\tau_{syn,ex}},
       \qquad \frac{dg_{ex}}{dt} = dg_{ex} - \frac{g_{ex}}{\tau_{syn,ex}}
       \quad (\text{same for } in)

    A spike of weight ``w`` (nS) adds ``|w| e / \tau_{syn}`` to ``dg_ex`` (``w > 0``) or
    ``dg_in`` (``w < 0``), so the conductance follows the alpha function
    :math:`|w|\, (t/\tau_{syn})\, e^{1 - t/\tau_{syn}}`, which peaks at ``|w|`` after
    :math:`\tau_{syn}`. Inside the vector field ``V`` is bounded by ``V_th`` and, while
    refractory, held at ``V_reset`` with :math:`dV/dt = 0`, as in NEST.

    ==================  ============  ==========================================
    parameter           default       meaning
    ==================  ============  ==========================================
    ``V_th``            -55 mV        spike threshold
    ``V_reset``         -60 mV        reset potential (``< V_th``)
    ``t_ref``           2 ms          refractory period (``>= 0``)
    ``g_L``             16.6667 nS    leak conductance
    ``C_m``             250 pF        membrane capacitance (``> 0``)
    ``E_ex``            0 mV          excitatory reversal potential
    ``E_in``            -85 mV        inhibitory reversal potential
    ``E_L``             -70 mV        leak reversal potential
    ``tau_syn_ex``      0.2 ms        excitatory alpha time constant (``> 0``)
    ``tau_syn_in``      2 ms          inhibitory alpha time constant (``> 0``)
    ``I_e``             0 pA          constant input current
    ``V_initializer``   ``E_L``       initial membrane potential
    ==================  ============  ==========================================

    Each step: (1) integrate ``(V, dg_ex, g_ex, dg_in, g_in)`` over ``dt`` by RKF45 with
    the current buffered in the previous step plus ``I_e``; (2) clamp refractory neurons
    to ``V_reset`` and count down, or spike where ``V >= V_th``, reset and start the
    refractory count; (3) add the arriving spikes to ``dg_ex``, ``dg_in``; (4) buffer
    the stimulation current.

    States: ``V``, ``dg_ex``, ``g_ex``, ``dg_in``, ``g_in``, ``I_stim``,
    ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``last_spike_time``, ``spike``. Recordables: ``V_m``, ``g_ex``, ``g_in`` and
    ``t_ref_remaining`` (``dt`` times the refractory steps left). Delta inputs: weights
    in nS, labelled ``'ex'`` / ``'in'`` (magnitudes) or unlabelled (the sign picks the
    receptor, as in NEST).

    References: Meffin, Burkitt & Grayden (2004), J. Comput. Neurosci. 16:159;
    Bernander, Douglas, Martin & Koch (1991), PNAS 88:11569; Kuhn, Aertsen & Rotter
    (2004), J. Neurosci. 24:2345; NEST ``iaf_cond_alpha``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_cond_alpha(2, I_e=400. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> n().shape
    (2,)
    >>> n.recordables
    ('V_m', 'g_ex', 'g_in', 't_ref_remaining')
    """

    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -60.0 * u.mV,
        t_ref: Any = 2.0 * u.ms,
        g_L: Any = 16.6667 * u.nS,
        C_m: Any = 250.0 * u.pF,
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -85.0 * u.mV,
        E_L: Any = -70.0 * u.mV,
        tau_syn_ex: Any = 0.2 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, V_th, V_reset, t_ref, g_L, C_m, E_ex, E_in, E_L, I_e, V_initializer,
            spk_fun, spk_reset, name,
        )  # fmt: skip
        self.tau_syn_ex = tau_syn_ex
        self.tau_syn_in = tau_syn_in

    def kinetics(self, receptor: str) -> tuple[Any, Any, Any]:
        tau = self.tau_syn_ex if receptor == "ex" else self.tau_syn_in
        return tau, tau, math.e / tau


class iaf_cond_beta(_RiseDecayConductanceIAF):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron, beta-function conductances (NEST ``iaf_cond_beta``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) - g_{ex}(V - E_{ex}) - g_{in}(V - E_{in})
       + I_e + I_{stim},

       \frac{d\,dg_{ex}}{dt} = -\frac{dg_{ex}}{\tau_{decay,ex}},
       \qquad \frac{dg_{ex}}{dt} = dg_{ex} - \frac{g_{ex}}{\tau_{rise,ex}}
       \quad (\text{same for } in)

    A spike of weight ``w`` (nS) adds :math:`|w| \kappa` to ``dg_ex`` (``w > 0``) or
    ``dg_in`` (``w < 0``), where :math:`\kappa` (:func:`beta_normalization`, NEST's
    ``beta_normalization_factor``) makes the conductance

    .. math::

       g(t) = \frac{|w| \kappa}{1/\tau_{rise} - 1/\tau_{decay}}
       \left(e^{-t/\tau_{decay}} - e^{-t/\tau_{rise}}\right)

    peak at ``|w|``. With ``tau_rise == tau_decay`` (the defaults) this is NEST's
    ``iaf_cond_alpha`` (:math:`\kappa = e/\tau`). Inside the vector field ``V`` is bounded
    by ``V_th`` and, while refractory, held at ``V_reset`` with :math:`dV/dt = 0`.

    ==================  ============  ==========================================
    parameter           default       meaning
    ==================  ============  ==========================================
    ``V_th``            -55 mV        spike threshold
    ``V_reset``         -60 mV        reset potential (``< V_th``)
    ``t_ref``           2 ms          refractory period (``>= 0``)
    ``g_L``             16.6667 nS    leak conductance
    ``C_m``             250 pF        membrane capacitance (``> 0``)
    ``E_ex``            0 mV          excitatory reversal potential
    ``E_in``            -85 mV        inhibitory reversal potential
    ``E_L``             -70 mV        leak reversal potential
    ``tau_rise_ex``     0.2 ms        excitatory rise time constant (``> 0``)
    ``tau_decay_ex``    0.2 ms        excitatory decay time constant (``> 0``)
    ``tau_rise_in``     2 ms          inhibitory rise time constant (``> 0``)
    ``tau_decay_in``    2 ms          inhibitory decay time constant (``> 0``)
    ``I_e``             0 pA          constant input current
    ``V_initializer``   ``E_L``       initial membrane potential
    ==================  ============  ==========================================

    Each step: (1) integrate ``(V, dg_ex, g_ex, dg_in, g_in)`` over ``dt`` by RKF45 with
    the current buffered in the previous step plus ``I_e``; (2) clamp refractory neurons
    to ``V_reset`` and count down, or spike where ``V >= V_th``, reset and start the
    refractory count; (3) add the arriving spikes to ``dg_ex``, ``dg_in``; (4) buffer
    the stimulation current.

    States: ``V``, ``dg_ex``, ``g_ex``, ``dg_in``, ``g_in``, ``I_stim``,
    ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``last_spike_time``, ``spike``. Recordables: ``V_m``, ``g_ex``, ``g_in`` and
    ``t_ref_remaining``. Delta inputs: weights in nS, labelled ``'ex'`` / ``'in'``
    (magnitudes) or unlabelled (the sign picks the receptor, as in NEST).

    References: Rotter & Diesmann (1999), Biol. Cybern. 81:381; Roth & van Rossum
    (2010), *Modeling synapses*, in De Schutter (ed.), Computational Modeling Methods
    for Neuroscientists, MIT Press; Meffin, Burkitt & Grayden (2004), J. Comput.
    Neurosci. 16:159; NEST ``iaf_cond_beta``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_cond_beta(1, tau_rise_ex=0.5 * u.ms, tau_decay_ex=3. * u.ms)
    >>> _ = nd.init_all_states(n)
    >>> n.add_delta_input("spike", lambda: 2. * u.nS, label="ex")  # 2 nS each step
    >>> _ = n()
    >>> round(float(n.dg_ex.value[0].to_decimal(u.nS / u.ms)), 4)  # 2 nS * kappa (2.862/ms)
    5.7239
    """

    tau_rise_ex = Param(u.ms, positive=True)
    tau_decay_ex = Param(u.ms, positive=True)
    tau_rise_in = Param(u.ms, positive=True)
    tau_decay_in = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -60.0 * u.mV,
        t_ref: Any = 2.0 * u.ms,
        g_L: Any = 16.6667 * u.nS,
        C_m: Any = 250.0 * u.pF,
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -85.0 * u.mV,
        E_L: Any = -70.0 * u.mV,
        tau_rise_ex: Any = 0.2 * u.ms,
        tau_decay_ex: Any = 0.2 * u.ms,
        tau_rise_in: Any = 2.0 * u.ms,
        tau_decay_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, V_th, V_reset, t_ref, g_L, C_m, E_ex, E_in, E_L, I_e, V_initializer,
            spk_fun, spk_reset, name,
        )  # fmt: skip
        self.tau_rise_ex = tau_rise_ex
        self.tau_decay_ex = tau_decay_ex
        self.tau_rise_in = tau_rise_in
        self.tau_decay_in = tau_decay_in

    def kinetics(self, receptor: str) -> tuple[Any, Any, Any]:
        if receptor == "ex":
            rise, decay = self.tau_rise_ex, self.tau_decay_ex
        else:
            rise, decay = self.tau_rise_in, self.tau_decay_in
        return rise, decay, beta_normalization(rise, decay)
