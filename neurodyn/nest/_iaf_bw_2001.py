r"""NEST's Brunel–Wang (2001) neurons with AMPA, GABA and NMDA receptors.

Both models integrate the membrane and the synaptic gating variables with GSL-style
RKF45 (absolute tolerance ``gsl_error_tol`` in mV, nS and for the unitless NMDA
variables; per-neuron persistent step size), then add the spikes that arrive in the
step, then clamp (refractory) or test the threshold, as NEST's ``update`` does.

- :class:`iaf_bw_2001`: NMDA as one exponentially decaying ``s_NMDA`` per neuron; the
  *presynaptic* neuron computes the size of each NMDA jump (NEST sends it in the spike
  event's offset), so NMDA input must come from ``iaf_bw_2001`` neurons.
- :class:`iaf_bw_2001_exact`: every NMDA connection is a port ``j`` with its own rise
  and gating variables ``(x_j, s_j)`` and a fixed weight ``w_j``. The ports are fixed
  when the model is built; their variables are a trailing state axis, so the whole
  population is one vectorised RKF45 step. NEST-style event records
  (``update(spike_events=[...])``) are converted to those arrays eagerly.

Spike inputs are delta inputs labelled ``'AMPA'``, ``'GABA'`` or ``'NMDA'``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import parameter, require_less
from ..core._state import (
    HiddenState,
    ParamState,
    ShortTermState,
)
from ..neurons._base import initial_value
from ..surrogate import Surrogate
from ._base import NESTNeuron, refractory_counts

#: Mg2+ block of the NMDA current (Jahr & Stevens 1990, as in NEST): per mV and mM.
MG_SLOPE, MG_SCALE = 0.062, 3.57


class _BrunelWang(NESTNeuron):
    """Membrane, AMPA/GABA conductances, recordable currents and spiking shared by
    both models (NEST's parameter names, defaults and checks)."""

    RECORDABLES = ("V_m", "s_AMPA", "s_GABA", "s_NMDA", "I_NMDA", "I_AMPA", "I_GABA")
    RECEPTOR_TYPES = {"AMPA": 1, "GABA": 2, "NMDA": 3}
    #: Unit of the delta inputs of each receptor (the NMDA one is model-specific).
    INPUT_UNITS: dict[str, u.Unit] = {"AMPA": u.nS, "GABA": u.nS, "NMDA": u.nS}

    def __init__(
        self,
        in_size: Any,
        E_L: Any,
        E_ex: Any,
        E_in: Any,
        V_th: Any,
        V_reset: Any,
        C_m: Any,
        g_L: Any,
        t_ref: Any,
        tau_AMPA: Any,
        tau_GABA: Any,
        tau_rise_NMDA: Any,
        tau_decay_NMDA: Any,
        alpha: Any,
        conc_Mg2: Any,
        gsl_error_tol: float,
        V_initializer: Any,
        spk_fun: Surrogate | None,
        spk_reset: str,
        name: str | None,
    ):
        # NEST's models have no I_e: the base class's stays 0 pA.
        super().__init__(in_size, 0.0 * u.pA, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        shape = self.varshape
        self.E_L = parameter("E_L", E_L, u.mV, shape=shape)
        self.E_ex = parameter("E_ex", E_ex, u.mV, shape=shape)
        self.E_in = parameter("E_in", E_in, u.mV, shape=shape)
        self.V_th = parameter("V_th", V_th, u.mV, shape=shape)
        self.V_reset = parameter("V_reset", V_reset, u.mV, shape=shape)
        self.g_L = parameter("g_L", g_L, u.nS, shape=shape)
        # NEST's checks, in NEST's order.
        require_less("V_reset", self.V_reset, "V_th", self.V_th)
        self.C_m = parameter("C_m", C_m, u.pF, shape=shape, positive=True)
        self.t_ref = parameter("t_ref", t_ref, u.ms, shape=shape, nonnegative=True)
        for key, value in (
            ("tau_AMPA", tau_AMPA),
            ("tau_GABA", tau_GABA),
            ("tau_rise_NMDA", tau_rise_NMDA),
            ("tau_decay_NMDA", tau_decay_NMDA),
        ):
            setattr(self, key, parameter(key, value, u.ms, shape=shape, positive=True))
        self.alpha = parameter("alpha", alpha, u.kHz, shape=shape, positive=True)
        self.conc_Mg2 = parameter("conc_Mg2", conc_Mg2, u.mM, shape=shape, positive=True)
        parameter("gsl_error_tol", gsl_error_tol, positive=True)
        if np.ndim(gsl_error_tol) != 0:
            raise ParameterError(
                "gsl_error_tol must be one number for the population, got shape "
                f"{np.shape(gsl_error_tol)}"
            )
        self.gsl_error_tol = float(gsl_error_tol)  # float64, as GSL's tolerance
        self.V_initializer = V_initializer if V_initializer is not None else E_L

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        V = initial_value("V_initializer", self.V_initializer, u.mV, self.varshape, batch_size)
        self.V = HiddenState(V.in_unit(u.mV), name="V")  # the tolerance is in mV
        zeros = jnp.zeros_like(V.mantissa)
        self.s_AMPA = HiddenState(u.with_unit(zeros, u.nS), name="s_AMPA")
        self.s_GABA = HiddenState(u.with_unit(zeros, u.nS), name="s_GABA")
        for key in ("I_AMPA", "I_GABA", "I_NMDA"):
            setattr(self, key, ShortTermState(u.with_unit(zeros, u.pA), name=key))
        self.init_adaptive_step(V.shape)

    def _recordable(self, name: str) -> Any:
        key = "V" if name == "V_m" else name
        return getattr(self, key).value

    # -- the equations -----------------------------------------------------------------

    def mg_block(self, V: Any) -> Any:
        """The NMDA conductance's voltage dependence, ``1 + [Mg2+] e^{-0.062 V} / 3.57``."""
        conc = u.to_float(self.conc_Mg2, u.mM)
        return 1.0 + conc * jnp.exp(-MG_SLOPE * u.to_float(V, u.mV)) / MG_SCALE

    def synaptic_currents(self, V: Any, s_AMPA: Any, s_GABA: Any, s_NMDA: Any) -> tuple:
        """``(I_AMPA, I_GABA, I_NMDA)``; ``s_NMDA`` is the total NMDA conductance (nS)."""
        I_AMPA = (V - self.E_ex) * s_AMPA
        I_GABA = (V - self.E_in) * s_GABA
        I_NMDA = (V - self.E_ex) / self.mg_block(V) * s_NMDA
        return I_AMPA, I_GABA, I_NMDA

    def membrane_derivative(self, V: Any, I_syn: Any, I: Any) -> Any:
        """``dV/dt``; ``V`` is integrated freely, also while refractory (as in NEST)."""
        return (-self.g_L * (V - self.E_L) - I_syn + I) / self.C_m

    # -- the steps of the update -------------------------------------------------------

    def _control(self) -> dict:
        """NEST's ``gsl_odeiv_control_y_new(gsl_error_tol, 0)``."""
        return dict(eps_abs=self.gsl_error_tol, eps_rel=0.0, a_y=1.0, a_dydt=0.0)

    def integrate(self, y: dict, *args: Any) -> dict:
        """``y`` after one step of RKF45 (:meth:`integrate_adaptive`)."""
        return self.integrate_adaptive(self.derivatives, y, *args, **self._control()).y

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        spike = self.advance(self.receptor_inputs())
        self.buffer_current(x)
        return spike

    def advance(self, inputs: dict) -> Any:
        """The step up to the spikes (integration, arrivals, threshold, reset), given
        this step's spike inputs; returns the spikes."""
        raise NotImplementedError

    def _record_currents(self, V: Any, s_AMPA: Any, s_GABA: Any, s_NMDA: Any) -> None:
        """NEST's current recordables are side effects of the last vector-field call of
        the step: the integrated state, before spike arrivals, reset or clamping."""
        currents = self.synaptic_currents(V, s_AMPA, s_GABA, s_NMDA)
        for key, value in zip(("I_AMPA", "I_GABA", "I_NMDA"), currents, strict=True):
            getattr(self, key).value = value.in_unit(u.pA)

    def receptor_inputs(self) -> dict[str, Any]:
        """This step's delta inputs summed per receptor (``None`` where there are none).

        Every input must be labelled with a receptor (NEST has no default port for
        these models) and carry that receptor's unit (:attr:`INPUT_UNITS`).
        """
        labels = self.delta_input_labels()
        if None in labels:
            raise ParameterError(
                f"{self.name}: {type(self).__name__} needs its delta inputs labelled with a "
                f"receptor, one of {sorted(self.RECEPTOR_TYPES)} (NEST's receptor_type 1, 2, 3)"
            )
        unknown = labels - set(self.RECEPTOR_TYPES)
        if unknown:
            raise ParameterError(
                f"{self.name}: delta inputs labelled {sorted(unknown)}; "
                f"{type(self).__name__} has receptors {sorted(self.RECEPTOR_TYPES)}"
            )
        totals: dict[str, Any] = {}
        for label, unit in self.INPUT_UNITS.items():
            total = None
            for value in self.delta_inputs(label):
                if unit.is_unitless:
                    ok = not u.has_unit(value)
                else:
                    ok = u.same_dimension(value, unit)
                if not ok:
                    what = "unitless spike counts" if unit.is_unitless else f"in {unit}"
                    raise ParameterError(
                        f"{self.name}: '{label}' inputs must be {what}, got {u.describe(value)}"
                    )
                total = value if total is None else total + value
            totals[label] = total
        return totals

    def _threshold(self, V: Any, refractory: Any) -> tuple[Any, Any]:
        """Clamp refractory neurons to ``V_reset``; the others spike where ``V >= V_th``
        and are reset. Returns ``(V, spike)``."""
        V = u.math.where(refractory, self.V_reset, V)
        scale = self.V_th - self.V_reset
        spike = self.spk_fun(u.magnitude((V - self.V_th) / scale)) * ~refractory
        if self.spk_reset == "hard":
            V = u.math.where(jax.lax.stop_gradient(spike) > 0, self.V_reset, V)
        else:
            V = V - scale * spike
        return V, spike


def _plus(value: Any, increment: Any) -> Any:
    """``value + increment``, where either may be ``None`` (no input)."""
    if increment is None or value is None:
        return value if increment is None else increment
    return value + increment


class iaf_bw_2001(_BrunelWang):  # noqa: N801 (NEST's model name)
    r"""Conductance-based LIF neuron with AMPA, GABA and approximate NMDA synapses
    (NEST ``iaf_bw_2001``).

    .. math::

       C_m \frac{dV}{dt} &= -g_L (V - E_L) - I_{AMPA} - I_{GABA} - I_{NMDA} + I_{stim}, \\
       I_{AMPA} &= (V - E_{ex})\, s_{AMPA}, \qquad I_{GABA} = (V - E_{in})\, s_{GABA}, \\
       I_{NMDA} &= \frac{(V - E_{ex})\, s_{NMDA}}{1 + [\mathrm{Mg^{2+}}]\, e^{-0.062 V} / 3.57},
       \qquad \frac{ds_X}{dt} = -\frac{s_X}{\tau_X}\ (X = AMPA, GABA, NMDA)

    (``V`` in mV, ``[Mg2+]`` in mM, :math:`\tau_{NMDA} = \tau_{decay,NMDA}`). A spike
    arriving on receptor AMPA or GABA with weight ``w`` (nS) adds ``w`` to that ``s``.
    NMDA saturation is approximated on the *presynaptic* side: when this neuron fires
    at ``t``, it updates its own trace and sends the increment :math:`\Delta`
    (NEST's spike offset)

    .. math::

       s_{pre} \leftarrow s_{pre}\, e^{-(t - t_{last})/\tau_{decay}}, \quad
       \Delta = k_0 + k_1 s_{pre}, \quad s_{pre} \leftarrow s_{pre} + \Delta, \\
       k_0 = (\alpha\tau_{rise})^{\tau_{rise}/\tau_{decay}}\,
       \gamma\!\left(1 - \tfrac{\tau_{rise}}{\tau_{decay}},\, \alpha\tau_{rise}\right),
       \quad k_1 = e^{-\alpha\tau_{rise}} - 1

    (:math:`\gamma` the lower incomplete gamma function), and a connection of weight
    ``w`` onto receptor NMDA adds :math:`w\Delta` to the target's ``s_NMDA``. The
    increment is in :attr:`spike_offset` after each step (0 where the neuron did not
    fire): deliver ``weight * spike_offset`` as the target's ``'NMDA'`` delta input.

    ====================  ===========  ============================================
    parameter             default      meaning
    ====================  ===========  ============================================
    ``E_L``               -70 mV       leak reversal potential
    ``E_ex``              0 mV         excitatory (AMPA, NMDA) reversal potential
    ``E_in``              -70 mV       inhibitory (GABA) reversal potential
    ``V_th``              -55 mV       spike threshold
    ``V_reset``           -60 mV       reset potential (``< V_th``)
    ``C_m``               500 pF       membrane capacitance
    ``g_L``               25 nS        leak conductance
    ``t_ref``             2 ms         refractory period (``V`` clamped to ``V_reset``)
    ``tau_AMPA``          2 ms         AMPA decay time constant
    ``tau_GABA``          5 ms         GABA decay time constant
    ``tau_rise_NMDA``     2 ms         NMDA rise time constant (``< tau_decay_NMDA``)
    ``tau_decay_NMDA``    100 ms       NMDA decay time constant
    ``alpha``             0.5 / ms     NMDA rise coupling strength
    ``conc_Mg2``          1 mM         extracellular Mg2+ concentration
    ``gsl_error_tol``     1e-3         RKF45 absolute tolerance (mV, nS), one number
    ``V_initializer``     ``E_L``      initial membrane potential
    ====================  ===========  ============================================

    NEST's model has no ``I_e``: drive it with ``x`` or current inputs (they act one
    step later, like NEST's current generators).

    **Update order** (NEST's): integrate ``(V, s_AMPA, s_GABA, s_NMDA)`` over the step
    with the buffered current (``V`` free also while refractory); record ``I_AMPA``,
    ``I_GABA``, ``I_NMDA`` from that integrated state (in NEST they are side effects of
    the last vector-field call); add the arriving spikes (delta inputs labelled
    ``'AMPA'``, ``'GABA'``, ``'NMDA'``, in nS); if refractory, count down and clamp
    ``V`` to ``V_reset``, else spike where ``V >= V_th``, reset, and compute the NMDA
    increment :math:`\Delta`; buffer this step's current for the next step.

    States: ``V``, ``s_AMPA``, ``s_GABA``, ``s_NMDA`` (nS), ``I_AMPA``, ``I_GABA``,
    ``I_NMDA`` (pA), ``s_NMDA_pre``, ``spike_offset`` (unitless), ``I_stim``,
    ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``last_spike_time``, ``spike``.

    References: Wang (1999), J. Neurosci. 19:9587; Brunel & Wang (2001), J. Comput.
    Neurosci. 11:63; Wang (2002), Neuron 36:955; NEST ``iaf_bw_2001``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_bw_2001(2)
    >>> _ = nd.init_all_states(n)
    >>> n.add_delta_input("drive", lambda: 20.0 * u.nS, label="AMPA")
    >>> _ = n(); float(n.s_AMPA.value[0].to_decimal(u.nS))
    20.0
    >>> round(float(n.k0), 6)  # the first NMDA increment a spike of n sends
    0.648417
    """

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -70.0 * u.mV,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -60.0 * u.mV,
        C_m: Any = 500.0 * u.pF,
        g_L: Any = 25.0 * u.nS,
        t_ref: Any = 2.0 * u.ms,
        tau_AMPA: Any = 2.0 * u.ms,
        tau_GABA: Any = 5.0 * u.ms,
        tau_rise_NMDA: Any = 2.0 * u.ms,
        tau_decay_NMDA: Any = 100.0 * u.ms,
        alpha: Any = 0.5 / u.ms,
        conc_Mg2: Any = 1.0 * u.mM,
        gsl_error_tol: float = 1e-3,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, E_L, E_ex, E_in, V_th, V_reset, C_m, g_L, t_ref, tau_AMPA, tau_GABA,
            tau_rise_NMDA, tau_decay_NMDA, alpha, conc_Mg2, gsl_error_tol, V_initializer,
            spk_fun, spk_reset, name,
        )  # fmt: skip
        rise = np.asarray(u.to_float(self.tau_rise_NMDA, u.ms), np.float64)
        decay = np.asarray(u.to_float(self.tau_decay_NMDA, u.ms), np.float64)
        if not (rise < decay).all():
            raise ParameterError(
                "tau_rise_NMDA must be < tau_decay_NMDA in iaf_bw_2001 (its NMDA increment "
                f"needs γ(1 - tau_rise/tau_decay, ·)), got tau_rise_NMDA="
                f"{u.describe(self.tau_rise_NMDA)}, "
                f"tau_decay_NMDA={u.describe(self.tau_decay_NMDA)}"
            )
        self.k0, self.k1 = nmda_jump_constants(
            u.to_float(self.alpha, u.kHz), self.tau_rise_NMDA, self.tau_decay_NMDA
        )

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = jnp.zeros_like(self.V.value.mantissa)
        self.s_NMDA = HiddenState(u.with_unit(zeros, u.nS), name="s_NMDA")
        self.s_NMDA_pre = ShortTermState(zeros, name="s_NMDA_pre")
        self.spike_offset = ShortTermState(zeros, name="spike_offset")

    def derivatives(self, y: dict, t: Any, I: Any) -> dict:
        """The vector field, NEST's ``iaf_bw_2001_dynamics``."""
        I_syn = sum(self.synaptic_currents(y["V"], y["s_AMPA"], y["s_GABA"], y["s_NMDA"]))
        return {
            "V": self.membrane_derivative(y["V"], I_syn, I),
            "s_AMPA": -y["s_AMPA"] / self.tau_AMPA,
            "s_GABA": -y["s_GABA"] / self.tau_GABA,
            "s_NMDA": -y["s_NMDA"] / self.tau_decay_NMDA,
        }

    def advance(self, inputs: dict) -> Any:
        refractory = self.refractory_step_count.value > 0
        y = {key: getattr(self, key).value for key in ("V", "s_AMPA", "s_GABA", "s_NMDA")}
        y = self.integrate(y, self.buffered_current())
        self._record_currents(y["V"], y["s_AMPA"], y["s_GABA"], y["s_NMDA"])
        self.s_AMPA.value = _plus(y["s_AMPA"], inputs["AMPA"])
        self.s_GABA.value = _plus(y["s_GABA"], inputs["GABA"])
        self.s_NMDA.value = _plus(y["s_NMDA"], inputs["NMDA"])
        self.V.value, spike = self._threshold(y["V"], refractory)
        self._send_nmda_increment(spike > 0)
        return self.emit(spike, refractory_counts(self.t_ref))

    def _send_nmda_increment(self, fires: Any) -> None:
        """Decay the presynaptic trace since the last spike, compute :math:`\\Delta` and
        add it, for the neurons that fire now (before :meth:`emit` moves the last
        spike time)."""
        t_spike = environ.get("t") + environ.get_dt()
        elapsed = u.to_float(t_spike - self.last_spike_time.value, u.ms)
        s_pre = self.s_NMDA_pre.value
        decayed = s_pre * jnp.exp(-elapsed / u.to_float(self.tau_decay_NMDA, u.ms))
        delta = self.k0 + self.k1 * decayed
        self.s_NMDA_pre.value = jnp.where(fires, decayed + delta, s_pre).astype(s_pre.dtype)
        self.spike_offset.value = jnp.where(fires, delta, 0.0).astype(s_pre.dtype)


def nmda_jump_constants(alpha: Any, tau_rise: Any, tau_decay: Any) -> tuple[Any, Any]:
    """``(k0, k1)`` of ``iaf_bw_2001``'s NMDA increment ``Δ = k0 + k1 s_pre``, in float64:
    ``k0 = (α τ_r)^(τ_r/τ_d) γ(1 - τ_r/τ_d, α τ_r)``, ``k1 = expm1(-α τ_r)``
    (``alpha`` in 1/ms, times as quantities)."""
    alpha = np.asarray(alpha, np.float64)
    rise = np.asarray(u.to_float(tau_rise, u.ms), np.float64)
    ratio = rise / np.asarray(u.to_float(tau_decay, u.ms), np.float64)
    a_tau = alpha * rise
    gamma = np.vectorize(lower_incomplete_gamma, otypes=[np.float64])(1.0 - ratio, a_tau)
    return jnp.asarray(a_tau**ratio * gamma), jnp.asarray(np.expm1(-a_tau))


def lower_incomplete_gamma(s: float, x: float) -> float:
    """:math:`\\gamma(s, x) = \\int_0^x t^{s-1} e^{-t} dt` for ``s > 0``, ``x >= 0``, to
    float64 accuracy: power series below ``x = s + 1``, else ``Γ(s)`` minus the
    continued fraction of ``Γ(s, x)`` (Numerical Recipes' ``gser``/``gcf``)."""
    if x <= 0.0:
        return 0.0
    if x < s + 1.0:
        term = total = 1.0 / s
        n = 0
        while abs(term) > abs(total) * 1e-17 and n < 10_000:
            n += 1
            term *= x / (s + n)
            total += term
        return math.exp(s * math.log(x) - x) * total
    tiny = 1e-300
    b = x + 1.0 - s
    c, d = 1.0 / tiny, 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - s)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return math.gamma(s) - math.exp(s * math.log(x) - x) * h


