"""NEST's current-based aeif models: ``aeif_psc_exp``, ``aeif_psc_alpha`` and
``aeif_psc_delta``.

They share the membrane, adaptation, RKF45 integration and in-step spike handling of
the other aeif models (see :mod:`neurodyn.nest._aeif` for NEST's order within a step).
``aeif_psc_delta`` differs in where its input acts: NEST adds the voltage jumps of the
arriving spikes to ``V`` *inside* the integration, right after the first accepted RKF45
substep of the step (before the spike test), not after the step.
"""

from __future__ import annotations

import math
from typing import Any

from .. import units as u
from ._aeif import EX_IN_ROWS, _AdEx, _AdExSynaptic, _weights, document_parameters


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
    ``w += b``, a spike; integration goes on within the step (see
    :mod:`neurodyn.nest._aeif` for the order). A spike of weight ``w`` (pA) adds ``w``
    to ``I_syn_ex`` (``w > 0``) or ``|w|`` to ``I_syn_in`` (``w < 0``): as in NEST,
    ``I_syn_in`` is positive and is subtracted.

    {parameters}

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


class aeif_psc_alpha(_AdExSynaptic):  # noqa: N801 (NEST's model name)
    r"""Adaptive exponential integrate-and-fire neuron with alpha-shaped synaptic
    currents (NEST ``aeif_psc_alpha``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) + g_L \Delta_T e^{(V - V_T)/\Delta_T}
       + I_{syn,ex} - I_{syn,in} - w + I_e + I_{stim},

       \tau_w \frac{dw}{dt} = a (V - E_L) - w,
       \qquad \frac{d\,dI_{x}}{dt} = -\frac{dI_{x}}{\tau_{syn,x}},
       \qquad \frac{dI_{x}}{dt} = dI_{x} - \frac{I_{x}}{\tau_{syn,x}}

    (:math:`V_T` is ``V_th``; :math:`x` is ``ex`` or ``in``). Inside the vector field
    ``V`` is bounded by ``V_peak``. When ``V`` reaches ``V_peak`` after an RKF45
    substep: ``V = V_reset``, ``w += b``, a spike; integration goes on within the step
    (see :mod:`neurodyn.nest._aeif` for the order). A spike of weight ``w`` (pA) adds
    ``|w| e / tau_syn`` to ``dI_syn_ex`` (``w > 0``) or ``dI_syn_in`` (``w < 0``), so
    that the current peaks at ``|w|`` one ``tau_syn`` later; as in NEST, ``I_syn_in``
    is positive and is subtracted.

    {parameters}

    States: ``V``, ``w``, ``dI_syn_ex``, ``I_syn_ex``, ``dI_syn_in``, ``I_syn_in``,
    ``I_stim``, ``refractory_step_count``, ``integration_step``,
    ``integration_status``, ``numerical_instability``, ``last_spike_time``, ``spike``
    (the number of spikes in the step: more than one is possible when ``t_ref = 0``, as
    in NEST). Spikes are detected inside the integration, so no surrogate gradient
    flows through them. Delta inputs: weights in pA, labelled ``'ex'`` / ``'in'``
    (magnitudes) or unlabelled (the sign picks the receptor, as in NEST). Needs float64
    (``nd.environ.set(precision=64)``): substeps near a spike are ~1e-10 ms.

    References: Brette & Gerstner (2005), J. Neurophysiol. 94:3637;
    NEST ``aeif_psc_alpha``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.environ.set(precision=64)  # needed: substeps of ~1e-10 ms at each spike
    >>> n = nd.nest.aeif_psc_alpha(1, I_e=1000. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 20. * u.ms, monitors={"spike": n.spike})
    >>> float(out["spike"].sum())  # one spike in 20 ms
    1.0
    >>> nd.environ.set(precision=32)  # back to the default
    """

    SYNAPSES = {
        "dI_syn_ex": u.pA / u.ms,
        "I_syn_ex": u.pA,
        "dI_syn_in": u.pA / u.ms,
        "I_syn_in": u.pA,
    }
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
            "dI_syn_ex": -y["dI_syn_ex"] / self.tau_syn_ex,
            "I_syn_ex": y["dI_syn_ex"] - y["I_syn_ex"] / self.tau_syn_ex,
            "dI_syn_in": -y["dI_syn_in"] / self.tau_syn_in,
            "I_syn_in": y["dI_syn_in"] - y["I_syn_in"] / self.tau_syn_in,
        }

    def add_spike_inputs(self, y: dict) -> dict:
        e = math.e
        ex = _weights(self.spike_inputs("ex", sign=+1), u.pA) * (e / self.tau_syn_ex)
        inh = -_weights(self.spike_inputs("in", sign=-1), u.pA) * (e / self.tau_syn_in)
        return dict(y, dI_syn_ex=y["dI_syn_ex"] + ex, dI_syn_in=y["dI_syn_in"] + inh)


