"""NEST's integrate-and-fire neurons with precise spike timing (``*_ps``).

``iaf_psc_delta_ps``, ``iaf_psc_exp_ps``, ``iaf_psc_exp_ps_lossless`` and
``iaf_psc_alpha_ps`` integrate their linear dynamics exactly between input spikes at
off-grid times and fire at the off-grid time of the threshold crossing; see
:mod:`neurodyn.nest._precise` for the input format, the offsets and the step.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core._errors import ParameterError
from ..core._params import Param
from ._precise import PreciseIAF, alpha_propagator, exp_propagator, regula_falsi


class iaf_psc_delta_ps(PreciseIAF):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron with delta synapses and precise spike timing
    (NEST ``iaf_psc_delta_ps``).

    .. math::

       C_m \frac{dV}{dt} = -\frac{C_m}{\tau_m}(V - E_L) + I_e + I_{stim},
       \qquad V \leftarrow V + w \text{ at a spike's exact arrival time}

    Between input spikes ``V`` relaxes exactly towards
    :math:`V_\infty = E_L + \tau_m (I_e + I_{stim}) / C_m`; the neuron fires at the
    exact crossing time, :math:`t = -\tau_m \ln\frac{V_\infty - V}{V_\infty - V_{th}}`
    before the end of the piece where ``V`` ended above threshold, or at the arrival
    of the input that lifts it over. Simultaneous inputs are summed first; inputs
    arriving while refractory are dropped.

    ==================  ===========  ==========================================
    parameter           default      meaning
    ==================  ===========  ==========================================
    ``E_L``             -70 mV       resting potential
    ``C_m``             250 pF       membrane capacitance
    ``tau_m``           10 ms        membrane time constant
    ``t_ref``           2 ms         refractory period (``> 0``, whole steps)
    ``V_th``            -55 mV       spike threshold
    ``V_reset``         -70 mV       reset potential (``< V_th``)
    ``V_min``           -inf mV      lower bound of the membrane potential
    ``I_e``             0 pA         constant input current
    ``V_initializer``   ``E_L``      initial membrane potential
    ==================  ===========  ==========================================

    States: ``V``, ``is_refractory``, ``last_spike_offset``, ``spike_offset``, ``I_stim``,
    ``refractory_step_count``, ``last_spike_time``, ``spike``. Inputs: weights in mV.

    Reference: Morrison, Straube, Plesser & Diesmann (2007), Neural Comput.
    19:47; Hanuschkin et al. (2010), Front. Neuroinform. 4:113.

    >>> import jax.numpy as jnp
    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_psc_delta_ps(1, I_e=400. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> spike, offset = nd.for_loop(lambda i: (n(), n.spike_offset.value), jnp.arange(300))
    >>> k = int(jnp.argmax(spike[:, 0]))  # the step of the first spike, (k h, (k + 1) h]
    >>> round((k + 1) * 0.1 - float(offset[k, 0].to_decimal(u.ms)), 3)  # its time (ms)
    27.726
    """

    WEIGHT_UNIT = u.mV
    KERNEL = "delta"

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
        name: str | None = None,
    ):
        super().__init__(
            in_size, E_L, C_m, tau_m, t_ref, V_th, V_reset, I_e, V_min, V_initializer, name
        )

    def run_events(self, p, state, refractory, fired, events, y0, h):
        theta, y_reset = p["theta"], p["y_reset"]
        v_inf = p["tau_m"] / p["C"] * (y0 + p["I_e"])
        offsets, weights, pseudo = events
        valid = offsets >= 0.0
        # simultaneous spikes are summed and act as one (NEST: accumulate_simultaneous)
        joins_next = (
            jnp.concatenate(
                [valid[1:] & ~pseudo[1:] & (offsets[1:] == offsets[:-1]), jnp.zeros_like(valid[:1])]
            )
            & valid
            & ~pseudo
        )

        def propagate(U, dt):
            expm1 = self.coefficients(p, dt)["expm1_m"]
            return -v_inf * expm1 + U * expm1 + U

        def fire(U, fired, refractory, crossed, offset):
            return (
                jnp.where(crossed, y_reset, U),
                fired.join(crossed, offset),
                refractory | crossed,
            )

        def body(carry, event):
            U, refractory, fired, t, total = carry
            offset, weight, is_end, ok, joins = event
            total = total + weight
            act = ok & ~joins
            free = act & ~refractory
            U = jnp.where(free, propagate(U, t - offset), U)
            crossed = free & (U >= theta)
            since = -p["tau_m"] * jnp.log((v_inf - U) / (v_inf - theta))
            U, fired, refractory_new = fire(U, fired, refractory, crossed, offset + since)
            U = jnp.where(free & ~crossed, U + total, U)
            U, fired, refractory_new = fire(
                U, fired, refractory_new, free & ~crossed & (U >= theta), offset
            )
            refractory_new = refractory_new & ~(act & refractory & is_end)
            total = jnp.where(joins, total, 0.0)
            return (U, refractory_new, fired, jnp.where(act, offset, t), total), None

        t = jnp.full(y0.shape, h, y0.dtype)
        carry = (state["V"], refractory, fired, t, jnp.zeros_like(t))
        U, refractory, fired, t, _ = jax.lax.scan(
            body, carry, (offsets, weights, pseudo, valid, joins_next)
        )[0]
        plain = ~jnp.any(valid, axis=0)
        expm1_h = self.coefficients(p, h)["expm1_m"]
        whole = jnp.maximum(
            -expm1_h * (p["tau_m"] / p["C"]) * (y0 + p["I_e"]) + expm1_h * U + U, p["V_min"]
        )
        rest = ~refractory & (t > 0)
        U = jnp.where(rest, jnp.where(plain, whole, propagate(U, t)), U)
        crossed = rest & (U >= theta)
        since = -p["tau_m"] * jnp.log((v_inf - U) / (v_inf - theta))
        U, fired, refractory = fire(U, fired, refractory, crossed, since)
        return {"V": U}, refractory, fired


