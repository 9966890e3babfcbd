"""NEST's ``noise_generator``: a piecewise constant Gaussian current per target."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from . import _nest_time as nt
from ._generator import Generator
from ._sine import oscillator


class noise_generator(Generator):  # noqa: N801 (NEST's model name)
    r"""A piecewise constant Gaussian current, independent for every target (NEST
    ``noise_generator``).

    Every ``dt`` (its own interval, a multiple of the simulation step) each target gets
    a new current

    .. math::

       I = \mu + \sqrt{\sigma^2 + \sigma_{mod}^2 \sin(\omega k h + \phi)}\; N,
       \qquad N \sim \mathcal N(0, 1),

    independent across targets and intervals; all targets change at the same steps.
    As in NEST (``models/noise_generator.cpp``) the device counts only its active steps
    (NEST current generator: ``t_min - 1 <= i <= t_max - 2``): it draws in the first
    active step ``i_0 = max(t_min - 1, 0)`` and then in every step ``i`` with
    ``(i - i_0) % (dt / h) == 0``, and its modulation oscillator turns only in active
    steps, so ``k = i - i_0 + 1`` is the number of active steps so far (NEST restarts it
    at each ``Simulate`` call from the phase at that time; one continuous run here).
    Inactive steps emit 0 pA.

    =============  ==========  =====================================================
    parameter      default     meaning
    =============  ==========  =====================================================
    ``mean``       0 pA        mean current :math:`\mu`
    ``std``        0 pA        standard deviation :math:`\sigma` (``>= 0``)
    ``dt``         10 h        interval between changes (a multiple of the step ``h``)
    ``std_mod``    0 pA        modulation :math:`\sigma_{mod}` of the std (``<= std``)
    ``frequency``  0 Hz        frequency of the modulation
    ``phase``      0           phase of the modulation, degrees
    ``start``      0 ms        activation time, relative to ``origin``
    ``stop``       inf ms      deactivation time, relative to ``origin``
    ``origin``     0 ms        offset of ``start`` and ``stop``
    =============  ==========  =====================================================

    State: ``amplitudes`` (pA, one per target), the currents of the current interval.
    Draws come from :mod:`neurodyn.random` (one normal per target per interval).

    **Returns** of :meth:`update`: the currents emitted in this step, ``(n_targets,)`` pA.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn import devices
    >>> noise = devices.noise_generator(mean=10. * u.pA, std=5. * u.pA, dt=0.3 * u.ms)
    >>> noise.bind(4)
    >>> _ = nd.init_all_states(noise)
    >>> out = nd.for_loop(noise.update, length=6, clock=noise).to_decimal(u.pA)
    >>> bool((out[0] == out[2]).all() and (out[3] != out[2]).all())
    True
    """

    kind = "current"
    ACTIVITY_SHIFT = 2

    mean = Param(u.pA, per_neuron=False)
    std = Param(u.pA, nonnegative=True, per_neuron=False)
    dt = Param(u.ms, positive=True, optional=True, per_neuron=False)
    std_mod = Param(u.pA, nonnegative=True, per_neuron=False)
    frequency = Param(u.Hz, per_neuron=False)
    phase = Param(u.UNITLESS, per_neuron=False)

    def __init__(
        self,
        mean: Any = 0.0 * u.pA,
        std: Any = 0.0 * u.pA,
        dt: Any = None,
        std_mod: Any = 0.0 * u.pA,
        frequency: Any = 0.0 * u.Hz,
        phase: Any = 0.0,
        *,
        start: Any = 0.0 * u.ms,
        stop: Any = jnp.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(
            start=start, stop=stop, origin=origin, name=name, mean=mean, std=std, dt=dt,
            std_mod=std_mod, frequency=frequency, phase=phase,
        )  # fmt: skip

    def check_parameters(self) -> None:
        super().check_parameters()
        owner = type(self).__name__
        if "std" in self.__dict__ and "std_mod" in self.__dict__:
            std, std_mod = float(nt.in_unit(self.std, u.pA)), float(nt.in_unit(self.std_mod, u.pA))
            if std_mod > std:
                raise ParameterError(
                    f"{owner}.std_mod must be <= std (NEST: the modulation amplitude must be "
                    f"smaller or equal to the baseline amplitude), got std_mod={std_mod:g} pA, "
                    f"std={std:g} pA"
                )
        if self.__dict__.get("dt") is not None:
            self.interval_steps()

    def interval_steps(self) -> int:
        """The interval ``dt`` in simulation steps (default 10)."""
        if self.dt is None:
            return 10
        tps = nt.tics_per_step()
        dt = float(nt.ms_of(self.dt))
        interval = nt.tics(dt)
        if interval <= 0 or interval % tps:
            raise ParameterError(
                f"{type(self).__name__}.dt must be a positive multiple of the simulation "
                f"resolution {tps / nt.TICS_PER_MS:g} ms (NEST: StepMultipleRequired), got "
                f"{dt:g} ms"
            )
        return interval // tps

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = jnp.zeros(self.target_shape(), environ.dftype())
        self.amplitudes = HiddenState(u.with_unit(zeros, u.pA), name="amplitudes")

    def update(self) -> Any:
        dtype = environ.dftype()
        i = self.step_index()
        active = self.is_active(i)
        first = max(self.active_steps()[0], 0)
        since_first = i - first
        redraw = active & (since_first % self.interval_steps() == 0)
        std = float(nt.in_unit(self.std, u.pA))
        std_mod = float(nt.in_unit(self.std_mod, u.pA))
        if std_mod != 0.0:
            cycles_per_step = float(nt.in_unit(self.frequency, u.Hz)) * nt.dt_ms() / 1000.0
            _, sine = oscillator(
                since_first + 1, cycles_per_step, float(self.phase) * math.pi / 180
            )
            scale = jnp.sqrt(std * std + sine * (std_mod * std_mod))
        else:
            scale = jnp.asarray(std, dtype)
        mean = jnp.asarray(nt.in_unit(self.mean, u.pA), dtype)
        key = nd_random.split_key()
        shape = self.target_shape()
        old = u.to_float(self.amplitudes.value, u.pA)

        def draw(key: jax.Array) -> jax.Array:
            return (mean + scale * jax.random.normal(key, shape, dtype)).astype(dtype)

        amplitudes = jax.lax.cond(redraw, draw, lambda _: old, key)
        self.amplitudes.value = u.with_unit(amplitudes, u.pA)
        return u.with_unit(jnp.where(active, amplitudes, 0.0), u.pA)
