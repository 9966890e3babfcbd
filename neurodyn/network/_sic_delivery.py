"""``sic_connection`` in the network API: the slow inward current (SIC) of
``astrocyte_lr_1994`` nodes to ``aeif_cond_alpha_astro`` neurons.

NEST sends an astrocyte's SIC of every step as a secondary event; a connection of
delay ``d`` adds ``weight * SIC`` of step ``i`` to the target's SIC input of step
``i + d``, which the neuron buffers for the next step as it does its stimulation
current. Here each ``connect`` call makes one :class:`SICDelivery` (the delayed
delivery of spikes, carrying the SIC in pA), sent after the populations update.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import units as u
from ..connectivity import Connections, connect
from ..core._errors import ParameterError
from ..core._module import Module
from ..nest import astrocyte_lr_1994
from ._delivery import DelayedDelivery
from ._nodes import NodeCollection, nest_units

if TYPE_CHECKING:
    from ._network import Network

SIC_SYNAPSE = "sic_connection"
#: NEST's default delay of ``sic_connection``.
DEFAULT_DELAY = 1.0 * u.ms


def is_sic_connection(syn_spec: Any) -> bool:
    """Whether a ``connect`` call asks for ``sic_connection``."""
    return dict(syn_spec or {}).get("synapse_model") == SIC_SYNAPSE


class SICDelivery(DelayedDelivery):
    """Delivers ``weight * SIC`` (pA) of an astrocyte population's step ``i`` to the
    ``'SIC'`` input of its targets in step ``i + delay``."""

    def __init__(self, connections: Connections, source: Module, target: Module):
        super().__init__(connections, target, "spike", "SIC", u.pA)
        self._sic = lambda: source.SIC.value  # not a submodule: the network owns it

    def send_sic(self) -> None:
        """End of step ``i``: route the source's SIC of this step."""
        self.send(self._sic())


def connect_sic(network: Network, pre: NodeCollection, post: NodeCollection,
                conn_spec: Any, syn_spec: Any) -> SICDelivery:  # fmt: skip
    """The delivery of ``network.connect(pre, post, conn_spec, syn_spec)`` with
    ``synapse_model='sic_connection'``, its states created; ``syn_spec``: ``weight``
    (a dimensionless factor, default 1), ``delay`` (default 1 ms), ``receptor_type`` 0."""
    syn_spec = dict(syn_spec or {})
    syn_spec.pop("synapse_model")
    source, target = pre.node, post.node
    if not isinstance(source, astrocyte_lr_1994) or source not in network.populations:
        raise ParameterError(f"sic_connection starts at astrocytes, got {type(source).__name__}")
    if "SIC" not in getattr(target, "RECEPTOR_TYPES", {}) or target not in network.populations:
        raise ParameterError(
            f"sic_connection ends on neurons that take a SIC (aeif_cond_alpha_astro), got "
            f"{type(target).__name__}"
        )
    if syn_spec.pop("receptor_type", 0) not in (0, None):
        raise ParameterError(f"sic_connection goes to receptor_type 0 of {type(target).__name__}")
    weight = syn_spec.pop("weight", 1.0)
    if u.has_unit(weight):
        raise ParameterError(f"the weight of sic_connection is a factor, got {u.describe(weight)}")
    delay = nest_units(u.ms, syn_spec.pop("delay", DEFAULT_DELAY))
    if syn_spec:
        raise ParameterError(
            f"syn_spec has unknown keys {sorted(syn_spec)} for sic_connection; it takes "
            "weight, delay, receptor_type, synapse_model"
        )
    rule = connect(len(pre), len(post), conn_spec, {"weight": weight, "delay": delay})
    local = Connections.from_arrays(
        pre.indices[rule.pre], post.indices[rule.post], source.num, target.num,
        weight=rule.weight, delay=rule.delay,
    )  # fmt: skip
    delivery = SICDelivery(local, source, target)
    delivery.init_state()
    return delivery
