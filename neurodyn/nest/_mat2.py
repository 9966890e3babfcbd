r"""NEST's multi-timescale adaptive threshold models: ``mat2_psc_exp`` (Kobayashi et al.
2009) and ``amat2_psc_exp`` (Yamauchi et al. 2011, with a voltage-dependent threshold).

The membrane is leaky with exponential PSCs and is *never reset*: a spike raises the
threshold instead, by :math:`\alpha_1` on a fast and :math:`\alpha_2` on a slow time scale,
and starts an absolute refractory period in which the neuron cannot fire (``V`` goes on
being integrated). Everything below threshold is linear and advanced by exact
propagators. Each step follows NEST's order:

1. (``amat2_psc_exp``) the voltage-dependent threshold :math:`V_{th,v}` and its slope
   advance, driven by the step's starting ``V`` and currents;
2. ``V`` advances with the synaptic currents of the step's start and the buffered
   stimulation current plus ``I_e``;
3. the threshold kernels decay; the synaptic currents decay and this step's spikes are
   added;
4. a neuron that is not refractory fires where
   :math:`V \ge \omega + V_{th,1} + V_{th,2}\ (+ V_{th,v})`; then
   :math:`V_{th,k} \mathrel{+}= \alpha_k` and the refractory count (``t_ref`` in
   steps, at least one) starts;
5. the stimulation current is buffered for the next step.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from ..neurons._base import initial_value, refractory_steps
from ..surrogate import Surrogate
from . import _propagators as prop
from ._base import NESTNeuron


class _MAT2(NESTNeuron):
    """The non-resetting membrane, exponential PSCs and two threshold kernels."""

    RECORDABLES = ("V_m", "V_th")
    RECEPTOR_TYPES = {"ex": 0, "in": 0}

    E_L = Param(u.mV)
    C_m = Param(u.pF, positive=True)
    tau_m = Param(u.ms, positive=True)
    t_ref = Param(u.ms, positive=True)
    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)
    tau_1 = Param(u.ms, positive=True)
    tau_2 = Param(u.ms, positive=True)
    alpha_1 = Param(u.mV)
    alpha_2 = Param(u.mV)
    omega = Param(u.mV)

    def __init__(
        self,
        in_size: Any,
        I_e: Any,
        V_initializer: Any,
        spk_fun: Surrogate | None,
        name: str | None,
        **params: Any,
    ):
        super().__init__(in_size, I_e, spk_fun=spk_fun, name=name)
        self.set(**params)
        self.V_initializer = V_initializer

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        V = initial_value("V_initializer", self.V_initializer, u.mV, self.varshape, batch_size)
        self.V = HiddenState(V, name="V")
        zeros = jnp.zeros_like(V.mantissa)
        for name, unit in self.THRESHOLD_STATES + (("I_syn_ex", u.pA), ("I_syn_in", u.pA)):
            setattr(self, name, HiddenState(u.with_unit(zeros, unit), name=name))

    #: the threshold's state variables besides ``omega`` (all but the slopes add to it)
    THRESHOLD_STATES: tuple[tuple[str, u.Unit], ...] = (("V_th_1", u.mV), ("V_th_2", u.mV))

    def spike_threshold(self) -> Any:
        """The current threshold :math:`\\omega + V_{th,1} + V_{th,2}` (NEST's ``V_th``)."""
        return self.omega + self.V_th_1.value + self.V_th_2.value

    def spike_argument(self, V: Any) -> Any:
        """``V - V_th`` in mV (the model has no reset depth to scale by)."""
        return u.to_float(V - self.spike_threshold(), u.mV)

    def _recordable(self, name: str) -> Any:
        if name == "V_m":
            return self.V.value
        if name == "V_th":
            return self.spike_threshold()
        return getattr(self, name).value

    def advance_voltage_threshold(self, y: Any, I_ex: Any, I_in: Any, I: Any) -> None:
        """Step 1 (only ``amat2_psc_exp`` has a voltage-dependent threshold)."""

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        h, tau_m, C = _ms(environ.get_dt()), _ms(self.tau_m), u.to_float(self.C_m, u.pF)
        tau_ex, tau_in = _ms(self.tau_syn_ex), _ms(self.tau_syn_in)
        y = u.to_float(self.V.value - self.E_L, u.mV)
        I_ex, I_in = (u.to_float(s.value, u.pA) for s in (self.I_syn_ex, self.I_syn_in))
        I = u.to_float(self.buffered_current(), u.pA)
        # (1) the voltage-dependent threshold, (2) the membrane: both from the step's start
        self.advance_voltage_threshold(y, I_ex, I_in, I)
        y = (
            y * prop.decay(h, tau_m)
            + I_ex * prop.exp_current_to_V(h, tau_ex, tau_m, C)
            + I_in * prop.exp_current_to_V(h, tau_in, tau_m, C)
            + I * prop.constant_current_to_V(h, tau_m, C)
        )
        self.V.value = u.with_unit(y, u.mV) + self.E_L
        # (3) the threshold kernels decay; the currents decay and take this step's spikes
        for state, tau in ((self.V_th_1, self.tau_1), (self.V_th_2, self.tau_2)):
            state.value = state.value * prop.decay(h, _ms(tau))
        self.I_syn_ex.value = u.with_unit(I_ex * prop.decay(h, tau_ex), u.pA) + _weights(
            self.spike_inputs("ex", sign=+1)
        )
        self.I_syn_in.value = u.with_unit(I_in * prop.decay(h, tau_in), u.pA) + _weights(
            self.spike_inputs("in", sign=-1)
        )
        # (4) threshold crossing of free neurons; the threshold jumps, V is not reset
        free = self.refractory_step_count.value == 0
        spike = self.spk_fun(self.spike_argument(self.V.value)) * free
        self.V_th_1.value = self.V_th_1.value + self.alpha_1 * spike
        self.V_th_2.value = self.V_th_2.value + self.alpha_2 * spike
        self.emit(spike, refractory_steps(self.t_ref))
        # (5) this step's stimulation current acts in the next step
        self.buffer_current(x)
        return spike


_PARAMETERS = """\
    ==================  ============  ==============================================
    parameter           default       meaning
    ==================  ============  =============================================="""

_COMMON_PARAMETERS = """\
    ``E_L``             -70 mV        resting potential
    ``tau_syn_ex``      1 ms          excitatory synaptic time constant
    ``tau_syn_in``      3 ms          inhibitory synaptic time constant
    ``t_ref``           2 ms          absolute refractory period (no spike; ``V``
                                      is not held)
    ``tau_1``           10 ms         fast threshold time constant
    ``tau_2``           200 ms        slow threshold time constant
    ``I_e``             0 pA          constant input current
    ``V_initializer``   -70 mV        initial membrane potential (NEST's, whatever
                                      ``E_L``)
    ``spk_fun``         ReluGrad()    surrogate of the spike's step, of
                                      :math:`(V - V_{th})` in mV"""


class mat2_psc_exp(_MAT2):  # noqa: N801 (NEST's model name)
    r"""Non-resetting leaky integrate-and-fire neuron with exponential PSCs and a
    two-timescale adaptive threshold (NEST ``mat2_psc_exp``).

    .. math::

       \frac{dV}{dt} = -\frac{V - E_L}{\tau_m} + \frac{I_{ex} + I_{in} + I_e
       + I_{stim}}{C_m}, \qquad \frac{dI_{ex,in}}{dt} = -\frac{I_{ex,in}}{\tau_{syn,ex,in}},

       V_{th} = \omega + V_{th,1} + V_{th,2}, \qquad
       \frac{dV_{th,k}}{dt} = -\frac{V_{th,k}}{\tau_k}

    A free neuron fires where :math:`V \ge V_{th}`; each spike adds :math:`\alpha_k` to
    :math:`V_{th,k}` and starts ``t_ref`` of refractoriness. ``V`` is never reset. A
    spike of weight ``w`` (pA) adds ``w`` to ``I_ex`` (``w >= 0``) or ``I_in``
    (``w < 0``). The step's order is the module's (:mod:`neurodyn.nest._mat2`).

    {parameters}
    ``C_m``             100 pF        membrane capacitance
    ``tau_m``           5 ms          membrane time constant
    ``alpha_1``         37 mV         fast threshold jump :math:`\alpha_1`
    ``alpha_2``         2 mV          slow threshold jump :math:`\alpha_2`
    ``omega``           -51 mV        resting threshold :math:`\omega` (absolute, as
                                      NEST reports it)
    {common}
    ==================  ============  ==============================================

    ``tau_m`` may equal a synaptic time constant here (NEST refuses it; the propagator
    used has no singularity). States: ``V``, ``I_syn_ex``, ``I_syn_in``, ``V_th_1``,
    ``V_th_2`` (NEST's ``V_th_alpha_1``, ``V_th_alpha_2``), ``I_stim``,
    ``refractory_step_count``, ``last_spike_time``, ``spike``. Recordables ``V_m``
    and ``V_th``. Delta inputs: weights in pA, labelled ``'ex'`` / ``'in'``
    (magnitudes) or unlabelled (the sign picks the receptor).

    Reference: Kobayashi R, Tsubo Y, Shinomoto S (2009), Made-to-order spiking neuron
    model equipped with a multi-timescale adaptive threshold, Front. Comput. Neurosci.
    3:9; Rotter & Diesmann (1999), Biol. Cybern. 81:381; NEST ``mat2_psc_exp``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.mat2_psc_exp(1, I_e=800. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 50. * u.ms, monitors={"spike": n.spike})
    >>> int(out["spike"].sum()), round(float(n.record("V_th").to_decimal(u.mV)[0]), 2)
    (5, 4.04)
    """

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 100.0 * u.pF,
        tau_m: Any = 5.0 * u.ms,
        tau_syn_ex: Any = 1.0 * u.ms,
        tau_syn_in: Any = 3.0 * u.ms,
        t_ref: Any = 2.0 * u.ms,
        tau_1: Any = 10.0 * u.ms,
        tau_2: Any = 200.0 * u.ms,
        alpha_1: Any = 37.0 * u.mV,
        alpha_2: Any = 2.0 * u.mV,
        omega: Any = -51.0 * u.mV,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = -70.0 * u.mV,
        spk_fun: Surrogate | None = None,
        name: str | None = None,
    ):
        super().__init__(
            in_size, I_e, V_initializer, spk_fun, name, E_L=E_L, C_m=C_m, tau_m=tau_m,
            tau_syn_ex=tau_syn_ex, tau_syn_in=tau_syn_in, t_ref=t_ref, tau_1=tau_1,
            tau_2=tau_2, alpha_1=alpha_1, alpha_2=alpha_2, omega=omega,
        )  # fmt: skip


