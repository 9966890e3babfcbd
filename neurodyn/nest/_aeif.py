"""What NEST's adaptive exponential integrate-and-fire models share: the membrane, the
adaptation, and the step, integrated by adaptive RKF45 with spikes handled inside it.

The aeif models (Brette & Gerstner 2005) differ only in their synapses:
``aeif_cond_alpha`` and ``aeif_cond_exp`` (:mod:`._aeif_cond`), ``aeif_psc_exp``,
``aeif_psc_alpha`` and ``aeif_psc_delta`` (:mod:`._aeif_psc`),
``aeif_cond_alpha_multisynapse`` and ``aeif_cond_beta_multisynapse``
(:mod:`._aeif_multisynapse`). A model declares its synaptic states (``SYNAPSES``),
their derivatives, its synaptic current and what an arriving spike does; the rest is
here (:class:`_AdEx`). ``aeif_psc_delta_clopath`` (:mod:`._aeif_psc_delta_clopath`)
shares only the membrane, adaptation and integration (:class:`_AdExMembrane`): its
threshold adapts and it clamps ``V`` after a spike.

Unlike the ``iaf_*`` models, NEST handles their spikes *inside* the integration of a
step: after every accepted RKF45 substep the state is checked for numerical
instability, held at ``V_reset`` while refractory, or tested against the spike
threshold, reset (``V = V_reset``, ``w += b``) and integrated on within the same step.
Each step of an :class:`_AdEx` model, in NEST's order:

1. integrate ``(V, w, synapses)`` over ``dt`` by GSL-style RKF45 (control
   ``gsl_odeiv_control_yp_new(gsl_error_tol, gsl_error_tol)``, per-neuron step size
   kept across steps, starting at ``dt``), with, after every accepted substep:

   a. instability check (``V < -1000 mV`` or ``|w| > 1e6 pA``, NEST's
      ``NumericalInstability``; raised after the run, see :meth:`check_health`);
   b. refractory: ``V = V_reset``; otherwise, if ``V >= V_peak`` (``V_th`` when
      ``Delta_T = 0``): a spike, ``V = V_reset``, ``w += b`` and the refractory count
      starts (without refractoriness further spikes can follow in the same step);

2. count the refractory period down;
3. add the arriving spikes to the synaptic variables;
4. buffer the stimulation current for the next step.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError, SimulationError
from ..core._params import Param, parameter
from ..core._state import HiddenState, ShortTermState
from ..neurons._base import initial_value, refractory_steps
from ._base import NESTNeuron

#: NEST's overflow guard: ``(V_peak - V_th) / Delta_T`` must stay below this.
MAX_EXP_ARG = math.log(sys.float_info.max / 1e20)
#: NEST's ``NumericalInstability`` bounds, checked after every accepted substep.
V_UNSTABLE_BELOW = -1e3  # mV
W_UNSTABLE_ABOVE = 1e6  # |w| in pA


class _AdExMembrane(NESTNeuron):
    """The aeif membrane and adaptation: parameters (all but the threshold), states,
    vector-field pieces, NEST's RKF45 control and its ``NumericalInstability`` check."""

    #: The synaptic state variables (NEST's names) and their units.
    SYNAPSES: dict[str, u.Unit] = {}
    #: NEST's ``aeif_psc_delta`` multiplies by reciprocals it precomputes (``1/C_m``,
    #: ``1/tau_w``, ``1/Delta_T``) where the other aeif models divide: the last bits differ.
    MULTIPLIES_BY_RECIPROCALS = False
    #: The smallest RKF45 substep (``None``: :func:`rkf45_step`'s default, 100 ulps of dt).
    H_MIN: Any = None

    ORDERED = (("V_reset", "V_peak"),)
    V_peak = Param(u.mV)
    V_reset = Param(u.mV)
    t_ref = Param(u.ms, nonnegative=True)
    g_L = Param(u.nS, nonnegative=True)
    C_m = Param(u.pF, positive=True)
    E_L = Param(u.mV)
    Delta_T = Param(u.mV, nonnegative=True)
    tau_w = Param(u.ms, positive=True)
    a = Param(u.nS)
    b = Param(u.pA)

    def __init__(
        self,
        in_size: Any,
        V_peak: Any,
        V_reset: Any,
        t_ref: Any,
        g_L: Any,
        C_m: Any,
        E_L: Any,
        Delta_T: Any,
        tau_w: Any,
        a: Any,
        b: Any,
        I_e: Any,
        gsl_error_tol: Any,
        V_initializer: Any,
        w_initializer: Any,
        name: str | None,
    ):
        super().__init__(in_size, I_e, name=name)
        self.V_peak = V_peak
        self.V_reset = V_reset
        self.t_ref = t_ref
        self.g_L = g_L
        self.C_m = C_m
        self.E_L = E_L
        self.Delta_T = Delta_T
        self.tau_w = tau_w
        self.a = a
        self.b = b
        tol = parameter("gsl_error_tol", gsl_error_tol, positive=True)
        if np.ndim(tol) != 0:
            raise ParameterError(
                f"gsl_error_tol must be a single number for the population, got shape "
                f"{np.shape(tol)}"
            )
        self.gsl_error_tol = float(tol)
        self.V_initializer = V_initializer if V_initializer is not None else E_L
        self.w_initializer = w_initializer

    def init_state(self, batch_size: int | None = None) -> None:
        if environ.get_precision() != 64:
            raise ParameterError(
                f"{type(self).__name__} needs float64 (nd.environ.set(precision=64)): at each "
                "spike NEST's adaptive RKF45 takes substeps of ~1e-10 ms, below float32's "
                "resolution of time"
            )
        super().init_state(batch_size)
        V = initial_value("V_initializer", self.V_initializer, u.mV, self.varshape, batch_size)
        w = initial_value("w_initializer", self.w_initializer, u.pA, self.varshape, batch_size)
        shape = jnp.broadcast_shapes(jnp.shape(u.magnitude(V)), jnp.shape(u.magnitude(w)))
        dtype = environ.dftype()
        self.V = HiddenState(_filled(V, u.mV, shape, dtype), name="V")
        self.w = HiddenState(_filled(w, u.pA, shape, dtype), name="w")
        for key, unit in self.SYNAPSES.items():
            zeros = jnp.zeros(self.synapse_shape(shape), dtype)
            setattr(self, key, HiddenState(u.with_unit(zeros, unit), name=key))
        self.numerical_instability = ShortTermState(
            jnp.zeros(shape, bool), name="numerical_instability"
        )
        self.init_adaptive_step(shape)  # NEST 3.10 starts IntegrationStep_ at dt

    def _recordable(self, name: str) -> Any:
        return getattr(self, {"V_m": "V"}.get(name, name)).value

    def synapse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of each state of ``SYNAPSES`` for a population of ``shape`` (the
        multisynapse models add an axis of receptors)."""
        return shape

    def _over(self, x: Any, y: Any) -> Any:
        """``x / y`` in the model's arithmetic (see ``MULTIPLIES_BY_RECIPROCALS``)."""
        return x * (1.0 / y) if self.MULTIPLIES_BY_RECIPROCALS else x / y

    def spike_current(self, V: Any, V_T: Any) -> Any:
        """The exponential spike current :math:`g_L \\Delta_T e^{(V - V_T)/\\Delta_T}`
        (0 where ``Delta_T = 0``)."""
        sharp = self.Delta_T == 0.0 * u.mV
        Delta_T = u.math.where(sharp, 1.0 * u.mV, self.Delta_T)
        I_spike = self.g_L * Delta_T * u.math.exp(self._over(V - V_T, Delta_T))
        return u.math.where(sharp, 0.0 * I_spike, I_spike)

    def voltage_jumps(self, shape: tuple[int, ...]) -> Any:
        """This step's voltage jumps (the unlabelled delta inputs, mV magnitudes) for
        the substep carry (``aeif_psc_delta`` and its Clopath variant)."""
        jumps = u.to_float(_weights(self.spike_inputs(), u.mV), u.mV)
        return jnp.broadcast_to(jnp.asarray(jumps, environ.dftype()), shape)

    @staticmethod
    def add_jumps(y: dict, aux: dict, free: Any) -> tuple[dict, dict]:
        """Add the carried jumps to ``V`` where ``free``; later substeps of the step add
        nothing (NEST reads its spike buffer once, clearing it)."""
        V = u.math.where(free, y["V"] + u.with_unit(aux["jumps"], u.mV), y["V"])
        return dict(y, V=V), dict(aux, jumps=jnp.zeros_like(aux["jumps"]))

    def integrate(self, y: dict, aux: dict) -> tuple[dict, dict]:
        """``y`` over one step by RKF45 with NEST's control
        (``gsl_odeiv_control_yp_new(gsl_error_tol, gsl_error_tol)``), calling
        ``_after_substep`` after every accepted substep; keeps its ``aux["unstable"]``."""
        tol = self.gsl_error_tol
        result = self.integrate_adaptive(
            self.derivatives, y, self.I_stim.value,
            eps_abs=tol, eps_rel=tol, a_y=0.0, a_dydt=1.0,
            event=self._after_substep, aux=aux, h_min=self.H_MIN,
        )  # fmt: skip
        unstable = self.numerical_instability.value | result.aux["unstable"]
        self.numerical_instability.value = unstable
        return result.y, result.aux

    @staticmethod
    def unstable(y: dict) -> Any:
        """NEST's ``NumericalInstability`` test of a substep's result."""
        V, w = y["V"], y["w"]
        return (
            (V < V_UNSTABLE_BELOW * u.mV)
            | (w < -W_UNSTABLE_ABOVE * u.pA)
            | (w > W_UNSTABLE_ABOVE * u.pA)
        )

    def check_health(self) -> None:
        """Raise :class:`~neurodyn.SimulationError` for NEST's ``NumericalInstability``
        (``V < -1000 mV`` or ``|w| > 1e6 pA`` after a substep) or a failed integration."""
        flags = self.numerical_instability.value
        if not isinstance(flags, jax.core.Tracer) and np.asarray(flags).any():
            where = np.argwhere(np.asarray(flags))
            shown = ", ".join(str(tuple(int(i) for i in k)) for k in where[:10])
            more = f" and {len(where) - 10} more" if len(where) > 10 else ""
            raise SimulationError(
                f"numerical instability in {self.name} (NEST's NumericalInstability): "
                f"V_m < {V_UNSTABLE_BELOW:g} mV or |w| > {W_UNSTABLE_ABOVE:g} pA for "
                f"neuron(s) {shown}{more}. Check parameters and inputs."
            )
        super().check_health()


