"""neurodyn: brain dynamics programming on JAX, with physical units.

The public surface, re-exported explicitly; implementation lives in the layers
``core``, ``integrators``, ``neurons``, ``nest``, ``synapses``, ``connectivity``,
``projections``, ``inputs``, ``devices``, ``network``, ``running`` and ``networks``.
"""

from . import connectivity, devices, init, nest, network, surrogate, units
from .core import (
    Dynamics,
    HiddenState,
    Module,
    ParameterError,
    ParamState,
    ProgressBar,
    ShortTermState,
    SimulationError,
    State,
    environ,
    for_loop,
    grad,
    init_all_states,
    jit,
    random,
    reset_all_states,
)
from .inputs import PoissonSpike
from .integrators import integrate
from .network import Network
from .neurons import (
    ALIF,
    GIF,
    HH,
    LIF,
    AdExIF,
    ExpIF,
    Izhikevich,
    MorrisLecar,
    Neuron,
    PinskyRinzelModel,
    QuaIF,
    TraubMilesHH,
    WangBuzsakiModel,
)
from .projections import (
    AlignPostProj,
    AllToAll,
    Connectivity,
    DeltaProj,
    EventFixedProb,
    FixedProb,
)
from .running import Monitor, RunResult, load_checkpoint, run, save_checkpoint
from .synapses import (
    AMPA,
    COBA,
    CUBA,
    NMDA,
    STD,
    STP,
    Alpha,
    DualExpon,
    Expon,
    GABAa,
    MgBlock,
    Synapse,
    SynOut,
)

__version__ = "0.1.0"

__all__ = [
    # core
    "environ",
    "random",
    "State",
    "HiddenState",
    "ShortTermState",
    "ParamState",
    "Module",
    "Dynamics",
    "init_all_states",
    "reset_all_states",
    "for_loop",
    "jit",
    "grad",
    "ProgressBar",
    "ParameterError",
    "SimulationError",
    # units, initializers, surrogate gradients, integrators
    "units",
    "init",
    "surrogate",
    "integrate",
    # models
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
    "Synapse",
    "Expon",
    "Alpha",
    "DualExpon",
    "SynOut",
    "CUBA",
    "COBA",
    "STP",
    "STD",
    "AMPA",
    "GABAa",
    "NMDA",
    "MgBlock",
    "nest",
    "connectivity",
    "devices",
    "network",
    "Network",
    # networks
    "Connectivity",
    "AllToAll",
    "FixedProb",
    "EventFixedProb",
    "AlignPostProj",
    "DeltaProj",
    "PoissonSpike",
    # running
    "run",
    "Monitor",
    "RunResult",
    "save_checkpoint",
    "load_checkpoint",
]
