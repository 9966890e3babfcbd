"""NEST's current-based leaky integrate-and-fire models, integrated exactly.

``iaf_psc_delta``, ``iaf_psc_exp`` and ``iaf_psc_alpha`` have linear subthreshold
dynamics, so each step applies exact propagators (Rotter & Diesmann 1999) in
NEST's order: membrane update (held while refractory), synaptic currents decay,
arriving spikes added, threshold test and reset, stimulation current buffered.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._params import Param
from ..core._state import HiddenState
from ..neurons._base import initial_value, refractory_steps
from ..surrogate import Surrogate
from . import _propagators as prop
from ._base import NESTNeuron


class _LinearMembrane(NESTNeuron):
    """The membrane shared by the iaf_psc_* models (NEST's parameter names), with an
    absolute and a total refractory period (:meth:`refractory_periods`): ``V`` is held
    for the first, and no spike comes before the second has passed."""

    ORDERED = (("V_reset", "V_th"),)
    E_L = Param(u.mV)
    C_m = Param(u.pF, positive=True)
    tau_m = Param(u.ms, positive=True)
    V_th = Param(u.mV)
    V_reset = Param(u.mV)

    #: Test the threshold only after the total refractory period (needed where ``V``
    #: runs free before that period ends; with one period ``V`` is held throughout).
    threshold_waits_for_refractoriness = False

    def __init__(
        self,
        in_size: Any,
        I_e: Any,
        V_initializer: Any,
        spk_fun: Surrogate | None,
        spk_reset: str,
        name: str | None,
        **params: Any,
    ):
        """``params``: the model's declared parameters, checked together."""
        super().__init__(in_size, I_e, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.set(**params)
        self.V_initializer = V_initializer if V_initializer is not None else params["E_L"]

    def refractory_periods(self) -> tuple[Any, Any]:
        """The absolute (``V`` held) and total (no spike) refractory periods."""
        raise NotImplementedError

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        V = initial_value("V_initializer", self.V_initializer, u.mV, self.varshape, batch_size)
        self.V = HiddenState(V, name="V")

    def _membrane_step(self, y: Any, drive: Any) -> Any:
        """``V - E_L`` (mV) after one step: ``drive`` (mV) is what the inputs add; held
        while absolutely refractory (more than ``total - absolute`` steps left)."""
        h, tau_m = _ms(environ.get_dt()), _ms(self.tau_m)
        absolute, total = (refractory_steps(period) for period in self.refractory_periods())
        y_free = y * prop.decay(h, tau_m) + drive
        return jnp.where(self.refractory_step_count.value > total - absolute, y, y_free)

    def _threshold_and_reset(self, y: Any) -> tuple[Any, Any]:
        """Spikes where ``y >= V_th - E_L``, and ``y`` after the reset."""
        theta = _mV(self.V_th - self.E_L)
        y_reset = _mV(self.V_reset - self.E_L)
        spike = self.spk_fun((y - theta) / (theta - y_reset))
        if self.threshold_waits_for_refractoriness:
            spike = spike * (self.refractory_step_count.value == 0)
        if self.spk_reset == "hard":
            y = jnp.where(jax.lax.stop_gradient(spike) > 0, y_reset, y)
        else:
            y = y - (theta - y_reset) * spike
        return spike, y

    def _finish(self, y: Any, x: Any) -> Any:
        spike, y = self._threshold_and_reset(y)
        self.V.value = u.with_unit(y, u.mV) + self.E_L
        self.emit(spike, refractory_steps(self.refractory_periods()[1]))
        self.buffer_current(x)
        return spike

    def _current_drive(self) -> Any:
        """The voltage change (mV) over one step from the buffered current and ``I_e``."""
        h = _ms(environ.get_dt())
        P20 = prop.constant_current_to_V(h, _ms(self.tau_m), u.to_float(self.C_m, u.pF))
        return u.to_float(self.buffered_current(), u.pA) * P20


class _LinearIAF(_LinearMembrane):
    """The membrane with one refractory period ``t_ref`` (``V`` held throughout)."""

    t_ref = Param(u.ms, nonnegative=True)

    def __init__(
        self,
        in_size: Any,
        E_L: Any,
        C_m: Any,
        tau_m: Any,
        t_ref: Any,
        V_th: Any,
        V_reset: Any,
        I_e: Any,
        V_initializer: Any,
        spk_fun: Surrogate | None,
        spk_reset: str,
        name: str | None,
        **params: Any,
    ):
        """``params``: the model's other declared parameters."""
        super().__init__(
            in_size, I_e, V_initializer, spk_fun, spk_reset, name, E_L=E_L, C_m=C_m,
            tau_m=tau_m, t_ref=t_ref, V_th=V_th, V_reset=V_reset, **params,
        )  # fmt: skip

    def refractory_periods(self) -> tuple[Any, Any]:
        return self.t_ref, self.t_ref


class _ExInCurrents:
    """An excitatory and an inhibitory synaptic current, ``I_syn_ex`` and ``I_syn_in``,
    with time constants ``tau_syn_ex`` and ``tau_syn_in`` (NEST's receptor 0)."""

    RECORDABLES = ("V_m", "I_syn_ex", "I_syn_in")
    RECEPTOR_TYPES = {"ex": 0, "in": 0}

    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)

    def _recordable(self, name: str) -> Any:
        return {"I_syn_ex": self.I_syn_ex, "I_syn_in": self.I_syn_in}.get(name, self.V).value


class _ExpCurrents(_ExInCurrents):
    """Exponentially decaying currents added to a membrane: one step in NEST's order
    (membrane, currents decay, spikes arrive, threshold and reset)."""

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = u.with_unit(jnp.zeros_like(self.V.value.mantissa), u.pA)
        self.I_syn_ex = HiddenState(zeros, name="I_syn_ex")
        self.I_syn_in = HiddenState(zeros, name="I_syn_in")

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        h, tau_m, C = _ms(environ.get_dt()), _ms(self.tau_m), u.to_float(self.C_m, u.pF)
        tau_ex, tau_in = _ms(self.tau_syn_ex), _ms(self.tau_syn_in)
        dV_ex, I_ex = prop.exp_psc_step(_pA(self.I_syn_ex.value), h, tau_ex, tau_m, C)
        dV_in, I_in = prop.exp_psc_step(_pA(self.I_syn_in.value), h, tau_in, tau_m, C)
        y = self._membrane_step(_mV(self.V.value - self.E_L), dV_ex + dV_in + self._current_drive())
        I_ex = I_ex + _pA(self.spike_inputs("ex", sign=+1))
        I_in = I_in + _pA(self.spike_inputs("in", sign=-1))
        self.I_syn_ex.value = u.with_unit(I_ex, u.pA)
        self.I_syn_in.value = u.with_unit(I_in, u.pA)
        return self._finish(y, x)


class iaf_psc_delta(_LinearIAF):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron with delta-shaped synaptic input (NEST ``iaf_psc_delta``).

    .. math::

       C_m \frac{dV}{dt} = -\frac{C_m}{\tau_m}(V - E_L) + I_e + I_{stim}(t),
       \qquad V \leftarrow V + \sum_k w_k \text{ at each arriving spike}

    A spike of weight ``w`` (mV) makes ``V`` jump by ``w``; spikes arriving while the
    neuron is refractory are dropped (NEST's default ``refractory_input=False``).

    ==================  ===========  ==========================================
    parameter           default      meaning
    ==================  ===========  ==========================================
    ``E_L``             -70 mV       resting potential
    ``C_m``             250 pF       membrane capacitance
    ``tau_m``           10 ms        membrane time constant
    ``t_ref``           2 ms         refractory period (``V`` held at ``V_reset``)
    ``V_th``            -55 mV       spike threshold
    ``V_reset``         -70 mV       reset potential (``< V_th``)
    ``I_e``             0 pA         constant input current
    ``V_initializer``   ``E_L``      initial membrane potential
    ``V_min``           -inf mV      lower bound of the membrane potential
    ==================  ===========  ==========================================

    States: ``V``, ``I_stim``, ``refractory_step_count``, ``last_spike_time``, ``spike``.
    Delta inputs: weights in mV, unlabelled (any sign).

    Reference: Rotter & Diesmann (1999), Biol. Cybern. 81:381; NEST ``iaf_psc_delta``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_psc_delta(2, I_e=400. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> n().shape
    (2,)
    """

    WEIGHT_UNIT = u.mV

    RECORDABLES = ("V_m",)

    V_min = Param(u.mV, allow_inf=True)

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 250.0 * u.pF,
        tau_m: Any = 10.0 * u.ms,
        t_ref: Any = 2.0 * u.ms,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -70.0 * u.mV,
        I_e: Any = 0.0 * u.pA,
        V_min: Any = -jnp.inf * u.mV,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, E_L, C_m, tau_m, t_ref, V_th, V_reset, I_e, V_initializer,
            spk_fun, spk_reset, name, V_min=V_min,
        )  # fmt: skip

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        jumps = _mV(self.spike_inputs())
        y = self._membrane_step(_mV(self.V.value - self.E_L), self._current_drive() + jumps)
        y = jnp.maximum(y, _mV(self.V_min - self.E_L))
        return self._finish(y, x)


class iaf_psc_exp(_ExpCurrents, _LinearIAF):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron with exponential PSCs (NEST ``iaf_psc_exp``).

    .. math::

       C_m \frac{dV}{dt} = -\frac{C_m}{\tau_m}(V - E_L) + I_{ex} + I_{in} + I_e + I_{stim},
       \qquad \frac{dI_{ex,in}}{dt} = -\frac{I_{ex,in}}{\tau_{syn,ex,in}}

    A spike of weight ``w`` (pA) adds ``w`` to ``I_ex`` (``w > 0``) or ``I_in`` (``w < 0``,
    which stays negative, as in NEST).

    ==================  ===========  ==========================================
    parameter           default      meaning
    ==================  ===========  ==========================================
    ``E_L``             -70 mV       resting potential
    ``C_m``             250 pF       membrane capacitance
    ``tau_m``           10 ms        membrane time constant
    ``t_ref``           2 ms         refractory period (``V`` held at ``V_reset``)
    ``V_th``            -55 mV       spike threshold
    ``V_reset``         -70 mV       reset potential (``< V_th``)
    ``I_e``             0 pA         constant input current
    ``V_initializer``   ``E_L``      initial membrane potential
    ``tau_syn_ex``      2 ms         excitatory synaptic time constant
    ``tau_syn_in``      2 ms         inhibitory synaptic time constant
    ==================  ===========  ==========================================

    States: ``V``, ``I_syn_ex``, ``I_syn_in``, ``I_stim``, ``refractory_step_count``,
    ``last_spike_time``, ``spike``. Delta inputs: weights in pA, labelled ``'ex'`` /
    ``'in'`` (magnitudes) or unlabelled (the sign picks the receptor, as in NEST).

    Reference: Tsodyks, Uziel & Markram (2000), J. Neurosci. 20:RC50; Rotter &
    Diesmann (1999); NEST ``iaf_psc_exp``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_psc_exp(2)
    >>> _ = nd.init_all_states(n)
    >>> n.recordables
    ('V_m', 'I_syn_ex', 'I_syn_in')
    """

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 250.0 * u.pF,
        tau_m: Any = 10.0 * u.ms,
        t_ref: Any = 2.0 * u.ms,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -70.0 * u.mV,
        tau_syn_ex: Any = 2.0 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, E_L, C_m, tau_m, t_ref, V_th, V_reset, I_e, V_initializer,
            spk_fun, spk_reset, name, tau_syn_ex=tau_syn_ex, tau_syn_in=tau_syn_in,
        )  # fmt: skip


class iaf_psc_alpha(_ExInCurrents, _LinearIAF):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron with alpha-shaped PSCs (NEST ``iaf_psc_alpha``).

    .. math::

       C_m \frac{dV}{dt} = -\frac{C_m}{\tau_m}(V - E_L) + I_{ex} + I_{in} + I_e + I_{stim},
       \qquad \frac{d^2 I_{x}}{dt^2} + \frac{2}{\tau_{syn,x}}\frac{dI_x}{dt}
       + \frac{I_x}{\tau_{syn,x}^2} = 0

    A spike of weight ``w`` (pA) adds ``e\, w / \tau_{syn}`` to ``dI``, so the current
    peaks at ``w`` after ``tau_syn``; ``w < 0`` goes to the inhibitory current.

    ==================  ===========  ==========================================
    parameter           default      meaning
    ==================  ===========  ==========================================
    ``E_L``             -70 mV       resting potential
    ``C_m``             250 pF       membrane capacitance
    ``tau_m``           10 ms        membrane time constant
    ``t_ref``           2 ms         refractory period (``V`` held at ``V_reset``)
    ``V_th``            -55 mV       spike threshold
    ``V_reset``         -70 mV       reset potential (``< V_th``)
    ``I_e``             0 pA         constant input current
    ``V_initializer``   ``E_L``      initial membrane potential
    ``tau_syn_ex``      2 ms         excitatory synaptic time constant
    ``tau_syn_in``      2 ms         inhibitory synaptic time constant
    ``V_min``           -inf mV      lower bound of the membrane potential
    ==================  ===========  ==========================================

    States: ``V``, ``I_syn_ex``, ``dI_syn_ex``, ``I_syn_in``, ``dI_syn_in``, ``I_stim``,
    ``refractory_step_count``, ``last_spike_time``, ``spike``. Delta inputs: weights
    in pA, labelled ``'ex'`` / ``'in'`` (magnitudes) or unlabelled (the sign picks
    the receptor, as in NEST).

    Reference: Rotter & Diesmann (1999), Biol. Cybern. 81:381; NEST ``iaf_psc_alpha``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_psc_alpha(1, I_e=500. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> n().shape
    (1,)
    """

    V_min = Param(u.mV, allow_inf=True)

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 250.0 * u.pF,
        tau_m: Any = 10.0 * u.ms,
        t_ref: Any = 2.0 * u.ms,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -70.0 * u.mV,
        tau_syn_ex: Any = 2.0 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_min: Any = -jnp.inf * u.mV,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, E_L, C_m, tau_m, t_ref, V_th, V_reset, I_e, V_initializer,
            spk_fun, spk_reset, name, tau_syn_ex=tau_syn_ex, tau_syn_in=tau_syn_in,
            V_min=V_min,
        )  # fmt: skip

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = jnp.zeros_like(self.V.value.mantissa)
        self.I_syn_ex = HiddenState(u.with_unit(zeros, u.pA), name="I_syn_ex")
        self.I_syn_in = HiddenState(u.with_unit(zeros, u.pA), name="I_syn_in")
        self.dI_syn_ex = HiddenState(u.with_unit(zeros, u.pA / u.ms), name="dI_syn_ex")
        self.dI_syn_in = HiddenState(u.with_unit(zeros, u.pA / u.ms), name="dI_syn_in")

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        h, tau_m, C = _ms(environ.get_dt()), _ms(self.tau_m), u.to_float(self.C_m, u.pF)
        drive = self._current_drive()
        channels = []
        for kind, sign, tau_syn, I_state, dI_state in (
            ("ex", +1, self.tau_syn_ex, self.I_syn_ex, self.dI_syn_ex),
            ("in", -1, self.tau_syn_in, self.I_syn_in, self.dI_syn_in),
        ):
            tau = _ms(tau_syn)
            I, dI = _pA(I_state.value), u.to_float(dI_state.value, u.pA / u.ms)
            dV, I_new, dI_new = prop.alpha_psc_step(I, dI, h, tau, tau_m, C)
            drive = drive + dV
            dI_new = dI_new + jnp.e / tau * _pA(self.spike_inputs(kind, sign=sign))
            channels.append((I_state, dI_state, I_new, dI_new))
        y = self._membrane_step(_mV(self.V.value - self.E_L), drive)
        y = jnp.maximum(y, _mV(self.V_min - self.E_L))
        for I_state, dI_state, I_new, dI_new in channels:
            I_state.value = u.with_unit(I_new, u.pA)
            dI_state.value = u.with_unit(dI_new, u.pA / u.ms)
        return self._finish(y, x)


def _ms(x: Any) -> Any:
    return u.to_float(x, u.ms)


def _mV(x: Any) -> Any:
    return u.to_float(x, u.mV) if u.is_quantity(x) else x


def _pA(x: Any) -> Any:
    """Magnitude in pA; the plain 0.0 of "no input" passes through."""
    return u.to_float(x, u.pA) if u.is_quantity(x) else x
