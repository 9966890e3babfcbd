r"""NEST's conductance-based GLIF model ``glif_cond``, integrated by adaptive RKF45.

The membrane and the alpha-shaped conductances of receptors ``1..n`` (reversal
potentials ``E_rev``) are integrated over each step by GSL-style RKF45 (absolute
tolerance 1e-3 in mV, nS and nS/ms; per-neuron persistent step size), driven by the
buffered current and the after-spike currents' mean of the *previous* step, as in NEST.
The rest of the step is the GLIF models' (:mod:`neurodyn.nest._glif`); the arriving
spikes are added to the conductances' derivatives last.
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
from ._glif import ASC_AMPS, ASC_DECAY, ASC_INIT, ASC_R, GLIF, PARAMETERS, _mV
from ._kernels import KernelList

#: NEST's control for glif_cond: ``gsl_odeiv_control_y_new(1e-3, 0)``.
_CONTROL = dict(eps_abs=1e-3, eps_rel=0.0, a_y=1.0, a_dydt=0.0)
_TAU_SYN = np.array([0.2, 2.0]) * u.ms
_E_REV = np.array([0.0, -85.0]) * u.mV


class glif_cond(GLIF):  # noqa: N801 (NEST's model name)
    r"""Generalized leaky integrate-and-fire neuron with alpha-shaped conductances on
    receptors ``1..n`` (NEST ``glif_cond``; GLIF1..5 of Teeter et al. 2018).

    .. math::

       C_m \frac{dV}{dt} = -g_m (V - E_L) - \sum_{k=1}^n g_k (V - E_{rev,k})
       + \bar I_{ASC} + I_e + I_{stim},

       \frac{d\dot g_k}{dt} = -\frac{\dot g_k}{\tau_{syn,k}}, \qquad
       \frac{dg_k}{dt} = \dot g_k - \frac{g_k}{\tau_{syn,k}}

    with :math:`\bar I_{ASC}` the after-spike currents' mean over the previous step, and
    the threshold components, switches and step order of :mod:`neurodyn.nest._glif`.
    While refractory the vector field holds ``V`` (and sees ``V_reset``). A spike of
    weight ``w`` (nS, either sign) on receptor ``k`` adds :math:`e\,w/\tau_{syn,k}` to
    :math:`\dot g_k`, so that :math:`g_k` peaks at ``w`` after ``tau_syn[k-1]``.

    {parameters}
    ``tau_syn``                   [0.2, 2] ms          synaptic time constants, one per
                                                       receptor
    ``E_rev``                     [0, -85] mV          reversal potentials, one per receptor
    ============================  ===================  ========================================

    NEST keeps ``V_th`` and ``V_reset`` relative to ``E_L`` (setting ``E_L`` moves them);
    here they are absolute. NEST's GLIF models have no ``I_e``; it is added to the
    buffered current here.

    States: ``V``, ``g`` and ``dg`` (the conductances and their derivatives, per
    receptor along the last axis), ``threshold``, ``threshold_spike``,
    ``threshold_voltage``, ``ASCurrents`` (along the last axis), ``ASCurrents_sum``,
    ``I_stim``, ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``last_spike_time``, ``spike``. Recordables ``V_m``, ``I`` (the buffered current
    plus ``I_e``), ``ASCurrents_sum``, ``threshold``, ``threshold_spike``,
    ``threshold_voltage`` and ``g_1``, ``g_2``, ... Delta inputs: weights in nS,
    labelled with the receptor (``'1'``, ``'2'``, ...; NEST's ``receptor_type`` 1, 2,
    ...).

    References: Teeter C, Iyer R, Menon V, et al. (2018), Generalized leaky
    integrate-and-fire models classify multiple neuron types, Nat. Commun. 9:709;
    Meffin H, Burkitt AN, Grayden DB (2004), J. Comput. Neurosci. 16:159; NEST
    ``glif_cond``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.glif_cond(2, I_e=300.0 * u.pA, spike_dependent_threshold=True)
    >>> n.mechanism, n.recordables[-2:]
    ('GLIF2', ('g_1', 'g_2'))
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 20.0 * u.ms, monitors={"spike": n.spike})
    >>> int(out["spike"].sum())  # two spikes each
    4
    """

    WEIGHT_UNIT = u.nS
    RECEPTOR_LISTS = ("tau_syn", "E_rev")
    CONDUCTANCE = "g_m"

    g_m = Param(u.nS, positive=True)
    tau_syn = KernelList(u.ms, positive=True, counts="receptors", required=True)
    E_rev = KernelList(u.mV, counts="receptors", required=True)

    def __init__(
        self,
        in_size: Any,
        g_m: Any = 9.43 * u.nS,
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
        tau_syn: Any = _TAU_SYN,
        E_rev: Any = _E_REV,
        spike_dependent_threshold: bool = False,
        after_spike_currents: bool = False,
        adapting_threshold: bool = False,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        name: str | None = None,
    ):
        super().__init__(
            in_size, dict(tau_syn=tau_syn, E_rev=E_rev),
            dict(asc_init=asc_init, asc_decay=asc_decay, asc_amps=asc_amps, asc_r=asc_r),
            I_e, V_initializer, spk_fun, name, g_m=g_m, E_L=E_L, V_th=V_th, C_m=C_m,
            t_ref=t_ref, V_reset=V_reset, th_spike_add=th_spike_add,
            th_spike_decay=th_spike_decay, voltage_reset_fraction=voltage_reset_fraction,
            voltage_reset_add=voltage_reset_add, th_voltage_index=th_voltage_index,
            th_voltage_decay=th_voltage_decay,
            spike_dependent_threshold=spike_dependent_threshold,
            after_spike_currents=after_spike_currents, adapting_threshold=adapting_threshold,
        )  # fmt: skip

    @property
    def RECORDABLES(self) -> tuple[str, ...]:  # noqa: N802 (the attribute of every model)
        """NEST's recordables, with ``g_1``, ``g_2``, ... one per receptor."""
        fixed = ("V_m", "I", "ASCurrents_sum", "threshold", "threshold_spike",
                 "threshold_voltage")  # fmt: skip
        return (*fixed, *(f"g_{k}" for k in range(1, self.n_synapses + 1)))

    def _recordable(self, name: str) -> Any:
        if name.startswith("g_"):
            return self.g.value[..., int(name.removeprefix("g_")) - 1]
        return super()._recordable(name)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.g = self._receptor_state("g", u.nS)
        self.dg = self._receptor_state("dg", u.nS / u.ms)
        self.init_adaptive_step(self.V.value.shape)

    def _receptor_state(self, name: str, unit: u.Unit) -> Any:
        return HiddenState(self.receptor_zeros(unit), name=name)

    def derivatives(self, y: dict, t: Any, I: Any, asc_sum: Any, refractory: Any) -> dict:
        """The vector field, NEST's ``glif_cond_dynamics`` (its order of terms)."""
        V = u.math.where(refractory, self.V_reset, y["V"])
        I_syn = u.math.sum(y["g"] * (V[..., None] - self.E_rev), axis=-1)
        I_leak = self.g_m * (V - self.E_L)
        dV = (-I_leak - I_syn + I + asc_sum) / self.C_m
        return {
            "V": u.math.where(refractory, 0.0 * dV, dV),
            "dg": -y["dg"] / self.tau_syn,
            "g": y["dg"] - y["g"] / self.tau_syn,
        }

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        # added after the integration, read first (a wrong label fails before compiling)
        weights = kernels.receptor_weights(self, self.WEIGHT_UNIT)
        refractory = self.refractory_step_count.value > 0
        v_old = _mV(self.V.value - self.E_L)
        I = self.buffered_current()
        state = {"V": self.V.value, "dg": self.dg.value, "g": self.g.value}
        y = self.integrate_adaptive(
            self.derivatives, state, I, self.ASCurrents_sum.value, refractory, **_CONTROL
        ).y
        free = self.adapt(v_old, u.to_float(I, u.pA))
        spike = self.fire_and_reset(_mV(y["V"] - self.E_L), v_old, free)
        tau_syn = jnp.asarray(u.to_float(self.tau_syn, u.ms), environ.dftype())
        jump = jnp.e / tau_syn * weights
        self.g.value = y["g"]
        self.dg.value = y["dg"] + u.with_unit(jump, u.nS / u.ms)
        self.buffer_current(x)
        return spike


glif_cond.__doc__ = glif_cond.__doc__.replace(
    "    {parameters}", PARAMETERS.format(g="g_m", pad=" " * 23)
)
