"""Synapse models and synaptic outputs."""

from ._base import Synapse
from ._expon import Expon
from ._outputs import COBA, CUBA, SynOut

__all__ = ["Synapse", "Expon", "SynOut", "CUBA", "COBA"]
