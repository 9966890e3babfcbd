"""Gap junctions: electrical coupling of membrane potentials, symmetric or per direction."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..connectivity import Connections
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Dynamics, Module
from ..core._params import Param
from ..core._state import ShortTermState, State
from ._align_post import _require


class GapJunctionCoupling(Module):
    r"""Shared by the gap-junction projections: junction ``k`` couples ``pre[k]`` and
    ``post[k]``, carrying :math:`g^{post}_k (V_{pre} - V_{post})` into the
    postsynaptic and :math:`g^{pre}_k (V_{post} - V_{pre})` into the presynaptic neuron.

    Each population integrates its own step with the partners' potentials held at
    their values at the start of the step (:math:`\tilde V`, read when the junctions
    are called) and its own potential live inside its integrator:

    .. math::

       I_i(t) = \sum_k g_k\,\tilde V_{partner(k)} - G_i\,V_i(t), \qquad G_i = \sum_k g_k

    (sums over the junctions of neuron ``i``). The term :math:`-G_i V_i` adds to the
    membrane's own leak, so it is integrated as stably as the leak (exactly, by the
    exponential Euler step of a linear membrane); the partners' potentials enter as
    an explicit, first-order coupling (NEST's gap junctions without waveform
    relaxation). Call the junctions in each step before the coupled populations.

    The coupled state must be the membrane potential the model passes to its current
    inputs (``V``; ``Vs`` for :class:`PinskyRinzelModel`).
    """

    weight = Param(u.nS, nonnegative=True)

    def __init__(
        self,
        pre: Dynamics,
        pre_state: str,
        post: Dynamics,
        post_state: str,
        conn: Connections,
        weight: Any,
        name: str | None = None,
    ):
        super().__init__(name)
        _require(pre, Dynamics, "pre")
        _require(post, Dynamics, "post")
        _require(conn, Connections, "conn")
        for label, value in (("pre_state", pre_state), ("post_state", post_state)):
            if not isinstance(value, str):
                raise ParameterError(f"{label} must be a state name such as 'V', got {value!r}")
        if (conn.n_pre, conn.n_post) != (pre.num, post.num):
            raise ParameterError(
                f"conn connects {conn.n_pre} onto {conn.n_post} neurons, but pre has {pre.num} "
                f"and post has {post.num}"
            )
        if u.has_unit(conn.weight):
            raise ParameterError(
                f"conn carries the pairs only: give the conductances as weight, not as conn's "
                f"weights ({u.describe(conn.weight)})"
            )
        self.pre, self.pre_state, self.post, self.post_state = pre, pre_state, post, post_state
        self.pre_ids = State(jnp.asarray(conn.pre, jnp.int32), name="pre_ids")
        self.post_ids = State(jnp.asarray(conn.post, jnp.int32), name="post_ids")
        self.n_junctions = int(conn.n_connections)
        self.weight = weight
        key = f"{self.name}-{id(self):x}"
        post.add_current_input(f"{key}-post", lambda V: self._current(V, "post"))
        pre.add_current_input(f"{key}-pre", lambda V: self._current(V, "pre"))

    def conductances(self) -> tuple[Any, Any]:
        """Per junction, the conductances into post and into pre (nS, shape ``(k,)``)."""
        raise NotImplementedError

    def init_state(self, batch_size: int | None = None) -> None:
        dtype = environ.dftype()
        batch = () if batch_size is None else (batch_size,)
        for side, population in (("post", self.post), ("pre", self.pre)):
            drive = u.with_unit(jnp.zeros((*batch, population.num), dtype), u.pA)
            G = u.with_unit(jnp.zeros(population.num, dtype), u.nS)
            setattr(self, f"drive_{side}", ShortTermState(drive, name=f"drive_{side}"))
            setattr(self, f"G_{side}", ShortTermState(G, name=f"G_{side}"))

    def _current(self, V: Any, side: str) -> Any:
        population = self.post if side == "post" else self.pre
        shape = jnp.shape(u.magnitude(V))
        drive = u.math.reshape(getattr(self, f"drive_{side}").value, shape)
        G = u.math.reshape(getattr(self, f"G_{side}").value, population.varshape)
        return drive - G * V

    def _potential(self, population: Dynamics, state_name: str) -> Any:
        """The population's coupled state now, in mV, flattened to ``(*batch, num)``."""
        state = getattr(population, state_name, None)
        if not isinstance(state, State) or not u.same_dimension(state.value, u.mV):
            raise ParameterError(
                f"{self.name}: {population.name} has no voltage state {state_name!r} (states "
                "are created by nd.init_all_states)"
            )
        V = u.to_float(state.value, u.mV)
        batch = jnp.shape(V)[: jnp.ndim(V) - len(population.varshape)]
        return jnp.reshape(V, (*batch, population.num))

    def update(self) -> None:
        V_pre = self._potential(self.pre, self.pre_state)
        V_post = self._potential(self.post, self.post_state)
        g_post, g_pre = self.conductances()
        pre_ids, post_ids = self.pre_ids.value, self.post_ids.value
        for side, ids, g, partner_V, partner_ids, size in (
            ("post", post_ids, g_post, V_pre, pre_ids, self.post.num),
            ("pre", pre_ids, g_pre, V_post, post_ids, self.pre.num),
        ):
            drive = jnp.zeros((*partner_V.shape[:-1], size), partner_V.dtype)
            drive = drive.at[..., ids].add(g * partner_V[..., partner_ids])  # nS * mV = pA
            G = jnp.zeros(size, partner_V.dtype).at[ids].add(jnp.broadcast_to(g, ids.shape))
            getattr(self, f"drive_{side}").value = u.with_unit(drive, u.pA)
            getattr(self, f"G_{side}").value = u.with_unit(G, u.nS)


