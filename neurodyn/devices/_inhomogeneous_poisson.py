"""NEST's ``inhomogeneous_poisson_generator``: Poisson counts with a piecewise constant rate."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._params import Param
from . import _nest_time as nt
from . import _sampling as sampling
from ._generator import Generator, _or_empty
from ._step_current import change_steps


class inhomogeneous_poisson_generator(Generator):  # noqa: N801 (NEST's model name)
    r"""Independent Poisson spike trains with a piecewise constant rate (NEST
    ``inhomogeneous_poisson_generator``).

    The rate is ``rate_values[j]`` from ``rate_times[j]`` on (0 before the first time).
    As ``step_current_generator`` does with its amplitude, NEST switches the rate one
    step ahead (``models/inhomogeneous_poisson_generator.cpp``): step ``i`` uses
    ``rate_values[j]`` for the last ``j`` with ``s_j <= i + 1`` (``s_j`` the time in
    steps), so spikes stamped after ``rate_times[j]`` follow the new rate. Each target
    receives an independent count :math:`N \sim \mathrm{Poisson}(r h)` per active step
    (NEST spike generator: ``t_min + 1 <= i <= t_max``).

    ``rate_times`` must be ``> 0`` (NEST: "strictly in the future" of the time they are
    set, here ``t = 0``), on the grid unless ``allow_offgrid_times`` (then moved to the
    end of their step) and strictly increasing in steps; ``rate_values`` must be
    ``>= 0`` (NEST silently treats negative rates as 0; refused here).

    Sampling: inverse transform from one uniform 32-bit word per target and step against
    a survival table per rate value, built once on the host in double precision
    (``_sampling``); ``jax.random.poisson`` for rates whose table would pass 64 entries.

    ========================  =======  ==============================================
    parameter                 default  meaning
    ========================  =======  ==============================================
    ``rate_times``            []       times of the rate changes (ms)
    ``rate_values``           []       the rates from those times on (Hz)
    ``allow_offgrid_times``   False    accept off-grid times (moved to the step's end)
    ``start``                 0 ms     activation time, relative to ``origin``
    ``stop``                  inf ms   deactivation time, relative to ``origin``
    ``origin``                0 ms     offset of ``start`` and ``stop``
    ========================  =======  ==============================================

    **Returns** of :meth:`update`: the spike counts emitted in this step,
    ``(n_targets,)`` floats.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn import devices
    >>> g = devices.inhomogeneous_poisson_generator([1., 2.] * u.ms, [1000., 0.] * u.Hz)
    >>> g.bind(2000)
    >>> _ = nd.init_all_states(g)
    >>> counts = nd.for_loop(g.update, length=30, clock=g).sum(axis=1)
    >>> bool(counts[:9].sum() == 0 and counts[9:19].min() > 0 and counts[19:].sum() == 0)
    True
    """

    kind = "spike"
    ACTIVITY_SHIFT = 0

    rate_times = Param(u.ms)
    rate_values = Param(u.Hz, nonnegative=True)
    allow_offgrid_times = Param(u.UNITLESS, per_neuron=False)

    def __init__(
        self,
        rate_times: Any = None,
        rate_values: Any = None,
        allow_offgrid_times: bool = False,
        *,
        start: Any = 0.0 * u.ms,
        stop: Any = jnp.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(
            start=start, stop=stop, origin=origin, name=name,
            rate_times=_or_empty(rate_times, u.ms), rate_values=_or_empty(rate_values, u.Hz),
            allow_offgrid_times=allow_offgrid_times,
        )  # fmt: skip

    def check_parameters(self) -> None:
        super().check_parameters()
        if all(n in self.__dict__ for n in ("rate_times", "rate_values", "allow_offgrid_times")):
            self.change_steps()

    def change_steps(self) -> np.ndarray:
        """The steps of ``rate_times`` (checked as NEST checks them)."""
        return change_steps(self, "rate_times", "rate_values", "inhomogeneous_poisson_generator")

    def update(self) -> Any:
        dtype = environ.dftype()
        i = self.step_index()
        steps = self.change_steps()
        h_s = nt.dt_ms() / 1000.0
        means = np.concatenate([[0.0], nt.in_unit(self.rate_values, u.Hz).ravel() * h_s])
        # row 0: before the first change (rate 0); row j + 1: rate_values[j]
        if len(steps):
            row = jnp.searchsorted(jnp.asarray(steps, jnp.int32), i + 1, side="right")
        else:
            row = jnp.zeros((), jnp.int32)
        key = nd_random.split_key()
        shape = self.target_shape()
        terms = sampling.poisson_terms(float(means.max()))
        if terms is None:
            mean = jnp.asarray(means, dtype)[row]
            counts = jax.random.poisson(key, mean, shape).astype(jnp.int32)
        else:
            tables = np.stack([sampling.poisson_thresholds(m, terms) for m in means])
            thresholds = jnp.asarray(tables)[row]
            counts = sampling.count_below(sampling.random_words(key, shape), thresholds)
        return jnp.where(self.is_active(i), counts, 0).astype(dtype)
