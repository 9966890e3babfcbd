"""NodeCollection: nodes created together, addressed as NEST addresses them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._state import State

if TYPE_CHECKING:
    from ._network import Network


class NodeCollection:
    """Some nodes of one model (a population, a device, a recorder), with global ids.

    Returned by :meth:`Network.create` (NEST's ``Create``); slicing gives a
    sub-collection (``pop[:100]``, ``pop[[0, 5]]``), ``len`` the number of nodes,
    ``tolist()`` their ids (from 1, as in NEST). :meth:`get` and :meth:`set` read
    and change parameters and states of exactly these nodes; ``set`` validates as
    the model's constructor does, before anything changes.

    **Arguments:**

    - ``network``: the network the nodes belong to.
    - ``node``: the module that holds them.
    - ``indices``: which of its units (local indices).
    - ``first_id``: the global id of unit 0 of ``node``.
    """

    def __init__(self, network: Network, node: Module, indices: np.ndarray, first_id: int):
        self.network, self.node = network, node
        self.indices = np.asarray(indices, np.int64)
        self.first_id = int(first_id)

    @property
    def model(self) -> str:
        """The model's name (NEST's, e.g. ``'iaf_psc_delta'``)."""
        return type(self.node).__name__

    @property
    def ids(self) -> np.ndarray:
        return self.first_id + self.indices

    def tolist(self) -> list[int]:
        return [int(i) for i in self.ids]

    def __len__(self) -> int:
        return len(self.indices)

    def __iter__(self) -> Iterator[NodeCollection]:
        for k in range(len(self)):
            yield self[k]

    def __getitem__(self, key: Any) -> NodeCollection:
        if isinstance(key, (int, np.integer)):
            if not -len(self) <= key < len(self):
                raise ParameterError(f"node index {key} out of range for {len(self)} nodes")
            key = [int(key)]
        return NodeCollection(self.network, self.node, self.indices[key], self.first_id)

    def covers_all(self) -> bool:
        """Whether these are all units of the node, in order."""
        n = getattr(self.node, "num", 1)
        return len(self.indices) == n and bool((self.indices == np.arange(n)).all())

    def __repr__(self) -> str:
        ids = self.ids
        span = f"{ids[0]}..{ids[-1]}" if len(ids) else "none"
        return f"NodeCollection(model={self.model}, size={len(self)}, ids={span})"

    # -- status ----------------------------------------------------------------------

    def get(self, *keys: str) -> Any:
        """The value of ``key`` for these nodes (one key) or a dict (several keys).

        Keys: a parameter (its value for each node), a recordable (its current value,
        NEST's name such as ``'V_m'``), or a recorder's ``'events'`` / ``'n_events'``.
        """
        if not keys:
            raise ParameterError("get needs the name of at least one parameter or state")
        values = {key: self._get(key) for key in keys}
        return values[keys[0]] if len(keys) == 1 else values

    def _get(self, key: str) -> Any:
        node = self.node
        if key in ("events", "n_events") and hasattr(node, "events"):
            return node.events if key == "events" else len(node.events["times"])
        if key in node.declared_params():
            value = getattr(node, key)
            return _per_node(value, node, self.indices)
        if key in getattr(node, "recordables", ()):
            return _per_node(node.record(key), node, self.indices)
        raise ParameterError(f"{self.model} has no parameter or recordable {key!r}")

    def set(self, params: dict[str, Any] | None = None, **values: Any) -> None:
        """Set parameters or states of these nodes (NEST's ``SetStatus``), all checked
        before any changes; plain numbers are in NEST's units (ms, mV, pA, nS, pF)."""
        values = {**(params or {}), **values}
        node = self.node
        declared = node.declared_params()
        new_params, new_states = {}, {}
        for key, value in values.items():
            if key in declared:
                value = nest_units(declared[key].unit, value)
                new_params[key] = _merged(getattr(node, key), value, node, self.indices)
            elif key in STATE_NAMES and hasattr(node, STATE_NAMES[key]):
                state = getattr(node, STATE_NAMES[key])
                new_states[state] = _merged_state(state, value, node, self.indices, key)
            else:
                raise ParameterError(
                    f"{self.model} has no parameter or settable state {key!r}; its "
                    f"parameters are {sorted(declared)}"
                )
        node.set(**new_params)
        for state, value in new_states.items():
            state.value = value


#: NEST's names of initial values that a status dict may set, and the states they name.
STATE_NAMES = {"V_m": "V", "w": "w", "g_ex": "g_ex", "g_in": "g_in", "I_syn_ex": "I_syn_ex",
               "I_syn_in": "I_syn_in", "U_m": "U_m", "IP3": "IP3", "Ca_astro": "Ca_astro",
               "h_IP3R": "h_IP3R", "rate": "rate"}  # fmt: skip


def nest_units(unit: Any, value: Any) -> Any:
    """A plain number or array in NEST's unit for a parameter declared in ``unit``
    (neurodyn's NEST models declare their parameters in NEST's units); quantities and
    other values pass unchanged."""
    if unit is None or u.has_unit(value) or isinstance(value, (str, bool)) or value is None:
        return value
    if callable(value) or unit.is_unitless:
        return value
    return u.with_unit(np.asarray(value, float), unit)


def _per_node(value: Any, node: Module, indices: np.ndarray) -> Any:
    shape = (getattr(node, "num", 1),)
    magnitude = np.broadcast_to(np.asarray(u.magnitude(value)), shape)[indices]
    return u.with_unit(magnitude, u.get_unit(value)) if u.has_unit(value) else magnitude


def _merged(old: Any, new: Any, node: Module, indices: np.ndarray) -> Any:
    """``old`` (broadcast to the population) with ``new`` at ``indices``."""
    n = getattr(node, "num", None)
    if n is None or (len(indices) == n and (indices == np.arange(n)).all()):
        return new
    if u.has_unit(old) != u.has_unit(new) or (u.has_unit(new) and not u.same_dimension(old, new)):
        return new  # let the parameter's own check name the unit problem
    unit = u.get_unit(old)
    full = np.array(np.broadcast_to(np.asarray(u.magnitude(old), float), (n,)))
    full[indices] = np.asarray(u.to_float(new, unit) if u.has_unit(new) else new, float)
    return u.with_unit(full, unit) if u.has_unit(old) else full


def _merged_state(state: State, value: Any, node: Module, indices: np.ndarray, key: str) -> Any:
    old = state.value
    unit = u.get_unit(old)
    value = nest_units(unit, value)
    if u.has_unit(old) and not (u.has_unit(value) and u.same_dimension(value, old)):
        raise ParameterError(f"{key} must be a quantity in units of {unit}, got {value!r}")
    magnitude = np.asarray(u.to_float(value, unit) if u.has_unit(old) else value)
    if not np.isfinite(magnitude).all():
        raise ParameterError(f"{key} must be finite, got {u.describe(value)}")
    full = np.array(np.asarray(u.magnitude(old)))
    full[..., indices] = magnitude
    return u.with_unit(jnp.asarray(full, jnp.asarray(u.magnitude(old)).dtype), unit)
