"""Point neuron models."""

from ._adaptive_threshold import ALIF, GIF
from ._base import Neuron
from ._exp_if import AdExIF, ExpIF
from ._hh import HH
from ._lif import LIF
from ._morris_lecar import MorrisLecar
from ._pinsky_rinzel import PinskyRinzelModel
from ._quad_if import Izhikevich, QuaIF
from ._readout import LeakyRateReadout
from ._traub_miles import TraubMilesHH
from ._wang_buzsaki import WangBuzsakiModel

__all__ = [
    "Neuron",
    "LIF",
    "ExpIF",
    "AdExIF",
    "QuaIF",
    "Izhikevich",
    "ALIF",
    "GIF",
    "HH",
    "TraubMilesHH",
    "MorrisLecar",
    "PinskyRinzelModel",
    "WangBuzsakiModel",
    "LeakyRateReadout",
]
