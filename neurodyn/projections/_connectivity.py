"""Connectivity: how presynaptic spikes become postsynaptic increments.

A connectivity module maps a spike vector of its presynaptic population to one
increment per postsynaptic neuron (``update(spikes) -> increments``), in the
units of its weights.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..connectivity import fixed_outdegree, pairwise_bernoulli
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._params import parameter, size_tuple
from ..core._state import ParamState, State
from ..init import initialize
from ..ops import csr_event_matvec


class Connectivity(Module):
    """Base class: ``in_size`` presynaptic neurons onto ``out_size`` postsynaptic ones."""

    def __init__(self, in_size: Any, out_size: Any, name: str | None = None):
        super().__init__(name)
        self.in_size = size_tuple("in_size", in_size)
        self.out_size = size_tuple("out_size", out_size)

    @property
    def n_pre(self) -> int:
        return int(np.prod(self.in_size))

    @property
    def n_post(self) -> int:
        return int(np.prod(self.out_size))

    def _check_input(self, spikes: Any) -> Any:
        """The spikes as ``(..., n_pre)``: trailing ``in_size`` axes are flattened."""
        spikes = u.magnitude(spikes)
        shape = jnp.shape(spikes)
        k = len(self.in_size)
        if shape[-k:] == self.in_size:
            return jnp.reshape(spikes, (*shape[:-k], self.n_pre))
        if shape[-1:] == (self.n_pre,):
            return spikes
        raise ParameterError(
            f"{self.name}: got presynaptic spikes of shape {shape}, expected trailing "
            f"shape {self.in_size} (or {self.n_pre} flattened)"
        )


class AllToAll(Connectivity):
    """Dense connectivity: ``increments = spikes @ W``.

    **Arguments:**

    - ``in_size``, ``out_size``: population shapes.
    - ``weight``: a matrix ``(n_pre, n_post)``, a scalar, or an initializer; may carry
      units. Held in a :class:`ParamState` (trainable).
    - ``include_self``: if False (only meaningful when pre is post), zero the diagonal.
    """

    def __init__(
        self,
        in_size: Any,
        out_size: Any,
        weight: Any,
        include_self: bool = True,
        name: str | None = None,
    ):
        super().__init__(in_size, out_size, name)
        if not callable(weight):
            weight = parameter(
                "weight", weight, u.get_unit(weight), shape=(self.n_pre, self.n_post)
            )
        w = initialize(weight, (self.n_pre, self.n_post))
        if not include_self:
            if self.n_pre != self.n_post:
                raise ParameterError("include_self=False needs in_size == out_size")
            w = w * (1 - jnp.eye(self.n_pre, dtype=u.magnitude(w).dtype))
        self.include_self = include_self  # plasticity must not grow the absent i -> i synapses
        self.weight = ParamState(w, name="weight")

    def update(self, spikes: Any) -> Any:
        spikes = self._check_input(spikes)
        w = self.weight.value
        unit = u.get_unit(w)
        out = jnp.asarray(spikes, u.magnitude(w).dtype) @ u.magnitude(w)
        return u.with_unit(out, unit)


class FixedProb(Connectivity):
    """Random sparse connectivity with event-driven spike delivery.

    Each (pre, post) pair is connected independently with probability ``prob``
    (rule ``pairwise_bernoulli``), or, with ``conn_num``, each presynaptic neuron gets
    exactly ``conn_num`` distinct targets (``fixed_outdegree`` without multapses). The
    rule builds a :class:`neurodyn.connectivity.Connections`, whose CSR rows (``indptr``,
    and ``post`` as ``indices``) this module holds; a step costs time proportional to
    (spikes × fan-out), via :func:`neurodyn.ops.csr_event_matvec`.

    **Arguments:**

    - ``in_size``, ``out_size``: population shapes.
    - ``prob``: connection probability (or give ``conn_num``).
    - ``weight``: a scalar (homogeneous) or one value per synapse; may carry units.
      Held in a :class:`ParamState` (trainable).
    - ``conn_num``: fixed number of targets per presynaptic neuron.
    - ``conn_weight``: the weight, under the name that goes with ``conn_num``
      (brainstate's ``EventFixedProb(pre, post, conn_num=10, conn_weight=...)``); give
      ``weight`` or ``conn_weight``, not both.
    - ``allow_self_connections``: keep ``i -> i`` pairs (default True, as NEST and
      Brian2); only meaningful when pre and post are the same population.
    - ``seed``: seed of the connectivity; default: drawn from ``nd.random``.
    """

    def __init__(
        self,
        in_size: Any,
        out_size: Any,
        prob: float | None = None,
        weight: Any = None,
        conn_num: int | None = None,
        allow_self_connections: bool = True,
        seed: int | None = None,
        name: str | None = None,
        *,
        conn_weight: Any = None,
    ):
        super().__init__(in_size, out_size, name)
        if weight is not None and conn_weight is not None:
            raise ParameterError(
                "FixedProb takes the weight once: give weight=... or conn_weight=..., not both"
            )
        weight = next((w for w in (weight, conn_weight) if w is not None), 1.0)
        rng = np.random.default_rng(seed) if seed is not None else nd_random.host_rng()
        if (prob is None) == (conn_num is None):
            raise ParameterError("FixedProb needs exactly one of prob and conn_num")
        if not allow_self_connections and self.n_pre != self.n_post:
            raise ParameterError(
                "allow_self_connections=False needs in_size == out_size "
                "(it removes i -> i pairs of a population onto itself)"
            )
        exclude_self = not allow_self_connections
        flags = dict(allow_autapses=allow_self_connections, same_population=exclude_self, rng=rng)
        if prob is not None:
            prob = float(parameter("prob", prob, bounds=(0.0, 1.0)))
            connections = pairwise_bernoulli(self.n_pre, self.n_post, prob, **flags)
        else:
            most = self.n_post - exclude_self
            if (
                not isinstance(conn_num, (int, np.integer))
                or isinstance(conn_num, bool)
                or not 0 <= conn_num <= most
            ):
                raise ParameterError(
                    f"conn_num must be a whole number in [0, {most}], got {conn_num}"
                )
            connections = fixed_outdegree(
                self.n_pre, self.n_post, int(conn_num), allow_multapses=False, **flags
            )
        # Structural data held in states, so compiled programs take them as arguments
        # instead of embedding (and constant-folding) large constants.
        self.indptr = State(jnp.asarray(connections.indptr, jnp.int32), name="indptr")
        self.indices = State(jnp.asarray(connections.post, jnp.int32), name="indices")
        if callable(weight):
            weight = weight((self.n_synapses,))
        self.weight = ParamState(
            parameter("weight", weight, u.get_unit(weight), shape=(self.n_synapses,)), name="weight"
        )

    @property
    def n_synapses(self) -> int:
        return int(self.indices.value.shape[0])

    def update(self, spikes: Any) -> Any:
        spikes = self._check_input(spikes)
        w = self.weight.value
        magnitude = jnp.asarray(u.magnitude(w))
        out = csr_event_matvec(
            spikes, self.indptr.value, self.indices.value, magnitude, self.n_post
        )
        return u.with_unit(out, u.get_unit(w))

    def to_dense(self) -> Any:
        """The weight matrix ``(n_pre, n_post)`` as a dense array (for tests, small sizes)."""
        w = u.magnitude(self.weight.value)
        rows = np.repeat(np.arange(self.n_pre), np.diff(np.asarray(self.indptr.value)))
        dense = np.zeros((self.n_pre, self.n_post), np.asarray(w).dtype)
        np.add.at(dense, (rows, np.asarray(self.indices.value)), np.broadcast_to(w, rows.shape))
        return u.with_unit(jnp.asarray(dense), u.get_unit(self.weight.value))


EventFixedProb = FixedProb