class iaf_bw_2001_exact(_BrunelWang):  # noqa: N801 (NEST's model name)
    r"""Conductance-based LIF neuron with AMPA, GABA and exact per-connection NMDA
    kinetics (NEST ``iaf_bw_2001_exact``).

    .. math::

       C_m \frac{dV}{dt} &= -g_L (V - E_L) - I_{AMPA} - I_{GABA} - I_{NMDA} + I_{stim}, \\
       I_{AMPA} &= (V - E_{ex})\, s_{AMPA}, \qquad I_{GABA} = (V - E_{in})\, s_{GABA}, \\
       I_{NMDA} &= \frac{(V - E_{ex}) \sum_j w_j s_j}
       {1 + [\mathrm{Mg^{2+}}]\, e^{-0.062 V} / 3.57}, \\
       \frac{dx_j}{dt} &= -\frac{x_j}{\tau_{rise,NMDA}}, \qquad
       \frac{ds_j}{dt} = -\frac{s_j}{\tau_{decay,NMDA}} + \alpha\, x_j (1 - s_j),
       \qquad \frac{ds_{AMPA,GABA}}{dt} = -\frac{s_{AMPA,GABA}}{\tau_{AMPA,GABA}}

    Each NMDA connection is a *port* ``j`` with a fixed weight ``w_j`` (nS); a spike on
    port ``j`` adds its multiplicity to ``x_j``. As NEST (which gives every NMDA
    connection its own receptor port and refuses new ones once the simulation has
    started), the ports are fixed when the model is built: ``nmda_weights`` (nS, shape
    ``(..., n_ports)``, broadcast to ``(*in_size, n_ports)``) or ``n_nmda_ports`` (weights
    set by the first event of each port, like NEST's). ``x_j, s_j`` are the states
    ``x_NMDA`` and ``s_NMDA_components`` with a trailing port axis; the RKF45 error norm
    covers them, and the whole population is one vectorised, compilable step.

    **Inputs.** Delta inputs labelled ``'AMPA'``, ``'GABA'`` (nS: weight × multiplicity)
    and ``'NMDA'`` (unitless spike multiplicities, shape ``(..., n_ports)``). For
    NEST-style scripts, ``update(x, spike_events=[...])`` also takes BrainPy's event
    records, converted eagerly (not inside compiled code):

    - ``(receptor, weight)``, ``(receptor, weight, m_or_port)`` (the third entry is the
      port for NMDA, the multiplicity otherwise), ``(receptor, weight, port, multiplicity)``;
    - ``{'receptor_type' | 'receptor': ..., 'weight': ..., 'multiplicity': 1,
      'port' | 'rport' | 'synapse_id': ...}``;

    with ``receptor`` 1/2/3 or ``'AMPA'``/``'GABA'``/``'NMDA'`` and ``weight`` in nS. An
    NMDA port is any hashable label (``None`` means 0; declared ports are 0, 1, ...);
    a new label adds a port, which is allowed only before the first :meth:`update`,
    and an event's weight must equal its port's (NEST: "requires constant weights").

    ====================  ===========  ============================================
    parameter             default      meaning
    ====================  ===========  ============================================
    ``E_L``               -70 mV       leak reversal potential
    ``E_ex``              0 mV         excitatory (AMPA, NMDA) reversal potential
    ``E_in``              -70 mV       inhibitory (GABA) reversal potential
    ``V_th``              -55 mV       spike threshold
    ``V_reset``           -60 mV       reset potential (``< V_th``)
    ``C_m``               500 pF       membrane capacitance
    ``g_L``               25 nS        leak conductance
    ``t_ref``             2 ms         refractory period (``V`` clamped to ``V_reset``)
    ``tau_AMPA``          2 ms         AMPA decay time constant
    ``tau_GABA``          5 ms         GABA decay time constant
    ``tau_rise_NMDA``     2 ms         NMDA rise time constant of ``x_j``
    ``tau_decay_NMDA``    100 ms       NMDA decay time constant of ``s_j``
    ``alpha``             0.5 / ms     NMDA rise coupling strength
    ``conc_Mg2``          1 mM         extracellular Mg2+ concentration
    ``gsl_error_tol``     1e-3         RKF45 absolute tolerance (mV, nS, unitless)
    ``n_nmda_ports``      0            number of NMDA ports (from ``nmda_weights``)
    ``nmda_weights``      none         NMDA port weights ``w_j`` (nS)
    ``V_initializer``     ``E_L``      initial membrane potential
    ====================  ===========  ============================================

    **Update order** (NEST's): integrate ``(V, s_AMPA, s_GABA, x_j, s_j)`` over the step
    with the buffered current (``V`` free also while refractory); record ``s_NMDA =
    Σ w_j s_j``, ``I_AMPA``, ``I_GABA``, ``I_NMDA`` from that integrated state; add the
    arriving spikes (``s_AMPA``, ``s_GABA`` += weights, ``x_j`` += multiplicities); if
    refractory, count down and clamp ``V``, else spike where ``V >= V_th`` and reset;
    buffer this step's current for the next step.

    States: ``V``, ``s_AMPA``, ``s_GABA`` (nS), ``x_NMDA``, ``s_NMDA_components``
    (unitless, ``(..., n_ports)``), ``s_NMDA`` (nS), ``I_AMPA``, ``I_GABA``, ``I_NMDA``
    (pA), ``I_stim``, ``refractory_step_count``, ``integration_step``,
    ``integration_status``, ``last_spike_time``, ``spike``; ``nmda_weights`` is a
    :class:`~neurodyn.ParamState` (nS, ``(*in_size, n_ports)``).

    References: Wang (1999), J. Neurosci. 19:9587; Brunel & Wang (2001), J. Comput.
    Neurosci. 11:63; Wang (2002), Neuron 36:955; NEST ``iaf_bw_2001_exact``.

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_bw_2001_exact(3, nmda_weights=jnp.array([80., 40.]) * u.nS)
    >>> _ = nd.init_all_states(n)
    >>> n.add_delta_input("pre", lambda: jnp.array([1., 0.]), label="NMDA")  # port 0 spikes
    >>> _ = n(spike_events=[(3, 40. * u.nS, 1, 2)])  # NEST-style: 2 spikes on port 1
    >>> n.x_NMDA.value[0].tolist()
    [1.0, 2.0]
    """

    INPUT_UNITS = {"AMPA": u.nS, "GABA": u.nS, "NMDA": u.UNITLESS}
    _EVENT_KEYS = frozenset(
        {"receptor_type", "receptor", "weight", "multiplicity", "port", "rport", "synapse_id"}
    )

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -70.0 * u.mV,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -60.0 * u.mV,
        C_m: Any = 500.0 * u.pF,
        g_L: Any = 25.0 * u.nS,
        t_ref: Any = 2.0 * u.ms,
        tau_AMPA: Any = 2.0 * u.ms,
        tau_GABA: Any = 5.0 * u.ms,
        tau_rise_NMDA: Any = 2.0 * u.ms,
        tau_decay_NMDA: Any = 100.0 * u.ms,
        alpha: Any = 0.5 / u.ms,
        conc_Mg2: Any = 1.0 * u.mM,
        gsl_error_tol: float = 1e-3,
        n_nmda_ports: int | None = None,
        nmda_weights: Any = None,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, E_L, E_ex, E_in, V_th, V_reset, C_m, g_L, t_ref, tau_AMPA, tau_GABA,
            tau_rise_NMDA, tau_decay_NMDA, alpha, conc_Mg2, gsl_error_tol, V_initializer,
            spk_fun, spk_reset, name,
        )  # fmt: skip
        weights = self._declared_weights(n_nmda_ports, nmda_weights)
        weights = u.with_unit(jnp.asarray(weights, environ.dftype()), u.nS)
        self.nmda_weights = ParamState(weights, name="nmda_weights")
        self._port_index: dict[Hashable, int] = {j: j for j in range(self.n_nmda_ports)}
        self._updates_started = False

    def _declared_weights(self, n_ports: int | None, weights: Any) -> np.ndarray:
        if n_ports is not None and (
            isinstance(n_ports, bool) or int(n_ports) != n_ports or n_ports < 0
        ):
            raise ParameterError(f"n_nmda_ports must be an int >= 0, got {n_ports!r}")
        if weights is None:
            return np.zeros((*self.varshape, int(n_ports or 0)))
        if not (u.has_unit(weights) and u.same_dimension(weights, u.nS)):
            raise ParameterError(
                "nmda_weights must be conductances (e.g. [80., 40.] * u.nS), got "
                f"{u.describe(weights)}"
            )
        w = np.asarray(u.to_float(weights, u.nS), np.float64)
        if w.ndim == 0 or (n_ports is not None and w.shape[-1] != n_ports):
            raise ParameterError(
                f"nmda_weights must have one entry per NMDA port on its last axis "
                f"(n_nmda_ports={n_ports}), got shape {w.shape}"
            )
        try:
            return np.broadcast_to(w, (*self.varshape, w.shape[-1])).copy()
        except ValueError:
            raise ParameterError(
                f"nmda_weights has shape {w.shape}, which does not broadcast to "
                f"(*in_size, n_ports) = {(*self.varshape, w.shape[-1])}"
            ) from None

    @property
    def n_nmda_ports(self) -> int:
        """The number of NMDA ports (connections with their own ``x_j, s_j``)."""
        return int(np.shape(u.magnitude(self.nmda_weights.value))[-1])

    @property
    def nmda_ports(self) -> tuple[Hashable, ...]:
        """The ports' labels, in the order of the trailing state axis."""
        return tuple(sorted(self._port_index, key=self._port_index.__getitem__))

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = jnp.zeros_like(self.V.value.mantissa)
        ports = jnp.zeros((*zeros.shape, self.n_nmda_ports), zeros.dtype)
        self.x_NMDA = HiddenState(ports, name="x_NMDA")
        self.s_NMDA_components = HiddenState(ports, name="s_NMDA_components")
        self.s_NMDA = ShortTermState(u.with_unit(zeros, u.nS), name="s_NMDA")

    # -- the equations -----------------------------------------------------------------

    def nmda_conductance(self, s_ports: Any, weights: Any, like: Any) -> Any:
        """``Σ_j w_j s_j`` (nS); ``weights`` in nS magnitudes, ``like`` a per-neuron array."""
        if self.n_nmda_ports == 0:
            return u.with_unit(jnp.zeros_like(like), u.nS)
        return u.with_unit(jnp.sum(s_ports * weights, axis=-1), u.nS)

    def derivatives(self, y: dict, t: Any, I: Any, weights: Any) -> dict:
        """The vector field, NEST's ``iaf_bw_2001_exact_dynamics``."""
        V = y["V"]
        s_NMDA = self.nmda_conductance(y.get("s_NMDA_components"), weights, V.mantissa)
        I_syn = sum(self.synaptic_currents(V, y["s_AMPA"], y["s_GABA"], s_NMDA))
        dy = {
            "V": self.membrane_derivative(V, I_syn, I),
            "s_AMPA": -y["s_AMPA"] / self.tau_AMPA,
            "s_GABA": -y["s_GABA"] / self.tau_GABA,
        }
        if self.n_nmda_ports:
            x, s = y["x_NMDA"], y["s_NMDA_components"]
            tau_rise, tau_decay, alpha = (
                u.math.expand_dims(p, -1)
                for p in (self.tau_rise_NMDA, self.tau_decay_NMDA, self.alpha)
            )
            dy["x_NMDA"] = -x / tau_rise
            dy["s_NMDA_components"] = -s / tau_decay + alpha * x * (1.0 - s)
        return dy

    # -- the update --------------------------------------------------------------------

    def update(self, x: Any = 0.0 * u.pA, spike_events: Iterable | None = None) -> Any:
        """One step. ``spike_events``: NEST-style event records (see the class
        docstring), converted eagerly and added to the delta inputs."""
        inputs = self.receptor_inputs()
        if spike_events is not None:
            for label, value in self.spike_event_arrays(spike_events).items():
                inputs[label] = _plus(value, inputs[label])
        self._check_port_counts(inputs["NMDA"])
        spike = self.advance(inputs)
        self.buffer_current(x)
        self._updates_started = True
        return spike

    def advance(self, inputs: dict) -> Any:
        ported = self.n_nmda_ports > 0
        refractory = self.refractory_step_count.value > 0
        weights = u.to_float(self.nmda_weights.value, u.nS)
        keys = ("V", "s_AMPA", "s_GABA") + (("x_NMDA", "s_NMDA_components") if ported else ())
        y = {key: getattr(self, key).value for key in keys}
        y = self.integrate(y, self.buffered_current(), weights)
        s_NMDA = self.nmda_conductance(y.get("s_NMDA_components"), weights, y["V"].mantissa)
        self.s_NMDA.value = s_NMDA
        self._record_currents(y["V"], y["s_AMPA"], y["s_GABA"], s_NMDA)
        self.s_AMPA.value = _plus(y["s_AMPA"], inputs["AMPA"])
        self.s_GABA.value = _plus(y["s_GABA"], inputs["GABA"])
        if ported:
            self.x_NMDA.value = _plus(y["x_NMDA"], inputs["NMDA"]).astype(y["x_NMDA"].dtype)
            self.s_NMDA_components.value = y["s_NMDA_components"]
        self.V.value, spike = self._threshold(y["V"], refractory)
        return self.emit(spike, refractory_counts(self.t_ref))

    def _check_port_counts(self, counts: Any) -> None:
        if counts is None:
            return
        if not self.n_nmda_ports:
            raise ParameterError(
                f"{self.name}: 'NMDA' inputs but no NMDA ports; build the model with "
                "nmda_weights=... (or n_nmda_ports=...)"
            )
        ports = tuple(self.x_NMDA.value.shape)
        try:
            shape = np.broadcast_shapes(jnp.shape(counts), ports)
        except ValueError:
            shape = None
        if shape != ports:
            raise ParameterError(
                f"{self.name}: 'NMDA' input of shape {jnp.shape(counts)} does not broadcast to "
                f"the ports' shape {ports} (one multiplicity per NMDA port on the last axis)"
            )

    # -- NEST-style spike events, converted eagerly ------------------------------------

    def spike_event_arrays(self, spike_events: Iterable) -> dict[str, Any]:
        """Sum ``spike_events`` into this step's inputs: ``{'AMPA': nS, 'GABA': nS,
        'NMDA': multiplicities (..., n_ports)}``, each ``None`` if absent.

        New NMDA ports (labels not seen before) are added, and unset port weights set,
        only once every event has been checked. Runs eagerly (NumPy), outside compiled
        code; inside it, use delta inputs.
        """
        shape = tuple(self.V.value.shape)
        index = dict(self._port_index)
        weights = np.array(u.to_float(self.nmda_weights.value, u.nS), np.float64)
        totals: dict[str, Any] = {"AMPA": None, "GABA": None}
        port_counts: list[tuple[int, np.ndarray]] = []
        for event in spike_events:
            receptor, weight, multiplicity, port = self._parse_event(event)
            w = self._event_weight(event, weight)
            m = self._event_multiplicity(event, multiplicity, shape)
            if receptor != "NMDA":
                total = totals[receptor]
                totals[receptor] = w * m if total is None else total + w * m
                continue
            if port not in index:
                if self._updates_started:
                    raise ParameterError(
                        f"{self.name}: NMDA port {port!r} is new, but NMDA ports can only be "
                        "added before the first update() (as NEST refuses new NMDA "
                        f"connections once simulated); ports: {list(index)}"
                    )
                index[port] = len(index)
                weights = np.concatenate([weights, np.zeros((*self.varshape, 1))], axis=-1)
            j = index[port]
            w_port = np.broadcast_to(w, self.varshape)
            current = weights[..., j]
            if ((current != 0) & (current != w_port)).any():
                raise ParameterError(
                    f"{self.name}: iaf_bw_2001_exact requires constant weights per NMDA port: "
                    f"port {port!r} has weight {_show(current)} nS, event {event!r} has "
                    f"{_show(w_port)} nS"
                )
            weights[..., j] = np.where(current == 0, w_port, current)
            port_counts.append((j, m))
        self._commit_ports(index, weights)
        out = {key: None if v is None else u.with_unit(v, u.nS) for key, v in totals.items()}
        out["NMDA"] = None
        if port_counts:
            counts = np.zeros((*shape, len(index)))
            for j, m in port_counts:
                counts[..., j] += m
            out["NMDA"] = counts
        return out

    def _commit_ports(self, index: dict, weights: np.ndarray) -> None:
        added = len(index) - len(self._port_index)
        if added:
            for state in (self.x_NMDA, self.s_NMDA_components):
                old = state.value
                state.value = jnp.concatenate(
                    [old, jnp.zeros((*old.shape[:-1], added), old.dtype)], axis=-1
                )
        self._port_index = index
        self.nmda_weights.value = u.with_unit(jnp.asarray(weights, environ.dftype()), u.nS)

    def _parse_event(self, event: Any) -> tuple[str, Any, Any, Hashable]:
        """``(receptor name, weight, multiplicity, port)`` of one event record."""
        port: Any = None
        multiplicity: Any = 1.0
        if isinstance(event, dict):
            unknown = set(event) - self._EVENT_KEYS
            if unknown:
                raise ParameterError(
                    f"spike event {event!r} has unknown keys {sorted(unknown)}; "
                    f"allowed: {sorted(self._EVENT_KEYS)}"
                )
            receptor = event.get("receptor_type", event.get("receptor"))
            if receptor is None or "weight" not in event:
                raise ParameterError(
                    f"spike event {event!r} needs 'receptor_type' (or 'receptor') and 'weight'"
                )
            receptor = self._receptor_name(receptor, event)
            weight = event["weight"]
            multiplicity = event.get("multiplicity", 1.0)
            port = next((event[k] for k in ("port", "rport", "synapse_id") if k in event), None)
        elif isinstance(event, (tuple, list)) and len(event) in (2, 3, 4):
            receptor = self._receptor_name(event[0], event)
            weight = event[1]
            if len(event) == 3 and receptor == "NMDA":
                port = event[2]
            elif len(event) == 3:
                multiplicity = event[2]
            elif len(event) == 4:
                port, multiplicity = event[2], event[3]
        else:
            raise ParameterError(
                f"spike event {event!r} must be a tuple (receptor, weight[, port or "
                "multiplicity[, multiplicity]]) or a dict with 'receptor_type' and 'weight'"
            )
        return receptor, weight, multiplicity, self._port_label(port, event)

    def _receptor_name(self, receptor: Any, event: Any) -> str:
        names = {number: name for name, number in self.RECEPTOR_TYPES.items()}
        if isinstance(receptor, str):
            key = receptor.strip()
            if key in self.RECEPTOR_TYPES:
                return key
            receptor = int(key) if key.isdigit() else key
        if isinstance(receptor, (int, np.integer)) and not isinstance(receptor, bool):
            if int(receptor) in names:
                return names[int(receptor)]
        raise ParameterError(
            f"spike event {event!r}: receptor must be 1/'AMPA', 2/'GABA' or 3/'NMDA', "
            f"got {receptor!r}"
        )

    @staticmethod
    def _port_label(port: Any, event: Any) -> Hashable:
        if port is None:
            return 0
        if isinstance(port, str) and port.strip().isdigit():
            return int(port.strip())
        try:
            hash(port)
        except TypeError:
            raise ParameterError(
                f"spike event {event!r}: the NMDA port must be hashable, got {type(port).__name__}"
            ) from None
        return port

    def _event_weight(self, event: Any, weight: Any) -> np.ndarray:
        if not (u.has_unit(weight) and u.same_dimension(weight, u.nS)):
            raise ParameterError(
                f"spike event {event!r}: weight must be a conductance (e.g. 5.0 * u.nS), "
                f"got {u.describe(weight)}"
            )
        return self._concrete(event, u.to_float(weight, u.nS), self.varshape, "weight")

    def _event_multiplicity(self, event: Any, multiplicity: Any, shape: tuple) -> np.ndarray:
        if u.has_unit(multiplicity):
            raise ParameterError(
                f"spike event {event!r}: multiplicity must be a number of spikes, got "
                f"{u.describe(multiplicity)}"
            )
        m = self._concrete(event, u.magnitude(multiplicity), shape, "multiplicity")
        if (m < 0).any():
            raise ParameterError(f"spike event {event!r}: multiplicity must be >= 0")
        return np.broadcast_to(m, shape)

    @staticmethod
    def _concrete(event: Any, value: Any, shape: tuple, what: str) -> np.ndarray:
        if isinstance(value, jax.core.Tracer):
            raise ParameterError(
                f"spike event {event!r}: spike_events are converted eagerly and need concrete "
                "values; inside compiled code feed delta inputs ('AMPA', 'GABA', 'NMDA')"
            )
        value = np.asarray(value, np.float64)
        try:
            np.broadcast_shapes(value.shape, shape)
        except ValueError:
            raise ParameterError(
                f"spike event {event!r}: {what} of shape {value.shape} does not broadcast to "
                f"the population's shape {shape}"
            ) from None
        return value


def _show(values: np.ndarray) -> str:
    unique = np.unique(values)
    return f"{unique[0]:g}" if unique.size == 1 else str(unique)
