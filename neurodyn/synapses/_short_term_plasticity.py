"""Short-term plasticity of transmitter release: facilitation and depression."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from ..init import Constant, ZeroInit, initialize
from ._base import Synapse


class STP(Synapse):
    r"""Tsodyks–Markram short-term plasticity: facilitating utilisation, depleting resources.

    .. math::

       \frac{du}{dt} = -\frac{u}{\tau_f} + U\,(1 - u^-)\sum_k \delta(t - t_k),
       \qquad
       \frac{dx}{dt} = \frac{1 - x}{\tau_d} - u^+ x^-\sum_k \delta(t - t_k)

    At a presynaptic spike, in this order: (1) the utilisation jumps,
    :math:`u^+ = u^- + U(1 - u^-)`; (2) the fraction :math:`r = u^+ x^-` of the
    resources is released; (3) the resources drop, :math:`x^+ = x^- - r`. Between
    spikes :math:`u` decays to 0 and :math:`x` recovers to 1, integrated exactly
    (:math:`u \leftarrow u\,e^{-dt/\tau_f}`, :math:`x \leftarrow 1 - (1-x)\,e^{-dt/\tau_d}`).
    A spike after a long silence therefore releases :math:`U`; for spike intervals
    :math:`\Delta_k` the release is the recursion
    :math:`u_{k+1} = U + u_k(1-U)e^{-\Delta_k/\tau_f}`,
    :math:`x_{k+1} = 1 - (1 - x_k + u_k x_k)e^{-\Delta_k/\tau_d}`,
    :math:`r_k = u_k x_k` (Tsodyks, Pawelzik & Markram 1998, Neural Comput. 10:821;
    Tsodyks & Markram 1997, PNAS 94:719).

    ``update(spikes)`` (spikes 0/1 or bool, one per presynaptic neuron, arriving at the
    end of the step after the decay) returns the released fraction ``r * spikes``: the
    efficacy of each spike. In a projection it scales the spikes before the
    connectivity: ``proj(stp(pre_spikes))``. :meth:`output` is :math:`u\,x`.

    ==========  ========  =================================================
    parameter   default   meaning
    ==========  ========  =================================================
    ``U``       0.15      utilisation increment per spike, in [0, 1]
    ``tau_f``   1500 ms   facilitation (utilisation decay) time constant
    ``tau_d``   200 ms    depression (resource recovery) time constant
    ==========  ========  =================================================

    States: ``u`` (utilisation, starts at 0), ``x`` (available resources, starts at 1),
    both dimensionless :class:`HiddenState`.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> stp = nd.STP(1, U=0.2, tau_f=100. * u.ms, tau_d=50. * u.ms)
    >>> _ = nd.init_all_states(stp)
    >>> stp(1.)  # the first spike releases U
    Array([0.2], dtype=float32)
    >>> round(float(stp.u.value[0]), 4), round(float(stp.x.value[0]), 4)
    (0.2, 0.8)
    """

    U = Param(bounds=(0.0, 1.0))
    tau_f = Param(u.ms, positive=True)
    tau_d = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        U: Any = 0.15,
        tau_f: Any = 1500.0 * u.ms,
        tau_d: Any = 200.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(in_size, name=name)
        self.U = U
        self.tau_f = tau_f
        self.tau_d = tau_d

    def init_state(self, batch_size: int | None = None) -> None:
        self.u = HiddenState(initialize(ZeroInit(), self.varshape, batch_size), name="u")
        self.x = HiddenState(initialize(Constant(1.0), self.varshape, batch_size), name="x")

    def output(self) -> Any:
        return self.u.value * self.x.value

    def update(self, spikes: Any = None) -> Any:
        dt = environ.get_dt()
        utilisation = self.u.value * u.math.exp(-dt / self.tau_f)
        resources = 1.0 - (1.0 - self.x.value) * u.math.exp(-dt / self.tau_d)
        spikes = _spike_values(self.name, spikes)
        utilisation = utilisation + spikes * self.U * (1.0 - utilisation)
        released = spikes * utilisation * resources
        self.u.value = utilisation
        self.x.value = resources - released
        return released


class STD(Synapse):
    r"""Short-term depression: each spike releases a fixed fraction of the available resources.

    .. math::

       \frac{dx}{dt} = \frac{1 - x}{\tau} - U\,x^-\sum_k \delta(t - t_k)

    At a presynaptic spike the fraction :math:`r = U x^-` is released and
    :math:`x^+ = x^- - r`; between spikes ``x`` recovers to 1, integrated exactly
    (:math:`x \leftarrow 1 - (1-x)\,e^{-dt/\tau}`). This is :class:`STP` with a
    constant utilisation :math:`U` (Tsodyks & Markram 1997, PNAS 94:719; Abbott,
    Varela, Sen & Nelson 1997, Science 275:220).

    ``update(spikes)`` (spikes 0/1 or bool, arriving at the end of the step after the
    recovery) returns the released fraction ``r * spikes``; in a projection:
    ``proj(std(pre_spikes))``. :meth:`output` is ``x``.

    ==========  ========  ==============================================
    parameter   default   meaning
    ==========  ========  ==============================================
    ``tau``     200 ms    resource recovery time constant
    ``U``       0.07      fraction of the resources used per spike, in [0, 1]
    ==========  ========  ==============================================

    State: ``x`` (available resources, starts at 1; :class:`HiddenState`).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> std = nd.STD(1, tau=100. * u.ms, U=0.5)
    >>> _ = nd.init_all_states(std)
    >>> std(1.), std(1.)[0] < 0.25 + 1e-3
    (Array([0.5], dtype=float32), Array(True, dtype=bool))
    """

    tau = Param(u.ms, positive=True)
    U = Param(bounds=(0.0, 1.0))

    def __init__(
        self,
        in_size: Any,
        tau: Any = 200.0 * u.ms,
        U: Any = 0.07,
        name: str | None = None,
    ):
        super().__init__(in_size, name=name)
        self.tau = tau
        self.U = U

    def init_state(self, batch_size: int | None = None) -> None:
        self.x = HiddenState(initialize(Constant(1.0), self.varshape, batch_size), name="x")

    def output(self) -> Any:
        return self.x.value

    def update(self, spikes: Any = None) -> Any:
        resources = 1.0 - (1.0 - self.x.value) * u.math.exp(-environ.get_dt() / self.tau)
        released = _spike_values(self.name, spikes) * self.U * resources
        self.x.value = resources - released
        return released


def _spike_values(name: str, spikes: Any) -> Any:
    """Presynaptic spikes as dimensionless floats (``None``: no spike)."""
    if spikes is None:
        return 0.0
    if u.has_unit(spikes):
        raise ParameterError(
            f"{name}: spikes must be dimensionless (0/1 or bool), got {u.describe(spikes)}"
        )
    return jnp.asarray(u.magnitude(spikes), environ.dftype())