class SymmetryGapJunction(GapJunctionCoupling):
    r"""Gap junctions of one conductance in both directions.

    .. math::

       I_{post} = g_k\,(V_{pre} - V_{post}), \qquad I_{pre} = g_k\,(V_{post} - V_{pre})

    for every junction ``k`` of ``conn``; the two currents are equal and opposite.
    Integration and call order as :class:`GapJunctionCoupling` explains: the
    partners' potentials are held at the start of the step, each neuron's own is
    live in its integrator (first order in ``dt`` overall).

    ==========  =======  ==============================================================
    parameter   default  meaning
    ==========  =======  ==============================================================
    ``weight``  --       :math:`g_k`, conductance (nS-compatible, >= 0), scalar or one
                         per junction
    ==========  =======  ==============================================================

    **Arguments:**

    - ``couples``: one population (junctions within it) or a pair ``(pre, post)``.
    - ``states``: the coupled state, one name (``"V"``) or a pair ``(pre, post)``.
    - ``conn``: the junctions, a :class:`~neurodyn.connectivity.Connections` (e.g.
      ``nd.connectivity.explicit(n, n, pre, post)``); its pairs only are used (a pair
      listed twice is two junctions). Within one population list each pair once:
      every junction couples both ways.
    - ``weight``: the conductances; one per junction in ``conn``'s order
      (``conn.pre``, ``conn.post``: sorted by presynaptic neuron).

    States: ``drive_post``, ``drive_pre`` (:math:`\sum_k g_k \tilde V_{partner}` per
    neuron, pA) and ``G_post``, ``G_pre`` (:math:`\sum_k g_k`, nS), set by each call.

    Follows ``brainpy.state.SymmetryGapJunction`` (there, ``conn`` is a function of
    the two sizes returning the index arrays); Bennett & Zukin (2004), Neuron 41:495.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> cells = nd.LIF(2, V_rest=-70. * u.mV, V_th=0. * u.mV)
    >>> gap = nd.projections.SymmetryGapJunction(
    ...     cells, "V", nd.connectivity.explicit(2, 2, [0], [1]), 2. * u.nS)
    >>> _ = nd.init_all_states(gap)
    >>> cells.V.value = [-50., -70.] * u.mV
    >>> gap()
    >>> cells.sum_current_inputs(0. * u.pA, cells.V.value)  # 2 nS * 20 mV, both ways
    Quantity([-40.  40.], "pA")
    """

    def __init__(
        self,
        couples: Dynamics | tuple[Dynamics, Dynamics],
        states: str | tuple[str, str],
        conn: Connections,
        weight: Any,
        name: str | None = None,
    ):
        pre, post = (
            (couples, couples) if isinstance(couples, Dynamics) else _pair(couples, "couples")
        )
        pre_state, post_state = (
            (states, states) if isinstance(states, str) else _pair(states, "states")
        )
        super().__init__(pre, pre_state, post, post_state, conn, weight, name)

    def parameter_shape(self) -> tuple[int, ...]:
        return (self.n_junctions,)

    def conductances(self) -> tuple[Any, Any]:
        g = jnp.asarray(u.to_float(self.weight, u.nS), environ.dftype())
        return g, g


