"""Many independent Poisson inputs added straight to a state, as one count per step."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._module import Dynamics, Module
from ..core._params import ANY_UNIT, Param
from ..core._state import State
from ..devices import _sampling as sampling


class PoissonInput(Module):
    r"""The summed input of ``num_input`` independent Poisson sources, added to a state.

    Each step, every receiving element ``i`` of the target state gets

    .. math::

        V_i \leftarrow V_i + w_i\, N_i, \qquad
        N_i \sim \mathrm{Binomial}(n,\; p), \quad p = f\, dt,

    independently across elements and steps: each of the :math:`n` sources spikes
    in a step with probability :math:`f\,dt` (the Bernoulli approximation of a
    Poisson process of rate :math:`f`, valid while :math:`f\,dt \ll 1`), so the
    added amount has mean :math:`n p w` and variance :math:`n p (1-p) w^2`. The
    sources are not simulated one by one: one count is drawn per element, by exact
    inverse transform from one random word (tables of
    :mod:`neurodyn.devices._sampling`), or by ``jax.random.binomial`` when the
    count's range is too wide for a table. Draws come from the seeded stream
    :mod:`neurodyn.random`.

    Call it in each step *before* the target's update: it adds the jump to the
    state at once, so the target integrates from the raised value (a delta input).

    =============  =========  ==================================================
    parameter      unit       meaning
    =============  =========  ==================================================
    ``num_input``  count      :math:`n`, independent sources per element, >= 0
    ``freq``       frequency  :math:`f`, rate of every source, >= 0, ``f dt <= 1``
    ``weight``     the state  :math:`w`, the jump per spike (scalar or one per
                              receiving element; negative for inhibition)
    =============  =========  ==================================================

    None has a default.

    **Arguments:**

    - ``target``: a pair ``(population, "state name")``, e.g. ``(lif, "V")``; the
      state is looked up at each update (it exists once the population's states are
      initialised).
    - ``indices``: flat indices of the receiving elements of the population (an
      index given twice receives two counts); ``None``: all of them.
    - ``num_input``, ``freq``, ``weight``: as in the table.

    With a batch axis, every batch element receives its own counts.

    Follows ``brainpy.state.PoissonInput`` (whose ``target`` is ``lif.prefetch("V")``);
    unlike it, the count is always exactly binomial.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> lif = nd.LIF(2000, V_rest=-65. * u.mV, V_th=-50. * u.mV)
    >>> noise = nd.inputs.PoissonInput((lif, "V"), None, num_input=100, freq=20. * u.Hz,
    ...                                weight=0.5 * u.mV)
    >>> _ = nd.init_all_states(lif)
    >>> noise()  # each neuron receives Binomial(100, 0.002) spikes of 0.5 mV
    >>> jump = (lif.V.value + 65. * u.mV).to_decimal(u.mV)
    >>> abs(float(jump.mean()) - 0.1) < 0.02  # n p w = 0.1 mV
    True
    """

    freq = Param(u.Hz, nonnegative=True, per_neuron=False)
    weight = Param(ANY_UNIT)

    def __init__(
        self,
        target: tuple[Dynamics, str],
        indices: Any,
        num_input: int,
        freq: Any,
        weight: Any,
        name: str | None = None,
    ):
        super().__init__(name)
        if (
            not isinstance(target, tuple)
            or len(target) != 2
            or not isinstance(target[0], Dynamics)
            or not isinstance(target[1], str)
        ):
            raise ParameterError(
                f"target must be a pair (population, state name), e.g. (lif, 'V'), got {target!r}"
            )
        self.target, self.state_name = target
        if indices is not None:
            indices = np.asarray(indices)
            if indices.ndim != 1 or not np.issubdtype(indices.dtype, np.integer):
                raise ParameterError(f"indices must be a 1-d integer array, got {indices!r}")
            if indices.size and (indices.min() < 0 or indices.max() >= self.target.num):
                raise ParameterError(
                    f"indices must lie in [0, {self.target.num}) (flat indices of "
                    f"{self.target.name}), got {indices.min()}..{indices.max()}"
                )
        self.indices = indices
        if (
            not isinstance(num_input, (int, np.integer))
            or isinstance(num_input, bool)
            or num_input < 0
        ):
            raise ParameterError(f"num_input must be a whole number >= 0, got {num_input!r}")
        self.num_input = int(num_input)
        self.set(freq=freq, weight=weight)

    def parameter_shape(self) -> tuple[int, ...]:
        """The receiving elements: a per-element ``weight`` has this shape."""
        return self.target.varshape if self.indices is None else self.indices.shape

    def _state(self) -> State:
        state = getattr(self.target, self.state_name, None)
        if not isinstance(state, State):
            raise ParameterError(
                f"{self.name}: {self.target.name} has no state {self.state_name!r} (its states "
                f"are created by nd.init_all_states)"
            )
        return state

    def _probability(self) -> float:
        p = float(u.to_float(self.freq, u.Hz)) * float(u.to_float(environ.get_dt(), u.second))
        if p > 1.0:
            raise ParameterError(
                f"freq * dt must be <= 1 (one spike per source and step at most), got freq="
                f"{u.describe(self.freq)} with dt={u.describe(environ.get_dt())}"
            )
        return p

    def counts(self, shape: tuple[int, ...]) -> jax.Array:
        """Draws of :math:`\\mathrm{Binomial}(n, f\\,dt)` of ``shape`` (int32)."""
        n, p = self.num_input, self._probability()
        key = nd_random.split_key()
        if n == 0 or p == 0.0:
            return jnp.zeros(shape, jnp.int32)
        terms = sampling.binomial_terms(n, p)
        if terms is None:
            return jax.random.binomial(key, n, p, shape).astype(jnp.int32)
        k = np.arange(min(terms, n) + 1)
        log_pmf = np.array([sampling._log_binomial_pmf(n, int(j), p) for j in k])
        thresholds = jnp.asarray(sampling.survival_thresholds(np.exp(log_pmf), np))
        return sampling.count_below(sampling.random_words(key, shape), thresholds)

    def update(self) -> None:
        state = self._state()
        value = state.value
        unit = u.get_unit(value)
        if u.get_unit(self.weight).dim != unit.dim:
            raise ParameterError(
                f"{self.name}: weight ({u.describe(self.weight)}) must have the unit of "
                f"{self.target.name}.{self.state_name} ({unit})"
            )
        varshape = self.target.varshape
        batch = jnp.shape(u.magnitude(value))[: -len(varshape)]
        flat = jnp.reshape(u.to_float(value, unit), (*batch, math.prod(varshape)))
        weight = jnp.asarray(u.to_float(self.weight, unit), flat.dtype).reshape(-1)
        if self.indices is None:
            jump = weight * self.counts(flat.shape)
            flat = flat + jump
        else:
            jump = weight * self.counts((*batch, self.indices.size))
            flat = flat.at[..., self.indices].add(jump)
        state.value = u.with_unit(jnp.reshape(flat, jnp.shape(u.magnitude(value))), unit)
