"""Synapse models and synaptic outputs."""

from ._alpha import Alpha
from ._base import Synapse
from ._bionmda import BioNMDA
from ._dual_expon import DualExpon
from ._expon import Expon
from ._kinetic import AMPA, GABAa
from ._nmda import NMDA
from ._outputs import COBA, CUBA, MgBlock, SynOut
from ._short_term_plasticity import STD, STP

__all__ = [
    "Synapse",
    "Expon",
    "Alpha",
    "DualExpon",
    "STP",
    "STD",
    "AMPA",
    "GABAa",
    "NMDA",
    "BioNMDA",
    "SynOut",
    "CUBA",
    "COBA",
    "MgBlock",
]