class _AdEx(_AdExMembrane):
    """The aeif models with a fixed threshold ``V_th``: the vector field with synapses,
    and spike, reset and refractoriness after every substep."""

    V_th = Param(u.mV)

    def __init__(
        self,
        in_size: Any,
        V_peak: Any,
        V_reset: Any,
        t_ref: Any,
        g_L: Any,
        C_m: Any,
        E_L: Any,
        Delta_T: Any,
        tau_w: Any,
        a: Any,
        b: Any,
        V_th: Any,
        I_e: Any,
        gsl_error_tol: Any,
        V_initializer: Any,
        w_initializer: Any,
        name: str | None,
    ):
        super().__init__(
            in_size, V_peak, V_reset, t_ref, g_L, C_m, E_L, Delta_T, tau_w, a, b, I_e,
            gsl_error_tol, V_initializer, w_initializer, name,
        )  # fmt: skip
        self.V_th = V_th

    def check_parameters(self) -> None:
        super().check_parameters()
        if all(name in self.__dict__ for name in ("V_peak", "V_th", "Delta_T")):
            _check_peak(self.V_peak, self.V_th, self.Delta_T)

    # -- the vector field ------------------------------------------------------------

    def derivatives(self, y: dict, t: Any, I_stim: Any, *, aux: dict) -> dict:
        """The vector field (NEST's ``aeif_*_dynamics``): ``V`` is bounded by ``V_peak``
        and, while refractory, held at ``V_reset`` with :math:`dV/dt = 0`."""
        refractory = aux["refractory"] > 0
        V = u.math.where(refractory, self.V_reset, u.math.minimum(y["V"], self.V_peak))
        I = -self.g_L * (V - self.E_L) + self.spike_current(V, self.V_th)
        I = self.add_synaptic_current(I, y, V) - y["w"] + self.I_e + I_stim
        dV = self._over(I, self.C_m)
        return {
            "V": u.math.where(refractory, 0.0 * dV, dV),
            "w": self._over(self.a * (V - self.E_L) - y["w"], self.tau_w),
            **self.synaptic_derivatives(y),
        }

    def add_synaptic_current(self, I: Any, y: dict, V: Any) -> Any:
        """``I`` plus the synaptic current, summed in NEST's order (none by default)."""
        return I

    def synaptic_derivatives(self, y: dict) -> dict:
        """The derivatives of the states of ``SYNAPSES`` (none by default)."""
        return {}

    # -- what happens after every accepted substep -----------------------------------

    def spike_threshold(self) -> Any:
        """The spike detection threshold: ``V_peak``, or ``V_th`` if ``Delta_T = 0``."""
        return u.math.where(self.Delta_T > 0.0 * u.mV, self.V_peak, self.V_th)

    def spike_argument(self, V: Any) -> Any:
        """``(V - threshold) / (threshold - V_reset)``, ``threshold`` :meth:`spike_threshold`."""
        threshold = self.spike_threshold()
        return u.magnitude((V - threshold) / (threshold - self.V_reset))

    def _after_substep(self, y: dict, aux: dict) -> tuple[dict, dict]:
        unstable = self.unstable(y)
        w = y["w"]
        y, aux = self.substep_inputs(y, aux)
        V = y["V"]
        refractory = aux["refractory"] > 0
        fires = ~refractory & (V >= self.spike_threshold())
        counts = aux["counts"]
        y = dict(y)
        y["V"] = u.math.where(refractory | fires, self.V_reset, V)
        y["w"] = u.math.where(fires, w + self.b, w)
        aux = dict(
            aux,
            refractory=jnp.where(fires, jnp.where(counts > 0, counts + 1, 0), aux["refractory"]),
            spikes=aux["spikes"] + fires.astype(jnp.int32),
            unstable=aux["unstable"] | unstable,
        )
        return y, aux

    def substep_inputs(self, y: dict, aux: dict) -> tuple[dict, dict]:
        """Inputs applied after an accepted substep, before the spike test (none here;
        ``aeif_psc_delta`` adds its voltage jumps)."""
        return y, aux

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        V = self.V.value
        shape = jnp.shape(u.magnitude(V))
        counts = jnp.broadcast_to(refractory_steps(self.t_ref), shape)
        aux = {
            "refractory": self.refractory_step_count.value,
            "counts": counts,
            "spikes": jnp.zeros(shape, jnp.int32),
            "unstable": jnp.zeros(shape, bool),
            **self.substep_aux(shape),
        }
        y = {"V": V, "w": self.w.value}
        y.update({key: getattr(self, key).value for key in self.SYNAPSES})
        y, aux = self.integrate(y, aux)
        # The count of spikes in this step (more than one only without refractoriness).
        spike = aux["spikes"].astype(environ.dftype())
        self.emit(spike, counts)
        y = self.add_spike_inputs(y)
        self.V.value, self.w.value = y["V"], y["w"]
        for key in self.SYNAPSES:
            getattr(self, key).value = y[key]
        self.buffer_current(x)
        return spike

    def substep_aux(self, shape: tuple[int, ...]) -> dict:
        """Extra entries of the substep carry ``aux`` (read by :meth:`substep_inputs`)."""
        return {}

    def add_spike_inputs(self, y: dict) -> dict:
        """``y`` with this step's arriving spikes added to the synaptic states (step 3)."""
        raise NotImplementedError


