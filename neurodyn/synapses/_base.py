"""The synapse interface shared by all synapse models."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core._module import Dynamics
from ..core._state import HiddenState
from ..init import ZeroInit, initialize


class Synapse(Dynamics):
    """Base class of synapse dynamics, driven by spikes (or spike-weighted increments).

    ``update(x)`` advances the synapse by one step and adds the input ``x``;
    :meth:`output` is the variable the postsynaptic output reads (``g``).

    **Arguments:**

    - ``in_size``: the shape of the synaptic variables.
    - ``g_initializer``: initial value of every synaptic variable; it sets their unit
      (default ``ZeroInit(mS)``).
    """

    def __init__(self, in_size: Any, g_initializer: Any = None, name: str | None = None):
        super().__init__(in_size, name=name)
        self.g_initializer = g_initializer if g_initializer is not None else ZeroInit(u.mS)

    def new_variable(self, name: str, batch_size: int | None) -> HiddenState:
        """A synaptic variable initialised by ``g_initializer``."""
        return HiddenState(initialize(self.g_initializer, self.varshape, batch_size), name=name)

    def output(self) -> Any:
        """The synaptic variable seen by the postsynaptic side."""
        raise NotImplementedError
