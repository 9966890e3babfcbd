"""NEST's ``step_current_generator``: a piecewise constant current."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from . import _nest_time as nt
from ._generator import Generator, _or_empty


class step_current_generator(Generator):  # noqa: N801 (NEST's model name)
    r"""A piecewise constant current (NEST ``step_current_generator``).

    The current is ``amplitude_values[j]`` from ``amplitude_times[j]`` on (0 pA before the
    first time). ``amplitude_times`` are absolute times (``origin`` does not shift them);
    each must be ``> 0``, on the grid (or, with ``allow_offgrid_times``, moved to the end
    of the step it falls in), and the resulting steps strictly increasing.

    NEST changes the amplitude *one step ahead* (``models/step_current_generator.cpp``):
    in step ``i`` it emits ``amplitude_values[j]`` for the last ``j`` whose time, in steps
    ``s_j``, satisfies ``s_j <= i + 1``, and emits only when active (NEST current
    generator: ``t_min - 1 <= i <= t_max - 2``), as ``dc_generator`` does. All targets
    get the same current.

    ========================  =======  ==============================================
    parameter                 default  meaning
    ========================  =======  ==============================================
    ``amplitude_times``       []       times of the amplitude changes (ms)
    ``amplitude_values``      []       the amplitudes from those times on (pA)
    ``allow_offgrid_times``   False    accept off-grid times (moved to the step's end)
    ``start``                 0 ms     activation time, relative to ``origin``
    ``stop``                  inf ms   deactivation time, relative to ``origin``
    ``origin``                0 ms     offset of ``start`` and ``stop``
    ========================  =======  ==============================================

    Errors (``ParameterError``, NEST's ``BadProperty``): times and values of different
    lengths, a time ``<= 0``, an off-grid time without ``allow_offgrid_times``, times
    (after moving to the grid) that are not strictly increasing.

    **Returns** of :meth:`update`: the current emitted in this step (scalar, pA).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn import devices
    >>> g = devices.step_current_generator([0.2, 0.4] * u.ms, [5., -2.] * u.pA)
    >>> _ = nd.init_all_states(g)
    >>> out = nd.for_loop(g.update, length=5, clock=g)
    >>> [float(x) for x in out.to_decimal(u.pA)]  # changes one step ahead
    [0.0, 5.0, 5.0, -2.0, -2.0]
    """

    kind = "current"
    ACTIVITY_SHIFT = 2

    amplitude_times = Param(u.ms)
    amplitude_values = Param(u.pA)
    allow_offgrid_times = Param(u.UNITLESS, per_neuron=False)

    def __init__(
        self,
        amplitude_times: Any = None,
        amplitude_values: Any = None,
        allow_offgrid_times: bool = False,
        *,
        start: Any = 0.0 * u.ms,
        stop: Any = jnp.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(
            start=start, stop=stop, origin=origin, name=name,
            amplitude_times=_or_empty(amplitude_times, u.ms),
            amplitude_values=_or_empty(amplitude_values, u.pA),
            allow_offgrid_times=allow_offgrid_times,
        )  # fmt: skip

    def check_parameters(self) -> None:
        super().check_parameters()
        names = ("amplitude_times", "amplitude_values", "allow_offgrid_times")
        if all(name in self.__dict__ for name in names):
            self.change_steps()

    def change_steps(self) -> np.ndarray:
        """The steps ``s_j`` of ``amplitude_times`` (checked as NEST checks them)."""
        return change_steps(self, "amplitude_times", "amplitude_values", "step_current_generator")

    def update(self) -> Any:
        dtype = environ.dftype()
        i = self.step_index()
        steps = self.change_steps()
        values = nt.in_unit(self.amplitude_values, u.pA).ravel()
        amplitude = value_at(i + 1, steps, values, dtype)
        current = jnp.where(self.is_active(i), amplitude, 0.0)
        return u.with_unit(current, u.pA)


def change_steps(owner: Generator, times: str, values: str, device: str) -> np.ndarray:
    """Steps of a list of change times (``> 0``, on the grid or moved to it, strictly
    increasing), as NEST's step_current and inhomogeneous_poisson generators take them."""
    label = type(owner).__name__
    times_ms = nt.ms_of(getattr(owner, times))
    n_values = np.shape(u.magnitude(getattr(owner, values)))
    if times_ms.ndim != 1 or len(n_values) != 1:
        raise ParameterError(
            f"{label}.{times} and {label}.{values} must be 1-d lists, got shapes "
            f"{times_ms.shape} and {n_values}"
        )
    if times_ms.shape[0] != n_values[0]:
        raise ParameterError(
            f"{label}.{times} and {label}.{values} must have the same length, got "
            f"{times_ms.shape[0]} and {n_values[0]}"
        )
    if (times_ms <= 0).any():
        raise ParameterError(
            f"{label}.{times} must be > 0 ms (changes happen at strictly positive times), "
            f"got {times_ms[times_ms <= 0][0]:g} ms"
        )
    tps = nt.tics_per_step()
    steps = nt.time_steps(label, times, times_ms, tps, bool(owner.allow_offgrid_times), device)
    if len(steps) and steps[0] <= 0:
        raise ParameterError(
            f"{label}.{times} must be > 0 ms on the grid, got {times_ms[0]:g} ms (step 0)"
        )
    if (np.diff(steps) <= 0).any():
        k = int(np.nonzero(np.diff(steps) <= 0)[0][0])
        raise ParameterError(
            f"{label}.{times} must be strictly increasing in steps of dt, got "
            f"{times_ms[k]:g} ms then {times_ms[k + 1]:g} ms (steps {steps[k]}, "
            f"{steps[k + 1]})"
        )
    return np.clip(steps, nt.STEP_MIN, nt.STEP_MAX)


def value_at(step: Any, change_steps: np.ndarray, values: np.ndarray, dtype: Any) -> Any:
    """``values[j]`` for the last ``j`` with ``change_steps[j] <= step``; 0 before the first."""
    if len(change_steps) == 0:
        return jnp.zeros((), dtype)
    index = jnp.searchsorted(jnp.asarray(change_steps, jnp.int32), step, side="right") - 1
    table = jnp.asarray(values, dtype)
    return jnp.where(index >= 0, table[jnp.maximum(index, 0)], 0.0).astype(dtype)
