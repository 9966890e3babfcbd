"""What NEST's gap-junction Hodgkin–Huxley neurons share (``hh_psc_alpha_gap``,
``hh_cond_beta_gap_traub``): the gap input, its use inside the integration, and the step.

The gap-junction current is not a constant input: within a step it is
``I_gap(t) = -G V(t) + P(s)``, linear in the neuron's own live ``V`` and a cubic
polynomial ``P`` in the step's fractional time ``s = t / dt`` that stands for the
partners' voltages (NEST's interpolation of the partners' waveforms). A
:class:`~neurodyn.nest.GapJunction` computes ``G`` and ``P`` and hands them to the
neurons with :meth:`GapJunctionNeuron.receive_gap` before their update.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._params import Param
from ..core._state import ShortTermState
from ..integrators import RKF45Result
from ..neurons._base import refractory_steps
from ._hh import NESTHodgkinHuxley

#: Number of coefficients of the gap polynomial ``P(s) = c0 + c1 s + c2 s^2 + c3 s^3``.
GAP_COEFFICIENTS = 4


class GapJunctionNeuron(NESTHodgkinHuxley):
    """Base of NEST's Hodgkin–Huxley models with gap-junction input (not a model itself).

    A subclass declares what :class:`NESTHodgkinHuxley` asks for, with
    ``derivatives(y, t, I_stim, conductance, coefficients)`` (``t`` the time since the
    step's start; the membrane equation adds :meth:`gap_current`), and implements
    :meth:`add_spikes`. Initial values are the parameters ``V_m_init`` and
    ``<recordable>_init`` of each gate (``None``: equilibrium at ``V``); the RKF45
    control is NEST's ``gsl_odeiv_control_y_new(gsl_error_tol, 0)``.

    Each step, in NEST's order: keep ``V_old``; integrate over ``(t, t + dt]`` with
    ``I_stim`` of the previous step, ``I_e`` and ``I_gap``; add the arriving spikes
    (:meth:`add_spikes`); count the refractory period down or detect a spike; buffer
    the stimulation current; clear the gap input.
    """

    V_m_init = Param(u.mV)
    gsl_error_tol = Param(positive=True, per_neuron=False)

    def initial_values(self) -> tuple[tuple[str, Any], dict[str, tuple[str, Any]]]:
        gates = {gate: (f"{name}_init", getattr(self, f"{name}_init"))
                 for gate, name in self.GATES.items()}  # fmt: skip
        return ("V_m_init", self.V_m_init), gates

    @property
    def CONTROL(self) -> dict[str, float]:  # noqa: N802 (the base's name for the control)
        """NEST's ``gsl_odeiv_control_y_new(gsl_error_tol, 0)``."""
        return dict(eps_abs=float(self.gsl_error_tol), eps_rel=0.0, a_y=1.0, a_dydt=0.0)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = jnp.zeros_like(self.V.value.mantissa)
        self.gap_conductance = ShortTermState(u.with_unit(zeros, u.nS), name="gap_conductance")
        coefficients = jnp.zeros((*zeros.shape, GAP_COEFFICIENTS), zeros.dtype)
        self.gap_coefficients = ShortTermState(
            u.with_unit(coefficients, u.pA), name="gap_coefficients"
        )

    def receive_gap(self, conductance: Any, coefficients: Any) -> None:
        """Set this step's gap input: ``G`` (nS, the population's shape) and the
        coefficients ``c_0..c_3`` (pA, with a trailing axis of 4), NEST's
        ``handle(GapJunctionEvent)``. Cleared by the next :meth:`update`."""
        self.gap_conductance.value = u.math.broadcast_to(
            conductance, self.gap_conductance.value.shape
        ).in_unit(u.nS)
        self.gap_coefficients.value = u.math.broadcast_to(
            coefficients, self.gap_coefficients.value.shape
        ).in_unit(u.pA)

    def gap_current(self, V: Any, t: Any, conductance: Any, coefficients: Any) -> Any:
        """``I_gap = -G V + c_0 + c_1 s + c_2 s^2 + c_3 s^3``, ``s = t / dt``; ``t`` is the
        time since the step's start."""
        s = u.to_float(t, u.ms) / u.to_float(environ.get_dt(), u.ms)
        c = [coefficients[..., k] for k in range(GAP_COEFFICIENTS)]
        return -conductance * V + c[0] + c[1] * s + c[2] * s * s + c[3] * s * s * s

    def advance(
        self, y: dict, h: Any, I_stim: Any, conductance: Any, coefficients: Any
    ) -> RKF45Result:
        """Integrate ``y`` over one step from step size ``h`` (pure: no state is touched).

        Used by :meth:`update` and by a :class:`~neurodyn.nest.GapJunction`'s waveform
        relaxation, which integrates the same step repeatedly."""
        return self.rkf45(
            self.derivatives, y, h, I_stim, conductance, coefficients, t=0.0 * u.ms,
            **self.CONTROL,
        )  # fmt: skip

    def add_spikes(self, y: dict) -> dict:
        """``y`` with this step's spike inputs added to the synaptic variables."""
        raise NotImplementedError

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        V_old = self.V.value
        refractory = self.refractory_step_count.value > 0
        gap = (self.gap_conductance.value, self.gap_coefficients.value)
        result = self.advance(
            self.ode_state(), self.integration_step.value, self.I_stim.value, *gap
        )
        self.keep_integration(result)
        y = self.add_spikes(result.y)
        spike = self.detect_spike(V_old, y["V"], refractory)
        self._store(y)
        self.emit(spike, refractory_steps(self.t_ref))
        self.buffer_current(x)
        self.receive_gap(0.0 * gap[0], 0.0 * gap[1])
        return spike