class amat2_psc_exp(_MAT2):  # noqa: N801 (NEST's model name)
    r"""Non-resetting leaky integrate-and-fire neuron with exponential PSCs and a
    two-timescale, voltage-dependent adaptive threshold (NEST ``amat2_psc_exp``).

    The membrane and threshold kernels are :class:`mat2_psc_exp`'s; the threshold has a
    third part that follows ``V``'s rate of change through the kernel
    :math:`\beta\, s\, e^{-s/\tau_v}`:

    .. math::

       V_{th} = \omega + V_{th,1} + V_{th,2} + V_{th,v}, \qquad
       \frac{dV_{th,v}}{dt} = -\frac{V_{th,v}}{\tau_v} + \dot V_{th,v}^{*}, \qquad
       \frac{d\dot V_{th,v}^{*}}{dt} = -\frac{\dot V_{th,v}^{*}}{\tau_v}
       + \beta \frac{dV}{dt}

    All is linear and advanced exactly (the propagators of NEST's). ``tau_v`` must
    differ from ``tau_m``, ``tau_syn_ex`` and ``tau_syn_in``, and ``tau_m`` from the
    synaptic time constants (the propagators are singular there).

    {parameters}
    ``C_m``             200 pF        membrane capacitance
    ``tau_m``           10 ms         membrane time constant
    ``alpha_1``         10 mV         fast threshold jump :math:`\alpha_1`
    ``alpha_2``         0 mV          slow threshold jump :math:`\alpha_2`
    ``beta``            0 /ms         voltage-dependent threshold coefficient
                                      :math:`\beta`
    ``tau_v``           5 ms          time constant of the voltage-dependent kernel
    ``omega``           -65 mV        resting threshold :math:`\omega` (absolute, as
                                      NEST reports it)
    {common}
    ==================  ============  ==============================================

    States: ``V``, ``I_syn_ex``, ``I_syn_in``, ``V_th_1``, ``V_th_2``, ``V_th_v``,
    ``V_th_dv`` (its slope), ``I_stim``, ``refractory_step_count``,
    ``last_spike_time``, ``spike``. Recordables ``V_m``, ``V_th``, ``V_th_v``,
    ``I_syn_ex``, ``I_syn_in``. Delta inputs as for :class:`mat2_psc_exp`.

    Reference: Yamauchi S, Kim H, Shinomoto S (2011), Elemental spiking neuron model
    for reproducing diverse firing patterns and predicting precise firing times, Front.
    Comput. Neurosci. 5:42; Kobayashi et al. (2009), Front. Comput. Neurosci. 3:9; NEST
    ``amat2_psc_exp``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.amat2_psc_exp(1, I_e=300. * u.pA, beta=0.2 / u.ms)
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 50. * u.ms, monitors={"spike": n.spike})
    >>> int(out["spike"].sum())
    6
    """

    RECORDABLES = ("V_m", "V_th", "V_th_v", "I_syn_ex", "I_syn_in")
    THRESHOLD_STATES = (*_MAT2.THRESHOLD_STATES, ("V_th_v", u.mV), ("V_th_dv", u.mV / u.ms))

    beta = Param(u.kHz)
    tau_v = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 200.0 * u.pF,
        tau_m: Any = 10.0 * u.ms,
        tau_syn_ex: Any = 1.0 * u.ms,
        tau_syn_in: Any = 3.0 * u.ms,
        t_ref: Any = 2.0 * u.ms,
        tau_1: Any = 10.0 * u.ms,
        tau_2: Any = 200.0 * u.ms,
        alpha_1: Any = 10.0 * u.mV,
        alpha_2: Any = 0.0 * u.mV,
        beta: Any = 0.0 / u.ms,
        tau_v: Any = 5.0 * u.ms,
        omega: Any = -65.0 * u.mV,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = -70.0 * u.mV,
        spk_fun: Surrogate | None = None,
        name: str | None = None,
    ):
        super().__init__(
            in_size, I_e, V_initializer, spk_fun, name, E_L=E_L, C_m=C_m, tau_m=tau_m,
            tau_syn_ex=tau_syn_ex, tau_syn_in=tau_syn_in, t_ref=t_ref, tau_1=tau_1,
            tau_2=tau_2, alpha_1=alpha_1, alpha_2=alpha_2, beta=beta, tau_v=tau_v,
            omega=omega,
        )  # fmt: skip

    #: time constants that must differ pairwise (the propagators divide by their differences)
    DISTINCT = (("tau_m", "tau_syn_ex"), ("tau_m", "tau_syn_in"), ("tau_m", "tau_v"),
                ("tau_v", "tau_syn_ex"), ("tau_v", "tau_syn_in"))  # fmt: skip

    def check_parameters(self) -> None:
        super().check_parameters()
        for a, b in self.DISTINCT:
            if a in self.__dict__ and b in self.__dict__:
                if (np.asarray(_ms(getattr(self, a))) == np.asarray(_ms(getattr(self, b)))).any():
                    raise ParameterError(
                        f"amat2_psc_exp.{a} must differ from {b} (the exact propagators are "
                        f"singular there), got {a}={u.describe(getattr(self, a))}, "
                        f"{b}={u.describe(getattr(self, b))}"
                    )

    def spike_threshold(self) -> Any:
        """:math:`\\omega + V_{th,1} + V_{th,2} + V_{th,v}` (NEST's ``V_th``)."""
        return super().spike_threshold() + self.V_th_v.value

    def advance_voltage_threshold(self, y: Any, I_ex: Any, I_in: Any, I: Any) -> None:
        h, C = _ms(environ.get_dt()), u.to_float(self.C_m, u.pF)
        P = voltage_threshold_propagators(
            h, _ms(self.tau_m), _ms(self.tau_syn_ex), _ms(self.tau_syn_in), _ms(self.tau_v),
            C, u.to_float(self.beta, u.kHz),
        )  # fmt: skip
        v = u.to_float(self.V_th_v.value, u.mV)
        dv = u.to_float(self.V_th_dv.value, u.mV / u.ms)
        sources = {"I": I, "I_ex": I_ex, "I_in": I_in, "V": y}
        to_slope, to_v = (sum(x * P[k][i] for k, x in sources.items()) for i in (0, 1))
        self.V_th_v.value = u.with_unit(to_v + dv * P["dv_to_v"] + v * P["decay"], u.mV)
        self.V_th_dv.value = u.with_unit(to_slope + dv * P["decay"], u.mV / u.ms)


