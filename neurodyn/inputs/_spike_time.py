"""Spikes of given elements at given times."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Dynamics
from ..core._params import Param
from ..devices import _nest_time as nest_time
from . import _steps as steps


class SpikeTime(Dynamics):
    r"""Spikes of element ``indices[k]`` at time ``times[k]``.

    **Which step (NEST's rule).** A time :math:`t` is first rounded to the nearest
    tic (1 µs, NEST's ``Time::ms``); on the grid it is the stamp :math:`S = t/dt`,
    off the grid it moves to the end of the step it falls in (NEST's ``ms_stamp``,
    :math:`S = \lceil t/dt \rceil`). The spike is emitted **in step** :math:`S - 1`,
    the step that ends at the stamp: a spike recorded in step ``i`` happened in
    :math:`(i\,dt, (i+1)\,dt]`, as :class:`neurodyn.RunResult` reads spikes. With
    ``dt = 0.1 ms``, 1.0 ms is emitted in step 9 and 1.04 ms in step 10. Times must
    therefore be ``> 0`` (NEST refuses a spike at 0 too), and ``dt`` a whole number of
    tics. Several spikes of one element in one step add up.

    =============  =======  ==========  ============================================
    parameter      default  unit        meaning
    =============  =======  ==========  ============================================
    ``indices``    --       --          flat index of the spiking element, per spike
    ``times``      --       time        spike times, ``> 0``, sorted
    =============  =======  ==========  ============================================

    **Returns** of :meth:`update`: the spike counts of this step, floats of the
    population shape.

    Follows ``brainpy.state.SpikeTime``; rounding of ``spike_generator`` in NEST
    (``models/spike_generator.cpp``, with ``allow_offgrid_times``).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> source = nd.inputs.SpikeTime(2, indices=[0, 1, 1], times=[0.1, 0.2, 0.25] * u.ms)
    >>> _ = nd.init_all_states(source)
    >>> nd.for_loop(source.update, length=3, clock=source).tolist()
    [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]
    """

    indices = Param(u.UNITLESS, nonnegative=True)
    times = Param(u.ms, positive=True)

    def __init__(self, in_size: Any, indices: Any, times: Any, name: str | None = None):
        super().__init__(in_size, name=name)
        self.set(indices=indices, times=times)

    def parameter_shape(self) -> tuple[int, ...] | None:
        return None  # lists of spikes, not per-neuron values: their rules are below

    def check_parameters(self) -> None:
        super().check_parameters()
        if "indices" in self.__dict__ and "times" in self.__dict__:
            owner = type(self).__name__
            steps.require_one_dimensional(owner, "indices", self.indices)
            steps.require_one_dimensional(owner, "times", self.times)
            steps.require_same_length(owner, "indices", self.indices, "times", self.times)
            steps.require_sorted(owner, "times", self.times)
            indices = np.asarray(self.indices, dtype=np.float64)
            if (indices != np.round(indices)).any() or (indices >= self.num).any():
                raise ParameterError(
                    f"{owner}.indices must be whole numbers below the population size "
                    f"{self.num}, got {indices.tolist()}"
                )

    def emission_steps(self) -> np.ndarray:
        """The step in which each spike is emitted (host int64), by NEST's rule."""
        tics_per_step = nest_time.tics_per_step()
        times = steps.ms(self.times)
        stamps = [
            nest_time.grid_steps(t, tics_per_step)
            if nest_time.on_grid(t, tics_per_step)
            else nest_time.stamp_steps(t, tics_per_step)
            for t in times.tolist()
        ]
        return np.asarray(stamps, dtype=np.int64) - 1

    def update(self) -> Any:
        dtype = environ.dftype()
        now = jnp.asarray(self.emission_steps()) == steps.step_index()
        indices = jnp.asarray(np.asarray(self.indices, dtype=np.int64).astype(np.int32))
        counts = jnp.zeros(self.num, dtype).at[indices].add(now.astype(dtype))
        return counts.reshape(self.varshape)
