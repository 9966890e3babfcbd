"""The synapse interface shared by all synapse models."""

from __future__ import annotations

from typing import Any

from ..core._module import Dynamics


class Synapse(Dynamics):
    """Base class of synapse dynamics, driven by spikes (or spike-weighted increments).

    ``update(x)`` advances the synapse by one step and adds the input ``x``;
    :meth:`output` is the variable the postsynaptic output reads (``g``).
    """

    def output(self) -> Any:
        """The synaptic variable seen by the postsynaptic side."""
        raise NotImplementedError