def voltage_threshold_propagators(
    h: Any, tau_m: Any, tau_ex: Any, tau_in: Any, tau_v: Any, C: Any, beta: Any
) -> dict:
    r"""Exact propagators of :math:`(\dot V_{th,v}^*, V_{th,v})` over one step ``h`` (ms):
    per source (``'I'`` the constant current, ``'I_ex'`` / ``'I_in'`` the exponential
    currents, ``'V'`` the potential ``V - E_L``) the pair (effect on the slope, effect
    on :math:`V_{th,v}`), ``'decay'`` (:math:`e^{-h/\tau_v}`, both) and ``'dv_to_v'``
    (:math:`h e^{-h/\tau_v}`). Units: ms, pF, pA, mV, 1/ms."""
    e_m, e_v = jnp.exp(-h / tau_m), jnp.exp(-h / tau_v)
    d_mv = tau_m - tau_v

    def exponential_current(tau_s: Any) -> tuple[Any, Any]:
        e_s = jnp.exp(-h / tau_s)
        d_sm, d_sv = tau_s - tau_m, tau_s - tau_v
        to_slope = (
            beta * tau_s * tau_m * tau_v
            * (e_v * (tau_m - tau_s) + e_m * d_sv + e_s * (tau_v - tau_m))
            / (C * d_sm * d_sv * d_mv)
        )  # fmt: skip
        to_v = (
            beta * tau_s * tau_m * tau_v
            * ((e_m * tau_m * d_sv**2 - e_s * tau_s * d_mv**2) * tau_v
               - e_v * d_sm * (h * d_sv * d_mv + tau_s * tau_m * tau_v - tau_v**3))
            / (C * d_sm * d_sv**2 * d_mv**2)
        )  # fmt: skip
        return to_slope, to_v

    ramp = h * d_mv + tau_m * tau_v
    return {
        "I": (
            beta * (e_m - e_v) * tau_m * tau_v / (C * d_mv),
            beta * tau_m * tau_v * (e_m * tau_m * tau_v - e_v * ramp) / (C * d_mv**2),
        ),
        "I_ex": exponential_current(tau_ex),
        "I_in": exponential_current(tau_in),
        "V": (
            beta * (e_v - e_m) * tau_v / d_mv,
            beta * tau_v * (e_v * ramp - e_m * tau_m * tau_v) / d_mv**2,
        ),
        "decay": e_v,
        "dv_to_v": h * e_v,
    }


def _ms(x: Any) -> Any:
    return u.to_float(x, u.ms)


def _weights(x: Any) -> Any:
    """This step's spike weights in pA; the plain 0.0 of "no input" passes through."""
    return x if u.is_quantity(x) else u.with_unit(x, u.pA)


for _cls in (mat2_psc_exp, amat2_psc_exp):
    _cls.__doc__ = _cls.__doc__.replace("    {parameters}", _PARAMETERS).replace(
        "    {common}", _COMMON_PARAMETERS
    )
del _cls
