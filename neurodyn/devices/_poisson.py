"""NEST's ``poisson_generator``: independent Poisson spike counts per target and step."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._params import Param
from ..ops import table_counts
from . import _nest_time as nt
from . import _sampling as sampling
from ._generator import Generator


class poisson_generator(Generator):  # noqa: N801 (NEST's model name)
    r"""Independent Poisson spike trains, one per target (NEST ``poisson_generator``).

    In every active step each target receives a count :math:`N \sim
    \mathrm{Poisson}(\lambda)`, :math:`\lambda = \mathrm{rate} \cdot h`, independent
    across targets and steps (NEST draws one count per target in ``event_hook``, so
    several spikes in one step arrive as one event of that multiplicity). As a NEST
    spike generator it is active in steps ``t_min + 1 <= i <= t_max``
    (``models/poisson_generator.cpp``; with ``start = 0`` the first step never
    spikes), so spike stamps ``(i + 1) h`` fall in ``(start + h, stop + h]``.

    Sampling: exact inverse transform from one uniform 32-bit word per target and step
    against a table of ``round(2^32 P(N > k))`` (see ``_sampling``) with ``P(N > K) <
    1e-12``; for :math:`\lambda` so large that the table would pass 64 entries,
    ``jax.random.poisson``.

    ==========  =======  ==============================================
    parameter   default  meaning
    ==========  =======  ==============================================
    ``rate``    0 Hz     mean rate of every train (``>= 0``)
    ``start``   0 ms     activation time, relative to ``origin``
    ``stop``    inf ms   deactivation time, relative to ``origin``
    ``origin``  0 ms     offset of ``start`` and ``stop``
    ==========  =======  ==============================================

    **Returns** of :meth:`update`: the spike counts emitted in this step,
    ``(n_targets,)`` floats.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn import devices
    >>> pg = devices.poisson_generator(rate=500. * u.Hz)
    >>> pg.bind(1000)
    >>> _ = nd.init_all_states(pg)
    >>> counts = nd.for_loop(pg.update, length=100, clock=pg)
    >>> counts.shape, bool(counts[0].sum() == 0)  # step 0 never spikes
    ((100, 1000), True)
    >>> 0.045 < float(counts[1:].mean()) < 0.055  # rate * dt = 0.05
    True
    """

    kind = "spike"
    ACTIVITY_SHIFT = 0

    rate = Param(u.Hz, nonnegative=True, per_neuron=False)

    def __init__(
        self,
        rate: Any = 0.0 * u.Hz,
        *,
        start: Any = 0.0 * u.ms,
        stop: Any = jnp.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(start=start, stop=stop, origin=origin, name=name, rate=rate)

    def update(self) -> Any:
        dtype = environ.dftype()
        i = self.step_index()
        mean = float(nt.in_unit(self.rate, u.Hz)) * nt.dt_ms() / 1000.0
        key = nd_random.split_key()
        counts = poisson_counts(key, mean, self.target_shape())
        return jnp.where(self.is_active(i), counts, 0).astype(dtype)


def poisson_counts(key: jax.Array, mean: float, shape: tuple[int, ...]) -> jax.Array:
    """Poisson counts (int32) of a host mean, exact inverse transform or JAX's sampler."""
    if mean <= 0:
        return jnp.zeros(shape, jnp.int32)
    terms = sampling.poisson_terms(mean)
    if terms is None:
        return jax.random.poisson(key, mean, shape).astype(jnp.int32)
    thresholds = jnp.asarray(sampling.poisson_thresholds(mean, terms))
    n = int(np.prod(shape)) if shape else 1
    return table_counts(sampling.key_words(key), thresholds, n).reshape(shape)
