r"""NEST's generalized integrate-and-fire models with escape noise on receptors
``1..n``: ``gif_psc_exp_multisynapse`` and ``gif_cond_exp_multisynapse``.

They are :class:`~neurodyn.nest.gif_psc_exp` and :class:`~neurodyn.nest.gif_cond_exp`
(the same membrane, spike-triggered kernels and escape noise, :mod:`neurodyn.nest._gif`)
with one exponential current or conductance per receptor, each with its time constant
(``tau_syn``, a list fixed at construction; ``gif_cond_exp_multisynapse`` also a
reversal potential per receptor, ``E_rev``). Spikes arrive labelled with their receptor
(``'1'``, ``'2'``, ...; NEST's ``receptor_type`` 1, 2, ...). The step's order is the GIF
models', with one difference in ``gif_psc_exp_multisynapse``: as in NEST, ``V`` is
driven by the currents of the step's *start* (``gif_psc_exp`` uses those after the
step's decay and arrivals).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._params import Param
from ..core._state import HiddenState
from . import _kernels as kernels
from . import _propagators as prop
from ._gif import _GIF, _PARAMETERS, _REFERENCES


class _GIFMultisynapse(_GIF):
    """Receptors ``1..n``, one per entry of ``tau_syn``."""

    RECORDABLES = ("V_m", "E_sfa", "I_stc")

    tau_syn = kernels.KernelList(u.ms, positive=True, counts="receptors", required=True)

    @property
    def n_receptors(self) -> int:
        """The number of receptors (NEST's ``n_receptors``)."""
        return int(np.shape(u.magnitude(self.tau_syn))[-1])

    @property
    def RECEPTOR_TYPES(self) -> dict[str, int]:  # noqa: N802 (the attribute of every model)
        """Receptors ``'1'``, ``'2'``, ... with NEST's numbers 1, 2, ..."""
        return {str(k): k for k in range(1, self.n_receptors + 1)}

    def _receptor_zeros(self, unit: u.Unit) -> Any:
        shape = (*jnp.shape(self.V.value.mantissa), self.n_receptors)
        return u.with_unit(jnp.zeros(shape, environ.dftype()), unit)


class gif_psc_exp_multisynapse(_GIFMultisynapse):  # noqa: N801 (NEST's model name)
    r"""Generalized integrate-and-fire neuron with escape noise and exponential PSCs on
    receptors ``1..n`` (NEST ``gif_psc_exp_multisynapse``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) - \sum_k \eta_k + \sum_{j=1}^{n} I_j + I_e
       + I_{stim}, \qquad \frac{dI_j}{dt} = -\frac{I_j}{\tau_{syn,j}},

       \lambda = \lambda_0 \exp\frac{V - V_T^* - \sum_k \gamma_k}{\Delta_V}

    with the kernels :math:`\eta_k` (``q_stc``, ``tau_stc``) and :math:`\gamma_k`
    (``q_sfa``, ``tau_sfa``) of :class:`~neurodyn.nest.gif_psc_exp`. ``V`` is
    integrated exactly, driven by the currents at the step's start; a spike of weight
    ``w`` (pA, either sign) on receptor ``j`` then adds ``w`` to ``I_j``.

    {parameters}
    ``tau_syn``         [2] ms        synaptic time constants, one per receptor
    ==================  ============  ===============================================

    States: ``V``, ``I_syn_receptors`` (receptor ``j`` at index ``j - 1`` of the last
    axis), ``stc_elems``, ``sfa_elems``, ``I_stc``, ``E_sfa``, ``I_stim``,
    ``refractory_step_count``, ``last_spike_time``, ``spike``. Recordables (NEST's)
    ``V_m``, ``E_sfa``, ``I_stc``. Delta inputs: weights in pA labelled with the
    receptor (``'1'``, ``'2'``, ...).

    {references} ``gif_psc_exp_multisynapse``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.gif_psc_exp_multisynapse(2, tau_syn=[1.0, 10.0] * u.ms)
    >>> n.RECEPTOR_TYPES
    {'1': 1, '2': 2}
    >>> _ = nd.init_all_states(n)
    >>> n.add_delta_input("slow", lambda: 100.0 * u.pA, label="2")
    >>> _ = n()
    >>> n.I_syn_receptors.value
    Quantity([[  0. 100.]
              [  0. 100.]], "pA")
    """

    def __init__(
        self,
        in_size: Any,
        g_L: Any = 4.0 * u.nS,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 80.0 * u.pF,
        V_reset: Any = -55.0 * u.mV,
        t_ref: Any = 4.0 * u.ms,
        V_T_star: Any = -35.0 * u.mV,
        Delta_V: Any = 0.5 * u.mV,
        lambda_0: Any = 1.0 * u.Hz,
        q_stc: Any = (),
        tau_stc: Any = (),
        q_sfa: Any = (),
        tau_sfa: Any = (),
        tau_syn: Any = (2.0,) * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = -70.0 * u.mV,
        name: str | None = None,
    ):
        super().__init__(
            in_size, I_e, V_initializer, name, g_L=g_L, E_L=E_L, C_m=C_m, V_reset=V_reset,
            t_ref=t_ref, V_T_star=V_T_star, Delta_V=Delta_V, lambda_0=lambda_0, q_stc=q_stc,
            tau_stc=tau_stc, q_sfa=q_sfa, tau_sfa=tau_sfa, tau_syn=tau_syn,
        )  # fmt: skip

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.I_syn_receptors = HiddenState(self._receptor_zeros(u.pA), name="I_syn_receptors")

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        I_stc, E_sfa = self.read_and_decay_kernels()
        h, C = u.to_float(environ.get_dt(), u.ms), u.to_float(self.C_m, u.pF)
        tau_m = u.to_float(self.C_m / self.g_L, u.ms)
        tau_syn = jnp.asarray(u.to_float(self.tau_syn, u.ms), environ.dftype())
        I = u.to_float(self.I_syn_receptors.value, u.pA)
        per_receptor = (jnp.asarray(tau_m)[..., None], jnp.asarray(C)[..., None])
        dV, I = prop.exp_psc_step(I, h, tau_syn, *per_receptor)
        self.I_syn_receptors.value = u.with_unit(I + kernels.receptor_weights(self, u.pA), u.pA)
        I_constant = u.to_float(self.buffered_current() - I_stc, u.pA)
        y = (
            u.to_float(self.V.value - self.E_L, u.mV) * prop.decay(h, tau_m)
            + I_constant * prop.constant_current_to_V(h, tau_m, C)
            + jnp.sum(dV, axis=-1)
        )
        refractory = self.refractory_step_count.value > 0
        spike, self.V.value = self.escape(u.with_unit(y, u.mV) + self.E_L, E_sfa, refractory)
        self.buffer_current(x)
        return spike


class gif_cond_exp_multisynapse(_GIFMultisynapse):  # noqa: N801 (NEST's model name)
    r"""Generalized integrate-and-fire neuron with escape noise and exponential
    conductances on receptors ``1..n`` (NEST ``gif_cond_exp_multisynapse``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) - \sum_{j=1}^{n} g_j (V - E_{rev,j})
       - \sum_k \eta_k + I_e + I_{stim}, \qquad
       \frac{dg_j}{dt} = -\frac{g_j}{\tau_{syn,j}}

    with the kernels and escape noise of :class:`~neurodyn.nest.gif_cond_exp`.
    ``(V, g)`` is integrated by GSL-style RKF45 (absolute tolerance ``gsl_error_tol``,
    per-neuron persistent step size); while refractory the conductances see
    ``V = V_reset`` and ``V`` is held. A spike of weight ``w`` (nS) on receptor ``j``
    adds ``w`` to ``g_j`` after the integration; a negative weight is refused at
    ``Connect`` (NEST refuses it when the spike arrives).

    {parameters}
    ``tau_syn``         [2] ms        conductance time constants, one per receptor
    ``E_rev``           [0] mV        reversal potentials, one per receptor
    ``gsl_error_tol``   1e-3          absolute tolerance of the RKF45 step
    ==================  ============  ===============================================

    ``tau_syn`` and ``E_rev`` must have the same length. States: ``V``, ``g``
    (receptor ``j`` at index ``j - 1`` of the last axis; NEST's status ``g``),
    ``stc_elems``, ``sfa_elems``, ``I_stc``, ``E_sfa``, ``I_stim``,
    ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``last_spike_time``, ``spike``. Recordables (NEST's) ``V_m``, ``E_sfa``,
    ``I_stc``. Delta inputs: weights in nS labelled with the receptor (``'1'``,
    ``'2'``, ...).

    {references} ``gif_cond_exp_multisynapse``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.gif_cond_exp_multisynapse(
    ...     3, tau_syn=[2.0, 20.0] * u.ms, E_rev=[0.0, -80.0] * u.mV)
    >>> _ = nd.init_all_states(n)
    >>> n.g.value.shape, n.n_receptors
    ((3, 2), 2)
    """

    WEIGHT_UNIT = u.nS
    POSITIVE_WEIGHTS = True

    E_rev = kernels.KernelList(u.mV, counts="receptors", required=True)
    gsl_error_tol = Param(u.UNITLESS, positive=True, per_neuron=False)

    def __init__(
        self,
        in_size: Any,
        g_L: Any = 4.0 * u.nS,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 80.0 * u.pF,
        V_reset: Any = -55.0 * u.mV,
        t_ref: Any = 4.0 * u.ms,
        V_T_star: Any = -35.0 * u.mV,
        Delta_V: Any = 0.5 * u.mV,
        lambda_0: Any = 1.0 * u.Hz,
        q_stc: Any = (),
        tau_stc: Any = (),
        q_sfa: Any = (),
        tau_sfa: Any = (),
        tau_syn: Any = (2.0,) * u.ms,
        E_rev: Any = (0.0,) * u.mV,
        gsl_error_tol: Any = 1e-3,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = -70.0 * u.mV,
        name: str | None = None,
    ):
        super().__init__(
            in_size, I_e, V_initializer, name, g_L=g_L, E_L=E_L, C_m=C_m, V_reset=V_reset,
            t_ref=t_ref, V_T_star=V_T_star, Delta_V=Delta_V, lambda_0=lambda_0, q_stc=q_stc,
            tau_stc=tau_stc, q_sfa=q_sfa, tau_sfa=tau_sfa, tau_syn=tau_syn, E_rev=E_rev,
            gsl_error_tol=gsl_error_tol,
        )  # fmt: skip
        kernels.check_pairs(self, ("E_rev", "tau_syn"))

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.g = HiddenState(self._receptor_zeros(u.nS), name="g")
        self.init_adaptive_step(self.V.value.shape)

    def derivatives(self, y: dict, t: Any, I_stim: Any, I_stc: Any, refractory: Any) -> dict:
        """The vector field, NEST's ``gif_cond_exp_multisynapse_dynamics`` (terms summed
        in its order, receptor by receptor)."""
        V = u.math.where(refractory, self.V_reset, y["V"])
        I_L = -self.g_L * (y["V"] - self.E_L)
        g, E_rev = y["g"], self.E_rev
        I_syn = -g[..., 0] * (V - E_rev[..., 0])
        for j in range(1, self.n_receptors):
            I_syn = I_syn - g[..., j] * (V - E_rev[..., j])
        dV = (I_L + I_stim + self.I_e + I_syn - I_stc) / self.C_m
        return {"V": u.math.where(refractory, 0.0 * dV, dV), "g": -g / self.tau_syn}

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        I_stc, E_sfa = self.read_and_decay_kernels()
        refractory = self.refractory_step_count.value > 0
        tolerance = float(self.gsl_error_tol)
        control = dict(eps_abs=tolerance, eps_rel=0.0, a_y=1.0, a_dydt=0.0)
        y = self.integrate_adaptive(
            self.derivatives,
            {"V": self.V.value, "g": self.g.value},
            self.I_stim.value,
            I_stc,
            refractory,
            **control,
        ).y
        self.g.value = y["g"] + u.with_unit(kernels.receptor_weights(self, u.nS), u.nS)
        spike, self.V.value = self.escape(y["V"], E_sfa, refractory)
        self.buffer_current(x)
        return spike


for _cls in (gif_psc_exp_multisynapse, gif_cond_exp_multisynapse):
    _cls.__doc__ = _cls.__doc__.replace("    {parameters}", _PARAMETERS).replace(
        "    {references}", _REFERENCES
    )
del _cls
