"""Point neuron models."""

from ._adaptive_threshold import ALIF, GIF, GifRef
from ._base import Neuron
from ._exp_if import AdExIF, AdExIFRef, ExpIF, ExpIFRef
from ._hh import HH
from ._lif import IF, LIF, LIFRef
from ._morris_lecar import MorrisLecar
from ._oscillators import FitzHughNagumo, HindmarshRose
from ._pinsky_rinzel import PinskyRinzelModel
from ._quad_if import AdQuaIF, AdQuaIFRef, Izhikevich, IzhikevichRef, QuaIF
from ._readout import LeakyRateReadout
from ._refractory import Refractory
from ._synaptic_lif import CobaLIF, CubaLIF
from ._traub_miles import TraubMilesHH
from ._wang_buzsaki import WangBuzsakiModel

__all__ = [
    "Neuron",
    "Refractory",
    "IF",
    "LIF",
    "LIFRef",
    "CubaLIF",
    "CobaLIF",
    "ExpIF",
    "ExpIFRef",
    "AdExIF",
    "AdExIFRef",
    "QuaIF",
    "AdQuaIF",
    "AdQuaIFRef",
    "Izhikevich",
    "IzhikevichRef",
    "ALIF",
    "GIF",
    "GifRef",
    "HH",
    "TraubMilesHH",
    "MorrisLecar",
    "PinskyRinzelModel",
    "WangBuzsakiModel",
    "FitzHughNagumo",
    "HindmarshRose",
    "LeakyRateReadout",
]
