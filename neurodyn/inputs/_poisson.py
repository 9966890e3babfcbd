"""Poisson spike sources."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._module import Dynamics
from ..core._params import Param
from ..core._state import ShortTermState


class PoissonSpike(Dynamics):
    r"""Independent Poisson spike trains, one per element.

    Each step a unit spikes with probability :math:`r\, dt` (``r`` its rate), the
    Bernoulli approximation of a Poisson process, valid while :math:`r\,dt \ll 1`.
    Draws come from the seeded stream :mod:`neurodyn.random`.

    **Arguments:**

    - ``in_size``: number (shape) of spike trains.
    - ``freqs``: rate(s) in Hz-compatible units, scalar or per train.

    State: ``spike`` (last step's spikes, floats in {0, 1}).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> src = nd.PoissonSpike(1000, freqs=50. * u.Hz)
    >>> _ = nd.init_all_states(src)
    >>> int(src().sum()) < 30
    True
    """

    freqs = Param(u.Hz, nonnegative=True)

    def __init__(self, in_size: Any, freqs: Any, name: str | None = None):
        super().__init__(in_size, name=name)
        self.freqs = freqs

    def init_state(self, batch_size: int | None = None) -> None:
        shape = self.varshape if batch_size is None else (batch_size, *self.varshape)
        self.spike = ShortTermState(jnp.zeros(shape, environ.dftype()), name="spike")

    def update(self) -> Any:
        dt_s = float(u.to_float(environ.get_dt(), u.second))
        if (np.asarray(u.to_float(self.freqs, u.Hz)) * dt_s > 1).any():
            raise ParameterError(
                f"freqs * dt must be <= 1 (one spike per step at most), got freqs="
                f"{u.describe(self.freqs)} with dt={u.describe(environ.get_dt())}"
            )
        p = u.to_float(self.freqs * environ.get_dt(), u.UNITLESS)
        shape = jnp.shape(self.spike.value)
        spike = nd_random.bernoulli(p, size=shape).astype(environ.dftype())
        self.spike.value = spike
        return spike
