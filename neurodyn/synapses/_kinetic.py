"""Kinetic receptor models: gating driven by a square pulse of transmitter (AMPA, GABAa)."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import ANY_UNIT, Param
from ..core._state import ShortTermState
from ..init import ZeroInit, initialize
from ._base import Synapse

PER_MM_MS = (u.ms * u.mM) ** -1  # unit of a binding rate constant


class SaturatingSynapse(Synapse):
    """Shared by receptor models whose open fraction saturates: ``g`` in ``[0, g_max]``.

    ``g`` carries the unit of ``g_initializer`` (default dimensionless) and
    saturates at ``g_max`` (default one unit of ``g``, so with the default ``g`` is
    the open fraction itself). An input ``x`` (in ``g``'s unit, or spikes as
    bool / 0-1 numbers when ``g`` is dimensionless) is a release of strength
    ``x / g_max``: a bool spike is one release of strength 1.
    """

    g_max = Param(ANY_UNIT, positive=True, optional=True)

    def __init__(
        self, in_size: Any, g_max: Any = None, g_initializer: Any = None, name: str | None = None
    ):
        super().__init__(in_size, g_initializer if g_initializer is not None else ZeroInit(), name)
        self.g_max = g_max

    def init_state(self, batch_size: int | None = None) -> None:
        self.g = self.new_variable("g", batch_size)
        g_unit = u.get_unit(self.g.value)
        if self.g_max is None:
            self.saturation = u.with_unit(1.0, g_unit)
        elif u.get_unit(self.g_max).dim != g_unit.dim:
            raise ParameterError(
                f"{self.name}: g_max ({u.describe(self.g_max)}) must have the unit of g "
                f"({g_unit}), which g_initializer sets"
            )
        else:
            self.saturation = self.g_max

    def output(self) -> Any:
        return self.g.value

    def release_strength(self, x: Any) -> Any:
        """This step's input (plus delta inputs) as dimensionless release strengths."""
        g = self.g.value
        if x is None:
            x = g * 0.0
        elif jnp.asarray(u.magnitude(x)).dtype == jnp.bool_:
            x = jnp.asarray(x, environ.dftype()) * self.saturation
        x = self.sum_delta_inputs(x)
        strength = x / self.saturation
        if u.has_unit(strength):
            raise ParameterError(
                f"{self.name}: input must be in the unit of g ({u.get_unit(g)}) or bool "
                f"spikes, got {u.describe(x)}"
            )
        return jnp.broadcast_to(u.magnitude(strength), jnp.shape(u.magnitude(g)))


def relax(fraction: Any, k_on: Any, k_off: Any, duration: Any) -> Any:
    r"""Exact solution of :math:`\dot r = k_{on}(1 - r) - k_{off}\,r` over ``duration``."""
    rate = k_on + k_off
    steady = k_on / rate
    return steady + (fraction - steady) * u.math.exp(-rate * duration)


def relax_area(fraction: Any, k_on: Any, k_off: Any, duration: Any) -> Any:
    r"""The integral :math:`\int_0^{duration} r\,dt` of the solution :func:`relax` follows
    (``k_off > 0``): :math:`r_\infty \tau + (r_0 - r_\infty)(1 - e^{-k\tau})/k`."""
    rate = k_on + k_off
    steady = k_on / rate
    return steady * duration - (fraction - steady) * u.math.expm1(-rate * duration) / rate