class aeif_psc_delta(_AdEx):  # noqa: N801 (NEST's model name)
    r"""Adaptive exponential integrate-and-fire neuron with delta-shaped synaptic
    input: each spike makes ``V`` jump (NEST ``aeif_psc_delta``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) + g_L \Delta_T e^{(V - V_T)/\Delta_T}
       - w + I_e + I_{stim} + C_m \sum_k w_k \delta(t - t_k),

       \tau_w \frac{dw}{dt} = a (V - E_L) - w

    (:math:`V_T` is ``V_th``). Inside the vector field ``V`` is bounded by ``V_peak``.
    A spike of weight ``w_k`` (mV, any sign) arriving in a step is added to ``V`` after
    the first accepted RKF45 substep of that step, before the spike test, as NEST does;
    spikes arriving while the neuron is refractory are dropped (NEST's default
    ``refractory_input=False``; ``True`` is not supported). When ``V`` reaches
    ``V_peak`` after a substep: ``V = V_reset``, ``w += b``, a spike; integration goes
    on within the step (see :mod:`neurodyn.nest._aeif` for the order).

    {parameters}

    States: ``V``, ``w``, ``I_stim``, ``refractory_step_count``, ``integration_step``,
    ``integration_status``, ``numerical_instability``, ``last_spike_time``, ``spike``
    (the number of spikes in the step). Delta inputs: weights in mV, unlabelled (any
    sign). Needs float64 (``nd.environ.set(precision=64)``).

    References: Brette & Gerstner (2005), J. Neurophysiol. 94:3637;
    NEST ``aeif_psc_delta``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.environ.set(precision=64)  # needed: substeps of ~1e-10 ms at each spike
    >>> n = nd.nest.aeif_psc_delta(1)
    >>> _ = nd.init_all_states(n)
    >>> n.add_delta_input("kick", lambda: 5.0 * u.mV)  # 5 mV in every step
    >>> _ = n()
    >>> round(float(n.record("V_m").to_decimal(u.mV)[0]), 4)  # jumped from E_L
    -65.6
    >>> nd.environ.set(precision=32)  # back to the default
    """

    WEIGHT_UNIT = u.mV
    RECORDABLES = ("V_m", "w")
    MULTIPLIES_BY_RECIPROCALS = True  # NEST's aeif_psc_delta arithmetic

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

    def substep_aux(self, shape: tuple[int, ...]) -> dict:
        """This step's voltage jumps, waiting for the first accepted substep."""
        return {"jumps": self.voltage_jumps(shape)}

    def substep_inputs(self, y: dict, aux: dict) -> tuple[dict, dict]:
        """Add the jumps after the first substep unless refractory."""
        return self.add_jumps(y, aux, free=aux["refractory"] == 0)

    def add_spike_inputs(self, y: dict) -> dict:
        return y  # the jumps were added inside the integration (substep_inputs)


for _cls in (aeif_psc_exp, aeif_psc_alpha):
    document_parameters(_cls, EX_IN_ROWS)
document_parameters(aeif_psc_delta)
del _cls
