r"""NEST's Brunel–Wang (2001) neurons with AMPA, GABA and NMDA receptors.

Both models integrate the membrane and the synaptic gating variables with GSL-style
RKF45 (absolute tolerance ``gsl_error_tol`` in mV, nS and for the unitless NMDA
variables; per-neuron persistent step size), then add the spikes that arrive in the
step, then clamp (refractory) or test the threshold, as NEST's ``update`` does.

- :class:`iaf_bw_2001`: NMDA as one exponentially decaying ``s_NMDA`` per neuron; the
  *presynaptic* neuron computes the size of each NMDA jump (NEST sends it in the spike
  event's offset), so NMDA input must come from ``iaf_bw_2001`` neurons.
- :class:`iaf_bw_2001_exact` (in ``_iaf_bw_2001_exact.py``): one NMDA port per
  connection, each with its own rise and gating variables.

Spike inputs are delta inputs labelled ``'AMPA'``, ``'GABA'`` or ``'NMDA'``.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param, parameter
from ..core._state import (
    HiddenState,
    ShortTermState,
)
from ..neurons._base import initial_value, refractory_steps
from ..surrogate import Surrogate
from ._base import NESTNeuron

#: Mg2+ block of the NMDA current (Jahr & Stevens 1990, as in NEST): per mV and mM.
MG_SLOPE, MG_SCALE = 0.062, 3.57


class _BrunelWang(NESTNeuron):
    """Membrane, AMPA/GABA conductances, recordable currents and spiking shared by
    both models (NEST's parameter names, defaults and checks)."""

    WEIGHT_UNIT = u.nS

    RECORDABLES = ("V_m", "s_AMPA", "s_GABA", "s_NMDA", "I_NMDA", "I_AMPA", "I_GABA")
    RECEPTOR_TYPES = {"AMPA": 1, "GABA": 2, "NMDA": 3}
    #: Receptors that take the source's spike offset instead of its spikes (NEST sends
    #: the NMDA increment of an ``iaf_bw_2001`` spike in the event's offset), by the
    #: source model that sends them.
    OFFSET_RECEPTORS = {"NMDA": "iaf_bw_2001"}
    #: Unit of the delta inputs of each receptor (the NMDA one is model-specific).
    INPUT_UNITS: dict[str, u.Unit] = {"AMPA": u.nS, "GABA": u.nS, "NMDA": u.nS}

    ORDERED = (("V_reset", "V_th"),)
    E_L = Param(u.mV)
    E_ex = Param(u.mV)
    E_in = Param(u.mV)
    V_th = Param(u.mV)
    V_reset = Param(u.mV)
    g_L = Param(u.nS, nonnegative=True)
    tau_AMPA = Param(u.ms, positive=True)
    tau_GABA = Param(u.ms, positive=True)
    tau_rise_NMDA = Param(u.ms, positive=True)
    tau_decay_NMDA = Param(u.ms, positive=True)
    C_m = Param(u.pF, positive=True)
    t_ref = Param(u.ms, nonnegative=True)
    alpha = Param(u.kHz, positive=True)
    conc_Mg2 = Param(u.mM, positive=True)
    ref_var = Param(flag=True)

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
        s_AMPA_initializer: Any = None,
        s_GABA_initializer: Any = None,
        ref_var: bool = False,
    ):
        # NEST's models have no I_e: the base class's stays 0 pA.
        super().__init__(in_size, 0.0 * u.pA, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.E_L = E_L
        self.E_ex = E_ex
        self.E_in = E_in
        self.V_th = V_th
        self.V_reset = V_reset
        self.g_L = g_L
        # NEST's checks, in NEST's order.
        self.C_m = C_m
        self.t_ref = t_ref
        self.tau_AMPA = tau_AMPA
        self.tau_GABA = tau_GABA
        self.tau_rise_NMDA = tau_rise_NMDA
        self.tau_decay_NMDA = tau_decay_NMDA
        self.alpha = alpha
        self.conc_Mg2 = conc_Mg2
        parameter("gsl_error_tol", gsl_error_tol, positive=True)
        if np.ndim(gsl_error_tol) != 0:
            raise ParameterError(
                "gsl_error_tol must be one number for the population, got shape "
                f"{np.shape(gsl_error_tol)}"
            )
        self.gsl_error_tol = float(gsl_error_tol)  # float64, as GSL's tolerance
        self.V_initializer = V_initializer if V_initializer is not None else E_L
        self.s_AMPA_initializer = s_AMPA_initializer
        self.s_GABA_initializer = s_GABA_initializer
        self.ref_var = ref_var

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        V = initial_value("V_initializer", self.V_initializer, u.mV, self.varshape, batch_size)
        self.V = HiddenState(V.in_unit(u.mV), name="V")  # the tolerance is in mV
        zeros = jnp.zeros_like(V.mantissa)
        for key in ("s_AMPA", "s_GABA"):
            name = f"{key}_initializer"
            init = getattr(self, name)
            s = u.with_unit(zeros, u.nS)
            if init is not None:
                value = initial_value(name, init, u.nS, self.varshape, batch_size)
                s = s + value.in_unit(u.nS).astype(zeros.dtype)  # the tolerance is in nS
            setattr(self, key, HiddenState(s, name=key))
        for key in ("I_AMPA", "I_GABA", "I_NMDA"):
            setattr(self, key, ShortTermState(u.with_unit(zeros, u.pA), name=key))
        self.init_adaptive_step(V.shape)
        if self.ref_var:
            self.refractory = ShortTermState(jnp.zeros(zeros.shape, bool), name="refractory")

    def emit(self, spike: Any, refractory_steps: Any) -> Any:
        spike = super().emit(spike, refractory_steps)
        if "refractory" in vars(self):  # ref_var: the refractory flag, kept up to date
            self.refractory.value = self.refractory_step_count.value > 0
        return spike

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

    ======================  ===========  ============================================
    parameter               default      meaning
    ======================  ===========  ============================================
    ``E_L``                 -70 mV       leak reversal potential
    ``E_ex``                0 mV         excitatory (AMPA, NMDA) reversal potential
    ``E_in``                -70 mV       inhibitory (GABA) reversal potential
    ``V_th``                -55 mV       spike threshold
    ``V_reset``             -60 mV       reset potential (``< V_th``)
    ``C_m``                 500 pF       membrane capacitance
    ``g_L``                 25 nS        leak conductance
    ``t_ref``               2 ms         refractory period (``V`` clamped to ``V_reset``)
    ``tau_AMPA``            2 ms         AMPA decay time constant
    ``tau_GABA``            5 ms         GABA decay time constant
    ``tau_rise_NMDA``       2 ms         NMDA rise time constant (``< tau_decay_NMDA``)
    ``tau_decay_NMDA``      100 ms       NMDA decay time constant
    ``alpha``               0.5 / ms     NMDA rise coupling strength
    ``conc_Mg2``            1 mM         extracellular Mg2+ concentration
    ``gsl_error_tol``       1e-3         RKF45 absolute tolerance (mV, nS), one number
    ``V_initializer``       ``E_L``      initial membrane potential
    ``s_AMPA_initializer``  0 nS         initial ``s_AMPA``
    ``s_GABA_initializer``  0 nS         initial ``s_GABA``
    ``spk_fun``             ReluGrad()   surrogate spike function
    ``spk_reset``           ``'hard'``   ``'hard'`` (V set to ``V_reset``) or ``'soft'``
    ``ref_var``             ``False``    keep the state ``refractory`` (bool) up to date
    ======================  ===========  ============================================

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
        s_AMPA_initializer: Any = None,
        s_GABA_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        ref_var: bool = False,
        name: str | None = None,
    ):
        super().__init__(
            in_size, E_L, E_ex, E_in, V_th, V_reset, C_m, g_L, t_ref, tau_AMPA, tau_GABA,
            tau_rise_NMDA, tau_decay_NMDA, alpha, conc_Mg2, gsl_error_tol, V_initializer,
            spk_fun, spk_reset, name, s_AMPA_initializer, s_GABA_initializer, ref_var,
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
        return self.emit(spike, refractory_steps(self.t_ref))

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