def _check_peak(V_peak: Any, V_th: Any, Delta_T: Any, threshold: str = "V_th") -> None:
    """NEST's rules tying ``V_peak``, the threshold ``V_th`` (named ``threshold``) and
    ``Delta_T`` together."""
    peak, th = np.asarray(u.to_float(V_peak, u.mV)), np.asarray(u.to_float(V_th, u.mV))
    slope = np.asarray(u.to_float(Delta_T, u.mV))
    if (peak < th).any():
        raise ParameterError(
            f"V_peak must be >= {threshold}, got V_peak={u.describe(V_peak)}, "
            f"{threshold}={u.describe(V_th)}"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        arg = np.where(slope > 0, (peak - th) / np.where(slope > 0, slope, 1.0), 0.0)
    if (arg >= MAX_EXP_ARG).any():
        raise ParameterError(
            f"(V_peak - {threshold}) / Delta_T must be < {MAX_EXP_ARG:.4g} (else exp overflows "
            f"at the spike): got V_peak={u.describe(V_peak)}, {threshold}={u.describe(V_th)}, "
            f"Delta_T={u.describe(Delta_T)}; increase Delta_T or lower V_peak"
        )


def _weights(total: Any, unit: u.Unit) -> Any:
    """This step's spike weights (``spike_inputs`` is a plain 0 when nothing is connected)."""
    if u.has_unit(total):
        return total
    if np.ndim(total) == 0 and not isinstance(total, jax.Array) and total == 0:
        return 0.0 * unit
    raise ParameterError(f"spike weights must be quantities in units of {unit}, got {total!r}")


def _filled(value: Any, unit: u.Unit, shape: tuple, dtype: Any) -> Any:
    """``value`` in ``unit``, broadcast to ``shape``."""
    return u.with_unit(jnp.broadcast_to(jnp.asarray(u.to_float(value, unit), dtype), shape), unit)


_TABLE_RULE = "    " + "  ".join("=" * width for width in (19, 12, 46))
_MEMBRANE_ROWS = """\
    ``V_peak``           0 mV          spike detection threshold (if ``Delta_T > 0``)
    ``V_reset``          -60 mV        reset potential (``< V_peak``)
    ``t_ref``            0 ms          refractory period (``V`` held at ``V_reset``)
    ``g_L``              30 nS         leak conductance
    ``C_m``              281 pF        membrane capacitance
    ``E_L``              -70.6 mV      leak reversal potential
    ``Delta_T``          2 mV          slope factor (``>= 0``; 0: integrate-and-fire)
    ``tau_w``            144 ms        adaptation time constant
    ``a``                4 nS          subthreshold adaptation
    ``b``                80.5 pA       spike-triggered adaptation
    ``V_th``             -50.4 mV      spike initiation threshold (``<= V_peak``)"""
_CONTROL_ROWS = """\
    ``I_e``              0 pA          constant input current
    ``gsl_error_tol``    1e-6          RKF45 error tolerance (one number)
    ``V_initializer``    ``E_L``       initial membrane potential
    ``w_initializer``    0 pA          initial adaptation current"""
#: The table rows of ``tau_syn_ex`` and ``tau_syn_in`` (:class:`_AdExSynaptic`).
EX_IN_ROWS = """\
    ``tau_syn_ex``       0.2 ms        excitatory synaptic time constant
    ``tau_syn_in``       2 ms          inhibitory synaptic time constant"""


def document_parameters(cls: type, synapse_rows: str = "", model_rows: str = "") -> None:
    """Put the aeif parameter table into ``cls``'s docstring, at ``{parameters}``: the
    shared rows, ``synapse_rows`` after ``V_th`` and ``model_rows`` at the end."""
    parts = [_TABLE_RULE, "    parameter            default       meaning", _TABLE_RULE,
             _MEMBRANE_ROWS, synapse_rows, _CONTROL_ROWS, model_rows, _TABLE_RULE]  # fmt: skip
    table = "\n".join(part for part in parts if part)
    cls.__doc__ = cls.__doc__.replace("    {parameters}", table)


class _AdExSynaptic(_AdEx):
    """Excitatory and inhibitory synapses with time constants ``tau_syn_ex``, ``tau_syn_in``."""

    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)

    def _set_time_constants(self, tau_syn_ex: Any, tau_syn_in: Any) -> None:
        self.tau_syn_ex = tau_syn_ex
        self.tau_syn_in = tau_syn_in