class TransmitterPulses(SaturatingSynapse):
    """Shared by receptor models driven by a square pulse of transmitter (AMPA, BioNMDA).

    Each release of strength ``s`` adds ``s T`` to the transmitter concentration for
    ``T_dur`` (pulses of overlapping releases add up). The releases of the last
    ``ceil(T_dur / dt)`` steps are kept in the state ``pulses`` (newest first on the
    last axis); :meth:`transmitter` says what concentration fills this step.
    """

    T = Param(u.mM, nonnegative=True)
    T_dur = Param(u.ms, nonnegative=True)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        n_slots = self._pulse_windows()[0].shape[-1]
        shape = (*jnp.shape(u.magnitude(self.g.value)), n_slots)
        self.pulses = ShortTermState(initialize(ZeroInit(), shape), name="pulses")

    def _pulse_windows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Which past releases fill this whole step, which a first part of it, and how long.

        A release that arrived ``d`` steps ago (``d = 1`` for the end of the last
        step) covers the first ``clip(T_dur - (d - 1) dt, 0, dt)`` of this step.
        """
        try:
            dt_ms = float(u.to_float(environ.get_dt(), u.ms))
        except TypeError:  # a traced dt
            raise ParameterError(f"{self.name}: needs a concrete dt, not a traced one") from None
        t_dur = np.asarray(u.to_float(self.T_dur, u.ms), np.float64)
        n_slots = max(1, int(np.ceil(t_dur.max() / dt_ms - 1e-6)))
        lags = np.arange(n_slots) * dt_ms  # time since each release at the step start
        cover = np.clip(t_dur[..., None] - lags, 0.0, dt_ms)
        cover = np.where(cover < 1e-6 * dt_ms, 0.0, cover)  # drop round-off slivers
        whole = cover > dt_ms * (1 - 1e-6)
        part = (cover > 0) & ~whole
        part_time = np.where(part, cover, 0.0).sum(-1)
        return whole.astype(np.float64), part.astype(np.float64), part_time

    def transmitter(self) -> tuple[Any, Any, Any]:
        """This step's concentration: ``(first, rest, first_time)``, ``first`` during the
        first ``first_time`` of the step, ``rest`` for the remainder."""
        whole, part, part_time = self._pulse_windows()
        pulses = self.pulses.value
        if pulses.shape[-1] != whole.shape[-1]:
            raise ParameterError(
                f"{self.name}: dt changed since init_state (T_dur spans {whole.shape[-1]} "
                f"steps, the state holds {pulses.shape[-1]}); call nd.init_all_states again"
            )
        dtype = environ.dftype()
        strength_whole = jnp.sum(pulses * jnp.asarray(whole, dtype), axis=-1)
        strength_part = jnp.sum(pulses * jnp.asarray(part, dtype), axis=-1)
        first_time = jnp.asarray(part_time, dtype) * u.ms
        return self.T * (strength_whole + strength_part), self.T * strength_whole, first_time

    def record_release(self, x: Any) -> None:
        """Queue this step's input (see :meth:`release_strength`) as a new pulse."""
        released = self.release_strength(x)
        pulses = self.pulses.value
        self.pulses.value = jnp.concatenate([released[..., None], pulses[..., :-1]], axis=-1)


