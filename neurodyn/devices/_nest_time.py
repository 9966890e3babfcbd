"""NEST's time grid, on the host: tics, steps, and the two ways NEST rounds a time.

NEST stores a time as a whole number of *tics* (1 tic = 1 µs by default, 1000 tics per
ms). A time given in ms is converted by ``Time::ms``, which rounds to the nearest tic;
it is *on the grid* when that tic count is a multiple of the tics per step. Devices
that accept off-grid times (``allow_offgrid_times``) move them with ``Time::ms_stamp``
to the end of the step they fall in. Pulse-packet spike times are converted with
``Time::ms`` and then ``get_steps``, which rounds the tics *up* to a whole step.

These functions reproduce those conversions exactly (in double precision, on the
host), for the parameter checks and for the step tables the devices precompute.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError

#: NEST's default tic: 1000 tics per ms (1 µs).
TICS_PER_MS = 1000
#: Largest step index a device window uses for "never stops" (int32, the step counter's type).
STEP_MAX = 2**31 - 1
STEP_MIN = -(2**31)


def tics_per_step(dt: Any = None) -> int:
    """The number of tics in one simulation step ``dt`` (default: the current ``dt``).

    NEST's resolution must be a whole number of tics; so must neurodyn's ``dt`` for
    NEST's devices."""
    dt = environ.get_dt() if dt is None else dt
    dt_ms = float(u.to_float(dt, u.ms))
    tics = dt_ms * TICS_PER_MS
    if abs(tics - round(tics)) > 1e-6 * max(1.0, tics) or round(tics) < 1:
        raise ParameterError(
            f"NEST's devices need dt to be a whole number of tics (1 µs), got dt = {dt_ms} ms"
        )
    return int(round(tics))


def ms_of(value: Any) -> np.ndarray:
    """A time quantity as float64 milliseconds (host array)."""
    return np.asarray(u.to_float(value, u.ms), dtype=np.float64)


def in_unit(value: Any, unit: Any) -> np.ndarray:
    """A quantity's magnitude in ``unit`` as a float64 host array."""
    return np.asarray(u.to_float(value, unit), dtype=np.float64)


def dt_ms() -> float:
    """The current ``dt`` in ms (float64)."""
    return float(ms_of(environ.get_dt()))


def tics(t_ms: float) -> int | float:
    """``Time::ms(t)``: the nearest tic (``static_cast<long>(t * 1000 + 0.5)``); ±inf stay."""
    if math.isinf(t_ms):
        return t_ms
    return int(math.trunc(t_ms * TICS_PER_MS + 0.5))


def on_grid(t_ms: float, tps: int) -> bool:
    """NEST's ``is_grid_time`` of ``Time::ms(t)`` (infinite times count as on the grid)."""
    t = tics(t_ms)
    return isinstance(t, float) or t % tps == 0


def grid_steps(t_ms: float, tps: int) -> int:
    """The step number of a time on the grid (±inf become the int32 limits)."""
    t = tics(t_ms)
    if isinstance(t, float):
        return STEP_MAX if t > 0 else STEP_MIN
    return t // tps


def stamp_steps(t_ms: float, tps: int) -> int:
    """``Time::ms_stamp(t)`` in steps: the end of the step in which ``t`` lies (``t``
    itself on the grid), computed as NEST does (truncate to tics, drop to the grid
    below, step up if that is still before ``t``)."""
    n = int(math.trunc(t_ms * TICS_PER_MS))
    n -= int(math.fmod(n, tps))  # C's remainder: towards zero
    ms = n * (1.0 / tps) * (tps / TICS_PER_MS)
    if ms < t_ms:
        n += tps
    return n // tps


def steps_up(tics_value: int, tps: int) -> int:
    """``Time::get_steps`` of a time in tics: rounds up to a whole step (NEST computes
    ``(tics + tps - 1) * (1 / tps)`` and truncates)."""
    return int(math.trunc((tics_value + tps - 1) * (1.0 / tps)))


def time_steps(
    owner: str,
    name: str,
    times_ms: np.ndarray,
    tps: int,
    allow_offgrid: bool,
    device: str,
) -> np.ndarray:
    """Step numbers of a list of times: on the grid, or (``allow_offgrid``) moved to the
    end of their step; else :class:`ParameterError`, as NEST's ``BadProperty``."""
    steps = []
    for t in np.asarray(times_ms, dtype=np.float64).ravel().tolist():
        if on_grid(t, tps):
            steps.append(grid_steps(t, tps))
        elif allow_offgrid:
            steps.append(stamp_steps(t, tps))
        else:
            raise ParameterError(
                f"{owner}.{name} must lie on the simulation grid (multiples of dt = "
                f"{tps / TICS_PER_MS:g} ms) unless allow_offgrid_times=True; {t:g} ms is not "
                f"(NEST: '{device}: Time point {t:g} is not representable in current resolution.')"
            )
    return np.asarray(steps, dtype=np.int64)