class _CurrentPreciseModel(PreciseIAF):
    RECORDABLES = ("V_m", "I_syn_ex", "I_syn_in")
    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)

    def coefficients(self, p, dt):
        c = super().coefficients(p, dt)
        return {**c, "P20": -p["tau_m"] / p["C"] * c["expm1_m"]}

    def _membrane(self, p, c, state, dt, refractory, y0, whole, synaptic_drive):
        """``V`` after ``dt`` (held while refractory; ``c`` the :meth:`coefficients`):
        NEST's whole-step update form (with the lower bound) where ``whole``, its
        sub-step form elsewhere."""
        V = state["V"]
        piece = c["P20"] * (p["I_e"] + y0) + synaptic_drive + V * jnp.exp(-dt / p["tau_m"])
        step = c["P20"] * (p["I_e"] + y0) + synaptic_drive + c["expm1_m"] * V + V
        V_new = jnp.where(whole, jnp.maximum(step, p["V_min"]), piece)
        return jnp.where(refractory, V, V_new)


class iaf_psc_exp_ps(_CurrentPreciseModel):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron with exponential PSCs and precise spike timing
    (NEST ``iaf_psc_exp_ps``).

    .. math::

       C_m \frac{dV}{dt} = -\frac{C_m}{\tau_m}(V - E_L) + I_{ex} + I_{in} + I_e + I_{stim},
       \qquad \frac{dI_{ex,in}}{dt} = -\frac{I_{ex,in}}{\tau_{syn,ex,in}}

    A spike of weight ``w`` (pA) adds ``w`` to ``I_ex`` (``w >= 0``) or ``I_in`` at its
    exact arrival time; the currents keep decaying (and taking input) while the
    neuron is refractory. The crossing time is found by Regula Falsi, as in NEST.

    ==================  ===========  ==========================================
    parameter           default      meaning
    ==================  ===========  ==========================================
    ``E_L``             -70 mV       resting potential
    ``C_m``             250 pF       membrane capacitance
    ``tau_m``           10 ms        membrane time constant
    ``t_ref``           2 ms         refractory period (``> 0``, whole steps)
    ``V_th``            -55 mV       spike threshold
    ``V_reset``         -70 mV       reset potential (``< V_th``)
    ``V_min``           -inf mV      lower bound of the membrane potential
    ``I_e``             0 pA         constant input current
    ``V_initializer``   ``E_L``      initial membrane potential
    ``tau_syn_ex``      2 ms         excitatory synaptic time constant
    ``tau_syn_in``      2 ms         inhibitory synaptic time constant
    ==================  ===========  ==========================================

    States: ``V``, ``I_syn_ex``, ``I_syn_in``, ``is_refractory``, ``last_spike_offset``,
    ``spike_offset``, ``I_stim``, ``refractory_step_count``, ``last_spike_time``, ``spike``.

    Reference: Morrison, Straube, Plesser & Diesmann (2007), Neural Comput. 19:47.

    >>> import jax.numpy as jnp
    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_psc_exp_ps(1, I_e=400. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> spike, offset = nd.for_loop(lambda i: (n(), n.spike_offset.value), jnp.arange(300))
    >>> k = int(jnp.argmax(spike[:, 0]))  # the step of the first spike, (k h, (k + 1) h]
    >>> round((k + 1) * 0.1 - float(offset[k, 0].to_decimal(u.ms)), 3)  # its time (ms)
    27.726
    """

    SYNAPSE = {"I_syn_ex": u.pA, "I_syn_in": u.pA}
    KERNEL = "exp"

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
        name: str | None = None,
    ):
        super().__init__(
            in_size,
            E_L,
            C_m,
            tau_m,
            t_ref,
            V_th,
            V_reset,
            I_e,
            V_min,
            V_initializer,
            name,
            tau_syn_ex=tau_syn_ex,
            tau_syn_in=tau_syn_in,
        )

    def coefficients(self, p, dt):
        c = super().coefficients(p, dt)
        for kind in ("ex", "in"):
            tau = p[f"tau_syn_{kind}"]
            c[f"P32_{kind}"] = exp_propagator(dt, tau, p["tau_m"], p["C"])
            c[f"decay_{kind}"] = jnp.exp(-dt / tau)
        return c

    def propagate(self, p, state, dt, refractory, y0, whole):
        c = self.coefficients(p, dt)
        drive = c["P32_ex"] * state["I_syn_ex"] + c["P32_in"] * state["I_syn_in"]
        return {
            "V": self._membrane(p, c, state, dt, refractory, y0, whole, drive),
            "I_syn_ex": state["I_syn_ex"] * c["decay_ex"],
            "I_syn_in": state["I_syn_in"] * c["decay_in"],
        }

    def add_spike(self, p, state, weight):
        excitatory = weight >= 0.0
        return {**state, "I_syn_ex": state["I_syn_ex"] + jnp.where(excitatory, weight, 0.0),
                "I_syn_in": state["I_syn_in"] + jnp.where(excitatory, 0.0, weight)}  # fmt: skip


class iaf_psc_exp_ps_lossless(iaf_psc_exp_ps):  # noqa: N801 (NEST's model name)
    r"""``iaf_psc_exp_ps`` that misses no threshold crossing (NEST
    ``iaf_psc_exp_ps_lossless``).

    The dynamics are those of :class:`iaf_psc_exp_ps` (with ``tau_syn_ex = tau_syn_in
    != tau_m``). Instead of testing ``V`` at the end of each piece, a piece is tested,
    from its initial state, for a crossing anywhere inside it, by the state-space
    criteria of Krishnan et al. (2018) as NEST writes them; the crossing time is then
    found by Regula Falsi up to the latest time the criteria allow. As in NEST, the
    test is made while refractory too.

    ==================  ===========  ==========================================
    parameter           default      meaning
    ==================  ===========  ==========================================
    ``E_L``             -70 mV       resting potential
    ``C_m``             250 pF       membrane capacitance
    ``tau_m``           10 ms        membrane time constant
    ``t_ref``           2 ms         refractory period (``> 0``, whole steps)
    ``V_th``            -55 mV       spike threshold
    ``V_reset``         -70 mV       reset potential (``< V_th``)
    ``V_min``           -inf mV      lower bound of the membrane potential
    ``I_e``             0 pA         constant input current
    ``V_initializer``   ``E_L``      initial membrane potential
    ``tau_syn_ex``      2 ms         excitatory synaptic time constant
    ``tau_syn_in``      2 ms         inhibitory synaptic time constant
    ==================  ===========  ==========================================

    States: those of :class:`iaf_psc_exp_ps`; it also records ``I_syn = I_syn_ex +
    I_syn_in``.

    Reference: Krishnan, Porta Mana, Helias, Diesmann & Di Napoli (2018), Front.
    Neuroinform. 12:61; Hanuschkin et al. (2010), Front. Neuroinform. 4:113.

    >>> import jax.numpy as jnp
    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_psc_exp_ps_lossless(1, I_e=400. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> spike, offset = nd.for_loop(lambda i: (n(), n.spike_offset.value), jnp.arange(300))
    >>> k = int(jnp.argmax(spike[:, 0]))  # the step of the first spike, (k h, (k + 1) h]
    >>> round((k + 1) * 0.1 - float(offset[k, 0].to_decimal(u.ms)), 3)  # its time (ms)
    27.726
    """

    RECORDABLES = ("V_m", "I_syn", "I_syn_ex", "I_syn_in")
    KERNEL = "exp_lossless"

    def _recordable(self, name: str) -> Any:
        if name == "I_syn":
            return self.I_syn_ex.value + self.I_syn_in.value
        return super()._recordable(name)

    def check_parameters(self) -> None:
        super().check_parameters()
        names = ("tau_m", "tau_syn_ex", "tau_syn_in")
        if all(name in self.__dict__ for name in names):
            tau_m, ex, inh = (np.asarray(u.to_float(getattr(self, n), u.ms)) for n in names)
            if (ex != inh).any():
                raise ParameterError(
                    f"tau_syn_ex must equal tau_syn_in (NEST's rule for this model), got "
                    f"{u.describe(self.tau_syn_ex)} and {u.describe(self.tau_syn_in)}"
                )
            if (ex == tau_m).any():
                raise ParameterError(
                    f"tau_syn_ex must differ from tau_m, got {u.describe(self.tau_syn_ex)}"
                )

    def crossing(self, p, state, before, y0, dt, move):
        tau_m, tau_s, C = p["tau_m"], p["tau_syn_ex"], p["C"]
        U_th = p["theta"]
        a1, a2 = tau_m * tau_s, tau_m * (tau_m - tau_s)
        a3, a4 = C * U_th * (tau_m - tau_s), C * (tau_m - tau_s)
        b1, b2, b3, b4 = -tau_m * tau_m, tau_m * tau_s, tau_m * C * U_th, -C * (tau_m - tau_s)
        c1, c2 = tau_m / C, (-tau_m * tau_s) / (C * (tau_m - tau_s))
        c3, c4 = (tau_m * tau_m) / (C * (tau_m - tau_s)), tau_s / tau_m
        c5, c6 = (C * U_th) / tau_m, 1 - (tau_s / tau_m)
        I_0 = before["I_syn_ex"] + before["I_syn_in"]
        V_0 = before["V"]
        I_e = y0 + p["I_e"]
        e_s, e_m = jnp.expm1(dt / tau_s), jnp.expm1(dt / tau_m)
        e_ms = jnp.expm1(dt / tau_m - dt / tau_s)
        f = (a1 * I_0 * e_ms + e_m * (a3 - I_e * a2) + a3) / a4
        g = ((I_0 + I_e) * (b1 * e_m + b2 * e_s) + b3 * (e_m - e_s)) / (b4 * e_s)
        no_spike = (V_0 < g) & (V_0 <= f)
        whole = ~no_spike & (V_0 >= f)
        bound = c1 * I_e + c2 * I_0 + c3 * jnp.power(I_0, c4) * jnp.power(c5 - I_e, c6)
        inside = ~no_spike & ~whole & ~(V_0 < bound)
        latest = (a1 / tau_m * tau_s) * jnp.log(b1 * I_0 / (a2 * I_e - a1 * I_0 - a4 * V_0))
        latest = jnp.where(whole, dt, jnp.where(inside, latest, jnp.nan))
        crossed = move & ~jnp.isnan(latest)

        def distance(t):
            return self.propagate(p, before, t, jnp.zeros_like(crossed), y0, False)["V"] - U_th

        return crossed, regula_falsi(distance, jnp.where(crossed, latest, 1.0), crossed)


class iaf_psc_alpha_ps(_CurrentPreciseModel):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron with alpha-shaped PSCs and precise spike timing
    (NEST ``iaf_psc_alpha_ps``).

    .. math::

       C_m \frac{dV}{dt} = -\frac{C_m}{\tau_m}(V - E_L) + I_{ex} + I_{in} + I_e + I_{stim},
       \qquad \frac{dI_x}{dt} = dI_x - \frac{I_x}{\tau_{syn,x}},\quad
       \frac{d\,dI_x}{dt} = -\frac{dI_x}{\tau_{syn,x}}

    A spike of weight ``w`` (pA) adds ``e\, w / \tau_{syn}`` to ``dI_ex`` (``w >= 0``) or
    ``dI_in`` at its exact arrival time, so the current peaks at ``w`` after
    ``tau_syn``. The crossing time is found by Regula Falsi, as in NEST.

    ==================  ===========  ==========================================
    parameter           default      meaning
    ==================  ===========  ==========================================
    ``E_L``             -70 mV       resting potential
    ``C_m``             250 pF       membrane capacitance
    ``tau_m``           10 ms        membrane time constant
    ``t_ref``           2 ms         refractory period (``> 0``, whole steps)
    ``V_th``            -55 mV       spike threshold
    ``V_reset``         -70 mV       reset potential (``< V_th``)
    ``V_min``           -inf mV      lower bound of the membrane potential
    ``I_e``             0 pA         constant input current
    ``V_initializer``   ``E_L``      initial membrane potential
    ``tau_syn_ex``      2 ms         excitatory synaptic time constant
    ``tau_syn_in``      2 ms         inhibitory synaptic time constant
    ==================  ===========  ==========================================

    States: ``V``, ``I_syn_ex``, ``dI_syn_ex``, ``I_syn_in``, ``dI_syn_in``,
    ``is_refractory``, ``last_spike_offset``, ``spike_offset``, ``I_stim``,
    ``refractory_step_count``, ``last_spike_time``, ``spike``.

    Reference: Morrison, Straube, Plesser & Diesmann (2007), Neural Comput. 19:47.

    >>> import jax.numpy as jnp
    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_psc_alpha_ps(1, I_e=400. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> spike, offset = nd.for_loop(lambda i: (n(), n.spike_offset.value), jnp.arange(300))
    >>> k = int(jnp.argmax(spike[:, 0]))  # the step of the first spike, (k h, (k + 1) h]
    >>> round((k + 1) * 0.1 - float(offset[k, 0].to_decimal(u.ms)), 3)  # its time (ms)
    27.726
    """

    SYNAPSE = {"I_syn_ex": u.pA, "dI_syn_ex": u.pA / u.ms, "I_syn_in": u.pA,
               "dI_syn_in": u.pA / u.ms}  # fmt: skip
    KERNEL = "alpha"

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
        name: str | None = None,
    ):
        super().__init__(
            in_size,
            E_L,
            C_m,
            tau_m,
            t_ref,
            V_th,
            V_reset,
            I_e,
            V_min,
            V_initializer,
            name,
            tau_syn_ex=tau_syn_ex,
            tau_syn_in=tau_syn_in,
        )

    def coefficients(self, p, dt):
        c = super().coefficients(p, dt)
        for kind in ("ex", "in"):
            tau = p[f"tau_syn_{kind}"]
            c[f"P31_{kind}"], c[f"P32_{kind}"] = alpha_propagator(dt, tau, p["tau_m"], p["C"])
            c[f"decay_{kind}"] = jnp.exp(-dt * (1.0 / tau))
        return c

    def propagate(self, p, state, dt, refractory, y0, whole):
        c = self.coefficients(p, dt)
        out, drive = {}, 0.0
        for kind in ("ex", "in"):
            I, dI = state[f"I_syn_{kind}"], state[f"dI_syn_{kind}"]
            drive = drive + c[f"P31_{kind}"] * dI + c[f"P32_{kind}"] * I
            decay = c[f"decay_{kind}"]
            out[f"I_syn_{kind}"] = decay * dt * dI + decay * I
            out[f"dI_syn_{kind}"] = decay * dI
        V = self._membrane(p, c, state, dt, refractory, y0, True, drive)
        return {"V": V, **out}

    def add_spike(self, p, state, weight):
        excitatory = weight >= 0.0
        jump_ex = jnp.e * (1.0 / p["tau_syn_ex"]) * weight
        jump_in = jnp.e * (1.0 / p["tau_syn_in"]) * weight
        return {**state, "dI_syn_ex": state["dI_syn_ex"] + jnp.where(excitatory, jump_ex, 0.0),
                "dI_syn_in": state["dI_syn_in"] + jnp.where(excitatory, 0.0, jump_in)}  # fmt: skip
