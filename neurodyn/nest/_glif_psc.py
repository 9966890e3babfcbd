r"""NEST's current-based GLIF models: ``glif_psc`` (alpha-shaped currents) and
``glif_psc_double_alpha`` (each receptor's current a fast plus a slow alpha function).

The membrane, the currents and the after-spike currents' mean are linear over a step,
so ``V`` advances by exact propagators (:mod:`neurodyn.nest._propagators`): from
:math:`U_0` and the currents at the step's start, driven by the buffered current plus
the after-spike currents' mean. The rest of the step is the GLIF models' (see
:mod:`neurodyn.nest._glif`): threshold components, spike and reset rules, refractory
hold; then the currents advance (also while refractory) and the arriving spikes are
added to their derivatives.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._params import Param
from ..core._state import HiddenState
from ..surrogate import Surrogate
from . import _kernels as kernels
from . import _propagators as prop
from ._glif import ASC_AMPS, ASC_DECAY, ASC_INIT, ASC_R, GLIF, PARAMETERS, _mV, _pA
from ._kernels import KernelList

_AMP_SLOW = np.array([0.3])  # float64 in any precision


class _CurrentGLIF(GLIF):
    """The step shared by the current-based GLIF models; ``COMPONENTS``: per receptor
    the alpha functions, as ``(tau_syn list, amplitude list or None)``."""

    WEIGHT_UNIT = u.pA
    RECORDABLES = (
        "V_m", "ASCurrents_sum", "I", "I_syn", "threshold", "threshold_spike",
        "threshold_voltage",
    )  # fmt: skip
    COMPONENTS: tuple[tuple[str, str | None], ...] = (("tau_syn", None),)

    g = Param(u.nS, positive=True)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = u.with_unit(jnp.zeros_like(self.V.value.mantissa), u.pA)
        self.I_syn = HiddenState(zeros, name="I_syn")
        for tau, _ in self.COMPONENTS:
            suffix = tau.removeprefix("tau_syn")
            for state, unit in ((f"y1{suffix}", u.pA / u.ms), (f"y2{suffix}", u.pA)):
                setattr(self, state, HiddenState(self.receptor_zeros(unit), name=state))

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        h = u.to_float(environ.get_dt(), u.ms)
        C = u.to_float(self.C_m, u.pF)
        tau_m = C / self._conductance()
        tau_m_k, C_k = jnp.asarray(tau_m)[..., None], jnp.asarray(C)[..., None]  # per receptor
        v_old = _mV(self.V.value - self.E_L)
        I = _pA(self.buffered_current())
        free = self.adapt(v_old, I)
        U = v_old * prop.decay(h, tau_m)
        U = U + (I + free["asc_sum"]) * prop.constant_current_to_V(h, tau_m, C)
        I_syn, refractory = 0.0, self.refractory_step_count.value > 0
        weights = kernels.receptor_weights(self, self.WEIGHT_UNIT)
        for tau_name, amplitude in self.COMPONENTS:
            suffix = tau_name.removeprefix("tau_syn")
            y1, y2 = getattr(self, f"y1{suffix}"), getattr(self, f"y2{suffix}")
            dI, I_k = u.to_float(y1.value, u.pA / u.ms), _pA(y2.value)
            tau_s = jnp.asarray(u.to_float(getattr(self, tau_name), u.ms), environ.dftype())
            dV, I_k_new, dI_new = prop.alpha_psc_step(I_k, dI, h, tau_s, tau_m_k, C_k)
            U = U + jnp.sum(dV, axis=-1)
            I_syn = I_syn + jnp.sum(I_k, axis=-1)
            jump = jnp.e / tau_s * weights
            if amplitude is not None:
                jump = jump * jnp.asarray(u.magnitude(getattr(self, amplitude)))
            y1.value = u.with_unit(dI_new + jump, u.pA / u.ms)
            y2.value = u.with_unit(I_k_new, u.pA)
        self.I_syn.value = u.with_unit(jnp.where(refractory, _pA(self.I_syn.value), I_syn), u.pA)
        spike = self.fire_and_reset(U, v_old, free)
        self.buffer_current(x)
        return spike


_PSC_NOTES = """\
    A spike of weight ``w`` (pA, either sign) on receptor ``k`` adds
    :math:`e\\,w/\\tau_{{syn,k}}` to :math:`dI_k/dt`{slow}. NEST keeps ``V_th`` and
    ``V_reset`` relative to ``E_L`` (setting ``E_L`` moves them); here they are absolute.
    NEST's GLIF models have no ``I_e``; it is added to the buffered current here.

    States: ``V``, ``threshold``, ``threshold_spike``, ``threshold_voltage``,
    ``ASCurrents`` (one per after-spike current along the last axis),
    ``ASCurrents_sum``, ``I_syn``, {states}, per receptor along the last axis),
    ``I_stim``, ``refractory_step_count``, ``last_spike_time``, ``spike``. Recordables
    ``V_m``, ``ASCurrents_sum``, ``I`` (the buffered current plus ``I_e``), ``I_syn``
    (the sum of the synaptic currents, held while refractory), ``threshold``,
    ``threshold_spike``, ``threshold_voltage``. Delta inputs: weights in pA, labelled
    with the receptor (``'1'``, ``'2'``, ...; NEST's ``receptor_type`` 1, 2, ...).

    References: Teeter C, Iyer R, Menon V, et al. (2018), Generalized leaky
    integrate-and-fire models classify multiple neuron types, Nat. Commun. 9:709;
    NEST ``{model}``."""


class glif_psc(_CurrentGLIF):  # noqa: N801 (NEST's model name)
    r"""Generalized leaky integrate-and-fire neuron with alpha-shaped currents on
    receptors ``1..n`` (NEST ``glif_psc``; GLIF1..5 of Teeter et al. 2018).

    .. math::

       C_m \frac{dV}{dt} = -g (V - E_L) + \sum_j I_j + \sum_{k=1}^n I_{syn,k} + I_e
       + I_{stim}, \qquad \frac{dI_j}{dt} = -k_j I_j,

       \frac{d^2 I_{syn,k}}{dt^2} + \frac{2}{\tau_{syn,k}}\frac{dI_{syn,k}}{dt}
       + \frac{I_{syn,k}}{\tau_{syn,k}^2} = 0,
       \qquad \text{spike where } V - E_L > \theta_\infty + \theta_s + \theta_v

    with the threshold components, after-spike currents :math:`I_j`, switches and step
    order of :mod:`neurodyn.nest._glif`.

    {parameters}
    ``tau_syn``                   [2] ms               synaptic time constants, one per
                                                       receptor
    ============================  ===================  ========================================

    {notes}

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.glif_psc(2, tau_syn=[2.0, 5.0] * u.ms, I_e=300.0 * u.pA,
    ...                      spike_dependent_threshold=True, after_spike_currents=True,
    ...                      adapting_threshold=True)
    >>> n.mechanism, n.RECEPTOR_TYPES
    ('GLIF5', {'1': 1, '2': 2})
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 50.0 * u.ms, monitors={"spike": n.spike})
    >>> int(out["spike"].sum())  # both neurons fire
    4
    """

    tau_syn = KernelList(u.ms, positive=True, counts="receptors", required=True)

    def __init__(
        self,
        in_size: Any,
        g: Any = 9.43 * u.nS,
        E_L: Any = -78.85 * u.mV,
        V_th: Any = -51.68 * u.mV,
        C_m: Any = 58.72 * u.pF,
        t_ref: Any = 3.75 * u.ms,
        V_reset: Any = -78.85 * u.mV,
        th_spike_add: Any = 0.37 * u.mV,
        th_spike_decay: Any = 0.009 / u.ms,
        voltage_reset_fraction: Any = 0.2,
        voltage_reset_add: Any = 18.51 * u.mV,
        th_voltage_index: Any = 0.005 / u.ms,
        th_voltage_decay: Any = 0.09 / u.ms,
        asc_init: Any = ASC_INIT,
        asc_decay: Any = ASC_DECAY,
        asc_amps: Any = ASC_AMPS,
        asc_r: Any = ASC_R,
        tau_syn: Any = (2.0,) * u.ms,
        spike_dependent_threshold: bool = False,
        after_spike_currents: bool = False,
        adapting_threshold: bool = False,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        name: str | None = None,
    ):
        super().__init__(
            in_size, {"tau_syn": tau_syn},
            dict(asc_init=asc_init, asc_decay=asc_decay, asc_amps=asc_amps, asc_r=asc_r),
            I_e, V_initializer, spk_fun, name, g=g, E_L=E_L, V_th=V_th, C_m=C_m,
            t_ref=t_ref, V_reset=V_reset, th_spike_add=th_spike_add,
            th_spike_decay=th_spike_decay, voltage_reset_fraction=voltage_reset_fraction,
            voltage_reset_add=voltage_reset_add, th_voltage_index=th_voltage_index,
            th_voltage_decay=th_voltage_decay,
            spike_dependent_threshold=spike_dependent_threshold,
            after_spike_currents=after_spike_currents, adapting_threshold=adapting_threshold,
        )  # fmt: skip


class glif_psc_double_alpha(_CurrentGLIF):  # noqa: N801 (NEST's model name)
    r"""Generalized leaky integrate-and-fire neuron whose receptor currents are the sum
    of a fast and a slow alpha function (NEST ``glif_psc_double_alpha``).

    .. math::

       C_m \frac{dV}{dt} = -g (V - E_L) + \sum_j I_j + \sum_{k=1}^n (I_{fast,k}
       + I_{slow,k}) + I_e + I_{stim}

    with :math:`I_{fast,k}`, :math:`I_{slow,k}` alpha-shaped currents of time constants
    ``tau_syn_fast[k-1]`` and ``tau_syn_slow[k-1]``, the slow one scaled by
    ``amp_slow[k-1]``, and the threshold components, after-spike currents :math:`I_j`,
    switches and step order of :mod:`neurodyn.nest._glif`.

    {parameters}
    ``tau_syn_fast``              [2] ms               fast time constants, one per receptor
    ``tau_syn_slow``              [6] ms               slow time constants, one per receptor
    ``amp_slow``                  [0.3]                slow amplitudes relative to the fast
                                                       ones (``> 0``)
    ============================  ===================  ========================================

    {notes}

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.glif_psc_double_alpha(1, tau_syn_fast=[1.0, 2.0] * u.ms,
    ...     tau_syn_slow=[10.0, 20.0] * u.ms, amp_slow=[0.5, 0.2])
    >>> n.recordables
    ('V_m', 'ASCurrents_sum', 'I', 'I_syn', 'threshold', 'threshold_spike', 'threshold_voltage')
    """

    RECEPTOR_LISTS = ("tau_syn_fast", "tau_syn_slow", "amp_slow")
    COMPONENTS = (("tau_syn_fast", None), ("tau_syn_slow", "amp_slow"))

    tau_syn_fast = KernelList(u.ms, positive=True, counts="receptors", required=True)
    tau_syn_slow = KernelList(u.ms, positive=True, counts="receptors", required=True)
    amp_slow = KernelList(u.UNITLESS, positive=True, counts="receptors", required=True)

    def __init__(
        self,
        in_size: Any,
        g: Any = 9.43 * u.nS,
        E_L: Any = -78.85 * u.mV,
        V_th: Any = -51.68 * u.mV,
        C_m: Any = 58.72 * u.pF,
        t_ref: Any = 3.75 * u.ms,
        V_reset: Any = -78.85 * u.mV,
        th_spike_add: Any = 0.37 * u.mV,
        th_spike_decay: Any = 0.009 / u.ms,
        voltage_reset_fraction: Any = 0.2,
        voltage_reset_add: Any = 18.51 * u.mV,
        th_voltage_index: Any = 0.005 / u.ms,
        th_voltage_decay: Any = 0.09 / u.ms,
        asc_init: Any = ASC_INIT,
        asc_decay: Any = ASC_DECAY,
        asc_amps: Any = ASC_AMPS,
        asc_r: Any = ASC_R,
        tau_syn_fast: Any = (2.0,) * u.ms,
        tau_syn_slow: Any = (6.0,) * u.ms,
        amp_slow: Any = _AMP_SLOW,
        spike_dependent_threshold: bool = False,
        after_spike_currents: bool = False,
        adapting_threshold: bool = False,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        name: str | None = None,
    ):
        super().__init__(
            in_size,
            dict(tau_syn_fast=tau_syn_fast, tau_syn_slow=tau_syn_slow, amp_slow=amp_slow),
            dict(asc_init=asc_init, asc_decay=asc_decay, asc_amps=asc_amps, asc_r=asc_r),
            I_e, V_initializer, spk_fun, name, g=g, E_L=E_L, V_th=V_th, C_m=C_m,
            t_ref=t_ref, V_reset=V_reset, th_spike_add=th_spike_add,
            th_spike_decay=th_spike_decay, voltage_reset_fraction=voltage_reset_fraction,
            voltage_reset_add=voltage_reset_add, th_voltage_index=th_voltage_index,
            th_voltage_decay=th_voltage_decay,
            spike_dependent_threshold=spike_dependent_threshold,
            after_spike_currents=after_spike_currents, adapting_threshold=adapting_threshold,
        )  # fmt: skip


for _cls, _slow, _states in (
    (glif_psc, "", "``y1``, ``y2`` (the currents' derivatives and the currents"),
    (
        glif_psc_double_alpha,
        " and :math:`e\\,a_k w/\\tau_{slow,k}` to the slow one's (``a_k = amp_slow[k-1]``)",
        "``y1_fast``, ``y2_fast``, ``y1_slow``, ``y2_slow`` (the derivatives and the currents",
    ),
):
    _cls.__doc__ = _cls.__doc__.replace(
        "    {parameters}", PARAMETERS.format(g="g", pad=" " * 25)
    ).replace(
        "    {notes}",
        _PSC_NOTES.format(slow=_slow, states=_states, model=_cls.__name__),
    )
del _cls, _slow, _states
