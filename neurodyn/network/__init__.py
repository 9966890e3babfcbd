"""Networks in NEST's shape: nodes, connections with delays, devices, one scheduler.

``Network`` is the explicit form; the functions ``Create``, ``Connect``, ``Simulate``,
``GetStatus``, ``SetStatus``, ``ResetKernel``, ``SetKernelStatus`` and
``GetKernelStatus`` act on a default network, so that a NEST script ports by
replacing ``import nest`` with ``import neurodyn.network as nest``.
"""

from ._kernel import (
    Connect,
    CopyModel,
    Create,
    GetConnections,
    GetDefaults,
    GetKernelStatus,
    GetStatus,
    ResetKernel,
    SetDefaults,
    SetKernelStatus,
    SetStatus,
    Simulate,
)
from ._network import Network, SynapseCollection
from ._nodes import NodeCollection
from ._recorders import multimeter, spike_recorder, voltmeter, weight_recorder
from ._volume_transmitter import volume_transmitter

__all__ = [
    "Network",
    "NodeCollection",
    "Create",
    "Connect",
    "Simulate",
    "GetStatus",
    "SetStatus",
    "ResetKernel",
    "SetKernelStatus",
    "GetKernelStatus",
    "SetDefaults",
    "GetDefaults",
    "CopyModel",
    "GetConnections",
    "SynapseCollection",
    "spike_recorder",
    "multimeter",
    "voltmeter",
    "weight_recorder",
    "volume_transmitter",
]
