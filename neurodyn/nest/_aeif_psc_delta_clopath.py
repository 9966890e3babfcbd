"""NEST's ``aeif_psc_delta_clopath``: the aeif neuron of Clopath et al. (2010).

The aeif membrane and adaptation (:mod:`neurodyn.nest._aeif`), with delta-shaped input,
a depolarising spike afterpotential current ``z``, an adaptive threshold ``V_th`` and
the low-pass filters of ``V`` that the Clopath plasticity rule reads (``u_bar_plus``,
``u_bar_minus`` and ``u_bar_bar``). After a spike ``V`` is clamped at ``V_clamp`` for
``t_clamp``, then reset to ``V_reset`` and held there for ``t_ref``. NEST handles all of
it after every accepted RKF45 substep, in this order:

1. the ``NumericalInstability`` check;
2. unless refractory or clamped, the voltage jumps of the step's arriving spikes (after
   the first substep only: NEST reads its spike buffer once);
3. the spike test ``V >= V_peak`` (``V >= V_th`` when ``Delta_T = 0``) if not clamped:
   ``V = V_clamp``, ``w += b``, ``z = I_sp``, ``V_th = V_th_max``, the clamp starts;
   otherwise, if the clamp ends in this step: ``V = V_reset`` and the refractory period
   starts;
4. while refractory: ``V = V_reset``.

After the integration the clamp and refractory counts go down by one step and the
stimulation current is buffered for the next step.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState, ShortTermState
from ..neurons._base import initial_value, refractory_steps
from ._aeif import _AdExMembrane, _check_peak, _filled


class aeif_psc_delta_clopath(_AdExMembrane):  # noqa: N801 (NEST's model name)
    r"""Adaptive exponential integrate-and-fire neuron with delta-shaped input, spike
    afterpotential, adaptive threshold and the voltage filters of the Clopath rule
    (NEST ``aeif_psc_delta_clopath``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) + g_L \Delta_T e^{(V - V_T)/\Delta_T}
       - w + z + I_e + I_{stim} + C_m \sum_k w_k \delta(t - t_k),

       \tau_w \frac{dw}{dt} = a (V - E_L) - w,
       \qquad \tau_z \frac{dz}{dt} = -z,
       \qquad \tau_{V_T} \frac{dV_T}{dt} = -(V_T - V_{T,rest}),

       \tau_+ \frac{d\bar u_+}{dt} = V - \bar u_+,
       \qquad \tau_- \frac{d\bar u_-}{dt} = V - \bar u_-,
       \qquad \tau_{\bar{\bar u}} \frac{d\bar{\bar u}}{dt} = \bar u_- - \bar{\bar u}

    (:math:`V_T` is the state ``V_th``). Inside the vector field ``V`` is bounded by
    ``V_peak``; while clamped it is ``V_clamp`` (with :math:`dV/dt = dw/dt = 0`), while
    refractory ``V_reset`` (:math:`dV/dt = 0`). At a spike: ``V = V_clamp``,
    ``w += b``, ``z = I_sp``, ``V_th = V_th_max``; ``t_clamp`` later ``V = V_reset``
    for ``t_ref`` (see the module docstring for NEST's order within a step). A spike of
    weight ``w_k`` (mV, any sign) is added to ``V`` after the first accepted RKF45
    substep of its step, unless the neuron is clamped or refractory.

    =============================  ==========  ==============================================
    parameter                      default     meaning
    =============================  ==========  ==============================================
    ``V_peak``                     33 mV       spike detection threshold (if ``Delta_T > 0``)
    ``V_reset``                    -60 mV      reset potential (``< V_peak``)
    ``t_ref``                      0 ms        refractory period after the clamp
    ``g_L``                        30 nS       leak conductance
    ``C_m``                        281 pF      membrane capacitance
    ``E_L``                        -70.6 mV    leak reversal potential
    ``Delta_T``                    2 mV        slope factor (``>= 0``; 0: spikes at ``V_th``)
    ``tau_w``                      144 ms      adaptation time constant
    ``a``                          4 nS        subthreshold adaptation
    ``b``                          80.5 pA     spike-triggered adaptation
    ``tau_z``                      40 ms       time constant of the afterpotential current
    ``I_sp``                       400 pA      afterpotential current after a spike
    ``tau_V_th``                   50 ms       time constant of the threshold
    ``V_th_rest``                  -50.4 mV    resting threshold (``<= V_peak``)
    ``V_th_max``                   30.4 mV     threshold after a spike (``>= V_th_rest``)
    ``tau_u_bar_plus``             7 ms        time constant of ``u_bar_plus``
    ``tau_u_bar_minus``            10 ms       time constant of ``u_bar_minus``
    ``tau_u_bar_bar``              500 ms      time constant of ``u_bar_bar``
    ``t_clamp``                    2 ms        duration of the clamp after a spike
    ``V_clamp``                    33 mV       membrane potential during the clamp
    ``I_e``                        0 pA        constant input current
    ``gsl_error_tol``              1e-6        RKF45 error tolerance (one number)
    ``V_initializer``              ``E_L``     initial membrane potential
    ``w_initializer``              0 pA        initial adaptation current
    ``u_bar_plus_initializer``     ``E_L``     initial ``u_bar_plus``
    ``u_bar_minus_initializer``    ``E_L``     initial ``u_bar_minus``
    ``u_bar_bar_initializer``      ``E_L``     initial ``u_bar_bar``
    =============================  ==========  ==============================================

    States: ``V``, ``w``, ``z``, ``V_th`` (starts at ``V_th_rest``), ``u_bar_plus``,
    ``u_bar_minus``, ``u_bar_bar``, ``I_stim``, ``clamp_step_count``,
    ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``numerical_instability``, ``last_spike_time``, ``spike``. Recordables: NEST's
    ``V_m``, ``w``, ``z``, ``V_th``, ``u_bar_plus``, ``u_bar_minus``, ``u_bar_bar``.
    Delta inputs: weights in mV, unlabelled (any sign). NEST's Clopath-rule parameters
    of the neuron (``A_LTP``, ``A_LTD``, ``theta_plus``, ...) belong to its
    ``clopath_synapse``, which neurodyn does not have. Needs float64
    (``nd.environ.set(precision=64)``).

    References: Clopath, Büsing, Vasilaki & Gerstner (2010), Nat. Neurosci. 13:344;
    Clopath & Gerstner (2010), Front. Synaptic Neurosci. 2:25; NEST
    ``aeif_psc_delta_clopath``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.environ.set(precision=64)  # needed: substeps of ~1e-10 ms at each spike
    >>> n = nd.nest.aeif_psc_delta_clopath(1, I_e=1000. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 15. * u.ms, monitors={"V": lambda: n.V.value, "spike": n.spike})
    >>> spike_step = int(out["spike"][:, 0].argmax())
    >>> V = out["V"][:, 0].to_decimal(u.mV)  # clamped for 2 ms, then reset
    >>> [float(V[spike_step + k]) for k in (0, 19, 20)]
    [33.0, 33.0, -60.0]
    >>> nd.environ.set(precision=32)  # back to the default
    """

    WEIGHT_UNIT = u.mV
    RECORDABLES = ("V_m", "w", "z", "V_th", "u_bar_plus", "u_bar_minus", "u_bar_bar")
    #: At V_peak = 33 mV the spike current is ~1e20 pA: like GSL, shrink substeps until
    #: they no longer move time (~1e-17 ms), not only to 100 ulps of dt.
    H_MIN = 1e-300 * u.ms

    tau_z = Param(u.ms, positive=True)
    I_sp = Param(u.pA)
    tau_V_th = Param(u.ms, positive=True)
    V_th_rest = Param(u.mV)
    V_th_max = Param(u.mV)
    tau_u_bar_plus = Param(u.ms, positive=True)
    tau_u_bar_minus = Param(u.ms, positive=True)
    tau_u_bar_bar = Param(u.ms, positive=True)
    t_clamp = Param(u.ms, nonnegative=True)
    V_clamp = Param(u.mV)

    def __init__(
        self,
        in_size: Any,
        V_peak: Any = 33.0 * u.mV,
        V_reset: Any = -60.0 * u.mV,
        t_ref: Any = 0.0 * u.ms,
        g_L: Any = 30.0 * u.nS,
        C_m: Any = 281.0 * u.pF,
        E_L: Any = -70.6 * u.mV,
        Delta_T: Any = 2.0 * u.mV,
        tau_w: Any = 144.0 * u.ms,
        a: Any = 4.0 * u.nS,
        b: Any = 80.5 * u.pA,
        tau_z: Any = 40.0 * u.ms,
        I_sp: Any = 400.0 * u.pA,
        tau_V_th: Any = 50.0 * u.ms,
        V_th_rest: Any = -50.4 * u.mV,
        V_th_max: Any = 30.4 * u.mV,
        tau_u_bar_plus: Any = 7.0 * u.ms,
        tau_u_bar_minus: Any = 10.0 * u.ms,
        tau_u_bar_bar: Any = 500.0 * u.ms,
        t_clamp: Any = 2.0 * u.ms,
        V_clamp: Any = 33.0 * u.mV,
        I_e: Any = 0.0 * u.pA,
        gsl_error_tol: float = 1e-6,
        V_initializer: Any = None,
        w_initializer: Any = 0.0 * u.pA,
        u_bar_plus_initializer: Any = None,
        u_bar_minus_initializer: Any = None,
        u_bar_bar_initializer: Any = None,
        name: str | None = None,
    ):
        super().__init__(
            in_size, V_peak, V_reset, t_ref, g_L, C_m, E_L, Delta_T, tau_w, a, b, I_e,
            gsl_error_tol, V_initializer, w_initializer, name,
        )  # fmt: skip
        self.tau_z = tau_z
        self.I_sp = I_sp
        self.tau_V_th = tau_V_th
        self.V_th_rest = V_th_rest
        self.V_th_max = V_th_max
        self.tau_u_bar_plus = tau_u_bar_plus
        self.tau_u_bar_minus = tau_u_bar_minus
        self.tau_u_bar_bar = tau_u_bar_bar
        self.t_clamp = t_clamp
        self.V_clamp = V_clamp
        self.u_bar_initializers = {
            "u_bar_plus": u_bar_plus_initializer,
            "u_bar_minus": u_bar_minus_initializer,
            "u_bar_bar": u_bar_bar_initializer,
        }

    def check_parameters(self) -> None:
        super().check_parameters()
        if all(name in self.__dict__ for name in ("V_peak", "V_th_rest", "Delta_T")):
            _check_peak(self.V_peak, self.V_th_rest, self.Delta_T, threshold="V_th_rest")
        if all(name in self.__dict__ for name in ("V_th_rest", "V_th_max")):
            rest = np.asarray(u.to_float(self.V_th_rest, u.mV))
            if (np.asarray(u.to_float(self.V_th_max, u.mV)) < rest).any():
                raise ParameterError(
                    f"V_th_max must be >= V_th_rest, got V_th_max={u.describe(self.V_th_max)}, "
                    f"V_th_rest={u.describe(self.V_th_rest)}"
                )

    def spike_threshold(self) -> Any:
        """``V_peak``, or the adaptive threshold ``V_th`` (a state) if ``Delta_T = 0``."""
        return u.math.where(self.Delta_T > 0.0 * u.mV, self.V_peak, self.V_th.value)

    def spike_argument(self, V: Any) -> Any:
        """``(V - threshold) / (threshold - V_reset)``, ``threshold`` :meth:`spike_threshold`."""
        threshold = self.spike_threshold()
        return u.magnitude((V - threshold) / (threshold - self.V_reset))

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        shape, dtype = jnp.shape(u.magnitude(self.V.value)), environ.dftype()
        self.z = HiddenState(u.with_unit(jnp.zeros(shape, dtype), u.pA), name="z")
        self.V_th = HiddenState(_filled(self.V_th_rest, u.mV, shape, dtype), name="V_th")
        for key, value in self.u_bar_initializers.items():
            value = self.E_L if value is None else value
            value = initial_value(f"{key}_initializer", value, u.mV, self.varshape, batch_size)
            setattr(self, key, HiddenState(_filled(value, u.mV, shape, dtype), name=key))
        self.clamp_step_count = ShortTermState(jnp.zeros(shape, jnp.int32), name="clamp_step_count")

    # -- the vector field ------------------------------------------------------------

    def derivatives(self, y: dict, t: Any, I_stim: Any, *, aux: dict) -> dict:
        """The vector field (NEST's ``aeif_psc_delta_clopath_dynamics``)."""
        refractory, clamped = aux["refractory"] > 0, aux["clamped"] > 0
        free_V = u.math.minimum(y["V"], self.V_peak)
        V = u.math.where(clamped, self.V_clamp, u.math.where(refractory, self.V_reset, free_V))
        I = -self.g_L * (V - self.E_L) + self.spike_current(V, y["V_th"])
        dV = (I - y["w"] + y["z"] + self.I_e + I_stim) / self.C_m
        dw = (self.a * (V - self.E_L) - y["w"]) / self.tau_w
        return {
            "V": u.math.where(refractory | clamped, 0.0 * dV, dV),
            "w": u.math.where(clamped, 0.0 * dw, dw),
            "z": -y["z"] / self.tau_z,
            "V_th": -(y["V_th"] - self.V_th_rest) / self.tau_V_th,
            "u_bar_plus": (-y["u_bar_plus"] + V) / self.tau_u_bar_plus,
            "u_bar_minus": (-y["u_bar_minus"] + V) / self.tau_u_bar_minus,
            "u_bar_bar": (-y["u_bar_bar"] + y["u_bar_minus"]) / self.tau_u_bar_bar,
        }

    # -- what happens after every accepted substep -----------------------------------

    def _after_substep(self, y: dict, aux: dict) -> tuple[dict, dict]:
        unstable = self.unstable(y)
        refractory, clamped = aux["refractory"], aux["clamped"]
        y, aux = self.add_jumps(y, aux, free=(refractory == 0) & (clamped == 0))
        V = y["V"]
        # NEST tests against the threshold state when Delta_T = 0
        threshold = u.math.where(self.Delta_T == 0.0 * u.mV, y["V_th"], self.V_peak)
        fires = (V >= threshold) & (clamped == 0)
        released = ~fires & (clamped == 1)
        clamp_counts, refractory_counts = aux["clamp_counts"], aux["refractory_counts"]
        # + 1: the counts go down once at the end of this step (0: no clamp, no period)
        clamped = jnp.where(fires, jnp.where(clamp_counts > 0, clamp_counts + 1, 0), clamped)
        clamped = jnp.where(released, 0, clamped)
        refractory = jnp.where(
            released, jnp.where(refractory_counts > 0, refractory_counts + 1, 0), refractory
        )
        V = u.math.where(fires, self.V_clamp, u.math.where(released, self.V_reset, V))
        y = dict(
            y,
            V=u.math.where(refractory > 0, self.V_reset, V),
            w=u.math.where(fires, y["w"] + self.b, y["w"]),
            z=u.math.where(fires, self.I_sp, y["z"]),
            V_th=u.math.where(fires, self.V_th_max, y["V_th"]),
        )
        aux = dict(
            aux,
            refractory=refractory,
            clamped=clamped,
            spikes=aux["spikes"] + fires.astype(jnp.int32),
            unstable=aux["unstable"] | unstable,
        )
        return y, aux

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        shape = jnp.shape(u.magnitude(self.V.value))
        aux = {
            "refractory": self.refractory_step_count.value,
            "clamped": self.clamp_step_count.value,
            "refractory_counts": jnp.broadcast_to(refractory_steps(self.t_ref), shape),
            "clamp_counts": jnp.broadcast_to(refractory_steps(self.t_clamp), shape),
            "jumps": self.voltage_jumps(shape),
            "spikes": jnp.zeros(shape, jnp.int32),
            "unstable": jnp.zeros(shape, bool),
        }
        y = {key: getattr(self, key).value for key in ("V", *self.RECORDABLES[1:])}
        y, aux = self.integrate(y, aux)
        for key, value in y.items():
            getattr(self, key).value = value
        self.clamp_step_count.value = jnp.maximum(aux["clamped"] - 1, 0)
        # the refractory period started inside the integration (when a clamp ended):
        # count it down for every neuron
        self.refractory_step_count.value = aux["refractory"]
        spike = aux["spikes"].astype(environ.dftype())
        self.emit(spike, jnp.maximum(aux["refractory"] - 1, 0))
        self.buffer_current(x)
        return spike
