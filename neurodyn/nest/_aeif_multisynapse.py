"""NEST's aeif models with any number of conductance receptors.

``aeif_cond_alpha_multisynapse`` and ``aeif_cond_beta_multisynapse`` are the aeif
membrane, adaptation and RKF45 step (:mod:`neurodyn.nest._aeif`, where NEST's order
within a step is described) with receptors ``1..n`` instead of an excitatory and an
inhibitory one. Receptor ``k`` has its own reversal potential ``E_rev[k-1]`` (an
inhibitory receptor is one with a low reversal potential) and kinetics: an alpha
function of time constant ``tau_syn[k-1]``, or a beta function rising with
``tau_rise[k-1]`` and decaying with ``tau_decay[k-1]``. The lists are fixed at
construction (they set the number of receptors, the last axis of the states ``dg`` and
``g``), as ``tau_syn`` of ``iaf_psc_exp_multisynapse`` is (:class:`~._kernels.KernelList`).
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core._errors import ParameterError
from ._aeif import _AdEx, _weights, document_parameters
from ._conductance import beta_normalization
from ._kernels import KernelList, check_pairs


class _AdExMultisynapse(_AdEx):
    """Conductances ``g`` on receptors ``1..n`` (the last axis), each with its reversal
    potential (``E_rev``) and driven by its slope ``dg``, which spikes kick."""

    WEIGHT_UNIT = u.nS
    POSITIVE_WEIGHTS = True
    SYNAPSES = {"dg": u.nS / u.ms, "g": u.nS}

    E_rev = KernelList(u.mV, counts="receptors", required=True)

    @property
    def n_receptors(self) -> int:
        """The number of receptors (NEST's ``n_receptors``)."""
        return int(np.shape(u.magnitude(self.E_rev))[-1])

    @property
    def RECEPTOR_TYPES(self) -> dict[str, int]:  # noqa: N802 (the attribute of every model)
        """Receptors ``'1'``, ``'2'``, ... with NEST's numbers 1, 2, ..."""
        return {str(k): k for k in range(1, self.n_receptors + 1)}

    @property
    def RECORDABLES(self) -> tuple[str, ...]:  # noqa: N802 (the attribute of every model)
        """``V_m``, ``w`` and the conductances ``g_1``, ``g_2``, ..."""
        return ("V_m", "w", *(f"g_{k}" for k in range(1, self.n_receptors + 1)))

    def _recordable(self, name: str) -> Any:
        if name.startswith("g_"):
            return self.g.value[..., int(name.removeprefix("g_")) - 1]
        return super()._recordable(name)

    def synapse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return (*shape, self.n_receptors)

    def rise_and_decay(self) -> tuple[Any, Any]:
        """The time constants with which ``dg`` and ``g`` decay, per receptor."""
        raise NotImplementedError

    def normalization(self) -> Any:
        """The kick of ``dg`` per unit weight, per receptor (the peak of ``g`` is the weight)."""
        raise NotImplementedError

    def add_synaptic_current(self, I: Any, y: dict, V: Any) -> Any:
        # as NEST: the sum of g_k (E_rev_k - V), receptor by receptor, added to I
        g, E_rev = y["g"], self.E_rev
        I_syn = g[..., 0] * (E_rev[..., 0] - V)
        for k in range(1, self.n_receptors):
            I_syn = I_syn + g[..., k] * (E_rev[..., k] - V)
        return I + I_syn

    def synaptic_derivatives(self, y: dict) -> dict:
        rise, decay = self.rise_and_decay()
        return {"dg": -y["dg"] / rise, "g": y["dg"] - y["g"] / decay}

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        if None in self.delta_input_labels():  # refused before the costly integration
            raise ParameterError(
                f"{self.name}: unlabelled spike input; {type(self).__name__} takes spikes "
                f"on receptors {sorted(self.RECEPTOR_TYPES)} only (NEST's receptor_type "
                f"1..{self.n_receptors}), label each input with one"
            )
        return super().update(x)

    def add_spike_inputs(self, y: dict) -> dict:
        """``y`` with each receptor's arriving weight (nS) times its normalisation
        added to its ``dg``."""
        shape = jnp.shape(u.magnitude(self.V.value))
        weights = [
            jnp.broadcast_to(u.to_float(_weights(self.spike_inputs(label), u.nS), u.nS), shape)
            for label in self.RECEPTOR_TYPES
        ]
        weights = u.with_unit(jnp.stack(weights, axis=-1), u.nS)
        return dict(y, dg=y["dg"] + weights * self.normalization())


class aeif_cond_alpha_multisynapse(_AdExMultisynapse):  # noqa: N801 (NEST's model name)
    r"""Adaptive exponential integrate-and-fire neuron with alpha-shaped conductances on
    receptors ``1..n`` (NEST ``aeif_cond_alpha_multisynapse``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) + g_L \Delta_T e^{(V - V_T)/\Delta_T}
       + \sum_{k=1}^{n} g_k (E_{rev,k} - V) - w + I_e + I_{stim},

       \tau_w \frac{dw}{dt} = a (V - E_L) - w,
       \qquad \frac{d\,dg_k}{dt} = -\frac{dg_k}{\tau_{syn,k}},
       \qquad \frac{dg_k}{dt} = dg_k - \frac{g_k}{\tau_{syn,k}}

    (:math:`V_T` is ``V_th``). Inside the vector field ``V`` is bounded by ``V_peak``.
    When ``V`` reaches ``V_peak`` after an RKF45 substep: ``V = V_reset``,
    ``w += b``, a spike; integration goes on within the step (see
    :mod:`neurodyn.nest._aeif` for the order). A spike of weight ``w`` (nS, ``>= 0`` as
    NEST requires) on receptor ``k`` adds ``w e / tau_syn[k-1]`` to ``dg_k``, so that
    ``g_k`` peaks at ``w`` one ``tau_syn[k-1]`` later.

    {parameters}

    ``E_rev`` and ``tau_syn`` have one value per receptor along their last axis (the
    other axes broadcast to the population shape) and are fixed at construction. States:
    ``V``, ``w``, ``dg``, ``g`` (receptor ``k`` at index ``k - 1`` of the last axis),
    ``I_stim``, ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``numerical_instability``, ``last_spike_time``, ``spike`` (the number of spikes in
    the step). Recordables ``V_m``, ``w``, ``g_1``, ``g_2``, ... Delta inputs: weights
    in nS, labelled with the receptor (``'1'``, ``'2'``, ...; NEST's ``receptor_type``
    1, 2, ...). Needs float64 (``nd.environ.set(precision=64)``).

    References: Brette & Gerstner (2005), J. Neurophysiol. 94:3637;
    NEST ``aeif_cond_alpha_multisynapse``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.environ.set(precision=64)  # needed: substeps of ~1e-10 ms at each spike
    >>> n = nd.nest.aeif_cond_alpha_multisynapse(
    ...     1, E_rev=[0.0, -85.0] * u.mV, tau_syn=[1.0, 5.0] * u.ms)
    >>> _ = nd.init_all_states(n)
    >>> n.recordables
    ('V_m', 'w', 'g_1', 'g_2')
    >>> n.g.value  # receptor k at index k - 1 of the last axis
    Quantity([[0. 0.]], "nS")
    >>> nd.environ.set(precision=32)  # back to the default
    """

    tau_syn = KernelList(u.ms, positive=True, counts="receptors", required=True)

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
        E_rev: Any = (0.0,) * u.mV,
        tau_syn: Any = (2.0,) * u.ms,
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
        self.E_rev = E_rev
        self.tau_syn = tau_syn
        check_pairs(self, ("E_rev", "tau_syn"))

    def rise_and_decay(self) -> tuple[Any, Any]:
        return self.tau_syn, self.tau_syn

    def normalization(self) -> Any:
        return math.e / self.tau_syn


class aeif_cond_beta_multisynapse(_AdExMultisynapse):  # noqa: N801 (NEST's model name)
    r"""Adaptive exponential integrate-and-fire neuron with beta-function conductances on
    receptors ``1..n`` (NEST ``aeif_cond_beta_multisynapse``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) + g_L \Delta_T e^{(V - V_T)/\Delta_T}
       + \sum_{k=1}^{n} g_k (E_{rev,k} - V) - w + I_e + I_{stim},

       \tau_w \frac{dw}{dt} = a (V - E_L) - w,
       \qquad \frac{d\,dg_k}{dt} = -\frac{dg_k}{\tau_{rise,k}},
       \qquad \frac{dg_k}{dt} = dg_k - \frac{g_k}{\tau_{decay,k}}

    (:math:`V_T` is ``V_th``). Inside the vector field ``V`` is bounded by ``V_peak``.
    When ``V`` reaches ``V_peak`` after an RKF45 substep: ``V = V_reset``,
    ``w += b``, a spike; integration goes on within the step (see
    :mod:`neurodyn.nest._aeif` for the order). A spike of weight ``w`` (nS, ``>= 0`` as
    NEST requires) on receptor ``k`` adds :math:`\kappa_k w` to ``dg_k``, where
    :math:`\kappa_k` (:func:`~neurodyn.nest._iaf_cond.beta_normalization`, NEST's
    ``beta_normalization_factor``) makes ``g_k`` peak at ``w``; with
    ``tau_rise = tau_decay`` the conductance is an alpha function.

    {parameters}

    ``E_rev``, ``tau_rise`` and ``tau_decay`` have one value per receptor along their
    last axis (the other axes broadcast to the population shape), with ``tau_rise <=
    tau_decay``, and are fixed at construction. States: ``V``, ``w``, ``dg``, ``g``
    (receptor ``k`` at index ``k - 1`` of the last axis), ``I_stim``,
    ``refractory_step_count``, ``integration_step``, ``integration_status``,
    ``numerical_instability``, ``last_spike_time``, ``spike`` (the number of spikes in
    the step). Recordables ``V_m``, ``w``, ``g_1``, ``g_2``, ... Delta inputs: weights
    in nS, labelled with the receptor (``'1'``, ``'2'``, ...; NEST's ``receptor_type``
    1, 2, ...). Needs float64 (``nd.environ.set(precision=64)``).

    References: Brette & Gerstner (2005), J. Neurophysiol. 94:3637; Rotter & Diesmann
    (1999), Biol. Cybern. 81:381 (the beta function); NEST
    ``aeif_cond_beta_multisynapse``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.environ.set(precision=64)  # needed: substeps of ~1e-10 ms at each spike
    >>> n = nd.nest.aeif_cond_beta_multisynapse(
    ...     1, E_rev=[0.0, -85.0] * u.mV, tau_rise=[0.5, 1.0] * u.ms,
    ...     tau_decay=[2.0, 10.0] * u.ms)
    >>> n.RECEPTOR_TYPES
    {'1': 1, '2': 2}
    >>> _ = nd.init_all_states(n)
    >>> n.add_delta_input("excitation", lambda: 10.0 * u.nS, label="1")
    >>> _ = n()
    >>> n.dg.value  # 10 nS * kappa_1, so that g_1 would peak at 10 nS
    Quantity([[31.74802104  0.        ]], "nS / ms")
    >>> nd.environ.set(precision=32)  # back to the default
    """

    tau_rise = KernelList(u.ms, positive=True, counts="receptors", required=True)
    tau_decay = KernelList(u.ms, positive=True, counts="receptors", required=True)

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
        E_rev: Any = (0.0,) * u.mV,
        tau_rise: Any = (2.0,) * u.ms,
        tau_decay: Any = (20.0,) * u.ms,
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
        self.E_rev = E_rev
        self.tau_rise = tau_rise
        self.tau_decay = tau_decay
        check_pairs(self, ("E_rev", "tau_rise"), ("E_rev", "tau_decay"))
        rise, decay = (np.asarray(u.to_float(tau, u.ms)) for tau in (self.tau_rise, self.tau_decay))
        if (decay < rise).any():
            raise ParameterError(
                f"tau_rise must be <= tau_decay (NEST's rule), got "
                f"tau_rise={u.describe(self.tau_rise)}, tau_decay={u.describe(self.tau_decay)}"
            )

    def rise_and_decay(self) -> tuple[Any, Any]:
        return self.tau_rise, self.tau_decay

    def normalization(self) -> Any:
        return beta_normalization(self.tau_rise, self.tau_decay)


_RECEPTOR_ROWS = """\
    ``E_rev``            [0] mV        reversal potentials, one per receptor"""
document_parameters(
    aeif_cond_alpha_multisynapse,
    _RECEPTOR_ROWS
    + "\n    ``tau_syn``          [2] ms        synaptic time constants, one per receptor",
)
document_parameters(
    aeif_cond_beta_multisynapse,
    _RECEPTOR_ROWS
    + "\n    ``tau_rise``         [2] ms        rise time constants, one per receptor"
    + "\n    ``tau_decay``        [20] ms       decay time constants, one per receptor",
)
