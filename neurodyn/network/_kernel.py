"""NEST's module-level functions, over one default :class:`Network`."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ._network import Network, SynapseCollection
from ._nodes import NodeCollection, nest_units

_default: list[Network] = [Network("kernel")]


def _network() -> Network:
    return _default[0]


def ResetKernel() -> None:  # noqa: N802 (NEST's name)
    """Forget every node and connection and start a new network at time 0."""
    _default[0] = Network("kernel")


def SetKernelStatus(params: dict[str, Any]) -> None:  # noqa: N802 (NEST's name)
    """``resolution`` (ms; only before nodes exist) and ``rng_seed``."""
    params = dict(params)
    if "resolution" in params:
        if _network().populations or _network().generators or _network().recorders:
            raise ParameterError("resolution can only be set before nodes are created")
        environ.set(dt=nest_units(u.ms, params.pop("resolution")))
        ResetKernel()
    if "rng_seed" in params:
        nd_random.seed(int(params.pop("rng_seed")))
    if params:
        raise ParameterError(
            f"unknown kernel settings {sorted(params)}; settable: resolution, rng_seed"
        )


def GetKernelStatus(key: str | None = None) -> Any:  # noqa: N802 (NEST's name)
    """``resolution`` and ``biological_time`` (ms), as NEST names them."""
    status = {
        "resolution": float(u.to_float(environ.get_dt(), u.ms)),
        "biological_time": float(u.to_float(_network().time, u.ms)),
    }
    return status if key is None else status[key]


def Create(model: Any, n: int = 1, params: dict[str, Any] | None = None) -> NodeCollection:  # noqa: N802
    """``n`` nodes of ``model`` in the default network (see :meth:`Network.create`)."""
    return _network().create(model, n, params)


def Connect(pre: NodeCollection, post: NodeCollection, conn_spec: Any = "all_to_all",  # noqa: N802
            syn_spec: dict[str, Any] | None = None) -> None:  # fmt: skip
    """Connect nodes of the default network (see :meth:`Network.connect`)."""
    _network().connect(pre, post, conn_spec, syn_spec)


def Simulate(t: Any) -> None:  # noqa: N802 (NEST's name)
    """Advance the default network by ``t`` (ms, or a time quantity)."""
    _network().simulate(t)


def SetDefaults(model: str, params: dict[str, Any]) -> None:  # noqa: N802 (NEST's name)
    """Change a synapse model's defaults (see :meth:`Network.set_defaults`)."""
    _network().set_defaults(model, params)


def GetDefaults(model: str, key: str | None = None) -> Any:  # noqa: N802 (NEST's name)
    """A synapse model's defaults (see :meth:`Network.get_defaults`)."""
    defaults = _network().get_defaults(model)
    return defaults if key is None else defaults[key]


def CopyModel(old: str, new: str, params: dict[str, Any] | None = None) -> None:  # noqa: N802
    """A new synapse model from an existing one (see :meth:`Network.copy_model`)."""
    _network().copy_model(old, new, params)


def GetConnections(source: NodeCollection | None = None, target: NodeCollection | None = None,  # noqa: N802
                   synapse_model: str | None = None) -> SynapseCollection:  # fmt: skip
    """Connections of the default network (see :meth:`Network.get_connections`)."""
    return _network().get_connections(source, target, synapse_model)


def GetStatus(nodes: NodeCollection | SynapseCollection, keys: Any = None) -> Any:  # noqa: N802
    """``nodes.get(keys)`` (a key, or a list of keys), for nodes or connections."""
    if keys is None:
        raise ParameterError("GetStatus needs the key(s) to read, e.g. GetStatus(nodes, 'V_m')")
    return nodes.get(*keys) if isinstance(keys, (list, tuple)) else nodes.get(keys)


def SetStatus(nodes: NodeCollection, params: dict[str, Any]) -> None:  # noqa: N802
    """``nodes.set(params)``, checked as construction is."""
    nodes.set(params)
