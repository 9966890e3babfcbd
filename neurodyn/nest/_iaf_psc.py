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
from ..neurons._base import check_current, initial_value, refractory_steps
from ..ops._linear_iaf import linear_iaf_step
from ..surrogate import Surrogate
from . import _propagators as prop
from ._base import NESTNeuron, after_spikes


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

    def kernel_parameters(self) -> dict[str, Any]:
        """The step's coefficients in mV, pA, ms (:data:`neurodyn.ops._linear_iaf.PARAMETERS`)."""
        h, tau_m, C = _ms(environ.get_dt()), _ms(self.tau_m), u.to_float(self.C_m, u.pF)
        absolute, total = (refractory_steps(period) for period in self.refractory_periods())
        return {
            "E_L": _mV(self.E_L),
            "I_e": _pA(self.I_e),
            "P20": prop.constant_current_to_V(h, tau_m, C),
            "P22": prop.decay(h, tau_m),
            "theta": _mV(self.V_th - self.E_L),
            "y_reset": _mV(self.V_reset - self.E_L),
            "steps": total,
            "held_above": total - absolute,
            "waits": self.threshold_waits_for_refractoriness,
        }

    def _synapse_step(self, c: dict, synapse: tuple, inputs: tuple, drive: Any) -> tuple:
        """The synaptic states after one step (this step's spike ``inputs`` added) and
        ``drive`` plus the voltage change (mV) they cause."""
        raise NotImplementedError

    def step(self, c: dict, t_end: Any, stim: Any, inputs: tuple, states: tuple) -> tuple:
        """One step in NEST's order as a pure function of plain numbers (mV, pA, ms), the
        reference of :func:`~neurodyn.ops._linear_iaf.linear_iaf_step`: ``c`` are the
        :meth:`kernel_parameters`, ``stim`` the current to buffer, ``states`` ``(V,
        *synapse, count, last_spike_time, I_stim)``. Returns the new states and spikes."""
        V, *synapse, count, last_spike_time, I_stim = states
        drive = (I_stim + c["I_e"]) * c["P20"]
        synapse, drive = self._synapse_step(c, tuple(synapse), inputs, drive)
        y = self._propagate_membrane(c, V - c["E_L"], drive, count)
        if "y_min" in c:
            y = jnp.maximum(y, c["y_min"])
        spike, y = self._threshold_and_reset(c, y, count)
        count, last_spike_time = after_spikes(spike, c["steps"], count, last_spike_time, t_end)
        I_stim = jnp.broadcast_to(stim, V.shape).astype(V.dtype)
        return (y + c["E_L"], *synapse, count, last_spike_time, I_stim), spike

    def _update(self, kernel: str, synapses: tuple, inputs: tuple, x: Any) -> Any:
        """:meth:`step` on the states (compiled kernel ``kernel`` where it computes the
        same); ``synapses``: the synaptic states with their units."""
        check_current(self.name, x)
        dtype = u.magnitude(self.V.value).dtype
        synapse = (u.to_float(state.value, unit) for state, unit in synapses)
        states = (_mV(self.V.value), *synapse, self.refractory_step_count.value,
                  _ms(self.last_spike_time.value), _pA(self.I_stim.value))  # fmt: skip
        t_end = _ms(environ.get("t") + environ.get_dt())
        arguments = (self.kernel_parameters(), t_end, jnp.asarray(_pA(x), dtype),
                     tuple(jnp.asarray(w, dtype) for w in inputs), states)  # fmt: skip
        # the kernel tests the surrogate's forward (x >= 0) and resets hard
        if self.spk_reset == "hard" and type(self.spk_fun).__call__ is Surrogate.__call__:
            new, spike = linear_iaf_step(kernel, self.step, *arguments)
        else:
            new, spike = self.step(*arguments)
        V, *synapse, count, last_spike_time, I_stim = new
        self.V.value = u.with_unit(V, u.mV)
        for (state, unit), value in zip(synapses, synapse, strict=True):
            state.value = u.with_unit(value, unit)
        self.refractory_step_count.value = count
        self.last_spike_time.value = u.with_unit(last_spike_time, u.ms)
        self.spike.value = spike
        self.I_stim.value = u.with_unit(I_stim, u.pA)
        if self._current_inputs:  # they see the new V: buffered here, after the step
            self.buffer_current(x)
        return spike

    def _propagate_membrane(self, c: dict, y: Any, drive: Any, count: Any) -> Any:
        """``V - E_L`` (mV) after one step: ``drive`` (mV) is what the inputs add; held
        while absolutely refractory (more than ``held_above`` steps left)."""
        y_free = y * c["P22"] + drive
        return jnp.where(count > c["held_above"], y, y_free)

    def _threshold_and_reset(self, c: dict, y: Any, count: Any) -> tuple[Any, Any]:
        """Spikes where ``y >= V_th - E_L``, and ``y`` after the reset."""
        theta, y_reset = c["theta"], c["y_reset"]
        spike = self.spk_fun((y - theta) / (theta - y_reset))
        if self.threshold_waits_for_refractoriness:
            spike = spike * (count == 0)
        if self.spk_reset == "hard":
            y = jnp.where(jax.lax.stop_gradient(spike) > 0, y_reset, y)
        else:
            y = y - (theta - y_reset) * spike
        return spike, y

    def _membrane_step(self, y: Any, drive: Any) -> Any:
        """:meth:`_propagate_membrane` on the states (for models that update themselves)."""
        c = _LinearMembrane.kernel_parameters(self)
        return self._propagate_membrane(c, y, drive, self.refractory_step_count.value)

    def _finish(self, y: Any, x: Any) -> Any:
        """Threshold, reset, refractoriness and the buffered current, on the states
        (for models that update themselves)."""
        c = _LinearMembrane.kernel_parameters(self)
        spike, y = self._threshold_and_reset(c, y, self.refractory_step_count.value)
        self.V.value = u.with_unit(y, u.mV) + self.E_L
        self.emit(spike, c["steps"])
        self.buffer_current(x)
        return spike

    def _current_drive(self) -> Any:
        """The voltage change (mV) over one step from the buffered current and ``I_e``."""
        P20 = _LinearMembrane.kernel_parameters(self)["P20"]
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

    def kernel_parameters(self) -> dict[str, Any]:
        h, tau_m, C = _ms(environ.get_dt()), _ms(self.tau_m), u.to_float(self.C_m, u.pF)
        c = super().kernel_parameters()
        for kind, tau_syn in (("ex", self.tau_syn_ex), ("in", self.tau_syn_in)):
            c[f"P11_{kind}"] = prop.decay(h, _ms(tau_syn))
            c[f"P21_{kind}"] = prop.exp_current_to_V(h, _ms(tau_syn), tau_m, C)
        return c

    def _synapse_step(self, c: dict, synapse: tuple, inputs: tuple, drive: Any) -> tuple:
        (I_ex, I_in), (w_ex, w_in) = synapse, inputs
        drive = I_ex * c["P21_ex"] + I_in * c["P21_in"] + drive
        return (I_ex * c["P11_ex"] + w_ex, I_in * c["P11_in"] + w_in), drive

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        inputs = (_pA(self.spike_inputs("ex", sign=+1)), _pA(self.spike_inputs("in", sign=-1)))
        synapses = ((self.I_syn_ex, u.pA), (self.I_syn_in, u.pA))
        return self._update("exp", synapses, inputs, x)


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
    Delta inputs: weights in mV, unlabelled (any sign). On CPU in float64 the step runs
    as one compiled loop over the neurons (:mod:`neurodyn.ops._linear_iaf`).

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

    def kernel_parameters(self) -> dict[str, Any]:
        return {**super().kernel_parameters(), "y_min": _mV(self.V_min - self.E_L)}

    def _synapse_step(self, c: dict, synapse: tuple, inputs: tuple, drive: Any) -> tuple:
        (jumps,) = inputs
        return (), drive + jumps

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        return self._update("delta", (), (_mV(self.spike_inputs()),), x)


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
    ``'in'`` (magnitudes) or unlabelled (the sign picks the receptor, as in NEST). On CPU
    in float64 the step runs as one compiled loop over the neurons.

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
    the receptor, as in NEST). On CPU in float64 the step runs as one compiled loop
    over the neurons.

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

    def kernel_parameters(self) -> dict[str, Any]:
        h, tau_m, C = _ms(environ.get_dt()), _ms(self.tau_m), u.to_float(self.C_m, u.pF)
        c = {**super().kernel_parameters(), "y_min": _mV(self.V_min - self.E_L), "h": h}
        for kind, tau_syn in (("ex", self.tau_syn_ex), ("in", self.tau_syn_in)):
            tau = _ms(tau_syn)
            c[f"P11_{kind}"] = prop.decay(h, tau)
            c[f"P21_{kind}"] = prop.exp_current_to_V(h, tau, tau_m, C)
            c[f"P31_{kind}"] = prop.alpha_current_to_V(h, tau, tau_m, C)
            c[f"e_tau_{kind}"] = jnp.e / tau
        return c

    def _synapse_step(self, c: dict, synapse: tuple, inputs: tuple, drive: Any) -> tuple:
        """Each current and its slope (NEST's order: ``V`` sees the values at the step's
        start; a spike of weight ``w`` adds ``e w / tau_syn`` to the slope)."""
        new = []
        for kind, I, dI, w in zip(("ex", "in"), synapse[::2], synapse[1::2], inputs, strict=True):
            drive = drive + (dI * c[f"P31_{kind}"] + I * c[f"P21_{kind}"])
            P11 = c[f"P11_{kind}"]
            new += [P11 * (I + c["h"] * dI), P11 * dI + c[f"e_tau_{kind}"] * w]
        return tuple(new), drive

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        inputs = (_pA(self.spike_inputs("ex", sign=+1)), _pA(self.spike_inputs("in", sign=-1)))
        synapses = ((self.I_syn_ex, u.pA), (self.dI_syn_ex, u.pA / u.ms),
                    (self.I_syn_in, u.pA), (self.dI_syn_in, u.pA / u.ms))  # fmt: skip
        return self._update("alpha", synapses, inputs, x)


def _ms(x: Any) -> Any:
    return u.to_float(x, u.ms)


def _mV(x: Any) -> Any:
    return u.to_float(x, u.mV) if u.is_quantity(x) else x


def _pA(x: Any) -> Any:
    """Magnitude in pA; the plain 0.0 of "no input" passes through."""
    return u.to_float(x, u.pA) if u.is_quantity(x) else x
