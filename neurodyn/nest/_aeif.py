"""NEST's adaptive exponential integrate-and-fire models, integrated by adaptive RKF45.

``aeif_cond_alpha``, ``aeif_cond_exp`` and ``aeif_psc_exp`` (Brette & Gerstner 2005)
share the membrane and adaptation equations and differ in their synapses. Unlike the
``iaf_*`` models, NEST handles their spikes *inside* the integration of a step: after
every accepted RKF45 substep the state is checked for numerical instability, held at
``V_reset`` while refractory, or tested against the spike threshold, reset
(``V = V_reset``, ``w += b``) and integrated on within the same step. Each step, in
NEST's order:

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


class _AdEx(NESTNeuron):
    """Membrane, adaptation, spike handling and parameters shared by the aeif models."""

    #: The synaptic state variables (NEST's names) and their units.
    SYNAPSES: dict[str, u.Unit] = {}

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
        self.V_th = V_th
        tol = parameter("gsl_error_tol", gsl_error_tol, positive=True)
        if np.ndim(tol) != 0:
            raise ParameterError(
                f"gsl_error_tol must be a single number for the population, got shape "
                f"{np.shape(tol)}"
            )
        self.gsl_error_tol = float(tol)
        self.V_initializer = V_initializer if V_initializer is not None else E_L
        self.w_initializer = w_initializer

    def check_parameters(self) -> None:
        super().check_parameters()
        if all(name in self.__dict__ for name in ("V_peak", "V_th", "Delta_T")):
            _check_peak(self.V_peak, self.V_th, self.Delta_T)

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
            setattr(self, key, HiddenState(u.with_unit(jnp.zeros(shape, dtype), unit), name=key))
        self.numerical_instability = ShortTermState(
            jnp.zeros(shape, bool), name="numerical_instability"
        )
        self.init_adaptive_step(shape)  # NEST 3.10 starts IntegrationStep_ at dt

    def _recordable(self, name: str) -> Any:
        return getattr(self, {"V_m": "V"}.get(name, name)).value

    # -- the vector field ------------------------------------------------------------

    def derivatives(self, y: dict, t: Any, I_stim: Any, *, aux: dict) -> dict:
        """The vector field (NEST's ``aeif_*_dynamics``): ``V`` is bounded by ``V_peak``
        and, while refractory, held at ``V_reset`` with :math:`dV/dt = 0`."""
        refractory = aux["refractory"] > 0
        V = u.math.where(refractory, self.V_reset, u.math.minimum(y["V"], self.V_peak))
        I_spike = self.spike_current(V)
        I = -self.g_L * (V - self.E_L) + I_spike
        I = self.add_synaptic_current(I, y, V) - y["w"] + self.I_e + I_stim
        dV = I / self.C_m
        return {
            "V": u.math.where(refractory, 0.0 * dV, dV),
            "w": (self.a * (V - self.E_L) - y["w"]) / self.tau_w,
            **self.synaptic_derivatives(y),
        }

    def spike_current(self, V: Any) -> Any:
        """The exponential spike current :math:`g_L \\Delta_T e^{(V - V_T)/\\Delta_T}`
        (0 where ``Delta_T = 0``)."""
        sharp = self.Delta_T == 0.0 * u.mV
        Delta_T = u.math.where(sharp, 1.0 * u.mV, self.Delta_T)
        I_spike = self.g_L * Delta_T * u.math.exp((V - self.V_th) / Delta_T)
        return u.math.where(sharp, 0.0 * I_spike, I_spike)

    def add_synaptic_current(self, I: Any, y: dict, V: Any) -> Any:
        """``I`` plus the synaptic current, summed in NEST's order."""
        raise NotImplementedError

    def synaptic_derivatives(self, y: dict) -> dict:
        raise NotImplementedError

    # -- what happens after every accepted substep -----------------------------------

    def spike_threshold(self) -> Any:
        """The spike detection threshold: ``V_peak``, or ``V_th`` if ``Delta_T = 0``."""
        return u.math.where(self.Delta_T > 0.0 * u.mV, self.V_peak, self.V_th)

    def spike_argument(self, V: Any) -> Any:
        """``(V - threshold) / (threshold - V_reset)``, ``threshold`` :meth:`spike_threshold`."""
        threshold = self.spike_threshold()
        return u.magnitude((V - threshold) / (threshold - self.V_reset))

    def _after_substep(self, y: dict, aux: dict) -> tuple[dict, dict]:
        V, w = y["V"], y["w"]
        unstable = (
            (V < V_UNSTABLE_BELOW * u.mV)
            | (w < -W_UNSTABLE_ABOVE * u.pA)
            | (w > W_UNSTABLE_ABOVE * u.pA)
        )
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
        tol = self.gsl_error_tol
        result = self.integrate_adaptive(
            self.derivatives, y, self.I_stim.value,
            eps_abs=tol, eps_rel=tol, a_y=0.0, a_dydt=1.0,
            event=self._after_substep, aux=aux,
        )  # fmt: skip
        y, aux = result.y, result.aux
        self.numerical_instability.value = self.numerical_instability.value | aux["unstable"]
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
        raise NotImplementedError

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


def _check_peak(V_peak: Any, V_th: Any, Delta_T: Any) -> None:
    """NEST's rules tying ``V_peak``, ``V_th`` and ``Delta_T`` together."""
    peak, th = np.asarray(u.to_float(V_peak, u.mV)), np.asarray(u.to_float(V_th, u.mV))
    slope = np.asarray(u.to_float(Delta_T, u.mV))
    if (peak < th).any():
        raise ParameterError(
            f"V_peak must be >= V_th, got V_peak={u.describe(V_peak)}, V_th={u.describe(V_th)}"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        arg = np.where(slope > 0, (peak - th) / np.where(slope > 0, slope, 1.0), 0.0)
    if (arg >= MAX_EXP_ARG).any():
        raise ParameterError(
            f"(V_peak - V_th) / Delta_T must be < {MAX_EXP_ARG:.4g} (else exp overflows at "
            f"the spike): got V_peak={u.describe(V_peak)}, V_th={u.describe(V_th)}, "
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


_COMMON_PARAMETERS = """\
    ===================  ============  ==============================================
    parameter            default       meaning
    ===================  ============  ==============================================
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
    ``V_th``             -50.4 mV      spike initiation threshold (``<= V_peak``)
    ``tau_syn_ex``       0.2 ms        excitatory synaptic time constant
    ``tau_syn_in``       2 ms          inhibitory synaptic time constant
    ``I_e``              0 pA          constant input current
    ``gsl_error_tol``    1e-6          RKF45 error tolerance (one number)
    ``V_initializer``    ``E_L``       initial membrane potential
    ``w_initializer``    0 pA          initial adaptation current"""


class _AdExSynaptic(_AdEx):
    """Excitatory and inhibitory synapses with time constants ``tau_syn_ex``, ``tau_syn_in``."""

    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)

    def _set_time_constants(self, tau_syn_ex: Any, tau_syn_in: Any) -> None:
        self.tau_syn_ex = tau_syn_ex
        self.tau_syn_in = tau_syn_in


class _AdExCond(_AdExSynaptic):
    """Conductance-based synapses with reversal potentials ``E_ex``, ``E_in``."""

    WEIGHT_UNIT = u.nS

    RECEPTOR_TYPES = {"ex": 0, "in": 0}
    RECORDABLES = ("V_m", "g_ex", "g_in", "w")

    E_ex = Param(u.mV)
    E_in = Param(u.mV)

    def _set_reversal(self, E_ex: Any, E_in: Any) -> None:
        self.E_ex = E_ex
        self.E_in = E_in

    def add_synaptic_current(self, I: Any, y: dict, V: Any) -> Any:
        return I - y["g_ex"] * (V - self.E_ex) - y["g_in"] * (V - self.E_in)


class aeif_cond_alpha(_AdExCond):  # noqa: N801 (NEST's model name)
    r"""Adaptive exponential integrate-and-fire neuron with alpha-shaped synaptic
    conductances (NEST ``aeif_cond_alpha``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) + g_L \Delta_T e^{(V - V_T)/\Delta_T}
       - g_{ex}(V - E_{ex}) - g_{in}(V - E_{in}) - w + I_e + I_{stim},

       \tau_w \frac{dw}{dt} = a (V - E_L) - w,
       \qquad \frac{d\,dg_{x}}{dt} = -\frac{dg_{x}}{\tau_{syn,x}},
       \qquad \frac{dg_{x}}{dt} = dg_{x} - \frac{g_{x}}{\tau_{syn,x}}

    (:math:`V_T` is ``V_th``). Inside the vector field ``V`` is bounded by ``V_peak``.
    When ``V`` reaches ``V_peak`` after an RKF45 substep: ``V = V_reset``,
    ``w += b``, a spike; integration goes on within the step (see the module
    docstring for the order). A spike of weight ``w`` (nS) adds
    ``|w| e / tau_syn`` to ``dg_ex`` (``w > 0``) or ``dg_in`` (``w < 0``), so that
    ``g`` peaks at ``|w|`` one ``tau_syn`` later.

    {parameters}
    ``E_ex``             0 mV          excitatory reversal potential
    ``E_in``             -85 mV        inhibitory reversal potential
    ===================  ============  ==============================================

    States: ``V``, ``w``, ``dg_ex``, ``g_ex``, ``dg_in``, ``g_in``, ``I_stim``,
    ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``numerical_instability``, ``last_spike_time``, ``spike`` (the number of spikes
    in the step: more than one is possible when ``t_ref = 0``, as in NEST). Spikes are
    detected inside the integration, so no surrogate gradient flows through them.
    Delta inputs: weights in nS, labelled ``'ex'`` / ``'in'`` (magnitudes) or
    unlabelled (the sign picks the receptor, as in NEST). Needs float64
    (``nd.environ.set(precision=64)``): substeps near a spike are ~1e-10 ms.

    References: Brette & Gerstner (2005), J. Neurophysiol. 94:3637;
    NEST ``aeif_cond_alpha``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.environ.set(precision=64)  # needed: substeps of ~1e-10 ms at each spike
    >>> n = nd.nest.aeif_cond_alpha(2, I_e=u.math.asarray([0., 1000.]) * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> n.recordables
    ('V_m', 'g_ex', 'g_in', 'w')
    >>> n.record("V_m")
    Quantity([-70.6 -70.6], "mV")
    >>> nd.environ.set(precision=32)  # back to the default
    """

    SYNAPSES = {"dg_ex": u.nS / u.ms, "g_ex": u.nS, "dg_in": u.nS / u.ms, "g_in": u.nS}

    def __init__(
        self,
        in_size: Any,
        V_peak: Any = 0.0 * u.mV,
        V_reset: Any = -60.0 * u.mV,
        t_ref: Any = 0.0 * u.ms,
        g_L: Any = 30.0 * u.nS,
        C_m: Any = 281.0 * u.pF,
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -85.0 * u.mV,
        E_L: Any = -70.6 * u.mV,
        Delta_T: Any = 2.0 * u.mV,
        tau_w: Any = 144.0 * u.ms,
        a: Any = 4.0 * u.nS,
        b: Any = 80.5 * u.pA,
        V_th: Any = -50.4 * u.mV,
        tau_syn_ex: Any = 0.2 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        gsl_error_tol: float = 1e-6,
        V_initializer: Any = None,
        w_initializer: Any = 0.0 * u.pA,
        name: str | None = None,
    ):
        super().__init__(
            in_size, V_peak, V_reset, t_ref, g_L, C_m, E_L, Delta_T, tau_w, a, b, V_th,
            I_e, gsl_error_tol, V_initializer, w_initializer, name,
        )  # fmt: skip
        self._set_time_constants(tau_syn_ex, tau_syn_in)
        self._set_reversal(E_ex, E_in)

    def synaptic_derivatives(self, y: dict) -> dict:
        return {
            "dg_ex": -y["dg_ex"] / self.tau_syn_ex,
            "g_ex": y["dg_ex"] - y["g_ex"] / self.tau_syn_ex,
            "dg_in": -y["dg_in"] / self.tau_syn_in,
            "g_in": y["dg_in"] - y["g_in"] / self.tau_syn_in,
        }

    def add_spike_inputs(self, y: dict) -> dict:
        e = math.e
        ex = _weights(self.spike_inputs("ex", sign=+1), u.nS) * (e / self.tau_syn_ex)
        inh = -_weights(self.spike_inputs("in", sign=-1), u.nS) * (e / self.tau_syn_in)
        return dict(y, dg_ex=y["dg_ex"] + ex, dg_in=y["dg_in"] + inh)


class aeif_cond_exp(_AdExCond):  # noqa: N801 (NEST's model name)
    r"""Adaptive exponential integrate-and-fire neuron with exponentially decaying
    synaptic conductances (NEST ``aeif_cond_exp``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) + g_L \Delta_T e^{(V - V_T)/\Delta_T}
       - g_{ex}(V - E_{ex}) - g_{in}(V - E_{in}) - w + I_e + I_{stim},

       \tau_w \frac{dw}{dt} = a (V - E_L) - w,
       \qquad \frac{dg_{ex,in}}{dt} = -\frac{g_{ex,in}}{\tau_{syn,ex,in}}

    (:math:`V_T` is ``V_th``). Inside the vector field ``V`` is bounded by ``V_peak``.
    When ``V`` reaches ``V_peak`` after an RKF45 substep: ``V = V_reset``,
    ``w += b``, a spike; integration goes on within the step (see the module
    docstring for the order). A spike of weight ``w`` (nS) adds ``|w|`` to ``g_ex``
    (``w > 0``) or ``g_in`` (``w < 0``).

    {parameters}
    ``E_ex``             0 mV          excitatory reversal potential
    ``E_in``             -85 mV        inhibitory reversal potential
    ===================  ============  ==============================================

    States: ``V``, ``w``, ``g_ex``, ``g_in``, ``I_stim``, ``refractory_step_count``,
    ``integration_step``, ``integration_status``, ``numerical_instability``,
    ``last_spike_time``, ``spike`` (the number of spikes in the step: more than one is
    possible when ``t_ref = 0``, as in NEST). Spikes are detected inside the
    integration, so no surrogate gradient flows through them. Delta inputs: weights
    in nS, labelled ``'ex'`` / ``'in'`` (magnitudes) or unlabelled (the sign picks the
    receptor, as in NEST). Needs float64 (``nd.environ.set(precision=64)``).

    References: Brette & Gerstner (2005), J. Neurophysiol. 94:3637;
    NEST ``aeif_cond_exp``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.environ.set(precision=64)  # needed: substeps of ~1e-10 ms at each spike
    >>> n = nd.nest.aeif_cond_exp(1, I_e=1000. * u.pA, t_ref=2. * u.ms)
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 15. * u.ms, monitors={"V": lambda: n.V.value})
    >>> V = out["V"][:, 0].to_decimal(u.mV)  # spike at 11.8 ms, then held for 20 steps
    >>> [round(float(V[i]), 2) for i in (116, 117, 137, 138)]
    [-41.16, -60.0, -60.0, -59.79]
    >>> nd.environ.set(precision=32)  # back to the default
    """

    SYNAPSES = {"g_ex": u.nS, "g_in": u.nS}

    def __init__(
        self,
        in_size: Any,
        V_peak: Any = 0.0 * u.mV,
        V_reset: Any = -60.0 * u.mV,
        t_ref: Any = 0.0 * u.ms,
        g_L: Any = 30.0 * u.nS,
        C_m: Any = 281.0 * u.pF,
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -85.0 * u.mV,
        E_L: Any = -70.6 * u.mV,
        Delta_T: Any = 2.0 * u.mV,
        tau_w: Any = 144.0 * u.ms,
        a: Any = 4.0 * u.nS,
        b: Any = 80.5 * u.pA,
        V_th: Any = -50.4 * u.mV,
        tau_syn_ex: Any = 0.2 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        gsl_error_tol: float = 1e-6,
        V_initializer: Any = None,
        w_initializer: Any = 0.0 * u.pA,
        name: str | None = None,
    ):
        super().__init__(
            in_size, V_peak, V_reset, t_ref, g_L, C_m, E_L, Delta_T, tau_w, a, b, V_th,
            I_e, gsl_error_tol, V_initializer, w_initializer, name,
        )  # fmt: skip
        self._set_time_constants(tau_syn_ex, tau_syn_in)
        self._set_reversal(E_ex, E_in)

    def synaptic_derivatives(self, y: dict) -> dict:
        return {"g_ex": -y["g_ex"] / self.tau_syn_ex, "g_in": -y["g_in"] / self.tau_syn_in}

    def add_spike_inputs(self, y: dict) -> dict:
        g_ex = y["g_ex"] + _weights(self.spike_inputs("ex", sign=+1), u.nS)
        g_in = y["g_in"] - _weights(self.spike_inputs("in", sign=-1), u.nS)
        return dict(y, g_ex=g_ex, g_in=g_in)


class aeif_psc_exp(_AdExSynaptic):  # noqa: N801 (NEST's model name)
    r"""Adaptive exponential integrate-and-fire neuron with exponentially decaying
    synaptic currents (NEST ``aeif_psc_exp``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) + g_L \Delta_T e^{(V - V_T)/\Delta_T}
       + I_{syn,ex} - I_{syn,in} - w + I_e + I_{stim},

       \tau_w \frac{dw}{dt} = a (V - E_L) - w,
       \qquad \frac{dI_{syn,ex,in}}{dt} = -\frac{I_{syn,ex,in}}{\tau_{syn,ex,in}}

    (:math:`V_T` is ``V_th``). Inside the vector field ``V`` is bounded by ``V_peak``.
    When ``V`` reaches ``V_peak`` after an RKF45 substep: ``V = V_reset``,
    ``w += b``, a spike; integration goes on within the step (see the module
    docstring for the order). A spike of weight ``w`` (pA) adds ``w`` to ``I_syn_ex``
    (``w > 0``) or ``|w|`` to ``I_syn_in`` (``w < 0``): as in NEST, ``I_syn_in`` is
    positive and is subtracted.

    {parameters}
    ===================  ============  ==============================================

    States: ``V``, ``w``, ``I_syn_ex``, ``I_syn_in``, ``I_stim``,
    ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``numerical_instability``, ``last_spike_time``, ``spike`` (the number of spikes
    in the step: more than one is possible when ``t_ref = 0``, as in NEST). Spikes are
    detected inside the integration, so no surrogate gradient flows through them.
    Delta inputs: weights in pA, labelled ``'ex'`` / ``'in'`` (magnitudes) or
    unlabelled (the sign picks the receptor, as in NEST). Needs float64
    (``nd.environ.set(precision=64)``).

    References: Brette & Gerstner (2005), J. Neurophysiol. 94:3637;
    NEST ``aeif_psc_exp``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.environ.set(precision=64)  # needed: substeps of ~1e-10 ms at each spike
    >>> n = nd.nest.aeif_psc_exp(3, Delta_T=0. * u.mV)  # integrate-and-fire at V_th
    >>> _ = nd.init_all_states(n)
    >>> n.recordables
    ('V_m', 'I_syn_ex', 'I_syn_in', 'w')
    >>> nd.environ.set(precision=32)  # back to the default
    """

    SYNAPSES = {"I_syn_ex": u.pA, "I_syn_in": u.pA}
    RECEPTOR_TYPES = {"ex": 0, "in": 0}
    RECORDABLES = ("V_m", "I_syn_ex", "I_syn_in", "w")

    def __init__(
        self,
        in_size: Any,
        V_peak: Any = 0.0 * u.mV,
        V_reset: Any = -60.0 * u.mV,
        t_ref: Any = 0.0 * u.ms,
        g_L: Any = 30.0 * u.nS,
        C_m: Any = 281.0 * u.pF,
        E_L: Any = -70.6 * u.mV,
        Delta_T: Any = 2.0 * u.mV,
        tau_w: Any = 144.0 * u.ms,
        a: Any = 4.0 * u.nS,
        b: Any = 80.5 * u.pA,
        V_th: Any = -50.4 * u.mV,
        tau_syn_ex: Any = 0.2 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        gsl_error_tol: float = 1e-6,
        V_initializer: Any = None,
        w_initializer: Any = 0.0 * u.pA,
        name: str | None = None,
    ):
        super().__init__(
            in_size, V_peak, V_reset, t_ref, g_L, C_m, E_L, Delta_T, tau_w, a, b, V_th,
            I_e, gsl_error_tol, V_initializer, w_initializer, name,
        )  # fmt: skip
        self._set_time_constants(tau_syn_ex, tau_syn_in)

    def add_synaptic_current(self, I: Any, y: dict, V: Any) -> Any:
        return I + y["I_syn_ex"] - y["I_syn_in"]

    def synaptic_derivatives(self, y: dict) -> dict:
        return {
            "I_syn_ex": -y["I_syn_ex"] / self.tau_syn_ex,
            "I_syn_in": -y["I_syn_in"] / self.tau_syn_in,
        }

    def add_spike_inputs(self, y: dict) -> dict:
        I_ex = y["I_syn_ex"] + _weights(self.spike_inputs("ex", sign=+1), u.pA)
        I_in = y["I_syn_in"] - _weights(self.spike_inputs("in", sign=-1), u.pA)
        return dict(y, I_syn_ex=I_ex, I_syn_in=I_in)


for _cls in (aeif_cond_alpha, aeif_cond_exp, aeif_psc_exp):
    _cls.__doc__ = _cls.__doc__.replace("    {parameters}", _COMMON_PARAMETERS)
del _cls
