"""Point neuron models."""

from ._base import Neuron
from ._lif import LIF

__all__ = ["Neuron", "LIF"]
