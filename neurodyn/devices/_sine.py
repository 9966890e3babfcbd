"""The oscillator of NEST's sinusoidal devices, evaluated in closed form per step.

NEST's ``ac_generator``, ``noise_generator`` (``std_mod``) and
``sinusoidal_poisson_generator`` rotate the vector ``(cos, sin)`` by ``omega h`` once per
step, starting from the phase ``phi`` at the start of the simulation, so after ``n``
rotations it holds ``(cos(omega n h + phi), sin(omega n h + phi))`` (exactly, up to
NEST's own rounding of about 1e-16 per step). Here the angle is computed from ``n``
directly, without accumulating rounding: the phase in cycles, ``frac(c n)`` with
``c = f h`` cycles per step, is split into ``c = A / 2^32 + c_lo`` with ``A`` a 32-bit
integer, so ``frac(A n / 2^32)`` is exact unsigned integer arithmetic (wrapping mod
2^32) and ``c_lo n`` (below 2^-32 per step) adds the rest. The phase thus stays exact to
the working precision for any ``n < 2^31``, also in float32, where a rotation would
drift by about 1e-7 of the amplitude per step.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from ..core import environ


def oscillator(n: Any, cycles_per_step: float, phase_rad: float) -> tuple[jax.Array, jax.Array]:
    """``(cos, sin)`` of ``2 pi c n + phase_rad`` for the whole number ``n`` (int32,
    traceable, ``0 <= n < 2^31``); ``cycles_per_step`` ``c`` is a host float."""
    dtype = environ.dftype()
    c = cycles_per_step % 1.0
    whole = int(math.floor(c * 2.0**32)) % 2**32
    rest = c - whole / 2.0**32
    n = jnp.asarray(n, jnp.int32)
    wrapped = jnp.uint32(whole) * n.astype(jnp.uint32)  # A n mod 2^32, exact
    cycles = wrapped.astype(dtype) * (2.0**-32) + jnp.asarray(rest, dtype) * n.astype(dtype)
    cycles = cycles - jnp.floor(cycles)
    angle = 2.0 * math.pi * cycles + phase_rad
    return jnp.cos(angle), jnp.sin(angle)
