r"""NEST's generalized integrate-and-fire models with escape noise (Mensi et al. 2012;
Pozzorini et al. 2015): ``gif_psc_exp`` and ``gif_cond_exp``.

The membrane is leaky with spike-triggered currents :math:`\eta_k` (``q_stc``,
``tau_stc``) and a threshold moved by spike-triggered kernels :math:`\gamma_k`
(``q_sfa``, ``tau_sfa``). A free neuron fires in a step of length :math:`h` with
probability :math:`1 - e^{-\lambda h}`, :math:`\lambda = \lambda_0
e^{(V - V_T)/\Delta_V}`. Each step follows NEST's order:

1. ``I_stc`` (:math:`\sum_k \eta_k`) and ``E_sfa`` (:math:`V_T^* + \sum_k \gamma_k`)
   are read, then the kernels decay;
2. the membrane and synapses advance (``gif_psc_exp``: the currents decay and the
   arriving spikes are added *before* ``V`` is updated with them; ``gif_cond_exp``:
   RKF45 over the step, then the spikes are added to the conductances);
3. a free neuron draws a uniform number :math:`U` and fires if
   :math:`U < 1 - e^{-\lambda h}`; then :math:`\eta_k \mathrel{+}= q_{\eta,k}`,
   :math:`\gamma_k \mathrel{+}= q_{\gamma,k}` and the refractory count starts.
   ``V`` is not reset in the spike's step: in each of the ``t_ref`` steps that follow
   it is set to ``V_reset`` (the kernels and synapses go on evolving);
4. the stimulation current is buffered for the next step.

The uniform numbers come from neurodyn's default random stream (one key per step),
so a run is reproducible from ``nd.random.seed`` and continues across ``nd.run`` calls.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._params import Param
from ..core._state import HiddenState
from ..devices._sampling import random_uniform
from ..neurons._base import initial_value, refractory_steps
from . import _kernels as kernels
from . import _propagators as prop
from ._base import NESTNeuron


class _GIF(NESTNeuron):
    """The membrane, kernels and escape noise shared by the GIF models."""

    RECORDABLES = ("V_m", "E_sfa", "I_stc")

    g_L = Param(u.nS, positive=True)
    E_L = Param(u.mV)
    V_reset = Param(u.mV)
    Delta_V = Param(u.mV, positive=True)
    V_T_star = Param(u.mV)
    lambda_0 = Param(u.Hz, nonnegative=True)
    t_ref = Param(u.ms, nonnegative=True)
    C_m = Param(u.pF, positive=True)
    q_stc = kernels.KernelList(u.pA)
    tau_stc = kernels.KernelList(u.ms, positive=True)
    q_sfa = kernels.KernelList(u.mV)
    tau_sfa = kernels.KernelList(u.ms, positive=True)

    def __init__(self, in_size: Any, I_e: Any, V_initializer: Any, name: str | None, **params):
        super().__init__(in_size, I_e, name=name)
        for key in ("q_stc", "tau_stc", "q_sfa", "tau_sfa"):
            setattr(self, key, params.pop(key))
        kernels.check_pairs(self, ("q_stc", "tau_stc"), ("q_sfa", "tau_sfa"))
        for key, value in params.items():
            setattr(self, key, value)
        self.V_initializer = V_initializer

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        V = initial_value("V_initializer", self.V_initializer, u.mV, self.varshape, batch_size)
        self.V = HiddenState(V, name="V")
        self.stc_elems = HiddenState(kernels.zeros(self, "q_stc", batch_size), name="stc_elems")
        self.sfa_elems = HiddenState(kernels.zeros(self, "q_sfa", batch_size), name="sfa_elems")
        zeros = jnp.zeros_like(V.mantissa)
        self.I_stc = HiddenState(u.with_unit(zeros, u.pA), name="I_stc")
        self.E_sfa = HiddenState(u.with_unit(zeros, u.mV), name="E_sfa")

    def _recordable(self, name: str) -> Any:
        return {"V_m": self.V}.get(name, getattr(self, name, None)).value

    def read_and_decay_kernels(self) -> tuple[Any, Any]:
        """Step 1: ``(I_stc, E_sfa)`` of this step, kept for recording; the kernels decay."""
        I_stc = u.math.sum(self.stc_elems.value, axis=-1)
        E_sfa = self.V_T_star + u.math.sum(self.sfa_elems.value, axis=-1)
        self.I_stc.value, self.E_sfa.value = I_stc, E_sfa
        self.stc_elems.value = kernels.decay(self.stc_elems.value, self.tau_stc)
        self.sfa_elems.value = kernels.decay(self.sfa_elems.value, self.tau_sfa)
        return I_stc, E_sfa

    def escape(self, V: Any, E_sfa: Any, refractory: Any) -> Any:
        r"""Step 3: spikes (1.0 / 0.0) drawn with probability :math:`1 - e^{-\lambda h}`
        where free; the kernels jump and the refractory count starts where one fires.
        ``V`` is the free membrane potential; returns ``(spike, V)`` with ``V`` set to
        ``V_reset`` where refractory."""
        h = u.to_float(environ.get_dt(), u.ms)
        rate = u.to_float(self.lambda_0, u.Hz) / 1000.0  # 1/ms
        intensity = rate * jnp.exp(u.to_float((V - E_sfa) / self.Delta_V, u.UNITLESS))
        probability = -jnp.expm1(-intensity * h)
        U = random_uniform(nd_random.split_key(), jnp.shape(probability))
        fires = ~refractory & (U < probability)
        self.stc_elems.value = kernels.jump(self.stc_elems.value, self.q_stc, fires)
        self.sfa_elems.value = kernels.jump(self.sfa_elems.value, self.q_sfa, fires)
        spike = fires.astype(environ.dftype())
        self.emit(spike, refractory_steps(self.t_ref))
        return spike, u.math.where(refractory, self.V_reset, V)


_PARAMETERS = """\
    ==================  ============  ===============================================
    parameter           default       meaning
    ==================  ============  ===============================================
    ``g_L``             4 nS          leak conductance
    ``E_L``             -70 mV        leak reversal potential
    ``C_m``             80 pF         membrane capacitance
    ``V_reset``         -55 mV        potential held during the refractory period
    ``t_ref``           4 ms          refractory period
    ``V_T_star``        -35 mV        base threshold :math:`V_T^*`
    ``Delta_V``         0.5 mV        stochasticity level :math:`\\Delta_V`
    ``lambda_0``        1 Hz          intensity at the threshold :math:`\\lambda_0`
    ``q_stc``           [] pA         jumps of the spike-triggered currents
    ``tau_stc``         [] ms         their time constants (one per ``q_stc``)
    ``q_sfa``           [] mV         jumps of the threshold kernels
    ``tau_sfa``         [] ms         their time constants (one per ``q_sfa``)
    ``I_e``             0 pA          constant input current
    ``V_initializer``   -70 mV        initial membrane potential (NEST's, whatever
                                      ``E_L``)"""

_REFERENCES = """\
    References: Mensi S, Naud R, Pozzorini C, Avermann M, Petersen CCH, Gerstner W
    (2012), J. Neurophysiol. 107:1756; Pozzorini C, Mensi S, Hagens O, Naud R, Koch C,
    Gerstner W (2015), PLoS Comput. Biol. 11:e1004275; NEST"""


class gif_psc_exp(_GIF):  # noqa: N801 (NEST's model name)
    r"""Generalized integrate-and-fire neuron with escape noise and exponential PSCs
    (NEST ``gif_psc_exp``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) - \sum_k \eta_k + I_{ex} + I_{in} + I_e
       + I_{stim}, \qquad \tau_{\eta,k} \frac{d\eta_k}{dt} = -\eta_k,

       V_T = V_T^* + \sum_k \gamma_k, \qquad \tau_{\gamma,k}\frac{d\gamma_k}{dt} = -\gamma_k,
       \qquad \lambda = \lambda_0 \exp\frac{V - V_T}{\Delta_V},

       \frac{dI_{ex,in}}{dt} = -\frac{I_{ex,in}}{\tau_{syn,ex,in}}

    ``V`` is integrated exactly (:math:`\tau_m = C_m / g_L`); a spike of weight ``w``
    (pA) adds ``w`` to ``I_ex`` (``w >= 0``) or ``I_in`` (``w < 0``). At a spike each
    :math:`\eta_k` jumps by ``q_stc[k]`` and each :math:`\gamma_k` by ``q_sfa[k]``. The
    step's order is the module's (:mod:`neurodyn.nest._gif`).

    {parameters}
    ``tau_syn_ex``      2 ms          excitatory synaptic time constant
    ``tau_syn_in``      2 ms          inhibitory synaptic time constant
    ==================  ============  ===============================================

    NEST's documentation gives ``q_stc`` in nA; its code adds it to currents in pA, as
    here. States: ``V``, ``I_syn_ex``, ``I_syn_in``, ``stc_elems`` and ``sfa_elems``
    (the kernels along the last axis), ``I_stc``, ``E_sfa``, ``I_stim``,
    ``refractory_step_count``, ``last_spike_time``, ``spike``. Delta inputs: weights
    in pA, labelled ``'ex'`` / ``'in'`` (magnitudes) or unlabelled (the sign picks the
    receptor).

    {references} ``gif_psc_exp``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.random.seed(0)
    >>> n = nd.nest.gif_psc_exp(100, I_e=150. * u.pA, q_sfa=[10.] * u.mV,
    ...                         tau_sfa=[100.] * u.ms)
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 200. * u.ms, monitors={"spike": n.spike})
    >>> 0 < float(out["spike"].sum()) / 100 < 20  # spikes per neuron in 200 ms
    True
    """

    RECORDABLES = ("V_m", "E_sfa", "I_stc", "I_syn_ex", "I_syn_in")
    RECEPTOR_TYPES = {"ex": 0, "in": 0}

    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        g_L: Any = 4.0 * u.nS,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 80.0 * u.pF,
        V_reset: Any = -55.0 * u.mV,
        t_ref: Any = 4.0 * u.ms,
        V_T_star: Any = -35.0 * u.mV,
        Delta_V: Any = 0.5 * u.mV,
        lambda_0: Any = 1.0 * u.Hz,
        q_stc: Any = (),
        tau_stc: Any = (),
        q_sfa: Any = (),
        tau_sfa: Any = (),
        tau_syn_ex: Any = 2.0 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = -70.0 * u.mV,
        name: str | None = None,
    ):
        super().__init__(
            in_size, I_e, V_initializer, name, g_L=g_L, E_L=E_L, C_m=C_m, V_reset=V_reset,
            t_ref=t_ref, V_T_star=V_T_star, Delta_V=Delta_V, lambda_0=lambda_0, q_stc=q_stc,
            tau_stc=tau_stc, q_sfa=q_sfa, tau_sfa=tau_sfa, tau_syn_ex=tau_syn_ex,
            tau_syn_in=tau_syn_in,
        )  # fmt: skip

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = u.with_unit(jnp.zeros_like(self.V.value.mantissa), u.pA)
        self.I_syn_ex = HiddenState(zeros, name="I_syn_ex")
        self.I_syn_in = HiddenState(zeros, name="I_syn_in")

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        I_stc, E_sfa = self.read_and_decay_kernels()
        h, C = u.to_float(environ.get_dt(), u.ms), u.to_float(self.C_m, u.pF)
        tau_m = u.to_float(self.C_m / self.g_L, u.ms)
        I_ex, I_in = (
            u.to_float(state.value, u.pA) * prop.decay(h, u.to_float(tau, u.ms))
            + _pA(self.spike_inputs(receptor, sign=sign))
            for state, tau, receptor, sign in (
                (self.I_syn_ex, self.tau_syn_ex, "ex", +1),
                (self.I_syn_in, self.tau_syn_in, "in", -1),
            )
        )
        self.I_syn_ex.value = u.with_unit(I_ex, u.pA)
        self.I_syn_in.value = u.with_unit(I_in, u.pA)
        # NEST drives V with the currents *after* this step's decay and arrivals
        I_constant = u.to_float(self.buffered_current() - I_stc, u.pA)
        y = (
            u.to_float(self.V.value - self.E_L, u.mV) * prop.decay(h, tau_m)
            + I_constant * prop.constant_current_to_V(h, tau_m, C)
            + I_ex * prop.exp_current_to_V(h, u.to_float(self.tau_syn_ex, u.ms), tau_m, C)
            + I_in * prop.exp_current_to_V(h, u.to_float(self.tau_syn_in, u.ms), tau_m, C)
        )
        refractory = self.refractory_step_count.value > 0
        spike, V = self.escape(u.with_unit(y, u.mV) + self.E_L, E_sfa, refractory)
        self.V.value = V
        self.buffer_current(x)
        return spike


class gif_cond_exp(_GIF):  # noqa: N801 (NEST's model name)
    r"""Generalized integrate-and-fire neuron with escape noise and exponential
    conductances (NEST ``gif_cond_exp``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) - g_{ex}(V - E_{ex}) - g_{in}(V - E_{in})
       - \sum_k \eta_k + I_e + I_{stim},
       \qquad \frac{dg_{ex,in}}{dt} = -\frac{g_{ex,in}}{\tau_{syn,ex,in}},

       V_T = V_T^* + \sum_k \gamma_k, \qquad \lambda = \lambda_0 \exp\frac{V - V_T}{\Delta_V}

    with :math:`\eta_k, \gamma_k` as in :class:`gif_psc_exp`. ``(V, g_ex, g_in)`` is
    integrated by GSL-style RKF45 (absolute tolerance ``gsl_error_tol``, per-neuron
    persistent step size); while refractory the vector field sees ``V = V_reset`` and
    holds ``V``. A spike of weight ``w`` (nS) adds ``|w|`` to ``g_ex`` (``w >= 0``) or
    ``g_in`` (``w < 0``) after the integration.

    {parameters}
    ``E_ex``            0 mV          excitatory reversal potential
    ``E_in``            -85 mV        inhibitory reversal potential
    ``tau_syn_ex``      2 ms          excitatory conductance time constant
    ``tau_syn_in``      2 ms          inhibitory conductance time constant
    ``gsl_error_tol``   1e-3          absolute tolerance of the RKF45 step
    ==================  ============  ===============================================

    States: ``V``, ``g_ex``, ``g_in``, ``stc_elems``, ``sfa_elems``, ``I_stc``,
    ``E_sfa``, ``I_stim``, ``refractory_step_count``, ``integration_step``,
    ``integration_status``, ``last_spike_time``, ``spike``. Delta inputs: weights in
    nS, labelled ``'ex'`` / ``'in'`` (magnitudes) or unlabelled (the sign picks the
    receptor).

    {references} ``gif_cond_exp``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.gif_cond_exp(2, q_stc=[5., 2.] * u.pA, tau_stc=[10., 100.] * u.ms)
    >>> _ = nd.init_all_states(n)
    >>> n.stc_elems.value.shape
    (2, 2)
    >>> n.recordables
    ('V_m', 'E_sfa', 'I_stc', 'g_ex', 'g_in')
    """

    WEIGHT_UNIT = u.nS
    RECORDABLES = ("V_m", "E_sfa", "I_stc", "g_ex", "g_in")
    RECEPTOR_TYPES = {"ex": 0, "in": 0}

    E_ex = Param(u.mV)
    E_in = Param(u.mV)
    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)
    gsl_error_tol = Param(u.UNITLESS, positive=True, per_neuron=False)

    def __init__(
        self,
        in_size: Any,
        g_L: Any = 4.0 * u.nS,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 80.0 * u.pF,
        V_reset: Any = -55.0 * u.mV,
        t_ref: Any = 4.0 * u.ms,
        V_T_star: Any = -35.0 * u.mV,
        Delta_V: Any = 0.5 * u.mV,
        lambda_0: Any = 1.0 * u.Hz,
        q_stc: Any = (),
        tau_stc: Any = (),
        q_sfa: Any = (),
        tau_sfa: Any = (),
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -85.0 * u.mV,
        tau_syn_ex: Any = 2.0 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        gsl_error_tol: Any = 1e-3,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = -70.0 * u.mV,
        name: str | None = None,
    ):
        super().__init__(
            in_size, I_e, V_initializer, name, g_L=g_L, E_L=E_L, C_m=C_m, V_reset=V_reset,
            t_ref=t_ref, V_T_star=V_T_star, Delta_V=Delta_V, lambda_0=lambda_0, q_stc=q_stc,
            tau_stc=tau_stc, q_sfa=q_sfa, tau_sfa=tau_sfa, E_ex=E_ex, E_in=E_in,
            tau_syn_ex=tau_syn_ex, tau_syn_in=tau_syn_in, gsl_error_tol=gsl_error_tol,
        )  # fmt: skip

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = u.with_unit(jnp.zeros_like(self.V.value.mantissa), u.nS)
        self.g_ex = HiddenState(zeros, name="g_ex")
        self.g_in = HiddenState(zeros, name="g_in")
        self.init_adaptive_step(self.V.value.shape)

    def derivatives(self, y: dict, t: Any, I_stim: Any, I_stc: Any, refractory: Any) -> dict:
        """The vector field, NEST's ``gif_cond_exp_dynamics`` (terms summed in its order)."""
        V = u.math.where(refractory, self.V_reset, y["V"])
        I_syn_ex = y["g_ex"] * (V - self.E_ex)
        I_syn_in = y["g_in"] * (V - self.E_in)
        I_L = self.g_L * (V - self.E_L)
        dV = (-I_L + I_stim + self.I_e - I_syn_ex - I_syn_in - I_stc) / self.C_m
        return {
            "V": u.math.where(refractory, 0.0 * dV, dV),
            "g_ex": -y["g_ex"] / self.tau_syn_ex,
            "g_in": -y["g_in"] / self.tau_syn_in,
        }

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        I_stc, E_sfa = self.read_and_decay_kernels()
        refractory = self.refractory_step_count.value > 0
        state = {"V": self.V.value, "g_ex": self.g_ex.value, "g_in": self.g_in.value}
        tolerance = float(self.gsl_error_tol)
        control = dict(eps_abs=tolerance, eps_rel=0.0, a_y=1.0, a_dydt=0.0)
        y = self.integrate_adaptive(
            self.derivatives, state, self.I_stim.value, I_stc, refractory, **control
        ).y
        self.g_ex.value = y["g_ex"] + self.spike_inputs("ex", sign=+1)
        self.g_in.value = y["g_in"] - self.spike_inputs("in", sign=-1)
        spike, self.V.value = self.escape(y["V"], E_sfa, refractory)
        self.buffer_current(x)
        return spike


def _pA(x: Any) -> Any:
    """Magnitude in pA; the plain 0.0 of "no input" passes through."""
    return u.to_float(x, u.pA) if u.is_quantity(x) else x


for _cls in (gif_psc_exp, gif_cond_exp):
    _cls.__doc__ = _cls.__doc__.replace("    {parameters}", _PARAMETERS).replace(
        "    {references}", _REFERENCES
    )
del _cls
