"""Rate connections in the network API: ``Connect`` between NEST rate nodes with
``synapse_model`` ``'rate_connection_delayed'`` or ``'rate_connection_instantaneous'``
(:class:`~neurodyn.nest.RateConnection`), or between ``siegert_neuron`` nodes with
``'diffusion_connection'`` (:class:`~neurodyn.nest.DiffusionConnection`).

Each ``connect`` call makes one connection module; the network runs every rate
connection at the start of a step, before the populations update (a rate node reads
the values its sources send in that step).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import units as u
from ..connectivity import Connections, connect
from ..core._errors import ParameterError
from ..core._module import Module
from ..nest import DiffusionConnection, RateConnection, RateNode
from ._nodes import NodeCollection, nest_units

if TYPE_CHECKING:
    from ._network import Network

#: NEST's rate synapse models: whether each is instantaneous.
RATE_SYNAPSES = {"rate_connection_delayed": False, "rate_connection_instantaneous": True}
#: NEST's default delay of ``rate_connection_delayed``.
DEFAULT_DELAY = 1.0 * u.ms


#: NEST's connection of siegert neurons
DIFFUSION = "diffusion_connection"


def is_rate_connection(source: Module, target: Module, syn_spec: Any) -> bool:
    """Whether a ``connect`` call is one of rate nodes (or asks for a rate synapse)."""
    model = dict(syn_spec or {}).get("synapse_model")
    return (
        model in RATE_SYNAPSES
        or model == DIFFUSION
        or isinstance(source, RateNode)
        or isinstance(target, RateNode)
    )


def connect_rate(network: Network, pre: NodeCollection, post: NodeCollection,
                 conn_spec: Any, syn_spec: Any) -> Module:  # fmt: skip
    """The rate connection of ``network.connect(pre, post, conn_spec, syn_spec)``, its
    states created; ``syn_spec``: ``synapse_model``, ``weight`` (default 1), ``delay``
    (delayed only; default 1 ms) and ``receptor_type`` 0."""
    syn_spec = dict(syn_spec or {})
    model = syn_spec.pop("synapse_model", "static_synapse")
    source, target = pre.node, post.node
    for side, node in (("source", source), ("target", target)):
        if not isinstance(node, RateNode) or node not in network.populations:
            raise ParameterError(
                f"{model} connects rate nodes (NEST's rate models); the {side} is "
                f"{type(node).__name__}"
            )
    if model == DIFFUSION:
        return _connect_diffusion(pre, post, conn_spec, syn_spec)
    if model not in RATE_SYNAPSES:
        raise ParameterError(
            f"rate nodes are connected with synapse_model 'rate_connection_delayed' or "
            f"'rate_connection_instantaneous', got {model!r}"
        )
    instantaneous = RATE_SYNAPSES[model]
    if syn_spec.pop("receptor_type", 0) not in (0, None):
        raise ParameterError(f"{type(target).__name__} has only receptor_type 0")
    params = {"weight": syn_spec.pop("weight", 1.0)}
    if instantaneous and "delay" in syn_spec:
        raise ParameterError("rate_connection_instantaneous has no delay (NEST's rule)")
    if not instantaneous:
        params["delay"] = nest_units(u.ms, syn_spec.pop("delay", DEFAULT_DELAY))
    if syn_spec:
        raise ParameterError(
            f"syn_spec has unknown keys {sorted(syn_spec)} for {model}; it takes weight"
            + ("" if instantaneous else ", delay")
            + ", receptor_type, synapse_model"
        )
    same = source is target and np.array_equal(pre.indices, post.indices)
    rule = connect(len(pre), len(post), conn_spec, params, same_population=same)
    local = Connections.from_arrays(
        pre.indices[rule.pre], post.indices[rule.post], source.num, target.num,
        weight=rule.weight, delay=rule.delay,
    )  # fmt: skip
    connection = RateConnection(source, target, local, instantaneous=instantaneous)
    connection.init_state()
    return connection


def _connect_diffusion(pre: NodeCollection, post: NodeCollection, conn_spec: Any,
                       syn_spec: dict) -> DiffusionConnection:  # fmt: skip
    """A ``diffusion_connection``: ``drift_factor`` and ``diffusion_factor`` (default 1),
    no weight and no delay (NEST's rules)."""
    factors = {key: syn_spec.pop(key, 1.0) for key in ("drift_factor", "diffusion_factor")}
    if syn_spec.pop("receptor_type", 0) not in (0, None):
        raise ParameterError("siegert_neuron has only receptor_type 0")
    if "weight" in syn_spec or "delay" in syn_spec:
        raise ParameterError(
            "diffusion_connection has no weight and no delay (NEST's rule): give "
            "drift_factor and diffusion_factor"
        )
    if syn_spec:
        raise ParameterError(
            f"syn_spec has unknown keys {sorted(syn_spec)} for {DIFFUSION}; it takes "
            "drift_factor, diffusion_factor, receptor_type, synapse_model"
        )
    source, target = pre.node, post.node
    same = source is target and np.array_equal(pre.indices, post.indices)
    # per-synapse factors (given in the order of connect's weights) ride as the index
    # of each synapse in the weights, through connect's and Connections' sorting
    n_given = max((np.size(value) for value in factors.values() if np.ndim(value)), default=0)
    order = np.arange(n_given, dtype=float) if n_given else 0.0
    rule = connect(len(pre), len(post), conn_spec, {"weight": order}, same_population=same)
    local = Connections.from_arrays(
        pre.indices[rule.pre], post.indices[rule.post], source.num, target.num,
        weight=rule.weight,
    )  # fmt: skip
    index = np.asarray(local.weight, int)
    factors = {key: value if np.ndim(value) == 0 else np.asarray(value, float)[index]
               for key, value in factors.items()}  # fmt: skip
    connection = DiffusionConnection(source, target, local, **factors)
    connection.init_state()
    return connection
