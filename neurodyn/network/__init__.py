"""Networks in NEST's shape: nodes, connections with delays, devices, one scheduler.

``Network`` is the explicit form; the functions ``Create``, ``Connect``, ``Simulate``,
``GetStatus``, ``SetStatus``, ``ResetKernel``, ``SetKernelStatus`` and
``GetKernelStatus`` act on a default network, so that a NEST script ports by
replacing ``import nest`` with ``import neurodyn.network as nest``.
"""

from ._kernel import (
    Connect,
    Create,
    GetKernelStatus,
    GetStatus,
    ResetKernel,
    SetKernelStatus,
    SetStatus,
    Simulate,
)
from ._network import Network
from ._nodes import NodeCollection
from ._recorders import multimeter, spike_recorder, voltmeter

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
    "spike_recorder",
    "multimeter",
    "voltmeter",
]