class AMPA(TransmitterPulses):
    r"""Two-state (closed/open) receptor gated by a square pulse of transmitter.

    .. math::

       \frac{dg}{dt} = \alpha\,[T](t)\,(g_{max} - g) - \beta\,g

    Each presynaptic spike releases transmitter: :math:`[T]` rises by ``T`` for
    ``T_dur`` (pulses of overlapping spikes add up). Between pulse edges the
    equation is linear with constant coefficients, so it is integrated exactly (the
    pulse may end inside a step). After one spike at :math:`t = 0`, with
    :math:`k = \alpha T + \beta`,

    .. math::

       g(t) = g_{max}\frac{\alpha T}{k}\left(1 - e^{-k t}\right)\ (t \le T_{dur}),\qquad
       g(t) = g(T_{dur})\,e^{-\beta (t - T_{dur})}\ (t > T_{dur}),

    peaking at :math:`t = T_{dur}` (Destexhe, Mainen & Sejnowski 1994, J. Comput.
    Neurosci. 1:195). Spikes given to ``update`` arrive at the end of the step; an
    input of strength ``s`` (see below) releases ``s`` times ``T``.

    Units and projections: ``g`` has the unit of ``g_initializer`` (default
    dimensionless: ``g`` is the open fraction and spikes are 0/1 or bool). Used in
    an :class:`~neurodyn.AlignPostProj`, give ``g`` a conductance unit
    (``g_initializer=nd.init.ZeroInit(u.nS)``) and weights in it: a spike of weight
    ``w`` releases ``w / g_max`` times ``T``. One synapse per postsynaptic element
    (``w = g_max``) is the model exactly; with several converging synapses the
    transmitter pulses add and the saturation ``g_max`` is shared, which is exact
    while ``g`` stays well below ``g_max``. Inputs must be >= 0.

    =================  ====================  ===========================================
    parameter          default               meaning
    =================  ====================  ===========================================
    ``alpha``          0.98 /(ms mM)         binding rate constant
    ``beta``           0.18 /ms              unbinding rate constant
    ``T``              0.5 mM                transmitter concentration during a pulse
    ``T_dur``          0.5 ms                pulse duration (>= 0)
    ``g_max``          1 unit of ``g``       saturation value of ``g``
    ``g_initializer``  ``ZeroInit()``        initial ``g`` (sets its unit)
    =================  ====================  ===========================================

    States: ``g`` (:class:`HiddenState`); ``pulses`` (:class:`ShortTermState`), the
    release strengths of the last ``ceil(T_dur / dt)`` steps, newest first on the
    last axis.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> ampa = nd.AMPA(1)
    >>> _ = nd.init_all_states(ampa)
    >>> ampa(True), ampa()  # the spike arrives at the end of the first step
    (Array([0.], dtype=float32), Array([0.04739...], dtype=float32))
    """

    alpha = Param(PER_MM_MS, positive=True)
    beta = Param(u.kHz, positive=True)

    def __init__(
        self,
        in_size: Any,
        alpha: Any = 0.98 / (u.ms * u.mM),
        beta: Any = 0.18 / u.ms,
        T: Any = 0.5 * u.mM,
        T_dur: Any = 0.5 * u.ms,
        g_max: Any = None,
        g_initializer: Any = None,
        name: str | None = None,
    ):
        super().__init__(in_size, g_max, g_initializer, name)
        self.alpha = alpha
        self.beta = beta
        self.T = T
        self.T_dur = T_dur

    def update(self, x: Any = None) -> Any:
        first, rest, first_time = self.transmitter()
        fraction = self.g.value / self.saturation
        fraction = relax(fraction, self.alpha * first, self.beta, first_time)
        fraction = relax(fraction, self.alpha * rest, self.beta, environ.get_dt() - first_time)
        self.g.value = fraction * self.saturation
        self.record_release(x)
        return self.g.value


class GABAa(AMPA):
    r"""GABA\ :sub:`A` receptor: the :class:`AMPA` kinetic scheme with GABA\ :sub:`A` rates.

    .. math::

       \frac{dg}{dt} = \alpha\,[T](t)\,(g_{max} - g) - \beta\,g

    with :math:`[T]` a pulse of ``T`` for ``T_dur`` after each spike; see
    :class:`AMPA` for the integration, units and projection use (Destexhe, Mainen
    & Sejnowski 1994, J. Comput. Neurosci. 1:195; Destexhe & Paré 1999,
    J. Neurophysiol. 81:1531). Use an inhibitory reversal potential in the output,
    e.g. ``nd.COBA(E=-80. * u.mV)``.

    =================  ====================  ===========================================
    parameter          default               meaning
    =================  ====================  ===========================================
    ``alpha``          0.53 /(ms mM)         binding rate constant
    ``beta``           0.18 /ms              unbinding rate constant
    ``T``              1 mM                  transmitter concentration during a pulse
    ``T_dur``          1 ms                  pulse duration (>= 0)
    ``g_max``          1 unit of ``g``       saturation value of ``g``
    ``g_initializer``  ``ZeroInit()``        initial ``g`` (sets its unit)
    =================  ====================  ===========================================

    States: ``g``, ``pulses`` (as :class:`AMPA`).

    >>> import neurodyn as nd
    >>> gaba = nd.GABAa(1)
    >>> _ = nd.init_all_states(gaba)
    >>> _ = gaba(True)
    >>> g = [float(gaba()[0]) for _ in range(20)]
    >>> g.index(max(g)) + 1, round(max(g), 4)  # peak T_dur = 10 steps after the spike
    (10, 0.3795)
    """

    def __init__(
        self,
        in_size: Any,
        alpha: Any = 0.53 / (u.ms * u.mM),
        beta: Any = 0.18 / u.ms,
        T: Any = 1.0 * u.mM,
        T_dur: Any = 1.0 * u.ms,
        g_max: Any = None,
        g_initializer: Any = None,
        name: str | None = None,
    ):
        super().__init__(in_size, alpha, beta, T, T_dur, g_max, g_initializer, name)
