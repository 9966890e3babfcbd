"""Synapse models and synaptic outputs."""

from ._alpha import Alpha
from ._base import Synapse
from ._dual_expon import DualExpon
from ._expon import Expon
from ._outputs import COBA, CUBA, SynOut

__all__ = ["Synapse", "Expon", "Alpha", "DualExpon", "SynOut", "CUBA", "COBA"]
