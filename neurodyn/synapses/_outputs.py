"""Synaptic outputs: how a synaptic variable becomes a membrane current."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core._module import Module
from ..core._params import parameter


class SynOut(Module):
    """Base class: ``update(g, V) -> current``."""


class CUBA(SynOut):
    r"""Current-based output: :math:`I = s\, g` (``g`` is already a current).

    ``scale`` (default 1, dimensionless or with units) converts ``g`` to a current.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.CUBA()(2. * u.pA, -60. * u.mV)
    Quantity(2., "pA")
    """

    def __init__(self, scale: Any = 1.0, name: str | None = None):
        super().__init__(name)
        self.scale = scale

    def update(self, g: Any, V: Any = None) -> Any:
        return g * self.scale


class COBA(SynOut):
    r"""Conductance-based output: :math:`I = g\,(E - V)`.

    ``E`` is the synaptic reversal potential.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.COBA(E=0. * u.mV)(10. * u.nS, -60. * u.mV)
    Quantity(600., "pA")
    """

    def __init__(self, E: Any, name: str | None = None):
        super().__init__(name)
        self.E = parameter("E", E, u.mV)

    def update(self, g: Any, V: Any) -> Any:
        return g * (self.E - V)
