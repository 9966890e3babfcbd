r"""NEST's mesoscopic population of generalized integrate-and-fire neurons,
``gif_pop_psc_exp`` (Schwalger, Deger & Gerstner 2017).

One element stands for ``N`` GIF neurons with escape noise (the neurons of
:class:`~neurodyn.nest.gif_psc_exp`, here with an adaptation of the threshold only, and
exponential PSCs). It does not follow each neuron: it keeps, for each of the last ``K``
steps (``len_kernel``), how many neurons fired then and their expected membrane
potential, survival and variance (the refractory-density, quasi-renewal description),
and draws each step's number of spikes from the expected number ``mean``, binomially
(``BinoRand``) or from a Poisson distribution. Each step, in the order of the paper's
Fig. 11-12 as NEST implements it:

1. the free membrane potential and the synaptic currents advance (the spikes arriving
   in the step act as a constant rate over it); the stimulation current is buffered;
2. the threshold of the neurons that have not fired in ``K`` steps, ``E_sfa``, and their
   escape rate are computed;
3. for each of the last ``K`` steps but the ``t_ref`` most recent, the neurons that
   fired then are advanced (potential, threshold with the kernel of their own and later
   spikes, hazard), giving the expected number of spikes ``mean``;
4. the number of spikes ``n_events`` is drawn and becomes the newest entry of the
   history; the element emits it as its ``spike`` output.

The history length ``K`` is fixed when the states are initialised: ``len_kernel`` if it
is at least 1, else NEST's automatic choice (the adaptation kernel falls below a tenth
of ``Delta_V``, at least ``5 tau_m`` and longer than ``t_ref``; at most 20 s).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from ..neurons._base import initial_value, refractory_steps
from . import _kernels as kernels
from ._base import NESTNeuron

_MAX_HISTORY = 20000.0  # ms, the longest automatic history (NEST's)


class gif_pop_psc_exp(NESTNeuron):  # noqa: N801 (NEST's model name)
    r"""Population of ``N`` generalized integrate-and-fire neurons with escape noise and
    exponential PSCs, described by the refractory density of its spike history (NEST
    ``gif_pop_psc_exp``).

    Each neuron of the population follows

    .. math::

       \tau_m \frac{dV}{dt} = -(V - E_L) + \frac{\tau_m}{C_m}(I_{ex} + I_{in} + I_e
       + I_{stim}), \qquad \frac{dI_{ex,in}}{dt} = -\frac{I_{ex,in}}{\tau_{syn,ex,in}},

       \lambda = \lambda_0 \exp\frac{V - V_T}{\Delta_V}, \qquad
       V_T(t) = V_T^* + \sum_{\hat t < t} \sum_k q_{sfa,k}\, e^{-(t - \hat t)/\tau_{sfa,k}}

    with ``V`` reset to ``V_reset`` and held for ``t_ref`` after each of its spikes
    (:math:`\hat t`); a neuron fires in a step with probability
    :math:`1 - e^{-\bar\lambda h}` (:math:`\bar\lambda` the mean of the step's
    rates). The population is advanced as the module says
    (:mod:`neurodyn.nest._gif_pop`). A spike of weight ``w`` and multiplicity ``m``
    (pA) adds its ``w m`` to the excitatory (``> 0``) or inhibitory current, spread
    over the step.

    ==================  ============  ==============================================
    parameter           default       meaning
    ==================  ============  ==============================================
    ``N``               100           number of neurons (per population)
    ``tau_m``           20 ms         membrane time constant (one for all)
    ``C_m``             250 pF        membrane capacitance
    ``t_ref``           4 ms          refractory period (one for all)
    ``lambda_0``        10 Hz         escape rate at the threshold
    ``Delta_V``         2 mV          stochasticity level (one for all)
    ``len_kernel``      -1            history length ``K`` in steps; ``< 1``:
                                      chosen automatically (module docstring)
    ``I_e``             0 pA          constant input current
    ``V_reset``         0 mV          reset potential
    ``V_T_star``        15 mV         base threshold :math:`V_T^*`
    ``E_L``             0 mV          resting potential
    ``tau_syn_ex``      3 ms          excitatory synaptic time constant (``!= tau_m``)
    ``tau_syn_in``      6 ms          inhibitory synaptic time constant (``!= tau_m``)
    ``q_sfa``           [0.5] mV      jumps of the threshold kernels (one list for
                                      all)
    ``tau_sfa``         [300] ms      their time constants
    ``BinoRand``        True          binomial draws (else Poisson, at most ``N``)
    ``V_initializer``   0 mV          initial free membrane potential
    ==================  ============  ==============================================

    NEST does not check that the synaptic time constants differ from ``tau_m`` (its
    propagator divides by the difference); neurodyn refuses equal ones. States: ``V``
    (the free membrane potential, of neurons that have not fired within ``K`` steps),
    ``I_syn_ex``, ``I_syn_in``, ``E_sfa`` (their threshold), ``mean``, ``spike`` (the
    step's number of spikes, NEST's ``n_events``), the history (``n_history``,
    ``m_history``, ``v_history``, ``u_history``, ``lambda_history``; oldest first,
    ``K`` along the last axis), ``g_sfa``, ``x``, ``z``, ``lambda_free``,
    ``oldest_slot``, ``I_stim``. Recordables ``V_m``, ``n_events``, ``E_sfa``,
    ``mean``, ``I_syn_ex``, ``I_syn_in``. Random numbers come from neurodyn's default
    stream (one key per step).

    Reference: Schwalger T, Deger M, Gerstner W (2017), Towards a theory of cortical
    columns: from spiking neurons to interacting neural populations of finite size,
    PLoS Comput. Biol. 13:e1005507; NEST ``gif_pop_psc_exp``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.random.seed(0)
    >>> pop = nd.nest.gif_pop_psc_exp(1, N=400, I_e=200. * u.pA)
    >>> _ = nd.init_all_states(pop)
    >>> pop.history_steps  # K, chosen from the kernel q_sfa, tau_sfa
    2748
    >>> out = nd.run(pop, 200. * u.ms, monitors={"spike": pop.spike})
    >>> 1 < float(out["spike"].sum()) / 400 / 0.2 < 50  # firing rate in Hz
    True
    """

    RECORDABLES = ("V_m", "n_events", "E_sfa", "mean", "I_syn_ex", "I_syn_in")
    RECEPTOR_TYPES = {"ex": 0, "in": 0}

    N = Param(u.UNITLESS, positive=True)
    tau_m = Param(u.ms, positive=True, per_neuron=False)
    C_m = Param(u.pF, positive=True)
    t_ref = Param(u.ms, nonnegative=True, per_neuron=False)
    lambda_0 = Param(u.Hz, nonnegative=True)
    Delta_V = Param(u.mV, positive=True, per_neuron=False)
    len_kernel = Param(u.UNITLESS, per_neuron=False)
    V_reset = Param(u.mV)
    V_T_star = Param(u.mV)
    E_L = Param(u.mV)
    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)
    BinoRand = Param(flag=True)
    q_sfa = kernels.KernelList(u.mV, required=True)
    tau_sfa = kernels.KernelList(u.ms, positive=True, required=True)

    def __init__(
        self,
        in_size: Any,
        N: Any = 100,
        tau_m: Any = 20.0 * u.ms,
        C_m: Any = 250.0 * u.pF,
        t_ref: Any = 4.0 * u.ms,
        lambda_0: Any = 10.0 * u.Hz,
        Delta_V: Any = 2.0 * u.mV,
        len_kernel: int = -1,
        I_e: Any = 0.0 * u.pA,
        V_reset: Any = 0.0 * u.mV,
        V_T_star: Any = 15.0 * u.mV,
        E_L: Any = 0.0 * u.mV,
        tau_syn_ex: Any = 3.0 * u.ms,
        tau_syn_in: Any = 6.0 * u.ms,
        q_sfa: Any = (0.5,) * u.mV,
        tau_sfa: Any = (300.0,) * u.ms,
        BinoRand: bool = True,  # noqa: N803 (NEST's parameter name)
        V_initializer: Any = 0.0 * u.mV,
        name: str | None = None,
    ):
        super().__init__(in_size, I_e, name=name)
        self.q_sfa, self.tau_sfa = q_sfa, tau_sfa
        kernels.check_pairs(self, ("q_sfa", "tau_sfa"))
        if np.ndim(u.magnitude(self.tau_sfa)) != 1:
            raise ParameterError(
                f"q_sfa and tau_sfa must be single lists (one for all populations), got "
                f"{u.describe(self.tau_sfa)}"
            )
        self.set(
            N=N, tau_m=tau_m, C_m=C_m, t_ref=t_ref, lambda_0=lambda_0, Delta_V=Delta_V,
            len_kernel=len_kernel, V_reset=V_reset, V_T_star=V_T_star, E_L=E_L,
            tau_syn_ex=tau_syn_ex, tau_syn_in=tau_syn_in, BinoRand=BinoRand,
        )  # fmt: skip
        self.V_initializer = V_initializer

    def check_parameters(self) -> None:
        super().check_parameters()
        values = self.__dict__
        if "N" in values and (np.asarray(values["N"]) % 1 != 0).any():
            raise ParameterError(f"gif_pop_psc_exp.N must be whole, got {values['N']}")
        if "len_kernel" in values and float(values["len_kernel"]) % 1 != 0:
            raise ParameterError(
                f"gif_pop_psc_exp.len_kernel must be a whole number of steps, got "
                f"{values['len_kernel']}"
            )
        for syn in ("tau_syn_ex", "tau_syn_in"):
            if "tau_m" in values and syn in values:
                if (np.asarray(_ms(values[syn])) == float(_ms(values["tau_m"]))).any():
                    raise ParameterError(
                        f"gif_pop_psc_exp.{syn} must differ from tau_m (the propagator "
                        f"divides by their difference), got {u.describe(values[syn])}"
                    )

    def adaptation_kernel(self, steps: Any, xp: Any = jnp) -> Any:
        """The threshold kernel :math:`\\sum_k q_k e^{-s h/\\tau_k}` (mV) ``steps`` (s)
        after a spike; ``xp``: the array module (``numpy`` for float64 at any precision)."""
        h = float(_ms(environ.get_dt()))
        q = xp.asarray(u.to_float(self.q_sfa, u.mV))
        tau = xp.asarray(_ms(self.tau_sfa))
        return xp.sum(q * xp.exp(-xp.asarray(steps)[..., None] * h / tau), axis=-1)

    def automatic_history(self) -> int:
        """NEST's history length ``K`` in steps for these parameters and ``dt``."""
        h = _ms(environ.get_dt())
        longest, shortest = int(_MAX_HISTORY / h), int(5 * float(_ms(self.tau_m)) / h)
        k = np.arange(shortest + 1, longest + 1)
        kernel = self.adaptation_kernel(k.astype(np.float64), xp=np)
        long_enough = kernel / float(u.to_float(self.Delta_V, u.mV)) >= 0.1
        K = int(k[long_enough][-1]) if long_enough.any() else shortest
        t_ref = float(_ms(self.t_ref))
        return int(t_ref / h) + 1 if K * h <= t_ref else K

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        V = initial_value("V_initializer", self.V_initializer, u.mV, self.varshape, batch_size)
        self.V = HiddenState(V, name="V")
        given = int(float(self.len_kernel))
        self.history_steps = given if given >= 1 else self.automatic_history()
        shape, dtype = V.mantissa.shape, environ.dftype()
        zeros = jnp.zeros(shape, dtype)
        for name, unit in (("I_syn_ex", u.pA), ("I_syn_in", u.pA), ("E_sfa", u.mV)):
            setattr(self, name, HiddenState(u.with_unit(zeros, unit), name=name))
        for name in ("mean", "x", "z", "lambda_free"):
            setattr(self, name, HiddenState(zeros, name=name))
        self.oldest_slot = HiddenState(jnp.zeros(shape, jnp.int32), name="oldest_slot")
        self.g_sfa = HiddenState(
            jnp.zeros((*shape, np.shape(u.magnitude(self.q_sfa))[-1]), dtype), name="g_sfa"
        )
        history = jnp.zeros((*shape, self.history_steps), dtype)
        N = jnp.broadcast_to(jnp.asarray(self.N, dtype), shape)
        everyone = history.at[..., -1].set(N)  # all neurons fired long ago
        for name, value in (("n", everyone), ("m", everyone), ("v", history), ("u", history),
                            ("lambda", history)):  # fmt: skip
            setattr(self, f"{name}_history", HiddenState(value, name=f"{name}_history"))

    def _recordable(self, name: str) -> Any:
        states = {"V_m": self.V, "n_events": self.spike}
        return states.get(name, getattr(self, name, None)).value

    def escape_rate(self, distance: Any) -> Any:
        """:math:`\\lambda_0 e^{x/\\Delta_V}` (Hz) at ``distance`` x (mV) to threshold."""
        Delta_V = u.to_float(self.Delta_V, u.mV)
        return u.to_float(self.lambda_0, u.Hz) * jnp.exp(distance / Delta_V)

    def draw_spikes(self, mean: Any) -> Any:
        """The step's number of spikes from its expected number ``mean``: binomial
        (``N``, ``mean / N``) or Poisson (``mean``), clipped to ``[0, N]``."""
        N = jnp.asarray(self.N, environ.dftype())
        key = nd_random.split_key()
        if self.BinoRand:
            p = jnp.clip(mean / N, 0.0, 1.0)
            return jax.random.binomial(key, jnp.broadcast_to(N, p.shape), p).astype(p.dtype)
        count = jax.random.poisson(key, jnp.maximum(mean, 0.0)).astype(mean.dtype)
        return jnp.where(mean > N, N, jnp.clip(count, 0.0, N))

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        h, tau_m, C = _ms(environ.get_dt()), _ms(self.tau_m), u.to_float(self.C_m, u.pF)
        E_L, P22 = u.to_float(self.E_L, u.mV), jnp.exp(-h / tau_m)
        # (1) the input: free membrane and currents (NEST's JNy / JNA variables)
        drive = u.to_float(self.buffered_current(), u.pA) * tau_m / C * (1.0 - P22) + E_L
        for state, tau_s, receptor, sign in (
            (self.I_syn_ex, self.tau_syn_ex, "ex", +1),
            (self.I_syn_in, self.tau_syn_in, "in", -1),
        ):
            tau_s = _ms(tau_s)
            rate = _pA(self.spike_inputs(receptor, sign=sign)) / h * tau_s / C
            current, P11 = u.to_float(state.value, u.pA) / C, jnp.exp(-h / tau_s)
            transient = tau_s * P11 * (current - rate) - P22 * (tau_s * current - tau_m * rate)
            drive = drive + tau_m * (rate + transient / (tau_s - tau_m))
            state.value = u.with_unit((rate + (current - rate) * P11) * C, u.pA)
        self.buffer_current(x)
        V = (u.to_float(self.V.value, u.mV) - E_L) * P22 + drive
        self.V.value = u.with_unit(V, u.mV)
        spikes = self.advance_population(drive, P22)
        self.spike.value = spikes
        return spikes

    def advance_population(self, drive: Any, P22: Any) -> Any:
        """Steps (2)-(4) for the membrane drive ``drive`` (mV) of the step; returns the
        number of spikes."""
        h, K = _ms(environ.get_dt()), self.history_steps
        dtype = environ.dftype()
        N = jnp.asarray(self.N, dtype)
        n, m, v = self.n_history.value, self.m_history.value, self.v_history.value
        tau_sfa = jnp.asarray(_ms(self.tau_sfa), dtype)
        # (2) the neurons that have not fired within K steps: threshold and hazard
        Q30 = jnp.exp(-h / tau_sfa)
        Q30K = u.to_float(self.q_sfa, u.mV) * tau_sfa * jnp.exp(-h * K / tau_sfa)
        g = self.g_sfa.value * Q30 + (1.0 - Q30) * n[..., :1] / (N[..., None] * h)
        self.g_sfa.value = g
        theta_free = u.to_float(self.V_T_star, u.mV) + jnp.sum(Q30K * g, axis=-1)
        V = u.to_float(self.V.value, u.mV)
        rate_free = self.escape_rate(V - theta_free)
        P_free = 1.0 - jnp.exp(-0.0005 * (self.lambda_free.value + rate_free) * h)
        self.lambda_free.value = rate_free
        # NEST subtracts the first *slot* of its ring buffer (not the oldest entry)
        theta_kernel = self.adaptation_kernel(K - jnp.arange(K, dtype=dtype))
        Delta_V = u.to_float(self.Delta_V, u.mV)
        theta_jump = Delta_V * (1.0 - jnp.exp(-theta_kernel / Delta_V)) / N[..., None]
        slot_0 = jnp.take_along_axis(n, ((-self.oldest_slot.value) % K)[..., None], axis=-1)
        theta_free = theta_free - slot_0[..., 0] * theta_jump[..., 0]
        self.E_sfa.value = u.with_unit(theta_free, u.mV)
        # (3) the neurons that fired k steps ago (oldest first), past refractoriness
        free = jnp.arange(K) < K - refractory_steps(self.t_ref)
        later_jumps = jnp.cumsum(n * theta_jump, axis=-1) - n * theta_jump
        theta = theta_kernel + theta_free[..., None] + later_jumps
        E_L = u.to_float(self.E_L, u.mV)
        u_new = (self.u_history.value - E_L) * P22 + drive[..., None]
        rate = self.escape_rate(u_new - theta)
        P = 0.0005 * (rate + self.lambda_history.value) * h
        P = jnp.where(P > 0.01, 1.0 - jnp.exp(-P), P)
        P = jnp.where(free, P, 0.0)
        Y, Z = jnp.sum(P * v, axis=-1), jnp.sum(jnp.where(free, v, 0.0), axis=-1)
        W, X = jnp.sum(P * m, axis=-1), jnp.sum(m, axis=-1)
        v = jnp.where(free, (1.0 - P) ** 2 * v + P * m, v)
        m = jnp.where(free, (1.0 - P) * m, m)
        u_hist = jnp.where(free, u_new, self.u_history.value)
        lambda_hist = jnp.where(free, rate, self.lambda_history.value)
        x, z = self.x.value, self.z.value
        seen = Z + z
        P_Lambda = jnp.where(seen > 0.0, (Y + P_free * z) / jnp.where(seen > 0.0, seen, 1.0), 0.0)
        mean = W + P_free * x + P_Lambda * (N - X - x)
        self.mean.value = mean
        # (4) the draw becomes the newest entry; the oldest leaves into x, z
        spikes = self.draw_spikes(mean)
        self.z.value = (1.0 - P_free) ** 2 * z + x * P_free + v[..., 0]
        self.x.value = x * (1.0 - P_free) + m[..., 0]
        reset = u.to_float(self.V_reset, u.mV)
        for state, old, newest in (
            (self.n_history, n, spikes),
            (self.m_history, m, spikes),
            (self.v_history, v, 0.0),
            (self.u_history, u_hist, reset),
            (self.lambda_history, lambda_hist, 0.0),
        ):
            newest = jnp.broadcast_to(jnp.asarray(newest, dtype), old.shape[:-1])[..., None]
            state.value = jnp.concatenate([old[..., 1:], newest], axis=-1)
        self.oldest_slot.value = (self.oldest_slot.value + 1) % K
        return spikes


def _ms(x: Any) -> Any:
    return u.to_float(x, u.ms)


def _pA(x: Any) -> Any:
    """Magnitude in pA; the plain 0.0 of "no input" passes through."""
    return u.to_float(x, u.pA) if u.is_quantity(x) else x
