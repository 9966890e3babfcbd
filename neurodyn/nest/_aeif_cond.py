"""NEST's conductance-based aeif models: ``aeif_cond_alpha`` and ``aeif_cond_exp``.

An excitatory and an inhibitory conductance, with reversal potentials ``E_ex`` and
``E_in``, on the shared aeif membrane, adaptation and RKF45 step
(:mod:`neurodyn.nest._aeif`, where NEST's order within a step is described).
"""

from __future__ import annotations

import math
from typing import Any

from .. import units as u
from ..core._params import Param
from ._aeif import EX_IN_ROWS, _AdExSynaptic, _weights, document_parameters

_REVERSAL_ROWS = """\
    ``E_ex``             0 mV          excitatory reversal potential
    ``E_in``             -85 mV        inhibitory reversal potential"""


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
    ``w += b``, a spike; integration goes on within the step (see
    :mod:`neurodyn.nest._aeif` for the order). A spike of weight ``w`` (nS) adds
    ``|w| e / tau_syn`` to ``dg_ex`` (``w > 0``) or ``dg_in`` (``w < 0``), so that
    ``g`` peaks at ``|w|`` one ``tau_syn`` later.

    {parameters}

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
    ``w += b``, a spike; integration goes on within the step (see
    :mod:`neurodyn.nest._aeif` for the order). A spike of weight ``w`` (nS) adds
    ``|w|`` to ``g_ex`` (``w > 0``) or ``g_in`` (``w < 0``).

    {parameters}

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


for _cls in (aeif_cond_alpha, aeif_cond_exp):
    document_parameters(_cls, EX_IN_ROWS, _REVERSAL_ROWS)
del _cls