class AsymmetryGapJunction(GapJunctionCoupling):
    r"""Gap junctions with a conductance for each direction (rectifying junctions).

    .. math::

       I_{post} = g^{\to post}_k\,(V_{pre} - V_{post}), \qquad
       I_{pre} = g^{\to pre}_k\,(V_{post} - V_{pre})

    for every junction ``k`` of ``conn``. Integration and call order as
    :class:`GapJunctionCoupling` explains.

    ==========  =======  ==============================================================
    parameter   default  meaning
    ==========  =======  ==============================================================
    ``weight``  --       conductances (nS-compatible, >= 0): shape ``(2,)`` for all
                         junctions or ``(k, 2)`` per junction; column 0 is
                         :math:`g^{\to post}`, column 1 :math:`g^{\to pre}`
    ==========  =======  ==============================================================

    **Arguments:** ``pre``, ``pre_state``, ``post``, ``post_state`` (populations and
    the names of their coupled states), ``conn`` (as :class:`SymmetryGapJunction`),
    ``weight``.

    States: as :class:`SymmetryGapJunction`.

    Follows ``brainpy.state.AsymmetryGapJunction``; Phelan (2005), Biochim. Biophys.
    Acta 1711:225.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> a = nd.LIF(1, V_rest=-50. * u.mV, V_th=0. * u.mV)
    >>> b = nd.LIF(1, V_rest=-70. * u.mV, V_th=0. * u.mV)
    >>> gap = nd.projections.AsymmetryGapJunction(
    ...     a, "V", b, "V", nd.connectivity.one_to_one(1, 1), [4., 1.] * u.nS)
    >>> _ = nd.init_all_states(gap)
    >>> gap()
    >>> b.sum_current_inputs(0. * u.pA, b.V.value), a.sum_current_inputs(0. * u.pA, a.V.value)
    (Quantity([80.], "pA"), Quantity([-20.], "pA"))
    """

    def __init__(
        self,
        pre: Dynamics,
        pre_state: str,
        post: Dynamics,
        post_state: str,
        conn: Connections,
        weight: Any,
        name: str | None = None,
    ):
        super().__init__(pre, pre_state, post, post_state, conn, weight, name)

    def parameter_shape(self) -> tuple[int, ...]:
        return (self.n_junctions, 2)

    def check_parameters(self) -> None:
        super().check_parameters()
        if "weight" in self.__dict__ and np.shape(u.magnitude(self.weight))[-1:] != (2,):
            raise ParameterError(
                f"AsymmetryGapJunction.weight must end in an axis of 2 (into post, into pre), "
                f"got shape {np.shape(u.magnitude(self.weight))}"
            )

    def conductances(self) -> tuple[Any, Any]:
        g = jnp.asarray(u.to_float(self.weight, u.nS), environ.dftype())
        return g[..., 0], g[..., 1]


def _pair(value: Any, name: str) -> tuple[Any, Any]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ParameterError(f"{name} must be one value or a pair (pre, post), got {value!r}")
    return value[0], value[1]
