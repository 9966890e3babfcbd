"""What NEST's conductance-based integrate-and-fire models share: the membrane with
excitatory and inhibitory conductances (parameters, states, recordables, spike weights),
the threshold with reset and refractory clamp, GSL's RKF45 control for these models and
the peak normalisation of beta-function conductances.

The models (``iaf_cond_exp``, ``iaf_cond_alpha``, ``iaf_cond_beta`` in
:mod:`neurodyn.nest._iaf_cond`, ``iaf_cond_exp_sfa_rr``, ``iaf_chxk_2008``,
``iaf_cond_alpha_mc``) add their conductance time courses and event handling.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._params import Param
from ..core._state import HiddenState
from ..neurons._base import initial_value, refractory_steps
from ..surrogate import Surrogate
from ._base import NESTNeuron

#: NEST's control for these models: ``gsl_odeiv_control_y_new(1e-3, 0)``.
_CONTROL = dict(eps_abs=1e-3, eps_rel=0.0, a_y=1.0, a_dydt=0.0)


def beta_normalization(tau_rise: Any, tau_decay: Any) -> Any:
    r"""The jump of ``dg/dt`` per unit weight that makes a beta-function conductance peak
    at the weight (NEST's ``beta_normalization_factor``), in 1/ms.

    .. math::

       \kappa = \frac{1/\tau_r - 1/\tau_d}{e^{-t^*/\tau_d} - e^{-t^*/\tau_r}},
       \qquad t^* = \frac{\tau_d \tau_r \ln(\tau_d/\tau_r)}{\tau_d - \tau_r}

    When ``tau_decay - tau_rise`` or the peak's denominator is within machine epsilon
    of 0 the function is the alpha function and :math:`\kappa = e / \tau_d`.
    """
    rise, decay = u.to_float(tau_rise, u.ms), u.to_float(tau_decay, u.ms)
    rise, decay = jnp.broadcast_arrays(jnp.asarray(rise), jnp.asarray(decay))
    eps = jnp.finfo(jnp.result_type(rise, float)).eps
    difference = decay - rise
    distinct = jnp.abs(difference) > eps
    safe_difference = jnp.where(distinct, difference, 1.0)
    t_peak = decay * rise * jnp.log(decay / rise) / safe_difference
    peak = jnp.where(distinct, jnp.exp(-t_peak / decay) - jnp.exp(-t_peak / rise), 0.0)
    is_beta = jnp.abs(peak) >= eps
    factor = jnp.where(
        is_beta, (1.0 / rise - 1.0 / decay) / jnp.where(is_beta, peak, 1.0), math.e / decay
    )
    return u.with_unit(factor, u.ms**-1)


class _ConductanceMembrane(NESTNeuron):
    """A leaky membrane with conductance-based synapses, integrated by RKF45 (the
    ``iaf_cond_*`` models, ``iaf_chxk_2008``): NEST's membrane parameters and checks, the
    states ``V`` and :attr:`SYNAPTIC_STATES`, and their recordables."""

    WEIGHT_UNIT = u.nS

    RECEPTOR_TYPES = {"ex": 0, "in": 0}
    #: The synaptic state variables (besides ``V``) and their units.
    SYNAPTIC_STATES: dict[str, Any] = {}

    V_th = Param(u.mV)
    g_L = Param(u.nS, nonnegative=True)
    C_m = Param(u.pF, positive=True)
    E_ex = Param(u.mV)
    E_in = Param(u.mV)
    E_L = Param(u.mV)

    def __init__(
        self,
        in_size: Any,
        V_th: Any,
        g_L: Any,
        C_m: Any,
        E_ex: Any,
        E_in: Any,
        E_L: Any,
        I_e: Any,
        V_initializer: Any,
        spk_fun: Surrogate | None,
        spk_reset: str,
        name: str | None,
    ):
        super().__init__(in_size, I_e, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.V_th = V_th
        self.g_L = g_L
        self.C_m = C_m
        self.E_ex = E_ex
        self.E_in = E_in
        self.E_L = E_L
        self.V_initializer = V_initializer if V_initializer is not None else E_L

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        V = initial_value("V_initializer", self.V_initializer, u.mV, self.varshape, batch_size)
        self.V = HiddenState(V, name="V")
        zeros = jnp.zeros_like(V.mantissa)
        for name, unit in self.SYNAPTIC_STATES.items():
            setattr(self, name, HiddenState(u.with_unit(zeros, unit), name=name))
        self.init_adaptive_step(V.shape)

    def _recordable(self, name: str) -> Any:
        if name == "t_ref_remaining":
            steps = self.refractory_step_count.value
            return u.with_unit(u.to_float(environ.get_dt(), u.ms) * steps, u.ms)
        if name == "V_m":
            return self.V.value
        return getattr(self, name).value

    def _state(self) -> dict:
        return {"V": self.V.value} | {k: getattr(self, k).value for k in self.SYNAPTIC_STATES}

    def _weight(self, receptor: str, sign: int) -> Any:
        """The summed weight (nS, > 0) of the spikes arriving at ``receptor`` this step."""
        weight = self.spike_inputs(receptor, sign=sign)
        return sign * weight if u.is_quantity(weight) else 0.0 * u.nS


class _ThresholdReset(NESTNeuron):
    """The threshold, reset and absolute refractory period of the ``iaf_cond_*`` models
    (of the soma of ``iaf_cond_alpha_mc``): while refractory ``V`` is held at ``V_reset``."""

    ORDERED = (("V_reset", "V_th"),)
    V_th = Param(u.mV)
    V_reset = Param(u.mV)
    t_ref = Param(u.ms, nonnegative=True)

    def _seen_V(self, V: Any, refractory: Any) -> Any:
        """The ``V`` the vector field uses: ``V_reset`` while refractory, else at most ``V_th``."""
        return u.math.where(refractory, self.V_reset, u.math.minimum(V, self.V_th))

    def _threshold(self, V: Any, refractory: Any) -> tuple[Any, Any]:
        """Clamp refractory neurons to ``V_reset``; spike where a free ``V >= V_th``,
        and reset. Returns ``(spike, V)``."""
        V = u.math.where(refractory, self.V_reset, V)
        scale = self.V_th - self.V_reset
        spike = self.spk_fun(u.magnitude((V - self.V_th) / scale)) * ~refractory
        if self.spk_reset == "hard":
            V = u.math.where(jax.lax.stop_gradient(spike) > 0, self.V_reset, V)
        else:
            V = V - scale * spike
        return spike, V


class _ConductanceIAF(_ConductanceMembrane, _ThresholdReset):
    """The membrane shared by the ``iaf_cond_*`` models, with the threshold test,
    refractory clamp and reset."""

    def __init__(
        self,
        in_size: Any,
        V_th: Any,
        V_reset: Any,
        t_ref: Any,
        g_L: Any,
        C_m: Any,
        E_ex: Any,
        E_in: Any,
        E_L: Any,
        I_e: Any,
        V_initializer: Any,
        spk_fun: Surrogate | None,
        spk_reset: str,
        name: str | None,
    ):
        super().__init__(
            in_size, V_th, g_L, C_m, E_ex, E_in, E_L, I_e, V_initializer, spk_fun, spk_reset, name
        )
        self.V_reset = V_reset
        self.t_ref = t_ref

    def _finish(self, V: Any, synapses: dict, spike: Any, x: Any) -> Any:
        """Store the new state, emit the spikes, buffer the current (NEST's last steps)."""
        self.V.value = V
        for name, value in synapses.items():
            getattr(self, name).value = value
        self.emit(spike, refractory_steps(self.t_ref))
        self.buffer_current(x)
        return spike
